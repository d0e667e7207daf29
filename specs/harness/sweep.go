package harness

// Sweeping: every resource a run creates is named with the run's prefix, so
// what an earlier run left behind (it was killed, its cleanup timed out, the
// target stopped answering) can be found and deleted later with
// `batchconform sweep --prefix P`. Each dialect registers a Sweeper that
// knows its resource types; the sweep itself is dialect-neutral.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Leftover is one resource a sweeper found.
type Leftover struct {
	Dialect string `json:"dialect"`
	Type    string `json:"type"` // e.g. job, compute-env, task-template
	ID      string `json:"id"`
	Name    string `json:"name"`
	State   string `json:"state,omitempty"`
	// Scope is where the resource lives when the API needs it to delete it
	// (e.g. an Oceanus workspace).
	Scope string `json:"scope,omitempty"`
}

func (l Leftover) String() string {
	s := fmt.Sprintf("%s %s %s (%s)", l.Dialect, l.Type, l.ID, l.Name)
	if l.State != "" {
		s += " " + l.State
	}
	return s
}

// Sweeper finds and deletes a dialect's resources by name prefix.
type Sweeper interface {
	// List returns the resources whose names start with prefix.
	List(t *Target, prefix string) ([]Leftover, error)
	// Delete deletes one resource (terminating it first where the API
	// requires), waiting at most the target's timeouts or until ctx is
	// done (it then returns ctx's error); it returns nil once the resource
	// is gone.
	Delete(ctx context.Context, t *Target, l Leftover) error
	// Rank orders deletion by dependency: every resource of a lower rank
	// is deleted before any of a higher one (jobs before the environments
	// they run on).
	Rank(typ string) int
}

// ErrCannotDelete marks a resource that no API action can remove (a
// sweeper returns it at once instead of retrying): the cleanup reports it
// as left for good.
var ErrCannotDelete = errors.New("no API action deletes it")

// Pause waits d, or until ctx is done; it reports whether the caller may
// go on (false: ctx is done).
func Pause(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

var (
	sweepMu  sync.Mutex
	sweepers = map[string]Sweeper{}
)

// RegisterSweeper registers a dialect's sweeper (from the spec package's
// init function; one per dialect).
func RegisterSweeper(dialect string, s Sweeper) {
	sweepMu.Lock()
	defer sweepMu.Unlock()
	sweepers[dialect] = s
}

// SweeperFor returns a dialect's sweeper (nil if it has none).
func SweeperFor(dialect string) Sweeper {
	sweepMu.Lock()
	defer sweepMu.Unlock()
	return sweepers[dialect]
}

// prefixPattern: run prefixes are short and plain, so a sweep can never
// match resources that are not a run's (an empty or one-letter prefix would
// match a whole account).
var prefixPattern = regexp.MustCompile(`^[a-z][a-z0-9]{3,15}$`)

// ValidPrefix checks a run or sweep prefix.
func ValidPrefix(p string) error {
	if !prefixPattern.MatchString(p) {
		return fmt.Errorf("prefix %q: want 4 to 16 lower-case letters and digits, starting with a letter (runs use bc + 6 hex digits)", p)
	}
	return nil
}

// ResolveTargets resolves the targets of settings that name an endpoint,
// without a suite run (for sweep). The embedded emulator ends with its run,
// so there is nothing to sweep without an endpoint.
func ResolveTargets(s Settings) ([]*Target, error) {
	var out []*Target
	for _, d := range s.SelectedDialects() {
		tc := s.For(d)
		if tc.Endpoint == "" {
			return nil, fmt.Errorf("%s: no --endpoint: an embedded emulator ends with its run and leaves nothing to sweep", d)
		}
		u, err := url.Parse(strings.TrimSuffix(tc.Endpoint, "/"))
		if err != nil {
			return nil, fmt.Errorf("%s: endpoint: %w", d, err)
		}
		t := &Target{Dialect: d, URL: strings.TrimSuffix(tc.Endpoint, "/"), Host: u.Host, Scheme: u.Scheme,
			SecretID: tc.SecretID, SecretKey: tc.SecretKey, Region: tc.Region, Zone: tc.Zone, Live: s.Live,
			RequestTimeout: s.RequestTimeout, RateLimit: s.RateLimit(tc.Endpoint), StallTimeout: s.stallTimeout()}
		registerSecret(t.SecretKey)
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dialect < out[j].Dialect })
	return out, nil
}

// Bounds of `batchconform sweep` (drain.go's machinery, as the run's
// cleanup uses it).
const (
	// SweepParallel: deletes in flight at once (a live target's
	// per-action rate limit and throttling backoff still apply: every
	// delete goes through the target's one transport).
	SweepParallel = 8
	// sweepBudget bounds a whole sweep.
	sweepBudget = 30 * time.Minute
)

// SweepResult is what Sweep did.
type SweepResult struct {
	Deleted int
	Errors  []error // one per resource not deleted
}

// Sweep deletes what a sweeper listed on one target as the end-of-run
// cleanup does (drainTargets): at most SweepParallel deletes at once, rank
// by rank (every job gone before its environment), saying "deleted X" or
// "NOT deleted X: why" on out as each ends.
func Sweep(out io.Writer, t *Target, sw Sweeper, left []Leftover) SweepResult {
	if len(left) == 0 {
		return SweepResult{}
	}
	es := make([]entry, len(left))
	for i, l := range left {
		l.Dialect = t.Dialect
		es[i] = entry{Leftover: l}
	}
	opt := drainOptions{parallel: SweepParallel, budget: sweepBudget, sweep: true}
	d := newDrain(out, opt)
	d.run([]drainSet{{t: t, sw: sw, left: es}}, opt, nil)
	d.mu.Lock()
	defer d.mu.Unlock()
	r := SweepResult{Deleted: d.deleted[t.Dialect], Errors: append([]error(nil), d.errs...)}
	if n := len(left) - r.Deleted - len(d.errs); n > 0 {
		why := d.why
		if why == "" {
			why = fmt.Sprintf("the sweep's budget of %s was spent", sweepBudget)
		}
		r.Errors = append(r.Errors, fmt.Errorf("%s: %d resources not reached: %s", t.Dialect, n, why))
	}
	return r
}
