package tencentbatch

// The Tencent Batch preflight (specs/harness/preflight.go, shared by the
// API 3.0 dialects): an action that does not exist must be refused, and
// DescribeJobs with no filter must answer with its documented JobSet and
// TotalCount, in the API 3.0 envelope. Both create nothing and cost nothing
// on a live account.

import "github.com/batchconform/batchconform/specs/harness"

func init() {
	harness.RegisterPreflight(Dialect, harness.API3Preflight(harness.BatchVersion, "batch", "DescribeJobs", `{"Limit":1}`, "JobSet", "TotalCount"))
}
