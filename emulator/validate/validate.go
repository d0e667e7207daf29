// Package validate checks API requests against a product's contract catalog.
// It is generic: nothing in it names an action or a parameter; every check comes
// from the catalog (fixtures.Catalog), so the emulator and the specs read the
// same rules. Every API 3.0 product (Tencent Batch, Oceanus) shares it.
//
// Parameters are the decoded JSON shape: objects as map[string]any, lists as
// []any, numbers as json.Number (float64 and Go integers are accepted too),
// strings and bools.
//
// Two entry points, run by the protocol layer in this order:
//
//  1. CheckShape: the structural checks derived from the catalog's objects and
//     member types, in the documented order of the API 3.0 common errors:
//     MissingParameter (a member marked required is absent or null), then
//     UnknownParameter (a name the input object does not define, at any
//     depth), then InvalidParameter (strict wire types: a string where a
//     number or bool is defined, a non-integer or out-of-range number for
//     int64/uint64, a negative uint64, a float that overflows such as 1e400).
//     Within each class the first violation in a depth-first walk over the
//     members in catalog order wins (for unknown names: the smallest name of the
//     first object holding one), so the answer is deterministic.
//  2. Check: the catalog's Rules of the action. Rules with suffix "required"
//     and "type" run first (in catalog order), then every other rule in catalog
//     order; within a rule, list elements are visited in index order. The first
//     violation wins and carries the rule's item ID and documented code.
//
// A violation is dropped (and checking continues) when Options.Skip returns
// true for its rule ID: the emulator's faults switch rules off this way. Shape
// checks use the rule ID <dialect>/<Action>/rule/<Path>.required|type (with "*"
// for list indices), whether or not the catalog lists that rule.
//
// A negative integer where a uint64 (or a uint64 list element) is defined is
// left to that path's range rule when one has a lower bound, so it answers
// the documented code (InvalidParameterValue.Negative), not InvalidParameter.
// A "remote" path rule does not apply to a value whose scheme is not cos/cfs:
// that is the scheme rule's violation (RemoteStorageSchemeType), while a
// malformed cos:// value is the path rule's (RemoteStoragePath).
//
// Rules with a suffix this package does not know (e.g. "idempotent") are left to
// the product; Lint reports rules whose path or pattern cannot be used.
package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/batchconform/batchconform/fixtures"
)

// Violation is the first broken rule of a request.
type Violation struct {
	RuleID  string // catalog item ID of the rule ("" for a shape check the catalog does not list)
	Code    string // documented error code
	Message string
	Path    string // concrete parameter path, e.g. Job.Tasks.0.TaskName
}

func (v *Violation) Error() string { return v.Code + ": " + v.Message }

// Options tune a check.
type Options struct {
	// Skip, if set, is asked about each violated rule ID; true drops the
	// violation and checking goes on.
	Skip func(ruleID string) bool
}

func (o Options) skip(id string) bool { return o.Skip != nil && o.Skip(id) }

// Common API 3.0 codes used by the shape checks.
const (
	CodeMissing = "MissingParameter"
	CodeUnknown = "UnknownParameter"
	CodeInvalid = "InvalidParameter"
)

// ---- compiled catalog (cached per *Catalog; catalogs are immutable once loaded) ----

type object struct {
	name    string
	members []*fixtures.Member // catalog order
	byName  map[string]*fixtures.Member
	// index: member name -> position in members; required: the positions
	// of the required members, ascending. Both nil when two members share a
	// name (then the walk looks each member up, as it always may).
	index    map[string]int
	required []int
	// refs: per member (members order), the object its Ref names, resolved
	// once here instead of looked up by name for every value walked.
	refs []*object
}

type crule struct {
	// The fields a request's check reads first, together: kind, whether
	// the rule is usable, its premise and anchor (Check, run, judge), so
	// a rule that holds is decided without reading the catalog's Rule.
	kind    ruleKind
	usable  bool
	anchor  int
	cond    *fixtures.Condition // Rule.When
	typ     string              // type rules: the member's wire type
	elem    string              // and its list element type
	alts    []string            // type rules: Rule.Values
	r       *fixtures.Rule
	path    []string
	parent  []string // path without its last segment (required)
	last    string
	member  *fixtures.Member // for type rules
	refPath []string         // relative to scope
	relPath []string         // path relative to scope (ref)
	scope   []string
	re      *regexp.Regexp
	values  map[string]bool
	problem string // why the rule cannot be used (Lint)
	// signed: a range rule with a lower bound checks this uint64's sign.
	signed bool
	// elemSigned: the same for the elements of the list at this path
	// (a range rule at Path.*).
	elemSigned bool
	// when is Rule.When.Path split once at compile time (nil without a premise).
	when []string
	// anchor (above) is the plan node of the path the rule's walk starts
	// from (its parent for required, its scope for ref, else its path):
	// with no value there the rule has nothing to check.
	// members is Rule.Members joined for the xor/atleastone messages, once
	// here rather than on every value checked.
	members string
}

// ruleKind is a rule's suffix, for the suffixes judge decides one value at
// a time (the value at the anchor alone deciding); unique, ref and acyclic
// look across values (kindOther).
type ruleKind uint8

const (
	kindOther ruleKind = iota
	kindRequired
	kindType
	kindMaxlen
	kindMinlen
	kindRange
	kindEnum
	kindPattern
	kindXor
	kindAtLeastOne
	kindListmax
	kindScheme
	kindPath
)

var ruleKinds = map[string]ruleKind{
	"required": kindRequired, "type": kindType, "maxlen": kindMaxlen, "minlen": kindMinlen, "range": kindRange,
	"enum": kindEnum, "pattern": kindPattern, "xor": kindXor, "atleastone": kindAtLeastOne, "listmax": kindListmax,
	"scheme": kindScheme, "path": kindPath,
}

// simple: the rule judges each value at its anchor alone.
func (c *crule) simple() bool { return c.kind != kindOther }

type action struct {
	input *object
	rules []crule // required/type first, then the rest, each in catalog order
	ids   map[string]*fixtures.Rule
	// alt: star path -> every wire type a type rule accepts there (Rule.Values).
	alt map[string][]string
	// signRange: star paths whose uint64 sign is checked by a range rule with
	// a lower bound, so the shape check leaves negative integers to that rule.
	signRange map[string]bool
	// plan is the trie of the rules' anchor paths (planNode), nodes its size.
	plan  *planNode
	nodes int
	// rulesAt: per plan node, the indices in rules of the rules anchored there.
	rulesAt [][]int32
	// fused: the shape walk can collect the plan's values (planCovered), so
	// CheckRequest walks the request once for both checks.
	fused bool
	// shaped: a bit per rule (in rules order) for the rules a request that
	// passed the shape check cannot break: a type rule without alternative
	// types checks what the shape walk checked, and a required rule without
	// a premise on a member the catalog marks required is the walk's
	// MissingParameter. CheckRequest does not run them after the walk.
	shaped []uint64
}

