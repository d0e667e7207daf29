package hostile

// Garbage servers: the emulator behind a proxy that answers the preflights
// truthfully (so a run gets past them and every spec body meets the
// garbage) and spoils every other success answer — its members dropped, or
// every value of the wrong JSON type — keeping the status, the headers, the
// envelope's RequestId and every error answer intact. They prove that no
// spec of any dialect panics on an answer of the right shape outside and
// the wrong shape inside (issue 11: every affected item is a failure with a
// clear message, never "Test Panicked").

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"

	"github.com/batchconform/batchconform/emulator"
)

// GarbageNames lists the garbage servers.
func GarbageNames() []string { return []string{"garbage-missing", "garbage-mistyped", "garbage-reads"} }

// StartGarbage starts a garbage server: "garbage-missing" drops every member
// of a success answer (RequestId aside), "garbage-mistyped" keeps them with
// values of the wrong type, "garbage-reads" mistypes only the answers to
// reads (Describe…, List…, Get…; an ACS GET).
func StartGarbage(name string) (*Server, error) {
	var spoil func(any) any
	readsOnly := false
	switch name {
	case "garbage-missing":
		spoil = func(any) any { return map[string]any{} }
	case "garbage-mistyped":
		spoil = Mistype
	case "garbage-reads":
		// Creates, deletes and every other write are answered truthfully,
		// so the setups build their worlds and the spec bodies meet the
		// garbage in what they read back (with everything spoiled, an
		// Alibaba run ends at its first create: 22 requests). Reads that
		// never have their documented shape trip the answers-readable
		// precondition (specs/harness/readable.go), which ends every
		// wait; before it, whole Alibaba and Tencent Batch runs passed
		// the 2-minute bound (killed at 200 s: 9,123 and 46,043 requests).
		spoil, readsOnly = Mistype, true
	default:
		return nil, fmt.Errorf("hostile: no garbage server %q (have %s)", name, strings.Join(GarbageNames(), ", "))
	}
	emu, err := emulator.Start(emulator.WithExecutor("simulated"))
	if err != nil {
		return nil, fmt.Errorf("hostile %s: %w", name, err)
	}
	u, err := url.Parse(emu.URL)
	if err != nil {
		emu.Close()
		return nil, fmt.Errorf("hostile %s: %w", name, err)
	}
	s := &Server{Name: name, SecretID: emu.SecretID, SecretKey: emu.SecretKey}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if isPreflight(resp.Request) || resp.StatusCode >= 300 || strings.HasPrefix(resp.Request.URL.Path, emulator.AdminPrefix) ||
			(readsOnly && !isRead(resp.Request)) {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body = spoilBody(body, spoil)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		// The preflight's list call is told apart by its body: keep a copy
		// for isPreflight.
		if r.Body != nil {
			// Whole (the protocol specs send bodies past the documented
			// limit), so the forwarded length is the received one.
			b, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
			r.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
			r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
		}
		rp.ServeHTTP(w, r)
	})
	if err := serve(s, h, nil); err != nil {
		emu.Close()
		return nil, fmt.Errorf("hostile %s: %w", name, err)
	}
	inner := s.close
	s.close = func() { inner(); _ = emu.Close() }
	return s, nil
}

// bodyKey carries a request's body to ModifyResponse (the proxy's request
// shares the incoming request's context).
type bodyKey struct{}

// isPreflight tells the dialects' preflight questions (specs/*/preflight.go)
// and the reads every setup starts from apart: they are answered truthfully
// so the run gets past them.
func isPreflight(r *http.Request) bool {
	action := r.Header.Get("X-TC-Action")
	b, _ := r.Context().Value(bodyKey{}).([]byte)
	body := strings.ReplaceAll(string(b), " ", "")
	switch {
	case action == "BatchconformNoSuchAction":
		return true
	case action == "DescribeJobs" && body == `{"Limit":1}`:
		return true
	case strings.HasPrefix(r.URL.Path, "/batchconform-no-such-route"):
		return true
	case r.URL.Path == "/jobs" && r.URL.RawQuery == "MaxItemCount=1":
		return true
	case r.Method == http.MethodGet && r.URL.Path == "/quotas":
		// Every Alibaba container builds its world from GetQuotas (an
		// instance type to make clusters of): spoiled, each setup fails
		// on it and no spec body meets the garbage (a 14-request run).
		return true
	}
	return false
}

// isRead tells a read apart: an ACS GET, an API 3.0 Describe…, List…,
// Get…, Check… or Query… action.
func isRead(r *http.Request) bool {
	action := r.Header.Get("X-TC-Action")
	if action == "" {
		return r.Method == http.MethodGet
	}
	for _, verb := range []string{"Describe", "List", "Get", "Check", "Query"} {
		if strings.HasPrefix(action, verb) {
			return true
		}
	}
	return false
}

// spoilBody spoils a JSON answer: in an API 3.0 envelope everything but
// RequestId and Error; in any other JSON object (ACS) all of it.
func spoilBody(body []byte, spoil func(any) any) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if resp, ok := m["Response"].(map[string]any); ok {
		if _, isErr := resp["Error"]; isErr {
			return body
		}
		out, _ := spoil(resp).(map[string]any)
		if out == nil {
			out = map[string]any{}
		}
		out["RequestId"] = resp["RequestId"]
		m["Response"] = out
	} else {
		m, _ = spoil(m).(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

// Mistype gives every value the wrong JSON type (objects keep their
// members, so every level of an answer is wrong).
func Mistype(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Mistype(e)
		}
		return out
	case []any:
		return map[string]any{"0": "not a list"}
	case string:
		return 42
	case float64:
		return "42"
	case bool:
		return "yes"
	case nil:
		return []any{}
	}
	return nil
}
