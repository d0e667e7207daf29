package cli_test

// Live-API safety against the emulator as a stand-in for a live account
// (issue 11): an interrupted run cleans up after itself and exits 3 with a
// partial report; a killed run leaves resources that `sweep` removes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/internal/cli"
	"github.com/batchconform/batchconform/specs/harness"
)

// safetySelection starts the lifecycle lab (jobs, environments, nodes) and
// the action specs: many resources alive at once.
const safetySelection = "kind:transition || kind:action"

// dialects are the dialects whose runs these tests interrupt, kill and sweep.
// (Tencent Batch first: the Alibaba façade's clusters and jobs show in its
// listings too, so it must have resources of its own before them.)
var dialects = []string{"tencent-batch", "oceanus", "alibaba-batchcompute"}

// leftovers lists what the sweepers find with prefix on the emulator, in
// every dialect (prefix "" lists every resource a sweeper knows).
func leftovers(t *testing.T, emu *emulator.Emulator, prefix string) []harness.Leftover {
	t.Helper()
	return leftoversOf(t, emu, "all", prefix)
}

// leftoversOf lists what one dialect's sweeper (or every one's: "all")
// finds with prefix on the emulator: the emulator's own listings, not the
// run's ledger.
func leftoversOf(t *testing.T, emu *emulator.Emulator, dialect, prefix string) []harness.Leftover {
	t.Helper()
	return leftoversAs(t, emu, dialect, emu.SecretID, emu.SecretKey, prefix)
}

// leftoversAs is leftoversOf as the tenant with these credentials.
func leftoversAs(t *testing.T, emu *emulator.Emulator, dialect, secretID, secretKey, prefix string) []harness.Leftover {
	t.Helper()
	s := harness.Defaults()
	s.Dialect, s.Endpoint, s.SecretID, s.SecretKey = dialect, emu.URL, secretID, secretKey
	ts, err := harness.ResolveTargets(s)
	if err != nil {
		t.Fatal(err)
	}
	var out []harness.Leftover
	for _, tg := range ts {
		sw := harness.SweeperFor(tg.Dialect)
		if sw == nil {
			t.Fatalf("%s has no sweeper", tg.Dialect)
		}
		var l []harness.Leftover
		// A tenant a spec made with a rate limit of its own may throttle
		// the listing: it is repeated, a few times.
		for try := 0; ; try++ {
			l, err = sw.List(tg, prefix)
			if err == nil || try == 50 || !strings.Contains(err.Error(), "RequestLimitExceeded") {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("list leftovers: %v", err)
		}
		out = append(out, l...)
	}
	return out
}

// perDialect counts leftovers by dialect.
func perDialect(l []harness.Leftover) map[string]int {
	m := map[string]int{}
	for _, x := range l {
		m[x.Dialect]++
	}
	return m
}

// newSince returns the resources of now that were not in before (by ID):
// what a run created, whatever its name.
func newSince(before, now []harness.Leftover) []harness.Leftover {
	had := map[string]bool{}
	for _, b := range before {
		had[b.Dialect+"|"+b.Type+"|"+b.ID] = true
	}
	var out []harness.Leftover
	for _, n := range now {
		if !had[n.Dialect+"|"+n.Type+"|"+n.ID] {
			out = append(out, n)
		}
	}
	return out
}

// startRun starts a run of dialect (or all) against emu in the background and
// waits until ready says the resources alive (named with prefix) are
// enough.
func startRun(t *testing.T, emu *emulator.Emulator, dialect, prefix, out string, ready func([]harness.Leftover) bool) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd, buf := startCLI(t, emu, "run", "--endpoint", emu.URL, "--run-prefix", prefix, "--dialect", dialect,
		"--label-filter", safetySelection, "--out", out)
	deadline := time.Now().Add(90 * time.Second)
	for !ready(leftovers(t, emu, prefix)) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("the run never had the resources alive the test needs: %v\n%s", perDialect(leftovers(t, emu, prefix)), tail(buf.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd, buf
}

// startCLI starts the test binary as batchconform with args and the
// emulator's credentials in the background; its stdout and stderr go to
// the buffer (read it once the command has exited).
func startCLI(t *testing.T, emu *emulator.Emulator, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envCLI+"=1", "CI=true",
		"BATCHCONFORM_SECRET_ID="+emu.SecretID, "BATCHCONFORM_SECRET_KEY="+emu.SecretKey)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &buf
}

func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		t.Fatalf("the run did not exit within %s", limit)
		return -1
	}
}

