package generators

// Rapid generators on top of the deterministic core: every choice the core
// makes goes through a Chooser, so plugging in one that draws from a
// rapid.T turns Valid and Violations into generators that rapid can shrink
// (a smaller draw = an earlier candidate = the deterministic request). On top
// of that, the values inside a rule's class are drawn too: boundary lengths,
// bounds and far-beyond values, cycles of random size and shape. Nothing here
// restates a rule: bounds, codes and paths come from the catalog.

import (
	"fmt"
	"sort"
	"strings"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
)

// RapidChooser draws every choice of a Generator from a rapid.T.
type RapidChooser struct {
	T     *rapid.T
	Label string
}

// Choose draws an index in [0, n).
func (c RapidChooser) Choose(n int) int {
	if n <= 1 {
		return 0
	}
	label := c.Label
	if label == "" {
		label = "choice"
	}
	return rapid.IntRange(0, n-1).Draw(c.T, label)
}

// Rapid builds rapid generators from one catalog.
type Rapid struct {
	Cat  *fixtures.Catalog
	Refs Refs
	// base is the compiled generator (rules indexed once); draws copy it
	// with a rapid Chooser.
	base *Generator
	// Extras bounds how many optional structures (a rule's path made to
	// exist, validly, by Prepare) a valid request carries beyond the minimal
	// one; 0 means 3.
	Extras int
}

// NewRapid returns rapid generators for cat with the given references.
func NewRapid(cat *fixtures.Catalog, refs Refs) *Rapid {
	return &Rapid{Cat: cat, Refs: refs, base: New(cat, refs, nil)}
}

// Generator returns a Generator over r's refs whose choices are drawn from t.
func (r *Rapid) Generator(t *rapid.T) *Generator { return r.gen(t) }

// gen returns a Generator drawing its choices from t (the rules are
// indexed once per Rapid, not per draw).
func (r *Rapid) gen(t *rapid.T) *Generator {
	if r.base == nil {
		r.base = New(r.Cat, r.Refs, nil)
	}
	g := *r.base
	g.choose = RapidChooser{T: t, Label: "choice"}
	return &g
}

// ValidCase is one generated valid request.
type ValidCase struct {
	Action  string
	Request map[string]any
	// Boundaries lists what was pushed to a documented edge (for messages).
	Boundaries []string
}

// ViolationCase is one generated request that breaks exactly one rule.
type ViolationCase struct {
	Rule    string // the rule's ID
	Action  string
	Request map[string]any
	Code    string // the documented code (ExpectedCode)
	What    string // how the rule is broken
}

