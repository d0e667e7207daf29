package cli

import "testing"

// A fault is killed only by a failure of a check of one of its declared
// items; a failure elsewhere is collateral and does not count.
func TestJudgeCountsOnlyDeclaredItems(t *testing.T) {
	declared := "tencent-batch/SubmitJob/rule/Job.JobName.maxlen"
	other := "tencent-batch/DescribeJobs/rule/Offset.range"
	cases := []struct {
		name       string
		failures   []killer
		verdict    string
		killers    int
		collateral int
	}{
		{"no failure", nil, mutSurvived, 0, 0},
		{"collateral only", []killer{{Spec: "s1", Items: []string{other}}}, mutSurvived, 0, 1},
		{"declared item", []killer{{Spec: "s1", Items: []string{other}}, {Spec: "s2", Items: []string{other, declared}}}, mutKilled, 1, 1},
	}
	for _, c := range cases {
		r := &mutationRun{Fault: "f", Items: []string{declared}}
		judge(r, &childOutcome{Failures: c.failures})
		if r.Verdict != c.verdict || len(r.KilledBy) != c.killers || len(r.Collateral) != c.collateral {
			t.Errorf("%s: verdict %s, %d killers, %d collateral; want %s, %d, %d", c.name, r.Verdict, len(r.KilledBy), len(r.Collateral), c.verdict, c.killers, c.collateral)
		}
		for _, k := range r.KilledBy {
			if len(k.Items) != 1 || k.Items[0] != declared {
				t.Errorf("%s: a kill names %v, want only the declared item", c.name, k.Items)
			}
		}
	}
	// The clean run fails on any failure, of a spec or of the suite.
	for _, out := range []childOutcome{{Failures: []killer{{Spec: "s", Items: []string{other}}}}, {SuiteFailures: []string{"setup failed"}}} {
		r := &mutationRun{}
		judge(r, &out)
		if r.Verdict != "fail" {
			t.Errorf("clean run with %+v: verdict %s, want fail", out, r.Verdict)
		}
	}
}
