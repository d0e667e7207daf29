package tencentbatch

// The happy path of every action: a valid request (generators.Valid, with
// the IDs of resources made in BeforeAll) succeeds, and the response
// conforms to the documented schema (cat.CheckResponse: every documented
// field with its type, enums, time format) with a fresh UUID RequestId. The
// invariants that belong to one response are asserted where they appear:
// metrics equal the per-state counts (DescribeJob, DescribeTask,
// DescribeComputeEnv), TotalCount equals the items across all pages (list
// actions), EndTime is set iff the state is terminal, and
// DescribeJobSubmitInfo / DescribeComputeEnvCreateInfo echo the submission.
//
// The container is Ordered: destructive actions (terminate, delete, detach)
// run after the read-only ones on the same resources.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

var actionsUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

var (
	actionsSeenMu sync.Mutex
	actionsSeen   = map[string]bool{}
)

// actionsHappy sends a valid request and asserts the action item (accepted)
// and its schema item (conforming response, fresh RequestId). It returns the
// decoded Response.
func actionsHappy(t *harness.Target, action string, req map[string]any) map[string]any {
	GinkgoHelper()
	env := rulesSend(t, action, req)
	body, _ := json.Marshal(req)
	harness.Evidence(map[string]any{"action": action, "request": json.RawMessage(body), "response": json.RawMessage(env.Body)})
	harness.Check(id(action, fixtures.KindAction, ""))
	Expect(env.Code()).To(BeEmpty(), "%s with a valid request must succeed\n  request:  %s\n  response: %s", action, body, env.Body)
	harness.Check(id(action, fixtures.KindSchema, "response"))
	Expect(cat.CheckResponse(action, env.Body)).To(BeEmpty(), "%s response must conform to the documented schema: %s", action, env.Body)
	Expect(env.RequestID).To(MatchRegexp(actionsUUID.String()), "%s: RequestId is a UUID", action)
	actionsSeenMu.Lock()
	seen := actionsSeen[env.RequestID]
	actionsSeen[env.RequestID] = true
	actionsSeenMu.Unlock()
	Expect(seen).To(BeFalse(), "%s: RequestId %s was already returned by another call", action, env.RequestID)
	var out map[string]any
	raw, _ := json.Marshal(env.Response)
	Expect(json.Unmarshal(raw, &out)).To(Succeed())
	return out
}

func actionsItems(action string) harness.ItemList {
	return harness.Items(id(action, fixtures.KindAction, ""), id(action, fixtures.KindSchema, "response"))
}

func actionsRandomInstance() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "ins-" + hex.EncodeToString(b)
}

// actionsMetricsMatch asserts that a metrics object counts the states of set.
func actionsMetricsMatch(what string, metrics any, set []any, stateKey string, names map[string]string) {
	GinkgoHelper()
	m, ok := metrics.(map[string]any)
	Expect(ok).To(BeTrue(), "%s: metrics object missing", what)
	counts := map[string]float64{}
	for _, it := range set {
		s, _ := it.(map[string]any)[stateKey].(string)
		counts[s]++
	}
	for state, field := range names {
		Expect(m[field]).To(BeNumerically("==", counts[state]), "%s: %s must equal the number of %s items (%v)", what, field, state, counts)
	}
}

var actionsJobMetrics = map[string]string{
	"SUBMITTED": "SubmittedCount", "PENDING": "PendingCount", "RUNNABLE": "RunnableCount", "STARTING": "StartingCount",
	"RUNNING": "RunningCount", "SUCCEED": "SucceedCount", "FAILED_INTERRUPTED": "FailedInterruptedCount", "FAILED": "FailedCount",
}

var actionsNodeMetrics = map[string]string{
	"SUBMITTED": "SubmittedCount", "CREATING": "CreatingCount", "CREATION_FAILED": "CreationFailedCount", "CREATED": "CreatedCount",
	"RUNNING": "RunningCount", "DELETING": "DeletingCount", "ABNORMAL": "AbnormalCount",
}

// actionsEndTimeIffTerminal asserts EndTime is set iff state is SUCCEED or FAILED.
func actionsEndTimeIffTerminal(what string, obj map[string]any, stateKey string) {
	GinkgoHelper()
	state, _ := obj[stateKey].(string)
	end, _ := obj["EndTime"].(string)
	m, _ := cat.Machine("job")
	if m.IsTerminal(state) {
		Expect(end).NotTo(BeEmpty(), "%s: EndTime must be set in terminal state %s", what, state)
	} else {
		Expect(end).To(BeEmpty(), "%s: EndTime must be unset in state %s", what, state)
	}
}

