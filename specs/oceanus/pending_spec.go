package oceanus

// The error items that were pending (coverage_pending.txt): each provoked by
// the situation its catalog provocation names, in a tenant of its own on the
// emulator, asserting the documented code. Readings the docs give only as a
// code are the catalog's (marked inferred there) and the emulator's
// (emulator/oceanus/readings.go).

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/specs/harness"
)

// provokeAll declares one spec per scenario: the scenario builds its
// situation on a target of its own (a fresh tenant on the emulator) and the
// answer must carry the scenario's code.
func provokeAll(scs []scenario) {
	for _, sc := range scs {
		sc := sc
		item := errID(sc.action, sc.code)
		if _, ok := cat.Item(item); !ok {
			panic("pending_spec: no catalog item " + item)
		}
		harness.It(item, harness.Items(item), func() {
			t := harness.T(Dialect)
			if t.Emulator {
				t = t.NewTenantJSON(map[string]any{})
			}
			env := sc.make(t)
			evidence(item, nil, env)
			harness.Check(item)
			Expect(env.Code()).To(Equal(sc.code), "%s: %s", item, env.Body)
		})
	}
}

// member reads a string member of a decoded Response, failing clearly when
// it is absent or not a string.
func member(r map[string]any, key string) string {
	GinkgoHelper()
	v, isStr := r[key].(string)
	Expect(isStr).To(BeTrue(), "the response has a string %s: %v", key, r)
	Expect(v).NotTo(BeEmpty(), "the response's %s is not empty", key)
	return v
}

// clusterOfType returns a cluster of the tenant whose Type is typ (1
// shared, 2 dedicated).
func clusterOfType(t *harness.Target, typ string) string {
	GinkgoHelper()
	r := ok(t, "DescribeClusters", map[string]any{"Limit": 100})
	set, _ := r["ClusterSet"].([]any)
	for _, c := range set {
		cm, isMap := c.(map[string]any)
		if isMap && fmt.Sprint(cm["Type"]) == typ {
			if id, isStr := cm["ClusterId"].(string); isStr {
				return id
			}
		}
	}
	Fail("the tenant has no cluster of Type " + typ)
	return ""
}

// waitStatus polls a job until its status is want.
func waitStatus(t *harness.Target, job, want string) {
	GinkgoHelper()
	Eventually(func() string { harness.StopIfStalled(t); s, _ := jobStatus(t, job); return s }).
		WithTimeout(2*time.Minute).WithPolling(t.PollInterval()).Should(Equal(want), "job %s reaches status %s", job, want)
}

// waitClusterStatus polls a cluster until its Status is want.
func waitClusterStatus(t *harness.Target, cluster, want string) {
	GinkgoHelper()
	Eventually(func() string {
		harness.StopIfStalled(t) // a breaker's precondition ends the wait (answers unreadable, states stuck)
		r := ok(t, "DescribeClusters", map[string]any{"ClusterIds": []string{cluster}})
		set, _ := r["ClusterSet"].([]any)
		if len(set) != 1 {
			return "absent"
		}
		cm, _ := set[0].(map[string]any)
		return fmt.Sprint(cm["Status"])
	}).WithTimeout(2*time.Minute).WithPolling(t.PollInterval()*5).Should(Equal(want), "cluster %s reaches status %s", cluster, want)
}

// billable skips a scenario that buys or resizes clusters on anything but
// the emulator: on a live account it would cost money and leave a cluster
// the run's cleanup does not know.
func billable(t *harness.Target) {
	if !t.Emulator {
		Skip("emulator-only: the scenario creates, scales or renews Oceanus clusters (billable on a live account)")
	}
}

// newCluster creates a dedicated pay-as-you-go cluster of cu CUs whose
// default COS bucket is bucket, and waits until it runs.
func newCluster(t *harness.Target, name, bucket string, cu int) string {
	GinkgoHelper()
	billable(t)
	r := ok(t, "CreateOceanusCluster", clusterRequest(t, name, bucket, cu))
	id := member(r, "ClusterId")
	waitClusterStatus(t, id, "2")
	return id
}

