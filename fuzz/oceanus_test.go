package fuzz

import (
	"testing"
	"time"

	"github.com/batchconform/batchconform/fixtures/oceanus"
)

// TestOceanusFuzzPasses: a short Oceanus run against the correct emulator
// finds nothing and exercises every kind, the job-lifecycle model included.
func TestOceanusFuzzPasses(t *testing.T) {
	d := NewSuite(oceanus.Catalog())
	res, err := Run(Config{Dialect: d, Duration: 90 * time.Second, Rounds: 3, Seed: 7, Checks: 40, StatefulChecks: 10, Steps: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("finding %s: %s", f.Item, f.Message)
		for i, st := range f.Steps {
			t.Logf("  %d. %s %s %s", i+1, st.Op, st.Args, st.Request)
		}
	}
	for _, k := range d.Kinds() {
		if res.Cases[k] == 0 {
			t.Errorf("no %s cases", k)
		}
	}
	t.Logf("kinds %v: %d cases in %v (%.0f/s), %d ops, %d properties exercised", d.Kinds(), res.Checked, res.CheckTime, float64(res.Checked)/res.CheckTime.Seconds(), res.Ops, len(res.Exercised))
}
