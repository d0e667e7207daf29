package acs

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/tenants"
)

// FuzzParseAuthorization: the parser never panics, and what it accepts
// round-trips: "acs " + id + ":" + sig parses back to the same parts.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"acs AK:sig=", "ACS a:b", "acs", "acs :", "acs a:b:c", "acs \t a:b", "TC3-HMAC-SHA256 x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, sig, ok := ParseAuthorization(s)
		if !ok {
			return
		}
		if id == "" || sig == "" {
			t.Fatalf("accepted %q with an empty part", s)
		}
		id2, sig2, ok2 := ParseAuthorization("acs " + id + ":" + sig)
		if !ok2 || id2 != id || sig2 != sig {
			t.Fatalf("round trip of %q: %q %q %v", s, id2, sig2, ok2)
		}
	})
}

// FuzzRequest drives the whole handler (signature parsing, query, body and
// JSON decoding, routing) with arbitrary method, path, query, headers and body:
// it never panics, never answers 5xx (the echo service's Panic route aside),
// and always answers the documented error shape with x-acs-request-id.
func FuzzRequest(f *testing.F) {
	f.Add("GET", "/jobs", "Marker=&MaxItemCount=2", "acs AKIDtest:x", "application/json", []byte(""))
	f.Add("POST", "/jobs", "", "acs AKIDtest:x", "text/plain;charset=UTF-8", []byte(`{"Name":"a","DAG":{"Tasks":{}}}`))
	f.Add("PUT", "/jobs/%2F", "description", "acs :", "", []byte(`[[[[`))
	f.Add("DELETE", "/jobs/job-1", "a=%zz", "acs a:b", "application/x-www-form-urlencoded", []byte("a=b"))
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: testID, SecretKey: testSecret})
	now := time.Date(2026, 12, 3, 18, 40, 0, 0, time.UTC)
	h, err := NewHandler(Config{Service: echo{}, Tenants: reg, Now: func() time.Time { return now }, SkipSignature: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, query, authz, ct string, body []byte) {
		if strings.ContainsAny(method, " \t\r\n") || method == "" || path == "/panic" {
			return
		}
		target := "http://h/" + strings.TrimLeft(path, "/")
		if query != "" {
			target += "?" + query
		}
		r, err := http.NewRequest(method, "http://h/", bytes.NewReader(body))
		if err != nil {
			return
		}
		if u, err := r.URL.Parse(target); err == nil {
			r.URL = u
		}
		if !strings.ContainsAny(authz, "\r\n") {
			r.Header.Set("Authorization", authz)
		}
		if !strings.ContainsAny(ct, "\r\n") {
			r.Header.Set("Content-Type", ct)
		}
		r.Header.Set("Date", now.Format(http.TimeFormat))
		r.Header.Set("x-acs-version", Version)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, w.Code, w.Body)
		}
		if w.Header().Get("x-acs-request-id") == "" {
			t.Fatal("no x-acs-request-id")
		}
		if w.Code >= 400 && !bytes.Contains(w.Body.Bytes(), []byte(`"Code":`)) {
			t.Fatalf("error without Code: %s", w.Body)
		}
	})
}
