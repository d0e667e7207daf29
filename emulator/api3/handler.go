package api3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/emulator/validate"
	"github.com/batchconform/batchconform/fixtures"
)

// Documented request size limits (reference §4).
const (
	MaxTC3PostBytes = 10 << 20 // TC3 POST body
	MaxV1PostBytes  = 1 << 20  // v1 (form) POST body
	MaxGetBytes     = 32 << 10 // GET query string
)

// MaxSkew is the documented signature window: a timestamp more than five
// minutes from the server's time is AuthFailure.SignatureExpire.
const MaxSkew = 300 // seconds

// Config configures the API 3.0 handler.
type Config struct {
	// Products served on the address, routed by API version (each product's
	// Catalog().Version) and, when the Host names one, by service.
	Products []Product
	// Tenants holds the credentials and per-tenant settings (clock skew, rate
	// limit).
	Tenants *tenants.Registry
	// Faults switched on (nil: none).
	Faults *faults.Set
	// Now is the wall clock used for signature timestamps (default time.Now).
	Now func() time.Time
	// RateLimit is the default requests/s per tenant and action for tenants
	// whose RateLimit is 0; 0 switches the default off.
	RateLimit float64
	// ReadTimeout, if positive, bounds reading each request body through the
	// connection's read deadline, so a client that stalls mid-body cannot hold
	// a handler. Leave it 0 when the http.Server has its own ReadTimeout (it
	// costs a deadline update per request).
	ReadTimeout time.Duration
	// Logger receives internal errors (default: discarded). Secrets are never
	// logged.
	Logger *slog.Logger
	// Chaos injects documented failures into authenticated, routed requests
	// (nil: none; see package chaos).
	Chaos *chaos.Set
}

type product struct {
	p       Product
	cat     *fixtures.Catalog
	actions map[string]*fixtures.Action
	regions map[string]bool // nil: any region
	typer   *typer
}

type handler struct {
	byVersion map[string]*product
	byService map[string]*product
	tenants   *tenants.Registry
	faults    *faults.Set
	skipRules map[string]bool
	now       func() time.Time
	rate      float64
	readTO    time.Duration
	log       *slog.Logger
	limiter   limiter
	keys      keyCache
	chaos     *chaos.Set

	skipSig, acceptExpired, http400, numStrings bool
	more                                        *moreFaults
}