// An interrupted run (SIGINT or SIGTERM, at a random moment once it has
// resources alive) exits 3 with a partial report and leaves nothing on the
// emulator in any dialect: not one resource it created, named or not.
// BATCHCONFORM_SIGNAL_ROUNDS=N repeats each signal N times (the proof
// against timing).
func TestSignalCleansUpAndExits3(t *testing.T) {
	if testing.Short() {
		t.Skip("a run against the emulator")
	}
	rounds := 1
	if v, err := strconv.Atoi(os.Getenv("BATCHCONFORM_SIGNAL_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	seed := time.Now().UnixNano()
	t.Logf("signal moments drawn with seed %d", seed)
	// The two signals run side by side (each against its own emulator),
	// so the test stays under a minute in make test.
	for i, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
			for round := 0; round < rounds; round++ {
				// The first resources appear about 1 s into the run; the
				// lifecycle labs and the actions' setup run for the next
				// few seconds: the moment is drawn over that span.
				delay := time.Duration(rng.Int64N(int64(4 * time.Second)))
				t.Run(fmt.Sprint(round), func(t *testing.T) {
					emu, err := emulator.Start(emulator.WithExecutor("simulated"))
					if err != nil {
						t.Fatal(err)
					}
					defer emu.Close()
					before := leftovers(t, emu, "")
					prefix := fmt.Sprintf("bcsig%s%d", strings.ToLower(sig.String()[3:6]), round)
					out := t.TempDir()
					cmd, buf := startRun(t, emu, "all", prefix, out, func(l []harness.Leftover) bool { return len(l) > 0 })
					time.Sleep(delay)
					alive := perDialect(leftovers(t, emu, prefix))
					_ = cmd.Process.Signal(sig)
					signalled := time.Now()
					code := waitExit(t, cmd, 90*time.Second)
					t.Logf("%s %v after the first resource; exit %d %v later", sig, delay, code, time.Since(signalled).Round(time.Millisecond))
					if testing.Verbose() {
						for _, line := range strings.Split(buf.String(), "\n") {
							if strings.Contains(line, "cleanup:") {
								t.Log(line)
							}
						}
					}
					if code != cli.ExitAborted {
						t.Errorf("exit code %d after %s %v into the run, want %d\n%s", code, sig, delay, cli.ExitAborted, tail(buf.String(), 3000))
					}
					if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
						t.Errorf("no partial report: %v", err)
					}
					if left := newSince(before, leftovers(t, emu, "")); len(left) > 0 {
						t.Errorf("%v alive at the %s (%v after the first resource), %d left after it: %v\n%s", alive, sig, delay, len(left), left, tail(buf.String(), 3000))
					}
					if strings.Contains(buf.String(), "NOT named with the run prefix") {
						t.Errorf("the run created resources not named with its prefix (a killed run would leave them to no sweep):\n%s", grepLines(buf.String(), "NOT named"))
					}
				})
			}
		})
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestSweepRemovesWhatAKilledRunLeft(t *testing.T) {
	if testing.Short() {
		t.Skip("a run against the emulator")
	}
	emu, err := emulator.Start(emulator.WithExecutor("simulated"))
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	before := leftovers(t, emu, "")
	const prefix = "bckill01"
	// One run per dialect, killed once it has resources alive.
	// (Alibaba BatchCompute and Tencent Batch share the emulator's engine,
	// so one's clusters show as the other's environments: a run counts as
	// ready on resources that are new to its own dialect's listing.)
	for _, d := range dialects {
		snap := leftovers(t, emu, prefix)
		cmd, _ := startRun(t, emu, d, prefix, t.TempDir(), func(l []harness.Leftover) bool { return perDialect(newSince(snap, l))[d] > 0 })
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	left := leftovers(t, emu, prefix)
	if n := perDialect(left); len(n) != len(dialects) {
		t.Fatalf("the killed run left resources in %v only: the test proves nothing for the others", n)
	}
	t.Logf("the killed runs left %d resources: %v", len(left), left)
	env := []string{"BATCHCONFORM_SECRET_ID=" + emu.SecretID, "BATCHCONFORM_SECRET_KEY=" + emu.SecretKey}
	// --dry-run lists and deletes nothing.
	r := runCLI(t, time.Minute, env, "sweep", "--endpoint", emu.URL, "--prefix", prefix, "--dry-run")
	if r.code != 0 || strings.Count(r.stdout, "would delete ") != len(left) {
		t.Errorf("sweep --dry-run: exit %d, want 0 and %d lines:\n%s%s", r.code, len(left), r.stdout, r.stderr)
	}
	if n := len(leftovers(t, emu, prefix)); n != len(left) {
		t.Errorf("sweep --dry-run changed the account: %d resources, was %d", n, len(left))
	}
	r = runCLI(t, 3*time.Minute, env, "sweep", "--endpoint", emu.URL, "--prefix", prefix)
	if r.code != 0 {
		t.Errorf("sweep: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("sweep deleted %d resources in %s", len(left), r.wall.Round(10*time.Millisecond))
	// Every resource found is said to be deleted: a job or cluster of the
	// engine Alibaba and Tencent share goes through whichever dialect
	// lists it first (a cluster's groups are environments named
	// cluster/group).
	var deletedLines strings.Builder
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "deleted ") {
			deletedLines.WriteString(line + "\n")
		}
	}
	for _, l := range left {
		owner, _, _ := strings.Cut(l.Name, "/")
		if d := deletedLines.String(); !strings.Contains(d, " "+l.ID+" ") && !strings.Contains(d, "("+owner+")") {
			t.Errorf("sweep does not say it deleted %s:\n%s", l, r.stdout)
		}
	}
	// Nothing the run created is left, named with the prefix or not
	// (a resource the specs forgot to name would show here). Oceanus'
	// variables, connectors and metadata have no delete action and are
	// not listed by any sweeper.
	if after := newSince(before, leftovers(t, emu, "")); len(after) > 0 {
		t.Errorf("after sweep %d resources of the run remain: %v\n%s", len(after), after, r.stdout)
	}
	// Another prefix is never touched.
	if r := runCLI(t, time.Minute, env, "sweep", "--endpoint", emu.URL, "--prefix", "x"); r.code != cli.ExitUsage {
		t.Errorf("sweep --prefix x: exit %d, want %d (a too-short prefix would match a whole account)", r.code, cli.ExitUsage)
	}
}

// A live-flagged run against the emulator throttling at 5 requests/s (the
// stand-in for an account's rate limit) finishes with no verdict caused by
// RequestLimitExceeded: the suite backs off and repeats its own requests.
func TestLiveRunBacksOffUnderServerRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("a run against the emulator")
	}
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithRateLimit(5))
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	out := t.TempDir()
	env := []string{"BATCHCONFORM_SECRET_ID=" + emu.SecretID, "BATCHCONFORM_SECRET_KEY=" + emu.SecretKey}
	r := runCLI(t, 4*time.Minute, env, "run", "--live", "--endpoint", emu.URL, "--label-filter", "action:DescribeJobs && kind:rule", "--out", out)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, tail(r.stdout, 3000), tail(r.stderr, 2000))
	}
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary struct{ Passed int }
		Items   []struct{ ID, Verdict, Message string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Passed < 10 {
		t.Errorf("only %d items passed: the selection proves little\n%s", rep.Summary.Passed, tail(r.stdout, 2000))
	}
	for _, it := range rep.Items {
		if it.Verdict == "fail" && strings.Contains(it.Message, "RequestLimitExceeded") {
			t.Errorf("%s failed on throttling: %.300s", it.ID, it.Message)
		}
	}
}

