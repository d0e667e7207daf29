package oceanus

import (
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	ocfix "github.com/batchconform/batchconform/fixtures/oceanus"
)

// probe observes one documented behaviour; it reports whether the contract
// held. Each Oceanus fault must turn its probe false, and every probe holds
// on a clean emulator.
type probe func(f *fx) bool

// code calls and returns the error code ("" on success).
func (f *fx) code(action string, p M) string {
	f.t.Helper()
	_, e := f.call(action, p)
	if e == nil {
		return ""
	}
	return e.Code
}

func (f *fx) running(name string, extra M) string {
	f.t.Helper()
	id := f.job(name)
	f.config(id, extra)
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}})
	f.advance(op)
	return id
}

func jobCount(f *fx, p M) (total float64, page int) {
	r := f.ok("DescribeJobs", p)
	return r["TotalCount"].(float64), len(r["JobSet"].([]any))
}

var probes = map[string]probe{
	faults.OceanusDuplicateJobName: func(f *fx) bool {
		f.job("dup")
		return f.code("CreateJob", M{"Name": "dup", "JobType": 2, "ClusterType": 2, "ClusterId": DedicatedClusterID}) == "InvalidParameterValue.JobNameExisted"
	},
	faults.OceanusIgnoreJobLimit: func(f *fx) bool {
		g := f.as("AKIDone")
		g.ok("CreateJob", M{"Name": "a", "JobType": 1, "ClusterType": 1})
		return g.code("CreateJob", M{"Name": "b", "JobType": 1, "ClusterType": 1}) == "LimitExceeded.Job"
	},
	faults.OceanusStoppedClusterRuns: func(f *fx) bool {
		return f.code("CreateJob", M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": StoppedClusterID}) == "ResourceUnavailable.Cluster"
	},
	faults.OceanusUnknownClusterCode: func(f *fx) bool {
		return f.code("CreateJob", M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": "cluster-zzzzzzzz"}) == "ResourceNotFound.ClusterId"
	},
	faults.OceanusJarOnShared: func(f *fx) bool {
		return f.code("CreateJob", M{"Name": "x", "JobType": 2, "ClusterType": 1}) == "InvalidParameterValue.JobTypeCombineWithClusterType"
	},
	faults.OceanusSkipInProgress: func(f *fx) bool {
		id := f.job("x")
		f.config(id, nil)
		f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}})
		return f.status(id) == StatusInProgress
	},
	faults.OceanusStopPauses: func(f *fx) bool {
		id := f.running("x", nil)
		f.ok("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}})
		f.advance(op)
		return f.status(id) == StatusStopped
	},
	faults.OceanusNeverFails: func(f *fx) bool {
		id := f.running("x", M{"ProgramArgs": FailMarker})
		f.advance(time.Second)
		return f.status(id) == StatusFailed
	},
	faults.OceanusRunRunning: func(f *fx) bool {
		id := f.running("x", nil)
		return f.code("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}) == "ResourceInUse.InstanceInProcess"
	},
	faults.OceanusDeleteRunning: func(f *fx) bool {
		id := f.running("x", nil)
		return f.code("DeleteJobs", M{"JobIds": []string{id}}) == "ResourceUnavailable.NotAllowedToBeDeleted"
	},
	faults.OceanusStopNeverRunCode: func(f *fx) bool {
		id := f.job("x")
		return f.code("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}}) == "ResourceUnavailable.NoRunningJobInstancesFoundForJobId"
	},
	faults.OceanusRunWithoutConfig: func(f *fx) bool {
		id := f.job("x")
		return f.code("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}) == "ResourceNotFound.JobConfig"
	},
	faults.OceanusUnlimitedConfigs: func(f *fx) bool {
		g := f.as("AKIDone")
		id := g.ok("CreateJob", M{"Name": "a", "JobType": 1, "ClusterType": 1})["JobId"].(string)
		g.ok("CreateJobConfig", M{"JobId": id})
		return g.code("CreateJobConfig", M{"JobId": id}) == "LimitExceeded.JobConfig"
	},
	faults.OceanusNoPublish: func(f *fx) bool {
		id := f.running("x", nil)
		j := f.ok("DescribeJobs", M{"JobIds": []string{id}})["JobSet"].([]any)[0].(M)
		return j["PublishedJobConfigVersion"].(float64) == 1
	},
	faults.OceanusIgnoreOffset: func(f *fx) bool {
		f.job("a")
		f.job("b")
		all := f.ok("DescribeJobs", M{})["JobSet"].([]any)
		r := f.ok("DescribeJobs", M{"Offset": 1, "Limit": 1})["JobSet"].([]any)
		return len(r) == 1 && r[0].(M)["JobId"] == all[1].(M)["JobId"]
	},
	faults.OceanusPageTotalCount: func(f *fx) bool {
		f.job("a")
		f.job("b")
		total, page := jobCount(f, M{"Limit": 1})
		return total == 2 && page == 1
	},
	faults.OceanusDeletedJobFound: func(f *fx) bool {
		id := f.job("x")
		f.ok("DeleteJobs", M{"JobIds": []string{id}})
		return f.code("DescribeJobs", M{"JobIds": []string{id}}) == "ResourceNotFound.JobId"
	},
	faults.OceanusDeleteResourceInUse: func(f *fx) bool {
		rid := f.resource("r")
		id := f.job("x")
		f.config(id, M{"ResourceRefs": []M{{"ResourceId": rid, "Version": 1, "Type": 1}}})
		return f.code("DeleteResources", M{"ResourceIds": []string{rid}}) == "ResourceInUse"
	},
	faults.OceanusDeleteLastVersion: func(f *fx) bool {
		rid := f.resource("r")
		return f.code("DeleteResourceConfigs", M{"ResourceId": rid, "ResourceConfigVersions": []int64{1}}) == "InternalError.ResourceConfigCanNotDelete"
	},
	faults.OceanusDeleteNonEmptyFolder: func(f *fx) bool {
		fid := f.ok("CreateFolder", M{"FolderName": "d", "ParentId": RootFolderID})["FolderId"].(string)
		f.ok("CreateJob", M{"Name": "in", "JobType": 1, "ClusterType": 1, "FolderId": fid})
		return f.code("DeleteFolders", M{"FolderIds": []string{fid}}) == "InvalidParameterValue"
	},
	faults.OceanusDeleteDefaultSpace: func(f *fx) bool {
		ws := f.ok("DescribeWorkSpaces", M{})["WorkSpaceSetItem"].([]any)[0].(M)["WorkSpaceId"].(string)
		return f.code("DeleteWorkSpace", M{"WorkSpaceId": ws}) == "FailedOperation.DefaultSpaceCanNotOperate"
	},
	faults.OceanusDuplicateFolderName: func(f *fx) bool {
		f.ok("CreateFolder", M{"FolderName": "d", "ParentId": RootFolderID})
		return f.code("CreateFolder", M{"FolderName": "d", "ParentId": RootFolderID}) == "InvalidParameter.DuplicatedFolderName"
	},
	faults.OceanusDuplicateVariable: func(f *fx) bool {
		f.ok("CreateVariable", M{"Name": "v", "Value": "1", "Type": 1})
		return f.code("CreateVariable", M{"Name": "v", "Value": "2", "Type": 1}) == "InvalidParameter.CreateVariableExists"
	},
	faults.OceanusDuplicateResourceName: func(f *fx) bool {
		f.resource("r")
		return f.code("CreateResource", M{"Name": "r", "ResourceType": 1, "ResourceLoc": jarLoc("r2.jar")}) == "ResourceInUse.ResourceNameAlreadyExists"
	},
	faults.OceanusRenameDuplicate: func(f *fx) bool {
		f.job("a")
		b := f.job("b")
		return f.code("ModifyJob", M{"JobId": b, "Name": "a"}) == "FailedOperation.DuplicatedJobName"
	},
	faults.OceanusUnknownJobIgnored: func(f *fx) bool {
		return f.code("DescribeJobs", M{"JobIds": []string{"cql-zzzzzzzz"}}) == "ResourceNotFound.JobId"
	},
	faults.OceanusTimesRFC3339: func(f *fx) bool {
		id := f.job("x")
		j := f.ok("DescribeJobs", M{"JobIds": []string{id}})["JobSet"].([]any)[0].(M)
		_, err := time.Parse("2006-01-02 15:04:05", j["CreateTime"].(string))
		return err == nil
	},
	faults.OceanusOmitNullMembers: func(f *fx) bool {
		id := f.job("x")
		j := f.ok("DescribeJobs", M{"JobIds": []string{id}})["JobSet"].([]any)[0].(M)
		_, has := j["EventInfo"] // nullable, no value: null, but present
		return has
	},
	faults.OceanusDeleteDraft: func(f *fx) bool {
		id := f.job("x")
		v := f.config(id, nil)
		return f.code("DeleteJobConfigs", M{"JobId": id, "JobConfigVersions": []int64{v}}) == "FailedOperation.DraftConfigCanNotDelete"
	},
	faults.OceanusDeletePublished: func(f *fx) bool {
		id := f.running("x", nil)
		return f.code("DeleteJobConfigs", M{"JobId": id, "JobConfigVersions": []int64{1}}) == "FailedOperation.JobConfigOnPublish"
	},
	faults.OceanusResumeStopped: func(f *fx) bool {
		id := f.running("x", nil)
		f.ok("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}})
		f.advance(op)
		return f.code("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 2}}}) == "ResourceUnavailable.NoRunningJobInstancesFoundForJobId"
	},
	faults.OceanusUnlimitedCU: func(f *fx) bool {
		id := f.job("x")
		f.config(id, M{"DefaultParallelism": 9}) // the dedicated cluster has 8 CU
		return f.code("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}) == "ResourceInsufficient.CU"
	},
}

func jarLoc(p string) M {
	return M{"StorageType": 1, "Param": M{"Bucket": "batchconform-1250000000", "Path": p}}
}

func (f *fx) resource(name string) string {
	f.t.Helper()
	return f.ok("CreateResource", M{"Name": name, "ResourceType": 1, "ResourceLoc": jarLoc(name + ".jar")})["ResourceId"].(string)
}

// TestOceanusFaults: every Oceanus fault is registered with catalog items,
// has a probe, and the probe holds clean and breaks with the fault on.
func TestOceanusFaults(t *testing.T) {
	cat := ocfix.Catalog()
	ids := map[string]bool{}
	for _, it := range cat.Items() {
		ids[it.ID] = true
	}
	n := 0
	for _, flt := range faults.All() {
		if !strings.HasPrefix(flt.Name, "oceanus-") {
			continue
		}
		n++
		for _, it := range flt.Items {
			if !ids[it] {
				t.Errorf("fault %s names %s, which is no catalog item", flt.Name, it)
			}
		}
		pr, ok := probes[flt.Name]
		if !ok {
			t.Errorf("fault %s has no probe", flt.Name)
			continue
		}
		small := []tenants.Tenant{{SecretID: "AKIDone", SecretKey: "k", Oceanus: tenants.Oceanus{MaxJobs: 1, MaxJobConfigs: 1}}}
		t.Run(flt.Name, func(t *testing.T) {
			if !pr(newFx(t, small...)) {
				t.Fatalf("the contract does not hold on a clean emulator")
			}
			if pr(newFxFaults(t, []string{flt.Name}, small...)) {
				t.Fatalf("the fault changes nothing its probe sees")
			}
		})
	}
	if n < 25 {
		t.Fatalf("%d Oceanus faults, want at least 25", n)
	}
}
