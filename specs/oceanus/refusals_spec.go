package oceanus

// Error items provoked by a situation a client makes (Provoke.State or
// Provoke.How in the catalog): one scenario per item, each in a tenant of
// its own on the emulator, building exactly the situation the item's
// provocation names and asserting the documented code.

import (
	"encoding/base64"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/specs/harness"
)

// scenario provokes one error item and returns the answer.
type scenario struct {
	action, code string
	make         func(t *harness.Target) *harness.Envelope
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func mkJob(t *harness.Target, name string, jobType int) string {
	GinkgoHelper()
	req := map[string]any{"Name": t.Name(name, 49), "JobType": jobType, "ClusterType": 1}
	if jobType == 2 {
		req["ClusterType"], req["ClusterId"] = 2, runningCluster(t)
	}
	return harness.NonEmpty(ok(t, "CreateJob", req), "JobId")
}

func mkResource(t *harness.Target, name string) string {
	GinkgoHelper()
	req := map[string]any{"ResourceType": 1, "Name": t.Name(name, 40) + ".jar", "ResourceLoc": cosLoc(t, "/r/"+name+".jar")}
	stageCOS(t, req)
	return harness.NonEmpty(ok(t, "CreateResource", req), "ResourceId")
}

func cosLoc(t *harness.Target, path string) map[string]any {
	return map[string]any{"StorageType": 1, "Param": map[string]any{"Bucket": "batchconform-1250000000", "Path": path, "Region": t.Region}}
}

// clusterWithStatus returns a cluster of the tenant whose Status is not 2.
func stoppedCluster(t *harness.Target) string {
	GinkgoHelper()
	r := ok(t, "DescribeClusters", map[string]any{"Limit": 100})
	for _, cm := range harness.ObjectsOpt(r, "ClusterSet") {
		if fmt.Sprint(cm["Status"]) != "2" && fmt.Sprint(cm["Type"]) == "2" {
			return harness.NonEmpty(cm, "ClusterId")
		}
	}
	Fail("the tenant has no dedicated cluster that is not running (the emulator seeds one)")
	return ""
}

var scenarios = []scenario{
	{"CreateJob", "InvalidParameterValue.JobTypeCombineWithClusterType", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJob", map[string]any{"Name": t.Name("jar-on-shared", 49), "JobType": 2, "ClusterType": 1})
	}},
	{"CreateJob", "ResourceNotFound.ClusterId", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJob", map[string]any{"Name": t.Name("no-cluster", 49), "JobType": 1, "ClusterType": 2, "ClusterId": "cluster-zzzzzzzz"})
	}},
	{"CreateJob", "ResourceUnavailable.Cluster", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJob", map[string]any{"Name": t.Name("stopped-cluster", 49), "JobType": 1, "ClusterType": 2, "ClusterId": stoppedCluster(t)})
	}},
	{"ModifyJob", "FailedOperation.DuplicatedJobName", func(t *harness.Target) *harness.Envelope {
		mkJob(t, "first", 1)
		second := mkJob(t, "second", 1)
		return raw(t, "ModifyJob", map[string]any{"JobId": second, "Name": t.Name("first", 49)})
	}},
	{"CreateJobConfig", "InvalidParameterValue.JobTypeCombineWithEntrypointClass", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "EntrypointClass": "com.example.Main"})
	}},
	{"CreateJobConfig", "FailedOperation.ParseSql", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "ProgramArgs": ";"})
	}},
	{"CreateJobConfig", "FailedOperation.GrammarCheckFailure", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "ProgramArgs": `{"SqlCode":"` + b64("SELEC") + `"}`})
	}},
	{"DeleteJobConfigs", "FailedOperation.DraftConfigCanNotDelete", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "draft", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		return raw(t, "DeleteJobConfigs", map[string]any{"JobId": job, "JobConfigVersions": []int{1}})
	}},
	{"DeleteJobConfigs", "FailedOperation.JobConfigOnPublish", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "published", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(runJob(t, job, 1, 1).Code()).To(BeEmpty())
		observe(t, job, "2", "4")
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		return raw(t, "DeleteJobConfigs", map[string]any{"JobId": job, "JobConfigVersions": []int{1}})
	}},
	{"DeleteResourceConfigs", "InternalError.ResourceConfigCanNotDelete", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DeleteResourceConfigs", map[string]any{"ResourceId": mkResource(t, "only"), "ResourceConfigVersions": []int{1}})
	}},
	{"DeleteResourceConfigs", "ResourceUnavailable.BeUseBySomeJobConfig", func(t *harness.Target) *harness.Envelope {
		res := mkResource(t, "used")
		cfg := map[string]any{"ResourceId": res, "ResourceLoc": cosLoc(t, "/r/used2.jar")}
		stageCOS(t, cfg)
		ok(t, "CreateResourceConfig", cfg)
		job := mkJob(t, "jar", 2)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "EntrypointClass": "com.example.Main",
			"ResourceRefs": []any{map[string]any{"ResourceId": res, "Version": 1, "Type": 1}}})
		return raw(t, "DeleteResourceConfigs", map[string]any{"ResourceId": res, "ResourceConfigVersions": []int{1}})
	}},
	{"DeleteResources", "ResourceInUse", func(t *harness.Target) *harness.Envelope {
		res := mkResource(t, "inuse")
		job := mkJob(t, "jar", 2)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "EntrypointClass": "com.example.Main",
			"ResourceRefs": []any{map[string]any{"ResourceId": res, "Version": 1, "Type": 1}}})
		return send(t, "DeleteResources", map[string]any{"ResourceIds": []string{res}})
	}},
	{"DeleteResources", "InvalidParameter.InvalidResourceIds", func(t *harness.Target) *harness.Envelope {
		return send(t, "DeleteResources", map[string]any{"ResourceIds": []string{"nosuch"}})
	}},
	{"DeleteResourceConfigs", "InvalidParameter.InvalidResourceIds", func(t *harness.Target) *harness.Envelope {
		return send(t, "DeleteResourceConfigs", map[string]any{"ResourceId": "nosuch", "ResourceConfigVersions": []int{1}})
	}},
	{"DeleteWorkSpace", "FailedOperation.DefaultSpaceCanNotOperate", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DeleteWorkSpace", map[string]any{"WorkSpaceId": defaultWorkSpace(t)})
	}},
	{"DeleteWorkSpace", "UnsupportedOperation.CanNotDelete", func(t *harness.Target) *harness.Envelope {
		space := raw(t, "CreateWorkSpace", map[string]any{"WorkSpaceName": t.Name("busy", 49)})
		Expect(space.Code()).To(BeEmpty(), "%s", space.Body)
		id := str(space, "WorkSpaceId")
		env := raw(t, "CreateJob", map[string]any{"Name": t.Name("in-space", 49), "JobType": 1, "ClusterType": 1, "WorkSpaceId": id})
		Expect(env.Code()).To(BeEmpty(), "%s", env.Body)
		return raw(t, "DeleteWorkSpace", map[string]any{"WorkSpaceId": id})
	}},
	{"ModifyWorkSpace", "InvalidParameter.DuplicatedSpaceName", func(t *harness.Target) *harness.Envelope {
		ok(t, "CreateWorkSpace", map[string]any{"WorkSpaceName": t.Name("alpha", 49)})
		b := harness.NonEmpty(ok(t, "CreateWorkSpace", map[string]any{"WorkSpaceName": t.Name("beta", 49)}), "WorkSpaceId")
		return raw(t, "ModifyWorkSpace", map[string]any{"WorkSpaceId": b, "WorkSpaceName": t.Name("alpha", 49)})
	}},
	{"ModifyFolder", "InvalidParameter.DuplicatedFolderName", func(t *harness.Target) *harness.Envelope {
		space := defaultWorkSpace(t)
		ok(t, "CreateFolder", map[string]any{"FolderName": t.Name("alpha", 49), "ParentId": "root", "FolderType": 0, "WorkSpaceId": space})
		b := harness.NonEmpty(ok(t, "CreateFolder", map[string]any{"FolderName": t.Name("beta", 49), "ParentId": "root", "FolderType": 0, "WorkSpaceId": space}), "FolderId")
		return raw(t, "ModifyFolder", map[string]any{"SourceFolderId": b, "FolderName": t.Name("alpha", 49), "FolderType": 0, "WorkSpaceId": space})
	}},
	{"CreateResource", "ResourceUnavailable.ResourceLocNotExists", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateResource", map[string]any{"ResourceType": 1, "Name": t.Name("missing", 40) + ".jar", "ResourceLoc": cosLoc(t, "/nowhere/missing.jar")})
	}},
	{"RunJobs", "InvalidParameterValue.InvalidStartMode", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "sql", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1, "StartMode": "SOMETIME"}}})
	}},
	{"StopJobs", "ResourceInUse", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "busy", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(runJob(t, job, 1, 0).Code()).To(BeEmpty())
		return stopJob(t, job, 1) // right away: the start is still in progress (3)
	}},
	{"DescribeJobRuntimeInfo", "InvalidParameterValue.Type", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DescribeJobRuntimeInfo", map[string]any{"JobId": mkJob(t, "rt", 1), "WorkSpaceId": defaultWorkSpace(t), "IncludeInfo": []string{"NoSuchInfo"}})
	}},
	{"DescribeClusters", "InvalidParameterValue.ClusterIds", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DescribeClusters", map[string]any{"ClusterIds": []string{"nosuch"}})
	}},
	{"CreateMetaTable", "InvalidParameterValue.MetaTableExisted", func(t *harness.Target) *harness.Envelope {
		req := map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": b64("CREATE TABLE twice (a INT) WITH ('connector' = 'datagen')")}
		Expect(raw(t, "CreateMetaTable", req).Code()).To(BeEmpty(), "the first CreateMetaTable")
		return raw(t, "CreateMetaTable", req)
	}},
	{"RunSqlGatewayStatement", "FailedOperation.FailedOperationCode_RunSqlGateway", func(t *harness.Target) *harness.Envelope {
		return raw(t, "RunSqlGatewayStatement", map[string]any{"ClusterId": runningCluster(t), "Sql": b64("NOT SQL")})
	}},
	{"CreateJob", "FailedOperation.DuplicatedJobName", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		lt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"legacy_duplicated_job_name": true}})
		mkJob(lt, "twice", 1)
		return send(lt, "CreateJob", map[string]any{"Name": lt.Name("twice", 49), "JobType": 1, "ClusterType": 1})
	}},
	{"CreateJobConfig", "InvalidParameter.MaxParallelismTooSmall", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "DefaultParallelism": 4,
			"Properties": []any{map[string]any{"Key": "pipeline.max-parallelism", "Value": "2"}}})
	}},
	{"CreateJobConfig", "InvalidParameter.MaxParallelismTooLarge", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "DefaultParallelism": 1,
			"Properties": []any{map[string]any{"Key": "pipeline.max-parallelism", "Value": "20000"}}})
	}},
	{"CreateJobConfig", "InvalidParameter.UnsupportedFlinkConf", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1),
			"Properties": []any{map[string]any{"Key": "no.such.option", "Value": "1"}}})
	}},
	{"CreateJobConfig", "InvalidParameter.JobConfigLogCollectParamError", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "LogCollect": true, "LogCollectType": 2})
	}},
	{"CreateJobConfig", "ResourceNotFound.COSBucket", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "sql", 1), "COSBucket": "nosuch-bucket-1250000000"})
	}},
	{"CreateJobConfig", "InvalidParameter.InvalidRegion", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "sql", 1)
		env, err := t.Raw(harness.RawRequest{Action: "CreateJobConfig", Version: harness.OceanusVersion, Service: "oceanus",
			Body: mustJSON(map[string]any{"JobId": job}), Region: otherRegion(t)})
		Expect(err).NotTo(HaveOccurred())
		return env
	}},
	{"RunJobs", "InvalidParameter.InvalidRegion", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "sql", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		env, err := t.Raw(harness.RawRequest{Action: "RunJobs", Version: harness.OceanusVersion, Service: "oceanus",
			Body: mustJSON(map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1}}}), Region: otherRegion(t)})
		Expect(err).NotTo(HaveOccurred())
		return env
	}},
	{"CreateJob", "InvalidParameterValue.UnSupportedComposite", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateJob", map[string]any{"Name": t.Name("composite", 49), "JobType": 2, "ClusterType": 2, "ClusterId": runningCluster(t),
			"FlinkVersion": "Flink-1.11", "CuMem": 2})
	}},
	{"CreateJob", "ResourceUnavailable.ClusterGroupStatus", func(t *harness.Target) *harness.Envelope {
		cl := runningCluster(t)
		Expect(raw(t, "ScaleOceanusCluster", map[string]any{"ClusterId": cl, "NewCU": 12}).Code()).To(BeEmpty(), "scale the cluster")
		return send(t, "CreateJob", map[string]any{"Name": t.Name("while-scaling", 49), "JobType": 1, "ClusterType": 2, "ClusterId": cl})
	}},
	{"RunJobs", "UnsupportedOperation.UnsupportedStartMode", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "jar", 2)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "EntrypointClass": "com.example.Main"})
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1, "StartMode": "LATEST"}}})
	}},
	{"RunJobs", "ResourceUnavailable.JobResourceConfigNotReady", func(t *harness.Target) *harness.Envelope {
		res := mkResource(t, "syncing")
		job := mkJob(t, "jar", 2)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "EntrypointClass": "com.example.Main",
			"ResourceRefs": []any{map[string]any{"ResourceId": res, "Version": 1, "Type": 1}}})
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1}}})
	}},
	{"RunJobs", "ResourceInsufficient.CU", func(t *harness.Target) *harness.Envelope {
		cl := runningCluster(t)
		var descs []any
		for i, par := range []int{6, 3} {
			job := harness.NonEmpty(ok(t, "CreateJob", map[string]any{"Name": runName(t, fmt.Sprintf("cu%d", i)), "JobType": 1, "ClusterType": 2, "ClusterId": cl}), "JobId")
			ok(t, "CreateJobConfig", map[string]any{"JobId": job, "DefaultParallelism": par})
			descs = append(descs, map[string]any{"JobId": job, "RunType": 1})
		}
		return send(t, "RunJobs", map[string]any{"RunJobDescriptions": descs}) // 6 + 3 CU on a cluster of 8
	}},
	{"DescribeJobSubmissionLog", "InvalidParameter.IllegalSearchKeyword", func(t *harness.Target) *harness.Envelope {
		return raw(t, "DescribeJobSubmissionLog", map[string]any{"JobId": mkJob(t, "log", 1), "StartTime": 0, "EndTime": 2000000000, "Keyword": `"abc`})
	}},
	{"CreateMetaTable", "FailedOperation.CheckDdlGrammar", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": b64("SELECT 1")})
	}},
	{"CreateMetaTable", "FailedOperation.DDLParseFailure", func(t *harness.Target) *harness.Envelope {
		return raw(t, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": b64("CREATE TABLE")})
	}},
	{"ModifyMetaTable", "FailedOperation.DDLParseFailure", func(t *harness.Target) *harness.Envelope {
		return modifyTable(t, "CREATE TABLE")
	}},
	{"ModifyMetaTable", "FailedOperation.ModifyTableFailedOperation", func(t *harness.Target) *harness.Envelope {
		return modifyTable(t, "CREATE TABLE other_name (a INT) WITH ('connector' = 'datagen')")
	}},
	{"ModifyMetaTable", "ResourceNotFound.MetaDataNotFound", func(t *harness.Target) *harness.Envelope {
		return raw(t, "ModifyMetaTable", map[string]any{"ClusterId": runningCluster(t), "TableId": "999999", "FlinkVersion": "Flink-1.13",
			"WorkSpaceId": defaultWorkSpace(t), "Remark": "r", "SqlCode": b64("CREATE TABLE t (a INT) WITH ('connector' = 'datagen')")})
	}},
	{"GetMetaTable", "ResourceNotFound.TableNotExist", func(t *harness.Target) *harness.Envelope {
		return raw(t, "GetMetaTable", map[string]any{"Catalog": "_dc", "Database": "_db", "Table": "nosuch", "WorkSpaceId": defaultWorkSpace(t)})
	}},
	{"FetchSqlGatewayStatementResult", "FailedOperation.FailedOperationCode_FetchSqlGatewayStatement", func(t *harness.Target) *harness.Envelope {
		return raw(t, "FetchSqlGatewayStatementResult", map[string]any{"ClusterId": runningCluster(t), "SessionId": "nosuch", "OperationHandleId": "nosuch"})
	}},
	{"CreateConnector", "ResourceInUse.ResourceConnectorDuplicateName", func(t *harness.Target) *harness.Envelope {
		req := map[string]any{"ResourceId": mkResource(t, "conn"), "WorkSpaceId": defaultWorkSpace(t), "VersionId": 1, "Connector": "myconn", "ConnectionMethod": "1"}
		Expect(raw(t, "CreateConnector", req).Code()).To(BeEmpty(), "the first connector")
		return raw(t, "CreateConnector", req)
	}},
	{"ParseConnector", "ResourceNotFound.ParseConnectorClusterNotFound", func(t *harness.Target) *harness.Envelope {
		return raw(t, "ParseConnector", map[string]any{"ResourceId": "resource-zzzzzzzz", "VersionId": 1, "WorkSpaceId": defaultWorkSpace(t)})
	}},
	{"CreateResource", "ResourceUnavailable.CheckResourceLocExists", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateResource", map[string]any{"ResourceType": 1, "Name": t.Name("badbucket", 40) + ".jar",
			"ResourceLoc": map[string]any{"StorageType": 1, "Param": map[string]any{"Bucket": "no such bucket", "Path": "/a.jar"}}})
	}},
	{"DescribeResourceConfigs", "ResourceNotFound.ResourceConfig", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeResourceConfigs", map[string]any{"ResourceId": mkResource(t, "versions"), "ResourceConfigVersions": []int{999}})
	}},
	{"RunJobs", "ResourceUnavailable.NoRunningJobInstancesFoundForJobId", func(t *harness.Target) *harness.Envelope {
		job := mkJob(t, "never-ran", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		return runJob(t, job, 2, 0) // resume a job that was never paused
	}},
	{"CreateJobConfig", "ResourceNotFound", func(t *harness.Target) *harness.Envelope {
		return send(t, "CreateJobConfig", map[string]any{"JobId": mkJob(t, "jar", 2), "EntrypointClass": "com.example.Main",
			"ResourceRefs": []any{map[string]any{"ResourceId": "resource-zzzzzzzz", "Version": 1, "Type": 1}}})
	}},
	{"DescribeSystemResources", "ResourceNotFound.ClusterId", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeSystemResources", map[string]any{"ClusterId": "cluster-zzzzzzzz"})
	}},
	{"DescribeJobs", "ResourceNotFound.JobId", func(t *harness.Target) *harness.Envelope {
		return send(t, "DescribeJobs", map[string]any{"JobIds": []string{"cql-zzzzzzzz"}})
	}},
	{"ModifyMetaTable", "UnknownParameter", func(t *harness.Target) *harness.Envelope {
		return raw(t, "ModifyMetaTable", map[string]any{"ClusterId": "cluster-zzzzzzzz", "TableId": "1", "FlinkVersion": "Flink-1.13",
			"WorkSpaceId": "space-zzzzzzzz", "Remark": "r", "SqlCode": b64("CREATE TABLE t (a INT)"), "NoSuchParameter": 1})
	}},
	{"ModifyConnector", "ResourceInUse.ResourceConnectorDuplicateName", func(t *harness.Target) *harness.Envelope {
		space, res := defaultWorkSpace(t), mkResource(t, "conns")
		ok(t, "CreateConnector", map[string]any{"ResourceId": res, "WorkSpaceId": space, "VersionId": 1, "Connector": "alpha", "ConnectionMethod": "1"})
		res2 := mkResource(t, "conns2")
		ok(t, "CreateConnector", map[string]any{"ResourceId": res2, "WorkSpaceId": space, "VersionId": 1, "Connector": "beta", "ConnectionMethod": "1"})
		return raw(t, "ModifyConnector", map[string]any{"WorkSpaceId": space, "ConnectorResourceId": res2, "Connector": "alpha"})
	}},
}

