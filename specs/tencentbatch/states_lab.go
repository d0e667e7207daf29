package tencentbatch

// The lab's scenarios. Each provokes documented transitions (reference §3)
// and registers the exact histories the emulator must show; they run
// concurrently, so the whole lab takes about as long as its longest
// scenario (~2.5 s against the emulator).

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

// run runs every scenario concurrently and waits for all of them.
func (l *stLabT) run() {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout+5*time.Second)
	defer cancel()
	scens := map[string]func(context.Context) error{
		stScDAG: l.scDAG, stScRetry: l.scRetry, stScDAGFail: l.scDAGFailRetry, stScInterr: l.scInterrupt,
		stScTimeout: l.scTimeout, stScPending: l.scPending, stScRunnable: l.scRunnable, stScSubmit: l.scSubmitted,
		stScStarting: l.scStarting, stScNodeLost: l.scNodeLost, stScLogs: l.scLogs, stScEnvMain: l.scEnvMain,
		stScEnvPage: l.scEnvPaging,
	}
	if l.t.Emulator {
		// The emulator's convention for failing nodes (engine.ImageCreationFailed,
		// engine.ImageAbnormal): a client cannot make a real CVM fail.
		scens[stScEnvFail] = l.scEnvFail
		scens[stScEnvAbn] = l.scEnvAbnormal
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
	l.mu.Lock()
	jobs := append([]string(nil), l.cleanJob...)
	envs := append([]string(nil), l.cleanEnv...)
	l.mu.Unlock()
	deadline := time.Now().Add(l.timeout)
	var wg sync.WaitGroup
	for _, id := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			terminated := false
			tick := time.NewTicker(l.t.PollInterval())
			defer tick.Stop()
			for time.Now().Before(deadline) {
				var dj stDescribeJob
				err := stCall(l.t, "DescribeJob", map[string]any{"JobId": id}, &dj)
				if err != nil && stNotFound(err) {
					return
				}
				if err == nil {
					switch dj.JobState {
					case "SUCCEED", "FAILED":
						if stCall(l.t, "DeleteJob", map[string]any{"JobId": id}, nil) == nil {
							return
						}
					case "SUBMITTED":
					default:
						if !terminated {
							terminated = stCall(l.t, "TerminateJob", map[string]any{"JobId": id}, nil) == nil
						}
					}
				}
				<-tick.C
			}
			ginkgo.GinkgoWriter.Printf("cleanup: job %s not deleted before the deadline\n", id)
		}()
	}
	wg.Wait()
	for _, id := range envs {
		if err := stCall(l.t, "DeleteComputeEnv", map[string]any{"EnvId": id}, nil); err != nil && !stNotFound(err) &&
			!strings.HasPrefix(stCode(err), "UnsupportedOperation") {
			ginkgo.GinkgoWriter.Printf("cleanup: env %s: %v\n", id, err)
		}
	}
}

// ---- job scenarios ----

