package alibatch

// Specs of the items that only a failure of the service's own backend can
// cause (catalog: Unprovokable; reference §A.3 documents 500 InternalError).
// On a live target they stay unprovokable (the specs skip); against the
// emulator, chaos fails one request of a tenant of the spec's own and the
// check shared with the other dialects (harness.CheckOutage) asserts the
// documented status, code and ACS error shape, then that the next request
// is served.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// acsAnswer reads an ACS answer for harness.CheckOutage.
func acsAnswer(r *acs.Response) harness.OutageAnswer {
	a := harness.OutageAnswer{Status: r.Status, RequestID: r.RequestID, Body: string(r.Body)}
	if e := r.Err(); e != nil {
		a.Code, a.Message = e.Code, e.Message
		a.Shape = errorShape(r)
	}
	return a
}

var _ = Describe("Alibaba BatchCompute backend failures (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	if !selected() {
		return
	}
	// The outage is sent as a bodiless GET without path variables.
	sendable := func(op string) *fixtures.Action {
		a, ok := cat.Action(op)
		if !ok || a.Method != http.MethodGet || strings.Contains(a.Path, "{") {
			panic("alibatch: chaos spec cannot send operation " + op)
		}
		return a
	}
	for _, b := range harness.BackendItems(cat) {
		if b.Action != "" {
			sendable(b.Action)
		}
	}
	harness.ItOutages(harness.OutageSpecs{Catalog: cat, Dialect: Dialect, Service: chaos.ServiceAliBatch,
		AnyAction: "ListClusters", // a protocol item: any operation shows it
		Status:    func(code string) int { return cat.ErrorCodes[code].Status },
		Title: func(op, code string, status int) string {
			return fmt.Sprintf("%s answers %d %s when the service fails", op, status, code)
		},
		Send: func(nt *harness.Target, op string) harness.OutageAnswer {
			a := sendable(op)
			return acsAnswer(send(nt, a.Method, a.Path, nil, acs.Options{}))
		}})
})

// A cluster VM that dies mid-task fails the attempt like any failure: with
// MaxRetryCount 1 and two deaths, the instance is retried once and then
// moves Running -> Failed with RetryCount 1 and the reason in its Result.
var _ = Describe("Alibaba BatchCompute instance whose VM dies (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	if !selected() {
		return
	}
	item := id("instance", fixtures.KindTransition, "Running->Failed")
	harness.It("an instance whose VM dies on every attempt fails after MaxRetryCount retries", harness.Items(item), func() {
		t := harness.T(Dialect)
		t.RequireEmulator()
		nt := t.NewTenant(harness.TenantConfig{})
		w := newWorld(nt, "die")
		w.deleteJob(w.jobID) // the world's own job must not meet the deaths
		Expect(nt.KillInstances(2)).To(Succeed())
		b := generators.CloneMap(w.bodies["CreateJob"])
		b["Name"] = nt.Name("chaos-die", 64)
		dag := generators.CloneMap(b["DAG"].(map[string]any))
		task := generators.CloneMap(dag["Tasks"].(map[string]any)["A"].(map[string]any))
		task["MaxRetryCount"] = 1
		dag["Tasks"] = map[string]any{"A": task}
		delete(dag, "Dependencies")
		b["DAG"] = dag
		r := callJSON(nt, "CreateJob", nil, nil, b)
		expectOK(r, "CreateJob", nil)
		jobID := idOf(r)
		DeferCleanup(func() { w.deleteJob(jobID) })
		harness.Check(item)
		var inst struct {
			State      string
			RetryCount int
			Result     struct{ ErrorMessage string }
		}
		var seen []string
		poll(nt, 90*time.Second, "instance 0 of task A ends", func() bool {
			r := callJSON(nt, "GetInstance", map[string]string{"JobId": jobID, "TaskName": "A", "InstanceId": "0"}, nil, nil)
			if r.Status != 200 || json.Unmarshal(r.Body, &inst) != nil {
				return false
			}
			if len(seen) == 0 || seen[len(seen)-1] != inst.State {
				seen = append(seen, inst.State)
			}
			return terminal(inst.State)
		})
		harness.Evidence(map[string]any{"job": jobID, "instance_states": seen, "instance": inst})
		Expect(inst.State).To(Equal("Failed"), "two VM deaths exhaust MaxRetryCount 1; seen %v", seen)
		Expect(inst.RetryCount).To(Equal(1), "the instance was retried once")
		Expect(inst.Result.ErrorMessage).NotTo(BeEmpty(), "a failed instance says why")
		Expect(seen).To(ContainElement("Running"), "the instance ran before its VM died; seen %v", seen)
		Expect(jobState(nt, jobID)).To(Equal("Failed"), "JobFailOnInstanceFail: the job fails with its instance")
	})
})
