package faults

// Oceanus faults: deliberate violations of the Oceanus (2019-04-22) contract,
// implemented in emulator/oceanus. Each names the catalog items of
// fixtures/oceanus it violates; the Oceanus specs must fail at least one of
// them when the fault is on.
const (
	OceanusDuplicateJobName      = "oceanus-duplicate-job-name"
	OceanusIgnoreJobLimit        = "oceanus-ignore-job-limit"
	OceanusStoppedClusterRuns    = "oceanus-stopped-cluster-accepts-jobs"
	OceanusUnknownClusterCode    = "oceanus-unknown-cluster-wrong-code"
	OceanusJarOnShared           = "oceanus-jar-on-shared-cluster"
	OceanusSkipInProgress        = "oceanus-skip-in-progress"
	OceanusStopPauses            = "oceanus-stop-pauses"
	OceanusNeverFails            = "oceanus-never-fails"
	OceanusRunRunning            = "oceanus-run-running-job"
	OceanusDeleteRunning         = "oceanus-delete-running-job"
	OceanusStopNeverRunCode      = "oceanus-stop-never-run-wrong-code"
	OceanusRunWithoutConfig      = "oceanus-run-without-config"
	OceanusUnlimitedConfigs      = "oceanus-unlimited-job-configs"
	OceanusNoPublish             = "oceanus-run-does-not-publish"
	OceanusIgnoreOffset          = "oceanus-ignore-offset"
	OceanusPageTotalCount        = "oceanus-total-count-of-page"
	OceanusDeletedJobFound       = "oceanus-deleted-job-still-found"
	OceanusDeleteResourceInUse   = "oceanus-delete-resource-in-use"
	OceanusDeleteLastVersion     = "oceanus-delete-last-resource-version"
	OceanusDeleteNonEmptyFolder  = "oceanus-delete-non-empty-folder"
	OceanusDeleteDefaultSpace    = "oceanus-delete-default-workspace"
	OceanusDuplicateFolderName   = "oceanus-duplicate-folder-name"
	OceanusDuplicateVariable     = "oceanus-duplicate-variable"
	OceanusDuplicateResourceName = "oceanus-duplicate-resource-name"
	OceanusRenameDuplicate       = "oceanus-rename-to-duplicate"
	OceanusUnknownJobIgnored     = "oceanus-describe-unknown-job-empty"
	OceanusTimesRFC3339          = "oceanus-times-rfc3339"
	OceanusOmitNullMembers       = "oceanus-omit-null-members"
	OceanusDeleteDraft           = "oceanus-delete-draft-config"
	OceanusDeletePublished       = "oceanus-delete-published-config"
	OceanusResumeStopped         = "oceanus-resume-stopped-job"
	OceanusUnlimitedCU           = "oceanus-unlimited-cluster-cu"
)