// scDAG: A → B, both succeed; a DeleteJob while RUNNING must be refused.
func (l *stLabT) scDAG(ctx context.Context) error {
	const s = stScDAG
	deps := [][2]string{{"A", "B"}}
	id, stop, err := l.submit(ctx, s, l.jobBody("st-dag", []map[string]any{stTaskSpec("A", "echo a"), stTaskSpec("B", "echo b")}, deps), deps)
	if err != nil {
		return err
	}
	defer stop()
	if err := l.awaitState(ctx, id, "RUNNING"); err != nil {
		return err
	}
	derr := stCall(l.t, "DeleteJob", map[string]any{"JobId": id}, nil)
	l.fact(s+".delete-while-running", derr)
	if derr == nil {
		return fmt.Errorf("DeleteJob of RUNNING job %s was accepted and the job deleted (reference §3.1: the job and all its instances must be finished)", id)
	}
	if err := l.awaitState(ctx, id, "SUCCEED", "FAILED"); err != nil {
		return err
	}
	for _, k := range []string{id + "/A", id + "/B"} {
		l.expect(stTask, k, stSucceed...)
		l.expect(stInstance, k+"#0", stSucceed...)
	}
	l.expect(stJob, id, stSucceed...)
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
	l.expect(stJob, id, stFail...)
	l.expect(stTask, id+"/A", stFail...)
	l.expect(stInstance, id+"/A#0", "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "RUNNABLE", "STARTING", "RUNNING", "FAILED")
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
		if err := l.awaitCount(ctx, j, "FAILED", 2); err != nil {
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
// hold) is discarded and repeated; three late attempts fail the scenario.
const stAttempts = 3

// instanceState reads task A's instance 0 now.
func (l *stLabT) instanceState(jobID string) string {
	var dt stDescribeTask
	if err := stCall(l.t, "DescribeTask", map[string]any{"JobId": jobID, "TaskName": "A"}, &dt); err != nil || len(dt.TaskInstanceSet) == 0 {
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
			if err := l.awaitState(ctx, id+key, state); err != nil {
				stop()
				return err
			}
		}
		body := map[string]any{"JobId": id}
		if action == "TerminateTaskInstance" {
			body["TaskName"], body["TaskInstanceIndex"] = "A", 0
		}
		if err := stCall(l.t, action, body, nil); err != nil {
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
			l.expect(stJob, id, want...)
			l.expect(stTask, id+"/A", want...)
			l.expect(stInstance, id+"/A#0", want...)
			err = l.settle(ctx, s)
		}
		stop()
		return err
	}
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
		if err := l.awaitState(ctx, id+"/A#0", "STARTING"); err != nil {
			stop()
			return err
		}
		if err := stCall(l.t, "TerminateComputeNode", map[string]any{"EnvId": env, "ComputeNodeId": stNodeID(node)}, nil); err != nil {
			stop()
			return err
		}
		if now := l.instanceState(id); now != "STARTING" && now != "RUNNABLE" {
			// Too late: the command was already RUNNING. Discard the job and
			// boot another node.
			_ = stCall(l.t, "TerminateJob", map[string]any{"JobId": id}, nil)
			stop()
			l.obs.forget(id)
			late = append(late, fmt.Sprintf("%s: the node was lost with the instance %s", id, now))
			l.fact(s+".late", late)
			if attempt == stAttempts {
				return fmt.Errorf("TerminateComputeNode came too late %d times: %s", attempt, strings.Join(late, "; "))
			}
			if err := stCall(l.t, "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 1}, nil); err != nil {
				return err
			}
			continue
		}
		defer stop()
		if err := l.awaitCount(ctx, id+"/A#0", "RUNNABLE", 2); err != nil {
			return err
		}
		if err := stCall(l.t, "TerminateJob", map[string]any{"JobId": id}, nil); err != nil {
			return err
		}
		if err := l.awaitState(ctx, id, "FAILED", "SUCCEED"); err != nil {
			return err
		}
		if err := l.awaitState(ctx, node, "DELETING"); err != nil {
			return err
		}
		l.expect(stJob, id, "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "FAILED")
		l.expect(stTask, id+"/A", "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "FAILED")
		l.expect(stInstance, id+"/A#0", "SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNABLE", "FAILED")
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

// scEnvMain: one node boots; a scale-out adds a second, terminated while
// CREATED; a scale-in to 0 deletes the first; then the env is deleted.
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
	termDone := func(node string) func() bool {
		return func() bool {
			for _, a := range l.activitiesOf(env, stNodeID(node)) {
				if strings.HasPrefix(a.Label, "TERMINATE_COMPUTE_NODE ") && len(a.States) > 0 && a.States[len(a.States)-1] == "SUCCEED" {
					return true
				}
			}
			return false
		}
	}
	var late []string
	for attempt := 1; ; attempt++ {
		if err := stCall(l.t, "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 2}, nil); err != nil {
			return err
		}
		l.fact(s+".desired-after-scale-out", l.desired(env))
		created := func() string {
			for _, n := range l.nodesIn(env) {
				if n != node1 && l.obs.last(n) == "CREATED" {
					return n
				}
			}
			return ""
		}
		if err := l.await(ctx, "a second node CREATED in "+env, func() bool { return created() != "" }); err != nil {
			return err
		}
		node2 := created()
		if err := stCall(l.t, "TerminateComputeNode", map[string]any{"EnvId": env, "ComputeNodeId": stNodeID(node2)}, nil); err != nil {
			return err
		}
		l.fact(s+".desired-after-terminate", l.desired(env))
		// In time iff the node was still CREATED: its CREATE activity then
		// ends FAILED (a RUNNING node's ended SUCCEED).
		var da struct{ ActivitySet []stActivityView }
		if err := stCall(l.t, "DescribeComputeEnvActivities", map[string]any{"EnvId": env, "Limit": 100}, &da); err != nil {
			return err
		}
		createState := ""
		for _, a := range da.ActivitySet {
			if a.ComputeNodeId == stNodeID(node2) && a.ComputeNodeActivityType == "CREATE_COMPUTE_NODE" {
				createState = a.ActivityState
			}
		}
		if err := l.await(ctx, "node "+node2+" terminated", termDone(node2)); err != nil {
			return err
		}
		if createState == "SUCCEED" {
			l.obs.forget(stNodeID(node2))
			late = append(late, fmt.Sprintf("%s was terminated after it became RUNNING", node2))
			l.fact(s+".late", late)
			if attempt == stAttempts {
				return fmt.Errorf("TerminateComputeNode came too late %d times: %s", attempt, strings.Join(late, "; "))
			}
			continue
		}
		l.expect(stNode, node2, "SUBMITTED", "CREATING", "CREATED", "DELETING")
		l.activityExpect(env, node2, []string{"SUBMITTED", "PROCESSING", "FAILED"}, []string{"SUBMITTED", "PROCESSING", "SUCCEED"})
		break
	}
	if err := stCall(l.t, "ModifyComputeEnv", map[string]any{"EnvId": env, "DesiredComputeNodeCount": 0}, nil); err != nil {
		return err
	}
	l.fact(s+".desired-after-scale-in", l.desired(env))
	if err := l.await(ctx, "node "+node1+" terminated by the scale-in", termDone(node1)); err != nil {
		return err
	}
	if err := stCall(l.t, "DeleteComputeEnv", map[string]any{"EnvId": env}, nil); err != nil {
		return err
	}
	if err := l.await(ctx, "env "+env+" to disappear", func() bool { _, ok := l.getFact(s + ".gone"); return ok }); err != nil {
		return err
	}
	l.expect(stNode, node1, "SUBMITTED", "CREATING", "CREATED", "RUNNING", "DELETING")
	l.activityExpect(env, node1, []string{"SUBMITTED", "PROCESSING", "SUCCEED"}, []string{"SUBMITTED", "PROCESSING", "SUCCEED"})
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

// scEnvFail (emulator convention): every node of an img-failnode env fails
// to be created; with ResourceMaxRetryCount 1 the first is replaced once
// (RECREATE), the replacement stays CREATION_FAILED until the env is deleted.
func (l *stLabT) scEnvFail(ctx context.Context) error {
	const s = stScEnvFail
	env, stop, err := l.createEnv(ctx, s, l.envBody("st-failnode", 1, "img-failnode", map[string]any{"ResourceMaxRetryCount": 1}))
	if err != nil {
		return err
	}
	defer stop()
	if err := l.await(ctx, "two CREATION_FAILED nodes in "+env, func() bool {
		ns := l.nodesIn(env)
		return len(ns) == 2 && l.obs.last(ns[1]) == "CREATION_FAILED" && l.obs.last(ns[0]) == "DELETING"
	}); err != nil {
		return err
	}
	if err := stCall(l.t, "DeleteComputeEnv", map[string]any{"EnvId": env}, nil); err != nil {
		return err
	}
	if err := l.await(ctx, "env "+env+" to disappear", func() bool { _, ok := l.getFact(s + ".gone"); return ok }); err != nil {
		return err
	}
	// The env disappears with its last node, so the TERMINATE activity of
	// that node cannot be seen to end; the RECREATE's one can.
	for i, n := range l.nodesIn(env) {
		l.expect(stNode, n, "SUBMITTED", "CREATING", "CREATION_FAILED", "DELETING")
		var term []string
		if i == 0 {
			term = []string{"SUBMITTED", "PROCESSING", "SUCCEED"}
		}
		l.activityExpect(env, n, []string{"SUBMITTED", "PROCESSING", "FAILED"}, term)
	}
	return nil
}

// scEnvAbnormal (emulator convention): an img-abnormal node goes ABNORMAL
// once RUNNING; with ResourceMaxRetryCount 0 it stays so until deleted.
func (l *stLabT) scEnvAbnormal(ctx context.Context) error {
	const s = stScEnvAbn
	env, stop, err := l.createEnv(ctx, s, l.envBody("st-abnormal", 1, "img-abnormal", map[string]any{"ResourceMaxRetryCount": 0}))
	if err != nil {
		return err
	}
	defer stop()
	if err := l.await(ctx, "an ABNORMAL node in "+env, func() bool {
		ns := l.nodesIn(env)
		return len(ns) == 1 && l.obs.last(ns[0]) == "ABNORMAL"
	}); err != nil {
		return err
	}
	if err := stCall(l.t, "DeleteComputeEnv", map[string]any{"EnvId": env}, nil); err != nil {
		return err
	}
	if err := l.await(ctx, "env "+env+" to disappear", func() bool { _, ok := l.getFact(s + ".gone"); return ok }); err != nil {
		return err
	}
	for _, n := range l.nodesIn(env) {
		l.expect(stNode, n, "SUBMITTED", "CREATING", "CREATED", "RUNNING", "ABNORMAL", "DELETING")
		l.activityExpect(env, n, []string{"SUBMITTED", "PROCESSING", "SUCCEED"}, nil)
	}
	return nil
}
