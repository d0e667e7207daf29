package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	clientacs "github.com/batchconform/batchconform/clients/acs"
	tcsign "github.com/batchconform/batchconform/clients/api3"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/store"
)

// tc3 sends one signed API 3.0 POST (service "batch" 2017-03-12 or
// "oceanus" 2019-04-22) and returns the Response object and its error code.
func tc3(t testing.TB, url, id, key, service, action string, body any) (map[string]any, string) {
	t.Helper()
	version := "2017-03-12"
	if service == "oceanus" {
		version = "2019-04-22"
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	s := tcsign.TC3{SecretID: id, SecretKey: key, Service: service, Action: action, Version: version,
		Region: "ap-guangzhou", Timestamp: time.Now()}
	req, err := s.NewPOST(url, "", b)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	var env struct {
		Response map[string]any
	}
	if err := json.Unmarshal(data, &env); err != nil || env.Response == nil {
		t.Fatalf("%s: HTTP %d, not an API 3.0 envelope: %s", action, resp.StatusCode, data)
	}
	if e, ok := env.Response["Error"].(map[string]any); ok {
		return env.Response, fmt.Sprint(e["Code"])
	}
	return env.Response, ""
}

// tc3OK is tc3 that fails the test on an error code.
func tc3OK(t testing.TB, url, id, key, service, action string, body any) map[string]any {
	t.Helper()
	r, code := tc3(t, url, id, key, service, action, body)
	if code != "" {
		t.Fatalf("%s: %s: %v", action, code, r["Error"])
	}
	return r
}

func jobBody(name, command, token string, retries int) map[string]any {
	b := map[string]any{"Placement": map[string]any{"Zone": "ap-guangzhou-2"},
		"Job": map[string]any{"JobName": name, "Tasks": []any{map[string]any{
			"TaskName": "t", "MaxRetryCount": retries,
			"Application": map[string]any{"DeliveryForm": "LOCAL", "Command": command},
			"ComputeEnv": map[string]any{"EnvType": "MANAGED",
				"EnvData": map[string]any{"InstanceType": "S1.SMALL1", "ImageId": "img-m4q71qnf"}},
		}}}}
	if token != "" {
		b["ClientToken"] = token
	}
	return b
}

var requestIDs = regexp.MustCompile(`"(RequestId|request_id)":"[^"]*"`)

// snapshot is everything a client can read of the three dialects, the admin
// API and the clock, with request IDs removed.
func snapshot(t *testing.T, emu *emulator.Emulator, tenantID, tenantKey string) map[string]string {
	t.Helper()
	out := map[string]string{}
	put := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = requestIDs.ReplaceAllString(string(b), "")
	}
	for _, a := range []string{"DescribeJobs", "DescribeComputeEnvs", "DescribeTaskTemplates"} {
		put("batch/"+a, tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "batch", a, map[string]any{}))
	}
	put("batch/tenant/DescribeJobs", tc3OK(t, emu.URL, tenantID, tenantKey, "batch", "DescribeJobs", map[string]any{}))
	jobs := tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "batch", "DescribeJobs", map[string]any{})["JobSet"].([]any)
	for _, j := range jobs {
		id := j.(map[string]any)["JobId"].(string)
		put("batch/DescribeJob/"+id, tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "batch", "DescribeJob", map[string]any{"JobId": id}))
	}
	put("oceanus/DescribeJobs", tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "oceanus", "DescribeJobs", map[string]any{}))
	put("oceanus/DescribeClusters", tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "oceanus", "DescribeClusters", map[string]any{}))
	ali := &clientacs.Client{Endpoint: emu.URL, Signer: clientacs.Signer{AccessKeyID: emu.SecretID, AccessKeySecret: emu.SecretKey}}
	for _, p := range []string{"/jobs", "/clusters", "/images"} {
		r, err := ali.Do(context.Background(), "GET", p, nil, clientacs.Options{})
		if err != nil || r.Status != 200 {
			t.Fatalf("GET %s: %v %v", p, err, r)
		}
		put("ali"+p, json.RawMessage(r.Body))
	}
	for _, p := range []string{"events", "clock", "tenants", "objects?prefix=cos://"} {
		var v any
		adminGet(t, emu, p, &v)
		put("admin/"+p, v)
	}
	return out
}

