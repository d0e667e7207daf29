package engine

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// Executor names.
const (
	ExecutorLocal     = "local"
	ExecutorSimulated = "simulated"
)

// Config configures an engine.
type Config struct {
	Clock    Clock             // nil: scaled real time at scale 1
	Executor string            // "local" (default) or "simulated"
	WorkDir  string            // root of per-instance work dirs (local executor); "" = a temp dir removed by Close
	Tenants  *tenants.Registry // quotas and permissions (nil or an unknown tenant: tenants.DefaultQuotas, everything allowed)
	Faults   *faults.Set
	Timing   Timing
	Objects  *ObjectStore // nil: a new empty store
	// Seed makes generated IDs deterministic (0: random). With a manual clock
	// and the simulated executor, the same Seed and the same calls give the
	// same IDs, states and times.
	Seed uint64
	// MaxChanges bounds the state-change log kept for Changes (default 100000).
	MaxChanges int
	// Chaos decides which instances lose their compute node mid-task (nil:
	// none; the emulator passes its chaos set, see package chaos).
	Chaos InstanceChaos
	// Journal, when set, records local-executor outcomes and hands them back
	// while a persisted history is replayed (emulate --state-dir).
	Journal ExecJournal
}

// InstanceChaos is asked once per attempt, when an instance of tenant starts
// its command: a non-empty answer (the chaos rule's name) makes the node
// under it die once the RUNNING state has been held, so the attempt fails
// and the task's retry path (MaxRetry) runs as for any lost node.
type InstanceChaos interface {
	InstanceDies(tenant string) string
}

// Clock is emulator time.
type Clock interface {
	Now() time.Time
}

// Change is one recorded state change of any entity (for debugging and for
// tests that want the exact history rather than a polled one).
type Change struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Tenant string    `json:"tenant"`
	Kind   string    `json:"kind"` // job, task, task-instance, node, activity, env
	ID     string    `json:"id"`   // job, env, node or activity ID
	Task   string    `json:"task,omitempty"`
	Index  *int      `json:"index,omitempty"` // read-only: shared between changes (indexPtr)
	From   string    `json:"from"`
	To     string    `json:"to"`
	// Env is a node change's compute environment (façades map nodes to
	// their clusters with it).
	Env string `json:"env,omitempty"`
}

// Engine is the emulator's core. All methods are safe for concurrent use.
type Engine struct {
	mu     sync.Mutex
	cfg    Config
	clock  Clock
	manual *ManualClock
	timing Timing
	faults *faults.Set
	objs   *ObjectStore
	ids    *idGen

	cursor time.Time // the emulator time processing has reached
	q      queue
	qseq   uint64

	jobs     map[string]*job
	jobOrder []*job
	// byTenant is jobOrder per tenant, so a page of one tenant's jobs costs
	// the page (JobsPage); byTenantN counts what it holds, and JobsPage
	// rebuilds it from jobOrder if another path changed jobOrder alone.
	byTenant  map[string][]*job
	byTenantN int
	// byAttr indexes each tenant's jobs by the attributes fixed at
	// submission (attrKey: name, zone, each tag), in creation order.
	byAttr map[attrKeyT][]*job
	// byState counts each tenant's indexed jobs per state (stateKey), kept
	// by indexJob, unindexJob and setJob.
	byState   map[stateKeyT]int
	envs      map[string]*env
	envOrder  []*env
	tmpls     map[string]*Template
	tmplOrder []string
	tokens    map[string]string // tenant\x00kind\x00token -> ID
	nJobs     map[string]int    // tenant -> undeleted jobs
	attached  map[string]*node  // CVM instance ID -> node (user-attached or Batch-created)
	seq       int64             // creation order counter

	events   []Event
	eventSeq int64
	changes  changeLog
	chSeq    int64

	workDir    string
	ownWorkDir bool
	runs       map[*execRun]bool
	lost       []lostExec // replayed local attempts without an outcome (RecoverLost)
	closed     bool
	stop       chan struct{}
	kick       chan struct{}
	wg         sync.WaitGroup
}

