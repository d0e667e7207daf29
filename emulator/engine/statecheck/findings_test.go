package statecheck

import (
	"testing"

	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
)

// Regression tests of the findings of the Alibaba and Oceanus explorations:
// each replays the finding's event sequence and checks every edge as the
// explorer does (walk), then what the fix guarantees. (The batch engine's
// findings are in emulator/engine/statecheck_findings_test.go.)

// walk applies path after sc's setup on a fresh world of m, checking every
// edge; it fails on any finding and returns the world (closed at the end
// of the test).
func walk(t *testing.T, m *Model, sc Scenario, path []Event) World {
	t.Helper()
	res := &Result{Taken: map[string]int{}}
	var found []string
	find := func(_, what string, p []Event) { found = append(found, what) }
	w, err := m.New(&sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	for _, ev := range sc.Setup {
		if err := w.Apply(ev); err != nil {
			t.Fatalf("setup %s: %v", ev, err)
		}
		checkEdge(m, w, ev, nil, nil, res, find)
	}
	for i, ev := range path {
		pending := w.RetryPending()
		var accept, guarded bool
		var rule string
		if g, ok := w.(Guarded); ok {
			accept, rule, guarded = g.Expect(ev)
		}
		err := w.Apply(ev)
		if guarded && (err == nil) != accept {
			t.Errorf("step %d %s: accepted %v (%v), documented %v: %s", i+1, ev, err == nil, err, accept, rule)
		}
		checkEdge(m, w, ev, pending, path[:i+1], res, find)
	}
	for _, f := range found {
		t.Errorf("finding: %s", f)
	}
	return w
}

func ticks(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = Event{Op: "tick"}
	}
	return out
}

func aliScenario(name string) Scenario {
	for _, sc := range AliScenarios() {
		if sc.Name == name {
			return sc
		}
	}
	panic("no scenario " + name)
}

// A second StopJob while the first is still stopping the job (it shows
// Waiting) was 409 although §A.7 allows StopJob from Waiting.
func TestFindingAliRepeatedStopJob(t *testing.T) {
	m := NewAliModel(alibatch.Catalog(), nil)
	walk(t, m, aliScenario("ali-dag-fail"), []Event{{Op: AliStopJob}, {Op: AliStopJob}})
}

// StartJob of a job with a task that had finished took the job Stopped ->
// Running (the finished instance counted as started); it is Waiting now.
func TestFindingAliRestartIsWaiting(t *testing.T) {
	m := NewAliModel(alibatch.Catalog(), nil)
	path := append(ticks(5), Event{Op: AliStopJob}, Event{Op: "tick"}, Event{Op: AliStartJob}, Event{Op: "tick"})
	w := walk(t, m, aliScenario("ali-retry-finish"), path).(*aliWorld)
	if st := w.jobState[0]; st != "Waiting" {
		t.Errorf("the restarted job is %s, want Waiting", st)
	}
}

// A VM released under an instance that had got it (engine STARTING) made
// the job go Waiting -> Failed: the instance is Running once it has a VM.
func TestFindingAliInstanceWithVMRuns(t *testing.T) {
	m := NewAliModel(alibatch.Catalog(), nil)
	sc := aliScenario("ali-cluster")
	// Tick until the job's instance has its VM (engine STARTING).
	var path []Event
	for n := 0; ; n++ {
		w := walk(t, m, sc, path).(*aliWorld)
		if a := w.e.Abstract(); len(a.Jobs) == 1 && a.Jobs[0].Tasks[0].Instances[0] == "STARTING" {
			if st := w.jobState[0]; st != "Running" {
				t.Fatalf("the job whose instance got its VM is %s, want Running", st)
			}
			break
		}
		if n > 10 {
			t.Fatal("the instance never got its VM")
		}
		path = append(path, Event{Op: "tick"})
	}
	w := walk(t, m, sc, append(path, Event{Op: AliDeleteNode, Env: 0, Node: 0}, Event{Op: "tick"}, Event{Op: "tick"})).(*aliWorld)
	if st := w.jobState[0]; st != "Running" && st != "Failed" {
		t.Errorf("the job whose VM was released is %s, want Running or Failed", st)
	}
}

// A cluster deleted while its VM boots and a job waits for it: the
// instance goes Starting -> Deleting and the job Waiting -> Failed, both
// recorded in the catalog as inferred; the cluster's instances end with it.
func TestFindingAliClusterDeletedUnderWaitingJob(t *testing.T) {
	cat := alibatch.Catalog()
	for _, c := range []struct{ machine, from, to string }{{"cluster-instance", "Starting", "Deleting"}, {"job", "Waiting", "Failed"}} {
		mc, ok := cat.Machine(c.machine)
		if !ok || !mc.HasTransition(c.from, c.to) {
			t.Errorf("the catalog does not record %s %s -> %s", c.machine, c.from, c.to)
		}
	}
	m := NewAliModel(cat, nil)
	walk(t, m, aliScenario("ali-cluster"), append(ticks(2), Event{Op: AliDeleteCluster, Env: 0}, Event{Op: "tick"}, Event{Op: "tick"}, Event{Op: "tick"}))
}

// A CopyJobs copy of a configured job starts 2 (it has the config): the
// catalog records 2 as an initial status.
func TestFindingOceanusCopyStartsUnpublished(t *testing.T) {
	m := NewOceanusModel(oceanus.Catalog(), nil)
	sc := OceanusScenarios()[1]
	w := walk(t, m, sc, []Event{{Op: OceCopy, Job: 0}}).(*oceWorld)
	w.fresh()
	if st := w.status[1]; st != "2" {
		t.Errorf("the copy is %s, want 2", st)
	}
}
