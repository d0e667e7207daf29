package oceanus

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// TestReadings checks the readings of readings.go, each against the case
// just inside it (accepted) and the one just outside (the documented code).
func TestReadings(t *testing.T) {
	f := newFx(t, tenants.Tenant{SecretID: "other", SecretKey: "k"})
	other := f.as("other")

	// Another tenant's IDs: "not yours", not "no such ID".
	theirs := other.job("theirs")
	f.fails("DescribeJobEvents", M{"JobId": theirs, "StartTimestamp": 0, "EndTimestamp": 2000000000}, "InvalidParameter.InvalidAppId")
	f.fails("DescribeJobEvents", M{"JobId": "cql-zzzzzzzz", "StartTimestamp": 0, "EndTimestamp": 2000000000}, "ResourceNotFound.Job")
	f.fails("DescribeJobRuntimeInfo", M{"JobId": theirs, "IncludeInfo": []string{"TaskManagers"}}, "InvalidParameter.InvalidAppId")

	// External catalogs: one is fine, two are not.
	sql := func(body string) string {
		return `{"SqlCode":"` + base64.StdEncoding.EncodeToString([]byte(body)) + `"}`
	}
	one := "CREATE CATALOG c1 WITH ('type' = 'hive');\nINSERT INTO c1.d.t SELECT 1;"
	two := "CREATE CATALOG c1 WITH ('type' = 'hive');\nCREATE CATALOG c2 WITH ('type' = 'jdbc');\nINSERT INTO c1.d.t SELECT 1;"
	hive := "CREATE CATALOG c1 WITH ('type' = 'hive');\nCREATE CATALOG c2 WITH ('type' = 'HIVE');\nINSERT INTO c1.d.t SELECT 1;"
	job := f.ok("CreateJob", M{"Name": "catalogs", "JobType": 1, "ClusterType": 1})["JobId"].(string)
	f.ok("CreateJobConfig", M{"JobId": job, "ProgramArgs": sql(one)})
	f.fails("CreateJobConfig", M{"JobId": job, "ProgramArgs": sql(two)}, "UnsupportedOperation.MultiExternalCatalogUnsupported")
	f.fails("CreateJobConfig", M{"JobId": job, "ProgramArgs": sql(hive)}, "UnsupportedOperation.MultiExternalEmrOrHiveCatalogUnsupported")

	// Meta tables keep their connector and its options.
	ddl := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tid := f.ok("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": 0, "SqlCode": ddl("CREATE TABLE m (a INT) WITH ('connector' = 'datagen')")})["TableId"]
	mod := func(cluster, s string) M {
		return M{"ClusterId": cluster, "TableId": fmt.Sprint(tid), "SqlCode": ddl(s), "FlinkVersion": "Flink-1.13", "WorkSpaceId": "", "Remark": ""}
	}
	f.ok("ModifyMetaTable", mod(DedicatedClusterID, "CREATE TABLE m (a INT, b INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5', 'fields.a.kind' = 'sequence')"))
	f.fails("ModifyMetaTable", mod(DedicatedClusterID, "CREATE TABLE m (a INT) WITH ('connector' = 'print')"), "FailedOperation.ModifyConnectorFailedOperation")
	f.fails("ModifyMetaTable", mod(DedicatedClusterID, "CREATE TABLE m (a INT) WITH ('connector' = 'datagen', 'no.such' = 'x')"), "InvalidParameter.UnsupportedOptions")
	f.fails("ModifyMetaTable", mod(StoppedClusterID, "CREATE TABLE m (a INT) WITH ('connector' = 'datagen')"), "FailedOperation.ClusterNotFound")

	// Renewal: up to 48 months ahead (the seeded cluster is paid one month ahead).
	f.ok("RenewOceanusCluster", M{"ClusterId": DedicatedClusterID, "Period": 36})
	f.ok("RenewOceanusCluster", M{"ClusterId": DedicatedClusterID, "Period": 11})
	f.fails("RenewOceanusCluster", M{"ClusterId": DedicatedClusterID, "Period": 1}, "LimitExceeded")

	// A WeData workspace is not changed through Oceanus; others are.
	wd := newFx(t, tenants.Tenant{SecretID: "wedata", SecretKey: "k", Oceanus: tenants.Oceanus{WedataWorkspaces: []string{"wd"}}}).as("wedata")
	ws := wd.ok("CreateWorkSpace", M{"WorkSpaceName": "wd"})["WorkSpaceId"].(string)
	wd.fails("ModifyWorkSpace", M{"WorkSpaceId": ws, "Description": "changed"}, "UnsupportedOperation")
	plain := wd.ok("CreateWorkSpace", M{"WorkSpaceName": "plain"})["WorkSpaceId"].(string)
	wd.ok("ModifyWorkSpace", M{"WorkSpaceId": plain, "Description": "changed"})

	// JAR jobs are not copied to the shared cluster; SQL jobs are.
	jar := f.ok("CreateJob", M{"Name": "jar", "JobType": 2, "ClusterType": 2, "ClusterId": DedicatedClusterID})["JobId"].(string)
	f.fails("CopyJobs", M{"JobItems": []M{{"SourceId": jar, "TargetClusterId": SharedClusterID}}}, "UnsupportedOperation")
	f.ok("CopyJobs", M{"JobItems": []M{{"SourceId": job, "TargetClusterId": SharedClusterID}}})

	// Unknown versions named explicitly.
	f.fails("DescribeJobConfigs", M{"JobId": job, "JobConfigVersions": []int{999}}, "ResourceNotFound")
	f.ok("DescribeJobConfigs", M{"JobId": job, "JobConfigVersions": []int{1}})
	f.fails("DescribeSystemResources", M{"ResourceIds": []string{"resource-zzzzzzzz"}}, "ResourceNotFound")
	f.fails("CreateResourceConfig", M{"ResourceId": "nosuch", "ResourceLoc": M{"StorageType": 1, "Param": M{"Bucket": "batchconform-1250000000", "Path": "/a.jar"}}}, "ResourceNotFound")

	// Tags: 50 bind, 51 do not.
	tags := func(n int) []M {
		var out []M
		for i := 0; i < n; i++ {
			out = append(out, M{"TagKey": fmt.Sprint("k", i), "TagValue": "v"})
		}
		return out
	}
	f.ok("CreateJob", M{"Name": "tags50", "JobType": 1, "ClusterType": 1, "Tags": tags(50)})
	f.fails("CreateJob", M{"Name": "tags51", "JobType": 1, "ClusterType": 1, "Tags": tags(51)}, "LimitExceeded")

	// A system resource takes no version from the user.
	f.fails("CreateResourceConfig", M{"ResourceId": "resource-sys00001", "ResourceLoc": M{"StorageType": 1, "Param": M{"Bucket": "batchconform-1250000000", "Path": "/a.jar"}}}, "InternalError.ResourceNotExist")
}

