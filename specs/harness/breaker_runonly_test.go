package harness

import (
	"fmt"
	"testing"
	"time"

	alicat "github.com/batchconform/batchconform/fixtures/alibatch"
	tccat "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// TestStatesMoveCountsOnlyTheRunsResources: the soak's false trip (157
// failures in a latency run against a long-lived emulator). Earlier runs
// left FAILED jobs that every DescribeJobs lists; FAILED is left only by
// RetryJobs, so they never move, and counting them tripped states-move
// although the run's own jobs moved. Only the run's resources count; the
// breaker still trips on the run's own resources that never move.
func TestStatesMoveCountsOnlyTheRunsResources(t *testing.T) {
	RegisterCatalog(tccat.Catalog())
	resetBreakers()
	resetLedger()
	t.Cleanup(func() { resetBreakers(); resetLedger() })
	const stall = 50 * time.Millisecond
	tg := &Target{Dialect: "tencent-batch", RunPrefix: "bcself01", StallTimeout: stall}

	// Jobs of earlier runs, in states they may keep for good.
	var others []any
	for i := 0; i < 100; i++ {
		others = append(others, map[string]any{"JobId": fmt.Sprintf("job-old%05d", i), "JobName": fmt.Sprintf("bcold001-j%d", i), "JobState": []string{"FAILED", "FAILED_INTERRUPTED", "RUNNING"}[i%3]})
	}
	for i := 0; i < 3; i++ {
		tg.observeResponse(map[string]any{"JobSet": others, "TotalCount": float64(len(others))})
		time.Sleep(stall)
	}
	if err := tg.Stalled(); err != nil {
		t.Fatalf("states-move tripped on resources the run did not create: %v", err)
	}

	// The run's own job (the ledger holds it) and a task inside a job
	// named with the run prefix: both count, so never moving trips.
	ledger.record("tencent-batch", "", []Leftover{{Type: "job", ID: "job-self0001", Name: "bcself01-a"}}, nil)
	own := []any{
		map[string]any{"JobId": "job-self0001", "JobName": "x", "JobState": "SUBMITTED"},
		map[string]any{"JobId": "job-self0002", "JobName": "bcself01-b", "JobState": "FAILED",
			"TaskSet": []any{map[string]any{"TaskName": "A", "TaskInstanceId": "ti-1", "TaskState": "RUNNING"}}},
	}
	for i := 0; i < 3; i++ {
		tg.observeResponse(map[string]any{"JobSet": append(own, others...)})
		time.Sleep(stall)
	}
	if err := tg.Stalled(); err == nil {
		t.Fatal("states-move did not trip although the run's own job stayed SUBMITTED and its task RUNNING past the stall window")
	}
	b := breakerFor("tencent-batch")
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.states["job-self0001:JobState"]; !ok {
		t.Errorf("the ledger's job was not counted: %v", b.states)
	}
	if _, ok := b.states["ti-1:TaskState"]; !ok {
		t.Errorf("the task inside the run's job was not counted: %v", b.states)
	}
	for k := range b.states {
		if k == "job-self0002:JobState" {
			t.Errorf("the run's FAILED job was counted (only RetryJobs leaves FAILED)")
		}
	}
}

// TestMovableStatesOnlyWithoutUserAction: a state counts towards
// states-move only if a documented transition leaves it without a user's
// call.
func TestMovableStatesOnlyWithoutUserAction(t *testing.T) {
	RegisterCatalog(tccat.Catalog())
	RegisterCatalog(alicat.Catalog())
	cases := []struct {
		dialect string
		state   string
		want    bool
	}{
		{"tencent-batch", "SUBMITTED", true},
		{"tencent-batch", "PENDING", true},
		{"tencent-batch", "RUNNING", true},
		{"tencent-batch", "STARTING", true},
		{"tencent-batch", "CREATION_FAILED", true}, // RECREATE after the retry wait
		{"tencent-batch", "FAILED", false},         // RetryJobs
		{"tencent-batch", "FAILED_INTERRUPTED", false},
		{"tencent-batch", "SUCCEED", false},
		{"alibaba-batchcompute", "Waiting", true},
		{"alibaba-batchcompute", "Running", true},
		{"alibaba-batchcompute", "Stopped", false}, // StartJob
		{"alibaba-batchcompute", "Failed", false},  // StartJob
		{"alibaba-batchcompute", "Active", false},  // DeleteCluster
	}
	for _, c := range cases {
		if got := movableStates(c.dialect)(c.state); got != c.want {
			t.Errorf("%s %s: counts towards states-move = %v, want %v", c.dialect, c.state, got, c.want)
		}
	}
}

// TestSpontaneousTrigger: the reading of a transition's trigger.
func TestSpontaneousTrigger(t *testing.T) {
	actions := map[string]bool{"RetryJobs": true, "TerminateJob": true, "TerminateTaskInstance": true, "TerminateComputeNodes": true, "ModifyComputeEnv": true, "DeleteComputeEnv": true}
	isAction := func(w string) bool { return actions[w] }
	cases := []struct {
		trigger string
		want    bool
	}{
		{"RetryJobs (failed instances retried in DAG order)", false},
		{"TerminateJob / TerminateTaskInstance", false},
		{"TerminateComputeNode(s), a scale-in by ModifyComputeEnv, or DeleteComputeEnv", false},
		{"an upstream task failed (PRE_TASK_SUCCEED), or TerminateJob", true},
		{"every tasks ended and at least one FAILED (command failed, timeout, or TerminateJob)", true},
		{"RetryJobs: the instance is reset as if running for the first time, then PENDING -> RUNNABLE when upstream allows", false},
		{"TerminateTaskInstance before the job leaves SUBMITTED (SUBMITTED instances become FAILED); or the submission is refused after acceptance", true},
		{"the command exits 0", true},
		{"", true},
	}
	for _, c := range cases {
		if got := spontaneous(c.trigger, isAction); got != c.want {
			t.Errorf("spontaneous(%q) = %v, want %v", c.trigger, got, c.want)
		}
	}
}
