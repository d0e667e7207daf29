package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/fixtures"
)

// testCatalog is a small catalog shaped like Tencent Batch's SubmitJob, with one
// rule of every suffix.
const testCatalog = `{
 "dialect": "tencent-batch", "version": "2017-03-12", "service": "batch",
 "actions": [
  {"name": "SubmitJob", "input": "SubmitJobRequest", "output": "SubmitJobResponse"},
  {"name": "DescribeJobs", "input": "DescribeJobsRequest", "output": "DescribeJobsResponse"}
 ],
 "objects": {
  "SubmitJobRequest": {"name": "SubmitJobRequest", "members": [
    {"name": "Placement", "type": "object", "ref": "Placement", "required": true},
    {"name": "Job", "type": "object", "ref": "Job", "required": true},
    {"name": "ClientToken", "type": "string"}]},
  "Placement": {"name": "Placement", "members": [{"name": "Zone", "type": "string", "required": true}, {"name": "ProjectId", "type": "int64"}]},
  "Job": {"name": "Job", "members": [
    {"name": "Tasks", "type": "list", "elem": "object", "ref": "Task", "required": true},
    {"name": "JobName", "type": "string"},
    {"name": "Priority", "type": "uint64"},
    {"name": "Dependences", "type": "list", "elem": "object", "ref": "Dependence"},
    {"name": "Tags", "type": "list", "elem": "string"},
    {"name": "Notifications", "type": "object", "ref": "Notification"}]},
  "Notification": {"name": "Notification", "members": [{"name": "TopicName", "type": "string", "required": true}]},
  "Task": {"name": "Task", "members": [
    {"name": "TaskName", "type": "string"},
    {"name": "TaskInstanceNum", "type": "uint64"},
    {"name": "Application", "type": "object", "ref": "Application", "required": true},
    {"name": "EnvId", "type": "string"},
    {"name": "ComputeEnv", "type": "object", "ref": "Env"},
    {"name": "RestartComputeNode", "type": "bool"},
    {"name": "Weight", "type": "float"},
    {"name": "PackagePath", "type": "string"},
    {"name": "LocalPath", "type": "string"}]},
  "Application": {"name": "Application", "members": [{"name": "Command", "type": "string", "required": true}, {"name": "DeliveryForm", "type": "string", "required": true}]},
  "Env": {"name": "Env", "members": [{"name": "EnvType", "type": "string"}]},
  "Dependence": {"name": "Dependence", "members": [{"name": "StartTask", "type": "string", "required": true}, {"name": "EndTask", "type": "string", "required": true}]},
  "DescribeJobsRequest": {"name": "DescribeJobsRequest", "members": [{"name": "Offset", "type": "int64"}, {"name": "Limit", "type": "int64"}, {"name": "JobIds", "type": "list", "elem": "string"}]}
 },
 "rules": [
  {"id": "tencent-batch/SubmitJob/rule/Job.JobName.maxlen", "action": "SubmitJob", "path": "Job.JobName", "suffix": "maxlen", "max": 60, "code": "InvalidParameter.JobNameTooLong"},
  {"id": "tencent-batch/SubmitJob/rule/Job.JobName.minlen", "action": "SubmitJob", "path": "Job.JobName", "suffix": "minlen", "min": 1, "code": "InvalidParameterValue"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Priority.range", "action": "SubmitJob", "path": "Job.Priority", "suffix": "range", "min": 0, "max": 100, "code": "InvalidParameterValue", "min_code": "InvalidParameterValue.Negative"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Notifications.type", "action": "SubmitJob", "path": "Job.Notifications", "suffix": "type", "values": ["object", "list"], "code": "InvalidParameter"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.*.TaskName.pattern", "action": "SubmitJob", "path": "Job.Tasks.*.TaskName", "suffix": "pattern", "pattern": "^[A-Za-z0-9_-]+$", "code": "InvalidParameter.TaskName"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.*.xor", "action": "SubmitJob", "path": "Job.Tasks.*", "suffix": "xor", "members": ["ComputeEnv", "EnvId"], "exactly": true, "code": "InvalidParameter.AllowedOneAttributeInEnvIdAndComputeEnv"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.*.ComputeEnv.EnvType.enum", "action": "SubmitJob", "path": "Job.Tasks.*.ComputeEnv.EnvType", "suffix": "enum", "values": ["MANAGED", "UNMANAGED"], "case_fold": true, "code": "InvalidParameterValue"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tags.*.type", "action": "SubmitJob", "path": "Job.Tags.*", "suffix": "type", "code": "InvalidParameter"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tags.listmax", "action": "SubmitJob", "path": "Job.Tags", "suffix": "listmax", "max": 2, "code": "LimitExceeded"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.unique", "action": "SubmitJob", "path": "Job.Tasks", "suffix": "unique", "key": "TaskName", "code": "InvalidParameter.TaskName"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Dependences.*.StartTask.ref", "action": "SubmitJob", "path": "Job.Dependences.*.StartTask", "suffix": "ref", "ref_path": "Job.Tasks.*.TaskName", "scope": "Job", "code": "InvalidParameterValue.DependenceNotFoundTaskName"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Dependences.acyclic", "action": "SubmitJob", "path": "Job.Dependences", "suffix": "acyclic", "from": "StartTask", "to": "EndTask", "code": "InvalidParameterValue.DependenceUnfeasible"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.*.PackagePath.scheme", "action": "SubmitJob", "path": "Job.Tasks.*.PackagePath", "suffix": "scheme", "values": ["cos", "cfs"], "code": "InvalidParameterValue.RemoteStorageSchemeType"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.*.PackagePath.path", "action": "SubmitJob", "path": "Job.Tasks.*.PackagePath", "suffix": "path", "format": "remote", "code": "InvalidParameterValue.RemoteStoragePath"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Tasks.*.LocalPath.path", "action": "SubmitJob", "path": "Job.Tasks.*.LocalPath", "suffix": "path", "format": "local", "code": "InvalidParameterValue.LocalPath"},
  {"id": "tencent-batch/SubmitJob/rule/Job.atleastone", "action": "SubmitJob", "path": "Job", "suffix": "atleastone", "members": ["JobName", "Priority"], "code": "InvalidParameterValue"},
  {"id": "tencent-batch/SubmitJob/rule/Placement.Zone.required", "action": "SubmitJob", "path": "Placement.Zone", "suffix": "required", "code": "MissingParameter"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Priority.type", "action": "SubmitJob", "path": "Job.Priority", "suffix": "type", "code": "InvalidParameter"},
  {"id": "tencent-batch/DescribeJobs/rule/Limit.range", "action": "DescribeJobs", "path": "Limit", "suffix": "range", "min": 1, "max": 100, "code": "InvalidParameterValue"}
 ]
}`

