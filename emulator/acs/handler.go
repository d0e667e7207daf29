package acs

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// Config configures the ACS handler.
type Config struct {
	Service Service
	// Tenants holds the AccessKey pairs: a tenant's SecretID/SecretKey are its
	// AccessKeyId/AccessKeySecret (the admin API's tenants get both).
	Tenants *tenants.Registry
	// Now is the wall clock used for request dates (default time.Now).
	Now func() time.Time
	// Logger receives internal errors (default: discarded). Secrets are never logged.
	Logger *slog.Logger
	// SkipSignature accepts any signature of a known AccessKeyId (a fault).
	SkipSignature bool
	// AcceptAnyDate skips the ±15 minutes check (a fault).
	AcceptAnyDate bool
	// NoRequestIDHeader omits x-acs-request-id (a fault).
	NoRequestIDHeader bool
	// BareErrorBody answers errors with Code and Message only (a fault).
	BareErrorBody bool
	// Chaos holds the documented failures on demand (nil: none; see
	// package chaos and chaos.go). Rules match the service ServiceName.
	Chaos *chaos.Set
}

type handler struct {
	svc    Service
	rt     *router
	ts     *tenants.Registry
	now    func() time.Time
	log    *slog.Logger
	skipSg bool
	anyDt  bool
	noRID  bool
	bare   bool
	chaos  *chaos.Set
}

// NewHandler returns the ACS handler.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Service == nil {
		return nil, errors.New("acs: no service")
	}
	if cfg.Tenants == nil {
		return nil, errors.New("acs: no tenant registry")
	}
	h := &handler{svc: cfg.Service, rt: newRouter(cfg.Service.Routes()), ts: cfg.Tenants, now: cfg.Now,
		log: cfg.Logger, skipSg: cfg.SkipSignature, anyDt: cfg.AcceptAnyDate,
		noRID: cfg.NoRequestIDHeader, bare: cfg.BareErrorBody, chaos: cfg.Chaos}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := NewRequestID()
	req := &Request{RequestID: reqID, Received: h.now()}
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("acs: panic serving request", "request_id", reqID, "op", req.Op,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			h.writeError(w, r, reqID, InternalError())
		}
	}()
	resp, e := h.serve(w, r, req)
	if e == errDropped {
		return // chaos closed the connection: nothing to write
	}
	if e != nil {
		h.writeError(w, r, reqID, e)
		return
	}
	h.writeResponse(w, r, reqID, resp)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request, req *Request) (*Response, *Error) {
	ctx := r.Context()
	q, e := parseQuery(r.URL.RawQuery)
	if e != nil {
		return nil, e
	}
	raw, e := readBody(r)
	if e != nil {
		return nil, e
	}
	if e := h.authenticate(r, raw, req); e != nil {
		return nil, e
	}
	if v := r.Header.Get("x-acs-version"); v != Version {
		return nil, Errorf(http.StatusForbidden, "InvalidVersion.NotFound", "Specified version is not found.")
	}
	segs, e := pathSegments(r.URL)
	if e != nil {
		return nil, e
	}
	rt, vars, e := h.rt.match(r.Method, segs, q)
	if e != nil {
		return nil, e
	}
	req.Op, req.Method, req.Path, req.Vars, req.Query, req.Raw = rt.Op, r.Method, r.URL.Path, vars, q, raw
	if req.Vars == nil {
		req.Vars = map[string]string{}
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		v, e := DecodeJSON(raw)
		if e != nil {
			return nil, e
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, Invalid("HttpBody", "Its type must be object.")
		}
		req.Body, req.HasBody = v, true
	}
	if e := h.applyChaos(w, r, req); e != nil {
		return nil, e
	}
	return h.svc.Handle(ctx, req)
}

// parseQuery decodes the query, keeping keys without a value ("?description").
func parseQuery(raw string) (url.Values, *Error) {
	if len(raw) > MaxQueryBytes {
		return nil, Errorf(http.StatusForbidden, "InvalidQueryString", "The query string exceeds %d bytes.", MaxQueryBytes)
	}
	q := url.Values{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || !utf8.ValidString(dk) || !utf8.ValidString(dv) {
			return nil, Errorf(http.StatusForbidden, "InvalidQueryString", "The query string is not valid percent-encoded UTF-8.")
		}
		if _, dup := q[dk]; dup {
			return nil, Errorf(http.StatusForbidden, "InvalidQueryString", "The query parameter %s is given more than once.", safe(dk))
		}
		q[dk] = []string{dv}
	}
	return q, nil
}

// pathSegments splits the escaped path and decodes each segment, so an
// escaped "/" inside a variable stays inside it.
func pathSegments(u *url.URL) ([]string, *Error) {
	segs := splitPath(u.EscapedPath())
	for i, s := range segs {
		d, err := url.PathUnescape(s)
		if err != nil || !utf8.ValidString(d) {
			return nil, Errorf(http.StatusBadRequest, "InvalidUrlPattern", "Specified url pattern contains some illegal words.")
		}
		segs[i] = d
	}
	return segs, nil
}

var errTooLarge = errors.New("body too large")

