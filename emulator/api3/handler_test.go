package api3

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/batchconform/batchconform/emulator/faults"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func sdkClient(t testing.TB, e *env, method, sign, id, key string) *batch.Client {
	t.Helper()
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = e.host()
	p.HttpProfile.Scheme = "http"
	p.HttpProfile.ReqMethod = method
	p.HttpProfile.ReqTimeout = 10
	p.SignMethod = sign
	p.Language = "en-US"
	c, err := batch.NewClient(common.NewCredential(id, key), "ap-guangzhou", p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sdkCode(err error) string {
	var e *sdkerr.TencentCloudSDKError
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "not an SDK error: " + err.Error()
	}
	return ""
}

func submitRequest(name string, deps ...[2]string) *batch.SubmitJobRequest {
	r := batch.NewSubmitJobRequest()
	r.Placement = &batch.Placement{Zone: common.StringPtr("ap-guangzhou-3")}
	task := func(n string) *batch.Task {
		return &batch.Task{TaskName: common.StringPtr(n), TaskInstanceNum: common.Uint64Ptr(2),
			Application:        &batch.Application{Command: common.StringPtr("echo a b&c=d/é"), DeliveryForm: common.StringPtr("LOCAL")},
			RestartComputeNode: common.BoolPtr(true), EnvId: common.StringPtr("env-12345678")}
	}
	r.Job = &batch.Job{JobName: common.StringPtr(name), Priority: common.Uint64Ptr(3),
		Tasks: []*batch.Task{task("A"), task("B")}}
	for _, d := range deps {
		r.Job.Dependences = append(r.Job.Dependences, &batch.Dependence{StartTask: common.StringPtr(d[0]), EndTask: common.StringPtr(d[1])})
	}
	return r
}

var sdkModes = []struct{ method, sign string }{
	{"POST", "TC3-HMAC-SHA256"}, {"GET", "TC3-HMAC-SHA256"},
	{"POST", "HmacSHA256"}, {"GET", "HmacSHA256"},
	{"POST", "HmacSHA1"}, {"GET", "HmacSHA1"},
}

// TestSDK drives the handler with the official SDK in every method/signature
// combination; every one must decode into the same parameters.
func TestSDK(t *testing.T) {
	e := newEnv(t, Config{})
	var want string
	for _, m := range sdkModes {
		t.Run(m.method+"/"+m.sign, func(t *testing.T) {
			c := sdkClient(t, e, m.method, m.sign, testID, testKey)
			resp, err := c.SubmitJob(submitRequest("demo job", [2]string{"A", "B"}))
			if err != nil {
				t.Fatalf("SubmitJob: %v", err)
			}
			if resp.Response == nil || *resp.Response.JobId != "job-abcdefgh" || *resp.Response.RequestId == "" {
				t.Fatalf("response %+v", resp.Response)
			}
			r := e.batch.lastRequest(t)
			if r.Action != "SubmitJob" || r.Version != "2017-03-12" || r.Region != "ap-guangzhou" || r.SecretID != testID ||
				r.Method != m.method || r.SignMethod != m.sign || r.Language != "en-US" {
				t.Fatalf("request metadata %+v", r)
			}
			got, _ := json.Marshal(r.Params)
			if want == "" {
				want = string(got)
				if !strings.Contains(want, `"Priority":3`) || !strings.Contains(want, `"RestartComputeNode":true`) ||
					!strings.Contains(want, `"TaskInstanceNum":2`) || !strings.Contains(want, `"Command":"echo a b\u0026c=d/é"`) {
					t.Fatalf("params %s", want)
				}
			} else if string(got) != want {
				t.Fatalf("params differ from the TC3 POST ones:\n%s\n%s", got, want)
			}
			var body map[string]any
			if err := json.Unmarshal(r.Body, &body); err != nil || body["Job"] == nil {
				t.Fatalf("Body %s: %v", r.Body, err)
			}
			dj := batch.NewDescribeJobRequest()
			dj.JobId = common.StringPtr("job-12345678")
			dr, err := c.DescribeJob(dj)
			if err != nil || *dr.Response.JobId != "job-12345678" || *dr.Response.Priority != 7 {
				t.Fatalf("DescribeJob: %v %+v", err, dr)
			}
		})
	}
}