func init() {
	for _, f := range []Fault{
		{OceanusDuplicateJobName, "CreateJob accepts a name another job of the workspace has", []string{
			"oceanus/CreateJob/error/InvalidParameterValue.JobNameExisted"}},
		{OceanusIgnoreJobLimit, "CreateJob ignores the 1,000-jobs-per-AppId limit", []string{
			"oceanus/CreateJob/error/LimitExceeded.Job", "oceanus/limit/protocol/jobs-1000"}},
		{OceanusStoppedClusterRuns, "CreateJob accepts a cluster that is not running", []string{
			"oceanus/CreateJob/error/ResourceUnavailable.Cluster"}},
		{OceanusUnknownClusterCode, "an unknown ClusterId of valid form answers InvalidParameterValue.ClusterId instead of ResourceNotFound.ClusterId", []string{
			"oceanus/CreateJob/error/ResourceNotFound.ClusterId"}},
		{OceanusJarOnShared, "CreateJob accepts a JAR job (JobType 2) on the shared cluster (ClusterType 1)", []string{
			"oceanus/CreateJob/error/InvalidParameterValue.JobTypeCombineWithClusterType"}},
		{OceanusSkipInProgress, "RunJobs and StopJobs move a job straight to its end status, never 3 (operation in progress)", []string{
			"oceanus/job/transition/2->3", "oceanus/job/transition/3->4", "oceanus/job/transition/4->3", "oceanus/job/transition/3->5"}},
		{OceanusStopPauses, "StopJobs StopType 1 (stop) ends in 6 (paused) instead of 5 (stopped)", []string{
			"oceanus/job/transition/3->5"}},
		{OceanusNeverFails, "a run whose config carries the failure convention keeps running (never -1)", []string{
			"oceanus/job/transition/4->-1"}},
		{OceanusRunRunning, "RunJobs RunType 1 of a running job restarts it instead of answering ResourceInUse.InstanceInProcess", []string{
			"oceanus/RunJobs/error/ResourceInUse.InstanceInProcess"}},
		{OceanusDeleteRunning, "DeleteJobs deletes a running job", []string{
			"oceanus/DeleteJobs/error/ResourceUnavailable.NotAllowedToBeDeleted"}},
		{OceanusStopNeverRunCode, "StopJobs of a job that never ran answers NotAllowedToBeStopOrPause instead of NoRunningJobInstancesFoundForJobId", []string{
			"oceanus/StopJobs/error/ResourceUnavailable.NoRunningJobInstancesFoundForJobId"}},
		{OceanusRunWithoutConfig, "RunJobs starts a job that has no configuration (status 1)", []string{
			"oceanus/RunJobs/error/ResourceNotFound.JobConfig"}},
		{OceanusUnlimitedConfigs, "CreateJobConfig ignores the 100-versions-per-job limit", []string{
			"oceanus/CreateJobConfig/error/LimitExceeded.JobConfig", "oceanus/limit/protocol/job-configs-100"}},
		{OceanusNoPublish, "RunJobs leaves PublishedJobConfigVersion unset", []string{
			"oceanus/RunJobs/protocol/publishes-config"}},
		{OceanusIgnoreOffset, "Oceanus list actions ignore Offset", []string{
			"oceanus/DescribeJobs/protocol/paging", "oceanus/DescribeJobConfigs/protocol/paging"}},
		{OceanusPageTotalCount, "TotalCount counts the page, not every match", []string{
			"oceanus/DescribeJobs/protocol/paging", "oceanus/DescribeJobConfigs/protocol/paging"}},
		{OceanusDeletedJobFound, "DeleteJobs answers success but the job stays", []string{
			"oceanus/DeleteJobs/protocol/deleted-not-found"}},
		{OceanusDeleteResourceInUse, "DeleteResources deletes a resource a job configuration uses", []string{
			"oceanus/DeleteResources/error/ResourceInUse"}},
		{OceanusDeleteLastVersion, "DeleteResourceConfigs deletes a resource's only version", []string{
			"oceanus/DeleteResourceConfigs/error/InternalError.ResourceConfigCanNotDelete"}},
		{OceanusDeleteNonEmptyFolder, "DeleteFolders deletes a folder that holds jobs or sub-folders", []string{
			"oceanus/DeleteFolders/error/InvalidParameterValue"}},
		{OceanusDeleteDefaultSpace, "DeleteWorkSpace deletes the default workspace", []string{
			"oceanus/DeleteWorkSpace/error/FailedOperation.DefaultSpaceCanNotOperate"}},
		{OceanusDuplicateFolderName, "CreateFolder accepts a name a sibling folder has", []string{
			"oceanus/CreateFolder/error/InvalidParameter.DuplicatedFolderName"}},
		{OceanusDuplicateVariable, "CreateVariable accepts a name another variable has", []string{
			"oceanus/CreateVariable/error/InvalidParameter.CreateVariableExists"}},
		{OceanusDuplicateResourceName, "CreateResource accepts a name another resource has", []string{
			"oceanus/CreateResource/error/ResourceInUse.ResourceNameAlreadyExists"}},
		{OceanusRenameDuplicate, "ModifyJob renames a job to a name another job has", []string{
			"oceanus/ModifyJob/error/FailedOperation.DuplicatedJobName"}},
		{OceanusUnknownJobIgnored, "DescribeJobs with an unknown JobId answers an empty JobSet instead of ResourceNotFound.JobId", []string{
			"oceanus/DescribeJobs/error/ResourceNotFound.JobId"}},
		{OceanusTimesRFC3339, "Oceanus times are YYYY-MM-DDThh:mm:ssZ instead of the documented YYYY-MM-DD hh:mm:ss", []string{
			"oceanus/envelope/protocol/time-format", "oceanus/DescribeJobs/schema/response"}},
		{OceanusOmitNullMembers, "documented response members without a value are left out instead of sent as null", []string{
			"oceanus/DescribeJobs/schema/response", "oceanus/DescribeClusters/schema/response"}},
		{OceanusDeleteDraft, "DeleteJobConfigs deletes the draft configuration", []string{
			"oceanus/DeleteJobConfigs/error/FailedOperation.DraftConfigCanNotDelete"}},
		{OceanusDeletePublished, "DeleteJobConfigs deletes the published configuration", []string{
			"oceanus/DeleteJobConfigs/error/FailedOperation.JobConfigOnPublish"}},
		{OceanusResumeStopped, "RunJobs RunType 2 (resume) restarts a stopped job", []string{
			"oceanus/RunJobs/error/ResourceUnavailable.NoRunningJobInstancesFoundForJobId"}},
		{OceanusUnlimitedCU, "RunJobs starts jobs beyond the cluster's free CU", []string{
			"oceanus/RunJobs/error/ResourceInsufficient.CU"}},
	} {
		Register(f)
	}
}