// readBody reads at most MaxBodyBytes (inflating x-acs-compress-type:
// deflate) and checks the content type.
func readBody(r *http.Request) ([]byte, *Error) {
	tooLarge := Invalid("HttpBody", fmt.Sprintf("Its size must be in [0, %d].", MaxBodyBytes))
	if r.ContentLength > MaxBodyBytes {
		return nil, tooLarge
	}
	raw, err := readLimited(r.Body, MaxBodyBytes)
	if errors.Is(err, errTooLarge) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, Invalid("HttpBody", "The request body could not be read.")
	}
	if len(raw) == 0 {
		return nil, nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		switch {
		case err != nil:
			return nil, Invalid("HttpBody", "Its content type must be application/json.")
		case mt == "application/json", mt == "application/json-rpc", mt == "text/plain", mt == "application/octet-stream":
			// JSON as documented; text/plain is what the aliyun-sdk JS client
			// sends (reference §A.1); octet-stream is its ChangeJobPriority.
		default:
			return nil, Invalid("HttpBody", "Its content type must be application/json.")
		}
	}
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("x-acs-compress-type"))) {
	case "":
		return raw, nil
	case "deflate":
		return inflate(raw, tooLarge)
	default:
		return nil, Invalid("HttpBody", "x-acs-compress-type must be deflate.")
	}
}

func inflate(raw []byte, tooLarge *Error) ([]byte, *Error) {
	var rd io.Reader
	if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
		rd = zr
	} else {
		rd = flate.NewReader(bytes.NewReader(raw))
	}
	out, err := readLimited(rd, MaxBodyBytes)
	if errors.Is(err, errTooLarge) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, Invalid("HttpBody", "The body is not valid deflate data.")
	}
	return out, nil
}

// readLimited never buffers more than limit+1 bytes whatever the client claims.
func readLimited(body io.Reader, limit int64) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	buf, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(buf)) > limit {
		return nil, errTooLarge
	}
	return buf, nil
}

// authenticate runs checks 2–5 of the package comment.
func (h *handler) authenticate(r *http.Request, body []byte, req *Request) *Error {
	id, sig, ok := ParseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return Invalid("Authorization", "It must be \"acs AccessKeyId:Signature\".")
	}
	ds := DateHeader(r.Header)
	if ds == "" {
		return Missing("Date")
	}
	t, found := h.ts.Get(id)
	date, err := http.ParseTime(ds)
	if err != nil {
		return Invalid("Date", "It must be an RFC 822 date in GMT.")
	}
	if !h.anyDt {
		now := h.now().Add(time.Duration(t.SkewSeconds) * time.Second)
		if d := now.Sub(date); d > MaxSkew || d < -MaxSkew {
			return Invalid("Date", "It must be within 15 minutes of the server time.")
		}
	}
	if !found {
		return Invalid("AccessKeyId", "")
	}
	if !h.skipSg && !Verify(t.SecretKey, sig, r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header) {
		return Invalid("Signature", "The request signature does not match the one the server calculated.")
	}
	if md := r.Header.Get("Content-MD5"); md != "" && !md5Matches(md, body) {
		return Invalid("ContentMD5", "It does not match the request body.")
	}
	req.AccessKeyID = id
	return nil
}

func md5Matches(h string, body []byte) bool {
	sum := md5.Sum(body)
	return h == base64.StdEncoding.EncodeToString(sum[:]) || strings.EqualFold(h, hex.EncodeToString(sum[:]))
}

// DecodeJSON decodes one JSON value with numbers as json.Number: trailing
// data, invalid UTF-8 and nesting deeper than MaxDepth are InvalidJsonFormat.
func DecodeJSON(raw []byte) (any, *Error) {
	bad := Errorf(http.StatusBadRequest, "InvalidJsonFormat", "The request body has an invalid json format.")
	if !utf8.Valid(raw) || depthExceeds(raw, MaxDepth) {
		return nil, bad
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, bad
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad
	}
	return v, nil
}

// depthExceeds scans brackets outside strings (cheap, before decoding, so a
// deeply nested body costs no recursion).
func depthExceeds(raw []byte, max int) bool {
	depth, inStr, esc := 0, false, false
	for _, c := range raw {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// errorBody is the documented error shape.
type errorBody struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

func (h *handler) writeError(w http.ResponseWriter, r *http.Request, reqID string, e *Error) {
	var b []byte
	if h.bare {
		b, _ = json.Marshal(map[string]string{"Code": e.Code, "Message": e.Message})
	} else {
		b, _ = json.Marshal(errorBody{Code: e.Code, Message: e.Message, RequestID: reqID, HostID: safe(r.Host)})
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if !h.noRID {
		w.Header().Set("x-acs-request-id", reqID)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

func (h *handler) writeResponse(w http.ResponseWriter, r *http.Request, reqID string, resp *Response) {
	if !h.noRID {
		w.Header().Set("x-acs-request-id", reqID)
	}
	if resp.Body == nil || resp.Status == http.StatusNoContent {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(resp.Status)
		return
	}
	b, err := json.Marshal(resp.Body)
	if err != nil {
		h.writeError(w, r, reqID, InternalError())
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(resp.Status)
	_, _ = w.Write(b)
}

// NewRequestID returns an upper-case UUID (the shape of ACS request IDs).
func NewRequestID() string {
	a, b := rand.Uint64(), rand.Uint64()
	s := fmt.Sprintf("%016X%016X", a, b)
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-" + s[16:20] + "-" + s[20:32]
}

// safe keeps client-chosen text in messages short and printable.
func safe(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
