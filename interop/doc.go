// Package interop proves that the official Tencent Cloud SDKs work unmodified
// against the emulator: its tests run one scenario per product through the
// Node.js SDK (tencentcloud-sdk-nodejs, pinned in node/tencent/package-lock.json,
// driven over a JSON-lines bridge, node/tencent/driver.js) and through the Go
// SDK (tencentcloud-sdk-go v1.0.162), against an emulator started in process:
// Batch (POST and GET), Oceanus with the 15 actions of SDK v1.0.162 (POST and
// GET, both SDKs), and Oceanus's latest-only actions through the Node SDK,
// which has all 53.
//
// The Node tests skip only when `node` is not on PATH; when node is there but
// node/tencent/node_modules is not, they fail and say to run
// `npm ci --prefix interop/node/tencent` (CI does, see .ci/run).
//
// What the Node SDK signs (the finding behind these tests): its TC3 signer
// (common/sign.js) puts "host:" + URL.hostname in the canonical request, the
// host WITHOUT its port, while the Host header it sends has the port
// (127.0.0.1:9000). The Go SDK signs the Host as sent. Behind the real
// endpoints (443) neither has a port, so the real service cannot tell the two
// apart; the emulator accepts both (emulator/api3). Its scope service is the
// endpoint's first label ("127" for an IP), which the emulator already
// accepts for IP and localhost hosts.
package interop
