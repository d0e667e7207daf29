package acs

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	clientacs "github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator/tenants"
)

const (
	testID     = "AKIDtest"
	testSecret = "testSecret"
)

// echo is a Service that answers every matched op with what it received.
type echo struct{}

func (echo) Routes() []Route {
	return []Route{
		{Op: "ListJobs", Method: "GET", Pattern: "/jobs"},
		{Op: "CreateJob", Method: "POST", Pattern: "/jobs"},
		{Op: "GetJob", Method: "GET", Pattern: "/jobs/{JobId}"},
		{Op: "GetJobDescription", Method: "GET", Pattern: "/jobs/{JobId}", SubResource: "description"},
		{Op: "DeleteJob", Method: "DELETE", Pattern: "/jobs/{JobId}"},
		{Op: "Panic", Method: "POST", Pattern: "/panic"},
	}
}

func (echo) Handle(_ context.Context, r *Request) (*Response, *Error) {
	switch r.Op {
	case "Panic":
		panic("boom")
	case "DeleteJob":
		return &Response{Status: 204}, nil
	case "CreateJob":
		return &Response{Status: 201, Body: map[string]any{"Op": r.Op, "Body": r.Body, "Tenant": r.AccessKeyID}}, nil
	}
	return &Response{Status: 200, Body: map[string]any{"Op": r.Op, "Vars": r.Vars, "Query": r.Query}}, nil
}

