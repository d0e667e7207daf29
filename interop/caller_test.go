package interop

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/tenants"
)

const region = "ap-guangzhou"

// apiError is an API error as a client sees it.
type apiError struct{ Code, Message, RequestID string }

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// caller sends one action through one SDK and returns Response (without the
// envelope) as generic JSON, or the API error.
type caller interface {
	name() string
	call(action string, params any) (map[string]any, *apiError)
}

// startEmulator starts an in-process emulator that runs nothing real and
// moves fast, so lifecycles finish within a test.
func startEmulator(t *testing.T, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	opts = append([]emulator.Option{emulator.WithExecutor("simulated"), emulator.WithTimeScale(20)}, opts...)
	e, err := emulator.Start(opts...)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// target is an endpoint and the credentials to call it with.
type target struct{ addr, secretID, secretKey string }

// defaultTarget is the emulator's default tenant.
func defaultTarget(e *emulator.Emulator) target { return target{e.Addr, e.SecretID, e.SecretKey} }

// newTenant creates a fresh tenant, so scenarios running side by side keep
// their own state.
func newTenant(t *testing.T, e *emulator.Emulator) target {
	t.Helper()
	tn, err := e.Tenants().New(tenants.Tenant{})
	if err != nil {
		t.Fatalf("new tenant: %v", err)
	}
	return target{e.Addr, tn.SecretID, tn.SecretKey}
}

// ---- Node.js SDK ----

// nodeCaller drives one node process running driver.js.
type nodeCaller struct {
	t                              *testing.T
	product, version, method, sign string
	mu                             sync.Mutex
	in                             io.WriteCloser
	out                            *bufio.Scanner
}

// nodeDir is where package.json, the lockfile and driver.js live.
var nodeDir = filepath.Join("node", "tencent")

// newNodeCaller starts driver.js for product (the SDK's service key, e.g.
// "batch") and version (e.g. "v20170312") with the given request method and
// the SDK's default signature (TC3-HMAC-SHA256).
func newNodeCaller(t *testing.T, e target, product, version, method string) *nodeCaller {
	return newNodeCallerSigned(t, e, product, version, method, "TC3-HMAC-SHA256")
}

// newNodeCallerSigned is newNodeCaller with the SDK's signMethod
// (TC3-HMAC-SHA256, HmacSHA256 or HmacSHA1: the last two are signature v1).
func newNodeCallerSigned(t *testing.T, e target, product, version, method, sign string) *nodeCaller {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the Node.js SDK interop test needs Node.js (Debian: apt-get install nodejs npm)")
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "tencentcloud-sdk-nodejs", "package.json")); err != nil {
		t.Fatalf("tencentcloud-sdk-nodejs is not installed: run `npm ci --prefix interop/node/tencent` (%v)", err)
	}
	cmd := exec.Command(node, "driver.js")
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(),
		"BATCHCONFORM_ENDPOINT="+e.addr,
		"BATCHCONFORM_SECRET_ID="+e.secretID,
		"BATCHCONFORM_SECRET_KEY="+e.secretKey,
		"BATCHCONFORM_REGION="+region)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node driver.js: %v", err)
	}
	t.Cleanup(func() {
		_ = in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("node driver.js: %v: %s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("node driver.js did not exit after stdin closed")
		}
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	return &nodeCaller{t: t, product: product, version: version, method: method, sign: sign, in: in, out: sc}
}

func (n *nodeCaller) name() string { return "node-sdk/" + n.product + "/" + n.method + "/" + n.sign }

func (n *nodeCaller) call(action string, params any) (map[string]any, *apiError) {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	line, err := json.Marshal(map[string]any{"product": n.product, "version": n.version,
		"action": action, "method": n.method, "sign": n.sign, "params": params})
	if err != nil {
		n.t.Fatalf("%s: encode: %v", action, err)
	}
	if _, err := n.in.Write(append(line, '\n')); err != nil {
		n.t.Fatalf("%s: write to driver.js: %v", action, err)
	}
	if !n.out.Scan() {
		n.t.Fatalf("%s: driver.js closed its output: %v", action, n.out.Err())
	}
	var ans struct {
		OK        bool           `json:"ok"`
		Response  map[string]any `json:"response"`
		Code      string         `json:"code"`
		Message   string         `json:"message"`
		RequestID string         `json:"requestId"`
	}
	if err := json.Unmarshal(n.out.Bytes(), &ans); err != nil {
		n.t.Fatalf("%s: driver.js answered %q: %v", action, n.out.Text(), err)
	}
	if !ans.OK {
		return nil, &apiError{Code: ans.Code, Message: ans.Message, RequestID: ans.RequestID}
	}
	return ans.Response, nil
}

// ---- Go SDK ----

// goCaller calls any action of a tencentcloud-sdk-go client by name: the
// method's request type is filled from the params' JSON (as the SDK's own
// FromJsonString does) and its response marshalled back.
type goCaller struct {
	t                *testing.T
	service, version string // the SDK's service name and API version
	client           reflect.Value
}

// goProfile is the client profile every Go SDK client of these tests uses.
func goProfile(e target, method string) *profile.ClientProfile {
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = e.addr
	p.HttpProfile.Scheme = "http"
	p.HttpProfile.ReqMethod = method
	p.HttpProfile.ReqTimeout = 30
	return p
}

func goCredential(e target) *common.Credential {
	return common.NewCredential(e.secretID, e.secretKey)
}

func newGoCaller(t *testing.T, service, version string, client any) *goCaller {
	return &goCaller{t: t, service: service, version: version, client: reflect.ValueOf(client)}
}

func (g *goCaller) name() string { return "go-sdk/" + g.service }

func (g *goCaller) call(action string, params any) (map[string]any, *apiError) {
	g.t.Helper()
	m := g.client.MethodByName(action)
	if !m.IsValid() {
		return nil, &apiError{Code: "SDK.NoSuchAction", Message: "the Go SDK client has no " + action}
	}
	req := reflect.New(m.Type().In(0).Elem())
	js, err := json.Marshal(params)
	if err != nil {
		g.t.Fatalf("%s: encode: %v", action, err)
	}
	if err := json.Unmarshal(js, req.Interface()); err != nil {
		g.t.Fatalf("%s: params do not fit the Go SDK's request type: %v", action, err)
	}
	// What the SDK's New<Action>Request does besides allocating.
	base := (&tchttp.BaseRequest{}).Init().WithApiInfo(g.service, g.version, action)
	req.Elem().FieldByName("BaseRequest").Set(reflect.ValueOf(base))
	out := m.Call([]reflect.Value{req})
	if e, _ := out[1].Interface().(error); e != nil {
		var se *sdkerr.TencentCloudSDKError
		if errors.As(e, &se) {
			return nil, &apiError{Code: se.Code, Message: se.Message, RequestID: se.RequestId}
		}
		return nil, &apiError{Code: "SDK.Exception", Message: e.Error()}
	}
	js, err = json.Marshal(out[0].Interface())
	if err != nil {
		g.t.Fatalf("%s: encode response: %v", action, err)
	}
	var env struct {
		Response map[string]any `json:"Response"`
	}
	if err := json.Unmarshal(js, &env); err != nil {
		g.t.Fatalf("%s: decode response: %v", action, err)
	}
	return env.Response, nil
}

// ---- scenario helpers ----

// ok calls and fails the test on an API error.
func ok(t *testing.T, c caller, action string, params any) map[string]any {
	t.Helper()
	r, e := c.call(action, params)
	if e != nil {
		t.Fatalf("%s %s: %v (RequestId %s)", c.name(), action, e, e.RequestID)
	}
	if id, _ := r["RequestId"].(string); id == "" {
		t.Fatalf("%s %s: no RequestId in %v", c.name(), action, r)
	}
	return r
}

// fails calls and expects the API error code.
func fails(t *testing.T, c caller, action string, params any, code string) {
	t.Helper()
	r, e := c.call(action, params)
	if e == nil {
		t.Fatalf("%s %s: succeeded (%v), want %s", c.name(), action, r, code)
	}
	if e.Code != code {
		t.Fatalf("%s %s: %s (%s), want %s", c.name(), action, e.Code, e.Message, code)
	}
}

// eventually polls cond every 20 ms for up to 20 s of real time.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		var done bool
		if done, last = cond(); done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not reached in 20s (last: %s)", what, last)
}

func str(v any) string { s, _ := v.(string); return s }

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case json.Number:
		f, _ := n.Float64()
		return f
	}
	return -1
}
