package oceanus

import (
	"testing"

	"github.com/batchconform/batchconform/fixtures"
)

// oddValues are values of a member's wire type that handlers must survive
// (answer or refuse with a documented code, never panic or InternalError).
func oddValues(cat *fixtures.Catalog, m fixtures.Member, depth int) []any {
	switch m.Type {
	case "string":
		return []any{"", "x", "cql-zzzzzzzz", "cluster-zzzzzzzz", "resource-zzzzzzzz", "root", "-1"}
	case "int64", "uint64", "float":
		return []any{0, -1, 1, 1 << 40}
	case "bool":
		return []any{true, false}
	case "list":
		out := []any{[]any{}}
		if m.Elem == "object" && depth < 2 {
			for _, o := range objectValues(cat, m.Ref, depth+1) {
				out = append(out, []any{o})
			}
		} else if m.Elem != "object" {
			for _, v := range oddValues(cat, fixtures.Member{Type: m.Elem}, depth+1) {
				out = append(out, []any{v, v})
			}
		}
		return out
	case "object":
		if depth < 2 {
			return append([]any{map[string]any{}}, objectValues(cat, m.Ref, depth+1)...)
		}
		return []any{map[string]any{}}
	}
	return nil
}

// objectValues are objects with every member set to one odd value in turn.
func objectValues(cat *fixtures.Catalog, name string, depth int) []any {
	o := cat.Objects[name]
	if o == nil {
		return nil
	}
	var out []any
	for _, m := range o.Members {
		for _, v := range oddValues(cat, m, depth) {
			out = append(out, map[string]any{m.Name: v})
		}
	}
	return out
}

// TestOddInputNeverBreaks sends every action each member with each odd
// value (alone and with the other members at odd values too), on an account
// with a job in every status, and requires a clean answer: a success or a
// code other than InternalError. A panic fails the test.
func TestOddInputNeverBreaks(t *testing.T) {
	f := newFx(t)
	running := f.running("running", nil)
	f.config(f.job("unpublished"), nil)
	f.job("uninitialized")
	_ = running
	calls := 0
	for _, a := range f.cat.Actions {
		in := f.cat.Objects[a.Input]
		if in == nil {
			t.Fatalf("%s: no input object %s", a.Name, a.Input)
		}
		all := map[string]any{}
		for _, m := range in.Members {
			vals := oddValues(f.cat, m, 0)
			for _, v := range vals {
				calls++
				if _, e := f.call(a.Name, map[string]any{m.Name: v}); e != nil && e.Code == "InternalError" {
					t.Errorf("%s {%s: %v}: InternalError: %s", a.Name, m.Name, v, e.Message)
				}
			}
			if len(vals) > 1 {
				all[m.Name] = vals[1]
			}
		}
		calls++
		if _, e := f.call(a.Name, all); e != nil && e.Code == "InternalError" {
			t.Errorf("%s %v: InternalError: %s", a.Name, all, e.Message)
		}
	}
	t.Logf("%d calls", calls)
}