// planNode is one segment of the trie of an action's rule anchors. A
// request's parameters are walked along it once (mark), which finds every
// anchor that holds a value; only the rules whose anchor does are then run,
// in their usual order. Most of an action's rules are about parameters a
// given request does not send, and each of them used to walk from the root
// to find that out (a map lookup per segment per rule).
type planNode struct {
	id       int
	children []planChild // member segments
	star     *planNode   // "*": every element of a list
	// bySeg indexes children when there are many (finish): an object
	// holding fewer members than the node has children is walked by its
	// members instead (most of an object's members are not sent).
	bySeg map[string]*planNode
	// byMember: for a node whose values are objects of one catalog object
	// (planCovered), the child node of each of its members, by member
	// position (nil: no rule anchored under that member), so the shape walk
	// finds a member's node without a lookup.
	byMember []*planNode
}

// manyChildren: a plan node with more children than this indexes them.
const manyChildren = 4

// finish indexes the children of the nodes that have many, once the trie
// is built.
func (n *planNode) finish() {
	if len(n.children) > manyChildren {
		n.bySeg = make(map[string]*planNode, len(n.children))
		for _, c := range n.children {
			n.bySeg[c.seg] = c.node
		}
	}
	for _, c := range n.children {
		c.node.finish()
	}
	if n.star != nil {
		n.star.finish()
	}
}

type planChild struct {
	seg  string
	node *planNode
}

// insert returns the node of path under n, adding what is missing.
func (n *planNode) insert(path []string, count *int) *planNode {
	for _, seg := range path {
		if seg == "*" {
			if n.star == nil {
				n.star = &planNode{id: *count}
				*count++
			}
			n = n.star
			continue
		}
		var next *planNode
		for _, c := range n.children {
			if c.seg == seg {
				next = c.node
				break
			}
		}
		if next == nil {
			next = &planNode{id: *count}
			*count++
			n.children = append(n.children, planChild{seg, next})
		}
		n = next
	}
	return n
}

// collect records every value (present, not null) that v holds at each node
// under n, with visit's reading of a path: a member of an object, every
// element of a list, nothing through null or another type. The values at one
// node come in visit's order (list elements in index order at every level),
// since a node is reached by one chain of segments only.
func (n *planNode) collect(v any, p *planValues) {
	if v == nil {
		return
	}
	p.add(n.id, v)
	if len(n.children) > 0 {
		if m, ok := v.(map[string]any); ok {
			// Either way every child the object holds is reached once;
			// the order of siblings does not matter (each node is reached
			// through one chain of segments).
			if n.bySeg != nil && len(m) < len(n.children) {
				for k, x := range m {
					if c := n.bySeg[k]; c != nil {
						c.collect(x, p)
					}
				}
			} else {
				for _, c := range n.children {
					if x, ok := m[c.seg]; ok {
						c.node.collect(x, p)
					}
				}
			}
		}
	}
	if n.star != nil {
		if l, ok := v.([]any); ok {
			for _, e := range l {
				n.star.collect(e, p)
			}
		}
	}
}

// planValues is what one walk of a request found at each plan node, so a
// rule reads the values at its anchor instead of walking to them from the
// root (a map lookup per segment per rule). Pooled: a request's values are
// dropped (release) before Check returns, so no parameter outlives it.
type planValues struct {
	head, tail []int32  // per node: first and last entry, -1 for none
	nodes      []int32  // the nodes holding a value, in the order found
	rules      []uint64 // the rules anchored at those nodes (ruleSet)
	vals       []any
	next       []int32 // per entry: the node's next entry, -1 at the end
	// paths backs pbufs, the two path buffers of the walks (bufs).
	paths [2 * pathDepth]string
	pbufs [2][]string
	// shapePath backs the shape walk's path in CheckRequest (pooled here:
	// on CheckShape's stack it escapes, the walk being recursive).
	shapePath [pathDepth]string
}

var planValuesPool = sync.Pool{New: func() any { return new(planValues) }}

func getPlanValues(nodes int) *planValues {
	p := planValuesPool.Get().(*planValues)
	if cap(p.head) < nodes {
		p.head, p.tail = make([]int32, nodes), make([]int32, nodes)
	}
	p.head, p.tail = p.head[:nodes], p.tail[:nodes]
	for i := range p.head {
		p.head[i] = -1
	}
	return p
}

// release forgets the request's values and returns p to the pool (a huge
// request's entries are not kept for the next).
func (p *planValues) release() {
	clear(p.vals)
	clear(p.paths[:])
	clear(p.shapePath[:])
	if cap(p.vals) > 4096 {
		p.vals, p.next = nil, nil
	}
	p.vals, p.next, p.nodes = p.vals[:0], p.next[:0], p.nodes[:0]
	planValuesPool.Put(p)
}

func (p *planValues) add(id int, v any) {
	i := int32(len(p.vals))
	p.vals = append(p.vals, v)
	p.next = append(p.next, -1)
	if p.head[id] < 0 {
		p.head[id] = i
		p.nodes = append(p.nodes, int32(id))
	} else {
		p.next[p.tail[id]] = i
	}
	p.tail[id] = i
}

// present reports whether node id holds a value.
func (p *planValues) present(id int) bool { return p.head[id] >= 0 }

// ruleSet returns the set of a's rules anchored where the request holds a
// value, a bit per rule in a.rules order: Check runs those and no others,
// without looking at the rest (most of an action's rules).
func (p *planValues) ruleSet(a *action) []uint64 {
	words := (len(a.rules) + 63) / 64
	if cap(p.rules) < words {
		p.rules = make([]uint64, words)
	}
	p.rules = p.rules[:words]
	clear(p.rules)
	for _, id := range p.nodes {
		for _, i := range a.rulesAt[id] {
			p.rules[i/64] |= 1 << (i % 64)
		}
	}
	return p.rules
}

// bufs returns two empty prefixes with room for a deep path: visit
// appends to a prefix depth-first, so one buffer serves a whole walk without
// allocating at every level, and, since a rule keeps no path once its walk
// ends (callbacks copy what they keep, as joinPath does), one pair serves
// every rule of a request. The second buffer is for the walks nested in a
// walk (ref); each is capped so an append past it never writes into the other.
func (p *planValues) bufs() *[2][]string {
	p.pbufs = [2][]string{p.paths[:0:pathDepth], p.paths[pathDepth : pathDepth : 2*pathDepth]}
	return &p.pbufs
}

// anchorPath is where a rule's walk starts (see crule.anchor).
func (c *crule) anchorPath() []string {
	switch c.r.Suffix {
	case "required":
		return c.parent
	case "ref":
		return c.scope
	}
	return c.path
}

