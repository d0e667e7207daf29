package tencentbatch

// The lab's scenarios. Each provokes documented transitions (reference §3)
// and registers the exact histories the emulator must show; they run
// concurrently, so the whole lab takes about as long as its longest
// scenario (~1.5 s against the emulator).

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/specs/harness"
)

// Full histories (reference §3.2).
var (
	stSucceed = []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEED"}
	stFail    = []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "FAILED"}
)

func stCat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Scenario names (also shown in failure messages).
const (
	stScDAG      = "J1-dag-succeed"
	stScRetry    = "J2-maxretry"
	stScDAGFail  = "J3-dag-fail-retryjobs"
	stScMulti    = "J12-multi-instance"
	stScInterr   = "J4-interrupt-terminate"
	stScTimeout  = "J5-timeout"
	stScPending  = "J6-terminate-pending"
	stScRunnable = "J7-terminate-runnable"
	stScSubmit   = "J8-terminate-submitted-instance"
	stScStarting = "J9-terminate-starting-instance"
	stScNodeLost = "J10-node-lost-while-starting"
	stScLogs     = "J11-mappings-logs"
	stScEnvMain  = "E1-env-scale"
	stScEnvLost  = "E2-env-node-lost"
	stScEnvZero  = "E3-env-zero"
	stScEnvPage  = "E4-env-paging"
	stScEnvFail  = "E6-env-creation-failed"
	stScEnvAbn   = "E7-env-abnormal"
	// Added with the reference §3.2 aggregation and the node conventions.
	stScIntRetry  = "J13-interrupt-retryjobs"
	stScShared    = "J14-shared-node"
	stScCvmFail   = "J15-createcvm-failed"
	stScCvmRun    = "J16-createcvm-runnable"
	stScEnvCrtd   = "E5-env-terminate-created"
	stScEnvShared = "E8-env-shared-node"
	stScEnvAbnT   = "E9-env-abnormal-terminate"
	stScDelRun    = "J17-delete-running"
)

// stLabFor runs a lab (called from the lifecycle container's BeforeAll, so
// once per suite run); its resources are deleted by a DeferCleanup, after
// the container's last spec.
func stLabFor(t *harness.Target) *stLabT {
	l := newStLab(t)
	ginkgo.DeferCleanup(l.cleanup)
	start, sent := time.Now(), harness.RequestsSent()
	l.run()
	ginkgo.GinkgoWriter.Printf("lifecycle lab: %d entities observed in %v with %d requests\n", len(l.obs.entities("")),
		time.Since(start).Round(time.Millisecond), harness.RequestsSent()-sent)
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, v := range l.facts {
		if strings.HasSuffix(k, ".late") {
			// An intervention missed its ~120 ms window and was repeated.
			ginkgo.GinkgoWriter.Printf("lifecycle lab: %s repeated: %v\n", strings.TrimSuffix(k, ".late"), v)
		}
	}
	return l
}

// stHolds are the states in which a scenario's intervention must land,
// each of which the emulator otherwise holds only one hold (~120 ms): a
// loaded client (-race at load 15+) often polls or calls too late. Against
// the emulator such a scenario runs on a tenant of its own whose entities
// stay in that state for stInterventionHold unless a call moves them
// (admin tenants state_holds), so its intervention lands in time whatever
// the load; the in-time checks stay, so a late call is still recognised
// and repeated. Against a live service the scenarios keep judging by what
// was observed.
var stHolds = map[string][]string{
	stScDelRun:   {"task-instance/RUNNING"},
	stScPending:  {"task-instance/PENDING"},
	stScSubmit:   {"task-instance/SUBMITTED"},
	stScStarting: {"task-instance/STARTING"},
	stScNodeLost: {"task-instance/STARTING"},
	stScEnvCrtd:  {"compute-node/CREATED"},
	stScEnvAbnT:  {"compute-node/ABNORMAL"},
}

// stTenantOf: scenarios whose resources live on another scenario's tenant
// (J10's job runs on E2's environment).
var stTenantOf = map[string]string{stScEnvLost: stScNodeLost}

// stInterventionHold is how long a held state lasts when no call moves it:
// far longer than a loaded client takes to poll and call (at load 24 under
// -race, two suites at once, 5 s was too short a few times), and no longer
// than the lab's no-move window, so a fault which ignores the call fails
// the scenario no later than it would anyway.
const stInterventionHold = stNoMove

// ownTenants gives every scenario of stHolds a tenant of its own (emulator
// only). An emulator that refuses state_holds (an older version) leaves the
// scenario on the lab's tenant, judged by the timing it observes.
func (l *stLabT) ownTenants() {
	for scen, states := range stHolds {
		holds := map[string]string{}
		for _, st := range states {
			holds[st] = stInterventionHold.String()
		}
		t, err := l.t.TryNewTenantJSON(map[string]any{"state_holds": holds})
		if err != nil {
			ginkgo.GinkgoWriter.Printf("lifecycle lab: %s runs on the lab's tenant, racing its ~%v window: %v\n", scen, l.hold, err)
			continue
		}
		l.tgts[scen] = t
	}
	for scen, of := range stTenantOf {
		if t := l.tgts[of]; t != nil {
			l.tgts[scen] = t
		}
	}
}

// run runs every scenario concurrently and waits for all of them.
func (l *stLabT) run() {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout+5*time.Second)
	defer cancel()
	if l.t.Emulator {
		l.ownTenants()
	}
	scens := map[string]func(context.Context) error{
		stScDAG: l.scDAG, stScRetry: l.scRetry, stScDAGFail: l.scDAGFailRetry, stScInterr: l.scInterrupt,
		stScTimeout: l.scTimeout, stScPending: l.scPending, stScRunnable: l.scRunnable, stScSubmit: l.scSubmitted,
		stScStarting: l.scStarting, stScNodeLost: l.scNodeLost, stScLogs: l.scLogs, stScEnvMain: l.scEnvMain,
		stScEnvPage: l.scEnvPaging, stScIntRetry: l.scInterruptRetry, stScShared: l.scShared,
		stScEnvCrtd: l.scEnvCreated, stScDelRun: l.scDeleteRunning,
	}
	if l.t.Emulator {
		// The emulator's convention for failing nodes (engine.ImageCreationFailed,
		// engine.ImageAbnormal): a client cannot make a real CVM fail.
		scens[stScEnvFail] = l.scEnvFail
		scens[stScEnvAbn] = l.scEnvAbnormal
		scens[stScEnvAbnT] = l.scEnvAbnormalTerminate
		scens[stScCvmFail] = l.scCvmFailed
		scens[stScCvmRun] = l.scCvmRunnable
	}
	// The zero-node env is needed by J7 (and the idempotency spec) from the start.
	var out struct{ EnvId string }
	if err := stCall(l.t, "CreateComputeEnv", l.envBody("st-zero", 0, stImage, nil), &out); err != nil {
		l.errs[stScEnvZero] = err
	} else {
		l.setEnv(stScEnvZero, out.EnvId)
	}
	var wg sync.WaitGroup
	for name, f := range scens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				l.mu.Lock()
				l.errs[name] = err
				l.mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// cleanup deletes every job (terminating it first) and environment of the lab.
