package generators

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// Generated valid requests pass every rule emulator/validate knows.
func TestRapidValidPassesEveryRule(t *testing.T) {
	cat := catalog.Catalog()
	r := NewRapid(cat, testRefs())
	rapid.Check(t, func(rt *rapid.T) {
		vc := r.Valid(nil).Draw(rt, "valid")
		if v := firstViolation(t, cat, vc.Action, vc.Request); v != nil {
			b, _ := json.Marshal(vc.Request)
			rt.Fatalf("%s: generated request breaks %s (%s): %s\n  %s", vc.Action, v.RuleID, v.Code, v.Message, b)
		}
	})
}

// Generated one-violation requests are refused by validate with the rule's
// documented code (the cases where validate reports another rule first are
// the known disagreements of validateDisagrees).
func TestRapidViolationBreaksThatRule(t *testing.T) {
	cat := catalog.Catalog()
	r := NewRapid(cat, testRefs())
	rules := r.Rules()
	rapid.Check(t, func(rt *rapid.T) {
		vc := r.Violation(rules).Draw(rt, "violation")
		rule, _ := cat.Rule(vc.Rule)
		v := firstViolation(t, cat, vc.Action, vc.Request)
		b, _ := json.Marshal(vc.Request)
		switch {
		case v == nil:
			rt.Fatalf("%s (%s): validate accepts it: %s", vc.Rule, vc.What, b)
		case v.RuleID != vc.Rule && validateDisagrees(*rule, v) == "" && v.Code != vc.Code:
			rt.Fatalf("%s (%s): validate reports %s (%s), want code %s: %s", vc.Rule, vc.What, v.RuleID, v.Code, vc.Code, b)
		case v.RuleID == vc.Rule && v.Code != vc.Code:
			rt.Fatalf("%s (%s): code %s, generator expects %s", vc.Rule, vc.What, v.Code, vc.Code)
		}
	})
}

// Cycles of every size are drawn for the acyclic rule, self-loops included.
func TestRapidCycles(t *testing.T) {
	cat := catalog.Catalog()
	r := NewRapid(cat, testRefs())
	var acyclic []string
	for _, rule := range r.Rules() {
		if rule.Suffix == "acyclic" {
			acyclic = append(acyclic, rule.ID)
		}
	}
	if len(acyclic) == 0 {
		t.Fatal("the catalog has no acyclic rule")
	}
	rule, _ := cat.Rule(acyclic[0])
	sizes := map[int]bool{}
	rapid.Check(t, func(rt *rapid.T) {
		vc := r.ViolationOf(*rule).Draw(rt, "cycle")
		edges, _ := Get(vc.Request, Concrete(rule.Path))
		l, _ := edges.([]any)
		if len(l) == 0 {
			rt.Fatalf("no edges: %v", vc.Request)
		}
		self := false
		for _, e := range l {
			m := e.(map[string]any)
			if m[rule.From] == m[rule.To] {
				self = true
			}
		}
		if self {
			sizes[1] = true
		} else {
			sizes[len(l)] = true
		}
	})
	if !sizes[1] || len(sizes) < 3 {
		t.Errorf("cycle shapes drawn: %v; want self-loops and several sizes", sizes)
	}
}
