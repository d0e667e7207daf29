// driver.js: a JSON-lines bridge from a Go test to the official Tencent Cloud
// Node.js SDK (tencentcloud-sdk-nodejs, pinned in package-lock.json). It reads
// one call per line on stdin:
//   {"product":"batch","version":"v20170312","action":"SubmitJob","method":"POST","sign":"TC3-HMAC-SHA256","params":{...}}
// and writes one answer per line on stdout:
//   {"ok":true,"response":{...}}  or  {"ok":false,"code":"...","message":"...","requestId":"..."}
// The SDK is used exactly as a user would use it: a client per product with
// the endpoint as host:port, http://, the given request method; nothing of it
// is patched. Settings come from the environment: BATCHCONFORM_ENDPOINT
// (host:port), BATCHCONFORM_SECRET_ID, BATCHCONFORM_SECRET_KEY,
// BATCHCONFORM_REGION.
"use strict";
const readline = require("readline");
const tencentcloud = require("tencentcloud-sdk-nodejs");

const env = (k) => {
  const v = process.env[k];
  if (!v) {
    process.stderr.write(`driver.js: ${k} is not set\n`);
    process.exit(2);
  }
  return v;
};
const endpoint = env("BATCHCONFORM_ENDPOINT");
const credential = { secretId: env("BATCHCONFORM_SECRET_ID"), secretKey: env("BATCHCONFORM_SECRET_KEY") };
const region = env("BATCHCONFORM_REGION");

const clients = new Map();
function client(product, version, method, sign) {
  const key = `${product}/${version}/${method}/${sign}`;
  if (!clients.has(key)) {
    const svc = tencentcloud[product];
    if (!svc || !svc[version]) throw new Error(`the SDK has no ${product}.${version}`);
    clients.set(key, new svc[version].Client({
      credential, region,
      profile: {
        signMethod: sign || "TC3-HMAC-SHA256",
        httpProfile: { endpoint, protocol: "http://", reqMethod: method || "POST", reqTimeout: 30 },
      },
    }));
  }
  return clients.get(key);
}

// Answers are written in request order: the Go side sends one call and waits.
const rl = readline.createInterface({ input: process.stdin, terminal: false });
let queue = Promise.resolve();
rl.on("line", (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let out;
    try {
      const c = JSON.parse(line);
      const cl = client(c.product, c.version, c.method, c.sign);
      if (typeof cl[c.action] !== "function") {
        out = { ok: false, code: "SDK.NoSuchAction", message: `the SDK client has no ${c.action}` };
      } else {
        out = { ok: true, response: await cl[c.action](c.params || {}) };
      }
    } catch (e) {
      out = { ok: false, code: e.code || "SDK.Exception", message: String(e.message || e), requestId: e.requestId || "" };
    }
    // BigInt (json-bigint) values are written as numbers.
    process.stdout.write(JSON.stringify(out, (_, v) => (typeof v === "bigint" ? Number(v) : v)) + "\n");
  });
});
rl.on("close", () => queue.then(() => process.exit(0)));