// TestSDKErrors: documented codes reach the SDK as API errors (HTTP 200).
func TestSDKErrors(t *testing.T) {
	e := newEnv(t, Config{})
	for _, m := range sdkModes {
		t.Run(m.method+"/"+m.sign, func(t *testing.T) {
			c := sdkClient(t, e, m.method, m.sign, testID, testKey)
			_, err := c.SubmitJob(submitRequest(strings.Repeat("j", 61)))
			if got := sdkCode(err); got != "InvalidParameter.JobNameTooLong" {
				t.Fatalf("61-char JobName: %s", got)
			}
			_, err = c.SubmitJob(submitRequest("cyclic", [2]string{"A", "B"}, [2]string{"B", "A"}))
			if got := sdkCode(err); got != "InvalidParameterValue.DependenceUnfeasible" {
				t.Fatalf("cyclic DAG: %s", got)
			}
			dj := batch.NewDescribeJobRequest()
			dj.JobId = common.StringPtr("job-missing")
			if _, err := c.DescribeJob(dj); sdkCode(err) != "ResourceNotFound.Job" {
				t.Fatalf("product error: %v", err)
			}
			dj = batch.NewDescribeJobRequest()
			dj.JobId = common.StringPtr("job-1")
			bad := sdkClient(t, e, m.method, m.sign, testID, "wrong-key")
			_, err = bad.DescribeJob(dj)
			if got := sdkCode(err); got != "AuthFailure.SignatureFailure" {
				t.Fatalf("wrong key: %s", got)
			}
			var se *sdkerr.TencentCloudSDKError
			if errors.As(err, &se) && se.Message != msgSigFailure {
				t.Fatalf("message %q", se.Message)
			}
			dj = batch.NewDescribeJobRequest()
			dj.JobId = common.StringPtr("job-1")
			unknown := sdkClient(t, e, m.method, m.sign, "AKIDnobody", testKey)
			if _, err := unknown.DescribeJob(dj); sdkCode(err) != "AuthFailure.SecretIdNotFound" {
				t.Fatalf("unknown id: %v", err)
			}
		})
	}
}

