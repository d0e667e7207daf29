package validate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/batchconform/batchconform/fixtures"
)

// CheckREST checks a REST (ACS) request against the catalog's rules of one
// action, for dialects whose every violation has its own documented code and
// message (Alibaba BatchCompute: Missing{Param} / Invalid{Param}). Nothing in
// it names an action or a parameter.
//
// params is the request: the JSON body's object with the query members the
// catalog locates in the query (Member.Location "query") merged in, query
// strings that are JSON number literals as json.Number. Path members are the
// product's business (existence, 404).
//
// Order (reference §A.6, inferred): every "required" rule, then every "type"
// rule, then the rest, each group in catalog order; the first violation wins.
// Paths step into map values and list elements with "*", and name a map's
// keys with "{key}" (fixtures.MapKey). A rule's code and message may hold
// {key} placeholders: they are filled with the concrete keys met along the
// path (the last ones, when the docs name fewer than the path has).
//
// Rules the product must decide are skipped: ref rules whose RefPath names
// state ("cluster:Groups", "GetQuotas:…": a colon), and suffixes this function
// does not know. A scheme rule leaves "" alone (the docs' and SDKs' examples
// send PackagePath "" for a job without a package). IfAny restricts a rule to requests where one of the listed
// paths is present. Options.Skip drops violations (faults).
func CheckREST(cat *fixtures.Catalog, action string, params map[string]any, opt Options) *Violation {
	rs := restRules(cat)[action]
	for _, c := range rs {
		if v := c.check(cat, params); v != nil {
			if opt.skip(c.r.ID) {
				continue
			}
			return v
		}
	}
	return nil
}

// RESTRuleApplies reports whether CheckREST evaluates the rule (false for the
// product's own rules, e.g. state references).
func RESTRuleApplies(r *fixtures.Rule) bool {
	switch r.Suffix {
	case "required", "type", "range", "maxlen", "minlen", "pattern", "enum", "scheme", "listmax", "xor", "acyclic":
		return true
	case "ref":
		return !strings.Contains(r.RefPath, ":")
	}
	return false
}

type restRule struct {
	r      *fixtures.Rule
	path   []string
	member *fixtures.Member // type rules
	re     *regexp.Regexp
	input  string
}

var restCache sync.Map // *fixtures.Catalog -> map[string][]*restRule

func restRules(cat *fixtures.Catalog) map[string][]*restRule {
	if v, ok := restCache.Load(cat); ok {
		return v.(map[string][]*restRule)
	}
	out := map[string][]*restRule{}
	inputs := map[string]string{}
	for _, a := range cat.Actions {
		inputs[a.Name] = a.Input
	}
	rank := func(s string) int {
		switch s {
		case "required":
			return 0
		case "type":
			return 1
		}
		return 2
	}
	for i := range cat.Rules {
		r := &cat.Rules[i]
		if !RESTRuleApplies(r) {
			continue
		}
		c := &restRule{r: r, path: splitPath(r.Path), input: inputs[r.Action]}
		if r.Suffix == "type" {
			m, err := cat.ResolvePath(c.input, r.Path)
			if err != nil {
				continue // Lint's business; an unusable rule checks nothing
			}
			c.member = m
		}
		if r.Suffix == "pattern" {
			re, err := regexp.Compile(anchor(r.Pattern))
			if err != nil {
				continue
			}
			c.re = re
		}
		out[r.Action] = append(out[r.Action], c)
	}
	for _, rs := range out {
		sort.SliceStable(rs, func(i, j int) bool { return rank(rs[i].r.Suffix) < rank(rs[j].r.Suffix) })
	}
	actual, _ := restCache.LoadOrStore(cat, out)
	return actual.(map[string][]*restRule)
}

func anchor(p string) string {
	if !strings.HasPrefix(p, "^") {
		p = "^(?:" + p + ")"
	}
	if !strings.HasSuffix(p, "$") {
		p += "$"
	}
	return p
}

// restVisit calls fn for every value at path. "*" steps into every map
// value or list element, "{key}" yields each key of a map as a string; keys
// collects the concrete keys along the way (map keys and list indices).
// Absent and null values are not visited. Map keys are visited sorted, so
// the first violation is deterministic.
func restVisit(root any, path []string, keys []string, fn func(v any, keys []string) bool) bool {
	if len(path) == 0 {
		if root == nil {
			return true
		}
		return fn(root, keys)
	}
	switch seg := path[0]; seg {
	case "*":
		switch x := root.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				if !restVisit(x[k], path[1:], append(keys, k), fn) {
					return false
				}
			}
		case []any:
			for i, e := range x {
				if !restVisit(e, path[1:], append(keys, fmt.Sprint(i)), fn) {
					return false
				}
			}
		}
		return true
	case fixtures.MapKey:
		m, ok := root.(map[string]any)
		if !ok {
			return true
		}
		for _, k := range sortedKeys(m) {
			if !restVisit(k, path[1:], append(keys, k), fn) {
				return false
			}
		}
		return true
	default:
		m, ok := root.(map[string]any)
		if !ok {
			return true
		}
		v, ok := m[seg]
		if !ok || v == nil {
			return true
		}
		return restVisit(v, path[1:], keys, fn)
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// fill replaces the {key} placeholders of s with the last keys.
func fill(s string, keys []string) string {
	n := strings.Count(s, fixtures.MapKey)
	if n == 0 {
		return s
	}
	use := keys
	if len(use) > n {
		use = use[len(use)-n:]
	}
	for _, k := range use {
		s = strings.Replace(s, fixtures.MapKey, k, 1)
	}
	return s
}