// otherRegion is a documented region other than the target's.
func otherRegion(t *harness.Target) string {
	if t.Region == "ap-shanghai" {
		return "ap-beijing"
	}
	return "ap-shanghai"
}

// modifyTable makes a meta table and modifies it with the given DDL.
func modifyTable(t *harness.Target, ddl string) *harness.Envelope {
	GinkgoHelper()
	r := ok(t, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": b64("CREATE TABLE mine (a INT) WITH ('connector' = 'datagen')")})
	return raw(t, "ModifyMetaTable", map[string]any{"ClusterId": runningCluster(t), "TableId": fmt.Sprint(r["TableId"]), "FlinkVersion": "Flink-1.13",
		"WorkSpaceId": defaultWorkSpace(t), "Remark": "r", "SqlCode": b64(ddl)})
}

var _ = Describe("Oceanus refusals a client provokes", func() {
	for _, sc := range scenarios {
		sc := sc
		item := errID(sc.action, sc.code)
		if _, ok := cat.Item(item); !ok {
			panic("refusals_spec: no catalog item " + item)
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

	// Resuming (RunType 2) continues a paused instance: a stopped job has none.
	noPaused := errID("RunJobs", "ResourceUnavailable.NoRunningJobInstancesFoundForJobId")
	harness.It("RunJobs RunType 2 refuses to resume a stopped job", harness.Items(noPaused), func() {
		t := harness.T(Dialect)
		if t.Emulator {
			t = t.NewTenantJSON(map[string]any{})
		}
		job := mkJob(t, "stopped", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "DefaultParallelism": 1})
		waitStatus := func(want string) {
			GinkgoHelper()
			Eventually(func() string { s, _ := jobStatus(t, job); return s }).
				WithTimeout(2*time.Minute).WithPolling(t.PollInterval()).Should(Equal(want), "job %s reaches status %s", job, want)
		}
		Expect(runJob(t, job, 1, 0).Code()).To(BeEmpty(), "run the job")
		waitStatus("4")
		Expect(stopJob(t, job, 1).Code()).To(BeEmpty(), "stop the job")
		waitStatus("5")
		env := runJob(t, job, 2, 0)
		evidence(noPaused, nil, env)
		harness.Check(noPaused)
		Expect(env.Code()).To(Equal("ResourceUnavailable.NoRunningJobInstancesFoundForJobId"), "resume a stopped job: %s", env.Body)
	})

	// A folder is deleted only when empty: one that holds a job, or a
	// sub-folder, is refused (the same item as the root folder's refusal).
	nonEmpty := errID("DeleteFolders", "InvalidParameterValue")
	harness.It("DeleteFolders refuses a folder that holds a job or a sub-folder", harness.Items(nonEmpty), func() {
		t := harness.T(Dialect)
		if t.Emulator {
			t = t.NewTenantJSON(map[string]any{})
		}
		space := defaultWorkSpace(t)
		withJob := harness.NonEmpty(ok(t, "CreateFolder", map[string]any{"FolderName": t.Name("holds-a-job", 49), "ParentId": "root", "FolderType": 0, "WorkSpaceId": space}), "FolderId")
		// SDK v1.0.162's CreateJob has no FolderId: a raw signed request carries it.
		Expect(raw(t, "CreateJob", map[string]any{"Name": t.Name("in-folder", 49), "JobType": 1, "ClusterType": 1, "FolderId": withJob}).Code()).To(BeEmpty(), "CreateJob in a folder")
		parent := harness.NonEmpty(ok(t, "CreateFolder", map[string]any{"FolderName": t.Name("holds-a-folder", 49), "ParentId": "root", "FolderType": 0, "WorkSpaceId": space}), "FolderId")
		ok(t, "CreateFolder", map[string]any{"FolderName": t.Name("child", 49), "ParentId": parent, "FolderType": 0, "WorkSpaceId": space})
		for _, f := range []string{withJob, parent} {
			env := raw(t, "DeleteFolders", map[string]any{"FolderIds": []string{f}, "FolderType": 0, "WorkSpaceId": space})
			evidence(nonEmpty, nil, env)
			harness.Check(nonEmpty)
			Expect(env.Code()).To(Equal("InvalidParameterValue"), "deleting a folder that is not empty: %s", env.Body)
		}
	})
})
