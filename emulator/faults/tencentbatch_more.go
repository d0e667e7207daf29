package faults

// More Tencent Batch faults (issue 8): each one is a small, realistic
// contract violation a re-implementation could plausibly have, changing only
// the behaviour its Doc names and declaring the catalog items a spec must fail
// on when it is on.
//
// Validation faults need no code of their own: the API 3.0 layer skips every
// rule whose item ID a fault that is on declares (see api3.NewHandler), so a
// validation fault is "this one check of this one action was forgotten". The
// other faults are hooked where their behaviour lives (api3, engine, the
// tencentbatch façade) through the names below.

// Names of the faults that need a hook in emulator code.
const (
	// validation with a hook
	SelfLoopAccepted     = "self-loop-dependence-accepted"
	DanglingDependence   = "dangling-dependence-accepted"
	UnknownFilterIgnored = "no-filter-name-describe-jobs"
	// protocol
	V1SHA1GetUnsigned   = "v1-hmacsha1-get-unverified"
	ScopeServiceIgnored = "scope-service-not-checked"
	ScopeDateIgnored    = "scope-date-not-checked"
	RequestIDReused     = "request-id-reused"
	ErrorCodeCasing     = "error-code-casing-secretid"
	ErrorWithData       = "error-envelope-carries-data"
	TokenIgnored        = "token-not-checked"
	RegionNotChecked    = "region-not-checked"
	GetSizeNotEnforced  = "get-size-limit-not-enforced"
	FlatBoolCaseStrict  = "flattened-bool-case-sensitive"
	V1ExpireAsFailure   = "v1-expired-as-signature-failure"
	EmptyActionMessage  = "invalid-action-empty-message"
	// error codes: one action answers a sibling or the generic parent
	RecodeJobSubmitInfoNotFound  = "code-submit-info-job-not-found-generic"
	RecodeDescribeTaskNotFound   = "code-describe-task-not-found-sibling"
	RecodeDeleteEnvForbid        = "code-delete-env-forbid-terminate-generic"
	RecodeDeleteJobInUse         = "code-delete-job-in-use-generic"
	RecodeModifyEnvNotEnough     = "code-modify-env-not-enough-nodes-sibling"
	RecodeJobQuota               = "code-job-quota-generic"
	RecodeTaskLogsInstance       = "code-task-logs-instance-not-found-sibling"
	RecodeRetryJobsUnsupported   = "code-retry-jobs-unsupported-as-failed-operation"
	RecodeDeleteTemplatesMissing = "code-delete-templates-not-found-generic"
	RecodeAttachNotAllowed       = "code-attach-not-allowed-generic"
	// state machines
	RetriesNotPerformed   = "max-retry-count-ignored"
	RetryOffByOne         = "one-retry-too-many"
	TimeoutIgnored        = "task-timeout-ignored"
	TerminateJobNoop      = "terminate-job-noop"
	TerminateSucceedFails = "terminate-succeed-job-fails-it"
	RetrySucceedAccepted  = "retry-jobs-accepts-succeed-job"
	DAGOrderIgnored       = "dag-order-not-respected"
	NodeStuckCreating     = "compute-node-stuck-creating"
	DesiredCountIgnored   = "desired-node-count-change-ignored"
	// data
	OutputsNotUploaded          = "output-mappings-not-uploaded"
	TaskInstanceFailedEventLost = "task-instance-failed-event-not-fired"
	LogsNotBase64               = "task-logs-not-base64"
	LogsNotTruncated            = "task-logs-not-truncated"
	TotalCountUnfiltered        = "jobs-total-count-ignores-filters"
	OffsetPastFirstPage         = "env-offset-ignored-past-first-page"
	LimitOffByOne               = "template-limit-off-by-one"
	EnvNameFilterIgnored        = "env-name-filter-ignored"
	EnvFieldMissing             = "env-attached-node-count-missing"
	TaskTimesLocalZone          = "describe-task-times-local-zone"
	DeletedJobDescribable       = "deleted-job-still-describable"
)

