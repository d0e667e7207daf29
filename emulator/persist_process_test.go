package emulator_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tcsign "github.com/batchconform/batchconform/clients/api3"
)

// cliBinary builds cmd/batchconform into a temp dir of t.
func cliBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "batchconform")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/batchconform").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The emulate command with --state-dir, as a child process (one build for
// both).
func TestStateSurvivesRestart(t *testing.T) {
	bin := cliBinary(t)
	t.Run("kill-9", func(t *testing.T) { testKill9(t, bin) })
	t.Run("SIGTERM", func(t *testing.T) { testSIGTERM(t, bin) })
}

// child is a running `batchconform emulate`.
type child struct {
	cmd    *exec.Cmd
	url    string
	banner string // stdout up to and including the listening line
	stderr *lockedBuffer
	done   chan error
}

const childID, childKey = "AKIDchild", "childkey"

func startChild(t *testing.T, bin string, args ...string) *child {
	t.Helper()
	all := append([]string{"emulate", "--addr", "127.0.0.1:0", "--secret-id", childID, "--secret-key", childKey}, args...)
	cmd := exec.Command(bin, all...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	lines := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var banner strings.Builder
	for lines.Scan() {
		banner.WriteString(lines.Text() + "\n")
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			c.url = m[1]
			break
		}
	}
	c.banner = banner.String()
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		c.done <- cmd.Wait()
	}()
	if c.url == "" {
		<-c.done
		t.Fatalf("emulate did not start: %s\nstderr:\n%s", c.banner, c.stderr.String())
	}
	return c
}

// tc3Try is tc3 without failing the test (for requests racing a kill).
func tc3Try(url, action string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	s := tcsign.TC3{SecretID: childID, SecretKey: childKey, Service: "batch", Action: action, Version: "2017-03-12",
		Region: "ap-guangzhou", Timestamp: time.Now()}
	req, err := s.NewPOST(url, "", b)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var env struct{ Response map[string]any }
	if err := json.Unmarshal(data, &env); err != nil || env.Response == nil {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, data)
	}
	if e, ok := env.Response["Error"]; ok {
		return nil, fmt.Errorf("%v", e)
	}
	return env.Response, nil
}

