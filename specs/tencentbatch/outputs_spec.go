package tencentbatch

// Output items (catalog Outputs, kind schema): documented enumerations of
// response fields and documented conditions on them (a finished task
// instance reports no ComputeNodeInstanceId), checked on every response of
// every action that carries the field; and the consistency of each listed
// resource's list view with its single view and with what was created.
//
// Every response any spec of the run receives is checked (a harness response
// observer), so a violation in a response to another spec fails the item
// too; and one lab makes sure responses carrying every constrained object
// exist: an
// environment with a node (nodes, activities, create info), a succeeded, a
// failed and a running job (jobs, tasks, instances before, during and after
// running) and a task template; then it calls every action whose response
// carries a constrained object, for each of those resources, and compares
// each resource's list view with its single view once it is stable.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// outputsSeen accumulates the output checks over every response of the run.
var (
	outputsMu       sync.Mutex
	outputsSeen     = map[string]*fixtures.OutputCheck{}
	outputsCarriers = func() map[string]bool {
		m := map[string]bool{}
		for _, o := range cat.Outputs {
			for _, a := range o.Actions {
				m[a] = true
			}
		}
		return m
	}()
)

func init() {
	harness.ObserveResponses(func(dialect, action string, body []byte) {
		if dialect != Dialect || !outputsCarriers[action] {
			return
		}
		outputsMu.Lock()
		defer outputsMu.Unlock()
		// A body that is no API 3.0 envelope is judged by the specs that
		// asked for it; here it carries nothing.
		_ = cat.CheckOutputs(action, body, outputsSeen)
	})
}

// outputsSnapshot copies one item's accumulated check.
func outputsSnapshot(id string) fixtures.OutputCheck {
	outputsMu.Lock()
	defer outputsMu.Unlock()
	if c := outputsSeen[id]; c != nil {
		cp := *c
		cp.Problems = append([]string(nil), c.Problems...)
		return cp
	}
	return fixtures.OutputCheck{}
}