// TestRaw covers what the SDK cannot send.
func TestRaw(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now().Unix()
	str := func(s string) *string { return &s }
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	cases := []struct {
		name string
		req  tc3
		code string
	}{
		{"ok", tc3{body: `{"JobId":"job-1"}`}, ""},
		{"ok charset", tc3{body: `{"JobId":"job-1"}`, ct: "application/json; charset=utf-8"}, ""},
		{"ok unsigned payload", tc3{body: `{"JobId":"job-1"}`, unsigned: true}, ""},
		{"ok skew 299s", tc3{body: `{"JobId":"job-1"}`, ts: now - 299}, ""},
		{"ok GET", tc3{method: "GET", query: "JobId=job-1"}, ""},
		{"ok product host", tc3{body: `{"JobId":"job-1"}`, host: "batch.tencentcloudapi.com"}, ""},
		{"ok regional product host", tc3{body: `{"JobId":"job-1"}`, host: "batch.ap-guangzhou.tencentcloudapi.com:443"}, ""},
		{"ok ip host first label as service", tc3{body: `{"JobId":"job-1"}`, service: "127"}, ""},
		// tencentcloud-sdk-nodejs signs URL.hostname (no port) but sends the
		// port in the Host header; on 443 the two agree, so either is accepted.
		{"ok host signed without its port (Node SDK)", tc3{body: `{"JobId":"job-1"}`, signHost: "127.0.0.1"}, ""},
		{"ok GET host signed without its port", tc3{method: "GET", query: "JobId=job-1", signHost: "127.0.0.1"}, ""},
		{"ok product host signed without its port", tc3{body: `{"JobId":"job-1"}`, host: "batch.tencentcloudapi.com:9000", signHost: "batch.tencentcloudapi.com"}, ""},
		{"host signed with another port", tc3{body: `{"JobId":"job-1"}`, signHost: "127.0.0.1:1"}, "AuthFailure.SignatureFailure"},
		{"another host signed", tc3{body: `{"JobId":"job-1"}`, signHost: "127.0.0.2"}, "AuthFailure.SignatureFailure"},
		{"port-less host signed, tampered body", tc3{body: `{"JobId":"job-1"}`, signHost: "127.0.0.1", sendBody: str(`{"JobId":"job-2"}`)}, "AuthFailure.SignatureFailure"},
		{"PUT", tc3{method: "PUT", body: `{"JobId":"job-1"}`}, "UnsupportedProtocol"},
		{"DELETE", tc3{method: "DELETE"}, "UnsupportedProtocol"},
		{"text/plain", tc3{body: `{"JobId":"job-1"}`, ct: "text/plain"}, "UnsupportedProtocol"},
		{"multipart", tc3{body: `x`, ct: "multipart/form-data; boundary=x"}, "InvalidRequest"}, // catalog: request/protocol/InvalidRequest,
		{"form with TC3", tc3{body: `JobId=job-1`, ct: "application/x-www-form-urlencoded"}, "UnsupportedProtocol"},
		{"json without authorization", tc3{body: `{"JobId":"job-1"}`, noAuth: true}, "AuthFailure.InvalidAuthorization"},
		{"malformed authorization", tc3{body: `{}`, header: map[string]string{"Authorization": "TC3-HMAC-SHA256 Credential=x"}}, "AuthFailure.InvalidAuthorization"},
		{"other scheme", tc3{method: "GET", header: map[string]string{"Authorization": "Basic abc"}}, "AuthFailure.InvalidAuthorization"},
		{"missing timestamp", tc3{body: `{}`, header: map[string]string{"X-TC-Timestamp": ""}}, "MissingParameter"},
		{"expired", tc3{body: `{"JobId":"job-1"}`, ts: now - 301}, "AuthFailure.SignatureExpire"},
		{"future", tc3{body: `{"JobId":"job-1"}`, ts: now + 400}, "AuthFailure.SignatureExpire"},
		{"expired beats unknown id", tc3{body: `{}`, ts: now - 1000, id: "AKIDnobody"}, "AuthFailure.SignatureExpire"},
		{"unknown id", tc3{body: `{}`, id: "AKIDnobody"}, "AuthFailure.SecretIdNotFound"},
		{"tampered body", tc3{body: `{"JobId":"job-1"}`, sendBody: str(`{"JobId":"job-2"}`)}, "AuthFailure.SignatureFailure"},
		{"wrong key", tc3{body: `{"JobId":"job-1"}`, key: "nope"}, "AuthFailure.SignatureFailure"},
		{"wrong scope date", tc3{body: `{"JobId":"job-1"}`, scopeDate: "2020-01-01"}, "AuthFailure.SignatureFailure"},
		{"wrong scope service for product host", tc3{body: `{"JobId":"job-1"}`, host: "batch.tencentcloudapi.com", service: "cvm"}, "AuthFailure.SignatureFailure"},
		{"first label service on product host", tc3{body: `{"JobId":"job-1"}`, host: "batch.tencentcloudapi.com", service: "127"}, "AuthFailure.SignatureFailure"},
		{"tampered GET query", tc3{method: "GET", query: "JobId=job-1", sendQuery: str("JobId=job-2")}, "AuthFailure.SignatureFailure"},
		{"reordered GET query", tc3{method: "GET", action: "DescribeJobs", query: "Limit=1&Offset=0", sendQuery: str("Offset=0&Limit=1")}, "AuthFailure.SignatureFailure"},
		{"missing version", tc3{body: `{}`, noVersion: true}, "MissingParameter"},
		{"unknown version", tc3{body: `{}`, version: "2099-01-01"}, "NoSuchVersion"},
		{"version of another product host", tc3{body: `{"Name":"j"}`, action: "CreateJob", version: "2019-04-22", host: "batch.tencentcloudapi.com"}, "NoSuchVersion"},
		{"oceanus by version", tc3{body: `{"Name":"j"}`, action: "CreateJob", version: "2019-04-22", service: "oceanus"}, ""},
		{"unknown action", tc3{body: `{}`, action: "DescribeNothing"}, "InvalidAction"},
		{"unsupported region", tc3{body: `{}`, region: "mars-1"}, "UnsupportedRegion"},
		{"missing region", tc3{body: `{}`, header: map[string]string{"X-TC-Region": ""}}, "MissingParameter"},
		{"missing param", tc3{body: `{}`}, "MissingParameter"},
		{"empty body", tc3{body: ``}, "MissingParameter"},
		{"unknown param", tc3{body: `{"JobId":"job-1","Bogus":1}`}, "UnknownParameter"},
		{"wrong type", tc3{body: `{"JobId":1}`}, "InvalidParameter"},
		{"string for uint", tc3{action: "SubmitJob", body: `{"Placement":{"Zone":"z"},"Job":{"Priority":"1","Tasks":[]}}`}, "InvalidParameter"},
		{"string bool", tc3{action: "SubmitJob", body: `{"Placement":{"Zone":"z"},"Job":{"Tasks":[{"RestartComputeNode":"TRUE","Application":{"Command":"c","DeliveryForm":"L"}}]}}`}, "InvalidParameter"},
		{"absurd number", tc3{action: "SubmitJob", body: `{"Placement":{"Zone":"z","ProjectId":1e400},"Job":{"Tasks":[]}}`}, "InvalidParameter"},
		{"malformed JSON", tc3{body: `{"JobId":`}, "InvalidParameter"},
		{"truncated JSON", tc3{body: `{"JobId":"job-1"`}, "InvalidParameter"},
		{"trailing data", tc3{body: `{"JobId":"job-1"} {}`}, "InvalidParameter"},
		{"array root", tc3{body: `[{"JobId":"job-1"}]`}, "InvalidParameter"},
		{"invalid UTF-8", tc3{body: "{\"JobId\":\"job-\xff\"}"}, "InvalidParameter"},
		{"deep nesting", tc3{body: `{"JobId":"j","X":` + deep + `}`}, "InvalidParameter"},
		{"range rule", tc3{action: "DescribeJobs", body: `{"Limit":0}`}, "InvalidParameterValue"},
		{"GET wrong type list", tc3{method: "GET", action: "DescribeJobs", query: "Limit=abc"}, "InvalidParameter"},
		{"GET list gap", tc3{method: "GET", action: "DescribeJobs", query: "JobIds.1=a"}, "InvalidParameter"},
		{"GET unknown", tc3{method: "GET", query: "JobId=j&Other=1"}, "UnknownParameter"},
		{"panic", tc3{action: "Panic", body: `{"JobId":"x"}`}, "InternalError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, env, body := do(t, e.tc3Request(t, tc.req))
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			if got := code(env); got != tc.code {
				t.Fatalf("code %q, want %q: %s", got, tc.code, body)
			}
			if tc.code != "" && env.Response.Error.Message == "" {
				t.Fatalf("no message: %s", body)
			}
		})
	}
}

