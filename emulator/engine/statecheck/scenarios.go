package statecheck

import (
	"time"

	"github.com/batchconform/batchconform/emulator/engine"
)

// Job-side actions explored in every job scenario.
var jobOps = []string{OpTerminateJob, OpRetry, OpDeleteJob, OpTerminateInstance}

func task(name, cmd string, f ...func(*engine.TaskSpec)) engine.TaskSpec {
	t := engine.TaskSpec{Name: name, Command: cmd, InstanceNum: 1}
	for _, x := range f {
		x(&t)
	}
	return t
}

func retries(n int) func(*engine.TaskSpec) { return func(t *engine.TaskSpec) { t.MaxRetry = n } }
func failed(a string) func(*engine.TaskSpec) {
	return func(t *engine.TaskSpec) { t.FailedAction = a }
}
func onEnv(h string) func(*engine.TaskSpec)   { return func(t *engine.TaskSpec) { t.EnvID = h } }
func instances(n int) func(*engine.TaskSpec)  { return func(t *engine.TaskSpec) { t.InstanceNum = n } }
func image(img string) func(*engine.TaskSpec) { return func(t *engine.TaskSpec) { t.ImageID = img } }
func timeout(d time.Duration) func(*engine.TaskSpec) {
	return func(t *engine.TaskSpec) { t.Timeout = d }
}

func submitAll(n int) []Event {
	var evs []Event
	for i := 0; i < n; i++ {
		evs = append(evs, Event{Op: OpSubmit, N: i})
	}
	return evs
}