// New starts an engine (its scheduling loop runs until Close).
func New(cfg Config) (*Engine, error) {
	e := &Engine{
		cfg:      cfg,
		clock:    cfg.Clock,
		faults:   cfg.Faults,
		objs:     cfg.Objects,
		ids:      newIDGen(cfg.Seed),
		jobs:     map[string]*job{},
		envs:     map[string]*env{},
		tmpls:    map[string]*Template{},
		tokens:   map[string]string{},
		nJobs:    map[string]int{},
		attached: map[string]*node{},
		runs:     map[*execRun]bool{},
		stop:     make(chan struct{}),
		kick:     make(chan struct{}, 1),
	}
	if e.clock == nil {
		e.clock = NewScaledClock(1)
	}
	if m, ok := e.clock.(*ManualClock); ok {
		e.manual = m
	}
	if e.objs == nil {
		e.objs = NewObjectStore()
	}
	if e.cfg.MaxChanges <= 0 {
		e.cfg.MaxChanges = 100000
	}
	e.timing = cfg.Timing.withDefaults()
	switch cfg.Executor {
	case "":
		e.cfg.Executor = ExecutorLocal
	case ExecutorLocal, ExecutorSimulated:
	default:
		return nil, fmt.Errorf("engine: unknown executor %q (want local or simulated)", cfg.Executor)
	}
	if e.cfg.Executor == ExecutorLocal {
		if cfg.WorkDir == "" {
			d, err := os.MkdirTemp("", "batchconform-work-")
			if err != nil {
				return nil, fmt.Errorf("engine: work dir: %w", err)
			}
			e.workDir, e.ownWorkDir = d, true
		} else {
			if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
				return nil, fmt.Errorf("engine: work dir: %w", err)
			}
			e.workDir = cfg.WorkDir
		}
	}
	e.cursor = e.clock.Now()
	if e.manual == nil {
		e.wg.Add(1)
		go e.loop()
	}
	return e, nil
}

// withDefaults fills unset durations.
func (t Timing) withDefaults() Timing {
	if t.Hold <= 0 {
		t.Hold = 120 * time.Millisecond
	}
	if t.NodeBoot <= 0 {
		t.NodeBoot = t.Hold
	}
	if t.DefaultTimeout <= 0 {
		t.DefaultTimeout = 86400 * time.Second
	}
	if t.RetryWait <= 0 {
		t.RetryWait = t.Hold
	}
	return t
}

// Timing reports the effective durations (defaults filled).
func (e *Engine) Timing() Timing { return e.timing }

// Close stops the loop, kills running commands (their whole process groups),
// waits for every goroutine the engine started and removes temp dirs. The
// engine's state stays readable; nothing moves any more.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.stop)
	for r := range e.runs {
		r.kill()
	}
	e.mu.Unlock()
	e.wg.Wait()
	if e.ownWorkDir {
		if err := os.RemoveAll(e.workDir); err != nil {
			return fmt.Errorf("engine: remove work dir: %w", err)
		}
	}
	return nil
}

// Now is the engine's current time.
func (e *Engine) Now() time.Time { return e.clock.Now() }

// Objects is the object store (cos://, cfs:// and oss:// URLs).
func (e *Engine) Objects() *ObjectStore { return e.objs }

// Events returns the recorded notifications with Seq > after (for one tenant, or all if tenant == "").
func (e *Engine) Events(tenant string, after int64) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	out := []Event{}
	for _, ev := range e.events {
		if ev.Seq > after && (tenant == "" || ev.Tenant == tenant) {
			out = append(out, ev)
		}
	}
	return out
}

// Changes returns the recorded state changes with Seq > after (oldest first;
// at most Config.MaxChanges are kept).
func (e *Engine) Changes(after int64) []Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	out := []Change{}
	e.changes.each(e.cfg.MaxChanges, func(c *Change) {
		if c.Seq > after {
			out = append(out, *c)
		}
	})
	return out
}

// MaxAdvance bounds one Advance call (time arithmetic stays far from overflow).
const MaxAdvance = 100 * 365 * 24 * time.Hour

