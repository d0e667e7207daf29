package cli_test

// A long-lived endpoint gives the same verdicts as a fresh one (issue 13):
// one `batchconform emulate` serves consecutive full runs, some through a
// proxy that adds latency or silently drops DeleteJob/TerminateJob (so jobs
// are left behind and accumulate), while two CPU-bound processes load the
// machine; every run that goes straight to the emulator must have 0 failures.
// And the state specs never fail for timing alone: runs of them through a
// 5 ms latency proxy have 0 failures.
//
// Sizes (environment), all skipped under `go test ./...` (whose other
// packages their CPU load and runs would disturb): BATCHCONFORM_SOAK_RUNS
// (`make soak`: 20), BATCHCONFORM_SOAK_CI (`make soak-ci`, CI's bounded
// soak: "all" or stage numbers), BATCHCONFORM_SOAK_LOAD (CPU-bound
// processes: `make soak` 2, `make soak-ci` 0) and BATCHCONFORM_LATENCY_RUNS
// (`make latency-check`: 50).

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchconform/batchconform/fixtures"
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
	failedIDs      []string // "ID: message" of each failed item
	failedItems    []failedItem
	exit           error
	took           time.Duration
}

// failedItem is one item a run failed, as its report.json gives it.
type failedItem struct {
	ID, Message string
	Labels      []string
}

// runSuite runs the built binary against endpoint and reads its report.
func runSuite(t *testing.T, bin, endpoint, out string, args ...string) runResult {
	t.Helper()
	return runSuiteEnv(t, bin, endpoint, out, nil, args...)
}

// runSuiteEnv is runSuite with extra environment (NAME=value) for the run.
func runSuiteEnv(t *testing.T, bin, endpoint, out string, env []string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"run", "--endpoint", endpoint, "--secret-id", soakID, "--out", out}, args...)...)
	cmd.Env = append(append(os.Environ(), "BATCHCONFORM_SECRET_KEY="+soakKey, "CI=true"), env...)
	var buf lockedBuf
	cmd.Stdout, cmd.Stderr = &buf, &buf
	// The output also goes to out.log as it is written, to follow a long
	// run (tail -f).
	if f, err := os.Create(out + ".log"); err == nil {
		defer f.Close()
		w := io.MultiWriter(&buf, f)
		cmd.Stdout, cmd.Stderr = w, w
	}
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
		Items   []struct {
			ID, Verdict, Message string
			Labels               []string
		}
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
			res.failedItems = append(res.failedItems, failedItem{ID: it.ID, Message: it.Message, Labels: it.Labels})
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

// soakRig is one `batchconform emulate` with the two proxies in front of
// it; endpoint maps a mode (direct, latency, drop) to the URL to run against.
type soakRig struct {
	bin       string
	endpoint  map[string]string
	lat, drop *testproxy.Proxy
	dir       string
}

// droppedActions are the actions the dropping proxy answers with a success
// it never forwarded.
var droppedActions = []string{"DeleteJob", "TerminateJob"}

func newSoakRig(t *testing.T) *soakRig {
	t.Helper()
	bin := buildBinary(t)
	var emuOut lockedBuf
	url := startEmulate(t, bin, soakID, soakKey, &emuOut)
	lat, err := testproxy.Start(url, testproxy.Options{Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lat.Close() })
	drop, err := testproxy.Start(url, testproxy.Options{Drop: droppedActions})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop.Close() })
	// BATCHCONFORM_SOAK_OUT keeps the runs' reports and logs (else they go
	// with the test's temporary directory).
	dir := os.Getenv("BATCHCONFORM_SOAK_OUT")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("BATCHCONFORM_SOAK_OUT: %v", err)
	}
	return &soakRig{bin: bin, lat: lat, drop: drop, dir: dir,
		endpoint: map[string]string{"direct": url, "latency": lat.URL, "drop": drop.URL}}
}

// soakLoad returns how many CPU-bound processes load the machine during a
// soak (BATCHCONFORM_SOAK_LOAD, default def).
func soakLoad(t *testing.T, def int) int { return envInt(t, "BATCHCONFORM_SOAK_LOAD", def) }

// soakEnv is the environment of every soak run: the property pass of the
// specs is cut to a few sequences (passbudget.go) — the soak judges
// whether verdicts stay the same, not how deep the fuzzing goes.
func soakEnv(t *testing.T) []string {
	return []string{"BATCHCONFORM_PROPERTY_SEQUENCES=" + strconv.Itoa(envInt(t, "BATCHCONFORM_SOAK_PROPERTY_SEQUENCES", 8))}
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
		t.Skip("BATCHCONFORM_SOAK_RUNS unset: `make soak` (CI: `make soak-ci`)")
	}
	rig := newSoakRig(t)
	cpuLoad(t, soakLoad(t, 2))
	modes := []string{"drop", "direct", "latency", "direct"}
	if runs == 3 {
		modes = []string{"drop", "latency", "direct"}
	}
	var lines []string
	for i := 0; i < runs; i++ {
		mode := modes[i%len(modes)]
		res := runSuiteEnv(t, rig.bin, rig.endpoint[mode], filepath.Join(rig.dir, fmt.Sprintf("run-%02d", i)), soakEnv(t))
		line := fmt.Sprintf("run %2d %-7s %4d passed %3d failed in %v", i+1, mode, res.passed, res.failed, res.took.Round(time.Second))
		lines = append(lines, line)
		t.Log(line)
		if res.failed > 0 {
			for _, id := range res.failedIDs {
				t.Logf("    %s", id)
			}
		}
		if mode == "direct" && res.failed > 0 {
			t.Errorf("run %d straight to the emulator failed %d items (a long-lived endpoint must give a fresh one's verdicts)", i+1, res.failed)
		}
	}
	t.Logf("soak: %d runs, %d DeleteJob/TerminateJob dropped, %d requests through the latency proxy\n  %s",
		runs, rig.drop.Dropped(), rig.lat.Forwarded(), strings.Join(lines, "\n  "))
}

