package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	oceanus "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/oceanus/v20190422"

	"github.com/batchconform/batchconform/clients/api3"
)

var (
	trMu       sync.Mutex
	transports = map[string]*transport{}
)

// transport returns the target's shared transport: one rate limiter per
// target and action for the whole process.
func (t *Target) transport() *transport {
	trMu.Lock()
	defer trMu.Unlock()
	tr := transports[t.Dialect+"|"+t.URL]
	if tr == nil {
		timeout := t.RequestTimeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		tr = newTransport(timeout, t.RateLimit)
		tr.dialect = t.Dialect
		tr.budget = t.Budget
		if t.Live {
			tr.maxAlive = t.MaxResources
			tr.backoffFor = t.SecretID
		}
		transports[t.Dialect+"|"+t.URL] = tr
	}
	return tr
}

// LastExchange returns the target's most recent request/response (redacted).
func (t *Target) LastExchange() (Exchange, bool) { return t.transport().Last() }

// ClientOptions choose the wire form of an SDK client.
type ClientOptions struct {
	SignMethod string // TC3-HMAC-SHA256 (default), HmacSHA256, HmacSHA1
	ReqMethod  string // POST (default) or GET
	SecretID   string // default: the target's
	SecretKey  string // default: the target's
}

// sdkConfig is what every Tencent SDK client of the target needs: the
// credential and a profile whose deadline the transport enforces.
func (t *Target) sdkConfig(opts []ClientOptions) (*common.Credential, *profile.ClientProfile) {
	var o ClientOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	id, key := t.SecretID, t.SecretKey
	if o.SecretID != "" {
		id = o.SecretID
	}
	if o.SecretKey != "" {
		key = o.SecretKey
	}
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = t.Host
	p.HttpProfile.Scheme = t.Scheme
	p.HttpProfile.ReqMethod = "POST"
	if o.ReqMethod != "" {
		p.HttpProfile.ReqMethod = o.ReqMethod
	}
	secs := int(t.RequestTimeout / time.Second)
	if secs < 1 {
		secs = 30
	}
	p.HttpProfile.ReqTimeout = secs + 1 // the transport's deadline fires first
	if o.SignMethod != "" {
		p.SignMethod = o.SignMethod
	}
	return common.NewCredential(id, key), p
}

// Batch returns a Tencent Batch SDK client for the target. The SDK has no
// context: the deadline is the profile's ReqTimeout plus the transport's own.
func (t *Target) Batch(opts ...ClientOptions) *batch.Client {
	cred, p := t.sdkConfig(opts)
	c, err := batch.NewClient(cred, t.Region, p)
	if err != nil {
		panic(fmt.Sprintf("harness: batch.NewClient: %v", err)) // only a nil profile fails
	}
	c.WithHttpTransport(t.transport())
	return c
}

// Oceanus returns a Tencent Cloud Oceanus SDK client (v1.0.162: 15 of the 53
// actions; reach the others with Raw and Version OceanusVersion).
func (t *Target) Oceanus(opts ...ClientOptions) *oceanus.Client {
	cred, p := t.sdkConfig(opts)
	c, err := oceanus.NewClient(cred, t.Region, p)
	if err != nil {
		panic(fmt.Sprintf("harness: oceanus.NewClient: %v", err))
	}
	c.WithHttpTransport(t.transport())
	return c
}

// API versions and signing services of the API 3.0 products.
const (
	BatchVersion   = "2017-03-12"
	OceanusVersion = "2019-04-22"
)

// SDKError returns the API error code of an SDK error ("" if err is not one).
func SDKError(err error) (code, message, requestID string) {
	var se *sdkerr.TencentCloudSDKError
	if errors.As(err, &se) {
		return se.Code, se.Message, se.RequestId
	}
	return "", "", ""
}

