package tencentbatch

// Helpers of the protocol specs (protocol_spec.go). Every identifier is
// prefixed "pr" so the package's other spec files can grow independently.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/internal/tcsign"
	"github.com/batchconform/batchconform/specs/harness"
)

// prProductHost is the product's hostname: scope checks are sent with it in
// the Host header, because the strict service rule applies only when the
// Host names the product (design: Emulator).
const prProductHost = "batch.tencentcloudapi.com"

// prUUID is the RequestId form (reference §1.0: a UUID).
var prUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// prID builds a protocol item ID.
func prID(subject, detail string) string { return id(subject, fixtures.KindProtocol, detail) }

// prEvidence records the last exchange as the spec's evidence.
func prEvidence(t *harness.Target) {
	if ex, ok := t.LastExchange(); ok {
		harness.Evidence(ex)
	}
}

// prAccepted asserts a well-formed success envelope (HTTP 200, a RequestId,
// no Error). what names the request in failure messages.
func prAccepted(env *harness.Envelope, err error, what string) {
	GinkgoHelper()
	prRecord(env, err, what)
	Expect(err).NotTo(HaveOccurred(), "%s: transport error", what)
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope: %s", what, prShow(env.Body))
	Expect(env.Error).To(BeNil(), "%s must be accepted, got %s: %s", what, env.Code(), prShow(env.Body))
	Expect(env.Status).To(Equal(http.StatusOK), "%s: HTTP status: %s", what, prShow(env.Body))
	Expect(env.RequestID).To(MatchRegexp(prUUID.String()), "%s: RequestId", what)
}

// prRefused asserts an API 3.0 error envelope with the given code: HTTP 200,
// Response.Error{Code,Message} and a RequestId (reference §5.7).
func prRefused(env *harness.Envelope, err error, code, what string) {
	GinkgoHelper()
	prRecord(env, err, what)
	Expect(err).NotTo(HaveOccurred(), "%s: transport error", what)
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope (HTTP %d): %s", what, env.Status, prShow(env.Body))
	Expect(env.Error).NotTo(BeNil(), "%s must be refused with %s, but it was accepted: %s", what, code, prShow(env.Body))
	Expect(env.Code()).To(Equal(code), "%s: error code (message %q)", what, env.Error.Message)
	Expect(env.Error.Message).NotTo(BeEmpty(), "%s: Error.Message", what)
	Expect(env.Status).To(Equal(http.StatusOK), "%s: API errors are HTTP 200 envelopes, got HTTP %d: %s", what, env.Status, prShow(env.Body))
	Expect(env.RequestID).To(MatchRegexp(prUUID.String()), "%s: RequestId", what)
}

// prRefusedAny asserts an error envelope whose code is one of codes.
func prRefusedAny(env *harness.Envelope, err error, codes []string, what string) {
	GinkgoHelper()
	prRecord(env, err, what)
	Expect(err).NotTo(HaveOccurred(), "%s: transport error", what)
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope (HTTP %d): %s", what, env.Status, prShow(env.Body))
	Expect(env.Error).NotTo(BeNil(), "%s must be refused (%v), but it was accepted: %s", what, codes, prShow(env.Body))
	Expect(codes).To(ContainElement(env.Code()), "%s: error code (message %q)", what, env.Error.Message)
	Expect(env.Status).To(Equal(http.StatusOK), "%s: API errors are HTTP 200 envelopes: %s", what, prShow(env.Body))
	Expect(env.RequestID).To(MatchRegexp(prUUID.String()), "%s: RequestId", what)
}

// prRecord records one exchange as evidence (redacted by the harness),
// before the assertions, so a failing check carries what was answered.
func prRecord(env *harness.Envelope, err error, what string) {
	ev := map[string]any{"request": what}
	if err != nil {
		ev["error"] = err.Error()
	}
	if env != nil {
		ev["status"], ev["response"], ev["request_id"] = env.Status, prShow(env.Body), env.RequestID
	}
	harness.Evidence(ev)
}

// prShow keeps bodies in failure messages short.
func prShow(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + fmt.Sprintf("…(%d bytes)", len(b))
	}
	return string(b)
}

