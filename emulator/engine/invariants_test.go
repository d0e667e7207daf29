package engine

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// checkInvariants verifies, over the recorded history and the current
// snapshots: every job/task/instance state was held >= Hold; instances
// moved only along InstanceMoves, jobs and tasks only along
// AggregateMoves (FAILED_INTERRUPTED → PENDING for tasks only); EndTime is
// set iff terminal; the cached snapshots equal fresh ones; only a SUBMITTED
// instance has no attempt record, and the shared zero one was never written.
func checkInvariants(t *testing.T, e *Engine) {
	t.Helper()
	type key struct{ kind, id, task, idx string }
	last := map[key]Change{}
	for _, c := range e.Changes(0) {
		if c.Kind != "job" && c.Kind != "task" && c.Kind != "task-instance" {
			continue
		}
		k := key{c.Kind, c.ID, c.Task, ""}
		if c.Index != nil {
			k.idx = fmt.Sprint(*c.Index)
		}
		prev, seen := last[k]
		last[k] = c
		if !seen {
			if c.From != "" || c.To != StateSubmitted {
				t.Errorf("%v: first change %s>%s", k, c.From, c.To)
			}
			continue
		}
		if c.Time.Sub(prev.Time) < e.timing.Hold {
			t.Errorf("%v: %s held %v < hold", k, prev.To, c.Time.Sub(prev.Time))
		}
		tr := c.From + ">" + c.To
		if c.Kind == "task-instance" {
			if !slices.Contains(InstanceMoves[c.From], c.To) {
				t.Errorf("%v: transition %s not in the model", k, tr)
			}
		} else if !slices.Contains(AggregateMoves[c.From], c.To) || (c.Kind == "job" && tr == "FAILED_INTERRUPTED>PENDING") {
			t.Errorf("%v: aggregate transition %s", k, tr)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if noAttempt != (attempt{}) {
		t.Errorf("noAttempt was written: %+v", noAttempt)
	}
	for _, j := range e.jobOrder {
		for _, tk := range j.tasks {
			for _, in := range tk.insts {
				if in.attempt == nil && in.state != StateSubmitted {
					t.Errorf("instance %s/%s/%d: %s without an attempt record", j.id, tk.spec.Name, in.index, in.state)
				}
			}
		}
		fresh := j.buildSnapshot()
		if j.snap != nil && !reflect.DeepEqual(*j.snap, fresh) {
			t.Errorf("job %s: cached snapshot is stale", j.id)
		}
		if (fresh.EndTime != nil) != isTerminal(fresh.State) {
			t.Errorf("job %s: state %s EndTime %v", j.id, fresh.State, fresh.EndTime)
		}
		for _, tk := range fresh.Tasks {
			if (tk.EndTime != nil) != isTerminal(tk.State) {
				t.Errorf("task %s/%s: state %s EndTime %v", j.id, tk.Name, tk.State, tk.EndTime)
			}
			for _, in := range tk.Instances {
				if (in.EndTime != nil) != isTerminal(in.State) {
					t.Errorf("instance %s/%s/%d: state %s EndTime %v", j.id, tk.Name, in.Index, in.State, in.EndTime)
				}
			}
		}
	}
}

// TestRandomWorkloadInvariants drives random jobs, envs and operations on a
// manual clock and checks the invariants after every step; at the end, with
// everything terminated, every job is terminal.
func TestRandomWorkloadInvariants(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			e := manualEngine(t)
			var envs, jobs []string
			cmds := []string{"echo x", "exit 1", "sleep 0.5", "sleep 2; exit 2", "true"}
			for step := 0; step < 60; step++ {
				switch r.IntN(9) {
				case 0:
					id, err := e.CreateEnv(EnvSpec{Tenant: "T", DesiredNodes: r.IntN(3), ResourceMaxRetry: 2,
						ImageID: []string{"", "", ImageAbnormal, ImageCreationFailed}[r.IntN(4)]})
					if err == nil {
						envs = append(envs, id)
					}
				case 1, 2, 3:
					n := 1 + r.IntN(4)
					spec := JobSpec{Tenant: "T", Priority: r.IntN(100), DependOn: []string{DependSucceed, DependPartlySucceed, DependFinished}[r.IntN(3)],
						StateIfCreateCvmFailed: []string{"", CvmFailedFailed, CvmFailedRunnable}[r.IntN(3)]}
					for i := 0; i < n; i++ {
						ts := TaskSpec{Name: fmt.Sprint("t", i), Command: cmds[r.IntN(len(cmds))], InstanceNum: 1 + r.IntN(3),
							MaxRetry: r.IntN(2), MaxConcurrent: r.IntN(3),
							FailedAction: []string{"", FailedInterrupt, FailedTerminate}[r.IntN(3)]}
						if r.IntN(3) == 0 {
							ts.Timeout = time.Second
						}
						if len(envs) > 0 && r.IntN(2) == 0 {
							ts.EnvID = envs[r.IntN(len(envs))]
						} else if r.IntN(4) == 0 {
							ts.ImageID, ts.ResourceMaxRetry = ImageCreationFailed, r.IntN(3)
						}
						spec.Tasks = append(spec.Tasks, ts)
						if i > 0 && r.IntN(2) == 0 {
							spec.Deps = append(spec.Deps, Dep{Start: fmt.Sprint("t", r.IntN(i)), End: ts.Name})
						}
					}
					if id, err := e.SubmitJob(spec); err == nil {
						jobs = append(jobs, id)
					}
				case 4:
					if len(jobs) > 0 {
						_ = e.TerminateJob("T", jobs[r.IntN(len(jobs))])
					}
				case 5:
					if len(jobs) > 0 {
						_ = e.TerminateTaskInstance("T", jobs[r.IntN(len(jobs))], "t0", r.IntN(2))
					}
				case 6:
					if len(envs) > 0 {
						d := r.IntN(4)
						_ = e.ModifyEnv("T", envs[r.IntN(len(envs))], EnvModify{DesiredNodes: &d})
					}
				case 8:
					if len(jobs) > 0 {
						_ = e.RetryJobs("T", []string{jobs[r.IntN(len(jobs))]})
					}
				case 7:
					if len(envs) > 0 {
						id := envs[r.IntN(len(envs))]
						if en, err := e.Env("T", id); err == nil && len(en.Nodes) > 0 {
							_ = e.TerminateNodes("T", id, []string{en.Nodes[r.IntN(len(en.Nodes))].ID})
						}
					}
				}
				if err := e.Advance(time.Duration(r.IntN(400)) * time.Millisecond); err != nil {
					t.Fatal(err)
				}
			}
			checkInvariants(t, e)
			// Wind down: terminate whatever still waits (instances may wait
			// for nodes that never come) and let it all end.
			_ = e.Advance(time.Minute)
			for _, id := range jobs {
				_ = e.TerminateJob("T", id)
			}
			_ = e.Advance(time.Minute)
			for _, id := range jobs {
				if s := jobState(e, id); !isTerminal(s) {
					t.Errorf("job %s still %s", id, s)
				}
			}
			checkInvariants(t, e)
			states := map[string]int{}
			for _, id := range jobs {
				states[jobState(e, id)]++
			}
			t.Logf("%d envs, %d jobs %v, %d changes", len(envs), len(jobs), states, len(e.Changes(0)))
		})
	}
}
