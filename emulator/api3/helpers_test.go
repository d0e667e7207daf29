package api3

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
)

const (
	testID  = "AKIDtest"
	testKey = "test-secret-key"
)

// fakeCatalog is a small Batch-shaped catalog (the real one lives in
// fixtures/tencentbatch; this one keeps the protocol tests independent of it).
const fakeCatalog = `{
 "dialect": "tencent-batch", "version": "2017-03-12", "service": "batch",
 "regions": {"ap-guangzhou": ["ap-guangzhou-3"], "ap-shanghai": []},
 "actions": [
  {"name": "DescribeJob", "input": "DescribeJobRequest", "output": "DescribeJobResponse"},
  {"name": "SubmitJob", "input": "SubmitJobRequest", "output": "SubmitJobResponse"},
  {"name": "DescribeJobs", "input": "DescribeJobsRequest", "output": "DescribeJobsResponse"},
  {"name": "Panic", "input": "DescribeJobRequest", "output": "DescribeJobResponse"}
 ],
 "objects": {
  "DescribeJobRequest": {"name": "DescribeJobRequest", "members": [{"name": "JobId", "type": "string", "required": true}]},
  "DescribeJobsRequest": {"name": "DescribeJobsRequest", "members": [
    {"name": "JobIds", "type": "list", "elem": "string"},
    {"name": "Filters", "type": "list", "elem": "object", "ref": "Filter"},
    {"name": "Offset", "type": "int64"}, {"name": "Limit", "type": "int64"}]},
  "Filter": {"name": "Filter", "members": [{"name": "Name", "type": "string", "required": true}, {"name": "Values", "type": "list", "elem": "string", "required": true}]},
  "SubmitJobRequest": {"name": "SubmitJobRequest", "members": [
    {"name": "Placement", "type": "object", "ref": "Placement", "required": true},
    {"name": "Job", "type": "object", "ref": "Job", "required": true},
    {"name": "ClientToken", "type": "string"}]},
  "Placement": {"name": "Placement", "members": [{"name": "Zone", "type": "string", "required": true}, {"name": "ProjectId", "type": "int64"}]},
  "Job": {"name": "Job", "members": [
    {"name": "Tasks", "type": "list", "elem": "object", "ref": "Task", "required": true},
    {"name": "JobName", "type": "string"}, {"name": "JobDescription", "type": "string"},
    {"name": "Priority", "type": "uint64"},
    {"name": "Dependences", "type": "list", "elem": "object", "ref": "Dependence"}]},
  "Task": {"name": "Task", "members": [
    {"name": "Application", "type": "object", "ref": "Application", "required": true},
    {"name": "TaskName", "type": "string"}, {"name": "TaskInstanceNum", "type": "uint64"},
    {"name": "EnvId", "type": "string"}, {"name": "RestartComputeNode", "type": "bool"},
    {"name": "MaxRetryCount", "type": "uint64"}, {"name": "Timeout", "type": "uint64"}]},
  "Application": {"name": "Application", "members": [{"name": "Command", "type": "string", "required": true}, {"name": "DeliveryForm", "type": "string", "required": true}]},
  "Dependence": {"name": "Dependence", "members": [{"name": "StartTask", "type": "string", "required": true}, {"name": "EndTask", "type": "string", "required": true}]}
 },
 "rules": [
  {"id": "tencent-batch/SubmitJob/rule/Job.JobName.maxlen", "action": "SubmitJob", "path": "Job.JobName", "suffix": "maxlen", "max": 60, "code": "InvalidParameter.JobNameTooLong"},
  {"id": "tencent-batch/SubmitJob/rule/Job.Dependences.acyclic", "action": "SubmitJob", "path": "Job.Dependences", "suffix": "acyclic", "from": "StartTask", "to": "EndTask", "code": "InvalidParameterValue.DependenceUnfeasible"},
  {"id": "tencent-batch/DescribeJobs/rule/Limit.range", "action": "DescribeJobs", "path": "Limit", "suffix": "range", "min": 1, "max": 100, "code": "InvalidParameterValue"}
 ]
}`

