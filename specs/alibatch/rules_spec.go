package alibatch

// One spec per parameter rule of the catalog, generated when the tree is
// built: the action's valid request (generators.RESTGenerator.Valid, from the
// curated bodies) is accepted, and each request that differs from it by
// exactly that rule broken (both bounds of a range) is refused with HTTP 400
// and the rule's documented code and message ({key} filled with the request's
// keys). The error items whose Provoke.Rules name the rule are checked by the
// same requests.

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// errorsByRule maps a rule ID to the error items it provokes.
var errorsByRule = func() map[string][]string {
	m := map[string][]string{}
	for _, e := range cat.Errors {
		for _, r := range e.Provoke.Rules {
			m[r] = append(m[r], e.ID)
		}
	}
	return m
}()

// stateful actions may refuse the valid baseline for the resource's state
// (409) or existence: rules are checked before both.
var baselineMayConflict = map[string]bool{"ChangeJobPriority": true, "ChangeClusterDesiredVMCount": true}

type baseline struct {
	req  generators.RESTRequest
	resp *acs.Response
}

func (b *baseline) accepted(action string) error {
	a, _ := cat.Action(action)
	if b.resp.Status == a.Status || (baselineMayConflict[action] && b.resp.Status == 409) {
		return nil
	}
	return fmt.Errorf("%s: the valid request got %d: %s", action, b.resp.Status, b.resp.Body)
}

var _ = Describe("Alibaba BatchCompute parameter rules", Ordered, ContinueOnFailure, func() {
	if !selected() {
		return
	}
	var (
		t         *harness.Target
		w         *world
		baselines map[string]*baseline
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		w = newWorld(t, "rules")
		baselines = map[string]*baseline{}
		for _, r := range cat.Rules {
			if baselines[r.Action] != nil {
				continue
			}
			req, err := w.gen.Valid(r.Action)
			Expect(err).NotTo(HaveOccurred())
			resp := call(t, req)
			if id := idOf(resp); id != "" && r.Action == "CreateJob" {
				DeferCleanup(func() { w.deleteJob(id) })
			}
			if id := idOf(resp); id != "" && r.Action == "CreateCluster" {
				DeferCleanup(func() { callJSON(t, "DeleteCluster", map[string]string{"ClusterId": id}, nil, nil) })
			}
			baselines[r.Action] = &baseline{req: req, resp: resp}
		}
	})

	for i := range cat.Rules {
		r := cat.Rules[i]
		items := append([]string{r.ID}, errorsByRule[r.ID]...)
		harness.It(r.ID, harness.Items(items...), func() {
			b := baselines[r.Action]
			harness.Check(r.ID)
			Expect(b.accepted(r.Action)).To(Succeed(), "the valid request must pass before one rule is broken")
			cases, err := w.gen.Violations(r, b.req)
			Expect(err).NotTo(HaveOccurred(), "generators cannot break %s", r.ID)
			for _, c := range cases {
				for _, e := range errorsByRule[r.ID] {
					harness.Check(e)
				}
				resp := call(t, c.Request)
				if id := idOf(resp); id != "" {
					// A violation that was accepted made a resource: remove it.
					cleanupCreated(t, r.Action, id)
				}
				expectError(resp, 400, c.Code, c.Message)
			}
		})
	}
})

// cleanupCreated deletes what an accepted create made.
func cleanupCreated(t *harness.Target, action, id string) {
	switch action {
	case "CreateJob":
		callJSON(t, "StopJob", map[string]string{"JobId": id}, nil, nil)
		DeferCleanup(func() { callJSON(t, "DeleteJob", map[string]string{"JobId": id}, nil, nil) })
	case "CreateCluster":
		callJSON(t, "DeleteCluster", map[string]string{"ClusterId": id}, nil, nil)
	case "CreateImage":
		callJSON(t, "DeleteImage", map[string]string{"ImageId": id}, nil, nil)
	}
}
