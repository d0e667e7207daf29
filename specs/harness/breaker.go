package harness

// The circuit breaker: a target that keeps violating the same precondition
// (it never answers, it is not an implementation of the dialect at all, its
// creates name nothing, its resources never leave their first state) is
// recognised once, early, and every item that depends on the precondition
// fails with that one message instead of each waiting out its own timeout.
// Without it a server that answers success to everything kept a run busy
// for more than 15 minutes and 900,000 requests (issue 11).
//
// Preconditions are per dialect (the breaker is keyed by the dialect, so the
// copies of a Target that NewTenant makes share it). Once tripped, a
// precondition stays tripped for the rest of the process: a target that
// blocks "reachable" or "speaks-dialect" is sent nothing more at all.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// Precondition names (dialect-neutral).
const (
	// PreReachable: the endpoint gives usable HTTP answers (not refused,
	// reset, hanging, trickling or oversized).
	PreReachable = "reachable"
	// PreDialect: the endpoint is an implementation of the dialect (the
	// preflight: it refuses an action that does not exist and answers a
	// plain list call with the documented fields, in the documented envelope).
	PreDialect = "speaks-dialect"
	// PreCredentials: the target accepts the run's credentials.
	PreCredentials = "credentials"
	// PreCreates: a create that succeeds names the resource it created.
	PreCreates = "creates-appear"
	// PreStates: some resource of the run leaves the state it was first
	// seen in within the stall window, and no kind of resource (jobs,
	// tasks, instances, compute nodes: settleStates) sits in a state it
	// must leave on its own for the stall window while no resource of the
	// kind was ever seen leaving it.
	PreStates = "states-move"
)

// stateKinds are the item kinds that need resources to appear and move.
var stateKinds = []string{"state", "transition", "event"}

// preconditionKinds lists the item kinds a tripped precondition fails
// (nil: every kind). Items of other kinds still run: their checks do not
// depend on it.
var preconditionKinds = map[string][]string{
	PreReachable:   nil,
	PreDialect:     nil,
	PreCredentials: nil,
	PreCreates:     stateKinds,
	PreStates:      stateKinds,
}

// blocksSending lists the preconditions after which nothing more is sent
// to the target: nothing it answers could be judged.
var blocksSending = map[string]bool{PreReachable: true, PreDialect: true, PreCredentials: true}

// Breaker thresholds.
const (
	// A target that never gave a usable answer is given up after this many
	// transport failures in a row (the preflight's two attempts).
	unreachableNever = 2
	// A target that answered before is given up after this many.
	unreachableAfter = 10
)

// ErrPrecondition marks an error returned because a precondition tripped.
var ErrPrecondition = errors.New("target precondition violated")

type breaker struct {
	// canMove reports whether a documented machine of the dialect leaves
	// a state (set when the breaker is made).
	canMove func(state string) bool
	dialect string
	mu      sync.Mutex
	tripped map[string]string // precondition -> message
	// reachability
	answered    bool
	consecFails int
	// state movement
	stall time.Duration
	// host is the endpoint (host:port) the dialect's target is served at:
	// a states-move trip of another dialect at the same host shortens
	// this one's window (corroborated) unless ownFaults: the run's own
	// emulator (with --fault one dialect is broken on purpose, the others
	// not)
	host      string
	ownFaults bool
	firstSeen time.Time
	moved     bool
	states    map[string]string // key -> first state seen
	order     []string
	// firstAt is when each key of states was first seen and lastAt when
	// last, still in its first state: only a key seen again half a window
	// or more after its first look shows a target that does not move (a
	// resource nobody looked at again proves nothing: a drop-proxy soak run
	// tripped on 26 jobs, each SUBMITTED once and finished a second later).
	firstAt map[string]time.Time
	lastAt  map[string]time.Time
	// per kind (stuck kinds): what each resource is in and since when, and
	// which settling states a resource of the kind was seen leaving
	settle map[string]map[string]bool // kind -> states it must leave on its own
	cur    map[string]*seenState      // key -> current state
	left   map[string]bool            // kind + "\x00" + state -> some resource left it
	// reads: per read action, its readable and unreadable answers
	// (readable.go)
	reads map[string]*readTally
	// creates: the successful creates that named what they created and
	// those that did not (creates.go)
	creates createTally
}