func startState(t *testing.T, dir string, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(append([]emulator.Option{emulator.WithStateDir(dir), emulator.WithExecutor("simulated"),
		emulator.WithCredentials("AKIDstate", "statekey")}, opts...)...)
	if err != nil {
		t.Fatalf("Start --state-dir: %v", err)
	}
	return emu
}

// Everything of the three dialects, the tenants, the objects, the events and
// the manual clock is the same after a restart, and carries on: the restored
// jobs finish, idempotency tokens still hold, the tenant's key still works.
func TestStateRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	emu := startState(t, dir, emulator.WithManualClock())
	var tenant struct {
		SecretID  string `json:"secret_id"`
		SecretKey string `json:"secret_key"`
	}
	if code := adminSend(t, emu, "POST", "tenants", `{}`, &tenant); code != 201 || tenant.SecretKey == "" {
		t.Fatalf("POST tenants: %d %+v", code, tenant)
	}
	if code := adminSend(t, emu, "PUT", "objects?url=cos://b-1250000000.cos.ap-guangzhou.myqcloud.com/in/a", "hello", nil); code/100 != 2 {
		t.Fatalf("PUT objects: %d", code)
	}
	u, k := emu.URL, emu.SecretKey
	sub := func(tid, tkey, name, cmd, token string) string {
		return tc3OK(t, u, tid, tkey, "batch", "SubmitJob", jobBody(name, cmd, token, 0))["JobId"].(string)
	}
	j1 := sub(emu.SecretID, k, "sleeper", "sleep 30", "tok-1")
	notified := jobBody("notified", "sleep 1", "", 0)
	notified["Job"].(map[string]any)["Notifications"] = []any{map[string]any{"TopicName": "topic1",
		"EventConfigs": []any{map[string]any{"EventName": "TASK_RUNNING", "EventVars": []any{}}}}}
	tc3OK(t, u, emu.SecretID, k, "batch", "SubmitJob", notified)
	tc3OK(t, u, emu.SecretID, k, "batch", "CreateTaskTemplate", map[string]any{"TaskTemplateName": "tpl",
		"TaskTemplateInfo": map[string]any{"TaskName": "t", "Application": map[string]any{"DeliveryForm": "LOCAL", "Command": "echo hi"},
			"ComputeEnv": map[string]any{"EnvType": "MANAGED", "EnvData": map[string]any{"InstanceType": "S1.SMALL1"}}}})
	sub(emu.SecretID, k, "failer", "exit 3", "")
	sub(tenant.SecretID, tenant.SecretKey, "tenant-job", "echo hi", "")
	tc3OK(t, u, emu.SecretID, k, "batch", "CreateComputeEnv", map[string]any{
		"Placement": map[string]any{"Zone": "ap-guangzhou-2"},
		"ComputeEnv": map[string]any{"EnvName": "env1", "EnvType": "MANAGED", "DesiredComputeNodeCount": 1,
			"EnvData": map[string]any{"InstanceType": "S1.SMALL1", "ImageId": "img-m4q71qnf"}}})
	if err := emu.Advance(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	ali := &clientacs.Client{Endpoint: u, Signer: clientacs.Signer{AccessKeyID: emu.SecretID, AccessKeySecret: k}}
	for _, c := range []struct {
		path string
		body any
	}{
		{"/clusters", map[string]any{"Name": "cls1", "InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu",
			"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand"}}}},
		{"/images", map[string]any{"Name": "myimg", "EcsImageId": "m-1", "Platform": "Linux"}},
		{"/jobs", map[string]any{"Name": "alijob", "Type": "DAG", "Priority": 1, "JobFailOnInstanceFail": true,
			"DAG": map[string]any{"Tasks": map[string]any{"t": map[string]any{"InstanceCount": 1, "MaxRetryCount": 0, "Timeout": 600,
				"AutoCluster": map[string]any{"InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu"},
				"Parameters": map[string]any{"Command": map[string]any{"CommandLine": "sleep 5", "PackagePath": ""},
					"StdoutRedirectPath": "oss://bucket/logs/", "StderrRedirectPath": "oss://bucket/logs/"}}}}}},
	} {
		r, err := ali.JSON(context.Background(), "POST", c.path, c.body, nil)
		if err != nil || r.Status != 201 {
			t.Fatalf("POST %s: %v %+v", c.path, err, r)
		}
	}
	tc3OK(t, u, emu.SecretID, k, "oceanus", "CreateJob", map[string]any{"Name": "ocean", "JobType": 1, "ClusterType": 1})
	if err := emu.Advance(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, emu, tenant.SecretID, tenant.SecretKey)
	if !strings.Contains(before["admin/events"], "TASK_RUNNING") || !strings.Contains(before["batch/DescribeTaskTemplates"], "task-tmpl-") {
		t.Fatalf("the scenario made no events or no template: %s %s", before["admin/events"], before["batch/DescribeTaskTemplates"])
	}
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}

	emu2 := startState(t, dir, emulator.WithManualClock())
	defer emu2.Close()
	u = emu2.URL
	si := emu2.State()
	if si.Restored == 0 || si.Diverged != 0 {
		t.Fatalf("State() = %+v: want records restored, none diverged", si)
	}
	after := snapshot(t, emu2, tenant.SecretID, tenant.SecretKey)
	var keys []string
	for name := range before {
		keys = append(keys, name)
	}
	sort.Strings(keys)
	for _, name := range keys {
		if before[name] != after[name] {
			t.Errorf("%s differs after the restart:\nbefore %s\nafter  %s", name, before[name], after[name])
		}
	}
	if got := sub(emu2.SecretID, k, "sleeper", "sleep 30", "tok-1"); got != j1 {
		t.Errorf("SubmitJob with the same ClientToken after the restart: %s, want %s", got, j1)
	}
	if fresh := sub(emu2.SecretID, k, "new", "exit 0", ""); strings.Contains(before["batch/DescribeJobs"], fresh) {
		t.Errorf("a job submitted after the restart reuses ID %s", fresh)
	}
	if err := emu2.Advance(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	r := tc3OK(t, u, emu2.SecretID, k, "batch", "DescribeJob", map[string]any{"JobId": j1})
	if r["JobState"] != "SUCCEED" {
		t.Errorf("restored job %s: %v after the clock ran on, want SUCCEED", j1, r["JobState"])
	}
}