// --budget requests=N stops sending once N requests were sent (cleanup
// excepted): the spec that was running fails with the budget's message, no
// further spec starts, and the run ends aborted (exit 3) with its partial
// report.
func TestBudgetStopsTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("a run against the emulator")
	}
	out := t.TempDir()
	r := runCLI(t, 2*time.Minute, nil, "run", "--budget", "requests=20", "--label-filter", "action:DescribeJobs && kind:rule", "--out", out)
	// A spent budget stops the run like an interrupt: aborted, exit 3.
	if r.code != cli.ExitAborted {
		t.Errorf("exit %d, want %d\n%s", r.code, cli.ExitAborted, tail(r.stdout, 2000))
	}
	if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
		t.Errorf("no partial report: %v", err)
	}
	sent := func(r cliRun) int {
		m := regexp.MustCompile(`; (\d+) requests;`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("no request count in the summary:\n%s", tail(r.stdout, 2000))
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	// The summary counts the cleanup's requests too (sent with the budget
	// spent): compare with the same selection without a budget.
	free := runCLI(t, 2*time.Minute, nil, "run", "--label-filter", "action:DescribeJobs && kind:rule", "--out", t.TempDir())
	if n, all := sent(r), sent(free); n >= all || n < 20 {
		t.Errorf("%d requests sent with --budget requests=20, %d without a budget", n, all)
	}
	if !strings.Contains(r.stdout, "--budget requests=20 spent") {
		t.Errorf("no item failed with the budget's message:\n%s", tail(r.stdout, 2000))
	}
	if r := runCLI(t, time.Minute, nil, "run", "--budget", "dollars=3"); r.code != cli.ExitUsage {
		t.Errorf("--budget dollars=3: exit %d, want %d", r.code, cli.ExitUsage)
	}
}

// --deadline aborts the run (exit 3), writes the partial report and says
// what was still running when it fired.
func TestDeadlineSaysWhatWasRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("a run against the emulator")
	}
	out := t.TempDir()
	r := runCLI(t, 2*time.Minute, nil, "run", "--deadline", "3s", "--label-filter", safetySelection, "--out", out)
	if r.code != cli.ExitAborted {
		t.Errorf("exit %d, want %d\n%s", r.code, cli.ExitAborted, tail(r.stdout, 2000))
	}
	if !strings.Contains(r.stdout, "still running when the run was stopped") {
		t.Errorf("the run does not say what was still running:\n%s", tail(r.stdout, 2000))
	}
	if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
		t.Errorf("no partial report: %v", err)
	}
}