func TestV1Raw(t *testing.T) {
	e := newEnv(t, Config{})
	job := url.Values{"JobId": {"job-1"}}
	cases := []struct {
		name, method, sig string
		params            url.Values
		key               string
		code              string
	}{
		{"GET sha256", "GET", "HmacSHA256", job, testKey, ""},
		{"POST sha1 (no method)", "POST", "", job, testKey, ""},
		{"wrong key", "GET", "HmacSHA1", job, "bad", "AuthFailure.SignatureFailure"},
		{"no signature", "GET", "HmacSHA256", job, "", "MissingParameter"},
		{"expired", "POST", "HmacSHA256", url.Values{"JobId": {"j"}, "Timestamp": {fmt.Sprint(time.Now().Unix() - 3600)}}, testKey, "AuthFailure.SignatureExpire"},
		{"bad timestamp", "GET", "HmacSHA256", url.Values{"JobId": {"j"}, "Timestamp": {"soon"}}, testKey, "InvalidParameter"},
		{"unknown id", "GET", "HmacSHA256", url.Values{"JobId": {"j"}, "SecretId": {"AKIDnobody"}}, testKey, "AuthFailure.SecretIdNotFound"},
		{"missing version", "GET", "HmacSHA256", url.Values{"JobId": {"j"}, "Version": {""}}, testKey, "MissingParameter"},
		{"unknown version", "GET", "HmacSHA256", url.Values{"JobId": {"j"}, "Version": {"2000-01-01"}}, testKey, "NoSuchVersion"},
		{"unknown action", "POST", "HmacSHA256", url.Values{"Action": {"Nope"}}, testKey, "InvalidAction"},
		{"flattened bool any case", "GET", "HmacSHA256", url.Values{"Action": {"SubmitJob"}, "Placement.Zone": {"z"}, "Job.Tasks.0.Application.Command": {"c"},
			"Job.Tasks.0.Application.DeliveryForm": {"L"}, "Job.Tasks.0.RestartComputeNode": {"TRUE"}, "Job.Priority": {"5"}}, testKey, ""},
		{"flattened bad bool", "GET", "HmacSHA256", url.Values{"Action": {"SubmitJob"}, "Placement.Zone": {"z"}, "Job.Tasks.0.Application.Command": {"c"},
			"Job.Tasks.0.Application.DeliveryForm": {"L"}, "Job.Tasks.0.RestartComputeNode": {"yes"}}, testKey, "InvalidParameter"},
		{"flattened conflict", "GET", "HmacSHA256", url.Values{"Action": {"SubmitJob"}, "Job": {"x"}, "Job.JobName": {"y"}}, testKey, "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.v1Request(t, tc.method, tc.sig, tc.params, tc.key)
			status, env, body := do(t, r)
			if status != 200 || code(env) != tc.code {
				t.Fatalf("status %d code %q, want %q: %s", status, code(env), tc.code, body)
			}
		})
	}
	// The flattened SubmitJob above decoded "TRUE" to a bool and "5" to a number.
	r := e.batch.lastRequest(t)
	got, _ := json.Marshal(r.Params)
	if want := `{"Job":{"Priority":5,"Tasks":[{"Application":{"Command":"c","DeliveryForm":"L"},"RestartComputeNode":true}]},"Placement":{"Zone":"z"}}`; string(got) != want {
		t.Fatalf("params %s", got)
	}
}