// clusterRequest is a CreateOceanusCluster request with what the API
// definition requires (the doc example's network and password shape), named
// with the run's prefix.
func clusterRequest(t *harness.Target, name, bucket string, cu int) map[string]any {
	return map[string]any{"ClusterName": runName(t, name), "ZoneId": 100002, "RegionId": 1, "DefaultCOSBucket": bucket, "CU": cu,
		"LoginPassword": "Batchconform-1", "VpcDescriptions": []any{map[string]any{"VpcId": "vpc-batchcon", "SubnetId": "subnet-batchcon"}}}
}

// jobWithCheckpoints makes a SQL job on the tenant's dedicated cluster
// whose config keeps checkpoints in the default bucket of a cluster of its
// own; it returns the job and that cluster (deleting it makes the bucket
// vanish).
func jobWithCheckpoints(t *harness.Target) (job, bucketCluster string) {
	GinkgoHelper()
	bucket := "ckpt-1250009999"
	bucketCluster = newCluster(t, "ckpt", bucket, 12)
	job = member(ok(t, "CreateJob", map[string]any{"Name": runName(t, "ckpt"), "JobType": 1, "ClusterType": 2, "ClusterId": runningCluster(t)}), "JobId")
	ok(t, "CreateJobConfig", map[string]any{"JobId": job, "COSBucket": bucket})
	return job, bucketCluster
}

// otherTenant returns a second tenant (another AppId) beside t's.
func otherTenant(t *harness.Target) *harness.Target {
	GinkgoHelper()
	t.RequireEmulator()
	return t.NewTenantJSON(map[string]any{})
}

// catalogsSQL is a SQL job's ProgramArgs creating two external catalogs.
func catalogsSQL(typ1, typ2 string) string {
	return `{"SqlCode":"` + b64("CREATE CATALOG c1 WITH ('type' = '"+typ1+"');\nCREATE CATALOG c2 WITH ('type' = '"+typ2+"');\nINSERT INTO c1.db.t SELECT * FROM c2.db.t;") + `"}`
}

