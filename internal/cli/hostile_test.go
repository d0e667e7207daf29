package cli_test

// Hostile endpoints (issue 11): against each server of internal/hostile's
// table a whole run completes, reports failures, exits 1, within 2 minutes
// and without a panic. `make test` runs the fast servers with a selection
// of specs; `make hostile` (BATCHCONFORM_HOSTILE=all) runs the whole table
// with every spec and prints server -> time -> exit code.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchconform/batchconform/internal/hostile"
)

// hostileBound is the bound on a whole run.
const hostileBound = 2 * time.Minute

// hostileQuick are the servers of the bounded test, one per way the
// preflight and the breaker recognise a broken target: never reachable,
// reset mid-answer, not the dialect's envelope, success for an action that
// does not exist. (truncated-json and wrong-envelope take html-500's path;
// `make hostile` runs them all.) Each run takes every dialect.
var hostileQuick = []string{"refused", "reset", "html-500", "success-for-everything"}

// hostileSelection keeps the bounded test cheap: one spec container of each
// kind that sends requests of every sort (creates, polls, raw protocol).
const hostileSelection = "kind:action || kind:example || kind:protocol"

type cliRun struct {
	code   int
	wall   time.Duration
	stdout string
	stderr string
}

// runCLI runs batchconform (cliBinary) with args, killed after limit.
func runCLI(t *testing.T, limit time.Duration, env []string, args ...string) cliRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliBinary(t), args...)
	cmd.Env = append(append(os.Environ(), envCLI+"=1", "CI=true"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := cliRun{wall: time.Since(start), stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("run %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("run %v did not end within %s (killed)\nstdout tail: %s", args, limit, tail(r.stdout, 2000))
	}
	return r
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func TestHostileEndpoints(t *testing.T) {
	// Mostly waiting on child runs (timeouts, latency, polling): the
	// package's slow tests overlap (two at a time: -parallel defaults to GOMAXPROCS; Ginkgo refuses an explicit -parallel).
	t.Parallel()
	if testing.Short() {
		t.Skip("whole runs against hostile servers")
	}
	names, filter := hostileQuick, hostileSelection
	switch v := os.Getenv("BATCHCONFORM_HOSTILE"); v {
	case "":
	case "all":
		names, filter = hostile.Names(), ""
	default:
		names, filter = strings.Split(v, ","), ""
	}
	var table []string
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			srv, err := hostile.Start(name)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			out := t.TempDir()
			// Every dialect (the default --dialect all): each has a
			// preflight and joins the circuit breaker.
			args := []string{"run", "--endpoint", srv.URL, "--out", out}
			if filter != "" {
				args = append(args, "--label-filter", filter)
			}
			env := []string{"BATCHCONFORM_SECRET_ID=" + srv.SecretID, "BATCHCONFORM_SECRET_KEY=" + srv.SecretKey}
			// Killed at twice the bound, so an overrun is measured, not hung.
			r := runCLI(t, 2*hostileBound, env, args...)
			line := fmt.Sprintf("%-24s %7.1fs  exit %d  %d requests received", name, r.wall.Seconds(), r.code, srv.Requests.Load())
			table = append(table, line)
			t.Log(line)
			if r.code != 1 {
				t.Errorf("exit code %d, want 1\nstdout tail: %s\nstderr tail: %s", r.code, tail(r.stdout, 3000), tail(r.stderr, 2000))
			}
			if r.wall > hostileBound {
				t.Errorf("the run took %s, more than %s", r.wall.Round(time.Second), hostileBound)
			}
			expectNoPanic(t, r, out)
		})
	}
	t.Logf("server -> time -> exit code:\n%s", strings.Join(table, "\n"))
}

// expectNoPanic checks a finished run's output and report: no panic, no
// "Test Panicked" verdict, a report written, failures reported.
func expectNoPanic(t *testing.T, r cliRun, out string) {
	t.Helper()
	for _, bad := range []string{"panic:", "goroutine ", "[PANICKED]"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("output contains %q: %s", bad, tail(r.stdout+r.stderr, 3000))
		}
	}
	rep, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Errorf("no report written: %v", err)
	} else if i := bytes.Index(rep, []byte("Panicked")); i >= 0 {
		t.Errorf("report.json records a panic: …%s…", rep[max(0, i-300):min(len(rep), i+200)])
	}
	if !strings.Contains(r.stdout, " failed") || strings.Contains(r.stdout, " 0 failed, ") {
		t.Errorf("no failures reported:\n%s", tail(r.stdout, 2000))
	}
}

