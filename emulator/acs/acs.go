// Package acs implements the Alibaba Cloud ACS REST protocol of BatchCompute
// (API version 2015-11-11) as documented (reference §A.1–A.3): the
// `Authorization: acs AccessKeyId:Signature` HMAC-SHA1 signature, the
// x-acs-version header, JSON bodies (also sent as text/plain, as the aliyun-sdk
// JS client does), routes of REST resources with documented HTTP statuses, and
// errors as the documented HTTP status with {"Code","Message","RequestId",
// "HostId"} plus the x-acs-request-id header (on every response).
//
// Products (Alibaba BatchCompute) plug in through Service: they declare their
// routes and handle matched operations. The protocol layer owns everything
// before: size limits, authentication, version, routing, body decoding.
//
// # Check order
//
// Every request passes these checks in order; the first failure is answered
// (the order is inferred; reference §A.6 gives JSON → object → Missing → type
// → range → existence → quota for the product's own checks):
//
//  1. 403 InvalidQueryString: a query over MaxQueryBytes, bad percent-encoding,
//     a parameter given twice. 400 InvalidHttpBody: a body over MaxBodyBytes
//     (raw or, with x-acs-compress-type: deflate, inflated — the SDK's
//     x-acs-body-rawsize range 0–256 KB), a content type that is not JSON
//     (application/json, application/json-rpc, text/plain or none).
//  2. 400 InvalidAuthorization: the Authorization header is not
//     "acs AccessKeyId:Signature".
//  3. 400 MissingDate: neither x-acs-date nor Date; 400 InvalidDate: not an
//     HTTP date, or more than MaxSkew from the server's clock (plus the
//     tenant's SkewSeconds, so specs can provoke it).
//  4. 400 InvalidAccessKeyId: no tenant has that AccessKeyId.
//  5. 400 InvalidSignature: the signature does not match (the doc says a bad
//     signature is HTTP 400 and gives no code); 400 InvalidContentMD5: a
//     Content-MD5 header that is not the body's MD5 (base64 or hex, any case:
//     the docs describe it three ways, so any is accepted; it is never
//     required).
//  6. 403 InvalidVersion.NotFound: x-acs-version missing or not 2015-11-11.
//  7. 400 InvalidUrlPattern: no route has this path; 400 MethodNotAllowed: a
//     route has it, not with this method.
//  8. 400 InvalidJsonFormat: a body that is not one JSON value (trailing data,
//     invalid UTF-8, nesting over MaxDepth); 400 InvalidHttpBody ("Its type
//     must be object."): a body that is JSON but not an object.
//  9. Service.Handle. A panic there is answered 500 InternalError and logged.
//
// The codes of steps 2–5 are not documented (the docs only say "HTTP 400"):
// they follow the documented Missing{Param} / Invalid{Param} patterns with
// the header's name, so the catalog records them as SHOULD items.
package acs

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Version is the one API version served (header x-acs-version).
const Version = "2015-11-11"

// Documented and chosen limits.
const (
	// MaxSkew is the documented window: requests whose date is more than 15
	// minutes off are rejected.
	MaxSkew = 15 * time.Minute
	// MaxBodyBytes bounds a body (the SDK's x-acs-body-rawsize range 0–256 KB).
	MaxBodyBytes = 256 << 10
	// MaxQueryBytes bounds the query string (not documented; the same bound as
	// API 3.0's GET query).
	MaxQueryBytes = 32 << 10
	// MaxDepth bounds JSON nesting (no description nests deeper than ~10).
	MaxDepth = 64
)

// Error is an ACS error: answered with Status and {Code, Message, RequestId, HostId}.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Errorf builds an *Error.
func Errorf(status int, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Status: status, Code: code, Message: msg}
}

// The documented message patterns of §A.3 (the common errors).

// Missing is 400 Missing{Param} "{Param} is mandatory for this action."
func Missing(param string) *Error {
	return Errorf(http.StatusBadRequest, "Missing"+param, "%s is mandatory for this action.", param)
}

