package validate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/fixtures"
)

// A small REST catalog exercising every suffix CheckREST knows, maps with
// "*" and "{key}", placeholders and the order required → type → rest.
func restCatalog(t *testing.T) *fixtures.Catalog {
	t.Helper()
	f := func(x float64) *float64 { return &x }
	rule := func(action, path, suffix, code, msg string) fixtures.Rule {
		r := fixtures.Rule{Action: action, Path: path, Suffix: suffix, Code: code, Message: msg}
		r.ID = fixtures.MakeID("rest-test", action, fixtures.KindRule, path+"."+suffix)
		r.Dialect, r.Subject, r.Kind, r.Detail, r.Level = "rest-test", action, fixtures.KindRule, path+"."+suffix, fixtures.MUST
		return r
	}
	rs := []fixtures.Rule{
		rule("Create", "Name", "pattern", "InvalidName", "Specified parameter Name is not valid. pattern"),
		rule("Create", "Name", "required", "MissingName", "Name is mandatory for this action."),
		rule("Create", "Name", "type", "InvalidName", "Specified parameter Name is not valid. Its type must be string."),
		rule("Create", "Name", "maxlen", "InvalidName", "Specified parameter Name is not valid. Its length must be in [1, 4]."),
		rule("Create", "Tasks.*", "type", "InvalidTasks.{key}", "Specified parameter Tasks.{key} is not valid. Its type must be object."),
		rule("Create", "Tasks.{key}", "maxlen", "InvalidTasks.{key}", "Specified parameter Tasks.{key} is not valid. len"),
		rule("Create", "Tasks.*.Count", "range", "InvalidCount", "count range"),
		rule("Create", "Tasks.*.Path", "scheme", "InvalidPath", "scheme"),
		rule("Create", "Tasks.*", "xor", "InvalidAuto", "xor"),
		rule("Create", "Kind", "enum", "InvalidKind", "enum"),
		rule("Create", "Env", "listmax", "InvalidEnv", "size"),
		rule("Create", "Deps.*.*", "ref", "InvalidDeps", "ref"),
		rule("Create", "Deps", "acyclic", "BadDAG", "It is a cyclic dag."),
		rule("Create", "Opp.A", "required", "MissingOpp.A", "Opp.A is mandatory for this action."),
		rule("Create", "Cluster", "ref", "InvalidCluster", "state ref: the product's"),
	}
	rs[1].Level = fixtures.MUST
	rs[3].Max = f(4)
	rs[0].Pattern = "[a-z]+"
	rs[5].Max = f(3)
	rs[6].Min, rs[6].Max = f(1), f(10)
	rs[7].Values = []string{"oss"}
	rs[8].Members, rs[8].Exactly = []string{"Auto", "ClusterId"}, true
	rs[9].Values = []string{"DAG", "App"}
	rs[10].Max = f(2)
	rs[11].RefPath, rs[11].Scope = "Tasks.{key}", ""
	rs[12].From, rs[12].To = "{key}", "*.*"
	rs[13].IfAny = []string{"Opp.B"}
	rs[14].RefPath = "cluster:Groups"
	cat := &fixtures.Catalog{Dialect: "rest-test", Version: "v",
		Actions: []fixtures.Action{{Name: "Create", Input: "CreateRequest"}},
		Objects: map[string]*fixtures.Object{
			"CreateRequest": {Name: "CreateRequest", Members: []fixtures.Member{
				{Name: "Name", Type: "string"}, {Name: "Kind", Type: "string"}, {Name: "Cluster", Type: "string"},
				{Name: "Env", Type: "map", Elem: "string"}, {Name: "Deps", Type: "map", Elem: "list"},
				{Name: "Opp", Type: "object", Ref: "Opp"},
				{Name: "Tasks", Type: "map", Elem: "object", Ref: "Task"}}},
			"Task": {Name: "Task", Members: []fixtures.Member{{Name: "Count", Type: "int64"}, {Name: "Path", Type: "string"},
				{Name: "Auto", Type: "object", Ref: "Task"}, {Name: "ClusterId", Type: "string"}}},
			"Opp": {Name: "Opp", Members: []fixtures.Member{{Name: "A", Type: "string"}, {Name: "B", Type: "string"}}},
		},
		Rules: rs}
	return cat
}

