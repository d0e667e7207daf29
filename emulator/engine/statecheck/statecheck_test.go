package statecheck

import (
	"os"
	"strconv"
	"testing"

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
