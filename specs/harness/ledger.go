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
	"errors"
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

// runCreated reports whether the run created a resource it still holds
// (the states-move breaker counts only the run's own resources).
func runCreated(dialect, id string) bool {
	if id == "" {
		return false
	}
	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	_, ok := ledger.alive[dialect+"|"+id]
	return ok
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
	opt := drainOptions{parallel: drainParallel, budget: drainBudget}
	wait := 30 * time.Second
	for _, t := range ts {
		if t.RequestTimeout > 0 && t.RequestTimeout < wait {
			wait = t.RequestTimeout + time.Second
		}
		if !t.Embedded && !t.loopback() {
			opt.live = true
		}
	}
	if !opt.live {
		// A loopback endpoint answers at once or not at all: a cleanup
		// that deletes nothing for this long is given up (what is left is
		// sweep's), instead of waiting out every resource's own timeout.
		opt.noProgress = drainNoProgress
		wait = min(wait, drainNoProgress)
	}
	// A create sent before the stop may still be acknowledged.
	ledger.waitInflight(wait)
	drainTargets(out, ts, opt)
}

// Bounds of the ledger's cleanup of a run (all dialects).
const (
	// drainBudget bounds the whole cleanup.
	drainBudget = 3 * time.Minute
	// drainNoProgress: on loopback endpoints the cleanup ends when no
	// delete has ended for this long.
	drainNoProgress = 15 * time.Second
	// drainParallel: deletes in flight at once (all dialects).
	drainParallel = 8
	// drainShown: given-up deletes named per dialect.
	drainShown = 8
)

// drainOptions bound a drain.
type drainOptions struct {
	parallel   int           // deletes in flight at once
	budget     time.Duration // the whole drain
	noProgress time.Duration // give up when no delete ended for this long (0: the budget alone)
	live       bool          // some target is not on loopback
	grace      time.Duration // how long deletes still in flight are awaited once the drain gives up (default 1s)
	// sweep: the lines are `batchconform sweep`'s ("deleted X", "NOT
	// deleted X: why") instead of the run's cleanup lines.
	sweep bool
}

// drainSet is one target's resources to delete, with its sweeper.
type drainSet struct {
	t    *Target
	sw   Sweeper
	left []entry
}

func (t *Target) loopback() bool {
	u, err := url.Parse(t.URL)
	return err == nil && IsLoopback(u.Hostname())
}

// drainTargets deletes the ledger's resources of every target that is not
// embedded: the dialects at once, at most opt.parallel deletes in flight,
// each dialect's resources rank by rank (Sweeper.Rank: every job is gone
// before its environment is deleted), newest first within a rank. It gives
// up when the budget is spent or when no delete ended for opt.noProgress;
// what is left is reported with the sweep that removes it.
func drainTargets(out io.Writer, ts []*Target, opt drainOptions) {
	d := newDrain(out, opt)
	var sets []drainSet
	for _, t := range ts {
		if t.Embedded {
			continue
		}
		left := ledger.remaining(t.Dialect)
		if len(left) == 0 {
			continue
		}
		// A spent budget still lets the cleanup through, and a target
		// whose reads are garbage still answers deletes (the sweepers
		// wait for a resource's read to say it is gone, which an error
		// answer does).
		v := t.Violations()
		delete(v, PreBudget)
		delete(v, PreReadable)
		if len(v) > 0 {
			d.say("batchconform: cleanup: %d %s resources left: the target violates %v (`batchconform sweep --prefix %s` removes them)\n", len(left), t.Dialect, v, t.RunPrefix)
			continue
		}
		sw := SweeperFor(t.Dialect)
		if sw == nil {
			d.say("batchconform: cleanup: %d %s resources left: the dialect has no sweeper\n", len(left), t.Dialect)
			continue
		}
		sets = append(sets, drainSet{t: t, sw: sw, left: left})
	}
	d.run(sets, opt, ts)
}

