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
