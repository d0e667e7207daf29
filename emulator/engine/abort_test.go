package engine

import (
	"errors"
	"testing"
	"time"
)

// AbortJob is accepted while the job is still SUBMITTED (TerminateJob is
// not), ends every instance FAILED with Terminated set, and RetryJobs clears
// Terminated again.
func TestAbortJobSubmittedAndRetry(t *testing.T) {
	e := manualEngine(t)
	id, err := e.SubmitJob(JobSpec{Tenant: "t", Name: "j", Tasks: []TaskSpec{tsk("a", "sleep 100")}})
	if err != nil {
		t.Fatal(err)
	}
	var ee *Error
	if err := e.TerminateJob("t", id); !errors.As(err, &ee) || ee.Kind != ErrState {
		t.Fatalf("TerminateJob while SUBMITTED: %v, want ErrState", err)
	}
	if err := e.AbortJob("t", id); err != nil {
		t.Fatalf("AbortJob while SUBMITTED: %v", err)
	}
	if err := e.Advance(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	j, _ := e.Job("t", id)
	if j.State != StateFailed || !j.Terminated {
		t.Fatalf("after abort: state %s terminated %v", j.State, j.Terminated)
	}
	for _, in := range j.Tasks[0].Instances {
		if in.State != StateFailed || !in.Terminated || in.RunningTime != nil {
			t.Fatalf("instance after abort: %+v", in)
		}
	}
	if err := e.RetryJobs("t", []string{id}); err != nil {
		t.Fatal(err)
	}
	if err := e.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	j, _ = e.Job("t", id)
	if j.Terminated || j.Tasks[0].Instances[0].Terminated || j.State == StateFailed {
		t.Fatalf("after retry: state %s terminated %v / %v", j.State, j.Terminated, j.Tasks[0].Instances[0].Terminated)
	}
	if err := e.AbortJob("t", "job-nope"); !errors.As(err, &ee) || ee.Kind != ErrNotFound {
		t.Fatalf("AbortJob of an unknown job: %v", err)
	}
}

// A command that fails by itself is not Terminated.
func TestFailedCommandNotTerminated(t *testing.T) {
	e := manualEngine(t)
	id, err := e.SubmitJob(JobSpec{Tenant: "t", Name: "j", Tasks: []TaskSpec{tsk("a", "exit 3")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Advance(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	j, _ := e.Job("t", id)
	if j.State != StateFailed || j.Terminated || j.Tasks[0].Instances[0].Terminated {
		t.Fatalf("failed job: state %s terminated %v", j.State, j.Terminated)
	}
}

// SetJobPriority changes the job's priority and that of tasks that took it;
// a task with its own priority keeps it.
func TestSetJobPriority(t *testing.T) {
	e := manualEngine(t)
	own := tsk("own", "sleep 100")
	own.Priority = 9
	id, err := e.SubmitJob(JobSpec{Tenant: "t", Name: "j", Priority: 1, Tasks: []TaskSpec{tsk("a", "sleep 100"), own}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetJobPriority("t", id, 500); err != nil {
		t.Fatal(err)
	}
	j, _ := e.Job("t", id)
	if j.Spec.Priority != 500 {
		t.Fatalf("priority %d", j.Spec.Priority)
	}
	e.mu.Lock()
	a, o := e.jobs[id].task("a").prio, e.jobs[id].task("own").prio
	e.mu.Unlock()
	if a != 500 || o != 9 {
		t.Fatalf("task priorities %d %d, want 500 9", a, o)
	}
	if err := e.SetJobPriority("other", id, 1); err == nil {
		t.Fatal("another tenant changed the priority")
	}
}