func newDrain(out io.Writer, opt drainOptions) *drain {
	if opt.parallel < 1 {
		opt.parallel = 1
	}
	return &drain{sem: make(chan struct{}, opt.parallel), last: time.Now(), out: out, sweep: opt.sweep,
		failed: map[string]int{}, deleted: map[string]int{}, drained: map[string]bool{}, lastErr: map[string]error{}}
}

// run deletes every set's resources, the dialects at once, within opt's
// bounds, and reports what it gave up on (ts: the targets reported).
func (d *drain) run(sets []drainSet, opt drainOptions, ts []*Target) {
	if opt.grace <= 0 {
		opt.grace = time.Second
	}
	what := "the cleanup's"
	if opt.sweep {
		what = "the sweep's"
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), opt.budget, fmt.Errorf("%s budget of %s was spent", what, opt.budget))
	defer cancel()
	var wg sync.WaitGroup
	for _, set := range sets {
		d.drained[set.t.Dialect] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.dialect(ctx, set.t, set.sw, set.left)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var watch <-chan time.Time
	if opt.noProgress > 0 {
		tick := time.NewTicker(opt.noProgress / 10)
		defer tick.Stop()
		watch = tick.C
	}
wait:
	for {
		select {
		case <-done:
			break wait
		case <-ctx.Done():
			break wait
		case <-watch:
			if idle := d.idle(); idle >= opt.noProgress {
				cancel()
				d.setWhy(fmt.Sprintf("no delete ended for %s", idle.Round(time.Second)))
				break wait
			}
		}
	}
	// Deletes still in flight end with ctx (their pauses) or their request
	// timeout; a request that hangs is not waited for.
	select {
	case <-done:
	case <-time.After(opt.grace):
	}
	d.report(d.out, ctx, ts)
}

// drain is the state of one drainTargets.
type drain struct {
	sem  chan struct{}
	mu   sync.Mutex
	last time.Time // when a delete last ended (or the drain began)
	why  string    // why the drain gave up early
	out  io.Writer
	// failed counts, per dialect, the deletes that ended in an error
	// (each said so); drained names the dialects being deleted.
	failed  map[string]int
	deleted map[string]int
	errs    []error // every delete that ended in an error
	sweep   bool    // sweep's lines (drainOptions.sweep)
	drained map[string]bool
	lastErr map[string]error // dialect|id -> the error a given-up delete ended with
	over    bool             // report written: later deletes say nothing
}

// say writes a line of the drain's (as it happens; nothing once the drain
// reported: a delete it gave up on may still end).
func (d *drain) say(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.over {
		fmt.Fprintf(d.out, format, args...)
	}
}

func (d *drain) idle() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return time.Since(d.last)
}

func (d *drain) setWhy(why string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.why == "" {
		d.why = why
	}
}

// dialect deletes one target's resources rank by rank.
func (d *drain) dialect(ctx context.Context, t *Target, sw Sweeper, left []entry) {
	// left is newest first; a stable sort by rank keeps that within a rank.
	sort.SliceStable(left, func(i, j int) bool { return sw.Rank(left[i].Type) < sw.Rank(left[j].Type) })
	for i := 0; i < len(left); {
		j := i
		for j < len(left) && sw.Rank(left[j].Type) == sw.Rank(left[i].Type) {
			j++
		}
		var wg sync.WaitGroup
		for _, e := range left[i:j] {
			if !d.acquire(ctx) {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-d.sem }()
				d.one(ctx, t, sw, e)
			}()
		}
		wg.Wait()
		if ctx.Err() != nil {
			return
		}
		i = j
	}
}

// acquire takes a slot of the parallel deletes (false: ctx is done).
func (d *drain) acquire(ctx context.Context) bool {
	select {
	case d.sem <- struct{}{}:
		if ctx.Err() != nil {
			<-d.sem
			return false
		}
		return true
	case <-ctx.Done():
		return false
	}
}

