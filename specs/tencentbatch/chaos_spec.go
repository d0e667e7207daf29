package tencentbatch

// Specs of the items that only a failing backend dependency (or the service
// itself) can cause (catalog: Unprovokable). No client request provokes
// them, so on a live target they stay unprovokable (the specs skip);
// against the emulator, chaos (admin API) makes the dependency fail and the
// shared check (harness.CheckOutage) asserts the action answers the
// documented code in the documented envelope, once, and then serves the
// action again.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Tencent Batch backend-dependency errors (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	harness.ItOutages(harness.OutageSpecs{Catalog: cat, Dialect: Dialect, Service: chaos.ServiceTencentBatch,
		AnyAction: "DescribeJobs", // a protocol item: any action shows it
		Status:    func(string) int { return 200 },
		Title: func(action, code string, _ int) string {
			return fmt.Sprintf("%s answers %s when its backend fails", action, code)
		},
		Send: func(nt *harness.Target, action string) harness.OutageAnswer {
			return harness.API3Answer(nt.Raw(harness.RawRequest{Action: action}))
		}})
})

// A compute node that dies mid-task is a failure like any other: with
// MaxRetryCount left the instance is queued again (RUNNING -> RUNNABLE) and
// its next attempt runs to SUCCEED.
var _ = Describe("Tencent Batch instance whose node dies (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	item := fixtures.MakeID(Dialect, "task-instance", fixtures.KindTransition, "RUNNING->RUNNABLE")
	harness.It("an instance whose node dies mid-task is retried (RUNNING -> RUNNABLE) and succeeds", harness.Items(item), func() {
		t := harness.T(Dialect)
		t.RequireEmulator()
		nt := t.NewTenant(harness.TenantConfig{})
		Expect(nt.KillInstances(1)).To(Succeed())
		job := prJob(nt, "chaos-die", "exit 0")
		task := job["Job"].(map[string]any)["Tasks"].([]any)[0].(map[string]any)
		task["MaxRetryCount"] = 1
		env, err := nt.Raw(harness.RawRequest{Action: "SubmitJob", Body: prMarshal(job)})
		prAccepted(env, err, "SubmitJob")
		var jobID string
		Expect(json.Unmarshal(env.Response["JobId"], &jobID)).To(Succeed(), "SubmitJob JobId: %s", env.Body)
		DeferCleanup(func() { prDeleteJobs(nt, []string{jobID}) })
		harness.Check(item)
		var seen []string
		var last map[string]any
		Eventually(func() string {
			harness.StopIfStalled(nt) // a breaker's precondition ends the wait
			env, err := nt.Raw(harness.RawRequest{Action: "DescribeTask", Body: []byte(`{"JobId":"` + jobID + `","TaskName":"A"}`)})
			if err != nil || env.Error != nil {
				return ""
			}
			var set []map[string]any
			if json.Unmarshal(env.Response["TaskInstanceSet"], &set) != nil || len(set) != 1 {
				return ""
			}
			last = set[0]
			st, _ := last["TaskInstanceState"].(string)
			if len(seen) == 0 || seen[len(seen)-1] != st {
				seen = append(seen, st)
			}
			return st
		}).WithTimeout(90 * time.Second).WithPolling(nt.PollInterval()).Should(Or(Equal("SUCCEED"), Equal("FAILED")))
		harness.Evidence(map[string]any{"job": jobID, "instance_states": seen, "instance": last})
		Expect(last["TaskInstanceState"]).To(Equal("SUCCEED"), "one node death with MaxRetryCount 1 ends in SUCCEED; seen %v", seen)
		Expect(strings.Join(seen, " ")).To(ContainSubstring("RUNNING RUNNABLE"),
			"the attempt on the dead node went RUNNING -> RUNNABLE; seen %v", seen)
	})
})
