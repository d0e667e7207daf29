package generators

// ACS (REST) dialects: a request is a route's path parameters, its query and
// a JSON body whose objects may be maps (arbitrary keys, rule paths "*" for
// their values and "{key}" for their keys). The generator builds one valid
// request per action from the catalog (curated bodies for the creations, as
// hints.go does for API 3.0) and breaks exactly one rule of it.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/batchconform/batchconform/fixtures"
)

// RESTRequest is one request of a REST action.
type RESTRequest struct {
	Action string
	Path   map[string]string // path parameters, by name
	Query  map[string]string // query parameters (sorted when written)
	Body   map[string]any    // nil: no body
}

// Clone deep-copies the request.
func (r RESTRequest) Clone() RESTRequest {
	out := RESTRequest{Action: r.Action, Path: map[string]string{}, Query: map[string]string{}}
	for k, v := range r.Path {
		out.Path[k] = v
	}
	for k, v := range r.Query {
		out.Query[k] = v
	}
	if r.Body != nil {
		out.Body = CloneMap(r.Body)
	}
	return out
}

// URL writes the action's path (parameters escaped) and query: the
// sub-resource first as a bare name, then the parameters sorted by name.
func (r RESTRequest) URL(a *fixtures.Action) string {
	p := a.Path
	for k, v := range r.Path {
		p = strings.ReplaceAll(p, "{"+k+"}", url.PathEscape(v))
	}
	var qs []string
	if a.SubResource != "" {
		qs = append(qs, a.SubResource)
	}
	keys := make([]string, 0, len(r.Query))
	for k := range r.Query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		qs = append(qs, url.QueryEscape(k)+"="+url.QueryEscape(r.Query[k]))
	}
	if len(qs) > 0 {
		p += "?" + strings.Join(qs, "&")
	}
	return p
}

// JSONBody marshals the body (nil when there is none).
func (r RESTRequest) JSONBody() ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := json.Marshal(r.Body)
	if err != nil {
		return nil, fmt.Errorf("generators: %s body: %w", r.Action, err)
	}
	return b, nil
}

// RESTCase is one request breaking a rule, with the documented answer.
type RESTCase struct {
	Request RESTRequest
	Code    string // the rule's code with its {key} placeholders filled
	Message string // the rule's message, filled the same way
	What    string
}

// RESTRefs name existing resources a valid request refers to.
type RESTRefs struct {
	ClusterID, GroupName, ClusterInstanceID string
	JobID, TaskName, InstanceID, ImageID    string
	// Bodies are the valid bodies of the body actions (the dialect's hints).
	Bodies map[string]map[string]any
}

// RESTGenerator builds valid and one-violation requests of a REST catalog.
type RESTGenerator struct {
	cat  *fixtures.Catalog
	refs RESTRefs
}

// NewREST returns a generator over cat.
func NewREST(cat *fixtures.Catalog, refs RESTRefs) *RESTGenerator {
	return &RESTGenerator{cat: cat, refs: refs}
}

// Valid returns the action's valid request: path parameters from the refs,
// no optional query, and the hinted body (a deep copy).
func (g *RESTGenerator) Valid(action string) (RESTRequest, error) {
	a, ok := g.cat.Action(action)
	if !ok {
		return RESTRequest{}, fmt.Errorf("generators: unknown action %q", action)
	}
	r := RESTRequest{Action: action, Path: map[string]string{}, Query: map[string]string{}}
	in, _ := g.cat.Object(a.Input)
	hasBody := false
	for _, m := range in.Members {
		switch m.Location {
		case "path":
			r.Path[m.Name] = g.pathRef(m.Name)
		case "query":
		default:
			hasBody = true
		}
	}
	if hasBody {
		b, ok := g.refs.Bodies[action]
		if !ok {
			return RESTRequest{}, fmt.Errorf("generators: no valid body of %s among the refs", action)
		}
		r.Body = CloneMap(b)
	}
	return r, nil
}

