package emulator_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/internal/demo"
)

func start(t testing.TB, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := emu.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return emu
}

func demoConfig(emu *emulator.Emulator) demo.Config {
	return demo.Config{Endpoint: emu.Addr, Scheme: "http", SecretID: emu.SecretID, SecretKey: emu.SecretKey,
		Timeout: 30 * time.Second}
}

// The "done when": an SDK-only program creates an env, sees its node
// RUNNING, runs a DAG to SUCCEED, reads its logs, sees FAILED, and gets the
// documented errors — in every wire form the SDK speaks.
func TestSDKScenarioInProcess(t *testing.T) {
	emu := start(t)
	for _, form := range []struct{ sign, method string }{
		{"TC3-HMAC-SHA256", "POST"},
		{"TC3-HMAC-SHA256", "GET"},
		{"HmacSHA256", "GET"},
		{"HmacSHA256", "POST"},
		{"HmacSHA1", "GET"},
		{"HmacSHA1", "POST"},
	} {
		t.Run(form.sign+"/"+form.method, func(t *testing.T) {
			cfg := demoConfig(emu)
			cfg.SignMethod, cfg.ReqMethod = form.sign, form.method
			var log bytes.Buffer
			cfg.Log = &log
			if _, err := demo.Run(cfg); err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			t.Log("\n" + log.String())
		})
	}
}

