package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/internal/tcsign"
)

func acsClient(emu *emulator.Emulator) *acs.Client {
	return &acs.Client{Endpoint: emu.URL, Signer: acs.Signer{AccessKeyID: emu.SecretID, AccessKeySecret: emu.SecretKey},
		HTTP: &http.Client{Timeout: 30 * time.Second}}
}

func acsDo(t *testing.T, c *acs.Client, method, path string, body any) *acs.Response {
	t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	r, err := c.Do(context.Background(), method, path, data, acs.Options{})
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// Over ACS, chaos answers Alibaba's documented 500 InternalError in the ACS
// error shape for the matching operation only; a code Alibaba does not
// document (a Tencent one) never reaches it; a dropped connection gets no
// answer; nothing is applied by a failed request.
func TestChaosACS(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"), emulator.WithChaos(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Name: "cvm", Actions: []string{"ListClusters", "CreateImage"}, Probability: 1, Error: "InternalError.CallCvm"},
		{Name: "down", Service: chaos.ServiceAliBatch, Actions: []string{"ListClusters", "CreateImage"}, Probability: 1, Error: "InternalError", Count: 2},
		{Name: "drop", Service: chaos.ServiceAliBatch, Actions: []string{"ListImages"}, Probability: 1, Drop: true, Count: 1},
	}}))
	c := acsClient(emu)
	r := acsDo(t, c, "GET", "/clusters", nil)
	e := r.Err()
	if r.Status != 500 || e == nil || e.Code != "InternalError" || e.Message != chaos.ACSCodes["InternalError"] ||
		e.RequestID == "" || e.RequestID != r.RequestID {
		t.Fatalf("ListClusters under chaos: %d %s", r.Status, r.Body)
	}
	img := map[string]any{"Name": "chaos-img", "EcsImageId": "m-chaos", "Platform": "Linux", "Description": "x"}
	if r := acsDo(t, c, "POST", "/images", img); r.Status != 500 {
		t.Fatalf("CreateImage under chaos: %d %s", r.Status, r.Body)
	}
	// A fresh connection (a reused one would be retried by net/http).
	fresh := acsClient(emu)
	fresh.HTTP = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if r, err := fresh.Do(context.Background(), "GET", "/images", nil, acs.Options{}); err == nil {
		t.Fatalf("drop rule: ListImages got an answer: %d %s", r.Status, r.Body)
	}
	// The failed CreateImage created nothing.
	r = acsDo(t, c, "GET", "/images", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "chaos-img") {
		t.Fatalf("the failed CreateImage was applied: %d %s", r.Status, r.Body)
	}
	if r := acsDo(t, c, "GET", "/clusters", nil); r.Status != 200 {
		t.Fatalf("after the outage: %d %s", r.Status, r.Body)
	}
	var st chaos.Status
	if adminGet(t, emu, "chaos", &st); st.Hits["down"] != 2 || st.Hits["cvm"] != 0 || st.Hits["drop"] != 1 {
		t.Fatalf("hits %+v", st.Hits)
	}
}

// Oceanus's backend codes reach Oceanus actions and never Tencent Batch's.
func TestChaosOceanus(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"), emulator.WithChaos(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Name: "db", Actions: []string{"DescribeJobs"}, Probability: 1, Error: "InternalError.DB"},
	}}))
	env := oceanusRaw(t, emu, "DescribeJobs", `{}`)
	if !strings.Contains(env, `"Code":"InternalError.DB"`) {
		t.Fatalf("Oceanus DescribeJobs under chaos: %s", env)
	}
	if _, code, err := rawCaller(emu)("DescribeJobs", "", []byte(`{}`)); err != nil || code != "" {
		t.Fatalf("Tencent Batch DescribeJobs got an Oceanus code: %v %q", err, code)
	}
}

// oceanusRaw sends a TC3-signed Oceanus action and returns the body.
func oceanusRaw(t *testing.T, emu *emulator.Emulator, action, body string) string {
	t.Helper()
	s := tcsign.TC3{SecretID: emu.SecretID, SecretKey: emu.SecretKey, Service: "oceanus", Action: action,
		Version: "2019-04-22", Region: "ap-guangzhou", Timestamp: time.Now()}
	req, err := s.NewPOST(emu.URL, "", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v %s", action, resp.StatusCode, err, data)
	}
	return string(data)
}

