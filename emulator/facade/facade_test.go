package facade

import (
	"testing"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/fixtures"
)

const catJSON = `{"dialect": "oceanus", "version": "2019-04-22", "service": "oceanus",
 "actions": [{"name": "DescribeJobs", "input": "In", "output": "Out", "errors": ["ResourceNotFound.JobId", "InvalidParameterValue.JobIdValueError"]},
             {"name": "Other", "input": "In", "output": "Out"}],
 "objects": {"In": {"name": "In", "members": [{"name": "Limit", "type": "int64"}]}, "Out": {"name": "Out", "members": []}},
 "rules": [{"id": "oceanus/DescribeJobs/rule/Limit.range", "action": "DescribeJobs", "path": "Limit", "suffix": "range", "min": 1, "max": 100, "code": "InvalidParameterValue"}]}`

func cat(t *testing.T) *fixtures.Catalog {
	t.Helper()
	c, err := fixtures.Parse([]byte(catJSON))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func i64(v int64) *int64 { return &v }

func TestPage(t *testing.T) {
	c := cat(t)
	cases := []struct {
		name         string
		n            int
		off, lim     *int64
		ignore       bool
		wantA, wantB int
		action       string
	}{
		{"defaults", 50, nil, nil, false, 0, 20, "DescribeJobs"},
		{"offset and limit", 50, i64(10), i64(5), false, 10, 15, "DescribeJobs"},
		{"limit clamped to the catalog max", 500, nil, i64(1000), false, 0, 100, "DescribeJobs"},
		{"no rule: max is the default", 500, nil, i64(1000), false, 0, 20, "Other"},
		{"offset past the end", 5, i64(9), nil, false, 5, 5, "DescribeJobs"},
		{"zero limit is the default", 50, nil, i64(0), false, 0, 20, "DescribeJobs"},
		{"fault ignores offset", 50, i64(10), i64(5), true, 0, 5, "DescribeJobs"},
	}
	for _, tc := range cases {
		a, b := Page(c, tc.action, tc.n, tc.off, tc.lim, 20, tc.ignore)
		if a != tc.wantA || b != tc.wantB {
			t.Errorf("%s: [%d,%d), want [%d,%d)", tc.name, a, b, tc.wantA, tc.wantB)
		}
	}
}

func TestDocumented(t *testing.T) {
	c := cat(t)
	for _, tc := range []struct{ action, code, want string }{
		{"DescribeJobs", "ResourceNotFound.JobId", "ResourceNotFound.JobId"},
		{"DescribeJobs", "ResourceNotFound.Job", "ResourceNotFound"},
		{"DescribeJobs", "InvalidFilter", "InvalidParameterValue"},
		{"DescribeJobs", "Weird.Thing", "InternalError"},
		{"DescribeJobs", "MissingParameter", "MissingParameter"},
		{"Other", "Anything.At.All", "Anything.At.All"}, // no documented list: nothing enforced
	} {
		if got := Documented(c, tc.action, api3.Errorf(tc.code, "m")).Code; got != tc.want {
			t.Errorf("%s %s -> %s, want %s", tc.action, tc.code, got, tc.want)
		}
	}
}

func TestApplyFilters(t *testing.T) {
	items := []string{"a1", "a2", "b1"}
	prefix := func(name string, vals []string) (func(string) bool, *api3.Error) {
		switch name {
		case "prefix":
			return func(s string) bool {
				for _, v := range vals {
					if s[:1] == v {
						return true
					}
				}
				return false
			}, nil
		case "bad":
			return nil, api3.Errorf("InvalidParameterValue.X", "bad")
		}
		return nil, nil
	}
	unknown := func(n string) *api3.Error { return api3.Errorf("InvalidFilter", "%s", n) }
	got, e := ApplyFilters(items, []Filter{{Name: "prefix", Values: []string{"a", "c"}}}, prefix, unknown)
	if e != nil || len(got) != 2 || got[0] != "a1" || got[1] != "a2" {
		t.Fatalf("prefix a|c: %v %v", got, e)
	}
	if len(items) != 3 || items[2] != "b1" {
		t.Fatalf("input modified: %v", items)
	}
	for _, tc := range []struct {
		f    Filter
		code string
	}{
		{Filter{Name: "nope", Values: []string{"x"}}, "InvalidFilter"},
		{Filter{Name: "prefix", Values: []string{""}}, "InvalidParameterValue"},
		{Filter{Name: "bad", Values: []string{"x"}}, "InvalidParameterValue.X"},
	} {
		if _, e := ApplyFilters(items, []Filter{tc.f}, prefix, unknown); e == nil || e.Code != tc.code {
			t.Errorf("%+v: %v, want %s", tc.f, e, tc.code)
		}
	}
}
