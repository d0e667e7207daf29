package statecheck

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/emulator/engine"

	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// scale reads BATCHCONFORM_STATECHECK_SCALE (`make statecheck` explores
// deeper than `make test`).
func scale(t *testing.T) float64 {
	s := os.Getenv("BATCHCONFORM_STATECHECK_SCALE")
	if s == "" {
		return 1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		t.Fatalf("BATCHCONFORM_STATECHECK_SCALE=%q: want a positive number", s)
	}
	return f
}

// TestExhaustiveTencentBatch explores every scenario of the batch engine
// against the Tencent Batch catalog: no undocumented transition, no
// violated invariant, and every documented transition reached.
func TestExhaustiveTencentBatch(t *testing.T) {
	m := NewBatchModel("tencent-batch", tencentbatch.Catalog(), BatchScenarios())
	res, err := Explore(m, Options{Scale: scale(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Report())
	for _, f := range res.Findings {
		t.Errorf("finding: %s", f)
	}
	for _, u := range res.Unreached {
		t.Errorf("documented transition never taken: %s", u)
	}
}

// TestExhaustiveHasTeeth: with a planted fault that skips RUNNING, the same
// exploration reports the undocumented transitions it causes (the check is
// not vacuous).
func TestExhaustiveHasTeeth(t *testing.T) {
	sc := Scenario{Name: "skip-running", Setup: submitAll(1), Depth: 8, Data: &Batch{Ops: jobOps, Faults: []string{"skip-running"},
		Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{task("A", "exit 1", failed(engine.FailedInterrupt))}}}}}
	res, err := Explore(NewBatchModel("tencent-batch", tencentbatch.Catalog(), []Scenario{sc}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "task-instance job0/A#0 took STARTING->FAILED_INTERRUPTED"
	for _, f := range res.Findings {
		if strings.Contains(f.What, want) {
			t.Logf("found as expected: %s", f)
			return
		}
	}
	t.Errorf("skip-running: no finding %q; findings:\n%s", want, res.Report())
}

func TestAggregateReading(t *testing.T) {
	tests := []struct {
		children []string
		want     string
	}{
		{[]string{"SUBMITTED", "SUBMITTED"}, "SUBMITTED"},
		{[]string{"SUBMITTED", "PENDING"}, "PENDING"},
		{[]string{"SUCCEED", "PENDING"}, "PENDING"},
		{[]string{"PENDING", "RUNNABLE", "SUCCEED"}, "RUNNABLE"},
		{[]string{"RUNNABLE", "STARTING"}, "STARTING"},
		{[]string{"STARTING", "RUNNING", "FAILED"}, "RUNNING"},
		{[]string{"SUCCEED", "SUCCEED"}, "SUCCEED"},
		{[]string{"SUCCEED", "FAILED"}, "FAILED"},
		{[]string{"FAILED_INTERRUPTED", "FAILED"}, "FAILED"},
		{[]string{"FAILED_INTERRUPTED", "SUCCEED"}, "FAILED_INTERRUPTED"},
		{[]string{"FAILED_INTERRUPTED", "PENDING"}, "PENDING"},
	}
	for _, tc := range tests {
		if got := Aggregate(tc.children); got != tc.want {
			t.Errorf("Aggregate(%v) = %s, want %s", tc.children, got, tc.want)
		}
	}
}

func TestDisagreement(t *testing.T) {
	m, _ := tencentbatch.Catalog().Machine("job")
	tests := []struct {
		shown, target string
		queued, bad   bool
	}{
		{"RUNNING", "RUNNING", false, false},
		{"SUCCEED", "RUNNING", true, true},              // terminal while something runs
		{"FAILED", "SUCCEED", true, true},               // terminal and wrong
		{"RUNNING", "SUCCEED", true, false},             // on its way
		{"RUNNING", "SUCCEED", false, true},             // stuck although a path exists
		{"RUNNING", "PENDING", false, false},            // no documented path back to PENDING
		{"STARTING", "FAILED_INTERRUPTED", false, true}, // via RUNNING
	}
	for _, tc := range tests {
		if got := disagreement(m, tc.shown, tc.target, tc.queued) != ""; got != tc.bad {
			t.Errorf("disagreement(%s, %s, queued %v) = %v, want %v", tc.shown, tc.target, tc.queued, got, tc.bad)
		}
	}
}
