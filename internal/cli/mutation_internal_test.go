package cli

import (
	"strings"
	"testing"
)

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

// The gate starts the longest expected runs first: measured costs win over
// the estimate, a selection of state items is estimated above one of rules,
// an unjudgeable fault costs nothing, and equal costs keep the given order.
func TestScheduleLongestFirst(t *testing.T) {
	stateItem := "tencent-batch/task-instance/transition/STARTING->RUNNING"
	ruleItem := "tencent-batch/SubmitJob/rule/Job.JobName.maxlen"
	runs := []*mutationRun{
		{Fault: "rule-a", Dialect: "tencent-batch", SpecItems: []string{ruleItem}},
		{Fault: "broken", Verdict: mutError},
		{Fault: "state", Dialect: "tencent-batch", SpecItems: []string{stateItem}},
		{Fault: "rule-b", Dialect: "tencent-batch", SpecItems: []string{ruleItem}},
		{Fault: "oceanus-never-fails", Dialect: "oceanus", SpecItems: []string{ruleItem}},
		{Fault: ""}, // the clean run
	}
	var got []string
	for _, r := range schedule(runs, false) {
		got = append(got, r.Fault)
	}
	want := []string{"", "oceanus-never-fails", "state", "rule-a", "rule-b", "broken"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order %q, want %q", got, want)
	}
	if runs[0].ExpectedSeconds <= 0 || runs[1].ExpectedSeconds != 0 {
		t.Errorf("expected costs %v, %v: want a positive estimate and 0 for an unjudgeable fault", runs[0].ExpectedSeconds, runs[1].ExpectedSeconds)
	}
	// --full: the clean run runs every dialect's suite, so it goes first,
	// and a Tencent fault (the longest suite) before an Alibaba one.
	full := []*mutationRun{{Fault: "ali", Dialect: "alibaba-batchcompute"}, {Fault: "tb", Dialect: "tencent-batch"}, {Fault: ""}}
	got = nil
	for _, r := range schedule(full, true) {
		got = append(got, r.Fault)
	}
	if strings.Join(got, ",") != ",tb,ali" {
		t.Errorf("--full order %q, want clean, tb, ali", got)
	}
}
