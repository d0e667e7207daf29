package engine

import (
	"strings"
	"testing"
	"time"
)

func TestAggregate(t *testing.T) {
	S, P, R, St, Ru := StateSubmitted, StatePending, StateRunnable, StateStarting, StateRunning
	Su, F, FI := StateSucceed, StateFailed, StateFailedInterrupted
	tests := []struct {
		children []string
		want     string
	}{
		{[]string{S, S}, S},
		{[]string{S, P}, P},
		{[]string{P, R, Su}, R},
		{[]string{R, St, Su}, St},
		{[]string{St, Ru, F}, Ru},
		{[]string{Su, Su}, Su},
		{[]string{Su, F}, F},
		{[]string{FI, F}, F}, // all ended, one FAILED: a FAILED job may hold FAILED_INTERRUPTED instances
		{[]string{FI, Su}, FI},
		{[]string{FI, P}, P}, // something still waiting
		{[]string{FI, R}, R},
		{[]string{Su, P}, P}, // a later stage waiting (only shown when a documented path leads there)
	}
	for _, tc := range tests {
		if got := aggregate(tc.children); got != tc.want {
			t.Errorf("aggregate(%v) = %s, want %s", tc.children, got, tc.want)
		}
	}
}

func TestFollow(t *testing.T) {
	tests := []struct{ cur, target, want string }{
		{StateRunning, StateRunnable, StateRunnable},                   // a DAG stage ended
		{StateRunning, StateStarting, StateStarting},                   // documented backward move
		{StateStarting, StateRunnable, StateRunnable},                  // creation failed, retry
		{StateRunnable, StateRunning, StateStarting},                   // never skip STARTING
		{StateStarting, StateSucceed, StateRunning},                    // SUCCEED only from RUNNING
		{StateStarting, StateFailedInterrupted, StateRunning},          // likewise
		{StateSubmitted, StateRunnable, StatePending},                  // one step at a time
		{StateRunning, StatePending, StateRunning},                     // no documented way back to PENDING: stay
		{StateRunnable, StatePending, StateRunnable},                   // likewise
		{StateFailedInterrupted, StatePending, StateFailedInterrupted}, // RetryJobs only
		{StateFailedInterrupted, StateFailed, StateFailed},
		{StateFailed, StatePending, StateFailed}, // RetryJobs only
		{StateSucceed, StateRunning, StateSucceed},
		{StatePending, StateFailed, StateFailed},
	}
	for _, tc := range tests {
		if got := follow(tc.cur, tc.target); got != tc.want {
			t.Errorf("follow(%s, %s) = %s, want %s", tc.cur, tc.target, got, tc.want)
		}
	}
}

// TestDAGStages: a three-stage DAG job goes back to RUNNABLE (and on to
// STARTING) between stages and never shows PENDING after it first ran.
func TestDAGStages(t *testing.T) {
	e := manualEngine(t)
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{tsk("a", "echo"), tsk("b", "echo"), tsk("c", "echo")},
		Deps: []Dep{{"a", "b"}, {"b", "c"}}})
	advanceUntil(t, e, 10*time.Millisecond, 2000, terminalJob(e, id))
	stage := seq(StateRunnable, StateStarting, StateRunning)
	want := seq(StateSubmitted, StatePending, stage, stage, stage, StateSucceed)
	if got := seq(history(e, "job", id, "", -1)...); got != want {
		t.Errorf("job history %s\nwant        %s", got, want)
	}
	for _, name := range []string{"a", "b", "c"} {
		if got := seq(history(e, "task", id, name, -1)...); got != okPath {
			t.Errorf("task %s history %s", name, got)
		}
	}
	checkInvariants(t, e)
}