// ErrNotManual is returned by Advance on a scaled clock.
var ErrNotManual = errors.New("engine: the clock is not manual")

// Advance moves a manual clock forward and processes everything that became due.
// It returns an error if the clock is not manual.
func (e *Engine) Advance(d time.Duration) error {
	if e.manual == nil {
		return ErrNotManual
	}
	if d < 0 || d > MaxAdvance {
		return fmt.Errorf("engine: advance by %v: want 0..%v", d, MaxAdvance)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.manual.Advance(d)
	e.sync()
	return nil
}

// Manual reports whether the clock is manual.
func (e *Engine) Manual() bool { return e.manual != nil }

// ---- scheduling core ----

// sched is embedded in every entity that can be woken.
type sched struct {
	next   time.Time
	gen    uint64
	queued bool
}

func (s *sched) sc() *sched { return s }

type entity interface{ sc() *sched }

type qitem struct {
	t   time.Time
	seq uint64
	gen uint64
	ent entity
}

type queue []qitem

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].t.Equal(q[j].t) {
		return q[i].t.Before(q[j].t)
	}
	if ri, rj := aggRank(q[i].ent), aggRank(q[j].ent); ri != rj {
		return ri < rj
	}
	return q[i].seq < q[j].seq
}

// aggRank orders the steps due at one instant: tasks aggregate after every
// instance, env and node step, jobs after their tasks.
func aggRank(e entity) int {
	switch e.(type) {
	case *task:
		return 1
	case *job:
		return 2
	}
	return 0
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

// push and pop are container/heap's Push and Pop for this one type: through
// heap.Interface every item pushed was boxed, an allocation per wake.
// (Less is a total order, seq being unique, so the pop order is the same.)
func (q *queue) push(it qitem) {
	*q = appendDoubling(*q, it)
	q.up(len(*q) - 1)
}

// appendDoubling is append for the engine's ever-growing slices (the queue
// while nothing is due, the job lists while jobs are kept): a full slice's
// capacity doubles, where append grows a large slice by a quarter, so that
// each element is copied about four times as the slice grows (and each
// growth touches fresh memory): a tenth of the engine's SubmitJob time went
// to the queue's growth with a manual clock.
func appendDoubling[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		n := make([]T, len(s), max(2*cap(s), 8))
		copy(n, s)
		s = n
	}
	return append(s, v)
}

// pop removes the first item (q[0]).
func (q *queue) pop() {
	n := len(*q) - 1
	q.Swap(0, n)
	q.down(0, n)
	(*q)[n] = qitem{} // let the entity go
	*q = (*q)[:n]
}

func (q queue) up(j int) {
	for {
		i := (j - 1) / 2 // parent
		if i == j || !q.Less(j, i) {
			break
		}
		q.Swap(i, j)
		j = i
	}
}

func (q queue) down(i0, n int) {
	i := i0
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 { // j1 < 0 after int overflow
			break
		}
		j := j1 // left child
		if j2 := j1 + 1; j2 < n && q.Less(j2, j1) {
			j = j2 // right child
		}
		if !q.Less(j, i) {
			break
		}
		q.Swap(i, j)
		i = j
	}
}

// wake asks for ent to be stepped at t (or earlier if already asked).
func (e *Engine) wake(ent entity, t time.Time) {
	s := ent.sc()
	if s.queued && !s.next.After(t) {
		return
	}
	s.gen++
	s.next = t
	s.queued = true
	e.qseq++
	e.q.push(qitem{t: t, seq: e.qseq, gen: s.gen, ent: ent})
}

// runTo processes, in time order, everything due up to target. Each step runs
// at its own due time (never before the cursor), so the recorded times do not
// depend on when the processing happens to run.
func (e *Engine) runTo(target time.Time) {
	for guard := 0; e.q.Len() > 0; guard++ {
		if guard > 10_000_000 {
			// Never reached by a sane workload; rather than hang a request,
			// leave the rest for the next call.
			return
		}
		it := e.q[0]
		s := it.ent.sc()
		if it.gen != s.gen || !s.queued {
			e.q.pop()
			continue
		}
		if it.t.After(target) {
			break
		}
		e.q.pop()
		s.queued = false
		if it.t.After(e.cursor) {
			e.cursor = it.t
		}
		e.step(it.ent, e.cursor)
	}
	if target.After(e.cursor) {
		e.cursor = target
	}
}

