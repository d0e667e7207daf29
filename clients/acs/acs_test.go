package acs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The aliyun-sdk 1.12.10 JS signer's output for these requests (secret
// batchconformSecretKeyEXAMPLE): the client must sign exactly like it.
func TestSignatureMatchesJSSDK(t *testing.T) {
	s := Signer{AccessKeyID: "AK", AccessKeySecret: "batchconformSecretKeyEXAMPLE"}
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("x-acs-date", "Thu, 03 Dec 2026 18:40:00 GMT")
	h.Set("x-acs-version", "2015-11-11")
	h.Set("x-acs-signature-method", "HMAC-SHA1")
	h.Set("x-acs-signature-version", "1.0")
	if got := s.Signature(StringToSign("GET", h, "/jobs", "MaxItemCount=2&Marker=")); got != "CpvYQouVvIp5d6wtM0VYIDkqqzA=" {
		t.Fatalf("GET /jobs: %s", got)
	}
	h.Set("Content-Type", "text/plain;charset=UTF-8")
	if got := s.Signature(StringToSign("POST", h, "/jobs", "")); got != "Rl0dDbeAD/lTwwg/5fHlzJaeCFw=" {
		t.Fatalf("POST /jobs: %s", got)
	}
	d := http.Header{}
	d.Set("Accept", "application/json")
	d.Set("Date", "Thu, 03 Dec 2026 18:40:00 GMT")
	if got := s.Signature(StringToSign("GET", d, "/jobs/job-1", "description")); got != "rO0cLOK9FPV1aA+rN09OhAE8Ij4=" {
		t.Fatalf("GET ?description: %s", got)
	}
}

// A request carries the documented headers, an MD5 of its body, and the
// Authorization computed last; Mutate runs after signing.
func TestNewRequestHeaders(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("x-acs-request-id", "RID")
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"Code":"InvalidResource.NotFound","Message":"m","RequestId":"RID","HostId":"h"}`))
	}))
	defer srv.Close()
	c := &Client{Endpoint: srv.URL, Signer: Signer{AccessKeyID: "AK", AccessKeySecret: "SK"}}
	r, err := c.Do(context.Background(), "POST", "/jobs?IdempotentToken=t", []byte(`{"a":1}`),
		Options{Date: time.Date(2026, 12, 3, 18, 40, 0, 0, time.UTC), UseACSDate: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("x-acs-date") != "Thu, 03 Dec 2026 18:40:00 GMT" || got.Header.Get("Date") != "" ||
		got.Header.Get("x-acs-version") != Version || got.Header.Get("Content-MD5") != "u2y1xo30ZSlByvZSo2by2A==" ||
		!strings.HasPrefix(got.Header.Get("Authorization"), "acs AK:") {
		t.Fatalf("headers: %v", got.Header)
	}
	if e := r.Err(); e == nil || e.Code != "InvalidResource.NotFound" || r.RequestID != "RID" {
		t.Fatalf("response: %+v %s", r, r.Body)
	}
}
