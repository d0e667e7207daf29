package cli_test

// A long-lived endpoint gives the same verdicts as a fresh one (issue 13):
// one `batchconform emulate` serves consecutive full runs, some through a
// proxy that adds latency or silently drops DeleteJob/TerminateJob (so jobs
// are left behind and accumulate), while two CPU-bound processes load the
// machine; every run that goes straight to the emulator must have 0 failures.
// And the state specs never fail for timing alone: runs of them through a
// 5 ms latency proxy have 0 failures.
//
// Sizes (environment): BATCHCONFORM_SOAK_RUNS (default 0: skipped under
// `go test ./...`, whose other packages its CPU load would disturb; CI runs
// `make soak SOAK_RUNS=3` as its own stage, `make soak` runs 20) and
// BATCHCONFORM_LATENCY_RUNS (default 2; `make latency-check`: 50).

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchconform/batchconform/internal/testproxy"
)

const (
	soakID  = "AKIDsoaktest"
	soakKey = "soak-test-secret-key"
)

// buildBinary is the plain build of the CLI (plainBinary: built once per
// test process).
func buildBinary(t *testing.T) string {
	t.Helper()
	return plainBinary(t)
}

// startEmulate starts `batchconform emulate` on a free loopback port and
// returns its URL; it is stopped (SIGTERM) when the test ends. Its output
// is captured into out.
func startEmulate(t *testing.T, bin, id, key string, out *lockedBuf) string {
	t.Helper()
	emu := exec.Command(bin, "emulate", "--addr", "127.0.0.1:0", "--secret-id", id, "--secret-key", key)
	stdout, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	emu.Stderr = out
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = emu.Process.Signal(syscall.SIGTERM)
		_ = emu.Wait()
	})
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for sc.Scan() {
		_, _ = out.Write([]byte(sc.Text() + "\n"))
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = bufio.NewReader(stdout).WriteTo(out) }()
			return m[1]
		}
	}
	t.Fatalf("emulate did not start: %s", out.String())
	return ""
}

// runResult is what one `batchconform run` reported.
type runResult struct {
	failed, passed int
	failedIDs      []string
	exit           error
	took           time.Duration
}

// runSuite runs the built binary against endpoint and reads its report.
func runSuite(t *testing.T, bin, endpoint, out string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"run", "--endpoint", endpoint, "--secret-id", soakID, "--out", out}, args...)...)
	cmd.Env = append(os.Environ(), "BATCHCONFORM_SECRET_KEY="+soakKey, "CI=true")
	var buf lockedBuf
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var res runResult
	select {
	case res.exit = <-done:
	case <-time.After(10 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("run did not finish in 10 minutes:\n%s", buf.String())
	}
	res.took = time.Since(start)
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("run wrote no report (%v): %v\n%s", res.exit, err, buf.String())
	}
	var rep struct {
		Summary struct{ Passed, Failed int }
		Items   []struct{ ID, Verdict, Message string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	res.passed, res.failed = rep.Summary.Passed, rep.Summary.Failed
	for _, it := range rep.Items {
		if it.Verdict == "fail" {
			msg := it.Message
			if len(msg) > 400 {
				msg = msg[:400] + "…"
			}
			res.failedIDs = append(res.failedIDs, it.ID+": "+msg)
		}
	}
	return res
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a count", name, s)
	}
	return n
}

// cpuLoad starts n CPU-bound processes, stopped when the test ends.
func cpuLoad(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		c := exec.Command("sh", "-c", "while :; do :; done")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pid := c.Process.Pid
		t.Cleanup(func() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			_ = c.Wait()
		})
	}
}

// TestSoak: consecutive full runs against one emulator; the mode cycles
// drop → direct → latency → direct, so every direct run follows runs that
// left jobs behind.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("full runs of the built binary")
	}
	runs := envInt(t, "BATCHCONFORM_SOAK_RUNS", 0)
	if runs == 0 {
		t.Skip("BATCHCONFORM_SOAK_RUNS unset: `make soak` (CI: SOAK_RUNS=3)")
	}
	bin := buildBinary(t)
	var emuOut lockedBuf
	url := startEmulate(t, bin, soakID, soakKey, &emuOut)
	lat, err := testproxy.Start(url, testproxy.Options{Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer lat.Close()
	drop, err := testproxy.Start(url, testproxy.Options{Drop: []string{"DeleteJob", "TerminateJob"}})
	if err != nil {
		t.Fatal(err)
	}
	defer drop.Close()
	cpuLoad(t, 2)
	modes := []string{"drop", "direct", "latency", "direct"}
	if runs == 3 {
		modes = []string{"drop", "latency", "direct"}
	}
	dir := t.TempDir()
	var lines []string
	directFailures := 0
	for i := 0; i < runs; i++ {
		mode := modes[i%len(modes)]
		endpoint := map[string]string{"direct": url, "latency": lat.URL, "drop": drop.URL}[mode]
		res := runSuite(t, bin, endpoint, filepath.Join(dir, fmt.Sprintf("run-%02d", i)))
		line := fmt.Sprintf("run %2d %-7s %4d passed %3d failed in %v", i+1, mode, res.passed, res.failed, res.took.Round(time.Second))
		lines = append(lines, line)
		t.Log(line)
		if res.failed > 0 {
			for _, id := range res.failedIDs {
				t.Logf("    %s", id)
			}
		}
		if mode == "direct" && res.failed > 0 {
			directFailures++
			t.Errorf("run %d straight to the emulator failed %d items (a long-lived endpoint must give a fresh one's verdicts)", i+1, res.failed)
		}
	}
	t.Logf("soak: %d runs, %d DeleteJob/TerminateJob dropped, %d requests through the latency proxy\n  %s",
		runs, drop.Dropped(), lat.Forwarded(), strings.Join(lines, "\n  "))
}

// TestStateSpecsThroughLatencyProxy: the state and transition specs, run
// repeatedly through a 5 ms latency proxy in front of one emulator, never
// fail (a state missed between polls is not a violation).
func TestStateSpecsThroughLatencyProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs of the built binary")
	}
	runs := envInt(t, "BATCHCONFORM_LATENCY_RUNS", 2)
	if runs == 0 {
		t.Skip("BATCHCONFORM_LATENCY_RUNS=0")
	}
	bin := buildBinary(t)
	var emuOut lockedBuf
	url := startEmulate(t, bin, soakID, soakKey, &emuOut)
	lat, err := testproxy.Start(url, testproxy.Options{Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer lat.Close()
	dir := t.TempDir()
	failedRuns := 0
	start := time.Now()
	for i := 0; i < runs; i++ {
		res := runSuite(t, bin, lat.URL, filepath.Join(dir, fmt.Sprintf("run-%02d", i)), "--label-filter", "kind:state || kind:transition")
		if res.passed == 0 {
			t.Fatalf("run %d checked nothing", i+1)
		}
		t.Logf("run %2d: %d passed, %d failed in %v", i+1, res.passed, res.failed, res.took.Round(time.Millisecond))
		if res.failed > 0 {
			failedRuns++
			t.Errorf("run %d through the 5 ms proxy failed %d state/transition items:\n  %s", i+1, res.failed, strings.Join(res.failedIDs, "\n  "))
		}
	}
	t.Logf("%d runs of the state and transition specs through a 5 ms latency proxy: %d failed (%v)", runs, failedRuns, time.Since(start).Round(time.Second))
}