// --dry-run lists the calls and resources a run would make and sends
// nothing: a server standing in for the target counts every request.
func TestDryRunListsCallsAndSendsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("a rehearsal run")
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "a dry run must not reach the target", http.StatusTeapot)
	}))
	defer srv.Close()
	out := t.TempDir()
	r := runCLI(t, 3*time.Minute, []string{"BATCHCONFORM_SECRET_ID=AKIDdry", "BATCHCONFORM_SECRET_KEY=drykey"}, "run", "--dry-run",
		"--endpoint", srv.URL, "--dialect", "all", "--run-prefix", "bcdry001",
		"--label-filter", "(action:DescribeJobs || action:ListJobs || action:DescribeClusters) && kind:rule", "--out", out)
	if r.code != cli.ExitOK {
		t.Fatalf("exit %d\n%s%s", r.code, tail(r.stdout, 3000), tail(r.stderr, 2000))
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the dry run sent %d requests to the target", n)
	}
	for _, want := range []string{"dry run: nothing was sent to", "call tencent-batch SubmitJob ×", "call oceanus CreateJob ×",
		"call alibaba-batchcompute POST /jobs ×", "create tencent-batch job ×", "create alibaba-batchcompute cluster ×", "create oceanus job ×", "named bcdry001-…"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, tail(r.stdout, 3000))
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "dry-run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Requests  int
		Calls     []struct{ Dialect, Action string }
		Resources []harness.Leftover
	}
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Requests == 0 || len(plan.Calls) == 0 || len(plan.Resources) == 0 {
		t.Errorf("dry-run.json lists %d requests, %d calls, %d resources", plan.Requests, len(plan.Calls), len(plan.Resources))
	}
	for _, res := range plan.Resources {
		if !harness.MatchesPrefix(res.Name, "bcdry001") {
			t.Errorf("the run would create %s without the run prefix", res)
		}
	}
}