// A scaled clock resumes where the last run left it, never earlier.
func TestStateScaledClockResumes(t *testing.T) {
	dir := t.TempDir()
	emu := startState(t, dir, emulator.WithTimeScale(10))
	id := tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "batch", "SubmitJob", jobBody("long", "sleep 100000", "", 0))["JobId"].(string)
	time.Sleep(300 * time.Millisecond)
	var c1 emulator.ClockInfo
	adminGet(t, emu, "clock", &c1)
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	emu2 := startState(t, dir, emulator.WithTimeScale(10))
	defer emu2.Close()
	var c2 emulator.ClockInfo
	adminGet(t, emu2, "clock", &c2)
	if c2.Now.Before(c1.Now) {
		t.Fatalf("clock went back across the restart: %v, then %v", c1.Now, c2.Now)
	}
	if c2.Now.Sub(c1.Now) > 30*time.Second {
		t.Fatalf("clock jumped %v across the restart (downtime must not count)", c2.Now.Sub(c1.Now))
	}
	r := tc3OK(t, emu2.URL, emu2.SecretID, emu2.SecretKey, "batch", "DescribeJob", map[string]any{"JobId": id})
	if s := r["JobState"]; s != "RUNNING" {
		t.Fatalf("job %s is %v after the restart, want RUNNING", id, s)
	}
}