func (c *restRule) violation(keys []string) *Violation {
	r := c.r
	msg := r.Message
	if msg == "" {
		msg = "Specified parameter " + strings.TrimPrefix(r.Code, "Invalid") + " is not valid. "
	}
	return &Violation{RuleID: r.ID, Code: fill(r.Code, keys), Message: fill(msg, keys), Path: fill(strings.ReplaceAll(r.Path, "*", fixtures.MapKey), keys)}
}

func present(root map[string]any, path string) bool {
	found := false
	restVisit(root, splitPath(path), nil, func(any, []string) bool { found = true; return false })
	return found
}

func (c *restRule) check(cat *fixtures.Catalog, params map[string]any) (out *Violation) {
	r := c.r
	if len(r.IfAny) > 0 {
		any := false
		for _, p := range r.IfAny {
			if present(params, p) {
				any = true
				break
			}
		}
		if !any {
			return nil
		}
	}
	fail := func(keys []string) bool { out = c.violation(keys); return false }
	var root any = params
	switch r.Suffix {
	case "required":
		parent, last := c.path[:len(c.path)-1], c.path[len(c.path)-1]
		if len(c.path) == 0 {
			return nil
		}
		restVisit(root, parent, nil, func(v any, keys []string) bool {
			m, ok := v.(map[string]any)
			if !ok {
				return true
			}
			if x, ok := m[last]; !ok || x == nil {
				return fail(keys)
			}
			return true
		})
	case "type":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			for _, t := range r.Values {
				if restTypeOK(t, v) {
					return true
				}
			}
			if !restTypeOK(c.member.Type, v) {
				return fail(keys)
			}
			return true
		})
	case "maxlen", "minlen":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			s, ok := v.(string)
			if !ok {
				return true
			}
			n := float64(len(s)) // the docs count bytes (naming rules, doc 44717)
			if r.Suffix == "maxlen" && r.Max != nil && n > *r.Max || r.Suffix == "minlen" && r.Min != nil && n < *r.Min {
				return fail(keys)
			}
			return true
		})
	case "range":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			f, ok := number(v)
			if !ok {
				return true
			}
			if r.Min != nil && f < *r.Min || r.Max != nil && f > *r.Max {
				return fail(keys)
			}
			return true
		})
	case "listmax":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			n := -1
			switch x := v.(type) {
			case map[string]any:
				n = len(x)
			case []any:
				n = len(x)
			}
			if n >= 0 && r.Max != nil && float64(n) > *r.Max {
				return fail(keys)
			}
			return true
		})
	case "pattern":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			if s, ok := v.(string); ok && c.re != nil && !c.re.MatchString(s) {
				return fail(keys)
			}
			return true
		})
	case "enum":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			s, ok := v.(string)
			if !ok {
				return true
			}
			for _, x := range r.Values {
				if s == x || r.CaseFold && strings.EqualFold(s, x) {
					return true
				}
			}
			return fail(keys)
		})
	case "scheme":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			s, ok := v.(string)
			if !ok || s == "" {
				return true // "" is "no package"/"no redirect" (the SDK examples send PackagePath "")
			}
			scheme, _, found := strings.Cut(s, "://")
			if found {
				for _, x := range r.Values {
					if strings.EqualFold(scheme, x) {
						return true
					}
				}
			}
			return fail(keys)
		})
	case "xor":
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			m, ok := v.(map[string]any)
			if !ok {
				return true
			}
			n := 0
			for _, name := range r.Members {
				if x, ok := m[name]; ok && x != nil {
					n++
				}
			}
			if n > 1 || r.Exactly && n == 0 {
				return fail(keys)
			}
			return true
		})
	case "ref":
		// The value (or key) must be a key of the map at RefPath ("X.{key}").
		target := splitPath(strings.TrimSuffix(strings.TrimSuffix(r.RefPath, fixtures.MapKey), "."))
		var names map[string]any
		restVisit(root, target, nil, func(v any, _ []string) bool {
			names, _ = v.(map[string]any)
			return false
		})
		restVisit(root, c.path, nil, func(v any, keys []string) bool {
			s, ok := v.(string)
			if !ok {
				return true
			}
			if _, ok := names[s]; !ok {
				return fail(keys)
			}
			return true
		})
	case "acyclic":
		// Edges: each key of the map at Path (From "{key}") to every element
		// of its list value (To "*.*" relative to Path).
		var g map[string]any
		restVisit(root, c.path, nil, func(v any, _ []string) bool { g, _ = v.(map[string]any); return false })
		if g != nil && hasCycle(g) {
			out = c.violation(nil)
		}
	}
	return out
}

func hasCycle(g map[string]any) bool {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var dfs func(n string) bool
	dfs = func(n string) bool {
		color[n] = grey
		l, _ := g[n].([]any)
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				continue
			}
			switch color[s] {
			case grey:
				return true
			case white:
				if dfs(s) {
					return true
				}
			}
		}
		color[n] = black
		return false
	}
	for _, k := range sortedKeys(g) {
		if color[k] == white && dfs(k) {
			return true
		}
	}
	return false
}

// restTypeOK is TypeOK plus the REST model's "map" (an object of any keys).
func restTypeOK(t string, v any) bool {
	if t == "map" {
		_, ok := v.(map[string]any)
		return ok
	}
	return TypeOK(t, v)
}
