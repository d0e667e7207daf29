package harness

// The run's resource ledger (issue 11): every create the target
// acknowledges is recorded as it is answered, every delete it acknowledges
// strikes the resource off, and whatever is left when the run ends —
// normally, on SIGINT/SIGTERM, on --deadline or on a spent --budget — is
// deleted by the dialect's sweeper. Cleanup therefore never depends on how
// a spec is structured (a DeferCleanup registered inside another, a setup
// node Ginkgo abandoned at the interrupt, a scenario goroutine that was
// still submitting): once the run is stopping the transport sends no more
// creates, answers a create acknowledged after that point with an error
// (so no spec registers a cleanup Ginkgo would refuse), and the ledger is
// drained after the specs' own cleanup.
//
// Each dialect teaches the ledger its resources by making its Sweeper a
// Tracker as well: which calls create, and what an answered call created or
// deleted.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// Call is one request as a Tracker sees it (Status and Response are set
// once it was answered).
type Call struct {
	Method   string
	Path     string // URL path, without the query
	Query    string // raw query
	Action   string // API 3.0 action ("" for ACS)
	Version  string // API 3.0 version ("" for ACS)
	SecretID string
	Request  []byte
	Status   int
	Response []byte
}

// Tracker is implemented by a dialect's Sweeper to keep the ledger.
type Tracker interface {
	// Creates reports whether the call may create a resource (asked
	// before it is sent).
	Creates(c *Call) bool
	// Track reads an answered call: the resources it created and the IDs
	// of the resources it deleted (nil for anything else, refusals
	// included).
	Track(c *Call) (created []Leftover, deleted []string)
}

// trackerFor returns the dialect's tracker (nil when it has none).
func trackerFor(dialect string) Tracker {
	tr, _ := SweeperFor(dialect).(Tracker)
	return tr
}

// entry is one live resource of the run.
type entry struct {
	Leftover
	secretID string
	seq      int
}

type ledgerT struct {
	mu       sync.Mutex
	cond     *sync.Cond
	stopped  string // why the run is stopping ("" = running)
	inflight int    // creates sent and not yet answered
	seq      int
	alive    map[string]entry // dialect|id -> entry
	created  []Leftover       // every resource the run created (--dry-run lists them)
}

// maxCreatedKept bounds the list of created resources.
const maxCreatedKept = 100000

var ledger = newLedger()

func newLedger() *ledgerT {
	l := &ledgerT{alive: map[string]entry{}}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// resetLedger starts a fresh ledger (a new suite run in the same process).
func resetLedger() {
	ledger.mu.Lock()
	ledger.stopped, ledger.inflight, ledger.seq, ledger.alive, ledger.created = "", 0, 0, map[string]entry{}, nil
	ledger.mu.Unlock()
	resetBudgetStop()
	resetCalls()
}

// begin is called before a create is sent: it returns why it must not be
// sent ("" = send it; the caller must call end afterwards).
func (l *ledgerT) begin() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped != "" {
		return l.stopped
	}
	l.inflight++
	return ""
}

// end records what an answered (or failed) create made; it returns why the
// answer must not reach the spec ("" = deliver it): a resource acknowledged
// after the run began to stop belongs to the ledger alone.
func (l *ledgerT) end(dialect, secretID string, created []Leftover) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.addLocked(dialect, secretID, created)
	l.inflight--
	l.cond.Broadcast()
	if l.stopped != "" && len(created) > 0 {
		return l.stopped
	}
	return ""
}

func (l *ledgerT) addLocked(dialect, secretID string, created []Leftover) {
	for _, c := range created {
		if c.ID == "" {
			continue
		}
		c.Dialect = dialect
		if len(l.created) < maxCreatedKept {
			l.created = append(l.created, c)
		}
		l.seq++
		l.alive[dialect+"|"+c.ID] = entry{Leftover: c, secretID: secretID, seq: l.seq}
	}
}

// record notes creates and deletes of a call that is not gated (a delete,
// or a call whose dialect cannot tell creates in advance).
func (l *ledgerT) record(dialect, secretID string, created []Leftover, deleted []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.addLocked(dialect, secretID, created)
	for _, id := range deleted {
		delete(l.alive, dialect+"|"+id)
	}
}

// stop makes the run stop creating (the first reason wins).
func (l *ledgerT) stop(reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped == "" {
		l.stopped = reason
	}
}