func loadTest(t testing.TB) *fixtures.Catalog {
	t.Helper()
	c, err := fixtures.Parse([]byte(testCatalog))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// params decodes JSON the way the protocol layer does (UseNumber).
func params(t testing.TB, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

const valid = `{"Placement":{"Zone":"ap-guangzhou-3"},"Job":{"JobName":"demo","Priority":1,
 "Tasks":[{"TaskName":"A","EnvId":"env-12345678","Application":{"Command":"echo a","DeliveryForm":"LOCAL"},"PackagePath":"cos://b-1.cos.ap-guangzhou.myqcloud.com/p.tgz","LocalPath":"/mnt/in/"},
          {"TaskName":"B","ComputeEnv":{"EnvType":"managed"},"Application":{"Command":"echo b","DeliveryForm":"LOCAL"},"LocalPath":"H:\\"}],
 "Dependences":[{"StartTask":"A","EndTask":"B"}],"Tags":["x","y"]}}`

// edit replaces a dotted path of the valid request (or deletes it with del).
func edit(t *testing.T, path string, v any, del bool) map[string]any {
	t.Helper()
	m := params(t, valid)
	segs := strings.Split(path, ".")
	var cur any = m
	for _, s := range segs[:len(segs)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[s]
		case []any:
			i := 0
			for _, ch := range s {
				i = i*10 + int(ch-'0')
			}
			cur = c[i]
		}
	}
	last := segs[len(segs)-1]
	switch c := cur.(type) {
	case map[string]any:
		if del {
			delete(c, last)
		} else {
			c[last] = v
		}
	default:
		t.Fatalf("edit %s: parent is %T", path, cur)
	}
	return m
}

func TestValidRequestPasses(t *testing.T) {
	c := loadTest(t)
	p := params(t, valid)
	if v := CheckShape(c, "SubmitJob", p, Options{}); v != nil {
		t.Fatalf("shape: %+v", v)
	}
	if v := Check(c, "SubmitJob", p, Options{}); v != nil {
		t.Fatalf("rules: %+v", v)
	}
	if errs := Lint(c); len(errs) != 0 {
		t.Fatalf("lint: %v", errs)
	}
}

func TestRules(t *testing.T) {
	c := loadTest(t)
	long := strings.Repeat("é", 61) // 61 chars, 122 bytes
	cases := []struct {
		name, path string
		value      any
		del        bool
		rule, code string
		at         string
	}{
		{"maxlen chars", "Job.JobName", long, false, "Job.JobName.maxlen", "InvalidParameter.JobNameTooLong", "Job.JobName"},
		{"maxlen boundary ok", "Job.JobName", strings.Repeat("é", 60), false, "", "", ""},
		{"minlen", "Job.JobName", "", false, "Job.JobName.minlen", "InvalidParameterValue", "Job.JobName"},
		{"range high", "Job.Priority", json.Number("101"), false, "Job.Priority.range", "InvalidParameterValue", "Job.Priority"},
		{"range ok", "Job.Priority", json.Number("100"), false, "", "", ""},
		{"range below min code", "Job.Priority", json.Number("-1"), false, "Job.Priority.range", "InvalidParameterValue.Negative", "Job.Priority"},
		{"type values list", "Job.Notifications", []any{map[string]any{"TopicName": "t"}}, false, "", "", ""},
		{"type values neither", "Job.Notifications", json.Number("1"), false, "Job.Notifications.type", "InvalidParameter", "Job.Notifications"},
		{"pattern", "Job.Tasks.1.TaskName", "b c", false, "Job.Tasks.*.TaskName.pattern", "InvalidParameter.TaskName", "Job.Tasks.1.TaskName"},
		{"xor both", "Job.Tasks.1.EnvId", "env-1", false, "Job.Tasks.*.xor", "InvalidParameter.AllowedOneAttributeInEnvIdAndComputeEnv", "Job.Tasks.1"},
		{"xor exactly none", "Job.Tasks.1.ComputeEnv", nil, true, "Job.Tasks.*.xor", "InvalidParameter.AllowedOneAttributeInEnvIdAndComputeEnv", "Job.Tasks.1"},
		{"enum", "Job.Tasks.1.ComputeEnv.EnvType", "OTHER", false, "Job.Tasks.*.ComputeEnv.EnvType.enum", "InvalidParameterValue", "Job.Tasks.1.ComputeEnv.EnvType"},
		{"listmax", "Job.Tags", []any{"a", "b", "c"}, false, "Job.Tags.listmax", "LimitExceeded", "Job.Tags"},
		{"unique by key", "Job.Tasks.1.TaskName", "A", false, "Job.Tasks.unique", "InvalidParameter.TaskName", "Job.Tasks.1.TaskName"},
		{"ref", "Job.Dependences", []any{map[string]any{"StartTask": "Z", "EndTask": "B"}}, false, "Job.Dependences.*.StartTask.ref", "InvalidParameterValue.DependenceNotFoundTaskName", "Job.Dependences.0.StartTask"},
		{"self loop", "Job.Dependences", []any{map[string]any{"StartTask": "A", "EndTask": "A"}}, false, "Job.Dependences.acyclic", "InvalidParameterValue.DependenceUnfeasible", "Job.Dependences.0"},
		{"cycle", "Job.Dependences", []any{map[string]any{"StartTask": "A", "EndTask": "B"}, map[string]any{"StartTask": "B", "EndTask": "A"}}, false, "Job.Dependences.acyclic", "InvalidParameterValue.DependenceUnfeasible", "Job.Dependences.1"},
		{"scheme", "Job.Tasks.0.PackagePath", "http://x/y", false, "Job.Tasks.*.PackagePath.scheme", "InvalidParameterValue.RemoteStorageSchemeType", "Job.Tasks.0.PackagePath"},
		{"remote path", "Job.Tasks.0.PackagePath", "cos://", false, "Job.Tasks.*.PackagePath.path", "InvalidParameterValue.RemoteStoragePath", "Job.Tasks.0.PackagePath"},
		{"local path", "Job.Tasks.0.LocalPath", "relative/dir", false, "Job.Tasks.*.LocalPath.path", "InvalidParameterValue.LocalPath", "Job.Tasks.0.LocalPath"},
		{"atleastone", "Job.Priority", nil, true, "", "", ""}, // JobName still there
		{"required rule", "Placement.Zone", nil, true, "Placement.Zone.required", "MissingParameter", "Placement.Zone"},
		{"type rule", "Job.Priority", "1", false, "Job.Priority.type", "InvalidParameter", "Job.Priority"},
		{"element type rule", "Job.Tags", []any{"a", json.Number("1")}, false, "Job.Tags.*.type", "InvalidParameter", "Job.Tags.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Check(c, "SubmitJob", edit(t, tc.path, tc.value, tc.del), Options{})
			if tc.rule == "" {
				if v != nil {
					t.Fatalf("want no violation, got %+v", v)
				}
				return
			}
			if v == nil {
				t.Fatalf("want %s, got none", tc.rule)
			}
			if want := "tencent-batch/SubmitJob/rule/" + tc.rule; v.RuleID != want || v.Code != tc.code || v.Path != tc.at {
				t.Fatalf("got %+v, want rule %s code %s path %s", v, want, tc.code, tc.at)
			}
			if v.Message == "" || strings.Contains(v.Message, "%p") {
				t.Fatalf("bad message %q", v.Message)
			}
		})
	}
}

