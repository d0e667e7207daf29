package validate

import (
	"reflect"
	"testing"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// CheckRequest answers what CheckShape then Check answer, over every
// example request of the three catalogs and the variants exampleVariants
// makes of each (a value removed, nulled, retyped, out of range...), fused
// or not; and where the shape holds, the fused walk finds at every plan node
// the values collect finds, in the same order.
func TestCheckRequestGivesTheSameAnswer(t *testing.T) {
	for _, tc := range []struct {
		cat *fixtures.Catalog
		// minFused: valid requests expected through the fused walk. The
		// API 3.0 dialects' actions are fused; Alibaba's CreateJob and
		// CreateCluster anchor rules under maps keyed by name, which the
		// walk does not follow, so they take the two walks.
		minFused int
	}{{tencentbatch.Catalog(), 50}, {alibatch.Catalog(), 0}, {oceanus.Catalog(), 50}} {
		cat := tc.cat
		s := compiled(cat)
		compared, fusedRuns, differing := 0, 0, 0
		for _, ex := range cat.Examples {
			if len(ex.Request) == 0 || ex.Request[0] != '{' {
				continue
			}
			a := s.actions[ex.Action]
			for _, v := range exampleVariants(t, ex.Request) {
				compared++
				want := CheckShape(cat, ex.Action, v, Options{})
				if want == nil {
					want = Check(cat, ex.Action, v, Options{})
				}
				got := CheckRequest(cat, ex.Action, v, Options{})
				if !reflect.DeepEqual(got, want) {
					differing++
					if differing <= 5 {
						t.Errorf("%s %s: CheckRequest %+v, CheckShape then Check %+v (params %v)", cat.Dialect, ex.ID, got, want, v)
					}
				}
				if a == nil || !a.fused || CheckShape(cat, ex.Action, v, Options{}) != nil {
					continue
				}
				fusedRuns++
				walked, collected := getPlanValues(a.nodes), getPlanValues(a.nodes)
				walked.add(a.plan.id, v)
				w := shapeWalker{s: s, a: a, action: ex.Action, pv: walked}
				if sv := w.walk(v); sv != nil {
					t.Fatalf("%s %s: the fused walk finds %v where CheckShape finds none", cat.Dialect, ex.ID, sv)
				}
				a.plan.collect(v, collected)
				for n := 0; n < a.nodes; n++ {
					if g, c := nodeValues(walked, n), nodeValues(collected, n); !reflect.DeepEqual(g, c) {
						t.Errorf("%s %s: plan node %d: the walk found %v, collect %v", cat.Dialect, ex.ID, n, g, c)
					}
				}
				walked.release()
				collected.release()
			}
		}
		if compared < 100 || fusedRuns < tc.minFused {
			t.Errorf("%s: only %d requests compared, %d of them valid and fused", cat.Dialect, compared, fusedRuns)
		}
		if differing > 0 {
			t.Errorf("%s: %d of %d requests differ", cat.Dialect, differing, compared)
		}
		t.Logf("%s: %d requests compared, %d valid ones through the fused walk", cat.Dialect, compared, fusedRuns)
	}
	if !compiled(tencentbatch.Catalog()).actions["SubmitJob"].fused {
		t.Error("tencent-batch SubmitJob is not fused: CheckRequest walks it twice")
	}
}

// nodeValues lists the values pv holds at plan node n, in order.
func nodeValues(pv *planValues, n int) []any {
	var out []any
	for i := pv.head[n]; i >= 0; i = pv.next[i] {
		out = append(out, pv.vals[i])
	}
	return out
}

// With rules skipped (the emulator's faults), CheckRequest takes the two
// walks, whose answers a skipped shape rule changes.
func TestCheckRequestWithSkippedRules(t *testing.T) {
	cat := tencentbatch.Catalog()
	p := params(t, `{"Placement":{"Zone":"ap-guangzhou-2"},"Job":{"Tasks":[{"TaskName":7}]}}`)
	skip := Options{Skip: func(id string) bool { return id == "tencent-batch/SubmitJob/rule/Job.Tasks.*.TaskName.type" }}
	for _, opt := range []Options{{}, skip} {
		want := CheckShape(cat, "SubmitJob", p, opt)
		if want == nil {
			want = Check(cat, "SubmitJob", p, opt)
		}
		if got := CheckRequest(cat, "SubmitJob", p, opt); !reflect.DeepEqual(got, want) {
			t.Errorf("skip %v: CheckRequest %+v, CheckShape then Check %+v", opt.Skip != nil, got, want)
		}
	}
}

// unique and acyclic decide from the lists at their anchor (holds) as their
// own walk does: duplicate names, cycles, self-loops and odd elements give
// the same first violation with the plan as with every rule walking, and
// through CheckRequest.
func TestHoldsAgreesWithTheWalk(t *testing.T) {
	cat := tencentbatch.Catalog()
	task := func(name string) string {
		return `{"TaskName":"` + name + `","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo"},` +
			`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}}`
	}
	job := func(tasks, deps string) string {
		return `{"Placement":{"Zone":"ap-guangzhou-2"},"Job":{"JobName":"j","Tasks":[` + tasks + `],"Dependences":[` + deps + `]}}`
	}
	edge := func(a, b string) string { return `{"StartTask":"` + a + `","EndTask":"` + b + `"}` }
	cases := map[string]string{
		"valid":          job(task("a")+","+task("b")+","+task("c"), edge("a", "b")+","+edge("b", "c")),
		"duplicate name": job(task("a")+","+task("b")+","+task("a"), edge("a", "b")),
		"cycle":          job(task("a")+","+task("b")+","+task("c"), edge("a", "b")+","+edge("b", "c")+","+edge("c", "a")),
		"self-loop":      job(task("a")+","+task("b"), edge("a", "a")),
		"duplicate edge": job(task("a")+","+task("b"), edge("a", "b")+","+edge("a", "b")),
		"odd elements":   job(task("a")+`,"x",null`, `7,`+edge("a", "a")),
	}
	saw := map[bool]int{}
	for name, body := range cases {
		p := params(t, body)
		skipAbsent = false
		want := Check(cat, "SubmitJob", p, Options{})
		skipAbsent = true
		if got := Check(cat, "SubmitJob", p, Options{}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: with the plan %+v, every rule walking %+v", name, got, want)
		}
		shape := CheckShape(cat, "SubmitJob", p, Options{})
		whole := shape
		if whole == nil {
			whole = want
		}
		if got := CheckRequest(cat, "SubmitJob", p, Options{}); !reflect.DeepEqual(got, whole) {
			t.Errorf("%s: CheckRequest %+v, CheckShape then Check %+v", name, got, whole)
		}
		saw[want != nil]++
		t.Logf("%s: %v", name, want)
	}
	if saw[true] < 3 || saw[false] < 1 {
		t.Errorf("the cases broke %d times and held %d: they exercise too little", saw[true], saw[false])
	}
}