func TestSizeLimits(t *testing.T) {
	e := newEnv(t, Config{})
	big := `{"JobId":"` + strings.Repeat("a", MaxTC3PostBytes) + `"}`
	t.Run("TC3 POST over 10MB", func(t *testing.T) {
		_, env, _ := do(t, e.tc3Request(t, tc3{body: big}))
		if code(env) != "RequestSizeLimitExceeded" {
			t.Fatalf("got %q", code(env))
		}
	})
	t.Run("TC3 POST over 10MB chunked", func(t *testing.T) {
		r := e.tc3Request(t, tc3{body: big})
		r.ContentLength = -1
		r.Body = io.NopCloser(strings.NewReader(big))
		_, env, _ := do(t, r)
		if code(env) != "RequestSizeLimitExceeded" {
			t.Fatalf("got %q", code(env))
		}
	})
	t.Run("TC3 POST just under 10MB", func(t *testing.T) {
		body := `{"JobId":"` + strings.Repeat("a", MaxTC3PostBytes-len(`{"JobId":""}`)) + `"}`
		_, env, _ := do(t, e.tc3Request(t, tc3{body: body}))
		if code(env) != "" {
			t.Fatalf("got %q", code(env))
		}
	})
	t.Run("v1 POST over 1MB", func(t *testing.T) {
		r := e.v1Request(t, "POST", "HmacSHA256", url.Values{"JobId": {strings.Repeat("a", MaxV1PostBytes)}}, testKey)
		_, env, _ := do(t, r)
		if code(env) != "RequestSizeLimitExceeded" {
			t.Fatalf("got %q", code(env))
		}
	})
	t.Run("GET over 32KB", func(t *testing.T) {
		r := e.v1Request(t, "GET", "HmacSHA256", url.Values{"JobId": {strings.Repeat("a", MaxGetBytes)}}, testKey)
		_, env, _ := do(t, r)
		if code(env) != "RequestSizeLimitExceeded" {
			t.Fatalf("got %q", code(env))
		}
	})
}

