package oceanus

// The API 3.0 protocol as Oceanus serves it: the checks shared with every
// API 3.0 product (specs/api3proto) under Oceanus's own item IDs, with
// DescribeJobs as the light request (through SDK v1.0.162's client where a
// check wants the SDK), plus Oceanus's own protocol items: paging, config
// versions, CreateJob defaults, response times, and the 1,000-job and
// 100-config limits (against a tenant of their own).

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdk "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/oceanus/v20190422"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/api3proto"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = api3proto.Specs(api3proto.Product{
	Cat: cat, Version: harness.OceanusVersion, Service: "oceanus", Host: "oceanus.tencentcloudapi.com",
	Light: "DescribeJobs", LightBody: map[string]any{"Limit": 1}, LightFlat: url.Values{"Limit": {"1"}},
	Required: "DescribeJobConfigs", RequiredBody: map[string]any{"Limit": 1},
	SDK: func(t *harness.Target, o harness.ClientOptions) error {
		r := sdk.NewDescribeJobsRequest()
		r.Limit = common.Int64Ptr(1)
		_, err := t.Oceanus(o).DescribeJobs(r)
		return err
	},
	Other: "DescribeClusters",
	Unauthorized: func(t *harness.Target) (*harness.Envelope, string) {
		nt := t.NewTenantJSON(map[string]any{"oceanus": map[string]any{"refusals": map[string]string{"CreateJob": "AuthFailure.UnauthorizedOperation"}}})
		return raw(nt, "CreateJob", map[string]any{"Name": runName(nt, "cam"), "JobType": 1, "ClusterType": 1}), "AuthFailure.UnauthorizedOperation"
	},
	StateRefusal: func(t *harness.Target) (*harness.Envelope, string) {
		GinkgoHelper()
		job := harness.NonEmpty(ok(t, "CreateJob", map[string]any{"Name": t.Name("pr-busy", 49), "JobType": 1, "ClusterType": 1}), "JobId")
		DeferCleanup(deleteJob, t, job)
		ok(t, "CreateJobConfig", map[string]any{"JobId": job})
		Expect(runJob(t, job, 1, 0).Code()).To(BeEmpty())
		observe(t, job, "2", "4")
		return send(t, "DeleteJobs", map[string]any{"JobIds": []string{job}}), "ResourceUnavailable.NotAllowedToBeDeleted"
	},
})

func prID(subject, detail string) string { return id(subject, fixtures.KindProtocol, detail) }