// waitTerminal polls until every job is SUCCEED or FAILED.
func waitTerminal(t *testing.T, url string, ids []string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for _, id := range ids {
		for {
			r, err := tc3Try(url, "DescribeJob", map[string]any{"JobId": id})
			if err != nil {
				t.Fatalf("acknowledged job %s after the restart: %v", id, err)
			}
			if s := r["JobState"]; s == "SUCCEED" || s == "FAILED" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s is %v after %v", id, r["JobState"], within)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// kill -9 during 200 concurrent submits: every job whose SubmitJob was
// answered is there after a restart and reaches a terminal state.
func testKill9(t *testing.T, bin string) {
	dir := t.TempDir()
	args := []string{"--state-dir", dir, "--executor", "simulated", "--time-scale", "10"}
	c := startChild(t, bin, args...)
	const n = 200
	var acked atomic.Int64
	ids := make([]string, n)
	start := make(chan struct{})
	killed := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r, err := tc3Try(c.url, "SubmitJob", jobBody(fmt.Sprintf("k%d", i), fmt.Sprintf("sleep 2; exit %d", i%2), "", 0))
			if err != nil {
				return // unanswered: the process died first
			}
			ids[i] = r["JobId"].(string)
			if acked.Add(1) == n/2 {
				_ = c.cmd.Process.Signal(syscall.SIGKILL)
				close(killed)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d of %d submits were answered before any kill", acked.Load(), n)
	}
	if err := <-c.done; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the emulator was not killed: %v", err)
	}
	var got []string
	for _, id := range ids {
		if id != "" {
			got = append(got, id)
		}
	}
	t.Logf("%d of %d submits acknowledged before kill -9", len(got), n)

	c2 := startChild(t, bin, args...)
	if !strings.Contains(c2.banner, "records restored") {
		t.Fatalf("no restore line in %q", c2.banner)
	}
	waitTerminal(t, c2.url, got, 60*time.Second)
	r, err := tc3Try(c2.url, "DescribeJobs", map[string]any{"Limit": 1})
	if err != nil {
		t.Fatal(err)
	}
	if total, _ := r["TotalCount"].(float64); int(total) < len(got) {
		t.Fatalf("TotalCount %v after the restart, %d acknowledged", r["TotalCount"], len(got))
	}
	stopChild(t, c2)
}

// stopChild sends SIGTERM and wants a clean exit.
func stopChild(t *testing.T, c *child) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("emulate exited with %v on SIGTERM\n%s", err, c.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("emulate did not stop on SIGTERM")
	}
}

// SIGTERM: a clean shutdown; after a restart the jobs, a tenant created
// through the admin API (its key works), an object and the clock are there.
func testSIGTERM(t *testing.T, bin string) {
	dir := t.TempDir()
	args := []string{"--state-dir", dir, "--executor", "simulated", "--time-scale", "5"}
	c := startChild(t, bin, args...)
	admin := func(url, method, path, body string, v any) int {
		req, _ := http.NewRequest(method, url+"/_batchconform/v1/"+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			_ = json.NewDecoder(resp.Body).Decode(v)
		}
		return resp.StatusCode
	}
	var tenant struct {
		SecretID  string `json:"secret_id"`
		SecretKey string `json:"secret_key"`
	}
	if code := admin(c.url, "POST", "tenants", `{}`, &tenant); code != 201 {
		t.Fatalf("POST tenants: %d", code)
	}
	obj := "objects?url=cos://b-1250000000.cos.ap-guangzhou.myqcloud.com/x"
	if code := admin(c.url, "PUT", obj, "payload", nil); code/100 != 2 {
		t.Fatalf("PUT object: %d", code)
	}
	var running, finished []string
	for i := 0; i < 10; i++ {
		r, err := tc3Try(c.url, "SubmitJob", jobBody(fmt.Sprintf("long%d", i), "sleep 100000", "", 0))
		if err != nil {
			t.Fatal(err)
		}
		running = append(running, r["JobId"].(string))
		r, err = tc3Try(c.url, "SubmitJob", jobBody(fmt.Sprintf("short%d", i), "exit 0", "", 0))
		if err != nil {
			t.Fatal(err)
		}
		finished = append(finished, r["JobId"].(string))
	}
	waitTerminal(t, c.url, finished, 30*time.Second)
	var clock1 struct{ Now time.Time }
	admin(c.url, "GET", "clock", "", &clock1)
	stopChild(t, c)

	c2 := startChild(t, bin, args...)
	defer stopChild(t, c2)
	var clock2 struct{ Now time.Time }
	admin(c2.url, "GET", "clock", "", &clock2)
	if clock2.Now.Before(clock1.Now) {
		t.Fatalf("the clock went back across the restart: %v then %v", clock1.Now, clock2.Now)
	}
	for _, id := range running {
		r, err := tc3Try(c2.url, "DescribeJob", map[string]any{"JobId": id})
		if err != nil || r["JobState"] != "RUNNING" {
			t.Fatalf("job %s after SIGTERM and restart: %v %v (want RUNNING)", id, r["JobState"], err)
		}
	}
	waitTerminal(t, c2.url, finished, 5*time.Second)
	var got bytes.Buffer
	resp, err := http.Get(c2.url + "/_batchconform/v1/" + obj)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(&got, resp.Body)
	resp.Body.Close()
	if got.String() != "payload" {
		t.Fatalf("object after the restart: %q", got.String())
	}
	s := tcsign.TC3{SecretID: tenant.SecretID, SecretKey: tenant.SecretKey, Service: "batch", Action: "DescribeJobs",
		Version: "2017-03-12", Region: "ap-guangzhou", Timestamp: time.Now()}
	req, _ := s.NewPOST(c2.url, "", []byte(`{}`))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"JobSet"`) {
		t.Fatalf("the tenant created before the restart cannot call: %s", body)
	}
	if strings.Contains(c2.stderr.String(), tenant.SecretKey) || strings.Contains(c2.banner, tenant.SecretKey) {
		t.Fatal("the restored tenant's key was printed")
	}
}