// Oceanus faults against the readings of emulator/oceanus/readings.go (the
// items that were pending): each turns one documented refusal into an
// acceptance or a wrong code.
const (
	OceanusForeignIDsNotFound    = "oceanus-foreign-ids-not-found"
	OceanusVanishedBucketIgnored = "oceanus-vanished-bucket-ignored"
	OceanusCatalogsUnchecked     = "oceanus-external-catalogs-unchecked"
	OceanusMetaConnectorChange   = "oceanus-meta-table-connector-change"
	OceanusRenewUnlimited        = "oceanus-renew-beyond-term"
	OceanusUnlimitedTags         = "oceanus-unlimited-tags"
	OceanusUnlimitedRefunds      = "oceanus-unlimited-refunds"
	OceanusDeleteConnectorVer    = "oceanus-delete-connector-version"
)

func init() {
	for _, f := range []Fault{
		{OceanusForeignIDsNotFound, "another tenant's job, resource or folder IDs answer the not-found codes instead of InvalidParameter.InvalidAppId / AppIdResourceNotMatch", []string{
			"oceanus/DescribeJobEvents/error/InvalidParameter.InvalidAppId", "oceanus/DescribeJobRuntimeInfo/error/InvalidParameter.InvalidAppId",
			"oceanus/DescribeResourceConfigs/error/InvalidParameter.AppIdResourceNotMatch", "oceanus/CreateResource/error/InvalidParameter.InvalidAppId"}},
		{OceanusVanishedBucketIgnored, "RunJobs and pausing StopJobs go ahead although the config's COSBucket no longer exists", []string{
			"oceanus/RunJobs/error/ResourceNotFound.COSBucket", "oceanus/StopJobs/error/ResourceNotFound.COSBucket"}},
		{OceanusCatalogsUnchecked, "CreateJobConfig accepts SQL that creates several external catalogs", []string{
			"oceanus/CreateJobConfig/error/UnsupportedOperation.MultiExternalCatalogUnsupported",
			"oceanus/CreateJobConfig/error/UnsupportedOperation.MultiExternalEmrOrHiveCatalogUnsupported"}},
		{OceanusMetaConnectorChange, "ModifyMetaTable accepts a DDL that changes the table's connector or uses options the connector lacks", []string{
			"oceanus/ModifyMetaTable/error/FailedOperation.ModifyConnectorFailedOperation", "oceanus/ModifyMetaTable/error/InvalidParameter.UnsupportedOptions"}},
		{OceanusRenewUnlimited, "RenewOceanusCluster extends a cluster beyond the longest term (48 months ahead)", []string{
			"oceanus/RenewOceanusCluster/error/LimitExceeded"}},
		{OceanusUnlimitedTags, "CreateJob binds more than 50 tags", []string{
			"oceanus/CreateJob/error/LimitExceeded"}},
		{OceanusUnlimitedRefunds, "DeleteOceanusCluster refunds prepaid clusters beyond the tenant's max_cluster_refunds", []string{
			"oceanus/DeleteOceanusCluster/error/LimitExceeded"}},
		{OceanusDeleteConnectorVer, "DeleteResourceConfigs deletes a resource version registered as a connector", []string{
			"oceanus/DeleteResourceConfigs/error/ResourceInUse"}},
	} {
		Register(f)
	}
}

