package engine

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestJobsPageMatchesJobs: JobsPage (the per-tenant index, IDs looked up,
// the two-pass filter) answers what filtering and windowing Jobs' full list
// answers, for every window, with jobs of two tenants, deleted jobs and jobs
// moving through their states.
func TestJobsPageMatchesJobs(t *testing.T) {
	e := manualEngine(t)
	var ids []string
	submit := func(i int) {
		tenant := "t1"
		if i%3 == 0 {
			tenant = "t2"
		}
		ids = append(ids, mustSubmit(t, e, JobSpec{Tenant: tenant, Name: fmt.Sprintf("n%d", i%4), Zone: fmt.Sprintf("z%d", i%2),
			Tags:  []KV{{Name: "k", Value: fmt.Sprintf("v%d", i%5)}, {Name: "k", Value: fmt.Sprintf("v%d", i%5)}, {Name: "o", Value: "x"}},
			Tasks: []TaskSpec{tsk("a", "true")}}))
	}
	for i := range 30 {
		submit(i)
	}
	// Finished jobs may be deleted: three go, then more come, some moving.
	advanceUntil(t, e, time.Second, 60, func() bool { return terminalJob(e, ids[29])() })
	for _, i := range []int{1, 7, 20} {
		if err := e.DeleteJob("t1", ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 30; i < 40; i++ {
		submit(i)
		if i%3 == 0 {
			_ = e.Advance(100 * time.Millisecond)
		}
	}
	keepName := func(j *Job) bool { return j.Spec.Name == "n1" || j.Spec.Name == "n2" }
	hasTag := func(j *Job, k string, vs ...string) bool {
		for _, t := range j.Spec.Tags {
			if t.Name == k && slices.Contains(vs, t.Value) {
				return true
			}
		}
		return false
	}
	named := []string{ids[2], ids[1], ids[9], ids[2], ids[3], "job-missing"}
	for _, tenant := range []string{"t1", "t2", ""} {
		all := e.Jobs(tenant)
		for _, tc := range []struct {
			name string
			ids  []string
			keep func(*Job) bool
			attr *JobAttr
			want func(*Job) bool // the attribute's own predicate
			st   []string
		}{{"all", nil, nil, nil, nil, nil}, {"filtered", nil, keepName, nil, nil, nil}, {"named", named, nil, nil, nil, nil},
			{"named+filtered", named, keepName, nil, nil, nil},
			{"attr-name", nil, nil, &JobAttr{"job-name", []string{"n3"}}, func(j *Job) bool { return j.Spec.Name == "n3" }, nil},
			{"attr-zone2", nil, nil, &JobAttr{"zone", []string{"z1", "z0", "z1"}}, func(j *Job) bool { return true }, nil},
			{"attr-tag", nil, nil, &JobAttr{"tag:k", []string{"v2", "v4"}}, func(j *Job) bool { return hasTag(j, "k", "v2", "v4") }, nil},
			{"attr-tag+filtered", nil, keepName, &JobAttr{"tag:k", []string{"v1"}}, func(j *Job) bool { return hasTag(j, "k", "v1") }, nil},
			{"attr-missing", nil, nil, &JobAttr{"tag:none", []string{"v1"}}, func(j *Job) bool { return false }, nil},
			{"states", nil, nil, nil, func(j *Job) bool { return j.State == StateSucceed || j.State == StatePending }, []string{StateSucceed, StatePending, StateSucceed}},
			{"states-none", nil, nil, nil, func(j *Job) bool { return false }, []string{StateFailed}},
		} {
			if tc.st != nil && tenant == "" {
				continue // counted per tenant
			}
			if tc.attr != nil && tenant == "" {
				continue // an index is per tenant
			}
			var want []Job
			for _, j := range all {
				if (tc.ids == nil || slices.Contains(tc.ids, j.ID)) && (tc.keep == nil || tc.keep(&j)) && (tc.want == nil || tc.want(&j)) {
					want = append(want, j)
				}
			}
			for a := -1; a <= len(want)+1; a += 3 {
				for _, size := range []int{0, 1, 5, 100} {
					pg := e.JobsPage(JobQuery{Tenant: tenant, IDs: tc.ids, Keep: tc.keep, Attr: tc.attr, States: tc.st,
						Window: func(n int) (int, int) {
							if n != len(want) {
								t.Errorf("%s/%s: window asked for %d jobs, want %d", tenant, tc.name, n, len(want))
							}
							return a, a + size
						}})
					lo := min(max(a, 0), len(want))
					hi := min(max(a+size, 0), len(want))
					lo = min(lo, hi)
					if pg.Total != len(want) || pg.All != len(all) {
						t.Errorf("%s/%s: total %d all %d, want %d %d", tenant, tc.name, pg.Total, pg.All, len(want), len(all))
					}
					if len(pg.Jobs) != hi-lo {
						t.Fatalf("%s/%s [%d,+%d): %d jobs, want %d", tenant, tc.name, a, size, len(pg.Jobs), hi-lo)
					}
					for k, j := range pg.Jobs {
						if j.ID != want[lo+k].ID || j.State != want[lo+k].State {
							t.Errorf("%s/%s [%d,+%d) #%d: %s %s, want %s %s", tenant, tc.name, a, size, k, j.ID, j.State, want[lo+k].ID, want[lo+k].State)
						}
					}
				}
			}
		}
	}
}