// NewHandler returns the API 3.0 handler. Faults are resolved once here.
func NewHandler(cfg Config) (http.Handler, error) {
	if len(cfg.Products) == 0 {
		return nil, errors.New("api3: no products")
	}
	if cfg.Tenants == nil {
		return nil, errors.New("api3: no tenant registry")
	}
	h := &handler{
		byVersion: map[string]*product{}, byService: map[string]*product{},
		tenants: cfg.Tenants, faults: cfg.Faults, now: cfg.Now, rate: cfg.RateLimit,
		readTO: cfg.ReadTimeout, log: cfg.Logger, skipRules: map[string]bool{}, chaos: cfg.Chaos,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, p := range cfg.Products {
		cat := p.Catalog()
		if cat == nil || cat.Version == "" {
			return nil, errors.New("api3: product without a catalog version")
		}
		if _, dup := h.byVersion[cat.Version]; dup {
			return nil, fmt.Errorf("api3: two products with version %s", cat.Version)
		}
		pr := &product{p: p, cat: cat, actions: map[string]*fixtures.Action{}, typer: newTyper(cat)}
		addKnownNames(cat)
		for i := range cat.Actions {
			pr.actions[cat.Actions[i].Name] = &cat.Actions[i]
		}
		if len(cat.Regions) > 0 {
			pr.regions = map[string]bool{}
			for r := range cat.Regions {
				pr.regions[r] = true
			}
		}
		h.byVersion[cat.Version] = pr
		if cat.Service != "" {
			h.byService[cat.Service] = pr
		}
	}
	// Validation faults are generic: a rule is skipped when a fault that is
	// on declares its item ID.
	for _, name := range cfg.Faults.Names() {
		if f, ok := faults.Lookup(name); ok {
			for _, id := range f.Items {
				h.skipRules[id] = true
			}
		}
	}
	h.skipSig = cfg.Faults.On(faults.SkipSignatureCheck)
	h.acceptExpired = cfg.Faults.On(faults.AcceptExpiredSig)
	h.http400 = cfg.Faults.On(faults.ErrorsAsHTTP400)
	h.numStrings = cfg.Faults.On(faults.NumbersAsStrings)
	h.more = newMoreFaults(cfg.Faults)
	for _, p := range h.byVersion {
		p.typer.strictBool = h.more.strictBool && p.cat.Dialect == h.more.dialect
	}
	return h, nil
}

// v1Common are the v1 common parameters; they are not business parameters.
var v1Common = map[string]bool{
	"Action": true, "Version": true, "Region": true, "Timestamp": true, "Nonce": true,
	"SecretId": true, "Signature": true, "SignatureMethod": true, "Token": true,
	"Language": true, "RequestClient": true,
}

func isV1Common(k string) bool { return v1Common[k] }

// Common error messages.
const (
	msgSigFailure = "The provided credentials could not be validated. Please check your signature is correct."
	msgInternal   = "An internal error has occurred. Retry your request, but if the problem persists, contact us."
)

// call is the state of one request as it passes the checks.
type call struct {
	r         *http.Request
	tc3       bool
	get       bool
	body      []byte
	vals      url.Values // v1 parameters, or the TC3 GET query
	auth      TC3Auth
	tenant    tenants.Tenant
	req       *Request // its own allocation: handlers may keep it, the call stays on the stack
	product   *product
	requestID string
	// arena lent the maps of the parameters (a JSON body); ServeHTTP
	// takes them back once the response is written.
	arena *mapArena
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := call{r: r, requestID: newUUID(), req: &Request{}}
	defer func() {
		// Last (deferred first): the answer, error or not, is written and
		// nothing refers to the parameters any more.
		if c.arena != nil {
			c.req.Params = nil
			c.arena.release()
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("api3: panic serving request", "request_id", c.requestID,
				"action", c.req.Action, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			h.writeError(w, c.requestID, &Error{Code: "InternalError", Message: msgInternal})
		}
	}()
	resp, e := h.serve(w, &c)
	if e == errDropped {
		return // chaos closed the connection: nothing to write
	}
	if e != nil {
		if h.more.any && h.faultTarget(&c) {
			e, rid := h.more.answerError(&c, e)
			h.writeErrorData(w, rid, e, h.more.errorData)
			return
		}
		h.writeError(w, c.requestID, e)
		return
	}
	if h.more.any && h.faultTarget(&c) {
		h.more.answered(c.requestID)
	}
	h.writeResponse(w, c.requestID, resp)
}

func (h *handler) serve(w http.ResponseWriter, c *call) (any, *Error) {
	if e := h.readRequest(w, c); e != nil {
		return nil, e
	}
	if e := h.authenticate(c); e != nil {
		return nil, e
	}
	if e := h.route(c); e != nil {
		return nil, e
	}
	// A Token belongs to temporary credentials, which the emulator never
	// issues: with a permanent SecretId any token is invalid.
	if c.req.Token != "" && !(h.more.tokenIgnored && h.faultTarget(c)) {
		return nil, Errorf("AuthFailure.TokenFailure", "The token is invalid: the credentials are not temporary credentials.")
	}
	if e := h.applyChaos(w, c); e != nil {
		return nil, e
	}
	if !h.allow(c) {
		return nil, Errorf("RequestLimitExceeded", "Your request rate for %s exceeds the limit.", c.req.Action)
	}
	if e := h.params(c); e != nil {
		return nil, e
	}
	resp, e := h.handle(c)
	if e != nil {
		return nil, e
	}
	return resp, nil
}

// readRequest checks the method and content type, picks the signature
// version, enforces the size limits and reads the body.
func (h *handler) readRequest(w http.ResponseWriter, c *call) *Error {
	r := c.r
	authz := header(r.Header, "Authorization")
	isTC3 := strings.HasPrefix(authz, TC3Algorithm)
	switch r.Method {
	case http.MethodGet:
		c.get = true
		if len(r.URL.RawQuery) > MaxGetBytes && !(h.more.getSizeIgnored && h.faultTarget(c)) {
			return sizeError("GET query", MaxGetBytes)
		}
		switch {
		case isTC3:
			c.tc3 = true
		case authz != "":
			return Errorf("AuthFailure.InvalidAuthorization", "The Authorization header is not a TC3-HMAC-SHA256 authorization.")
		}
		return nil
	case http.MethodPost:
	default:
		return Errorf("UnsupportedProtocol", "The HTTP method %s is not supported; use GET or POST.", safeToken(r.Method))
	}
	ct, _, _ := strings.Cut(header(r.Header, "Content-Type"), ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	limit := int64(MaxTC3PostBytes)
	switch ct {
	case "application/json":
		if !isTC3 {
			if authz == "" {
				return Errorf("AuthFailure.InvalidAuthorization", "A JSON request must carry a TC3-HMAC-SHA256 Authorization header.")
			}
			return Errorf("AuthFailure.InvalidAuthorization", "The Authorization header is not a TC3-HMAC-SHA256 authorization.")
		}
		c.tc3 = true
	case "application/x-www-form-urlencoded":
		if authz != "" {
			return Errorf("UnsupportedProtocol", "A form-encoded POST must be signed with HmacSHA1 or HmacSHA256 (signature v1).")
		}
		limit = MaxV1PostBytes
	default:
		// multipart/form-data is accepted by a few other products only;
		// for these actions the body is not a valid request.
		if strings.HasPrefix(strings.ToLower(ct), "multipart/form-data") {
			return Errorf("InvalidRequest", "multipart/form-data bodies are not accepted by this action.")
		}
		return Errorf("UnsupportedProtocol", "The content type %q is not supported; use application/json (TC3) or application/x-www-form-urlencoded (v1).", safeToken(ct))
	}
	if r.ContentLength > limit {
		return sizeError("request body", limit)
	}
	if h.readTO > 0 {
		// Not supported by every ResponseWriter (e.g. test recorders): then the
		// server's own timeouts apply.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.readTO))
	}
	body, err := readLimited(r.Body, r.ContentLength, limit)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return sizeError("request body", limit)
		}
		return Errorf("InvalidParameter", "The request body could not be read.")
	}
	c.body = body
	if !c.tc3 {
		vals, err := parseQuery(string(body))
		if err != nil {
			return Errorf("InvalidParameter", "%s", err.Error())
		}
		c.vals = vals
	}
	return nil
}

var errTooLarge = errors.New("body too large")

// readLimited reads at most limit bytes; one byte more is errTooLarge. It
// never buffers more than limit+1 bytes whatever the client claims.
func readLimited(body io.Reader, n, limit int64) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	if n >= 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		return buf, nil
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

func sizeError(what string, limit int64) *Error {
	return Errorf("RequestSizeLimitExceeded", "The %s exceeds the limit of %d bytes.", what, limit)
}

// safeToken keeps client-chosen text in messages short and printable.
func safeToken(s string) string {
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

// authenticate verifies the signature: malformed authorization, expired
// timestamp, unknown SecretId, signature mismatch, in that order.
func (h *handler) authenticate(c *call) *Error {
	if c.tc3 {
		return h.authTC3(c)
	}
	return h.authV1(c)
}

func (h *handler) checkTime(ts int64, t tenants.Tenant) *Error {
	if h.acceptExpired {
		return nil
	}
	now := h.now().Unix() + t.SkewSeconds
	if d := now - ts; d > MaxSkew || d < -MaxSkew {
		return Errorf("AuthFailure.SignatureExpire", "The signature expired: the request timestamp %d is more than 5 minutes from the server time %d.", ts, now)
	}
	return nil
}

func (h *handler) authTC3(c *call) *Error {
	r := c.r
	a, err := ParseTC3Authorization(header(r.Header, "Authorization"))
	if err != nil {
		return Errorf("AuthFailure.InvalidAuthorization", "The Authorization header is malformed: %s.", err.Error())
	}
	c.auth = a
	tsStr := header(r.Header, "X-Tc-Timestamp")
	if tsStr == "" {
		return Errorf("MissingParameter", "The request is missing a required parameter `X-TC-Timestamp`.")
	}
	ts, ok := intParam(tsStr)
	if !ok {
		return Errorf("InvalidParameter", "The value of parameter `X-TC-Timestamp` is not a Unix time in seconds.")
	}
	t, found := h.tenants.Get(a.SecretID)
	if e := h.checkTime(ts, t); e != nil {
		return e
	}
	if !found {
		return Errorf("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")
	}
	c.tenant = t
	c.req.SecretID = a.SecretID
	c.req.SignMethod = TC3Algorithm
	if h.skipSig {
		return nil
	}
	// The scope's date is the UTC date of X-TC-Timestamp; its service must
	// name the product when the Host does (batch.tencentcloudapi.com). For an
	// IP or localhost Host the scope is verified as signed.
	var dbuf [16]byte
	if a.Date != string(time.Unix(ts, 0).UTC().AppendFormat(dbuf[:0], "2006-01-02")) && !(h.more.scopeDate && h.faultTarget(c)) {
		return Errorf("AuthFailure.SignatureFailure", msgSigFailure)
	}
	if svc, ok := h.hostService(r.Host); ok && a.Service != svc && !(h.more.scopeService && h.faultTarget(c)) {
		return Errorf("AuthFailure.SignatureFailure", msgSigFailure)
	}
	in := TC3Input{
		Method: r.Method, Path: r.URL.Path, Header: func(n string) string { return signedHeader(r.Header, n) }, Host: r.Host,
		Timestamp: tsStr, Payload: c.body,
		Unsigned: header(r.Header, "X-Tc-Content-Sha256") == unsignedPayload,
	}
	if c.get {
		in.Query, in.Payload = r.URL.RawQuery, nil
	}
	key := h.keys.get(a.SecretID, t.SecretKey, a.Date, a.Service)
	if sumMatches(tc3Sum(key, a.SignedHeaders, in, a.Date, a.Service), a.Signature) {
		return nil
	}
	// The Node.js SDK (tencentcloud-sdk-nodejs 4.x, common/sign.js) signs
	// "host:" + URL.hostname, the Host without its port, while it sends the
	// Host header with the port (and the Go SDK signs the header as sent).
	// Behind the real endpoints (443) the Host carries no port, so both
	// readings give the same canonical request and the real service cannot
	// tell them apart; on an emulator port we accept either.
	if name, ok := hostWithoutPort(r.Host); ok {
		in.Host = name
		if sumMatches(tc3Sum(key, a.SignedHeaders, in, a.Date, a.Service), a.Signature) {
			return nil
		}
	}
	return Errorf("AuthFailure.SignatureFailure", msgSigFailure)
}

// hostWithoutPort returns host with a trailing ":port" removed, as the WHATWG
// URL's hostname has it ("127.0.0.1:9000" -> "127.0.0.1", "[::1]:9000" ->
// "[::1]": IPv6 brackets are kept), and whether there was a port.
func hostWithoutPort(host string) (string, bool) {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.HasSuffix(host, "]") || i == len(host)-1 {
		return "", false
	}
	for _, c := range host[i+1:] {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return host[:i], true
}

func (h *handler) authV1(c *call) *Error {
	r := c.r
	if c.get {
		vals, err := parseQuery(r.URL.RawQuery)
		if err != nil {
			return Errorf("InvalidParameter", "%s", err.Error())
		}
		c.vals = vals
	}
	v := c.vals
	for _, k := range [...]string{"SecretId", "Signature", "Timestamp", "Nonce"} {
		if v.Get(k) == "" {
			return Errorf("MissingParameter", "The request is missing a required parameter `%s`.", k)
		}
	}
	ts, ok := intParam(v.Get("Timestamp"))
	if !ok {
		return Errorf("InvalidParameter", "The value of parameter `Timestamp` is not a Unix time in seconds.")
	}
	if _, ok := intParam(v.Get("Nonce")); !ok {
		return Errorf("InvalidParameter", "The value of parameter `Nonce` is not an integer.")
	}
	id := v.Get("SecretId")
	t, found := h.tenants.Get(id)
	if e := h.checkTime(ts, t); e != nil {
		return e
	}
	if !found {
		return Errorf("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")
	}
	c.tenant = t
	c.req.SecretID = id
	method := v.Get("SignatureMethod")
	if method == "HmacSHA256" {
		c.req.SignMethod = "HmacSHA256"
	} else {
		c.req.SignMethod = "HmacSHA1"
	}
	if h.skipSig || (h.more.v1SHA1GetUnverified && c.get && c.req.SignMethod == "HmacSHA1" && h.faultTarget(c)) {
		return nil
	}
	sts := V1StringToSign(r.Method, r.Host, r.URL.Path, v)
	if !equalStrings(V1Signature(t.SecretKey, method, sts), v.Get("Signature")) {
		return Errorf("AuthFailure.SignatureFailure", msgSigFailure)
	}
	return nil
}

// hostService returns the product service a Host names by its first label
// (batch.tencentcloudapi.com -> batch), if any.
func (h *handler) hostService(host string) (string, bool) {
	if strings.HasPrefix(host, "[") {
		return "", false
	}
	host, _, _ = strings.Cut(host, ":")
	label, _, dotted := strings.Cut(host, ".")
	if !dotted {
		return "", false
	}
	label = strings.ToLower(label)
	if _, ok := h.byService[label]; ok {
		return label, true
	}
	return "", false
}

// route finds the product by version, then the action and region.
func (h *handler) route(c *call) *Error {
	r := c.r
	var version, action, region string
	if c.tc3 {
		version = header(r.Header, "X-Tc-Version")
		action = header(r.Header, "X-Tc-Action")
		region = header(r.Header, "X-Tc-Region")
		c.req.Language = header(r.Header, "X-Tc-Language")
		c.req.Token = header(r.Header, "X-Tc-Token")
	} else {
		version, action, region = c.vals.Get("Version"), c.vals.Get("Action"), c.vals.Get("Region")
		c.req.Language, c.req.Token = c.vals.Get("Language"), c.vals.Get("Token")
	}
	if version == "" {
		return Errorf("MissingParameter", "The request is missing a required parameter `Version`.")
	}
	p := h.byVersion[version]
	if svc, ok := h.hostService(r.Host); ok && p != h.byService[svc] {
		p = nil // the Host names another product
	}
	if p == nil {
		return Errorf("NoSuchVersion", "The API version `%s` does not exist.", safeToken(version))
	}
	c.product = p
	if action == "" {
		return Errorf("MissingParameter", "The request is missing a required parameter `Action`.")
	}
	if p.actions[action] == nil {
		return Errorf("InvalidAction", "The action `%s` is not valid for this version.", safeToken(action))
	}
	if p.regions != nil {
		if region == "" {
			return Errorf("MissingParameter", "The request is missing a required parameter `Region`.")
		}
		if !p.regions[region] && !(h.more.regionIgnored && h.faultTarget(c)) {
			return Errorf("UnsupportedRegion", "The region `%s` is not supported.", safeToken(region))
		}
	}
	c.req.Action, c.req.Version, c.req.Region = action, version, region
	return nil
}

// params decodes the business parameters and runs the shape checks and the
// catalog's rules.
func (h *handler) params(c *call) *Error {
	p := c.product
	var params map[string]any
	var err error
	act := p.actions[c.req.Action]
	switch {
	case c.tc3 && !c.get:
		var dup bool
		c.arena = arenas.Get().(*mapArena)
		params, dup, err = decodeBodyJSON(c.body, c.arena)
		if err == nil {
			// A blank body parses as {} but is not JSON to encoding/json
			// (an empty one becomes "{}" below).
			c.req.paramsFromBody = !dup && (len(c.body) == 0 || len(bytes.TrimSpace(c.body)) > 0)
			c.req.Body = c.body
			if len(c.req.Body) == 0 {
				c.req.Body = json.RawMessage("{}")
			}
		}
	case c.tc3:
		var vals url.Values
		vals, err = parseQuery(c.r.URL.RawQuery)
		if err == nil {
			params, err = p.typer.decodeFlat(vals, act.Input, nil)
		}
	default:
		params, err = p.typer.decodeFlat(c.vals, act.Input, isV1Common)
	}
	if err != nil {
		return Errorf("InvalidParameter", "%s", err.Error())
	}
	if c.req.Body == nil {
		b, err := json.Marshal(params)
		if err != nil {
			return Errorf("InvalidParameter", "The parameters could not be encoded: %s", err.Error())
		}
		c.req.Body = b
	}
	c.req.Params = params
	opt := validate.Options{}
	if len(h.skipRules) > 0 {
		opt.Skip = func(id string) bool { return h.skipRules[id] }
	}
	// The shape, then the catalog's rules (one walk of the request for both).
	if v := validate.CheckRequest(p.cat, c.req.Action, params, opt); v != nil {
		return &Error{Code: v.Code, Message: v.Message}
	}
	return nil
}

func (h *handler) handle(c *call) (any, *Error) {
	r := c.r
	c.req.RequestID = c.requestID
	c.req.Method = r.Method
	c.req.Host = r.Host
	c.req.Received = h.now()
	return c.product.p.Handle(c.r.Context(), c.req)
}

// ---- rate limit ----

// limiter is a token bucket per tenant and action.
type limiter struct{ m sync.Map } // key -> *bucket

type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (h *handler) allow(c *call) bool {
	rate := c.tenant.RateLimit
	if rate == 0 {
		rate = h.rate
	}
	if rate <= 0 {
		return true
	}
	key := c.req.SecretID + "\x00" + c.req.Action
	v, ok := h.limiter.m.Load(key)
	if !ok {
		v, _ = h.limiter.m.LoadOrStore(key, &bucket{tokens: rate, last: time.Now()})
	}
	b := v.(*bucket)
	burst := rate
	if burst < 1 {
		burst = 1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens += now.Sub(b.last).Seconds() * rate
	if b.tokens > burst {
		b.tokens = burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// ---- responses ----

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (h *handler) writeError(w http.ResponseWriter, requestID string, e *Error) {
	h.writeErrorData(w, requestID, e, false)
}

// writeErrorData writes an error envelope; data adds "Data":null beside
// Error (the error-envelope-carries-data fault).
func (h *handler) writeErrorData(w http.ResponseWriter, requestID string, e *Error, data bool) {
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"Response":{"Error":{"Code":`...)
	b = appendJSONString(b, e.Code)
	b = append(b, `,"Message":`...)
	b = appendJSONString(b, e.Message)
	b = append(b, '}')
	if data {
		b = append(b, `,"Data":null`...)
	}
	b = append(b, `,"RequestId":"`...)
	b = append(b, requestID...)
	b = append(b, `"}}`...)
	status := http.StatusOK
	if h.http400 {
		status = http.StatusBadRequest
	}
	write(w, status, b)
	*bp = b
	bufPool.Put(bp)
}

func (h *handler) writeResponse(w http.ResponseWriter, requestID string, resp any) {
	var inner []byte
	switch v := resp.(type) {
	case nil:
	case json.RawMessage:
		inner = v
	case []byte:
		inner = v
	case JSONAppender:
		// Into a pooled buffer, as encoding/json encodes into its own.
		ip := bufPool.Get().(*[]byte)
		buf := v.AppendJSON((*ip)[:0])
		inner = buf
		defer func() {
			*ip = buf[:0]
			bufPool.Put(ip)
		}()
	default:
		b, err := json.Marshal(resp)
		if err != nil {
			h.log.Error("api3: marshal response", "request_id", requestID, "err", err)
			h.writeError(w, requestID, &Error{Code: "InternalError", Message: msgInternal})
			return
		}
		inner = b
	}
	inner = trimSpace(inner)
	if len(inner) == 0 || string(inner) == "null" {
		inner = []byte("{}")
	}
	if inner[0] != '{' || inner[len(inner)-1] != '}' {
		h.log.Error("api3: response is not a JSON object", "request_id", requestID)
		h.writeError(w, requestID, &Error{Code: "InternalError", Message: msgInternal})
		return
	}
	if h.numStrings {
		if s, err := numbersAsStrings(inner); err == nil {
			inner = s
		}
	}
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"Response":`...)
	b = append(b, inner[:len(inner)-1]...)
	if len(trimSpace(inner[1:len(inner)-1])) > 0 {
		b = append(b, ',')
	}
	b = append(b, `"RequestId":"`...)
	b = append(b, requestID...)
	b = append(b, `"}}`...)
	write(w, http.StatusOK, b)
	*bp = b
	bufPool.Put(bp)
}

// header reads a header by its canonical name without re-canonicalising it
// (http.Header.Get allocates for non-canonical names such as X-TC-Action).
func header(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// signedHeader reads a signed header by its lower-case name.
func signedHeader(h http.Header, lower string) string {
	switch lower {
	case "content-type":
		return header(h, "Content-Type")
	case "x-tc-action":
		return header(h, "X-Tc-Action")
	}
	return h.Get(lower)
}

// jsonContentType is shared by every response; net/http never mutates it.
var jsonContentType = []string{"application/json"}

// netHTTPLengthMax: net/http buffers this much of a response (its
// bufferBeforeChunkingSize) and, when the handler returns with all of it
// written, sets Content-Length itself without allocating; a longer body
// gets ours, so that it is not sent chunked.
const netHTTPLengthMax = 2048

func write(w http.ResponseWriter, status int, b []byte) {
	hd := w.Header()
	hd["Content-Type"] = jsonContentType
	if len(b) > netHTTPLengthMax {
		hd["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// numbersAsStrings re-encodes every JSON number as a string (the
// numbers-as-strings fault).
func numbersAsStrings(in []byte) ([]byte, error) {
	d := json.NewDecoder(strings.NewReader(string(in)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(stringify(v))
}

func stringify(v any) any {
	switch x := v.(type) {
	case json.Number:
		return string(x)
	case map[string]any:
		for k, e := range x {
			x[k] = stringify(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stringify(e)
		}
	}
	return v
}

// newUUID returns a random (version 4) UUID. RequestIds need uniqueness, not
// secrecy, so the fast runtime generator serves.
func newUUID() string {
	var u [16]byte
	a, b := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hx = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hx[x>>4], hx[x&0xf]
		j += 2
	}
	return string(s[:])
}
