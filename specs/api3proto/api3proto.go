// Package api3proto holds the API 3.0 protocol checks that every Tencent
// Cloud API 3.0 product shares (signatures, envelopes, common error codes,
// request forms). A dialect's spec package calls Specs with its Product:
// the checks are shared, the item IDs are the dialect's own
// (<dialect>/<auth|envelope|request>/protocol/<detail>), as the design pins.
// A check is registered only for the items the dialect's catalog holds.
//
// Oceanus uses it; Tencent Batch still has its own copies in
// specs/tencentbatch/protocol_spec.go (moving them here is mechanical).
package api3proto

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/internal/tcsign"
	"github.com/batchconform/batchconform/specs/harness"
)

// Product describes one API 3.0 product to the shared checks.
type Product struct {
	Cat     *fixtures.Catalog
	Version string // e.g. 2019-04-22
	Service string // TC3 scope service, e.g. oceanus
	Host    string // the product's hostname, e.g. oceanus.tencentcloudapi.com
	// Light is a cheap, valid, read-only request: its action, JSON body and
	// the same parameters flattened (for GET and v1 forms).
	Light     string
	LightBody map[string]any
	LightFlat url.Values
	// Required is an action with a required parameter and a body that lacks it.
	Required     string
	RequiredBody map[string]any
	// SDK calls the light action through the product's official SDK client
	// with the given options; nil when the SDK cannot.
	SDK func(t *harness.Target, o harness.ClientOptions) error
	// StateRefusal makes an operation the resource's state forbids and
	// returns the answer and the documented code it must carry.
	StateRefusal func(t *harness.Target) (*harness.Envelope, string)
	// Other is another light action (served while Light is throttled).
	Other string
	// Unauthorized returns the answer of a tenant a CAM policy refuses
	// (emulator tenant configuration) and the code it must carry.
	Unauthorized func(t *harness.Target) (*harness.Envelope, string)
}

func (p Product) id(subject, detail string) string {
	return fixtures.MakeID(p.Cat.Dialect, subject, fixtures.KindProtocol, detail)
}

func (p Product) has(subject, detail string) bool {
	_, ok := p.Cat.Item(p.id(subject, detail))
	return ok
}

func (p Product) body() []byte {
	b, _ := json.Marshal(p.LightBody)
	return b
}

// raw sends a raw TC3 request of the product.
func (p Product) raw(t *harness.Target, r harness.RawRequest) *harness.Envelope {
	GinkgoHelper()
	if r.Action == "" {
		r.Action = p.Light
	}
	if r.Version == "" {
		r.Version = p.Version
	}
	if r.Service == "" {
		r.Service = p.Service
	}
	if r.Body == nil && r.Method != http.MethodGet {
		r.Body = p.body()
	}
	env, err := t.Raw(r)
	Expect(err).NotTo(HaveOccurred(), "%s: transport error", r.Action)
	return env
}

