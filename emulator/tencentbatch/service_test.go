package tencentbatch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
)

const (
	tenantID = "AKIDtenant0000000000000000000001"
	zone     = "ap-guangzhou-2"
	region   = "ap-guangzhou"
)

// fx is one façade over a deterministic engine (manual clock, simulated
// executor): nothing moves unless the test advances the clock.
type fx struct {
	t   *testing.T
	s   *Service
	eng *engine.Engine
	reg *tenants.Registry
	// covered records the actions that answered successfully (for the
	// every-action test).
	mu      sync.Mutex
	covered map[string]bool
}

func newFx(t *testing.T, faultNames ...string) *fx {
	t.Helper()
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: tenantID, SecretKey: "key-not-a-secret"})
	fs, err := faults.NewSet(faultNames...)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{
		Clock:    engine.NewManualClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)),
		Executor: engine.ExecutorSimulated,
		Tenants:  reg,
		Faults:   fs,
		Seed:     7,
	})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	return &fx{t: t, s: New(eng, reg, fs), eng: eng, reg: reg, covered: map[string]bool{}}
}

// tenant adds a tenant with its own configuration and returns its SecretId.
func (f *fx) tenant(tmpl tenants.Tenant) string {
	f.t.Helper()
	tn, err := f.reg.New(tmpl)
	if err != nil {
		f.t.Fatal(err)
	}
	return tn.SecretID
}

// request builds an api3.Request as the protocol layer hands it over.
func request(secretID, action, body string) *api3.Request {
	if body == "" {
		body = "{}"
	}
	r := &api3.Request{
		Action: action, Version: "2017-03-12", Region: region, SecretID: secretID, Method: "POST",
		RequestID: "00000000-0000-4000-8000-000000000000", SignMethod: "TC3-HMAC-SHA256", Host: "batch.tencentcloudapi.com",
	}
	if err := r.SetJSONBody([]byte(body)); err != nil {
		panic(fmt.Sprintf("bad test body for %s: %v", action, err))
	}
	return r
}

// callAs runs an action and returns the enveloped response body, as the
// protocol layer would write it, or the API error.
func (f *fx) callAs(secretID, action, body string) ([]byte, *api3.Error) {
	f.t.Helper()
	resp, aerr := f.s.Handle(context.Background(), request(secretID, action, body))
	if aerr != nil {
		return nil, aerr
	}
	b, err := json.Marshal(resp)
	if err != nil {
		f.t.Fatalf("%s: marshal response: %v", action, err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		f.t.Fatalf("%s: response is not an object: %s", action, b)
	}
	m["RequestId"] = json.RawMessage(`"00000000-0000-4000-8000-000000000000"`)
	env, _ := json.Marshal(map[string]any{"Response": m})
	f.mu.Lock()
	f.covered[action] = true
	f.mu.Unlock()
	checkSchema(f.t, action, env)
	return env, nil
}

func (f *fx) call(action, body string) ([]byte, *api3.Error) {
	f.t.Helper()
	return f.callAs(tenantID, action, body)
}

// ok calls and fails the test on an API error; it returns Response decoded.
func (f *fx) ok(action, body string) map[string]any {
	f.t.Helper()
	env, aerr := f.call(action, body)
	if aerr != nil {
		f.t.Fatalf("%s %s: unexpected error %s", action, body, aerr)
	}
	return response(f.t, env)
}

func response(t *testing.T, env []byte) map[string]any {
	t.Helper()
	var v struct{ Response map[string]any }
	d := json.NewDecoder(bytes.NewReader(env))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", env, err)
	}
	return v.Response
}

// fails calls and asserts the API error code.
func (f *fx) fails(secretID, action, body, code string) {
	f.t.Helper()
	_, aerr := f.callAs(secretID, action, body)
	if aerr == nil {
		f.t.Fatalf("%s %s: want %s, got success", action, body, code)
	}
	if aerr.Code != code {
		f.t.Fatalf("%s %s: want %s, got %s (%s)", action, body, code, aerr.Code, aerr.Message)
	}
	if aerr.Message == "" {
		f.t.Errorf("%s: error %s without message", action, code)
	}
}

// checkSchema checks a response against the real catalog.
func checkSchema(t *testing.T, action string, env []byte) {
	t.Helper()
	cat := New(nil, nil, nil).Catalog()
	if len(cat.Actions) == 0 {
		t.Logf("schema check of %s skipped: the catalog has no actions yet", action)
		return
	}
	for _, p := range cat.CheckResponse(action, env) {
		t.Errorf("schema: %s: %s\n%s", action, p, env)
	}
}

