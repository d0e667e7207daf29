package reports

import (
	"fmt"
	"sort"
	"time"
)

// Merge combines reports of one target (shards of a run, a fuzz run's
// findings): per item the verdicts aggregate fail > pass > skip >
// not_covered (unprovokable stays unless some report covered the item), the
// specs are joined, and the summary and coverage are recounted. Reports of
// different targets are refused: compare them with Compare instead.
func Merge(rs ...*Report) (*Report, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("merge: no reports")
	}
	out := *rs[0]
	out.Items = nil
	key := targetKey(rs[0])
	byID := map[string]*Item{}
	var order []string
	start, end := rs[0].Started, rs[0].Started.Add(time.Duration(rs[0].DurationSeconds*float64(time.Second)))
	dialects := map[string]bool{}
	for i, r := range rs {
		if targetKey(r) != key {
			return nil, fmt.Errorf("merge: report %d is of another target (%s, not %s): use `report diff`", i+1, targetKey(r), key)
		}
		if r.Started.Before(start) {
			start = r.Started
		}
		if e := r.Started.Add(time.Duration(r.DurationSeconds * float64(time.Second))); e.After(end) {
			end = e
		}
		for _, d := range r.Target.Dialects {
			dialects[d] = true
		}
		for _, it := range r.Items {
			cur, ok := byID[it.ID]
			if !ok {
				cp := it
				cp.Specs = append([]string(nil), it.Specs...)
				byID[it.ID] = &cp
				order = append(order, it.ID)
				continue
			}
			cur.Specs = union(cur.Specs, it.Specs)
			if mergeRank(it.Verdict) > mergeRank(cur.Verdict) {
				cur.Verdict, cur.Message, cur.Evidence = it.Verdict, it.Message, it.Evidence
			}
		}
	}
	sort.Strings(order)
	for _, id := range order {
		out.Items = append(out.Items, *byID[id])
	}
	out.Target.Dialects = nil
	for d := range dialects {
		out.Target.Dialects = append(out.Target.Dialects, d)
	}
	sort.Strings(out.Target.Dialects)
	out.Started = start
	out.DurationSeconds = end.Sub(start).Seconds()
	out.Specs = SpecCounts{}
	for _, r := range rs {
		out.Specs.Total += r.Specs.Total
		out.Specs.Passed += r.Specs.Passed
		out.Specs.Failed += r.Specs.Failed
		out.Specs.Skipped += r.Specs.Skipped
	}
	out.Recount()
	return &out, nil
}

func mergeRank(v string) int {
	switch v {
	case Fail:
		return 5
	case Pass:
		return 4
	case Skip:
		return 3
	case Unprovokable:
		return 2
	case NotCovered:
		return 1
	}
	return 0
}

func targetKey(r *Report) string {
	var ks []string
	for d, e := range r.Target.Endpoints {
		ks = append(ks, d+"="+e)
	}
	sort.Strings(ks)
	return fmt.Sprint(ks, r.Target.Live)
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range append(append([]string(nil), a...), b...) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