// RawRequest describes a raw, hand-signed API 3.0 request: what the SDK
// cannot send (a chosen timestamp, a wrong key or scope, a tampered body, a
// product hostname in the Host header, newer actions).
type RawRequest struct {
	Action  string
	Version string // default 2017-03-12 (Batch)
	Service string // scope service, default "batch"
	Body    []byte // JSON body (POST); nil with Params for GET
	Params  url.Values
	Method  string // POST (default) or GET
	Host    string // Host header (and signed host); default the target's host:port
	// Signing knobs.
	Timestamp   time.Time // default now
	ScopeDate   string
	SecretID    string
	SecretKey   string
	Region      string // default the target's; "-" = omit
	NoSignature bool   // send without Authorization
	Tamper      func(*http.Request)
}

// Envelope is an API 3.0 response (clients/api3.Envelope, where the fuzzer
// and tools parse answers too).
type Envelope = api3.Envelope

// Raw sends a raw API 3.0 request through the target's transport.
func (t *Target) Raw(r RawRequest) (*Envelope, error) {
	if r.Version == "" {
		r.Version = "2017-03-12"
	}
	if r.Service == "" {
		r.Service = "batch"
	}
	if r.Timestamp.IsZero() {
		r.Timestamp = time.Now()
	}
	if r.SecretID == "" {
		r.SecretID = t.SecretID
	}
	if r.SecretKey == "" {
		r.SecretKey = t.SecretKey
	}
	region := t.Region
	if r.Region == "-" {
		region = ""
	} else if r.Region != "" {
		region = r.Region
	}
	s := api3.TC3{SecretID: r.SecretID, SecretKey: r.SecretKey, Service: r.Service, Action: r.Action,
		Version: r.Version, Region: region, Timestamp: r.Timestamp, ScopeDate: r.ScopeDate}
	var req *http.Request
	var err error
	if r.Method == http.MethodGet {
		req, err = s.NewGET(t.URL, r.Host, r.Params)
	} else {
		if r.Body == nil {
			r.Body = []byte("{}")
		}
		req, err = s.NewPOST(t.URL, r.Host, r.Body)
	}
	if err != nil {
		return nil, fmt.Errorf("harness: build %s: %w", r.Action, err)
	}
	if r.NoSignature {
		req.Header.Del("Authorization")
	}
	if r.Tamper != nil {
		r.Tamper(req)
	}
	return t.Do(req)
}

// Do sends any request through the target's transport and parses the
// envelope (a malformed one is reported in DecodeErr, not as an error).
func (t *Target) Do(req *http.Request) (*Envelope, error) {
	resp, err := (&http.Client{Transport: t.transport()}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	env := ParseEnvelope(resp.StatusCode, resp.Header, body)
	if env.DecodeErr == nil && env.Error == nil && len(env.Response) > 0 {
		// Every answer feeds the states-move breaker (breaker.go).
		m := make(map[string]any, len(env.Response))
		for k, raw := range env.Response {
			var v any
			if json.Unmarshal(raw, &v) == nil {
				m[k] = v
			}
		}
		t.observeResponse(m)
	}
	return env, nil
}

// ParseEnvelope parses an API 3.0 envelope (see clients/api3.ParseEnvelope).
func ParseEnvelope(status int, h http.Header, body []byte) *Envelope {
	return api3.ParseEnvelope(status, h, body)
}

// V1Params builds v1 parameters for a raw v1 request to Tencent Batch.
func (t *Target) V1Params(action string, business url.Values, ts time.Time) url.Values {
	return t.V1ParamsOf(BatchVersion, action, business, ts)
}

// V1ParamsOf builds v1 parameters for a raw v1 request of an API version.
func (t *Target) V1ParamsOf(version, action string, business url.Values, ts time.Time) url.Values {
	p := url.Values{}
	for k, v := range business {
		p[k] = v
	}
	p.Set("Action", action)
	p.Set("Version", version)
	p.Set("Region", t.Region)
	p.Set("Timestamp", strconv.FormatInt(ts.Unix(), 10))
	p.Set("Nonce", strconv.FormatInt(ts.UnixNano()%1000000007+1, 10))
	return p
}
