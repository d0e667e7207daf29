// Package generators builds API requests from a dialect's catalog: Valid gives
// a minimal request that satisfies every rule of an action, Violate breaks
// exactly one rule of it. Nothing here restates a rule: values come from the
// catalog's objects, members and rules (enums, patterns, bounds, path formats,
// xor groups). Where a request that passes every rule is still not something
// a correct endpoint accepts (a job needs a command that runs and a compute
// environment it can boot; a zone must be in the region), small per-action
// hints supply the missing meaning — as data, in hints.go.
//
// The deterministic core is designed so a random generator can sit on top:
// every choice goes through a Chooser (the deterministic one always takes the
// first candidate), and Violate is a pure function of (rule, base).
//
// Requests are the decoded JSON shape: map[string]any objects, []any lists,
// int64/float64 numbers, strings and bools; they marshal to the wire body
// unchanged.
package generators

import (
	"encoding/json"
	"fmt"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"

	"github.com/batchconform/batchconform/fixtures"
)

// Refs are the identifiers of existing resources (and placement) a request
// may refer to. Empty fields fall back to well-formed values derived from the
// rules' patterns.
type Refs struct {
	Region     string // default ap-guangzhou
	Zone       string // default the first zone of Region in the catalog
	EnvID      string
	JobID      string
	TaskName   string // a task of JobID
	TemplateID string
	NodeID     string // a compute node of EnvID
	InstanceID string // a CVM instance (attachable, or attached to EnvID)
}

// Chooser picks one of n candidates (a random generator plugs in here).
type Chooser interface {
	Choose(n int) int
}

type first struct{}

func (first) Choose(int) int { return 0 }

// Valid returns a minimal valid request of action: every required member
// filled (recursively) with a value satisfying every rule at its path, xor
// groups with Exactly given one member, atleastone groups one member, and the
// action's hints applied. It panics on an unknown action (a programming error
// at tree-construction time).
func Valid(cat *fixtures.Catalog, action string, refs Refs) map[string]any {
	return New(cat, refs, nil).Valid(action)
}

// Generator holds one catalog's compiled rules and a Chooser.
type Generator struct {
	cat    *fixtures.Catalog
	refs   Refs
	choose Chooser
	// rules: action -> star path -> rules at that path.
	rules map[string]map[string][]*fixtures.Rule
}

// New returns a Generator; a nil Chooser always takes the first candidate.
func New(cat *fixtures.Catalog, refs Refs, c Chooser) *Generator {
	if c == nil {
		c = first{}
	}
	if refs.Region == "" {
		refs.Region = "ap-guangzhou"
	}
	if refs.Zone == "" {
		if zs := cat.Regions[refs.Region]; len(zs) > 0 {
			refs.Zone = zs[0]
		}
	}
	g := &Generator{cat: cat, refs: refs, choose: c, rules: map[string]map[string][]*fixtures.Rule{}}
	for i := range cat.Rules {
		r := &cat.Rules[i]
		m := g.rules[r.Action]
		if m == nil {
			m = map[string][]*fixtures.Rule{}
			g.rules[r.Action] = m
		}
		m[r.Path] = append(m[r.Path], r)
	}
	return g
}

// Valid returns a minimal valid request of action (see the package Valid).
func (g *Generator) Valid(action string) map[string]any {
	a, ok := g.cat.Action(action)
	if !ok {
		panic(fmt.Sprintf("generators: unknown action %q", action))
	}
	req := g.object(action, a.Input, "")
	g.conditional(action, req)
	for _, h := range hintsFor(g.cat.Dialect, action) {
		if err := setPath(req, splitPath(h.Path), g.expand(h.Value)); err != nil {
			panic(fmt.Sprintf("generators: hint %s %s: %v", action, h.Path, err))
		}
	}
	return req
}

// conditional fills what a conditional required rule (fixtures.Rule.When)
// asks for when the generic fill made its premise hold (e.g. Oceanus
// CreateJob with ClusterType 2 needs a ClusterId).
func (g *Generator) conditional(action string, req map[string]any) {
	g.conditionalExcept(action, req, "")
}

// conditionalExcept is conditional without the rule skip (the one a
// violation breaks).
func (g *Generator) conditionalExcept(action string, req map[string]any, skip string) {
	for _, r := range g.cat.RulesFor(action) {
		if r.ID == skip || r.When == nil || r.Suffix != "required" || !premiseHolds(req, r.When) {
			continue
		}
		if _, ok := Get(req, Concrete(r.Path)); ok {
			continue
		}
		if m, err := g.memberAt(action, r.Path); err == nil {
			_ = setPath(req, splitPath(Concrete(r.Path)), g.value(action, m, r.Path))
		}
	}
}

