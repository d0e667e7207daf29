package fuzz

import (
	"testing"
	"time"

	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
)

// plantedCase: a planted emulator fault the fuzzer of a dialect must find
// under the item the fault violates, shrink, and write as a replay file
// that fails with the fault and passes without it.
type plantedCase struct {
	fault string
	kind  string
	item  string
	steps int // the shrunk case has at most this many steps
}

func checkPlanted(t *testing.T, d Dialect, cases []plantedCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			dir := t.TempDir()
			start := time.Now()
			res, err := Run(Config{Dialect: d, Duration: 20 * time.Second, Seed: 3, Out: dir, Kinds: []string{c.kind}, StopAtFirst: true,
				Faults: []string{c.fault}, Factory: Embedded{Faults: []string{c.fault}, Dialect: d.Key()}, ShrinkTime: 4 * time.Second,
				Checks: 100, StatefulChecks: 20, Steps: 20})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) == 0 {
				t.Fatalf("%s: not found in %v", c.fault, time.Since(start))
			}
			f := res.Findings[0]
			t.Logf("found %s after %.2fs, shrunk in %.2fs to %d step(s): %s", f.Item, f.FoundAfter.Seconds(), f.ShrinkSeconds, len(f.Steps), f.Message)
			for i, st := range f.Steps {
				t.Logf("  %d. %s %s %s", i+1, st.Op, st.Args, st.Request)
			}
			if f.Item != c.item {
				t.Errorf("found %s, want %s", f.Item, c.item)
			}
			if len(f.Steps) > c.steps {
				t.Errorf("the shrunk case has %d steps, want at most %d", len(f.Steps), c.steps)
			}
			if f.File == "" {
				t.Fatal("no replay file written")
			}
			rf, err := LoadReplay(f.File)
			if err != nil {
				t.Fatal(err)
			}
			if rf.Dialect != d.Key() {
				t.Errorf("replay file dialect %q, want %q", rf.Dialect, d.Key())
			}
			pe, err := d.Replay(rf, Embedded{Faults: []string{c.fault}, Dialect: d.Key()})
			if err != nil {
				t.Fatal(err)
			}
			if pe == nil || pe.Item != c.item {
				t.Errorf("replay with %s: %v, want a failure of %s", c.fault, pe, c.item)
			}
			pe, err = d.Replay(rf, Embedded{Dialect: d.Key()})
			if err != nil {
				t.Fatal(err)
			}
			if pe != nil {
				t.Errorf("replay without the fault still fails: %v", pe)
			}
		})
	}
}

// The Oceanus fuzzer finds planted faults of the job lifecycle (stateful
// model), shrinks them, and the replay files reproduce them. One test per
// fault keeps each under 30 s with -race on a loaded machine.

func TestOceanusFindsRunOfRunningJob(t *testing.T) {
	checkPlanted(t, NewSuite(oceanus.Catalog()), []plantedCase{
		{"oceanus-run-running-job", KindStateful, "oceanus/model/property/stateful", 5}})
}

func TestOceanusFindsStopThatPauses(t *testing.T) {
	checkPlanted(t, NewSuite(oceanus.Catalog()), []plantedCase{
		{"oceanus-stop-pauses", KindStateful, "oceanus/model/property/transitions", 6}})
}

func TestOceanusFindsPageTotalCount(t *testing.T) {
	checkPlanted(t, NewSuite(oceanus.Catalog()), []plantedCase{
		{"oceanus-total-count-of-page", KindStateful, "oceanus/model/property/total-count", 3}})
}

// The same for Alibaba BatchCompute's model (its stateless properties'
// faults: TestACSFuzzTeeth).

func TestAlibabaFindsIgnoredIdempotentToken(t *testing.T) {
	checkPlanted(t, NewACS(alibatch.Catalog()), []plantedCase{
		{"ali-ignore-idempotent-token", KindStateful, "alibaba-batchcompute/model/property/idempotent-token", 3}})
}

func TestAlibabaFindsStopOfFinishedJob(t *testing.T) {
	checkPlanted(t, NewACS(alibatch.Catalog()), []plantedCase{
		{"ali-stop-finished-job", KindStateful, "alibaba-batchcompute/model/property/state-conflict", 3}})
}