func newTestServer(t *testing.T, now time.Time) (*httptest.Server, *clientacs.Client) {
	t.Helper()
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: testID, SecretKey: testSecret},
		tenants.Tenant{SecretID: "AKIDskew", SecretKey: "k", SkewSeconds: 3600})
	h, err := NewHandler(Config{Service: echo{}, Tenants: reg, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &clientacs.Client{Endpoint: srv.URL, Signer: clientacs.Signer{AccessKeyID: testID, AccessKeySecret: testSecret}}
}

func TestHandlerChecks(t *testing.T) {
	now := time.Now()
	srv, c := newTestServer(t, now)
	ctx := context.Background()
	big := bytes.Repeat([]byte("a"), MaxBodyBytes+1)
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	var zbuf bytes.Buffer
	zw := zlib.NewWriter(&zbuf)
	_, _ = zw.Write([]byte(`{"Name":"zipped"}`))
	_ = zw.Close()
	type tc struct {
		name       string
		method, pq string
		body       []byte
		o          clientacs.Options
		client     *clientacs.Client
		status     int
		code       string
		wantInBody string
	}
	other := &clientacs.Client{Endpoint: srv.URL, Signer: clientacs.Signer{AccessKeyID: "AKIDnobody", AccessKeySecret: "x"}}
	wrong := &clientacs.Client{Endpoint: srv.URL, Signer: clientacs.Signer{AccessKeyID: testID, AccessKeySecret: "wrong"}}
	skew := &clientacs.Client{Endpoint: srv.URL, Signer: clientacs.Signer{AccessKeyID: "AKIDskew", AccessKeySecret: "k"}}
	cases := []tc{
		{name: "ok list", method: "GET", pq: "/jobs?Marker=&MaxItemCount=2", status: 200, wantInBody: `"Op":"ListJobs"`},
		{name: "sub-resource", method: "GET", pq: "/jobs/job-1?description", status: 200, wantInBody: `"Op":"GetJobDescription"`},
		{name: "plain get", method: "GET", pq: "/jobs/job-1", status: 200, wantInBody: `"JobId":"job-1"`},
		{name: "x-acs-date", method: "GET", pq: "/jobs", o: clientacs.Options{UseACSDate: true}, status: 200},
		{name: "text/plain JSON", method: "POST", pq: "/jobs", body: []byte(`{"Name":"a"}`), o: clientacs.Options{ContentType: "text/plain;charset=UTF-8"}, status: 201, wantInBody: `"Name":"a"`},
		{name: "deflate", method: "POST", pq: "/jobs", body: zbuf.Bytes(), o: clientacs.Options{NoMD5: true, Headers: http.Header{"X-Acs-Compress-Type": {"deflate"}}}, status: 201, wantInBody: `"zipped"`},
		{name: "204 empty", method: "DELETE", pq: "/jobs/job-1", status: 204},
		{name: "bad signature", method: "GET", pq: "/jobs", client: wrong, status: 400, code: "InvalidSignature"},
		{name: "unknown key", method: "GET", pq: "/jobs", client: other, status: 400, code: "InvalidAccessKeyId"},
		{name: "date too old", method: "GET", pq: "/jobs", o: clientacs.Options{Date: now.Add(-16 * time.Minute)}, status: 400, code: "InvalidDate"},
		{name: "date too new", method: "GET", pq: "/jobs", o: clientacs.Options{Date: now.Add(16 * time.Minute)}, status: 400, code: "InvalidDate"},
		{name: "date within skew", method: "GET", pq: "/jobs", o: clientacs.Options{Date: now.Add(-14 * time.Minute)}, status: 200},
		{name: "tenant skew", method: "GET", pq: "/jobs", client: skew, status: 400, code: "InvalidDate"},
		{name: "missing date", method: "GET", pq: "/jobs", o: clientacs.Options{Mutate: func(r *http.Request) { r.Header.Del("Date") }}, status: 400, code: "MissingDate"},
		{name: "bad date", method: "GET", pq: "/jobs", o: clientacs.Options{Mutate: func(r *http.Request) { r.Header.Set("Date", "yesterday") }}, status: 400, code: "InvalidDate"},
		{name: "malformed authorization", method: "GET", pq: "/jobs", o: clientacs.Options{Mutate: func(r *http.Request) { r.Header.Set("Authorization", "acs nocolon") }}, status: 400, code: "InvalidAuthorization"},
		{name: "tampered x-acs header", method: "GET", pq: "/jobs", o: clientacs.Options{Mutate: func(r *http.Request) { r.Header.Set("x-acs-signature-nonce", "1") }}, status: 400, code: "InvalidSignature"},
		{name: "tampered query", method: "GET", pq: "/jobs", o: clientacs.Options{Mutate: func(r *http.Request) { r.URL.RawQuery = "MaxItemCount=3" }}, status: 400, code: "InvalidSignature"},
		{name: "wrong md5", method: "POST", pq: "/jobs", body: []byte(`{}`), o: clientacs.Options{Mutate: func(r *http.Request) {
			r.Body = ioNop(`{"x":1}`)
			r.ContentLength = 7
		}}, status: 400, code: "InvalidContentMD5"},
		{name: "missing version", method: "GET", pq: "/jobs", o: clientacs.Options{NoVersion: true}, status: 403, code: "InvalidVersion.NotFound"},
		{name: "wrong version", method: "GET", pq: "/jobs", o: clientacs.Options{Headers: http.Header{"X-Acs-Version": {"2015-06-30"}}}, status: 403, code: "InvalidVersion.NotFound"},
		{name: "unknown route", method: "GET", pq: "/nothing", status: 400, code: "InvalidUrlPattern"},
		{name: "method not allowed", method: "PATCH", pq: "/jobs", status: 400, code: "MethodNotAllowed"},
		{name: "malformed json", method: "POST", pq: "/jobs", body: []byte(`{"Name":`), status: 400, code: "InvalidJsonFormat"},
		{name: "trailing json", method: "POST", pq: "/jobs", body: []byte(`{} {}`), status: 400, code: "InvalidJsonFormat"},
		{name: "invalid utf8", method: "POST", pq: "/jobs", body: []byte("{\"a\":\"\xff\"}"), status: 400, code: "InvalidJsonFormat"},
		{name: "too deep", method: "POST", pq: "/jobs", body: []byte(deep), status: 400, code: "InvalidJsonFormat"},
		{name: "array body", method: "POST", pq: "/jobs", body: []byte(`[1]`), status: 400, code: "InvalidHttpBody"},
		{name: "huge body", method: "POST", pq: "/jobs", body: big, status: 400, code: "InvalidHttpBody"},
		{name: "form body", method: "POST", pq: "/jobs", body: []byte(`a=b`), o: clientacs.Options{ContentType: "application/x-www-form-urlencoded"}, status: 400, code: "InvalidHttpBody"},
		{name: "bad query escape", method: "GET", pq: "/jobs?Marker=%zz", status: 403, code: "InvalidQueryString"},
		{name: "duplicate query", method: "GET", pq: "/jobs?Marker=a&Marker=b", status: 403, code: "InvalidQueryString"},
		{name: "huge query", method: "GET", pq: "/jobs?Marker=" + strings.Repeat("a", MaxQueryBytes), status: 403, code: "InvalidQueryString"},
		{name: "panic", method: "POST", pq: "/panic", status: 500, code: "InternalError"},
	}
	for _, x := range cases {
		t.Run(x.name, func(t *testing.T) {
			cl := c
			if x.client != nil {
				cl = x.client
			}
			r, err := cl.Do(ctx, x.method, x.pq, x.body, x.o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != x.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, x.status, r.Body)
			}
			if r.RequestID == "" {
				t.Fatal("no x-acs-request-id header")
			}
			if x.code != "" {
				e := r.Err()
				if e == nil || e.Code != x.code {
					t.Fatalf("error %s, want code %s", r.Body, x.code)
				}
				if e.RequestID != r.RequestID || e.Message == "" {
					t.Fatalf("error body %s: RequestId must equal the header %s and Message be set", r.Body, r.RequestID)
				}
				var raw map[string]any
				if err := json.Unmarshal(r.Body, &raw); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"Code", "Message", "RequestId", "HostId"} {
					if _, ok := raw[k]; !ok {
						t.Fatalf("error body %s lacks %s", r.Body, k)
					}
				}
			}
			if x.wantInBody != "" && !strings.Contains(string(r.Body), x.wantInBody) {
				t.Fatalf("body %s lacks %s", r.Body, x.wantInBody)
			}
			if x.status == 204 && len(r.Body) != 0 {
				t.Fatalf("204 with a body %q", r.Body)
			}
		})
	}
}

func ioNop(s string) *nopCloser { return &nopCloser{strings.NewReader(s)} }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func TestIsACS(t *testing.T) {
	for in, want := range map[string]bool{"acs a:b": true, "ACS a:b": true, " acs a:b": true, "acs": false, "acsa:b": false,
		"TC3-HMAC-SHA256 Credential=": false, "": false} {
		if IsACS(in) != want {
			t.Errorf("IsACS(%q) != %v", in, want)
		}
	}
}
