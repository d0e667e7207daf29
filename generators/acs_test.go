package generators

import (
	"strings"
	"testing"

	"github.com/batchconform/batchconform/fixtures/alibatch"
)

// TestRESTViolateEveryRule: every rule of the Alibaba catalog is broken from
// the valid request, the filled code has no placeholder left, the request
// differs from the valid one, and the valid request is left untouched.
func TestRESTViolateEveryRule(t *testing.T) {
	cat := alibatch.Catalog()
	g := NewREST(cat, RESTRefs{ClusterID: "cls-1", GroupName: "group1", ClusterInstanceID: "ins-1", JobID: "job-1",
		TaskName: "A", InstanceID: "0", ImageID: "img-1", Bodies: AlibabaBodies("ecs.t1", "cls-1", "m-1")})
	for _, r := range cat.Rules {
		base, err := g.Valid(r.Action)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		before := base.Clone()
		cases, err := g.Violations(r, base)
		if err != nil {
			t.Errorf("%s: %v", r.ID, err)
			continue
		}
		if len(cases) == 0 || (r.Suffix == "range" && len(cases) != 2) {
			t.Errorf("%s: %d cases", r.ID, len(cases))
		}
		a, _ := cat.Action(r.Action)
		for _, c := range cases {
			if strings.Contains(c.Code, "{") || strings.Contains(c.Message, "{key}") {
				t.Errorf("%s: placeholders left in %q / %q", r.ID, c.Code, c.Message)
			}
			vb, _ := before.JSONBody()
			cb, _ := c.Request.JSONBody()
			if string(vb) == string(cb) && before.URL(a) == c.Request.URL(a) {
				t.Errorf("%s (%s): the violation equals the valid request", r.ID, c.What)
			}
		}
		nb, _ := base.JSONBody()
		ob, _ := before.JSONBody()
		if string(nb) != string(ob) {
			t.Errorf("%s: the valid request was modified", r.ID)
		}
	}
}

func TestRESTFill(t *testing.T) {
	for _, c := range []struct {
		s    string
		keys []string
		want string
	}{
		{"InvalidUserData.{key}.value", []string{"A", "k"}, "InvalidUserData.k.value"},
		{"MissingDAG.Tasks.{key}.Mounts.Entries.{key}.Source", []string{"A", "0"}, "MissingDAG.Tasks.A.Mounts.Entries.0.Source"},
		{"InvalidDesiredVMCount", []string{"g"}, "InvalidDesiredVMCount"},
	} {
		if got := fill(c.s, c.keys); got != c.want {
			t.Errorf("fill(%q, %v) = %q, want %q", c.s, c.keys, got, c.want)
		}
	}
}