// prLight is a cheap, stateless, valid request: DescribeJobs of no match.
func prLight() (string, []byte) {
	return "DescribeJobs", []byte(`{"Filters":[{"Name":"job-name","Values":["bc-protocol-no-such-job"]}],"Limit":1}`)
}

// prTask is one task of a job with the local-delivery command.
func prTask(name, command string, zone string) map[string]any {
	return map[string]any{
		"TaskName": name, "TaskInstanceNum": 1,
		"Application": map[string]any{"DeliveryForm": "LOCAL", "Command": command},
		"ComputeEnv": map[string]any{"EnvType": "MANAGED",
			"EnvData": map[string]any{"InstanceType": "S1.SMALL1", "ImageId": "img-m4q71qnf"}},
	}
}

// prJob is a SubmitJob request with one task running command.
func prJob(t *harness.Target, name, command string) map[string]any {
	return map[string]any{
		"Placement": map[string]any{"Zone": t.Zone},
		"Job": map[string]any{"JobName": t.Name(name, 60), "Priority": 1,
			"Tasks": []any{prTask("A", command, t.Zone)}},
	}
}

// prMarshal encodes v as the SDK does (no HTML escaping surprises matter:
// the body is signed as sent).
func prMarshal(v any) []byte {
	b, err := json.Marshal(v)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// prSubmit submits a job with a TC3 POST and registers its cleanup.
func prSubmit(t *harness.Target, body []byte) string {
	GinkgoHelper()
	env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Body: body})
	prAccepted(env, err, "SubmitJob")
	var jobID string
	Expect(json.Unmarshal(env.Response["JobId"], &jobID)).To(Succeed(), "SubmitJob JobId: %s", env.Body)
	prPoolAdd(t, jobID)
	return jobID
}

// prPool holds the jobs the protocol container created; prFlushJobs (its
// DeferCleanup) deletes them all at once at the container's end.
var prPool struct {
	sync.Mutex
	jobs map[*harness.Target][]string
}

func prPoolAdd(t *harness.Target, ids ...string) {
	prPool.Lock()
	defer prPool.Unlock()
	if prPool.jobs == nil {
		prPool.jobs = map[*harness.Target][]string{}
	}
	prPool.jobs[t] = append(prPool.jobs[t], ids...)
}

func prFlushJobs() {
	prPool.Lock()
	jobs := prPool.jobs
	prPool.jobs = nil
	prPool.Unlock()
	for t, ids := range jobs {
		prDeleteJobs(t, ids)
	}
}

// prDeleteJobs terminates and deletes jobs, polling until each is gone (a
// job is deletable once terminal; TerminateJob may be refused meanwhile),
// in the background against the run's embedded emulator
// (harness.CleanupFunc).
func prDeleteJobs(t *harness.Target, ids []string) { prDeleteJobsIn(t, "", ids) }

// prDeleteJobsIn is prDeleteJobs in a region ("" = the target's).
func prDeleteJobsIn(t *harness.Target, region string, ids []string) {
	if len(ids) == 0 {
		return
	}
	harness.CleanupFunc(t, "cleanup", func() error { return prDeleteJobsNow(t, region, ids) })
}

