package validate

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// exampleVariants are a doc example's request and its variants: each leaf
// value removed, nulled, or replaced by a value of each other JSON type
// (what a client gets wrong).
func exampleVariants(t *testing.T, request []byte) []map[string]any {
	t.Helper()
	replacements := []any{nil, "x", json.Number("-1"), json.Number("1.5"), true, []any{}, []any{"x", "x"},
		[]any{map[string]any{}}, map[string]any{}, map[string]any{"Unknown": "x"}}
	base := params(t, string(request))
	variants := []map[string]any{base}
	for _, p := range leafPaths(base, nil) {
		variants = append(variants, withValue(base, p, deleted{}))
		for _, r := range replacements {
			variants = append(variants, withValue(base, p, r))
		}
	}
	return variants
}

// The plan only skips rules that have nothing to check: Check gives the same
// first violation with it as with every rule walking the request itself, for
// every documented example of every catalog and for variants of each with
// one value removed, nulled, or replaced by a value of each other JSON type
// (what a client gets wrong).
func TestPlanGivesTheSameViolations(t *testing.T) {
	for _, cat := range []*fixtures.Catalog{tencentbatch.Catalog(), alibatch.Catalog(), oceanus.Catalog()} {
		compared, differing := 0, 0
		for _, ex := range cat.Examples {
			if len(ex.Request) == 0 || ex.Request[0] != '{' {
				continue
			}
			for _, v := range exampleVariants(t, ex.Request) {
				compared++
				skipAbsent = true
				got := Check(cat, ex.Action, v, Options{})
				skipAbsent = false
				want := Check(cat, ex.Action, v, Options{})
				skipAbsent = true
				if !reflect.DeepEqual(got, want) {
					differing++
					if differing <= 5 {
						t.Errorf("%s %s: with the plan %+v, every rule walking %+v (params %v)", cat.Dialect, ex.ID, got, want, v)
					}
				}
			}
		}
		if compared < 100 {
			t.Errorf("%s: only %d requests compared", cat.Dialect, compared)
		}
		if differing > 0 {
			t.Errorf("%s: %d of %d requests differ", cat.Dialect, differing, compared)
		}
	}
}

// deleted marks a value to remove (withValue).
type deleted struct{}

// leafPaths lists the path of every value in v (objects and lists
// included), depth first.
func leafPaths(v any, at []any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := append(append([]any(nil), at...), k)
			out = append(out, p)
			out = append(out, leafPaths(e, p)...)
		}
	case []any:
		for i, e := range x {
			p := append(append([]any(nil), at...), i)
			out = append(out, p)
			out = append(out, leafPaths(e, p)...)
		}
	}
	return out
}

// withValue returns a deep copy of m with the value at path replaced (or
// removed, for deleted{}).
func withValue(m map[string]any, path []any, val any) map[string]any {
	cp := deepCopy(m).(map[string]any)
	var cur any = cp
	for i, seg := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			k := seg.(string)
			if last {
				if _, del := val.(deleted); del {
					delete(c, k)
				} else {
					c[k] = val
				}
				return cp
			}
			cur = c[k]
		case []any:
			j := seg.(int)
			if last {
				if _, del := val.(deleted); del {
					c[j] = nil
				} else {
					c[j] = val
				}
				return cp
			}
			cur = c[j]
		default:
			panic(fmt.Sprintf("withValue: no container at %v", path[:i]))
		}
	}
	return cp
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// The plan's trie has a node for every anchor, and collect finds exactly the
// anchors a request holds values at (a path absent, null or through
// another type holds none).
func TestPlanMarksPresentAnchors(t *testing.T) {
	a := &action{rules: []crule{
		{r: &fixtures.Rule{Suffix: "type"}, path: []string{"Job", "Tasks", "*", "TaskName"}},
		{r: &fixtures.Rule{Suffix: "required"}, path: []string{"Job", "JobName"}, parent: []string{"Job"}},
		{r: &fixtures.Rule{Suffix: "ref"}, path: []string{"Job", "Dependences", "*", "StartTask"}, scope: []string{"Job"}},
		{r: &fixtures.Rule{Suffix: "range"}, path: []string{"Placement", "Zone"}},
		{r: &fixtures.Rule{Suffix: "range"}, path: nil},
	}}
	a.buildPlan()
	for _, c := range []struct {
		params string
		want   []bool // per rule above
	}{
		{`{}`, []bool{false, false, false, false, true}},
		{`{"Job":null}`, []bool{false, false, false, false, true}},
		{`{"Job":{}}`, []bool{false, true, true, false, true}},
		{`{"Job":{"Tasks":{"TaskName":"a"}}}`, []bool{false, true, true, false, true}},
		{`{"Job":{"Tasks":[{"TaskName":null},{}]}}`, []bool{false, true, true, false, true}},
		{`{"Job":{"Tasks":[{},{"TaskName":"a"}]},"Placement":{"Zone":"z"}}`, []bool{true, true, true, true, true}},
		{`{"Job":"x","Placement":[{"Zone":"z"}]}`, []bool{false, true, true, false, true}},
	} {
		pv := getPlanValues(a.nodes)
		a.plan.collect(params(t, c.params), pv)
		for i, w := range c.want {
			if got := pv.present(a.rules[i].anchor); got != w {
				t.Errorf("%s: rule %d (%s at %v) anchor present = %v, want %v", c.params, i, a.rules[i].r.Suffix, a.rules[i].anchorPath(), got, w)
			}
		}
		pv.release()
	}
}

