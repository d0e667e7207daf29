package alibatch

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/fixtures"
)

// acsTimeRE is the documented time form (2016-11-01T15:25:03.020203Z);
// "" means unset.
var acsTimeRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)?$`)

// checkBody checks a JSON body against a catalog object: every
// output-required member present, every present member of its wire type
// (numbers integral where int64, times in the documented form, enums among
// their values), recursing into objects, maps and lists. Members the catalog
// does not document are not reported.
func checkBody(obj string, body []byte) []string {
	var v any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return []string{fmt.Sprintf("body is not JSON: %v", err)}
	}
	var out []string
	checkObject(obj, "$", v, &out)
	sort.Strings(out)
	return out
}

func checkObject(obj, path string, v any, out *[]string) {
	o, ok := cat.Object(obj)
	if !ok {
		*out = append(*out, fmt.Sprintf("%s: object %s not in the catalog", path, obj))
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		*out = append(*out, fmt.Sprintf("%s: is %T, want object %s", path, v, obj))
		return
	}
	for i := range o.Members {
		mem := &o.Members[i]
		if mem.Location != "" {
			continue // path and query members are not in a body
		}
		val, present := m[mem.Name]
		if !present {
			if mem.OutputRequired {
				*out = append(*out, fmt.Sprintf("%s.%s: missing", path, mem.Name))
			}
			continue
		}
		checkValue(mem, mem.Type, path+"."+mem.Name, val, out)
	}
}

func checkValue(mem *fixtures.Member, typ, path string, v any, out *[]string) {
	bad := func(want string) { *out = append(*out, fmt.Sprintf("%s: %v (%T), want %s", path, v, v, want)) }
	if v == nil {
		if !mem.Nullable {
			bad(typ + " (not null)")
		}
		return
	}
	switch typ {
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("string")
			return
		}
		if strings.HasPrefix(mem.Doc, "time") && !acsTimeRE.MatchString(s) {
			bad("a time like 2016-11-01T15:25:03.020203Z or \"\"")
		}
		if len(mem.Enum) > 0 && !contains(mem.Enum, s) {
			bad("one of " + strings.Join(mem.Enum, "|"))
		}
	case "int64":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("integer")
		}
	case "float":
		n, ok := v.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			bad("number")
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			bad("boolean")
		}
	case "object":
		if mem.Ref == "" {
			if _, ok := v.(map[string]any); !ok {
				bad("object")
			}
			return
		}
		checkObject(mem.Ref, path, v, out)
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			bad("object (map)")
			return
		}
		for k, e := range m {
			el := &fixtures.Member{Name: k, Type: mem.Elem, Ref: mem.Ref}
			checkValue(el, mem.Elem, path+"."+k, e, out)
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			bad("array")
			return
		}
		for i, e := range l {
			el := &fixtures.Member{Type: mem.Elem, Ref: mem.Ref}
			checkValue(el, mem.Elem, fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