func prDeleteJobsNow(t *harness.Target, region string, ids []string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, jobID := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []byte(`{"JobId":"` + jobID + `"}`)
			deadline := time.Now().Add(60 * time.Second)
			for {
				_, _ = t.Raw(harness.RawRequest{Action: "TerminateJob", Body: body, Region: region})
				env, err := t.Raw(harness.RawRequest{Action: "DeleteJob", Body: body, Region: region})
				if err == nil && (env.Error == nil || strings.HasPrefix(env.Code(), "ResourceNotFound")) {
					return
				}
				// What holds it back feeds the breaker (every answer
				// does): a target whose jobs never end is recognised
				// below instead of waited out for the whole minute.
				prJobState(t, jobID)
				if serr := t.Stalled(); serr != nil {
					errs[i] = fmt.Errorf("job %s left behind: %w", jobID, serr)
					return
				}
				if time.Now().After(deadline) {
					errs[i] = fmt.Errorf("job %s not deleted: %v %s", jobID, err, env.Code())
					return
				}
				time.Sleep(t.PollInterval())
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prJobState reads a job's state.
func prJobState(t *harness.Target, jobID string) string {
	env, err := t.Raw(harness.RawRequest{Action: "DescribeJob", Body: []byte(`{"JobId":"` + jobID + `"}`)})
	if err != nil || env.Error != nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(env.Response["JobState"], &s)
	return s
}

// prSubmitInfo returns DescribeJobSubmitInfo's echo of the submission
// (Job, Tasks, Dependences), RequestId removed.
func prSubmitInfo(t *harness.Target, jobID string) map[string]any {
	GinkgoHelper()
	env, err := t.Raw(harness.RawRequest{Action: "DescribeJobSubmitInfo", Body: []byte(`{"JobId":"` + jobID + `"}`)})
	prAccepted(env, err, "DescribeJobSubmitInfo")
	out := map[string]any{}
	for k, v := range env.Response {
		if k == "RequestId" || k == "JobId" {
			continue
		}
		var x any
		Expect(json.Unmarshal(v, &x)).To(Succeed())
		out[k] = x
	}
	return out
}

// prFlatten turns a JSON-shaped value into the documented flattened form
// (dotted paths, 0-based list indices; booleans true/false).
func prFlatten(v any) url.Values {
	out := url.Values{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, e)
			}
		case []any:
			for i, e := range x {
				walk(prefix+"."+strconv.Itoa(i), e)
			}
		case string:
			out.Set(prefix, x)
		case bool:
			out.Set(prefix, strconv.FormatBool(x))
		case int:
			out.Set(prefix, strconv.Itoa(x))
		case float64:
			out.Set(prefix, strconv.FormatFloat(x, 'f', -1, 64))
		case json.Number:
			out.Set(prefix, x.String())
		case nil:
		default:
			Fail(fmt.Sprintf("prFlatten: unsupported %T at %s", v, prefix))
		}
	}
	walk("", v)
	return out
}

// prV1 sends a v1-signed request (GET query or form POST) built from the
// business parameters; mutate, if set, edits the parameters after signing.
type prV1Request struct {
	Method     string // GET or POST
	Action     string
	Params     url.Values
	SignMethod string // HmacSHA256, HmacSHA1, or "" (SignatureMethod absent = HmacSHA1)
	SecretID   string
	SecretKey  string
	Timestamp  time.Time
	Edit       func(url.Values) // before signing (a signed change)
	Mutate     func(url.Values) // after signing (breaks the signature)
	// Close asks for the connection to be closed after the exchange (an
	// oversized body the server refuses unread).
	Close bool
}