func (g *RESTGenerator) pathRef(name string) string {
	switch name {
	case "ClusterId":
		return g.refs.ClusterID
	case "GroupName":
		return g.refs.GroupName
	case "JobId":
		return g.refs.JobID
	case "TaskName":
		return g.refs.TaskName
	case "ImageId":
		return g.refs.ImageID
	case "InstanceId":
		if g.refs.ClusterInstanceID != "" {
			return g.refs.ClusterInstanceID
		}
		return g.refs.InstanceID
	}
	return ""
}

// step is one concrete step of a rule path in a request.
type step struct {
	key   string // map key / member name, or list index as text
	isKey bool   // the path names the map key itself ({key})
}

// Violations returns the requests breaking rule on base (two for a range
// with both bounds), each with its filled code and message.
func (g *RESTGenerator) Violations(rule fixtures.Rule, base RESTRequest) ([]RESTCase, error) {
	a, ok := g.cat.Action(rule.Action)
	if !ok {
		return nil, fmt.Errorf("generators: %s: unknown action", rule.ID)
	}
	in, _ := g.cat.Object(a.Input)
	segs := splitPath(rule.Path)
	if len(segs) > 0 {
		if m := in.Member(segs[0]); m != nil && m.Location == "query" {
			return g.queryViolations(rule, base, m)
		}
	}
	req := base.Clone()
	if req.Body == nil {
		return nil, fmt.Errorf("generators: %s: the request has no body", rule.ID)
	}
	for _, p := range rule.IfAny {
		// The rule applies once a sibling is set: set them all, so this
		// member is the only one missing.
		if err := g.put(req.Body, a.Input, p, "x-opposite"); err != nil {
			return nil, fmt.Errorf("generators: %s: if_any: %w", rule.ID, err)
		}
	}
	// A rule on the elements of a map's list values (DAG.Dependencies.*.*)
	// is broken through the list: the walk stops at the map value.
	wrapList := false
	if strings.HasSuffix(rule.Path, ".*.*") {
		segs, wrapList = segs[:len(segs)-1], true
	}
	var keys []string
	parent, last, err := g.walkTo(req.Body, a.Input, segs, &keys)
	if err != nil {
		return nil, fmt.Errorf("generators: %s: %w", rule.ID, err)
	}
	mk := func(what string) RESTCase {
		return RESTCase{Request: req, Code: fill(rule.Code, keys), Message: fill(rule.Message, keys), What: what}
	}
	bad := func() (any, bool) {
		if len(rule.Bad) == 0 {
			return nil, false
		}
		var v any
		if json.Unmarshal(rule.Bad, &v) != nil {
			return nil, false
		}
		return v, true
	}
	setLeaf := func(v any) error {
		if last.isKey {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("a map key must be a string, have %T", v)
			}
			val := parent[last.key]
			delete(parent, last.key)
			parent[s] = val
			keys[len(keys)-1] = s
			// A renamed DAG task takes its dependencies along, so only the
			// name is wrong.
			if strings.HasPrefix(rule.Path, "DAG.Tasks.") {
				renameDependency(req.Body, last.key, s)
			}
			return nil
		}
		parent[last.key] = v
		return nil
	}
	m, err := g.cat.ResolvePath(a.Input, rule.Path)
	if err != nil {
		return nil, err
	}
	switch rule.Suffix {
	case "required":
		delete(parent, last.key)
		return []RESTCase{mk("left out")}, nil
	case "type":
		if err := setLeaf(wrongREST(m.Type)); err != nil {
			return nil, err
		}
		return []RESTCase{mk("wrong JSON type")}, nil
	case "maxlen":
		if err := setLeaf(strings.Repeat("a", int(*rule.Max)+1)); err != nil {
			return nil, err
		}
		return []RESTCase{mk(fmt.Sprintf("%d bytes", int(*rule.Max)+1))}, nil
	case "minlen", "pattern", "ref", "scheme":
		v, ok := bad()
		if !ok {
			switch rule.Suffix {
			case "minlen":
				v = ""
			case "scheme":
				v = "http://bucket/x"
			default:
				return nil, fmt.Errorf("generators: %s: no Bad value", rule.ID)
			}
		}
		if wrapList {
			v = []any{v}
		}
		if rule.Suffix == "ref" && last.isKey {
			// A key naming nothing is added beside the existing ones (a
			// renamed key would take its value's meaning along).
			s, _ := v.(string)
			parent[s] = Clone(parent[last.key])
			if l, ok := parent[s].([]any); ok && len(l) > 0 {
				parent[s] = []any{}
			}
			keys[len(keys)-1] = s
			return []RESTCase{mk(s)}, nil
		}
		if err := setLeaf(v); err != nil {
			return nil, err
		}
		return []RESTCase{mk(fmt.Sprintf("%v", v))}, nil
	case "enum":
		if err := setLeaf("NotADocumentedValue"); err != nil {
			return nil, err
		}
		return []RESTCase{mk("NotADocumentedValue")}, nil
	case "range":
		var out []RESTCase
		if rule.Max != nil {
			c := base.Clone()
			if err := g.setAt(&c, rule, a.Input, *rule.Max+1); err != nil {
				return nil, err
			}
			out = append(out, RESTCase{Request: c, Code: fill(rule.Code, keys), Message: fill(rule.Message, keys), What: fmt.Sprint(*rule.Max + 1)})
		}
		if rule.Min != nil {
			c := base.Clone()
			if err := g.setAt(&c, rule, a.Input, *rule.Min-1); err != nil {
				return nil, err
			}
			code := rule.Code
			if rule.MinCode != "" {
				code = rule.MinCode
			}
			out = append(out, RESTCase{Request: c, Code: fill(code, keys), Message: fill(rule.Message, keys), What: fmt.Sprint(*rule.Min - 1)})
		}
		return out, nil
	case "listmax":
		n := int(*rule.Max) + 1
		if m.Type == "map" {
			mm := map[string]any{}
			for i := 0; i < n; i++ {
				mm["k"+strconv.Itoa(i)] = "v"
			}
			parent[last.key] = mm
		} else {
			l := make([]any, n)
			for i := range l {
				l[i] = "v" + strconv.Itoa(i)
			}
			parent[last.key] = l
		}
		return []RESTCase{mk(fmt.Sprintf("%d entries", n))}, nil
	case "xor":
		v, ok := bad()
		obj, isObj := parent[last.key].(map[string]any)
		bm, bOK := v.(map[string]any)
		if !ok || !isObj || !bOK {
			return nil, fmt.Errorf("generators: %s: xor needs an object Bad and an object at the path", rule.ID)
		}
		for k, x := range bm {
			obj[k] = x
		}
		return []RESTCase{mk("both members")}, nil
	case "acyclic":
		tasks, _ := Get(req.Body, "DAG.Tasks")
		tm, _ := tasks.(map[string]any)
		names := sortedKeys(tm)
		if len(names) < 2 {
			return nil, fmt.Errorf("generators: %s: the DAG needs two tasks", rule.ID)
		}
		parent[last.key] = map[string]any{names[0]: []any{names[1]}, names[1]: []any{names[0]}}
		return []RESTCase{mk(names[0] + "->" + names[1] + "->" + names[0])}, nil
	}
	return nil, fmt.Errorf("generators: %s: suffix %s not supported for REST requests", rule.ID, rule.Suffix)
}