func TestAtLeastOne(t *testing.T) {
	c := loadTest(t)
	m := edit(t, "Job.Priority", nil, true)
	delete(m["Job"].(map[string]any), "JobName")
	v := Check(c, "SubmitJob", m, Options{})
	if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/Job.atleastone" {
		t.Fatalf("got %+v", v)
	}
}

// TestOrder pins the evaluation order: required/type rules before the others
// even when listed later, then catalog order; the first violation wins; Skip
// moves on to the next violated rule.
func TestOrder(t *testing.T) {
	c := loadTest(t)
	m := params(t, valid)
	job := m["Job"].(map[string]any)
	job["JobName"] = strings.Repeat("x", 61) // maxlen (catalog position 1)
	job["Priority"] = "7"                    // type (catalog position 16, runs first)
	delete(m["Placement"].(map[string]any), "Zone")
	var asked []string
	v := Check(c, "SubmitJob", m, Options{Skip: func(id string) bool { asked = append(asked, id); return false }})
	if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/Placement.Zone.required" {
		t.Fatalf("first: %+v", v)
	}
	skip := map[string]bool{"tencent-batch/SubmitJob/rule/Placement.Zone.required": true}
	v = Check(c, "SubmitJob", m, Options{Skip: func(id string) bool { return skip[id] }})
	if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/Job.Priority.type" {
		t.Fatalf("second: %+v", v)
	}
	skip["tencent-batch/SubmitJob/rule/Job.Priority.type"] = true
	v = Check(c, "SubmitJob", m, Options{Skip: func(id string) bool { return skip[id] }})
	if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/Job.JobName.maxlen" {
		t.Fatalf("third: %+v", v)
	}
	skip["tencent-batch/SubmitJob/rule/Job.JobName.maxlen"] = true
	if v = Check(c, "SubmitJob", m, Options{Skip: func(id string) bool { return skip[id] }}); v != nil {
		t.Fatalf("all skipped: %+v", v)
	}
	if len(asked) != 1 {
		t.Fatalf("Skip must be asked only about violated rules, asked %v", asked)
	}
}

