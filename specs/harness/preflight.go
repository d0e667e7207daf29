package harness

// The preflight: before any spec, every endpoint that is not the run's own
// embedded emulator is asked a few cheap, harmless questions by its
// dialect's registered preflight (an action that does not exist, a plain
// list call). A target that answers success to an action that does not
// exist, or answers outside the dialect's envelope, is not an
// implementation of the dialect: no verdict from it could mean anything,
// so every item of the dialect fails with that one message and nothing more
// is sent. This is what ends a run against a "success for everything"
// server in seconds instead of hours.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Violation is a precondition a preflight found violated.
type Violation struct {
	Precondition string // PreDialect, PreCredentials, ...
	Message      string
}

// Preflight checks a dialect's target before the specs run. It sends only
// requests that create nothing and cost nothing.
type Preflight func(t *Target) []Violation

var (
	preflightMu sync.Mutex
	preflights  = map[string]Preflight{}
)

// RegisterPreflight registers a dialect's preflight (spec packages call it
// from an init function; one per dialect).
func RegisterPreflight(dialect string, f Preflight) {
	preflightMu.Lock()
	defer preflightMu.Unlock()
	preflights[dialect] = f
}

// runPreflights runs the registered preflights of the targets that are not
// this run's own emulator, and records what they found in each target (so
// every process of the run knows).
func runPreflights(ts map[string]*Target) {
	var ds []string
	for d := range ts {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	// The dialects' preflights run side by side: against an endpoint that
	// hangs, each waits out two request timeouts, and one after another
	// three dialects would take most of the 2 minutes issue 11 allows a
	// whole run. Each writes only its own target and its dialect's breaker.
	var wg sync.WaitGroup
	for _, d := range ds {
		t := ts[d]
		preflightMu.Lock()
		f := preflights[d]
		preflightMu.Unlock()
		if f == nil || t.Embedded {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, v := range f(t) {
				t.Violate(v.Precondition, v.Message)
			}
			if tr := t.Violations(); len(tr) > 0 {
				t.Tripped = tr
			}
		}()
	}
	wg.Wait()
}

// stallTimeout resolves the states-move window.
func (s *Settings) stallTimeout() time.Duration {
	if s.StallTimeout > 0 {
		return s.StallTimeout
	}
	if s.Live {
		return 10 * time.Minute
	}
	return 20 * time.Second
}

// Snippet cuts a body for a message.
func Snippet(b []byte, n int) string {
	if len(b) > n {
		return fmt.Sprintf("%q…", b[:n])
	}
	return fmt.Sprintf("%q", b)
}

// PreflightNoSuchAction is an action no version of any API has.
const PreflightNoSuchAction = "BatchconformNoSuchAction"

// API3Preflight is the preflight of an API 3.0 product (the two Tencent
// dialects share it): an action that does not exist must be refused in the
// API 3.0 envelope, and listAction with listBody — a plain, read-only list
// call — must answer with the documented list member and count member.
// AuthFailure codes are charged to the credentials, the rest to the dialect.
// Both requests create nothing and cost nothing on a live account.
func API3Preflight(version, service, listAction, listBody, listMember, countMember string) Preflight {
	return func(t *Target) []Violation {
		var out []Violation
		dialect := func(format string, a ...any) {
			out = append(out, Violation{Precondition: PreDialect, Message: fmt.Sprintf(format, a...)})
		}
		creds := func(e *Envelope) bool {
			if strings.HasPrefix(e.Code(), "AuthFailure") {
				out = append(out, Violation{Precondition: PreCredentials,
					Message: fmt.Sprintf("the target refuses the run's credentials (%s: %s); check --secret-id/--secret-key", e.Code(), e.Error.Message)})
				return true
			}
			return false
		}
		// A transport error here feeds the reachability breaker (two in a
		// row trip it); the second question is then the second attempt.
		if env, err := t.Raw(RawRequest{Action: PreflightNoSuchAction, Version: version, Service: service}); err == nil {
			switch {
			case env.DecodeErr != nil:
				dialect("the answer to an action that does not exist is not an API 3.0 envelope: %v (HTTP %d, body %s)", env.DecodeErr, env.Status, Snippet(env.Body, 120))
				return out
			case env.Error == nil:
				dialect("it answered success to %s, an action that does not exist: it does not validate requests, so no verdict from it would mean anything", PreflightNoSuchAction)
				return out
			case creds(env):
				return out
			}
		}
		env, err := t.Raw(RawRequest{Action: listAction, Version: version, Service: service, Body: []byte(listBody)})
		if err != nil {
			return out
		}
		switch {
		case env.DecodeErr != nil:
			dialect("the answer to %s is not an API 3.0 envelope: %v (HTTP %d, body %s)", listAction, env.DecodeErr, env.Status, Snippet(env.Body, 120))
		case creds(env):
		case env.Error != nil:
			dialect("%s with no filter was refused: %s: %s", listAction, env.Error.Code, env.Error.Message)
		default:
			var set []json.RawMessage
			var total json.Number
			if err := json.Unmarshal(env.Response[listMember], &set); err != nil || env.Response[listMember] == nil {
				dialect("%s answered without its documented %s array (body %s)", listAction, listMember, Snippet(env.Body, 120))
			} else if err := json.Unmarshal(env.Response[countMember], &total); err != nil || env.Response[countMember] == nil {
				dialect("%s answered without its documented %s (body %s)", listAction, countMember, Snippet(env.Body, 120))
			}
		}
		return out
	}
}
