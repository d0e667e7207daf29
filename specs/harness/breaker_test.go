package harness

import (
	"strings"
	"testing"
	"time"
)

// obs is one observation of a breaker test: at (seconds after the start)
// the resource key of kind was seen in state.
type obs struct {
	at               float64
	kind, key, state string
}

// TestBreakerStuckKind: a kind of resource that sits in a state it must
// leave on its own trips the states-move precondition on its own, whatever
// other kinds do; a state that waits for a command, capacity or a client, a
// kind that was seen leaving the state once, a resource nobody observes any
// more, and a window not yet run out never trip it.
func TestBreakerStuckKind(t *testing.T) {
	const stall = 20 * time.Second
	cases := []struct {
		name    string
		dialect string
		seen    []obs
		at      float64 // when the breaker is asked
		want    string  // substring of the trip message ("" = no trip)
	}{
		{"nodes stuck creating while jobs move", "tencent-batch", []obs{
			{0, "job", "job-1", "SUBMITTED"}, {1, "job", "job-1", "PENDING"}, {2, "job", "job-1", "RUNNING"},
			{0, "compute-node", "env-1/n-1", "CREATING"}, {21, "compute-node", "env-1/n-1", "CREATING"},
		}, 21, "1 compute-node resource(s) stay CREATING"},
		{"instances stuck starting", "tencent-batch", []obs{
			{0, "task-instance", "job-1/A#0", "STARTING"}, {0, "task-instance", "job-1/A#1", "STARTING"},
			{25, "task-instance", "job-1/A#0", "STARTING"}, {25, "task-instance", "job-1/A#1", "STARTING"},
		}, 25, "2 task-instance resource(s) stay STARTING"},
		{"oceanus job stuck in an operation", "oceanus", []obs{
			{0, "job", "job cql-1", "3"}, {30, "job", "job cql-1", "3"},
		}, 30, "job resource(s) stay 3"},
		{"a long command keeps a job RUNNING", "tencent-batch", []obs{
			{0, "job", "job-1", "RUNNING"}, {60, "job", "job-1", "RUNNING"},
		}, 60, ""},
		{"a node waits for a client in RUNNING", "tencent-batch", []obs{
			{0, "compute-node", "env-1/n-1", "CREATING"}, {2, "compute-node", "env-1/n-1", "RUNNING"}, {300, "compute-node", "env-1/n-1", "RUNNING"},
		}, 300, ""},
		{"the kind left the state once", "tencent-batch", []obs{
			{0, "compute-node", "env-1/n-1", "CREATING"}, {3, "compute-node", "env-1/n-1", "CREATED"},
			{4, "compute-node", "env-2/n-2", "CREATING"}, {40, "compute-node", "env-2/n-2", "CREATING"},
		}, 40, ""},
		{"a resource no longer observed", "tencent-batch", []obs{
			{0, "compute-node", "env-1/n-1", "CREATING"}, {2, "compute-node", "env-1/n-1", "CREATING"},
		}, 30, ""},
		{"the window has not run out", "tencent-batch", []obs{
			{0, "compute-node", "env-1/n-1", "CREATING"}, {19, "compute-node", "env-1/n-1", "CREATING"},
		}, 19, ""},
		{"a kind with no settling states", "tencent-batch", []obs{
			{0, "", "res-1", "SUBMITTED"}, {30, "", "res-1", "SUBMITTED"},
		}, 30, ""},
		{"a dialect whose jobs wait for clusters", "alibaba-batchcompute", []obs{
			{0, "job", "job j-1", "Waiting"}, {30, "job", "job j-1", "Waiting"},
		}, 30, ""},
	}
	t0 := time.Unix(1_800_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBreaker(c.dialect, func(string) bool { return true })
			b.stall = stall
			for _, o := range c.seen {
				b.trackKind(o.kind, o.key, o.state, at(o.at))
			}
			got := b.stuckKind(at(c.at))
			switch {
			case c.want == "" && got != "":
				t.Errorf("tripped: %s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("message %q, want it to contain %q", got, c.want)
			case c.want != "" && !strings.Contains(got, PreStates):
				t.Errorf("message %q does not name the precondition", got)
			}
		})
	}
}

// TestBreakerStalledTripsPerKind: through the Target's view, a stuck kind
// trips states-move (and so fails the state items) although another kind
// moved, which alone keeps the whole-target rule quiet; the trip is kept.
func TestBreakerStalledTripsPerKind(t *testing.T) {
	b := newBreaker("tencent-batch", func(string) bool { return true })
	b.stall = 50 * time.Millisecond
	b.observeKindState("job", "job-1", "SUBMITTED")
	b.observeKindState("job", "job-1", "PENDING") // the target moves
	b.observeKindState("compute-node", "env-1/n-1", "CREATING")
	if m := b.stalled(); m != "" {
		t.Fatalf("tripped before the window ran out: %s", m)
	}
	time.Sleep(60 * time.Millisecond)
	b.observeKindState("compute-node", "env-1/n-1", "CREATING")
	m := b.stalled()
	if !strings.Contains(m, "compute-node") || !strings.Contains(m, "CREATING") {
		t.Fatalf("stalled() = %q, want the stuck compute nodes", m)
	}
	b.observeKindState("compute-node", "env-1/n-1", "CREATED")
	if again := b.stalled(); again != m {
		t.Errorf("the trip was not kept: %q", again)
	}
	if got := b.blocking("transition"); len(got) != 1 {
		t.Errorf("transition items blocked by %v, want the one trip", got)
	}
	if got := b.blocking("rule"); len(got) != 0 {
		t.Errorf("rule items blocked by %v, want none", got)
	}
}