var _ = Describe("Tencent Batch output fields and views", Ordered, ContinueOnFailure, func() {
	var (
		t        *harness.Target
		views    = map[string][]string{} // consistent item -> disagreements
		compared = map[string]bool{}
		calls    int
	)

	BeforeAll(func() {
		t = harness.T(Dialect)
		refs := rulesRefsOf(t)

		envReq := generators.Valid(cat, "CreateComputeEnv", refs)
		ce := envReq["ComputeEnv"].(map[string]any)
		ce["EnvName"] = t.Name("out-env", 60)
		ce["EnvDescription"] = "batchconform output lab"
		ce["DesiredComputeNodeCount"] = 1
		envID := rulesStr(rulesOK(t, "CreateComputeEnv", envReq, nil), "EnvId")
		DeferCleanup(rulesDeleteEnv, t, envID)

		jobReq := actionsJobWith(t, refs, "out-job")
		jobReq["Job"].(map[string]any)["Priority"] = 7 // not the default, so a view that drops it shows
		jobID := actionsSubmit(t, jobReq)
		failID := actionsSubmit(t, actionsJobWith(t, refs, "out-fail", "exit 3"))
		runID := actionsSubmit(t, actionsJobWith(t, refs, "out-run", "sleep 30"))

		tmplReq := generators.Valid(cat, "CreateTaskTemplate", refs)
		tmplReq["TaskTemplateName"] = t.Name("out-tmpl", 60)
		tmplReq["TaskTemplateDescription"] = "batchconform output lab"
		tmplID := rulesStr(rulesOK(t, "CreateTaskTemplate", tmplReq, nil), "TaskTemplateId")
		DeferCleanup(rulesDeleteTemplate, t, tmplID)

		rulesWaitJob(t, jobID, "SUCCEED")
		rulesWaitJob(t, failID, "FAILED")
		rulesWaitJob(t, runID, "RUNNING")
		actionsAwaitNodes(t, envID, 1, nil)

		// Every action whose response carries a constrained object, for
		// each resource of the lab (the observer checks the responses).
		var actions []string
		for a := range outputsCarriers {
			actions = append(actions, a)
		}
		sort.Strings(actions)
		sent := map[string]bool{}
		for _, a := range actions {
			for _, job := range []string{jobID, failID, runID} {
				r := refs
				r.EnvID, r.JobID, r.TaskName, r.TemplateID = envID, job, "A", tmplID
				req := generators.Valid(cat, a, r)
				if in, ok := cat.Object(mustAction(a).Input); ok && in.Member("Limit") != nil {
					req["Limit"] = 100
				}
				key, _ := json.Marshal(req)
				if sent[a+string(key)] {
					continue
				}
				sent[a+string(key)] = true
				env := rulesOK(t, a, req, nil)
				Expect(cat.CheckOutputs(a, env.Body, map[string]*fixtures.OutputCheck{})).To(Succeed(), "%s: %s", a, env.Body)
				calls++
			}
		}

		// List view vs single view vs creation, per listed resource.
		ids := map[string]string{"DescribeComputeEnvs": envID, "DescribeComputeEnvCreateInfos": envID, "DescribeJobs": jobID, "DescribeTaskTemplates": tmplID}
		created := map[string]map[string]any{"CreateComputeEnv": envReq, "SubmitJob": jobReq, "CreateTaskTemplate": tmplReq}
		for _, o := range cat.Outputs {
			if o.Constraint != "consistent" {
				continue
			}
			id, ok := ids[o.Subject]
			Expect(ok).To(BeTrue(), "the output lab has no resource for %s (catalog item %s)", o.Subject, o.ID)
			list := outputsListView(t, o, id)
			if list == nil {
				views[o.ID] = []string{fmt.Sprintf("%s with %ss=[%s] does not list it", o.Subject, o.Key, id)}
				compared[o.ID] = true
				continue
			}
			var single map[string]any
			if o.Single != "" {
				env := rulesOK(t, o.Single, map[string]any{o.Key: id}, nil)
				raw, _ := json.Marshal(env.Response)
				Expect(json.Unmarshal(raw, &single)).To(Succeed())
			}
			views[o.ID] = o.CompareViews(list, single, created[o.Create])
			compared[o.ID] = true
		}
	})

	for _, o := range cat.Outputs {
		o := o
		harness.It(o.Title, harness.Items(o.ID), func() {
			harness.Check(o.ID)
			if o.Constraint == "consistent" {
				Expect(compared[o.ID]).To(BeTrue(), "the lab did not compare %s", o.Subject)
				harness.Evidence(map[string]any{"item": o.ID, "disagreements": views[o.ID]})
				Expect(views[o.ID]).To(BeEmpty(), "%s: list view, single view and creation disagree:\n  %s", o.Subject, strings.Join(views[o.ID], "\n  "))
				return
			}
			chk := outputsSnapshot(o.ID)
			if chk.Carried == 0 {
				if !t.Embedded {
					Skip(fmt.Sprintf("no response of %s carried %s.%s in this lab", strings.Join(o.Actions, ", "), o.Object, o.Member))
				}
				Fail(fmt.Sprintf("the lab's %d responses of %s carried no %s.%s to check", calls, strings.Join(o.Actions, ", "), o.Object, o.Member))
			}
			harness.Evidence(map[string]any{"item": o.ID, "values_checked": chk.Carried, "broken": chk.Broken, "problems": chk.Problems})
			Expect(chk.Broken).To(BeZero(), "%d of %d values in the run's responses break %s (first ones):\n  %s", chk.Broken, chk.Carried, o.ID, strings.Join(chk.Problems, "\n  "))
		})
	}
})

func mustAction(name string) *fixtures.Action {
	a, ok := cat.Action(name)
	Expect(ok).To(BeTrue(), "action %s not in the catalog", name)
	return a
}

// outputsListView returns the resource's element of the list action's set,
// asked by its ID (the <Key>s parameter), or nil when it is not listed.
func outputsListView(t *harness.Target, o fixtures.Output, id string) map[string]any {
	GinkgoHelper()
	env := rulesOK(t, o.Subject, map[string]any{o.Key + "s": []any{id}}, nil)
	var set []map[string]any
	Expect(json.Unmarshal(env.Response[o.SetMember], &set)).To(Succeed(), "%s: %s", o.Subject, env.Body)
	for _, v := range set {
		if v[o.Key] == id {
			return v
		}
	}
	return nil
}