// TestInterruptedUpstreamFinished: under PRE_TASK_FINISHED a task waits
// PENDING behind a FAILED_INTERRUPTED upstream; the job's aggregate is then
// PENDING, which no documented move reaches from RUNNING, so the job stays
// RUNNING until the interrupted instance is terminated and the downstream
// task runs.
func TestInterruptedUpstreamFinished(t *testing.T) {
	e := manualEngine(t)
	a := tsk("a", "exit 1")
	a.FailedAction = FailedInterrupt
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{a, tsk("b", "echo")}, Deps: []Dep{{"a", "b"}}, DependOn: DependFinished})
	advanceUntil(t, e, 10*time.Millisecond, 2000, func() bool {
		return mustJob(t, e, id).Tasks[0].State == StateFailedInterrupted
	})
	if err := e.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	if j := mustJob(t, e, id); j.State != StateRunning || j.Tasks[1].State != StatePending {
		t.Fatalf("job %s, task b %s; want RUNNING, PENDING", j.State, j.Tasks[1].State)
	}
	if err := e.TerminateTaskInstance("T", id, "a", 0); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, e, 10*time.Millisecond, 2000, terminalJob(e, id))
	want := seq(StateSubmitted, StatePending, StateRunnable, StateStarting, StateRunning,
		StateRunnable, StateStarting, StateRunning, StateFailed)
	if got := seq(history(e, "job", id, "", -1)...); got != want {
		t.Errorf("job history %s\nwant        %s", got, want)
	}
	checkInvariants(t, e)
}

// TestCreateCvmFailed: an anonymous env with image ImageCreationFailed fails
// to create its node at the end of STARTING; StateIfCreateCvmFailed decides
// what follows.
func TestCreateCvmFailed(t *testing.T) {
	pre := []string{StateSubmitted, StatePending, StateRunnable, StateStarting}
	again := []string{StateRunnable, StateStarting}
	tests := []struct {
		name               string
		mode               string
		maxRetry, resRetry int
		env                bool // an EnvId task: the image of the anonymous env does not apply
		want               []string
		retries            int
	}{
		{"FAILED default, no retries", "", 0, 3, false, append(pre, StateFailed), 0},
		{"FAILED counts one execution", CvmFailedFailed, 1, 3, false, append(append(pre, again...), StateFailed), 1},
		{"RUNNABLE retries the creation", CvmFailedRunnable, 1, 2, false, append(append(append(pre, again...), again...), StateFailed), 0},
		{"RUNNABLE without ResourceMaxRetryCount", CvmFailedRunnable, 0, 0, false, append(pre, StateFailed), 0},
		{"ignored with EnvId", CvmFailedRunnable, 0, 0, true, []string{StateSubmitted, StatePending, StateRunnable, StateStarting, StateRunning, StateSucceed}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := manualEngine(t)
			ts := TaskSpec{Name: "a", Command: "echo", InstanceNum: 1, ImageID: ImageCreationFailed, MaxRetry: tc.maxRetry,
				ResourceMaxRetry: tc.resRetry, FailedAction: FailedInterrupt}
			if tc.env {
				ts.EnvID = mustEnv(t, e, EnvSpec{Name: "e", DesiredNodes: 1})
			}
			id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{ts}, StateIfCreateCvmFailed: tc.mode,
				Notifications: []Notification{{Topic: "t", Events: []EventConfig{{Name: "COMPUTE_NODE_CREATION_FAILED"}, {Name: "COMPUTE_NODE_DELETING"}}}}})
			advanceUntil(t, e, 10*time.Millisecond, 3000, terminalJob(e, id))
			if got := seq(history(e, "task-instance", id, "a", 0)...); got != seq(tc.want...) {
				t.Errorf("instance history %s\nwant             %s", got, seq(tc.want...))
			}
			// one instance, so the task and the job show the same path
			for _, kind := range []string{"task", "job"} {
				task := map[string]string{"task": "a", "job": ""}[kind]
				if got := seq(history(e, kind, id, task, -1)...); got != seq(tc.want...) {
					t.Errorf("%s history %s", kind, got)
				}
			}
			in := mustJob(t, e, id).Tasks[0].Instances[0]
			if in.Retries != tc.retries || (!tc.env && in.ExitCode != nil) {
				t.Errorf("Retries %d ExitCode %v, want %d nil", in.Retries, in.ExitCode, tc.retries)
			}
			if !tc.env && !strings.Contains(in.StateReason, "could not be created") {
				t.Errorf("StateReason %q", in.StateReason)
			}
			var fails, deletes int
			for _, ev := range e.Events("T", 0) {
				switch ev.Name {
				case "COMPUTE_NODE_CREATION_FAILED":
					fails++
				case "COMPUTE_NODE_DELETING":
					deletes++
				}
			}
			if starts := strings.Count(seq(tc.want...), StateStarting); !tc.env && (fails != starts || deletes != 0) {
				t.Errorf("%d CREATION_FAILED / %d DELETING events, want %d / 0", fails, deletes, starts)
			}
			checkInvariants(t, e)
		})
	}
}

