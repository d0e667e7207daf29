package oceanus

// One spec per parameter rule of the catalog, generated when the tree is
// built: the action's valid request (generators) is not refused with any
// rule's code, and the request that differs from it by exactly that rule
// broken (generators.Violations: both bounds of a range; a conditional
// rule's premise made to hold) is refused with the rule's documented code in
// an HTTP 200 envelope. Error items whose Provoke.Rules name the rule are
// checked by the same request.
//
// Violations are refused before any state is touched, so the baselines name
// well-formed IDs of no resource: an ID-bearing baseline is refused for
// existence (ResourceNotFound…), which no rule yields.

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// ruleCodes: action -> the codes its rules yield.
var ruleCodes = func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, r := range cat.Rules {
		if out[r.Action] == nil {
			out[r.Action] = map[string]bool{}
		}
		out[r.Action][r.Code] = true
	}
	return out
}()

// errorsByRule: rule ID -> the error items it provokes.
var errorsByRule = func() map[string][]string {
	out := map[string][]string{}
	for _, e := range cat.Errors {
		for _, r := range e.Provoke.Rules {
			out[r] = append(out[r], e.ID)
		}
	}
	return out
}()

// refs are the references of the rule baselines: well-formed, nonexistent.
func refs(t *harness.Target) generators.Refs {
	return generators.Refs{Region: t.Region, Zone: t.Zone, JobID: "cql-zzzzzzzz"}
}

type baseline struct {
	req  map[string]any
	code string
	body string
}

// valid reports whether the baseline was refused with a rule's code.
func (b *baseline) valid(action string) error {
	if b.code != "" && ruleCodes[action][b.code] && b.code != "InvalidParameterValue" {
		return fmtErr("the valid request was refused with %s, a code of the action's rules: %s", b.code, b.body)
	}
	if b.code == "MissingParameter" || b.code == "UnknownParameter" || b.code == "InvalidParameter" {
		return fmtErr("the valid request was refused with %s: %s", b.code, b.body)
	}
	return nil
}

var _ = Describe("Oceanus parameter rules", Ordered, ContinueOnFailure, func() {
	var (
		t         *harness.Target
		gen       *generators.Generator
		baselines map[string]*baseline
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		gen = generators.New(cat, refs(t), nil)
		baselines = map[string]*baseline{}
		space := defaultWorkSpace(t)
		for _, a := range cat.Actions {
			req := gen.Valid(a.Name)
			// A workspace must exist: actions answer an unknown one with
			// codes their rules also yield (InvalidParameter).
			if _, has := req["WorkSpaceId"]; has && space != "" {
				req["WorkSpaceId"] = space
			}
			uniqueNames(t, a.Name, req, "rules")
			env := raw(t, a.Name, req)
			if a.Name == "CreateJob" && env.Code() == "" {
				var jobID string
				_ = json.Unmarshal(env.Response["JobId"], &jobID)
				DeferCleanup(deleteJob, t, jobID)
			}
			baselines[a.Name] = &baseline{req: req, code: env.Code(), body: string(env.Body)}
		}
	})

	for i := range cat.Rules {
		r := cat.Rules[i]
		items := append([]string{r.ID}, errorsByRule[r.ID]...)
		harness.It(r.ID, harness.Items(items...), func() {
			b := baselines[r.Action]
			harness.Check(r.ID)
			Expect(b.valid(r.Action)).To(Succeed(), "%s: the valid request must pass every rule before one is broken", r.Action)
			cases, err := gen.Violations(r, b.req)
			Expect(err).NotTo(HaveOccurred(), "generators cannot break %s", r.ID)
			for _, c := range cases {
				for _, e := range errorsByRule[r.ID] {
					if it, _ := cat.Item(e); it.Detail == c.Code {
						harness.Check(e)
					}
				}
				env := raw(t, r.Action, c.Request)
				body, _ := json.Marshal(c.Request)
				harness.Evidence(map[string]any{"rule": r.ID, "broken": c.What, "request": json.RawMessage(body), "response": json.RawMessage(env.Body)})
				Expect(env.Code()).To(Equal(c.Code), "%s broken (%s) must be refused with the documented code\n  request:  %s\n  response: %s",
					r.ID, c.What, body, env.Body)
			}
		})
	}
})