var pendingScenarios = []scenario{
	{"CopyJobs", "UnsupportedOperation", func(t *harness.Target) *harness.Envelope {
		jar := mkJob(t, "jar", 2)
		return raw(t, "CopyJobs", map[string]any{"WorkSpaceId": defaultWorkSpace(t),
			"JobItems": []any{map[string]any{"SourceId": jar, "TargetClusterId": clusterOfType(t, "1"), "TargetName": "jar-copy", "JobType": 2}}})
	}},
	{"CreateFolder", "InvalidParameterValue", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateFolder", map[string]any{"FolderName": runName(t, "orphan"), "ParentId": "folder-zzzzzzzz", "FolderType": 0, "WorkSpaceId": defaultWorkSpace(t)})
	}},
	{"ModifyFolder", "InvalidParameterValue", func(t *harness.Target) *harness.Envelope {
		space := defaultWorkSpace(t)
		parent := member(ok(t, "CreateFolder", map[string]any{"FolderName": runName(t, "parent"), "ParentId": "root", "FolderType": 0, "WorkSpaceId": space}), "FolderId")
		child := member(ok(t, "CreateFolder", map[string]any{"FolderName": runName(t, "child"), "ParentId": parent, "FolderType": 0, "WorkSpaceId": space}), "FolderId")
		// A folder cannot move into its own subtree.
		return raw(t, "ModifyFolder", map[string]any{"SourceFolderId": parent, "TargetFolderId": child, "FolderType": 0, "WorkSpaceId": space})
	}},
	{"DescribeVariables", "InvalidParameterValue", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DescribeVariables", map[string]any{"WorkSpaceId": "space-zzzzzzzz"})
	}},
	{"CreateJobConfig", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		lt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"max_job_configs": 1}})
		job := mkJob(lt, "full", 1)
		ok(lt, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(runJob(lt, job, 1, 1).Code()).To(BeEmpty(), "run version 1")
		waitStatus(lt, job, "4")
		// Version 1 is published and running: AutoDelete finds nothing to drop.
		return raw(lt, "CreateJobConfig", map[string]any{"JobId": job, "AutoDelete": 1})
	}},
	{"CreateOceanusCluster", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		// The two seeded dedicated clusters are the quota's two.
		lt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"max_clusters": 2}})
		return raw(lt, "CreateOceanusCluster", clusterRequest(lt, "third", "batchconform-1250000000", 12))
	}},
	{"CreateJobConfig", "ResourceNotFound.JobId", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateJobConfig", map[string]any{"JobId": "nosuch"})
	}},
	{"CreateJobConfig", "UnsupportedOperation.MultiExternalCatalogUnsupported", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "ProgramArgs": catalogsSQL("jdbc", "iceberg")})
	}},
	{"CreateJobConfig", "UnsupportedOperation.MultiExternalEmrOrHiveCatalogUnsupported", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "ProgramArgs": catalogsSQL("hive", "hive")})
	}},
	{"CreateResource", "InvalidParameter.InvalidAppId", func(t *harness.Target) *harness.Envelope {
		other := otherTenant(t)
		theirs := member(ok(other, "CreateFolder", map[string]any{"FolderName": runName(t, "theirs"), "ParentId": "root", "FolderType": 1, "WorkSpaceId": defaultWorkSpace(other)}), "FolderId")
		req := map[string]any{"ResourceType": 1, "Name": runName(t, "mine") + ".jar", "ResourceLoc": cosLoc(t, "/r/mine.jar"), "FolderId": theirs}
		stageCOS(t, req)
		return raw(t, "CreateResource", req)
	}},
	{"CreateResource", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		req := map[string]any{"ResourceType": 1, "Name": runName(t, "lost") + ".jar", "ResourceLoc": cosLoc(t, "/r/lost.jar"), "FolderId": "folder-zzzzzzzz"}
		stageCOS(t, req)
		return raw(t, "CreateResource", req)
	}},
	{"CreateResourceConfig", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		req := map[string]any{"ResourceId": "nosuch", "ResourceLoc": cosLoc(t, "/r/v2.jar")}
		stageCOS(t, req)
		return raw(t, "CreateResourceConfig", req)
	}},
	{"CreateResourceConfig", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		res := mkResource(t, "versions")
		req := map[string]any{"ResourceId": res, "ResourceLoc": cosLoc(t, "/r/versions-next.jar")}
		stageCOS(t, req)
		for v := 2; v <= 100; v++ {
			Expect(raw(t, "CreateResourceConfig", req).Code()).To(BeEmpty(), "version %d of 100 is accepted", v)
		}
		return raw(t, "CreateResourceConfig", req)
	}},
	{"DeleteJobConfigs", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "versions", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		return raw(t, "DeleteJobConfigs", map[string]any{"JobId": job, "JobConfigVersions": []int{999}})
	}},
	{"DescribeJobConfigs", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "versions", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		return raw(t, "DescribeJobConfigs", map[string]any{"JobId": job, "JobConfigVersions": []int{999}})
	}},
	{"DeleteJobs", "ResourceInUse", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "starting", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(runJob(t, job, 1, 0).Code()).To(BeEmpty(), "run the job")
		return send(t, "DeleteJobs", map[string]any{"JobIds": []string{job}}) // right away: the start is in progress (3)
	}},
	{"DeleteResourceConfigs", "ResourceInUse", func(t *harness.Target) *harness.Envelope {
		res := mkResource(t, "conn")
		cfg := map[string]any{"ResourceId": res, "ResourceLoc": cosLoc(t, "/r/conn2.jar")}
		stageCOS(t, cfg)
		ok(t, "CreateResourceConfig", cfg)
		Expect(raw(t, "CreateConnector", map[string]any{"ResourceId": res, "WorkSpaceId": defaultWorkSpace(t), "VersionId": 2,
			"Connector": "myconn", "ConnectionMethod": "1"}).Code()).To(BeEmpty(), "register version 2 as a connector")
		return raw(t, "DeleteResourceConfigs", map[string]any{"ResourceId": res, "ResourceConfigVersions": []int{2}})
	}},
	{"DeleteResourceConfigs", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DeleteResourceConfigs", map[string]any{"ResourceId": mkResource(t, "few"), "ResourceConfigVersions": []int{999}})
	}},
	{"DescribeClusters", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeClusters", map[string]any{"ClusterIds": []string{"cluster-zzzzzzzz"}})
	}},
	{"DescribeJobEvents", "InvalidParameter.InvalidAppId", func(t *harness.Target) *harness.Envelope {
		theirs := mkJob(otherTenant(t), "theirs", 1)
		return raw(t, "DescribeJobEvents", map[string]any{"JobId": theirs, "StartTimestamp": 0, "EndTimestamp": 2000000000})
	}},
	{"DescribeJobRuntimeInfo", "InvalidParameter.InvalidAppId", func(t *harness.Target) *harness.Envelope {
		theirs := mkJob(otherTenant(t), "theirs", 1)
		return raw(t, "DescribeJobRuntimeInfo", map[string]any{"JobId": theirs, "WorkSpaceId": defaultWorkSpace(t), "IncludeInfo": []string{"TaskManagers"}})
	}},
	{"DescribeResourceConfigs", "InvalidParameter.AppIdResourceNotMatch", func(t *harness.Target) *harness.Envelope {
		theirs := mkResource(otherTenant(t), "theirs")
		return send(t, "DescribeResourceConfigs", map[string]any{"ResourceId": theirs})
	}},
	{"DescribeResourceConfigs", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeResourceConfigs", map[string]any{"ResourceId": "resource-zzzzzzzz"})
	}},
	{"DescribeResourceConfigs", "ResourceNotFound.Job", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DescribeResourceConfigs", map[string]any{"JobId": "cql-zzzzzzzz"})
	}},
	{"DescribeResources", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeResources", map[string]any{"ResourceIds": []string{"resource-zzzzzzzz"}})
	}},
	{"DescribeSystemResources", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeSystemResources", map[string]any{"ResourceIds": []string{"resource-zzzzzzzz"}})
	}},
	{"DescribeJobSubmissionLog", "ResourceNotFound.JobId", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "never-ran", 1)
		return raw(t, "DescribeJobSubmissionLog", map[string]any{"JobId": job, "StartTime": 0, "EndTime": 4000000000000, "RunningOrderId": 99})
	}},
	{"DescribeJobSubmissionLog", "ResourceNotFound.LogTopic", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "cls", 1)
		cfg := raw(t, "CreateJobConfig", map[string]any{"JobId": job, "LogCollect": true, "LogCollectType": 2, "ClsLogsetId": "logset-1", "ClsTopicId": "missing-topic"})
		Expect(cfg.Code()).To(BeEmpty(), "a config logging to the CLS topic: %s", cfg.Body)
		Expect(runJob(t, job, 1, 1).Code()).To(BeEmpty(), "run the job")
		return raw(t, "DescribeJobSubmissionLog", map[string]any{"JobId": job, "StartTime": 0, "EndTime": 4000000000000, "RunningOrderId": 1})
	}},
	{"ModifyMetaTable", "FailedOperation.ClusterNotFound", func(t *harness.Target) *harness.Envelope {
		r := ok(t, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": b64("CREATE TABLE mine (a INT) WITH ('connector' = 'datagen')")})
		return raw(t, "ModifyMetaTable", map[string]any{"ClusterId": stoppedCluster(t), "TableId": fmt.Sprint(r["TableId"]), "FlinkVersion": "Flink-1.13",
			"WorkSpaceId": defaultWorkSpace(t), "Remark": "r", "SqlCode": b64("CREATE TABLE mine (a INT) WITH ('connector' = 'datagen')")})
	}},
	{"ModifyMetaTable", "FailedOperation.ModifyConnectorFailedOperation", func(t *harness.Target) *harness.Envelope {
		return modifyTable(t, "CREATE TABLE mine (a INT) WITH ('connector' = 'print')")
	}},
	{"ModifyMetaTable", "InvalidParameter.UnsupportedOptions", func(t *harness.Target) *harness.Envelope {
		return modifyTable(t, "CREATE TABLE mine (a INT) WITH ('connector' = 'datagen', 'no.such' = 'x')")
	}},
	{"ModifyWorkSpace", "UnsupportedOperation", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		name := runName(t, "wedata")
		wt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"wedata_workspaces": []string{name}}})
		space := member(ok(wt, "CreateWorkSpace", map[string]any{"WorkSpaceName": name}), "WorkSpaceId")
		return raw(wt, "ModifyWorkSpace", map[string]any{"WorkSpaceId": space, "Description": "changed"})
	}},
	{"RenewOceanusCluster", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		billable(t)
		req := clusterRequest(t, "prepaid", "batchconform-1250000000", 12)
		req["InstanceChargeType"], req["Period"] = "PREPAID", 36
		r := ok(t, "CreateOceanusCluster", req)
		// Paid 36 months ahead: 13 more pass the longest term one can buy
		// (CreateOceanusCluster Period [1, 48]).
		return raw(t, "RenewOceanusCluster", map[string]any{"ClusterId": member(r, "ClusterId"), "Period": 13})
	}},
	{"ScaleOceanusCluster", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		cl := newCluster(t, "busy", "batchconform-1250000000", 19)
		job := member(ok(t, "CreateJob", map[string]any{"Name": runName(t, "big"), "JobType": 1, "ClusterType": 2, "ClusterId": cl}), "JobId")
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "DefaultParallelism": 13})
		Expect(runJob(t, job, 1, 1).Code()).To(BeEmpty(), "run 13 CU on 19")
		waitStatus(t, job, "4")
		return raw(t, "ScaleOceanusCluster", map[string]any{"ClusterId": cl, "NewCU": 12, "ScaleMode": "ScaleDown"})
	}},
	{"RunJobs", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "sp", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		// SDK v1.0.162's RunJobDescription has no SavepointId: a raw request carries it.
		return raw(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1, "SavepointId": "svp-zzzzzzzz"}}})
	}},
	{"RunJobs", "ResourceNotFound.ClusterId", func(t *harness.Target) *harness.Envelope {
		cl := newCluster(t, "gone", "batchconform-1250000000", 12)
		job := member(ok(t, "CreateJob", map[string]any{"Name": runName(t, "orphan"), "JobType": 1, "ClusterType": 2, "ClusterId": cl}), "JobId")
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(raw(t, "DeleteOceanusCluster", map[string]any{"ClusterId": cl}).Code()).To(BeEmpty(), "delete the job's cluster")
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1}}})
	}},
	{"RunJobs", "ResourceUnavailable", func(t *harness.Target) *harness.Envelope {
		billable(t) // it scales the dedicated cluster
		cl := runningCluster(t)
		job := member(ok(t, "CreateJob", map[string]any{"Name": runName(t, "scaling"), "JobType": 1, "ClusterType": 2, "ClusterId": cl}), "JobId")
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(raw(t, "ScaleOceanusCluster", map[string]any{"ClusterId": cl, "NewCU": 12}).Code()).To(BeEmpty(), "scale the job's cluster")
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1}}})
	}},
	{"RunJobs", "ResourceNotFound.COSBucket", func(t *harness.Target) *harness.Envelope {
		job, bucketCluster := jobWithCheckpoints(t)
		Expect(raw(t, "DeleteOceanusCluster", map[string]any{"ClusterId": bucketCluster}).Code()).To(BeEmpty(), "delete the bucket's cluster")
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1}}})
	}},
	{"StopJobs", "ResourceNotFound.COSBucket", func(t *harness.Target) *harness.Envelope {
		job, bucketCluster := jobWithCheckpoints(t)
		Expect(runJob(t, job, 1, 1).Code()).To(BeEmpty(), "run the job")
		waitStatus(t, job, "4")
		Expect(raw(t, "DeleteOceanusCluster", map[string]any{"ClusterId": bucketCluster}).Code()).To(BeEmpty(), "delete the bucket's cluster")
		return stopJob(t, job, 2) // pausing takes a savepoint into the bucket
	}},
}

