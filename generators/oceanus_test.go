package generators

import (
	"encoding/json"
	"testing"

	oceanus "github.com/batchconform/batchconform/fixtures/oceanus"
)

// The catalog-driven core serves the Oceanus catalog too: every action's
// Valid request passes every rule (conditional ones included), and every
// rule's violation is refused by exactly that rule with its code.

func TestOceanusValidPassesEveryRule(t *testing.T) {
	validPasses(t, oceanus.Catalog(), Refs{JobID: "cql-abcd1234"})
}

func TestOceanusViolateBreaksExactlyThatRule(t *testing.T) {
	violateExactly(t, oceanus.Catalog(), Refs{JobID: "cql-abcd1234"})
}

// The rapid generators draw valid and one-violation requests of the Oceanus
// catalog too: every drawn valid request passes every rule, every drawn
// violation is refused by validate with its documented code.
func TestOceanusRapidDraws(t *testing.T) {
	cat := oceanus.Catalog()
	r := NewRapid(cat, Refs{JobID: "cql-abcd1234"})
	for _, a := range cat.Actions {
		for seed := 0; seed < 4; seed++ {
			vc := r.ValidOf(a.Name).Example(seed)
			if v := firstViolation(t, cat, a.Name, vc.Request); v != nil {
				b, _ := json.Marshal(vc.Request)
				t.Errorf("%s (seed %d): drawn valid request breaks %s (%s): %s", a.Name, seed, v.RuleID, v.Code, b)
			}
		}
	}
	n := 0
	for _, rule := range r.Rules() {
		for seed := 0; seed < 2; seed++ {
			vc := r.ViolationOf(rule).Example(seed)
			n++
			v := firstViolation(t, cat, rule.Action, vc.Request)
			b, _ := json.Marshal(vc.Request)
			switch {
			case v == nil:
				t.Errorf("%s (seed %d, %s): validate accepts the drawn violation: %s", rule.ID, seed, vc.What, b)
			case v.Code != vc.Code:
				t.Errorf("%s (seed %d, %s): validate answers %s (%s), the draw expects %s: %s", rule.ID, seed, vc.What, v.Code, v.RuleID, vc.Code, b)
			}
		}
	}
	t.Logf("%d drawn violations", n)
}
