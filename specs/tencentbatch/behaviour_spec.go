package tencentbatch

// Behaviour specs over the lab's resources: idempotency (ClientToken),
// pagination, filters and ID lists of the Describe* actions, logs and
// input/output mappings, DesiredComputeNodeCount changes and RetryJobs over
// an ID list. Other processes may share the endpoint, so every listing is
// restricted to the lab's own resources (its tag, names or IDs).

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

func stBhFilter(name string, values ...string) map[string]any {
	return map[string]any{"Name": name, "Values": values}
}

// stBhPages lists every page of a Describe* action (limit items per page)
// and returns the IDs in page order plus the TotalCount of each page.
func stBhPages(t *harness.Target, action, setKey, idKey string, body map[string]any, limit int) (ids []string, totals []int64) {
	GinkgoHelper()
	for off := 0; ; off += limit {
		req := map[string]any{"Offset": off, "Limit": limit}
		for k, v := range body {
			req[k] = v
		}
		var out map[string]any
		Expect(stCall(t, action, req, &out)).To(Succeed(), "%s Offset %d Limit %d", action, off, limit)
		total, _ := out["TotalCount"].(float64)
		totals = append(totals, int64(total))
		set, _ := out[setKey].([]any)
		Expect(len(set)).To(BeNumerically("<=", limit), "%s Offset %d: a page holds at most Limit items", action, off)
		for _, it := range set {
			m, _ := it.(map[string]any)
			s, _ := m[idKey].(string)
			ids = append(ids, s)
		}
		if off+limit >= int(total) || len(set) == 0 || off > 1000 {
			if off+limit < int(total) {
				Fail(fmt.Sprintf("%s Offset %d: empty page before TotalCount %d was reached", action, off, int(total)))
			}
			return ids, totals
		}
	}
}

// stBhExpectPartition asserts that pages partition the full set: every
// TotalCount equals the full count, no duplicates, nothing missing.
func stBhExpectPartition(action string, paged []string, totals []int64, full []string) {
	GinkgoHelper()
	for i, tc := range totals {
		Expect(tc).To(BeEquivalentTo(len(full)), "%s page %d: TotalCount counts every match", action, i)
	}
	seen := map[string]int{}
	for _, id := range paged {
		seen[id]++
	}
	for id, n := range seen {
		Expect(n).To(Equal(1), "%s: %s appears on %d pages (pages overlap)", action, id, n)
	}
	Expect(paged).To(ConsistOf(full), "%s: the pages together hold exactly the matching items", action)
}

func stBhIDs(t *harness.Target, action, setKey, idKey string, body map[string]any) []string {
	GinkgoHelper()
	ids, _ := stBhPages(t, action, setKey, idKey, body, 100)
	return ids
}

func stBhDecodeLog(s string) []byte {
	GinkgoHelper()
	if i := strings.Index(s, ";base64,"); strings.HasPrefix(s, "data:") && i >= 0 {
		s = s[i+len(";base64,"):]
	}
	b, err := base64.StdEncoding.DecodeString(s)
	Expect(err).NotTo(HaveOccurred(), "a log is Base64 (optionally as a data: URL): %.80q", s)
	return b
}