// pendingMore: the generic codes whose readings came with the second round
// (tags, refunds, job IDs by list, system resources).
var pendingMore = []scenario{
	{"CreateJob", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		var tags []any
		for i := 0; i <= 50; i++ {
			tags = append(tags, map[string]any{"TagKey": fmt.Sprintf("k%d", i), "TagValue": "v"})
		}
		return raw(t, "CreateJob", map[string]any{"Name": runName(t, "tagged"), "JobType": 1, "ClusterType": 1, "Tags": tags})
	}},
	{"DeleteJobs", "ResourceNotFound.JobId", func(t *harness.Target) *harness.Envelope {
		return send(t, "DeleteJobs", map[string]any{"JobIds": []string{"cql-zzzzzzzz"}})
	}},
	{"DeleteJobs", "ResourceNotFound.Job", func(t *harness.Target) *harness.Envelope {
		// JobIds is required: one real job beside the name of none (the
		// batch is checked whole, so the real one stays).
		return raw(t, "DeleteJobs", map[string]any{"JobIds": []string{mkJob(t, "stays", 1)}, "JobNames": []string{"no-such-job"}, "WorkSpaceId": defaultWorkSpace(t)})
	}},
	{"DeleteOceanusCluster", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		lt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"max_cluster_refunds": 1}})
		prepaid := func(name string) string {
			req := clusterRequest(lt, name, "batchconform-1250000000", 12)
			req["InstanceChargeType"], req["Period"] = "PREPAID", 1
			return member(ok(lt, "CreateOceanusCluster", req), "ClusterId")
		}
		first, second := prepaid("refund1"), prepaid("refund2")
		Expect(raw(lt, "DeleteOceanusCluster", map[string]any{"ClusterId": first}).Code()).To(BeEmpty(), "the one refund the account has")
		return raw(lt, "DeleteOceanusCluster", map[string]any{"ClusterId": second})
	}},
	{"CreateResourceConfig", "InternalError.ResourceNotExist", func(t *harness.Target) *harness.Envelope {
		r := ok(t, "DescribeSystemResources", map[string]any{"Limit": 1})
		set, _ := r["ResourceSet"].([]any)
		Expect(set).NotTo(BeEmpty(), "the account sees a system resource")
		sys, _ := set[0].(map[string]any)
		id, isStr := sys["ResourceId"].(string)
		Expect(isStr).To(BeTrue(), "a system resource has a ResourceId: %v", sys)
		req := map[string]any{"ResourceId": id, "ResourceLoc": cosLoc(t, "/r/sys2.jar")}
		stageCOS(t, req)
		return raw(t, "CreateResourceConfig", req)
	}},
}

var _ = Describe("Oceanus error codes of the pending list", func() {
	provokeAll(pendingMore)
	provokeAll(pendingScenarios)

	// A workspace linked to WeData (tenant configuration, by name: its ID is
	// made by CreateWorkSpace) is not deleted through Oceanus.
	wedata := errID("DeleteWorkSpace", "FailedOperation.DeleteWedataItemspace")
	harness.It(wedata+" (tenant wedata_workspaces)", harness.Items(wedata), func() {
		t := harness.T(Dialect)
		t.RequireEmulator()
		name := runName(t, "wedata")
		wt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"wedata_workspaces": []string{name}}})
		space := member(ok(wt, "CreateWorkSpace", map[string]any{"WorkSpaceName": name}), "WorkSpaceId")
		env := raw(wt, "DeleteWorkSpace", map[string]any{"WorkSpaceId": space})
		evidence(wedata, nil, env)
		harness.Check(wedata)
		Expect(env.Code()).To(Equal("FailedOperation.DeleteWedataItemspace"), "delete a WeData workspace: %s", env.Body)
	})
})