// buildPlan makes the action's trie of rule anchors.
func (a *action) buildPlan() {
	a.plan = &planNode{}
	a.nodes = 1
	for i := range a.rules {
		a.rules[i].anchor = a.plan.insert(a.rules[i].anchorPath(), &a.nodes).id
	}
	a.plan.finish()
	a.rulesAt = make([][]int32, a.nodes)
	for i := range a.rules {
		n := a.rules[i].anchor
		a.rulesAt[n] = append(a.rulesAt[n], int32(i))
	}
}

// planCovered reports whether the shape walk, from an object of obj at plan
// node n, reaches every node under n along the same values collect would
// find there (and records byMember for it): each child is a member of obj,
// the children of a child are members of the object its value holds, a star
// is the elements of a list of objects or scalars. Where it is not, the
// action's two checks walk the request apart (Check's collect).
func (s *schema) planCovered(n *planNode, obj *object) bool {
	if obj == nil || obj.index == nil || n.star != nil {
		return false
	}
	if len(n.children) == 0 {
		return true
	}
	n.byMember = make([]*planNode, len(obj.members))
	for _, c := range n.children {
		i, ok := obj.index[c.seg]
		if !ok {
			return false
		}
		n.byMember[i] = c.node
		m := obj.members[i]
		switch {
		case len(c.node.children) == 0 && c.node.star == nil:
		case m.Type == "object" && c.node.star == nil:
			if !s.planCovered(c.node, obj.refs[i]) {
				return false
			}
		case m.Type == "list" && len(c.node.children) == 0:
			st := c.node.star
			if st.star != nil {
				return false
			}
			if len(st.children) > 0 && (m.Elem != "object" || !s.planCovered(st, obj.refs[i])) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// impliedByShape reports whether every request that passes the shape check
// satisfies c (see action.shaped).
func (s *schema) impliedByShape(a *action, c *crule) bool {
	if !c.usable || a.input == nil {
		return false
	}
	switch c.kind {
	case kindType:
		return len(c.alts) == 0
	case kindRequired:
		m := s.memberAt(a.input, c.path)
		return c.cond == nil && m != nil && m.Required
	}
	return false
}

type schema struct {
	dialect string
	objects map[string]*object
	actions map[string]*action
}

var cache sync.Map // *fixtures.Catalog -> *schema

func compiled(cat *fixtures.Catalog) *schema {
	if s, ok := cache.Load(cat); ok {
		return s.(*schema)
	}
	s := compile(cat)
	actual, _ := cache.LoadOrStore(cat, s)
	return actual.(*schema)
}

func compile(cat *fixtures.Catalog) *schema {
	s := &schema{dialect: cat.Dialect, objects: map[string]*object{}, actions: map[string]*action{}}
	for name, o := range cat.Objects {
		if o == nil {
			continue
		}
		obj := &object{name: name, byName: make(map[string]*fixtures.Member, len(o.Members)),
			index: make(map[string]int, len(o.Members))}
		for i := range o.Members {
			m := &o.Members[i]
			obj.members = append(obj.members, m)
			obj.byName[m.Name] = m
			obj.index[m.Name] = i
			if m.Required {
				obj.required = append(obj.required, i)
			}
		}
		if len(obj.index) != len(obj.members) {
			obj.index, obj.required = nil, nil
		}
		s.objects[name] = obj
	}
	for _, obj := range s.objects {
		obj.refs = make([]*object, len(obj.members))
		for i, m := range obj.members {
			obj.refs[i] = s.objects[m.Ref]
		}
	}
	for _, a := range cat.Actions {
		s.actions[a.Name] = newAction(s.objects[a.Input])
	}
	var late []crule
	for i := range cat.Rules {
		r := &cat.Rules[i]
		a := s.actions[r.Action]
		if a == nil {
			a = newAction(nil)
			s.actions[r.Action] = a
		}
		a.ids[r.ID] = r
		if r.Suffix == "type" && len(r.Values) > 0 {
			a.alt[r.Path] = r.Values
		}
		if r.Suffix == "range" && r.Min != nil && *r.Min >= 0 {
			a.signRange[r.Path] = true
		}
		c := s.compileRule(a, r)
		if r.Suffix == "required" || r.Suffix == "type" {
			a.rules = append(a.rules, c)
		} else {
			late = append(late, c)
		}
	}
	// Second pass keeps each action's non-structural rules after its
	// structural ones while preserving catalog order within each group.
	for _, c := range late {
		a := s.actions[c.r.Action]
		a.rules = append(a.rules, c)
	}
	for _, a := range s.actions {
		for i := range a.rules {
			a.rules[i].signed = a.signRange[a.rules[i].r.Path]
			a.rules[i].elemSigned = a.signRange[a.rules[i].r.Path+".*"]
		}
		a.buildPlan()
		a.fused = s.planCovered(a.plan, a.input) && len(a.alt) == 0
		a.shaped = make([]uint64, (len(a.rules)+63)/64)
		for i := range a.rules {
			if s.impliedByShape(a, &a.rules[i]) {
				a.shaped[i/64] |= 1 << (i % 64)
			}
		}
	}
	return s
}

func newAction(input *object) *action {
	return &action{input: input, ids: map[string]*fixtures.Rule{}, alt: map[string][]string{}, signRange: map[string]bool{}}
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

func (s *schema) compileRule(a *action, r *fixtures.Rule) crule {
	c := crule{r: r, path: splitPath(r.Path), members: strings.Join(r.Members, ", "), kind: ruleKinds[r.Suffix], cond: r.When}
	if r.When != nil {
		c.when = splitPath(r.When.Path)
	}
	if n := len(c.path); n > 0 {
		c.parent, c.last = c.path[:n-1], c.path[n-1]
	}
	switch r.Suffix {
	case "required":
		if len(c.path) == 0 || c.last == "*" {
			c.problem = "required needs a member path"
		}
	case "type":
		if c.last == "*" {
			// Path.* is the type of each element of the list at Path.
			m := s.memberAt(a.input, c.parent)
			if m != nil && m.Type == "list" {
				c.member = &fixtures.Member{Name: m.Name, Type: m.Elem, Ref: m.Ref}
			}
		} else {
			c.member = s.memberAt(a.input, c.path)
		}
		if c.member == nil {
			c.problem = "type: no member at path " + r.Path
		} else {
			c.typ, c.elem, c.alts = c.member.Type, c.member.Elem, r.Values
		}
	case "pattern":
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			c.problem = "pattern: " + err.Error()
		}
		c.re = re
	case "enum", "scheme":
		c.values = map[string]bool{}
		for _, v := range r.Values {
			if r.CaseFold {
				v = strings.ToLower(v)
			}
			c.values[v] = true
		}
	case "ref":
		c.scope = splitPath(r.Scope)
		rel, ok1 := trimPrefix(c.path, c.scope)
		ref, ok2 := trimPrefix(splitPath(r.RefPath), c.scope)
		if !ok1 || !ok2 {
			c.problem = "ref: scope " + r.Scope + " is not a prefix of path and ref_path"
		}
		c.relPath, c.refPath = rel, ref
	case "acyclic":
		if r.From == "" || r.To == "" {
			c.problem = "acyclic needs from and to"
		}
	case "path":
		if r.Format != "remote" && r.Format != "local" {
			c.problem = "path: unknown format " + r.Format
		}
	case "maxlen", "listmax":
		if r.Max == nil {
			c.problem = r.Suffix + " needs max"
		}
	case "minlen":
		if r.Min == nil {
			c.problem = "minlen needs min"
		}
	case "unique", "xor", "atleastone", "range":
	default:
		c.problem = "suffix not checked by validate: " + r.Suffix
	}
	c.usable = c.problem == ""
	return c
}

func trimPrefix(p, prefix []string) ([]string, bool) {
	if len(prefix) > len(p) {
		return nil, false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return nil, false
		}
	}
	return p[len(prefix):], true
}

// memberAt resolves a dotted path ("*" for list elements) to its member.
func (s *schema) memberAt(obj *object, path []string) *fixtures.Member {
	var m *fixtures.Member
	inList := false
	for _, seg := range path {
		if seg == "*" {
			if m == nil || m.Type != "list" || inList {
				return nil
			}
			inList = true
			continue
		}
		if m != nil {
			ref := m.Ref
			if (m.Type == "list" && !inList) || (m.Type == "list" && m.Elem != "object") || (m.Type != "list" && m.Type != "object") {
				return nil
			}
			obj = s.objects[ref]
		}
		if obj == nil {
			return nil
		}
		m = obj.byName[seg]
		if m == nil {
			return nil
		}
		inList = false
	}
	return m
}

// Lint reports the catalog's rules that Check cannot use (unknown path,
// invalid pattern, missing bounds). Unknown suffixes are reported too, as
// information: those rules are the product's to enforce.
func Lint(cat *fixtures.Catalog) []error {
	s := compiled(cat)
	var out []error
	names := make([]string, 0, len(s.actions))
	for n := range s.actions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, c := range s.actions[n].rules {
			if c.problem != "" {
				out = append(out, fmt.Errorf("validate: rule %s: %s", c.r.ID, c.problem))
			}
		}
	}
	return out
}

// MemberType returns the wire type of the member at a dotted path ("*" or an
// index for list elements) of an action's input, with its list element type,
// so protocol layers can type flattened parameters. ok is false if the path
// names no member.
func MemberType(cat *fixtures.Catalog, action string, path []string) (m *fixtures.Member, ok bool) {
	s := compiled(cat)
	a := s.actions[action]
	if a == nil || a.input == nil {
		return nil, false
	}
	norm := make([]string, len(path))
	for i, p := range path {
		if isIndex(p) {
			p = "*"
		}
		norm[i] = p
	}
	m = s.memberAt(a.input, norm)
	return m, m != nil
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ---- shape ----

// CheckShape runs the structural checks derived from the action's input
// object: MissingParameter, then UnknownParameter, then InvalidParameter (see
// the package comment). An action without an input object in the catalog has
// no shape to check.
func CheckShape(cat *fixtures.Catalog, action string, params map[string]any, opt Options) *Violation {
	s := compiled(cat)
	a := s.actions[action]
	if a == nil || a.input == nil {
		return nil
	}
	var pathBuf [16]string
	w := shapeWalker{s: s, a: a, action: action, opt: opt, path: pathBuf[:0]}
	return w.walk(params)
}

// CheckRequest is CheckShape, then Check when the shape holds: what a
// protocol layer runs on every request, with the same answer. Where the
// action allows (action.fused, and no rule skipped), one walk of the
// request does the shape check and finds the values Check's rules judge,
// instead of a walk for each.
func CheckRequest(cat *fixtures.Catalog, action string, params map[string]any, opt Options) *Violation {
	s := compiled(cat)
	a := s.actions[action]
	if a == nil || !a.fused || opt.Skip != nil || !skipAbsent {
		if v := CheckShape(cat, action, params, opt); v != nil {
			return v
		}
		return Check(cat, action, params, opt)
	}
	pv := getPlanValues(a.nodes)
	defer pv.release()
	w := shapeWalker{s: s, a: a, action: action, opt: opt, path: pv.shapePath[:0], pv: pv}
	pv.add(a.plan.id, params) // as collect does (a nil map too)
	if v := w.walk(params); v != nil {
		return v
	}
	return a.runRules(params, pv, opt, a.shaped)
}

type shapeWalker struct {
	s       *schema
	a       *action
	action  string
	opt     Options
	path    []string
	missing *Violation
	unknown *Violation
	invalid *Violation
	// pv, when set, collects the values at the action's plan nodes as the
	// walk meets them (CheckRequest): the walk visits every member a valid
	// request holds, so it finds what Check's collect would.
	pv *planValues
}

// walk checks params, the action's input object, and returns the first
// violation by class (see CheckShape).
func (w *shapeWalker) walk(params map[string]any) *Violation {
	var root *planNode
	if w.pv != nil {
		root = w.a.plan
	}
	w.object(w.a.input, params, root)
	switch {
	case w.missing != nil:
		return w.missing
	case w.unknown != nil:
		return w.unknown
	}
	return w.invalid
}

func (w *shapeWalker) concrete(last string) string {
	if len(w.path) == 0 {
		return last
	}
	return strings.Join(w.path, ".") + "." + last
}

// ruleID builds the shape rule's ID with "*" for list indices.
func (w *shapeWalker) ruleID(concrete, suffix string) string {
	segs := strings.Split(concrete, ".")
	for i, s := range segs {
		if isIndex(s) {
			segs[i] = "*"
		}
	}
	return fixtures.MakeID(w.s.dialect, w.action, fixtures.KindRule, strings.Join(segs, ".")+"."+suffix)
}

// violation reports a shape violation unless skipped; a catalog rule with the
// same ID supplies the documented code.
func (w *shapeWalker) violation(concrete, suffix, code, msg string) *Violation {
	id := w.ruleID(concrete, suffix)
	if w.opt.skip(id) {
		return nil
	}
	v := &Violation{Code: code, Message: msg, Path: concrete}
	if r, ok := w.a.ids[id]; ok {
		v.RuleID = id
		if r.Code != "" {
			v.Code = r.Code
		}
	}
	return v
}

// object walks m, an object of obj; pn is the plan node of m when the walk
// collects (nil otherwise, or where no rule is anchored under m).
func (w *shapeWalker) object(obj *object, m map[string]any, pn *planNode) {
	if w.missing != nil {
		return
	}
	if sparseWalk && obj.index != nil && len(m) < len(obj.members) && len(m) <= sparseMembers {
		w.sparseObject(obj, m, pn)
		return
	}
	known := 0
	for i, mem := range obj.members {
		v, ok := m[mem.Name]
		if ok {
			known++
		}
		if w.member(obj, i, v, ok, pn) {
			return
		}
	}
	w.unknownMember(obj, m, known)
}

// member walks member i of an object of obj (v, when present), or judges
// its absence; it reports whether the walk stops (a required member
// missing).
func (w *shapeWalker) member(obj *object, i int, v any, present bool, pn *planNode) (stop bool) {
	mem := obj.members[i]
	if !present || v == nil {
		if mem.Required && w.missing == nil {
			p := w.concrete(mem.Name)
			w.missing = w.violation(p, "required", CodeMissing,
				"The request is missing a required parameter `"+p+"`.")
		}
		return w.missing != nil
	}
	var at *planNode
	if pn != nil && pn.byMember != nil {
		if at = pn.byMember[i]; at != nil {
			w.pv.add(at.id, v)
		}
	}
	w.value(mem, obj.refs[i], mem.Name, v, at)
	return w.missing != nil
}

// sparseWalk: objects holding few members take sparseObject (off only in
// tests that compare it with the walk over every member).
var sparseWalk = true

// sparseMembers: an object holding at most this many members, fewer than
// its type defines, is walked by the members it holds (sparseObject).
const sparseMembers = 16

// sparseObject is object for an object that holds few of its type's
// members (most requests send a few of many optional members): it visits
// the members held and the required ones, in catalog order, which is what
// object does (a member neither held nor required does nothing there),
// with a lookup per member held instead of one per member defined.
func (w *shapeWalker) sparseObject(obj *object, m map[string]any, pn *planNode) {
	type held struct {
		idx int
		v   any
	}
	var buf [sparseMembers]held
	hs := buf[:0]
	for k, v := range m {
		if i, ok := obj.index[k]; ok {
			// Insertion in catalog order (a few members).
			j := len(hs)
			hs = append(hs, held{})
			for j > 0 && hs[j-1].idx > i {
				hs[j] = hs[j-1]
				j--
			}
			hs[j] = held{i, v}
		}
	}
	known := len(hs)
	req := obj.required
	for len(hs) > 0 || len(req) > 0 {
		var idx int
		var v any
		present := false
		if len(req) == 0 || len(hs) > 0 && hs[0].idx <= req[0] {
			idx, v, present = hs[0].idx, hs[0].v, true
			if len(req) > 0 && req[0] == idx {
				req = req[1:]
			}
			hs = hs[1:]
		} else {
			idx, req = req[0], req[1:]
		}
		if w.member(obj, idx, v, present, pn) {
			return
		}
	}
	w.unknownMember(obj, m, known)
}

// unknownMember records the first unknown member of m (the smallest name),
// when m holds more names than the known members it holds.
func (w *shapeWalker) unknownMember(obj *object, m map[string]any, known int) {
	if known < len(m) && w.unknown == nil {
		var first string
		for k := range m {
			if obj.byName[k] == nil && (first == "" || k < first) {
				first = k
			}
		}
		p := w.concrete(first)
		w.unknown = &Violation{Code: CodeUnknown, Path: p,
			Message: "The parameter `" + p + "` is not recognized."}
	}
}

// value walks v, the value of member mem (ref: the object mem.Ref names);
// pn is its plan node when the walk collects.
func (w *shapeWalker) value(mem *fixtures.Member, ref *object, name string, v any, pn *planNode) {
	w.path = append(w.path, name)
	defer func() { w.path = w.path[:len(w.path)-1] }()
	typ := mem.Type
	ok := TypeOK(typ, v)
	if !ok && len(w.a.alt) > 0 {
		// A type rule may accept other wire types where the docs disagree
		// (e.g. an object or a list of them).
		for _, t := range w.a.alt[w.starPath()] {
			if TypeOK(t, v) {
				typ, ok = t, true
				break
			}
		}
	}
	switch typ {
	case "object":
		o, ok := v.(map[string]any)
		if !ok {
			w.badType(typ)
			return
		}
		if ref != nil {
			w.object(ref, o, pn)
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			w.badType(typ)
			return
		}
		elem := mem.Elem
		if mem.Type == "object" {
			elem = "object"
		}
		var elObj *object
		if elem == "object" {
			elObj = ref
		}
		var star *planNode
		if pn != nil {
			star = pn.star
		}
		for i, e := range l {
			w.path = append(w.path, strconv.Itoa(i))
			if star != nil && e != nil {
				w.pv.add(star.id, e)
			}
			switch {
			case e == nil:
				w.badType(elem)
			case elem == "object":
				if o, ok := e.(map[string]any); !ok {
					w.badType("object")
				} else if elObj != nil {
					w.object(elObj, o, star)
				}
			default:
				w.scalar(elem, e)
			}
			w.path = w.path[:len(w.path)-1]
			if w.missing != nil {
				return
			}
		}
	default:
		if !ok { // checked above: scalar would check it again
			w.scalar(typ, v)
		}
	}
}

func (w *shapeWalker) scalar(typ string, v any) {
	if TypeOK(typ, v) {
		return
	}
	// A negative integer for a uint64 is left to the range rule that gives
	// the documented code (e.g. InvalidParameterValue.Negative).
	if typ == "uint64" && negativeInt(v) && w.a.signRange[w.starPath()] {
		return
	}
	w.badType(typ)
}

func (w *shapeWalker) starPath() string {
	segs := make([]string, len(w.path))
	for i, s := range w.path {
		if isIndex(s) {
			s = "*"
		}
		segs[i] = s
	}
	return strings.Join(segs, ".")
}

func negativeInt(v any) bool {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil && i < 0
	case float64:
		return n < 0 && n == math.Trunc(n)
	case int:
		return n < 0
	case int64:
		return n < 0
	}
	return false
}

func (w *shapeWalker) badType(want string) {
	if w.invalid != nil {
		return
	}
	p := strings.Join(w.path, ".")
	id := w.ruleID(p, "type")
	// A list element's type belongs to the rule Path.*.type, or failing that
	// to the list member's own type rule.
	if n := len(w.path); n > 1 && isIndex(w.path[n-1]) {
		if _, ok := w.a.ids[id]; !ok {
			id = w.ruleID(strings.Join(w.path[:n-1], "."), "type")
		}
	}
	if w.opt.skip(id) {
		return
	}
	v := &Violation{Code: CodeInvalid, Path: p,
		Message: "The value type of parameter `" + p + "` is not valid (want " + want + ")."}
	if r, ok := w.a.ids[id]; ok {
		v.RuleID = id
		if r.Code != "" {
			v.Code = r.Code
		}
	}
	w.invalid = v
}

// TypeOK reports whether v has the wire type t, strictly: "1" is not a number,
// 1.5 is not an int64, -1 is not a uint64, 1e400 is no number at all. Unknown
// type names accept anything (the catalog's cross-check catches those).
func TypeOK(t string, v any) bool {
	switch t {
	case "string", "datetime":
		_, ok := v.(string)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	case "int64":
		switch n := v.(type) {
		case json.Number:
			_, err := strconv.ParseInt(string(n), 10, 64)
			return err == nil
		case float64:
			return n == math.Trunc(n) && n >= -9.223372036854775808e18 && n < 9.223372036854775808e18
		case int, int64, int32:
			return true
		case uint64:
			return n <= math.MaxInt64
		}
		return false
	case "uint64":
		switch n := v.(type) {
		case json.Number:
			_, err := strconv.ParseUint(string(n), 10, 64)
			return err == nil
		case float64:
			return n == math.Trunc(n) && n >= 0 && n < 1.8446744073709551616e19
		case int:
			return n >= 0
		case int64:
			return n >= 0
		case uint64:
			return true
		}
		return false
	case "float":
		switch n := v.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(n), 64)
			return err == nil && !math.IsInf(f, 0)
		case float64:
			return !math.IsInf(n, 0) && !math.IsNaN(n)
		case int, int64, uint64:
			return true
		}
		return false
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "list":
		_, ok := v.([]any)
		return ok
	}
	return true
}