// premiseHolds reports whether the scalar at w.Path is one of w.Values.
func premiseHolds(req map[string]any, w *fixtures.Condition) bool {
	v, ok := Get(req, Concrete(w.Path))
	if !ok {
		return false
	}
	s := fmt.Sprint(v)
	for _, x := range w.Values {
		if s == x {
			return true
		}
	}
	return false
}

// setPremise makes a conditional rule's premise hold in req: the value at
// w.Path becomes w.Values[0], typed as the member.
func (g *Generator) setPremise(action string, req map[string]any, w *fixtures.Condition) error {
	m, err := g.memberAt(action, w.Path)
	if err != nil {
		return err
	}
	var v any = w.Values[0]
	switch m.Type {
	case "int64", "uint64":
		n, err := strconv.ParseInt(w.Values[0], 10, 64)
		if err != nil {
			return fmt.Errorf("premise %s=%s: %w", w.Path, w.Values[0], err)
		}
		v = n
	case "bool":
		v = w.Values[0] == "true"
	}
	return setPath(req, splitPath(Concrete(w.Path)), v)
}

// object fills the required members of object name at star path prefix.
func (g *Generator) object(action, name, prefix string) map[string]any {
	out := map[string]any{}
	o, ok := g.cat.Objects[name]
	if !ok {
		return out
	}
	for i := range o.Members {
		m := &o.Members[i]
		if m.Required {
			out[m.Name] = g.value(action, m, join(prefix, m.Name))
		}
	}
	// Groups: an xor with Exactly and an atleastone need one member.
	for _, r := range g.rules[action][prefix] {
		if (r.Suffix == "xor" && r.Exactly) || r.Suffix == "atleastone" {
			if anyPresent(out, r.Members) {
				continue
			}
			pick := r.Members[g.choose.Choose(len(r.Members))]
			if m := o.Member(pick); m != nil {
				out[pick] = g.value(action, m, join(prefix, pick))
			}
		}
	}
	return out
}

func anyPresent(obj map[string]any, names []string) bool {
	for _, n := range names {
		if v, ok := obj[n]; ok && v != nil {
			return true
		}
	}
	return false
}

// value returns a valid value of member m at star path p.
func (g *Generator) value(action string, m *fixtures.Member, p string) any {
	switch m.Type {
	case "object":
		return g.object(action, m.Ref, p)
	case "list":
		elem := &fixtures.Member{Name: "*", Type: m.Elem, Ref: m.Ref}
		if elem.Type == "" {
			elem.Type = "string"
		}
		return []any{g.value(action, elem, p+".*")}
	case "int64", "uint64":
		return int64(g.number(action, p))
	case "float":
		return g.number(action, p)
	case "bool":
		return false
	default: // string, datetime
		return g.str(action, m, p)
	}
}

func (g *Generator) number(action, p string) float64 {
	v := 1.0
	for _, r := range g.rules[action][p] {
		switch r.Suffix {
		case "range":
			if r.Min != nil && v < *r.Min {
				v = *r.Min
			}
			if r.Max != nil && v > *r.Max {
				v = *r.Max
			}
		case "enum":
			// The first value every enum rule at p allows (a conditional
			// enum, e.g. CuMem 4 on shared clusters, narrows the set
			// whatever the premise).
			for _, x := range r.Values {
				if !g.allEnumsAllow(action, p, x) {
					continue
				}
				if f, err := strconv.ParseFloat(x, 64); err == nil {
					return f
				}
			}
		}
	}
	return v
}

// allEnumsAllow reports whether every enum rule at p lists x.
func (g *Generator) allEnumsAllow(action, p, x string) bool {
	for _, r := range g.rules[action][p] {
		if r.Suffix == "enum" && len(r.Values) > 0 && !contains(r.Values, x) {
			return false
		}
	}
	return true
}

// str returns a string satisfying every rule at p: a name hint, an enum
// value, a reference matching the pattern, a path of the documented format,
// then the length bounds.
func (g *Generator) str(action string, m *fixtures.Member, p string) string {
	rs := g.rules[action][p]
	var s string
	set := false
	if v, ok := nameHints[lastSeg(p, m.Name)]; ok {
		s, set = g.expand(v).(string), true
	}
	for _, r := range rs {
		if set {
			break
		}
		switch r.Suffix {
		case "enum":
			if len(r.Values) > 0 {
				s, set = r.Values[g.choose.Choose(len(r.Values))], true
			}
		case "pattern":
			s, set = g.matching(r.Pattern), true
		case "path", "scheme":
			if r.Format == "local" {
				s, set = LocalPath, true
			} else {
				s, set = RemotePath, true
			}
		}
	}
	if !set {
		if m.Type == "datetime" {
			s = "2024-01-01 00:00:00"
		} else {
			s = "bc" + strings.ToLower(lastSeg(p, m.Name))
		}
	}
	for _, r := range rs {
		switch r.Suffix {
		case "maxlen":
			if r.Max != nil && len(s) > int(*r.Max) {
				s = s[:int(*r.Max)]
			}
		case "minlen":
			if r.Min != nil && len(s) < int(*r.Min) {
				s += strings.Repeat("a", int(*r.Min)-len(s))
			}
		}
	}
	return s
}

