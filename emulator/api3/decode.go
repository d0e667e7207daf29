package api3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/batchconform/batchconform/fixtures"
)

// MaxDepth bounds the nesting of a request's parameters (JSON objects and
// lists, or the segments of a flattened key). The deepest documented Batch
// parameter is about ten levels down; anything far deeper is an attack or a
// bug and answers InvalidParameter.
const MaxDepth = 32

// errDecode wraps every decoding failure (answered as InvalidParameter).
var errDecode = errors.New("invalid parameters")

// decodeJSON decodes a JSON request body into the params shape. The body must
// be valid UTF-8, a single JSON object, nested at most MaxDepth deep. An empty
// body is the empty object (an SDK sends "{}", curl may send nothing).
func decodeJSON(b []byte) (map[string]any, error) {
	m, _, err := decodeJSONDup(b)
	return m, err
}

// decodeJSONDup is decodeJSON that also reports a duplicate key.
func decodeJSONDup(b []byte) (map[string]any, bool, error) {
	return decodeJSONWith(b, parseJSONDup)
}

// decodeBodyJSON is decodeJSONDup for a request body that is never written
// to again (parseOwnedJSONDup: its strings are cut from b).
// Its maps come from arena (see mapArena).
func decodeBodyJSON(b []byte, arena *mapArena) (map[string]any, bool, error) {
	return decodeJSONWith(b, func(b []byte, depth int) (any, bool, error) { return parseOwnedJSONDup(b, depth, arena) })
}

func decodeJSONWith(b []byte, parse func([]byte, int) (any, bool, error)) (map[string]any, bool, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, false, nil
	}
	if !utf8.Valid(b) {
		return nil, false, fmt.Errorf("%w: the request body is not valid UTF-8", errDecode)
	}
	v, dup, err := parse(b, MaxDepth)
	if err != nil {
		return nil, false, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false, fmt.Errorf("%w: the request body must be a JSON object", errDecode)
	}
	return m, dup, nil
}

// typer resolves member types for flattened parameters.
type typer struct {
	objects map[string]*fixtures.Object
	index   map[string]map[string]*fixtures.Member
	// strictBool: flattened booleans only as "true"/"false" (a fault).
	strictBool bool
}

func newTyper(cat *fixtures.Catalog) *typer {
	t := &typer{objects: cat.Objects, index: map[string]map[string]*fixtures.Member{}}
	for name, o := range cat.Objects {
		if o == nil {
			continue
		}
		m := make(map[string]*fixtures.Member, len(o.Members))
		for i := range o.Members {
			m[o.Members[i].Name] = &o.Members[i]
		}
		t.index[name] = m
	}
	return t
}

// fnode is one node of the tree of flattened keys.
type fnode struct {
	leaf  *string
	kids  map[string]*fnode
	order []string // kids in first-seen order (deterministic errors)
}

// decodeFlat turns flattened parameters (Job.Tasks.0.TaskName=...) into the
// same shape as a JSON body, typing leaves by the input object's members:
// numbers become json.Number when they are valid JSON number literals, bools
// accept true/false in any case, "N" segments under a list member build a list
// (indices from 0 without gaps). Anything that does not fit its member is left
// as a string (or a map) so the strict type check reports InvalidParameter, and
// names the catalog does not know stay in place for UnknownParameter. skip
// names the common parameters that are not business parameters.
func (t *typer) decodeFlat(vals url.Values, input string, skip func(string) bool) (map[string]any, error) {
	root := &fnode{}
	for k, vs := range vals {
		if skip != nil && skip(k) {
			continue
		}
		if len(vs) == 0 {
			continue
		}
		if !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
			return nil, fmt.Errorf("%w: parameter %q is not valid UTF-8", errDecode, k)
		}
		if strings.Count(k, ".") >= MaxDepth {
			return nil, fmt.Errorf("%w: parameter %q is nested deeper than %d levels", errDecode, k, MaxDepth)
		}
		n := root
		rest := k
		for {
			seg, more, found := strings.Cut(rest, ".")
			if seg == "" {
				return nil, fmt.Errorf("%w: parameter name %q has an empty segment", errDecode, k)
			}
			if n.leaf != nil {
				return nil, fmt.Errorf("%w: parameter %q conflicts with a value given for its parent", errDecode, k)
			}
			if n.kids == nil {
				n.kids = map[string]*fnode{}
			}
			c := n.kids[seg]
			if c == nil {
				c = &fnode{}
				n.kids[seg] = c
				n.order = append(n.order, seg)
			}
			n = c
			if !found {
				break
			}
			rest = more
		}
		if n.kids != nil || n.leaf != nil {
			return nil, fmt.Errorf("%w: parameter %q conflicts with its children", errDecode, k)
		}
		v := vs[0]
		n.leaf = &v
	}
	out := make(map[string]any, len(root.kids))
	if err := t.fill(out, root, t.index[input], ""); err != nil {
		return nil, err
	}
	return out, nil
}

func (t *typer) fill(out map[string]any, n *fnode, members map[string]*fixtures.Member, at string) error {
	for _, name := range n.order {
		c := n.kids[name]
		v, err := t.convert(c, members[name], false, join(at, name))
		if err != nil {
			return err
		}
		out[name] = v
	}
	return nil
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// convert types one node. m is the member it stands for (nil if unknown);
// elem says the node is an element of m's list.
func (t *typer) convert(n *fnode, m *fixtures.Member, elem bool, at string) (any, error) {
	typ, ref := "", ""
	if m != nil {
		typ, ref = m.Type, m.Ref
		if elem {
			typ = m.Elem
		}
	}
	if n.leaf != nil {
		if typ == "bool" && t.strictBool && *n.leaf != "true" && *n.leaf != "false" {
			return *n.leaf, nil
		}
		return scalar(*n.leaf, typ), nil
	}
	if typ == "list" && !elem {
		l := make([]any, len(n.kids))
		seen := 0
		for _, idx := range n.order {
			i, ok := listIndex(idx, len(n.kids))
			if !ok {
				return nil, fmt.Errorf("%w: %s.%s: list indices run from 0 without gaps", errDecode, at, idx)
			}
			v, err := t.convert(n.kids[idx], m, true, at+"."+idx)
			if err != nil {
				return nil, err
			}
			l[i] = v
			seen++
		}
		return l, nil
	}
	obj := make(map[string]any, len(n.kids))
	var members map[string]*fixtures.Member
	if typ == "object" {
		members = t.index[ref]
	}
	return obj, t.fill(obj, n, members, at)
}

// listIndex accepts a canonical decimal index below n (so indices are dense
// and distinct: "01" is not 1).
func listIndex(s string, n int) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	i := 0
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	return i, i < n
}

func scalar(s, typ string) any {
	switch typ {
	case "int64", "uint64", "float":
		if isJSONNumber(s) {
			return json.Number(s)
		}
	case "bool":
		if strings.EqualFold(s, "true") {
			return true
		}
		if strings.EqualFold(s, "false") {
			return false
		}
	}
	return s
}

// isJSONNumber reports whether s is a JSON number literal.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

// parseQuery is url.ParseQuery with its error mapped to errDecode.
func parseQuery(q string) (url.Values, error) {
	v, err := url.ParseQuery(q)
	if err != nil {
		return nil, fmt.Errorf("%w: the query or form is malformed: %v", errDecode, err)
	}
	return v, nil
}

// intParam parses an integer common parameter (Timestamp).
func intParam(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
