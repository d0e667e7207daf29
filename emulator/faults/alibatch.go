package faults

// Alibaba BatchCompute faults (ACS protocol and façade). Those whose items are
// only rule IDs are generic: the façade's validation skips a rule any fault
// that is on declares, so they need no code of their own.
const (
	AliSkipSignatureCheck    = "ali-skip-signature-check"
	AliAcceptAnyDate         = "ali-accept-any-date"
	AliNoRequestIDHeader     = "ali-no-request-id-header"
	AliBareErrorBody         = "ali-bare-error-body"
	AliIgnoreIdempotentToken = "ali-ignore-idempotent-token"
	AliDeleteRunningJob      = "ali-delete-running-job"
	AliRecreateDeleting      = "ali-recreate-deleting"
	AliIgnoreMarker          = "ali-ignore-marker"
	AliStoppedAsFailed       = "ali-stopped-as-failed"
	AliStopFinishedJob       = "ali-stop-finished-job"
)

const ali = "alibaba-batchcompute/"

func init() {
	for _, f := range []Fault{
		{Name: AliSkipSignatureCheck, Doc: "ACS requests are accepted whatever their signature", Items: []string{
			ali + "auth/protocol/InvalidSignature"}},
		{Name: AliAcceptAnyDate, Doc: "ACS requests dated more than 15 minutes off are accepted", Items: []string{
			ali + "auth/protocol/InvalidDate"}},
		{Name: AliNoRequestIDHeader, Doc: "ACS responses lack the x-acs-request-id header", Items: []string{
			ali + "envelope/protocol/request-id"}},
		{Name: AliBareErrorBody, Doc: "ACS error bodies carry only Code and Message (no RequestId, HostId)", Items: []string{
			ali + "envelope/protocol/error-shape"}},
		{Name: AliIgnoreIdempotentToken, Doc: "a repeated IdempotentToken creates a new resource, whatever the body", Items: []string{
			ali + "idempotency/protocol/same-token-same-body", ali + "idempotency/protocol/IdempotentTokenMismatch"}},
		{Name: AliDeleteRunningJob, Doc: "DeleteJob deletes a Waiting or Running job instead of answering 409", Items: []string{
			ali + "DeleteJob/error/StateConflict"}},
		{Name: AliRecreateDeleting, Doc: "RecreateClusterInstance of a Deleting instance answers 201 instead of 409", Items: []string{
			ali + "RecreateClusterInstance/error/StateConflict"}},
		{Name: AliIgnoreMarker, Doc: "List operations ignore Marker and always start at the first item", Items: []string{
			ali + "pagination/protocol/marker-walk", ali + "pagination/protocol/InvalidMarker"}},
		{Name: AliStoppedAsFailed, Doc: "a job stopped by StopJob is reported Failed", Items: []string{
			ali + "job/transition/Running->Stopped"}},
		{Name: AliStopFinishedJob, Doc: "StopJob on a Finished job answers 201 instead of 409", Items: []string{
			ali + "StopJob/error/StateConflict"}},
		// Validation faults: each switches one catalog rule off.
		{Name: "ali-no-maxlen-job-name", Doc: "CreateJob accepts a Name longer than 64 bytes", Items: []string{ali + "CreateJob/rule/Name.maxlen"}},
		{Name: "ali-no-pattern-cluster-name", Doc: "CreateCluster accepts a Name starting with a digit or with other characters", Items: []string{ali + "CreateCluster/rule/Name.pattern"}},
		{Name: "ali-no-range-priority", Doc: "CreateJob accepts a Priority outside [0, 1000]", Items: []string{ali + "CreateJob/rule/Priority.range"}},
		{Name: "ali-no-range-desired-vm-count", Doc: "CreateCluster accepts a DesiredVMCount outside [1, 65536]", Items: []string{ali + "CreateCluster/rule/Groups.*.DesiredVMCount.range"}},
		{Name: "ali-no-required-image-id", Doc: "CreateCluster accepts a description without ImageId", Items: []string{ali + "CreateCluster/rule/ImageId.required"}},
		{Name: "ali-no-type-job-fail-on-instance-fail", Doc: "CreateJob accepts a JobFailOnInstanceFail that is not a boolean", Items: []string{ali + "CreateJob/rule/JobFailOnInstanceFail.type"}},
		{Name: "ali-no-enum-job-type", Doc: "CreateJob accepts a Type other than DAG or App", Items: []string{ali + "CreateJob/rule/Type.enum"}},
		{Name: "ali-no-scheme-package-path", Doc: "CreateJob accepts a PackagePath that is not oss://", Items: []string{ali + "CreateJob/rule/DAG.Tasks.*.Parameters.Command.PackagePath.scheme"}},
		{Name: "ali-no-xor-autocluster", Doc: "CreateJob accepts a task with both AutoCluster and ClusterId", Items: []string{ali + "CreateJob/rule/DAG.Tasks.*.AutoCluster+ClusterId.xor"}},
		{Name: "ali-no-range-max-item-count", Doc: "ListJobs accepts a MaxItemCount outside [0, 100]", Items: []string{ali + "ListJobs/rule/MaxItemCount.range"}},
		{Name: "ali-no-size-user-data", Doc: "CreateCluster accepts more than 64 UserData entries", Items: []string{ali + "CreateCluster/rule/UserData.listmax"}},
		{Name: "ali-no-maxlen-cluster-description", Doc: "CreateCluster accepts a Description longer than 1024 bytes", Items: []string{ali + "CreateCluster/rule/Description.maxlen"}},
		{Name: "ali-no-ref-dependencies", Doc: "CreateJob accepts Dependencies naming an unknown task", Items: []string{ali + "CreateJob/rule/DAG.Dependencies.*.*.ref"}},
		{Name: "ali-no-range-timeout", Doc: "CreateJob accepts a task Timeout outside its range", Items: []string{ali + "CreateJob/rule/DAG.Tasks.*.Timeout.range"}},
		{Name: "ali-no-maxlen-idempotent-token", Doc: "CreateJob accepts an IdempotentToken longer than 64 characters", Items: []string{ali + "CreateJob/rule/IdempotentToken.maxlen"}},
		{Name: "ali-no-enum-list-state", Doc: "ListJobs accepts a State filter outside the documented states", Items: []string{ali + "ListJobs/rule/State.enum"}},
		{Name: "ali-no-required-change-priority", Doc: "ChangeJobPriority accepts a body without Priority", Items: []string{ali + "ChangeJobPriority/rule/Priority.required"}},
	} {
		Register(f)
	}
}