// The same scenario against a separately started `batchconform emulate`.
func TestSDKScenarioAgainstEmulateCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "batchconform")
	build := exec.Command("go", "build", "-o", bin, "../cmd/batchconform")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "emulate", "--addr", "127.0.0.1:0", "--secret-id", "AKIDcmdtest", "--secret-key", "cmdtestkey")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("emulate exited with %v\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("emulate did not stop on SIGTERM")
		}
	}()
	lines := bufio.NewScanner(stdout)
	addrRe := regexp.MustCompile(`listening on http://(\S+)`)
	var addr string
	for lines.Scan() {
		if m := addrRe.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	if addr == "" {
		t.Fatalf("no 'listening on' line; stderr:\n%s", stderr.String())
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	if strings.Contains(stderr.String(), "cmdtestkey") {
		t.Fatal("emulate printed the secret key")
	}
	var log bytes.Buffer
	_, err = demo.Run(demo.Config{Endpoint: addr, SecretID: "AKIDcmdtest", SecretKey: "cmdtestkey", Log: &log, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
}

func client(t testing.TB, emu *emulator.Emulator) *batch.Client {
	t.Helper()
	c, err := demo.Config{Endpoint: emu.Addr, Scheme: "http", SecretID: emu.SecretID}.Client(emu.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// 200 concurrent SubmitJob calls yield 200 distinct jobs that all reach a
// terminal state.
func TestConcurrentSubmits(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"))
	c := client(t, emu)
	const n = 200
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req := batch.NewSubmitJobRequest()
			req.Placement = &batch.Placement{Zone: common.StringPtr("ap-guangzhou-2")}
			req.Job = &batch.Job{JobName: common.StringPtr(fmt.Sprintf("c%d", i)), Tasks: []*batch.Task{{
				TaskName: common.StringPtr("t"), Application: &batch.Application{
					DeliveryForm: common.StringPtr("LOCAL"), Command: common.StringPtr(fmt.Sprintf("exit %d", i%2))},
				ComputeEnv: &batch.AnonymousComputeEnv{EnvType: common.StringPtr("MANAGED"),
					EnvData: &batch.EnvData{InstanceType: common.StringPtr("S1.SMALL1"), ImageId: common.StringPtr("img-m4q71qnf")}},
			}}}
			resp, err := c.SubmitJob(req)
			if err != nil {
				errs[i] = err
				return
			}
			ids[i] = *resp.Response.JobId
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range ids {
		if errs[i] != nil {
			t.Fatalf("submit %d: %v", i, errs[i])
		}
		if seen[ids[i]] {
			t.Fatalf("duplicate JobId %s", ids[i])
		}
		seen[ids[i]] = true
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, id := range ids {
		for {
			req := batch.NewDescribeJobRequest()
			req.JobId = common.StringPtr(id)
			resp, err := c.DescribeJob(req)
			if err != nil {
				t.Fatalf("DescribeJob %s: %v", id, err)
			}
			st := *resp.Response.JobState
			if st == "SUCCEED" || st == "FAILED" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s still %s", id, st)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func adminGet(t testing.TB, emu *emulator.Emulator, path string, v any) int {
	t.Helper()
	resp, err := http.Get(emu.URL + emulator.AdminPrefix + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("admin %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func adminSend(t testing.TB, emu *emulator.Emulator, method, path, body string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, emu.URL+emulator.AdminPrefix+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("admin %s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestAdminInfoHidesFaults(t *testing.T) {
	emu := start(t, emulator.WithFaults("accept-cyclic-dag"))
	resp, err := http.Get(emu.URL + emulator.AdminPrefix + "info")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var info emulator.Info
	if err := json.Unmarshal(body, &info); err != nil || resp.StatusCode != 200 {
		t.Fatalf("info: %d %v %s", resp.StatusCode, err, body)
	}
	if info.Name == "" || len(info.Dialects) == 0 || info.Clock.Now.IsZero() {
		t.Fatalf("info incomplete: %+v", info)
	}
	if bytes.Contains(bytes.ToLower(body), []byte("fault")) || bytes.Contains(body, []byte("cyclic")) {
		t.Fatalf("info reveals faults: %s", body)
	}
}

func TestAdminClock(t *testing.T) {
	scaled := start(t)
	if code := adminSend(t, scaled, "POST", "clock", `{"advance":"1s"}`, nil); code != http.StatusConflict {
		t.Fatalf("advancing a scaled clock: got %d, want 409", code)
	}
	manual := start(t, emulator.WithManualClock(), emulator.WithExecutor("simulated"))
	var before, after emulator.ClockInfo
	adminGet(t, manual, "clock", &before)
	if !before.Manual {
		t.Fatal("clock not manual")
	}
	if code := adminSend(t, manual, "POST", "clock", `{"advance":"90s"}`, &after); code != 200 {
		t.Fatalf("advance: %d", code)
	}
	if got := after.Now.Sub(before.Now); got != 90*time.Second {
		t.Fatalf("clock moved %v, want 90s", got)
	}
	for _, bad := range []string{`{"advance":"-1s"}`, `{"advance":"soon"}`, `not json`} {
		if code := adminSend(t, manual, "POST", "clock", bad, nil); code != http.StatusBadRequest {
			t.Errorf("POST clock %s: got %d, want 400", bad, code)
		}
	}
}

func TestAdminObjects(t *testing.T) {
	emu := start(t)
	u := "cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/in/a.txt"
	if code := adminSend(t, emu, "PUT", "objects?url="+u, "hello", nil); code != http.StatusCreated {
		t.Fatalf("put: %d", code)
	}
	resp, err := http.Get(emu.URL + emulator.AdminPrefix + "objects?url=" + u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "hello" {
		t.Fatalf("get: %q", got)
	}
	var list struct{ Objects []emulator.ObjectInfo }
	adminGet(t, emu, "objects?prefix=cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/in/", &list)
	if len(list.Objects) != 1 || list.Objects[0].URL != u || list.Objects[0].Size != 5 {
		t.Fatalf("list: %+v", list)
	}
	if code := adminGet(t, emu, "objects?url=cos://nope/x", nil); code != http.StatusNotFound {
		t.Fatalf("missing object: %d", code)
	}
}

func TestAdminTenants(t *testing.T) {
	emu := start(t)
	var ten struct {
		SecretID  string `json:"secret_id"`
		SecretKey string `json:"secret_key"`
	}
	if code := adminSend(t, emu, "POST", "tenants", `{"quotas":{"jobs":1}}`, &ten); code != http.StatusCreated {
		t.Fatalf("create tenant: %d", code)
	}
	if ten.SecretID == "" || ten.SecretKey == "" {
		t.Fatalf("tenant without credentials: %+v", ten)
	}
	if code := adminSend(t, emu, "POST", "tenants", `{"bogus":1}`, nil); code != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", code)
	}
	c, err := demo.Config{Endpoint: emu.Addr, Scheme: "http", SecretID: ten.SecretID}.Client(ten.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	submit := func() error {
		req := batch.NewSubmitJobRequest()
		req.Placement = &batch.Placement{Zone: common.StringPtr("ap-guangzhou-2")}
		req.Job = &batch.Job{JobName: common.StringPtr("q"), Tasks: []*batch.Task{{
			TaskName: common.StringPtr("t"), Application: &batch.Application{
				DeliveryForm: common.StringPtr("LOCAL"), Command: common.StringPtr("true")},
			ComputeEnv: &batch.AnonymousComputeEnv{EnvType: common.StringPtr("MANAGED"),
				EnvData: &batch.EnvData{InstanceType: common.StringPtr("S1.SMALL1"), ImageId: common.StringPtr("img-m4q71qnf")}},
		}}}
		_, err := c.SubmitJob(req)
		return err
	}
	if err := submit(); err != nil {
		t.Fatalf("first job under quota 1: %v", err)
	}
	if err := submit(); err == nil || !strings.Contains(err.Error(), "LimitExceeded.JobQuota") {
		t.Fatalf("second job: want LimitExceeded.JobQuota, got %v", err)
	}
	// The default tenant is not affected.
	if _, err := client(t, emu).DescribeJobs(batch.NewDescribeJobsRequest()); err != nil {
		t.Fatal(err)
	}
}

func TestAdminLoopbackOnlyAndUnknown(t *testing.T) {
	emu := start(t)
	if code := adminGet(t, emu, "nope", nil); code != http.StatusNotFound {
		t.Fatalf("unknown endpoint: %d", code)
	}
	if code := adminSend(t, emu, "DELETE", "info", "", nil); code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE info: %d", code)
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a child process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestMain(m *testing.M) {
	// Task commands of the local executor run with sh; nothing else is needed.
	os.Exit(m.Run())
}