// A corrupt or foreign state file is refused with an error that names it,
// and is left byte for byte as it was.
func TestStateRefusesForeignFiles(t *testing.T) {
	foreignBolt := func(path string) {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("someone-else"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		}); err != nil {
			t.Fatal(err)
		}
		_ = db.Close()
	}
	for _, tc := range []struct {
		name  string
		make  func(path string)
		wants string
	}{
		{"empty", func(p string) { os.WriteFile(p, nil, 0o600) }, "empty"},
		{"text", func(p string) { os.WriteFile(p, bytes.Repeat([]byte("not a database\n"), 1000), 0o600) }, "corrupt or not a bbolt file"},
		{"foreign-bbolt", foreignBolt, "another program"},
		{"truncated", func(p string) {
			// A real state file cut in half.
			d := t.TempDir()
			e := startState(t, d)
			e.Close()
			b, _ := os.ReadFile(filepath.Join(d, store.FileName))
			b = b[:len(b)/2]
			for i := 0; i < 4096 && i < len(b); i++ {
				b[i] ^= 0x5a // and its first meta page garbled
			}
			os.WriteFile(p, b, 0o600)
		}, "corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, store.FileName)
			tc.make(path)
			before, _ := os.ReadFile(path)
			_, err := emulator.Start(emulator.WithStateDir(dir), emulator.WithExecutor("simulated"))
			if err == nil {
				t.Fatal("Start accepted it")
			}
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("error %q: want ErrInvalid naming %s and saying %q", err, path, tc.wants)
			}
			after, _ := os.ReadFile(path)
			if sha256.Sum256(before) != sha256.Sum256(after) {
				t.Fatal("the refused file was modified")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Fatalf("the state dir holds %d entries, want just the refused file", len(ents))
			}
		})
	}
	t.Run("in-use", func(t *testing.T) {
		dir := t.TempDir()
		e := startState(t, dir)
		defer e.Close()
		_, err := emulator.Start(emulator.WithStateDir(dir), emulator.WithExecutor("simulated"))
		if err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("a second emulator on one state dir: %v, want an in-use error", err)
		}
	})
	t.Run("clock-kind", func(t *testing.T) {
		dir := t.TempDir()
		startState(t, dir, emulator.WithManualClock()).Close()
		_, err := emulator.Start(emulator.WithStateDir(dir), emulator.WithExecutor("simulated"))
		if err == nil || !strings.Contains(err.Error(), "--manual-clock") {
			t.Fatalf("scaled start on a manual-clock state: %v", err)
		}
	})
}

