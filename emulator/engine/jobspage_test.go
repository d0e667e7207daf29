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
		ids = append(ids, mustSubmit(t, e, JobSpec{Tenant: tenant, Name: fmt.Sprintf("n%d", i%4), Tasks: []TaskSpec{tsk("a", "true")}}))
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
	named := []string{ids[2], ids[1], ids[9], ids[2], ids[3], "job-missing"}
	for _, tenant := range []string{"t1", "t2", ""} {
		all := e.Jobs(tenant)
		for _, tc := range []struct {
			name string
			ids  []string
			keep func(*Job) bool
		}{{"all", nil, nil}, {"filtered", nil, keepName}, {"named", named, nil}, {"named+filtered", named, keepName}} {
			var want []Job
			for _, j := range all {
				if (tc.ids == nil || slices.Contains(tc.ids, j.ID)) && (tc.keep == nil || tc.keep(&j)) {
					want = append(want, j)
				}
			}
			for a := -1; a <= len(want)+1; a += 3 {
				for _, size := range []int{0, 1, 5, 100} {
					pg := e.JobsPage(JobQuery{Tenant: tenant, IDs: tc.ids, Keep: tc.keep,
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