func TestEnvelope(t *testing.T) {
	e := newEnv(t, Config{})
	_, env, body := do(t, e.tc3Request(t, tc3{body: `{"JobId":"job-1"}`}))
	var m map[string]map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m["Response"]["JobId"] != "job-1" || m["Response"]["Priority"] != float64(7) || code(env) != "" {
		t.Fatalf("envelope %s", body)
	}
	_, _, body = do(t, e.tc3Request(t, tc3{body: `{}`}))
	var em map[string]map[string]json.RawMessage
	if err := json.Unmarshal(body, &em); err != nil || len(em["Response"]) != 2 {
		t.Fatalf("error envelope must hold exactly Error and RequestId: %s", body)
	}
	// Distinct request IDs.
	_, a, _ := do(t, e.tc3Request(t, tc3{body: `{}`}))
	_, b, _ := do(t, e.tc3Request(t, tc3{body: `{}`}))
	if a.Response.RequestId == b.Response.RequestId {
		t.Fatal("repeated RequestId")
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, Config{RateLimit: 2})
	codes := map[string]int{}
	for range 5 {
		_, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`}))
		codes[code(env)]++
	}
	if codes[""] < 2 || codes["RequestLimitExceeded"] < 1 {
		t.Fatalf("codes %v", codes)
	}
	// Another action has its own bucket.
	if _, env, _ := do(t, e.tc3Request(t, tc3{action: "DescribeJobs", body: `{}`})); code(env) != "" {
		t.Fatalf("other action throttled: %q", code(env))
	}
	// A tenant with a negative rate limit is never throttled.
	if err := e.tenants.Put(tenantWith("AKIDfree", -1)); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, id: "AKIDfree", key: "k"})); code(env) != "" {
			t.Fatalf("unlimited tenant throttled: %q", code(env))
		}
	}
	// Off by default.
	off := newEnv(t, Config{})
	for range 30 {
		if _, env, _ := do(t, off.tc3Request(t, tc3{body: `{"JobId":"j"}`})); code(env) != "" {
			t.Fatalf("throttled with the limit off: %q", code(env))
		}
	}
}

func TestTenantSkew(t *testing.T) {
	e := newEnv(t, Config{})
	ten := tenantWith("AKIDskew", 0)
	ten.SkewSeconds = 3600
	if err := e.tenants.Put(ten); err != nil {
		t.Fatal(err)
	}
	if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, id: "AKIDskew", key: "k"})); code(env) != "AuthFailure.SignatureExpire" {
		t.Fatalf("got %q", code(env))
	}
	if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`})); code(env) != "" {
		t.Fatalf("other tenant affected: %q", code(env))
	}
}

