package harness

// The answers-readable precondition (issue 11): a target that answers its
// writes correctly but returns garbage to every read (Describe…, List…,
// Get…) lets every setup build its world and then leaves every wait
// polling answers it cannot read until the wait's own timeout: whole
// Alibaba and Tencent Batch runs outlived the 2-minute bound that way. A
// read whose answers never have the documented shape is the same kind of
// precondition failure as a state that never moves: recognised once, per
// action, it ends every wait with one message (Target.Stalled) and fails
// the items that need to read resources back.
//
// An answer counts as unreadable only when most of what it carries is of
// the wrong JSON kind against the catalog's documented output (a string
// where a number is documented, an object where a list is): one mistyped
// member among many is a conformance finding for the action's own specs,
// not a target whose reads cannot be used.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/fixtures"
)

// PreReadable: the target's answers to reads have their documented shape.
const PreReadable = "answers-readable"

// unreadableAfter is how many unreadable answers of one read action, with
// none readable, trip PreReadable (a few polls of one wait).
const unreadableAfter = 5

func init() {
	// The items that read resources back and wait on what they see.
	preconditionKinds[PreReadable] = stateKinds
}

// readTally counts one read action's answers.
type readTally struct {
	readable, unreadable int
	last                 string // the last unreadable answer's first mismatch
}

// readActionOf names the read a request is ("" for anything that is not
// a read of the catalog): an API 3.0 action named Describe…, List…, Get…,
// Query… or Check…, or an ACS GET matched against the catalog's routes.
// It also returns the catalog object the answer documents.
func readActionOf(c *fixtures.Catalog, method, path, rawQuery, action string) (name, output string) {
	if c == nil {
		return "", ""
	}
	if action != "" {
		read := false
		for _, verb := range []string{"Describe", "List", "Get", "Query", "Check"} {
			read = read || strings.HasPrefix(action, verb)
		}
		a, ok := c.Action(action)
		if !read || !ok {
			return "", ""
		}
		return a.Name, a.Output
	}
	if method != http.MethodGet {
		return "", ""
	}
	q, _ := url.ParseQuery(rawQuery)
	var best *fixtures.Action
	for i := range c.Actions {
		a := &c.Actions[i]
		if a.Method != http.MethodGet || !routeMatches(a.Path, path) {
			continue
		}
		if a.SubResource != "" {
			if _, ok := q[a.SubResource]; !ok {
				continue
			}
			best = a // a sub-resource is the more specific route
			break
		}
		if best == nil {
			best = a
		}
	}
	if best == nil {
		return "", ""
	}
	return best.Name, best.Output
}

