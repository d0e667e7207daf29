// Package facade holds what the API 3.0 façades (Tencent Batch, Oceanus)
// share once a request has passed the protocol layer: paging by
// Offset/Limit with the catalog's maximum, Name/Values filters, holding an
// action to its documented error codes, decoding and time formatting. It is
// vendor-neutral: everything product-specific comes from the catalog or the
// caller.
package facade

import (
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/listing"
	"github.com/batchconform/batchconform/fixtures"
)

// Page returns the [a, b) window of n items for Offset/Limit. def is the
// documented default page size (the catalog records limits, not defaults);
// the maximum comes from the catalog's Limit range rule of the action (def if
// none). An absent or 0 Limit means def; a Limit over the maximum is clamped
// (the catalog's range rule rejects it first where documented).
// ignoreOffset is the deliberate fault that pages from 0 whatever Offset says.
func Page(cat *fixtures.Catalog, action string, n int, offset, limit *int64, def int64, ignoreOffset bool) (int, int) {
	var off, lim int64
	if offset != nil && !ignoreOffset {
		off = *offset
	}
	if limit != nil {
		lim = *limit
	}
	return listing.Window(n, off, lim, def, LimitMax(cat, action, def))
}

// LimitMax is the catalog's Limit maximum for an action (def if none).
// Every list request asks, so the answer is looked up once per catalog and
// action (catalogs are immutable once loaded) instead of scanning the rules.
func LimitMax(cat *fixtures.Catalog, action string, def int64) int64 {
	key := limitKey{cat, action}
	if v, ok := limitMaxes.Load(key); ok {
		if m := v.(limitMax); m.ok {
			return m.max
		}
		return def
	}
	var m limitMax
	for i := range cat.Rules {
		r := &cat.Rules[i]
		if r.Action == action && r.Path == "Limit" && r.Suffix == "range" && r.Max != nil {
			m = limitMax{int64(*r.Max), true}
			break
		}
	}
	limitMaxes.Store(key, m)
	if m.ok {
		return m.max
	}
	return def
}

type limitKey struct {
	cat    *fixtures.Catalog
	action string
}

type limitMax struct {
	max int64
	ok  bool
}

var limitMaxes sync.Map // limitKey -> limitMax

// Filter is the API 3.0 Filter structure: Filters are ANDed, the Values of
// one Filter ORed.
type Filter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values"`
}

// MatcherFor returns the predicate of one named filter, (nil, nil) for a name
// the action does not support, or an error for a bad value.
type MatcherFor[T any] func(name string, vals []string) (func(T) bool, *api3.Error)

// ApplyFilters keeps the items matching every filter. An empty value answers
// InvalidParameterValue; a name mf does not know answers unknown(name), and
// is skipped when unknown returns nil (a deliberate fault's reading).
func ApplyFilters[T any](items []T, fs []Filter, mf MatcherFor[T], unknown func(name string) *api3.Error) ([]T, *api3.Error) {
	keep, e := FilterFunc(fs, mf, unknown)
	if e != nil {
		return nil, e
	}
	if keep == nil {
		return items, nil
	}
	return listing.Filter(items, keep), nil
}

// FilterFunc is ApplyFilters as one predicate (nil when no filter applies),
// for a store that filters as it pages: the same checks, in the same order,
// answer the same errors.
func FilterFunc[T any](fs []Filter, mf MatcherFor[T], unknown func(name string) *api3.Error) (func(T) bool, *api3.Error) {
	var ms []func(T) bool
	for _, f := range fs {
		for _, v := range f.Values {
			if v == "" {
				return nil, api3.Errorf("InvalidParameterValue", "the filter %q has an empty value", f.Name)
			}
		}
		m, e := mf(f.Name, f.Values)
		if e != nil {
			return nil, e
		}
		if m == nil {
			if e := unknown(f.Name); e != nil {
				return nil, e
			}
			continue
		}
		ms = append(ms, m)
	}
	switch len(ms) {
	case 0:
		return nil, nil
	case 1:
		return ms[0], nil
	}
	return func(it T) bool {
		for _, m := range ms {
			if !m(it) {
				return false
			}
		}
		return true
	}, nil
}

