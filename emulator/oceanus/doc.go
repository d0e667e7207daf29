// Package oceanus is the Tencent Cloud Oceanus façade (API 3.0, version
// 2019-04-22, scope service "oceanus"): every action of the API definition,
// with honest per-tenant state kept on the engine's clock and IDs.
//
// The protocol layer (emulator/api3 + emulator/validate) has already checked
// the catalog's parameter rules (types, required, enums, lengths, patterns,
// list sizes) before Handle runs; the façade checks what needs state and the
// documented behaviour the rules cannot express, each with its documented
// code. Codes an action does not document fall back to a documented or common
// ancestor (facade.Documented).
//
// # Nothing runs
//
// There is no Flink here: a job that is started moves 2/5/6/-1 → 3 → 4 and
// stays running until stopped. The convention that makes a job fail: a run
// whose job config's ProgramArgs contains "batchconform:fail" goes 3 → 4 and,
// Timing.FailAfter later, to -1 (failed) with a type "21" event. Savepoints
// complete (Status 3 in progress → 1 active) after Timing.Savepoint; resource
// versions sync (Status 0 → 1) after Timing.ResourceSync; scaling clusters
// stay "initializing" (3) for Timing.ClusterOp, new ones for
// Timing.ClusterCreate (default: Timing.ClusterOp).
//
// # Job status machine (reference §B.3)
//
//	1 uninitialized --first CreateJobConfig--> 2 unpublished
//	2, 5, -1 --RunJobs RunType 1--> 3 --Timing.Operation--> 4 running
//	6 --RunJobs RunType 2 (resume)--> 3 --> 4
//	4, 6 --StopJobs StopType 1--> 3 --> 5 stopped
//	4 --StopJobs StopType 2 (pause)--> 3 --> 6 paused
//	4 --(config marked to fail) Timing.FailAfter--> -1 failed
//
// Transitions are evaluated lazily against the engine's clock (scaled, or
// manual for the fuzzer: the admin API's clock moves jobs), so every state
// is held for its full duration of emulator time and is observable by a
// client polling every 20 ms at time scale 1. Refusals: RunJobs of a job in
// 3 or 4 is ResourceInUse.InstanceInProcess; of a job without a config
// (1) ResourceNotFound.JobConfig; a resume of a job that is not paused
// ResourceUnavailable.NoRunningJobInstancesFoundForJobId. StopJobs of a job
// that never ran (1, 2) is ResourceUnavailable.NoRunningJobInstancesFoundForJobId,
// of 5, -1 (or a pause of 6) ResourceUnavailable.NotAllowedToBeStopOrPause,
// of 3 ResourceInUse. DeleteJobs of a job in 3 is ResourceInUse, of a job
// in 4 ResourceUnavailable.NotAllowedToBeDeleted. A batch (RunJobs, StopJobs,
// DeleteJobs, CopyJobs) is checked whole before anything changes.
//
// # Seeded per tenant
//
// The default workspace (cannot be deleted), the root folder "root", three
// clusters — cluster-shared00 (shared, running, CuMem 4), cluster-dedica00
// (dedicated, running, 8 CU, CuMem 4), cluster-stopped0 (dedicated, Status
// 1: not running) — plus the tenant configuration's clusters, and two system
// resources (connectors) for DescribeSystemResources.
//
// # Readings recorded as inferred
//
//   - Duplicate CreateJob name: InvalidParameterValue.JobNameExisted, or
//     FailedOperation.DuplicatedJobName for tenants configured
//     legacy_duplicated_job_name; ModifyJob renames answer
//     FailedOperation.DuplicatedJobName (its only duplicate code).
//   - ClusterId empty (dedicated) or not shaped cluster-xxxxxxxx:
//     InvalidParameterValue.ClusterId; well-formed but unknown:
//     ResourceNotFound.ClusterId; cluster not running (Status 1):
//     ResourceUnavailable.Cluster; initializing/scaling (Status 3):
//     ResourceUnavailable.ClusterGroupStatus.
//   - JAR jobs (JobType 2) on the shared cluster (ClusterType 1):
//     InvalidParameterValue.JobTypeCombineWithClusterType.
//   - CuMem other than 4 on a shared cluster: ResourceUnavailable.ReqCuMem;
//     on a dedicated cluster, CuMem that differs from the cluster's, or 8/16
//     without the tenant's cu_mem_whitelist: InvalidParameterValue.CuMem.
//   - COS is the emulator's object store (admin API objects; URLs
//     cos://bucket/path or cos://bucket.cos.<region>.myqcloud.com/path). A
//     bucket exists when it is a cluster's DefaultCOSBucket
//     (batchconform-1250000000 for the seeded ones) or the store holds objects
//     in it (else ResourceNotFound.COSBucket). A ResourceLoc exists when the
//     store holds it, or, in a cluster's default bucket, unless its file name
//     starts with "missing"; in any other bucket only what the store holds
//     exists (ResourceUnavailable.ResourceLocNotExists). A
//     Bucket that is no bucket name (name-appid) cannot be checked
//     (ResourceUnavailable.CheckResourceLocExists).
//   - A SQL job's ProgramArgs is JSON {"SqlCode": base64} or the SQL text:
//     no statement (";") is FailedOperation.ParseSql, a statement that does
//     not start with a SQL keyword ("SELEC") FailedOperation.GrammarCheckFailure.
//     A JAR job's config needs an EntrypointClass, a SQL job's has none
//     (InvalidParameterValue.JobTypeCombineWithEntrypointClass). Properties
//     keys outside Flink's option namespaces, or options the platform manages
//     (rest.*, jobmanager.rpc.*, kubernetes.*), are
//     InvalidParameter.UnsupportedFlinkConf; pipeline.max-parallelism must be
//     1..16384 and at least DefaultParallelism.
//   - A job lives in the region it was created in: CreateJobConfig and
//     RunJobs naming another region are InvalidParameter.InvalidRegion.
//   - CreateJob JobType 2 + FlinkVersion Flink-1.11 + CuMem 2 is
//     InvalidParameterValue.UnSupportedComposite.
//   - The latest config version of a job that was never published is its
//     draft (FailedOperation.DraftConfigCanNotDelete, OnlyDraft); the
//     published version cannot be deleted (FailedOperation.JobConfigOnPublish);
//     the only version of a resource cannot be deleted
//     (InternalError.ResourceConfigCanNotDelete), nor one a job config uses
//     (ResourceUnavailable.BeUseBySomeJobConfig); a resource a job config
//     uses cannot be deleted (ResourceInUse); a folder with sub-folders, jobs
//     or resources cannot be deleted (InvalidParameterValue); a workspace
//     with jobs cannot be deleted (UnsupportedOperation.CanNotDelete).
//   - Event types: "1" started, "2" stopped, "3" paused, "4" resumed, "21"
//     failed (the documented example's "发生作业失败").
//   - Another tenant's IDs (readings.go): a job, resource or folder ID that
//     belongs to another tenant answers InvalidParameter.InvalidAppId
//     (DescribeJobEvents, DescribeJobRuntimeInfo, CreateResource's FolderId)
//     or InvalidParameter.AppIdResourceNotMatch (DescribeResourceConfigs),
//     not the not-found codes.
//   - Not-found codes told apart: DescribeClusters ClusterIds of the form
//     cluster-xxxxxxxx naming nothing is ResourceNotFound, any other string
//     InvalidParameterValue.ClusterIds; CreateResourceConfig of a ResourceId
//     not of the form resource-xxxxxxxx is ResourceNotFound, of a system
//     resource InternalError.ResourceNotExist; DeleteJobs JobIds of no job is
//     ResourceNotFound.JobId (as DescribeJobs), JobNames of none
//     ResourceNotFound.Job; DescribeJobConfigs / DeleteJobConfigs naming a
//     version the job lacks, and DescribeSystemResources naming no resource
//     at all, are ResourceNotFound.
//   - DeleteJobs of a job in 3 (operation in progress) is ResourceInUse, as
//     StopJobs answers it; of a job in 4, ResourceUnavailable.NotAllowedToBeDeleted.
//   - CreateJobConfig AutoDelete that finds no version it may drop (all
//     published or running) is the generic LimitExceeded;
//     LimitExceeded.JobConfig is the version quota itself.
//   - A SQL job may create one external catalog (CREATE CATALOG … WITH
//     ('type' = …)): two hive ones are
//     UnsupportedOperation.MultiExternalEmrOrHiveCatalogUnsupported, two of
//     any types UnsupportedOperation.MultiExternalCatalogUnsupported.
//   - ModifyMetaTable keeps the table's connector
//     (FailedOperation.ModifyConnectorFailedOperation) and its options
//     (InvalidParameter.UnsupportedOptions for an option the built-in
//     datagen, print, blackhole, kafka, jdbc and filesystem connectors lack);
//     naming a cluster that is not running is FailedOperation.ClusterNotFound.
//   - A config's COSBucket holds checkpoints and savepoints: RunJobs, or a
//     pausing StopJobs, of a job whose bucket no longer exists is
//     ResourceNotFound.COSBucket. CLS is not modelled: a ClsTopicId starting
//     with "missing" does not exist (DescribeJobSubmissionLog of such a run:
//     ResourceNotFound.LogTopic).
//   - CopyJobs of a JAR job to the shared cluster is UnsupportedOperation;
//     ModifyWorkSpace of a WeData workspace is UnsupportedOperation; a
//     connector's resource version cannot be deleted (ResourceInUse).
//   - Limits: at most 50 tags on a job (LimitExceeded); a renewal may not
//     put a cluster's expiry more than 48 months ahead (LimitExceeded);
//     deleting a prepaid cluster before it expires is a refund, limited by
//     the tenant's max_cluster_refunds (LimitExceeded); ScaleDown below the
//     CUs running jobs use is LimitExceeded.
//
// Account state the admin API sets on a tenant (tenantstate.go; PUT tenants
// once the things it names exist), each code read from its documented
// meaning (inferred):
//   - unsupported_actions: the generic UnsupportedOperation of StopJobs,
//     DeleteJobs, DescribeJobs, CreateWorkSpace (facade.Unsupported, shared
//     with Tencent Batch).
//   - oceanus.lost.clusters (expired, released by billing): RunJobs of a job
//     on one is InvalidParameter.InvalidClusterId (a cluster deleted through
//     the API is ResourceNotFound.ClusterId); StopJobs of a job running on
//     one is InternalError.ResourceNotExist.
//   - oceanus.lost.resources (packages purged from storage): RunJobs of a
//     job whose config references one is ResourceNotFound.Resource, StopJobs
//     of a job running one ResourceNotFound.ResourceNotExist,
//     DescribeResources of it ResourceNotFound.ResourceConfig,
//     DeleteResourceConfigs of its versions ResourceUnavailable.
//   - oceanus.lost.published_configs (JobIds): DescribeJobs of the job is
//     ResourceUnavailable.GetJobPublishedJobConfig.
//   - oceanus.max_parallelism_changes: DescribeJobConfigs checks the
//     versions it returns as CreateJobConfig would
//     (InvalidParameter.IllegalMaxParallelism / MaxParallelismTooLarge /
//     MaxParallelismTooSmall).
//   - oceanus.max_secret_variables: variables bound to SSM credentials
//     (ValueType 1) past it are the generic LimitExceeded.
//   - oceanus.sub_account_of: a sub-account (its own Uin) works in its main
//     account; DescribeResourceConfigs of a resource another Uin created is
//     InvalidParameter.UinResourceNotMatch.
//
// Configuration is the caller's (per SecretId, as the design pins it): a
// sub-account's calls follow its own configuration.
package oceanus
