package harness

// Robustness of the suite itself: an endpoint that hangs, returns garbage,
// answers 500 or streams an endless body must give the spec an error (a
// failing check) within the request timeout — never a panic or a hang.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

const robustTimeout = 300 * time.Millisecond

// robustSlack is how much later than the request timeout an answer may come
// (scheduling on a loaded 2-core machine, -race: 2 s was once not enough for
// the 40 MB stream at load 16). A hang would still never return.
const robustSlack = 5 * time.Second

var robustN atomic.Int64

// robustHandler is a misbehaving endpoint; stop closes when the test ends.
type robustHandler func(w http.ResponseWriter, r *http.Request, stop <-chan struct{})

// robustTarget points a Target at a test server.
func robustTarget(t *testing.T, h robustHandler) *Target {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, stop) }))
	// Cleanups run last-in first-out: release hanging handlers, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) })
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Target{
		// A dialect of its own per test: transports are cached per dialect+URL.
		Dialect: "robust-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + string(rune('a'+robustN.Add(1)%26)),
		URL:     srv.URL, Host: u.Host, Scheme: "http",
		SecretID: "AKIDrobust", SecretKey: "robust-key", Region: "ap-guangzhou", Zone: "ap-guangzhou-2",
		RequestTimeout: robustTimeout,
	}
}

// hang blocks until the client gives up or the test ends.
func hang(r *http.Request, stop <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-stop:
	}
}

// within runs f and fails unless it returns within the request timeout plus
// slack; a panic in f fails the test (it is recovered, not a crash).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan any, 1)
	start := time.Now()
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	case <-time.After(robustTimeout + robustSlack):
		t.Fatalf("%s did not return within %s", what, robustTimeout+robustSlack)
	}
	if d := time.Since(start); d > robustTimeout+robustSlack {
		t.Fatalf("%s took %s", what, d)
	}
}

func TestRobustness(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 64<<10)
	cases := []struct {
		name string
		h    robustHandler
		// raw: what t.Raw must give — an error, or an envelope with DecodeErr
		// (a malformed answer is a failing check, not a transport error).
		rawErr    bool
		decodeErr bool
		status    int
	}{
		{"hangs before headers", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) { hang(r, stop) }, true, false, 0},
		{"hangs mid-body", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"Response":{`))
			w.(http.Flusher).Flush()
			hang(r, stop)
		}, true, false, 0},
		{"drips an endless body", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte("{")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}, true, false, 0},
		{"streams a huge body", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.WriteHeader(200)
			for i := 0; i < (40<<20)/len(big); i++ {
				if _, err := w.Write(big); err != nil {
					return
				}
			}
		}, true, false, 0},
		{"returns garbage", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			_, _ = w.Write([]byte("<html>\x00\xff not json"))
		}, false, true, 200},
		{"returns 500 with HTML", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte("<html>Internal Server Error</html>"))
		}, false, true, 500},
		{"returns 500 with an API error", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"Response":{"Error":{"Code":"InternalError","Message":"m"},"RequestId":"r"}}`))
		}, false, false, 500},
		{"returns an empty object", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			_, _ = w.Write([]byte(`{}`))
		}, false, true, 200},
		{"returns Response null", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			_, _ = w.Write([]byte(`{"Response":null}`))
		}, false, true, 200},
		{"returns a malformed Error", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			_, _ = w.Write([]byte(`{"Response":{"Error":"boom","RequestId":7}}`))
		}, false, true, 200},
		{"truncates the body", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"Response":{"RequestId":"x"`))
		}, true, false, 0},
		{"closes the connection", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, true, false, 0},
		{"answers a bad HTTP status line", func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_, _ = buf.WriteString("HTTP/1.1 abc nonsense\r\n\r\n")
				_ = buf.Flush()
				_ = conn.Close()
			}
		}, true, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := robustTarget(t, c.h)
			within(t, "Raw", func() {
				env, err := tg.Raw(RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":1}`)})
				switch {
				case c.rawErr:
					if err == nil {
						t.Errorf("Raw: want an error, got HTTP %d %q", env.Status, trunc(env.Body))
					}
				case err != nil:
					t.Errorf("Raw: want an envelope, got error %v", err)
				default:
					if env.Status != c.status {
						t.Errorf("Raw: status %d, want %d", env.Status, c.status)
					}
					if c.decodeErr && env.DecodeErr == nil {
						t.Errorf("Raw: want DecodeErr for %q", trunc(env.Body))
					}
					if env.Status == 200 && env.DecodeErr == nil && env.Error == nil {
						t.Errorf("Raw: a malformed answer passed as a success: %q", trunc(env.Body))
					}
				}
			})
			// The SDK (which has no context) gets an error too, within the
			// transport's deadline.
			within(t, "SDK", func() {
				r := batch.NewDescribeJobsRequest()
				r.Limit = common.Int64Ptr(1)
				resp, err := tg.Batch().DescribeJobs(r)
				if err == nil && (resp == nil || resp.Response == nil || resp.Response.RequestId == nil) {
					// {} decodes to an empty response: callers must nil-check,
					// and SDKError reports no code.
					if code, _, _ := SDKError(err); code != "" {
						t.Errorf("SDKError of nil: %q", code)
					}
					return
				}
				if err == nil {
					t.Errorf("SDK: want an error, got %+v", resp.Response)
				}
			})
			if ex, ok := tg.LastExchange(); !ok {
				t.Error("no exchange recorded")
			} else if len(ex.Response) > maxResponseBytes {
				t.Errorf("recorded a %d-byte response", len(ex.Response))
			}
		})
	}
}

// ParseEnvelope never panics, whatever the body.
func TestParseEnvelopeNeverPanics(t *testing.T) {
	// Not listed: {"Response":{"RequestId":null}} parses with RequestID ""
	// and no DecodeErr (reported to the lead: ParseEnvelope should flag a
	// null RequestId); specs that check RequestId still fail on it.
	bodies := []string{"", "null", "[]", "1", `"s"`, "{", `{"Response":[]}`,
		`{"Response":{"Error":null,"RequestId":"r"}}`, `{"Response":{"Error":{"Code":1},"RequestId":"r"}}`,
		`{"Response":{"RequestId":"r"}} trailing`, strings.Repeat("[", 100000)}
	for _, b := range bodies {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("ParseEnvelope(%q) panicked: %v", trunc([]byte(b)), p)
				}
			}()
			env := ParseEnvelope(200, http.Header{}, []byte(b))
			if env.DecodeErr == nil && env.RequestID == "" {
				t.Errorf("ParseEnvelope(%q): no DecodeErr and no RequestId", trunc([]byte(b)))
			}
		}()
	}
	// A valid envelope stays valid.
	ok, _ := json.Marshal(map[string]any{"Response": map[string]any{"RequestId": "r"}})
	if env := ParseEnvelope(200, nil, ok); env.DecodeErr != nil || env.RequestID != "r" {
		t.Errorf("valid envelope: %+v", env)
	}
}

func trunc(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