// waitJob polls DescribeJob until the job is in one of want.
func waitJob(t *testing.T, emu *emulator.Emulator, id string, within time.Duration, want ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "batch", "DescribeJob", map[string]any{"JobId": id})
		for _, w := range want {
			if r["JobState"] == w {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %v after %v, want %v", id, r["JobState"], within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// With the local executor a finished command is never run again after a
// restart (its recorded outcome is replayed), and a command that was running
// when the emulator stopped fails with emulator.LostReason and goes through
// its retry policy.
func TestStateLocalExecutorRecovery(t *testing.T) {
	dir, mark := t.TempDir(), t.TempDir()
	local := emulator.WithExecutor("local")
	emu := startState(t, dir, local, emulator.WithWorkDir(t.TempDir()))
	submit := func(e *emulator.Emulator, name, cmd string, retries int) string {
		b := jobBody(name, cmd, "", retries)
		b["Job"].(map[string]any)["Tasks"].([]any)[0].(map[string]any)["EnvVars"] = []any{map[string]any{"Name": "MARK", "Value": mark}}
		return tc3OK(t, e.URL, e.SecretID, e.SecretKey, "batch", "SubmitJob", b)["JobId"].(string)
	}
	done := submit(emu, "done", `echo ran >> "$MARK/done"; echo finished`, 0)
	waitJob(t, emu, done, 20*time.Second, "SUCCEED")
	retried := submit(emu, "retried", `if [ -e "$MARK/retried" ]; then exit 0; fi; touch "$MARK/retried"; sleep 60`, 1)
	lost := submit(emu, "lost", `touch "$MARK/lost"; sleep 60`, 0)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, e1 := os.Stat(filepath.Join(mark, "retried"))
		_, e2 := os.Stat(filepath.Join(mark, "lost"))
		if e1 == nil && e2 == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the commands did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}

	emu2 := startState(t, dir, local, emulator.WithWorkDir(t.TempDir()))
	defer emu2.Close()
	if si := emu2.State(); si.Recovered != 2 || si.Diverged != 0 {
		t.Fatalf("State() = %+v, want 2 recovered attempts and no divergence", si)
	}
	waitJob(t, emu2, done, 5*time.Second, "SUCCEED")
	waitJob(t, emu2, retried, 20*time.Second, "SUCCEED")
	waitJob(t, emu2, lost, 20*time.Second, "FAILED")
	tk := tc3OK(t, emu2.URL, emu2.SecretID, emu2.SecretKey, "batch", "DescribeTask", map[string]any{"JobId": lost, "TaskName": "t"})
	insts, _ := tk["TaskInstanceSet"].([]any)
	if len(insts) != 1 || !strings.Contains(fmt.Sprint(insts[0].(map[string]any)["StateReason"]), emulator.LostReason) {
		t.Fatalf("the lost instance's StateReason: %v, want %q", tk["TaskInstanceSet"], emulator.LostReason)
	}
	if b, _ := os.ReadFile(filepath.Join(mark, "done")); string(b) != "ran\n" {
		t.Fatalf("the finished command ran again after the restart: %q", b)
	}
	tk = tc3OK(t, emu2.URL, emu2.SecretID, emu2.SecretKey, "batch", "DescribeTask", map[string]any{"JobId": done, "TaskName": "t"})
	if s := fmt.Sprint(tk["TaskInstanceSet"]); !strings.Contains(s, "SUCCEED") {
		t.Fatalf("restored task: %s", s)
	}
}

// Under a running (scaled) clock the engine's loop takes IDs for nodes and
// activities while Oceanus and Alibaba BatchCompute calls take theirs from
// the same generator: replay must give every call the ID it was answered
// with. Three dialects submit concurrently; after a restart nothing diverged
// and every ID a client was given still names its resource.
func TestStateReplayDeterministicUnderLoad(t *testing.T) {
	dir := t.TempDir()
	emu := startState(t, dir, emulator.WithTimeScale(5))
	ali := func(e *emulator.Emulator) *clientacs.Client {
		return &clientacs.Client{Endpoint: e.URL, Signer: clientacs.Signer{AccessKeyID: e.SecretID, AccessKeySecret: e.SecretKey}}
	}
	const n = 15
	var batchIDs, oceanIDs, aliIDs [n]string
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			batchIDs[i] = tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "batch", "SubmitJob", jobBody(fmt.Sprintf("b%d", i), "sleep 0.3", "", 0))["JobId"].(string)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			oceanIDs[i] = tc3OK(t, emu.URL, emu.SecretID, emu.SecretKey, "oceanus", "CreateJob", map[string]any{"Name": fmt.Sprintf("o%d", i), "JobType": 1, "ClusterType": 1})["JobId"].(string)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			body := map[string]any{"Name": fmt.Sprintf("a%d", i), "Type": "DAG", "Priority": 1, "JobFailOnInstanceFail": true,
				"DAG": map[string]any{"Tasks": map[string]any{"t": map[string]any{"InstanceCount": 1, "MaxRetryCount": 0, "Timeout": 600,
					"AutoCluster": map[string]any{"InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu"},
					"Parameters": map[string]any{"Command": map[string]any{"CommandLine": "sleep 0.2", "PackagePath": ""},
						"StdoutRedirectPath": "oss://bucket/logs/", "StderrRedirectPath": "oss://bucket/logs/"}}}}}
			r, err := ali(emu).JSON(context.Background(), "POST", "/jobs", body, nil)
			if err != nil || r.Status != 201 {
				t.Errorf("POST /jobs: %v %+v", err, r)
				return
			}
			var out struct{ Id string }
			_ = json.Unmarshal(r.Body, &out)
			aliIDs[i] = out.Id
		}
	}()
	wg.Wait()
	if t.Failed() {
		return
	}
	time.Sleep(300 * time.Millisecond) // let jobs move on (nodes, instances, IDs)
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	emu2 := startState(t, dir, emulator.WithTimeScale(5))
	defer emu2.Close()
	if si := emu2.State(); si.Diverged != 0 {
		t.Fatalf("State() = %+v: replay diverged", si)
	}
	for i := 0; i < n; i++ {
		r := tc3OK(t, emu2.URL, emu2.SecretID, emu2.SecretKey, "batch", "DescribeJob", map[string]any{"JobId": batchIDs[i]})
		if r["JobName"] != fmt.Sprintf("b%d", i) {
			t.Errorf("%s names %v after the restart, want b%d", batchIDs[i], r["JobName"], i)
		}
		o := tc3OK(t, emu2.URL, emu2.SecretID, emu2.SecretKey, "oceanus", "DescribeJobs", map[string]any{"JobIds": []string{oceanIDs[i]}})
		if set, _ := o["JobSet"].([]any); len(set) != 1 || set[0].(map[string]any)["Name"] != fmt.Sprintf("o%d", i) {
			t.Errorf("%s after the restart: %v, want o%d", oceanIDs[i], o["JobSet"], i)
		}
		a, err := ali(emu2).Do(context.Background(), "GET", "/jobs/"+aliIDs[i], nil, clientacs.Options{})
		if err != nil || a.Status != 200 || !strings.Contains(string(a.Body), fmt.Sprintf(`"a%d"`, i)) {
			t.Errorf("GET /jobs/%s after the restart: %v %+v", aliIDs[i], err, a)
		}
	}
}