func (l *stLabT) cleanup() {
	// An interrupted run cleans up while scenario goroutines may still
	// submit: jobs are taken in rounds until a round finds none new, and
	// environments only after that.
	deadline := time.Now().Add(l.timeout)
	var wg sync.WaitGroup
	handled := map[string]bool{}
	for {
		l.mu.Lock()
		var jobs []string
		for _, id := range l.cleanJob {
			if !handled[id] {
				handled[id] = true
				jobs = append(jobs, id)
			}
		}
		l.mu.Unlock()
		if len(jobs) == 0 {
			break
		}
		l.cleanJobs(jobs, deadline, &wg)
		wg.Wait()
	}
	l.mu.Lock()
	envs := append([]string(nil), l.cleanEnv...)
	l.mu.Unlock()
	l.cleanEnvs(envs, &wg)
}

// cleanJobs terminates and deletes jobs, one goroutine each (wg counts them).
func (l *stLabT) cleanJobs(jobs []string, deadline time.Time, wg *sync.WaitGroup) {
	for _, id := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := l.on(id)
			terminated := false
			tick := time.NewTicker(t.PollInterval())
			defer tick.Stop()
			// On the emulator a job the cleanup sees in one state for the
			// no-move window will not end (a TerminateJob that does
			// nothing): it is left behind then, not at the deadline.
			last, since := "", time.Now()
			for time.Now().Before(deadline) {
				if err := t.Stalled(); err != nil {
					ginkgo.GinkgoWriter.Printf("cleanup: job %s left behind (remove it with `batchconform sweep --prefix %s`): %v\n", id, l.t.RunPrefix, err)
					return
				}
				var dj stDescribeJob
				err := stCall(t, "DescribeJob", map[string]any{"JobId": id}, &dj)
				if err != nil && stNotFound(err) {
					return
				}
				if err == nil && dj.JobState != last {
					last, since = dj.JobState, time.Now()
				} else if d := time.Since(since); l.noMove > 0 && d >= l.noMove {
					ginkgo.GinkgoWriter.Printf("cleanup: job %s left behind: it stayed %s for %v\n", id, last, d.Round(time.Second))
					return
				}
				if err == nil {
					switch dj.JobState {
					case "SUCCEED", "FAILED":
						if stCall(t, "DeleteJob", map[string]any{"JobId": id}, nil) == nil {
							return
						}
						// A FAILED job may still hold a FAILED_INTERRUPTED
						// instance (J13): DeleteJob refuses it until it is
						// terminated.
						if !terminated {
							terminated = stCall(t, "TerminateJob", map[string]any{"JobId": id}, nil) == nil
						}
					case "SUBMITTED":
					default:
						if !terminated {
							terminated = stCall(t, "TerminateJob", map[string]any{"JobId": id}, nil) == nil
						}
					}
				}
				<-tick.C
			}
			ginkgo.GinkgoWriter.Printf("cleanup: job %s not deleted before the deadline\n", id)
		}()
	}
}

// cleanEnvs deletes environments concurrently: an endpoint that holds every
// deletion back (nodes that never leave CREATING) costs one patience window,
// not one per environment.
func (l *stLabT) cleanEnvs(envs []string, wg *sync.WaitGroup) {
	for _, id := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rulesDeleteEnvPatient(l.on(id), id); err != nil && !stNotFound(err) &&
				!strings.HasPrefix(stCode(err), "UnsupportedOperation") {
				ginkgo.GinkgoWriter.Printf("cleanup: env %s: %v\n", id, err)
			}
		}()
	}
	wg.Wait()
}

// ---- job scenarios ----

// scDAG: A → B, both succeed.
func (l *stLabT) scDAG(ctx context.Context) error {
	const s = stScDAG
	deps := [][2]string{{"A", "B"}}
	// A runs for a second: the DAG order is observed while it runs.
	id, stop, err := l.submit(ctx, s, l.jobBody("st-dag", []map[string]any{stTaskSpec("A", "sleep 1; echo a"), stTaskSpec("B", "echo b")}, deps), deps)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	for _, k := range []string{id + "/A", id + "/B"} {
		l.expect(stTask, k, stSucceed...)
		l.expect(stInstance, k+"#0", stSucceed...)
	}
	// Between the stages nothing is RUNNING or STARTING and B is RUNNABLE
	// (reference §3.2 order), so the job goes back RUNNING -> RUNNABLE.
	l.expect(stJob, id, stCat(stSucceed[:5], stSucceed[2:])...)
	return l.settle(ctx, s)
}

