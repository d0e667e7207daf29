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
	"fmt"
	"sort"
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
	for _, d := range ds {
		t := ts[d]
		preflightMu.Lock()
		f := preflights[d]
		preflightMu.Unlock()
		if f == nil || t.Embedded {
			continue
		}
		for _, v := range f(t) {
			t.Violate(v.Precondition, v.Message)
		}
		if tr := t.Violations(); len(tr) > 0 {
			t.Tripped = tr
		}
	}
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