// ---- catalog rules ----

// skipAbsent: Check skips the rules whose anchor holds no value (off only
// in tests that compare the plan with every rule's own walk).
var skipAbsent = true

// Check runs the catalog's rules of an action over params; the first violation
// wins (see the package comment for the order).
func Check(cat *fixtures.Catalog, action string, params map[string]any, opt Options) *Violation {
	a := compiled(cat).actions[action]
	if a == nil {
		return nil
	}
	// One walk finds the values at every rule's anchor (planValues); a rule
	// anchored where nothing is has nothing to check, premise or not, and a
	// simple rule judges the values found there. Only a rule that breaks (or
	// that is not simple) walks the request itself, for the paths of its
	// report. One path buffer pair serves every such walk (see bufs):
	// the rules run one after another and keep no path past their own walk.
	pv := getPlanValues(a.nodes)
	defer pv.release()
	a.plan.collect(params, pv)
	return a.runRules(params, pv, opt, nil)
}

// runRules runs the action's rules over params, whose values at the plan's
// nodes pv holds (collect, or the shape walk of CheckRequest), except those
// of the bit set held (the rules the shape check has decided: a.shaped).
func (a *action) runRules(params map[string]any, pv *planValues, opt Options, held []uint64) *Violation {
	bufs := pv.bufs()
	if !skipAbsent {
		for i := range a.rules {
			if v := a.run(&a.rules[i], params, pv, bufs, opt); v != nil {
				return v
			}
		}
		return nil
	}
	// The rules anchored where a value is, in their order (ascending bits).
	for w, word := range pv.ruleSet(a) {
		if held != nil {
			word &^= held[w]
		}
		for word != 0 {
			i := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			if v := a.run(&a.rules[i], params, pv, bufs, opt); v != nil {
				return v
			}
		}
	}
	return nil
}

