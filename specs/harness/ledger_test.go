package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// drainFake is a Sweeper whose deletes take a while, record their order
// and concurrency, and can fail or hang.
type drainFake struct {
	mu            sync.Mutex
	inFlight, max int
	jobsEnded     int       // job deletes that ended
	jobsAtEnv     []int     // jobsEnded when each env delete began
	hold          chan bool // closed when the test ends: releases "hang" deletes
}

const drainDialect = "drain-test"

func (f *drainFake) List(*Target, string) ([]Leftover, error) { return nil, nil }

func (f *drainFake) Rank(typ string) int {
	return map[string]int{"job": 0, "env": 1}[typ]
}

func (f *drainFake) Delete(ctx context.Context, _ *Target, l Leftover) error {
	f.mu.Lock()
	f.inFlight++
	f.max = max(f.max, f.inFlight)
	if l.Type == "env" {
		f.jobsAtEnv = append(f.jobsAtEnv, f.jobsEnded)
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		if l.Type == "job" {
			f.jobsEnded++
		}
		f.mu.Unlock()
	}()
	switch {
	case strings.HasPrefix(l.ID, "fail"):
		return errors.New("refused")
	case strings.HasPrefix(l.ID, "pinned"):
		return fmt.Errorf("a connector: %w", ErrCannotDelete)
	case strings.HasPrefix(l.ID, "stuck"):
		// Waits on the endpoint until the drain gives up.
		<-ctx.Done()
		return ctx.Err()
	case strings.HasPrefix(l.ID, "hang"):
		// A request that ignores the drain (a hanging connection).
		<-f.hold
		return nil
	}
	if !Pause(ctx, 30*time.Millisecond) {
		return ctx.Err()
	}
	return nil
}

func drainSetup(t *testing.T, ids ...string) (*drainFake, *Target) {
	t.Helper()
	f := &drainFake{hold: make(chan bool)}
	t.Cleanup(func() { close(f.hold) })
	RegisterSweeper(drainDialect, f)
	t.Cleanup(func() {
		sweepMu.Lock()
		delete(sweepers, drainDialect)
		sweepMu.Unlock()
	})
	resetLedger()
	resetBreakers()
	t.Cleanup(resetLedger)
	var created []Leftover
	for _, id := range ids {
		typ, _, _ := strings.Cut(id, "-")
		if typ != "env" {
			typ = "job"
		}
		created = append(created, Leftover{Type: typ, ID: id, Name: "bctest01-" + id})
	}
	ledger.record(drainDialect, "", created, nil)
	return f, &Target{Dialect: drainDialect, URL: "http://127.0.0.1:1", RunPrefix: "bctest01"}
}