// Documented path forms used for path and scheme rules.
const (
	RemotePath = "cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/"
	LocalPath  = "/mnt/data/"
)

// matching returns a reference from Refs that matches pattern, else the
// shortest string the pattern accepts (built from the regexp's syntax tree).
func (g *Generator) matching(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	synth(&b, re.Simplify())
	made := b.String()
	// A reference is used only for a pattern of its own kind (same prefix up
	// to the first "-"): a name pattern must not pick up an EnvId.
	for _, ref := range []string{g.refs.EnvID, g.refs.JobID, g.refs.TemplateID, g.refs.NodeID, g.refs.InstanceID} {
		if ref != "" && idPrefix(ref) != "" && idPrefix(ref) == idPrefix(made) && matches(pattern, ref) {
			return ref
		}
	}
	return made
}

// idPrefix is an ID's kind: its text up to the last "-" (env-, task-tmpl-).
func idPrefix(s string) string {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return ""
	}
	return s[:i+1]
}

// synth writes a short string re matches (classes prefer a lowercase letter or
// digit, so IDs look like env-aaaaaaaa).
func synth(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpCapture:
		synth(b, re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			synth(b, s)
		}
	case syntax.OpAlternate:
		synth(b, re.Sub[0])
	case syntax.OpPlus:
		synth(b, re.Sub[0])
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			synth(b, re.Sub[0])
		}
	}
	// Star, Quest, anchors and empty match write nothing.
}

func pickRune(ranges []rune) rune {
	for _, want := range []rune{'a', '0', 'A'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

// expand replaces ${Ref} placeholders in hint values by the refs.
func (g *Generator) expand(v any) any {
	switch x := v.(type) {
	case string:
		r := strings.NewReplacer("${Region}", g.refs.Region, "${Zone}", g.refs.Zone, "${EnvID}", g.orID(g.refs.EnvID, "env-"),
			"${JobID}", g.orID(g.refs.JobID, "job-"), "${TaskName}", nz(g.refs.TaskName, "A"),
			"${TemplateID}", g.orID(g.refs.TemplateID, "task-tmpl-"), "${NodeID}", g.orID(g.refs.NodeID, "node-"),
			"${InstanceID}", g.orID(g.refs.InstanceID, "ins-"))
		return r.Replace(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = g.expand(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = g.expand(e)
		}
		return out
	}
	return v
}

func (g *Generator) orID(id, prefix string) string {
	if id != "" {
		return id
	}
	return prefix + "aaaaaaaa"
}

func nz(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func lastSeg(p, def string) string {
	segs := splitPath(p)
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i] != "*" {
			return segs[i]
		}
	}
	return def
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

// ---- paths in requests ----

// Concrete returns the concrete path of a star path: every "*" is element 0.
func Concrete(starPath string) string {
	segs := splitPath(starPath)
	for i, s := range segs {
		if s == "*" {
			segs[i] = "0"
		}
	}
	return strings.Join(segs, ".")
}

// Get returns the value at a concrete dotted path.
func Get(req map[string]any, path string) (any, bool) {
	var cur any = req
	for _, s := range splitPath(path) {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[s]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// setPath sets the value at a concrete path whose parents exist.
func setPath(req map[string]any, segs []string, v any) error {
	if len(segs) == 0 {
		return fmt.Errorf("empty path")
	}
	parent, ok := Get(req, strings.Join(segs[:len(segs)-1], "."))
	if !ok {
		return fmt.Errorf("no parent for %s", strings.Join(segs, "."))
	}
	last := segs[len(segs)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return fmt.Errorf("bad index %q in %s", last, strings.Join(segs, "."))
		}
		p[i] = v
	default:
		return fmt.Errorf("parent of %s is not a container", strings.Join(segs, "."))
	}
	return nil
}

// Clone deep-copies a request.
func Clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Clone(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	case json.RawMessage:
		return append(json.RawMessage(nil), x...)
	}
	return v
}

// CloneMap deep-copies a request object.
func CloneMap(m map[string]any) map[string]any { return Clone(m).(map[string]any) }

// Diff lists the concrete paths at which a and b differ (the shallowest
// differing node; a list of another length differs as a whole), sorted.
func Diff(a, b any) []string {
	var out []string
	diff("", a, b, &out)
	sort.Strings(out)
	return out
}

func diff(p string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			av, ain := am[k]
			bv, bin := bm[k]
			if ain != bin {
				*out = append(*out, join(p, k))
				continue
			}
			diff(join(p, k), av, bv, out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			diff(join(p, strconv.Itoa(i)), al[i], bl[i], out)
		}
		return
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		*out = append(*out, p)
	}
}
