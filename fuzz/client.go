package fuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/batchconform/batchconform/internal/tcsign"
	"github.com/batchconform/batchconform/specs/harness"
)

// Client sends signed API 3.0 requests to one target.
type Client struct {
	URL       string // http(s)://host:port
	SecretID  string
	SecretKey string
	Region    string
	// Service and Version are the TC3 scope's service and the API version
	// ("" = Tencent Batch's batch / 2017-03-12).
	Service, Version string
	// Dialect picks the cleanup table of a tracked client ("" = tencent-batch).
	Dialect string
	// Exchange sends a request and parses the envelope: in process for the
	// embedded emulator, the harness's rate-limited transport for an endpoint.
	Exchange func(*http.Request) (*harness.Envelope, error)
	// Sent counts the requests sent.
	Sent int64
	// Track records what successful create requests made, for Cleanup (an
	// endpoint whose resources outlive the run).
	Track   bool
	Created []Created
}

// Created is one resource a tracked client created.
type Created struct{ Kind, ID string }

var createdBy = map[string]map[string][2]string{
	"tencent-batch": {
		"SubmitJob": {"job", "JobId"}, "CreateComputeEnv": {"env", "EnvId"}, "CreateCpmComputeEnv": {"env", "EnvId"},
		"CreateTaskTemplate": {"template", "TaskTemplateId"},
	},
	"oceanus": {"CreateJob": {"oceanus-job", "JobId"}},
}

func (c *Client) dialect() string {
	if c.Dialect == "" {
		return "tencent-batch"
	}
	return c.Dialect
}

// Cleanup deletes what a tracked client created (jobs are terminated
// first, and their deletion retried until they have ended or the deadline
// passes). It returns the resources it could not delete.
func (c *Client) Cleanup(deadline time.Duration) []Created {
	end := time.Now().Add(deadline)
	left := append([]Created(nil), c.Created...)
	for _, r := range left {
		switch r.Kind {
		case "job":
			_, _, _ = c.Send("TerminateJob", map[string]any{"JobId": r.ID})
		case "oceanus-job":
			_, _, _ = c.Send("StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": r.ID, "StopType": 1}}})
		}
	}
	for len(left) > 0 && time.Now().Before(end) {
		var next []Created
		for _, r := range left {
			var env *harness.Envelope
			var err error
			switch r.Kind {
			case "job":
				env, _, err = c.Send("DeleteJob", map[string]any{"JobId": r.ID})
			case "env":
				env, _, err = c.Send("DeleteComputeEnv", map[string]any{"EnvId": r.ID})
			case "template":
				env, _, err = c.Send("DeleteTaskTemplates", map[string]any{"TaskTemplateIds": []any{r.ID}})
			case "oceanus-job":
				env, _, err = c.Send("DeleteJobs", map[string]any{"JobIds": []any{r.ID}})
			}
			// Gone, or its deletion already under way, is done.
			if err != nil || (env.Code() != "" && !strings.HasPrefix(env.Code(), "ResourceNotFound") &&
				!(r.Kind == "env" && strings.HasPrefix(env.Code(), "UnsupportedOperation"))) {
				next = append(next, r)
			}
		}
		left = next
		if len(left) > 0 {
			time.Sleep(2 * time.Second) // a live API's jobs take real time to end
		}
	}
	return left
}

// Call is one request: an action and its JSON body, plus signing knobs for
// signature faults.
type Call struct {
	Action string
	Body   []byte
	Method string     // POST (default) or GET (Params)
	Params url.Values // GET parameters
	Host   string     // Host header (and signed host)
	// Signing knobs.
	Timestamp time.Time
	ScopeDate string
	Service   string
	SecretKey string
	Tamper    func(*http.Request)
}

// handlerTransport serves requests with an http.Handler in process: the
// embedded emulator is exercised without a socket (the same handler the
// server runs, so the same code paths).
func handlerExchange(h http.Handler) func(*http.Request) (*harness.Envelope, error) {
	return func(req *http.Request) (*harness.Envelope, error) {
		if req.Body == nil {
			req.Body = http.NoBody
		}
		req.RemoteAddr = "127.0.0.1:40000"
		req.RequestURI = req.URL.RequestURI()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return harness.ParseEnvelope(rec.Code, rec.Header(), rec.Body.Bytes()), nil
	}
}

// Do signs and sends a call and parses the envelope (a malformed one is in
// DecodeErr, not an error).
func (c *Client) Do(call Call) (*harness.Envelope, error) {
	ts := call.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	svc := call.Service
	if svc == "" {
		svc = c.Service
	}
	if svc == "" {
		svc = "batch"
	}
	version := c.Version
	if version == "" {
		version = "2017-03-12"
	}
	key := c.SecretKey
	if call.SecretKey != "" {
		key = call.SecretKey
	}
	s := tcsign.TC3{SecretID: c.SecretID, SecretKey: key, Service: svc, Action: call.Action,
		Version: version, Region: c.Region, Timestamp: ts, ScopeDate: call.ScopeDate}
	var req *http.Request
	var err error
	if call.Method == http.MethodGet {
		req, err = s.NewGET(c.URL, call.Host, call.Params)
	} else {
		body := call.Body
		if body == nil {
			body = []byte("{}")
		}
		req, err = s.NewPOST(c.URL, call.Host, body)
	}
	if err != nil {
		return nil, fmt.Errorf("fuzz: build %s: %w", call.Action, err)
	}
	if call.Tamper != nil {
		call.Tamper(req)
	}
	c.Sent++
	env, err := c.Exchange(req)
	if err != nil {
		return nil, fmt.Errorf("fuzz: %s: %w", call.Action, err)
	}
	return env, nil
}

// Send is Do for a plain POST of a request object.
func (c *Client) Send(action string, req map[string]any) (*harness.Envelope, []byte, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fuzz: marshal %s: %w", action, err)
	}
	env, err := c.Do(Call{Action: action, Body: body})
	if err == nil && c.Track && env.Code() == "" {
		if k, ok := createdBy[c.dialect()][action]; ok {
			if id := str(env, k[1]); id != "" {
				c.Created = append(c.Created, Created{Kind: k[0], ID: id})
			}
		}
	}
	return env, body, err
}

// str decodes a string member of a response.
func str(env *harness.Envelope, name string) string {
	var s string
	if raw, ok := env.Response[name]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// decode decodes a response member into v.
func decode(env *harness.Envelope, name string, v any) error {
	raw, ok := env.Response[name]
	if !ok {
		return fmt.Errorf("response has no %s", name)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

func isLoopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	return harness.IsLoopback(p.Hostname()) || strings.HasPrefix(p.Hostname(), "127.")
}