func TestCheckREST(t *testing.T) {
	cat := restCatalog(t)
	valid := `{"Name":"ab","Kind":"DAG","Cluster":"cls-x","Env":{"a":"1"},"Deps":{"a":["b"]},"Opp":{},
		"Tasks":{"a":{"Count":2,"Path":"oss://b/x","ClusterId":"c"},"b":{"Count":1,"Path":"","Auto":{}}}}`
	for _, c := range []struct {
		name, patch string // JSON merged over valid (top-level keys replaced)
		code, msg   string
	}{
		{"valid", `{}`, "", ""},
		{"required first", `{"Name":null,"Kind":1}`, "MissingName", "Name is mandatory for this action."},
		{"type before pattern", `{"Name":7}`, "InvalidName", "Specified parameter Name is not valid. Its type must be string."},
		{"pattern", `{"Name":"A1"}`, "InvalidName", "Specified parameter Name is not valid. pattern"},
		{"maxlen bytes", `{"Name":"abcde"}`, "InvalidName", "Specified parameter Name is not valid. Its length must be in [1, 4]."},
		{"map value type fills key", `{"Tasks":{"zz":"x"}}`, "InvalidTasks.zz", "Specified parameter Tasks.zz is not valid. Its type must be object."},
		{"map key length", `{"Tasks":{"long":{"Count":1,"ClusterId":"c"}}}`, "InvalidTasks.long", "Specified parameter Tasks.long is not valid. len"},
		{"range in map", `{"Tasks":{"a":{"Count":11,"ClusterId":"c"}}}`, "InvalidCount", "count range"},
		{"scheme", `{"Tasks":{"a":{"Count":1,"Path":"http://x","ClusterId":"c"}}}`, "InvalidPath", "scheme"},
		{"xor both", `{"Tasks":{"a":{"Count":1,"ClusterId":"c","Auto":{}}}}`, "InvalidAuto", "xor"},
		{"xor none", `{"Tasks":{"a":{"Count":1}}}`, "InvalidAuto", "xor"},
		{"enum", `{"Kind":"dag"}`, "InvalidKind", "enum"},
		{"listmax on a map", `{"Env":{"a":"1","b":"2","c":"3"}}`, "InvalidEnv", "size"},
		{"ref", `{"Deps":{"a":["ghost"]}}`, "InvalidDeps", "ref"},
		{"cycle", `{"Deps":{"a":["b"],"b":["a"]}}`, "BadDAG", "It is a cyclic dag."},
		{"self loop", `{"Deps":{"a":["a"]}}`, "BadDAG", "It is a cyclic dag."},
		{"if_any applies", `{"Opp":{"B":"x"}}`, "MissingOpp.A", "Opp.A is mandatory for this action."},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p, patch map[string]any
			mustJSON(t, valid, &p)
			mustJSON(t, c.patch, &patch)
			for k, v := range patch {
				p[k] = v
			}
			v := CheckREST(cat, "Create", p, Options{})
			switch {
			case c.code == "" && v != nil:
				t.Fatalf("valid request refused: %+v", v)
			case c.code != "" && v == nil:
				t.Fatalf("accepted, want %s", c.code)
			case c.code != "" && (v.Code != c.code || v.Message != c.msg):
				t.Fatalf("got %s %q, want %s %q", v.Code, v.Message, c.code, c.msg)
			}
			if c.code != "" {
				// Skip drops the violation: the fault mechanism.
				if w := CheckREST(cat, "Create", p, Options{Skip: func(id string) bool { return id == v.RuleID }}); w != nil && w.RuleID == v.RuleID {
					t.Fatalf("Skip did not drop %s", v.RuleID)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	d := json.NewDecoder(stringsReader(s))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