// run checks one rule for Check: its violation, or nil when it holds,
// does not apply or is skipped.
func (a *action) run(c *crule, params map[string]any, pv *planValues, bufs *[2][]string, opt Options) *Violation {
	if !c.usable || c.cond != nil && !whenHolds(params, c.cond, c.when, bufs[1]) {
		return nil
	}
	if skipAbsent && c.holds(pv) {
		return nil
	}
	v, code := c.check(params, bufs)
	if v == nil || opt.skip(c.r.ID) {
		return nil
	}
	v.RuleID = c.r.ID
	v.Code = c.r.Code
	if code != "" {
		v.Code = code
	}
	if v.Code == "" {
		v.Code = CodeInvalid + "Value"
	}
	return v
}

// holds reports whether the values at the rule's anchor show that it
// holds, without walking the request: a simple rule (allGood), and unique
// and acyclic, which judge each list at their path (the anchor) alone, as
// check does. Other rules (ref) are left to check.
func (c *crule) holds(pv *planValues) bool {
	if c.simple() {
		return c.allGood(pv)
	}
	switch c.r.Suffix {
	case "unique", "acyclic":
		for i := pv.head[c.anchor]; i >= 0; i = pv.next[i] {
			l, ok := pv.vals[i].([]any)
			if !ok {
				continue
			}
			if c.r.Suffix == "unique" && dupAt(l, c.r.Key) >= 0 || c.r.Suffix == "acyclic" && cycleAt(l, c.r.From, c.r.To) >= 0 {
				return false
			}
		}
		return true
	}
	return false
}

