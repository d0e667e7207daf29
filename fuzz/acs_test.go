package fuzz

import (
	"testing"
	"time"

	"github.com/batchconform/batchconform/fixtures/alibatch"
)

// TestACSFuzzPasses: a short ACS run against the correct emulator finds
// nothing and exercises every kind, the stateful model included.
func TestACSFuzzPasses(t *testing.T) {
	res, err := Run(Config{Dialect: NewACS(alibatch.Catalog()), Duration: 90 * time.Second, Rounds: 3, Seed: 7, Checks: 40, StatefulChecks: 10, Steps: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("finding %s: %s", f.Item, f.Message)
		for i, st := range f.Steps {
			t.Logf("  %d. %s %s %s", i+1, st.Op, st.Args, st.Request)
		}
	}
	for _, k := range ACSKinds {
		if res.Cases[k] == 0 {
			t.Errorf("no %s cases", k)
		}
	}
	t.Logf("%d cases in %v (%.0f/s), %d ops, %d properties exercised", res.Checked, res.CheckTime, float64(res.Checked)/res.CheckTime.Seconds(), res.Ops, len(res.Exercised))
}

// TestACSFuzzTeeth: planted Alibaba faults are found by the property their
// items belong to.
func TestACSFuzzTeeth(t *testing.T) {
	for _, c := range []struct{ fault, kind string }{
		{"ali-skip-signature-check", OpSignature},
		{"ali-accept-any-date", OpSignature},
		{"ali-no-range-priority", OpViolation},
		{"ali-no-enum-job-type", OpViolation},
	} {
		res, err := Run(Config{Dialect: NewACS(alibatch.Catalog()), Duration: 20 * time.Second, Seed: 11, Checks: 300,
			Kinds: []string{c.kind}, Faults: []string{c.fault}, ShrinkTime: time.Second, StopAtFirst: true})
		if err != nil {
			t.Fatalf("%s: %v", c.fault, err)
		}
		if len(res.Findings) == 0 {
			t.Errorf("%s: not found by %s in %d cases", c.fault, c.kind, res.Checked)
		}
	}
}