// commonCodes are the API 3.0 common codes (reference §5.8); every action may
// answer them.
var commonCodes = map[string]bool{}

func init() {
	for _, c := range strings.Fields(`AuthFailure.InvalidAuthorization AuthFailure.InvalidSecretId
	AuthFailure.MFAFailure AuthFailure.SecretIdNotFound AuthFailure.SignatureExpire
	AuthFailure.SignatureFailure AuthFailure.TokenFailure AuthFailure.UnauthorizedOperation
	ActionOffline InvalidAction InvalidParameter InvalidParameterValue InvalidRequest
	MissingParameter UnknownParameter NoSuchProduct NoSuchVersion UnsupportedProtocol
	UnsupportedRegion UnsupportedOperation DryRunOperation RequestLimitExceeded
	RequestLimitExceeded.GlobalRegionUinLimitExceeded RequestLimitExceeded.IPLimitExceeded
	RequestLimitExceeded.UinLimitExceeded RequestSizeLimitExceeded ResponseSizeLimitExceeded
	LimitExceeded IpInBlacklist IpNotInWhitelist ResourceInUse ResourceInsufficient
	ResourceNotFound ResourceUnavailable FailedOperation InternalError ServiceUnavailable
	UnauthorizedOperation`) {
		commonCodes[c] = true
	}
}

// Common reports whether code is an API 3.0 common code.
func Common(code string) bool { return commonCodes[code] }

// Documented makes sure an action only answers codes of its documented list
// (the catalog's Action.Errors) or common codes: an undocumented specific code
// falls back to its documented or common ancestor (e.g.
// UnsupportedOperation.X -> UnsupportedOperation); a root that is no common
// code becomes InvalidParameterValue when it names a client mistake
// (Invalid…, Allowed…), else InternalError.
func Documented(cat *fixtures.Catalog, action string, e *api3.Error) *api3.Error {
	a, ok := cat.Action(action)
	if !ok || len(a.Errors) == 0 {
		return e // the catalog does not know the action's list: nothing to enforce
	}
	allowed := func(code string) bool {
		if commonCodes[code] {
			return true
		}
		if ec, ok := cat.ErrorCodes[code]; ok && ec.Common {
			return true
		}
		for _, c := range a.Errors {
			if c == code {
				return true
			}
		}
		return false
	}
	code := e.Code
	for !allowed(code) {
		i := strings.LastIndexByte(code, '.')
		if i < 0 {
			code = "InternalError"
			if strings.HasPrefix(e.Code, "Invalid") || strings.HasPrefix(e.Code, "Allowed") {
				code = "InvalidParameterValue"
			}
			break
		}
		code = code[:i]
	}
	if code == e.Code {
		return e
	}
	return &api3.Error{Code: code, Message: e.Message}
}

// Unsupported answers UnsupportedOperation for an action a tenant's
// configuration lists (tenants.Tenant.UnsupportedActions), where the action
// documents that code (its catalog error list): an account the product does
// not offer the action to (emulator-only items). It is nil otherwise, also
// for an action whose documented list lacks the code (a tenant cannot make
// an action answer an undocumented code).
func Unsupported(cat *fixtures.Catalog, listed []string, action string) *api3.Error {
	if !Contains(listed, action) {
		return nil
	}
	if a, ok := cat.Action(action); !ok || !Contains(a.Errors, "UnsupportedOperation") {
		return nil
	}
	return api3.Errorf("UnsupportedOperation", "the action %s is not supported for this account", action)
}

// Decode unmarshals the request's parameters into v. The protocol layer has
// type-checked them, so a failure only means a shape the catalog allows but
// the façade's struct does not.
func Decode(req *api3.Request, v any) *api3.Error {
	if len(req.Body) == 0 {
		return nil
	}
	if err := req.Decode(v); err != nil {
		return api3.Errorf("InvalidParameter", "cannot decode parameters: %v", err)
	}
	return nil
}

// TS formats a time as documented: UTC, YYYY-MM-DDThh:mm:ssZ.
func TS(t time.Time) string { return t.UTC().Format(fixtures.TimeLayout) }

// Contains reports whether list holds v.
func Contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