// TestRefundQuota: prepaid clusters deleted before they expire count
// against max_cluster_refunds; pay-as-you-go ones do not.
func TestRefundQuota(t *testing.T) {
	f := newFx(t, tenants.Tenant{SecretID: "refunds", SecretKey: "k", Oceanus: tenants.Oceanus{MaxClusterRefunds: 1}}).as("refunds")
	mk := func(name string, prepaid bool) string {
		p := M{"ClusterName": name, "ZoneId": 1, "RegionId": 1, "DefaultCOSBucket": "batchconform-1250000000", "CU": 12,
			"LoginPassword": "x", "VpcDescriptions": []M{{"VpcId": "vpc-1", "SubnetId": "subnet-1"}}}
		if prepaid {
			p["InstanceChargeType"], p["Period"] = "PREPAID", 1
		}
		return f.ok("CreateOceanusCluster", p)["ClusterId"].(string)
	}
	f.ok("DeleteOceanusCluster", M{"ClusterId": mk("postpaid", false)})
	f.ok("DeleteOceanusCluster", M{"ClusterId": mk("prepaid1", true)})
	f.fails("DeleteOceanusCluster", M{"ClusterId": mk("prepaid2", true)}, "LimitExceeded")
}

// Probes of the faults against these readings (TestOceanusFaults runs them
// clean and faulted).
func init() {
	sqlArgs := func(body string) string {
		return `{"SqlCode":"` + base64.StdEncoding.EncodeToString([]byte(body)) + `"}`
	}
	add := func(name string, p probe) {
		if _, dup := probes[name]; dup {
			panic("two probes for " + name)
		}
		probes[name] = p
	}
	add(faults.OceanusForeignIDsNotFound, func(f *fx) bool {
		theirs := f.as("AKIDone").ok("CreateJob", M{"Name": "theirs", "JobType": 1, "ClusterType": 1})["JobId"].(string)
		return f.code("DescribeJobEvents", M{"JobId": theirs, "StartTimestamp": 0, "EndTimestamp": 2000000000}) == "InvalidParameter.InvalidAppId"
	})
	add(faults.OceanusVanishedBucketIgnored, func(f *fx) bool {
		bc := f.ok("CreateOceanusCluster", M{"ClusterName": "b", "ZoneId": 1, "RegionId": 1, "DefaultCOSBucket": "ckpt-1250009999", "CU": 12,
			"LoginPassword": "x", "VpcDescriptions": []M{{"VpcId": "vpc-1", "SubnetId": "subnet-1"}}})["ClusterId"].(string)
		id := f.job("ckpt")
		f.config(id, M{"COSBucket": "ckpt-1250009999"})
		f.ok("DeleteOceanusCluster", M{"ClusterId": bc})
		return f.code("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}) == "ResourceNotFound.COSBucket"
	})
	add(faults.OceanusCatalogsUnchecked, func(f *fx) bool {
		id := f.ok("CreateJob", M{"Name": "cats", "JobType": 1, "ClusterType": 1})["JobId"].(string)
		two := "CREATE CATALOG a WITH ('type' = 'jdbc');\nCREATE CATALOG b WITH ('type' = 'jdbc');\nSELECT 1;"
		return f.code("CreateJobConfig", M{"JobId": id, "ProgramArgs": sqlArgs(two)}) == "UnsupportedOperation.MultiExternalCatalogUnsupported"
	})
	add(faults.OceanusMetaConnectorChange, func(f *fx) bool {
		ddl := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
		tid := f.ok("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": 0, "SqlCode": ddl("CREATE TABLE m (a INT) WITH ('connector' = 'datagen')")})["TableId"]
		return f.code("ModifyMetaTable", M{"ClusterId": DedicatedClusterID, "TableId": fmt.Sprint(tid), "FlinkVersion": "Flink-1.13", "WorkSpaceId": "", "Remark": "",
			"SqlCode": ddl("CREATE TABLE m (a INT) WITH ('connector' = 'print')")}) == "FailedOperation.ModifyConnectorFailedOperation"
	})
	add(faults.OceanusRenewUnlimited, func(f *fx) bool {
		return f.code("RenewOceanusCluster", M{"ClusterId": DedicatedClusterID, "Period": 36}) == "" &&
			f.code("RenewOceanusCluster", M{"ClusterId": DedicatedClusterID, "Period": 36}) == "LimitExceeded"
	})
	add(faults.OceanusUnlimitedTags, func(f *fx) bool {
		var tags []M
		for i := 0; i <= maxTags; i++ {
			tags = append(tags, M{"TagKey": fmt.Sprint("k", i), "TagValue": "v"})
		}
		return f.code("CreateJob", M{"Name": "tags", "JobType": 1, "ClusterType": 1, "Tags": tags}) == "LimitExceeded"
	})
	add(faults.OceanusUnlimitedRefunds, func(f *fx) bool {
		g := f.as("AKIDrefund")
		_ = g.reg.Put(tenants.Tenant{SecretID: "AKIDrefund", SecretKey: "k", Oceanus: tenants.Oceanus{MaxClusterRefunds: 1}})
		mk := func(name string) string {
			return g.ok("CreateOceanusCluster", M{"ClusterName": name, "ZoneId": 1, "RegionId": 1, "DefaultCOSBucket": "batchconform-1250000000", "CU": 12,
				"LoginPassword": "x", "VpcDescriptions": []M{{"VpcId": "vpc-1", "SubnetId": "subnet-1"}}, "InstanceChargeType": "PREPAID", "Period": 1})["ClusterId"].(string)
		}
		a, b := mk("a"), mk("b")
		return g.code("DeleteOceanusCluster", M{"ClusterId": a}) == "" && g.code("DeleteOceanusCluster", M{"ClusterId": b}) == "LimitExceeded"
	})
	add(faults.OceanusDeleteConnectorVer, func(f *fx) bool {
		loc := func(p string) M {
			return M{"StorageType": 1, "Param": M{"Bucket": "batchconform-1250000000", "Path": p}}
		}
		res := f.ok("CreateResource", M{"ResourceType": 1, "Name": "c.jar", "ResourceLoc": loc("/c.jar")})["ResourceId"].(string)
		f.ok("CreateResourceConfig", M{"ResourceId": res, "ResourceLoc": loc("/c2.jar")})
		f.ok("CreateConnector", M{"ResourceId": res, "VersionId": 2, "Connector": "c", "ConnectionMethod": "1", "WorkSpaceId": ""})
		return f.code("DeleteResourceConfigs", M{"ResourceId": res, "ResourceConfigVersions": []int{2}}) == "ResourceInUse"
	})
}