// actionsPages lists all pages (Limit 1) and asserts TotalCount equals the
// items across them.
func actionsPages(t *harness.Target, action string, req map[string]any, setKey string) []any {
	GinkgoHelper()
	var all []any
	total := -1.0
	for off := 0; off < 50; off++ {
		r := generators.CloneMap(req)
		r["Offset"], r["Limit"] = off, 1
		out := actionsHappy(t, action, r)
		tc, _ := out["TotalCount"].(float64)
		if total >= 0 {
			Expect(tc).To(Equal(total), "%s: TotalCount must not change between pages", action)
		}
		total = tc
		set, _ := out[setKey].([]any)
		Expect(len(set)).To(BeNumerically("<=", 1), "%s: a page holds at most Limit items", action)
		all = append(all, set...)
		if len(set) == 0 || float64(off+1) >= tc {
			break
		}
	}
	Expect(float64(len(all))).To(Equal(total), "%s: TotalCount must equal the items across all pages", action)
	return all
}

func actionsJobWith(t *harness.Target, refs generators.Refs, name string, cmds ...string) map[string]any {
	req := generators.Valid(cat, "SubmitJob", refs)
	job := req["Job"].(map[string]any)
	job["JobName"] = t.Name(name, 60)
	tasks := job["Tasks"].([]any)
	for i, c := range cmds {
		if i < len(tasks) {
			tasks[i].(map[string]any)["Application"].(map[string]any)["Command"] = c
		}
	}
	if len(cmds) > 0 && len(cmds) < len(tasks) {
		job["Tasks"] = tasks[:len(cmds)]
	}
	return req
}

func actionsSubmit(t *harness.Target, req map[string]any) string {
	GinkgoHelper()
	env := rulesOK(t, "SubmitJob", req, nil)
	jid := rulesStr(env, "JobId")
	DeferCleanup(rulesDeleteJob, t, jid)
	return jid
}

func actionsEnv(t *harness.Target, refs generators.Refs, name string, desired int) (map[string]any, string) {
	GinkgoHelper()
	req := generators.Valid(cat, "CreateComputeEnv", refs)
	ce := req["ComputeEnv"].(map[string]any)
	ce["EnvName"] = t.Name(name, 60)
	ce["DesiredComputeNodeCount"] = desired
	env := rulesOK(t, "CreateComputeEnv", req, nil)
	eid := rulesStr(env, "EnvId")
	DeferCleanup(rulesDeleteEnv, t, eid)
	return req, eid
}

func actionsNodes(t *harness.Target, envID string) []map[string]any {
	env := rulesRaw(t, "DescribeComputeEnv", map[string]any{"EnvId": envID})
	var out struct{ ComputeNodeSet []map[string]any }
	raw, _ := json.Marshal(env.Response)
	_ = json.Unmarshal(raw, &out)
	return out.ComputeNodeSet
}

// actionsAwaitNodes polls until the env has n RUNNING nodes (pred filters).
func actionsAwaitNodes(t *harness.Target, envID string, n int, pred func(map[string]any) bool) []map[string]any {
	GinkgoHelper()
	var got []map[string]any
	Eventually(func() int {
		harness.StopIfStalled(t)
		got = nil
		for _, nd := range actionsNodes(t, envID) {
			if id, ok := nd["ComputeNodeId"].(string); ok {
				st, _ := nd["ComputeNodeState"].(string)
				t.ObserveKindState("compute-node", envID+"/"+id, st)
			}
			if nd["ComputeNodeState"] == "RUNNING" && (pred == nil || pred(nd)) {
				got = append(got, nd)
			}
		}
		return len(got)
	}).WithTimeout(30*time.Second).WithPolling(t.PollInterval()).Should(BeNumerically(">=", n), "env %s: %d RUNNING nodes", envID, n)
	return got
}