// Stopping returns why the run is stopping ("" while it runs): no create
// is sent after that.
func Stopping() string {
	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	return ledger.stopped
}

// StopRun makes the run stop creating resources, for reason (an interrupt,
// the deadline, a spent budget). Idempotent.
func StopRun(reason string) { ledger.stop(reason) }

// waitInflight waits until no create is in flight, at most d.
func (l *ledgerT) waitInflight(d time.Duration) {
	deadline := time.Now().Add(d)
	wake := time.AfterFunc(d, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer wake.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.inflight > 0 && time.Now().Before(deadline) {
		l.cond.Wait()
	}
}

// remaining returns a dialect's live resources, newest first (the order
// that deletes what depends on a resource before the resource).
func (l *ledgerT) remaining(dialect string) []entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []entry
	for _, e := range l.alive {
		if e.Dialect == dialect {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

// Alive returns the resources the ledger holds for a dialect (tests).
func Alive(dialect string) []Leftover {
	var out []Leftover
	for _, e := range ledger.remaining(dialect) {
		out = append(out, e.Leftover)
	}
	return out
}

// ---- credentials of the resources' owners ----

var (
	keysMu sync.Mutex
	keys   = map[string]string{} // SecretId -> SecretKey of the run's tenants
)

// rememberKey records credentials the run uses, so the ledger can delete
// what a tenant of the run created.
func rememberKey(id, key string) {
	if id == "" || key == "" {
		return
	}
	keysMu.Lock()
	defer keysMu.Unlock()
	keys[id] = key
}

func keyOf(id string) string {
	keysMu.Lock()
	defer keysMu.Unlock()
	return keys[id]
}

// drainLedger deletes what the run still holds on every target it does not
// discard itself (an embedded emulator ends with the run). It runs after
// the specs' own cleanup, as the last suite-level cleanup.
func drainLedger(out io.Writer) {
	ledger.stop("the run ended")
	settingsMu.Lock()
	ts := make([]*Target, 0, len(targets))
	for _, t := range targets {
		ts = append(ts, t)
	}
	settingsMu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Dialect < ts[j].Dialect })
	wait := 30 * time.Second
	for _, t := range ts {
		if t.RequestTimeout > 0 && t.RequestTimeout < wait {
			wait = t.RequestTimeout + time.Second
		}
	}
	// A create sent before the stop may still be acknowledged.
	ledger.waitInflight(wait)
	// The cleanup is bounded: what it cannot delete in time is left to
	// `batchconform sweep`, as is everything on a target that broke a
	// precondition (it would not delete either: a hostile endpoint must
	// not hold the run).
	end := time.Now().Add(drainBudget)
	for _, t := range ts {
		if t.Embedded {
			continue
		}
		left := ledger.remaining(t.Dialect)
		if len(left) == 0 {
			continue
		}
		v := t.Violations()
		delete(v, PreBudget) // a spent budget still lets the cleanup through
		if len(v) > 0 {
			fmt.Fprintf(out, "batchconform: cleanup: %d %s resources left: the target violates %v (`batchconform sweep --prefix %s` removes them)\n", len(left), t.Dialect, v, t.RunPrefix)
			continue
		}
		sw := SweeperFor(t.Dialect)
		for i, e := range left {
			if time.Now().After(end) {
				fmt.Fprintf(out, "batchconform: cleanup: %d %s resources left after %s (`batchconform sweep --prefix %s` removes them)\n", len(left)-i, t.Dialect, drainBudget, t.RunPrefix)
				break
			}
			owner := *t
			if e.secretID != "" && e.secretID != t.SecretID {
				k := keyOf(e.secretID)
				if k == "" {
					fmt.Fprintf(out, "batchconform: cleanup: %s left: its owner's key is not known to the run\n", e.Leftover)
					continue
				}
				owner.SecretID, owner.SecretKey = e.secretID, k
			}
			start := time.Now()
			if err := sw.Delete(&owner, e.Leftover); err != nil {
				fmt.Fprintf(out, "batchconform: cleanup: %s NOT deleted (`batchconform sweep --prefix %s` retries): %v\n", e.Leftover, t.RunPrefix, err)
				continue
			}
			ledger.record(t.Dialect, "", nil, []string{e.ID})
			note := ""
			if !MatchesPrefix(e.Name, t.RunPrefix) && (e.secretID == "" || e.secretID == t.SecretID) {
				// A spec forgot the prefix: a killed run would leave
				// this where no sweep finds it. (A tenant of the
				// emulator's admin API is the run's own: it holds
				// nothing of an account.)
				note = "; NOT named with the run prefix"
			}
			fmt.Fprintf(out, "batchconform: cleanup: deleted %s (%s%s)\n", e.Leftover, time.Since(start).Round(time.Millisecond), note)
		}
	}
}

// drainBudget bounds the ledger's cleanup of a run (all dialects).
const drainBudget = 3 * time.Minute

// ---- what stops a run ----

// watchStops makes the ledger stop on SIGINT/SIGTERM (Ginkgo sees the same
// signal and interrupts the specs) and when the --deadline fires (Ginkgo's
// suite timeout). The returned function ends the watch.
func watchStops(s Settings) func() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	var timer *time.Timer
	if s.Deadline > 0 {
		timer = time.AfterFunc(s.Deadline, func() { StopRun(fmt.Sprintf("--deadline %s fired", s.Deadline)) })
	}
	go func() {
		select {
		case v := <-sig:
			StopRun(fmt.Sprintf("the run was interrupted (%v)", v))
		case <-ctx.Done():
		}
	}()
	return func() {
		signal.Stop(sig)
		cancel()
		if timer != nil {
			timer.Stop()
		}
	}
}