// Invalid is 400 Invalid{Param} "Specified parameter {Param} is not valid. {detail}"
// (without a detail the message ends "is not valid.", as seed 001's table
// writes it).
func Invalid(param, detail string) *Error {
	if detail == "" {
		return Errorf(http.StatusBadRequest, "Invalid"+param, "Specified parameter %s is not valid.", param)
	}
	return Errorf(http.StatusBadRequest, "Invalid"+param, "Specified parameter %s is not valid. %s", param, detail)
}

// NotFound is 404 InvalidResource.NotFound.
func NotFound() *Error {
	return Errorf(http.StatusNotFound, "InvalidResource.NotFound", "Specified resource is not found.")
}

// StateConflict is 409 StateConflict with the resource's current state.
func StateConflict(state string) *Error {
	return Errorf(http.StatusConflict, "StateConflict", "User operation is invalid. The current resource state is %s.", state)
}

// InternalError is 500 InternalError.
func InternalError() *Error {
	return Errorf(http.StatusInternalServerError, "InternalError", "The request processing has been failed due to some unknown error.")
}

// Route maps a method and a path pattern to an operation. Pattern segments in
// braces are variables ("/jobs/{JobId}/tasks"); SubResource, when set, is a
// query parameter that must be present (GET /jobs/{JobId}?description).
type Route struct {
	Op          string
	Method      string
	Pattern     string
	SubResource string
}

// Request is an authenticated, routed, decoded ACS request.
type Request struct {
	Op          string
	Method      string
	Path        string
	Vars        map[string]string // pattern variables, percent-decoded
	Query       url.Values        // present keys with empty values included
	Body        any               // decoded JSON (map[string]any, []any, json.Number, string, bool, nil); nil without a body
	HasBody     bool
	Raw         []byte // the (inflated) body as received
	AccessKeyID string // the authenticated tenant
	RequestID   string
	Received    time.Time
}

// Object returns the body as an object (nil when there is no body; the
// protocol layer has already refused bodies that are not objects).
func (r *Request) Object() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

// Response is a successful answer: Status (200, 201, 202, 204) and a body to
// marshal as JSON (nil: empty body).
type Response struct {
	Status int
	Body   any
}

// Service is a product served over ACS.
type Service interface {
	// Routes lists the operations.
	Routes() []Route
	// Handle executes a matched operation.
	Handle(ctx context.Context, req *Request) (*Response, *Error)
}

// router matches paths to routes.
type router struct {
	routes []compiledRoute
}

type compiledRoute struct {
	Route
	segs []string
}

func newRouter(rs []Route) *router {
	rt := &router{}
	for _, r := range rs {
		rt.routes = append(rt.routes, compiledRoute{Route: r, segs: splitPath(r.Pattern)})
	}
	return rt
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for method + path (segments percent-decoded). A path
// that some route has, but not with this method, is MethodNotAllowed; a path
// no route has is InvalidUrlPattern. Sub-resource routes win over plain ones.
func (rt *router) match(method string, segs []string, q url.Values) (*compiledRoute, map[string]string, *Error) {
	var pathMatched bool
	var best *compiledRoute
	var bestVars map[string]string
	for i := range rt.routes {
		r := &rt.routes[i]
		vars, ok := matchSegs(r.segs, segs)
		if !ok {
			continue
		}
		pathMatched = true
		if r.Method != method {
			continue
		}
		if r.SubResource != "" {
			if _, has := q[r.SubResource]; !has {
				continue
			}
			return r, vars, nil
		}
		if best == nil {
			best, bestVars = r, vars
		}
	}
	if best != nil {
		return best, bestVars, nil
	}
	if pathMatched {
		return nil, nil, Errorf(http.StatusBadRequest, "MethodNotAllowed", "The request http method is not supported for this resource.")
	}
	return nil, nil, Errorf(http.StatusBadRequest, "InvalidUrlPattern", "Specified url pattern contains some illegal words.")
}

func matchSegs(pat, segs []string) (map[string]string, bool) {
	if len(pat) != len(segs) {
		return nil, false
	}
	var vars map[string]string
	for i, p := range pat {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, false
			}
			if vars == nil {
				vars = map[string]string{}
			}
			vars[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return vars, true
}
