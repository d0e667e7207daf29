package fuzz

import (
	"os"
	"testing"
	"time"

	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// TestTeeth switches on planted faults one at a time and checks the fuzzer
// finds each, under the property item the fault violates, with a shrunk
// case. It takes ~10-30 s, so it runs only with BATCHCONFORM_FUZZ_TEETH=1
// (the figures of the note come from the built binary).
func TestTeeth(t *testing.T) {
	if os.Getenv("BATCHCONFORM_FUZZ_TEETH") == "" {
		t.Skip("set BATCHCONFORM_FUZZ_TEETH=1")
	}
	cases := []struct {
		fault string
		kinds []string
		item  string
	}{
		{"accept-cyclic-dag", []string{OpViolation}, "tencent-batch/SubmitJob/property/one-violation"},
		{"ignore-offset", []string{KindStateful}, "tencent-batch/model/property/pagination"},
		{"wrong-code-env-not-found", []string{KindStateful}, "tencent-batch/model/property/deleted-not-found"},
		{"skip-running", []string{KindStateful}, "tencent-batch/model/property/transitions"},
		{"ignore-client-token", []string{KindStateful}, "tencent-batch/model/property/client-token"},
		{"no-maxlen-jobname", []string{OpViolation}, "tencent-batch/SubmitJob/property/one-violation"},
		{"skip-signature-check", []string{OpSignature}, "tencent-batch/auth/property/signature-faults"},
		{"accept-expired-signature", []string{OpSignature}, "tencent-batch/auth/property/signature-faults"},
		{"errors-as-http-400", []string{OpViolation}, "tencent-batch/api/property/no-server-error"},
		{"numbers-as-strings", []string{KindStateful}, "tencent-batch/api/property/no-server-error"},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			res, err := Run(Config{Catalog: catalog.Catalog(), Factory: Embedded{Faults: []string{c.fault}}, Duration: 30 * time.Second,
				Seed: 1, Out: t.TempDir(), Kinds: c.kinds, StopAtFirst: true, Faults: []string{c.fault}, ShrinkTime: shrinkTime()})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) == 0 {
				t.Fatalf("%s: nothing found in %v", c.fault, res.Elapsed)
			}
			f := res.Findings[0]
			t.Logf("%s: found %s after %.2fs, shrunk in %.2fs to %d step(s): %s", c.fault, f.Item, f.FoundAfter.Seconds(), f.ShrinkSeconds, len(f.Steps), f.Message)
			for i, st := range f.Steps {
				t.Logf("  %d. %s %s %s %s", i+1, st.Op, st.Action, st.Args, st.Request)
			}
			if f.Item != c.item {
				t.Errorf("found %s, want %s", f.Item, c.item)
			}
		})
	}
}

func shrinkTime() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("SHRINK")); err == nil {
		return d
	}
	return 0
}
