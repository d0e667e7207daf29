package fuzz

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
)

// PassResult is what a short pass found, per property item.
type PassResult struct {
	Exercised map[string]int64     // item -> cases that checked it
	Findings  map[string][]Finding // item -> failing cases (not shrunk)
}

// PassOptions size a short pass.
type PassOptions struct {
	Seed      uint64
	PerAction int  // stateless cases per action for valid and one-violation (default 10)
	PerRule   int  // one-violation cases per rule in the sweep of every rule (default 1; <0 = no sweep)
	Checks    int  // signature and secret cases (default 100)
	Sequences int  // stateful sequences (default 10)
	Steps     int  // average operations per sequence (default 30)
	Stateful  bool // run the stateful model too
	// Rules, when set, restricts the pass to the one-violation sweep over
	// these rule IDs (PerRule cases each): the mutation gate's pass over the
	// rules a fault declares. Nothing else runs; an ID the fuzzer cannot
	// generate is ignored.
	Rules []string
}

// Pass runs every property briefly with a fixed seed, recording every
// failure without stopping or shrinking, so each property item gets a
// verdict at once (the suite's properties spec; `fuzz` explores longer and
// shrinks).
func (s *Suite) Pass(fac Factory, o PassOptions) (*PassResult, error) {
	if o.PerAction <= 0 {
		o.PerAction = 10
	}
	if o.Checks <= 0 {
		o.Checks = 100
	}
	if o.Sequences <= 0 {
		o.Sequences = 10
	}
	if o.Steps <= 0 {
		o.Steps = 30
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	res := &PassResult{Exercised: map[string]int64{}, Findings: map[string][]Finding{}}
	merge := func(r *Recorder) {
		for id, n := range r.Exercised {
			res.Exercised[id] += n
		}
		for id, fs := range r.All {
			res.Findings[id] = append(res.Findings[id], fs...)
		}
	}
	t, err := fac.New()
	if err != nil {
		return nil, err
	}
	defer t.Close()
	refs, err := s.Setup(t)
	if err != nil {
		return nil, err
	}
	seed := o.Seed
	if len(o.Rules) > 0 {
		return s.passRules(t, refs, o, seed, res, merge)
	}
	for _, kind := range []string{OpValid, OpViolation} {
		for _, a := range s.actions {
			if kind == OpViolation && len(s.rulesByAction[a]) == 0 {
				continue
			}
			rec := &Recorder{Collect: true}
			if check(kind+"-"+a, seed, o.PerAction, o.Steps, time.Second, s.Stateless(kind, t, refs, []string{a}, rec)) {
				return nil, fmt.Errorf("fuzz: %s %s: the property failed outside its checks: %v", kind, a, rec.Last)
			}
			seed++
			merge(rec)
		}
	}
	if o.PerRule == 0 {
		o.PerRule = 1
	}
	if o.PerRule > 0 {
		// The sweep: every generatable rule broken at least PerRule times.
		for _, a := range s.actions {
			for _, r := range s.rulesByAction[a] {
				rec := &Recorder{Collect: true}
				if check("rule", seed, o.PerRule, o.Steps, time.Second, s.StatelessRules(t, refs, []fixtures.Rule{r}, rec)) {
					return nil, fmt.Errorf("fuzz: %s: the property failed outside its checks: %v", r.ID, rec.Last)
				}
				seed++
				merge(rec)
			}
		}
	}
	for _, kind := range []string{OpSignature, OpSecret} {
		rec := &Recorder{Collect: true}
		if check(kind, seed, o.Checks, o.Steps, time.Second, s.Stateless(kind, t, refs, nil, rec)) {
			return nil, fmt.Errorf("fuzz: %s: the property failed outside its checks: %v", kind, rec.Last)
		}
		seed++
		merge(rec)
	}
	if o.Stateful {
		rec := &Recorder{Collect: true}
		if check(KindStateful, seed, o.Sequences, o.Steps, time.Second, s.Stateful(fac, rec)) {
			return nil, fmt.Errorf("fuzz: stateful: the property failed outside its checks: %v", rec.Last)
		}
		merge(rec)
	}
	return res, nil
}

// passRules is the sweep of Pass restricted to o.Rules.
func (s *Suite) passRules(t *Target, refs generators.Refs, o PassOptions, seed uint64, res *PassResult, merge func(*Recorder)) (*PassResult, error) {
	if o.PerRule <= 0 {
		o.PerRule = 1
	}
	for _, id := range o.Rules {
		r, ok := s.ruleByID[id]
		if !ok {
			continue
		}
		rec := &Recorder{Collect: true}
		if check("rule", seed, o.PerRule, o.Steps, time.Second, s.StatelessRules(t, refs, []fixtures.Rule{r}, rec)) {
			return nil, fmt.Errorf("fuzz: %s: the property failed outside its checks: %v", r.ID, rec.Last)
		}
		seed++
		merge(rec)
	}
	return res, nil
}

// Generatable reports whether the fuzzer can break the rule (its one-violation
// sweep covers it).
func (s *Suite) Generatable(ruleID string) bool {
	_, ok := s.ruleByID[ruleID]
	return ok
}

// StepItems returns the catalog items a failing case's steps name besides its
// property: the rule a one-violation step broke and the error item of the code
// it expected (dialect/action/error/code). The mutation gate credits a kill
// to these.
func StepItems(dialect string, f Finding) []string {
	var out []string
	for _, st := range f.Steps {
		var a stepArgs
		if len(st.Args) == 0 || json.Unmarshal(st.Args, &a) != nil {
			continue
		}
		if a.Rule != "" {
			out = append(out, a.Rule)
		}
		if a.Code != "" && st.Action != "" {
			out = append(out, fixtures.MakeID(dialect, st.Action, fixtures.KindError, a.Code))
		}
	}
	return out
}