// seenState is a resource's current state, when it was first seen in it
// and when last.
type seenState struct {
	kind, state     string
	since, lastSeen time.Time
}

var (
	breakersMu sync.Mutex
	breakers   = map[string]*breaker{}
)

func breakerFor(dialect string) *breaker {
	breakersMu.Lock()
	defer breakersMu.Unlock()
	b := breakers[dialect]
	if b == nil {
		b = newBreaker(dialect, movableStates(dialect))
		breakers[dialect] = b
	}
	return b
}

func newBreaker(dialect string, canMove func(string) bool) *breaker {
	return &breaker{tripped: map[string]string{}, states: map[string]string{}, canMove: canMove, dialect: dialect,
		firstAt: map[string]time.Time{}, lastAt: map[string]time.Time{},
		settle: settleStates[dialect], cur: map[string]*seenState{}, left: map[string]bool{}}
}

// resetBreakers forgets every breaker (a new suite run in the same process).
func resetBreakers() {
	breakersMu.Lock()
	defer breakersMu.Unlock()
	breakers = map[string]*breaker{}
}

func (b *breaker) trip(pre, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.tripped[pre]; !ok {
		b.tripped[pre] = msg
	}
}

// sendBlock returns the message of a tripped precondition that stops all
// sending ("" if none).
func (b *breaker) sendBlock() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, pre := range []string{PreReachable, PreDialect, PreCredentials} {
		// (PreBudget blocks sending in the transport itself, which still
		// lets the cleanup's requests through.)
		if m, ok := b.tripped[pre]; ok && blocksSending[pre] {
			return m
		}
	}
	return ""
}

// transportResult records the outcome of one exchange: err is nil for a
// usable HTTP answer (whatever its status or body).
func (b *breaker) transportResult(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.answered, b.consecFails = true, 0
		return
	}
	b.consecFails++
	limit := unreachableAfter
	if !b.answered {
		limit = unreachableNever
	}
	if b.consecFails >= limit {
		if _, ok := b.tripped[PreReachable]; !ok {
			how := "never gave a usable answer"
			if b.answered {
				how = "stopped answering"
			}
			hint := ""
			var ne net.Error
			if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
				hint = "; the requests timed out: raise --request-timeout if the target is just slow"
			}
			b.tripped[PreReachable] = fmt.Sprintf("precondition %s violated: the endpoint %s (%d requests in a row failed; last: %s)%s",
				PreReachable, how, b.consecFails, err, hint)
		}
	}
}

// observeState records the state of a resource key, of the kind its key
// names (KindOfKey).
func (b *breaker) observeState(key, state string) { b.observeKindState(KindOfKey(key), key, state) }

// observeKindState records the state of a resource of a kind. The first
// time any key is seen in a second state, the target moves for good; a kind
// is judged on its own (stuckKind) whatever other kinds do.
func (b *breaker) observeKindState(kind, key, state string) {
	if state == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trackKind(kind, key, state, time.Now())
	if b.moved {
		return
	}
	first, ok := b.states[key]
	switch {
	case !ok && !b.canMove(state):
		// First seen finished (or in a state no documented machine
		// leaves): it says nothing about whether the target moves.
	case !ok:
		now := time.Now()
		if b.firstSeen.IsZero() {
			b.firstSeen = now
		}
		b.states[key] = state
		b.firstAt[key] = now
		b.order = append(b.order, key)
	case first != state:
		b.moved = true
	default:
		// Seen again unchanged: stale once this is half a window after
		// its first look (judged in stalled, against the window then in
		// force; the whole window would add up to a window to a run
		// against a target where nothing moves: stuck-states took 107 s
		// instead of 81).
		b.lastAt[key] = time.Now()
	}
}

