// Package api3 implements the Tencent Cloud API 3.0 protocol as documented:
// TC3-HMAC-SHA256 and v1 (HmacSHA256/HmacSHA1) signatures, POST JSON, form POST
// and GET with flattened keys decoded into the same request, routing by version,
// the {"Response":{...,"RequestId":...}} envelope with errors as HTTP 200, the
// common error codes, size limits and the optional per-action rate limit.
//
// Products (Tencent Batch, Oceanus) plug in through the Product interface; the
// protocol layer validates parameters against the product's catalog (types,
// required, unknown, then the catalog's rules) before the product sees them.
package api3

import (
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
	// json.Number, strings, bools.
	Params map[string]any
	// Body is Params as JSON (what a JSON POST would have carried).
	Body       json.RawMessage
	Method     string // GET or POST
	SignMethod string // TC3-HMAC-SHA256, HmacSHA256 or HmacSHA1
	Host       string
	Received   time.Time
}

// Decode unmarshals the request's parameters into v.
func (r *Request) Decode(v any) error { return json.Unmarshal(r.Body, v) }

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