func stBehaviourSpecs(lab func() *stLabT) {
	Describe("behaviour", func() {
		// ---- idempotency ----
		tokenIt := func(action, idKey, listAction, setKey, nameFilter string, body func(l *stLabT, name string) map[string]any, adopt func(l *stLabT, id string)) {
			item := id(action, fixtures.KindProtocol, "ClientToken.idempotent")
			harness.It(action+" with a repeated ClientToken returns the first ID and creates nothing", harness.Items(item), func() {
				t := harness.T(Dialect)
				l := lab()
				name := t.Name(fmt.Sprintf("tok-%s-%s", strings.ToLower(action), l.tagVal[len(l.tagVal)-6:]), 60)
				b := body(l, name)
				b["ClientToken"] = "bc-" + l.tagVal + "-" + action
				var first, second map[string]any
				Expect(stCall(t, action, b, &first)).To(Succeed())
				id1, _ := first[idKey].(string)
				adopt(l, id1)
				Expect(stCall(t, action, b, &second)).To(Succeed())
				id2, _ := second[idKey].(string)
				if id2 != id1 {
					adopt(l, id2)
				}
				harness.Check(item)
				Expect(id2).To(Equal(id1), "the same ClientToken must return the first call's %s", idKey)
				ids := stBhIDs(t, listAction, setKey, idKey, map[string]any{"Filters": []any{stBhFilter(nameFilter, name)}})
				Expect(ids).To(ConsistOf(id1), "%s %s=%s: exactly one resource was created", listAction, nameFilter, name)
			})
		}
		tokenIt("SubmitJob", "JobId", "DescribeJobs", "JobSet", "job-name", func(l *stLabT, name string) map[string]any {
			b := l.jobBody("x", []map[string]any{stTaskSpec("A", "echo a", stOnEnv(l.env(stScEnvZero)))}, nil)
			b["Job"].(map[string]any)["JobName"] = name
			return b
		}, (*stLabT).adoptJob)
		tokenIt("CreateComputeEnv", "EnvId", "DescribeComputeEnvs", "ComputeEnvSet", "env-name", func(l *stLabT, name string) map[string]any {
			b := l.envBody("x", 0, stImage, nil)
			b["ComputeEnv"].(map[string]any)["EnvName"] = name
			return b
		}, (*stLabT).adoptEnv)
		tokenIt("CreateCpmComputeEnv", "EnvId", "DescribeComputeEnvs", "ComputeEnvSet", "env-name", func(l *stLabT, name string) map[string]any {
			return map[string]any{"Placement": map[string]any{"Zone": l.zone}, "ComputeEnv": map[string]any{
				"EnvName": name, "DesiredComputeNodeCount": 0, "Tags": l.tags(),
				"EnvData": map[string]any{"Zones": []string{"ap-guangzhou-bls-1"}, "InstanceTypes": []string{"PS100v1"},
					"TimeUnit": "m", "TimeSpan": 1, "RaidId": 1, "OsTypeId": 1,
					"VirtualPrivateClouds": []map[string]string{{"VpcId": "vpc-1", "SubnetId": "subnet-1"}}}}}
		}, (*stLabT).adoptEnv)

		// ---- pagination, filters, ID lists ----
		harness.It("DescribeJobs pages partition the matching jobs (Offset/Limit/TotalCount)", harness.Items(id("DescribeJobs", fixtures.KindProtocol, "paging")), func() {
			t := harness.T(Dialect)
			l := lab()
			tag := map[string]any{"Filters": []any{stBhFilter("tag:"+l.tagKey, l.tagVal)}}
			full := stBhIDs(t, "DescribeJobs", "JobSet", "JobId", tag)
			harness.Check(id("DescribeJobs", fixtures.KindProtocol, "paging"))
			Expect(len(full)).To(BeNumerically(">", 5), "the lab's jobs (more than one page of 5)%s", l.problems())
			paged, totals := stBhPages(t, "DescribeJobs", "JobSet", "JobId", tag, 5)
			stBhExpectPartition("DescribeJobs", paged, totals, full)
			for _, j := range []string{l.job(stScDAG), l.job(stScInterr)} {
				Expect(full).To(ContainElement(j), "the tag filter finds every lab job")
			}
		})

		harness.It("DescribeJobs ANDs Filters, ORs their Values, and takes a JobIds list", harness.Items(id("DescribeJobs", fixtures.KindAction, "")), func() {
			t := harness.T(Dialect)
			l := lab()
			tagF := stBhFilter("tag:"+l.tagKey, l.tagVal)
			var all struct {
				JobSet []struct{ JobId, JobState, JobName string }
			}
			Expect(stCall(t, "DescribeJobs", map[string]any{"Filters": []any{tagF}, "Limit": 100}, &all)).To(Succeed())
			byState := map[string][]string{}
			for _, j := range all.JobSet {
				byState[j.JobState] = append(byState[j.JobState], j.JobId)
			}
			harness.Check(id("DescribeJobs", fixtures.KindAction, ""))
			Expect(byState["SUCCEED"]).NotTo(BeEmpty(), "the lab has succeeded jobs%s", l.problems())
			Expect(byState["FAILED"]).NotTo(BeEmpty(), "the lab has failed jobs%s", l.problems())
			got := stBhIDs(t, "DescribeJobs", "JobSet", "JobId", map[string]any{"Filters": []any{tagF, stBhFilter("job-state", "SUCCEED")}})
			Expect(got).To(ConsistOf(byState["SUCCEED"]), "tag AND job-state=SUCCEED")
			// TotalCount counts the matching jobs, not every job.
			var page struct {
				TotalCount int64
				JobSet     []struct{ JobId string }
			}
			Expect(stCall(t, "DescribeJobs", map[string]any{"Filters": []any{tagF, stBhFilter("job-state", "SUCCEED")}, "Limit": 1}, &page)).To(Succeed())
			Expect(page.TotalCount).To(BeEquivalentTo(len(byState["SUCCEED"])), "TotalCount of tag AND job-state=SUCCEED")
			got = stBhIDs(t, "DescribeJobs", "JobSet", "JobId", map[string]any{"Filters": []any{tagF, stBhFilter("job-state", "SUCCEED", "FAILED")}})
			Expect(got).To(ConsistOf(append(append([]string(nil), byState["SUCCEED"]...), byState["FAILED"]...)), "tag AND job-state in (SUCCEED, FAILED): the Values of one Filter are ORed")
			none := stBhIDs(t, "DescribeJobs", "JobSet", "JobId", map[string]any{"Filters": []any{tagF, stBhFilter("job-name", "no-such-"+l.tagVal)}})
			Expect(none).To(BeEmpty(), "a Filter that matches nothing empties the ANDed result")
			ids := []string{l.job(stScDAG), l.job(stScTimeout)}
			byID := stBhIDs(t, "DescribeJobs", "JobSet", "JobId", map[string]any{"JobIds": ids})
			Expect(byID).To(ConsistOf(ids), "JobIds lists exactly those jobs")
		})

		harness.It("DescribeComputeEnvs pages, filters and takes an EnvIds list", harness.Items(id("DescribeComputeEnvs", fixtures.KindAction, "")), func() {
			t := harness.T(Dialect)
			l := lab()
			tagF := stBhFilter("tag:"+l.tagKey, l.tagVal)
			full := stBhIDs(t, "DescribeComputeEnvs", "ComputeEnvSet", "EnvId", map[string]any{"Filters": []any{tagF}})
			harness.Check(id("DescribeComputeEnvs", fixtures.KindAction, ""))
			Expect(len(full)).To(BeNumerically(">=", 3), "the lab's live environments%s", l.problems())
			paged, totals := stBhPages(t, "DescribeComputeEnvs", "ComputeEnvSet", "EnvId", map[string]any{"Filters": []any{tagF}}, 2)
			stBhExpectPartition("DescribeComputeEnvs", paged, totals, full)
			zero, p0 := l.env(stScEnvZero), l.env(stScEnvPage+"-0")
			var names struct {
				ComputeEnvSet []struct{ EnvId, EnvName string }
			}
			Expect(stCall(t, "DescribeComputeEnvs", map[string]any{"EnvIds": []string{zero, p0}}, &names)).To(Succeed())
			Expect(names.ComputeEnvSet).To(HaveLen(2), "EnvIds lists exactly those environments")
			var ns []string
			for _, e := range names.ComputeEnvSet {
				ns = append(ns, e.EnvName)
			}
			got := stBhIDs(t, "DescribeComputeEnvs", "ComputeEnvSet", "EnvId", map[string]any{"Filters": []any{tagF, stBhFilter("env-name", ns...), stBhFilter("resource-type", "CVM")}})
			Expect(got).To(ConsistOf(zero, p0), "tag AND env-name in (two names) AND resource-type CVM")
			got = stBhIDs(t, "DescribeComputeEnvs", "ComputeEnvSet", "EnvId", map[string]any{"Filters": []any{tagF, stBhFilter("resource-type", "CPM")}})
			Expect(got).NotTo(ContainElements(zero, p0), "resource-type CPM excludes the CVM environments")
		})

		harness.It("DescribeTaskTemplates pages, filters and takes TaskTemplateIds; DeleteTaskTemplates takes a list",
			harness.Items(id("DescribeTaskTemplates", fixtures.KindAction, ""), id("DeleteTaskTemplates", fixtures.KindAction, "")), func() {
				t := harness.T(Dialect)
				l := lab()
				var ids, names []string
				for i := 0; i < 3; i++ {
					name := t.Name(fmt.Sprintf("bh-tpl%d-%s", i, l.tagVal[len(l.tagVal)-6:]), 60)
					var out struct{ TaskTemplateId string }
					Expect(stCall(t, "CreateTaskTemplate", map[string]any{"TaskTemplateName": name, "Tags": l.tags(),
						"TaskTemplateInfo": stTaskSpec("A", "echo a")}, &out)).To(Succeed())
					ids, names = append(ids, out.TaskTemplateId), append(names, name)
				}
				DeferCleanup(func() { _ = stCall(t, "DeleteTaskTemplates", map[string]any{"TaskTemplateIds": ids}, nil) })
				tagF := stBhFilter("tag:"+l.tagKey, l.tagVal)
				harness.Check(id("DescribeTaskTemplates", fixtures.KindAction, ""))
				paged, totals := stBhPages(t, "DescribeTaskTemplates", "TaskTemplateSet", "TaskTemplateId", map[string]any{"Filters": []any{tagF}}, 2)
				stBhExpectPartition("DescribeTaskTemplates", paged, totals, ids)
				got := stBhIDs(t, "DescribeTaskTemplates", "TaskTemplateSet", "TaskTemplateId",
					map[string]any{"Filters": []any{tagF, stBhFilter("task-template-name", names[0], names[2])}})
				Expect(got).To(ConsistOf(ids[0], ids[2]), "tag AND task-template-name in (first, third)")
				got = stBhIDs(t, "DescribeTaskTemplates", "TaskTemplateSet", "TaskTemplateId", map[string]any{"TaskTemplateIds": ids[:2]})
				Expect(got).To(ConsistOf(ids[0], ids[1]), "TaskTemplateIds lists exactly those templates")
				harness.Check(id("DeleteTaskTemplates", fixtures.KindAction, ""))
				Expect(stCall(t, "DeleteTaskTemplates", map[string]any{"TaskTemplateIds": ids[:2]}, nil)).To(Succeed())
				got = stBhIDs(t, "DescribeTaskTemplates", "TaskTemplateSet", "TaskTemplateId", map[string]any{"Filters": []any{tagF}})
				Expect(got).To(ConsistOf(ids[2]), "DeleteTaskTemplates deleted exactly the listed templates")
			})

		harness.It("DescribeTask filters instances by state and pages them", harness.Items(id("DescribeTask", fixtures.KindAction, "")), func() {
			t := harness.T(Dialect)
			l := lab()
			job := l.job(stScMulti)
			Expect(job).NotTo(BeEmpty(), "the multi-instance job%s", l.problems())
			q := func(extra map[string]any) ([]string, int64) {
				b := map[string]any{"JobId": job, "TaskName": "M"}
				for k, v := range extra {
					b[k] = v
				}
				var out stDescribeTask
				Expect(stCall(t, "DescribeTask", b, &out)).To(Succeed())
				var r []string
				for _, in := range out.TaskInstanceSet {
					r = append(r, fmt.Sprintf("%d:%s", in.TaskInstanceIndex, in.TaskInstanceState))
				}
				return r, out.TaskInstanceTotalCount
			}
			all, total := q(nil)
			harness.Check(id("DescribeTask", fixtures.KindAction, ""))
			Expect(all).To(HaveLen(3))
			Expect(total).To(BeEquivalentTo(3))
			want := map[string][]string{}
			for _, s := range all {
				st := s[strings.IndexByte(s, ':')+1:]
				want[st] = append(want[st], s)
			}
			if t.Emulator {
				Expect(want).To(HaveKey("SUCCEED"), "instance 0 exits 0: %v", all)
				Expect(want).To(HaveKey("FAILED"), "instances 1 and 2 exit non-zero: %v", all)
			}
			for st, ins := range want {
				got, n := q(map[string]any{"Filters": []any{stBhFilter("task-instance-state", st)}})
				Expect(got).To(ConsistOf(ins), "task-instance-state=%s", st)
				Expect(n).To(BeEquivalentTo(len(ins)), "TaskInstanceTotalCount counts the filtered instances")
			}
			both, _ := q(map[string]any{"Filters": []any{stBhFilter("task-instance-state", "SUCCEED", "FAILED")}})
			Expect(both).To(ConsistOf(all), "Values of one Filter are ORed")
			p1, n1 := q(map[string]any{"Offset": 0, "Limit": 2})
			p2, n2 := q(map[string]any{"Offset": 2, "Limit": 2})
			Expect(n1).To(BeEquivalentTo(3))
			Expect(n2).To(BeEquivalentTo(3))
			Expect(append(p1, p2...)).To(Equal(all), "Offset/Limit pages partition the instances in order")
		})

		// ---- logs and mappings ----
		harness.It("DescribeTaskLogs returns Base64 logs of at most 2048 bytes", harness.Items(id("DescribeTaskLogs", fixtures.KindProtocol, "log-encoding")), func() {
			t := harness.T(Dialect)
			l := lab()
			job := l.job(stScLogs)
			Expect(job).NotTo(BeEmpty(), "the logs job%s", l.problems())
			var out struct {
				TotalCount         int64
				TaskInstanceLogSet []struct {
					TaskInstanceIndex    int64
					StdoutLog, StderrLog string
				}
			}
			Expect(stCall(t, "DescribeTaskLogs", map[string]any{"JobId": job, "TaskName": "A"}, &out)).To(Succeed())
			harness.Check(id("DescribeTaskLogs", fixtures.KindProtocol, "log-encoding"))
			Expect(out.TaskInstanceLogSet).To(HaveLen(1))
			stdout := stBhDecodeLog(out.TaskInstanceLogSet[0].StdoutLog)
			stderr := stBhDecodeLog(out.TaskInstanceLogSet[0].StderrLog)
			Expect(len(stdout)).To(BeNumerically("<=", 2048), "StdoutLog is at most 2048 bytes once decoded (the task wrote %d)", stLogBulk)
			Expect(len(stdout)).To(BeNumerically(">", 0))
			if t.Emulator {
				Expect(string(stdout)).To(HaveSuffix("OUT-"+l.tagVal+"\n"), "the log keeps the latest output")
				Expect(string(stderr)).To(Equal("ERR-"+l.tagVal+"\n"), "StderrLog is the task's stderr")
			}
		})

		harness.It("maps inputs in, uploads outputs and stores redirected logs (emulator object store)", harness.Items(id("SubmitJob", fixtures.KindAction, "")), Label(fixtures.LabelEmulatorOnly), func() {
			t := harness.T(Dialect)
			t.RequireEmulator()
			l := lab()
			job := l.job(stScLogs)
			Expect(job).NotTo(BeEmpty(), "the logs job%s", l.problems())
			harness.Check(id("SubmitJob", fixtures.KindAction, ""))
			Expect(l.obs.last(job)).To(Equal("SUCCEED"), "the mapping job succeeds%s", l.problems())
			out, err := t.GetObject(l.bucket + "/out/out.txt")
			Expect(err).NotTo(HaveOccurred(), "OutputMappings uploads /mnt/output/ under its DestinationPath")
			Expect(string(out)).To(Equal("input-"+l.tagVal), "the task read its InputMapping and wrote it to its OutputMapping")
			objs, err := t.ListObjects(l.bucket + "/logs/")
			Expect(err).NotTo(HaveOccurred())
			var urls []string
			for _, o := range objs {
				urls = append(urls, o.URL)
			}
			sort.Strings(urls)
			stdoutURL := fmt.Sprintf("%s/logs/stdout.%s.A.0.log", l.bucket, job)
			Expect(urls).To(ContainElement(stdoutURL), "RedirectInfo stores stdout under the default name stdout.<jobId>.<task>.<index>.log")
			data, err := t.GetObject(stdoutURL)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(data)).To(HaveSuffix("OUT-" + l.tagVal + "\n"))
			Expect(len(data)).To(BeNumerically(">", stLogBulk), "the redirected log is the whole output")
		})

		// ---- environments and retries ----
		harness.It("ModifyComputeEnv scales out and in; TerminateComputeNode decrements DesiredComputeNodeCount",
			harness.Items(id("ModifyComputeEnv", fixtures.KindAction, ""), id("TerminateComputeNode", fixtures.KindAction, "")), func() {
				l := lab()
				env := l.env(stScEnvMain)
				harness.Check(id("ModifyComputeEnv", fixtures.KindAction, ""))
				Expect(env).NotTo(BeEmpty(), "the scaling env%s", l.problems())
				out, _ := l.getFact(stScEnvMain + ".desired-after-scale-out")
				Expect(out).To(BeEquivalentTo(2), "DesiredComputeNodeCount after a scale-out from 1 to 2%s", l.problems())
				Expect(l.nodesIn(env)).To(HaveLen(2), "the scale-out created a second node%s", l.problems())
				in, _ := l.getFact(stScEnvMain + ".desired-after-scale-in")
				Expect(in).To(BeEquivalentTo(0), "DesiredComputeNodeCount after a scale-in to 0")
				_, ok := stObserved(l, stNode, "RUNNING", "DELETING")
				Expect(ok).To(BeTrue(), "the scale-in deleted the RUNNING node%s", stHistories(l, stNode))
				harness.Check(id("TerminateComputeNode", fixtures.KindAction, ""))
				term, _ := l.getFact(stScEnvMain + ".desired-after-terminate")
				Expect(term).To(BeEquivalentTo(1), "TerminateComputeNode decrements DesiredComputeNodeCount (reference §3.2)")
			})

		harness.It("RetryJobs retries every FAILED job of its JobIds list", harness.Items(id("RetryJobs", fixtures.KindAction, "")), func() {
			t := harness.T(Dialect)
			l := lab()
			v, _ := l.getFact(stScDAGFail + ".retried")
			ids, _ := v.([]string)
			harness.Check(id("RetryJobs", fixtures.KindAction, ""))
			Expect(ids).NotTo(BeEmpty(), "RetryJobs was called%s", l.problems())
			if t.Emulator {
				Expect(ids).To(HaveLen(2), "two FAILED jobs in one request")
			}
			for _, j := range ids {
				// Polled, or notified when the whole rerun fell between two polls.
				Expect(l.entered(j, "FAILED")).To(Equal(2), "job %s failed, was retried (FAILED -> PENDING) and failed again: %s", j, func() string { e, _ := l.obs.entity(j); return e.path() }())
			}
		})
	})
}