// BatchScenarios is the table of bounded worlds of the batch engine: each
// holds a few jobs, tasks, instances and nodes and provokes a family of
// documented transitions (every clock step — boot, start, exit 0 and
// non-zero, timeout, retry wait, node failure — and every API action that
// touches its entities, in every order). Add a row to cover a new behaviour.
// The depths are those of `make test` (about 15 s with -race on 2 cores);
// `make statecheck` multiplies them (Options.Scale).
func BatchScenarios() []Scenario {
	return []Scenario{
		{
			// J13: an INTERRUPT task fails beside a failing task, so the
			// job is FAILED while holding a FAILED_INTERRUPTED instance;
			// RetryJobs, TerminateJob and DeleteJob in every order.
			Name:  "interrupt-retry",
			Setup: submitAll(1),
			Depth: 10,
			Data: &Batch{Ops: jobOps, Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{
				task("A", "exit 1", failed(engine.FailedInterrupt)), task("B", "exit 1")}}}},
		},
		{
			// J4: one INTERRUPT task: the job ends FAILED_INTERRUPTED, and
			// TerminateJob (or TerminateTaskInstance) releases it FAILED.
			Name:  "interrupt-terminate",
			Setup: submitAll(1),
			Depth: 9,
			Data: &Batch{Ops: jobOps, Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{
				task("A", "exit 1", failed(engine.FailedInterrupt))}}}},
		},
		{
			// A DAG whose first stage retries once before succeeding or
			// failing for good; the second stage runs or fails unrun.
			Name:  "dag-retry",
			Setup: submitAll(1),
			Depth: 11,
			Data: &Batch{Ops: jobOps, Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{
				task("A", "exit 2", retries(1)), task("B", "echo b")}, Deps: []engine.Dep{{Start: "A", End: "B"}}}}},
		},
		{
			// A succeeding DAG under PRE_TASK_FINISHED whose upstream ends
			// FAILED_INTERRUPTED (the downstream waits until terminated).
			Name:  "dag-finished-interrupt",
			Setup: submitAll(1),
			Depth: 10,
			Data: &Batch{Ops: jobOps, Jobs: []engine.JobSpec{{DependOn: engine.DependFinished, Tasks: []engine.TaskSpec{
				task("A", "exit 1", failed(engine.FailedInterrupt)), task("B", "echo b")}, Deps: []engine.Dep{{Start: "A", End: "B"}}}}},
		},
		{
			// Timeout: a command that outlives its Timeout, retried once,
			// FAST_INTERRUPT at the end.
			Name:  "timeout-fast-interrupt",
			Setup: submitAll(1),
			Depth: 10,
			Data: &Batch{Ops: jobOps, Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{
				task("A", "sleep 9", timeout(2*time.Second), retries(1), failed(engine.FailedFastInterrupt))}}}},
		},
		{
			// Two instances of one task: one succeeds, one fails (the task
			// aggregates mixed children), then a second job is submitted.
			Name:  "two-instances",
			Setup: submitAll(1),
			Depth: 8,
			Data: &Batch{Ops: append([]string{OpSubmit}, jobOps...), Jobs: []engine.JobSpec{
				{Tasks: []engine.TaskSpec{task("M", "sleep 1", instances(2))}},
				{Tasks: []engine.TaskSpec{task("A", "exit 1", failed(engine.FailedInterrupt))}}}},
		},
		{
			// Anonymous node creation fails: StateIfCreateCvmFailed RUNNABLE
			// with one creation retry, and FAILED with one execution retry.
			Name:  "cvm-failed",
			Setup: submitAll(2),
			Depth: 8,
			Data: &Batch{Ops: jobOps, Jobs: []engine.JobSpec{
				{StateIfCreateCvmFailed: engine.CvmFailedRunnable, Tasks: []engine.TaskSpec{
					task("A", "echo a", image(engine.ImageCreationFailed), func(t *engine.TaskSpec) { t.ResourceMaxRetry = 1 })}},
				{Tasks: []engine.TaskSpec{task("A", "echo a", image(engine.ImageCreationFailed), retries(1))}}}},
		},
		{
			// A named environment of one node shared by a two-instance task
			// (MaxRetry 1, exit 1): node loss, scale in/out, termination,
			// env deletion while instances wait or run.
			Name:  "env-shared",
			Setup: []Event{{Op: OpCreateEnv, N: 0}, {Op: OpSubmit, N: 0}},
			Depth: 8,
			Data: &Batch{MaxDesired: 2,
				Ops:  []string{OpTerminateJob, OpRetry, OpDeleteJob, OpTerminateInstance, OpModifyEnv, OpTerminateNode, OpDeleteEnv},
				Envs: []engine.EnvSpec{{DesiredNodes: 1, ResourceMaxRetry: 1}},
				Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{task("M", "exit 1", onEnv("#0"), instances(2), retries(1), failed(engine.FailedInterrupt))}}}},
		},
		{
			// Attach and detach a user's instance to an empty environment
			// while a job waits for it.
			Name:  "env-attach",
			Setup: []Event{{Op: OpCreateEnv, N: 0}, {Op: OpSubmit, N: 0}},
			Depth: 8,
			Data: &Batch{MaxDesired: 1,
				Ops:  []string{OpTerminateJob, OpTerminateInstance, OpAttach, OpDetach, OpModifyEnv, OpDeleteEnv},
				Envs: []engine.EnvSpec{{DesiredNodes: 0}},
				Jobs: []engine.JobSpec{{Tasks: []engine.TaskSpec{task("A", "echo a", onEnv("#0"))}}}},
		},
		{
			// Failing nodes (the emulator's image convention): creation
			// failure with one RECREATE, and a node that goes ABNORMAL once.
			Name:  "env-node-failures",
			Setup: []Event{{Op: OpCreateEnv, N: 0}, {Op: OpCreateEnv, N: 1}},
			Depth: 8,
			Data: &Batch{MaxDesired: 1,
				Ops: []string{OpModifyEnv, OpTerminateNode, OpDeleteEnv},
				Envs: []engine.EnvSpec{{DesiredNodes: 1, ImageID: engine.ImageCreationFailed, ResourceMaxRetry: 1},
					{DesiredNodes: 1, ImageID: engine.ImageAbnormal}}},
		},
	}
}
