package oceanus

import (
	"testing"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// reconfigure replaces the calling tenant's configuration (the admin API's
// PUT tenants).
func (f *fx) reconfigure(cfg tenants.Tenant) {
	f.t.Helper()
	cfg.SecretID = f.id
	if _, err := f.reg.Reconfigure(cfg); err != nil {
		f.t.Fatal(err)
	}
}

// jarJob is a JAR job on the dedicated cluster whose config references a
// fresh resource; it returns both.
func (f *fx) jarJob(name string) (job, res string) {
	f.t.Helper()
	res = f.resource(name)
	job = f.job(name)
	f.config(job, M{"ResourceRefs": []M{{"ResourceId": res, "Version": 1, "Type": 1}}})
	f.advance(op) // the resource version syncs
	return job, res
}

func run(id string) M  { return M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}} }
func stop(id string) M { return M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}} }

func lost(l tenants.OceanusLost) tenants.Tenant {
	return tenants.Tenant{Oceanus: tenants.Oceanus{Lost: l}}
}

// tenantStateProbes: the faults of the account state PUT tenants sets.
var tenantStateProbes = map[string]probe{
	faults.OceanusUnsupportedIgnored: func(f *fx) bool {
		f.reconfigure(tenants.Tenant{UnsupportedActions: []string{"DescribeJobs", "CreateJob"}})
		// CreateJob does not document UnsupportedOperation: it is served.
		return f.code("DescribeJobs", M{}) == "UnsupportedOperation" &&
			f.code("CreateJob", M{"Name": "x", "JobType": 1, "ClusterType": 1}) == ""
	},
	faults.OceanusLostResourceRuns: func(f *fx) bool {
		job, res := f.jarJob("r")
		f.reconfigure(lost(tenants.OceanusLost{Resources: []string{res}}))
		return f.code("RunJobs", run(job)) == "ResourceNotFound.Resource"
	},
	faults.OceanusLostClusterNotFound: func(f *fx) bool {
		job, _ := f.jarJob("c")
		f.reconfigure(lost(tenants.OceanusLost{Clusters: []string{DedicatedClusterID}}))
		return f.code("RunJobs", run(job)) == "InvalidParameter.InvalidClusterId"
	},
	faults.OceanusStopLostIgnored: func(f *fx) bool {
		a, res := f.jarJob("a")
		b, _ := f.jarJob("b")
		f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": a, "RunType": 1}, {"JobId": b, "RunType": 1}}})
		f.advance(op)
		f.reconfigure(lost(tenants.OceanusLost{Resources: []string{res}}))
		byRes := f.code("StopJobs", stop(a))
		f.reconfigure(lost(tenants.OceanusLost{Clusters: []string{DedicatedClusterID}}))
		return byRes == "ResourceNotFound.ResourceNotExist" && f.code("StopJobs", stop(b)) == "InternalError.ResourceNotExist"
	},
	faults.OceanusLostConfigHidden: func(f *fx) bool {
		job, _ := f.jarJob("p")
		f.ok("RunJobs", run(job))
		f.reconfigure(lost(tenants.OceanusLost{PublishedConfigs: []string{job}}))
		return f.code("DescribeJobs", M{"JobIds": []string{job}}) == "ResourceUnavailable.GetJobPublishedJobConfig"
	},
	faults.OceanusLostResourceListed: func(f *fx) bool {
		res := f.resource("l")
		f.reconfigure(lost(tenants.OceanusLost{Resources: []string{res}}))
		return f.code("DescribeResources", M{"ResourceIds": []string{res}}) == "ResourceNotFound.ResourceConfig"
	},
	faults.OceanusDeleteLostVersions: func(f *fx) bool {
		res := f.resource("v")
		f.ok("CreateResourceConfig", M{"ResourceId": res, "ResourceLoc": jarLoc("v.jar")})
		f.reconfigure(lost(tenants.OceanusLost{Resources: []string{res}}))
		return f.code("DeleteResourceConfigs", M{"ResourceId": res, "ResourceConfigVersions": []int{1}}) == "ResourceUnavailable"
	},
	faults.OceanusUnlimitedSecretVars: func(f *fx) bool {
		f.reconfigure(tenants.Tenant{Oceanus: tenants.Oceanus{MaxSecretVariables: 1}})
		secret := func(n string) M {
			return M{"Name": n, "Value": "", "Type": 2, "ValueType": 1, "SecretRegion": "ap-guangzhou", "SecretName": "db", "SecretVersionId": "v1"}
		}
		f.ok("CreateVariable", secret("s1"))
		f.ok("CreateVariable", M{"Name": "plain", "Value": "x", "Type": 1}) // not a credential: not counted
		return f.code("CreateVariable", secret("s2")) == "LimitExceeded"
	},
	faults.OceanusSubAccountReadsAll: func(f *fx) bool {
		res := f.resource("mine")
		if _, err := f.reg.Reconfigure(tenants.Tenant{SecretID: "AKIDone", Oceanus: tenants.Oceanus{SubAccountOf: f.id}}); err != nil {
			f.t.Fatal(err)
		}
		sub := f.as("AKIDone")
		own := sub.resource("theirs")
		return sub.code("DescribeResourceConfigs", M{"ResourceId": res}) == "InvalidParameter.UinResourceNotMatch" &&
			sub.code("DescribeResourceConfigs", M{"ResourceId": own}) == "" &&
			f.code("DescribeResourceConfigs", M{"ResourceId": own}) == "" // the main account reads them all
	},
	faults.OceanusStoredParallelismSkip: func(f *fx) bool {
		job := f.job("par")
		v := f.config(job, M{"DefaultParallelism": 4})
		want := map[string]string{"x": "InvalidParameter.IllegalMaxParallelism", "99999": "InvalidParameter.MaxParallelismTooLarge",
			"2": "InvalidParameter.MaxParallelismTooSmall", "8": ""}
		for value, code := range want {
			f.reconfigure(tenants.Tenant{Oceanus: tenants.Oceanus{MaxParallelismChanges: []tenants.OceanusParallelismChange{{JobID: job, Version: v, Value: value}}}})
			if f.code("DescribeJobConfigs", M{"JobId": job}) != code {
				return false
			}
		}
		return true
	},
}

