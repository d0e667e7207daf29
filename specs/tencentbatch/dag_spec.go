package tencentbatch

// The DAG order judged by what the endpoint records, not by what polling
// happens to observe: a downstream instance's LaunchTime is not before its
// upstream instance's EndTime, and after an upstream failure (the default
// TaskExecutionDependOn, PRE_TASK_SUCCEED) the downstream instance fails
// without ever being launched. Timestamps make this hold behind any latency.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// dagJobs are the container's two jobs, run to their end: ok's A sleeps
// 2 s (timestamps have a resolution of a second, so a B launched before A
// ended shows an earlier LaunchTime), bad's A fails.
type dagJobs struct{ ok, bad string }

// dagBackground runs the jobs from the suite's start against the embedded
// emulator (harness.NewBackground): their 3 s of waiting overlap the other
// specs instead of adding to the run.
var dagBackground = harness.NewBackground(Dialect, "Tencent Batch DAG jobs", dagRun)

// dagRun submits the two jobs and waits for both to end. It returns the IDs
// of what it submitted even on error, so the caller deletes them.
func dagRun(t *harness.Target) (dagJobs, error) {
	var out dagJobs
	submit := func(name, upstream string) (string, error) {
		body := prMarshal(map[string]any{
			"Placement": map[string]any{"Zone": t.Zone},
			"Job": map[string]any{"JobName": t.Name(name, 60),
				"Tasks":       []any{prTask("A", upstream, t.Zone), prTask("B", "echo b", t.Zone)},
				"Dependences": []any{map[string]any{"StartTask": "A", "EndTask": "B"}}},
		})
		env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Body: body})
		if err != nil {
			return "", fmt.Errorf("SubmitJob %s: %w", name, err)
		}
		var id string
		if env.Error != nil || json.Unmarshal(env.Response["JobId"], &id) != nil || id == "" {
			return "", fmt.Errorf("SubmitJob %s: refused: %s", name, prShow(env.Body))
		}
		return id, nil
	}
	var err error
	if out.ok, err = submit("dag-ok", "sleep 2"); err != nil {
		return out, err
	}
	if out.bad, err = submit("dag-fail", "exit 1"); err != nil {
		return out, err
	}
	for _, id := range []string{out.ok, out.bad} {
		if err := dagAwaitEnd(t, id); err != nil {
			return out, err
		}
	}
	return out, nil
}

// dagAwaitEnd polls a job until it is SUCCEED or FAILED, with
// rulesWaitJob's bounds (30 s; on the emulator, rulesNoMove without a new
// state), without Gomega: it may run outside a spec.
func dagAwaitEnd(t *harness.Target, jobID string) error {
	last, since, end := "", time.Now(), time.Now().Add(30*time.Second)
	for {
		if err := t.Stalled(); err != nil {
			return err
		}
		st := prJobState(t, jobID)
		t.ObserveKindState("job", jobID, st)
		if st == "SUCCEED" || st == "FAILED" {
			return nil
		}
		if st != last {
			last, since = st, time.Now()
		} else if t.Emulator && time.Since(since) >= rulesNoMove {
			return fmt.Errorf("job %s stayed %s for %v (no move) waiting for its end", jobID, st, time.Since(since).Round(time.Second))
		}
		if time.Now().After(end) {
			return fmt.Errorf("job %s did not end within 30s (last %q)", jobID, st)
		}
		time.Sleep(t.PollInterval())
	}
}

// It runs after the unprioritised containers (SpecPriority -1, as the fuzz
// pass): its jobs, started with the suite, have had the run to end by then.
var _ = Describe("Tencent Batch DAG order", Ordered, SpecPriority(-1), func() {
	runnable := id("task-instance", fixtures.KindTransition, "PENDING->RUNNABLE")
	failed := id("task-instance", fixtures.KindTransition, "PENDING->FAILED")
	var (
		t       *harness.Target
		ok, bad string
	)

	BeforeAll(func() {
		t = harness.T(Dialect)
		jobs, err := dagBackground.Result(context.Background(), t)
		DeferCleanup(rulesDeleteJob, t, jobs.ok)
		DeferCleanup(rulesDeleteJob, t, jobs.bad)
		Expect(err).NotTo(HaveOccurred(), "the DAG jobs run to their end")
		ok, bad = jobs.ok, jobs.bad
	})

	instance := func(job, task string) stTaskInstance {
		GinkgoHelper()
		var dt stDescribeTask
		Expect(stCall(t, "DescribeTask", map[string]any{"JobId": job, "TaskName": task}, &dt)).To(Succeed())
		Expect(dt.TaskInstanceSet).To(HaveLen(1), "job %s task %s has one instance", job, task)
		return dt.TaskInstanceSet[0]
	}

	harness.It("launches a downstream task only after its upstream task ended SUCCEED", harness.Items(runnable), func() {
		harness.Check(runnable)
		a, b := instance(ok, "A"), instance(ok, "B")
		Expect([]string{a.TaskInstanceState, b.TaskInstanceState}).To(Equal([]string{"SUCCEED", "SUCCEED"}), "job %s: A (sleep 2) and then B succeed", ok)
		aEnd, bLaunch := dagTime("A's EndTime", a.EndTime), dagTime("B's LaunchTime", b.LaunchTime)
		Expect(bLaunch).NotTo(BeTemporally("<", aEnd), "job %s: B was launched at %v, before its upstream A ended at %v", ok, bLaunch, aEnd)
	})

	harness.It("fails a downstream task without launching it when its upstream task failed", harness.Items(failed), func() {
		harness.Check(failed)
		b := instance(bad, "B")
		Expect(b.TaskInstanceState).To(Equal("FAILED"), "job %s: B fails when its upstream A fails (PRE_TASK_SUCCEED)", bad)
		Expect(b.LaunchTime).To(BeNil(), "job %s: B must never be launched after its upstream A failed", bad)
	})
})

// dagTime parses a documented response time that must be set.
func dagTime(what string, s *string) time.Time {
	GinkgoHelper()
	Expect(s).NotTo(BeNil(), "%s is set", what)
	v, err := time.Parse(fixtures.TimeLayout, *s)
	Expect(err).NotTo(HaveOccurred(), "%s %q", what, *s)
	return v
}