// allGood reports whether no value at a simple rule's anchor breaks it.
func (c *crule) allGood(pv *planValues) bool {
	for i := pv.head[c.anchor]; i >= 0; i = pv.next[i] {
		if bad, _ := c.judge(pv.vals[i]); bad {
			return false
		}
	}
	return true
}

// judge reports whether v, a value at a simple rule's anchor (see
// ruleKind), breaks the rule, with the code that overrides the rule's
// (range: MinCode below the minimum). check reports with it and Check's fast
// path skips with it, so the two cannot disagree.
func (c *crule) judge(v any) (bad bool, code string) {
	switch c.kind {
	case kindRequired:
		m, ok := v.(map[string]any)
		if !ok {
			return false, ""
		}
		x, ok := m[c.last]
		return !ok || x == nil, ""
	case kindType:
		return !typeDeep(c.typ, c.elem, c.alts, v, c.elemSigned) && !(c.signed && c.typ == "uint64" && negativeInt(v)), ""
	}
	r := c.r
	switch c.kind {
	case kindMaxlen, kindMinlen:
		s, ok := v.(string)
		if !ok {
			return false, ""
		}
		n := strLen(r, s)
		if c.kind == kindMaxlen {
			return float64(n) > *r.Max, ""
		}
		return float64(n) < *r.Min, ""
	case kindRange:
		f, ok := number(v)
		if !ok {
			return false, ""
		}
		if r.Min != nil && f < *r.Min {
			return true, r.MinCode
		}
		return r.Max != nil && f > *r.Max, ""
	case kindEnum:
		s, ok := scalarString(v)
		if !ok {
			return false, ""
		}
		if r.CaseFold {
			s = strings.ToLower(s)
		}
		return !c.values[s], ""
	case kindPattern:
		s, ok := v.(string)
		return ok && !c.re.MatchString(s), ""
	case kindXor, kindAtLeastOne:
		m, ok := v.(map[string]any)
		if !ok {
			return false, ""
		}
		n := c.given(m)
		return c.kind == kindXor && n > 1 || (c.kind == kindXor && r.Exactly || c.kind == kindAtLeastOne) && n == 0, ""
	case kindListmax:
		l, ok := v.([]any)
		return ok && float64(len(l)) > *r.Max, ""
	case kindScheme:
		s, ok := v.(string)
		if !ok {
			return false, ""
		}
		sch, _, found := strings.Cut(s, "://")
		if r.CaseFold {
			sch = strings.ToLower(sch)
		}
		return !found || !c.values[sch], ""
	case kindPath:
		s, ok := v.(string)
		if !ok {
			return false, ""
		}
		if r.Format == "remote" {
			// Another scheme than cos/cfs (or none) is the scheme rule's
			// violation (RemoteStorageSchemeType), not a malformed path.
			return remoteScheme(s) && !remotePath(s), ""
		}
		return !localPath(s), ""
	}
	return false, ""
}