var _ = Describe("Oceanus protocol", func() {
	harness.It("formats response times as YYYY-MM-DD hh:mm:ss", harness.Items(prID("envelope", "time-format")), func() {
		t := harness.T(Dialect)
		w := newWorld(t, "pr-time")
		env := raw(t, "DescribeJobs", map[string]any{"JobIds": []string{w.Job}})
		var set []map[string]any
		Expect(json.Unmarshal(env.Response["JobSet"], &set)).To(Succeed())
		Expect(set).To(HaveLen(1))
		harness.Check(prID("envelope", "time-format"))
		re := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
		for _, k := range []string{"CreateTime", "UpdateTime"} {
			v := harness.Str(set[0], k)
			Expect(re.MatchString(v)).To(BeTrue(), "%s %q is YYYY-MM-DD hh:mm:ss", k, v)
		}
		for _, k := range []string{"StartTime", "StopTime"} {
			if v, ok := set[0][k].(string); ok {
				Expect(re.MatchString(v)).To(BeTrue(), "%s %q of a job that never ran: null or a time, no placeholder", k, v)
			}
		}
	})

	harness.It("pages DescribeJobs with Offset/Limit: pages partition the set, TotalCount counts every match",
		harness.Items(prID("DescribeJobs", "paging")), func() {
			t := harness.T(Dialect).NewTenant(harness.TenantConfig{})
			for i := 0; i < 5; i++ {
				ok(t, "CreateJob", map[string]any{"Name": runName(t, fmt.Sprintf("page%d", i)), "JobType": 1, "ClusterType": 1})
			}
			harness.Check(prID("DescribeJobs", "paging"))
			seen := map[string]bool{}
			for off := 0; off < 5; off += 2 {
				r := ok(t, "DescribeJobs", map[string]any{"Offset": off, "Limit": 2})
				Expect(r["TotalCount"]).To(BeNumerically("==", 5), "TotalCount counts every job")
				for _, j := range harness.Objects(r, "JobSet") {
					jid := harness.Str(j, "JobId")
					Expect(seen[jid]).To(BeFalse(), "job %s on two pages", jid)
					seen[jid] = true
				}
			}
			Expect(seen).To(HaveLen(5), "the pages cover every job")
		})

	harness.It("counts config versions: 1, 2, …; DescribeJobConfigs pages them; LatestJobConfigVersion follows",
		harness.Items(prID("CreateJobConfig", "versions-counted"), prID("DescribeJobConfigs", "paging")), func() {
			t := harness.T(Dialect)
			job := harness.NonEmpty(ok(t, "CreateJob", map[string]any{"Name": t.Name("pr-versions", 49), "JobType": 1, "ClusterType": 1}), "JobId")
			DeferCleanup(deleteJob, t, job)
			harness.Check(prID("CreateJobConfig", "versions-counted"))
			for v := 1; v <= 3; v++ {
				r := ok(t, "CreateJobConfig", map[string]any{"JobId": job})
				Expect(r["Version"]).To(BeNumerically("==", v), "the %d. config is version %d", v, v)
			}
			_, j := jobStatus(t, job)
			Expect(j["LatestJobConfigVersion"]).To(BeNumerically("==", 3))
			harness.Check(prID("DescribeJobConfigs", "paging"))
			all := map[float64]bool{}
			for off := 0; off < 3; off += 2 {
				r := ok(t, "DescribeJobConfigs", map[string]any{"JobId": job, "Offset": off, "Limit": 2})
				Expect(r["TotalCount"]).To(BeNumerically("==", 3))
				for _, c := range harness.Objects(r, "JobConfigSet") {
					all[harness.Num(c, "Version")] = true
				}
			}
			Expect(all).To(HaveLen(3), "the pages cover every version")
		})

	harness.It("creates a job in status 1 with CuMem 4 by default", harness.Items(prID("CreateJob", "defaults")), func() {
		t := harness.T(Dialect)
		job := harness.NonEmpty(ok(t, "CreateJob", map[string]any{"Name": t.Name("pr-defaults", 49), "JobType": 1, "ClusterType": 1}), "JobId")
		DeferCleanup(deleteJob, t, job)
		harness.Check(prID("CreateJob", "defaults"))
		s, j := jobStatus(t, job)
		Expect(s).To(Equal("1"))
		Expect(j["CuMem"]).To(BeNumerically("==", 4), "CuMem defaults to 4 (seed 004)")
	})

	harness.It("refuses the 1,001st job of an AppId with LimitExceeded.Job", harness.Items(prID("limit", "jobs-1000"), errID("CreateJob", "LimitExceeded.Job")), func() {
		t := harness.T(Dialect)
		t.RequireEmulator()
		t = t.NewTenant(harness.TenantConfig{})
		for i := 0; i < 1000; i++ {
			env := raw(t, "CreateJob", map[string]any{"Name": runName(t, fmt.Sprintf("j%d", i)), "JobType": 1, "ClusterType": 1})
			Expect(env.Code()).To(BeEmpty(), "job %d of 1000: %s", i+1, env.Body)
		}
		harness.Check(prID("limit", "jobs-1000"))
		harness.Check(errID("CreateJob", "LimitExceeded.Job"))
		env := raw(t, "CreateJob", map[string]any{"Name": runName(t, "j1000"), "JobType": 1, "ClusterType": 1})
		Expect(env.Code()).To(Equal("LimitExceeded.Job"), "%s", env.Body)
	})

	harness.It("holds at most 100 config versions per job unless AutoDelete drops the oldest",
		harness.Items(prID("limit", "job-configs-100"), errID("CreateJobConfig", "LimitExceeded.JobConfig")), func() {
			t := harness.T(Dialect)
			t.RequireEmulator()
			job := harness.NonEmpty(ok(t, "CreateJob", map[string]any{"Name": t.Name("pr-100", 49), "JobType": 1, "ClusterType": 1}), "JobId")
			DeferCleanup(deleteJob, t, job)
			for i := 0; i < 100; i++ {
				Expect(raw(t, "CreateJobConfig", map[string]any{"JobId": job}).Code()).To(BeEmpty(), "config %d", i+1)
			}
			harness.Check(prID("limit", "job-configs-100"))
			harness.Check(errID("CreateJobConfig", "LimitExceeded.JobConfig"))
			env := raw(t, "CreateJobConfig", map[string]any{"JobId": job})
			Expect(env.Code()).To(Equal("LimitExceeded.JobConfig"), "%s", env.Body)
			env = raw(t, "CreateJobConfig", map[string]any{"JobId": job, "AutoDelete": 1})
			Expect(env.Code()).To(BeEmpty(), "AutoDelete 1 drops the oldest deletable version: %s", env.Body)
			r := ok(t, "DescribeJobConfigs", map[string]any{"JobId": job, "Limit": 1})
			Expect(r["TotalCount"]).To(BeNumerically("==", 100))
		})
	_ = time.Second
})
