package engine

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
)

// Engine limits on absurd values (the docs give none; a façade may refuse
// earlier with its own codes). Beyond them SubmitJob answers ErrInvalid, so
// no request can make the engine allocate or loop without bound. A Timeout
// above MaxTimeout is treated as MaxTimeout.
const (
	MaxInstancesPerTask = 10000
	MaxInstancesPerJob  = 100000
	MaxRetries          = 10000
	MaxTimeout          = 10 * 365 * 24 * time.Hour
)

// Dependency modes (JobSpec.DependOn).
const (
	DependSucceed       = "PRE_TASK_SUCCEED"
	DependPartlySucceed = "PRE_TASK_AT_LEAST_PARTLY_SUCCEED"
	DependFinished      = "PRE_TASK_FINISHED"
)

// StateIfCreateCvmFailed values (JobSpec.StateIfCreateCvmFailed).
const (
	CvmFailedFailed   = "FAILED"
	CvmFailedRunnable = "RUNNABLE"
)

// Failed actions (TaskSpec.FailedAction).
const (
	FailedTerminate     = "TERMINATE"
	FailedInterrupt     = "INTERRUPT"
	FailedFastInterrupt = "FAST_INTERRUPT"
)

type job struct {
	sched
	id, tenant string
	seq        int64
	spec       JobSpec
	state      string
	since      time.Time
	reason     string
	create     time.Time
	end        *time.Time
	tasks      []*task
	// byName indexes the tasks of a job of more than smallJob tasks (see
	// task).
	byName map[string]*task
	// retryDue: RetryJobs was accepted while a state to reset was younger
	// than Hold; the reset happens then.
	retryDue *time.Time
	// restarted: when RetryJobs last reset the job (nil: never).
	restarted *time.Time
	// snap caches the last snapshot; nil after any change (see touch).
	snap *Job
	// terminating: a TerminateJob was accepted; while its instances are
	// still being killed a second one is in use (reset by RetryJobs).
	terminating bool
	// The flags together: one word of padding, not three (472 B, the
	// 480-B size class; 488 B took 512).
	indexed bool // in the engine's job indexes (indexJob)
	deleted bool
}

// taskUnit is a task with its first instance (and the pointer to it that
// task.insts slices when that is its only one): SubmitJob makes one per
// task, all in one allocation.
type taskUnit struct {
	task
	first    instance
	firstPtr [1]*instance
}

// smallJob: a job of at most this many tasks finds a task by name by
// scanning them (fewer compares than hashing the name, and no map to make
// and keep for each job).
const smallJob = 8

// task returns the job's task of that name (nil: none). During SubmitJob it
// sees the tasks added so far.
func (j *job) task(name string) *task {
	if j.byName != nil {
		return j.byName[name]
	}
	for _, t := range j.tasks {
		if t.spec.Name == name {
			return t
		}
	}
	return nil
}

// touch drops the job's cached snapshot; every mutation of the job, its
// tasks or its instances goes through a step (see Engine.step) or calls it.
func (j *job) touch() { j.snap = nil }

type task struct {
	sched
	job *job
	idx int
	// spec is the job's own spec of the task (&job.spec.Tasks[idx]): read
	// only, like the rest of the job's spec, and not kept twice.
	spec   *TaskSpec
	prio   int
	state  string
	since  time.Time
	create time.Time
	end    *time.Time
	ups    []*task
	downs  []*task
	insts  []*instance
}

type instance struct {
	sched
	task   *task
	index  int
	state  string
	since  time.Time
	create time.Time
	retry  int
	// killReq: TerminateJob/TerminateTaskInstance asked for FAILED.
	killReq bool
	// nodeLost: the node under the attempt was lost (with killedAt).
	nodeLost bool
	anon     bool // an anonymous node is held
	// *attempt is the rest: nil while the instance is still SUBMITTED
	// (see attempt).
	*attempt
}

// attempt is what an instance holds once it has left SUBMITTED: its
// attempts' times, outcome, placement and command. Out of the instance
// record because most kept instances never get there (every instance of a
// job submitted under a manual clock, every queued instance of a busy
// emulator): a SUBMITTED instance is 144 B instead of 320, fewer bytes for
// each SubmitJob to allocate, touch and have the GC scan.
//
// setInst (every state change) and endInstance make it, RetryJobs' reset
// gives a fresh one; so only a SUBMITTED instance has none, and the code
// that may see one (holdEnd, killExec, releaseNode, the snapshot, the
// abstract state) reads it through seen.
type attempt struct {
	launch *time.Time
	runAt  *time.Time
	end    *time.Time
	code   *int
	reason string
	// retryAt: a failed attempt with retries left may start again at this time.
	retryAt time.Time
	// resRetry counts the anonymous node creations retried under
	// StateIfCreateCvmFailed RUNNABLE.
	resRetry int
	// killedAt: the running command was killed (terminate or node loss); the
	// state changes at destroyAt.
	killedAt  *time.Time
	destroyAt time.Time
	// died: chaos killed the node under this attempt mid-task (the reason).
	died string
	// placement
	node   *node  // named env node occupied (STARTING..end, and FAILED_INTERRUPTED)
	nodeID string // node ID (named or anonymous)
	insID  string // CVM instance ID of that node
	// execution
	ex  *execution
	out *output // the last attempt's logs (nil: none yet)
}

// noAttempt is what seen gives for an instance without an attempt record:
// read only (checkInvariants checks that nothing wrote it).
var noAttempt attempt

// seen is the instance's attempt record for reading: the zero record while
// it has none.
func (in *instance) seen() *attempt {
	if in.attempt != nil {
		return in.attempt
	}
	return &noAttempt
}

// leaveSubmitted gives the instance its attempt record if it has none yet
// (before anything writes one of its fields).
func (in *instance) leaveSubmitted() {
	if in.attempt == nil {
		in.attempt = new(attempt)
	}
}

// output is an attempt's logs as stored (storeLogs). Out of the instance
// record: every instance of every kept job has one, and until it has run
// (most of a busy emulator's instances) it has no logs.
type output struct {
	stdout []byte
	stderr []byte
	outURL string
	errURL string
}

// execution is one attempt's command.
type execution struct {
	started  time.Time
	exited   bool
	exitAt   time.Time
	code     int
	fail     string // non-empty: the attempt failed before or outside the command (e.g. package missing)
	stdout   []byte
	stderr   []byte
	run      *execRun // local executor only
	timedOut bool
}

func isTerminal(s string) bool  { return s == StateSucceed || s == StateFailed }
func isEndState(s string) bool  { return isTerminal(s) || s == StateFailedInterrupted }
func isOccupying(s string) bool { return s == StateStarting || s == StateRunning }
func eventState(s string) bool  { return s == StateRunning || isEndState(s) }
func (in *instance) job() *job  { return in.task.job }

// ---- submission ----

// SubmitJob validates and creates a job; its instances start moving at once.
// Errors: ErrNotAllowed, ErrUnavailableZone, ErrQuota{Resource:"jobs"},
// ErrNotFound{Resource:"env"} (a task's EnvID is not the tenant's or is
// being deleted), ErrInvalid (no tasks, duplicate task names, a dependence
// naming an unknown task, a cycle unless faults.AcceptCyclicDAG is on — then
// the tasks on the cycle wait in PENDING until terminated).
// A repeated ClientToken (same tenant) returns the first job's ID and creates
// nothing (unless faults.IgnoreClientToken). Instances inherit the task's
// Priority if non-zero, else the job's.
func (e *Engine) SubmitJob(spec JobSpec) (string, error) {
	// The copy is made before taking the lock (as are the records, below):
	// allocating (and helping the GC, which allocation may ask for) while
	// every other request waits for the engine made submissions queue up.
	return e.submitJob(cloneJobSpec(spec))
}

