package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchconform/batchconform/redact"
)

// maxResponseBytes bounds what the suite reads of one response: an endpoint
// that streams garbage is a failing check, not an out-of-memory crash.
const maxResponseBytes = 16 << 20

// Exchange is one request/response pair as evidence (redacted when written).
type Exchange struct {
	Method     string        `json:"method"`
	URL        string        `json:"url"`
	Action     string        `json:"action,omitempty"`
	Request    string        `json:"request,omitempty"`
	Status     int           `json:"status,omitempty"`
	Response   string        `json:"response,omitempty"`
	RequestID  string        `json:"request_id,omitempty"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	StartedUTC time.Time     `json:"started"`
}

// ErrStopping marks a request the run did not send (or whose answer it
// withheld) because the run is stopping (ledger.go).
var ErrStopping = errors.New("the run is stopping: nothing new is created")

// requestsSent counts every request the suite sent (reported in the summary).
var requestsSent atomic.Int64

// throttleRetries counts requests repeated after a throttling answer.
var throttleRetries atomic.Int64

// ThrottleRetries is the number of requests this process repeated after a
// throttling answer (live targets).
func ThrottleRetries() int64 { return throttleRetries.Load() }

// RequestsSent is the number of requests sent by this process.
func RequestsSent() int64 { return requestsSent.Load() }

// transport wraps http.Transport with the per-request deadline, the client-side
// rate limit (per action) and evidence capture.
type transport struct {
	base    http.RoundTripper
	timeout time.Duration
	limiter *limiter
	mu      sync.Mutex
	last    []Exchange // the most recent exchanges, newest last (bounded)
	// maxAlive bounds the run's resources alive at once on a live target
	// (0 = no bound; maxalive.go): a create beyond it is not sent.
	maxAlive int
	// dialect keys the circuit breaker (breaker.go) this transport feeds
	// and obeys, and is what response observers are told ("" = none, e.g.
	// the admin API's).
	dialect string
	// backoffFor, when set (live targets), is the SecretId whose throttled
	// requests are retried with backoff (throttle.go).
	backoffFor string
	throttle   throttleState
	// budget is the run's --budget (budget.go), spent by every transport
	// of the process together.
	budget Budget
}

// ResponseObserver sees every response a target of the suite received: the
// dialect, the action and the raw body. Spec packages register one to check
// what every response carries (e.g. documented output constraints), whatever
// spec sent the request.
type ResponseObserver func(dialect, action string, body []byte)

var (
	observersMu sync.RWMutex
	observers   []ResponseObserver
)

// ObserveResponses registers an observer (call it from an init function). It
// runs on the requesting goroutine after the body is read: keep it quick
// and never fail a spec from it.
func ObserveResponses(fn ResponseObserver) {
	observersMu.Lock()
	defer observersMu.Unlock()
	observers = append(observers, fn)
}

func (t *transport) observe(action string, body []byte) {
	observersMu.RLock()
	defer observersMu.RUnlock()
	for _, fn := range observers {
		fn(t.dialect, action, body)
	}
}

var sharedTransport = &http.Transport{
	Proxy:               nil, // targets are addressed directly
	MaxIdleConnsPerHost: 32,
	IdleConnTimeout:     30 * time.Second,
	TLSHandshakeTimeout: 10 * time.Second,
}

func newTransport(timeout time.Duration, rate float64) *transport {
	return &transport{base: sharedTransport, timeout: timeout, limiter: newLimiter(rate)}
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.backoffFor != "" && req.Context().Value(innerKey{}) == nil {
		if id := signedBy(req); id == "" || id == t.backoffFor {
			return t.roundTripBackoff(req)
		}
	}
	action := tcHeader(req.Header, "X-TC-Action")
	if action == "" {
		action = req.URL.Query().Get("Action")
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("harness: read request body: %w", err)
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	var form url.Values
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// A v1-signed POST carries Action and Version in its form body.
		form, _ = url.ParseQuery(string(reqBody))
		if action == "" {
			action = form.Get("Action")
		}
	}
	var br *breaker
	if t.dialect != "" {
		br = breakerFor(t.dialect)
		if m := br.sendBlock(); m != "" {
			return nil, fmt.Errorf("harness: %s not sent: %w: %s", action, ErrPrecondition, m)
		}
	}
	if t.budget != (Budget{}) {
		if m := runSpend.before(t.budget, req.Method, req.URL.Path, action); m != "" {
			if br != nil {
				br.trip(PreBudget, m)
			}
			return nil, fmt.Errorf("harness: %s not sent: %w: %s", action, ErrPrecondition, m)
		}
	}
	// observe feeds the breaker; a request its caller gave up on says
	// nothing about the target.
	observe := func(err error) {
		if br != nil && (err == nil || req.Context().Err() == nil) {
			br.transportResult(err)
		}
	}
	// The ledger (ledger.go): a create is not sent once the run stops, and
	// what an answered call created or deleted is recorded.
	var call *Call
	var tracker Tracker
	gated := false
	if t.dialect != "" {
		tracker = trackerFor(t.dialect)
	}
	if tracker != nil {
		version := tcHeader(req.Header, "X-TC-Version")
		if version == "" {
			version = req.URL.Query().Get("Version")
		}
		query, secretID, params := req.URL.RawQuery, signedBy(req), reqBody
		if form != nil {
			// The form is the call's parameters, as a GET's query is.
			version, query, secretID, params = form.Get("Version"), form.Encode(), form.Get("SecretId"), nil
		}
		call = &Call{Method: req.Method, Path: req.URL.Path, Query: query, Action: action, Version: version,
			SecretID: secretID, Request: params}
		if tracker.Creates(call) {
			// --max-resources (maxalive.go), then the ledger's gate.
			if why := maxAlive.acquire(t.dialect, t.maxAlive); why != "" {
				return nil, fmt.Errorf("harness: %s not sent: %s", action, why)
			}
			if why := ledger.begin(); why != "" {
				maxAlive.release(t.dialect)
				return nil, fmt.Errorf("harness: %s not sent: %w: %s", action, ErrStopping, why)
			}
			gated = true
		}
	}
	settle := func(status int, body []byte) error {
		if tracker == nil {
			return nil
		}
		var created []Leftover
		var deleted []string
		if body != nil {
			call.Status, call.Response = status, body
			created, deleted = tracker.Track(call)
			if gated && br != nil {
				// Creates that never name what they made end the
				// waits (creates.go).
				br.createAnswered(call, created)
			}
		}
		if gated {
			gated = false
			why := ledger.end(t.dialect, call.SecretID, created)
			maxAlive.release(t.dialect)
			if why != "" {
				return fmt.Errorf("harness: %s answered after the run began to stop (%s): %w; the run's cleanup deletes what it created", action, why, ErrStopping)
			}
			ledger.record(t.dialect, call.SecretID, nil, deleted)
			return nil
		}
		ledger.record(t.dialect, call.SecretID, created, deleted)
		return nil
	}
	if err := t.limiter.wait(req.Context(), action); err != nil {
		_ = settle(0, nil)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	start := time.Now()
	requestsSent.Add(1)
	countCall(t.dialect, req.Method, req.URL.Path, action)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	ex := Exchange{Method: req.Method, URL: req.URL.String(), Action: action, Request: string(reqBody), StartedUTC: start.UTC()}
	if err != nil {
		cancel()
		ex.Error, ex.Duration = err.Error(), time.Since(start)
		t.record(ex)
		observe(err)
		_ = settle(0, nil)
		return nil, err
	}
	// Read the body now, bounded and under the deadline, so a hanging or
	// endless body is an error here rather than a hang in the SDK.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	resp.Body.Close()
	cancel()
	ex.Status, ex.Duration = resp.StatusCode, time.Since(start)
	if rerr != nil {
		_ = settle(0, nil)
		ex.Error = rerr.Error()
		t.record(ex)
		err := fmt.Errorf("harness: read response of %s: %w", action, rerr)
		observe(err)
		return nil, err
	}
	if len(body) > maxResponseBytes {
		_ = settle(0, nil)
		ex.Error = "response larger than 16 MiB"
		t.record(ex)
		err := fmt.Errorf("harness: response of %s is larger than %d bytes", action, maxResponseBytes)
		observe(err)
		return nil, err
	}
	observe(nil)
	if br != nil && resp.StatusCode/100 == 2 {
		// Reads whose answers cannot be read end the waits (readable.go).
		br.readAnswer(t.dialect, req.Method, req.URL.Path, req.URL.RawQuery, action, body)
	}
	ex.Response = string(body)
	t.record(ex)
	t.observe(action, body)
	if err := settle(resp.StatusCode, body); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func (t *transport) record(ex Exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = append(t.last, ex)
	if len(t.last) > 8 {
		t.last = t.last[len(t.last)-8:]
	}
}

// Last returns the most recent exchange (redacted).
func (t *transport) Last() (Exchange, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.last) == 0 {
		return Exchange{}, false
	}
	ex := t.last[len(t.last)-1]
	ex.Request, ex.Response, ex.URL = redact.String(ex.Request), redact.String(ex.Response), redact.String(ex.URL)
	return ex, true
}

// limiter is a per-action token bucket (rate requests/s, burst 1 second's worth).
type limiter struct {
	rate float64
	mu   sync.Mutex
	next map[string]time.Time
}

func newLimiter(rate float64) *limiter { return &limiter{rate: rate, next: map[string]time.Time{}} }

func (l *limiter) wait(ctx context.Context, action string) error {
	if l == nil || l.rate <= 0 {
		return nil
	}
	interval := time.Duration(float64(time.Second) / l.rate)
	l.mu.Lock()
	now := time.Now()
	at := l.next[action]
	if at.Before(now) {
		at = now
	}
	l.next[action] = at.Add(interval)
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// tcHeader reads an API 3.0 header whether its key is canonical (net/http,
// the suite's own signer) or spelled as the Tencent Cloud SDK sets it
// (Header["X-TC-Action"], which Header.Get does not find): without this
// every SDK call would be invisible to the ledger, --max-resources, the
// budget's cleanup rule and the per-action rate limit.
func tcHeader(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// hostOnly strips a scheme from an endpoint URL.
func hostOnly(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return endpoint
}
