package generators

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"encoding/json"

	"github.com/batchconform/batchconform/fixtures"
)

// Case is one request that breaks a rule, with the code the docs give for it.
type Case struct {
	Request map[string]any
	Code    string // the documented error code of this violation
	What    string // how the rule is broken, for messages
}

// Violate returns a deep copy of base that breaks exactly rule: the parents
// the rule's path needs are created (filled validly), then one thing is
// changed — rule.Bad when the catalog gives it, else a value derived from the
// rule's suffix. base is not modified.
func Violate(cat *fixtures.Catalog, rule fixtures.Rule, base map[string]any) (map[string]any, error) {
	cs, err := New(cat, Refs{}, nil).Violations(rule, base)
	if err != nil {
		return nil, err
	}
	return cs[0].Request, nil
}

// Prepare returns a deep copy of base in which the rule's path exists (its
// missing parents, objects and list elements, created validly): the valid
// request that the rule's violation differs from by exactly one thing.
func (g *Generator) Prepare(rule fixtures.Rule, base map[string]any) (map[string]any, error) {
	req := CloneMap(base)
	// A conditional rule binds only when its premise holds: make it hold
	// (the rest of the request stays valid under it, see conditional).
	if rule.When != nil {
		if err := g.setPremise(rule.Action, req, rule.When); err != nil {
			return nil, fmt.Errorf("generators: %s: %w", rule.ID, err)
		}
		g.conditionalExcept(rule.Action, req, rule.ID)
	}
	// The whole path is created, leaf included (filled validly), so the
	// violation only replaces or deletes one value.
	if err := g.ensure(rule.Action, req, splitPath(rule.Path)); err != nil {
		return nil, fmt.Errorf("generators: %s: %w", rule.ID, err)
	}
	return req, nil
}

func parentSegs(p string) []string {
	segs := splitPath(p)
	if len(segs) == 0 {
		return nil
	}
	return segs[:len(segs)-1]
}

// ensure creates every missing step of star path segs ("*" = element 0).
func (g *Generator) ensure(action string, req map[string]any, segs []string) error {
	a, ok := g.cat.Action(action)
	if !ok {
		return fmt.Errorf("unknown action %q", action)
	}
	var cur any = req
	for i, s := range segs {
		star := strings.Join(segs[:i+1], ".")
		switch c := cur.(type) {
		case map[string]any:
			if v, ok := c[s]; ok && v != nil {
				cur = v
				continue
			}
			m, err := g.cat.ResolvePath(a.Input, star)
			if err != nil {
				return err
			}
			v := g.value(action, m, star)
			if h, ok := createHints[action][star]; ok {
				v = g.expand(Clone(h))
			}
			c[s] = v
			cur = v
			// A member of an xor group pushes out the group's other members,
			// so the request stays valid.
			parent := strings.Join(segs[:i], ".")
			for _, r := range g.rules[action][parent] {
				if r.Suffix == "xor" && contains(r.Members, s) {
					for _, o := range r.Members {
						if o != s {
							delete(c, o)
						}
					}
				}
			}
		case []any:
			if s != "*" {
				return fmt.Errorf("%s: expected * in a list", star)
			}
			if len(c) == 0 {
				m, err := g.cat.ResolvePath(a.Input, star)
				if err != nil {
					return err
				}
				v := g.value(action, m, star)
				if h, ok := createHints[action][star]; ok {
					v = g.expand(Clone(h))
				}
				if err := setPath(req, splitPath(Concrete(strings.Join(segs[:i], "."))), []any{v}); err != nil {
					return err
				}
				cur = v
				continue
			}
			cur = c[0]
		default:
			return fmt.Errorf("%s: cannot step into %T", star, cur)
		}
	}
	return nil
}