// The stateful-model property items run against a separately started
// emulator (its admin API gives each sequence a tenant of its own) with
// the verdicts the embedded emulator gives: every one passes, none skips.
func TestModelPropertiesRunOnASeparateEmulator(t *testing.T) {
	// Mostly waiting on child runs (timeouts, latency, polling): the
	// package's slow tests overlap (two at a time: -parallel defaults to GOMAXPROCS; Ginkgo refuses an explicit -parallel).
	t.Parallel()
	if testing.Short() {
		t.Skip("a run against the emulator")
	}
	emu, err := emulator.Start(emulator.WithExecutor("simulated"))
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	out := t.TempDir()
	env := []string{"BATCHCONFORM_SECRET_ID=" + emu.SecretID, "BATCHCONFORM_SECRET_KEY=" + emu.SecretKey}
	var items []string
	for _, it := range harness.Catalog("tencent-batch").Items() {
		if strings.HasPrefix(it.ID, "tencent-batch/model/property/") {
			items = append(items, it.ID)
		}
	}
	if len(items) != 8 {
		t.Fatalf("%d model property items in the catalog, want 8", len(items))
	}
	r := runCLI(t, 8*time.Minute, env, "run", "--endpoint", emu.URL, "--dialect", "tencent-batch", "--items", strings.Join(items, ","), "--out", out)
	if r.code != cli.ExitOK {
		t.Errorf("exit %d\n%s", r.code, tail(r.stdout, 3000))
	}
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Items []struct{ ID, Verdict, Message string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range rep.Items {
		got[it.ID] = it.Verdict + " " + it.Message
	}
	for _, id := range items {
		if v := got[id]; !strings.HasPrefix(v, "pass") {
			t.Errorf("%s: %.300s (want pass, as against the embedded emulator)", id, v)
		}
	}
}

// On a terminal a run draws one live line per dialect (specs done/total,
// failures, requests/s, elapsed, ETA) on stderr, redraws it in place and
// erases it before the summary; in CI (no terminal) it draws nothing and
// Ginkgo's dots stay out of the log. The terminal is util-linux's script.
func TestProgressLinesOnATerminal(t *testing.T) {
	// Mostly waiting on child runs: overlaps with the package's other slow tests.
	t.Parallel()
	if testing.Short() {
		t.Skip("runs of the suite")
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script (util-linux) is not installed: no pseudo-terminal to run under")
	}
	const selection = "kind:transition"
	// One process, and --procs 2 (the shards' rows summed by the parent).
	for _, procs := range []string{"1", "2"} {
		t.Run("procs="+procs, func(t *testing.T) { progressOnTerminal(t, script, selection, procs) })
	}

	// In CI: no progress line, no Ginkgo dots; the summary only.
	for _, procs := range []string{"1", "2"} {
		r := runCLI(t, 3*time.Minute, nil, "run", "--label-filter", selection, "--procs", procs, "--out", t.TempDir())
		if strings.Contains(r.stderr, " specs ") || strings.Contains(r.stderr, "\033[") {
			t.Errorf("--procs %s: progress drawn in CI:\n%q", procs, tail(r.stderr, 1500))
		}
		if strings.Contains(r.stdout, "•") || !strings.Contains(r.stdout, "specs: ") {
			t.Errorf("--procs %s: CI's log is not the summary alone:\n%s", procs, tail(r.stdout, 1500))
		}
	}
}

// progressOnTerminal runs a selection under script (a pseudo-terminal) and
// checks the live lines: one per dialect, reaching its total, redrawn in
// place and erased before the summary.
func progressOnTerminal(t *testing.T, script, selection, procs string) {
	typescript := filepath.Join(t.TempDir(), "typescript")
	line := fmt.Sprintf("%q run --label-filter %q --procs %s --out %q", os.Args[0], selection, procs, t.TempDir())
	cmd := exec.Command(script, "-qec", line, typescript)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "TERM=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, envCLI+"=1", "TERM=xterm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script: %v\n%s", err, tail(string(out), 2000))
	}
	data, err := os.ReadFile(typescript)
	if err != nil {
		t.Fatal(err)
	}
	screen := string(data)
	// Each dialect's line reaches its total: 66, 31 and 6 transition specs
	// today; the pattern takes any total and checks done == total.
	for _, d := range harness.Implemented {
		re := regexp.MustCompile(regexp.QuoteMeta(d) + `\s+(\d+)/(\d+)\s+specs\s+\d+ failed\s+\d+ req/s\s+\S+ elapsed\s+(ETA \S+|done)`)
		ms := re.FindAllStringSubmatch(screen, -1)
		if len(ms) == 0 {
			t.Errorf("no progress line for %s:\n%q", d, tail(screen, 1500))
			continue
		}
		last := ms[len(ms)-1]
		if last[1] != last[2] || last[1] == "0" {
			t.Errorf("%s's last line %q: done is not the total", d, last[0])
		}
	}
	// Redrawn in place (cursor up over the 3 lines) and erased at the end.
	if !strings.Contains(screen, "\033[3A\r\033[K") || !strings.Contains(screen, "\033[3A\033[J") {
		t.Errorf("the lines are not redrawn in place and erased:\n%q", tail(screen, 1500))
	}
	if !strings.Contains(screen, "specs: ") {
		t.Errorf("no summary after the progress lines:\n%q", tail(screen, 1500))
	}
}