// one deletes one resource with its owner's credentials.
func (d *drain) one(ctx context.Context, t *Target, sw Sweeper, e entry) {
	owner := *t
	if e.secretID != "" && e.secretID != t.SecretID {
		k := keyOf(e.secretID)
		if k == "" {
			d.mu.Lock()
			d.failed[t.Dialect]++
			d.errs = append(d.errs, fmt.Errorf("%s: its owner's key is not known", e.Leftover))
			d.mu.Unlock()
			d.say("batchconform: cleanup: %s left: its owner's key is not known to the run\n", e.Leftover)
			d.progress()
			return
		}
		owner.SecretID, owner.SecretKey = e.secretID, k
	}
	start := time.Now()
	err := sw.Delete(ctx, &owner, e.Leftover)
	if ctx.Err() != nil && err != nil {
		// Given up: counted as left; the report names it with its last answer.
		d.mu.Lock()
		d.lastErr[t.Dialect+"|"+e.ID] = err
		d.mu.Unlock()
		return
	}
	d.progress()
	if err != nil {
		d.mu.Lock()
		d.failed[t.Dialect]++
		d.errs = append(d.errs, err)
		d.mu.Unlock()
		if d.sweep {
			d.say("NOT deleted %s: %v\n", e.Leftover, err)
			return
		}
		if errors.Is(err, ErrCannotDelete) {
			d.say("batchconform: cleanup: %s left for good: %v\n", e.Leftover, err)
			return
		}
		d.say("batchconform: cleanup: %s NOT deleted (`batchconform sweep --prefix %s` retries): %v\n", e.Leftover, t.RunPrefix, err)
		return
	}
	ledger.record(t.Dialect, "", nil, []string{e.ID})
	d.mu.Lock()
	d.deleted[t.Dialect]++
	d.mu.Unlock()
	if d.sweep {
		d.say("deleted %s (%s)\n", e.Leftover, time.Since(start).Round(time.Millisecond))
		return
	}
	note := ""
	if !MatchesPrefix(e.Name, t.RunPrefix) && (e.secretID == "" || e.secretID == t.SecretID) {
		// A spec forgot the prefix: a killed run would leave this where
		// no sweep finds it. (A tenant of the emulator's admin API is the
		// run's own: it holds nothing of an account.)
		note = "; NOT named with the run prefix"
	}
	d.say("batchconform: cleanup: deleted %s (%s%s)\n", e.Leftover, time.Since(start).Round(time.Millisecond), note)
}

func (d *drain) progress() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last = time.Now()
}

// report writes what the drain did and, when it gave up, how many of each
// drained dialect's resources it did not get to.
func (d *drain) report(out io.Writer, ctx context.Context, ts []*Target) {
	d.mu.Lock()
	// Copies: a delete given up on may still end and write to the maps.
	why, failed := d.why, make(map[string]int, len(d.failed))
	for k, v := range d.failed {
		failed[k] = v
	}
	lastErr := make(map[string]error, len(d.lastErr))
	for k, v := range d.lastErr {
		lastErr[k] = v
	}
	d.over = true
	d.mu.Unlock()
	if ctx.Err() == nil {
		return
	}
	if why == "" {
		why = context.Cause(ctx).Error()
	}
	for _, t := range ts {
		if !d.drained[t.Dialect] {
			continue
		}
		left := ledger.remaining(t.Dialect)
		if n := len(left) - failed[t.Dialect]; n > 0 {
			fmt.Fprintf(out, "batchconform: cleanup: %d %s resources left: %s (`batchconform sweep --prefix %s` removes them)\n", n, t.Dialect, why, t.RunPrefix)
			// The ones being deleted when the drain gave up, with what
			// held them (a few: the rest were not reached).
			shown := 0
			for _, e := range left {
				if err := lastErr[t.Dialect+"|"+e.ID]; err != nil && shown < drainShown {
					fmt.Fprintf(out, "batchconform: cleanup:   %s: %v\n", e.Leftover, err)
					shown++
				}
			}
		}
	}
}

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