func TestFaults(t *testing.T) {
	t.Run(faults.SkipSignatureCheck, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.SkipSignatureCheck)
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, key: "wrong"})); code(env) != "" {
			t.Fatalf("got %q", code(env))
		}
		if _, env, _ := do(t, e.v1Request(t, "GET", "HmacSHA1", url.Values{"JobId": {"j"}}, "wrong")); code(env) != "" {
			t.Fatalf("v1: got %q", code(env))
		}
	})
	t.Run(faults.AcceptExpiredSig, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.AcceptExpiredSig)
		if _, env, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`, ts: time.Now().Unix() - 3600})); code(env) != "" {
			t.Fatalf("got %q", code(env))
		}
	})
	t.Run(faults.ErrorsAsHTTP400, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.ErrorsAsHTTP400)
		if status, env, _ := do(t, e.tc3Request(t, tc3{body: `{}`})); status != 400 || code(env) != "MissingParameter" {
			t.Fatalf("got %d %q", status, code(env))
		}
		if status, _, _ := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`})); status != 200 {
			t.Fatalf("success answered %d", status)
		}
		dj := batch.NewDescribeJobRequest()
		_, err := sdkClient(t, e, "POST", "TC3-HMAC-SHA256", testID, testKey).DescribeJob(dj)
		if sdkCode(err) != "ClientError.HttpStatusCodeError" {
			t.Fatalf("SDK: %v", err)
		}
	})
	t.Run(faults.NumbersAsStrings, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.NumbersAsStrings)
		_, _, body := do(t, e.tc3Request(t, tc3{body: `{"JobId":"j"}`}))
		if !strings.Contains(string(body), `"Priority":"7"`) {
			t.Fatalf("body %s", body)
		}
	})
	t.Run(faults.NoMaxLenJobName+" (rule skipped by item ID)", func(t *testing.T) {
		e := newEnv(t, Config{}, faults.NoMaxLenJobName)
		c := sdkClient(t, e, "POST", "TC3-HMAC-SHA256", testID, testKey)
		if _, err := c.SubmitJob(submitRequest(strings.Repeat("j", 61))); err != nil {
			t.Fatalf("got %v", err)
		}
		if _, err := c.SubmitJob(submitRequest("c", [2]string{"A", "A"})); sdkCode(err) != "InvalidParameterValue.DependenceUnfeasible" {
			t.Fatalf("other rules still apply: %v", err)
		}
	})
	t.Run(faults.AcceptCyclicDAG, func(t *testing.T) {
		e := newEnv(t, Config{}, faults.AcceptCyclicDAG)
		c := sdkClient(t, e, "GET", "HmacSHA256", testID, testKey)
		if _, err := c.SubmitJob(submitRequest("c", [2]string{"A", "B"}, [2]string{"B", "A"})); err != nil {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("invisible", func(t *testing.T) {
		e := newEnv(t, Config{}, faults.SkipSignatureCheck, faults.NumbersAsStrings)
		resp, err := http.Get(e.srv.URL + "/?Action=DescribeJob")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for k, v := range resp.Header {
			if strings.Contains(strings.ToLower(k+strings.Join(v, "")), "fault") {
				t.Fatalf("header %s: %v", k, v)
			}
		}
		if strings.Contains(strings.ToLower(string(b)), "fault") {
			t.Fatalf("body %s", b)
		}
	})
}

func TestConcurrent(t *testing.T) {
	e := newEnv(t, Config{})
	const n = 200
	var wg sync.WaitGroup
	ids := make(chan string, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := sdkModes[i%len(sdkModes)]
			c := sdkClient(t, e, m.method, m.sign, testID, testKey)
			dj := batch.NewDescribeJobRequest()
			dj.JobId = common.StringPtr(fmt.Sprintf("job-%08d", i))
			r, err := c.DescribeJob(dj)
			if err != nil {
				errs <- err
				return
			}
			if *r.Response.JobId != *dj.JobId {
				errs <- fmt.Errorf("echo %s for %s", *r.Response.JobId, *dj.JobId)
				return
			}
			ids <- *r.Response.RequestId
		}()
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("duplicate RequestId %s", id)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Fatalf("%d answers", len(seen))
	}
}

func TestNewHandlerErrors(t *testing.T) {
	if _, err := NewHandler(Config{}); err == nil {
		t.Fatal("no products accepted")
	}
	p := newFake(t, fakeCatalog)
	if _, err := NewHandler(Config{Products: []Product{p}}); err == nil {
		t.Fatal("no tenants accepted")
	}
	e := newEnv(t, Config{})
	if _, err := NewHandler(Config{Products: []Product{p, p}, Tenants: e.tenants}); err == nil {
		t.Fatal("duplicate version accepted")
	}
}

// Every answer carries its Content-Length and is never sent chunked:
// net/http sets the length of a short body itself, write that of a long one.
func TestWriteSendsContentLength(t *testing.T) {
	for _, n := range []int{2, netHTTPLengthMax - 1, netHTTPLengthMax, netHTTPLengthMax + 1, 64 << 10} {
		body := []byte("{" + strings.Repeat(" ", n-2) + "}")
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { write(w, http.StatusOK, body) }))
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ContentLength != int64(n) || len(resp.TransferEncoding) > 0 || len(got) != n {
			t.Errorf("%d bytes: Content-Length %d, Transfer-Encoding %v, %d bytes read", n, resp.ContentLength, resp.TransferEncoding, len(got))
		}
	}
}
