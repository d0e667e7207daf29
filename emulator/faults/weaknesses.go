package faults

// Faults proving the fixes of issue 8's weaknesses: each one breaks a
// documented behaviour that the suite did not check before, and is killed by
// the check added for it.

// Names of the weakness faults.
const (
	IgnoreClientTokenCreateEnv = "ignore-client-token-create-env"
	EnvTypeMixedCase           = "env-type-mixed-case"
	ListViewDropsPriority      = "list-view-drops-priority"
	NodeIDAfterFinish          = "node-id-after-finish"
)

func init() {
	for _, f := range []Fault{
		{Name: IgnoreClientTokenCreateEnv, Doc: "CreateComputeEnv ignores a well-formed ClientToken (a repeat creates a second environment); SubmitJob and CreateCpmComputeEnv still honour theirs", Items: []string{
			"tencent-batch/CreateComputeEnv/protocol/ClientToken.idempotent"}},
		{Name: EnvTypeMixedCase, Doc: "DescribeComputeEnvs answers EnvType \"Managed\" (documented: MANAGED, THPC_QUEUE); DescribeComputeEnv still answers MANAGED", Items: []string{
			"tencent-batch/ComputeEnvView/schema/EnvType.enum"}},
		{Name: ListViewDropsPriority, Doc: "DescribeJobs reports every job's Priority as 0; DescribeJob reports the submitted one", Items: []string{
			"tencent-batch/DescribeJobs/schema/list-view.consistent"}},
		{Name: NodeIDAfterFinish, Doc: "finished task instances keep reporting the ComputeNodeInstanceId they ran on (documented: empty once finished)", Items: []string{
			"tencent-batch/TaskInstanceView/schema/ComputeNodeInstanceId.empty-when"}},
	} {
		Register(f)
	}
}