var _ = Describe("Tencent Batch actions", Ordered, ContinueOnFailure, func() {
	var (
		t                              *harness.Target
		refs                           generators.Refs
		jobReq                         map[string]any
		jobID, job2ID, failID, sleepID string
		envReq                         map[string]any
		envID, env2ID                  string
		tmplID, tmpl2ID                string
		attached                       string
	)

	BeforeAll(func() {
		t = harness.T(Dialect)
		refs = rulesRefsOf(t)
		jobReq = actionsJobWith(t, refs, "act-job")
		jobID = actionsSubmit(t, jobReq)
		job2ID = actionsSubmit(t, actionsJobWith(t, refs, "act-job2"))
		fail := actionsJobWith(t, refs, "act-fail", "exit 3")
		failID = actionsSubmit(t, fail)
		sleepID = actionsSubmit(t, actionsJobWith(t, refs, "act-sleep", "sleep 30", "sleep 30"))
		envReq, envID = actionsEnv(t, refs, "act-env", 2)
		_, env2ID = actionsEnv(t, refs, "act-env2", 0)
		for i, p := range []*string{&tmplID, &tmpl2ID} {
			req := generators.Valid(cat, "CreateTaskTemplate", refs)
			req["TaskTemplateName"] = t.Name(fmt.Sprintf("act-tmpl%d", i), 60)
			*p = rulesStr(rulesOK(t, "CreateTaskTemplate", req, nil), "TaskTemplateId")
			DeferCleanup(rulesDeleteTemplate, t, *p)
		}
		refs.JobID, refs.EnvID, refs.TemplateID, refs.TaskName = jobID, envID, tmplID, "A"
		rulesWaitJob(t, jobID, "SUCCEED", "FAILED")
		rulesWaitJob(t, job2ID, "SUCCEED", "FAILED")
		rulesWaitJob(t, failID, "FAILED")
		rulesWaitJob(t, sleepID, "RUNNING")
		actionsAwaitNodes(t, envID, 2, nil)
	})

	valid := func(action string) map[string]any { return generators.New(cat, refs, nil).Valid(action) }

	// ---- creation ----
	harness.It("SubmitJob accepts a valid job", actionsItems("SubmitJob"), func() {
		req := actionsJobWith(t, refs, "act-submit")
		out := actionsHappy(t, "SubmitJob", req)
		jid, _ := out["JobId"].(string)
		DeferCleanup(rulesDeleteJob, t, jid)
		Expect(jid).To(MatchRegexp(`^job-[a-z0-9]{8}$`))
	})
	harness.It("CreateComputeEnv accepts a valid environment", actionsItems("CreateComputeEnv"), func() {
		req := valid("CreateComputeEnv")
		req["ComputeEnv"].(map[string]any)["EnvName"] = t.Name("act-create-env", 60)
		req["ComputeEnv"].(map[string]any)["DesiredComputeNodeCount"] = 0
		out := actionsHappy(t, "CreateComputeEnv", req)
		eid, _ := out["EnvId"].(string)
		DeferCleanup(rulesDeleteEnv, t, eid)
		Expect(eid).To(MatchRegexp(`^env-[a-z0-9]{8}$`))
	})
	harness.It("CreateCpmComputeEnv accepts a valid bare-metal environment", actionsItems("CreateCpmComputeEnv"), func() {
		req := valid("CreateCpmComputeEnv")
		req["ComputeEnv"].(map[string]any)["EnvName"] = t.Name("act-cpm-env", 60)
		out := actionsHappy(t, "CreateCpmComputeEnv", req)
		eid, _ := out["EnvId"].(string)
		DeferCleanup(rulesDeleteEnv, t, eid)
		Expect(eid).To(MatchRegexp(`^env-[a-z0-9]{8}$`))
	})
	harness.It("CreateTaskTemplate accepts a valid template", actionsItems("CreateTaskTemplate"), func() {
		req := valid("CreateTaskTemplate")
		req["TaskTemplateName"] = t.Name("act-create-tmpl", 60)
		out := actionsHappy(t, "CreateTaskTemplate", req)
		tid, _ := out["TaskTemplateId"].(string)
		DeferCleanup(rulesDeleteTemplate, t, tid)
		Expect(tid).To(MatchRegexp(`^task-tmpl-[a-z0-9]{8}$`))
	})

	// ---- jobs (read-only) ----
	harness.It("DescribeJob: metrics equal the per-state counts, EndTime iff terminal", actionsItems("DescribeJob"), func() {
		out := actionsHappy(t, "DescribeJob", valid("DescribeJob"))
		Expect(out["JobId"]).To(Equal(jobID))
		actionsEndTimeIffTerminal("job "+jobID, out, "JobState")
		tasks, _ := out["TaskSet"].([]any)
		Expect(tasks).To(HaveLen(2), "the job has two tasks")
		for _, tk := range tasks {
			actionsEndTimeIffTerminal("task", tk.(map[string]any), "TaskState")
		}
		actionsMetricsMatch("TaskMetrics", out["TaskMetrics"], tasks, "TaskState", actionsJobMetrics)
		var sum float64
		for _, v := range out["TaskInstanceMetrics"].(map[string]any) {
			f, _ := v.(float64)
			sum += f
		}
		Expect(sum).To(BeNumerically("==", 2), "TaskInstanceMetrics count every instance (one per task)")
	})
	harness.It("DescribeJobs: TotalCount equals the items across pages, EndTime iff terminal", actionsItems("DescribeJobs"), func() {
		req := valid("DescribeJobs")
		req["JobIds"] = []string{jobID, job2ID}
		items := actionsPages(t, "DescribeJobs", req, "JobSet")
		Expect(items).To(HaveLen(2))
		for _, it := range items {
			actionsEndTimeIffTerminal("JobSet item", it.(map[string]any), "JobState")
		}
	})
	harness.It("DescribeJobSubmitInfo echoes the submission", actionsItems("DescribeJobSubmitInfo"), func() {
		out := actionsHappy(t, "DescribeJobSubmitInfo", valid("DescribeJobSubmitInfo"))
		sub := jobReq["Job"].(map[string]any)
		Expect(out["JobId"]).To(Equal(jobID))
		Expect(out["JobName"]).To(Equal(sub["JobName"]))
		got, _ := out["Tasks"].([]any)
		want := sub["Tasks"].([]any)
		Expect(got).To(HaveLen(len(want)))
		for i := range want {
			w, g := want[i].(map[string]any), got[i].(map[string]any)
			Expect(g["TaskName"]).To(Equal(w["TaskName"]), "task %d name", i)
			Expect(g["Application"].(map[string]any)["Command"]).To(Equal(w["Application"].(map[string]any)["Command"]), "task %d command", i)
			Expect(g["ComputeEnv"].(map[string]any)["EnvData"].(map[string]any)["InstanceType"]).
				To(Equal(w["ComputeEnv"].(map[string]any)["EnvData"].(map[string]any)["InstanceType"]), "task %d instance type", i)
		}
	})
	harness.It("DescribeTask: metrics equal the per-state counts, EndTime iff terminal", actionsItems("DescribeTask"), func() {
		out := actionsHappy(t, "DescribeTask", valid("DescribeTask"))
		Expect(out["TaskName"]).To(Equal("A"))
		actionsEndTimeIffTerminal("task A", out, "TaskState")
		set, _ := out["TaskInstanceSet"].([]any)
		Expect(out["TaskInstanceTotalCount"]).To(BeNumerically("==", len(set)))
		for _, in := range set {
			actionsEndTimeIffTerminal("task instance", in.(map[string]any), "TaskInstanceState")
		}
		actionsMetricsMatch("TaskInstanceMetrics", out["TaskInstanceMetrics"], set, "TaskInstanceState", actionsJobMetrics)
	})
	harness.It("DescribeTaskLogs: TotalCount equals the instances listed", actionsItems("DescribeTaskLogs"), func() {
		out := actionsHappy(t, "DescribeTaskLogs", valid("DescribeTaskLogs"))
		set, _ := out["TaskInstanceLogSet"].([]any)
		Expect(out["TotalCount"]).To(BeNumerically("==", len(set)))
		Expect(set).NotTo(BeEmpty())
	})
	harness.It("DescribeJobMonitorData answers for a task instance", actionsItems("DescribeJobMonitorData"), func() {
		actionsHappy(t, "DescribeJobMonitorData", valid("DescribeJobMonitorData"))
	})

	// ---- compute environments (read-only) ----
	harness.It("DescribeComputeEnv: metrics equal the per-state counts of the nodes", actionsItems("DescribeComputeEnv"), func() {
		out := actionsHappy(t, "DescribeComputeEnv", valid("DescribeComputeEnv"))
		Expect(out["EnvId"]).To(Equal(envID))
		set, _ := out["ComputeNodeSet"].([]any)
		actionsMetricsMatch("ComputeNodeMetrics", out["ComputeNodeMetrics"], set, "ComputeNodeState", actionsNodeMetrics)
	})
	harness.It("DescribeComputeEnvs: TotalCount equals the items across pages", actionsItems("DescribeComputeEnvs"), func() {
		req := valid("DescribeComputeEnvs")
		req["EnvIds"] = []string{envID, env2ID}
		Expect(actionsPages(t, "DescribeComputeEnvs", req, "ComputeEnvSet")).To(HaveLen(2))
	})
	harness.It("DescribeComputeEnvCreateInfo echoes the creation request", actionsItems("DescribeComputeEnvCreateInfo"), func() {
		out := actionsHappy(t, "DescribeComputeEnvCreateInfo", valid("DescribeComputeEnvCreateInfo"))
		ce := envReq["ComputeEnv"].(map[string]any)
		Expect(out["EnvId"]).To(Equal(envID))
		Expect(out["EnvName"]).To(Equal(ce["EnvName"]))
		Expect(out["DesiredComputeNodeCount"]).To(BeNumerically("==", 2))
		Expect(out["EnvData"].(map[string]any)["InstanceType"]).To(Equal(ce["EnvData"].(map[string]any)["InstanceType"]))
	})
	harness.It("DescribeComputeEnvCreateInfos: TotalCount equals the items across pages", actionsItems("DescribeComputeEnvCreateInfos"), func() {
		req := valid("DescribeComputeEnvCreateInfos")
		req["EnvIds"] = []string{envID, env2ID}
		Expect(actionsPages(t, "DescribeComputeEnvCreateInfos", req, "ComputeEnvCreateInfoSet")).To(HaveLen(2))
	})
	harness.It("DescribeComputeEnvActivities: TotalCount equals the items across pages", actionsItems("DescribeComputeEnvActivities"), func() {
		Expect(actionsPages(t, "DescribeComputeEnvActivities", valid("DescribeComputeEnvActivities"), "ActivitySet")).
			To(HaveLen(2), "one CREATE_COMPUTE_NODE activity per node")
	})

	// ---- static data ----
	for _, a := range []struct{ action, set string }{
		{"DescribeAvailableCvmInstanceTypes", "InstanceTypeConfigSet"},
		{"DescribeCvmZoneInstanceConfigInfos", "InstanceTypeQuotaSet"},
		{"DescribeInstanceCategories", "InstanceCategorySet"},
		{"DescribeCpmOsInfo", "OsInfoSet"},
	} {
		a := a
		harness.It(a.action+" lists its static data", actionsItems(a.action), func() {
			out := actionsHappy(t, a.action, valid(a.action))
			Expect(out[a.set]).NotTo(BeEmpty(), "%s: %s", a.action, a.set)
		})
	}

	// ---- templates ----
	harness.It("DescribeTaskTemplates: TotalCount equals the items across pages", actionsItems("DescribeTaskTemplates"), func() {
		req := valid("DescribeTaskTemplates")
		req["TaskTemplateIds"] = []string{tmplID, tmpl2ID}
		Expect(actionsPages(t, "DescribeTaskTemplates", req, "TaskTemplateSet")).To(HaveLen(2))
	})
	harness.It("ModifyTaskTemplate renames a template", actionsItems("ModifyTaskTemplate"), func() {
		req := valid("ModifyTaskTemplate")
		req["TaskTemplateName"] = t.Name("act-renamed", 60)
		actionsHappy(t, "ModifyTaskTemplate", req)
	})

	// ---- mutations ----
	harness.It("ModifyComputeEnv renames an environment", actionsItems("ModifyComputeEnv"), func() {
		req := valid("ModifyComputeEnv")
		req["EnvName"] = t.Name("act-env-renamed", 60)
		actionsHappy(t, "ModifyComputeEnv", req)
	})
	harness.It("AttachInstances attaches a CVM instance", actionsItems("AttachInstances"), func() {
		attached = actionsRandomInstance()
		r := refs
		r.InstanceID = attached
		actionsHappy(t, "AttachInstances", generators.New(cat, r, nil).Valid("AttachInstances"))
	})
	harness.It("DetachInstances detaches an attached instance", actionsItems("DetachInstances"), func() {
		if attached == "" {
			attached = actionsRandomInstance()
			rulesOK(t, "AttachInstances", map[string]any{"EnvId": envID, "Instances": []any{map[string]any{"InstanceId": attached}}}, nil)
		}
		actionsAwaitNodes(t, envID, 1, func(n map[string]any) bool { return n["ComputeNodeInstanceId"] == attached })
		r := refs
		r.InstanceID = attached
		actionsHappy(t, "DetachInstances", generators.New(cat, r, nil).Valid("DetachInstances"))
	})
	harness.It("TerminateComputeNode terminates a RUNNING node", actionsItems("TerminateComputeNode"), func() {
		nodes := actionsAwaitNodes(t, envID, 1, func(n map[string]any) bool { return n["ResourceOrigin"] != "USER_ATTACHED" })
		r := refs
		r.NodeID = nodes[0]["ComputeNodeId"].(string)
		actionsHappy(t, "TerminateComputeNode", generators.New(cat, r, nil).Valid("TerminateComputeNode"))
	})
	harness.It("TerminateComputeNodes terminates RUNNING nodes", actionsItems("TerminateComputeNodes"), func() {
		nodes := actionsAwaitNodes(t, envID, 1, func(n map[string]any) bool { return n["ResourceOrigin"] != "USER_ATTACHED" })
		r := refs
		r.NodeID = nodes[0]["ComputeNodeId"].(string)
		actionsHappy(t, "TerminateComputeNodes", generators.New(cat, r, nil).Valid("TerminateComputeNodes"))
	})
	harness.It("TerminateTaskInstance terminates a RUNNING instance", actionsItems("TerminateTaskInstance"), func() {
		rulesWaitJob(t, sleepID, "RUNNING")
		r := refs
		r.JobID = sleepID
		actionsHappy(t, "TerminateTaskInstance", generators.New(cat, r, nil).Valid("TerminateTaskInstance"))
	})
	harness.It("TerminateJob terminates a RUNNING job", actionsItems("TerminateJob"), func() {
		rulesWaitJob(t, sleepID, "RUNNING")
		r := refs
		r.JobID = sleepID
		actionsHappy(t, "TerminateJob", generators.New(cat, r, nil).Valid("TerminateJob"))
		rulesWaitJob(t, sleepID, "FAILED", "FAILED_INTERRUPTED")
		// "Has no effect while it is SUCCEED" (reference §3.1): accepted, and
		// the finished job stays SUCCEED (a terminal state never changes).
		state := func() string { return rulesStr(rulesRaw(t, "DescribeJob", map[string]any{"JobId": jobID}), "JobState") }
		Expect(state()).To(Equal("SUCCEED"), "job %s is the finished job of this container", jobID)
		r.JobID = jobID
		actionsHappy(t, "TerminateJob", generators.New(cat, r, nil).Valid("TerminateJob"))
		Consistently(state).WithTimeout(10*t.PollInterval()).WithPolling(t.PollInterval()).
			Should(Equal("SUCCEED"), "TerminateJob of SUCCEED job %s must have no effect", jobID)
	})
	harness.It("RetryJobs retries a FAILED job", actionsItems("RetryJobs"), func() {
		r := refs
		r.JobID = failID
		actionsHappy(t, "RetryJobs", generators.New(cat, r, nil).Valid("RetryJobs"))
	})
	harness.It("DeleteJob deletes a finished job", actionsItems("DeleteJob"), func() {
		r := refs
		r.JobID = job2ID
		actionsHappy(t, "DeleteJob", generators.New(cat, r, nil).Valid("DeleteJob"))
		// A deleted job is gone from every view, the single one included.
		Expect(rulesRaw(t, "DescribeJob", map[string]any{"JobId": job2ID}).Code()).To(Equal("ResourceNotFound.Job"),
			"DescribeJob of deleted job %s", job2ID)
	})
	harness.It("DeleteComputeEnv deletes an environment", actionsItems("DeleteComputeEnv"), func() {
		r := refs
		r.EnvID = env2ID
		actionsHappy(t, "DeleteComputeEnv", generators.New(cat, r, nil).Valid("DeleteComputeEnv"))
	})
	harness.It("DeleteTaskTemplates deletes a template", actionsItems("DeleteTaskTemplates"), func() {
		r := refs
		r.TemplateID = tmpl2ID
		actionsHappy(t, "DeleteTaskTemplates", generators.New(cat, r, nil).Valid("DeleteTaskTemplates"))
	})
})