const fakeOceanus = `{"dialect": "oceanus", "version": "2019-04-22", "service": "oceanus",
 "actions": [{"name": "CreateJob", "input": "CreateJobRequest", "output": "CreateJobResponse"}],
 "objects": {"CreateJobRequest": {"name": "CreateJobRequest", "members": [{"name": "Name", "type": "string", "required": true}, {"name": "JobType", "type": "int64"}]}}}`

// fakeProduct echoes the action and records every request it handles.
type fakeProduct struct {
	cat  *fixtures.Catalog
	mu   sync.Mutex
	last []*Request
	// canned, if set, is returned for every action (benchmarks).
	canned json.RawMessage
}

func newFake(t testing.TB, js string) *fakeProduct {
	t.Helper()
	c, err := fixtures.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return &fakeProduct{cat: c}
}

func (p *fakeProduct) Catalog() *fixtures.Catalog { return p.cat }

func (p *fakeProduct) Handle(_ context.Context, r *Request) (any, *Error) {
	if p.canned != nil {
		return p.canned, nil
	}
	// The request outlives Handle here (lastRequest), its Params do not
	// (Request.Params): the fake keeps a copy.
	kept := *r
	kept.Params, _ = generators.Clone(r.Params).(map[string]any)
	p.mu.Lock()
	p.last = append(p.last, &kept)
	p.mu.Unlock()
	switch r.Action {
	case "Panic":
		panic("boom")
	case "DescribeJob":
		id, _ := r.Params["JobId"].(string)
		if id == "job-missing" {
			return nil, Errorf("ResourceNotFound.Job", "job %s not found", id)
		}
		return map[string]any{"JobId": id, "JobName": "echo", "Priority": 7, "Zone": "ap-guangzhou-3"}, nil
	case "SubmitJob":
		return map[string]any{"JobId": "job-abcdefgh"}, nil
	case "DescribeJobs":
		return json.RawMessage(`{"JobSet":[],"TotalCount":0}`), nil
	}
	return map[string]any{"Action": r.Action, "Params": r.Params}, nil
}

func (p *fakeProduct) lastRequest(t *testing.T) *Request {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.last) == 0 {
		t.Fatal("the product saw no request")
	}
	return p.last[len(p.last)-1]
}

type env struct {
	srv     *httptest.Server
	batch   *fakeProduct
	tenants *tenants.Registry
	now     time.Time
}

func newEnv(t testing.TB, cfg Config, faultNames ...string) *env {
	t.Helper()
	e := &env{batch: newFake(t, fakeCatalog), tenants: tenants.NewRegistry(tenants.Tenant{SecretID: testID, SecretKey: testKey})}
	fs, err := faults.NewSet(faultNames...)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Products = []Product{e.batch, newFake(t, fakeOceanus)}
	cfg.Tenants = e.tenants
	cfg.Faults = fs
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) host() string { return strings.TrimPrefix(e.srv.URL, "http://") }

// tc3 describes a raw TC3 request; zero fields take working defaults.
type tc3 struct {
	method, action, version, region, ct string
	body, query                         string
	host                                string // Host header (default: the server's)
	signHost                            string // host in the signature (default: host)
	id, key                             string
	ts                                  int64
	scopeDate, service                  string
	unsigned                            bool
	sendBody                            *string // body sent, if different from the signed one
	sendQuery                           *string // query sent, if different from the signed one
	noVersion, noAuth                   bool
	header                              map[string]string
}