func (g *RESTGenerator) queryViolations(rule fixtures.Rule, base RESTRequest, m *fixtures.Member) ([]RESTCase, error) {
	one := func(v, what string) RESTCase {
		c := base.Clone()
		c.Query[rule.Path] = v
		return RESTCase{Request: c, Code: rule.Code, Message: rule.Message, What: what}
	}
	switch rule.Suffix {
	case "type":
		return []RESTCase{one("abc", "not an integer")}, nil
	case "range":
		var out []RESTCase
		if rule.Max != nil {
			out = append(out, one(strconv.Itoa(int(*rule.Max)+1), "above the maximum"))
		}
		if rule.Min != nil {
			out = append(out, one(strconv.Itoa(int(*rule.Min)-1), "below the minimum"))
		}
		return out, nil
	case "maxlen":
		return []RESTCase{one(strings.Repeat("a", int(*rule.Max)+1), "too long")}, nil
	case "enum":
		return []RESTCase{one("NotADocumentedValue", "not documented")}, nil
	case "pattern":
		var s string
		if json.Unmarshal(rule.Bad, &s) != nil {
			return nil, fmt.Errorf("generators: %s: no Bad string", rule.ID)
		}
		return []RESTCase{one(s, s)}, nil
	}
	return nil, fmt.Errorf("generators: %s: query suffix %s not supported", rule.ID, rule.Suffix)
}