// routeMatches matches a path against a route with {Name} segments.
func routeMatches(route, path string) bool {
	rs := strings.Split(strings.Trim(route, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(rs) != len(ps) {
		return false
	}
	for i := range rs {
		if strings.HasPrefix(rs[i], "{") && strings.HasSuffix(rs[i], "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if rs[i] != ps[i] {
			return false
		}
	}
	return true
}

// shapeCount walks a value against a documented type and counts the
// values it judged and those of the wrong JSON kind (first names the
// first of them). Null is never counted wrong: whether a member may be
// null is the action specs' finding.
type shapeCount struct {
	checked, wrong int
	first          string
}

func (s *shapeCount) bad(path string, v any, want string) {
	s.wrong++
	if s.first == "" {
		s.first = fmt.Sprintf("%s is %s, want %s", path, describeJSON(v), want)
	}
}

// object judges v as catalog object obj (depth bounds a recursive schema).
func (s *shapeCount) object(c *fixtures.Catalog, obj, path string, v any, depth int) {
	o, ok := c.Objects[obj]
	if !ok || depth > 8 {
		return
	}
	if depth > 0 {
		s.checked++ // the answer itself is judged by what it carries
	}
	m, ok := v.(map[string]any)
	if !ok {
		s.bad(path, v, "an object")
		return
	}
	for i := range o.Members {
		mem := &o.Members[i]
		val, present := m[mem.Name]
		if !present || val == nil || mem.Location != "" || (depth == 0 && mem.Name == "RequestId") {
			// (The envelope's RequestId is judged by the protocol specs.)
			continue
		}
		s.value(c, mem.Type, mem.Elem, mem.Ref, path+"."+mem.Name, val, depth+1)
	}
}

func (s *shapeCount) value(c *fixtures.Catalog, typ, elem, ref, path string, v any, depth int) {
	if v == nil {
		return
	}
	isNum := func() bool {
		switch v.(type) {
		case float64, json.Number:
			return true
		}
		return false
	}
	switch typ {
	case "string", "datetime":
		s.checked++
		if _, ok := v.(string); !ok {
			s.bad(path, v, "a string")
		}
	case "int64", "uint64", "float":
		s.checked++
		if !isNum() {
			s.bad(path, v, "a number")
		}
	case "bool":
		s.checked++
		if _, ok := v.(bool); !ok {
			s.bad(path, v, "a boolean")
		}
	case "object":
		s.object(c, ref, path, v, depth)
	case "list":
		s.checked++
		l, ok := v.([]any)
		if !ok {
			s.bad(path, v, "a list")
			return
		}
		for i, e := range l {
			if i == 20 {
				break // a long listing says no more than its first elements
			}
			s.value(c, elem, "", ref, fmt.Sprintf("%s.%d", path, i), e, depth+1)
		}
	case "map":
		s.checked++
		mv, ok := v.(map[string]any)
		if !ok {
			s.bad(path, v, "an object")
			return
		}
		for k, e := range mv {
			s.value(c, elem, "", ref, path+"."+k, e, depth+1)
		}
	}
}

// answerShape judges a success answer's body against the documented
// output: unreadable when most of the values it carries are of
// the wrong kind (why names the first). An answer that carries nothing the
// catalog documents is not judged (readable, judged false).
func answerShape(c *fixtures.Catalog, output string, apiEnvelope bool, body []byte) (judged, unreadable bool, why string) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return true, true, "the answer is not JSON"
	}
	if apiEnvelope {
		m, _ := v.(map[string]any)
		resp, ok := m["Response"].(map[string]any)
		if !ok {
			return false, false, ""
		}
		if _, isErr := resp["Error"]; isErr {
			return false, false, ""
		}
		v = resp
	}
	if m, isObj := v.(map[string]any); isObj && carriesNothing(c, output, m) {
		return true, true, fmt.Sprintf("the answer carries none of the members %s documents", output)
	}
	var s shapeCount
	s.object(c, output, "answer", v, 0)
	if s.checked == 0 && s.wrong == 0 {
		return false, false, ""
	}
	return true, 2*s.wrong > s.checked, s.first
}

// readAnswer feeds PreReadable from a success answer (status 2xx).
func (b *breaker) readAnswer(dialect, method, path, rawQuery, action string, body []byte) {
	c := Catalog(dialect)
	name, output := readActionOf(c, method, path, rawQuery, action)
	if name == "" || output == "" {
		return
	}
	judged, unreadable, why := answerShape(c, output, action != "", body)
	if !judged {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.reads == nil {
		b.reads = map[string]*readTally{}
	}
	t := b.reads[name]
	if t == nil {
		t = &readTally{}
		b.reads[name] = t
	}
	if !unreadable {
		t.readable++
		return
	}
	t.unreadable++
	t.last = why
	if _, done := b.tripped[PreReadable]; done || t.readable > 0 || t.unreadable < unreadableAfter {
		return
	}
	var others []string
	for a, o := range b.reads {
		if a != name && o.readable == 0 && o.unreadable > 0 {
			others = append(others, a)
		}
	}
	sort.Strings(others)
	also := ""
	if len(others) > 0 {
		also = fmt.Sprintf(" (nor did %s)", strings.Join(others, ", "))
	}
	b.tripped[PreReadable] = fmt.Sprintf("precondition %s violated: none of %d answers to %s had its documented shape%s — last: %s; the run cannot read back what its resources do",
		PreReadable, t.unreadable, name, also, why)
}

// carriesNothing reports an answer that has none of its object's documented
// members (RequestId aside) while the object documents members always
// present: an answer with nothing in it cannot be read either.
func carriesNothing(c *fixtures.Catalog, obj string, m map[string]any) bool {
	o, ok := c.Objects[obj]
	if !ok {
		return false
	}
	required := false
	for _, mem := range o.Members {
		if mem.Name == "RequestId" || mem.Location != "" {
			continue
		}
		if _, present := m[mem.Name]; present {
			return false
		}
		required = required || mem.OutputRequired
	}
	return required
}