// trackKind follows a resource of a kind through its states (b.mu held).
func (b *breaker) trackKind(kind, key, state string, now time.Time) {
	if b.settle[kind] == nil {
		return // a kind with no settling states is never stuck on its own
	}
	c := b.cur[key]
	if c == nil {
		b.cur[key] = &seenState{kind: kind, state: state, since: now, lastSeen: now}
		return
	}
	c.lastSeen = now
	if c.state != state {
		b.left[kind+"\x00"+c.state] = true
		c.state, c.since = state, now
	}
}

// stuckKind returns, for the first kind (in name order) stuck in a settling
// state, a description of it: some resource still observed (within a
// quarter of the stall window: a resource nobody polls any more, e.g. one
// deleted with its environment, proves nothing) has sat in the state for
// the stall window, and no resource of the kind was ever seen leaving it. A
// kind that left the state once is not stuck there: one slow resource is
// judged by the spec that waits for it, not by the breaker (b.mu held).
func (b *breaker) stuckKind(now time.Time) string { return b.stuckKindIn(now, b.stall) }

// stuckKindIn is stuckKind with a window of its own (b.mu held).
func (b *breaker) stuckKindIn(now time.Time, window time.Duration) string {
	type stuck struct {
		keys  []string
		since time.Time
	}
	found := map[string]*stuck{} // kind + state -> resources stuck there
	for key, c := range b.cur {
		if !b.settle[c.kind][c.state] || b.left[c.kind+"\x00"+c.state] || now.Sub(c.since) < window || now.Sub(c.lastSeen) > b.stall/4 {
			continue
		}
		k := c.kind + "\x00" + c.state
		if found[k] == nil {
			found[k] = &stuck{since: c.since}
		}
		found[k].keys = append(found[k].keys, key)
		if c.since.Before(found[k].since) {
			found[k].since = c.since
		}
	}
	if len(found) == 0 {
		return ""
	}
	ks := make([]string, 0, len(found))
	for k := range found {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	st := found[ks[0]]
	kind, state, _ := strings.Cut(ks[0], "\x00")
	sort.Strings(st.keys)
	ex := st.keys
	if len(ex) > 3 {
		ex = append(ex[:3:3], "…")
	}
	return fmt.Sprintf("precondition %s violated: %d %s resource(s) stay %s (the longest for %s: %s) and no %s was ever seen leaving %s, which it must leave on its own",
		PreStates, len(st.keys), kind, state, now.Sub(st.since).Round(time.Second), strings.Join(ex, ", "), kind, state)
}

// stalled trips PreStates when resources were observed for longer than the
// stall window and none ever left its first state, or when a kind of
// resource is stuck in a settling state (stuckKind). Once another dialect
// served at the same host tripped PreStates, a quarter of the window
// suffices (corroborated): one server whose resources never move is one
// target, and each dialect waiting out a whole window of its own, one after
// another, made a run against stuck-states take three windows (88 s at load
// 10). Each dialect still needs its own resources seen not moving, and a
// correct endpoint never trips the first dialect. The run's own emulator is
// never corroborated: with --fault one dialect is broken on purpose.
func (b *breaker) stalled() string {
	b.mu.Lock()
	m, done := b.tripped[PreStates]
	stall, host := b.stall, b.host
	if b.ownFaults {
		host = "" // never corroborated
	}
	b.mu.Unlock()
	if done {
		return m
	}
	if stall <= 0 {
		return ""
	}
	// (Asked before b.mu is taken again: a breaker never holds its own
	// lock while taking another's.)
	beside := stuckBeside(b, host)
	b.mu.Lock()
	defer b.mu.Unlock()
	if m, ok := b.tripped[PreStates]; ok {
		return m
	}
	window := b.stall
	if beside != "" {
		window = b.stall / 4
	}
	m = b.stalledIn(time.Now(), window)
	if m == "" {
		return ""
	}
	if beside != "" {
		m += fmt.Sprintf(" (%s, a quarter of the --stall-timeout window: %s, served at the same host, was recognised stuck first)", window, beside)
	} else {
		m += "; raise --stall-timeout if the target is just slow"
	}
	b.tripped[PreStates] = m
	return m
}

// stalledIn judges states-move with a window: the stuck kinds first, then
// the whole target (b.mu held; "" = no trip).
func (b *breaker) stalledIn(now time.Time, window time.Duration) string {
	if m := b.stuckKindIn(now, window); m != "" {
		return m
	}
	if b.moved || b.firstSeen.IsZero() || now.Sub(b.firstSeen) < window {
		return ""
	}
	var stale, ex []string
	for _, k := range b.order {
		if last, ok := b.lastAt[k]; ok && last.Sub(b.firstAt[k]) >= window/2 {
			stale = append(stale, k)
		}
	}
	if len(stale) == 0 {
		return ""
	}
	for _, k := range stale {
		if len(ex) == 3 {
			ex = append(ex, "…")
			break
		}
		ex = append(ex, k+" stays "+b.states[k])
	}
	return fmt.Sprintf("precondition %s violated: %d resource(s) observed for %s and none left the state it was first seen in (%d seen again %s or more later, still in it: %s)",
		PreStates, len(b.states), now.Sub(b.firstSeen).Round(time.Second), len(stale), window/2, strings.Join(ex, ", "))
}

// stuckBeside names another dialect served at host whose PreStates tripped
// ("" if none, or host unknown).
func stuckBeside(b *breaker, host string) string {
	if host == "" {
		return ""
	}
	breakersMu.Lock()
	others := make([]*breaker, 0, len(breakers))
	for _, o := range breakers {
		if o != b {
			others = append(others, o)
		}
	}
	breakersMu.Unlock()
	var names []string
	for _, o := range others {
		o.mu.Lock()
		if _, ok := o.tripped[PreStates]; ok && o.host == host {
			names = append(names, o.dialect)
		}
		o.mu.Unlock()
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// blocking returns the messages of the tripped preconditions that apply to
// an item kind.
func (b *breaker) blocking(kind string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for pre, m := range b.tripped {
		kinds := preconditionKinds[pre]
		if kinds == nil || contains(kinds, kind) {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

func (b *breaker) snapshot() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for k, v := range b.tripped {
		out[k] = v
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// ---- the Target's view ----

// Violate trips a precondition of the target's dialect with a message that
// every dependent item will carry.
func (t *Target) Violate(pre, msg string) {
	breakerFor(t.Dialect).trip(pre, fmt.Sprintf("precondition %s violated: %s", pre, msg))
}

// know takes the stall window and the host from the dialect's target.
func (b *breaker) know(t *Target) {
	b.mu.Lock()
	if b.stall == 0 {
		b.stall = t.StallTimeout
	}
	known := b.host != ""
	b.mu.Unlock()
	if known {
		return
	}
	// (EmbeddedFaults takes settingsMu: never under b.mu.)
	own := t.Embedded || len(EmbeddedFaults()) > 0
	b.mu.Lock()
	b.host, b.ownFaults = t.Host, own
	b.mu.Unlock()
}

// ObserveState feeds the states-move precondition: call it with every state
// a poll observes (key names the resource, e.g. "job job-abc"; its kind is
// read from the key: KindOfKey).
func (t *Target) ObserveState(key, state string) { t.ObserveKindState(KindOfKey(key), key, state) }

// ObserveKindState is ObserveState for a resource of a named kind (the
// catalog's machine name: "job", "task", "task-instance", "compute-node").
func (t *Target) ObserveKindState(kind, key, state string) {
	b := breakerFor(t.Dialect)
	b.know(t)
	b.observeKindState(kind, key, state)
}

// settleStates lists, per dialect and kind of resource (the catalog's
// machine names), the states a resource must leave on its own within the
// stall window: the platform's own steps (accepting a job, allocating its
// node, booting a node), never a state that waits for a command, for
// upstream tasks, for capacity or for a client's action (RUNNING, PENDING,
// RUNNABLE, a node RUNNING). A kind stuck in one of them trips PreStates
// even while other kinds move (a node that never leaves CREATING kept a
// --full run busy for 15 minutes while jobs moved elsewhere).
var settleStates = map[string]map[string]map[string]bool{
	"tencent-batch": {
		"job":           {"SUBMITTED": true, "STARTING": true},
		"task":          {"SUBMITTED": true, "STARTING": true},
		"task-instance": {"SUBMITTED": true, "STARTING": true},
		"compute-node":  {"SUBMITTED": true, "CREATING": true, "CREATED": true},
	},
	"alibaba-batchcompute": {
		"cluster-instance": {"Pending": true, "Starting": true},
	},
	"oceanus": {
		"job": {"3": true}, // an operation in progress
	},
}

// stateFieldKinds names the kind of a resource from the member that holds
// its state in an answer (observeResponse keys "<id>:<member>").
var stateFieldKinds = map[string]string{
	"JobState":          "job",
	"TaskState":         "task",
	"TaskInstanceState": "task-instance",
	"ComputeNodeState":  "compute-node",
	"ActivityState":     "activity",
}

// KindOfKey reads the kind of a resource from an ObserveState key: "<kind>
// <id>" (the form the specs use: "job cql-…", "cluster-instance i-…"), or
// "<id>:<state member>" (observeResponse). Any other key is of no known kind
// and counts only towards the whole target's movement.
func KindOfKey(key string) string {
	if k, _, ok := strings.Cut(key, " "); ok {
		return k
	}
	if i := strings.LastIndexByte(key, ':'); i >= 0 {
		return stateFieldKinds[key[i+1:]]
	}
	return ""
}

// Stalled returns an error once the target is recognised as one whose
// resources never move (or which violates a precondition that stops
// sending); polling loops return it instead of waiting out their timeout.
func (t *Target) Stalled() error {
	b := breakerFor(t.Dialect)
	b.know(t)
	if m := b.sendBlock(); m != "" {
		return fmt.Errorf("%w: %s", ErrPrecondition, m)
	}
	if m := b.stalled(); m != "" {
		return fmt.Errorf("%w: %s", ErrPrecondition, m)
	}
	snap := b.snapshot()
	for _, pre := range []string{PreCreates, PreReadable} {
		if m, ok := snap[pre]; ok {
			return fmt.Errorf("%w: %s", ErrPrecondition, m)
		}
	}
	// A spent --budget ends every wait too (budget.go): the polls a wait
	// sends are single-resource reads the budget lets through for the
	// cleanup, and the resources waited on cost while it goes on.
	if m := budgetStop(); m != "" {
		return fmt.Errorf("%w: %s", ErrPrecondition, m)
	}
	return nil
}

// RequireMoving fails the spec (inside an Eventually too: the failure ends
// the polling) when Stalled reports a violated precondition.
func (t *Target) RequireMoving() {
	if err := t.Stalled(); err != nil {
		ginkgo.Fail(err.Error())
	}
}

// Violations returns the target's violated preconditions (name -> message).
func (t *Target) Violations() map[string]string { return breakerFor(t.Dialect).snapshot() }

// failIfBlocked runs before every spec body: if a tripped precondition
// applies to one of the spec's items, each of them gets a verdict of fail
// with the precondition's one message, and the body does not run.
func failIfBlocked(items []string) {
	var msgs []string
	var hit []string
	for _, id := range items {
		it, ok := LookupItem(id)
		if !ok {
			continue
		}
		settingsMu.Lock()
		_, isTarget := targets[it.Dialect]
		settingsMu.Unlock()
		if !isTarget {
			continue
		}
		b := breakerFor(it.Dialect)
		b.stalled() // a window that ran out trips here too
		if m := b.blocking(string(it.Kind)); len(m) > 0 {
			hit = append(hit, id)
			for _, x := range m {
				if !contains(msgs, x) {
					msgs = append(msgs, x)
				}
			}
		}
	}
	if len(hit) == 0 {
		return
	}
	for _, id := range hit {
		Check(id)
	}
	ginkgo.Fail(strings.Join(msgs, "; "))
}

// StopIfStalled ends the Eventually it is called in (Gomega's StopTrying)
// once Stalled reports a violated precondition. Call it only inside an
// Eventually's polled function; elsewhere use RequireMoving.
func StopIfStalled(t *Target) {
	if err := t.Stalled(); err != nil {
		gomega.StopTrying(err.Error()).Now()
	}
}

// AllViolations returns every tripped precondition of this process:
// dialect -> precondition -> message.
func AllViolations() map[string]map[string]string {
	breakersMu.Lock()
	ds := map[string]*breaker{}
	for d, b := range breakers {
		ds[d] = b
	}
	breakersMu.Unlock()
	out := map[string]map[string]string{}
	for d, b := range ds {
		if s := b.snapshot(); len(s) > 0 {
			out[d] = s
		}
	}
	return out
}

// PreconditionBlocks reports whether a violated precondition fails the
// items of a kind.
func PreconditionBlocks(pre, kind string) bool {
	kinds, ok := preconditionKinds[pre]
	return ok && (kinds == nil || contains(kinds, kind))
}

// observeResponse feeds the states-move precondition from any successful
// answer: every object in it with a string member named *Id and one named
// *State is a resource in a state (JobId/JobState, ComputeNodeId/
// ComputeNodeState, …), so every poll of every spec counts without each
// spec reporting what it saw. Only the run's own resources count (an
// object named with the run prefix, one whose *Id the run's ledger holds,
// or one inside such an object): an endpoint that served earlier runs
// lists their resources too, and those may rest for good in a state only a
// user action leaves (FAILED until RetryJobs).
func (t *Target) observeResponse(v any) { t.observeObjects(v, false) }

// observeObjects walks v; ours: an enclosing object is the run's.
func (t *Target) observeObjects(v any, ours bool) {
	switch x := v.(type) {
	case map[string]any:
		var id, stateKey, state string
		for k, val := range x {
			s, ok := val.(string)
			if !ok {
				continue
			}
			switch {
			case strings.HasSuffix(k, "Id"):
				if id == "" {
					id = s
				}
				ours = ours || runCreated(t.Dialect, s)
			case strings.HasSuffix(k, "State") && (stateKey == "" || k < stateKey):
				stateKey, state = k, s
			case strings.HasSuffix(k, "Name"):
				ours = ours || (t.RunPrefix != "" && MatchesPrefix(s, t.RunPrefix))
			}
		}
		if ours && id != "" && state != "" {
			t.ObserveState(id+":"+stateKey, state)
		}
		for _, val := range x {
			if _, isString := val.(string); !isString {
				t.observeObjects(val, ours)
			}
		}
	case []any:
		for _, e := range x {
			t.observeObjects(e, ours)
		}
	}
}

// movableStates returns whether a state is left without a user action by
// some transition of the dialect's documented machines (its trigger is not
// only API actions: FAILED -> PENDING by RetryJobs does not make FAILED a
// state that must move); without a catalog every state counts.
func movableStates(dialect string) func(string) bool {
	c := Catalog(dialect)
	if c == nil {
		return func(string) bool { return true }
	}
	isAction := func(w string) bool {
		_, ok := c.Action(w)
		return ok
	}
	from := map[string]bool{}
	for _, m := range c.Machines {
		for _, tr := range m.Transitions {
			if spontaneous(tr.Trigger, isAction) {
				from[tr.From] = true
			}
		}
	}
	return func(s string) bool { return from[s] }
}

// spontaneous reports whether a transition's trigger names a cause that is
// not a user's call: one of its alternatives (split at ";", " or ",
// " / ", parenthesised asides dropped; a comma does not separate
// alternatives: "RetryJobs: the instance is reset …, then PENDING ->
// RUNNABLE" is one) names no API action. An empty trigger is taken as
// spontaneous.
func spontaneous(trigger string, isAction func(string) bool) bool {
	var b strings.Builder
	depth := 0
	for _, r := range trigger {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	clauses := strings.FieldsFunc(strings.NewReplacer(" or ", ";", " / ", ";").Replace(b.String()), func(r rune) bool { return r == ';' })
	if len(clauses) == 0 {
		return true
	}
	for _, cl := range clauses {
		user := false
		for _, w := range strings.FieldsFunc(cl, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) {
			if isAction(w) || isAction(w+"s") {
				user = true
				break
			}
		}
		if !user && strings.TrimSpace(cl) != "" {
			return true
		}
	}
	return false
}