// A request's values do not outlive Check: release drops every value the
// walk recorded (the parameters' maps are the protocol layer's, lent for
// the request only) before the scratch goes back to the pool.
func TestPlanValuesReleaseKeepsNothing(t *testing.T) {
	a := compiled(tencentbatch.Catalog()).actions["SubmitJob"]
	pv := getPlanValues(a.nodes)
	a.plan.collect(params(t, benchSubmit), pv)
	if len(pv.vals) < 10 {
		t.Fatalf("only %d values collected from the benchmark SubmitJob", len(pv.vals))
	}
	vals := pv.vals[:cap(pv.vals)]
	paths := &pv.paths
	pv.bufs()[0] = append(pv.bufs()[0], "Job")
	pv.release()
	for i, v := range vals {
		if v != nil {
			t.Fatalf("value %d kept after release: %v", i, v)
		}
	}
	for i, s := range paths {
		if s != "" {
			t.Fatalf("path segment %d kept after release: %q", i, s)
		}
	}
}

// scalarSet answers as a map would, below and past its small list, and
// keeps a string apart from the number it spells.
func TestScalarSet(t *testing.T) {
	var s scalarSet
	want := map[scalar]bool{}
	for i := range 40 {
		for _, k := range []scalar{{isStr: true, s: strconv.Itoa(i % 13)}, {s: strconv.Itoa(i % 7)}} {
			if s.has(k) != want[k] {
				t.Fatalf("step %d: has(%v) = %v, want %v", i, k, s.has(k), want[k])
			}
			s.add(k)
			want[k] = true
		}
	}
	if s.m == nil {
		t.Error("20 distinct keys did not spill into the map")
	}
}

// cycleAt reports the edge the adjacency-list version before it reported
// (kept here as the reference), on random graphs below and above the
// edges it keeps on the stack, with malformed edges among them.
func TestCycleAtAgreesWithReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 3000 {
		n := 1 + rng.IntN(6)
		edges := make([]any, rng.IntN(24))
		for i := range edges {
			switch rng.IntN(12) {
			case 0:
				edges[i] = "not an edge"
			case 1:
				edges[i] = map[string]any{"S": fmt.Sprint(rng.IntN(n))}
			default:
				edges[i] = map[string]any{"S": fmt.Sprint(rng.IntN(n)), "E": fmt.Sprint(rng.IntN(n))}
			}
		}
		if got, want := cycleAt(edges, "S", "E"), cycleAtRef(edges, "S", "E"); got != want {
			t.Fatalf("round %d: cycleAt %d, reference %d for %v", round, got, want, edges)
		}
	}
}

func cycleAtRef(edges []any, from, to string) int {
	adj := map[string][]int{}
	type edge struct{ a, b string }
	es := make([]edge, len(edges))
	valid := make([]bool, len(edges))
	for i, e := range edges {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		a, ok1 := m[from].(string)
		b, ok2 := m[to].(string)
		if !ok1 || !ok2 {
			continue
		}
		es[i], valid[i] = edge{a, b}, true
		adj[a] = append(adj[a], i)
	}
	colour := map[string]int{}
	type frame struct {
		node string
		next int
	}
	for i := range es {
		if !valid[i] || colour[es[i].a] != 0 {
			continue
		}
		stack := []frame{{node: es[i].a}}
		colour[es[i].a] = 1
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			out := adj[f.node]
			if f.next >= len(out) {
				colour[f.node] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[f.next]
			f.next++
			nb := es[ei].b
			switch colour[nb] {
			case 1:
				return ei
			case 0:
				colour[nb] = 1
				stack = append(stack, frame{node: nb})
			}
		}
	}
	return -1
}

// The shape walk by the members an object holds (sparseObject) gives the
// same violation as the walk over every member its type defines, for every
// documented example of every catalog and the variants of each (a value
// removed, nulled, or replaced by a value of each other JSON type).
func TestSparseShapeWalkGivesTheSameViolations(t *testing.T) {
	defer func() { sparseWalk = true }()
	for _, cat := range []*fixtures.Catalog{tencentbatch.Catalog(), alibatch.Catalog(), oceanus.Catalog()} {
		compared, differing, found := 0, 0, 0
		for _, ex := range cat.Examples {
			if len(ex.Request) == 0 || ex.Request[0] != '{' {
				continue
			}
			for _, v := range exampleVariants(t, ex.Request) {
				compared++
				sparseWalk = true
				got := CheckShape(cat, ex.Action, v, Options{})
				sparseWalk = false
				want := CheckShape(cat, ex.Action, v, Options{})
				if want != nil {
					found++
				}
				if !reflect.DeepEqual(got, want) {
					differing++
					if differing <= 5 {
						t.Errorf("%s %s: by members held %+v, by members defined %+v (params %v)", cat.Dialect, ex.ID, got, want, v)
					}
				}
			}
		}
		if compared < 100 || found < compared/10 {
			t.Errorf("%s: only %d requests compared, %d with a shape violation", cat.Dialect, compared, found)
		}
		if differing > 0 {
			t.Errorf("%s: %d of %d requests differ", cat.Dialect, differing, compared)
		}
	}
}
