package alibatch

// The fuzz properties of the catalog, checked by a fixed-seed pass inside
// the suite (`batchconform fuzz` explores them further): per action with
// rules, the valid request is not refused with a rule's code, and requests
// with exactly one random rule broken get that rule's code; across the API
// no request (one-violation requests, malformed bodies, wrong types at the
// root) gets a 5xx or an error that is not {Code,Message,RequestId,HostId};
// and every signature fault is refused with 400 and an auth code.

import (
	"encoding/json"
	"math/rand"
	"net/http"
	"sort"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// propSeed fixes the pass, so a failure replays.
const propSeed = 20151111

var _ = Describe("Alibaba BatchCompute properties", Ordered, ContinueOnFailure, func() {
	if !selected() {
		return
	}
	var (
		t *harness.Target
		w *world
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		w = newWorld(t, "props")
	})
	byAction := map[string][]fixtures.Rule{}
	var actions []string
	for _, r := range cat.Rules {
		if byAction[r.Action] == nil {
			actions = append(actions, r.Action)
		}
		byAction[r.Action] = append(byAction[r.Action], r)
	}
	sort.Strings(actions)
	ruleCodes := map[string]bool{}
	for _, r := range cat.Rules {
		ruleCodes[r.Code] = true
	}
	for _, name := range actions {
		name := name
		valid := id(name, fixtures.KindProperty, "valid-accepted")
		one := id(name, fixtures.KindProperty, "one-violation")
		harness.It(name+" properties", harness.Items(valid, one), func() {
			rng := rand.New(rand.NewSource(propSeed))
			base, err := w.gen.Valid(name)
			Expect(err).NotTo(HaveOccurred())
			harness.Check(valid)
			r := call(t, base)
			cleanupCreated(t, name, idOf(r))
			if e := r.Err(); e != nil {
				Expect(ruleCodes[e.Code] && e.Code != "InvalidResource.NotFound").To(BeFalse(), "%s: the valid request was refused with a rule's code: %s", name, r.Body)
				Expect(e.Code).To(BeElementOf("StateConflict", "InvalidResource.NotFound"), "%s: only a state or lookup refusal is allowed: %s", name, r.Body)
			}
			harness.Check(one)
			rules := byAction[name]
			// Violations drawn per action: 8 in the full pass, scaled to
			// the run's property budget (harness/passbudget.go).
			for i, n := 0, harness.PropertyBudget().Scale(8); i < n && i < len(rules); i++ {
				rule := rules[rng.Intn(len(rules))]
				cases, err := w.gen.Violations(rule, base)
				Expect(err).NotTo(HaveOccurred())
				c := cases[rng.Intn(len(cases))]
				resp := call(t, c.Request)
				cleanupCreated(t, name, idOf(resp))
				ec := cat.ErrorCodes[rule.Code]
				expectError(resp, ec.Status, c.Code, c.Message)
			}
		})
	}
	harness.It("no server error", harness.Items(id("api", fixtures.KindProperty, "no-server-error")), func() {
		harness.Check(id("api", fixtures.KindProperty, "no-server-error"))
		rng := rand.New(rand.NewSource(propSeed))
		garbage := [][]byte{[]byte("{"), []byte("[]"), []byte("null"), []byte(`{"Name":{"$ref":1}}`), []byte("\xff\xfe"), []byte(`{"DAG":{"Tasks":[1,2]}}`)}
		for _, a := range cat.Actions {
			base, err := w.gen.Valid(a.Name)
			Expect(err).NotTo(HaveOccurred())
			bodies := append([][]byte{}, garbage...)
			for _, r := range byAction[a.Name] {
				cs, err := w.gen.Violations(r, base)
				if err != nil {
					continue
				}
				b, _ := cs[0].Request.JSONBody()
				bodies = append(bodies, b)
			}
			for i, n := 0, harness.PropertyBudget().Scale(6); i < n && len(bodies) > 0; i++ {
				b := bodies[rng.Intn(len(bodies))]
				if a.Method == http.MethodGet || a.Method == http.MethodDelete {
					b = nil
				}
				r := send(t, a.Method, base.URL(&a), b, acs.Options{})
				if r.Status < 300 {
					cleanupCreated(t, a.Name, idOf(r))
					continue
				}
				Expect(r.Status).To(BeNumerically("<", 500), "%s: %s", a.Name, r.Body)
				Expect(errorShape(r)).To(Succeed())
			}
		}
	})
	harness.It("signature faults", harness.Items(id("auth", fixtures.KindProperty, "signature-faults")), func() {
		harness.Check(id("auth", fixtures.KindProperty, "signature-faults"))
		body, _ := json.Marshal(w.bodies["ChangeJobPriority"])
		path := "/jobs/" + w.jobID
		// The fuzzer's fault kinds, each once (the fuzzer draws them at random).
		for _, f := range generators.ACSSignatureFaults {
			c := t.ACS()
			if f.Secret != nil {
				c.Signer.AccessKeySecret = f.Secret(c.Signer.AccessKeySecret)
			}
			r := sendWith(c, http.MethodPut, path, body, f.Options(time.Now()))
			Expect(r.Status).To(Equal(400), "%s: %s", f.Name, r.Body)
			Expect(r.Err()).NotTo(BeNil(), "%s: %s", f.Name, r.Body)
			Expect(r.Err().Code).To(BeElementOf(generators.ACSAuthCodes), "%s: %s", f.Name, r.Body)
		}
	})
})