// Violations returns the ways Generator breaks rule on base: one Case, or
// two for a range with both bounds (above Max: Code; below Min: MinCode if
// set, else Code).
func (g *Generator) Violations(rule fixtures.Rule, base map[string]any) ([]Case, error) {
	prep, err := g.Prepare(rule, base)
	if err != nil {
		return nil, err
	}
	c := Concrete(rule.Path)
	mk := func(v any, code, what string) (Case, error) {
		req := CloneMap(prep)
		if err := putOrDelete(req, c, v); err != nil {
			return Case{}, fmt.Errorf("generators: %s: %w", rule.ID, err)
		}
		return Case{Request: req, Code: code, What: what}, nil
	}
	one := func(v any, what string) ([]Case, error) {
		cs, err := mk(v, rule.Code, what)
		if err != nil {
			return nil, err
		}
		return []Case{cs}, nil
	}
	cur, _ := Get(prep, c)

	// A range is broken at both bounds; a duplicate is derived from the
	// request itself (a catalog Bad list may break other rules of its elements).
	if len(rule.Bad) > 0 && rule.Suffix != "range" && rule.Suffix != "unique" {
		var bad any
		if err := json.Unmarshal(rule.Bad, &bad); err != nil {
			return nil, fmt.Errorf("generators: %s: bad value: %w", rule.ID, err)
		}
		bad = normalize(bad)
		if rule.Suffix == "xor" {
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("generators: %s: no object at %s", rule.ID, rule.Path)
			}
			merged := CloneMap(obj)
			for k, v := range bad.(map[string]any) {
				merged[k] = v
			}
			return one(merged, "catalog's Bad merged")
		}
		cases, err := one(bad, "catalog's Bad value")
		if err != nil || rule.Suffix != "acyclic" {
			return cases, err
		}
		// A cycle detector can miss the shortest cycle (an edge from a task
		// to itself) while it finds longer ones: break the rule that way too.
		loop, err := selfLoop(rule, bad)
		if err != nil {
			return nil, err
		}
		c2, err := mk(loop, rule.Code, "a task that depends on itself")
		if err != nil {
			return nil, err
		}
		return append(cases, c2), nil
	}

	switch rule.Suffix {
	case "required":
		return one(deleted{}, "deleted")
	case "type":
		m, err := g.memberAt(rule.Action, rule.Path)
		if err != nil {
			return nil, fmt.Errorf("generators: %s: %w", rule.ID, err)
		}
		return one(wrongType(m.Type, rule.Values), "wrong JSON type")
	case "maxlen":
		if rule.Max == nil {
			return nil, fmt.Errorf("generators: %s: maxlen without max", rule.ID)
		}
		return one(strings.Repeat("a", int(*rule.Max)+1), "Max+1 characters")
	case "minlen":
		if rule.Min == nil || *rule.Min < 1 {
			return nil, fmt.Errorf("generators: %s: minlen without a positive min", rule.ID)
		}
		return one(strings.Repeat("a", int(*rule.Min)-1), "Min-1 characters")
	case "range":
		var out []Case
		if rule.Max != nil {
			cs, err := mk(rangeValue(cur, *rule.Max+1), rule.Code, "Max+1")
			if err != nil {
				return nil, err
			}
			out = append(out, cs)
		}
		if rule.Min != nil {
			code := rule.Code
			if rule.MinCode != "" {
				code = rule.MinCode
			}
			cs, err := mk(rangeValue(cur, *rule.Min-1), code, "Min-1")
			if err != nil {
				return nil, err
			}
			out = append(out, cs)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("generators: %s: range without bounds", rule.ID)
		}
		return out, nil
	case "enum":
		return one("NO_SUCH_VALUE", "an undocumented value")
	case "pattern":
		re, err := compile(rule.Pattern)
		if err != nil {
			return nil, fmt.Errorf("generators: %s: %w", rule.ID, err)
		}
		for _, s := range []string{"!!bad value!!", "", "x"} {
			if !re.MatchString(s) {
				return one(s, "a value the pattern rejects")
			}
		}
		return nil, fmt.Errorf("generators: %s: pattern %q accepts every candidate", rule.ID, rule.Pattern)
	case "xor":
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("generators: %s: no object at %s", rule.ID, rule.Path)
		}
		merged := CloneMap(obj)
		a, _ := g.cat.Action(rule.Action)
		for _, name := range rule.Members {
			if _, ok := merged[name]; ok {
				continue
			}
			m, err := g.cat.ResolvePath(a.Input, join(rule.Path, name))
			if err != nil {
				return nil, fmt.Errorf("generators: %s: %w", rule.ID, err)
			}
			merged[name] = g.value(rule.Action, m, join(rule.Path, name))
		}
		return one(merged, "every member of the group")
	case "atleastone":
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("generators: %s: no object at %s", rule.ID, rule.Path)
		}
		stripped := CloneMap(obj)
		for _, name := range rule.Members {
			delete(stripped, name)
		}
		return one(stripped, "no member of the group")
	case "listmax":
		l, ok := cur.([]any)
		if !ok || len(l) == 0 || rule.Max == nil {
			return nil, fmt.Errorf("generators: %s: no list at %s", rule.ID, rule.Path)
		}
		key, uniq := g.uniqueKey(rule.Action, rule.Path)
		n := int(*rule.Max) + 1
		out := make([]any, n)
		for i := range out {
			out[i] = Clone(l[i%len(l)])
			if uniq && i >= len(l) {
				out[i] = vary(out[i], key, i)
			}
		}
		return one(out, "Max+1 elements")
	case "unique":
		l, ok := cur.([]any)
		if !ok || len(l) == 0 {
			return nil, fmt.Errorf("generators: %s: no list at %s", rule.ID, rule.Path)
		}
		out := append(Clone(l).([]any), Clone(l[0]))
		return one(out, "a duplicated element")
	case "ref":
		return one("nosuchref", "a name the referenced list does not hold")
	case "acyclic":
		l, ok := cur.([]any)
		if !ok || len(l) == 0 {
			return nil, fmt.Errorf("generators: %s: no edge list at %s", rule.ID, rule.Path)
		}
		e, ok := l[0].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("generators: %s: edge is not an object", rule.ID)
		}
		rev := CloneMap(e)
		rev[rule.From], rev[rule.To] = e[rule.To], e[rule.From]
		return one(append(Clone(l).([]any), rev), "the reverse of an edge")
	case "scheme":
		return one("http://example.com/dir/", "an http URL")
	case "path":
		if rule.Format == "local" {
			return one("relative/dir", "a relative path")
		}
		return one("cos://", "a URL without bucket or path")
	}
	return nil, fmt.Errorf("generators: %s: suffix %q not supported", rule.ID, rule.Suffix)
}

