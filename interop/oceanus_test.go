package interop

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	oceanus "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/oceanus/v20190422"

	emuoceanus "github.com/batchconform/batchconform/emulator/oceanus"
)

// oceanusScenario is a new user's first Flink job: upload a JAR resource,
// create a job on the dedicated cluster, configure it with the JAR, run it,
// watch it reach 4 (running), stop it, watch 5 (stopped); along the way the
// documented refusals of a stopped cluster and of a resource version in use.
// It uses only the 15 actions of SDK v1.0.162, plus DeleteJobs where the
// SDK has it (the Node SDK does; v1.0.162 does not).
func oceanusScenario(t *testing.T, c caller) {
	loc := map[string]any{"StorageType": 1, "Param": map[string]any{"Bucket": "batchconform-1250000000", "Path": "app/wordcount.jar"}}
	res := ok(t, c, "CreateResource", map[string]any{"Name": "wordcount", "ResourceType": 1, "ResourceLoc": loc})
	rid := str(res["ResourceId"])
	if num(res["Version"]) != 1 {
		t.Fatalf("%s CreateResource: %v", c.name(), res)
	}
	v2 := ok(t, c, "CreateResourceConfig", map[string]any{"ResourceId": rid, "ResourceLoc": loc, "Remark": "v2"})
	if num(v2["Version"]) != 2 {
		t.Fatalf("%s CreateResourceConfig: %v", c.name(), v2)
	}
	eventually(t, "resource versions synced", func() (bool, string) {
		r := ok(t, c, "DescribeResourceConfigs", map[string]any{"ResourceId": rid})
		for _, it := range list(r["ResourceConfigSet"]) {
			if num(obj(it)["Status"]) != 1 {
				return false, fmt.Sprint(r)
			}
		}
		return num(r["TotalCount"]) == 2, fmt.Sprint(r)
	})
	if r := ok(t, c, "DescribeResources", map[string]any{"ResourceIds": []any{rid}}); num(r["TotalCount"]) != 1 {
		t.Fatalf("%s DescribeResources: %v", c.name(), r)
	}
	if r := ok(t, c, "DescribeSystemResources", map[string]any{}); num(r["TotalCount"]) < 1 {
		t.Fatalf("%s DescribeSystemResources: %v", c.name(), r)
	}
	fails(t, c, "CreateJob", map[string]any{"Name": "on-stopped", "JobType": 2, "ClusterType": 2,
		"ClusterId": emuoceanus.StoppedClusterID}, "ResourceUnavailable.Cluster")
	job := str(ok(t, c, "CreateJob", map[string]any{"Name": "wordcount", "JobType": 2, "ClusterType": 2,
		"ClusterId": emuoceanus.DedicatedClusterID, "CuMem": 4, "Remark": "interop"})["JobId"])
	fails(t, c, "CreateJob", map[string]any{"Name": "wordcount", "JobType": 2, "ClusterType": 2,
		"ClusterId": emuoceanus.DedicatedClusterID}, "InvalidParameterValue.JobNameExisted")
	cfg := ok(t, c, "CreateJobConfig", map[string]any{"JobId": job, "EntrypointClass": "org.example.WordCount",
		"DefaultParallelism": 1, "ResourceRefs": []any{map[string]any{"ResourceId": rid, "Version": 1, "Type": 1}}})
	if num(cfg["Version"]) != 1 {
		t.Fatalf("%s CreateJobConfig: %v", c.name(), cfg)
	}
	if r := ok(t, c, "DescribeJobConfigs", map[string]any{"JobId": job}); num(r["TotalCount"]) != 1 {
		t.Fatalf("%s DescribeJobConfigs: %v", c.name(), r)
	}
	status := func() float64 {
		js := list(ok(t, c, "DescribeJobs", map[string]any{"JobIds": []any{job}})["JobSet"])
		if len(js) != 1 {
			t.Fatalf("%s DescribeJobs: %v", c.name(), js)
		}
		return num(obj(js[0])["Status"])
	}
	if s := status(); s != 2 {
		t.Fatalf("%s: a configured job is %v, want 2 (unpublished)", c.name(), s)
	}
	ok(t, c, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1}}})
	seen := map[float64]bool{}
	eventually(t, "job running (4)", func() (bool, string) {
		s := status()
		seen[s] = true
		return s == 4, fmt.Sprint(s)
	})
	if r := ok(t, c, "DescribeResourceRelatedJobs", map[string]any{"ResourceId": rid}); num(r["TotalCount"]) != 1 {
		t.Fatalf("%s DescribeResourceRelatedJobs: %v", c.name(), r)
	}
	fails(t, c, "DeleteResourceConfigs", map[string]any{"ResourceId": rid, "ResourceConfigVersions": []any{1}},
		"ResourceUnavailable.BeUseBySomeJobConfig")
	ok(t, c, "DeleteResourceConfigs", map[string]any{"ResourceId": rid, "ResourceConfigVersions": []any{2}})
	ok(t, c, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": job, "StopType": 1}}})
	eventually(t, "job stopped (5)", func() (bool, string) {
		s := status()
		seen[s] = true
		return s == 5, fmt.Sprint(s)
	})
	if !seen[3] {
		t.Errorf("%s: never observed the transitional status 3 (seen %v)", c.name(), seen)
	}
	fails(t, c, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": job, "StopType": 1}}},
		"ResourceUnavailable.NotAllowedToBeStopOrPause")
	ok(t, c, "DeleteTableConfig", map[string]any{"JobId": job, "DebugId": 1, "TableName": "t"})
	if _, e := c.call("DeleteJobs", map[string]any{"JobIds": []any{job}}); e != nil && e.Code != "SDK.NoSuchAction" {
		t.Fatalf("%s DeleteJobs: %v", c.name(), e)
	} else if e == nil {
		fails(t, c, "DescribeJobs", map[string]any{"JobIds": []any{job}}, "ResourceNotFound.JobId")
		ok(t, c, "DeleteResources", map[string]any{"ResourceIds": []any{rid}})
	}
}