// SubmitJobOwned is SubmitJob for a spec made for this call alone: its
// slices become the engine's instead of being copied, so the caller must
// not keep, change or reuse any of them (a façade that built the spec from
// a request's wire struct; the strings may be shared, they are immutable).
// The job is the one SubmitJob would make of the same spec.
func (e *Engine) SubmitJobOwned(spec JobSpec) (string, error) {
	return e.submitJob(ownJobSpec(spec))
}

func (e *Engine) submitJob(spec JobSpec) (string, error) {
	// Each task with its first instance in one allocation for the job (a
	// job whose tasks have one instance each, most, needs no other); the
	// tasks' further instances in a second, and their instance pointers in
	// a third (sliced per task below), unless the job asks for more than it
	// may have (refused below, nothing made for it).
	units := make([]taskUnit, len(spec.Tasks))
	total, more, morePtrs := 0, 0, 0
	for i := range spec.Tasks {
		n := max(spec.Tasks[i].InstanceNum, 1)
		if total += n; total > MaxInstancesPerJob {
			break
		}
		if n > 1 {
			more, morePtrs = more+n-1, morePtrs+n
		}
	}
	var instSlab []instance
	var instPtrs []*instance
	if total <= MaxInstancesPerJob && more > 0 {
		instSlab, instPtrs = make([]instance, more), make([]*instance, morePtrs)
	}
	j := &job{tenant: spec.Tenant, spec: spec, state: StateSubmitted, tasks: make([]*task, 0, len(spec.Tasks))}
	if len(spec.Tasks) > smallJob {
		j.byName = make(map[string]*task, len(spec.Tasks))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	if id, ok := e.lookupToken(spec.Tenant, "job", spec.ClientToken); ok {
		return id, nil
	}
	tn := e.tenant(spec.Tenant)
	if err := e.checkCreate(tn, spec.Zone); err != nil {
		return "", err
	}
	if !quotaOK(tn.Quotas.Jobs, e.nJobs[spec.Tenant], 1) {
		return "", &Error{Kind: ErrQuota, Resource: "jobs", Detail: fmt.Sprintf("job quota %d reached", tn.Quotas.Jobs)}
	}
	if len(spec.Tasks) == 0 {
		return "", &Error{Kind: ErrInvalid, Resource: "job", Detail: "a job needs at least one task", Reason: ReasonNoTasks}
	}
	if j.spec.DependOn == "" {
		j.spec.DependOn = DependSucceed
	}
	j.since, j.create = now, now
	// The tasks (and their instances) live in the allocations made above:
	// they live and die with the job, and fewer objects are fewer for the
	// GC to find.
	totalInstances := 0
	for i, ts := range spec.Tasks {
		if j.task(ts.Name) != nil {
			return "", &Error{Kind: ErrInvalid, Resource: "task", ID: ts.Name, Detail: "duplicate task name", Reason: ReasonDuplicateTask}
		}
		// Detail texts are stable: façades may match "negative", "too many", "cycle".
		if ts.InstanceNum < 0 {
			return "", &Error{Kind: ErrInvalid, Resource: "task", ID: ts.Name, Detail: "negative instance number", Reason: ReasonNegativeInstances}
		}
		if ts.InstanceNum > MaxInstancesPerTask {
			return "", &Error{Kind: ErrInvalid, Resource: "task", ID: ts.Name, Detail: fmt.Sprintf("too many instances: %d > %d", ts.InstanceNum, MaxInstancesPerTask), Reason: ReasonTooMany}
		}
		if ts.MaxRetry < 0 {
			return "", &Error{Kind: ErrInvalid, Resource: "task", ID: ts.Name, Detail: "negative max retry count", Reason: ReasonNegative}
		}
		if ts.MaxRetry > MaxRetries {
			return "", &Error{Kind: ErrInvalid, Resource: "task", ID: ts.Name, Detail: fmt.Sprintf("too many retries: %d > %d", ts.MaxRetry, MaxRetries), Reason: ReasonTooMany}
		}
		if ts.Timeout < 0 || ts.MaxConcurrent < 0 {
			return "", &Error{Kind: ErrInvalid, Resource: "task", ID: ts.Name, Detail: "negative timeout or max concurrent number", Reason: ReasonNegative}
		}
		if n := totalInstances + max(ts.InstanceNum, 1); n > MaxInstancesPerJob {
			return "", &Error{Kind: ErrInvalid, Resource: "job", Detail: fmt.Sprintf("too many task instances in the job (> %d)", MaxInstancesPerJob), Reason: ReasonTooMany}
		} else {
			totalInstances = n
		}
		if ts.EnvID != "" {
			en := e.envs[ts.EnvID]
			if en == nil || en.tenant != spec.Tenant || en.nextAction != "" {
				return "", &Error{Kind: ErrNotFound, Resource: "env", ID: ts.EnvID}
			}
		}
		t := &units[i].task
		*t = task{job: j, idx: i, spec: &j.spec.Tasks[i], state: StateSubmitted, since: now, create: now, prio: ts.Priority}
		if t.prio == 0 {
			t.prio = spec.Priority
		}
		if j.byName != nil {
			j.byName[ts.Name] = t
		}
		j.tasks = append(j.tasks, t)
	}
	for _, d := range spec.Deps {
		a, b := j.task(d.Start), j.task(d.End)
		if a != nil && b == nil && e.faults.On(faults.DanglingDependence) {
			continue // the fault: an edge to no task is dropped, not refused
		}
		if a == nil || b == nil {
			return "", &Error{Kind: ErrInvalid, Resource: "dependence", Detail: fmt.Sprintf("%s -> %s names an unknown task", d.Start, d.End), Reason: ReasonUnknownDep}
		}
		a.downs = append(a.downs, b)
		b.ups = append(b.ups, a)
	}
	if cyclic(j.tasks, e.faults.On(faults.SelfLoopAccepted)) && !e.faults.On(faults.AcceptCyclicDAG) {
		return "", &Error{Kind: ErrInvalid, Resource: "dependence", Detail: "the dependences form a cycle", Reason: ReasonCycle}
	}
	// All checks passed: nothing above changed engine state.
	j.id = e.ids.next(PrefixJob)
	e.seq++
	j.seq = e.seq
	for i, t := range j.tasks {
		u := &units[i]
		if n := max(t.spec.InstanceNum, 1); n == 1 { // negative was refused above
			t.insts = u.firstPtr[:]
		} else {
			t.insts = instPtrs[:n:n]
			for k := 1; k < n; k++ {
				t.insts[k] = &instSlab[k-1]
			}
			instSlab, instPtrs = instSlab[n-1:], instPtrs[n:]
		}
		t.insts[0] = &u.first
		for k, in := range t.insts {
			*in = instance{task: t, index: k, state: StateSubmitted, since: now, create: now}
			e.wake(in, now.Add(e.timing.Hold))
			if t.spec.EnvID != "" {
				en := e.envs[t.spec.EnvID]
				en.waiters = append(en.waiters, in)
			}
		}
	}
	e.change(now, j.tenant, "job", j.id, "", nil, "", StateSubmitted)
	for _, t := range j.tasks {
		e.change(now, j.tenant, "task", j.id, t.spec.Name, nil, "", StateSubmitted)
		for _, in := range t.insts {
			e.change(now, j.tenant, "task-instance", j.id, t.spec.Name, indexPtr(in.index), "", StateSubmitted)
		}
	}
	e.jobs[j.id] = j
	e.jobOrder = appendDoubling(e.jobOrder, j)
	e.indexJob(j)
	e.nJobs[j.tenant]++
	e.saveToken(spec.Tenant, "job", spec.ClientToken, j.id)
	e.done()
	return j.id, nil
}

// cyclic reports whether the dependences hold a cycle; with ignoreSelf (the
// self-loop fault) an edge from a task to itself is not seen.
// ts[i].idx is i (SubmitJob), so colours are kept by index.
func cyclic(ts []*task, ignoreSelf bool) bool {
	var small [16]uint8
	color := small[:0]
	if len(ts) <= len(small) {
		color = small[:len(ts)]
	} else {
		color = make([]uint8, len(ts))
	}
	var visit func(t *task) bool
	visit = func(t *task) bool {
		color[t.idx] = 1
		for _, d := range t.downs {
			if ignoreSelf && d == t {
				continue
			}
			if color[d.idx] == 1 || (color[d.idx] == 0 && visit(d)) {
				return true
			}
		}
		color[t.idx] = 2
		return false
	}
	for _, t := range ts {
		if color[t.idx] == 0 && visit(t) {
			return true
		}
	}
	return false
}

func cloneJobSpec(s JobSpec) JobSpec {
	s.Tasks = append([]TaskSpec(nil), s.Tasks...)
	for i := range s.Tasks {
		t := &s.Tasks[i]
		t.Inputs = append([]Mapping(nil), t.Inputs...)
		t.Outputs = append([]Mapping(nil), t.Outputs...)
		t.EnvVars = append([]KV(nil), t.EnvVars...)
	}
	s.Deps = append([]Dep(nil), s.Deps...)
	s.Notifications = cloneNotifications(s.Notifications)
	s.Tags = append([]KV(nil), s.Tags...)
	return s
}

// ownJobSpec makes what cloneJobSpec makes of s without copying: an empty
// slice becomes nil, as in a copy (snapshots and persisted state tell nil
// from empty).
func ownJobSpec(s JobSpec) JobSpec {
	s.Tasks = nilIfEmpty(s.Tasks)
	for i := range s.Tasks {
		t := &s.Tasks[i]
		t.Inputs, t.Outputs, t.EnvVars = nilIfEmpty(t.Inputs), nilIfEmpty(t.Outputs), nilIfEmpty(t.EnvVars)
	}
	s.Deps = nilIfEmpty(s.Deps)
	s.Notifications = nilIfEmpty(s.Notifications)
	for i := range s.Notifications {
		s.Notifications[i].Events = nilIfEmpty(s.Notifications[i].Events)
	}
	s.Tags = nilIfEmpty(s.Tags)
	return s
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func cloneNotifications(ns []Notification) []Notification {
	out := append([]Notification(nil), ns...)
	for i := range out {
		out[i].Events = append([]EventConfig(nil), out[i].Events...)
	}
	return out
}

// ---- snapshots ----

func (e *Engine) findJob(tenant, id string) (*job, error) {
	j := e.jobs[id]
	if j == nil || (tenant != "" && j.tenant != tenant) {
		return nil, &Error{Kind: ErrNotFound, Resource: "job", ID: id}
	}
	return j, nil
}

// Job returns a snapshot (tenant "" matches any tenant). Snapshots are cached
// until the job changes, so their slices (Spec, Tasks, Instances, Stdout…)
// are shared with other callers: treat them as read-only.
func (e *Engine) Job(tenant, id string) (Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	j, err := e.findJob(tenant, id)
	if err != nil {
		return Job{}, err
	}
	return j.snapshot(), nil
}

// Jobs returns snapshots of the tenant's jobs (all tenants if ""), in creation order.
func (e *Engine) Jobs(tenant string) []Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	out := []Job{}
	for _, j := range e.jobOrder {
		if tenant == "" || j.tenant == tenant {
			out = append(out, j.snapshot())
		}
	}
	return out
}

func (j *job) snapshot() Job { return *j.view() }

// view is the job's cached snapshot itself (callers must not modify it).
func (j *job) view() *Job {
	if j.snap == nil {
		s := j.buildSnapshot()
		j.snap = &s
	}
	return j.snap
}

// JobQuery selects a page of one tenant's jobs (JobsPage).
type JobQuery struct {
	Tenant string   // "" for every tenant
	IDs    []string // if set, only these jobs (in creation order, each once)
	// Keep, if set, is the filter: it sees each candidate's snapshot, which it
	// must not modify or keep.
	Keep func(*Job) bool
	// Window maps the number of matching jobs to the page [a, b).
	Window func(total int) (a, b int)
	// States, if set (with a Tenant, no IDs, no Attr and no Keep), is the
	// only filter: jobs in one of these states. The total comes from the
	// per-state counts and the scan stops at the page's end.
	States []string
	// Attr, if set (with a Tenant and no IDs), narrows the candidates to the
	// jobs whose attribute Attr.Name is one of Attr.Values, through an index:
	// Keep must still hold every filter unless Attr is the only one.
	Attr *JobAttr
}

// JobAttr names a job attribute fixed at submission and the values wanted:
// Name "job-name" (JobSpec.Name), "zone" (JobSpec.Zone) or "tag:KEY" (a tag
// KEY with one of the values).
type JobAttr struct {
	Name   string
	Values []string
}

// stateKeyT and attrKeyT key the job indexes: structs of the job's own
// strings, so indexing and looking up allocate no key.
type stateKeyT struct{ tenant, state string }

type attrKeyT struct{ tenant, name, value string }

func stateKey(tenant, state string) stateKeyT { return stateKeyT{tenant, state} }

func attrKey(tenant, name, value string) attrKeyT { return attrKeyT{tenant, name, value} }

// attrKeys appends the index keys of a job's attributes to keys (a caller's
// buffer: most jobs have no tags, and their keys stay on its stack).
func (j *job) attrKeys(keys []attrKeyT) []attrKeyT {
	keys = append(keys, attrKey(j.tenant, "job-name", j.spec.Name), attrKey(j.tenant, "zone", j.spec.Zone))
	for _, t := range j.spec.Tags {
		k := attrKey(j.tenant, "tag:"+t.Name, t.Value)
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// JobPage is a JobsPage answer: the page, the number of jobs that matched
// and the number the tenant has. All of it comes from one locked view.
type JobPage struct {
	Jobs       []Job
	Total, All int
}

// JobsPage answers a list request in time proportional to the page when
// nothing is filtered (and to the named jobs with IDs), without copying the
// tenant's other jobs; a Keep filter scans the tenant's jobs but copies only
// the page. Jobs are in creation order, as Jobs returns them.
func (e *Engine) JobsPage(q JobQuery) JobPage {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	list := e.jobOrder
	if q.Tenant != "" {
		if e.byTenantN != len(e.jobOrder) {
			e.reindexJobs()
		}
		list = e.byTenant[q.Tenant]
	}
	out := JobPage{All: len(list)}
	if len(q.IDs) > 0 {
		// The named jobs, looked up one by one: a deleted job (kept in e.jobs
		// by a fault) is not listed, as it is not in jobOrder.
		seen := make(map[*job]bool, len(q.IDs))
		var named []*job
		for _, id := range q.IDs {
			j := e.jobs[id]
			if j == nil || j.deleted || seen[j] || (q.Tenant != "" && j.tenant != q.Tenant) {
				continue
			}
			seen[j] = true
			named = append(named, j)
		}
		sort.Slice(named, func(a, b int) bool { return named[a].seq < named[b].seq })
		list = named
	} else if q.Attr != nil && q.Tenant != "" {
		list = e.attrJobs(q.Tenant, q.Attr)
	}
	window := func(n int) (int, int) {
		if q.Window == nil {
			return 0, n
		}
		a, b := q.Window(n)
		b = min(max(b, 0), n)
		return min(max(a, 0), b), b
	}
	if len(q.States) > 0 && q.Tenant != "" && q.Keep == nil && q.Attr == nil && len(q.IDs) == 0 {
		seen := map[string]bool{}
		for _, st := range q.States {
			if !seen[st] {
				seen[st] = true
				out.Total += e.byState[stateKey(q.Tenant, st)]
			}
		}
		a, b := window(out.Total)
		out.Jobs = make([]Job, 0, b-a)
		k := 0
		for _, j := range list {
			if k >= b {
				break
			}
			if !seen[j.state] {
				continue
			}
			if k >= a {
				out.Jobs = append(out.Jobs, j.snapshot())
			}
			k++
		}
		return out
	}
	if q.Keep == nil {
		out.Total = len(list)
		a, b := window(len(list))
		out.Jobs = make([]Job, 0, b-a)
		for _, j := range list[a:b] {
			out.Jobs = append(out.Jobs, j.snapshot())
		}
		return out
	}
	// Filtered: one pass counts the matches (the window needs the total),
	// a second copies the page's; nothing else is copied or collected.
	for _, j := range list {
		if q.Keep(j.view()) {
			out.Total++
		}
	}
	a, b := window(out.Total)
	out.Jobs = make([]Job, 0, b-a)
	k := 0
	for _, j := range list {
		if k >= b {
			break
		}
		if !q.Keep(j.view()) {
			continue
		}
		if k >= a {
			out.Jobs = append(out.Jobs, j.snapshot())
		}
		k++
	}
	return out
}

// attrJobs are the tenant's jobs with one of the attribute's values, in
// creation order (one value: the index's own list, not to be modified).
func (e *Engine) attrJobs(tenant string, a *JobAttr) []*job {
	if len(a.Values) == 1 {
		return e.byAttr[attrKey(tenant, a.Name, a.Values[0])]
	}
	var out []*job
	seen := map[*job]bool{}
	for _, v := range a.Values {
		for _, j := range e.byAttr[attrKey(tenant, a.Name, v)] {
			if !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	sort.Slice(out, func(x, y int) bool { return out[x].seq < out[y].seq })
	return out
}

func (e *Engine) indexJob(j *job) {
	if e.byTenant == nil {
		e.byTenant, e.byAttr, e.byState = map[string][]*job{}, map[attrKeyT][]*job{}, map[stateKeyT]int{}
	}
	e.byTenant[j.tenant] = appendDoubling(e.byTenant[j.tenant], j)
	j.indexed = true
	e.byTenantN++
	e.byState[stateKey(j.tenant, j.state)]++
	var kb [4]attrKeyT
	for _, k := range j.attrKeys(kb[:0]) {
		e.byAttr[k] = appendDoubling(e.byAttr[k], j)
	}
}

func (e *Engine) unindexJob(j *job) {
	drop := func(l []*job) []*job {
		for i, x := range l {
			if x == j {
				return append(l[:i:i], l[i+1:]...)
			}
		}
		return l
	}
	if j.indexed {
		j.indexed = false
		e.byTenant[j.tenant] = drop(e.byTenant[j.tenant])
		e.byTenantN--
		e.byState[stateKey(j.tenant, j.state)]--
	}
	var kb [4]attrKeyT
	for _, k := range j.attrKeys(kb[:0]) {
		if l := drop(e.byAttr[k]); len(l) > 0 {
			e.byAttr[k] = l
		} else {
			delete(e.byAttr, k)
		}
	}
}

// reindexJobs rebuilds the indexes from jobOrder (JobsPage does when they
// disagree with it, e.g. after a path that changed jobOrder alone).
func (e *Engine) reindexJobs() {
	e.byTenant, e.byAttr, e.byState, e.byTenantN = map[string][]*job{}, map[attrKeyT][]*job{}, map[stateKeyT]int{}, 0
	for _, j := range e.jobOrder {
		e.indexJob(j)
	}
}

func (j *job) buildSnapshot() Job {
	out := Job{ID: j.id, Tenant: j.tenant, Spec: j.spec, State: j.state, StateReason: j.reason, CreateTime: j.create, EndTime: j.end,
		Terminated: j.terminating, Restarted: j.restarted}
	for _, t := range j.tasks {
		ts := Task{Name: t.spec.Name, State: t.state, CreateTime: t.create, EndTime: t.end}
		for _, in := range t.insts {
			a := in.seen()
			ts.Instances = append(ts.Instances, TaskInstance{Index: in.index, State: in.state, ExitCode: a.code,
				StateReason: a.reason, ComputeNodeID: a.nodeID, NodeInstanceID: a.insID, CreateTime: in.create,
				LaunchTime: a.launch, RunningTime: a.runAt, EndTime: a.end, Retries: in.retry,
				Terminated: in.killReq})
			if o := a.out; o != nil {
				ti := &ts.Instances[len(ts.Instances)-1]
				ti.Stdout, ti.Stderr, ti.StdoutPath, ti.StderrPath = o.stdout, o.stderr, o.outURL, o.errURL
			}
		}
		out.Tasks = append(out.Tasks, ts)
	}
	return out
}

// ---- job operations ----

// TerminateJob asks every instance to end FAILED (asynchronous; the effect of
// TerminateTaskInstance on every instance). By job state: SUBMITTED →
// ErrState; SUCCEED → no-op; PENDING…RUNNING, FAILED, FAILED_INTERRUPTED → ok
// (a FAILED_INTERRUPTED job ends FAILED).
//
// A second TerminateJob while instances of the first are still being killed
// answers ErrInUse.
func (e *Engine) TerminateJob(tenant, id string) error { return e.terminateJob(tenant, id, false) }

// AbortJob is TerminateJob for machines that let a user stop a job that has
// not started yet: it is also accepted while the job is SUBMITTED (its
// instances end FAILED after the state's hold, as TerminateTaskInstance
// does), and Job.Terminated tells the façade the job was stopped on request.
func (e *Engine) AbortJob(tenant, id string) error { return e.terminateJob(tenant, id, true) }

func (e *Engine) terminateJob(tenant, id string, submittedOK bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	j, err := e.findJob(tenant, id)
	if err != nil {
		return err
	}
	switch j.state {
	case StateSubmitted:
		if !submittedOK {
			return &Error{Kind: ErrState, Resource: "job", ID: id, Detail: "job is SUBMITTED"}
		}
	case StateSucceed:
		if e.faults.On(faults.TerminateSucceedFails) {
			// The fault: a finished job is "terminated" again and leaves
			// its terminal state.
			j.touch()
			j.reason = "terminated by TerminateJob"
			e.setJob(j, StateFailed, now)
			e.done()
		}
		return nil
	}
	if e.faults.On(faults.TerminateJobNoop) {
		return nil // the fault: accepted, nothing is killed
	}
	// A TerminateJob still in progress (its instances being killed, which
	// takes time for STARTING/RUNNING ones) makes the job busy:
	// ResourceInUse. A TerminateTaskInstance in progress does not.
	if j.terminating {
		for _, t := range j.tasks {
			for _, in := range t.insts {
				if in.killReq && !isTerminal(in.state) {
					return &Error{Kind: ErrInUse, Resource: "job", ID: id, Detail: "a termination of this job is still in progress"}
				}
			}
		}
	}
	j.terminating = true
	j.touch()
	j.reason = "terminated by TerminateJob"
	for _, t := range j.tasks {
		for _, in := range t.insts {
			e.requestKill(in, now)
		}
	}
	e.done()
	return nil
}

// TerminateTaskInstance ends one instance FAILED: SUCCEED/FAILED are left
// alone (no error); SUBMITTED/PENDING/RUNNABLE become FAILED (after the
// state's hold); STARTING/RUNNING have their command killed and become FAILED
// (an anonymous node is destroyed first, which takes Hold); FAILED_INTERRUPTED
// releases its node and becomes FAILED. Allowed for EnvID tasks too (the
// v1.0.162 text). Errors: ErrNotFound with Resource "job", "task" or
// "task-instance".
func (e *Engine) TerminateTaskInstance(tenant, jobID, taskName string, index int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	j, err := e.findJob(tenant, jobID)
	if err != nil {
		return err
	}
	t := j.task(taskName)
	if t == nil {
		return &Error{Kind: ErrNotFound, Resource: "task", ID: taskName}
	}
	if index < 0 || index >= len(t.insts) {
		return &Error{Kind: ErrNotFound, Resource: "task-instance", ID: fmt.Sprintf("%s/%d", taskName, index)}
	}
	e.requestKill(t.insts[index], now)
	e.done()
	return nil
}

// SetJobPriority changes a job's priority: the job's and that of every task
// that took the job's (a task with its own Priority keeps it). Placement
// order of instances still waiting for a node follows at once.
func (e *Engine) SetJobPriority(tenant, id string, prio int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	j, err := e.findJob(tenant, id)
	if err != nil {
		return err
	}
	j.touch()
	j.spec.Priority = prio
	for _, t := range j.tasks {
		if t.spec.Priority == 0 {
			t.prio = prio
		}
	}
	e.done()
	return nil
}

func (e *Engine) requestKill(in *instance, now time.Time) {
	if isTerminal(in.state) || in.killReq {
		return
	}
	in.killReq = true
	e.wake(in, now)
}

// RetryJobs restarts the failed instances of FAILED jobs: each FAILED or
// FAILED_INTERRUPTED instance goes back to PENDING with its history reset
// (Retries 0, no exit code, no times, no logs; a retained node is released),
// its task and the job go back to PENDING, and the DAG order applies again.
// If the job, or a task or instance to reset, entered its state less than
// Hold ago, the reset happens when that hold ends (the job shows FAILED
// until then). All-or-nothing: an unknown ID → ErrNotFound (Resource "job"),
// a job not FAILED → ErrState; then nothing is retried. Duplicate IDs →
// ErrDuplicate.
func (e *Engine) RetryJobs(tenant string, ids []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	seen := map[string]bool{}
	var js []*job
	for _, id := range ids {
		if seen[id] {
			return &Error{Kind: ErrDuplicate, Resource: "job", ID: id}
		}
		seen[id] = true
		j, err := e.findJob(tenant, id)
		if err != nil {
			return err
		}
		if j.state == StateSucceed && e.faults.On(faults.RetrySucceedAccepted) {
			continue // the fault: accepted as a no-op
		}
		if j.state != StateFailed {
			return &Error{Kind: ErrState, Resource: "job", ID: id, Detail: "job is " + j.state + ", not FAILED"}
		}
		js = append(js, j)
	}
	for _, j := range js {
		due := j.since.Add(e.timing.Hold)
		for _, t := range j.tasks {
			reset := false
			for _, in := range t.insts {
				if retriable(in.state) {
					reset = true
					due = maxTime(due, in.since.Add(e.timing.Hold))
				}
			}
			if reset {
				due = maxTime(due, t.since.Add(e.timing.Hold))
			}
		}
		if due.After(now) {
			j.retryDue = tptr(due)
			e.wake(j, due)
			continue
		}
		e.resetJob(j, now)
	}
	e.done()
	return nil
}

func retriable(s string) bool { return s == StateFailed || s == StateFailedInterrupted }

// resetJob applies RetryJobs to a FAILED job (see RetryJobs).
func (e *Engine) resetJob(j *job, now time.Time) {
	j.retryDue = nil
	if j.state != StateFailed {
		return
	}
	j.touch()
	e.setJob(j, StatePending, now)
	j.reason = ""
	j.terminating = false
	j.restarted = tptr(now)
	for _, t := range j.tasks {
		reset := false
		for _, in := range t.insts {
			if !retriable(in.state) {
				continue
			}
			reset = true
			from := in.state
			e.killExec(in)
			e.releaseNode(in, now) // a FAILED_INTERRUPTED instance's retained node
			*in = instance{sched: in.sched, task: t, index: in.index, state: StatePending, since: now, create: in.create, attempt: new(attempt)}
			e.change(now, j.tenant, "task-instance", j.id, t.spec.Name, indexPtr(in.index), from, StatePending)
			e.wake(in, now.Add(e.timing.Hold))
			if t.spec.EnvID != "" {
				// A FAILED_INTERRUPTED instance is still listed (only
				// SUCCEED/FAILED ones are dropped); list each once.
				if en := e.envs[t.spec.EnvID]; en != nil && !slices.Contains(en.waiters, in) {
					en.waiters = append(en.waiters, in)
				}
			}
		}
		if reset {
			e.setTask(t, StatePending, now)
		}
	}
}

// DeleteJob removes a job and everything about it. Allowed when the job is
// SUCCEED or FAILED and no instance is FAILED_INTERRUPTED. Refusals:
// PENDING…RUNNING (instances still active) → ErrInUse; SUBMITTED,
// FAILED_INTERRUPTED, or a finished job holding a FAILED_INTERRUPTED instance
// → ErrState. With faults.DeleteRunningJob any job is deleted (commands are
// killed, nodes released).
func (e *Engine) DeleteJob(tenant, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	j, err := e.findJob(tenant, id)
	if err != nil {
		return err
	}
	if j.deleted {
		return nil // only with faults.DeletedJobDescribable: already deleted
	}
	if !e.faults.On(faults.DeleteRunningJob) {
		switch j.state {
		case StatePending, StateRunnable, StateStarting, StateRunning:
			return &Error{Kind: ErrInUse, Resource: "job", ID: id, Detail: "job is " + j.state}
		case StateSubmitted, StateFailedInterrupted:
			return &Error{Kind: ErrState, Resource: "job", ID: id, Detail: "job is " + j.state}
		}
		for _, t := range j.tasks {
			for _, in := range t.insts {
				if !isTerminal(in.state) {
					return &Error{Kind: ErrState, Resource: "job", ID: id, Detail: "task instance " + t.spec.Name + " is " + in.state}
				}
			}
		}
	}
	j.deleted = true
	for _, t := range j.tasks {
		for _, in := range t.insts {
			e.killExec(in)
			e.releaseNode(in, e.cursor)
		}
	}
	if !e.faults.On(faults.DeletedJobDescribable) {
		delete(e.jobs, id) // the fault leaves the job findable by its ID
	}
	for i, x := range e.jobOrder {
		if x == j {
			e.jobOrder = append(e.jobOrder[:i:i], e.jobOrder[i+1:]...)
			break
		}
	}
	e.unindexJob(j)
	e.nJobs[j.tenant]--
	e.done()
	return nil
}

// ---- state setting ----

func (e *Engine) setInst(in *instance, to string, t time.Time) {
	in.task.job.touch()
	from := in.state
	if from == to {
		return
	}
	in.leaveSubmitted()
	in.state, in.since = to, t
	j := in.job()
	if isTerminal(to) {
		in.end = tptr(t)
	} else {
		in.end = nil
	}
	e.change(t, j.tenant, "task-instance", j.id, in.task.spec.Name, indexPtr(in.index), from, to)
	if eventState(to) {
		e.fire(j.spec.Notifications, t, j.tenant, "TASK_INSTANCE_"+to, j.id, in.task.spec.Name, indexPtr(in.index), "")
	}
	e.wake(in.task, t)
	if isEndState(to) {
		e.advanceDownstream(in.task, t)
	}
}

func (e *Engine) setTask(tk *task, to string, t time.Time) {
	tk.job.touch()
	from := tk.state
	if from == to {
		return
	}
	tk.state, tk.since = to, t
	j := tk.job
	if isTerminal(to) {
		tk.end = tptr(t)
	} else {
		tk.end = nil
	}
	e.change(t, j.tenant, "task", j.id, tk.spec.Name, nil, from, to)
	if eventState(to) {
		e.fire(j.spec.Notifications, t, j.tenant, "TASK_"+to, j.id, tk.spec.Name, nil, "")
	}
	e.wake(j, t)
}

func (e *Engine) setJob(j *job, to string, t time.Time) {
	j.touch()
	from := j.state
	if from == to {
		return
	}
	if j.indexed {
		e.byState[stateKey(j.tenant, from)]--
		e.byState[stateKey(j.tenant, to)]++
	}
	j.state, j.since = to, t
	if isTerminal(to) {
		j.end = tptr(t)
	} else {
		j.end = nil
	}
	e.change(t, j.tenant, "job", j.id, "", nil, from, to)
	if eventState(to) {
		e.fire(j.spec.Notifications, t, j.tenant, "JOB_"+to, j.id, "", nil, "")
	}
}

// aggregate is the reference §3.2 rule over child states. "All terminal"
// in the FAILED rule counts FAILED_INTERRUPTED as ended (otherwise a FAILED
// job could never hold a FAILED_INTERRUPTED instance, which the reference's
// DeleteJob/RetryJobs table presumes).
func aggregate(states []string) string {
	has := map[string]int{}
	for _, s := range states {
		has[s]++
	}
	n := len(states)
	switch {
	case has[StateRunning] > 0:
		return StateRunning
	case has[StateStarting] > 0:
		return StateStarting
	case has[StateRunnable] > 0:
		return StateRunnable
	case has[StateSucceed] == n:
		return StateSucceed
	case has[StateFailed] > 0 && has[StateSucceed]+has[StateFailed]+has[StateFailedInterrupted] == n:
		return StateFailed
	case has[StateFailedInterrupted] > 0 && has[StateSubmitted]+has[StatePending] == 0:
		return StateFailedInterrupted
	case has[StatePending] > 0:
		return StatePending
	}
	return StateSubmitted
}

// AggregateMoves are the only moves a job or task state makes (the
// catalog's job and task transitions; a cross-check test keeps them equal).
// FAILED → PENDING is RetryJobs only (FAILED_INTERRUPTED → PENDING, a task
// only, too: a FAILED_INTERRUPTED task of a FAILED job); follow never takes
// them.
var AggregateMoves = map[string][]string{
	StateSubmitted:         {StatePending, StateFailed},
	StatePending:           {StateRunnable, StateFailed},
	StateRunnable:          {StateStarting, StateFailed},
	StateStarting:          {StateRunning, StateRunnable, StateFailed},
	StateRunning:           {StateSucceed, StateFailed, StateFailedInterrupted, StateRunnable, StateStarting},
	StateFailedInterrupted: {StateFailed, StatePending},
	StateFailed:            {StatePending},
}

// InstanceMoves are the only moves a task instance makes (the catalog's
// task-instance transitions; a cross-check test keeps them equal). FAILED →
// PENDING and FAILED_INTERRUPTED → PENDING are RetryJobs.
var InstanceMoves = map[string][]string{
	StateSubmitted:         {StatePending, StateFailed},
	StatePending:           {StateRunnable, StateFailed},
	StateRunnable:          {StateStarting, StateFailed},
	StateStarting:          {StateRunning, StateRunnable, StateFailed},
	StateRunning:           {StateSucceed, StateFailed, StateFailedInterrupted, StateRunnable},
	StateFailedInterrupted: {StateFailed, StatePending},
	StateFailed:            {StatePending},
}

// nextHop[cur][target] is the first move of a shortest path of
// AggregateMoves from cur to target through non-end states; absent: none.
var nextHop = func() map[string]map[string]string {
	all := []string{StateSubmitted, StatePending, StateRunnable, StateStarting, StateRunning, StateSucceed, StateFailed, StateFailedInterrupted}
	out := map[string]map[string]string{}
	for _, from := range all {
		hop := map[string]string{}
		if isTerminal(from) {
			out[from] = hop
			continue
		}
		type qe struct{ s, first string }
		seen := map[string]bool{from: true}
		q := []qe{}
		for _, to := range AggregateMoves[from] {
			if from == StateFailedInterrupted && to == StatePending {
				continue // RetryJobs only
			}
			seen[to] = true
			q = append(q, qe{to, to})
		}
		for len(q) > 0 {
			x := q[0]
			q = q[1:]
			hop[x.s] = x.first
			if isEndState(x.s) {
				continue
			}
			for _, to := range AggregateMoves[x.s] {
				if !seen[to] {
					seen[to] = true
					q = append(q, qe{to, x.first})
				}
			}
		}
		out[from] = hop
	}
	return out
}()

// follow is the shown (job or task) state's next move toward its aggregate
// target: the target itself when that is a documented move, else the first
// step of the shortest documented path, else none (cur).
func follow(cur, target string) string {
	if cur == target {
		return cur
	}
	if next, ok := nextHop[cur][target]; ok {
		return next
	}
	return cur
}

// advanceDownstream re-evaluates, in the step in which an instance of tk
// ended, the PENDING instances of tk's downstream tasks that have been
// PENDING for Hold: they go RUNNABLE (or FAILED) at once, so the job does not
// see a moment with only PENDING work left between two stages.
func (e *Engine) advanceDownstream(tk *task, t time.Time) {
	for _, d := range tk.downs {
		for _, in := range d.insts {
			if in.state == StatePending && !t.Before(e.holdEnd(in)) {
				e.stepInstance(in, t)
			}
		}
	}
}

func (e *Engine) stepTask(tk *task, t time.Time) {
	j := tk.job
	if j.deleted {
		return
	}
	// Instances of this task changed: the downstream tasks' waiting instances
	// and this task's instances waiting for MaxConcurrent may proceed.
	for _, d := range tk.downs {
		for _, in := range d.insts {
			if in.state == StatePending {
				e.wake(in, t)
			}
		}
	}
	if tk.spec.MaxConcurrent > 0 {
		for _, in := range tk.insts {
			if in.state == StateRunnable {
				e.wake(in, t)
			}
		}
	}
	states := make([]string, len(tk.insts))
	for i, in := range tk.insts {
		states[i] = in.state
	}
	next := follow(tk.state, aggregate(states))
	if next == tk.state {
		return
	}
	if hold := tk.since.Add(e.timing.Hold); t.Before(hold) {
		e.wake(tk, hold)
		return
	}
	e.setTask(tk, next, t)
	e.wake(tk, t) // there may be a further step
}

func (e *Engine) stepJob(j *job, t time.Time) {
	if j.deleted {
		return
	}
	if j.retryDue != nil {
		if t.Before(*j.retryDue) {
			e.wake(j, *j.retryDue)
			return
		}
		e.resetJob(j, t)
		return
	}
	states := make([]string, len(j.tasks))
	for i, tk := range j.tasks {
		states[i] = tk.state
	}
	next := follow(j.state, aggregate(states))
	if next == j.state {
		return
	}
	if hold := j.since.Add(e.timing.Hold); t.Before(hold) {
		e.wake(j, hold)
		return
	}
	e.setJob(j, next, t)
	e.wake(j, t)
}

// depStatus: 0 ready, 1 blocked, 2 failed (an upstream task can no longer
// satisfy the job's DependOn mode).
func depStatus(tk *task) (int, string) {
	blocked := false
	for _, u := range tk.ups {
		var succ, fail, fi, active int
		for _, in := range u.insts {
			switch in.state {
			case StateSucceed:
				succ++
			case StateFailed:
				fail++
			case StateFailedInterrupted:
				fi++
			default:
				active++
			}
		}
		switch tk.job.spec.DependOn {
		case DependFinished:
			if fi+active > 0 {
				blocked = true
			}
		case DependPartlySucceed:
			if active > 0 {
				blocked = true
			} else if succ == 0 {
				return 2, "no instance of upstream task " + u.spec.Name + " succeeded"
			}
		default:
			if active > 0 {
				blocked = true
			} else if succ != len(u.insts) {
				return 2, "upstream task " + u.spec.Name + " did not succeed"
			}
		}
	}
	if blocked {
		return 1, ""
	}
	return 0, ""
}

// holdEnd is when the instance's current state may be left.
func (e *Engine) holdEnd(in *instance) time.Time {
	h := e.timing.Hold
	if in.state == StateStarting && in.anon && e.timing.NodeBoot > h {
		h = e.timing.NodeBoot // an anonymous node's boot shows as STARTING
	}
	if !in.killReq && !in.nodeLost && in.seen().died == "" {
		// A tenant's longer hold (a test aid) delays only the moves the
		// instance makes by itself: a termination or a lost node is not
		// held back.
		h = max(h, e.stateHold(in.job().tenant, "task-instance", in.state))
	}
	return in.since.Add(h)
}

func (e *Engine) stepInstance(in *instance, t time.Time) {
	j := in.job()
	if j.deleted {
		return
	}
	if he := e.holdEnd(in); t.Before(he) {
		e.wake(in, he)
		return
	}
	tk := in.task
	switch in.state {
	case StateSubmitted:
		if in.killReq {
			e.endInstance(in, t, StateFailed, "terminated")
			return
		}
		e.setInst(in, StatePending, t)
		e.wake(in, t.Add(e.timing.Hold))
	case StatePending:
		if in.killReq {
			e.endInstance(in, t, StateFailed, "terminated")
			return
		}
		st, why := depStatus(tk)
		if st == 1 && e.faults.On(faults.DAGOrderIgnored) {
			st = 0 // the fault: a downstream task does not wait for a running upstream one
		}
		switch st {
		case 0:
			e.setInst(in, StateRunnable, t)
			e.wake(in, t.Add(e.timing.Hold))
		case 2:
			e.endInstance(in, t, StateFailed, why)
		}
	case StateRunnable:
		if in.killReq {
			e.endInstance(in, t, StateFailed, "terminated")
			return
		}
		if t.Before(in.retryAt) {
			e.wake(in, in.retryAt)
			return
		}
		if tk.spec.EnvID != "" {
			en := e.envs[tk.spec.EnvID]
			if en == nil {
				e.endInstance(in, t, StateFailed, "compute environment "+tk.spec.EnvID+" was deleted")
				return
			}
			e.wake(en, t) // the env places instances by priority
			return
		}
		if !e.concurrencyOK(tk) {
			return // woken when a sibling leaves STARTING/RUNNING
		}
		in.anon = true
		in.nodeID = e.ids.next(PrefixNode)
		in.insID = e.ids.next(PrefixInstance)
		e.startInstance(in, t)
	case StateStarting, StateRunning:
		e.stepActive(in, t)
	case StateFailedInterrupted:
		if in.killReq || in.nodeLost {
			e.endInstance(in, t, StateFailed, "terminated")
		}
	}
}

func (e *Engine) concurrencyOK(tk *task) bool {
	if tk.spec.MaxConcurrent <= 0 {
		return true
	}
	n := 0
	for _, x := range tk.insts {
		if isOccupying(x.state) {
			n++
		}
	}
	return n < tk.spec.MaxConcurrent
}

// startInstance moves a placed instance to STARTING.
func (e *Engine) startInstance(in *instance, t time.Time) {
	in.launch = tptr(t)
	in.ex = nil
	in.killedAt = nil
	in.nodeLost = false
	in.died = ""
	e.setInst(in, StateStarting, t)
	e.wake(in, e.holdEnd(in))
}

func (e *Engine) timeout(tk *task) time.Duration {
	if tk.spec.Timeout > 0 {
		return min(tk.spec.Timeout, MaxTimeout)
	}
	return e.timing.DefaultTimeout
}

// stepActive drives STARTING and RUNNING (hold already satisfied).
func (e *Engine) stepActive(in *instance, t time.Time) {
	j := in.job()
	tk := in.task
	if (in.killReq || in.nodeLost || in.died != "") && in.killedAt == nil {
		e.killExec(in)
		in.killedAt = tptr(t)
		in.destroyAt = t
		if in.anon && in.killReq {
			in.destroyAt = t.Add(e.timing.Hold) // the CVM is destroyed first
		}
	}
	if in.killedAt != nil {
		if t.Before(in.destroyAt) {
			e.wake(in, in.destroyAt)
			return
		}
		switch {
		case in.killReq:
			e.endInstance(in, t, StateFailed, "terminated")
		case in.died != "" && !in.nodeLost:
			why := in.died
			in.died = ""
			e.failAttempt(in, t, nil, why)
		default:
			e.failAttempt(in, t, nil, "compute node "+in.nodeID+" was terminated")
		}
		return
	}
	if in.ex == nil {
		if in.state == StateStarting && in.anon && tk.spec.ImageID == ImageCreationFailed {
			e.nodeCreationFailed(in, t)
			return
		}
		// Leave STARTING: the command starts now.
		if in.state == StateStarting && in.anon {
			e.fire(j.spec.Notifications, t, j.tenant, "COMPUTE_NODE_CREATED", j.id, tk.spec.Name, indexPtr(in.index), in.nodeID)
			e.fire(j.spec.Notifications, t, j.tenant, "COMPUTE_NODE_RUNNING", j.id, tk.spec.Name, indexPtr(in.index), in.nodeID)
		}
		if !e.faults.On(faults.SkipRunning) {
			in.runAt = tptr(t)
			e.setInst(in, StateRunning, t)
		}
		e.startExec(in, t)
		if e.cfg.Chaos != nil {
			if rule := e.cfg.Chaos.InstanceDies(j.tenant); rule != "" {
				// Dies at the next step, once RUNNING has been held: mid-task.
				in.died = fmt.Sprintf("compute node %s died (chaos rule %s)", in.nodeID, rule)
			}
		}
		e.wake(in, maxTime(t.Add(e.timing.Hold), in.since.Add(e.timing.Hold)))
		return
	}
	ex := in.ex
	deadline := ex.started.Add(e.timeout(tk))
	if tk.spec.Timeout > 0 && e.faults.On(faults.TimeoutIgnored) {
		deadline = ex.started.Add(e.timing.DefaultTimeout) // the fault: Timeout unused
	}
	if ex.exited && !t.Before(ex.exitAt) && !ex.exitAt.After(deadline) {
		e.finishExec(in, t)
		return
	}
	if !t.Before(deadline) {
		e.killExec(in)
		ex.timedOut = true
		e.storeLogs(in, ex.stdout, ex.stderr)
		e.failAttempt(in, t, nil, fmt.Sprintf("timed out after %v", e.timeout(tk)))
		return
	}
	if ex.exited && ex.exitAt.Before(deadline) {
		e.wake(in, ex.exitAt)
	} else {
		e.wake(in, deadline)
	}
}

// finishExec applies an attempt's exit.
func (e *Engine) finishExec(in *instance, t time.Time) {
	ex := in.ex
	e.storeLogs(in, ex.stdout, ex.stderr)
	if ex.fail != "" {
		e.failAttempt(in, t, nil, ex.fail)
		return
	}
	in.code = iptr(ex.code)
	if ex.code == 0 || e.faults.On(faults.FailedAsSucceed) {
		e.endInstance(in, t, StateSucceed, "")
		return
	}
	e.failAttempt(in, t, iptr(ex.code), fmt.Sprintf("command exited with code %d", ex.code))
}

// failAttempt handles a failed attempt: a retry if MaxRetry allows (back to
// RUNNABLE after RetryWait), else FAILED_INTERRUPTED (INTERRUPT,
// FAST_INTERRUPT, when the command had started: there is an instance to
// retain) or FAILED.
func (e *Engine) failAttempt(in *instance, t time.Time, code *int, why string) {
	in.code = code
	tk := in.task
	if e.retryLeft(in) {
		in.retry++
		e.requeue(in, t, fmt.Sprintf("attempt %d failed: %s; retrying", in.retry, why))
		return
	}
	if (tk.spec.FailedAction == FailedInterrupt || tk.spec.FailedAction == FailedFastInterrupt) && in.ex != nil {
		in.reason = why
		e.setInst(in, StateFailedInterrupted, t) // the node is kept
		if in.killReq {
			e.wake(in, t.Add(e.timing.Hold))
		}
		return
	}
	e.endInstance(in, t, StateFailed, why)
}

// requeue sends a failed attempt back to RUNNABLE; it may start again after
// RetryWait.
func (e *Engine) requeue(in *instance, t time.Time, why string) {
	e.releaseNode(in, t)
	in.ex = nil
	in.reason = why
	in.retryAt = t.Add(e.timing.RetryWait)
	e.setInst(in, StateRunnable, t)
	e.wake(in, maxTime(in.retryAt, t.Add(e.timing.Hold)))
}

// nodeCreationFailed: the anonymous node of a STARTING instance could not be
// created (ImageCreationFailed), at the end of its boot. StateIfCreateCvmFailed
// RUNNABLE retries the creation up to ResourceMaxRetry times; FAILED (the
// default) counts one failed execution.
func (e *Engine) nodeCreationFailed(in *instance, t time.Time) {
	j, tk := in.job(), in.task
	e.fire(j.spec.Notifications, t, j.tenant, "COMPUTE_NODE_CREATION_FAILED", j.id, tk.spec.Name, indexPtr(in.index), in.nodeID)
	in.anon = false // nothing was created, so nothing is deleted
	why := "compute node " + in.nodeID + " could not be created (image " + ImageCreationFailed + ")"
	if j.spec.StateIfCreateCvmFailed == CvmFailedRunnable {
		if in.resRetry < tk.spec.ResourceMaxRetry {
			in.resRetry++
			e.requeue(in, t, fmt.Sprintf("%s; creation retry %d of %d", why, in.resRetry, tk.spec.ResourceMaxRetry))
			return
		}
		e.endInstance(in, t, StateFailed, why+"; no ResourceMaxRetryCount left")
		return
	}
	e.failAttempt(in, t, nil, why)
}

// endInstance enters SUCCEED or FAILED and releases the node.
func (e *Engine) endInstance(in *instance, t time.Time, to, why string) {
	e.killExec(in)
	in.leaveSubmitted()
	if why != "" {
		in.reason = why
	}
	e.setInst(in, to, t)
	e.releaseNode(in, t)
	if tk := in.task; tk.spec.EnvID != "" {
		if en := e.envs[tk.spec.EnvID]; en != nil {
			e.wake(en, t)
		}
	}
}

// releaseNode frees the node an instance holds (named: back to idle;
// anonymous: destroyed).
func (e *Engine) releaseNode(in *instance, t time.Time) {
	if n := in.seen().node; n != nil {
		in.node = nil
		if n.busy == in {
			n.busy = nil
			e.wake(n.env, t)
			e.wake(n, t)
		}
	}
	if in.anon {
		in.anon = false
		j := in.job()
		e.fire(j.spec.Notifications, t, j.tenant, "COMPUTE_NODE_DELETING", j.id, in.task.spec.Name, indexPtr(in.index), in.nodeID)
	}
}

// placeWaiters assigns the env's idle RUNNING nodes to RUNNABLE instances,
// highest priority first (then job order, task order, index).
func (e *Engine) placeWaiters(en *env, t time.Time) {
	var free []*node
	for _, n := range en.nodes {
		if n.state == NodeRunning && n.busy == nil && !n.failMode(failAbnormal) {
			free = append(free, n)
		}
	}
	live := en.waiters[:0]
	var cands []*instance
	for _, in := range en.waiters {
		if in.job().deleted || isTerminal(in.state) {
			continue
		}
		live = append(live, in)
		if in.state == StateRunnable && !in.killReq && !t.Before(e.holdEnd(in)) && !t.Before(in.retryAt) && in.node == nil {
			cands = append(cands, in)
		}
	}
	for i := len(live); i < len(en.waiters); i++ {
		en.waiters[i] = nil
	}
	en.waiters = live
	if len(free) == 0 || len(cands) == 0 {
		return
	}
	sort.SliceStable(cands, func(a, b int) bool {
		x, y := cands[a], cands[b]
		if x.task.prio != y.task.prio {
			return x.task.prio > y.task.prio
		}
		if x.job().seq != y.job().seq {
			return x.job().seq < y.job().seq
		}
		if x.task.idx != y.task.idx {
			return x.task.idx < y.task.idx
		}
		return x.index < y.index
	})
	for _, in := range cands {
		if len(free) == 0 {
			break
		}
		if !e.concurrencyOK(in.task) {
			continue
		}
		n := free[0]
		free = free[1:]
		n.busy = in
		in.node = n
		in.nodeID = n.id
		in.insID = n.insID
		e.startInstance(in, t)
	}
}