// advanceUntil advances the manual clock in small steps until cond holds.
func (f *fx) advanceUntil(what string, cond func() bool) {
	f.t.Helper()
	for i := 0; i < 5000; i++ {
		if cond() {
			return
		}
		if err := f.eng.Advance(50 * time.Millisecond); err != nil {
			f.t.Fatal(err)
		}
	}
	f.t.Fatalf("timed out (in emulator time) waiting for %s", what)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return i
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// dagJob is a two-task DAG (A -> B) of echo commands.
func dagJob(name string, extra string) string {
	return fmt.Sprintf(`{"Placement":{"Zone":%q},%s"Job":{"JobName":%q,"Priority":3,
	 "Tags":[{"Key":"team","Value":"x"}],
	 "Tasks":[
	  {"TaskName":"A","TaskInstanceNum":2,"Application":{"DeliveryForm":"LOCAL","Command":"echo hello-$BATCH_TASK_INSTANCE_INDEX"},
	   "ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}},
	   "RedirectInfo":{"StdoutRedirectPath":"cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/logs/","StderrRedirectPath":"cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/logs/"},
	   "EnvVars":[{"Name":"K","Value":"V"}],"MaxRetryCount":1,"FailedAction":"TERMINATE","Timeout":600},
	  {"TaskName":"B","Application":{"DeliveryForm":"LOCAL","Command":"echo world"},
	   "ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}}],
	 "Dependences":[{"StartTask":"A","EndTask":"B"}],
	 "Notifications":[{"TopicName":"topic1","EventConfigs":[{"EventName":"JOB_SUCCEED","EventVars":[{"Name":"k","Value":"v"}]}]}]}}`,
		zone, extra, name)
}

func (f *fx) submit(body string) string {
	f.t.Helper()
	id := str(f.ok("SubmitJob", body)["JobId"])
	if !strings.HasPrefix(id, "job-") || len(id) != len("job-xxxxxxxx") {
		f.t.Fatalf("JobId %q is not job-xxxxxxxx", id)
	}
	return id
}

func (f *fx) jobState(id string) string {
	f.t.Helper()
	return str(f.ok("DescribeJob", fmt.Sprintf(`{"JobId":%q}`, id))["JobState"])
}

func (f *fx) waitJob(id string, states ...string) {
	f.t.Helper()
	f.advanceUntil("job "+id+" in "+strings.Join(states, "|"), func() bool {
		return contains(states, f.jobState(id))
	})
}

// assertJobInvariants checks the schema invariants of DescribeJob: metrics
// equal the per-state counts; EndTime set iff terminal.
func assertJobInvariants(t *testing.T, r map[string]any) {
	t.Helper()
	terminal := func(s string) bool { return s == "SUCCEED" || s == "FAILED" }
	if (r["EndTime"] != nil) != terminal(str(r["JobState"])) {
		t.Errorf("job %s: EndTime %v", r["JobState"], r["EndTime"])
	}
	counts := map[string]int64{}
	for _, tv := range list(r["TaskSet"]) {
		tm := obj(tv)
		counts[str(tm["TaskState"])]++
		if (tm["EndTime"] != nil) != terminal(str(tm["TaskState"])) {
			t.Errorf("task %s %s: EndTime %v", tm["TaskName"], tm["TaskState"], tm["EndTime"])
		}
	}
	metricNames := map[string]string{
		"SUBMITTED": "SubmittedCount", "PENDING": "PendingCount", "RUNNABLE": "RunnableCount",
		"STARTING": "StartingCount", "RUNNING": "RunningCount", "SUCCEED": "SucceedCount",
		"FAILED": "FailedCount", "FAILED_INTERRUPTED": "FailedInterruptedCount",
	}
	m := obj(r["TaskMetrics"])
	for st, name := range metricNames {
		if got := num(t, m[name]); got != counts[st] {
			t.Errorf("TaskMetrics.%s = %d, want %d", name, got, counts[st])
		}
	}
}

func TestSubmitDescribeLogs(t *testing.T) {
	f := newFx(t)
	id := f.submit(dagJob("dag", ""))

	first := f.ok("DescribeJob", fmt.Sprintf(`{"JobId":%q}`, id))
	assertJobInvariants(t, first)
	seen := map[string]bool{}
	f.advanceUntil("job end", func() bool {
		r := f.ok("DescribeJob", fmt.Sprintf(`{"JobId":%q}`, id))
		assertJobInvariants(t, r)
		seen[str(r["JobState"])] = true
		return str(r["JobState"]) == "SUCCEED" || str(r["JobState"]) == "FAILED"
	})
	if !seen["SUCCEED"] || !seen["RUNNING"] {
		t.Fatalf("states seen %v, want RUNNING then SUCCEED", seen)
	}
	r := f.ok("DescribeJob", fmt.Sprintf(`{"JobId":%q}`, id))
	if str(r["JobName"]) != "dag" || num(t, r["Priority"]) != 3 || str(r["Zone"]) != zone {
		t.Errorf("DescribeJob echo: %v", r)
	}
	if deps := list(r["DependenceSet"]); len(deps) != 1 || str(obj(deps[0])["StartTask"]) != "A" || str(obj(deps[0])["EndTask"]) != "B" {
		t.Errorf("DependenceSet = %v", deps)
	}
	if im := obj(r["TaskInstanceMetrics"]); num(t, im["SucceedCount"]) != 3 {
		t.Errorf("TaskInstanceMetrics = %v, want 3 succeeded", im)
	}

	task := f.ok("DescribeTask", fmt.Sprintf(`{"JobId":%q,"TaskName":"A"}`, id))
	if num(t, task["TaskInstanceTotalCount"]) != 2 || len(list(task["TaskInstanceSet"])) != 2 {
		t.Fatalf("DescribeTask A: %v", task)
	}
	in0 := obj(list(task["TaskInstanceSet"])[0])
	if num(t, in0["ExitCode"]) != 0 || in0["EndTime"] == nil || in0["RunningTime"] == nil {
		t.Errorf("instance 0: %v", in0)
	}
	if ri := obj(in0["RedirectInfo"]); !strings.HasPrefix(str(ri["StdoutRedirectPath"]), "cos://") {
		t.Errorf("RedirectInfo = %v", ri)
	}

	logs := f.ok("DescribeTaskLogs", fmt.Sprintf(`{"JobId":%q,"TaskName":"B"}`, id))
	set := list(logs["TaskInstanceLogSet"])
	if num(t, logs["TotalCount"]) != 1 || len(set) != 1 {
		t.Fatalf("DescribeTaskLogs: %v", logs)
	}
	if out := decodeLog(t, str(obj(set[0])["StdoutLog"])); !strings.Contains(out, "world") {
		t.Errorf("stdout of B = %q, want world", out)
	}
	logs = f.ok("DescribeTaskLogs", fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskInstanceIndexes":[1]}`, id))
	if set := list(logs["TaskInstanceLogSet"]); len(set) != 1 || num(t, obj(set[0])["TaskInstanceIndex"]) != 1 {
		t.Fatalf("DescribeTaskLogs by index: %v", logs)
	}

	info := f.ok("DescribeJobSubmitInfo", fmt.Sprintf(`{"JobId":%q}`, id))
	tasks := list(info["Tasks"])
	if str(info["JobId"]) != id || str(info["JobName"]) != "dag" || len(tasks) != 2 {
		t.Fatalf("DescribeJobSubmitInfo: %v", info)
	}
	b := obj(tasks[1])
	if str(b["TaskName"]) != "B" || num(t, b["TaskInstanceNum"]) != 1 || str(obj(b["Application"])["Command"]) != "echo world" {
		t.Errorf("echoed task B = %v", b)
	}
	if a := obj(tasks[0]); num(t, a["MaxRetryCount"]) != 1 || str(obj(obj(a["ComputeEnv"])["EnvData"])["InstanceType"]) != "S1.SMALL1" {
		t.Errorf("echoed task A = %v", a)
	}
	if len(list(info["Dependences"])) != 1 || len(list(info["Tags"])) != 1 {
		t.Errorf("echoed Dependences/Tags: %v", info)
	}

	evs := f.eng.Events(tenantID, 0)
	found := false
	for _, e := range evs {
		if e.Name == "JOB_SUCCEED" && e.Topic == "topic1" && e.Resource == id {
			found = true
		}
	}
	if !found {
		t.Errorf("no JOB_SUCCEED event on topic1 recorded: %+v", evs)
	}

	mon := f.ok("DescribeJobMonitorData", fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskInstanceIndex":0,"MetricName":"CpuUsage"}`, id))
	dp := obj(mon["DataPoints"])
	if num(t, mon["Period"]) != monitorPeriods[0] || len(list(dp["Timestamps"])) != len(list(dp["Values"])) || len(list(dp["Timestamps"])) == 0 {
		t.Errorf("DescribeJobMonitorData: %v", mon)
	}
}

func decodeLog(t *testing.T, s string) string {
	t.Helper()
	if !strings.HasPrefix(s, logPrefix) {
		t.Fatalf("log %q lacks the documented prefix", s)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, logPrefix))
	if err != nil {
		t.Fatalf("log %q: %v", s, err)
	}
	return string(b)
}

func TestFailingCommand(t *testing.T) {
	f := newFx(t)
	id := f.submit(fmt.Sprintf(`{"Placement":{"Zone":%q},"Job":{"JobName":"bad","Tasks":[{"TaskName":"t",
	 "Application":{"DeliveryForm":"LOCAL","Command":"echo oops; exit 3"},
	 "ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1"}}}]}}`, zone))
	f.waitJob(id, "FAILED", "SUCCEED")
	if st := f.jobState(id); st != "FAILED" {
		t.Fatalf("job state %s, want FAILED", st)
	}
	task := f.ok("DescribeTask", fmt.Sprintf(`{"JobId":%q,"TaskName":"t"}`, id))
	if in := obj(list(task["TaskInstanceSet"])[0]); num(t, in["ExitCode"]) != 3 || str(in["TaskInstanceState"]) != "FAILED" {
		t.Errorf("instance: %v", in)
	}
	// A FAILED job may be retried and deleted; RetryJobs takes it back.
	// (The job has just become FAILED: the engine resets it when the FAILED
	// hold ends, so the job re-enters PENDING shortly after RetryJobs.)
	f.ok("RetryJobs", fmt.Sprintf(`{"JobIds":[%q]}`, id))
	f.waitJob(id, "PENDING")
	f.waitJob(id, "FAILED")
	f.ok("DeleteJob", fmt.Sprintf(`{"JobId":%q}`, id))
	f.fails(tenantID, "DescribeJob", fmt.Sprintf(`{"JobId":%q}`, id), "ResourceNotFound.Job")
}

func TestStateRefusals(t *testing.T) {
	f := newFx(t)
	id := f.submit(dagJob("s", ""))
	q := fmt.Sprintf(`{"JobId":%q}`, id)
	// With a manual clock nothing moved: the job is SUBMITTED.
	if st := f.jobState(id); st != "SUBMITTED" {
		t.Fatalf("fresh job is %s, want SUBMITTED", st)
	}
	f.fails(tenantID, "TerminateJob", q, "UnsupportedOperation")
	f.fails(tenantID, "DeleteJob", q, "UnsupportedOperation")
	f.fails(tenantID, "RetryJobs", fmt.Sprintf(`{"JobIds":[%q]}`, id), "UnsupportedOperation")
	f.waitJob(id, "RUNNING")
	f.fails(tenantID, "DeleteJob", q, "ResourceInUse.Job")
	f.waitJob(id, "SUCCEED")
	f.ok("TerminateJob", q) // no-op on SUCCEED
	f.fails(tenantID, "RetryJobs", fmt.Sprintf(`{"JobIds":[%q]}`, id), "UnsupportedOperation")
	f.ok("TerminateTaskInstance", fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskInstanceIndex":0}`, id))
	f.ok("DeleteJob", q)

	// TerminateJob on a running job ends it FAILED.
	id2 := f.submit(fmt.Sprintf(`{"Placement":{"Zone":%q},"Job":{"Tasks":[{"TaskName":"long",
	 "Application":{"DeliveryForm":"LOCAL","Command":"sleep 100"},"ComputeEnv":{"EnvData":{"InstanceType":"S2.MEDIUM4"}}}]}}`, zone))
	f.waitJob(id2, "RUNNING")
	f.ok("TerminateJob", fmt.Sprintf(`{"JobId":%q}`, id2))
	f.waitJob(id2, "FAILED")
}

func TestErrorCodes(t *testing.T) {
	f := newFx(t)
	fw := newFx(t, faults.WrongCodeEnvNotFound)
	job := f.submit(dagJob("e", ""))
	env := str(f.ok("CreateComputeEnv", fmt.Sprintf(`{"Placement":{"Zone":%q},"ComputeEnv":{"EnvName":"e","DesiredComputeNodeCount":0,"EnvData":{"InstanceType":"S5.MEDIUM4"}}}`, zone))["EnvId"])
	const noJob, noEnv = "job-zzzzzzzz", "env-zzzzzzzz"
	tests := []struct {
		f      *fx
		action string
		body   string
		code   string
	}{
		{f, "DescribeJob", `{"JobId":"` + noJob + `"}`, "ResourceNotFound.Job"},
		{f, "DescribeJobSubmitInfo", `{"JobId":"` + noJob + `"}`, "ResourceNotFound.Job"},
		{f, "TerminateJob", `{"JobId":"` + noJob + `"}`, "ResourceNotFound.Job"},
		{f, "DeleteJob", `{"JobId":"` + noJob + `"}`, "ResourceNotFound.Job"},
		{f, "RetryJobs", `{"JobIds":["` + noJob + `"]}`, "ResourceNotFound.Job"},
		{f, "DescribeJobMonitorData", `{"JobId":"` + noJob + `","TaskName":"A","TaskInstanceIndex":0,"MetricName":"CpuUsage"}`, "ResourceNotFound.Job"},
		{f, "DescribeTask", `{"JobId":"` + noJob + `","TaskName":"A"}`, "ResourceNotFound.Task"},
		{f, "DescribeTask", `{"JobId":"` + job + `","TaskName":"Z"}`, "ResourceNotFound.Task"},
		{f, "DescribeTaskLogs", `{"JobId":"` + noJob + `","TaskName":"A"}`, "ResourceNotFound.Job"},
		{f, "DescribeTaskLogs", `{"JobId":"` + job + `","TaskName":"Z"}`, "ResourceNotFound.Task"},
		{f, "DescribeTaskLogs", `{"JobId":"` + job + `","TaskName":"A","TaskInstanceIndexes":[7]}`, "ResourceNotFound.TaskInstance"},
		{f, "TerminateTaskInstance", `{"JobId":"` + noJob + `","TaskName":"A","TaskInstanceIndex":0}`, "ResourceNotFound.TaskInstance"},
		{f, "TerminateTaskInstance", `{"JobId":"` + job + `","TaskName":"A","TaskInstanceIndex":9}`, "ResourceNotFound.TaskInstance"},
		{f, "DescribeComputeEnv", `{"EnvId":"` + noEnv + `"}`, "ResourceNotFound.ComputeEnv"},
		{fw, "DescribeComputeEnv", `{"EnvId":"` + noEnv + `"}`, "ResourceNotFound"},
		{f, "DescribeComputeEnvCreateInfo", `{"EnvId":"` + noEnv + `"}`, "ResourceNotFound.ComputeEnv"},
		{f, "DescribeComputeEnvActivities", `{"EnvId":"` + noEnv + `"}`, "ResourceNotFound.ComputeEnv"},
		{f, "ModifyComputeEnv", `{"EnvId":"` + noEnv + `","DesiredComputeNodeCount":1}`, "ResourceNotFound.ComputeEnv"},
		{f, "DeleteComputeEnv", `{"EnvId":"` + noEnv + `"}`, "ResourceNotFound.ComputeEnv"},
		{f, "TerminateComputeNode", `{"EnvId":"` + noEnv + `","ComputeNodeId":"node-zzzzzzzz"}`, "ResourceNotFound.ComputeEnv"},
		{f, "TerminateComputeNode", `{"EnvId":"` + env + `","ComputeNodeId":"node-zzzzzzzz"}`, "ResourceNotFound.ComputeNode"},
		{f, "TerminateComputeNodes", `{"EnvId":"` + env + `","ComputeNodeIds":["node-zzzzzzzz"]}`, "ResourceNotFound.ComputeNode"},
		{f, "AttachInstances", `{"EnvId":"` + noEnv + `","Instances":[{"InstanceId":"ins-zzzzzzzz"}]}`, "ResourceNotFound.ComputeEnv"},
		{f, "DetachInstances", `{"EnvId":"` + noEnv + `","InstanceIds":["ins-zzzzzzzz"]}`, "ResourceNotFound.ComputeEnv"},
		{f, "ModifyComputeEnv", `{"EnvId":"` + env + `","DesiredComputeNodeCount":1,"EnvData":{"InstanceTypes":["BOGUS.X"]}}`, "InvalidParameterValue.InstanceType"},
		{f, "DeleteTaskTemplates", `{"TaskTemplateIds":["task-tmpl-zzzzzzzz"]}`, "ResourceNotFound.TaskTemplate"},
		{f, "ModifyTaskTemplate", `{"TaskTemplateId":"task-tmpl-zzzzzzzz","TaskTemplateName":"x"}`, "ResourceNotFound.TaskTemplate"},
		{fw, "SubmitJob", `{"Placement":{"Zone":"` + zone + `"},"Job":{"Tasks":[{"TaskName":"a","EnvId":"` + noEnv + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, "ResourceNotFound"},
		{f, "SubmitJob", `{"Placement":{"Zone":"` + zone + `"},"Job":{"Tasks":[{"TaskName":"a","EnvId":"` + noEnv + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, "ResourceNotFound.ComputeEnv"},
		{f, "SubmitJob", `{"Placement":{"Zone":"ap-guangzhou-99"},"Job":{"Tasks":[{"TaskName":"a","EnvId":"` + env + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, "InvalidZone.MismatchRegion"},
		{f, "SubmitJob", `{"Placement":{"Zone":"ap-shanghai-2"},"Job":{"Tasks":[{"TaskName":"a","EnvId":"` + env + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, "InvalidParameterValue.InvalidZoneMismatchRegion"},
		{f, "SubmitJob", `{"Placement":{"Zone":"` + zone + `"},"Job":{"Tasks":[{"TaskName":"a","ComputeEnv":{"EnvData":{"InstanceType":"NOPE"}},"Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, "InvalidParameterValue.ComputeEnv"},
		{f, "SubmitJob", `{"Placement":{"Zone":"` + zone + `"},"Job":{"Tasks":[{"TaskName":"a","EnvId":"` + env + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}},{"TaskName":"b","EnvId":"` + env + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}}],"Dependences":[{"StartTask":"a","EndTask":"b"},{"StartTask":"b","EndTask":"a"}]}}`, "InvalidParameterValue.DependenceUnfeasible"},
		{f, "SubmitJob", `{"Placement":{"Zone":"` + zone + `"},"Job":{"Tasks":[{"TaskName":"a","EnvId":"` + env + `","Application":{"DeliveryForm":"LOCAL","Command":"true"}}],"Dependences":[{"StartTask":"a","EndTask":"q"}]}}`, "InvalidParameterValue.DependenceNotFoundTaskName"},
		{f, "SubmitJob", `{"Placement":{"Zone":"` + zone + `"},"Job":{"Tasks":[{"TaskName":"a","TaskInstanceNum":18446744073709551615,"EnvId":"` + env + `","Timeout":18446744073709551615,"Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, "InvalidParameterValue.TaskInstanceNum"},
		{f, "CreateComputeEnv", `{"Placement":{"Zone":"xx-nowhere-1"},"ComputeEnv":{"EnvName":"e","DesiredComputeNodeCount":1}}`, "InvalidZone.MismatchRegion"},
		{f, "CreateComputeEnv", `{"Placement":{"Zone":"` + zone + `"},"ComputeEnv":{"EnvName":"e","DesiredComputeNodeCount":1,"EnvData":{"InstanceType":"Q9.HUGE"}}}`, "InvalidParameterValue.InstanceType"},
		{f, "DescribeJobs", `{"Filters":[{"Name":"colour","Values":["red"]}]}`, "InvalidFilter"},
		{f, "DescribeJobs", `{"Filters":[{"Name":"zone","Values":["ap-nowhere-1"]}]}`, "InvalidZone.MismatchRegion"},
		{f, "DescribeComputeEnvs", `{"Filters":[{"Name":"resource-type","Values":["VM"]}]}`, "InvalidParameterValue.ResourceType"},
		{f, "DescribeComputeEnvs", `{"Filters":[{"Name":"colour","Values":["red"]}]}`, "InvalidFilter"},
		{f, "DescribeTaskTemplates", `{"Filters":[{"Name":"colour","Values":["red"]}]}`, "InvalidParameterValue"},
		{f, "DescribeAvailableCvmInstanceTypes", `{"Filters":[{"Name":"zone","Values":["ap-shanghai-2"]}]}`, "InvalidParameterValue.InvalidZoneMismatchRegion"},
		{f, "DescribeCvmZoneInstanceConfigInfos", `{"Filters":[{"Name":"instance-charge-type","Values":["PREPAID"]}]}`, "InvalidParameterValue.UnsupportedBatchInstanceChargeType"},
		{f, "DescribeComputeEnvActivities", `{"EnvId":"` + env + `","Filters":{"Name":"colour","Values":["x"]}}`, "InvalidParameterValue"},
		{f, "DescribeJobs", `{"Filters":[{"Name":"job-state","Values":["NO_SUCH_STATE"]}]}`, "InvalidParameterValue.InvalidFilter"},
		{f, "DescribeJobs", `{"Filters":[{"Name":"job-name","Values":[""]}]}`, "InvalidParameterValue"},
		{f, "DescribeTask", `{"JobId":"` + job + `","TaskName":"A","Filters":[{"Name":"task-instance-state","Values":["DONE"]}]}`, "InvalidParameterValue"},
		{f, "DescribeCvmZoneInstanceConfigInfos", `{"Filters":[{"Name":"instance-family","Values":[""]}]}`, "InvalidParameterValue"},
		{f, "ModifyComputeEnv", `{"EnvId":"` + env + `","EnvData":{"InstanceTypes":[]}}`, "InvalidParameterValue.InstanceTypesEmpty"},
		{f, "CreateCpmComputeEnv", `{"ComputeEnv":{"EnvName":"c","DesiredComputeNodeCount":1,"EnvData":{"Zones":["ap-guangzhou-bls-1"],"InstanceTypes":["PS100v1"],"TimeUnit":"m","TimeSpan":1,"RaidId":1,"OsTypeId":999,"VirtualPrivateClouds":[{"VpcId":"vpc-1","SubnetId":"subnet-1"}]}}}`, "InvalidParameterValue.OsTypeId"},
	}
	for _, tt := range tests {
		name := tt.action + "/" + tt.code
		if tt.f == fw {
			name += "/fault"
		}
		t.Run(name, func(t *testing.T) {
			tt.f.t = t
			defer func() { tt.f.t = nil }()
			tt.f.fails(tenantID, tt.action, tt.body, tt.code)
		})
	}
}

func TestTenantConfiguration(t *testing.T) {
	f := newFx(t)
	envBody := fmt.Sprintf(`{"Placement":{"Zone":%q},"ComputeEnv":{"EnvName":"q","DesiredComputeNodeCount":1,"EnvData":{"InstanceType":"S5.LARGE8"}}}`, zone)
	jobBody := dagJob("q", "")
	tplBody := `{"TaskTemplateName":"t","TaskTemplateInfo":{"TaskName":"t","Application":{"DeliveryForm":"LOCAL","Command":"true"},"ComputeEnv":{"EnvData":{"InstanceType":"S1.SMALL1"}}}}`

	jobQ := f.tenant(tenants.Tenant{Quotas: tenants.Quotas{Jobs: 1}})
	f.callAs(jobQ, "SubmitJob", jobBody)
	f.fails(jobQ, "SubmitJob", jobBody, "LimitExceeded.JobQuota")

	envQ := f.tenant(tenants.Tenant{Quotas: tenants.Quotas{ComputeEnvs: 1}})
	f.callAs(envQ, "CreateComputeEnv", envBody)
	f.fails(envQ, "CreateComputeEnv", envBody, "LimitExceeded.ComputeEnvQuota")

	cpuQ := f.tenant(tenants.Tenant{Quotas: tenants.Quotas{CPUs: 2}}) // S5.LARGE8 has 4 vCPUs
	f.fails(cpuQ, "CreateComputeEnv", envBody, "LimitExceeded.CpuQuota")

	tplQ := f.tenant(tenants.Tenant{Quotas: tenants.Quotas{TaskTemplates: 1}})
	f.callAs(tplQ, "CreateTaskTemplate", tplBody)
	f.fails(tplQ, "CreateTaskTemplate", tplBody, "LimitExceeded.TaskTemplateQuota")

	banned := f.tenant(tenants.Tenant{NotAllowed: true})
	f.fails(banned, "SubmitJob", jobBody, "UnauthorizedOperation.UserNotAllowedToUseBatch")
	f.fails(banned, "CreateComputeEnv", envBody, "UnauthorizedOperation.UserNotAllowedToUseBatch")

	zoneless := f.tenant(tenants.Tenant{UnavailableZones: []string{zone}})
	f.fails(zoneless, "SubmitJob", jobBody, "InvalidParameterValue.UnavailableZone")
	f.fails(zoneless, "CreateComputeEnv", envBody, "InvalidParameterValue.UnavailableZone")

	busy := f.tenant(tenants.Tenant{EnvBusy: true})
	env, aerr := f.callAs(busy, "CreateComputeEnv", envBody)
	if aerr != nil {
		t.Fatal(aerr)
	}
	envID := str(response(t, env)["EnvId"])
	for _, a := range []string{"ModifyComputeEnv", "DeleteComputeEnv", "TerminateComputeNode", "TerminateComputeNodes"} {
		body := fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":2,"ComputeNodeId":"node-zzzzzzzz","ComputeNodeIds":["node-zzzzzzzz"]}`, envID)
		f.fails(busy, a, body, "UnsupportedOperation.ComputeEnvAcceptOtherRequest")
	}
	// AttachInstances does not document it: its ancestor.
	f.fails(busy, "AttachInstances", fmt.Sprintf(`{"EnvId":%q,"Instances":[{"InstanceId":"ins-busy0001"}]}`, envID), "UnsupportedOperation")

	// unsupported_actions: only where the action documents UnsupportedOperation.
	unsup := f.tenant(tenants.Tenant{UnsupportedActions: []string{"DescribeInstanceCategories", "DescribeCpmOsInfo"}})
	f.fails(unsup, "DescribeInstanceCategories", ``, "UnsupportedOperation")
	if _, aerr := f.callAs(unsup, "DescribeCpmOsInfo", ``); aerr != nil {
		t.Errorf("DescribeCpmOsInfo does not document UnsupportedOperation, yet: %v", aerr)
	}

	// Other tenants are not disturbed, and cannot see each other's resources.
	f.ok("SubmitJob", jobBody)
	f.fails(tenantID, "DescribeComputeEnv", fmt.Sprintf(`{"EnvId":%q}`, envID), "ResourceNotFound.ComputeEnv")
}

func TestPaginationAndFilters(t *testing.T) {
	tests := []struct {
		name         string
		fault        string
		wantDistinct bool
	}{
		{"clean", "", true},
		{"ignore-offset", faults.IgnoreOffset, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *fx
			if tt.fault != "" {
				f = newFx(t, tt.fault)
			} else {
				f = newFx(t)
			}
			var ids []string
			for i := 0; i < 5; i++ {
				tagKey := "even"
				if i%2 == 1 {
					tagKey = "odd"
				}
				ids = append(ids, f.submit(strings.Replace(dagJob(fmt.Sprintf("job%d", i), ""), `"Key":"team"`, `"Key":"`+tagKey+`"`, 1)))
			}
			seen := map[string]bool{}
			for off := 0; off < 6; off += 2 {
				r := f.ok("DescribeJobs", fmt.Sprintf(`{"Offset":%d,"Limit":2}`, off))
				if num(t, r["TotalCount"]) != 5 {
					t.Fatalf("TotalCount = %v, want 5", r["TotalCount"])
				}
				for _, j := range list(r["JobSet"]) {
					seen[str(obj(j)["JobId"])] = true
				}
			}
			if got := len(seen) == 5; got != tt.wantDistinct {
				t.Fatalf("pages cover %d distinct jobs (want all 5: %v)", len(seen), tt.wantDistinct)
			}
			if tt.fault != "" {
				return
			}
			// Default Limit 20, maximum 100.
			if r := f.ok("DescribeJobs", `{}`); len(list(r["JobSet"])) != 5 {
				t.Errorf("default page: %v", r)
			}
			filterTests := []struct {
				body string
				want int
			}{
				{`{"Filters":[{"Name":"job-name","Values":["job1","job3"]}]}`, 2},
				{`{"Filters":[{"Name":"job-name","Values":["job1","job2"]},{"Name":"tag:odd","Values":["x"]}]}`, 1},
				{`{"Filters":[{"Name":"tag-key","Values":["even"]}]}`, 3},
				{`{"Filters":[{"Name":"job-state","Values":["SUBMITTED"]}]}`, 5},
				{`{"Filters":[{"Name":"zone","Values":["ap-guangzhou-3"]}]}`, 0},
				{fmt.Sprintf(`{"JobIds":[%q,%q,"job-zzzzzzzz"]}`, ids[0], ids[4]), 2},
			}
			for _, ft := range filterTests {
				r := f.ok("DescribeJobs", ft.body)
				if got := len(list(r["JobSet"])); got != ft.want || num(t, r["TotalCount"]) != int64(ft.want) {
					t.Errorf("DescribeJobs %s: %d jobs (TotalCount %v), want %d", ft.body, got, r["TotalCount"], ft.want)
				}
			}
		})
	}
}

func TestClientToken(t *testing.T) {
	f := newFx(t)
	a := f.submit(dagJob("tok", `"ClientToken":"tok-1",`))
	b := f.submit(dagJob("tok", `"ClientToken":"tok-1",`))
	c := f.submit(dagJob("tok", `"ClientToken":"tok-2",`))
	if a != b || a == c {
		t.Fatalf("ClientToken: %s %s %s, want first two equal and the third distinct", a, b, c)
	}
	envBody := fmt.Sprintf(`{"ClientToken":"e-1","Placement":{"Zone":%q},"ComputeEnv":{"EnvName":"t","DesiredComputeNodeCount":0}}`, zone)
	e1 := str(f.ok("CreateComputeEnv", envBody)["EnvId"])
	e2 := str(f.ok("CreateComputeEnv", envBody)["EnvId"])
	if e1 != e2 || !strings.HasPrefix(e1, "env-") {
		t.Fatalf("env ClientToken: %s %s", e1, e2)
	}
	if n := num(t, f.ok("DescribeComputeEnvs", `{}`)["TotalCount"]); n != 1 {
		t.Errorf("%d environments after a repeated ClientToken, want 1", n)
	}
}

func TestEnvLifecycle(t *testing.T) {
	f := newFx(t)
	// Notifications as one object (SDK v1.0.162); echoed as a list.
	id := str(f.ok("CreateComputeEnv", fmt.Sprintf(`{"Placement":{"Zone":%q,"ProjectId":0},"ComputeEnv":{
	 "EnvName":"env1","EnvDescription":"d","EnvType":"MANAGED","DesiredComputeNodeCount":1,
	 "EnvData":{"InstanceType":"S5.MEDIUM4","ImageId":"img-xmbzjpxq"},
	 "Authentications":[{"Scene":"COS","SecretId":"AKIDx","SecretKey":"sk"}],
	 "Notifications":{"TopicName":"t1","EventConfigs":[{"EventName":"COMPUTE_NODE_RUNNING","EventVars":[]}]},
	 "Tags":[{"Key":"k","Value":"v"}]}}`, zone))["EnvId"])
	q := fmt.Sprintf(`{"EnvId":%q}`, id)
	var node string
	f.advanceUntil("node RUNNING", func() bool {
		r := f.ok("DescribeComputeEnv", q)
		nodes := list(r["ComputeNodeSet"])
		m := obj(r["ComputeNodeMetrics"])
		var running int64
		for _, n := range nodes {
			if str(obj(n)["ComputeNodeState"]) == "RUNNING" {
				running++
			}
		}
		if num(t, m["RunningCount"]) != running {
			t.Fatalf("ComputeNodeMetrics.RunningCount %v, nodes %v", m, nodes)
		}
		if len(nodes) == 1 {
			node = str(obj(nodes[0])["ComputeNodeId"])
		}
		return running == 1
	})
	if !strings.HasPrefix(node, "node-") {
		t.Fatalf("node ID %q", node)
	}
	ci := f.ok("DescribeComputeEnvCreateInfo", q)
	if n := list(ci["Notifications"]); len(n) != 1 || str(obj(n[0])["TopicName"]) != "t1" {
		t.Errorf("Notifications echo: %v", ci["Notifications"])
	}
	if a := list(ci["Authentications"]); len(a) != 1 || str(obj(a[0])["SecretKey"]) != "sk" {
		t.Errorf("Authentications echo (documented as returned): %v", ci["Authentications"])
	}
	if str(obj(ci["EnvData"])["InstanceType"]) != "S5.MEDIUM4" || num(t, ci["DesiredComputeNodeCount"]) != 1 {
		t.Errorf("create info: %v", ci)
	}
	infos := f.ok("DescribeComputeEnvCreateInfos", fmt.Sprintf(`{"EnvIds":[%q]}`, id))
	if num(t, infos["TotalCount"]) != 1 {
		t.Errorf("DescribeComputeEnvCreateInfos: %v", infos)
	}
	if r := f.ok("DescribeComputeEnvs", `{"Filters":[{"Name":"env-name","Values":["env1"]},{"Name":"resource-type","Values":["CVM"]}]}`); num(t, r["TotalCount"]) != 1 {
		t.Errorf("DescribeComputeEnvs filters: %v", r)
	}
	acts := f.ok("DescribeComputeEnvActivities", fmt.Sprintf(`{"EnvId":%q,"Filters":{"Name":"compute-node-id","Values":[%q]}}`, id, node))
	if num(t, acts["TotalCount"]) < 1 || str(obj(list(acts["ActivitySet"])[0])["ComputeNodeActivityType"]) != "CREATE_COMPUTE_NODE" {
		t.Errorf("activities: %v", acts)
	}
	if r := f.ok("DescribeComputeEnvActivities", fmt.Sprintf(`{"EnvId":%q,"Filters":{"Name":"compute-node-id","Values":["node-zzzzzzzz"]}}`, id)); num(t, r["TotalCount"]) != 0 {
		t.Errorf("activity filter: %v", r)
	}

	// Scale out: until the new nodes are created the env is still
	// processing the ModifyComputeEnv, so deletions and further changes are
	// refused with AcceptOtherRequest (before any node-state check).
	f.ok("ModifyComputeEnv", fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":3,"EnvName":"env1b"}`, id))
	r := f.ok("DescribeComputeEnv", q)
	if num(t, r["DesiredComputeNodeCount"]) != 3 || str(r["EnvName"]) != "env1b" || len(list(r["ComputeNodeSet"])) != 3 {
		t.Fatalf("after scale-out: %v", r)
	}
	var fresh string
	for _, n := range list(r["ComputeNodeSet"]) {
		if st := str(obj(n)["ComputeNodeState"]); st == "SUBMITTED" || st == "CREATING" {
			fresh = str(obj(n)["ComputeNodeId"])
		}
	}
	if fresh == "" {
		t.Fatalf("no SUBMITTED/CREATING node after scale-out: %v", r)
	}
	f.fails(tenantID, "ModifyComputeEnv", fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":0}`, id), "UnsupportedOperation.AcceptOtherRequest")
	f.fails(tenantID, "TerminateComputeNode", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeId":%q}`, id, fresh), "UnsupportedOperation.AcceptOtherRequest")
	f.fails(tenantID, "TerminateComputeNodes", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeIds":[%q]}`, id, node), "UnsupportedOperation.AcceptOtherRequest")
	f.fails(tenantID, "DeleteComputeEnv", q, "UnsupportedOperation.AcceptOtherRequest")
	f.advanceUntil("scale-out done", func() bool {
		return num(t, obj(f.ok("DescribeComputeEnv", q)["ComputeNodeMetrics"])["RunningCount"]) == 3
	})
	f.ok("TerminateComputeNode", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeId":%q}`, id, node))
	f.fails(tenantID, "TerminateComputeNodes", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeIds":[%q]}`, id, node), "UnsupportedOperation.ComputeNodeIsTerminating")
	if r := f.ok("DescribeComputeEnv", q); num(t, r["DesiredComputeNodeCount"]) != 2 || num(t, obj(r["ComputeNodeMetrics"])["DeletingCount"]) != 1 {
		t.Errorf("after TerminateComputeNode: %v", r)
	}

	// Attach a user instance, then detach it.
	f.ok("AttachInstances", fmt.Sprintf(`{"EnvId":%q,"Instances":[{"InstanceId":"ins-user0001","ImageId":"img-xmbzjpxq"}]}`, id))
	f.fails(tenantID, "AttachInstances", fmt.Sprintf(`{"EnvId":%q,"Instances":[{"InstanceId":"ins-user0001"}]}`, id), "UnsupportedOperation.InstancesNotAllowToAttach")
	if r := f.ok("DescribeComputeEnv", q); num(t, r["AttachedComputeNodeCount"]) != 1 {
		t.Errorf("AttachedComputeNodeCount: %v", r["AttachedComputeNodeCount"])
	}
	f.advanceUntil("attached node RUNNING", func() bool {
		for _, n := range list(f.ok("DescribeComputeEnv", q)["ComputeNodeSet"]) {
			if str(obj(n)["ComputeNodeInstanceId"]) == "ins-user0001" {
				return str(obj(n)["ComputeNodeState"]) == "RUNNING"
			}
		}
		return false
	})
	f.ok("DetachInstances", fmt.Sprintf(`{"EnvId":%q,"InstanceIds":["ins-user0001"]}`, id))

	f.ok("DeleteComputeEnv", q)
	if r := f.ok("DescribeComputeEnv", q); str(r["NextAction"]) != "DELETING" {
		t.Errorf("NextAction after DeleteComputeEnv = %q", r["NextAction"])
	}
	f.fails(tenantID, "ModifyComputeEnv", fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":1}`, id), "UnsupportedOperation")
	f.advanceUntil("env gone", func() bool {
		_, aerr := f.call("DescribeComputeEnv", q)
		return aerr != nil && aerr.Code == "ResourceNotFound.ComputeEnv"
	})
	if r := f.ok("DescribeComputeEnvs", `{}`); num(t, r["TotalCount"]) != 0 {
		t.Errorf("deleted env still listed: %v", r)
	}
}

func TestTemplates(t *testing.T) {
	f := newFx(t)
	id := str(f.ok("CreateTaskTemplate", `{"TaskTemplateName":"tpl","TaskTemplateDescription":"d",
	 "TaskTemplateInfo":{"TaskName":"t","TaskInstanceNum":2,"Application":{"DeliveryForm":"LOCAL","Command":"echo hi"},
	  "ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1"}},"MaxRetryCount":1},
	 "Tags":[{"Key":"k","Value":"v"}]}`)["TaskTemplateId"])
	if !strings.HasPrefix(id, "task-tmpl-") {
		t.Fatalf("TaskTemplateId %q", id)
	}
	f.ok("CreateTaskTemplate", `{"TaskTemplateName":"other","TaskTemplateInfo":{"Application":{"DeliveryForm":"LOCAL","Command":"true"},"EnvId":"env-abcdefgh"}}`)
	r := f.ok("DescribeTaskTemplates", `{"Filters":[{"Name":"task-template-name","Values":["tpl"]}]}`)
	set := list(r["TaskTemplateSet"])
	if num(t, r["TotalCount"]) != 1 || len(set) != 1 {
		t.Fatalf("DescribeTaskTemplates: %v", r)
	}
	v := obj(set[0])
	if str(v["TaskTemplateId"]) != id || str(obj(obj(v["TaskTemplateInfo"])["Application"])["Command"]) != "echo hi" {
		t.Errorf("template view: %v", v)
	}
	f.ok("ModifyTaskTemplate", fmt.Sprintf(`{"TaskTemplateId":%q,"TaskTemplateName":"tpl2","TaskTemplateInfo":{"TaskName":"t","Application":{"DeliveryForm":"LOCAL","Command":"echo bye"},"EnvId":"env-abcdefgh"}}`, id))
	v = obj(list(f.ok("DescribeTaskTemplates", fmt.Sprintf(`{"TaskTemplateIds":[%q]}`, id))["TaskTemplateSet"])[0])
	if str(v["TaskTemplateName"]) != "tpl2" || str(obj(obj(v["TaskTemplateInfo"])["Application"])["Command"]) != "echo bye" {
		t.Errorf("after modify: %v", v)
	}
	if r := f.ok("DescribeTaskTemplates", `{"Filters":[{"Name":"tag:k","Values":["v"]}]}`); num(t, r["TotalCount"]) != 1 {
		t.Errorf("tag filter: %v", r)
	}
	if r := f.ok("DescribeTaskTemplates", `{"Offset":1,"Limit":1}`); num(t, r["TotalCount"]) != 2 || len(list(r["TaskTemplateSet"])) != 1 {
		t.Errorf("template page: %v", r)
	}
	f.ok("DeleteTaskTemplates", fmt.Sprintf(`{"TaskTemplateIds":[%q]}`, id))
	if r := f.ok("DescribeTaskTemplates", `{}`); num(t, r["TotalCount"]) != 1 {
		t.Errorf("after delete: %v", r)
	}
}

func TestInventory(t *testing.T) {
	f := newFx(t)
	all := list(f.ok("DescribeAvailableCvmInstanceTypes", `{}`)["InstanceTypeConfigSet"])
	if len(all) == 0 {
		t.Fatal("no instance types")
	}
	r := f.ok("DescribeAvailableCvmInstanceTypes", fmt.Sprintf(`{"Filters":[{"Name":"zone","Values":[%q]},{"Name":"instance-family","Values":["S5","C3"]}]}`, zone))
	got := list(r["InstanceTypeConfigSet"])
	if len(got) == 0 || len(got) >= len(all) {
		t.Fatalf("filtered %d of %d", len(got), len(all))
	}
	for _, it := range got {
		m := obj(it)
		if str(m["Zone"]) != zone || (str(m["InstanceFamily"]) != "S5" && str(m["InstanceFamily"]) != "C3") {
			t.Errorf("filter leak: %v", m)
		}
		if _, ok := parseType(str(m["InstanceType"])); !ok {
			t.Errorf("listed type %v does not parse", m["InstanceType"])
		}
	}
	q := f.ok("DescribeCvmZoneInstanceConfigInfos", fmt.Sprintf(`{"Filters":[{"Name":"zone","Values":[%q]},{"Name":"instance-type","Values":["S5.MEDIUM4"]},{"Name":"instance-charge-type","Values":["SPOTPAID"]}]}`, zone))
	if items := list(q["InstanceTypeQuotaSet"]); len(items) != 1 || str(obj(items[0])["InstanceChargeType"]) != "SPOTPAID" || num(t, obj(items[0])["Cpu"]) != 2 {
		t.Errorf("DescribeCvmZoneInstanceConfigInfos: %v", q)
	}
	// Filter values the docs enumerate are checked: unknown family, a value
	// that is no zone name.
	f.fails(tenantID, "DescribeAvailableCvmInstanceTypes", `{"Filters":[{"Name":"instance-family","Values":["ZZ9"]}]}`, "InvalidParameterValue.InvalidFilter")
	f.fails(tenantID, "DescribeCvmZoneInstanceConfigInfos", `{"Filters":[{"Name":"zone","Values":["guangzhou"]}]}`, "InvalidParameterValue.InvalidFilter")
	f.fails(tenantID, "DescribeComputeEnvs", `{"Filters":[{"Name":"zone","Values":["guangzhou"]}]}`, "InvalidParameterValue.InvalidFilter")
	f.fails(tenantID, "DescribeComputeEnvs", `{"Filters":[{"Name":"zone","Values":["ap-guangzhou-99"]}]}`, "InvalidZone.MismatchRegion")
	if b, _ := f.call("DescribeCvmZoneInstanceConfigInfos", ``); len(b) > 1<<20 {
		t.Errorf("unfiltered DescribeCvmZoneInstanceConfigInfos is %d bytes; keep it under 1 MiB", len(b))
	}
	cats := list(f.ok("DescribeInstanceCategories", ``)["InstanceCategorySet"])
	if len(cats) != len(categories) {
		t.Errorf("categories: %v", cats)
	}
	if n := len(list(f.ok("DescribeCpmOsInfo", `{"DeviceClassCode":"PI20"}`)["OsInfoSet"])); n != 2 {
		t.Errorf("CPM OSes for PI20: %d, want 2", n)
	}
	if n := len(list(f.ok("DescribeCpmOsInfo", ``)["OsInfoSet"])); n != len(cpmOSes) {
		t.Errorf("CPM OSes: %d", n)
	}
	cpm := str(f.ok("CreateCpmComputeEnv", `{"ComputeEnv":{"EnvName":"c","DesiredComputeNodeCount":1,"Notifications":{"TopicName":"t","EventConfigs":[]},
	 "EnvData":{"Zones":["ap-guangzhou-bls-1"],"InstanceTypes":["PS100v1"],"TimeUnit":"m","TimeSpan":1,"RaidId":1,"OsTypeId":1,
	 "VirtualPrivateClouds":[{"VpcId":"vpc-1","SubnetId":"subnet-1"}]}}}`)["EnvId"])
	if r := f.ok("DescribeComputeEnvs", `{"Filters":[{"Name":"resource-type","Values":["CPM"]}]}`); num(t, r["TotalCount"]) != 1 || str(obj(list(r["ComputeEnvSet"])[0])["EnvId"]) != cpm {
		t.Errorf("CPM env listing: %v", r)
	}
	f.ok("DescribeComputeEnvCreateInfo", fmt.Sprintf(`{"EnvId":%q}`, cpm))
}

func TestMonitorSeries(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := t0.Add(24 * time.Hour)
	tests := []struct {
		name       string
		in         engine.TaskInstance
		start, end string
		period     int64
		points     int
	}{
		{"never ran", engine.TaskInstance{}, "", "", 10, 0},
		{"one minute", engine.TaskInstance{RunningTime: &t0, EndTime: tptr(t0.Add(time.Minute))}, "", "", 10, 7},
		{"a day", engine.TaskInstance{RunningTime: &t0, EndTime: &day}, "", "", 300, 289},
		{"window", engine.TaskInstance{RunningTime: &t0, EndTime: &day}, "2026-01-01T01:00:00Z", "2026-01-01T01:01:00Z", 10, 7},
	}
	for _, tt := range tests {
		p, ts, vs := monitorSeries(&tt.in, day, "CpuUsage", tt.start, tt.end)
		if p != tt.period || len(ts) != tt.points || len(vs) != len(ts) {
			t.Errorf("%s: period %d, %d stamps, %d values; want %d, %d", tt.name, p, len(ts), len(vs), tt.period, tt.points)
		}
		for i := 1; i < len(ts); i++ {
			if ts[i]-ts[i-1] != p {
				t.Fatalf("%s: stamps not %d s apart: %v", tt.name, p, ts[:i+1])
			}
		}
	}
}

func tptr(t time.Time) *time.Time { return &t }

func TestEncodeLog(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 3000)
	big = append(big, []byte("END")...)
	tests := []struct {
		in      []byte
		wantLen int
		suffix  string
	}{
		{nil, 0, ""},
		{[]byte("hi\n"), 3, "hi\n"},
		{big, maxLogBytes, "END"},
	}
	for _, tt := range tests {
		got := encodeLog(tt.in)
		if tt.wantLen == 0 {
			if got != "" {
				t.Errorf("encodeLog(empty) = %q", got)
			}
			continue
		}
		dec := decodeLog(t, got)
		if len(dec) != tt.wantLen || !strings.HasSuffix(dec, tt.suffix) {
			t.Errorf("encodeLog: decoded %d bytes ending %q, want %d ending %q", len(dec), dec[max(0, len(dec)-5):], tt.wantLen, tt.suffix)
		}
	}
}

// TestDocumentedCodesOnly: an action answers only codes of its documented
// list or common codes; a specific undocumented code falls back.
func TestDocumentedCodesOnly(t *testing.T) {
	s := New(nil, nil, nil)
	cat, err := fixtures.Parse([]byte(`{"dialect":"tencent-batch","actions":[
	 {"name":"DescribeTask","input":"I","output":"O","errors":["InternalError","ResourceNotFound.Task"]}],
	 "objects":{},"error_codes":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	s.cat = cat
	tests := []struct{ in, want string }{
		{"ResourceNotFound.Task", "ResourceNotFound.Task"},
		{"ResourceNotFound.Job", "ResourceNotFound"},
		{"UnsupportedOperation.TerminateOperationWithEnvId", "UnsupportedOperation"},
		{"InvalidZone.MismatchRegion", "InvalidParameterValue"},
		{"Whatever.Else", "InternalError"},
		{"MissingParameter", "MissingParameter"},
	}
	for _, tt := range tests {
		if got := s.documented("DescribeTask", &api3.Error{Code: tt.in, Message: "m"}).Code; got != tt.want {
			t.Errorf("documented(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := s.documented("Unknown", &api3.Error{Code: "X.Y"}).Code; got != "X.Y" {
		t.Errorf("an action the catalog does not list keeps its code, got %s", got)
	}
}

// TestEveryAction drives all 32 actions successfully (each response checked
// against the catalog's schema by callAs) and asserts none is missing.
func TestEveryAction(t *testing.T) {
	f := newFx(t)
	if got := len(f.s.Actions()); got != 32 {
		t.Fatalf("%d handlers, want 32", got)
	}
	cat := f.s.Catalog()
	for _, a := range cat.Actions {
		if _, ok := f.s.handlers[a.Name]; !ok {
			t.Errorf("catalog action %s has no handler", a.Name)
		}
	}
	env := str(f.ok("CreateComputeEnv", fmt.Sprintf(`{"Placement":{"Zone":%q},"ComputeEnv":{"EnvName":"all","DesiredComputeNodeCount":1,"EnvData":{"InstanceTypes":["S5.MEDIUM4","S5.LARGE8"]},"Notifications":[{"TopicName":"t","EventConfigs":[{"EventName":"COMPUTE_ENV_CREATED","EventVars":[{"Name":"a","Value":"b"}]}]}]}}`, zone))["EnvId"])
	f.ok("CreateCpmComputeEnv", `{"Placement":{"Zone":"ap-guangzhou-2"},"ComputeEnv":{"EnvName":"c","DesiredComputeNodeCount":0,"EnvData":{"Zones":["ap-guangzhou-bls-1"],"InstanceTypes":["PS100v1"],"TimeUnit":"m","TimeSpan":1,"RaidId":1,"OsTypeId":2,"VirtualPrivateClouds":[{"VpcId":"vpc-1","SubnetId":"subnet-1"}]}}}`)
	q := fmt.Sprintf(`{"EnvId":%q}`, env)
	f.advanceUntil("env node RUNNING", func() bool {
		return num(t, obj(f.ok("DescribeComputeEnv", q)["ComputeNodeMetrics"])["RunningCount"]) == 1
	})
	f.ok("DescribeComputeEnvs", fmt.Sprintf(`{"EnvIds":[%q]}`, env))
	f.ok("DescribeComputeEnvCreateInfo", q)
	f.ok("DescribeComputeEnvCreateInfos", `{"Filters":[{"Name":"zone","Values":["ap-guangzhou-2"]}]}`)
	f.ok("DescribeComputeEnvActivities", q)
	job := f.submit(fmt.Sprintf(`{"Placement":{"Zone":%q},"Job":{"JobName":"named","Tasks":[{"TaskName":"n","EnvId":%q,
	 "Application":{"DeliveryForm":"PACKAGE","Command":"echo x","PackagePath":"cos://b-1250000000.cos.ap-guangzhou.myqcloud.com/p.tgz"},
	 "MaxConcurrentNum":1}]}}`, zone, env))
	f.waitJob(job, "SUCCEED", "FAILED")
	jq := fmt.Sprintf(`{"JobId":%q}`, job)
	f.ok("DescribeJob", jq)
	f.ok("DescribeJobs", `{"Filters":[{"Name":"job-state","Values":["SUCCEED","FAILED"]}]}`)
	f.ok("DescribeJobSubmitInfo", jq)
	f.ok("DescribeTask", fmt.Sprintf(`{"JobId":%q,"TaskName":"n","Filters":[{"Name":"task-instance-state","Values":["SUCCEED","FAILED"]}]}`, job))
	f.ok("DescribeTaskLogs", fmt.Sprintf(`{"JobId":%q,"TaskName":"n","Offset":0,"Limit":10}`, job))
	f.ok("DescribeJobMonitorData", fmt.Sprintf(`{"JobId":%q,"TaskName":"n","TaskInstanceIndex":0,"MetricName":"MemUsage","StartTime":"2000-01-01T00:00:00Z"}`, job))
	f.ok("TerminateTaskInstance", fmt.Sprintf(`{"JobId":%q,"TaskName":"n","TaskInstanceIndex":0}`, job))
	f.ok("TerminateJob", jq)
	if st := f.jobState(job); st == "FAILED" {
		f.ok("RetryJobs", fmt.Sprintf(`{"JobIds":[%q]}`, job))
		f.waitJob(job, "SUCCEED", "FAILED")
	} else {
		f.fails(tenantID, "RetryJobs", fmt.Sprintf(`{"JobIds":[%q]}`, job), "UnsupportedOperation")
		f.covered["RetryJobs"] = true // refused by state, as documented
	}
	f.ok("DeleteJob", jq)
	tpl := str(f.ok("CreateTaskTemplate", `{"TaskTemplateName":"x","TaskTemplateInfo":{"Application":{"DeliveryForm":"LOCAL","Command":"true"},"EnvId":"env-abcdefgh"}}`)["TaskTemplateId"])
	f.ok("DescribeTaskTemplates", ``)
	f.ok("ModifyTaskTemplate", fmt.Sprintf(`{"TaskTemplateId":%q,"TaskTemplateDescription":"new"}`, tpl))
	f.ok("DeleteTaskTemplates", fmt.Sprintf(`{"TaskTemplateIds":[%q]}`, tpl))
	f.ok("DescribeAvailableCvmInstanceTypes", ``)
	f.ok("DescribeCvmZoneInstanceConfigInfos", ``)
	f.ok("DescribeInstanceCategories", ``)
	f.ok("DescribeCpmOsInfo", ``)
	f.ok("AttachInstances", fmt.Sprintf(`{"EnvId":%q,"Instances":[{"InstanceId":"ins-attach01"}]}`, env))
	f.advanceUntil("attached node RUNNING", func() bool {
		return num(t, obj(f.ok("DescribeComputeEnv", q)["ComputeNodeMetrics"])["RunningCount"]) == 2
	})
	f.ok("DetachInstances", fmt.Sprintf(`{"EnvId":%q,"InstanceIds":["ins-attach01"]}`, env))
	f.advanceUntil("attached node gone", func() bool {
		return len(list(f.ok("DescribeComputeEnv", q)["ComputeNodeSet"])) == 1
	})
	f.ok("ModifyComputeEnv", fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":2,"EnvDescription":"x"}`, env))
	// The env accepts no other change until the scale-out is done.
	f.advanceUntil("scale-out done", func() bool {
		return num(t, obj(f.ok("DescribeComputeEnv", q)["ComputeNodeMetrics"])["RunningCount"]) == 2
	})
	var nodes []string
	for _, n := range list(f.ok("DescribeComputeEnv", q)["ComputeNodeSet"]) {
		if str(obj(n)["ComputeNodeState"]) == "RUNNING" {
			nodes = append(nodes, str(obj(n)["ComputeNodeId"]))
		}
	}
	if len(nodes) != 2 {
		t.Fatalf("running nodes %v", nodes)
	}
	f.ok("TerminateComputeNode", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeId":%q}`, env, nodes[0]))
	f.ok("TerminateComputeNodes", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeIds":[%q]}`, env, nodes[1]))
	f.ok("DeleteComputeEnv", q)

	var missing []string
	for a := range f.s.handlers {
		if !f.covered[a] {
			missing = append(missing, a)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("actions never answered successfully: %v", missing)
	}
}

// TestConcurrentHandle exercises the façade from many goroutines (run with
// -race): every submission yields a distinct job.
func TestConcurrentHandle(t *testing.T) {
	f := newFx(t)
	const n = 20
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, aerr := f.s.Handle(context.Background(), request(tenantID, "SubmitJob", dagJob(fmt.Sprintf("c%d", i), "")))
			if aerr != nil {
				t.Errorf("SubmitJob: %v", aerr)
				return
			}
			b, _ := json.Marshal(resp)
			var r struct{ JobId string }
			_ = json.Unmarshal(b, &r)
			ids[i] = r.JobId
			if _, aerr := f.s.Handle(context.Background(), request(tenantID, "DescribeJobs", `{"Limit":100}`)); aerr != nil {
				t.Errorf("DescribeJobs: %v", aerr)
			}
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) != n || seen[""] {
		t.Fatalf("%d distinct job IDs from %d submissions", len(seen), n)
	}
}

// TestLocalExecutor runs a real command (sh -c) on the scaled clock and
// reads its output back through DescribeTaskLogs.
func TestLocalExecutor(t *testing.T) {
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: tenantID, SecretKey: "key-not-a-secret"})
	eng, err := engine.New(engine.Config{Executor: engine.ExecutorLocal, Tenants: reg, Timing: engine.Timing{Hold: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	f := &fx{t: t, s: New(eng, reg, nil), eng: eng, reg: reg, covered: map[string]bool{}}
	id := f.submit(fmt.Sprintf(`{"Placement":{"Zone":%q},"Job":{"Tasks":[{"TaskName":"sh",
	 "Application":{"DeliveryForm":"LOCAL","Command":"printf 'out-%%s' \"$K\"; echo err >&2"},"EnvVars":[{"Name":"K","Value":"V"}],
	 "ComputeEnv":{"EnvData":{"InstanceType":"S1.SMALL1"}}}]}}`, zone))
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := f.jobState(id)
		if st == "SUCCEED" || st == "FAILED" {
			if st != "SUCCEED" {
				t.Fatalf("job %s", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s after 30 s", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	logs := f.ok("DescribeTaskLogs", fmt.Sprintf(`{"JobId":%q,"TaskName":"sh"}`, id))
	l := obj(list(logs["TaskInstanceLogSet"])[0])
	if out := decodeLog(t, str(l["StdoutLog"])); out != "out-V" {
		t.Errorf("stdout %q, want out-V", out)
	}
	if errOut := decodeLog(t, str(l["StderrLog"])); errOut != "err\n" {
		t.Errorf("stderr %q, want err", errOut)
	}
}

// TestDocExamples replays the catalog's doc examples that name no historical
// IDs (creations and inventory queries): each must be accepted and answer the
// documented shape. The region is the one holding the example's zone.
func TestDocExamples(t *testing.T) {
	f := newFx(t)
	cat := f.s.Catalog()
	n := 0
	for _, ex := range cat.Examples {
		if len(ex.Refs) > 0 {
			continue
		}
		n++
		t.Run(ex.ID, func(t *testing.T) {
			f.t = t
			body := string(ex.Request)
			if strings.TrimSpace(body) == "" || body == "null" {
				body = "{}"
			}
			req := request(tenantID, ex.Action, body)
			if z := exampleZone(req.Params); z != "" {
				for r, zs := range f.s.regions() {
					if contains(zs, z) {
						req.Region = r
					}
				}
			}
			resp, aerr := f.s.Handle(context.Background(), req)
			if aerr != nil {
				t.Fatalf("%s rejected: %s", ex.ID, aerr)
			}
			b, _ := json.Marshal(resp)
			m := map[string]json.RawMessage{}
			_ = json.Unmarshal(b, &m)
			m["RequestId"] = json.RawMessage(`"r"`)
			env, _ := json.Marshal(map[string]any{"Response": m})
			checkSchema(t, ex.Action, env)
		})
	}
	f.t = t
	if len(cat.Examples) > 0 && n == 0 {
		t.Fatal("no replayable examples in the catalog")
	}
}

// exampleZone is the zone an example names: its placement or a zone filter.
func exampleZone(p map[string]any) string {
	if pl := obj(p["Placement"]); pl != nil {
		return str(pl["Zone"])
	}
	for _, fl := range list(p["Filters"]) {
		if str(obj(fl)["Name"]) == "zone" {
			if vs := list(obj(fl)["Values"]); len(vs) > 0 {
				return str(vs[0])
			}
		}
	}
	return ""
}

// TestEnvRefusals: the documented refusals of DeleteComputeEnv,
// TerminateComputeNode(s), ModifyComputeEnv scale-in and AttachInstances, each
// provoked by one state of the environment.
func TestEnvRefusals(t *testing.T) {
	f := newFx(t)
	create := func(n int, image string) (string, string) {
		t.Helper()
		id := str(f.ok("CreateComputeEnv", fmt.Sprintf(`{"Placement":{"Zone":%q},"ComputeEnv":{"EnvName":"r","DesiredComputeNodeCount":%d,
		 "ResourceMaxRetryCount":0,"EnvData":{"InstanceType":"S5.MEDIUM4","ImageId":%q}}}`, zone, n, image))["EnvId"])
		return id, fmt.Sprintf(`{"EnvId":%q}`, id)
	}
	nodeIn := func(q string, states ...string) string {
		for _, n := range list(f.ok("DescribeComputeEnv", q)["ComputeNodeSet"]) {
			for _, st := range states {
				if str(obj(n)["ComputeNodeState"]) == st {
					return str(obj(n)["ComputeNodeId"])
				}
			}
		}
		return ""
	}

	// Nodes still SUBMITTED: nothing can be terminated yet.
	fresh, fq := create(1, "img-xmbzjpxq")
	nid := nodeIn(fq, "SUBMITTED")
	if nid == "" {
		t.Fatal("no SUBMITTED node right after CreateComputeEnv")
	}
	f.fails(tenantID, "DeleteComputeEnv", fq, "UnsupportedOperation.ComputeNodeForbidTerminate")
	f.fails(tenantID, "TerminateComputeNodes", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeIds":[%q]}`, fresh, nid), "UnsupportedOperation.ComputeNodeForbidTerminate")
	f.fails(tenantID, "ModifyComputeEnv", fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":0}`, fresh), "UnsupportedOperation.ComputeNodeForbidTerminate")

	// Nodes that ended CREATION_FAILED are not scaled in: fewer
	// destroyable nodes than the decrease.
	failed, failq := create(1, "img-failnode")
	f.advanceUntil("node CREATION_FAILED", func() bool { return nodeIn(failq, "CREATION_FAILED") != "" })
	f.fails(tenantID, "ModifyComputeEnv", fmt.Sprintf(`{"EnvId":%q,"DesiredComputeNodeCount":0}`, failed), "UnsupportedOperation.NotEnoughComputeNodesToTerminate")
	f.ok("DeleteComputeEnv", failq)

	// An attached instance must be detached first.
	f.advanceUntil("node RUNNING", func() bool { return nodeIn(fq, "RUNNING") != "" })
	f.ok("AttachInstances", fmt.Sprintf(`{"EnvId":%q,"Instances":[{"InstanceId":"ins-user0002"}]}`, fresh))
	f.advanceUntil("attached node RUNNING", func() bool {
		return num(t, obj(f.ok("DescribeComputeEnv", fq)["ComputeNodeMetrics"])["RunningCount"]) == 2
	})
	var attached string
	for _, n := range list(f.ok("DescribeComputeEnv", fq)["ComputeNodeSet"]) {
		if str(obj(n)["ResourceOrigin"]) == "USER_ATTACHED" {
			attached = str(obj(n)["ComputeNodeId"])
		}
	}
	f.fails(tenantID, "TerminateComputeNodes", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeIds":[%q]}`, fresh, attached), "UnsupportedOperation")
	f.fails(tenantID, "DeleteComputeEnv", fq, "UnsupportedOperation")
	f.ok("DetachInstances", fmt.Sprintf(`{"EnvId":%q,"InstanceIds":["ins-user0002"]}`, fresh))

	// Being deleted.
	f.ok("DeleteComputeEnv", fq)
	f.fails(tenantID, "DeleteComputeEnv", fq, "UnsupportedOperation.ComputeEnvOperation")
	f.fails(tenantID, "TerminateComputeNode", fmt.Sprintf(`{"EnvId":%q,"ComputeNodeId":%q}`, fresh, nid), "UnsupportedOperation.ComputeEnvOperation")
	f.fails(tenantID, "AttachInstances", fmt.Sprintf(`{"EnvId":%q,"Instances":[{"InstanceId":"ins-user0003"}]}`, fresh), "UnsupportedOperation")
}

// TestLegacyEnvIDTerminate: with legacy_envid_terminate (the 2018 reading)
// instances of a job in a named environment cannot be terminated; jobs on an
// anonymous environment can.
func TestLegacyEnvIDTerminate(t *testing.T) {
	f := newFx(t)
	legacy := f.tenant(tenants.Tenant{LegacyEnvIDTerminate: true})
	b, aerr := f.callAs(legacy, "CreateComputeEnv", fmt.Sprintf(`{"Placement":{"Zone":%q},"ComputeEnv":{"EnvName":"l","DesiredComputeNodeCount":0}}`, zone))
	if aerr != nil {
		t.Fatal(aerr)
	}
	env := str(response(t, b)["EnvId"])
	b, aerr = f.callAs(legacy, "SubmitJob", fmt.Sprintf(`{"Placement":{"Zone":%q},"Job":{"JobName":"l","Tasks":[
	 {"TaskName":"A","EnvId":%q,"Application":{"DeliveryForm":"LOCAL","Command":"true"}}]}}`, zone, env))
	if aerr != nil {
		t.Fatal(aerr)
	}
	job := str(response(t, b)["JobId"])
	f.fails(legacy, "TerminateJob", fmt.Sprintf(`{"JobId":%q}`, job), "UnsupportedOperation.TerminateOperationWithEnvId")
	f.fails(legacy, "TerminateTaskInstance", fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskInstanceIndex":0}`, job), "UnsupportedOperation.TerminateOperationWithEnvId")
	f.fails(legacy, "TerminateTaskInstance", fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskInstanceIndex":3}`, job), "ResourceNotFound.TaskInstance")
	b, aerr = f.callAs(legacy, "SubmitJob", dagJob("anon", ""))
	if aerr != nil {
		t.Fatal(aerr)
	}
	anon := str(response(t, b)["JobId"])
	if _, aerr := f.callAs(legacy, "TerminateTaskInstance", fmt.Sprintf(`{"JobId":%q,"TaskName":"A","TaskInstanceIndex":0}`, anon)); aerr != nil {
		t.Errorf("anonymous-env job: %v", aerr)
	}
}
