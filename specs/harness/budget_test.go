package harness

import (
	"strings"
	"testing"
	"time"
)

// With the budget spent only cleanup is sent, in every dialect's form.
func TestCleanupCallPerDialect(t *testing.T) {
	for _, c := range []struct {
		method, path, action string
		want                 bool
	}{
		{"POST", "/", "DeleteJob", true},          // Tencent Batch
		{"POST", "/", "TerminateJob", true},       // Tencent Batch
		{"POST", "/", "DetachInstances", true},    // Tencent Batch
		{"POST", "/", "DescribeComputeEnv", true}, // polled until gone
		{"POST", "/", "DescribeJobs", false},      // a listing: what specs send
		{"POST", "/", "SubmitJob", false},         // creates
		{"POST", "/", "StopJobs", true},           // Oceanus
		{"POST", "/", "DeleteWorkSpace", true},    // Oceanus
		{"POST", "/", "CreateJob", false},         // Oceanus
		{"POST", "/", "RunJobs", false},           // Oceanus: costs
		{"DELETE", "/jobs/job-1", "", true},       // ACS
		{"POST", "/jobs/job-1/stop", "", true},    // ACS, before DELETE
		{"GET", "/clusters/cls-1", "", true},      // ACS, one resource
		{"GET", "/jobs", "", false},               // ACS listing
		{"POST", "/jobs", "", false},              // ACS create
		{"PUT", "/clusters/cls-1", "", false},     // ACS update
		{"POST", "/jobs/job-1/start", "", false},  // ACS: costs
	} {
		if got := cleanupCall(c.method, c.path, c.action); got != c.want {
			t.Errorf("cleanupCall(%s %s %s) = %v, want %v", c.method, c.path, c.action, got, c.want)
		}
	}
}

// The budget is the run's: requests of every dialect's transport count
// against one total, and resources alive in any dialect (the ledger's)
// spend resource-seconds.
func TestBudgetIsSharedByEveryDialect(t *testing.T) {
	resetLedger()
	defer resetLedger()
	b := Budget{Requests: 3}
	for i, a := range []struct{ method, path, action string }{
		{"POST", "/", "DescribeJobs"}, {"GET", "/jobs", ""}, {"POST", "/", "DescribeJobs"}} {
		if m := runSpend.before(b, a.method, a.path, a.action); m != "" {
			t.Fatalf("request %d refused under requests=3: %s", i+1, m)
		}
	}
	if m := runSpend.before(b, "GET", "/clusters", ""); !strings.Contains(m, "requests=3 spent") {
		t.Errorf("the 4th request (another dialect) was not refused: %q", m)
	}
	if m := runSpend.before(b, "DELETE", "/jobs/job-1", ""); m != "" {
		t.Errorf("a cleanup call was refused with the budget spent: %s", m)
	}
	if Stopping() == "" {
		t.Error("a spent budget did not stop the run")
	}

	resetLedger()
	b = Budget{ResourceSeconds: 0.05}
	ledger.record("oceanus", "", []Leftover{{ID: "job-a"}, {ID: "job-b"}}, nil)
	if m := runSpend.before(b, "POST", "/", "DescribeJobs"); m != "" {
		t.Fatalf("refused before any time passed: %s", m)
	}
	time.Sleep(50 * time.Millisecond) // 2 resources × 50 ms = 0.1 resource-seconds
	if m := runSpend.before(b, "POST", "/", "DescribeJobs"); !strings.Contains(m, "resource-seconds=0.05 spent") {
		t.Errorf("two Oceanus resources alive for 50 ms did not spend resource-seconds=0.05: %q", m)
	}
}

// TestBudgetShare: the processes of `run --procs n` split the budget and
// the resource cap so that their parts add up to the whole, never more.
func TestBudgetShare(t *testing.T) {
	cases := []struct {
		b       Budget
		n       int
		wantErr bool
	}{
		{Budget{Requests: 100, ResourceSeconds: 90}, 3, false},
		{Budget{Requests: 7}, 2, false},
		{Budget{ResourceSeconds: 10}, 4, false},
		{Budget{Requests: 1}, 2, true},
		{Budget{Requests: 5}, 1, false},
	}
	for _, c := range cases {
		var req int64
		var rs float64
		for i := 0; i < c.n; i++ {
			p, err := c.b.Share(i, c.n)
			if (err != nil) != c.wantErr {
				t.Fatalf("%+v / %d: err %v, want error %v", c.b, c.n, err, c.wantErr)
			}
			if err != nil {
				break
			}
			if (c.b.Requests > 0) != (p.Requests > 0) || (c.b.ResourceSeconds > 0) != (p.ResourceSeconds > 0) {
				t.Errorf("%+v / %d: part %d is %+v (a part may not drop a limit)", c.b, c.n, i, p)
			}
			req += p.Requests
			rs += p.ResourceSeconds
		}
		if !c.wantErr && (req != c.b.Requests || rs > c.b.ResourceSeconds+1e-9) {
			t.Errorf("%+v / %d: the parts add up to requests=%d resource-seconds=%g", c.b, c.n, req, rs)
		}
		if p, _ := ParseBudget(c.b.String()); p != c.b {
			t.Errorf("String %q parses back as %+v, want %+v", c.b.String(), p, c.b)
		}
	}
	for _, c := range []struct{ total, n, sum int }{{50, 3, 50}, {4, 4, 4}, {0, 3, 0}} {
		sum := 0
		for i := 0; i < c.n; i++ {
			s, err := ShareCount(c.total, i, c.n)
			if err != nil || (c.total > 0 && s < 1) {
				t.Fatalf("ShareCount(%d, %d, %d) = %d, %v", c.total, i, c.n, s, err)
			}
			sum += s
		}
		if sum != c.sum {
			t.Errorf("ShareCount(%d, ·, %d) adds up to %d", c.total, c.n, sum)
		}
	}
	if _, err := ShareCount(2, 0, 3); err == nil {
		t.Error("ShareCount(2, 0, 3): want an error (fewer than one per process)")
	}
}