// setAt puts a number at the rule's path of c.
func (g *RESTGenerator) setAt(c *RESTRequest, rule fixtures.Rule, input string, v float64) error {
	var keys []string
	parent, last, err := g.walkTo(c.Body, input, splitPath(rule.Path), &keys)
	if err != nil {
		return err
	}
	parent[last.key] = json.Number(strconv.FormatFloat(v, 'f', -1, 64))
	return nil
}

// walkTo follows segs through body, creating missing parents validly, and
// returns the object holding the last step; keys collects the map keys and
// list indexes passed ("*" steps) and the named key ({key}), in order.
func (g *RESTGenerator) walkTo(body map[string]any, input string, segs []string, keys *[]string) (map[string]any, step, error) {
	if len(segs) == 0 {
		return nil, step{}, fmt.Errorf("empty path")
	}
	var cur any = body
	for i := 0; i < len(segs)-1; i++ {
		s := segs[i]
		star := strings.Join(segs[:i+1], ".")
		switch c := cur.(type) {
		case map[string]any:
			if s == "*" {
				ks := sortedKeys(c)
				if len(ks) == 0 {
					m, err := g.cat.ResolvePath(input, star)
					if err != nil {
						return nil, step{}, err
					}
					c["k1"] = g.fill(input, star, m)
					ks = []string{"k1"}
				}
				*keys = append(*keys, ks[0])
				cur = c[ks[0]]
				continue
			}
			if v, ok := c[s]; ok && v != nil {
				cur = v
				continue
			}
			m, err := g.cat.ResolvePath(input, star)
			if err != nil {
				return nil, step{}, err
			}
			c[s] = g.fill(input, star, m)
			cur = c[s]
		case []any:
			if s != "*" {
				return nil, step{}, fmt.Errorf("%s: a list needs *", star)
			}
			if len(c) == 0 {
				return nil, step{}, fmt.Errorf("%s: empty list in the base request", star)
			}
			*keys = append(*keys, "0")
			cur = c[0]
		default:
			return nil, step{}, fmt.Errorf("%s: cannot step into %T", star, cur)
		}
	}
	obj, ok := cur.(map[string]any)
	if !ok {
		return nil, step{}, fmt.Errorf("%s: parent is %T, want an object", strings.Join(segs, "."), cur)
	}
	lastSeg := segs[len(segs)-1]
	switch lastSeg {
	case fixtures.MapKey:
		ks := sortedKeys(obj)
		if len(ks) == 0 {
			return nil, step{}, fmt.Errorf("%s: empty map", strings.Join(segs, "."))
		}
		*keys = append(*keys, ks[0])
		return obj, step{key: ks[0], isKey: true}, nil
	case "*":
		ks := sortedKeys(obj)
		if len(ks) == 0 {
			obj["k1"] = "v1"
			ks = []string{"k1"}
		}
		*keys = append(*keys, ks[0])
		return obj, step{key: ks[0]}, nil
	}
	return obj, step{key: lastSeg}, nil
}

// fill makes a valid value for a member the base request lacks: objects get
// their required members, maps one entry, lists one element.
func (g *RESTGenerator) fill(input, path string, m *fixtures.Member) any {
	switch m.Type {
	case "object":
		out := map[string]any{}
		if o, ok := g.cat.Object(m.Ref); ok {
			for i := range o.Members {
				mm := &o.Members[i]
				if mm.Required {
					out[mm.Name] = g.fill(input, path+"."+mm.Name, mm)
				}
			}
		}
		return out
	case "map":
		return map[string]any{"k1": g.fill(input, path+".*", &fixtures.Member{Type: m.Elem, Ref: m.Ref})}
	case "list":
		return []any{g.fill(input, path+".*", &fixtures.Member{Type: m.Elem, Ref: m.Ref})}
	case "int64":
		return json.Number("1")
	case "float":
		return json.Number("0.5")
	case "bool":
		return false
	}
	if len(m.Enum) > 0 {
		return m.Enum[0]
	}
	return "v1"
}