// scDeleteRunning: a DeleteJob while the job is RUNNING must be refused
// (reference §3.1), then TerminateJob ends it FAILED. The command runs 5 s
// so the call lands while RUNNING even on a slow client; against the
// emulator the job's tenant holds RUNNING until the TerminateJob (stHolds),
// so a loaded client (whose polls can be seconds apart) cannot miss it.
func (l *stLabT) scDeleteRunning(ctx context.Context) error {
	const s = stScDelRun
	id, stop, err := l.submit(ctx, s, l.jobBody("st-delrun", []map[string]any{stTaskSpec("A", "sleep 5")}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "RUNNING"); err != nil {
		return err
	}
	derr := stCall(l.tgt(s), "DeleteJob", map[string]any{"JobId": id}, nil)
	l.fact(s+".delete-while-running", derr)
	if derr == nil {
		return fmt.Errorf("DeleteJob of RUNNING job %s was accepted and the job deleted (reference §3.1: the job and all its instances must be finished)", id)
	}
	if err := stCall(l.tgt(s), "TerminateJob", map[string]any{"JobId": id}, nil); err != nil {
		return err
	}
	if err := l.awaitState(ctx, id, "FAILED", "SUCCEED"); err != nil {
		return err
	}
	l.expect(stJob, id, stFail...)
	l.expect(stTask, id+"/A", stFail...)
	l.expect(stInstance, id+"/A#0", stFail...)
	return l.settle(ctx, s)
}

// scRetry: exit 3 with MaxRetryCount 1: RUNNING → RUNNABLE → … → FAILED.
func (l *stLabT) scRetry(ctx context.Context) error {
	const s = stScRetry
	id, stop, err := l.submit(ctx, s, l.jobBody("st-retry", []map[string]any{stTaskSpec("A", "exit 3", stWith("MaxRetryCount", 1))}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	// The task and the job aggregate their one instance: they follow it.
	retried := stCat(stFail[:5], stFail[2:])
	l.expect(stJob, id, retried...)
	l.expect(stTask, id+"/A", retried...)
	l.expect(stInstance, id+"/A#0", retried...)
	return l.settle(ctx, s)
}

// scDAGFailRetry: A (exit 1) → B fails B without running it; a
// three-instance task (exit = index) fails partly; RetryJobs on both FAILED
// jobs (one request, two IDs) runs them again.
func (l *stLabT) scDAGFailRetry(ctx context.Context) error {
	const s, m = stScDAGFail, stScMulti
	deps := [][2]string{{"A", "B"}}
	id, stop, err := l.submit(ctx, s, l.jobBody("st-dagfail", []map[string]any{stTaskSpec("A", "exit 1"), stTaskSpec("B", "echo b")}, deps), deps)
	if err != nil {
		return err
	}
	defer stop()
	mid, mstop, err := l.submit(ctx, m, l.jobBody("st-multi", []map[string]any{
		stTaskSpec("M", "exit ${BATCH_TASK_INSTANCE_INDEX:-0}", stWith("TaskInstanceNum", 3))}, nil), nil)
	if err != nil {
		return err
	}
	defer mstop()
	if err := l.awaitState(ctx, id, "FAILED", "SUCCEED"); err != nil {
		return err
	}
	if err := l.awaitState(ctx, mid, "FAILED", "SUCCEED"); err != nil {
		return err
	}
	// Let the watchers record every instance's end state first: RetryJobs
	// resets FAILED instances at once.
	if err := l.settle(ctx, s); err != nil {
		return err
	}
	if err := l.settle(ctx, m); err != nil {
		return err
	}
	ids := []string{id}
	if l.obs.last(mid) == "FAILED" {
		ids = append(ids, mid)
	}
	if err := stCall(l.t, "RetryJobs", map[string]any{"JobIds": ids}, nil); err != nil {
		return err
	}
	l.fact(s+".retried", ids)
	for _, j := range ids {
		if err := l.awaitRerun(ctx, j, "FAILED", 2, "JOB_FAILED"); err != nil {
			return err
		}
	}
	twice := stCat(stFail, stFail[1:])
	l.expect(stJob, id, twice...)
	l.expect(stTask, id+"/A", twice...)
	l.expect(stInstance, id+"/A#0", twice...)
	l.expect(stTask, id+"/B", "SUBMITTED", "PENDING", "FAILED", "PENDING", "FAILED")
	l.expect(stInstance, id+"/B#0", "SUBMITTED", "PENDING", "FAILED", "PENDING", "FAILED")
	if l.t.Emulator {
		l.expect(stJob, mid, twice...)
		l.expect(stTask, mid+"/M", twice...)
		l.expect(stInstance, mid+"/M#0", stSucceed...)
		l.expect(stInstance, mid+"/M#1", twice...)
		l.expect(stInstance, mid+"/M#2", twice...)
	}
	if err := l.settle(ctx, m); err != nil {
		return err
	}
	return l.settle(ctx, s)
}

// scInterrupt: FailedAction INTERRUPT keeps the failed instance
// (FAILED_INTERRUPTED; DeleteJob refused), TerminateJob then ends it FAILED.
func (l *stLabT) scInterrupt(ctx context.Context) error {
	const s = stScInterr
	id, stop, err := l.submit(ctx, s, l.jobBody("st-interrupt", []map[string]any{stTaskSpec("A", "exit 1", stWith("FailedAction", "INTERRUPT"))}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "FAILED_INTERRUPTED", "FAILED", "SUCCEED"); err != nil {
		return err
	}
	if got := l.obs.last(id); got != "FAILED_INTERRUPTED" {
		e, _ := l.obs.entity(id + "/A#0")
		return fmt.Errorf("job %s ended %s, not FAILED_INTERRUPTED (instance: %s)", id, got, e.path())
	}
	derr := stCall(l.t, "DeleteJob", map[string]any{"JobId": id}, nil)
	l.fact(s+".delete-while-interrupted", derr)
	if derr == nil {
		return fmt.Errorf("DeleteJob of FAILED_INTERRUPTED job %s was accepted and the job deleted (reference §3.2: UO)", id)
	}
	if err := stCall(l.t, "TerminateJob", map[string]any{"JobId": id}, nil); err != nil {
		return err
	}
	if err := l.awaitState(ctx, id, "FAILED"); err != nil {
		return err
	}
	h := stCat(stFail[:5], []string{"FAILED_INTERRUPTED", "FAILED"})
	l.expect(stJob, id, h...)
	l.expect(stTask, id+"/A", h...)
	l.expect(stInstance, id+"/A#0", h...)
	return l.settle(ctx, s)
}

// scTimeout: Timeout 1 s on `sleep 5` fails the instance.
func (l *stLabT) scTimeout(ctx context.Context) error {
	const s = stScTimeout
	id, stop, err := l.submit(ctx, s, l.jobBody("st-timeout", []map[string]any{stTaskSpec("A", "sleep 5", stWith("Timeout", 1))}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	l.expect(stJob, id, stFail...)
	l.expect(stTask, id+"/A", stFail...)
	l.expect(stInstance, id+"/A#0", stFail...)
	return l.settle(ctx, s)
}

// stAttempts bounds the attempts of an intervention that must land in a
// state held only ~120 ms: a late attempt (the client was slower than the
// hold) is discarded and repeated; five late attempts fail the scenario.
const stAttempts = 5

// instanceState reads task A's instance 0 now.
func (l *stLabT) instanceState(jobID string) string {
	var dt stDescribeTask
	if err := stCall(l.on(jobID), "DescribeTask", map[string]any{"JobId": jobID, "TaskName": "A"}, &dt); err != nil || len(dt.TaskInstanceSet) == 0 {
		return ""
	}
	return dt.TaskInstanceSet[0].TaskInstanceState
}

// scTerminateAt submits a one-task job, waits until key (relative to the job
// ID) is in state, calls action, and waits for the job to end. The call
// counts only if instance A#0 is in one of inTime right after it (it landed
// in the intended state); otherwise the attempt is discarded and repeated.
func (l *stLabT) scTerminateAt(ctx context.Context, s, name string, task map[string]any, key, state, action string, inTime, want []string) error {
	var late []string
	for attempt := 1; ; attempt++ {
		id, stop, err := l.submit(ctx, s, l.jobBody(name, []map[string]any{task}, nil), nil)
		if err != nil {
			return err
		}
		if state != "" {
			// A late poller may miss the ~120 ms state: then the attempt
			// is late (checked below) rather than stuck.
			if err := l.awaitReached(ctx, id+key, state); err != nil {
				stop()
				return err
			}
		}
		body := map[string]any{"JobId": id}
		if action == "TerminateTaskInstance" {
			body["TaskName"], body["TaskInstanceIndex"] = "A", 0
		}
		if err := stCall(l.tgt(s), action, body, nil); err != nil {
			stop()
			return err
		}
		now := l.instanceState(id)
		if !stIn(now, inTime) {
			stop()
			l.obs.forget(id)
			late = append(late, fmt.Sprintf("%s landed with the instance %s", id, now))
			l.fact(s+".late", late)
			if attempt == stAttempts {
				return fmt.Errorf("%s came too late %d times (want the instance in %s): %s", action, attempt, strings.Join(inTime, "|"), strings.Join(late, "; "))
			}
			continue
		}
		err = l.awaitState(ctx, id, "FAILED", "SUCCEED")
		if err == nil {
			err = l.settle(ctx, s)
		}
		// The instance may have moved past the intended state between the
		// last poll and the call (a slow client): a state outside the
		// intended history shows the call landed late.
		if beyond := l.outside(id, want); err == nil && beyond != "" && attempt < stAttempts {
			stop()
			l.obs.forget(id)
			late = append(late, fmt.Sprintf("%s landed late: %s", id, beyond))
			l.fact(s+".late", late)
			continue
		}
		if err == nil {
			l.expect(stJob, id, want...)
			l.expect(stTask, id+"/A", want...)
			l.expect(stInstance, id+"/A#0", want...)
		}
		stop()
		return err
	}
}

// outside names a state observed for job id, its task A or instance A#0
// that is not in want ("" if none).
func (l *stLabT) outside(id string, want []string) string {
	for _, k := range []string{id, id + "/A", id + "/A#0"} {
		e, _ := l.obs.entity(k)
		for _, st := range e.States {
			if !stIn(st, want) {
				return k + " was " + st
			}
		}
	}
	return ""
}

func stIn(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func (l *stLabT) scPending(ctx context.Context) error {
	return l.scTerminateAt(ctx, stScPending, "st-pending", stTaskSpec("A", "echo a"), "", "PENDING", "TerminateJob",
		[]string{"PENDING", "FAILED"}, []string{"SUBMITTED", "PENDING", "FAILED"})
}

func (l *stLabT) scRunnable(ctx context.Context) error {
	env := l.env(stScEnvZero)
	if env == "" {
		return fmt.Errorf("no zero-node environment")
	}
	return l.scTerminateAt(ctx, stScRunnable, "st-runnable", stTaskSpec("A", "echo a", stOnEnv(env)), "", "RUNNABLE", "TerminateJob",
		[]string{"RUNNABLE", "FAILED"}, []string{"SUBMITTED", "PENDING", "RUNNABLE", "FAILED"})
}

func (l *stLabT) scSubmitted(ctx context.Context) error {
	return l.scTerminateAt(ctx, stScSubmit, "st-submitted", stTaskSpec("A", "echo a"), "", "", "TerminateTaskInstance",
		[]string{"SUBMITTED", "FAILED"}, []string{"SUBMITTED", "FAILED"})
}

func (l *stLabT) scStarting(ctx context.Context) error {
	return l.scTerminateAt(ctx, stScStarting, "st-starting", stTaskSpec("A", "sleep 5"), "/A#0", "STARTING", "TerminateTaskInstance",
		[]string{"STARTING", "FAILED"}, []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "FAILED"})
}

// scNodeLost: the node of a STARTING instance (MaxRetryCount 1) is
// terminated: the attempt fails and the instance waits RUNNABLE again; the
// env has no node left, so TerminateJob ends it.
func (l *stLabT) scNodeLost(ctx context.Context) error {
	const s, es = stScNodeLost, stScEnvLost
	env, estop, err := l.createEnv(ctx, es, l.envBody("st-lost", 1, stImage, nil))
	if err != nil {
		return err
	}
	defer estop()
	running := func() string {
		for _, n := range l.nodesIn(env) {
			if l.obs.last(n) == "RUNNING" {
				return n
			}
		}
		return ""
	}
	var late []string
	for attempt := 1; ; attempt++ {
		if err := l.await(ctx, "a RUNNING node in "+env, func() bool { return running() != "" }); err != nil {
			return err
		}
		node := running()
		id, stop, err := l.submit(ctx, s, l.jobBody("st-nodelost", []map[string]any{
			stTaskSpec("A", "sleep 5", stOnEnv(env), stWith("MaxRetryCount", 1))}, nil), nil)
		if err != nil {
			return err
		}
		if err := l.awaitReached(ctx, id+"/A#0", "STARTING"); err != nil {
			stop()
			return err
		}
		terr := stCall(l.tgt(s), "TerminateComputeNode", map[string]any{"EnvId": env, "ComputeNodeId": stNodeID(node)}, nil)
		if terr != nil && stCode(terr) != "ResourceNotFound.ComputeNode" {
			stop()
			return terr
		}
		if now := l.instanceState(id); terr != nil || now != "STARTING" && now != "RUNNABLE" {
			// Too late: the command was already RUNNING, or the node the lab
			// last saw RUNNING was already gone (under load its DELETING can
			// pass between two polls). Discard the job and the node, and
			// boot another node: a forgotten node is never picked again.
			_ = stCall(l.tgt(s), "TerminateJob", map[string]any{"JobId": id}, nil)
			stop()
			l.obs.forget(id)
			l.obs.forget(stNodeID(node))
			if terr != nil {
				now = "unknown: " + terr.Error()
			}
			late = append(late, fmt.Sprintf("%s: the node was lost with the instance %s", id, now))
			l.fact(s+".late", late)
			if attempt == stAttempts {
				return fmt.Errorf("TerminateComputeNode came too late %d times: %s", attempt, strings.Join(late, "; "))
			}
			if err := stCall(l.tgt(s), "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 1}, nil); err != nil {
				return err
			}
			continue
		}
		if err := l.awaitCount(ctx, id+"/A#0", "RUNNABLE", 2); err != nil {
			stop()
			return err
		}
		if err := stCall(l.tgt(s), "TerminateJob", map[string]any{"JobId": id}, nil); err != nil {
			stop()
			return err
		}
		if err := l.awaitState(ctx, id, "FAILED", "SUCCEED"); err != nil {
			stop()
			return err
		}
		// DELETING lasts two holds before the node disappears: its
		// TERMINATE activity's end shows it passed.
		if err := l.await(ctx, "node "+node+" terminated", l.activityEnded(env, node, "TERMINATE_COMPUTE_NODE")); err != nil {
			stop()
			return err
		}
		if err := l.settle(ctx, s); err != nil {
			stop()
			return err
		}
		lost := []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNABLE", "FAILED"}
		// The instance was RUNNING when the node went (a slow client): the
		// node was lost too late; try again on a new node.
		if beyond := l.outside(id, lost); beyond != "" && attempt < stAttempts {
			stop()
			l.obs.forget(id)
			l.obs.forget(stNodeID(node))
			late = append(late, fmt.Sprintf("%s: the node was lost too late (%s)", id, beyond))
			l.fact(s+".late", late)
			if err := stCall(l.tgt(s), "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 1}, nil); err != nil {
				return err
			}
			continue
		}
		defer stop()
		l.expect(stJob, id, lost...)
		l.expect(stTask, id+"/A", lost...)
		l.expect(stInstance, id+"/A#0", lost...)
		l.expect(stNode, node, "SUBMITTED", "CREATING", "CREATED", "RUNNING", "DELETING")
		if err := l.settle(ctx, es); err != nil {
			return err
		}
		return l.settle(ctx, s)
	}
}

// stLogBulk is how many bytes the logs job writes before its marker: more
// than the documented 2048-byte log limit.
const stLogBulk = 3000

// scLogs: a task that writes more than 2048 bytes of stdout and some
// stderr; against the emulator it also reads an input mapping, writes an
// output mapping and redirects its logs to the object store.
func (l *stLabT) scLogs(ctx context.Context) error {
	const s = stScLogs
	cmd := fmt.Sprintf("yes x | head -n %d; echo OUT-%s; echo ERR-%s >&2", stLogBulk/2, l.tagVal, l.tagVal)
	opts := []stTaskOpt{}
	if l.t.Emulator {
		if err := l.t.PutObject(l.bucket+"/in/in.txt", []byte("input-"+l.tagVal)); err != nil {
			return err
		}
		cmd = "cat /mnt/input/in.txt > /mnt/output/out.txt; " + cmd
		opts = append(opts,
			stWith("InputMappings", []map[string]string{{"SourcePath": l.bucket + "/in/", "DestinationPath": "/mnt/input/"}}),
			stWith("OutputMappings", []map[string]string{{"SourcePath": "/mnt/output/", "DestinationPath": l.bucket + "/out/"}}),
			stWith("RedirectInfo", map[string]string{"StdoutRedirectPath": l.bucket + "/logs/", "StderrRedirectPath": l.bucket + "/logs/"}))
	}
	id, stop, err := l.submit(ctx, s, l.jobBody("st-logs", []map[string]any{stTaskSpec("A", cmd, opts...)}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	l.expect(stJob, id, stSucceed...)
	l.expect(stInstance, id+"/A#0", stSucceed...)
	return l.settle(ctx, s)
}

// ---- environment scenarios ----

// activityExpect registers the exact histories of a node's activities.
func (l *stLabT) activityExpect(env, node string, create, terminate []string) {
	for _, a := range l.activitiesOf(env, stNodeID(node)) {
		switch {
		case strings.HasPrefix(a.Label, "CREATE_COMPUTE_NODE ") && create != nil:
			l.expect(stActivity, a.Key, create...)
		case strings.HasPrefix(a.Label, "TERMINATE_COMPUTE_NODE ") && terminate != nil:
			l.expect(stActivity, a.Key, terminate...)
		}
	}
}

// desired reads DesiredComputeNodeCount now.
func (l *stLabT) desired(env string) int64 {
	var de stDescribeEnv
	if err := stCall(l.t, "DescribeComputeEnv", map[string]any{"EnvId": env}, &de); err != nil {
		return -1
	}
	return de.DesiredComputeNodeCount
}

// scEnvMain: one node boots; a scale-out adds a second, terminated once
// RUNNING (TerminateComputeNode decrements the desired count); a scale-in
// to 0 deletes the first; then the env is deleted. (CREATED -> DELETING is
// E5's: a node a ModifyComputeEnv creates cannot be terminated before its
// CREATE activity ended, UnsupportedOperation.AcceptOtherRequest.)
func (l *stLabT) scEnvMain(ctx context.Context) error {
	const s = stScEnvMain
	env, stop, err := l.createEnv(ctx, s, l.envBody("st-main", 1, stImage, nil))
	if err != nil {
		return err
	}
	defer stop()
	if err := l.await(ctx, "a RUNNING node in "+env, func() bool {
		ns := l.nodesIn(env)
		return len(ns) == 1 && l.obs.last(ns[0]) == "RUNNING"
	}); err != nil {
		return err
	}
	node1 := l.nodesIn(env)[0]
	actDone := func(node, typ string) func() bool {
		return func() bool {
			for _, a := range l.activitiesOf(env, stNodeID(node)) {
				if strings.HasPrefix(a.Label, typ+" ") && len(a.States) > 0 && a.States[len(a.States)-1] == "SUCCEED" {
					return true
				}
			}
			return false
		}
	}
	if err := stCall(l.t, "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 2}, nil); err != nil {
		return err
	}
	l.fact(s+".desired-after-scale-out", l.desired(env))
	var node2 string
	if err := l.await(ctx, "a second node RUNNING in "+env, func() bool {
		for _, n := range l.nodesIn(env) {
			if n != node1 && l.obs.last(n) == "RUNNING" && actDone(n, "CREATE_COMPUTE_NODE")() {
				node2 = n
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	if err := stCall(l.t, "TerminateComputeNode", map[string]any{"EnvId": env, "ComputeNodeId": stNodeID(node2)}, nil); err != nil {
		return err
	}
	l.fact(s+".desired-after-terminate", l.desired(env))
	if err := stCall(l.t, "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 0}, nil); err != nil {
		return err
	}
	l.fact(s+".desired-after-scale-in", l.desired(env))
	for _, n := range []string{node2, node1} {
		if err := l.await(ctx, "node "+n+" terminated", actDone(n, "TERMINATE_COMPUTE_NODE")); err != nil {
			return err
		}
	}
	if err := rulesDeleteEnvPatient(l.t, env); err != nil {
		return err
	}
	if err := l.await(ctx, "env "+env+" to disappear", func() bool { _, ok := l.getFact(s + ".gone"); return ok }); err != nil {
		return err
	}
	for _, n := range []string{node1, node2} {
		l.expect(stNode, n, "SUBMITTED", "CREATING", "CREATED", "RUNNING", "DELETING")
		l.activityExpect(env, n, []string{"SUBMITTED", "PROCESSING", "SUCCEED"}, []string{"SUBMITTED", "PROCESSING", "SUCCEED"})
	}
	return nil
}

// scEnvPaging creates two more zero-node environments (with the zero-node
// env of J7 they make three: more than one page of two).
func (l *stLabT) scEnvPaging(ctx context.Context) error {
	for i := 0; i < 2; i++ {
		var out struct{ EnvId string }
		if err := stCall(l.t, "CreateComputeEnv", l.envBody(fmt.Sprintf("st-page%d", i), 0, stImage, nil), &out); err != nil {
			return err
		}
		l.setEnv(fmt.Sprintf("%s-%d", stScEnvPage, i), out.EnvId)
	}
	return nil
}

// scEnvFail (emulator convention): every creation of an img-failnode node
// fails; with ResourceMaxRetryCount 1, RECREATE creates the node again once
// in place (same node ID, a new CREATE activity), then it stays
// CREATION_FAILED until the env is deleted.
func (l *stLabT) scEnvFail(ctx context.Context) error {
	const s = stScEnvFail
	env, stop, err := l.createEnv(ctx, s, l.envBody("st-failnode", 1, "img-failnode", map[string]any{"ResourceMaxRetryCount": 1}))
	if err != nil {
		return err
	}
	defer stop()
	failedTwice := l.nodeEventCount(env, "COMPUTE_NODE_CREATION_FAILED")
	if err := l.await(ctx, "a node of "+env+" CREATION_FAILED twice", func() bool {
		ns := l.nodesIn(env)
		// The first CREATION_FAILED lasts one hold: a slow poller may miss
		// it, the notification says it happened.
		return len(ns) == 1 && l.obs.last(ns[0]) == "CREATION_FAILED" &&
			(l.obs.count(ns[0], "CREATION_FAILED") == 2 || failedTwice(ns[0]) == 2)
	}); err != nil {
		return err
	}
	// A RECREATE SUBMITs its CREATE activity when the creation fails, so
	// after two more polling rounds every activity of the node is known:
	// one per creation, none for a third (the retries are exhausted).
	if err := l.settle(ctx, s); err != nil {
		return err
	}
	creates := 0
	for _, n := range l.nodesIn(env) {
		for _, a := range l.activitiesOf(env, stNodeID(n)) {
			if strings.HasPrefix(a.Label, "CREATE_COMPUTE_NODE ") {
				creates++
			}
		}
	}
	if err := rulesDeleteEnvPatient(l.t, env); err != nil {
		return err
	}
	if err := l.await(ctx, "env "+env+" to disappear", func() bool { _, ok := l.getFact(s + ".gone"); return ok }); err != nil {
		return err
	}
	// The env disappears with its node, so the TERMINATE activity cannot be
	// seen to end.
	for _, n := range l.nodesIn(env) {
		l.expect(stNode, n, "SUBMITTED", "CREATING", "CREATION_FAILED", "CREATING", "CREATION_FAILED", "DELETING")
		l.activityExpect(env, n, []string{"SUBMITTED", "PROCESSING", "FAILED"}, nil)
	}
	if creates != 2 {
		return fmt.Errorf("env %s (ResourceMaxRetryCount 1): %d CREATE_COMPUTE_NODE activities, want 2 (the creation and one RECREATE)", env, creates)
	}
	return nil
}

// scEnvAbnormal (emulator convention): an img-abnormal node goes ABNORMAL
// once RUNNING and recovers (RUNNING again) by itself; then the env is
// deleted.
func (l *stLabT) scEnvAbnormal(ctx context.Context) error {
	const s = stScEnvAbn
	env, stop, err := l.createEnv(ctx, s, l.envBody("st-abnormal", 1, "img-abnormal", nil))
	if err != nil {
		return err
	}
	defer stop()
	runningEvents := l.nodeEventCount(env, "COMPUTE_NODE_RUNNING")
	if err := l.await(ctx, "a node in "+env+" RUNNING again after ABNORMAL", func() bool {
		ns := l.nodesIn(env)
		// ABNORMAL lasts one hold: a slow poller may miss it; the second
		// COMPUTE_NODE_RUNNING notification says the node recovered.
		return len(ns) == 1 && l.obs.last(ns[0]) == "RUNNING" &&
			(l.obs.count(ns[0], "ABNORMAL") == 1 || runningEvents(ns[0]) == 2)
	}); err != nil {
		return err
	}
	if err := rulesDeleteEnvPatient(l.t, env); err != nil {
		return err
	}
	if err := l.await(ctx, "env "+env+" to disappear", func() bool { _, ok := l.getFact(s + ".gone"); return ok }); err != nil {
		return err
	}
	for _, n := range l.nodesIn(env) {
		l.expect(stNode, n, "SUBMITTED", "CREATING", "CREATED", "RUNNING", "ABNORMAL", "RUNNING", "DELETING")
		l.activityExpect(env, n, []string{"SUBMITTED", "PROCESSING", "SUCCEED"}, nil)
	}
	return nil
}

// ---- scenarios of the reference §3.2 aggregation and of RetryJobs ----

// scInterruptRetry: task A (exit 1, FailedAction INTERRUPT) ends
// FAILED_INTERRUPTED while task B (exit 1) ends FAILED, so the job is FAILED
// (all ended, one FAILED) and holds a FAILED_INTERRUPTED instance: RetryJobs
// resets both instances to PENDING; after the second run TerminateJob
// releases A's retained instance.
func (l *stLabT) scInterruptRetry(ctx context.Context) error {
	const s = stScIntRetry
	id, stop, err := l.submit(ctx, s, l.jobBody("st-intretry", []map[string]any{
		stTaskSpec("A", "exit 1", stWith("FailedAction", "INTERRUPT")), stTaskSpec("B", "exit 1")}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "FAILED", "FAILED_INTERRUPTED", "SUCCEED"); err != nil {
		return err
	}
	if err := l.settle(ctx, s); err != nil {
		return err
	}
	if got, a := l.obs.last(id), l.obs.last(id+"/A#0"); got != "FAILED" || a != "FAILED_INTERRUPTED" {
		return fmt.Errorf("job %s ended %s with instance A#0 %s: want FAILED holding a FAILED_INTERRUPTED instance (reference §3.2 order)", id, got, a)
	}
	if err := stCall(l.t, "RetryJobs", map[string]any{"JobIds": []string{id}}, nil); err != nil {
		return err
	}
	if err := l.awaitRerun(ctx, id, "FAILED", 2, "JOB_FAILED"); err != nil {
		return err
	}
	if err := l.awaitRerun(ctx, id+"/A#0", "FAILED_INTERRUPTED", 2, "TASK_INSTANCE_FAILED_INTERRUPTED"); err != nil {
		return err
	}
	if err := stCall(l.t, "TerminateJob", map[string]any{"JobId": id}, nil); err != nil {
		return err
	}
	if err := l.awaitState(ctx, id+"/A#0", "FAILED"); err != nil {
		return err
	}
	if err := l.settle(ctx, s); err != nil {
		return err
	}
	interrupted := stCat(stFail[:5], []string{"FAILED_INTERRUPTED"})
	a := stCat(interrupted, interrupted[1:], []string{"FAILED"})
	b := stCat(stFail, stFail[1:])
	l.expect(stJob, id, b...)
	l.expect(stTask, id+"/A", a...)
	l.expect(stInstance, id+"/A#0", a...)
	l.expect(stTask, id+"/B", b...)
	l.expect(stInstance, id+"/B#0", b...)
	return nil
}

// scShared: a two-instance task on an env of one node: the instances take
// turns, so when the first ends the second is STARTING at once and the task
// (and the job) go RUNNING -> STARTING (reference §3.2 order).
func (l *stLabT) scShared(ctx context.Context) error {
	const s, es = stScShared, stScEnvShared
	env, estop, err := l.createEnv(ctx, es, l.envBody("st-shared", 1, stImage, nil))
	if err != nil {
		return err
	}
	defer estop()
	id, stop, err := l.submit(ctx, s, l.jobBody("st-shared", []map[string]any{
		stTaskSpec("M", "echo m", stOnEnv(env), stWith("TaskInstanceNum", 2))}, nil), nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	turns := stCat(stSucceed[:5], stSucceed[3:])
	l.expect(stJob, id, turns...)
	l.expect(stTask, id+"/M", turns...)
	l.expect(stInstance, id+"/M#0", stSucceed...)
	l.expect(stInstance, id+"/M#1", stSucceed...)
	return l.settle(ctx, s)
}

// stCvmFailed is the history of an instance (and of its task and job) whose
// anonymous node fails to be created twice: once retried, then FAILED.
var stCvmFailed = []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNABLE", "STARTING", "FAILED"}

// scCvmFailed (emulator convention): an anonymous img-failnode node cannot
// be created; with StateIfCreateCvmFailed FAILED (the default) each failure
// is a failed execution: MaxRetryCount 1 retries it once, then FAILED.
func (l *stLabT) scCvmFailed(ctx context.Context) error {
	return l.scCvm(ctx, stScCvmFail, "st-cvmfailed", "", stWith("MaxRetryCount", 1))
}

// scCvmRunnable (emulator convention): with StateIfCreateCvmFailed RUNNABLE
// the instance waits RUNNABLE and the creation is retried
// ResourceMaxRetryCount (1) times, then FAILED.
func (l *stLabT) scCvmRunnable(ctx context.Context) error {
	return l.scCvm(ctx, stScCvmRun, "st-cvmrunnable", "RUNNABLE", stWith("ResourceMaxRetryCount", 1))
}

func (l *stLabT) scCvm(ctx context.Context, s, name, ifFailed string, opt stTaskOpt) error {
	task := stTaskSpec("A", "echo a", opt, stWith("ComputeEnv", map[string]any{"EnvType": "MANAGED",
		"EnvData": map[string]any{"InstanceType": stInstanceType, "ImageId": "img-failnode"}}))
	body := l.jobBody(name, []map[string]any{task}, nil)
	if ifFailed != "" {
		body["Job"].(map[string]any)["StateIfCreateCvmFailed"] = ifFailed
	}
	id, stop, err := l.submit(ctx, s, body, nil)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	l.expect(stJob, id, stCvmFailed...)
	l.expect(stTask, id+"/A", stCvmFailed...)
	l.expect(stInstance, id+"/A#0", stCvmFailed...)
	return l.settle(ctx, s)
}

// ---- node scenarios that need a fresh environment per attempt ----

// scEnvCreated: the node of a new env (desired 1) is terminated while
// CREATED: its CREATE activity ends FAILED. In time iff that activity did
// not end SUCCEED (the node was not RUNNING yet); a late attempt is
// discarded and repeated with a new env.
func (l *stLabT) scEnvCreated(ctx context.Context) error {
	const s = stScEnvCrtd
	var late []string
	for attempt := 1; ; attempt++ {
		env, stop, err := l.createEnv(ctx, s, l.envBody("st-created", 1, stImage, nil))
		if err != nil {
			return err
		}
		defer stop()
		if err := l.await(ctx, "a CREATED node in "+env, func() bool {
			// CREATED lasts one boot hold: if a slow poller only sees the
			// node RUNNING, the attempt is late (below).
			ns := l.nodesIn(env)
			return len(ns) == 1 && (l.obs.last(ns[0]) == "CREATED" || l.obs.last(ns[0]) == "RUNNING")
		}); err != nil {
			return err
		}
		node := l.nodesIn(env)[0]
		if err := stCall(l.tgt(s), "TerminateComputeNode", map[string]any{"EnvId": env, "ComputeNodeId": stNodeID(node)}, nil); err != nil {
			return err
		}
		if err := l.await(ctx, "node "+node+" terminated", l.activityEnded(env, node, "TERMINATE_COMPUTE_NODE")); err != nil {
			return err
		}
		if err := l.settle(ctx, s); err != nil {
			return err
		}
		if l.obs.count(node, "RUNNING") > 0 || l.activityEnded(env, node, "CREATE_COMPUTE_NODE", "SUCCEED")() {
			l.obs.forget(stNodeID(node))
			late = append(late, fmt.Sprintf("%s was terminated after it became RUNNING", node))
			l.fact(s+".late", late)
			if attempt == stAttempts {
				return fmt.Errorf("TerminateComputeNode came too late %d times: %s", attempt, strings.Join(late, "; "))
			}
			continue
		}
		l.expect(stNode, node, "SUBMITTED", "CREATING", "CREATED", "DELETING")
		l.activityExpect(env, node, []string{"SUBMITTED", "PROCESSING", "FAILED"}, []string{"SUBMITTED", "PROCESSING", "SUCCEED"})
		return nil
	}
}

// scEnvAbnormalTerminate (emulator convention): an img-abnormal node is
// terminated while ABNORMAL (before its recovery); a late attempt (the node
// had recovered) is discarded and repeated with a new env.
func (l *stLabT) scEnvAbnormalTerminate(ctx context.Context) error {
	const s = stScEnvAbnT
	var late []string
	for attempt := 1; ; attempt++ {
		env, stop, err := l.createEnv(ctx, s, l.envBody("st-abnterm", 1, "img-abnormal", nil))
		if err != nil {
			return err
		}
		defer stop()
		abnormal := l.nodeEventCount(env, "COMPUTE_NODE_ABNORMAL")
		if err := l.await(ctx, "an ABNORMAL node in "+env, func() bool {
			ns := l.nodesIn(env)
			// If the poller missed the ABNORMAL window (one hold), the
			// notification says it came: the attempt is late (below).
			return len(ns) == 1 && (l.obs.last(ns[0]) == "ABNORMAL" || abnormal(ns[0]) > 0)
		}); err != nil {
			return err
		}
		node := l.nodesIn(env)[0]
		var de stDescribeEnv
		if err := stCall(l.tgt(s), "DescribeComputeEnv", map[string]any{"EnvId": env}, &de); err != nil {
			return err
		}
		before := ""
		for _, n := range de.ComputeNodeSet {
			if n.ComputeNodeId == stNodeID(node) {
				before = n.ComputeNodeState
			}
		}
		if before == "ABNORMAL" {
			if err := stCall(l.tgt(s), "TerminateComputeNode", map[string]any{"EnvId": env, "ComputeNodeId": stNodeID(node)}, nil); err != nil {
				return err
			}
			if err := l.await(ctx, "node "+node+" terminated", l.activityEnded(env, node, "TERMINATE_COMPUTE_NODE")); err != nil {
				return err
			}
			if err := l.settle(ctx, s); err != nil {
				return err
			}
		}
		// Late if the node recovered before the termination: a second
		// RUNNING (polled, or notified when a poll missed the first).
		recovered := l.obs.count(node, "RUNNING") > 1
		if evs, err := l.t.Events(env, "COMPUTE_NODE_RUNNING"); err == nil {
			n := 0
			for _, ev := range evs {
				if ev.NodeID == stNodeID(node) {
					n++
				}
			}
			recovered = recovered || n > 1
		}
		if before != "ABNORMAL" || recovered {
			l.obs.forget(stNodeID(node))
			late = append(late, fmt.Sprintf("%s had recovered (%s) before TerminateComputeNode", node, before))
			l.fact(s+".late", late)
			if attempt == stAttempts {
				return fmt.Errorf("TerminateComputeNode came too late %d times: %s", attempt, strings.Join(late, "; "))
			}
			continue
		}
		l.expect(stNode, node, "SUBMITTED", "CREATING", "CREATED", "RUNNING", "ABNORMAL", "DELETING")
		l.activityExpect(env, node, []string{"SUBMITTED", "PROCESSING", "SUCCEED"}, []string{"SUBMITTED", "PROCESSING", "SUCCEED"})
		return nil
	}
}

// nodeEventCount returns a function counting the notifications name
// recorded (admin API; emulator only) for a node (key env/node) of env. It
// asks the emulator at most every 50 ms, since waits call it every 5 ms.
func (l *stLabT) nodeEventCount(env, name string) func(nodeKey string) int {
	var last time.Time
	counts := map[string]int{}
	return func(nodeKey string) int {
		if time.Since(last) >= 50*time.Millisecond {
			last = time.Now()
			if evs, err := l.t.Events(env, name); err == nil {
				counts = map[string]int{}
				for _, ev := range evs {
					counts[ev.NodeID]++
				}
			}
		}
		return counts[stNodeID(nodeKey)]
	}
}

// activityEnded reports whether an activity of type typ of the node was
// observed in one of ends (default: SUCCEED or FAILED).
func (l *stLabT) activityEnded(env, node, typ string, ends ...string) func() bool {
	if len(ends) == 0 {
		ends = []string{"SUCCEED", "FAILED"}
	}
	return func() bool {
		for _, a := range l.activitiesOf(env, stNodeID(node)) {
			if n := len(a.States); strings.HasPrefix(a.Label, typ+" ") && n > 0 && stIn(a.States[n-1], ends) {
				return true
			}
		}
		return false
	}
}
