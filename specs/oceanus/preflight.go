package oceanus

// The Oceanus preflight (specs/harness/preflight.go, shared by the API 3.0
// dialects): an action that does not exist must be refused, and DescribeJobs
// with no filter must answer with its documented JobSet and TotalCount, in
// the API 3.0 envelope. Both create nothing and cost nothing on a live
// account. A target that fails it is not Oceanus: every item of the dialect
// fails with that one message and nothing more is sent.

import "github.com/batchconform/batchconform/specs/harness"

func init() {
	harness.RegisterPreflight(Dialect, harness.API3Preflight(harness.OceanusVersion, "oceanus", "DescribeJobs", `{"Limit":1}`, "JobSet", "TotalCount"))
}
