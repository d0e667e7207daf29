package cli

import (
	"sort"

	"github.com/batchconform/batchconform/fixtures"
)

// The mutation gate's schedule: the runs start longest expected first, so
// the long ones overlap each other and the many short ones fill the cores at
// the end. In the order of the registry a long run that happened to start
// last held the gate alone for its whole length (oceanus-never-fails started
// at 400 s of a 454 s run).

// mutationCost is the measured wall time (seconds, default mode, fail fast,
// 2 jobs on 2 shared cores) of the runs that take longer than a few seconds:
// `batchconform mutation` prints each run's time and mutation.json keeps it
// (duration_seconds). Only the order matters, so round figures are enough;
// a fault missing here is estimated from what its run selects (estimateCost).
// The key "" is the clean run.
var mutationCost = map[string]float64{
	"":                                  57,
	"oceanus-never-fails":               34,
	"ali-stopped-as-failed":             25,
	"desired-node-count-change-ignored": 20,
	"compute-node-stuck-creating":       19,
	"max-retry-count-ignored":           18,
	"terminate-job-noop":                16,
	"template-limit-off-by-one":         7,
	"task-logs-not-truncated":           7,
	"task-timeout-ignored":              6,
	"jobs-total-count-ignores-filters":  6,
}

// fullCost is the expected length of a --full run of a dialect's whole
// suite, relative (the Tencent suite is the longest).
var fullCost = map[string]float64{
	"tencent-batch":        300,
	"oceanus":              200,
	"alibaba-batchcompute": 150,
}

// kindCost is the estimated cost of a spec selection per item kind: state
// machines wait for resources to move, the rest is a request or two.
var kindCost = map[fixtures.Kind]float64{
	fixtures.KindState:      3,
	fixtures.KindTransition: 3,
	fixtures.KindEvent:      3,
}

// estimateCost is the expected wall time of a run: measured (mutationCost)
// when known, else the sum over its selection (a second to start, plus the
// kinds' costs, plus a second for a fuzz pass).
func estimateCost(r *mutationRun, full bool) float64 {
	if r.Verdict == mutError {
		return 0 // never started
	}
	if full {
		c := 0.0
		if r.Fault == "" {
			for _, v := range fullCost {
				c += v // the clean run: every dialect's suite
			}
			return c
		}
		return fullCost[r.Dialect] + mutationCost[r.Fault]
	}
	if c, ok := mutationCost[r.Fault]; ok {
		return c
	}
	c := 1.0
	for _, id := range r.SpecItems {
		if _, _, kind, _, err := fixtures.SplitID(id); err == nil {
			if k, ok := kindCost[kind]; ok {
				c += k
				continue
			}
		}
		c += 0.5
	}
	if len(r.FuzzRules) > 0 {
		c++
	}
	return c
}

// schedule returns the runs in the order they start: longest expected first;
// equal costs keep the registry's (name) order, so the order is
// deterministic.
func schedule(runs []*mutationRun, full bool) []*mutationRun {
	out := append([]*mutationRun(nil), runs...)
	for _, r := range out {
		r.ExpectedSeconds = estimateCost(r, full)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ExpectedSeconds > out[j].ExpectedSeconds })
	return out
}