// garbageRuns are the dialects the garbage test runs, each with the specs it
// takes against the servers that spoil every answer ("" = its whole
// suite); against garbage-reads (writes answered truthfully) every dialect
// takes its whole suite. Every dialect takes its whole suite: Tencent
// Batch's passed the bound (248 s at load 9) while its setups waited on jobs
// whose IDs never parsed, until the creates-appear precondition
// (specs/harness/creates.go) ended those waits.
var garbageRuns = []struct{ dialect, selection string }{
	{"alibaba-batchcompute", ""},
	{"oceanus", ""},
	{"tencent-batch", ""},
}

// garbageWhole are the garbage servers every dialect's whole suite meets.
var garbageWhole = map[string]bool{"garbage-reads": true}

// A dialect's suite (garbageRuns) against the garbage servers (the emulator's
// answers with their members dropped or of the wrong type, the preflights
// answered truthfully so every spec body meets the garbage): the run ends
// with exit 1 within the bound, and no spec panics — a missing or mistyped
// member is a failing check that names it (specs/harness/answer.go).
func TestGarbageAnswersNoPanic(t *testing.T) {
	// Mostly waiting on child runs (timeouts, latency, polling): the
	// package's slow tests overlap (two at a time: -parallel defaults to GOMAXPROCS; Ginkgo refuses an explicit -parallel).
	t.Parallel()
	if testing.Short() {
		t.Skip("whole runs against garbage servers")
	}
	// `make test` meets the mistyped server (every member there, each of
	// the wrong type: the deeper one); `make hostile` both.
	names := []string{"garbage-mistyped"}
	if os.Getenv("BATCHCONFORM_HOSTILE") != "" {
		names = hostile.GarbageNames()
	}
	for _, name := range names {
		for _, g := range garbageRuns {
			sel := g.selection
			if garbageWhole[name] {
				sel = ""
			}
			t.Run(name+"/"+g.dialect, func(t *testing.T) { garbageRun(t, name, g.dialect, sel) })
		}
	}
}

func garbageRun(t *testing.T, name, dialect, selection string) {
	t.Helper()
	srv, err := hostile.StartGarbage(name)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := t.TempDir()
	env := []string{"BATCHCONFORM_SECRET_ID=" + srv.SecretID, "BATCHCONFORM_SECRET_KEY=" + srv.SecretKey}
	args := []string{"run", "--endpoint", srv.URL, "--dialect", dialect, "--out", out}
	if selection != "" {
		args = append(args, "--label-filter", selection)
	}
	r := runCLI(t, 2*hostileBound, env, args...)
	t.Logf("%-18s %-22s %7.1fs  exit %d  %d requests received", name, dialect, r.wall.Seconds(), r.code, srv.Requests.Load())
	if r.code != 1 {
		t.Errorf("exit code %d, want 1\nstdout tail: %s\nstderr tail: %s", r.code, tail(r.stdout, 3000), tail(r.stderr, 2000))
	}
	if r.wall > hostileBound {
		t.Errorf("the run took %s, more than %s", r.wall.Round(time.Second), hostileBound)
	}
	expectNoPanic(t, r, out)
	// The garbage was met (and judged) by the specs, not only
	// the preflight.
	failed := failedByDialect(t, filepath.Join(out, "report.json"))
	if failed[dialect] == 0 {
		t.Errorf("no failed item of %s in the report (failed per dialect: %v)", dialect, failed)
	}
	t.Logf("failed items of %s: %d", dialect, failed[dialect])
	if garbageWhole[name] {
		// Reads that never parse are recognised once (answers-readable)
		// and named in the summary, instead of each wait timing out.
		if !strings.Contains(r.stdout, "precondition answers-readable violated") {
			t.Errorf("the run does not name the answers-readable precondition:\n%s", tail(r.stdout, 3000))
		}
	}
	if selection == "" {
		// An item whose container's setup failed is a failure, not
		// "not covered": every item left not covered names the specs
		// that declared it (a spec that failed before its check of the
		// item); none is left with no spec at all, as the items of a
		// container whose BeforeAll failed were.
		if nc := unattributed(t, filepath.Join(out, "report.json"), dialect); len(nc) > 0 {
			t.Errorf("%d items of %s not covered by any spec against %s (a failed setup must fail its items): %v", len(nc), dialect, name, nc)
		}
	}
}