// put sets a string at a path (creating parents).
func (g *RESTGenerator) put(body map[string]any, input, path, v string) error {
	var keys []string
	parent, last, err := g.walkTo(body, input, splitPath(path), &keys)
	if err != nil {
		return err
	}
	parent[last.key] = v
	return nil
}

// wrongREST is a JSON value of another type than t.
func wrongREST(t string) any {
	switch t {
	case "string":
		return json.Number("123")
	case "int64", "float":
		return "1"
	case "bool":
		return "true"
	}
	return "x" // object, map, list
}

// fill replaces the {key} placeholders of a code or message with the last
// keys of the path, in order: a code naming its member alone
// (InvalidUserData.{key}.value inside a task) holds only the innermost keys.
func fill(s string, keys []string) string {
	if n := strings.Count(s, fixtures.MapKey); n < len(keys) {
		keys = keys[len(keys)-n:]
	}
	for _, k := range keys {
		if !strings.Contains(s, fixtures.MapKey) {
			break
		}
		s = strings.Replace(s, fixtures.MapKey, k, 1)
	}
	return s
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// renameDependency renames a task in DAG.Dependencies (keys and lists).
func renameDependency(body map[string]any, from, to string) {
	deps, _ := Get(body, "DAG.Dependencies")
	dm, ok := deps.(map[string]any)
	if !ok {
		return
	}
	if v, ok := dm[from]; ok {
		delete(dm, from)
		dm[to] = v
	}
	for _, v := range dm {
		if l, ok := v.([]any); ok {
			for i, x := range l {
				if x == from {
					l[i] = to
				}
			}
		}
	}
}

// maxBoundSent caps the upper bounds a valid request is pushed to: a
// cluster of 65536 VMs or a task of 65536 instances is valid but would cost
// the target far more than one request should.
const maxBoundSent = 1000

// Bound returns base with rule's value at a bound (range: Max, or Min when
// atMax is false or Max is over maxBoundSent; maxlen: a string of exactly Max
// bytes), the valid extreme its violation is one step beyond; what says
// which.
func (g *RESTGenerator) Bound(rule fixtures.Rule, base RESTRequest, atMax bool) (RESTRequest, string, error) {
	a, ok := g.cat.Action(rule.Action)
	if !ok {
		return RESTRequest{}, "", fmt.Errorf("generators: %s: unknown action", rule.ID)
	}
	var v any
	var what string
	switch {
	case rule.Suffix == "range" && rule.Max != nil && atMax && *rule.Max <= maxBoundSent:
		v, what = json.Number(strconv.FormatFloat(*rule.Max, 'f', -1, 64)), "max"
	case rule.Suffix == "range" && rule.Min != nil:
		v, what = json.Number(strconv.FormatFloat(*rule.Min, 'f', -1, 64)), "min"
	case rule.Suffix == "maxlen" && rule.Max != nil:
		v, what = strings.Repeat("a", int(*rule.Max)), "maxlen"
	default:
		return base.Clone(), "", nil
	}
	what = rule.ID + " at " + what
	req := base.Clone()
	in, _ := g.cat.Object(a.Input)
	segs := splitPath(rule.Path)
	if m := in.Member(segs[0]); m != nil && m.Location == "query" {
		if n, ok := v.(json.Number); ok {
			req.Query[rule.Path] = n.String()
		} else {
			req.Query[rule.Path] = v.(string)
		}
		return req, what, nil
	}
	var keys []string
	parent, last, err := g.walkTo(req.Body, a.Input, segs, &keys)
	if err != nil {
		return RESTRequest{}, "", fmt.Errorf("generators: %s: %w", rule.ID, err)
	}
	if last.isKey {
		s := v.(string)
		val := parent[last.key]
		delete(parent, last.key)
		parent[s] = val
		if strings.HasPrefix(rule.Path, "DAG.Tasks.") {
			renameDependency(req.Body, last.key, s)
		}
		return req, what, nil
	}
	parent[last.key] = v
	return req, what, nil
}
