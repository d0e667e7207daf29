package alibatch

// The ACS protocol's items: the signature (both date slots, what it covers,
// every refusal), the version header, bodies, routes, the error shape and
// request id, the time form and Marker/MaxItemCount paging.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

func proto(subject, detail string) string { return id(subject, fixtures.KindProtocol, detail) }

// protoErr checks a protocol item's refusal: the item's code with that
// code's documented status and message.
func protoErr(r *acs.Response, item string) {
	GinkgoHelper()
	p := protocolItem(item)
	ec := cat.ErrorCodes[p.Code]
	expectError(r, ec.Status, p.Code, ec.Message)
}

func protocolItem(item string) fixtures.Protocol {
	for _, p := range cat.Protocol {
		if p.ID == item {
			return p
		}
	}
	panic("alibatch: no protocol item " + item)
}

var _ = Describe("Alibaba BatchCompute protocol", Ordered, ContinueOnFailure, func() {
	if !selected() {
		return
	}
	var (
		t *harness.Target
		w *world
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		w = newWorld(t, "proto")
	})
	quotas := func(o acs.Options) *acs.Response { return send(t, http.MethodGet, "/quotas", nil, o) }
	image := func(n int) []byte {
		b := generators.CloneMap(w.bodies["CreateImage"])
		b["EcsImageId"] = fmt.Sprintf("m-%sproto%d", t.RunPrefix, n)
		b["Name"] = t.Name(fmt.Sprintf("proto-img%d", n), 64)
		data, _ := json.Marshal(b)
		return data
	}
	createImage := func(n int, o acs.Options) *acs.Response {
		GinkgoHelper()
		r := send(t, http.MethodPost, "/images", image(n), o)
		if r.Status == 201 {
			DeferCleanup(func() { callJSON(t, "DeleteImage", map[string]string{"ImageId": idOf(r)}, nil, nil) })
		}
		return r
	}

	harness.It("acs signature accepted", harness.Items(proto("auth", "acs-HMAC-SHA1"), proto("envelope", "request-id")), func() {
		harness.Check(proto("auth", "acs-HMAC-SHA1"))
		r := quotas(acs.Options{})
		expectOK(r, "GetQuotas", nil)
		harness.Check(proto("envelope", "request-id"))
		Expect(r.RequestID).NotTo(BeEmpty(), "a success carries x-acs-request-id")
		e := quotas(acs.Options{Mutate: func(q *http.Request) { q.Header.Set("Authorization", "acs "+t.SecretID+":AAAA") }})
		Expect(e.RequestID).NotTo(BeEmpty(), "an error carries x-acs-request-id")
		Expect(errorShape(e)).To(Succeed())
	})
	harness.It("x-acs-date", harness.Items(proto("auth", "x-acs-date")), func() {
		harness.Check(proto("auth", "x-acs-date"))
		expectOK(quotas(acs.Options{UseACSDate: true}), "GetQuotas", nil)
	})
	harness.It("signed x-acs-* headers", harness.Items(proto("auth", "canonicalized-headers")), func() {
		harness.Check(proto("auth", "canonicalized-headers"))
		o := acs.Options{Headers: http.Header{"X-Acs-Signature-Nonce": {"nonce-1"}}}
		expectOK(quotas(o), "GetQuotas", nil)
		o.Mutate = func(q *http.Request) { q.Header.Set("X-Acs-Signature-Nonce", "nonce-2") }
		protoErr(quotas(o), proto("auth", "canonicalized-headers"))
	})
	harness.It("signed resource", harness.Items(proto("auth", "canonicalized-resource")), func() {
		harness.Check(proto("auth", "canonicalized-resource"))
		expectOK(send(t, http.MethodGet, "/clusters?MaxItemCount=1", nil, acs.Options{}), "ListClusters", nil)
		r := send(t, http.MethodGet, "/clusters?MaxItemCount=1", nil, acs.Options{Mutate: func(q *http.Request) { q.URL.RawQuery = "MaxItemCount=2" }})
		protoErr(r, proto("auth", "canonicalized-resource"))
		r = send(t, http.MethodGet, "/clusters", nil, acs.Options{Mutate: func(q *http.Request) { q.URL.Path = "/jobs" }})
		protoErr(r, proto("auth", "canonicalized-resource"))
	})
	harness.It("Content-MD5", harness.Items(proto("auth", "content-md5-optional"), proto("auth", "InvalidContentMD5")), func() {
		harness.Check(proto("auth", "content-md5-optional"))
		expectOK(createImage(1, acs.Options{NoMD5: true}), "CreateImage", nil)
		expectOK(createImage(2, acs.Options{}), "CreateImage", nil)
		harness.Check(proto("auth", "InvalidContentMD5"))
		protoErr(createImage(3, acs.Options{Headers: http.Header{"Content-Md5": {"1B2M2Y8AsgTpgAmY7PhCfg=="}}}), proto("auth", "InvalidContentMD5"))
	})
	harness.It("wrong AccessKeySecret", harness.Items(proto("auth", "InvalidSignature")), func() {
		harness.Check(proto("auth", "InvalidSignature"))
		c := t.ACS()
		c.Signer.AccessKeySecret += "x"
		protoErr(sendWith(c, http.MethodGet, "/quotas", nil, acs.Options{}), proto("auth", "InvalidSignature"))
		// The English doc's key (secret + "\n") is a typo the SDKs do not follow.
		c = t.ACS()
		c.Signer.AccessKeySecret += "\n"
		protoErr(sendWith(c, http.MethodGet, "/quotas", nil, acs.Options{}), proto("auth", "InvalidSignature"))
	})
	harness.It("malformed Authorization", harness.Items(proto("auth", "InvalidAuthorization")), func() {
		harness.Check(proto("auth", "InvalidAuthorization"))
		// Only values of the acs scheme reach the ACS layer (the emulator
		// routes by scheme), so these are acs values of the wrong shape.
		for _, h := range []string{"acs " + t.SecretID, "acs :c2ln", "acs " + t.SecretID + ":", "acs a b:c2ln"} {
			h := h
			protoErr(quotas(acs.Options{Mutate: func(q *http.Request) { q.Header.Set("Authorization", h) }}), proto("auth", "InvalidAuthorization"))
		}
	})
	harness.It("unknown AccessKeyId", harness.Items(proto("auth", "InvalidAccessKeyId")), func() {
		harness.Check(proto("auth", "InvalidAccessKeyId"))
		c := t.ACS()
		c.Signer.AccessKeyID = "LTAIbcnobody0000"
		protoErr(sendWith(c, http.MethodGet, "/quotas", nil, acs.Options{}), proto("auth", "InvalidAccessKeyId"))
	})
	harness.It("no date", harness.Items(proto("auth", "MissingDate")), func() {
		harness.Check(proto("auth", "MissingDate"))
		protoErr(quotas(acs.Options{Mutate: func(q *http.Request) { q.Header.Del("Date") }}), proto("auth", "MissingDate"))
	})
	harness.It("date skew", harness.Items(proto("auth", "InvalidDate")), func() {
		harness.Check(proto("auth", "InvalidDate"))
		for _, d := range []time.Duration{-14 * time.Minute, 14 * time.Minute} {
			expectOK(quotas(acs.Options{Date: time.Now().Add(d)}), "GetQuotas", nil)
		}
		for _, d := range []time.Duration{-16 * time.Minute, 16 * time.Minute} {
			protoErr(quotas(acs.Options{Date: time.Now().Add(d)}), proto("auth", "InvalidDate"))
			protoErr(quotas(acs.Options{Date: time.Now().Add(d), UseACSDate: true}), proto("auth", "InvalidDate"))
		}
	})
	harness.It("x-acs-version", harness.Items(proto("request", "InvalidVersion.NotFound")), func() {
		harness.Check(proto("request", "InvalidVersion.NotFound"))
		protoErr(quotas(acs.Options{NoVersion: true}), proto("request", "InvalidVersion.NotFound"))
		protoErr(quotas(acs.Options{Headers: http.Header{"X-Acs-Version": {"2014-01-01"}}}), proto("request", "InvalidVersion.NotFound"))
	})
	harness.It("JSON as text/plain", harness.Items(proto("request", "json-text-plain")), func() {
		harness.Check(proto("request", "json-text-plain"))
		expectOK(createImage(4, acs.Options{ContentType: "text/plain;charset=UTF-8"}), "CreateImage", nil)
	})
	harness.It("method not allowed", harness.Items(proto("request", "MethodNotAllowed")), func() {
		harness.Check(proto("request", "MethodNotAllowed"))
		protoErr(send(t, http.MethodPatch, "/jobs", nil, acs.Options{}), proto("request", "MethodNotAllowed"))
		protoErr(send(t, http.MethodPost, "/quotas", []byte("{}"), acs.Options{}), proto("request", "MethodNotAllowed"))
	})
	harness.It("unknown route", harness.Items(proto("request", "InvalidUrlPattern")), func() {
		harness.Check(proto("request", "InvalidUrlPattern"))
		protoErr(send(t, http.MethodGet, "/no-such-resource", nil, acs.Options{}), proto("request", "InvalidUrlPattern"))
		protoErr(send(t, http.MethodGet, "/jobs/"+w.jobID+"/tasks/A/instances/0/extra", nil, acs.Options{}), proto("request", "InvalidUrlPattern"))
	})
	harness.It("malformed query", harness.Items(proto("request", "InvalidQueryString")), func() {
		harness.Check(proto("request", "InvalidQueryString"))
		protoErr(send(t, http.MethodGet, "/jobs?Marker=%zz", nil, acs.Options{}), proto("request", "InvalidQueryString"))
		protoErr(send(t, http.MethodGet, "/jobs?MaxItemCount=1&MaxItemCount=2", nil, acs.Options{}), proto("request", "InvalidQueryString"))
	})
	harness.It("body over 256 KB", harness.Items(proto("request", "body-too-large")), func() {
		harness.Check(proto("request", "body-too-large"))
		b := generators.CloneMap(w.bodies["CreateImage"])
		b["Description"] = strings.Repeat("d", 300<<10)
		data, _ := json.Marshal(b)
		r := send(t, http.MethodPost, "/images", data, acs.Options{})
		p := protocolItem(proto("request", "body-too-large"))
		expectError(r, cat.ErrorCodes[p.Code].Status, p.Code, "Specified parameter HttpBody is not valid. Its size must be in [0, 262144].")
		list := callJSON(t, "ListImages", nil, map[string]string{"MaxItemCount": "100"}, nil)
		Expect(string(list.Body)).NotTo(ContainSubstring(strings.Repeat("d", 64)), "nothing of the refused body was applied")
	})
	harness.It("error shape", harness.Items(proto("envelope", "error-shape")), func() {
		harness.Check(proto("envelope", "error-shape"))
		for _, r := range []*acs.Response{
			callJSON(t, "GetJob", map[string]string{"JobId": ghostJob}, nil, nil),
			send(t, http.MethodGet, "/nothing", nil, acs.Options{}),
			quotas(acs.Options{NoVersion: true}),
		} {
			Expect(errorShape(r)).To(Succeed())
			Expect(r.Header.Get("Content-Type")).To(ContainSubstring("json"), "an error body is JSON")
		}
	})
	harness.It("success statuses", harness.Items(proto("envelope", "success-status")), func() {
		harness.Check(proto("envelope", "success-status"))
		expectOK(createImage(5, acs.Options{}), "CreateImage", nil)
		expectOK(callJSON(t, "GetJob", map[string]string{"JobId": w.jobID}, nil, nil), "GetJob", nil)
		expectOK(callJSON(t, "DeleteImage", map[string]string{"ImageId": idOf(createImage(6, acs.Options{}))}, nil, nil), "DeleteImage", nil)
	})
	harness.It("time form", harness.Items(proto("envelope", "time-format")), func() {
		harness.Check(proto("envelope", "time-format"))
		r := callJSON(t, "GetJob", map[string]string{"JobId": w.jobID}, nil, nil)
		var j map[string]any
		Expect(json.Unmarshal(r.Body, &j)).To(Succeed())
		for _, k := range []string{"CreationTime", "StartTime", "EndTime"} {
			s, _ := j[k].(string)
			Expect(acsTimeRE.MatchString(s)).To(BeTrue(), "%s %q is not like 2016-11-01T15:25:03.020203Z or \"\"", k, s)
		}
		Expect(j["CreationTime"]).NotTo(BeEmpty())
	})

	Describe("paging", func() {
		var all []string
		BeforeAll(func() {
			for i := 0; i < 52; i++ {
				r := createImage(100+i, acs.Options{})
				expectOK(r, "CreateImage", nil)
				all = append(all, idOf(r))
			}
		})
		ids := func(r *acs.Response) ([]string, string) {
			var l struct {
				Items      []struct{ Id string }
				NextMarker string
			}
			Expect(json.Unmarshal(r.Body, &l)).To(Succeed(), "%s", r.Body)
			var out []string
			for _, it := range l.Items {
				out = append(out, it.Id)
			}
			return out, l.NextMarker
		}
		harness.It("marker walk", harness.Items(proto("pagination", "marker-walk"), proto("pagination", "max-item-count")), func() {
			seen := map[string]int{}
			marker, pages := "", 0
			for {
				r := callJSON(t, "ListImages", nil, map[string]string{"Type": "Self", "Marker": marker, "MaxItemCount": "7"}, nil)
				expectOK(r, "ListImages", nil)
				page, next := ids(r)
				harness.Check(proto("pagination", "max-item-count"))
				Expect(len(page)).To(BeNumerically("<=", 7))
				for _, x := range page {
					seen[x]++
				}
				pages++
				Expect(pages).To(BeNumerically("<", 100), "paging does not end")
				if next == "" {
					break
				}
				marker = next
			}
			harness.Check(proto("pagination", "marker-walk"))
			for _, x := range all {
				Expect(seen[x]).To(Equal(1), "image %s seen %d times across the pages", x, seen[x])
			}
		})
		harness.It("default page", harness.Items(proto("pagination", "default-page")), func() {
			harness.Check(proto("pagination", "default-page"))
			page, next := ids(callJSON(t, "ListImages", nil, map[string]string{"Type": "Self"}, nil))
			Expect(len(page)).To(Equal(50), "more than 50 images exist: the default page holds 50")
			Expect(next).NotTo(BeEmpty())
		})
		harness.It("unknown marker", harness.Items(proto("pagination", "InvalidMarker")), func() {
			harness.Check(proto("pagination", "InvalidMarker"))
			protoErr(callJSON(t, "ListImages", nil, map[string]string{"Marker": "bc-never-issued"}, nil), proto("pagination", "InvalidMarker"))
		})
	})
})