func prV1(t *harness.Target, r prV1Request) (*harness.Envelope, error) {
	if r.Timestamp.IsZero() {
		r.Timestamp = time.Now()
	}
	id, key := t.SecretID, t.SecretKey
	if r.SecretID != "" {
		id = r.SecretID
	}
	if r.SecretKey != "" {
		key = r.SecretKey
	}
	p := t.V1Params(r.Action, r.Params, r.Timestamp)
	if r.Edit != nil {
		r.Edit(p)
	}
	tcsign.V1{SecretID: id, SecretKey: key, Method: r.SignMethod}.Sign(r.Method, t.Host, p)
	if r.SignMethod == "HmacSHA1" {
		// tcsign omits SignatureMethod for HmacSHA1 (its default); name it
		// explicitly and re-sign, so both documented spellings are sent.
		p.Set("SignatureMethod", "HmacSHA1")
		p.Del("Signature")
		p.Set("Signature", tcsign.V1{SecretID: id, SecretKey: key, Method: "HmacSHA1"}.Signature(r.Method, t.Host, p))
	}
	if r.Mutate != nil {
		r.Mutate(p)
	}
	var req *http.Request
	var err error
	if r.Method == http.MethodGet {
		req, err = http.NewRequest(http.MethodGet, t.URL+"/?"+p.Encode(), nil)
	} else {
		req, err = http.NewRequest(http.MethodPost, t.URL+"/", strings.NewReader(p.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, err
	}
	req.Close = r.Close
	return t.Do(req)
}

// prTC3 builds a signed TC3 request for what RawRequest cannot express
// (another method, UNSIGNED-PAYLOAD, a token, a content type).
func prTC3(t *harness.Target, action string, body []byte) tcsign.TC3 {
	return tcsign.TC3{SecretID: t.SecretID, SecretKey: t.SecretKey, Service: "batch", Action: action,
		Version: "2017-03-12", Region: t.Region, Timestamp: time.Now()}
}

// prResponseWithout returns the Response object's members except RequestId,
// for comparing two answers to the same request.
func prResponseWithout(env *harness.Envelope) map[string]string {
	out := map[string]string{}
	for k, v := range env.Response {
		if k != "RequestId" {
			out[k] = string(v)
		}
	}
	return out
}

// prKeys returns the sorted keys of a JSON object.
func prKeys(raw []byte) []string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// prBigString returns n bytes of 'a' (for size limits), built once.
func prBigString(n int) string { return string(bytes.Repeat([]byte{'a'}, n)) }

// prV1Version sends a correctly signed v1 GET of DescribeJobs whose Version
// is version ("" omits it).
func prV1Version(t *harness.Target, version string) (*harness.Envelope, error) {
	return prV1(t, prV1Request{Method: http.MethodGet, Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}},
		Edit: func(p url.Values) {
			if version == "" {
				p.Del("Version")
			} else {
				p.Set("Version", version)
			}
		}})
}

// prSignV1 signs v1 parameters with the target's key (HmacSHA1).
func prSignV1(t *harness.Target, method string, p url.Values) {
	tcsign.V1{SecretID: t.SecretID, SecretKey: t.SecretKey}.Sign(method, t.Host, p)
}

// prTC3Headers are the X-TC-* headers of a TC3 request (for requests built
// by hand: another content type or method).
func prTC3Headers(s tcsign.TC3) map[string]string {
	h := map[string]string{"X-TC-Action": s.Action, "X-TC-Version": s.Version,
		"X-TC-Timestamp": strconv.FormatInt(s.Timestamp.Unix(), 10)}
	if s.Region != "" {
		h["X-TC-Region"] = s.Region
	}
	return h
}

// prQuotas is a quota of n task templates (other quotas default).
func prQuotas(n int) tenants.Quotas { return tenants.Quotas{TaskTemplates: n} }

// prNopCloser wraps bytes as a request body.
func prNopCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// prTypedJob is prJob with one value of the wrong JSON type: the boolean
// RestartComputeNode sent as the string "true".
func prTypedJob(t *harness.Target, name, command string) map[string]any {
	j := prJob(t, name, command)
	j["Job"].(map[string]any)["Tasks"].([]any)[0].(map[string]any)["RestartComputeNode"] = "true"
	return j
}

// prRichJob is a submission that exercises the flattened forms: nested
// objects, two list levels, numbers, a boolean and characters that need
// escaping.
func prRichJob(t *harness.Target) map[string]any {
	a := prTask("A", "true", t.Zone)
	a["RestartComputeNode"] = true
	a["MaxRetryCount"] = 1
	a["Timeout"] = 600
	b := prTask("B", "echo 'a b&c=d/é+%'", t.Zone)
	return map[string]any{
		"Placement": map[string]any{"Zone": t.Zone},
		"Job": map[string]any{"JobName": t.Name("pr-forms", 60), "JobDescription": "a b&c=d/é+%", "Priority": 3,
			"Tasks":       []any{a, b},
			"Dependences": []any{map[string]any{"StartTask": "A", "EndTask": "B"}}},
	}
}

// prLogPrefix is the data-URL prefix the documented DescribeTaskLogs example
// shows before the Base64 text (reference §1.2 #21).
const prLogPrefix = "data:text/plain;charset=utf-8;base64,"

// prDecodeLog decodes a task log: Base64, padded or not (the documented
// example is unpadded), optionally behind the documented data-URL prefix.
func prDecodeLog(s string) ([]byte, error) {
	s = strings.TrimPrefix(s, prLogPrefix)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
