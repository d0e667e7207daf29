// Package interop drives `batchconform emulate` with official vendor SDKs in
// other languages, as their users would: no Go SDK for Alibaba BatchCompute
// is served here, so the aliyun-sdk npm package's BatchCompute client is the
// real client that proves the ACS protocol and the façade interoperate.
package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAliyunSDK runs interop/node/alibaba.js (aliyun-sdk 1.12.10, npm ci from
// interop/node/aliyun/package-lock.json) against a freshly built
// `batchconform emulate`. It skips only when node is absent (CI installs it).
func TestAliyunSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the aliyun-sdk interop test needs Node.js (CI installs nodejs and npm from Debian)")
	}
	if testing.Short() {
		t.Skip("-short: the interop test builds the CLI and runs Node.js")
	}
	sdkDir, err := filepath.Abs(filepath.Join("node", "aliyun"))
	if err != nil {
		t.Fatal(err)
	}
	ensureNodeModules(t, sdkDir)

	bin := filepath.Join(t.TempDir(), "batchconform")
	build := exec.Command("go", "build", "-o", bin, "github.com/batchconform/batchconform/cmd/batchconform")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the CLI: %v\n%s", err, out)
	}
	url := startEmulate(t, bin, "AKIDinterop", "interopSecretKey")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("node", "alibaba.js"))
	cmd.Env = append(os.Environ(), "BC_ENDPOINT="+url, "BC_ACCESS_KEY_ID=AKIDinterop", "BC_ACCESS_KEY_SECRET=interopSecretKey")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()

	// Every documented step must have reported ok, whatever the exit status
	// says: a script that stopped early must not pass.
	steps := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var s struct {
			Step string `json:"step"`
			OK   bool   `json:"ok"`
		}
		if json.Unmarshal([]byte(line), &s) != nil || s.Step == "" {
			continue
		}
		steps[s.Step] = s.OK
		if !s.OK {
			t.Errorf("aliyun-sdk step failed: %s", line)
		}
	}
	for _, want := range []string{"createCluster", "getCluster-running", "createJob", "getJob-finished", "listTasks",
		"listInstances-page", "listInstances-last-page", "getJobDescription", "cyclic-dag", "unknown-job", "wrong-secret",
		"deleteJob", "deleteCluster"} {
		if _, ok := steps[want]; !ok {
			t.Errorf("step %s did not run", want)
		}
	}
	if runErr != nil {
		t.Errorf("node interop/node/alibaba.js: %v\nstdout:\n%s\nstderr:\n%s", runErr, out, stderr.String())
	}
}

// ensureNodeModules installs the lockfile's packages when they are missing.
func ensureNodeModules(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "aliyun-sdk", "package.json")); err == nil {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("node is installed but npm is not: install npm, or run `npm ci` in %s", dir)
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startEmulate starts `batchconform emulate` on a free loopback port and
// returns its URL once it accepts requests; it is stopped with SIGTERM.
func startEmulate(t *testing.T, bin, id, key string) string {
	t.Helper()
	cmd := exec.Command(bin, "emulate", "--addr", "127.0.0.1:0", "--secret-id", id, "--secret-key", key, "--executor", "simulated")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start emulate: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("emulate did not print its listening line within 30s")
	}
	return ""
}