// soakCIStages are the stages of the bounded soak (`make soak-ci`), in
// order, all against one emulator: a run that leaves jobs behind
// (DeleteJob/TerminateJob dropped), a whole run straight to the emulator
// among them, the state specs with every request slowed; each judged as a
// fresh endpoint would be. explain
// returns why a failed item is the stage's own doing ("" = unexplained:
// the stage fails).
var soakCIStages = []struct {
	name, mode string
	args       []string
	explain    func(failedItem) string
}{
	// Not the state lab's container (live-costly): its scenarios need
	// TerminateJob to take effect, and the state specs run in stage 3.
	{name: "Tencent Batch actions and errors through the DeleteJob/TerminateJob-dropping proxy (leaves jobs behind)", mode: "drop",
		args: []string{"--dialect", "tencent-batch", "--label-filter", "(kind:action || kind:error) && !live-costly"}, explain: explainDropped},
	{name: "whole run straight to the emulator, among the leftovers", mode: "direct"},
	{name: "state specs of all dialects through the 5 ms latency proxy", mode: "latency",
		args: []string{"--label-filter", "kind:state || kind:transition"}},
}

// explainDropped: an item about an action the proxy dropped fails because
// the proxy answered it without the emulator ever seeing it.
func explainDropped(it failedItem) string {
	_, subject, _, _, _ := fixtures.SplitID(it.ID)
	for _, a := range droppedActions {
		if subject == a || slices.Contains(it.Labels, "action:"+a) {
			return "the proxy dropped " + a
		}
	}
	return ""
}

// TestSoakCI is the bounded soak CI runs (`make soak-ci`): a few minutes
// on 2 cores instead of `make soak`'s 20 full runs. It prints each stage's
// wall time.
func TestSoakCI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs of the built binary")
	}
	sel := os.Getenv("BATCHCONFORM_SOAK_CI")
	if sel == "" {
		t.Skip("BATCHCONFORM_SOAK_CI unset: `make soak-ci`")
	}
	run := map[int]bool{}
	if sel != "all" {
		for _, f := range strings.Split(sel, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > len(soakCIStages) {
				t.Fatalf("BATCHCONFORM_SOAK_CI=%q: want all or stage numbers 1..%d separated by commas", sel, len(soakCIStages))
			}
			run[n] = true
		}
	}
	start := time.Now()
	rig := newSoakRig(t)
	cpuLoad(t, soakLoad(t, 0))
	t.Logf("soak-ci: build and start the emulator: %.1fs", time.Since(start).Seconds())
	var lines []string
	for i, st := range soakCIStages {
		if len(run) > 0 && !run[i+1] {
			continue
		}
		res := runSuiteEnv(t, rig.bin, rig.endpoint[st.mode], filepath.Join(rig.dir, fmt.Sprintf("stage-%d", i+1)), soakEnv(t), st.args...)
		if res.passed == 0 {
			t.Errorf("stage %d (%s) checked nothing", i+1, st.name)
		}
		var unexplained []string
		explained := 0
		for _, it := range res.failedItems {
			why := ""
			if st.explain != nil {
				why = st.explain(it)
			}
			if why == "" {
				msg := it.Message
				if len(msg) > 400 {
					msg = msg[:400] + "…"
				}
				unexplained = append(unexplained, it.ID+": "+msg)
				continue
			}
			explained++
			t.Logf("    explained (%s): %s", why, it.ID)
		}
		line := fmt.Sprintf("stage %d %-7s %4d passed %3d failed (%d explained) in %.1fs: %s", i+1, st.mode, res.passed, res.failed, explained, res.took.Seconds(), st.name)
		lines = append(lines, line)
		t.Log(line)
		if len(unexplained) > 0 {
			t.Errorf("stage %d (%s): %d unexplained failures (a long-lived endpoint must give a fresh one's verdicts):\n  %s", i+1, st.name, len(unexplained), strings.Join(unexplained, "\n  "))
		}
	}
	t.Logf("soak-ci in %.1fs: %d DeleteJob/TerminateJob dropped, %d requests through the latency proxy\n  %s",
		time.Since(start).Seconds(), rig.drop.Dropped(), rig.lat.Forwarded(), strings.Join(lines, "\n  "))
}

// TestStateSpecsThroughLatencyProxy: the state and transition specs, run
// repeatedly through a 5 ms latency proxy in front of one emulator, never
// fail (a state missed between polls is not a violation).
func TestStateSpecsThroughLatencyProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs of the built binary")
	}
	runs := envInt(t, "BATCHCONFORM_LATENCY_RUNS", 0)
	if runs == 0 {
		t.Skip("BATCHCONFORM_LATENCY_RUNS unset: `make latency-check` (CI: one run, in `make soak-ci`)")
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
