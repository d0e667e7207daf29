package tencentbatch

// Protocol specs: the API 3.0 common protocol as Tencent Batch serves it —
// signatures (TC3, v1 HmacSHA256/HmacSHA1), request forms (JSON, GET and
// form flattening), the error envelope, the common error codes and limits.
// Each bad request differs from a valid one by exactly one thing, and a valid
// control is sent beside it where that makes the check sharper.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// prSDKDescribeJobs is the SDK's form of prLight.
func prSDKDescribeJobs() *batch.DescribeJobsRequest {
	r := batch.NewDescribeJobsRequest()
	r.Limit = common.Int64Ptr(1)
	r.Filters = []*batch.Filter{{Name: common.StringPtr("job-name"), Values: common.StringPtrs([]string{"bc-protocol-no-such-job"})}}
	return r
}

// prRandHex returns n random bytes as hex.
func prRandHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var _ = Describe("Tencent Batch API 3.0 protocol", Ordered, ContinueOnFailure, func() {
	// The jobs some specs need are submitted first, so they run while the
	// stateless specs do; every job the container creates is deleted
	// concurrently at its end (a job is deletable only once terminal).
	var (
		logJob, busyJob string
		ref, refInfo    map[string]any
	)
	const logBytes = 5000
	BeforeAll(func() {
		t := harness.T(Dialect)
		DeferCleanup(prFlushJobs)
		// Output over the 2048-byte log limit; a long-running job; and the
		// reference submission whose GET and form twins must decode the same.
		logJob = prSubmit(t, prMarshal(prJob(t, "pr-log", "head -c 5000 /dev/zero | tr '\\0' a")))
		// 30 s was too short: under load (a -race run of 280 s) the
		// container's later specs found the job finished. It is
		// terminated at the container's end (prFlushJobs).
		busyJob = prSubmit(t, prMarshal(prJob(t, "pr-busy", "sleep 600")))
		ref = prRichJob(t)
		refInfo = prSubmitInfo(t, prSubmit(t, prMarshal(ref)))
	})

	Describe("signatures", func() {
		harness.It("accepts TC3-HMAC-SHA256 requests: SDK POST and GET, raw GET, UNSIGNED-PAYLOAD",
			harness.Items(prID("auth", "TC3-HMAC-SHA256")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("auth", "TC3-HMAC-SHA256"))
				for _, method := range []string{"POST", "GET"} {
					resp, err := t.Batch(harness.ClientOptions{SignMethod: "TC3-HMAC-SHA256", ReqMethod: method}).DescribeJobs(prSDKDescribeJobs())
					Expect(err).NotTo(HaveOccurred(), "SDK TC3 %s DescribeJobs", method)
					Expect(resp.Response).NotTo(BeNil())
					Expect(resp.Response.RequestId).NotTo(BeNil())
				}
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Method: http.MethodGet,
					Params: url.Values{"Limit": {"1"}, "Filters.0.Name": {"job-name"}, "Filters.0.Values.0": {"bc protocol&x=y/é"}}})
				prAccepted(env, err, "raw TC3 GET with escaped values")
				// X-TC-Content-SHA256: UNSIGNED-PAYLOAD signs the hash of that
				// literal instead of the body (reference §5.4).
				action, body := prLight()
				s := prTC3(t, action, body)
				s.Unsigned = true
				req, rerr := s.NewPOST(t.URL, "", body)
				Expect(rerr).NotTo(HaveOccurred())
				env, err = t.Do(req)
				prAccepted(env, err, "TC3 POST with UNSIGNED-PAYLOAD")
			})

		harness.It("accepts v1 HmacSHA256 requests as GET and form POST",
			harness.Items(prID("auth", "v1-HmacSHA256")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("auth", "v1-HmacSHA256"))
				for _, method := range []string{"GET", "POST"} {
					resp, err := t.Batch(harness.ClientOptions{SignMethod: "HmacSHA256", ReqMethod: method}).DescribeJobs(prSDKDescribeJobs())
					Expect(err).NotTo(HaveOccurred(), "SDK HmacSHA256 %s DescribeJobs", method)
					Expect(resp.Response.RequestId).NotTo(BeNil())
					// The raw form carries RequestClient as the SDK does: it is
					// a common parameter, not an unknown one (reference §5.3).
					env, err := prV1(t, prV1Request{Method: method, Action: "DescribeJobs", SignMethod: "HmacSHA256",
						Params: url.Values{"Limit": {"1"}, "RequestClient": {"batchconform"}}})
					prAccepted(env, err, "raw v1 HmacSHA256 "+method)
				}
			})

		harness.It("accepts v1 HmacSHA1 requests (SignatureMethod absent or HmacSHA1) as GET and form POST",
			harness.Items(prID("auth", "v1-HmacSHA1")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("auth", "v1-HmacSHA1"))
				for _, method := range []string{"GET", "POST"} {
					resp, err := t.Batch(harness.ClientOptions{SignMethod: "HmacSHA1", ReqMethod: method}).DescribeJobs(prSDKDescribeJobs())
					Expect(err).NotTo(HaveOccurred(), "SDK HmacSHA1 %s DescribeJobs", method)
					Expect(resp.Response.RequestId).NotTo(BeNil())
					for _, sm := range []string{"", "HmacSHA1"} {
						env, err := prV1(t, prV1Request{Method: method, Action: "DescribeJobs", SignMethod: sm, Params: url.Values{"Limit": {"1"}}})
						prAccepted(env, err, "raw v1 "+method+" SignatureMethod="+sm)
					}
				}
			})

		harness.It("refuses a tampered body or a wrong key with AuthFailure.SignatureFailure",
			harness.Items(prID("auth", "SignatureFailure")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				// The control: the same request, untampered, is accepted.
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "the untampered control")
				harness.Check(prID("auth", "SignatureFailure"))
				tampered := bytes.Replace(body, []byte(`"Limit":1`), []byte(`"Limit":2`), 1)
				Expect(tampered).NotTo(Equal(body))
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Tamper: func(r *http.Request) {
					r.Body = prNopCloser(tampered)
					r.ContentLength = int64(len(tampered))
				}})
				prRefused(env, err, "AuthFailure.SignatureFailure", "TC3 POST whose body changed after signing")
				prEvidence(t)
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, SecretKey: t.SecretKey + "x"})
				prRefused(env, err, "AuthFailure.SignatureFailure", "TC3 POST signed with a wrong key")
				// Every v1 signing method and HTTP method is verified: an
				// endpoint can check one combination and forget another.
				for _, method := range []string{"GET", "POST"} {
					for _, sm := range []string{"", "HmacSHA1", "HmacSHA256"} {
						env, err = prV1(t, prV1Request{Method: method, Action: "DescribeJobs", SignMethod: sm,
							Params: url.Values{"Limit": {"1"}}, SecretKey: t.SecretKey + "x"})
						prRefused(env, err, "AuthFailure.SignatureFailure", "v1 "+method+" SignatureMethod="+sm+" signed with a wrong key")
					}
				}
				env, err = prV1(t, prV1Request{Method: "POST", Action: "DescribeJobs", SignMethod: "HmacSHA1",
					Params: url.Values{"Limit": {"1"}}, Mutate: func(p url.Values) { p.Set("Limit", "2") }})
				prRefused(env, err, "AuthFailure.SignatureFailure", "v1 form POST whose parameter changed after signing")
				_, err = t.Batch(harness.ClientOptions{SecretKey: t.SecretKey + "x"}).DescribeJobs(prSDKDescribeJobs())
				code, _, rid := harness.SDKError(err)
				Expect(code).To(Equal("AuthFailure.SignatureFailure"), "SDK with a wrong key: %v", err)
				Expect(rid).To(MatchRegexp(prUUID.String()))
			})

		harness.It("refuses an unknown SecretId with AuthFailure.SecretIdNotFound",
			harness.Items(prID("auth", "SecretIdNotFound")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				unknown := "AKID" + prRandHex(14)
				harness.Check(prID("auth", "SecretIdNotFound"))
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, SecretID: unknown})
				prRefused(env, err, "AuthFailure.SecretIdNotFound", "TC3 POST with an unknown SecretId")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}}, SecretID: unknown})
				prRefused(env, err, "AuthFailure.SecretIdNotFound", "v1 GET with an unknown SecretId")
			})

		harness.It("refuses a timestamp more than 5 minutes off with AuthFailure.SignatureExpire and accepts one just inside",
			harness.Items(prID("auth", "SignatureExpire")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("auth", "SignatureExpire"))
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Timestamp: time.Now().Add(-4*time.Minute - 30*time.Second)})
				prAccepted(env, err, "TC3 POST stamped 4m30s ago (inside the window)")
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Timestamp: time.Now().Add(-6 * time.Minute)})
				prRefused(env, err, "AuthFailure.SignatureExpire", "TC3 POST stamped 6 minutes ago")
				prEvidence(t)
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Timestamp: time.Now().Add(6 * time.Minute)})
				prRefused(env, err, "AuthFailure.SignatureExpire", "TC3 POST stamped 6 minutes ahead")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}}, Timestamp: time.Now().Add(-6 * time.Minute)})
				prRefused(env, err, "AuthFailure.SignatureExpire", "v1 GET stamped 6 minutes ago")
			})

		harness.It("requires the credential scope date to be the UTC date of X-TC-Timestamp (product Host)",
			harness.Items(prID("auth", "scope-date")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				now := time.Now()
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Host: prProductHost, Timestamp: now})
				prAccepted(env, err, "TC3 POST with the product Host (control)")
				harness.Check(prID("auth", "scope-date"))
				yesterday := now.UTC().AddDate(0, 0, -1).Format("2006-01-02")
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Host: prProductHost, Timestamp: now, ScopeDate: yesterday})
				prRefused(env, err, "AuthFailure.SignatureFailure", "TC3 POST whose scope date is the day before its timestamp")
			})

		harness.It("requires the credential scope service to be batch when the Host names batch",
			harness.Items(prID("auth", "scope-service")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Host: prProductHost})
				prAccepted(env, err, "TC3 POST with the product Host (control)")
				harness.Check(prID("auth", "scope-service"))
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Host: prProductHost, Service: "cvm"})
				prRefused(env, err, "AuthFailure.SignatureFailure", "TC3 POST to batch.tencentcloudapi.com signed for the cvm service")
			})

		harness.It("refuses a malformed Authorization with AuthFailure.InvalidAuthorization",
			harness.Items(prID("auth", "InvalidAuthorization")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("auth", "InvalidAuthorization"))
				for _, bad := range []string{
					"TC3-HMAC-SHA256 Credential=broken",
					"TC3-HMAC-SHA256 Signature=abc",
					"HMAC-SHA1 whatever",
				} {
					env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Tamper: func(r *http.Request) { r.Header.Set("Authorization", bad) }})
					prRefused(env, err, "AuthFailure.InvalidAuthorization", "TC3 POST with Authorization "+bad)
				}
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, NoSignature: true})
				prRefused(env, err, "AuthFailure.InvalidAuthorization", "JSON POST without Authorization")
				// The v1 form of a missing signature is MissingParameter (catalog note).
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}},
					Mutate: func(p url.Values) { p.Del("Signature") }})
				prRefused(env, err, "MissingParameter", "v1 GET without Signature")
			})

		harness.It("answers a SecretId that is no API key with an authentication failure",
			harness.Items(prID("auth", "InvalidSecretId")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("auth", "InvalidSecretId"))
				// The catalog: an emulator without key types answers
				// SecretIdNotFound; the live API InvalidSecretId.
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, SecretID: "not-a-cloud-api-key"})
				prRefusedAny(env, err, []string{"AuthFailure.InvalidSecretId", "AuthFailure.SecretIdNotFound"}, "TC3 POST with a SecretId of no key type")
			})

		harness.It("never asks an API key client for MFA",
			harness.Items(prID("auth", "MFAFailure")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("auth", "MFAFailure"))
				// MFA applies to consoles, not API key clients (catalog note):
				// a correctly signed key request is served, in every form.
				for _, o := range []harness.ClientOptions{{}, {SignMethod: "HmacSHA256", ReqMethod: "GET"}} {
					_, err := t.Batch(o).DescribeJobs(prSDKDescribeJobs())
					code, _, _ := harness.SDKError(err)
					Expect(code).NotTo(Equal("AuthFailure.MFAFailure"))
					Expect(err).NotTo(HaveOccurred(), "%+v", o)
				}
			})

		harness.It("refuses an invalid temporary-credential Token with AuthFailure.TokenFailure",
			harness.Items(prID("auth", "TokenFailure")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				s := prTC3(t, action, body)
				req, err := s.NewPOST(t.URL, "", body)
				Expect(err).NotTo(HaveOccurred())
				env, err := t.Do(req)
				prAccepted(env, err, "TC3 POST without X-TC-Token (control)")
				harness.Check(prID("auth", "TokenFailure"))
				s.Token = "bogus-temporary-token"
				req, err = s.NewPOST(t.URL, "", body)
				Expect(err).NotTo(HaveOccurred())
				env, err = t.Do(req)
				prRefused(env, err, "AuthFailure.TokenFailure", "TC3 POST of a permanent key with X-TC-Token")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}, "Token": {"bogus-temporary-token"}}})
				prRefused(env, err, "AuthFailure.TokenFailure", "v1 GET of a permanent key with Token")
			})

		harness.It("refuses a tenant not allowed to use Batch: UnauthorizedOperation, reads still served",
			harness.Items(prID("auth", "UnauthorizedOperation"), prID("request", "UnauthorizedOperation")), func() {
				t := harness.T(Dialect)
				t.RequireEmulator()
				nt := t.NewTenant(harness.TenantConfig{NotAllowed: true})
				action, body := prLight()
				env, err := nt.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "DescribeJobs of the not-allowed tenant (authenticated, reads allowed)")
				job := prMarshal(prJob(t, "pr-notallowed", "true"))
				harness.Check(prID("request", "UnauthorizedOperation"))
				env, err = nt.Raw(harness.RawRequest{Action: "SubmitJob", Body: job})
				Expect(err).NotTo(HaveOccurred())
				if env.Error == nil {
					var jobID string
					_ = json.Unmarshal(env.Response["JobId"], &jobID)
					DeferCleanup(prDeleteJobs, nt, []string{jobID})
				}
				Expect(env.Code()).To(HavePrefix("UnauthorizedOperation"), "SubmitJob of a not-allowed tenant: %s", env.Body)
				Expect(env.Status).To(Equal(200), "API errors are HTTP 200 envelopes: %s", prShow(env.Body))
				harness.Check(prID("auth", "UnauthorizedOperation"))
				// The emulator models CAM refusals as not_allowed only (catalog
				// note): the code is the documented UnauthorizedOperation.*
				// or the CAM one, never a signature failure.
				Expect([]string{"AuthFailure.UnauthorizedOperation", "UnauthorizedOperation.UserNotAllowedToUseBatch"}).To(ContainElement(env.Code()), "the refusal of a not-allowed tenant: %s", env.Body)
			})
	})

	Describe("the response envelope", func() {
		harness.It("answers errors of every layer with HTTP 200, which the SDK parses",
			harness.Items(prID("envelope", "error-http-200")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("envelope", "error-http-200"))
				cases := []struct {
					what string
					r    harness.RawRequest
					code string
				}{
					{"authentication", harness.RawRequest{Action: action, Body: body, SecretKey: t.SecretKey + "x"}, "AuthFailure.SignatureFailure"},
					{"routing", harness.RawRequest{Action: "NoSuchAction", Body: body}, "InvalidAction"},
					{"parameters", harness.RawRequest{Action: action, Body: []byte(`{"Limit":"1"}`)}, "InvalidParameter"},
					{"business", harness.RawRequest{Action: "DescribeJob", Body: []byte(`{"JobId":"job-00000000"}`)}, "ResourceNotFound.Job"},
				}
				for _, c := range cases {
					env, err := t.Raw(c.r)
					prRefused(env, err, c.code, c.what+" error")
				}
				// The SDK rejects any status but 200 (reference §6.3): it must
				// see the server's code, not ClientError.HttpStatusCodeError.
				r := batch.NewDescribeJobRequest()
				r.JobId = common.StringPtr("job-00000000")
				_, err := t.Batch().DescribeJob(r)
				code, _, _ := harness.SDKError(err)
				Expect(code).To(Equal("ResourceNotFound.Job"), "SDK error: %v", err)
			})

		harness.It("shapes an error as {Response:{Error:{Code,Message},RequestId}} and nothing else",
			harness.Items(prID("envelope", "error-shape")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("envelope", "error-shape"))
				for _, r := range []harness.RawRequest{
					{Action: "NoSuchAction"},
					{Action: "DescribeJob", Body: []byte(`{"JobId":"job-00000000"}`)},
					{Action: "DescribeJobs", SecretID: "AKID" + prRandHex(14)},
				} {
					env, err := t.Raw(r)
					Expect(err).NotTo(HaveOccurred())
					Expect(prKeys(env.Body)).To(Equal([]string{"Response"}), "top level of %s", env.Body)
					Expect(prKeys(env.Response["Error"])).To(Equal([]string{"Code", "Message"}), "Error of %s", env.Body)
					var inner []string
					for k := range env.Response {
						inner = append(inner, k)
					}
					Expect(inner).To(ConsistOf("Error", "RequestId"), "Response of %s", env.Body)
					var e struct{ Code, Message any }
					Expect(json.Unmarshal(env.Response["Error"], &e)).To(Succeed())
					Expect(e.Code).To(BeAssignableToTypeOf(""), "Error.Code is a string")
					Expect(e.Message).To(BeAssignableToTypeOf(""), "Error.Message is a string")
					Expect(e.Message).NotTo(BeEmpty())
					Expect(cat.CheckResponse(r.Action, env.Body)).To(BeEmpty())
				}
			})

		harness.It("gives every response a fresh UUID RequestId",
			harness.Items(prID("envelope", "request-id")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("envelope", "request-id"))
				seen := map[string]bool{}
				for i := 0; i < 4; i++ {
					for _, r := range []harness.RawRequest{
						{Action: action, Body: body},                     // success
						{Action: "DescribeJob", Body: []byte(`{}`)},      // parameter error
						{Action: action, Body: body, SecretKey: "wrong"}, // authentication error
					} {
						env, err := t.Raw(r)
						Expect(err).NotTo(HaveOccurred())
						Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s", env.Body)
						Expect(env.RequestID).To(MatchRegexp(prUUID.String()), "RequestId of %s", env.Body)
						Expect(seen).NotTo(HaveKey(env.RequestID), "RequestId %s repeated", env.RequestID)
						seen[env.RequestID] = true
					}
				}
				resp, err := t.Batch().DescribeJobs(prSDKDescribeJobs())
				Expect(err).NotTo(HaveOccurred())
				Expect(*resp.Response.RequestId).To(MatchRegexp(prUUID.String()))
				Expect(seen).NotTo(HaveKey(*resp.Response.RequestId))
			})

		harness.It("shapes a success as {Response:{…documented fields…, RequestId}}",
			harness.Items(prID("envelope", "response-shape")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("envelope", "response-shape"))
				for _, r := range []harness.RawRequest{
					{Action: "DescribeJobs", Body: []byte(`{"Limit":1}`)},
					{Action: "DescribeInstanceCategories"},
					{Action: "DescribeAvailableCvmInstanceTypes"},
				} {
					env, err := t.Raw(r)
					prAccepted(env, err, r.Action)
					Expect(prKeys(env.Body)).To(Equal([]string{"Response"}), "top level of %s", r.Action)
					Expect(env.Response).NotTo(HaveKey("Error"))
					Expect(cat.CheckResponse(r.Action, env.Body)).To(BeEmpty(), "%s response: %s", r.Action, prShow(env.Body))
				}
			})
	})

	Describe("request routing and parameters", func() {
		harness.It("refuses an unknown Action with InvalidAction",
			harness.Items(prID("request", "InvalidAction")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "the control")
				harness.Check(prID("request", "InvalidAction"))
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobz", Body: body})
				prRefused(env, err, "InvalidAction", "TC3 POST of action DescribeJobz")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobz", Params: url.Values{"Limit": {"1"}}})
				prRefused(env, err, "InvalidAction", "v1 GET of action DescribeJobz")
			})

		harness.It("refuses an unknown Version with NoSuchVersion",
			harness.Items(prID("request", "NoSuchVersion")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("request", "NoSuchVersion"))
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Version: "2016-01-01"})
				prRefused(env, err, "NoSuchVersion", "TC3 POST of Version 2016-01-01")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}},
					Mutate: nil, SignMethod: "HmacSHA256", Timestamp: time.Now()})
				prAccepted(env, err, "v1 GET of Version 2017-03-12 (control)")
				env, err = prV1Version(t, "2016-01-01")
				prRefused(env, err, "NoSuchVersion", "v1 GET of Version 2016-01-01")
			})

		harness.It("refuses a missing Action, Version or required parameter with MissingParameter",
			harness.Items(prID("request", "MissingParameter")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("request", "MissingParameter"))
				// The Action and Version headers are not signed, so removing one
				// leaves a valid signature: exactly one thing is missing.
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Tamper: func(r *http.Request) { r.Header.Del("X-TC-Version") }})
				prRefused(env, err, "MissingParameter", "TC3 POST without X-TC-Version")
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Tamper: func(r *http.Request) { r.Header.Del("X-TC-Action") }})
				prRefused(env, err, "MissingParameter", "TC3 POST without X-TC-Action")
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJob", Body: []byte(`{}`)})
				prRefused(env, err, "MissingParameter", "DescribeJob without JobId")
				env, err = prV1Version(t, "")
				prRefused(env, err, "MissingParameter", "v1 GET without Version")
			})

		harness.It("refuses an undefined parameter with UnknownParameter, not the common v1 ones",
			harness.Items(prID("request", "UnknownParameter")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "UnknownParameter"))
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":1,"Bogus":1}`)})
				prRefused(env, err, "UnknownParameter", "TC3 POST with Bogus")
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":1,"Filters":[{"Name":"job-name","Values":["x"],"Bogus":"y"}]}`)})
				prRefused(env, err, "UnknownParameter", "TC3 POST with Filters.0.Bogus")
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Method: http.MethodGet, Params: url.Values{"Limit": {"1"}, "Bogus": {"1"}}})
				prRefused(env, err, "UnknownParameter", "TC3 GET with Bogus")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}, "Bogus": {"1"}}})
				prRefused(env, err, "UnknownParameter", "v1 GET with Bogus")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs",
					Params: url.Values{"Limit": {"1"}, "RequestClient": {"SDK_GO_1.0.162"}, "Language": {"en-US"}}})
				prAccepted(env, err, "v1 GET with RequestClient and Language (common parameters)")
			})

		harness.It("refuses a value of the wrong JSON type with InvalidParameter",
			harness.Items(prID("request", "InvalidParameter-type")), func() {
				t := harness.T(Dialect)
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":1}`)})
				prAccepted(env, err, "DescribeJobs Limit 1 (control)")
				harness.Check(prID("request", "InvalidParameter-type"))
				for _, c := range []struct{ action, body string }{
					{"DescribeJobs", `{"Limit":"1"}`},
					{"DescribeJobs", `{"Limit":1.5}`},
					{"DescribeJobs", `{"JobIds":"job-00000000"}`},
					{"DescribeJobs", `{"Filters":{"Name":"job-name","Values":["x"]}}`},
					{"DescribeJob", `{"JobId":12345678}`},
					{"SubmitJob", string(prMarshal(prTypedJob(t, "pr-type", "true")))},
				} {
					env, err := t.Raw(harness.RawRequest{Action: c.action, Body: []byte(c.body)})
					prRefused(env, err, "InvalidParameter", c.action+" "+c.body)
				}
			})

		harness.It("refuses a malformed or truncated JSON body with InvalidParameter",
			harness.Items(prID("request", "InvalidParameter-malformed-json")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "InvalidParameter-malformed-json"))
				for _, b := range []string{`{"Limit":1`, `{"Limit":1,}`, `{"Limit":1}}`, `[{"Limit":1}]`, `{"Limit":1} x`, `{'Limit':1}`} {
					env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(b)})
					prRefused(env, err, "InvalidParameter", "DescribeJobs body "+b)
				}
			})

		harness.It("refuses a value outside its documented range with InvalidParameterValue",
			harness.Items(prID("request", "InvalidParameterValue")), func() {
				t := harness.T(Dialect)
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":100}`)})
				prAccepted(env, err, "DescribeJobs Limit 100 (control)")
				harness.Check(prID("request", "InvalidParameterValue"))
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":101}`)})
				prRefused(env, err, "InvalidParameterValue", "DescribeJobs Limit 101")
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Offset":-1}`)})
				prRefused(env, err, "InvalidParameterValue", "DescribeJobs Offset -1")
			})

		harness.It("refuses a method other than GET and POST with UnsupportedProtocol",
			harness.Items(prID("request", "UnsupportedProtocol")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "POST (control)")
				harness.Check(prID("request", "UnsupportedProtocol"))
				for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
					env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Tamper: func(r *http.Request) { r.Method = m }})
					prRefused(env, err, "UnsupportedProtocol", m+" of a signed request")
				}
			})

		harness.It("refuses a Region outside the documented regions with UnsupportedRegion",
			harness.Items(prID("request", "UnsupportedRegion")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				Expect(cat.Regions).To(HaveKey(t.Region), "the target's region is documented")
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "region "+t.Region+" (control)")
				harness.Check(prID("request", "UnsupportedRegion"))
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body, Region: "xx-nowhere"})
				prRefused(env, err, "UnsupportedRegion", "TC3 POST in region xx-nowhere")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}},
					Edit: func(p url.Values) { p.Set("Region", "xx-nowhere") }})
				prRefused(env, err, "UnsupportedRegion", "v1 GET in region xx-nowhere")
			})

		harness.It("names a documented region and, in Placement, one of its zones",
			harness.Items(prID("request", "regions-zones")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "regions-zones"))
				Expect(cat.Regions).To(HaveKey(t.Region))
				Expect(cat.Regions[t.Region]).To(ContainElement(t.Zone), "the target's zone belongs to its region")
				var other string
				for r, zs := range cat.Regions {
					if r != t.Region && len(zs) > 0 {
						other = zs[0]
						break
					}
				}
				Expect(other).NotTo(BeEmpty())
				// Refused before any state is touched: nothing is created.
				for _, c := range []struct{ zone, code string }{
					{other, "InvalidParameterValue.InvalidZoneMismatchRegion"},
					{"xx-nowhere-1", "InvalidZone.MismatchRegion"},
				} {
					job := prJob(t, "pr-zone", "true")
					job["Placement"] = map[string]any{"Zone": c.zone}
					env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Body: prMarshal(job)})
					prRefused(env, err, c.code, "SubmitJob in zone "+c.zone)
				}
			})

		harness.It("does not serve DryRun: DryRun is an unknown parameter of every Batch action",
			harness.Items(prID("request", "DryRunOperation")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "DryRunOperation"))
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":1,"DryRun":true}`)})
				prRefused(env, err, "UnknownParameter", "DescribeJobs with DryRun")
			})

		harness.It("still serves the actions the target SDK calls (no action is offline)",
			harness.Items(prID("request", "ActionOffline")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "ActionOffline"))
				env, err := t.Raw(harness.RawRequest{Action: "DescribeCpmOsInfo"})
				prAccepted(env, err, "DescribeCpmOsInfo")
				env, err = t.Raw(harness.RawRequest{Action: "CreateCpmComputeEnv", Body: []byte(`{}`)})
				Expect(err).NotTo(HaveOccurred())
				Expect(env.Code()).To(Equal("MissingParameter"), "CreateCpmComputeEnv is served (parameters checked): %s", env.Body)
			})

		harness.It("answers refusals with their specific codes, never the generic FailedOperation or ResourceUnavailable",
			harness.Items(prID("request", "FailedOperation"), prID("request", "ResourceUnavailable")), func() {
				t := harness.T(Dialect)
				cases := []struct{ action, body, code string }{
					{"DescribeJob", `{"JobId":"job-00000000"}`, "ResourceNotFound.Job"},
					{"TerminateJob", `{"JobId":"job-00000000"}`, "ResourceNotFound.Job"},
					{"DeleteComputeEnv", `{"EnvId":"env-00000000"}`, "ResourceNotFound.ComputeEnv"},
				}
				harness.Check(prID("request", "FailedOperation"))
				harness.Check(prID("request", "ResourceUnavailable"))
				for _, c := range cases {
					env, err := t.Raw(harness.RawRequest{Action: c.action, Body: []byte(c.body)})
					prRefused(env, err, c.code, c.action+" of an unknown resource")
				}
			})

		harness.It("answers a missing resource with a specific ResourceNotFound.* code",
			harness.Items(prID("request", "ResourceNotFound")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "ResourceNotFound"))
				for _, c := range []struct{ action, body, code string }{
					{"DescribeJob", `{"JobId":"job-00000000"}`, "ResourceNotFound.Job"},
					{"DescribeComputeEnv", `{"EnvId":"env-00000000"}`, "ResourceNotFound.ComputeEnv"},
				} {
					env, err := t.Raw(harness.RawRequest{Action: c.action, Body: []byte(c.body)})
					prRefused(env, err, c.code, c.action+" of an unknown resource")
				}
			})

		harness.It("bounds responses by paging instead of ResponseSizeLimitExceeded",
			harness.Items(prID("request", "ResponseSizeLimitExceeded")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "ResponseSizeLimitExceeded"))
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":100}`)})
				prAccepted(env, err, "the largest page of DescribeJobs")
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":101}`)})
				prRefused(env, err, "InvalidParameterValue", "a page beyond the documented maximum")
			})

		harness.It("answers a quota limit with a specific LimitExceeded.* code",
			harness.Items(prID("request", "LimitExceeded")), func() {
				t := harness.T(Dialect)
				t.RequireEmulator()
				nt := t.NewTenant(harness.TenantConfig{Quotas: prQuotas(1)})
				tmpl := func(n string) []byte {
					return prMarshal(map[string]any{"TaskTemplateName": t.Name(n, 60), "TaskTemplateInfo": prTask("A", "true", t.Zone)})
				}
				env, err := nt.Raw(harness.RawRequest{Action: "CreateTaskTemplate", Body: tmpl("pr-quota-1")})
				prAccepted(env, err, "the first template (within the quota)")
				var tid string
				Expect(json.Unmarshal(env.Response["TaskTemplateId"], &tid)).To(Succeed())
				DeferCleanup(func() {
					_, _ = nt.Raw(harness.RawRequest{Action: "DeleteTaskTemplates", Body: prMarshal(map[string]any{"TaskTemplateIds": []string{tid}})})
				})
				harness.Check(prID("request", "LimitExceeded"))
				env, err = nt.Raw(harness.RawRequest{Action: "CreateTaskTemplate", Body: tmpl("pr-quota-2")})
				prRefused(env, err, "LimitExceeded.TaskTemplateQuota", "a template past the quota")
			})

		harness.It("serves the loopback client: no IP blacklist or whitelist applies",
			harness.Items(prID("request", "IpInBlacklist"), prID("request", "IpNotInWhitelist")), func() {
				t := harness.T(Dialect)
				t.RequireEmulator()
				action, body := prLight()
				harness.Check(prID("request", "IpInBlacklist"))
				harness.Check(prID("request", "IpNotInWhitelist"))
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "a loopback request")
				Expect(env.Code()).NotTo(BeElementOf("IpInBlacklist", "IpNotInWhitelist"))
			})

		harness.It("answers a product the Host does not match with NoSuchProduct or a signature failure",
			harness.Items(prID("request", "NoSuchProduct")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("request", "NoSuchProduct"))
				env, err := t.Raw(harness.RawRequest{Action: action, Body: body, Host: prProductHost, Service: "nosuchproduct"})
				prRefusedAny(env, err, []string{"NoSuchProduct", "AuthFailure.SignatureFailure"}, "a request for product nosuchproduct on the batch host")
			})

		harness.It("answers a multipart/form-data body with InvalidRequest",
			harness.Items(prID("request", "InvalidRequest")), func() {
				t := harness.T(Dialect)
				action, _ := prLight()
				body := []byte("--b\r\nContent-Disposition: form-data; name=\"Limit\"\r\n\r\n1\r\n--b--\r\n")
				const ct = "multipart/form-data; boundary=b"
				s := prTC3(t, action, body)
				req, err := http.NewRequest(http.MethodPost, t.URL+"/", bytes.NewReader(body))
				Expect(err).NotTo(HaveOccurred())
				req.Header.Set("Content-Type", ct)
				for k, v := range prTC3Headers(s) {
					req.Header.Set(k, v)
				}
				req.Header.Set("Authorization", s.Authorization(http.MethodPost, t.Host, "", ct, body))
				harness.Check(prID("request", "InvalidRequest"))
				env, err := t.Do(req)
				prRefused(env, err, "InvalidRequest", "a TC3 multipart/form-data POST")
			})

		harness.It("pairs application/json with TC3 and form bodies with v1",
			harness.Items(prID("request", "content-type")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				harness.Check(prID("request", "content-type"))
				// A TC3 signature over a form content type (valid signature,
				// one thing changed: the content type).
				const form = "application/x-www-form-urlencoded"
				s := prTC3(t, action, body)
				req, err := http.NewRequest(http.MethodPost, t.URL+"/", bytes.NewReader(body))
				Expect(err).NotTo(HaveOccurred())
				req.Header.Set("Content-Type", form)
				for k, v := range prTC3Headers(s) {
					req.Header.Set(k, v)
				}
				req.Header.Set("Authorization", s.Authorization(http.MethodPost, t.Host, "", form, body))
				env, err := t.Do(req)
				Expect(err).NotTo(HaveOccurred())
				Expect(env.Error).NotTo(BeNil(), "a TC3-signed form POST must be refused: %s", env.Body)
				Expect(env.Status).To(Equal(200), "API errors are HTTP 200 envelopes: %s", prShow(env.Body))
				// A v1 form body declared as JSON.
				env, err = prV1(t, prV1Request{Method: "POST", Action: "DescribeJobs", Params: url.Values{"Limit": {"1"}}})
				prAccepted(env, err, "a v1 form POST (control)")
				p := t.V1Params("DescribeJobs", url.Values{"Limit": {"1"}}, time.Now())
				prSignV1(t, "POST", p)
				req, err = http.NewRequest(http.MethodPost, t.URL+"/", strings.NewReader(p.Encode()))
				Expect(err).NotTo(HaveOccurred())
				req.Header.Set("Content-Type", "application/json")
				env, err = t.Do(req)
				Expect(err).NotTo(HaveOccurred())
				Expect(env.Error).NotTo(BeNil(), "a v1 body declared application/json must be refused: %s", env.Body)
				Expect(env.Status).To(Equal(200), "API errors are HTTP 200 envelopes: %s", prShow(env.Body))
			})

		harness.It("parses flattened booleans case-insensitively (TRUE, True, true); JSON stays strict",
			harness.Items(prID("request", "bool-case")), func() {
				t := harness.T(Dialect)
				// A submission naming an unknown EnvId passes the parameter
				// checks and is refused by the business check (nothing is
				// created); a bad boolean stops at the parameter check.
				job := map[string]any{"Placement": map[string]any{"Zone": t.Zone},
					"Job": map[string]any{"JobName": t.Name("pr-bool", 60), "Priority": 1, "Tasks": []any{map[string]any{
						"TaskName": "A", "TaskInstanceNum": 1, "EnvId": "env-00000000", "RestartComputeNode": true,
						"Application": map[string]any{"DeliveryForm": "LOCAL", "Command": "true"}}}}}
				flat := prFlatten(job)
				harness.Check(prID("request", "bool-case"))
				for _, v := range []string{"true", "TRUE", "True", "false", "FALSE"} {
					flat.Set("Job.Tasks.0.RestartComputeNode", v)
					env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Method: http.MethodGet, Params: flat})
					prRefused(env, err, "ResourceNotFound.ComputeEnv", "TC3 GET with RestartComputeNode="+v+" (past the type check)")
				}
				flat.Set("Job.Tasks.0.RestartComputeNode", "yes")
				env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Method: http.MethodGet, Params: flat})
				prRefused(env, err, "InvalidParameter", "TC3 GET with RestartComputeNode=yes")
				job["Job"].(map[string]any)["Tasks"].([]any)[0].(map[string]any)["RestartComputeNode"] = "TRUE"
				env, err = t.Raw(harness.RawRequest{Action: "SubmitJob", Body: prMarshal(job)})
				prRefused(env, err, "InvalidParameter", `JSON RestartComputeNode "TRUE" (a string)`)
			})

		harness.It("checks in the documented order",
			harness.Items(prID("request", "check-order")), func() {
				t := harness.T(Dialect)
				action, body := prLight()
				old := time.Now().Add(-10 * time.Minute)
				unknown := "AKID" + prRandHex(14)
				malformed := func(r *http.Request) { r.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential=broken") }
				harness.Check(prID("request", "check-order"))
				// Each case breaks two consecutive checks; the earlier wins.
				cases := []struct {
					what string
					r    harness.RawRequest
					code string
				}{
					{"PUT + malformed Authorization", harness.RawRequest{Action: action, Body: body, Tamper: func(r *http.Request) { malformed(r); r.Method = http.MethodPut }}, "UnsupportedProtocol"},
					{"malformed Authorization + expired", harness.RawRequest{Action: action, Body: body, Timestamp: old, Tamper: malformed}, "AuthFailure.InvalidAuthorization"},
					{"expired + unknown SecretId", harness.RawRequest{Action: action, Body: body, Timestamp: old, SecretID: unknown}, "AuthFailure.SignatureExpire"},
					{"unknown SecretId + wrong key", harness.RawRequest{Action: action, Body: body, SecretID: unknown, SecretKey: "wrong"}, "AuthFailure.SecretIdNotFound"},
					{"wrong key + unknown Version", harness.RawRequest{Action: action, Body: body, SecretKey: "wrong", Version: "2016-01-01"}, "AuthFailure.SignatureFailure"},
					{"unknown Version + unknown Action", harness.RawRequest{Action: "DescribeJobz", Body: body, Version: "2016-01-01"}, "NoSuchVersion"},
					{"unknown Action + unknown Region", harness.RawRequest{Action: "DescribeJobz", Body: body, Region: "xx-nowhere"}, "InvalidAction"},
					{"unknown Region + unknown parameter", harness.RawRequest{Action: action, Body: []byte(`{"Bogus":1}`), Region: "xx-nowhere"}, "UnsupportedRegion"},
					{"wrong type + unknown job", harness.RawRequest{Action: "DescribeJob", Body: []byte(`{"JobId":1}`)}, "InvalidParameter"},
				}
				for _, c := range cases {
					env, err := t.Raw(c.r)
					prRefused(env, err, c.code, c.what)
				}
			})
	})

	Describe("request forms", func() {
		// The reference job was submitted as JSON; its GET and form twins
		// must decode into the same submission (DescribeJobSubmitInfo echoes it).

		harness.It("decodes a GET with flattened keys into the same request as the JSON body",
			harness.Items(prID("request", "GET-flattened")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "GET-flattened"))
				env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Method: http.MethodGet, Params: prFlatten(ref)})
				prAccepted(env, err, "SubmitJob as a flattened TC3 GET")
				var jobID string
				Expect(json.Unmarshal(env.Response["JobId"], &jobID)).To(Succeed())
				prPoolAdd(t, jobID)
				Expect(prSubmitInfo(t, jobID)).To(Equal(refInfo), "the GET submission's echo differs from the JSON one's")
				// A stateless request via GET and POST gets the same answer.
				q := map[string]any{"Filters": []any{map[string]any{"Name": "zone", "Values": []any{t.Zone}}}}
				post, err := t.Raw(harness.RawRequest{Action: "DescribeCvmZoneInstanceConfigInfos", Body: prMarshal(q)})
				prAccepted(post, err, "DescribeCvmZoneInstanceConfigInfos POST")
				get, err := t.Raw(harness.RawRequest{Action: "DescribeCvmZoneInstanceConfigInfos", Method: http.MethodGet, Params: prFlatten(q)})
				prAccepted(get, err, "DescribeCvmZoneInstanceConfigInfos GET")
				Expect(prResponseWithout(get)).To(Equal(prResponseWithout(post)))
				// And the same refusal.
				post, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":101}`)})
				Expect(err).NotTo(HaveOccurred())
				get, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Method: http.MethodGet, Params: url.Values{"Limit": {"101"}}})
				Expect(err).NotTo(HaveOccurred())
				Expect(get.Code()).To(Equal(post.Code()))
				Expect(get.Code()).NotTo(BeEmpty())
			})

		harness.It("decodes a v1 form POST with flattened keys into the same request",
			harness.Items(prID("request", "form-POST")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "form-POST"))
				env, err := prV1(t, prV1Request{Method: "POST", Action: "SubmitJob", SignMethod: "HmacSHA256", Params: prFlatten(ref)})
				prAccepted(env, err, "SubmitJob as a v1 form POST")
				var jobID string
				Expect(json.Unmarshal(env.Response["JobId"], &jobID)).To(Succeed())
				prPoolAdd(t, jobID)
				Expect(prSubmitInfo(t, jobID)).To(Equal(refInfo), "the form submission's echo differs from the JSON one's")
			})
	})

	Describe("size limits", func() {
		harness.It("refuses a GET over 32 KB with RequestSizeLimitExceeded",
			harness.Items(prID("request", "RequestSizeLimitExceeded-GET")), func() {
				t := harness.T(Dialect)
				// The query is "Filters.0.Name=job-name&Filters.0.Values.0=<v>&Limit=1".
				fixed := len(url.Values{"Filters.0.Name": {"job-name"}, "Filters.0.Values.0": {""}, "Limit": {"1"}}.Encode())
				q := func(n int) url.Values {
					return url.Values{"Filters.0.Name": {"job-name"}, "Filters.0.Values.0": {prBigString(n - fixed)}, "Limit": {"1"}}
				}
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Method: http.MethodGet, Params: q(31 << 10)})
				prAccepted(env, err, "a 31 KB GET (control)")
				harness.Check(prID("request", "RequestSizeLimitExceeded-GET"))
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Method: http.MethodGet, Params: q(32<<10 + 1)})
				prRefused(env, err, "RequestSizeLimitExceeded", "a TC3 GET of 32 KB + 1")
				env, err = prV1(t, prV1Request{Method: "GET", Action: "DescribeJobs", Params: q(33 << 10)})
				prRefused(env, err, "RequestSizeLimitExceeded", "a v1 GET of 33 KB")
			})

		harness.It("refuses a TC3 POST over 10 MB (v1 form POST: 1 MB) with RequestSizeLimitExceeded",
			harness.Items(prID("request", "RequestSizeLimitExceeded-POST")), func() {
				t := harness.T(Dialect)
				wrap := func(n int) []byte {
					head, tail := `{"Limit":1,"Filters":[{"Name":"job-name","Values":["`, `"]}]}`
					b := make([]byte, 0, n)
					b = append(b, head...)
					b = append(b, bytes.Repeat([]byte{'a'}, n-len(head)-len(tail))...)
					return append(b, tail...)
				}
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: wrap(2 << 20)})
				prAccepted(env, err, "a 2 MB TC3 POST (control: over the v1 limit, under the TC3 one)")
				harness.Check(prID("request", "RequestSizeLimitExceeded-POST"))
				env, err = t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: wrap(10<<20 + 1)})
				prRefused(env, err, "RequestSizeLimitExceeded", "a TC3 POST of 10 MB + 1")
				env, err = prV1(t, prV1Request{Method: "POST", Action: "DescribeJobs",
					Params: url.Values{"Limit": {"1"}, "Filters.0.Name": {"job-name"}, "Filters.0.Values.0": {prBigString(1<<20 + 1)}}})
				prRefused(env, err, "RequestSizeLimitExceeded", "a v1 form POST over 1 MB")
			})
	})

	Describe("rate limit", func() {
		harness.It("refuses requests past the rate limit with RequestLimitExceeded, per action and tenant",
			harness.Items(prID("request", "RequestLimitExceeded"),
				prID("request", "RequestLimitExceeded.UinLimitExceeded"),
				prID("request", "RequestLimitExceeded.IPLimitExceeded"),
				prID("request", "RequestLimitExceeded.GlobalRegionUinLimitExceeded")), func() {
				t := harness.T(Dialect)
				t.RequireEmulator()
				const rate = 5
				nt := t.NewTenant(harness.TenantConfig{RateLimit: rate})
				action, body := prLight()
				harness.Check(prID("request", "RequestLimitExceeded"))
				// A burst of 4× the rate, sent at once: the bucket holds one
				// second's worth, so some pass and the rest are refused.
				const n = 4 * rate
				envs := make([]*harness.Envelope, n)
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						envs[i], errs[i] = nt.Raw(harness.RawRequest{Action: action, Body: body})
					}()
				}
				wg.Wait()
				passed, limited := 0, 0
				var limitedCodes []string
				for i := range n {
					Expect(errs[i]).NotTo(HaveOccurred())
					switch {
					case envs[i].Error == nil:
						passed++
					default:
						prRefused(envs[i], errs[i], "RequestLimitExceeded", "a request of the burst")
						limited++
						limitedCodes = append(limitedCodes, envs[i].Code())
					}
				}
				Expect(passed).To(BeNumerically(">=", 1), "the first requests of the burst pass")
				Expect(limited).To(BeNumerically(">=", n-2*rate), "a burst of %d at %d/s must be throttled (%d passed)", n, rate, passed)
				harness.Check(prID("request", "RequestLimitExceeded.UinLimitExceeded"))
				// The limit is per action: another action of the same tenant is
				// served at once (no account-wide limit).
				env, err := nt.Raw(harness.RawRequest{Action: "DescribeInstanceCategories"})
				prAccepted(env, err, "another action of the throttled tenant")
				harness.Check(prID("request", "RequestLimitExceeded.IPLimitExceeded"))
				// Another tenant from the same IP is served (no per-IP limit).
				env, err = t.Raw(harness.RawRequest{Action: action, Body: body})
				prAccepted(env, err, "the same action of another tenant from the same IP")
				harness.Check(prID("request", "RequestLimitExceeded.GlobalRegionUinLimitExceeded"))
				Expect(limitedCodes).NotTo(ContainElement("RequestLimitExceeded.GlobalRegionUinLimitExceeded"))
				Expect(limitedCodes).To(HaveEach("RequestLimitExceeded"))
			})
	})

	harness.It("pages DescribeJobs with Offset/Limit; TotalCount counts every match",
		harness.Items(prID("DescribeJobs", "paging")), func() {
			t := harness.T(Dialect)
			const total = 23
			name := t.Name("pr-page-"+prRandHex(3), 60)
			ids := make([]string, total)
			errs := make([]error, total)
			var wg sync.WaitGroup
			for i := range total {
				wg.Add(1)
				go func() {
					defer wg.Done()
					job := prJob(t, "x", "true")
					job["Job"].(map[string]any)["JobName"] = name
					env, err := t.Raw(harness.RawRequest{Action: "SubmitJob", Body: prMarshal(job)})
					if err == nil && env.Error == nil {
						err = json.Unmarshal(env.Response["JobId"], &ids[i])
					} else if err == nil {
						err = prErrorString("SubmitJob: " + string(env.Body))
					}
					errs[i] = err
				}()
			}
			wg.Wait()
			var created []string
			for i := range total {
				if ids[i] != "" {
					created = append(created, ids[i])
				}
			}
			prPoolAdd(t, created...)
			for _, err := range errs {
				Expect(err).NotTo(HaveOccurred())
			}
			harness.Check(prID("DescribeJobs", "paging"))
			page := func(offset, limit int) ([]string, int) {
				q := map[string]any{"Filters": []any{map[string]any{"Name": "job-name", "Values": []any{name}}}, "Offset": offset, "Limit": limit}
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: prMarshal(q)})
				prAccepted(env, err, "DescribeJobs page")
				var r struct {
					JobSet     []struct{ JobId string }
					TotalCount int
				}
				Expect(json.Unmarshal(env.Body, &struct{ Response any }{&r})).To(Succeed())
				var got []string
				for _, j := range r.JobSet {
					got = append(got, j.JobId)
				}
				return got, r.TotalCount
			}
			first, n1 := page(0, 20)
			second, n2 := page(20, 20)
			Expect(n1).To(Equal(total), "TotalCount counts every match")
			Expect(n2).To(Equal(total), "TotalCount does not depend on the page")
			Expect(first).To(HaveLen(20), "offset=0&limit=20 returns a full page")
			Expect(second).To(HaveLen(total-20), "offset=20&limit=20 returns the %d remaining jobs: %v", total-20, second)
			Expect(append(append([]string{}, first...), second...)).To(ConsistOf(ids), "the pages together list every job once")
			mid, _ := page(10, 5)
			Expect(mid).To(Equal(first[10:15]), "offset=10&limit=5 returns items 10–15 of the same order")
		})

	// Last, so the log job has had time to finish.
	Describe("with running and finished jobs", func() {

		harness.It("keeps a job the client submitted (no ResourceInsufficient refusal)",
			harness.Items(prID("request", "ResourceInsufficient")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "ResourceInsufficient"))
				// Compute shortages appear as node states, not as refusals
				// (catalog note): the accepted job is there, in a job state.
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJob", Body: []byte(`{"JobId":"` + busyJob + `"}`)})
				prAccepted(env, err, "DescribeJob of the busy job")
				Expect(cat.CheckResponse("DescribeJob", env.Body)).To(BeEmpty())
			})

		harness.It("refuses a state-forbidden operation with UnsupportedOperation",
			harness.Items(prID("request", "UnsupportedOperation")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "UnsupportedOperation"))
				env, err := t.Raw(harness.RawRequest{Action: "RetryJobs", Body: []byte(`{"JobIds":["` + busyJob + `"]}`)})
				Expect(err).NotTo(HaveOccurred())
				Expect(env.Code()).To(HavePrefix("UnsupportedOperation"), "RetryJobs of a job that is not FAILED: %s", env.Body)
				Expect(env.Status).To(Equal(200), "API errors are HTTP 200 envelopes: %s", prShow(env.Body))
			})

		harness.It("refuses deleting a job in use with a specific code, never the bare ResourceInUse",
			harness.Items(prID("request", "ResourceInUse")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("request", "ResourceInUse"))
				env, err := t.Raw(harness.RawRequest{Action: "DeleteJob", Body: []byte(`{"JobId":"` + busyJob + `"}`)})
				Expect(err).NotTo(HaveOccurred())
				Expect(env.Error).NotTo(BeNil(), "DeleteJob of an unfinished job must be refused: %s", env.Body)
				Expect(env.Code()).To(Or(Equal("ResourceInUse.Job"), HavePrefix("UnsupportedOperation")), "%s", env.Body)
			})

		harness.It("formats times as UTC YYYY-MM-DDThh:mm:ssZ",
			harness.Items(prID("envelope", "time-format")), func() {
				t := harness.T(Dialect)
				harness.Check(prID("envelope", "time-format"))
				env, err := t.Raw(harness.RawRequest{Action: "DescribeJob", Body: []byte(`{"JobId":"` + logJob + `"}`)})
				prAccepted(env, err, "DescribeJob")
				var created string
				Expect(json.Unmarshal(env.Response["CreateTime"], &created)).To(Succeed(), "CreateTime: %s", env.Body)
				ts, perr := time.Parse(fixtures.TimeLayout, created)
				Expect(perr).NotTo(HaveOccurred(), "CreateTime %q", created)
				Expect(ts).To(BeTemporally("~", time.Now(), 10*time.Minute), "CreateTime is UTC now-ish")
				Expect(cat.CheckResponse("DescribeJob", env.Body)).To(BeEmpty(), "every time field in the documented format")
				// Every action that carries times formats them alike: one
				// action on another layout or zone is enough to break clients.
				for _, r := range []harness.RawRequest{
					{Action: "DescribeJobs", Body: []byte(`{"JobIds":["` + logJob + `"]}`)},
					{Action: "DescribeTask", Body: []byte(`{"JobId":"` + logJob + `","TaskName":"A"}`)},
				} {
					env, err := t.Raw(r)
					prAccepted(env, err, r.Action)
					Expect(cat.CheckResponse(r.Action, env.Body)).To(BeEmpty(), "%s: every time field in the documented format", r.Action)
				}
			})

		harness.It("returns task logs Base64-encoded, at most 2048 bytes decoded",
			harness.Items(prID("DescribeTaskLogs", "log-encoding")), func() {
				t := harness.T(Dialect)
				Eventually(func() string { harness.StopIfStalled(t); return prJobState(t, logJob) }).WithTimeout(30*time.Second).WithPolling(t.PollInterval()).
					Should(Equal("SUCCEED"), "the log job finishes")
				env, err := t.Raw(harness.RawRequest{Action: "DescribeTaskLogs", Body: []byte(`{"JobId":"` + logJob + `","TaskName":"A"}`)})
				prAccepted(env, err, "DescribeTaskLogs")
				var logs struct {
					TaskInstanceLogSet []struct{ StdoutLog, StderrLog *string }
				}
				Expect(json.Unmarshal(env.Body, &struct{ Response any }{&logs})).To(Succeed())
				Expect(logs.TaskInstanceLogSet).NotTo(BeEmpty(), "%s", prShow(env.Body))
				harness.Check(prID("DescribeTaskLogs", "log-encoding"))
				out := logs.TaskInstanceLogSet[0].StdoutLog
				Expect(out).NotTo(BeNil(), "StdoutLog of a task that printed %d bytes", logBytes)
				dec, derr := prDecodeLog(*out)
				Expect(derr).NotTo(HaveOccurred(), "StdoutLog is Base64: %q", prShow([]byte(*out)))
				Expect(len(dec)).To(BeNumerically("<=", 2048))
				Expect(len(dec)).To(BeNumerically(">", 0))
				Expect(strings.Trim(string(dec), "a")).To(BeEmpty(), "the log is the task's output")
				if e := logs.TaskInstanceLogSet[0].StderrLog; e != nil {
					_, derr := prDecodeLog(*e)
					Expect(derr).NotTo(HaveOccurred(), "StderrLog is Base64")
				}
			})
	})

})

type prErrorString string

func (e prErrorString) Error() string { return string(e) }
