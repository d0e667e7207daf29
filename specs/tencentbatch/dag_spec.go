package tencentbatch

// The DAG order judged by what the endpoint records, not by what polling
// happens to observe: a downstream instance's LaunchTime is not before its
// upstream instance's EndTime, and after an upstream failure (the default
// TaskExecutionDependOn, PRE_TASK_SUCCEED) the downstream instance fails
// without ever being launched. Timestamps make this hold behind any latency.

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Tencent Batch DAG order", Ordered, func() {
	runnable := id("task-instance", fixtures.KindTransition, "PENDING->RUNNABLE")
	failed := id("task-instance", fixtures.KindTransition, "PENDING->FAILED")
	var (
		t       *harness.Target
		ok, bad string
	)

	BeforeAll(func() {
		t = harness.T(Dialect)
		submit := func(name, upstream string) string {
			return actionsSubmit(t, map[string]any{
				"Placement": map[string]any{"Zone": t.Zone},
				"Job": map[string]any{"JobName": t.Name(name, 60),
					"Tasks":       []any{prTask("A", upstream, t.Zone), prTask("B", "echo b", t.Zone)},
					"Dependences": []any{map[string]any{"StartTask": "A", "EndTask": "B"}}},
			})
		}
		ok, bad = submit("dag-ok", "sleep 2"), submit("dag-fail", "exit 1")
		rulesWaitJob(t, ok, "SUCCEED", "FAILED")
		rulesWaitJob(t, bad, "SUCCEED", "FAILED")
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