// tbItem prefixes the Tencent Batch item IDs below.
const tbItem = "tencent-batch/"

func init() {
	for _, f := range []Fault{
		// ---- validation: one family, one action at a time ----
		{Name: "no-maxlen-env-description", Doc: "CreateComputeEnv accepts an EnvDescription longer than 200 characters", Items: []string{
			tbItem + "CreateComputeEnv/rule/ComputeEnv.EnvDescription.maxlen",
			tbItem + "CreateComputeEnv/error/InvalidParameter.EnvDescriptionTooLong"}},
		{Name: "no-range-cpm-desired-node-count", Doc: "CreateCpmComputeEnv accepts a DesiredComputeNodeCount outside 0..2000", Items: []string{
			tbItem + "CreateCpmComputeEnv/rule/ComputeEnv.DesiredComputeNodeCount.range"}},
		{Name: "no-enum-task-execution-depend-on", Doc: "SubmitJob accepts an undocumented Job.TaskExecutionDependOn value", Items: []string{
			tbItem + "SubmitJob/rule/Job.TaskExecutionDependOn.enum"}},
		{Name: "no-required-terminate-instance-task-name", Doc: "TerminateTaskInstance without TaskName is not refused with MissingParameter", Items: []string{
			tbItem + "TerminateTaskInstance/rule/TaskName.required"}},
		{Name: "no-xor-template-command-commands", Doc: "CreateTaskTemplate accepts an Application with both Command and Commands", Items: []string{
			tbItem + "CreateTaskTemplate/rule/TaskTemplateInfo.Application.Command+Commands.xor"}},
		{Name: "no-scheme-output-destination", Doc: "SubmitJob accepts an OutputMappings DestinationPath that is not cos:// or cfs://", Items: []string{
			tbItem + "SubmitJob/rule/Job.Tasks.*.OutputMappings.*.DestinationPath.scheme",
			tbItem + "SubmitJob/error/InvalidParameterValue.RemoteStorageSchemeType"}},
		{Name: "no-local-path-stdout", Doc: "SubmitJob accepts a relative RedirectLocalInfo.StdoutLocalPath", Items: []string{
			tbItem + "SubmitJob/rule/Job.Tasks.*.RedirectLocalInfo.StdoutLocalPath.path",
			tbItem + "SubmitJob/error/InvalidParameterValue.LocalPath"}},
		{Name: "no-listmax-terminate-compute-nodes", Doc: "TerminateComputeNodes accepts more than 100 ComputeNodeIds", Items: []string{
			tbItem + "TerminateComputeNodes/rule/ComputeNodeIds.listmax"}},
		{Name: "no-limit-range-env-create-infos", Doc: "DescribeComputeEnvCreateInfos does not refuse a Limit outside 0..100 (it silently clamps)", Items: []string{
			tbItem + "DescribeComputeEnvCreateInfos/rule/Limit.range"}},
		{Name: "no-pattern-retry-job-ids", Doc: "RetryJobs does not check that each JobId is well-formed", Items: []string{
			tbItem + "RetryJobs/rule/JobIds.*.pattern",
			tbItem + "RetryJobs/error/InvalidParameter.JobIdMalformed"}},
		{Name: "no-minlen-template-name", Doc: "ModifyTaskTemplate accepts an empty TaskTemplateName", Items: []string{
			tbItem + "ModifyTaskTemplate/rule/TaskTemplateName.minlen",
			tbItem + "ModifyTaskTemplate/error/InvalidParameter.TaskTemplateName"}},
		{Name: "no-unique-attach-instances", Doc: "AttachInstances accepts the same InstanceId twice", Items: []string{
			tbItem + "AttachInstances/rule/Instances.unique",
			tbItem + "AttachInstances/error/InvalidParameterValue.InstanceIdDuplicated"}},
		{Name: "no-atleastone-modify-template", Doc: "ModifyTaskTemplate with nothing to modify is accepted", Items: []string{
			tbItem + "ModifyTaskTemplate/rule/TaskTemplateName+TaskTemplateDescription+TaskTemplateInfo.atleastone",
			tbItem + "ModifyTaskTemplate/error/InvalidParameterAtLeastOneAttribute"}},
		{Name: "no-range-max-retry-count", Doc: "SubmitJob's MaxRetryCount range is left to the engine, which answers the generic InvalidParameterValue above 100", Items: []string{
			tbItem + "SubmitJob/rule/Job.Tasks.*.MaxRetryCount.range",
			tbItem + "SubmitJob/error/InvalidParameterValue.MaxRetryCount"}},
		{Name: UnknownFilterIgnored, Doc: "DescribeJobs accepts an undocumented filter Name (and ignores it)", Items: []string{
			tbItem + "DescribeJobs/rule/Filters.*.Name.pattern",
			tbItem + "DescribeJobs/error/InvalidFilter"}},
		{Name: "no-xor-task-logs-indexes-offset", Doc: "DescribeTaskLogs accepts TaskInstanceIndexes together with Offset", Items: []string{
			tbItem + "DescribeTaskLogs/rule/TaskInstanceIndexes+Offset.xor"}},
		{Name: "no-unique-env-notification-events", Doc: "CreateComputeEnv accepts the same notification event twice in one EventConfigs", Items: []string{
			tbItem + "CreateComputeEnv/rule/ComputeEnv.Notifications.*.EventConfigs.unique",
			tbItem + "CreateComputeEnv/error/InvalidParameter.NotificationEventNameDuplicate"}},
		{Name: SelfLoopAccepted, Doc: "SubmitJob refuses cycles of two or more tasks but accepts a task that depends on itself (it then waits in PENDING forever)", Items: []string{
			tbItem + "SubmitJob/rule/Job.Dependences.acyclic"}},
		{Name: DanglingDependence, Doc: "SubmitJob accepts a dependence whose EndTask names no task of the job (the edge is dropped)", Items: []string{
			tbItem + "SubmitJob/rule/Job.Dependences.*.EndTask.ref",
			tbItem + "SubmitJob/error/InvalidParameterValue.DependenceNotFoundTaskName"}},

		// ---- protocol ----
		{Name: V1SHA1GetUnsigned, Doc: "v1 requests signed with HmacSHA1 and sent as GET are accepted whatever their Signature (TC3, v1 POST and v1 HmacSHA256 are verified)", Items: []string{
			tbItem + "auth/protocol/SignatureFailure"}},
		{Name: ScopeServiceIgnored, Doc: "a TC3 credential scope naming another service (cvm) is accepted on batch.tencentcloudapi.com", Items: []string{
			tbItem + "auth/protocol/scope-service"}},
		{Name: ScopeDateIgnored, Doc: "a TC3 credential scope date that is not the UTC date of X-TC-Timestamp is accepted", Items: []string{
			tbItem + "auth/protocol/scope-date"}},
		{Name: RequestIDReused, Doc: "an error answer carries the RequestId of the previous successful answer instead of a fresh one", Items: []string{
			tbItem + "envelope/protocol/request-id"}},
		{Name: ErrorCodeCasing, Doc: "an unknown SecretId is answered AuthFailure.SecretIDNotFound (Id spelt ID)", Items: []string{
			tbItem + "auth/protocol/SecretIdNotFound"}},
		{Name: ErrorWithData, Doc: `error envelopes also carry "Data":null beside Error and RequestId`, Items: []string{
			tbItem + "envelope/protocol/error-shape"}},
		{Name: EmptyActionMessage, Doc: "InvalidAction is answered with an empty Error.Message", Items: []string{
			tbItem + "envelope/protocol/error-shape"}},
		{Name: TokenIgnored, Doc: "a temporary-credential Token sent with a permanent key is ignored instead of answering AuthFailure.TokenFailure", Items: []string{
			tbItem + "auth/protocol/TokenFailure"}},
		{Name: RegionNotChecked, Doc: "a Region outside the documented regions is served instead of answering UnsupportedRegion", Items: []string{
			tbItem + "request/protocol/UnsupportedRegion"}},
		{Name: GetSizeNotEnforced, Doc: "a GET query over 32 KB is served instead of answering RequestSizeLimitExceeded", Items: []string{
			tbItem + "request/protocol/RequestSizeLimitExceeded-GET"}},
		{Name: FlatBoolCaseStrict, Doc: "flattened (GET/form) booleans are accepted only in lower case: TRUE and True are type errors", Items: []string{
			tbItem + "request/protocol/bool-case"}},
		{Name: V1ExpireAsFailure, Doc: "an expired v1 request is answered AuthFailure.SignatureFailure instead of AuthFailure.SignatureExpire (TC3 is right)", Items: []string{
			tbItem + "auth/protocol/SignatureExpire"}},

		// ---- error codes ----
		{Name: RecodeJobSubmitInfoNotFound, Doc: "DescribeJobSubmitInfo answers an unknown JobId with the generic ResourceNotFound", Items: []string{
			tbItem + "DescribeJobSubmitInfo/error/ResourceNotFound.Job"}},
		{Name: RecodeDescribeTaskNotFound, Doc: "DescribeTask answers an unknown TaskName with its sibling ResourceNotFound.TaskInstance", Items: []string{
			tbItem + "DescribeTask/error/ResourceNotFound.Task"}},
		{Name: RecodeDeleteEnvForbid, Doc: "DeleteComputeEnv refuses while nodes are being created with the generic UnsupportedOperation", Items: []string{
			tbItem + "DeleteComputeEnv/error/UnsupportedOperation.ComputeNodeForbidTerminate"}},
		{Name: RecodeDeleteJobInUse, Doc: "DeleteJob refuses a job in use with the bare ResourceInUse", Items: []string{
			tbItem + "DeleteJob/error/ResourceInUse.Job"}},
		{Name: RecodeModifyEnvNotEnough, Doc: "ModifyComputeEnv answers a scale-in below the terminable nodes with its sibling ComputeNodeForbidTerminate", Items: []string{
			tbItem + "ModifyComputeEnv/error/UnsupportedOperation.NotEnoughComputeNodesToTerminate"}},
		{Name: RecodeJobQuota, Doc: "SubmitJob over the job quota answers the bare LimitExceeded", Items: []string{
			tbItem + "SubmitJob/error/LimitExceeded.JobQuota"}},
		{Name: RecodeTaskLogsInstance, Doc: "DescribeTaskLogs answers an unknown task instance index with its sibling ResourceNotFound.Task", Items: []string{
			tbItem + "DescribeTaskLogs/error/ResourceNotFound.TaskInstance"}},
		{Name: RecodeRetryJobsUnsupported, Doc: "RetryJobs refuses a job it cannot retry with FailedOperation instead of UnsupportedOperation", Items: []string{
			tbItem + "RetryJobs/error/UnsupportedOperation"}},
		{Name: RecodeDeleteTemplatesMissing, Doc: "DeleteTaskTemplates answers an unknown template with the generic ResourceNotFound", Items: []string{
			tbItem + "DeleteTaskTemplates/error/ResourceNotFound.TaskTemplate"}},
		{Name: RecodeAttachNotAllowed, Doc: "AttachInstances refuses an instance that cannot be attached with the generic UnsupportedOperation", Items: []string{
			tbItem + "AttachInstances/error/UnsupportedOperation.InstancesNotAllowToAttach"}},

		// ---- state machines ----
		{Name: RetriesNotPerformed, Doc: "a failed attempt is never retried, whatever MaxRetryCount says", Items: []string{
			tbItem + "task-instance/transition/RUNNING->RUNNABLE"}},
		{Name: RetryOffByOne, Doc: "a failing instance is retried MaxRetryCount+1 times", Items: []string{
			tbItem + "task-instance/transition/RUNNING->FAILED"}},
		{Name: TimeoutIgnored, Doc: "a task's Timeout is not enforced (only the emulator's default limit applies)", Items: []string{
			tbItem + "task-instance/transition/RUNNING->FAILED"}},
		{Name: TerminateJobNoop, Doc: "TerminateJob of a running job is accepted and does nothing", Items: []string{
			tbItem + "TerminateJob/action",
			tbItem + "job/transition/RUNNING->FAILED"}},
		{Name: TerminateSucceedFails, Doc: "TerminateJob of a SUCCEED job is accepted and moves it to FAILED: a terminal state changes later", Items: []string{
			tbItem + "TerminateJob/action"}},
		{Name: RetrySucceedAccepted, Doc: "RetryJobs naming a SUCCEED job is accepted (as a no-op) instead of UnsupportedOperation", Items: []string{
			tbItem + "RetryJobs/error/UnsupportedOperation"}},
		{Name: DAGOrderIgnored, Doc: "a downstream task starts while its upstream task is still running (DAG order not respected)", Items: []string{
			tbItem + "task-instance/transition/PENDING->RUNNABLE",
			tbItem + "task-instance/transition/PENDING->FAILED"}},
		{Name: NodeStuckCreating, Doc: "compute nodes never leave CREATING", Items: []string{
			tbItem + "compute-node/transition/CREATING->CREATED"}},
		{Name: DesiredCountIgnored, Doc: "ModifyComputeEnv accepts a new DesiredComputeNodeCount and keeps the old capacity", Items: []string{
			tbItem + "ModifyComputeEnv/action"}},

		// ---- data ----
		{Name: OutputsNotUploaded, Doc: "OutputMappings are not uploaded when an instance ends", Items: []string{
			tbItem + "SubmitJob/action"}},
		{Name: TaskInstanceFailedEventLost, Doc: "the TASK_INSTANCE_FAILED notification is never recorded (every other event is)", Items: []string{
			tbItem + "notification/event/TASK_INSTANCE_FAILED"}},
		{Name: LogsNotBase64, Doc: "DescribeTaskLogs returns logs as plain text instead of Base64", Items: []string{
			tbItem + "DescribeTaskLogs/protocol/log-encoding"}},
		{Name: LogsNotTruncated, Doc: "DescribeTaskLogs returns whole logs, beyond the documented 2048 bytes", Items: []string{
			tbItem + "DescribeTaskLogs/protocol/log-encoding"}},
		{Name: TotalCountUnfiltered, Doc: "DescribeJobs with Filters reports TotalCount of every job, not of the matching ones", Items: []string{
			tbItem + "DescribeJobs/action"}},
		{Name: OffsetPastFirstPage, Doc: "DescribeComputeEnvs ignores an Offset of a page or more (answers the first page again)", Items: []string{
			tbItem + "DescribeComputeEnvs/action"}},
		{Name: LimitOffByOne, Doc: "DescribeTaskTemplates returns Limit+1 templates", Items: []string{
			tbItem + "DescribeTaskTemplates/action"}},
		{Name: EnvNameFilterIgnored, Doc: "DescribeComputeEnvs' env-name filter matches every environment", Items: []string{
			tbItem + "DescribeComputeEnvs/action"}},
		{Name: EnvFieldMissing, Doc: "DescribeComputeEnv omits the documented AttachedComputeNodeCount", Items: []string{
			tbItem + "DescribeComputeEnv/schema/response"}},
		{Name: TaskTimesLocalZone, Doc: `DescribeTask gives its times in China Standard Time as "2006-01-02 15:04:05" (other actions are right)`, Items: []string{
			tbItem + "envelope/protocol/time-format"}},
		{Name: DeletedJobDescribable, Doc: "a deleted job is gone from DescribeJobs but DescribeJob still answers it by its JobId", Items: []string{
			tbItem + "DeleteJob/action"}},
	} {
		Register(f)
	}
}