func (e *env) tc3Request(t testing.TB, c tc3) *http.Request {
	t.Helper()
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.method, "POST")
	def(&c.action, "DescribeJob")
	def(&c.version, "2017-03-12")
	def(&c.region, "ap-guangzhou")
	def(&c.host, e.host())
	def(&c.id, testID)
	def(&c.key, testKey)
	def(&c.service, "batch")
	if c.ct == "" {
		c.ct = "application/json"
		if c.method == "GET" {
			c.ct = "application/x-www-form-urlencoded"
		}
	}
	if c.ts == 0 {
		c.ts = time.Now().Unix()
	}
	def(&c.scopeDate, time.Unix(c.ts, 0).UTC().Format("2006-01-02"))
	sent := c.body
	if c.sendBody != nil {
		sent = *c.sendBody
	}
	u := e.srv.URL + "/"
	sentQ := c.query
	if c.sendQuery != nil {
		sentQ = *c.sendQuery
	}
	if sentQ != "" {
		u += "?" + sentQ
	}
	var body io.Reader
	if c.method != "GET" {
		body = strings.NewReader(sent)
	}
	r, err := http.NewRequest(c.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	r.Host = c.host
	r.Header.Set("Content-Type", c.ct)
	r.Header.Set("X-TC-Action", c.action)
	if !c.noVersion {
		r.Header.Set("X-TC-Version", c.version)
	}
	r.Header.Set("X-TC-Region", c.region)
	r.Header.Set("X-TC-Timestamp", strconv.FormatInt(c.ts, 10))
	if c.unsigned {
		r.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
	}
	def(&c.signHost, c.host)
	in := TC3Input{Method: c.method, Path: "/", Query: c.query, Header: r.Header.Get, Host: c.signHost,
		Payload: []byte(c.body), Unsigned: c.unsigned, Timestamp: strconv.FormatInt(c.ts, 10)}
	if c.method == "GET" {
		in.Payload = nil
	}
	sig := TC3Signature(c.key, c.scopeDate, c.service, []string{"content-type", "host"}, in)
	if !c.noAuth {
		r.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+c.id+"/"+c.scopeDate+"/"+c.service+
			"/tc3_request, SignedHeaders=content-type;host, Signature="+sig)
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	return r
}

// v1Request builds a v1 request (GET query or form POST) over params plus the
// common parameters; mutate may change the values before signing.
func (e *env) v1Request(t testing.TB, method, sigMethod string, params url.Values, key string) *http.Request {
	t.Helper()
	v := url.Values{}
	for k, vs := range params {
		v[k] = vs
	}
	set := func(k, val string) {
		if _, ok := v[k]; !ok {
			v.Set(k, val)
		}
	}
	set("Action", "DescribeJob")
	set("Version", "2017-03-12")
	set("Region", "ap-guangzhou")
	set("Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	set("Nonce", "12345")
	set("SecretId", testID)
	if sigMethod != "" {
		v.Set("SignatureMethod", sigMethod)
	}
	if key != "" {
		v.Set("Signature", V1Signature(key, sigMethod, V1StringToSign(method, e.host(), "/", v)))
	}
	var r *http.Request
	var err error
	if method == "GET" {
		r, err = http.NewRequest("GET", e.srv.URL+"/?"+v.Encode(), nil)
	} else {
		r, err = http.NewRequest("POST", e.srv.URL+"/", strings.NewReader(v.Encode()))
		if r != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type envelope struct {
	Response struct {
		Error *struct {
			Code    string
			Message string
		}
		RequestId string
	}
}

// do sends r and returns the status, the decoded envelope and the raw body.
func do(t testing.TB, r *http.Request) (int, envelope, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
	if !uuidRE.MatchString(env.Response.RequestId) {
		t.Fatalf("RequestId %q is not a uuid4: %s", env.Response.RequestId, b)
	}
	return resp.StatusCode, env, b
}

func code(env envelope) string {
	if env.Response.Error == nil {
		return ""
	}
	return env.Response.Error.Code
}

func tenantWith(id string, rate float64) tenants.Tenant {
	return tenants.Tenant{SecretID: id, SecretKey: "k", RateLimit: rate}
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}