// A kill_instance rule kills the node under a running instance: the
// attempt fails and the task's retry path runs (Tencent Batch: MaxRetryCount
// 1, one death → SUCCEED after one retry; Alibaba: MaxRetryCount 1, two
// deaths → the instance Failed with RetryCount 1 and the reason).
func TestChaosInstanceDies(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"))
	var st chaos.Status
	rules := `{"rules":[{"name":"kill","tenant":"` + emu.SecretID + `","kill_instance":true,"probability":1,"count":1}]}`
	if code := adminSend(t, emu, "PUT", "chaos", rules, &st); code != 200 {
		t.Fatalf("PUT chaos: %d", code)
	}
	call := rawCaller(emu)
	resp, code, err := call("SubmitJob", "", []byte(`{"Placement":{"Zone":"ap-guangzhou-2"},"Job":{"JobName":"die","Tasks":[{
		"TaskName":"t","MaxRetryCount":1,"Application":{"DeliveryForm":"LOCAL","Command":"exit 0"},
		"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}}]}}`))
	if err != nil || code != "" {
		t.Fatalf("SubmitJob: %v %s %s", err, code, resp)
	}
	var sub struct{ JobId string }
	if err := json.Unmarshal(resp, &sub); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "Tencent job ends", func() bool {
		j, err := emu.Engine().Job(emu.SecretID, sub.JobId)
		return err == nil && (j.State == "SUCCEED" || j.State == "FAILED")
	})
	j, _ := emu.Engine().Job(emu.SecretID, sub.JobId)
	in := j.Tasks[0].Instances[0]
	if j.State != "SUCCEED" || in.Retries != 1 {
		t.Fatalf("Tencent job after one node death: %s, instance retries %d (%s)", j.State, in.Retries, in.StateReason)
	}

	// Alibaba BatchCompute: two deaths exhaust MaxRetryCount 1.
	rules = `{"rules":[{"name":"kill2","tenant":"` + emu.SecretID + `","kill_instance":true,"probability":1,"count":2}]}`
	if code := adminSend(t, emu, "PUT", "chaos", rules, &st); code != 200 {
		t.Fatalf("PUT chaos: %d", code)
	}
	c := acsClient(emu)
	var q struct{ AvailableClusterInstanceType []string }
	if r := acsDo(t, c, "GET", "/quotas", nil); r.Status != 200 || json.Unmarshal(r.Body, &q) != nil || len(q.AvailableClusterInstanceType) == 0 {
		t.Fatalf("GetQuotas: %d %s", r.Status, r.Body)
	}
	it := q.AvailableClusterInstanceType[0]
	r := acsDo(t, c, "POST", "/clusters", map[string]any{"Name": "die-cluster", "Description": "x", "ImageId": "img-ubuntu",
		"InstanceType": it, "Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand", "InstanceType": it}}})
	var id struct{ Id string }
	if r.Status != 201 || json.Unmarshal(r.Body, &id) != nil {
		t.Fatalf("CreateCluster: %d %s", r.Status, r.Body)
	}
	r = acsDo(t, c, "POST", "/jobs", map[string]any{"Name": "die-job", "Description": "x", "Priority": 1, "Type": "DAG",
		"JobFailOnInstanceFail": true, "DAG": map[string]any{"Tasks": map[string]any{"A": map[string]any{
			"InstanceCount": 1, "Timeout": 600, "MaxRetryCount": 1, "ClusterId": id.Id,
			"Parameters": map[string]any{"Command": map[string]any{"CommandLine": "echo hi", "PackagePath": ""},
				"StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"}}}}})
	if r.Status != 201 || json.Unmarshal(r.Body, &id) != nil {
		t.Fatalf("CreateJob: %d %s", r.Status, r.Body)
	}
	var inst struct {
		State      string
		RetryCount int
		Result     struct{ ErrorMessage string }
	}
	waitFor(t, 60*time.Second, "Alibaba instance ends", func() bool {
		r := acsDo(t, c, "GET", "/jobs/"+id.Id+"/tasks/A/instances/0", nil)
		return r.Status == 200 && json.Unmarshal(r.Body, &inst) == nil && (inst.State == "Failed" || inst.State == "Finished")
	})
	if inst.State != "Failed" || inst.RetryCount != 1 || !strings.Contains(inst.Result.ErrorMessage, "died (chaos rule kill2)") {
		t.Fatalf("Alibaba instance after two node deaths: %+v", inst)
	}
	if adminGet(t, emu, "chaos", &st); st.Hits["kill2"] != 2 {
		t.Fatalf("hits %+v", st.Hits)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
