package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type opt func(*Config)

func withFaults(names ...string) opt {
	return func(c *Config) {
		fs, err := faults.NewSet(names...)
		if err != nil {
			panic(err)
		}
		c.Faults = fs
	}
}
func withTenants(ts ...tenants.Tenant) opt {
	return func(c *Config) { c.Tenants = tenants.NewRegistry(ts...) }
}

// manualEngine returns a manual-clock engine (simulated unless local is asked for).
func manualEngine(t *testing.T, opts ...opt) *Engine {
	t.Helper()
	cfg := Config{Clock: NewManualClock(t0), Executor: ExecutorSimulated, Seed: 42}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func realEngine(t *testing.T, opts ...opt) *Engine {
	t.Helper()
	cfg := Config{}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func tsk(name, cmd string) TaskSpec { return TaskSpec{Name: name, Command: cmd, InstanceNum: 1} }

func mustSubmit(t *testing.T, e *Engine, spec JobSpec) string {
	t.Helper()
	if spec.Tenant == "" {
		spec.Tenant = "T"
	}
	id, err := e.SubmitJob(spec)
	if err != nil {
		t.Fatalf("SubmitJob: %v", err)
	}
	return id
}

func mustJob(t *testing.T, e *Engine, id string) Job {
	t.Helper()
	j, err := e.Job("", id)
	if err != nil {
		t.Fatalf("Job %s: %v", id, err)
	}
	return j
}

// advanceUntil advances a manual engine in steps until cond holds (max steps).
func advanceUntil(t *testing.T, e *Engine, step time.Duration, max int, cond func() bool) {
	t.Helper()
	for i := 0; i < max; i++ {
		if cond() {
			return
		}
		if err := e.Advance(step); err != nil {
			t.Fatal(err)
		}
	}
	if !cond() {
		t.Fatalf("condition not reached after %d steps of %v", max, step)
	}
}

// waitFor polls (real time) until cond holds.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func jobState(e *Engine, id string) string {
	j, err := e.Job("", id)
	if err != nil {
		return "ERR:" + err.Error()
	}
	return j.State
}

func terminalJob(e *Engine, id string) func() bool {
	return func() bool {
		s := jobState(e, id)
		return s == StateSucceed || s == StateFailed || s == StateFailedInterrupted
	}
}

func errKind(err error) ErrKind {
	var ee *Error
	if errors.As(err, &ee) {
		return ee.Kind
	}
	return 0
}

// history returns the ordered To-states of one entity from Changes.
func history(e *Engine, kind, id, task string, index int) []string {
	var out []string
	for _, c := range e.Changes(0) {
		if c.Kind != kind || c.ID != id || c.Task != task {
			continue
		}
		if index >= 0 && (c.Index == nil || *c.Index != index) {
			continue
		}
		out = append(out, c.To)
	}
	return out
}

func seq(states ...string) string { return strings.Join(states, ">") }

var okPath = seq(StateSubmitted, StatePending, StateRunnable, StateStarting, StateRunning, StateSucceed)
