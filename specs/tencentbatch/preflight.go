package tencentbatch

// The Tencent Batch preflight (specs/harness/preflight.go): an action that
// does not exist must be refused, and DescribeJobs with no filter must answer
// with its documented JobSet and TotalCount, in the API 3.0 envelope. Both
// create nothing and cost nothing on a live account.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/batchconform/batchconform/specs/harness"
)

func init() { harness.RegisterPreflight(Dialect, preflight) }

// preflightNoSuchAction is an action no version of the API has.
const preflightNoSuchAction = "BatchconformNoSuchAction"

func preflight(t *harness.Target) []harness.Violation {
	var out []harness.Violation
	dialect := func(format string, a ...any) {
		out = append(out, harness.Violation{Precondition: harness.PreDialect, Message: fmt.Sprintf(format, a...)})
	}
	creds := func(e *harness.Envelope) bool {
		if strings.HasPrefix(e.Code(), "AuthFailure") {
			out = append(out, harness.Violation{Precondition: harness.PreCredentials,
				Message: fmt.Sprintf("the target refuses the run's credentials (%s: %s); check --secret-id/--secret-key", e.Code(), e.Error.Message)})
			return true
		}
		return false
	}
	// A transport error here feeds the reachability breaker (two in a row
	// trip it); the second question is then the second attempt.
	if env, err := t.Raw(harness.RawRequest{Action: preflightNoSuchAction}); err == nil {
		switch {
		case env.DecodeErr != nil:
			dialect("the answer to an action that does not exist is not an API 3.0 envelope: %v (HTTP %d, body %s)", env.DecodeErr, env.Status, harness.Snippet(env.Body, 120))
			return out
		case env.Error == nil:
			dialect("it answered success to %s, an action that does not exist: it does not validate requests, so no verdict from it would mean anything", preflightNoSuchAction)
			return out
		case creds(env):
			return out
		}
	}
	env, err := t.Raw(harness.RawRequest{Action: "DescribeJobs", Body: []byte(`{"Limit":1}`)})
	if err != nil {
		return out
	}
	switch {
	case env.DecodeErr != nil:
		dialect("the answer to DescribeJobs is not an API 3.0 envelope: %v (HTTP %d, body %s)", env.DecodeErr, env.Status, harness.Snippet(env.Body, 120))
	case creds(env):
	case env.Error != nil:
		dialect("DescribeJobs with no filter was refused: %s: %s", env.Error.Code, env.Error.Message)
	default:
		var set []json.RawMessage
		var total json.Number
		if err := json.Unmarshal(env.Response["JobSet"], &set); err != nil || env.Response["JobSet"] == nil {
			dialect("DescribeJobs answered without its documented JobSet array (body %s)", harness.Snippet(env.Body, 120))
		} else if err := json.Unmarshal(env.Response["TotalCount"], &total); err != nil || env.Response["TotalCount"] == nil {
			dialect("DescribeJobs answered without its documented TotalCount (body %s)", harness.Snippet(env.Body, 120))
		}
	}
	return out
}
