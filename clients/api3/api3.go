// Package api3 signs raw Tencent Cloud API 3.0 requests on the client side:
// TC3-HMAC-SHA256 and the v1 HmacSHA256/HmacSHA1 signatures, as documented.
// The suite uses it for what the official SDK cannot send (a chosen timestamp,
// a tampered body, a wrong scope, newer actions). It is deliberately written
// apart from the emulator's verifier, so one implementation checks the other.
package api3

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TC3 describes one TC3-HMAC-SHA256 request.
type TC3 struct {
	SecretID, SecretKey string
	Service             string // scope service, e.g. "batch"
	Action, Version     string
	Region              string // "" omits X-TC-Region
	Timestamp           time.Time
	// ScopeDate overrides the scope's date (default: the UTC date of Timestamp).
	ScopeDate string
	Unsigned  bool // X-TC-Content-SHA256: UNSIGNED-PAYLOAD
	Token     string
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// Authorization computes the Authorization header value for a request with
// the given method, host (with port), raw query, content type and payload.
func (s TC3) Authorization(method, host, rawQuery, contentType string, payload []byte) string {
	date := s.ScopeDate
	if date == "" {
		date = s.Timestamp.UTC().Format("2006-01-02")
	}
	ph := sha256hex(payload)
	if s.Unsigned {
		ph = sha256hex([]byte("UNSIGNED-PAYLOAD"))
	}
	canonical := method + "\n/\n" + rawQuery + "\ncontent-type:" + contentType + "\nhost:" + host +
		"\n\ncontent-type;host\n" + ph
	scope := date + "/" + s.Service + "/tc3_request"
	sts := "TC3-HMAC-SHA256\n" + strconv.FormatInt(s.Timestamp.Unix(), 10) + "\n" + scope + "\n" + sha256hex([]byte(canonical))
	k := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+s.SecretKey), date), s.Service), "tc3_request")
	sig := hex.EncodeToString(hmacSHA256(k, sts))
	return "TC3-HMAC-SHA256 Credential=" + s.SecretID + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + sig
}

// NewPOST builds a signed TC3 JSON POST to baseURL (http://host:port). Host
// overrides the Host header (and the signed host) when non-empty.
func (s TC3) NewPOST(baseURL, host string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(baseURL, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if host == "" {
		host = req.URL.Host
	}
	req.Host = host
	ct := "application/json"
	req.Header.Set("Content-Type", ct)
	s.headers(req)
	req.Header.Set("Authorization", s.Authorization(http.MethodPost, host, "", ct, body))
	return req, nil
}

// NewGET builds a signed TC3 GET with the business parameters in the query.
func (s TC3) NewGET(baseURL, host string, params url.Values) (*http.Request, error) {
	q := params.Encode()
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/?"+q, nil)
	if err != nil {
		return nil, err
	}
	if host == "" {
		host = req.URL.Host
	}
	req.Host = host
	ct := "application/x-www-form-urlencoded"
	req.Header.Set("Content-Type", ct)
	s.headers(req)
	req.Header.Set("Authorization", s.Authorization(http.MethodGet, host, q, ct, nil))
	return req, nil
}

func (s TC3) headers(req *http.Request) {
	req.Header.Set("X-TC-Action", s.Action)
	req.Header.Set("X-TC-Version", s.Version)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(s.Timestamp.Unix(), 10))
	if s.Region != "" {
		req.Header.Set("X-TC-Region", s.Region)
	}
	if s.Token != "" {
		req.Header.Set("X-TC-Token", s.Token)
	}
	if s.Unsigned {
		req.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
	}
}

// V1 signs v1 requests (common parameters in the query or form body).
type V1 struct {
	SecretID, SecretKey string
	Method              string // HmacSHA256 or HmacSHA1
}

// Sign adds SecretId, SignatureMethod (for HmacSHA256) and Signature to params,
// which must already hold Action, Version, Region, Timestamp and Nonce.
func (s V1) Sign(httpMethod, host string, params url.Values) {
	params.Set("SecretId", s.SecretID)
	if s.Method == "HmacSHA256" {
		params.Set("SignatureMethod", "HmacSHA256")
	}
	params.Del("Signature")
	params.Set("Signature", s.Signature(httpMethod, host, params))
}

// Signature computes the v1 signature of params (Signature excluded).
func (s V1) Signature(httpMethod, host string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(httpMethod + host + "/?")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + params.Get(k))
	}
	var h func() hash.Hash = sha1.New
	if s.Method == "HmacSHA256" {
		h = sha256.New
	}
	m := hmac.New(h, []byte(s.SecretKey))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
