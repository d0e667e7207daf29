package alibatch

// The Alibaba BatchCompute preflight (specs/harness/preflight.go): a route
// that does not exist must be refused with an ACS error body, and ListJobs
// (one item) must answer its documented status with a JobList (Items and
// NextMarker). Both create nothing and cost nothing on a live account. A
// target that fails it is not an implementation of the ACS REST API: every
// item of the dialect fails with that one message and nothing more is sent.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/specs/harness"
)

func init() { harness.RegisterPreflight(Dialect, preflight) }

// preflightNoSuchRoute is a path no route of the API has.
const preflightNoSuchRoute = "/batchconform-no-such-route"

// credentialCodes start the codes of an answer that refuses the run's
// AccessKey (the emulator's and the live API's spellings).
var credentialCodes = []string{"InvalidAccessKeyId", "InvalidSignature", "SignatureDoesNotMatch", "InvalidAuthorization"}

// preflightTimeout bounds each question; the transport's own
// --request-timeout applies inside it.
const preflightTimeout = 2 * time.Minute

func preflight(t *harness.Target) []harness.Violation {
	var out []harness.Violation
	dialect := func(format string, a ...any) {
		out = append(out, harness.Violation{Precondition: harness.PreDialect, Message: fmt.Sprintf(format, a...)})
	}
	creds := func(r *acs.Response) bool {
		e := r.Err()
		if e == nil {
			return false
		}
		for _, c := range credentialCodes {
			if strings.HasPrefix(e.Code, c) {
				out = append(out, harness.Violation{Precondition: harness.PreCredentials,
					Message: fmt.Sprintf("the target refuses the run's credentials (HTTP %d %s: %s); check --secret-id/--secret-key", r.Status, e.Code, e.Message)})
				return true
			}
		}
		return false
	}
	ask := func(path string) (*acs.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), preflightTimeout)
		defer cancel()
		return t.ACS().Do(ctx, "GET", path, nil, acs.Options{})
	}
	// A transport error here feeds the reachability breaker (two in a row
	// trip it); the second question is then the second attempt.
	if r, err := ask(preflightNoSuchRoute); err == nil {
		switch {
		case r.Status < 400:
			dialect("it answered HTTP %d to GET %s, a route that does not exist: it does not validate requests, so no verdict from it would mean anything (body %s)",
				r.Status, preflightNoSuchRoute, harness.Snippet(r.Body, 120))
			return out
		case r.Err() == nil:
			dialect("the answer to a route that does not exist is not an ACS error body {Code, Message, RequestId, HostId} (HTTP %d, body %s)",
				r.Status, harness.Snippet(r.Body, 120))
			return out
		case creds(r):
			return out
		}
	}
	a, _ := cat.Action("ListJobs")
	r, err := ask(a.Path + "?MaxItemCount=1")
	if err != nil {
		return out
	}
	var list struct {
		Items      *[]json.RawMessage
		NextMarker *string
	}
	switch derr := json.Unmarshal(r.Body, &list); {
	case creds(r):
	case r.Status != a.Status:
		dialect("ListJobs answered HTTP %d, not its documented %d (body %s)", r.Status, a.Status, harness.Snippet(r.Body, 120))
	case derr != nil:
		dialect("the answer to ListJobs is not a JobList object: %v (body %s)", derr, harness.Snippet(r.Body, 120))
	case list.Items == nil:
		dialect("ListJobs answered without its documented Items array (body %s)", harness.Snippet(r.Body, 120))
	case list.NextMarker == nil:
		dialect("ListJobs answered without its documented NextMarker (body %s)", harness.Snippet(r.Body, 120))
	}
	return out
}
