// Package acs is the suite's own signed client for Alibaba Cloud ACS REST APIs
// (BatchCompute 2015-11-11): it signs requests with the documented
// `Authorization: acs AccessKeyId:Signature` HMAC-SHA1 scheme (reference §A.2)
// and lets a caller choose everything the official SDK cannot (a date, a wrong
// secret, a tampered header, the Date or x-acs-date slot, a text/plain body).
//
// It is written apart from the emulator's verifier (emulator/acs), so one
// implementation checks the other; the aliyun-sdk interop test checks both
// against the official JS signer.
package acs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Version is the BatchCompute API version sent in x-acs-version.
const Version = "2015-11-11"

// Signer holds the AccessKey pair.
type Signer struct {
	AccessKeyID, AccessKeySecret string
}

// StringToSign builds VERB\nAccept\nContent-MD5\nContent-Type\nDate\n +
// canonicalized x-acs-* headers + canonicalized resource. The Date slot takes
// x-acs-date when present (as the JS SDK signs), else Date.
func StringToSign(method string, h http.Header, path, rawQuery string) string {
	date := h.Get("x-acs-date")
	if date == "" {
		date = h.Get("Date")
	}
	var b strings.Builder
	for _, s := range []string{method, h.Get("Accept"), h.Get("Content-MD5"), h.Get("Content-Type"), date} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	var names []string
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-acs-") {
			names = append(names, k)
		}
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	for _, k := range names {
		b.WriteString(strings.ToLower(k) + ":" + strings.Join(h[k], ",") + "\n")
	}
	b.WriteString(resource(path, rawQuery))
	return b.String()
}

// resource is the decoded path plus the sorted query (bare names for empty
// values), the JS SDK's reading.
func resource(path, rawQuery string) string {
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	if rawQuery == "" {
		return path
	}
	parts := strings.Split(rawQuery, "&")
	var kept []string
	for _, p := range parts {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		if v == "" {
			kept = append(kept, k)
		} else {
			kept = append(kept, k+"="+v)
		}
	}
	if len(kept) == 0 {
		return path
	}
	sort.SliceStable(kept, func(i, j int) bool {
		ki, _, _ := strings.Cut(kept[i], "=")
		kj, _, _ := strings.Cut(kept[j], "=")
		return ki < kj
	})
	return path + "?" + strings.Join(kept, "&")
}

// Signature is base64(HMAC-SHA1(secret, stringToSign)).
func (s Signer) Signature(stringToSign string) string {
	m := hmac.New(sha1.New, []byte(s.AccessKeySecret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sign sets Authorization on req from its current headers, path and query.
func (s Signer) Sign(req *http.Request) {
	sts := StringToSign(req.Method, req.Header, req.URL.EscapedPath(), req.URL.RawQuery)
	req.Header.Set("Authorization", "acs "+s.AccessKeyID+":"+s.Signature(sts))
}

// Options shape one request; the zero value is an ordinary signed request.
type Options struct {
	Date        time.Time // zero: now
	UseACSDate  bool      // put the date in x-acs-date (as the JS SDK) instead of Date
	ContentType string    // default application/json when there is a body
	NoMD5       bool      // omit Content-MD5
	NoVersion   bool      // omit x-acs-version
	Headers     http.Header
	// Mutate runs after signing (to tamper with a signed request).
	Mutate func(*http.Request)
}

// Client sends signed requests to one endpoint.
type Client struct {
	Endpoint string // http://host:port
	Signer   Signer
	HTTP     *http.Client
	Host     string // overrides the Host header when set
}

// Response is a raw ACS response.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
}

// Error decodes an error body ({Code, Message, RequestId, HostId}).
type Error struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

// Err returns the decoded error of a non-2xx response (nil for 2xx or a body
// that is not the documented shape).
func (r *Response) Err() *Error {
	if r.Status < 300 {
		return nil
	}
	var e Error
	if json.Unmarshal(r.Body, &e) != nil || e.Code == "" {
		return nil
	}
	return &e
}

// NewRequest builds a signed request. pathAndQuery is e.g. "/jobs?Marker=&MaxItemCount=2".
func (c *Client) NewRequest(ctx context.Context, method, pathAndQuery string, body []byte, o Options) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Endpoint, "/")+pathAndQuery, rd)
	if err != nil {
		return nil, fmt.Errorf("acs: build %s %s: %w", method, pathAndQuery, err)
	}
	if c.Host != "" {
		req.Host = c.Host
	}
	d := o.Date
	if d.IsZero() {
		d = time.Now()
	}
	ds := d.UTC().Format(http.TimeFormat)
	if o.UseACSDate {
		req.Header.Set("x-acs-date", ds)
	} else {
		req.Header.Set("Date", ds)
	}
	req.Header.Set("Accept", "application/json")
	if !o.NoVersion {
		req.Header.Set("x-acs-version", Version)
	}
	req.Header.Set("x-acs-signature-method", "HMAC-SHA1")
	req.Header.Set("x-acs-signature-version", "1.0")
	if body != nil {
		ct := o.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
		if !o.NoMD5 {
			sum := md5.Sum(body)
			req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		}
	}
	for k, vs := range o.Headers {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	c.Signer.Sign(req)
	if o.Mutate != nil {
		o.Mutate(req)
	}
	return req, nil
}

// Do sends a signed request and reads the whole response.
func (c *Client) Do(ctx context.Context, method, pathAndQuery string, body []byte, o Options) (*Response, error) {
	req, err := c.NewRequest(ctx, method, pathAndQuery, body, o)
	if err != nil {
		return nil, err
	}
	return c.Send(req)
}

// Send sends a prepared request.
func (c *Client) Send(req *http.Request) (*Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("acs: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("acs: read %s %s: %w", req.Method, req.URL.Path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, RequestID: resp.Header.Get("x-acs-request-id")}, nil
}

// JSON is a helper: Do with v marshalled as the body (nil v: no body), and
// the 2xx body decoded into out (when out is non-nil).
func (c *Client) JSON(ctx context.Context, method, pathAndQuery string, v, out any) (*Response, error) {
	var body []byte
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("acs: marshal body: %w", err)
		}
		body = b
	}
	r, err := c.Do(ctx, method, pathAndQuery, body, Options{})
	if err != nil {
		return nil, err
	}
	if out != nil && r.Status < 300 && len(r.Body) > 0 {
		if err := json.Unmarshal(r.Body, out); err != nil {
			return r, fmt.Errorf("acs: decode %s %s: %w", method, pathAndQuery, err)
		}
	}
	return r, nil
}