// slowSelection: specs that send a few requests each, cheap at 3 s per
// request (a container with a BeforeAll that prepares resources would take
// minutes at that latency).
var slowSelection = []string{
	"tencent-batch/envelope/protocol/error-http-200",
	"oceanus/envelope/protocol/error-http-200",
	// Alibaba's protocol container prepares a cluster, an image and a job
	// first (a dozen requests: about 40 s at this latency).
	"alibaba-batchcompute/auth/protocol/acs-HMAC-SHA1",
}

// A slow but correct server (the emulator behind 3 s of latency) passes a
// selection when --request-timeout exceeds its latency, and fails it
// clearly, naming the timeout, when it does not.
func TestSlowButCorrectServer(t *testing.T) {
	// Mostly waiting on child runs (timeouts, latency, polling): the
	// package's slow tests overlap (two at a time: -parallel defaults to GOMAXPROCS; Ginkgo refuses an explicit -parallel).
	t.Parallel()
	if testing.Short() {
		t.Skip("runs against a slow server")
	}
	srv, err := hostile.StartSlow(3 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := []string{"BATCHCONFORM_SECRET_ID=" + srv.SecretID, "BATCHCONFORM_SECRET_KEY=" + srv.SecretKey}
	args := func(timeout string) []string {
		return []string{"run", "--endpoint", srv.URL, "--items", strings.Join(slowSelection, ","),
			"--request-timeout", timeout, "--out", t.TempDir()}
	}
	// Both runs at once: each mostly waits on the server's latency.
	var ok, bad cliRun
	var wg sync.WaitGroup
	wg.Go(func() { ok = runCLI(t, hostileBound, env, args("8s")...) })
	wg.Go(func() { bad = runCLI(t, hostileBound, env, args("1s")...) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if ok.code != 0 || !strings.Contains(ok.stdout, " 0 failed") {
		t.Errorf("--request-timeout 8s against 3s latency: exit %d, want 0 and no failure\n%s", ok.code, tail(ok.stdout, 3000))
	}
	if bad.code != 1 || !strings.Contains(bad.stdout, "raise --request-timeout") {
		t.Errorf("--request-timeout 1s against 3s latency: exit %d, want 1 and a message naming the timeout\n%s", bad.code, tail(bad.stdout, 3000))
	}
	t.Logf("slow server: 8s timeout -> exit %d in %s; 1s timeout -> exit %d in %s", ok.code, ok.wall.Round(time.Second), bad.code, bad.wall.Round(time.Second))
}

// TestServeHostile serves one hostile server until killed, for a person
// trying the suite by hand: BATCHCONFORM_SERVE_HOSTILE=<name> go test
// -run TestServeHostile ./internal/cli (prints its URL and credentials).
func TestServeHostile(t *testing.T) {
	name := os.Getenv("BATCHCONFORM_SERVE_HOSTILE")
	if name == "" {
		t.Skip("set BATCHCONFORM_SERVE_HOSTILE to a server name to serve it")
	}
	var srv *hostile.Server
	var err error
	if strings.HasPrefix(name, "garbage-") {
		srv, err = hostile.StartGarbage(name)
	} else if strings.HasPrefix(name, "slow-") {
		d, perr := time.ParseDuration(strings.TrimPrefix(name, "slow-"))
		if perr != nil {
			t.Fatal(perr)
		}
		srv, err = hostile.StartSlow(d)
	} else {
		srv, err = hostile.Start(name)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fmt.Printf("hostile %s listening on %s (SecretId %s, SecretKey %s)\n", name, srv.URL, srv.SecretID, srv.SecretKey)
	select {}
}

// unattributed lists a report's items of a dialect that are not covered
// and name no spec.
func unattributed(t *testing.T, path, dialect string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	var rep struct {
		Items []struct {
			ID, Dialect, Verdict string
			Specs                []string
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	var out []string
	for _, it := range rep.Items {
		if it.Dialect == dialect && it.Verdict == "not_covered" && len(it.Specs) == 0 {
			out = append(out, it.ID)
		}
	}
	return out
}

// failedByDialect counts a report's failed items per dialect.
func failedByDialect(t *testing.T, path string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	var rep struct {
		Items []struct{ Dialect, Verdict string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	out := map[string]int{}
	for _, it := range rep.Items {
		if it.Verdict == "fail" {
			out[it.Dialect]++
		}
	}
	return out
}