// message is the report of a value judge found breaking the rule, at its
// path (%p stands for the path in the text).
func (c *crule) message(v any, at []string) string {
	r := c.r
	switch r.Suffix {
	case "required":
		return "The request is missing a required parameter %p."
	case "type":
		return "The value type of parameter %p is not valid."
	case "maxlen":
		return fmt.Sprintf("The length of parameter %%p (%d) exceeds the maximum %g.", strLen(r, v.(string)), *r.Max)
	case "minlen":
		return fmt.Sprintf("The length of parameter %%p (%d) is below the minimum %g.", strLen(r, v.(string)), *r.Min)
	case "range":
		return "The value of parameter %p is out of range" + bounds(r) + "."
	case "enum":
		return "The value of parameter %p is not one of " + strings.Join(r.Values, ", ") + "."
	case "pattern":
		return "The value of parameter %p does not match the required format."
	case "xor", "atleastone":
		if r.Suffix == "xor" && c.given(v.(map[string]any)) > 1 {
			return "Only one of the parameters " + c.members + " may be given" + inAt(at) + "."
		}
		return "One of the parameters " + c.members + " must be given" + inAt(at) + "."
	case "listmax":
		return fmt.Sprintf("The list %%p has %d elements, more than the maximum %g.", len(v.([]any)), *r.Max)
	case "scheme":
		return "The scheme of parameter %p must be one of " + strings.Join(r.Values, ", ") + "."
	case "path":
		return "The value of parameter %p is not a valid " + r.Format + " path."
	}
	return ""
}

// given counts the xor/atleastone rule's members present (not null) in m.
func (c *crule) given(m map[string]any) int {
	n := 0
	for _, name := range c.r.Members {
		if x, ok := m[name]; ok && x != nil {
			n++
		}
	}
	return n
}

// strLen is a string's length in the rule's unit (characters unless bytes).
func strLen(r *fixtures.Rule, s string) int {
	if r.Unit != "bytes" {
		return utf8.RuneCountInString(s)
	}
	return len(s)
}

// whenHolds reports whether a conditional rule's premise holds (see
// fixtures.Rule.When): the scalar at When.Path is one of When.Values. A rule
// without a premise always applies; an absent value binds nothing.
func whenHolds(params map[string]any, w *fixtures.Condition, path, buf []string) bool {
	if w == nil {
		return true
	}
	holds := false
	visit(params, path, buf, func(v any, _ []string) bool {
		s, ok := scalarString(v)
		for _, x := range w.Values {
			if ok && s == x {
				holds = true
			}
		}
		return !holds
	})
	return holds
}

// visit calls fn for every value at path under root (present and not null),
// with its concrete path; fn returning false stops the walk.
func visit(root any, path []string, prefix []string, fn func(v any, at []string) bool) bool {
	if len(path) == 0 {
		if root == nil {
			return true
		}
		return fn(root, prefix)
	}
	seg := path[0]
	if seg == "*" {
		l, ok := root.([]any)
		if !ok {
			return true
		}
		for i, e := range l {
			if !visit(e, path[1:], append(prefix, strconv.Itoa(i)), fn) {
				return false
			}
		}
		return true
	}
	m, ok := root.(map[string]any)
	if !ok {
		return true
	}
	v, ok := m[seg]
	if !ok || v == nil {
		return true
	}
	return visit(v, path[1:], append(prefix, seg), fn)
}

// pathDepth is the deepest concrete path the buffers hold without growing
// (the catalogs' deepest is under 10 segments; deeper ones still work).
const pathDepth = 12

func joinPath(at []string, extra ...string) string {
	return strings.Join(append(append([]string(nil), at...), extra...), ".")
}

// check returns the rule's first violation; code, if set, overrides the
// rule's Code (range: MinCode below the minimum).
func (c *crule) check(params map[string]any, bufs *[2][]string) (out *Violation, code string) {
	r := c.r
	buf, inner := bufs[0], bufs[1]
	fail := func(at []string, msg string) bool {
		p := joinPath(at)
		out = &Violation{Path: p, Message: strings.ReplaceAll(msg, "%p", "`"+p+"`")}
		return false
	}
	var root any = params
	if c.simple() {
		visit(root, c.anchorPath(), buf, func(v any, at []string) bool {
			bad, cd := c.judge(v)
			if !bad {
				return true
			}
			code = cd
			msg := c.message(v, at)
			if r.Suffix == "required" {
				at = append(at, c.last)
			}
			return fail(at, msg)
		})
		return out, code
	}
	switch r.Suffix {
	case "unique":
		visit(root, c.path, buf, func(v any, at []string) bool {
			l, ok := v.([]any)
			if !ok {
				return true
			}
			if i := dupAt(l, r.Key); i >= 0 {
				extra := []string{strconv.Itoa(i)}
				if r.Key != "" {
					extra = append(extra, r.Key)
				}
				return fail(append(append([]string(nil), at...), extra...), "The value of parameter %p is duplicated.")
			}
			return true
		})
	case "ref":
		visit(root, c.scope, buf, func(scope any, sat []string) bool {
			var targets scalarSet
			visit(scope, c.refPath, inner, func(v any, _ []string) bool {
				if k, ok := scalarKey(v); ok {
					targets.add(k)
				}
				return true
			})
			return visit(scope, c.relPath, append(inner, sat...), func(v any, at []string) bool {
				if k, ok := scalarKey(v); ok && !targets.has(k) {
					return fail(at, "The value of parameter %p names nothing at "+r.RefPath+".")
				}
				return true
			})
		})
	case "acyclic":
		visit(root, c.path, buf, func(v any, at []string) bool {
			l, ok := v.([]any)
			if !ok {
				return true
			}
			if i := cycleAt(l, r.From, r.To); i >= 0 {
				return fail(append(append([]string(nil), at...), strconv.Itoa(i)), "The edges of %p form a cycle.")
			}
			return true
		})
	case "scheme":
		visit(root, c.path, buf, func(v any, at []string) bool {
			s, ok := v.(string)
			if !ok {
				return true
			}
			sch, _, found := strings.Cut(s, "://")
			if r.CaseFold {
				sch = strings.ToLower(sch)
			}
			if !found || !c.values[sch] {
				return fail(at, "The scheme of parameter %p must be one of "+strings.Join(r.Values, ", ")+".")
			}
			return true
		})
	case "path":
		visit(root, c.path, buf, func(v any, at []string) bool {
			s, ok := v.(string)
			if !ok {
				return true
			}
			good := localPath(s)
			if r.Format == "remote" {
				// Another scheme than cos/cfs (or none) is the scheme rule's
				// violation (RemoteStorageSchemeType), not a malformed path.
				if !remoteScheme(s) {
					return true
				}
				good = remotePath(s)
			}
			if !good {
				return fail(at, "The value of parameter %p is not a valid "+r.Format+" path.")
			}
			return true
		})
	}
	return out, code
}