// bodyGrace: how long an interrupted body may run on.
const bodyGrace = 5 * time.Second

// Ginkgo abandons a node whose body takes no context the moment an
// interrupt arrives and runs the cleanup nodes while that body goes on; a
// DeferCleanup it then registers makes Ginkgo exit the process (1, no
// report). Every body therefore takes a SpecContext: Ginkgo waits for it
// (up to the grace period) before cleaning up, and with creates refused
// once the run stops, the body ends quickly.
var _ = ginkgo.AddTreeConstructionNodeArgsTransformer(func(nt types.NodeType, _ ginkgo.Offset, text string, args []any) (string, []any, []error) {
	if !nt.Is(types.NodeTypeIt | types.NodeTypeBeforeEach | types.NodeTypeJustBeforeEach | types.NodeTypeBeforeAll) {
		return text, args, nil
	}
	wrapped := false
	for i, a := range args {
		if f, ok := a.(func()); ok {
			args[i] = func(ginkgo.SpecContext) { f() }
			wrapped = true
		}
		if _, ok := a.(ginkgo.GracePeriod); ok {
			return text, args, nil
		}
	}
	if wrapped {
		// A body that ignores its context (polls with Eventually) is
		// given this long to end before Ginkgo moves on to the cleanup;
		// it can no longer create anything by then.
		args = append(args, ginkgo.GracePeriod(bodyGrace))
	}
	return text, args, nil
})

// ---- helpers for the dialects' trackers ----

// API3Response returns the Response members of an API 3.0 answer that is not
// an error (ok false for an error or anything that is not an envelope).
func API3Response(c *Call) (map[string]json.RawMessage, bool) {
	var env struct {
		Response map[string]json.RawMessage
	}
	if c.Status != http.StatusOK || json.Unmarshal(c.Response, &env) != nil || env.Response == nil {
		return nil, false
	}
	if _, isErr := env.Response["Error"]; isErr {
		return nil, false
	}
	return env.Response, true
}

// Params returns a call's top-level parameters: the JSON body, or the
// query of a GET (API 3.0 flattens lists as Key.0, Key.1, …).
func (c *Call) Params() map[string]any {
	out := map[string]any{}
	if len(c.Request) > 0 && json.Unmarshal(c.Request, &out) == nil {
		return out
	}
	q, err := url.ParseQuery(c.Query)
	if err != nil {
		return out
	}
	for k, v := range q {
		if len(v) == 0 {
			continue
		}
		if base, _, ok := strings.Cut(k, "."); ok {
			l, _ := out[base].([]any)
			out[base] = append(l, v[0])
			continue
		}
		out[k] = v[0]
	}
	return out
}

// Strings returns a parameter as a list of strings (one string or a list).
func Strings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// MatchesPrefix reports whether a resource name belongs to a run prefix
// (the empty prefix, which sweep refuses, matches everything: tests use it
// to see every resource of an account).
func MatchesPrefix(name, prefix string) bool {
	return prefix == "" || name == prefix || strings.HasPrefix(name, prefix+"-") || strings.HasPrefix(name, prefix+"_")
}