// Faults of the account state set through the admin API (PUT tenants):
// unsupported actions, things lost outside the API, SSM-credential variables,
// sub-accounts and config versions changed outside the API.
const (
	OceanusUnsupportedIgnored    = "oceanus-unsupported-actions-ignored"
	OceanusLostResourceRuns      = "oceanus-lost-resource-runs"
	OceanusLostClusterNotFound   = "oceanus-lost-cluster-not-found"
	OceanusStopLostIgnored       = "oceanus-stop-lost-ignored"
	OceanusLostConfigHidden      = "oceanus-lost-published-config-hidden"
	OceanusLostResourceListed    = "oceanus-lost-resource-described"
	OceanusDeleteLostVersions    = "oceanus-delete-lost-resource-versions"
	OceanusUnlimitedSecretVars   = "oceanus-unlimited-secret-variables"
	OceanusSubAccountReadsAll    = "oceanus-sub-account-reads-any-resource"
	OceanusStoredParallelismSkip = "oceanus-stored-parallelism-unchecked"
)

func init() {
	for _, f := range []Fault{
		{OceanusUnsupportedIgnored, "an action the tenant's unsupported_actions lists is served instead of answering UnsupportedOperation", []string{
			"oceanus/StopJobs/error/UnsupportedOperation", "oceanus/DeleteJobs/error/UnsupportedOperation",
			"oceanus/DescribeJobs/error/UnsupportedOperation", "oceanus/CreateWorkSpace/error/UnsupportedOperation"}},
		{OceanusLostResourceRuns, "RunJobs starts a job whose config references a resource whose package is lost", []string{
			"oceanus/RunJobs/error/ResourceNotFound.Resource"}},
		{OceanusLostClusterNotFound, "RunJobs of a job on a lost (expired, released) cluster answers ResourceNotFound.ClusterId instead of InvalidParameter.InvalidClusterId", []string{
			"oceanus/RunJobs/error/InvalidParameter.InvalidClusterId"}},
		{OceanusStopLostIgnored, "StopJobs stops a job whose cluster or resource is lost instead of answering InternalError.ResourceNotExist / ResourceNotFound.ResourceNotExist", []string{
			"oceanus/StopJobs/error/ResourceNotFound.ResourceNotExist", "oceanus/StopJobs/error/InternalError.ResourceNotExist"}},
		{OceanusLostConfigHidden, "DescribeJobs describes a job whose published config is lost instead of answering ResourceUnavailable.GetJobPublishedJobConfig", []string{
			"oceanus/DescribeJobs/error/ResourceUnavailable.GetJobPublishedJobConfig"}},
		{OceanusLostResourceListed, "DescribeResources describes a resource whose package versions are lost instead of answering ResourceNotFound.ResourceConfig", []string{
			"oceanus/DescribeResources/error/ResourceNotFound.ResourceConfig"}},
		{OceanusDeleteLostVersions, "DeleteResourceConfigs deletes versions of a resource whose packages are lost instead of answering ResourceUnavailable", []string{
			"oceanus/DeleteResourceConfigs/error/ResourceUnavailable"}},
		{OceanusUnlimitedSecretVars, "CreateVariable binds SSM credentials (ValueType 1) beyond the tenant's max_secret_variables", []string{
			"oceanus/CreateVariable/error/LimitExceeded"}},
		{OceanusSubAccountReadsAll, "a sub-account reads the versions of a resource another Uin created instead of answering InvalidParameter.UinResourceNotMatch", []string{
			"oceanus/DescribeResourceConfigs/error/InvalidParameter.UinResourceNotMatch"}},
		{OceanusStoredParallelismSkip, "DescribeJobConfigs returns a config whose pipeline.max-parallelism today's checks refuse instead of answering their code", []string{
			"oceanus/DescribeJobConfigs/error/InvalidParameter.IllegalMaxParallelism",
			"oceanus/DescribeJobConfigs/error/InvalidParameter.MaxParallelismTooLarge",
			"oceanus/DescribeJobConfigs/error/InvalidParameter.MaxParallelismTooSmall"}},
	} {
		Register(f)
	}
}