// sync catches up with the clock and returns the emulator's now. Callers
// hold e.mu.
func (e *Engine) sync() time.Time {
	if !e.closed {
		e.runTo(e.clock.Now())
	}
	return e.cursor
}

// done finishes a mutating call: process what the call made due now and let
// the loop recompute its next wake-up.
func (e *Engine) done() {
	e.sync()
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

func (e *Engine) step(ent entity, t time.Time) {
	switch x := ent.(type) {
	case *instance:
		x.task.job.touch()
		e.stepInstance(x, t)
	case *task:
		x.job.touch()
		e.stepTask(x, t)
	case *job:
		x.touch()
		e.stepJob(x, t)
	case *node:
		e.stepNode(x, t)
	case *env:
		e.stepEnv(x, t)
	}
}

// nextDue returns the earliest live queue entry.
func (e *Engine) nextDue() (time.Time, bool) {
	for e.q.Len() > 0 {
		it := e.q[0]
		s := it.ent.sc()
		if it.gen != s.gen || !s.queued {
			e.q.pop()
			continue
		}
		return it.t, true
	}
	return time.Time{}, false
}

// loop drives a non-manual clock: it sleeps until the next due time (converted
// to real time) or until a call kicks it.
func (e *Engine) loop() {
	defer e.wg.Done()
	rd, _ := e.clock.(realDurationer)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.mu.Lock()
		now := e.sync()
		next, ok := e.nextDue()
		e.mu.Unlock()
		wait := time.Hour
		if ok {
			d := next.Sub(now)
			if rd != nil {
				d = rd.RealDuration(d)
			} else if d > 10*time.Millisecond {
				d = 10 * time.Millisecond // unknown clock: poll
			}
			wait = d + 100*time.Microsecond
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-e.stop:
			return
		case <-e.kick:
		case <-timer.C:
		}
	}
}

// ---- events and changes ----

func (e *Engine) change(t time.Time, tenant, kind, id, task string, index *int, from, to string) {
	e.chSeq++
	e.changes.add(Change{Seq: e.chSeq, Time: t, Tenant: tenant, Kind: kind, ID: id, Task: task, Index: index, From: from, To: to}, e.cfg.MaxChanges)
}

// changeLog is the state-change log in fixed-size chunks: appending never
// copies what is logged (a single slice's growth copied the whole log, and
// at 100,000 entries trimming it did too), and the oldest entries go a chunk
// at a time once more than MaxChanges are kept. each hides the surplus, so
// Changes still answers exactly the last MaxChanges.
//
// A chunk keeps its entries as pointer-free records whose strings and times
// are indexes into the chunk's own tables: the log is most of what a kept
// job adds to the heap (five changes per job of two tasks, 168 B each with
// nine pointers), and the GC scans every pointer it holds at every cycle.
// The strings repeat (tenant, kind, states, a job's ID for each of its
// entries) and so do the times (a call's changes share its time), so the
// tables stay small. The Seqs follow one another (Engine.change numbers
// every entry it adds), so a chunk keeps only its first; a record is 36 B
// that the GC never looks into, each of them fresh memory a SubmitJob
// touches.
type changeLog struct {
	chunks []*changeBlock
	n      int
}

const changeChunk = 4096

type changeBlock struct {
	seq0  int64 // recs[i]'s Seq is seq0+i (add starts a chunk at any other Seq)
	recs  []changeRec
	strs  []string          // strs[0] is "", then changeKinds
	times []time.Time       // exact values (==, not Equal: location and monotonic reading kept)
	ids   map[string]uint32 // strs' indexes while the chunk fills; nil once full
}

