package fuzz

import (
	"encoding/json"
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

// TestOceanusDeleteRefusalsAgree: the model and the emulator agree on
// DeleteJobs of a job that an operation holds in 3 and of a running job (4),
// on the correct emulator (no finding) — a disagreement is a false finding
// of every fuzz run that deletes right after a start.
func TestOceanusDeleteRefusalsAgree(t *testing.T) {
	d := NewSuite(oceanus.Catalog())
	step := func(op, args string) Step { return Step{Op: op, Args: json.RawMessage(args)} }
	cases := []struct {
		name  string
		steps []Step
		code  string // what the emulator answers the last DeleteJobs
	}{
		{"in progress (3)", []Step{step("create-job", `{"name":"a"}`), step("create-config", `{}`), step("run", `{"type":1}`), step("delete", `{}`)}, "ResourceInUse"},
		{"running (4)", []Step{step("create-job", `{"name":"a"}`), step("create-config", `{}`), step("run", `{"type":1}`), step("advance", `{"ms":3000}`), step("delete", `{}`)},
			"ResourceUnavailable.NotAllowedToBeDeleted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rf := &ReplayFile{Format: ReplayFormat, Dialect: d.Key(), Kind: "stateful", Steps: c.steps}
			pe, err := d.Replay(rf, Embedded{Dialect: d.Key()})
			if err != nil {
				t.Fatal(err)
			}
			if pe != nil {
				t.Fatalf("the correct emulator fails %s: %s", pe.Item, pe.Msg)
			}
			// The sequence reached the status it names: the emulator's
			// answer is the code the case names, which the model accepts.
			fac := Embedded{Dialect: d.Key()}
			tg, err := fac.New()
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			m := newOceanusModel(d, tg)
			for _, st := range c.steps[:len(c.steps)-1] {
				if pe := m.apply(st); pe != nil {
					t.Fatalf("%s: %s", st.Op, pe.Msg)
				}
			}
			env, pe := m.send("DeleteJobs", map[string]any{"JobIds": []any{m.jobs[0].id}})
			if pe != nil {
				t.Fatal(pe.Msg)
			}
			if env.Code() != c.code {
				t.Errorf("DeleteJobs of a job in %s: %q, want %q", c.name, env.Code(), c.code)
			}
		})
	}
}
