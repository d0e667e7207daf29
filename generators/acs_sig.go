package generators

import (
	"net/http"
	"time"

	"github.com/batchconform/batchconform/clients/acs"
)

// ACSSigFault is one way to break an ACS request's signature or date: the
// options of the signed client that produce it and, for a wrong key, the
// secret to sign with. Every fault must be refused with HTTP 400 and one of
// ACSAuthCodes (reference §A.1–A.2).
type ACSSigFault struct {
	Name    string
	Options func(now time.Time) acs.Options
	// Secret, when set, derives the signing secret from the right one.
	Secret func(string) string
}

// ACSAuthCodes are the codes of the ACS layer's refusals of a request's
// authentication (the catalog's auth protocol items).
var ACSAuthCodes = []string{"InvalidAuthorization", "MissingDate", "InvalidDate", "InvalidAccessKeyId", "InvalidSignature", "InvalidContentMD5"}

// ACSSignatureFaults are the fault kinds the fuzzer draws from.
var ACSSignatureFaults = []ACSSigFault{
	{Name: "wrong-secret", Options: func(time.Time) acs.Options { return acs.Options{} }, Secret: func(s string) string { return s + "x" }},
	{Name: "secret-plus-newline", Options: func(time.Time) acs.Options { return acs.Options{} }, Secret: func(s string) string { return s + "\n" }},
	{Name: "tampered-header", Options: func(time.Time) acs.Options {
		return acs.Options{Headers: http.Header{"X-Acs-Signature-Nonce": {"n1"}}, Mutate: func(q *http.Request) { q.Header.Set("X-Acs-Signature-Nonce", "n2") }}
	}},
	{Name: "added-acs-header", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.Header.Set("X-Acs-Request-Id", "injected") }}
	}},
	{Name: "tampered-query", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.URL.RawQuery += "&Injected=1" }}
	}},
	{Name: "tampered-path", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.URL.Path += "x" }}
	}},
	{Name: "tampered-verb", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) {
			if q.Method == http.MethodGet {
				q.Method = http.MethodDelete
			} else {
				q.Method = http.MethodGet
			}
		}}
	}},
	{Name: "tampered-content-type", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.Header.Set("Content-Type", "application/json-rpc") }}
	}},
	{Name: "tampered-accept", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.Header.Set("Accept", "text/xml") }}
	}},
	{Name: "date-skew-past", Options: func(now time.Time) acs.Options { return acs.Options{Date: now.Add(-16 * time.Minute)} }},
	{Name: "date-skew-future", Options: func(now time.Time) acs.Options { return acs.Options{Date: now.Add(16 * time.Minute)} }},
	{Name: "x-acs-date-skew", Options: func(now time.Time) acs.Options { return acs.Options{Date: now.Add(-time.Hour), UseACSDate: true} }},
	{Name: "no-date", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.Header.Del("Date") }}
	}},
	{Name: "malformed-authorization", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) { q.Header.Set("Authorization", "acs nocolon") }}
	}},
	{Name: "unknown-access-key", Options: func(time.Time) acs.Options {
		return acs.Options{Mutate: func(q *http.Request) {
			q.Header.Set("Authorization", "acs LTAIunknown0000:"+"c2lnbmF0dXJl")
		}}
	}},
}