func TestShape(t *testing.T) {
	c := loadTest(t)
	cases := []struct {
		name, body, code, path string
	}{
		{"valid", valid, "", ""},
		{"missing top", `{"Job":{"Tasks":[]}}`, "MissingParameter", "Placement"},
		{"missing nested in list", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"Application":{"Command":"c"}}]}}`, "MissingParameter", "Job.Tasks.0.Application.DeliveryForm"},
		{"null is missing", `{"Placement":null,"Job":{"Tasks":[]}}`, "MissingParameter", "Placement"},
		{"unknown top", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[]},"Zz":1,"Bogus":2}`, "UnknownParameter", "Bogus"},
		{"unknown nested", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"Application":{"Command":"c","DeliveryForm":"L","X":1}}]}}`, "UnknownParameter", "Job.Tasks.0.Application.X"},
		{"missing beats unknown", `{"Job":{"Tasks":[]},"Bogus":1}`, "MissingParameter", "Placement"},
		{"unknown beats type", `{"Placement":{"Zone":1},"Job":{"Tasks":[]},"Bogus":1}`, "UnknownParameter", "Bogus"},
		{"string for uint", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Priority":"1"}}`, "InvalidParameter", "Job.Priority"},
		{"negative uint", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"TaskInstanceNum":-1,"Application":{"Command":"c","DeliveryForm":"L"}}]}}`, "InvalidParameter", "Job.Tasks.0.TaskInstanceNum"},
		{"negative uint left to range rule", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Priority":-1}}`, "", ""},
		{"negative fraction uint", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Priority":-1.5}}`, "InvalidParameter", "Job.Priority"},
		{"alt type object", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Notifications":{"TopicName":"t"}}}`, "", ""},
		{"alt type list", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Notifications":[{"TopicName":"t"}]}}`, "", ""},
		{"alt type list descends", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Notifications":[{"TopicName":"t","X":1}]}}`, "UnknownParameter", "Job.Notifications.0.X"},
		{"alt type list missing", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Notifications":[{}]}}`, "MissingParameter", "Job.Notifications.0.TopicName"},
		{"alt type neither", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Notifications":"t"}}`, "InvalidParameter", "Job.Notifications"},
		{"fraction for uint", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Priority":1.5}}`, "InvalidParameter", "Job.Priority"},
		{"exponent for uint", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Priority":1e2}}`, "InvalidParameter", "Job.Priority"},
		{"huge int", `{"Placement":{"Zone":"z","ProjectId":99999999999999999999999},"Job":{"Tasks":[]}}`, "InvalidParameter", "Placement.ProjectId"},
		{"absurd float", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"Weight":1e400,"Application":{"Command":"c","DeliveryForm":"L"}}]}}`, "InvalidParameter", "Job.Tasks.0.Weight"},
		{"float ok", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"Weight":-1.5e3,"Application":{"Command":"c","DeliveryForm":"L"}}]}}`, "", ""},
		{"string for bool", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"RestartComputeNode":"TRUE","Application":{"Command":"c","DeliveryForm":"L"}}]}}`, "InvalidParameter", "Job.Tasks.0.RestartComputeNode"},
		{"object for list", `{"Placement":{"Zone":"z"},"Job":{"Tasks":{}}}`, "InvalidParameter", "Job.Tasks"},
		{"number in string list", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Tags":["a",1]}}`, "InvalidParameter", "Job.Tags.1"},
		{"number in string list rule id", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[],"Tags":[1]}}`, "InvalidParameter", "Job.Tags.0"},
		{"null in list", `{"Placement":{"Zone":"z"},"Job":{"Tasks":[null]}}`, "InvalidParameter", "Job.Tasks.0"},
		{"number for string", `{"Placement":{"Zone":1},"Job":{"Tasks":[]}}`, "InvalidParameter", "Placement.Zone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := CheckShape(c, "SubmitJob", params(t, tc.body), Options{})
			if tc.code == "" {
				if v != nil {
					t.Fatalf("want none, got %+v", v)
				}
				return
			}
			if v == nil || v.Code != tc.code || v.Path != tc.path {
				t.Fatalf("got %+v, want %s at %s", v, tc.code, tc.path)
			}
		})
	}
}

func TestShapeSkipAndRuleCode(t *testing.T) {
	c := loadTest(t)
	p := params(t, `{"Placement":{},"Job":{"Tasks":[],"Priority":"x"}}`)
	v := CheckShape(c, "SubmitJob", p, Options{})
	// The catalog lists Placement.Zone.required, so the violation carries its ID.
	if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/Placement.Zone.required" || v.Code != "MissingParameter" {
		t.Fatalf("got %+v", v)
	}
	skip := func(id string) bool { return id == "tencent-batch/SubmitJob/rule/Placement.Zone.required" }
	v = CheckShape(c, "SubmitJob", p, Options{Skip: skip})
	if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/Job.Priority.type" || v.Path != "Job.Priority" {
		t.Fatalf("got %+v", v)
	}
}

func TestTypeOK(t *testing.T) {
	cases := []struct {
		typ  string
		v    any
		want bool
	}{
		{"int64", json.Number("-9223372036854775808"), true},
		{"int64", json.Number("9223372036854775808"), false},
		{"uint64", json.Number("18446744073709551615"), true},
		{"uint64", json.Number("18446744073709551616"), false},
		{"uint64", json.Number("-0"), false},
		{"float", json.Number("1e308"), true},
		{"float", json.Number("-1e400"), false},
		{"float", 1.5, true},
		{"int64", 2.0, true},
		{"int64", 2.5, false},
		{"bool", "true", false},
		{"bool", true, true},
		{"string", json.Number("1"), false},
		{"datetime", "2026-01-01T00:00:00Z", true},
		{"mystery", 1, true},
	}
	for _, tc := range cases {
		if got := TypeOK(tc.typ, tc.v); got != tc.want {
			t.Errorf("TypeOK(%s, %#v) = %v, want %v", tc.typ, tc.v, got, tc.want)
		}
	}
}

func TestMemberType(t *testing.T) {
	c := loadTest(t)
	m, ok := MemberType(c, "SubmitJob", []string{"Job", "Tasks", "3", "TaskInstanceNum"})
	if !ok || m.Type != "uint64" {
		t.Fatalf("got %+v %v", m, ok)
	}
	m, ok = MemberType(c, "DescribeJobs", []string{"JobIds"})
	if !ok || m.Type != "list" || m.Elem != "string" {
		t.Fatalf("got %+v %v", m, ok)
	}
	if _, ok := MemberType(c, "SubmitJob", []string{"Job", "Nope"}); ok {
		t.Fatal("unknown member resolved")
	}
	if _, ok := MemberType(c, "SubmitJob", []string{"Job", "JobName", "x"}); ok {
		t.Fatal("path through a string resolved")
	}
}

func TestLintReportsBadRules(t *testing.T) {
	c := loadTest(t)
	c.Rules = append(c.Rules,
		fixtures.Rule{Item: fixtures.Item{ID: "x/SubmitJob/rule/a.pattern"}, Action: "SubmitJob", Path: "Job.JobName", Suffix: "pattern", Pattern: "("},
		fixtures.Rule{Item: fixtures.Item{ID: "x/SubmitJob/rule/b.type"}, Action: "SubmitJob", Path: "Job.Nope", Suffix: "type"})
	if errs := Lint(c); len(errs) != 2 {
		t.Fatalf("want 2 lint errors, got %v", errs)
	}
	// An unusable rule never fires.
	if v := Check(c, "SubmitJob", params(t, valid), Options{}); v != nil {
		t.Fatalf("got %+v", v)
	}
}

func TestNoPanicOnOddShapes(t *testing.T) {
	c := loadTest(t)
	for _, body := range []string{`{}`, `{"Job":[]}`, `{"Job":{"Tasks":"x","Dependences":"y"}}`,
		`{"Job":{"Tasks":[1,"a",null,[]],"Dependences":[1,{"StartTask":1},{"StartTask":"a","EndTask":null}]}}`,
		`{"Job":{"Tags":{"a":1}}}`} {
		p := params(t, body)
		_ = CheckShape(c, "SubmitJob", p, Options{})
		_ = Check(c, "SubmitJob", p, Options{})
	}
	if v := Check(c, "NoSuchAction", nil, Options{}); v != nil {
		t.Fatal("unknown action must yield nothing")
	}
}

// TestWhen: a conditional rule applies only when its premise holds.
func TestWhen(t *testing.T) {
	cat := &fixtures.Catalog{Dialect: "oceanus", Objects: map[string]*fixtures.Object{
		"CReq": {Name: "CReq", Members: []fixtures.Member{{Name: "ClusterType", Type: "int64"}, {Name: "ClusterId", Type: "string"}}},
		"CRes": {Name: "CRes", Members: []fixtures.Member{{Name: "RequestId", Type: "string"}}},
	}, Actions: []fixtures.Action{{Name: "C", Input: "CReq", Output: "CRes"}},
		Rules: []fixtures.Rule{{Item: fixtures.Item{ID: "oceanus/C/rule/ClusterId.when-ClusterType-2.required"}, Action: "C",
			Path: "ClusterId", Suffix: "required", Code: "InvalidParameterValue.ClusterId",
			When: &fixtures.Condition{Path: "ClusterType", Values: []string{"2"}}}}}
	for _, tc := range []struct {
		params map[string]any
		fail   bool
	}{
		{map[string]any{"ClusterType": json.Number("2")}, true},
		{map[string]any{"ClusterType": json.Number("1")}, false},
		{map[string]any{}, false},
		{map[string]any{"ClusterType": json.Number("2"), "ClusterId": "cluster-aaaaaaaa"}, false},
	} {
		v := Check(cat, "C", tc.params, Options{})
		if (v != nil) != tc.fail || (v != nil && v.Code != "InvalidParameterValue.ClusterId") {
			t.Errorf("%v: violation %v, want failure %v", tc.params, v, tc.fail)
		}
	}
}