// TestDrainDeletesInParallelJobsBeforeEnvs: the ledger's cleanup deletes
// up to its parallelism at once, every job before any environment; a
// delete refused for good is reported and does not stop the others.
func TestDrainDeletesInParallelJobsBeforeEnvs(t *testing.T) {
	var ids []string
	for i := 0; i < 24; i++ {
		ids = append(ids, fmt.Sprintf("job-%02d", i))
		if i%8 == 0 {
			ids = append(ids, fmt.Sprintf("env-%d", i/8))
		}
	}
	ids = append(ids, "fail-1", "pinned-1")
	f, tg := drainSetup(t, ids...)
	var out lockedBuffer
	drainTargets(&out, []*Target{tg}, drainOptions{parallel: 8, budget: 10 * time.Minute, noProgress: time.Minute})

	left := Alive(drainDialect)
	if len(left) != 2 {
		t.Errorf("left after the drain: %v; want fail-1 and pinned-1 (their deletes were refused)", left)
	}
	if !strings.Contains(out.String(), "fail-1 (bctest01-fail-1) NOT deleted") {
		t.Errorf("the refused delete is not reported:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "pinned-1 (bctest01-pinned-1) left for good: a connector") {
		t.Errorf("the resource no action deletes is not reported as left for good:\n%s", out.String())
	}
	if strings.Contains(out.String(), "resources left:") {
		t.Errorf("a drain that finished reports resources left:\n%s", out.String())
	}
	if n := strings.Count(out.String(), "cleanup: deleted"); n != len(ids)-2 {
		t.Errorf("%d deletes reported, want %d:\n%s", n, len(ids)-2, out.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.max > 8 || f.max < 2 {
		t.Errorf("at most %d deletes in flight at once, want 2..8", f.max)
	}
	jobs := 26 // 24 jobs, fail-1 and pinned-1
	for i, n := range f.jobsAtEnv {
		if n != jobs {
			t.Errorf("env delete %d began after %d of %d job deletes ended", i, n, jobs)
		}
	}
	if len(f.jobsAtEnv) != 3 {
		t.Errorf("%d env deletes, want 3", len(f.jobsAtEnv))
	}
}

// TestDrainGivesUpWithoutProgress: deletes that never end (waiting on the
// endpoint, or a request that hangs) make the drain give up once nothing
// ended for the no-progress window, long before its budget; what is left
// is reported with the sweep that removes it.
func TestDrainGivesUpWithoutProgress(t *testing.T) {
	_, tg := drainSetup(t, "job-ok", "stuck-1", "stuck-2", "hang-1", "env-1")
	var out lockedBuffer
	done := make(chan struct{})
	go func() {
		drainTargets(&out, []*Target{tg}, drainOptions{parallel: 8, budget: 10 * time.Minute, noProgress: 300 * time.Millisecond})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the drain waited for its 10-minute budget instead of giving up without progress:\n%s", out.String())
	}
	got := out.String()
	if !strings.Contains(got, "cleanup: deleted drain-test job job-ok") {
		t.Errorf("the delete that could end is not reported:\n%s", got)
	}
	want := "4 drain-test resources left: no delete ended for"
	if !strings.Contains(got, want) || !strings.Contains(got, "batchconform sweep --prefix bctest01") {
		t.Errorf("want %q with the sweep command in:\n%s", want, got)
	}
	if !strings.Contains(got, "stuck-1 (bctest01-stuck-1): context canceled") {
		t.Errorf("a given-up delete is not named with its last answer:\n%s", got)
	}
	if n := len(Alive(drainDialect)); n != 4 {
		t.Errorf("%d resources left in the ledger, want 4 (3 jobs that never ended, the env never attempted)", n)
	}
}

// lockedBuffer is a Writer the drain's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSweepDeletesInParallel: `batchconform sweep` deletes what a sweeper
// listed with the cleanup's machinery: several at once, every job before
// any environment, each said ("deleted X" / "NOT deleted X: why"), the
// refused ones returned as errors.
func TestSweepDeletesInParallel(t *testing.T) {
	f, tg := drainSetup(t) // nothing in the ledger: a sweep's resources are listed
	var left []Leftover
	for i := 0; i < 16; i++ {
		left = append(left, Leftover{Type: "job", ID: fmt.Sprintf("job-%02d", i), Name: "bcold01-j"})
	}
	left = append(left, Leftover{Type: "env", ID: "env-1", Name: "bcold01-e"}, Leftover{Type: "job", ID: "fail-1", Name: "bcold01-f"})
	// Environments listed first: the ranks, not the listing, order them.
	left = append([]Leftover{{Type: "env", ID: "env-0", Name: "bcold01-e"}}, left...)
	var out lockedBuffer
	start := time.Now()
	res := Sweep(&out, tg, f, left)
	took := time.Since(start)
	if res.Deleted != len(left)-1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "refused") {
		t.Errorf("deleted %d, errors %v; want %d and the refused one", res.Deleted, res.Errors, len(left)-1)
	}
	if n := strings.Count(out.String(), "\ndeleted ") + btoi(strings.HasPrefix(out.String(), "deleted ")); n != len(left)-1 {
		t.Errorf("%d lines say deleted, want %d:\n%s", n, len(left)-1, out.String())
	}
	if !strings.Contains(out.String(), "NOT deleted drain-test job fail-1 (bcold01-f): refused") {
		t.Errorf("the refused delete is not said:\n%s", out.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.max < 2 || f.max > SweepParallel {
		t.Errorf("at most %d deletes in flight, want 2..%d", f.max, SweepParallel)
	}
	for i, n := range f.jobsAtEnv {
		if n != 17 {
			t.Errorf("env delete %d began after %d of 17 job deletes ended", i, n)
		}
	}
	// 17 jobs of 30 ms each, one at a time, would take 510 ms.
	t.Logf("swept %d resources in %s (at most %d at once)", len(left), took.Round(time.Millisecond), f.max)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
