// Package api3 implements the Tencent Cloud API 3.0 protocol as documented:
// TC3-HMAC-SHA256 and v1 (HmacSHA256/HmacSHA1) signatures, POST JSON, form POST
// and GET with flattened keys decoded into the same request, routing by version,
// the {"Response":{...,"RequestId":...}} envelope with errors as HTTP 200, the
// common error codes, size limits and the optional per-action rate limit.
//
// Products (Tencent Batch, Oceanus) plug in through the Product interface; the
// protocol layer validates parameters against the product's catalog (types,
// required, unknown, then the catalog's rules) before the product sees them.
//
// # Check order
//
// Every request passes these checks in order; the first failure is answered
// (reference §5.7; the order itself is inferred):
//
//  1. UnsupportedProtocol: a method other than GET/POST; a POST whose content
//     type is not application/json (TC3 only) or
//     application/x-www-form-urlencoded (v1 only). RequestSizeLimitExceeded: a
//     GET query over 32 KB, a v1 POST body over 1 MB, a TC3 POST body over
//     10 MB (bodies are read through a limit, never buffered beyond it).
//  2. AuthFailure.InvalidAuthorization: a malformed TC3 Authorization header
//     (or a JSON POST without one). For v1, a missing SecretId, Signature,
//     Timestamp or Nonce is MissingParameter.
//  3. AuthFailure.SignatureExpire: |now + tenant.SkewSeconds − timestamp| > 300 s.
//  4. AuthFailure.SecretIdNotFound.
//  5. AuthFailure.SignatureFailure ("The provided credentials could not be
//     validated. Please check your signature is correct.").
//  6. MissingParameter (no X-TC-Version / Version), NoSuchVersion,
//     MissingParameter (no action), InvalidAction, MissingParameter (no
//     region, for a product whose catalog lists regions), UnsupportedRegion.
//  7. RequestLimitExceeded: the tenant's RateLimit (or Config.RateLimit when
//     the tenant's is 0) requests/s per action, as a token bucket.
//  8. InvalidParameter for undecodable parameters (malformed or truncated
//     JSON, invalid UTF-8, nesting deeper than MaxDepth, a non-object body,
//     conflicting or gapped flattened keys); then validate.CheckRequest:
//     the shape (MissingParameter, UnknownParameter, InvalidParameter for
//     wrong types), then the catalog's rules, each with its documented code.
//  9. Product.Handle. A panic there is answered InternalError and logged.
//
// # Signatures and the scope rule
//
// TC3: the canonical request uses the Host header as received (port
// included), the raw query as received for GET (only business parameters;
// empty for POST), the signed headers' values lower-cased and trimmed, and the
// body's SHA-256 (or that of "UNSIGNED-PAYLOAD" when X-TC-Content-SHA256 says
// so). The credential scope's date must be the UTC date of X-TC-Timestamp.
// When the Host names a product by its first label (batch.tencentcloudapi.com,
// batch.ap-guangzhou.tencentcloudapi.com, oceanus.…), the scope's service must
// be that product's service and the version must be that product's; for an IP
// address or localhost Host the signature is verified with the scope's service
// as signed, because some official SDKs derive the service from the endpoint's
// first label ("127"). Specs check the strict rule by sending the product's
// hostname in the Host header. The host may be signed with or without its
// port: tencentcloud-sdk-nodejs signs URL.hostname ("127.0.0.1") while it
// sends "Host: 127.0.0.1:9000"; behind the real endpoints (443) the Host has
// no port, both readings agree and the real service cannot tell them apart.
//
// v1: METHOD + Host + path + "?" + every parameter but Signature, decoded,
// sorted by key and joined as k=v with "&"; HmacSHA256 when SignatureMethod is
// exactly HmacSHA256, HmacSHA1 otherwise. The common parameters (Action,
// Version, Region, Timestamp, Nonce, SecretId, Signature, SignatureMethod,
// Token, Language, RequestClient) are not business parameters.
//
// Flattened parameters (GET and form POST) are typed by the product catalog's
// objects: list members take 0-based indices without gaps, numbers become
// json.Number when they are JSON number literals, bools accept true/false in
// any case ("TRUE"); anything else stays a string and fails the strict type
// check with InvalidParameter, exactly as the same value in a JSON body would.
//
// # Faults
//
// skip-signature-check, accept-expired-signature, errors-as-http-400 and
// numbers-as-strings are implemented here; any fault whose declared items
// include a rule ID switches that rule off in validation (generic, no
// per-fault code). Faults never show in any answer.
package api3

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/batchconform/batchconform/fixtures"
)

// Request is a decoded, authenticated, validated API 3.0 request.
type Request struct {
	Action    string
	Version   string
	Region    string
	Language  string
	SecretID  string // the authenticated tenant
	Token     string
	RequestID string
	// Params are the business parameters, decoded from JSON, form or query into
	// the same shape: objects as map[string]any, lists as []any, numbers as
	// json.Number, strings, bools. Valid only until Handle returns: the
	// maps of a JSON body are lent for the request and reused after it
	// (mapArena); Decode copies what a handler keeps.
	Params map[string]any
	// Body is Params as JSON (what a JSON POST would have carried). Read
	// only: Params' strings may share its bytes (parseOwnedJSONDup).
	Body       json.RawMessage
	Method     string // GET or POST
	SignMethod string // TC3-HMAC-SHA256, HmacSHA256 or HmacSHA1
	Host       string
	Received   time.Time
	// paramsFromBody: Params were parsed from Body, a JSON object without a
	// duplicate key, so Decode may read them instead of Body (paramdecode.go).
	paramsFromBody bool
}

// Decode unmarshals the request's parameters into v: what json.Unmarshal of
// Body gives, from the parsed Params when it can (paramdecode.go).
func (r *Request) Decode(v any) error {
	a := auditor.Load()
	if r.paramsFromBody && decodeParams(r.Params, v) == nil {
		if a != nil {
			a.fast(r.Body, v)
		}
		return nil
	}
	if a != nil {
		a.fallback()
	}
	return json.Unmarshal(r.Body, v)
}

// SetJSONBody sets r's Params and Body from a JSON object, as the protocol
// layer does for a TC3 POST, so that Decode reads the parsed Params when it
// can (paramdecode.go) as it does in a served request. For Requests built
// by hand (the façades' tests), which would otherwise only ever exercise
// Decode's encoding/json path.
func (r *Request) SetJSONBody(body []byte) error {
	params, dup, err := decodeJSONDup(body)
	if err != nil {
		return err
	}
	r.Params, r.Body = params, json.RawMessage(body)
	// As handler.params: a blank body is not decoded from Params (it is not
	// JSON to encoding/json), and an empty one is the object {}.
	r.paramsFromBody = !dup && (len(body) == 0 || len(bytes.TrimSpace(body)) > 0)
	if len(body) == 0 {
		r.Body = json.RawMessage("{}")
	}
	return nil
}

// Error is an API error: answered as HTTP 200 with Response.Error.
type Error struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: sprintf(format, args...)}
}

// Product is one API 3.0 product served on the shared address.
type Product interface {
	// Catalog is the product's contract: actions, objects (for decoding and
	// strict typing), rules, the signing service name and the API version.
	Catalog() *fixtures.Catalog
	// Handle executes an action. The returned value is marshalled as the
	// Response object (RequestId is added by the protocol layer).
	Handle(ctx context.Context, req *Request) (any, *Error)
}

// Credentials looks up a SecretId's key and per-tenant protocol settings.
type Credentials interface {
	SecretKey(secretID string) (string, bool)
}