// dupAt is the index of the first element of l whose value (its member key,
// when key is set) repeats an earlier one's, or -1 (unique).
func dupAt(l []any, key string) int {
	var seen scalarSet
	for i, e := range l {
		if key != "" {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			e = m[key]
		}
		k, ok := scalarKey(e)
		if !ok {
			continue
		}
		if seen.has(k) {
			return i
		}
		seen.add(k)
	}
	return -1
}

func inAt(at []string) string {
	if len(at) == 0 {
		return ""
	}
	return " in `" + strings.Join(at, ".") + "`"
}

func bounds(r *fixtures.Rule) string {
	switch {
	case r.Min != nil && r.Max != nil:
		return fmt.Sprintf(" [%g, %g]", *r.Min, *r.Max)
	case r.Min != nil:
		return fmt.Sprintf(" (minimum %g)", *r.Min)
	case r.Max != nil:
		return fmt.Sprintf(" (maximum %g)", *r.Max)
	}
	return ""
}

// typeDeep checks a value against a member's type (typ, elem), including the element type
// of scalar lists (object contents are the shape check's business).
// elemSigned: a negative integer element of a uint64 list is left to the
// element path's range rule (as for a scalar uint64).
func typeDeep(typ, elem string, alts []string, v any, elemSigned bool) bool {
	for _, t := range alts {
		if TypeOK(t, v) {
			return true
		}
	}
	if !TypeOK(typ, v) {
		return false
	}
	if typ == "list" && elem != "" {
		for _, e := range v.([]any) {
			if e == nil || !TypeOK(elem, e) && !(elemSigned && elem == "uint64" && negativeInt(e)) {
				return false
			}
		}
	}
	return true
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case float64:
		return n, !math.IsNaN(n)
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

// scalar is a comparison key that keeps "1" (string) and 1 (number) apart
// (a struct, not a prefixed string: no allocation per value compared).
type scalar struct {
	isStr bool
	s     string
}

// scalarSet is a set of scalars: a list scanned while small (a request's
// lists are short, and a map per list checked was most of what unique and
// ref allocated), a map past that.
type scalarSet struct {
	small [8]scalar
	n     int
	m     map[scalar]bool
}

func (s *scalarSet) has(k scalar) bool {
	if s.m != nil {
		return s.m[k]
	}
	for _, x := range s.small[:s.n] {
		if x == k {
			return true
		}
	}
	return false
}

func (s *scalarSet) add(k scalar) {
	if s.has(k) {
		return
	}
	if s.m == nil && s.n < len(s.small) {
		s.small[s.n] = k
		s.n++
		return
	}
	if s.m == nil {
		s.m = make(map[scalar]bool, 2*len(s.small))
		for _, x := range s.small[:s.n] {
			s.m[x] = true
		}
	}
	s.m[k] = true
}

// scalarKey is v's comparison key, if v is a scalar.
func scalarKey(v any) (scalar, bool) {
	s, ok := scalarString(v)
	if !ok {
		return scalar{}, false
	}
	_, isStr := v.(string)
	return scalar{isStr: isStr, s: s}, true
}

// cycleAt returns the index of an edge that closes a cycle (self-loops
// included), or -1. Edges whose ends are not strings are ignored.
func cycleAt(edges []any, from, to string) int {
	type edge struct{ a, b string }
	// A request's edges fit on the stack; more take the heap. Each node's
	// outgoing edges are a list through nextOut, in index order.
	var esSmall [16]edge
	var validSmall [16]bool
	var nextSmall [16]int
	var es []edge
	var valid []bool
	var nextOut []int
	if len(edges) <= len(esSmall) {
		es, valid, nextOut = esSmall[:len(edges)], validSmall[:len(edges)], nextSmall[:len(edges)]
	} else {
		es, valid, nextOut = make([]edge, len(edges)), make([]bool, len(edges)), make([]int, len(edges))
	}
	first, last := map[string]int{}, map[string]int{} // node -> its first and last outgoing edge
	for i, e := range edges {
		nextOut[i] = -1
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		a, ok1 := m[from].(string)
		b, ok2 := m[to].(string)
		if !ok1 || !ok2 {
			continue
		}
		es[i], valid[i] = edge{a, b}, true
		if j, ok := last[a]; ok {
			nextOut[j] = i
		} else {
			first[a] = i
		}
		last[a] = i
	}
	firstOut := func(n string) int {
		if j, ok := first[n]; ok {
			return j
		}
		return -1
	}
	// Iterative DFS with colours; the first back edge found, scanning start
	// nodes in edge order, is reported.
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	type frame struct {
		node string
		next int // the next outgoing edge to follow (-1: none left)
	}
	for i := range es {
		if !valid[i] || colour[es[i].a] != white {
			continue
		}
		stack := []frame{{node: es[i].a, next: firstOut(es[i].a)}}
		colour[es[i].a] = grey
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next < 0 {
				colour[f.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			ei := f.next
			f.next = nextOut[ei]
			nb := es[ei].b
			switch colour[nb] {
			case grey:
				return ei
			case white:
				colour[nb] = grey
				stack = append(stack, frame{node: nb, next: firstOut(nb)})
			}
		}
	}
	return -1
}

// remotePath: cos:// or cfs:// URL with a non-empty authority followed by a
// path ("cos://bucket-appid.cos.ap-guangzhou.myqcloud.com/dir/",
// "cfs://10.100.100.10:/").
func remotePath(s string) bool {
	sch, rest, ok := strings.Cut(s, "://")
	if !ok || (sch != "cos" && sch != "cfs") {
		return false
	}
	host, _, ok := strings.Cut(rest, "/")
	if !ok || host == "" {
		return false
	}
	return cleanChars(s)
}

// remoteScheme: the value names the cos or cfs scheme (any case), so the
// remote path rule applies to it.
func remoteScheme(s string) bool {
	sch, _, ok := strings.Cut(s, "://")
	sch = strings.ToLower(sch)
	return ok && (sch == "cos" || sch == "cfs")
}

// localPath: an absolute Linux path or a Windows drive path (H:\ or H:/).
func localPath(s string) bool {
	if !cleanChars(s) {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return true
	}
	if len(s) >= 3 && (s[0]|0x20) >= 'a' && (s[0]|0x20) <= 'z' && s[1] == ':' && (s[2] == '\\' || s[2] == '/') {
		return true
	}
	return false
}

func cleanChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}