func init() {
	for name, p := range tenantStateProbes {
		probes[name] = p
	}
}

// TestTenantStateReadings: beside what the probes check, the configuration
// is the caller's, a sub-account works in its main account, and nothing
// lost means nothing refused.
func TestTenantStateReadings(t *testing.T) {
	f := newFx(t, tenants.Tenant{SecretID: "sub", SecretKey: "k", Oceanus: tenants.Oceanus{SubAccountOf: tenantID}})
	sub := f.as("sub")
	job, res := f.jarJob("shared")
	// The sub-account sees the main account's jobs (one AppId).
	if got := sub.ok("DescribeJobs", M{"JobIds": []string{job}})["TotalCount"]; got != float64(1) {
		t.Fatalf("the sub-account's DescribeJobs of the main account's job: TotalCount %v", got)
	}
	// A resource shows the Uin that created it; the owner is the main account.
	mine := sub.resource("sub-made")
	item := sub.ok("DescribeResources", M{"ResourceIds": []string{mine}})["ResourceSet"].([]any)[0].(map[string]any)
	mainItem := f.ok("DescribeResources", M{"ResourceIds": []string{res}})["ResourceSet"].([]any)[0].(map[string]any)
	if item["CreatorUin"] == mainItem["CreatorUin"] || item["OwnerUin"] != mainItem["OwnerUin"] || item["CreatorUin"] == "" {
		t.Fatalf("CreatorUin/OwnerUin: the sub-account's resource %v/%v, the main account's %v/%v",
			item["CreatorUin"], item["OwnerUin"], mainItem["CreatorUin"], mainItem["OwnerUin"])
	}
	// A lost resource configured on the main account does not refuse the
	// sub-account's calls: configuration is per tenant.
	f.reconfigure(lost(tenants.OceanusLost{Resources: []string{res}}))
	f.fails("RunJobs", run(job), "ResourceNotFound.Resource")
	sub.ok("RunJobs", run(job))
	f.advance(op)
	f.reconfigure(tenants.Tenant{})
	f.ok("StopJobs", stop(job))
	f.ok("DescribeResources", M{"ResourceIds": []string{res}})
}