func TestNodeSDKOceanus(t *testing.T) {
	e := startEmulator(t)
	for _, method := range []string{"POST", "GET"} {
		t.Run(method, func(t *testing.T) {
			// Each method gets its own tenant, so the two runs do not collide.
			oceanusScenario(t, newNodeCaller(t, newTenant(t, e), "oceanus", "v20190422", method))
		})
	}
}

func TestGoSDKOceanus(t *testing.T) {
	e := startEmulator(t)
	for _, method := range []string{"POST", "GET"} {
		t.Run(method, func(t *testing.T) {
			te := newTenant(t, e)
			cl, err := oceanus.NewClient(goCredential(te), region, goProfile(te, method))
			if err != nil {
				t.Fatal(err)
			}
			oceanusScenario(t, newGoCaller(t, "oceanus", oceanus.APIVersion, cl))
		})
	}
}

// oceanusLatestScenario drives actions that only the latest SDKs have
// (the Node.js SDK 4.x has all 53): folders, workspaces, variables, clusters,
// events, runtime info, submission log, savepoints, copies, the meta catalog
// and the SQL gateway.
func oceanusLatestScenario(t *testing.T, c caller) {
	ws := str(ok(t, c, "CreateWorkSpace", map[string]any{"WorkSpaceName": "interop", "Description": "d"})["WorkSpaceId"])
	spaces := ok(t, c, "DescribeWorkSpaces", map[string]any{"Filters": []any{map[string]any{"Name": "WorkSpaceName", "Values": []any{"interop"}}}})
	if num(spaces["TotalCount"]) != 1 {
		t.Fatalf("%s DescribeWorkSpaces: %v", c.name(), spaces)
	}
	folder := str(ok(t, c, "CreateFolder", map[string]any{"FolderName": "etl", "ParentId": "root", "FolderType": 0, "WorkSpaceId": ws})["FolderId"])
	job := str(ok(t, c, "CreateJob", map[string]any{"Name": "latest", "JobType": 1, "ClusterType": 1, "FolderId": folder,
		"WorkSpaceId": ws, "FlinkVersion": "Flink-1.16", "Description": "via the latest SDK",
		"Tags": []any{map[string]any{"TagKey": "team", "TagValue": "a"}}})["JobId"])
	tree := ok(t, c, "DescribeTreeJobs", map[string]any{"WorkSpaceId": ws})
	if kids := list(tree["Children"]); len(kids) != 1 || len(list(obj(kids[0])["JobSet"])) != 1 {
		t.Fatalf("%s DescribeTreeJobs: %v", c.name(), tree)
	}
	ok(t, c, "CreateVariable", map[string]any{"Name": "kafka_brokers", "Value": "10.0.0.1:9092", "Type": 1, "WorkSpaceId": ws})
	if vs := list(ok(t, c, "DescribeVariables", map[string]any{"WorkSpaceId": ws})["VariableSet"]); len(vs) != 1 {
		t.Fatalf("%s DescribeVariables: %v", c.name(), vs)
	}
	if cs := ok(t, c, "DescribeClusters", map[string]any{}); num(cs["TotalCount"]) != 3 {
		t.Fatalf("%s DescribeClusters (3 seeded): %v", c.name(), cs)
	}
	ok(t, c, "CreateJobConfig", map[string]any{"JobId": job, "ProgramArgs": "INSERT INTO sink SELECT * FROM src", "WorkSpaceId": ws})
	ok(t, c, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": job, "RunType": 1, "StartMode": "LATEST"}}, "WorkSpaceId": ws})
	status := func() float64 {
		return num(obj(list(ok(t, c, "DescribeJobs", map[string]any{"JobIds": []any{job}})["JobSet"])[0])["Status"])
	}
	eventually(t, "job running", func() (bool, string) { s := status(); return s == 4, fmt.Sprint(s) })
	sp := ok(t, c, "TriggerJobSavepoint", map[string]any{"JobId": job, "Description": "interop", "WorkSpaceId": ws})
	if sp["SavepointTrigger"] != true {
		t.Fatalf("%s TriggerJobSavepoint: %v", c.name(), sp)
	}
	eventually(t, "savepoint done", func() (bool, string) {
		r := ok(t, c, "DescribeJobSavepoint", map[string]any{"JobId": job, "Limit": 10, "Offset": 0, "WorkSpaceId": ws})
		return num(r["TotalNumber"]) == 1, fmt.Sprint(r)
	})
	chk := ok(t, c, "CheckSavepoint", map[string]any{"JobId": job, "SerialId": sp["SavepointId"], "RecordType": 1,
		"SavepointPath": sp["FinalSavepointPath"], "WorkSpaceId": ws})
	if num(chk["SavepointStatus"]) != 1 {
		t.Fatalf("%s CheckSavepoint: %v", c.name(), chk)
	}
	now := time.Now()
	evs := ok(t, c, "DescribeJobEvents", map[string]any{"JobId": job, "StartTimestamp": now.Add(-time.Hour).Unix(),
		"EndTimestamp": now.Add(time.Hour).Unix(), "WorkSpaceId": ws})
	if num(evs["TotalCount"]) < 1 {
		t.Fatalf("%s DescribeJobEvents: %v", c.name(), evs)
	}
	rt := ok(t, c, "DescribeJobRuntimeInfo", map[string]any{"JobId": job, "WorkSpaceId": ws, "IncludeInfo": []any{"TaskManagers"}})
	if len(list(rt["JobRuntimeInfo"])) != 1 {
		t.Fatalf("%s DescribeJobRuntimeInfo: %v", c.name(), rt)
	}
	lg := ok(t, c, "DescribeJobSubmissionLog", map[string]any{"JobId": job, "StartTime": now.Add(-time.Hour).UnixMilli(),
		"EndTime": now.Add(time.Hour).UnixMilli()})
	if len(list(lg["LogContentList"])) == 0 {
		t.Fatalf("%s DescribeJobSubmissionLog: %v", c.name(), lg)
	}
	ok(t, c, "ModifyJob", map[string]any{"JobId": job, "Remark": "renamed below", "WorkSpaceId": ws})
	cp := ok(t, c, "CopyJobs", map[string]any{"JobItems": []any{map[string]any{"SourceId": job, "TargetClusterId": emuoceanus.SharedClusterID, "TargetName": "latest-copy"}}, "WorkSpaceId": ws})
	if num(cp["SuccessCount"]) != 1 {
		t.Fatalf("%s CopyJobs: %v", c.name(), cp)
	}
	db := ok(t, c, "CreateMetaDatabase", map[string]any{"CatalogId": 0, "DatabaseName": "interop"})["DatabaseId"]
	ddl := base64.StdEncoding.EncodeToString([]byte("CREATE TABLE src (id INT) WITH ('connector' = 'datagen')"))
	ok(t, c, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": db, "SqlCode": ddl})
	mt := ok(t, c, "GetMetaTable", map[string]any{"Catalog": "_dc", "Database": "interop", "Table": "src", "WorkSpaceId": ws})
	if mt["DDL"] != ddl {
		t.Fatalf("%s GetMetaTable: %v", c.name(), mt)
	}
	st := ok(t, c, "RunSqlGatewayStatement", map[string]any{"ClusterId": emuoceanus.DedicatedClusterID,
		"Sql": base64.StdEncoding.EncodeToString([]byte("SELECT 1"))})
	res := ok(t, c, "FetchSqlGatewayStatementResult", map[string]any{"ClusterId": emuoceanus.DedicatedClusterID,
		"SessionId": st["SessionId"], "OperationHandleId": st["OperationHandleId"]})
	if res["IsQueryResult"] != true {
		t.Fatalf("%s FetchSqlGatewayStatementResult: %v", c.name(), res)
	}
	ok(t, c, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": job, "StopType": 2}}, "WorkSpaceId": ws})
	eventually(t, "job paused", func() (bool, string) { s := status(); return s == 6, fmt.Sprint(s) })
	fails(t, c, "DeleteWorkSpace", map[string]any{"WorkSpaceId": ws}, "UnsupportedOperation.CanNotDelete")
}

func TestNodeSDKOceanusLatest(t *testing.T) {
	e := startEmulator(t)
	oceanusLatestScenario(t, newNodeCaller(t, newTenant(t, e), "oceanus", "v20190422", "POST"))
}
