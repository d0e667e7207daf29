package oceanus

// The error items provoked by account state the admin API sets on a tenant
// (catalog: Provoke.Config "PUT tenants …" or with placeholders): what the
// account lost outside the API, config versions changed outside it, SSM
// credential variables, sub-accounts. Each builds its situation in a tenant
// of its own, sets the state through PUT tenants once the things it names
// exist (emulator-only: skipped elsewhere) and asserts the documented code.
// The readings are inferred (level SHOULD); emulator/oceanus/tenantstate.go
// implements them.

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// putTenant sets the tenant's configuration to cfg (PUT tenants) and puts
// it back to the defaults when the spec ends, so the run's cleanup of what
// the spec made meets an account that lost nothing.
func putTenant(t *harness.Target, cfg map[string]any) {
	GinkgoHelper()
	t.ReconfigureTenantJSON(cfg)
	DeferCleanup(t.ReconfigureTenantJSON, map[string]any{})
}

// lostState is the tenant configuration of an account that lost ids
// (kind: clusters, resources or published_configs).
func lostState(kind string, ids ...string) map[string]any {
	return map[string]any{"oceanus": map[string]any{"lost": map[string]any{kind: ids}}}
}

// jarJob is a JAR job on the tenant's running dedicated cluster whose
// config (version 1) references a fresh resource.
func jarJob(t *harness.Target, name string) (job, res string) {
	GinkgoHelper()
	t.RequireEmulator()
	res, job = mkResource(t, name), mkJob(t, name, 2)
	ok(t, "CreateJobConfig", map[string]any{"JobId": job, "EntrypointClass": "com.example.Main",
		"ResourceRefs": []any{map[string]any{"ResourceId": res, "Version": 1, "Type": 1}}})
	return job, res
}

// runningJarJob is jarJob run until it is 4 (running); the run waits while
// the resource version syncs.
func runningJarJob(t *harness.Target, name string) (job, res string) {
	GinkgoHelper()
	job, res = jarJob(t, name)
	Eventually(func() string { return runJob(t, job, 1, 1).Code() }).WithTimeout(time.Minute).
		WithPolling(t.PollInterval()).Should(BeEmpty(), "run the job %s once its resource version synced", job)
	waitStatus(t, job, "4")
	return job, res
}

// parallelismChange: DescribeJobConfigs of a SQL job whose version 1
// (DefaultParallelism 4) had its pipeline.max-parallelism changed to value
// outside the API.
func parallelismChange(value string) func(t *harness.Target) *harness.Envelope {
	return func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		job := mkJob(t, "par", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job, "DefaultParallelism": 4})
		putTenant(t, map[string]any{"oceanus": map[string]any{"max_parallelism_changes": []any{
			map[string]any{"job_id": job, "version": 1, "value": value}}}})
		return raw(t, "DescribeJobConfigs", map[string]any{"JobId": job})
	}
}

var accountScenarios = []scenario{
	{"RunJobs", "ResourceNotFound.Resource", func(t *harness.Target) *harness.Envelope {
		job, res := jarJob(t, "lostpkg")
		putTenant(t, lostState("resources", res))
		return runJob(t, job, 1, 1)
	}},
	{"RunJobs", "InvalidParameter.InvalidClusterId", func(t *harness.Target) *harness.Envelope {
		job, _ := jarJob(t, "expired")
		putTenant(t, lostState("clusters", runningCluster(t)))
		return runJob(t, job, 1, 1)
	}},
	{"StopJobs", "ResourceNotFound.ResourceNotExist", func(t *harness.Target) *harness.Envelope {
		job, res := runningJarJob(t, "stoppkg")
		putTenant(t, lostState("resources", res))
		return stopJob(t, job, 1)
	}},
	{"StopJobs", "InternalError.ResourceNotExist", func(t *harness.Target) *harness.Envelope {
		job, _ := runningJarJob(t, "stopcl")
		putTenant(t, lostState("clusters", runningCluster(t)))
		return stopJob(t, job, 1)
	}},
	{"DescribeJobs", "ResourceUnavailable.GetJobPublishedJobConfig", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		job := mkJob(t, "published", 1)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(runJob(t, job, 1, 1).Code()).To(BeEmpty(), "run version 1 (it is published)")
		putTenant(t, lostState("published_configs", job))
		return raw(t, "DescribeJobs", map[string]any{"JobIds": []string{job}})
	}},
	{"DescribeResources", "ResourceNotFound.ResourceConfig", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		res := mkResource(t, "lostver")
		putTenant(t, lostState("resources", res))
		return send(t, "DescribeResources", map[string]any{"ResourceIds": []string{res}})
	}},
	{"DeleteResourceConfigs", "ResourceUnavailable", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		res := mkResource(t, "lostvers")
		cfg := map[string]any{"ResourceId": res, "ResourceLoc": cosLoc(t, "/r/lostvers2.jar")}
		stageCOS(t, cfg)
		ok(t, "CreateResourceConfig", cfg)
		putTenant(t, lostState("resources", res))
		return raw(t, "DeleteResourceConfigs", map[string]any{"ResourceId": res, "ResourceConfigVersions": []int{1}})
	}},
	{"CreateVariable", "LimitExceeded", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		putTenant(t, map[string]any{"oceanus": map[string]any{"max_secret_variables": 1}})
		secret := func(name string) map[string]any {
			return map[string]any{"Name": runName(t, name), "Value": "", "Type": 2, "ValueType": 1,
				"SecretRegion": t.Region, "SecretName": "batchconform-db", "SecretVersionId": "v1", "WorkSpaceId": defaultWorkSpace(t)}
		}
		ok(t, "CreateVariable", secret("cred_one"))
		ok(t, "CreateVariable", map[string]any{"Name": runName(t, "plain_one"), "Value": "x", "Type": 1, "WorkSpaceId": defaultWorkSpace(t)})
		return raw(t, "CreateVariable", secret("cred_two"))
	}},
	{"DescribeResourceConfigs", "InvalidParameter.UinResourceNotMatch", func(t *harness.Target) *harness.Envelope {
		t.RequireEmulator()
		res := mkResource(t, "mainuin")
		sub := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"sub_account_of": t.SecretID}})
		mine := mkResource(sub, "subuin")
		Expect(send(sub, "DescribeResourceConfigs", map[string]any{"ResourceId": mine}).Code()).To(BeEmpty(),
			"a sub-account reads the versions of its own resource")
		return send(sub, "DescribeResourceConfigs", map[string]any{"ResourceId": res})
	}},
	{"DescribeJobConfigs", "InvalidParameter.IllegalMaxParallelism", parallelismChange("x")},
	{"DescribeJobConfigs", "InvalidParameter.MaxParallelismTooLarge", parallelismChange("99999")},
	{"DescribeJobConfigs", "InvalidParameter.MaxParallelismTooSmall", parallelismChange("1")},
}

var _ = Describe("Oceanus error codes of account state (PUT tenants)", Label(fixtures.LabelEmulatorOnly), func() {
	provokeAll(accountScenarios)
})
