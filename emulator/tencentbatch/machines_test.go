package tencentbatch

import (
	"slices"
	"testing"

	"github.com/batchconform/batchconform/emulator/engine"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// TestCatalogMachinesMatchEngine: the catalog's job, task and task-instance
// transitions are exactly the moves the engine can make (engine.AggregateMoves
// — a job never takes FAILED_INTERRUPTED -> PENDING, RetryJobs accepting only
// FAILED jobs — and engine.InstanceMoves), so a conformance spec that asks
// for each catalog transition can see every one, and nothing else.
func TestCatalogMachinesMatchEngine(t *testing.T) {
	cat := catalog.Catalog()
	moves := func(m map[string][]string, skip string) []string {
		var out []string
		for from, tos := range m {
			for _, to := range tos {
				if tr := from + "->" + to; tr != skip {
					out = append(out, tr)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		machine string
		want    []string
	}{
		{"job", moves(engine.AggregateMoves, engine.StateFailedInterrupted+"->"+engine.StatePending)},
		{"task", moves(engine.AggregateMoves, "")},
		{"task-instance", moves(engine.InstanceMoves, "")},
	} {
		m, ok := cat.Machine(tc.machine)
		if !ok {
			t.Fatalf("catalog machine %s missing", tc.machine)
		}
		var got []string
		for _, tr := range m.Transitions {
			got = append(got, tr.From+"->"+tr.To)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: catalog transitions\n%v\nengine moves\n%v", tc.machine, got, tc.want)
		}
	}
}