// ExpectedCode is the documented code for a request that breaks rule with
// value v at its path (a range below Min answers MinCode when set).
func ExpectedCode(rule fixtures.Rule, req map[string]any) string {
	if rule.Suffix == "range" && rule.MinCode != "" && rule.Min != nil {
		if v, ok := Get(req, Concrete(rule.Path)); ok {
			if f, ok := toFloat(v); ok && f < *rule.Min {
				return rule.MinCode
			}
		}
	}
	return rule.Code
}

// deleted marks a member to delete in putOrDelete.
type deleted struct{}

func putOrDelete(req map[string]any, concrete string, v any) error {
	segs := splitPath(concrete)
	if len(segs) == 0 {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("the request root must stay an object")
		}
		for k := range req {
			delete(req, k)
		}
		for k, e := range m {
			req[k] = e
		}
		return nil
	}
	if _, ok := v.(deleted); ok {
		parent, ok := Get(req, strings.Join(segs[:len(segs)-1], "."))
		if !ok {
			return fmt.Errorf("no parent for %s", concrete)
		}
		p, ok := parent.(map[string]any)
		if !ok {
			return fmt.Errorf("parent of %s is not an object", concrete)
		}
		delete(p, segs[len(segs)-1])
		return nil
	}
	return setPath(req, segs, v)
}

func (g *Generator) memberAt(action, path string) (*fixtures.Member, error) {
	a, ok := g.cat.Action(action)
	if !ok {
		return nil, fmt.Errorf("unknown action %q", action)
	}
	return g.cat.ResolvePath(a.Input, path)
}

// wrongType returns a value of another JSON type than t (and than every type
// in alt, when a rule accepts several).
func wrongType(t string, alt []string) any {
	accepted := map[string]bool{t: true}
	for _, a := range alt {
		accepted[a] = true
	}
	cands := []struct {
		types []string
		v     any
	}{
		{[]string{"string", "datetime"}, int64(123)},
		{[]string{"int64", "uint64", "float"}, "1"},
		{[]string{"bool"}, "TRUE"},
		{[]string{"object", "list"}, "x"},
	}
	for _, c := range cands {
		for _, ty := range c.types {
			if accepted[ty] {
				return pickOther(accepted, c.v)
			}
		}
	}
	return "x"
}

// pickOther returns v unless its JSON type is accepted, else another one.
func pickOther(accepted map[string]bool, v any) any {
	kind := func(x any) []string {
		switch x.(type) {
		case string:
			return []string{"string", "datetime"}
		case int64:
			return []string{"int64", "uint64", "float"}
		case bool:
			return []string{"bool"}
		}
		return nil
	}
	for _, c := range []any{v, int64(123), "x", true} {
		ok := true
		for _, k := range kind(c) {
			if accepted[k] {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	return []any{}
}

func rangeValue(cur any, f float64) any {
	if _, isFloat := cur.(float64); isFloat || f != float64(int64(f)) {
		return f
	}
	return int64(f)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// normalize turns decoded JSON numbers that are integers into int64.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	}
	return v
}

// uniqueKey reports whether the list at path has a unique rule, and its key.
func (g *Generator) uniqueKey(action, path string) (string, bool) {
	for _, r := range g.rules[action][path] {
		if r.Suffix == "unique" {
			return r.Key, true
		}
	}
	return "", false
}

// vary makes element i distinct: its key member (or the string itself) gets
// i as trailing digits, which keeps ID patterns like ^ins-[a-z0-9]{8}$.
func vary(v any, key string, i int) any {
	if key != "" {
		if m, ok := v.(map[string]any); ok {
			if s, ok := m[key].(string); ok {
				m[key] = varyString(s, i)
			}
		}
		return v
	}
	if s, ok := v.(string); ok {
		return varyString(s, i)
	}
	return v
}

func varyString(s string, i int) string {
	d := strconv.Itoa(i)
	if len(s) < len(d) {
		return s + d
	}
	return s[:len(s)-len(d)] + d
}

var (
	reMu    sync.Mutex
	reCache = map[string]*regexp.Regexp{}
)

func compile(p string) (*regexp.Regexp, error) {
	reMu.Lock()
	defer reMu.Unlock()
	if re, ok := reCache[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	reCache[p] = re
	return re, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func matches(pattern, s string) bool {
	re, err := compile(pattern)
	return err == nil && re.MatchString(s)
}

// selfLoop returns an edge list of one edge from the first node of an
// acyclic rule's Bad edge list to itself.
func selfLoop(rule fixtures.Rule, bad any) ([]any, error) {
	l, ok := bad.([]any)
	if !ok || len(l) == 0 {
		return nil, fmt.Errorf("generators: %s: Bad is not an edge list", rule.ID)
	}
	e, ok := l[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("generators: %s: Bad edge is not an object", rule.ID)
	}
	loop := CloneMap(e)
	loop[rule.To] = e[rule.From]
	return []any{loop}, nil
}
