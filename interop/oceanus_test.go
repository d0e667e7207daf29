package interop

import (
	"fmt"
	"testing"

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