// TestBreakerWholeTargetRule: the rule for a target none of whose resources
// ever moves still holds beside the per-kind one (a job first seen RUNNING
// is no settling state, yet nothing moving at all trips), and one move
// anywhere keeps it quiet.
func TestBreakerWholeTargetRule(t *testing.T) {
	for _, moves := range []bool{false, true} {
		b := newBreaker("tencent-batch", func(string) bool { return true })
		b.stall = 30 * time.Millisecond
		b.observeKindState("job", "job-1", "RUNNING")
		if moves {
			b.observeKindState("job", "job-2", "RUNNING")
			b.observeKindState("job", "job-2", "SUCCEED")
		}
		time.Sleep(40 * time.Millisecond)
		b.observeKindState("job", "job-1", "RUNNING")
		m := b.stalled()
		if moves && m != "" {
			t.Errorf("a moving target tripped: %s", m)
		}
		if !moves && !strings.Contains(m, "none left the state it was first seen in") {
			t.Errorf("a target where nothing moves: stalled() = %q", m)
		}
	}
}

// TestBreakerWholeTargetRuleNeedsASecondLook: resources seen once, in their
// first state, and never looked at again prove nothing — a drop-proxy soak
// run tripped on 26 jobs each seen SUBMITTED once (they finished a second
// later) while no spec happened to poll for 40 s. One of them seen again,
// unchanged, a stall window later does trip.
func TestBreakerWholeTargetRuleNeedsASecondLook(t *testing.T) {
	b := newBreaker("tencent-batch", func(string) bool { return true })
	b.stall = 30 * time.Millisecond
	for _, k := range []string{"job-1:JobState", "job-2:JobState", "job-3:JobState"} {
		b.observeKindState("job", k, "SUBMITTED")
	}
	time.Sleep(40 * time.Millisecond)
	b.observeKindState("job", "job-4:JobState", "SUBMITTED") // new: first look
	if m := b.stalled(); m != "" {
		t.Fatalf("resources never seen again tripped: %s", m)
	}
	b.observeKindState("job", "job-2:JobState", "SUBMITTED")
	m := b.stalled()
	if !strings.Contains(m, "precondition states-move violated") || !strings.Contains(m, "job-2:JobState") || strings.Contains(m, "job-1") {
		t.Errorf("stalled() = %q, want the one resource seen again unchanged", m)
	}
}

func TestKindOfKey(t *testing.T) {
	for key, want := range map[string]string{
		"job cql-12345678":             "job",
		"cluster-instance i-1":         "cluster-instance",
		"job-abc:JobState":             "job",
		"ins-1:TaskInstanceState":      "task-instance",
		"env-1/ins-2:ComputeNodeState": "compute-node",
		"cls-1:State":                  "",
		"job-abc":                      "",
	} {
		if got := KindOfKey(key); got != want {
			t.Errorf("KindOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestBreakerCorroboratedWindow: once one dialect served at a host tripped
// states-move, another dialect at the same host trips on a quarter of the
// window, on its own resources seen not moving; at another host, with
// nothing seen, with its resources moving, or on the run's own emulator, it
// does not.
func TestBreakerCorroboratedWindow(t *testing.T) {
	const stall = 200 * time.Millisecond
	cases := []struct {
		name      string
		otherHost string // where the tripped dialect is served
		observe   bool   // this dialect's job is seen SUBMITTED twice
		moves     bool   // … and then PENDING
		own       bool   // the run's own emulator (--fault breaks one dialect on purpose)
		want      string // substring of the trip ("" = no trip)
	}{
		{"same host", "127.0.0.1:9000", true, false, false, "oceanus, served at the same host, was recognised stuck first"},
		{"another host", "127.0.0.1:9001", true, false, false, ""},
		{"nothing seen", "127.0.0.1:9000", false, false, false, ""},
		{"its resources move", "127.0.0.1:9000", true, true, false, ""},
		{"the run's own emulator", "127.0.0.1:9000", true, false, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resetBreakers()
			t.Cleanup(resetBreakers)
			other := breakerFor("oceanus")
			other.host = c.otherHost
			other.trip(PreStates, "precondition states-move violated: 1 job resource(s) stay 3")
			b := breakerFor("tencent-batch")
			b.stall, b.host, b.ownFaults = stall, "127.0.0.1:9000", c.own
			if c.observe {
				b.observeKindState("job", "job-1:JobState", "SUBMITTED")
			}
			time.Sleep(stall/4 + 10*time.Millisecond)
			if c.observe {
				b.observeKindState("job", "job-1:JobState", "SUBMITTED")
			}
			if c.moves {
				b.observeKindState("job", "job-1:JobState", "PENDING")
			}
			m := b.stalled()
			switch {
			case c.want == "" && m != "":
				t.Errorf("tripped: %s", m)
			case c.want != "" && !strings.Contains(m, c.want):
				t.Errorf("stalled() = %q, want it to contain %q", m, c.want)
			}
		})
	}
	// Uncorroborated, the same observations wait out the whole window.
	resetBreakers()
	b := breakerFor("tencent-batch")
	b.stall, b.host = stall, "127.0.0.1:9000"
	b.observeKindState("job", "job-1:JobState", "SUBMITTED")
	time.Sleep(stall/4 + 10*time.Millisecond)
	b.observeKindState("job", "job-1:JobState", "SUBMITTED")
	if m := b.stalled(); m != "" {
		t.Errorf("tripped on a quarter of the window with no other dialect stuck: %s", m)
	}
	resetBreakers()
}
