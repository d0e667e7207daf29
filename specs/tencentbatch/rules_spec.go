package tencentbatch

// One spec per parameter rule of the catalog, generated when the tree is
// built: the action's valid request (generators.Valid) is accepted, and the
// request that differs from it by exactly that rule broken
// (generators.Violations: both bounds of a range) is refused with the rule's
// documented code in an HTTP 200 envelope. Error items whose Provoke.Rules
// name the rule are checked by the same request.
//
// Every violation is refused before any state is touched, so the specs share
// one set of resources (a job, a compute environment, a CPM environment and
// a task template) made once in BeforeAll from the same Valid requests; each
// action's valid baseline is sent once. Destructive actions (delete,
// terminate, retry, attach, detach) keep the shared resources: their baseline
// names well-formed IDs of no resource and passes when refused only for
// existence or state.

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Tencent Batch parameter rules", Ordered, ContinueOnFailure, func() {
	var (
		t         *harness.Target
		gen       *generators.Generator
		baselines map[string]*rulesBaseline
	)

	BeforeAll(func() {
		t = harness.T(Dialect)
		refs := rulesRefsOf(t)
		baselines = map[string]*rulesBaseline{}
		for _, a := range []string{"SubmitJob", "CreateComputeEnv", "CreateCpmComputeEnv", "CreateTaskTemplate"} {
			req, rid := rulesCreate(t, a, refs)
			baselines[a] = &rulesBaseline{req: req}
			switch a {
			case "SubmitJob":
				refs.JobID, refs.TaskName = rid, "A"
			case "CreateComputeEnv":
				refs.EnvID = rid
			case "CreateTaskTemplate":
				refs.TemplateID = rid
			}
		}
		gen = generators.New(cat, refs, nil)
		unknown := generators.New(cat, rulesUnknownRefs(t), nil)
		for _, a := range cat.Actions {
			if baselines[a.Name] != nil {
				continue
			}
			b := &rulesBaseline{stateOnly: rulesDestructive[a.Name]}
			if b.stateOnly {
				b.req = unknown.Valid(a.Name)
			} else {
				b.req = gen.Valid(a.Name)
			}
			env := rulesRaw(t, a.Name, b.req)
			b.code, b.body = env.Code(), string(env.Body)
			baselines[a.Name] = b
		}
	})

	for i := range cat.Rules {
		r := cat.Rules[i]
		items := append([]string{r.ID}, rulesErrorsByRule[r.ID]...)
		harness.It(r.ID, harness.Items(items...), func() {
			b := baselines[r.Action]
			harness.Check(r.ID)
			Expect(b.accepted()).To(Succeed(), "%s: the valid request must pass before one rule is broken", r.Action)
			cases, err := gen.Violations(r, b.req)
			Expect(err).NotTo(HaveOccurred(), "generators cannot break %s", r.ID)
			for _, c := range cases {
				for _, e := range rulesErrorsByRule[r.ID] {
					if rulesErrorCode(e) == c.Code {
						harness.Check(e)
					}
				}
				env := rulesSend(t, r.Action, c.Request)
				rulesReap(t, env)
				body, _ := json.Marshal(c.Request)
				harness.Evidence(map[string]any{"rule": r.ID, "broken": c.What, "request": json.RawMessage(body),
					"response": json.RawMessage(env.Body)})
				Expect(env.Code()).To(Equal(c.Code), "%s broken (%s) must be refused with the documented code\n  request:  %s\n  response: %s",
					r.ID, c.What, body, env.Body)
			}
		})
	}
})