// changeRec is a Change with its strings and time in its chunk's tables.
type changeRec struct {
	time                                  uint32
	tenant, kind, id, task, from, to, env uint32
	index                                 uint32 // Index+1; 0: no Index
}

// A change's Index is an instance index, below MaxInstancesPerTask: it fits
// a record's index (this fails to compile if it ever might not).
const _ = uint32(math.MaxUint32 - 1 - MaxInstancesPerTask)

// changeKinds are the kinds of the changes of jobs, tasks and instances
// (most of the log): every chunk's strs start with them, at fixed indexes,
// so they are found by a compare rather than a map lookup.
var changeKinds = [...]string{"job", "task", "task-instance"}

func newChangeBlock(seq0 int64) *changeBlock {
	b := &changeBlock{seq0: seq0, recs: make([]changeRec, 0, changeChunk), strs: make([]string, 1, 8), ids: map[string]uint32{}}
	for _, k := range changeKinds {
		b.str(k)
	}
	return b
}

func (b *changeBlock) str(s string) uint32 {
	if s == "" {
		return 0
	}
	if i, ok := b.ids[s]; ok {
		return i
	}
	i := uint32(len(b.strs))
	b.strs = append(b.strs, s)
	b.ids[s] = i
	return i
}

// strAs is str, with i (an index of strs) tried first.
func (b *changeBlock) strAs(s string, i uint32) uint32 {
	if b.strs[i] == s {
		return i
	}
	return b.str(s)
}

// kind is str for a change's kind.
func (b *changeBlock) kind(s string) uint32 {
	for i, k := range changeKinds {
		if s == k {
			return uint32(i + 1)
		}
	}
	return b.str(s)
}

func (b *changeBlock) time(t time.Time) uint32 {
	if n := len(b.times); n > 0 && b.times[n-1] == t {
		return uint32(n - 1)
	}
	b.times = append(b.times, t)
	return uint32(len(b.times) - 1)
}

func (b *changeBlock) change(i int) Change {
	r := &b.recs[i]
	c := Change{Seq: b.seq0 + int64(i), Time: b.times[r.time], Tenant: b.strs[r.tenant], Kind: b.strs[r.kind], ID: b.strs[r.id],
		Task: b.strs[r.task], From: b.strs[r.from], To: b.strs[r.to], Env: b.strs[r.env]}
	if r.index != 0 {
		c.Index = indexPtr(int(r.index - 1))
	}
	return c
}

func (l *changeLog) add(c Change, keep int) {
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1].recs) == changeChunk ||
		c.Seq != l.chunks[k-1].seq0+int64(len(l.chunks[k-1].recs)) {
		if k > 0 {
			l.chunks[k-1].ids = nil // full (or closed by a Seq out of turn): no more lookups
		}
		l.chunks = append(l.chunks, newChangeBlock(c.Seq))
	}
	b := l.chunks[len(l.chunks)-1]
	// Most fields repeat the previous entry's (a job's changes come
	// together): compared with it before any map lookup.
	var p changeRec
	if n := len(b.recs); n > 0 {
		p = b.recs[n-1]
	}
	r := changeRec{time: b.time(c.Time), tenant: b.strAs(c.Tenant, p.tenant), kind: b.kind(c.Kind),
		id: b.strAs(c.ID, p.id), task: b.strAs(c.Task, p.task), from: b.strAs(c.From, p.from), to: b.strAs(c.To, p.to),
		env: b.strAs(c.Env, p.env)}
	if c.Index != nil {
		r.index = uint32(*c.Index) + 1
	}
	b.recs = append(b.recs, r)
	l.n++
	for len(l.chunks) > 1 && l.n-len(l.chunks[0].recs) >= keep {
		l.n -= len(l.chunks[0].recs)
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
	}
}

// setLastEnv sets the newest entry's Env (no-op when empty).
func (l *changeLog) setLastEnv(env string) {
	if k := len(l.chunks); k > 0 && len(l.chunks[k-1].recs) > 0 {
		b := l.chunks[k-1]
		b.recs[len(b.recs)-1].env = b.str(env)
	}
}

