package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// realCatalog returns the embedded Tencent Batch catalog (failing if it is
// empty).
func realCatalog(t *testing.T) *fixtures.Catalog {
	t.Helper()
	c := tencentbatch.Catalog()
	if len(c.Actions) == 0 || len(c.Rules) == 0 {
		t.Fatal("the embedded Tencent Batch catalog has no rules or examples")
	}
	return c
}

func TestRealCatalogLint(t *testing.T) {
	c := realCatalog(t)
	for _, err := range Lint(c) {
		t.Error(err)
	}
}

// TestRealCatalogExamples: every doc example's request passes validation.
func TestRealCatalogExamples(t *testing.T) {
	c := realCatalog(t)
	n := 0
	for _, ex := range c.Examples {
		if len(ex.Request) == 0 {
			continue
		}
		n++
		p := params(t, string(ex.Request))
		if v := CheckShape(c, ex.Action, p, Options{}); v != nil {
			t.Errorf("%s: shape: %+v", ex.ID, v)
			continue
		}
		if v := Check(c, ex.Action, p, Options{}); v != nil {
			t.Errorf("%s: rules: %+v", ex.ID, v)
		}
	}
	if n == 0 {
		t.Fatal("no example requests")
	}
}

func submitExample(t *testing.T, c *fixtures.Catalog) map[string]any {
	t.Helper()
	for _, ex := range c.Examples {
		if ex.Action == "SubmitJob" && len(ex.Request) > 0 {
			return params(t, string(ex.Request))
		}
	}
	t.Fatal("no SubmitJob example")
	return nil
}

func TestRealCatalogSubmitJob(t *testing.T) {
	c := realCatalog(t)
	cases := []struct {
		name   string
		mutate func(job map[string]any)
		rule   string
		code   string
	}{
		{"61-char JobName", func(j map[string]any) { j["JobName"] = strings.Repeat("n", 61) },
			"Job.JobName.maxlen", "InvalidParameter.JobNameTooLong"},
		{"cyclic DAG", func(j map[string]any) {
			tasks := j["Tasks"].([]any)
			a := tasks[0].(map[string]any)
			b := clone(t, a)
			a["TaskName"], b["TaskName"] = "A", "B"
			j["Tasks"] = []any{a, b}
			j["Dependences"] = []any{map[string]any{"StartTask": "A", "EndTask": "B"}, map[string]any{"StartTask": "B", "EndTask": "A"}}
		}, "Job.Dependences.acyclic", "InvalidParameterValue.DependenceUnfeasible"},
		{"self loop", func(j map[string]any) {
			name := j["Tasks"].([]any)[0].(map[string]any)["TaskName"]
			j["Dependences"] = []any{map[string]any{"StartTask": name, "EndTask": name}}
		}, "Job.Dependences.acyclic", "InvalidParameterValue.DependenceUnfeasible"},
		{"negative priority", func(j map[string]any) { j["Priority"] = json.Number("-1") },
			"Job.Priority.range", "InvalidParameterValue.Negative"},
		{"priority over 100", func(j map[string]any) { j["Priority"] = json.Number("101") },
			"Job.Priority.range", "InvalidParameterValue"},
		// Another scheme is the scheme rule's violation, not the path rule's.
		{"http package", func(j map[string]any) { firstApp(j)["PackagePath"] = "http://example.com/a.tgz" },
			"Job.Tasks.*.Application.PackagePath.scheme", "InvalidParameterValue.RemoteStorageSchemeType"},
		{"malformed cos package", func(j map[string]any) { firstApp(j)["PackagePath"] = "cos://" },
			"Job.Tasks.*.Application.PackagePath.path", "InvalidParameterValue.RemoteStoragePath"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := submitExample(t, c)
			tc.mutate(p["Job"].(map[string]any))
			if v := CheckShape(c, "SubmitJob", p, Options{}); v != nil {
				t.Fatalf("shape: %+v", v)
			}
			v := Check(c, "SubmitJob", p, Options{})
			if v == nil || v.RuleID != "tencent-batch/SubmitJob/rule/"+tc.rule || v.Code != tc.code {
				t.Fatalf("got %+v, want %s / %s", v, tc.rule, tc.code)
			}
		})
	}
	// Strict types through the shape check.
	p := submitExample(t, c)
	p["Job"].(map[string]any)["Priority"] = "1"
	if v := CheckShape(c, "SubmitJob", p, Options{}); v == nil || v.Code != "InvalidParameter" || v.Path != "Job.Priority" {
		t.Fatalf("string Priority: %+v", v)
	}
	p = submitExample(t, c)
	p["Bogus"] = true
	if v := CheckShape(c, "SubmitJob", p, Options{}); v == nil || v.Code != "UnknownParameter" {
		t.Fatalf("unknown: %+v", v)
	}
	p = submitExample(t, c)
	delete(p, "Placement")
	if v := CheckShape(c, "SubmitJob", p, Options{}); v == nil || v.Code != "MissingParameter" || v.Path != "Placement" {
		t.Fatalf("missing: %+v", v)
	}
}

func clone(t *testing.T, m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return params(t, string(bytes.TrimSpace(b)))
}

func firstApp(j map[string]any) map[string]any {
	tk := j["Tasks"].([]any)[0].(map[string]any)
	app, _ := tk["Application"].(map[string]any)
	if app == nil {
		app = map[string]any{"Command": "true", "DeliveryForm": "PACKAGE"}
		tk["Application"] = app
	}
	return app
}

// TestRealCatalogNegativeListElement: a negative uint64 list element is left
// to the element path's range rule, like a scalar uint64.
func TestRealCatalogNegativeListElement(t *testing.T) {
	c := realCatalog(t)
	p := map[string]any{"JobId": "job-abcdefgh", "TaskName": "A", "TaskInstanceIndexes": []any{json.Number("-1")}}
	if v := CheckShape(c, "DescribeTaskLogs", p, Options{}); v != nil {
		t.Fatalf("shape: %+v", v)
	}
	v := Check(c, "DescribeTaskLogs", p, Options{})
	if v == nil || v.RuleID != "tencent-batch/DescribeTaskLogs/rule/TaskInstanceIndexes.*.range" || v.Code != "InvalidParameterValue.Negative" {
		t.Fatalf("got %+v, want the TaskInstanceIndexes.*.range rule with InvalidParameterValue.Negative", v)
	}
	p["TaskInstanceIndexes"] = []any{"1"}
	if v := Check(c, "DescribeTaskLogs", p, Options{}); v == nil || v.Code != "InvalidParameter" {
		t.Fatalf("a string element: got %+v, want InvalidParameter", v)
	}
}