// TestRetryInterrupted: a job with a FAILED and a FAILED_INTERRUPTED task is
// FAILED; DeleteJob refuses it, RetryJobs resets both instances to PENDING
// (releasing the retained node) and they run again.
func TestRetryInterrupted(t *testing.T) {
	e := manualEngine(t)
	env := mustEnv(t, e, EnvSpec{Name: "e", DesiredNodes: 2})
	a := TaskSpec{Name: "a", Command: "exit 1", InstanceNum: 1, EnvID: env, FailedAction: FailedInterrupt}
	b := TaskSpec{Name: "b", Command: "exit 2", InstanceNum: 1, EnvID: env}
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{a, b}})
	advanceUntil(t, e, 10*time.Millisecond, 3000, func() bool { return jobState(e, id) == StateFailed })
	j := mustJob(t, e, id)
	if j.Tasks[0].State != StateFailedInterrupted || j.Tasks[0].Instances[0].State != StateFailedInterrupted {
		t.Fatalf("task a %s instance %s, want FAILED_INTERRUPTED", j.Tasks[0].State, j.Tasks[0].Instances[0].State)
	}
	if err := e.DeleteJob("T", id); errKind(err) != ErrState {
		t.Errorf("DeleteJob with a FAILED_INTERRUPTED instance: %v, want ErrState", err)
	}
	if err := e.Advance(e.timing.Hold); err != nil {
		t.Fatal(err)
	}
	if err := e.RetryJobs("T", []string{id}); err != nil {
		t.Fatal(err)
	}
	j = mustJob(t, e, id)
	for _, tk := range j.Tasks {
		if tk.State != StatePending || tk.Instances[0].State != StatePending || tk.Instances[0].ComputeNodeID != "" {
			t.Errorf("task %s %s, instance %+v: want PENDING, reset", tk.Name, tk.State, tk.Instances[0])
		}
	}
	for _, n := range envNodes(t, e, env) {
		if n.RunningTaskInstances != 0 {
			t.Errorf("node %s still held after RetryJobs", n.ID)
		}
	}
	advanceUntil(t, e, 10*time.Millisecond, 3000, func() bool { return jobState(e, id) == StateFailed })
	if got, want := seq(history(e, "task-instance", id, "a", 0)...), seq(okPath[:strings.LastIndex(okPath, ">")], StateFailedInterrupted, StatePending, StateRunnable, StateStarting, StateRunning, StateFailedInterrupted); got != want {
		t.Errorf("instance a history %s\nwant               %s", got, want)
	}
	if got, want := seq(history(e, "task", id, "a", -1)...), seq(okPath[:strings.LastIndex(okPath, ">")], StateFailedInterrupted, StatePending, StateRunnable, StateStarting, StateRunning, StateFailedInterrupted); got != want {
		t.Errorf("task a history %s\nwant           %s", got, want)
	}
	checkInvariants(t, e)
}