// each calls fn for the last keep entries, oldest first (fn gets a copy:
// changing it changes nothing logged).
func (l *changeLog) each(keep int, fn func(*Change)) {
	skip := max(l.n-keep, 0)
	for _, b := range l.chunks {
		if skip >= len(b.recs) {
			skip -= len(b.recs)
			continue
		}
		for i := skip; i < len(b.recs); i++ {
			c := b.change(i)
			fn(&c)
		}
		skip = 0
	}
}

// nodeChange records a node's state change with its environment.
func (e *Engine) nodeChange(t time.Time, en *env, n *node, from, to string) {
	e.change(t, en.tenant, "node", n.id, "", nil, from, to)
	e.changes.setLastEnv(en.id)
}

// fire records name for every subscription to it in subs.
func (e *Engine) fire(subs []Notification, t time.Time, tenant, name, resource, task string, index *int, nodeID string) {
	if e.eventDropped(name) {
		return
	}
	for _, n := range subs {
		for _, ec := range n.Events {
			if ec.Name != name {
				continue
			}
			e.eventSeq++
			e.events = append(e.events, Event{Seq: e.eventSeq, Time: t, Tenant: tenant, Topic: n.Topic, Name: name,
				Resource: resource, Task: task, Index: index, NodeID: nodeID, Vars: append([]KV(nil), ec.Vars...)})
		}
	}
}

// ---- tenants ----

func (e *Engine) tenant(id string) tenants.Tenant {
	if e.cfg.Tenants != nil {
		if t, ok := e.cfg.Tenants.Get(id); ok {
			return t
		}
	}
	return tenants.Tenant{SecretID: id, Quotas: tenants.DefaultQuotas}
}

// stateHold is how long a tenant configured its entities of machine
// ("compute-node", "task-instance") to be held in state at least
// (tenants.Tenant.StateHolds; 0: none).
func (e *Engine) stateHold(tenant, machine, state string) time.Duration {
	if e.cfg.Tenants == nil {
		return 0
	}
	return e.cfg.Tenants.StateHold(tenant, machine, state)
}

// quotaOK reports whether used+add stays within limit (negative = unlimited).
func quotaOK(limit, used, add int) bool { return limit < 0 || used+add <= limit }

func (e *Engine) checkCreate(tn tenants.Tenant, zone string) error {
	if tn.NotAllowed {
		return &Error{Kind: ErrNotAllowed, Resource: "tenant", Detail: "the tenant may not use the service"}
	}
	for _, z := range tn.UnavailableZones {
		if z == zone {
			return &Error{Kind: ErrUnavailableZone, Resource: "zone", ID: zone, Detail: "zone unavailable"}
		}
	}
	return nil
}

func tokenKey(tenant, kind, token string) string { return tenant + "\x00" + kind + "\x00" + token }

// lookupToken returns the ID created earlier with the same tenant and token.
func (e *Engine) lookupToken(tenant, kind, token string) (string, bool) {
	if token == "" || e.faults.On(faults.IgnoreClientToken) {
		return "", false
	}
	id, ok := e.tokens[tokenKey(tenant, kind, token)]
	return id, ok
}

func (e *Engine) saveToken(tenant, kind, token, id string) {
	if token != "" {
		e.tokens[tokenKey(tenant, kind, token)] = id
	}
}

func tptr(t time.Time) *time.Time { return &t }
func iptr(i int) *int             { return &i }

// indexPtr is iptr for the instance index of a change or an event: an index
// below len(smallInts) (nearly all) points into one shared table, allocating
// nothing (Change.Index and Event.Index are read-only).
func indexPtr(i int) *int {
	if i >= 0 && i < len(smallInts) {
		return &smallInts[i]
	}
	// Not &i: a parameter whose address is taken moves to the heap when
	// the call starts, so every call (smallInts' too) allocated.
	p := new(int)
	*p = i
	return p
}

var smallInts = func() (a [1024]int) {
	for i := range a {
		a[i] = i
	}
	return a
}()

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