// v1 sends a v1-signed GET or form POST of the light action.
func (p Product) v1(t *harness.Target, method, signMethod string, edit func(url.Values)) *harness.Envelope {
	GinkgoHelper()
	pv := t.V1ParamsOf(p.Version, p.Light, p.LightFlat, time.Now())
	if edit != nil {
		edit(pv)
	}
	tcsign.V1{SecretID: t.SecretID, SecretKey: t.SecretKey, Method: signMethod}.Sign(method, t.Host, pv)
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequest(http.MethodGet, t.URL+"/?"+pv.Encode(), nil)
	} else {
		req, err = http.NewRequest(http.MethodPost, t.URL+"/", strings.NewReader(pv.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	Expect(err).NotTo(HaveOccurred())
	env, err := t.Do(req)
	Expect(err).NotTo(HaveOccurred(), "v1 %s: transport error", method)
	return env
}

func accepted(env *harness.Envelope, what string) {
	GinkgoHelper()
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope: %s", what, env.Body)
	Expect(env.Code()).To(BeEmpty(), "%s must be accepted: %s", what, env.Body)
}

func refused(env *harness.Envelope, code, what string) {
	GinkgoHelper()
	harness.Evidence(map[string]any{"what": what, "response": json.RawMessage(env.Body)})
	Expect(env.Status).To(Equal(200), "%s: errors are HTTP 200 envelopes: %s", what, env.Body)
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope: %s", what, env.Body)
	Expect(env.Code()).To(Equal(code), "%s must be refused with %s: %s", what, code, env.Body)
}

// it registers a check for one protocol item if the catalog has it.
func (p Product) it(subject, detail, text string, body func(t *harness.Target)) {
	if !p.has(subject, detail) {
		return
	}
	id := p.id(subject, detail)
	harness.It(text, harness.Items(id), func() {
		t := harness.T(p.Cat.Dialect)
		harness.Check(id)
		body(t)
	})
}

// Specs registers the shared protocol checks for p (call it at package
// level: var _ = api3proto.Specs(p)).
func Specs(p Product) bool {
	return Describe(p.Cat.Dialect+" API 3.0 protocol (shared checks)", func() {
		p.auth()
		p.envelope()
		p.request()
	})
}

func (p Product) auth() {
	p.it("auth", "TC3-HMAC-SHA256", "accepts TC3-HMAC-SHA256: SDK POST and GET, raw POST and GET, UNSIGNED-PAYLOAD", func(t *harness.Target) {
		if p.SDK != nil {
			for _, m := range []string{"POST", "GET"} {
				Expect(p.SDK(t, harness.ClientOptions{ReqMethod: m})).To(Succeed(), "SDK TC3 %s", m)
			}
		}
		accepted(p.raw(t, harness.RawRequest{}), "raw TC3 POST")
		accepted(p.raw(t, harness.RawRequest{Method: http.MethodGet, Params: p.LightFlat}), "raw TC3 GET")
		s := tcsign.TC3{SecretID: t.SecretID, SecretKey: t.SecretKey, Service: p.Service, Action: p.Light, Version: p.Version,
			Region: t.Region, Timestamp: time.Now(), Unsigned: true}
		req, err := s.NewPOST(t.URL, "", p.body())
		Expect(err).NotTo(HaveOccurred())
		env, err := t.Do(req)
		Expect(err).NotTo(HaveOccurred())
		accepted(env, "TC3 POST with UNSIGNED-PAYLOAD")
	})
	for _, sm := range []string{"HmacSHA256", "HmacSHA1"} {
		sm := sm
		p.it("auth", "v1-"+sm, "accepts v1 "+sm+" requests as GET and form POST", func(t *harness.Target) {
			for _, m := range []string{"GET", "POST"} {
				if p.SDK != nil {
					Expect(p.SDK(t, harness.ClientOptions{SignMethod: sm, ReqMethod: m})).To(Succeed(), "SDK v1 %s %s", sm, m)
				}
				accepted(p.v1(t, m, sm, nil), "raw v1 "+sm+" "+m)
			}
		})
	}
	p.it("auth", "SignatureFailure", "refuses a tampered body or a wrong key with AuthFailure.SignatureFailure", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{SecretKey: "wrong-" + t.SecretKey}), "AuthFailure.SignatureFailure", "TC3 POST signed with another key")
		refused(p.raw(t, harness.RawRequest{Tamper: func(r *http.Request) {
			b := append(p.body()[:len(p.body())-1:len(p.body())-1], []byte(`,"Offset":0}`)...)
			r.Body = http.NoBody
			r.ContentLength = int64(len(b))
			r.Body = nopCloser{strings.NewReader(string(b))}
		}}), "AuthFailure.SignatureFailure", "TC3 POST whose body changed after signing")
	})
	p.it("auth", "SecretIdNotFound", "refuses an unknown SecretId with AuthFailure.SecretIdNotFound", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{SecretID: "AKIDbatchconformNoSuchKey0000000000"}), "AuthFailure.SecretIdNotFound", "TC3 POST with an unknown SecretId")
	})
	p.it("auth", "SignatureExpire", "refuses a timestamp more than 5 minutes off with AuthFailure.SignatureExpire, accepts one just inside", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Timestamp: time.Now().Add(-10 * time.Minute)}), "AuthFailure.SignatureExpire", "TC3 POST stamped 10 minutes ago")
		accepted(p.raw(t, harness.RawRequest{Timestamp: time.Now().Add(-4 * time.Minute)}), "TC3 POST stamped 4 minutes ago")
	})
	p.it("auth", "scope-date", "requires the credential scope date to be the UTC date of X-TC-Timestamp", func(t *harness.Target) {
		now := time.Now()
		accepted(p.raw(t, harness.RawRequest{Host: p.Host, Timestamp: now}), "TC3 POST with the product Host (control)")
		refused(p.raw(t, harness.RawRequest{Host: p.Host, Timestamp: now, ScopeDate: now.UTC().AddDate(0, 0, -1).Format("2006-01-02")}),
			"AuthFailure.SignatureFailure", "TC3 POST whose scope date is the day before its timestamp")
	})
	p.it("auth", "scope-service", "requires the credential scope service to be the product when the Host names it", func(t *harness.Target) {
		accepted(p.raw(t, harness.RawRequest{Host: p.Host}), "TC3 POST with the product Host (control)")
		refused(p.raw(t, harness.RawRequest{Host: p.Host, Service: "cvm"}), "AuthFailure.SignatureFailure", "TC3 POST to "+p.Host+" signed for the cvm service")
	})
	p.it("auth", "InvalidAuthorization", "refuses a malformed Authorization with AuthFailure.InvalidAuthorization", func(t *harness.Target) {
		for _, bad := range []string{"TC3-HMAC-SHA256 Credential=broken", "TC3-HMAC-SHA256 Signature=abc", "HMAC-SHA1 whatever"} {
			bad := bad
			refused(p.raw(t, harness.RawRequest{Tamper: func(r *http.Request) { r.Header.Set("Authorization", bad) }}),
				"AuthFailure.InvalidAuthorization", "TC3 POST with Authorization "+bad)
		}
		refused(p.raw(t, harness.RawRequest{NoSignature: true}), "AuthFailure.InvalidAuthorization", "JSON POST without Authorization")
	})
	p.it("auth", "InvalidSecretId", "answers a SecretId that is no API key with an authentication failure", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{SecretID: "not-a-cloud-api-key"})
		Expect(env.Code()).To(BeElementOf("AuthFailure.InvalidSecretId", "AuthFailure.SecretIdNotFound"), "%s", env.Body)
	})
	p.it("auth", "MFAFailure", "never asks an API key client for MFA", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{})
		Expect(env.Code()).NotTo(Equal("AuthFailure.MFAFailure"))
		accepted(env, "TC3 POST")
	})
	if p.Unauthorized != nil {
		p.it("auth", "UnauthorizedOperation", "refuses a request CAM does not authorise with its documented code", func(t *harness.Target) {
			t.RequireEmulator()
			env, code := p.Unauthorized(t)
			refused(env, code, "a request of a tenant CAM refuses")
		})
	}
	p.it("auth", "TokenFailure", "refuses an invalid temporary-credential Token with AuthFailure.TokenFailure", func(t *harness.Target) {
		s := tcsign.TC3{SecretID: t.SecretID, SecretKey: t.SecretKey, Service: p.Service, Action: p.Light, Version: p.Version,
			Region: t.Region, Timestamp: time.Now(), Token: "bogus-temporary-token"}
		req, err := s.NewPOST(t.URL, "", p.body())
		Expect(err).NotTo(HaveOccurred())
		env, err := t.Do(req)
		Expect(err).NotTo(HaveOccurred())
		refused(env, "AuthFailure.TokenFailure", "TC3 POST with a bogus X-TC-Token")
	})
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func (p Product) envelope() {
	p.it("envelope", "error-http-200", "answers errors of every layer with HTTP 200", func(t *harness.Target) {
		for what, env := range map[string]*harness.Envelope{
			"signature":      p.raw(t, harness.RawRequest{SecretKey: "wrong"}),
			"unknown action": p.raw(t, harness.RawRequest{Action: "NoSuchAction"}),
			"parameter":      p.raw(t, harness.RawRequest{Body: []byte(`{"NoSuchParameter":1}`)}),
		} {
			Expect(env.Status).To(Equal(200), "%s error: %s", what, env.Body)
			Expect(env.Code()).NotTo(BeEmpty(), "%s error: %s", what, env.Body)
		}
	})
	p.it("envelope", "request-id", "gives every response a fresh UUID RequestId", func(t *harness.Target) {
		seen := map[string]bool{}
		for i := 0; i < 5; i++ {
			env := p.raw(t, harness.RawRequest{})
			Expect(env.RequestID).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`))
			Expect(seen[env.RequestID]).To(BeFalse(), "RequestId repeated")
			seen[env.RequestID] = true
		}
		env := p.raw(t, harness.RawRequest{Action: "NoSuchAction"})
		Expect(env.RequestID).NotTo(BeEmpty(), "errors carry a RequestId too")
	})
	p.it("envelope", "response-shape", "shapes a success as {Response:{…documented fields…, RequestId}}", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{})
		accepted(env, p.Light)
		var outer map[string]json.RawMessage
		Expect(json.Unmarshal(env.Body, &outer)).To(Succeed())
		Expect(outer).To(HaveLen(1), "only Response at the top: %s", env.Body)
		Expect(p.Cat.CheckResponse(p.Light, env.Body)).To(BeEmpty())
	})
	p.it("envelope", "error-shape", "shapes an error as {Response:{Error:{Code,Message},RequestId}} and nothing else", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{Action: "NoSuchAction"})
		var outer struct {
			Response map[string]json.RawMessage
		}
		Expect(json.Unmarshal(env.Body, &outer)).To(Succeed())
		keys := []string{}
		for k := range outer.Response {
			keys = append(keys, k)
		}
		Expect(keys).To(ConsistOf("Error", "RequestId"), "%s", env.Body)
		var e map[string]any
		Expect(json.Unmarshal(outer.Response["Error"], &e)).To(Succeed())
		Expect(e).To(HaveKey("Code"))
		Expect(e).To(HaveKey("Message"))
	})
}

func (p Product) request() {
	p.it("request", "MissingParameter", "refuses a missing Action, Version or required parameter with MissingParameter", func(t *harness.Target) {
		b, _ := json.Marshal(p.RequiredBody)
		refused(p.raw(t, harness.RawRequest{Action: p.Required, Body: b}), "MissingParameter", p.Required+" without its required parameter")
		refused(p.v1(t, "GET", "HmacSHA256", func(v url.Values) { v.Del("Action") }), "MissingParameter", "v1 GET without Action")
	})
	p.it("request", "UnknownParameter", "refuses an undefined parameter with UnknownParameter, not the common v1 ones", func(t *harness.Target) {
		body := map[string]any{"NoSuchParameter": 1}
		for k, v := range p.LightBody {
			body[k] = v
		}
		b, _ := json.Marshal(body)
		refused(p.raw(t, harness.RawRequest{Body: b}), "UnknownParameter", "TC3 POST with NoSuchParameter")
		accepted(p.v1(t, "GET", "HmacSHA256", func(v url.Values) { v.Set("RequestClient", "batchconform") }), "v1 GET with RequestClient")
	})
	p.it("request", "InvalidParameter-type", "refuses a value of the wrong JSON type with InvalidParameter", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Body: []byte(`{"Limit":"1"}`)}), "InvalidParameter", p.Light+" with Limit as a string")
	})
	p.it("request", "InvalidParameter-malformed-json", "refuses a malformed or truncated JSON body with InvalidParameter", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Body: []byte(`{"Limit":1`)}), "InvalidParameter", "truncated JSON")
	})
	p.it("request", "InvalidAction", "refuses an unknown Action with InvalidAction", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Action: "NoSuchAction"}), "InvalidAction", "TC3 POST of NoSuchAction")
	})
	p.it("request", "NoSuchVersion", "refuses an unknown Version with NoSuchVersion", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Version: "2099-01-01"}), "NoSuchVersion", "TC3 POST with Version 2099-01-01")
	})
	p.it("request", "UnsupportedProtocol", "refuses a method other than GET and POST with UnsupportedProtocol", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Tamper: func(r *http.Request) { r.Method = http.MethodPut }}), "UnsupportedProtocol", "PUT")
	})
	p.it("request", "UnsupportedRegion", "refuses a Region outside the documented regions with UnsupportedRegion", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Region: "xx-nowhere"}), "UnsupportedRegion", "Region xx-nowhere")
	})
	p.it("request", "RequestSizeLimitExceeded-GET", "refuses a GET over 32 KB with RequestSizeLimitExceeded", func(t *harness.Target) {
		q := url.Values{}
		for k, v := range p.LightFlat {
			q[k] = v
		}
		q.Set("Padding", strings.Repeat("a", 33*1024))
		refused(p.raw(t, harness.RawRequest{Method: http.MethodGet, Params: q}), "RequestSizeLimitExceeded", "GET of 33 KB")
	})
	p.it("request", "RequestSizeLimitExceeded-POST", "refuses a TC3 POST over 10 MB with RequestSizeLimitExceeded", func(t *harness.Target) {
		big := `{"Padding":"` + strings.Repeat("a", 10*1024*1024+1) + `"}`
		refused(p.raw(t, harness.RawRequest{Body: []byte(big)}), "RequestSizeLimitExceeded", "POST of 10 MB + 1")
	})
	p.it("request", "GET-flattened", "decodes a GET with flattened keys into the same request as the JSON body", func(t *harness.Target) {
		post := p.raw(t, harness.RawRequest{})
		get := p.raw(t, harness.RawRequest{Method: http.MethodGet, Params: p.LightFlat})
		accepted(post, "POST")
		accepted(get, "GET")
		Expect(string(get.Response["TotalCount"])).To(Equal(string(post.Response["TotalCount"])), "the same request, the same answer")
	})
	p.it("request", "form-POST", "decodes a v1 form POST with flattened keys into the same request", func(t *harness.Target) {
		post := p.raw(t, harness.RawRequest{})
		form := p.v1(t, "POST", "HmacSHA256", nil)
		accepted(form, "v1 form POST")
		Expect(string(form.Response["TotalCount"])).To(Equal(string(post.Response["TotalCount"])))
	})
	p.it("request", "content-type", "pairs application/json with TC3 and form bodies with v1", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{Tamper: func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }})
		Expect(env.Code()).NotTo(BeEmpty(), "a TC3 request sent as a form is not served: %s", env.Body)
	})
	p.it("request", "bool-case", "parses flattened booleans case-insensitively; JSON stays strict", func(t *harness.Target) {
		// No light action takes a bool; the strict JSON half is checked.
		refused(p.raw(t, harness.RawRequest{Body: []byte(`{"Limit":true}`)}), "InvalidParameter", "a bool where a number is defined")
	})
	p.it("request", "InvalidRequest", "answers a multipart/form-data body with InvalidRequest", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{Tamper: func(r *http.Request) { r.Header.Set("Content-Type", "multipart/form-data; boundary=x") }})
		Expect(env.Code()).To(BeElementOf("InvalidRequest", "AuthFailure.SignatureFailure"), "%s", env.Body)
	})
	p.it("request", "ActionOffline", "serves every action of the catalog (none is offline)", func(t *harness.Target) {
		for _, a := range p.Cat.Actions {
			env := p.raw(t, harness.RawRequest{Action: a.Name, Body: []byte(`{}`)})
			Expect(env.Code()).NotTo(BeElementOf("ActionOffline", "InvalidAction"), "%s: %s", a.Name, env.Body)
		}
	})
	p.it("request", "NoSuchProduct", "answers a product the Host does not match with NoSuchProduct or a signature failure", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{Host: p.Host, Service: "nosuchproduct"})
		Expect(env.Code()).To(BeElementOf("NoSuchProduct", "AuthFailure.SignatureFailure"), "%s", env.Body)
	})
	p.it("request", "DryRunOperation", "does not serve DryRun: it is an unknown parameter", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Body: []byte(`{"DryRun":true}`)}), "UnknownParameter", "DryRun")
	})
	p.it("request", "ResponseSizeLimitExceeded", "bounds responses by paging instead of ResponseSizeLimitExceeded", func(t *harness.Target) {
		env := p.raw(t, harness.RawRequest{Body: []byte(`{"Limit":100}`)})
		accepted(env, p.Light+" Limit 100")
	})
	for _, d := range []string{"IpInBlacklist", "IpNotInWhitelist"} {
		d := d
		p.it("request", d, "serves the loopback client: no IP list applies ("+d+")", func(t *harness.Target) {
			t.RequireEmulator()
			env := p.raw(t, harness.RawRequest{})
			Expect(env.Code()).NotTo(Equal(d))
			accepted(env, p.Light)
		})
	}
	if p.has("request", "RequestLimitExceeded") && p.Other != "" {
		items := []string{p.id("request", "RequestLimitExceeded")}
		for _, d := range []string{"RequestLimitExceeded.UinLimitExceeded", "RequestLimitExceeded.IPLimitExceeded", "RequestLimitExceeded.GlobalRegionUinLimitExceeded"} {
			if p.has("request", d) {
				items = append(items, p.id("request", d))
			}
		}
		harness.It("refuses requests past the rate limit with RequestLimitExceeded, per action and tenant", harness.Items(items...), func() {
			t := harness.T(p.Cat.Dialect)
			t.RequireEmulator()
			const rate = 5
			nt := t.NewTenantJSON(map[string]any{"rate_limit": rate})
			harness.Check(items[0])
			// A burst of 4x the rate at once: the bucket holds one second's
			// worth, so some pass and the rest are refused.
			const n = 4 * rate
			envs := make([]*harness.Envelope, n)
			done := make(chan int, n)
			for i := 0; i < n; i++ {
				go func(i int) {
					envs[i], _ = nt.Raw(harness.RawRequest{Action: p.Light, Version: p.Version, Service: p.Service, Body: p.body()})
					done <- i
				}(i)
			}
			for i := 0; i < n; i++ {
				<-done
			}
			passed, limited := 0, 0
			for _, env := range envs {
				Expect(env).NotTo(BeNil(), "transport error in the burst")
				if env.Code() == "" {
					passed++
					continue
				}
				refused(env, "RequestLimitExceeded", "a request of the burst")
				limited++
			}
			Expect(passed).To(BeNumerically(">=", 1), "the first requests of the burst pass")
			Expect(limited).To(BeNumerically(">=", n-2*rate), "a burst of %d at %d/s must be throttled (%d passed)", n, rate, passed)
			for _, id := range items[1:] {
				harness.Check(id)
			}
			// Per action: another action of the same tenant is served (no
			// account-wide limit); per tenant: another tenant from the same IP
			// is served (no per-IP limit).
			accepted(p.raw(nt, harness.RawRequest{Action: p.Other, Body: []byte(`{}`)}), "another action of the throttled tenant")
			accepted(p.raw(t, harness.RawRequest{}), "the same action of another tenant from the same IP")
		})
	}
	if p.StateRefusal != nil {
		p.it("request", "UnsupportedOperation", "refuses a state-forbidden operation with its documented state code", func(t *harness.Target) {
			env, code := p.StateRefusal(t)
			refused(env, code, "a state-forbidden operation")
		})
	}
	p.it("request", "InvalidParameterValue", "refuses a value outside its documented range with InvalidParameterValue", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Body: []byte(`{"Limit":100000}`)}), "InvalidParameterValue", "Limit 100000")
	})
	p.it("request", "check-order", "checks in the documented order: signature before action, action before parameters", func(t *harness.Target) {
		refused(p.raw(t, harness.RawRequest{Action: "NoSuchAction", SecretKey: "wrong"}), "AuthFailure.SignatureFailure", "a bad signature on an unknown action")
		refused(p.raw(t, harness.RawRequest{Action: "NoSuchAction", Body: []byte(`{"NoSuchParameter":1}`)}), "InvalidAction", "an unknown action with an unknown parameter")
		refused(p.raw(t, harness.RawRequest{Timestamp: time.Now().Add(-time.Hour), SecretID: "AKIDbatchconformNoSuchKey0000000000"}), "AuthFailure.SignatureExpire", "an expired request of an unknown key")
	})
}