// Rules returns the catalog rules a violation can be generated for (every
// rule not listed in Skipped), sorted by ID.
func (r *Rapid) Rules() []fixtures.Rule {
	var out []fixtures.Rule
	for _, rule := range r.Cat.Rules {
		if _, skip := Skipped[rule.ID]; skip {
			continue
		}
		out = append(out, rule)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ValidOf draws a valid request of one action.
func (r *Rapid) ValidOf(action string) *rapid.Generator[ValidCase] {
	return rapid.Custom(func(t *rapid.T) ValidCase { return r.drawValid(t, action) })
}

// Valid draws a valid request of any of actions (every action when nil).
func (r *Rapid) Valid(actions []string) *rapid.Generator[ValidCase] {
	if len(actions) == 0 {
		for _, a := range r.Cat.Actions {
			actions = append(actions, a.Name)
		}
	}
	return rapid.Custom(func(t *rapid.T) ValidCase {
		a := rapid.SampledFrom(actions).Draw(t, "action")
		return r.drawValid(t, a)
	})
}

func (r *Rapid) drawValid(t *rapid.T, action string) ValidCase {
	g := r.gen(t)
	req := g.Valid(action)
	// Optional structures: some of the action's rules' paths made to exist.
	var rules []fixtures.Rule
	for _, rs := range g.rules[action] {
		for _, rule := range rs {
			if rule.Path != "" {
				if _, skip := Skipped[rule.ID]; !skip {
					rules = append(rules, *rule)
				}
			}
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID }) // map order must not leak into draws
	extras := r.Extras
	if extras <= 0 {
		extras = 3
	}
	if len(rules) > 0 {
		n := rapid.IntRange(0, extras).Draw(t, "extras")
		for i := 0; i < n; i++ {
			rule := rules[rapid.IntRange(0, len(rules)-1).Draw(t, "extra")]
			if p, err := g.Prepare(rule, req); err == nil {
				req = p
			}
		}
	}
	vc := ValidCase{Action: action, Request: req}
	r.filterValues(t, g, req)
	r.boundaries(t, g, &vc)
	return vc
}

// filterValues gives each Filter a value its Name can take: the catalog types
// Values as strings only, while what a filter accepts depends on its name (a
// zone of the region, a state of the machine, an ID that exists). As the
// hints, this is meaning the rules cannot carry.
func (r *Rapid) filterValues(t *rapid.T, g *Generator, req map[string]any) {
	fs, ok := req["Filters"].([]any)
	if !ok {
		return
	}
	var states []string
	for _, m := range r.Cat.Machines {
		if m.Name == "job" {
			for _, s := range m.States {
				states = append(states, s.Name)
			}
		}
	}
	for _, f := range fs {
		fm, ok := f.(map[string]any)
		if !ok {
			continue
		}
		name, _ := fm["Name"].(string)
		var v string
		switch {
		case name == "zone":
			v = g.refs.Zone
		case strings.HasSuffix(name, "-state") && len(states) > 0:
			v = rapid.SampledFrom(states).Draw(t, "state-filter")
		case name == "env-id" || name == "compute-env-id":
			v = g.orID(g.refs.EnvID, "env-")
		case name == "job-id":
			v = g.orID(g.refs.JobID, "job-")
		case name == "task-template-id":
			v = g.orID(g.refs.TemplateID, "task-tmpl-")
		case name == "instance-type":
			v = DefaultInstanceType
		case name == "instance-family":
			v = strings.SplitN(DefaultInstanceType, ".", 2)[0]
		case name == "instance-charge-type":
			v = "POSTPAID_BY_HOUR"
		default:
			continue
		}
		if vals, ok := fm["Values"].([]any); ok && len(vals) > 0 {
			for i := range vals {
				vals[i] = v
			}
		}
	}
}

// loadMembers are numbers whose edges create load rather than test a rule
// (thousands of instances or nodes) or must name something that exists.
var loadMembers = []string{"InstanceNum", "NodeCount", "MaxConcurrent", "InstanceIndex", "Port", "DiskSize", "Bandwidth", "CpuCore", "Memory"}

// boundaries pushes some strings and numbers of the request to a documented
// edge: names of exactly the maximum length, Offset/Limit at their bounds.
// Only members whose every rule is a length, range, type or required rule are
// touched (a pattern, enum, reference or key keeps its meaning).
func (r *Rapid) boundaries(t *rapid.T, g *Generator, vc *ValidCase) {
	paths := map[string][]*fixtures.Rule{}
	refTargets := map[string]bool{}
	for p, rs := range g.rules[vc.Action] {
		paths[p] = rs
		for _, rule := range rs {
			if rule.RefPath != "" {
				refTargets[rule.RefPath] = true
			}
			if rule.Key != "" {
				refTargets[join(rule.Path+".*", rule.Key)] = true
			}
		}
	}
	var cands []string
	for p, rs := range paths {
		if strings.Contains(p, "*") || refTargets[p] {
			continue // list elements: keep the shape Prepare made
		}
		if _, hinted := nameHints[lastSeg(p, "")]; hinted {
			continue
		}
		ok, edge := true, false
		for _, rule := range rs {
			switch rule.Suffix {
			case "maxlen", "minlen", "range":
				edge = true
			case "type", "required":
			default:
				ok = false
			}
		}
		for _, lm := range loadMembers {
			if strings.Contains(p, lm) {
				ok = false
			}
		}
		if ok && edge {
			if _, present := Get(vc.Request, p); present {
				cands = append(cands, p)
			}
		}
	}
	sort.Strings(cands)
	for _, p := range cands {
		if !rapid.Bool().Draw(t, "edge?") {
			continue
		}
		cur, _ := Get(vc.Request, p)
		var lo, hi *float64
		for _, rule := range paths[p] {
			switch rule.Suffix {
			case "maxlen":
				hi = rule.Max
			case "minlen":
				lo = rule.Min
			case "range":
				if rule.Min != nil {
					lo = rule.Min
				}
				if rule.Max != nil {
					hi = rule.Max
				}
			}
		}
		switch cur.(type) {
		case string:
			min, max := 1, 64
			if lo != nil && int(*lo) > min {
				min = int(*lo)
			}
			if hi != nil {
				max = int(*hi)
			}
			if max < min {
				continue
			}
			n := rapid.SampledFrom([]int{max, min, rapid.IntRange(min, max).Draw(t, "len")}).Draw(t, "edge-len")
			_ = setPath(vc.Request, splitPath(p), strings.Repeat("b", n))
			vc.Boundaries = append(vc.Boundaries, fmt.Sprintf("%s: %d characters", p, n))
		case int64, float64:
			var vals []int64
			if lo != nil {
				vals = append(vals, int64(*lo))
			}
			if hi != nil {
				vals = append(vals, int64(*hi))
			}
			if len(vals) == 0 {
				continue
			}
			v := rapid.SampledFrom(vals).Draw(t, "edge-value")
			_ = setPath(vc.Request, splitPath(p), rangeValue(cur, float64(v)))
			vc.Boundaries = append(vc.Boundaries, fmt.Sprintf("%s = %d", p, v))
		}
	}
}

// Violation draws a request that breaks exactly one of rules (every
// generatable rule when nil): a random rule, a random valid base, then a
// random bad value inside the rule's class.
func (r *Rapid) Violation(rules []fixtures.Rule) *rapid.Generator[ViolationCase] {
	if len(rules) == 0 {
		rules = r.Rules()
	}
	return rapid.Custom(func(t *rapid.T) ViolationCase {
		i := rapid.IntRange(0, len(rules)-1).Draw(t, "rule")
		return r.drawViolation(t, rules[i])
	})
}

// ViolationOf draws a request that breaks the given rule.
func (r *Rapid) ViolationOf(rule fixtures.Rule) *rapid.Generator[ViolationCase] {
	return rapid.Custom(func(t *rapid.T) ViolationCase { return r.drawViolation(t, rule) })
}

func (r *Rapid) drawViolation(t *rapid.T, rule fixtures.Rule) ViolationCase {
	g := r.gen(t)
	base := g.Valid(rule.Action)
	cases, err := g.Violations(rule, base)
	if err != nil || len(cases) == 0 {
		t.Skipf("no violation for %s: %v", rule.ID, err)
	}
	c := cases[rapid.IntRange(0, len(cases)-1).Draw(t, "case")]
	req, what := c.Request, c.What
	// Vary the bad value within its class (a draw of 0 keeps the core's).
	if rapid.IntRange(0, 3).Draw(t, "vary") > 0 {
		if v, w, ok := r.varyBad(t, g, rule, req); ok {
			req, what = v, w
		}
	}
	return ViolationCase{Rule: rule.ID, Action: rule.Action, Request: req, Code: ExpectedCode(rule, req), What: what}
}

// varyBad returns req with the rule's bad value replaced by another of its
// class, or false when the class has no other member worth drawing.
func (r *Rapid) varyBad(t *rapid.T, g *Generator, rule fixtures.Rule, req map[string]any) (map[string]any, string, bool) {
	c := Concrete(rule.Path)
	cur, _ := Get(req, c)
	out := CloneMap(req)
	set := func(v any) bool { return setPath(out, splitPath(c), v) == nil }
	switch rule.Suffix {
	case "maxlen":
		if rule.Max == nil {
			return nil, "", false
		}
		max := int(*rule.Max)
		n := rapid.SampledFrom([]int{max + 1, max + 2, 2 * max, 10*max + 7, 4096}).Draw(t, "overlen")
		s := strings.Repeat("a", n)
		// Non-ASCII only where nothing else constrains the characters (a
		// pattern would be broken too, and which code wins is not documented).
		constrained := rule.Unit == "bytes"
		for _, x := range g.rules[rule.Action][rule.Path] {
			constrained = constrained || x.Suffix == "pattern" || x.Suffix == "enum"
		}
		if rapid.Bool().Draw(t, "non-ascii?") && !constrained {
			s = strings.Repeat("名", n) // n characters, 3n bytes: still over a character limit
		}
		if !set(s) {
			return nil, "", false
		}
		return out, fmt.Sprintf("%d characters (max %d)", n, max), true
	case "range":
		f, ok := toFloat(cur)
		if !ok {
			return nil, "", false
		}
		var v float64
		switch {
		case rule.Max != nil && f > *rule.Max:
			v = *rule.Max + float64(rapid.SampledFrom([]int64{1, 2, 1000, 1 << 31, 1 << 53}).Draw(t, "above"))
		case rule.Min != nil && f < *rule.Min:
			v = *rule.Min - float64(rapid.SampledFrom([]int64{1, 2, 1000, 1 << 31, 1 << 53}).Draw(t, "below"))
		default:
			return nil, "", false
		}
		if !set(rangeValue(cur, v)) {
			return nil, "", false
		}
		return out, fmt.Sprintf("%v (range %s)", v, bounds(rule)), true
	case "listmax":
		l, ok := cur.([]any)
		if !ok || rule.Max == nil || len(l) == 0 {
			return nil, "", false
		}
		n := int(*rule.Max) + rapid.SampledFrom([]int{1, 2, 5, int(*rule.Max) + 1}).Draw(t, "overlist")
		key, uniq := g.uniqueKey(rule.Action, rule.Path)
		nl := make([]any, n)
		for i := range nl {
			nl[i] = Clone(l[i%len(l)])
			if uniq && i >= len(l) {
				nl[i] = vary(nl[i], key, i)
			}
		}
		if !set(nl) {
			return nil, "", false
		}
		return out, fmt.Sprintf("%d elements (max %v)", n, *rule.Max), true
	case "acyclic":
		return r.cycle(t, g, rule, out)
	case "pattern":
		if len(rule.Bad) > 0 && !strings.Contains(rule.Path, "ClientToken") {
			return nil, "", false
		}
		re, err := compile(rule.Pattern)
		if err != nil {
			return nil, "", false
		}
		cands := []string{"!!bad value!!", "x", "UPPER-" + fmt.Sprint(cur), "令牌", "a b", "\x00", "job-ZZZZZZZZ", "env-", "a/../b"}
		var bad []string
		for _, s := range cands {
			if s != "" && !re.MatchString(s) {
				bad = append(bad, s)
			}
		}
		if len(bad) == 0 {
			return nil, "", false
		}
		s := rapid.SampledFrom(bad).Draw(t, "bad-pattern")
		if !set(s) {
			return nil, "", false
		}
		return out, fmt.Sprintf("%q does not match %s", s, rule.Pattern), true
	case "scheme":
		s := rapid.SampledFrom([]string{"http://example.com/dir/", "https://bucket.cos.ap-guangzhou.myqcloud.com/x/", "ftp://host/dir/", "s3://bucket/dir/", "file:///mnt/x/"}).Draw(t, "bad-scheme")
		if !set(s) {
			return nil, "", false
		}
		return out, "scheme of " + s, true
	case "path":
		var s string
		if rule.Format == "local" {
			s = rapid.SampledFrom([]string{"relative/dir", "dir", "./x/", "mnt/data/"}).Draw(t, "bad-local")
		} else {
			s = rapid.SampledFrom([]string{"cos://", "cfs://", "cos:///dir/", "cos://bucket", "cfs://"}).Draw(t, "bad-remote")
		}
		if !set(s) {
			return nil, "", false
		}
		return out, "malformed path " + s, true
	case "type":
		m, err := g.memberAt(rule.Action, rule.Path)
		if err != nil {
			return nil, "", false
		}
		accepted := map[string]bool{m.Type: true}
		for _, a := range rule.Values {
			accepted[a] = true
		}
		var vals []any
		for _, v := range []any{int64(7), "7", true, []any{}, map[string]any{}, 1.5} {
			if !typeAccepted(accepted, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			return nil, "", false
		}
		v := vals[rapid.IntRange(0, len(vals)-1).Draw(t, "bad-type")]
		if !set(v) {
			return nil, "", false
		}
		return out, fmt.Sprintf("wrong JSON type %T", v), true
	}
	return nil, "", false
}

func typeAccepted(accepted map[string]bool, v any) bool {
	switch x := v.(type) {
	case string:
		return accepted["string"] || accepted["datetime"]
	case int64:
		return accepted["int64"] || accepted["uint64"] || accepted["float"]
	case float64:
		_ = x
		return accepted["float"]
	case bool:
		return accepted["bool"]
	case []any:
		return accepted["list"]
	case map[string]any:
		return accepted["object"]
	}
	return false
}

func bounds(rule fixtures.Rule) string {
	lo, hi := "-inf", "+inf"
	if rule.Min != nil {
		lo = fmt.Sprint(*rule.Min)
	}
	if rule.Max != nil {
		hi = fmt.Sprint(*rule.Max)
	}
	return "[" + lo + ", " + hi + "]"
}

// cycle replaces the edge list of an acyclic rule by a random cycle over the
// scope's named elements (a self-loop when its size is 1), plus some acyclic
// edges around it. The elements are the RefPath list's (e.g. the job's tasks);
// when there are too few, clones of the first are added with fresh names.
func (r *Rapid) cycle(t *rapid.T, g *Generator, rule fixtures.Rule, req map[string]any) (map[string]any, string, bool) {
	// The node names live in the list a ref rule of the same edges names.
	var listPath, nameKey string
	for _, rr := range g.rules[rule.Action] {
		for _, x := range rr {
			if x.Suffix == "ref" && strings.HasPrefix(x.Path, rule.Path+".*.") && x.RefPath != "" {
				full := x.RefPath
				if x.Scope != "" && !strings.HasPrefix(full, x.Scope+".") {
					full = join(x.Scope, full)
				}
				i := strings.LastIndex(full, ".*.")
				if i > 0 {
					listPath, nameKey = full[:i], full[i+3:]
				}
			}
		}
	}
	if listPath == "" || rule.From == "" || rule.To == "" {
		return nil, "", false
	}
	lv, ok := Get(req, Concrete(listPath))
	l, isList := lv.([]any)
	if !ok || !isList || len(l) == 0 {
		return nil, "", false
	}
	size := rapid.IntRange(1, 6).Draw(t, "cycle-size")
	nodes := append([]any(nil), l...)
	for len(nodes) < size {
		el, ok := Clone(l[0]).(map[string]any)
		if !ok {
			return nil, "", false
		}
		el[nameKey] = fmt.Sprintf("N%d", len(nodes))
		nodes = append(nodes, el)
	}
	// The list may have a maximum: stay under it, or give up on this shape.
	for _, x := range g.rules[rule.Action][listPath] {
		if x.Suffix == "listmax" && x.Max != nil && len(nodes) > int(*x.Max) {
			return nil, "", false
		}
	}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		m, ok := n.(map[string]any)
		if !ok {
			return nil, "", false
		}
		s, _ := m[nameKey].(string)
		names[i] = s
	}
	perm := rapid.Permutation(names).Draw(t, "cycle-order")[:size]
	var edges []any
	seen := map[string]bool{}
	add := func(a, b string) {
		if seen[a+"\x00"+b] {
			return
		}
		seen[a+"\x00"+b] = true
		edges = append(edges, map[string]any{rule.From: a, rule.To: b})
	}
	for i := range perm {
		add(perm[i], perm[(i+1)%len(perm)])
	}
	// Extra edges into the cycle from the other nodes keep it a cycle.
	for _, n := range names {
		if rapid.IntRange(0, 3).Draw(t, "extra-edge") == 0 {
			add(n, perm[0])
		}
	}
	// Shuffle the edge order.
	edges = rapid.Permutation(edges).Draw(t, "edge-order")
	out := CloneMap(req)
	if err := setPath(out, splitPath(Concrete(listPath)), nodes); err != nil {
		return nil, "", false
	}
	if err := setPath(out, splitPath(Concrete(rule.Path)), edges); err != nil {
		return nil, "", false
	}
	shape := "self-loop on " + perm[0]
	if size > 1 {
		shape = fmt.Sprintf("%d-cycle %s", size, strings.Join(append(perm, perm[0]), "->"))
	}
	return out, shape, true
}
