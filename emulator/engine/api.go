// Package engine is the emulator's vendor-neutral core: the store, the clock,
// the scheduler, the executors, the object store, DAGs, retries and events. The
// façades (Tencent Batch now, Alibaba BatchCompute later) translate wire actions
// into these operations; the engine has no vendor branches, no wire formats and
// no vendor error codes: every failure is an *Error with an ErrKind.
//
// # Concurrency and time
//
// All state lives behind one mutex. Every entity waiting for time to pass is
// queued with the emulator time it is next due; processing takes entries in
// time order and runs each step at its own due time, so recorded times do not
// depend on when processing happens to run. With a scaled clock
// (NewScaledClock; Config.Clock nil = scale 1) a loop goroutine sleeps until
// the next due time; every call also catches up first. With a manual clock
// (NewManualClock) there is no loop: Advance processes everything that became
// due, synchronously, including simulated command completions, so the same
// calls (and Config.Seed) give the same IDs, states and times. Timeouts, retry
// waits, boot times and holds are all emulator time.
//
// # States
//
// Every observable state is held for at least Timing.Hold (default 120 ms):
// a client polling every 20 ms at scale 1 sees each one about six times.
// A successful task instance goes SUBMITTED → PENDING (waiting for upstream
// tasks) → RUNNABLE (waiting for a node) → STARTING (node assigned; for an
// anonymous env the node boots here: max(Hold, NodeBoot)) → RUNNING (the
// command runs) → SUCCEED. A failure with MaxRetry left goes RUNNING →
// RUNNABLE and may start again after Timing.RetryWait (Retries counts them);
// the last failure ends FAILED, or FAILED_INTERRUPTED with FailedAction
// INTERRUPT/FAST_INTERRUPT if the command had started (the node is kept
// until the instance is terminated or retried; a failure before the command
// ran — node lost while STARTING, node creation failed — ends FAILED: there
// is no instance to retain). A Timeout (from RUNNING) kills the command and
// counts as a failure.
//
// Tasks aggregate their instances and jobs their tasks by the reference §3.2
// order, as a function of the children's current states (aggregate): any
// RUNNING → RUNNING; else any STARTING → STARTING; else any RUNNABLE →
// RUNNABLE; all SUCCEED → SUCCEED; all ended (SUCCEED, FAILED,
// FAILED_INTERRUPTED) with at least one FAILED → FAILED (so a FAILED job may
// hold FAILED_INTERRUPTED instances: DeleteJob refuses it, RetryJobs retries
// them — the reference's state table presumes that); FAILED_INTERRUPTED
// present and nothing else active → FAILED_INTERRUPTED; else
// PENDING/SUBMITTED. So between DAG stages a job goes RUNNING → RUNNABLE (→
// STARTING) → RUNNING, and a retrying instance takes its task RUNNING →
// RUNNABLE → STARTING → RUNNING. When an instance ends, the PENDING instances
// of the downstream tasks are re-evaluated in the same step (→ RUNNABLE, or
// FAILED under PRE_TASK_SUCCEED), so a job never shows PENDING between
// stages. The shown state reaches that target only through the moves in
// AggregateMoves (the catalog's job and task transitions), each state held
// for Hold: when the target changed faster than Hold allows, the shown state
// takes the shortest documented path (e.g. STARTING → RUNNING → SUCCEED),
// and when no documented path exists (RUNNING with target PENDING: tasks
// waiting on a FAILED_INTERRUPTED upstream under PRE_TASK_FINISHED, or a
// cycle accepted by faults.AcceptCyclicDAG) it stays. Only RetryJobs moves
// FAILED back to PENDING (FAILED and FAILED_INTERRUPTED instances are reset
// as if running for the first time, their tasks and the job re-enter
// PENDING; if one of them entered its state less than Hold ago the reset
// happens when the hold ends). EndTime is set iff the state is SUCCEED or
// FAILED.
//
// Dependencies (JobSpec.DependOn) wait until every upstream instance has
// ended: PRE_TASK_SUCCEED (default) needs all upstream instances SUCCEED,
// PRE_TASK_AT_LEAST_PARTLY_SUCCEED at least one; otherwise the downstream
// instances end FAILED without running. PRE_TASK_FINISHED needs every
// upstream instance SUCCEED or FAILED (FAILED_INTERRUPTED keeps it waiting).
//
// Anonymous node creation failure (StateIfCreateCvmFailed): a task without
// EnvID whose ImageID is ImageCreationFailed boots its node in STARTING as
// usual, then the creation fails (COMPUTE_NODE_CREATION_FAILED fires). With
// StateIfCreateCvmFailed FAILED (default) that is one failed execution: the
// instance goes STARTING → RUNNABLE if MaxRetry retries are left (after
// RetryWait), else STARTING → FAILED. With RUNNABLE the instance goes
// STARTING → RUNNABLE and the creation is retried after RetryWait, up to
// TaskSpec.ResourceMaxRetry times, then STARTING → FAILED. Tasks with EnvID
// ignore it.
//
// Placement: a task with EnvID waits RUNNABLE until an idle RUNNING node of
// that env is free (highest Priority first, then submission order), occupies
// it from STARTING to its end, and releases it. A task without EnvID gets its
// own anonymous node per instance (IDs node-…/ins-…, created at STARTING and
// destroyed at the end; its COMPUTE_NODE_CREATED/RUNNING/DELETING events — or
// COMPUTE_NODE_CREATION_FAILED — go to the job's subscriptions; anonymous nodes do not count against the CPU
// quota). MaxConcurrent bounds a task's STARTING+RUNNING instances.
//
// Compute nodes go SUBMITTED → CREATING → CREATED → RUNNING (each held
// NodeBoot), with a CREATE_COMPUTE_NODE activity SUBMITTED → PROCESSING →
// SUCCEED|FAILED; deleting goes DELETING (TERMINATE_COMPUTE_NODE activity
// SUBMITTED → PROCESSING → SUCCEED, Hold each) → gone. The engine never
// reports PENDING (a latest-apispec state SDK v1.0.162 lacks). How to make
// nodes fail, and how RECREATE recreates them in place: see
// ImageCreationFailed and ImageAbnormal.
//
// # Executors
//
// "simulated" runs nothing; the outcome follows the convention documented on
// Simulate (`exit N`, `sleep S`, `echo …`; anything else exits 0).
//
// "local" runs `/bin/sh -c COMMAND` in its own process group, with cwd
// <WorkDir>/<jobID>/<task>/<index>/work (recreated for each attempt). Before
// the command: PackagePath is fetched from the object store and unpacked
// there (.tar.gz/.tgz/.zip; any other file is placed under its base name);
// each InputMapping copies the object at Source and every object under Source
// (as a prefix) to Destination mapped into the work dir (LocalPath:
// /mnt/input/ → work/mnt/input); OutputMapping sources are created. Mapped
// absolute paths that appear in the command as whole paths are rewritten to
// their work-dir locations (RewritePaths), so `cat /mnt/input/a >
// /mnt/output/b` works unchanged. After the command (whatever its status)
// every file under each OutputMapping Source is uploaded under Destination.
// The environment holds only PATH, HOME and BATCH_WORK_DIR (the work dir),
// BATCH_JOB_ID, BATCH_JOB_NAME, BATCH_TASK_NAME, BATCH_TASK_INSTANCE_INDEX,
// BATCH_TASK_INSTANCE_NUM, BATCH_TASK_RETRY_COUNT, BATCH_COMPUTE_NODE_ID,
// BATCH_ENV_ID, then the task's EnvVars (which win). Of these the 2018 API
// doc (seed 002, RedirectInfo/RedirectLocalInfo) documents only
// ${BATCH_JOB_ID}, ${BATCH_TASK_NAME} and ${BATCH_TASK_INSTANCE_INDEX}, as
// log-file-name placeholders; the rest are the emulator's. Exit status 0 →
// SUCCEED, else a failed attempt (faults.FailedAsSucceed reports non-zero as
// SUCCEED; ExitCode keeps the real code). A missing package or input error
// fails the attempt with no ExitCode. Terminate, Timeout and Close kill the
// whole process group.
//
// Logs (both executors): stdout and stderr (the first MaxLogBytes each) are
// kept on the instance and, when StdoutRedirect/StderrRedirect name a
// directory URL, stored there under StdoutFileName/StderrFileName with the
// placeholders expanded (default stdout.<jobId>.<task>.<index>.log and
// stderr.…); StdoutPath/StderrPath tell where.
//
// # Events and history
//
// Events returns the notifications fired for subscribed names (job
// subscriptions: JOB_/TASK_/TASK_INSTANCE_ × RUNNING/SUCCEED/FAILED/
// FAILED_INTERRUPTED and the anonymous nodes' COMPUTE_NODE_*; env
// subscriptions: COMPUTE_ENV_CREATED/DELETED and COMPUTE_NODE_CREATED/
// CREATION_FAILED/RUNNING/ABNORMAL/DELETING). Changes returns every state
// change of every entity, for debugging and exact-history tests.
//
// This file is the contract the façades build against: names here may gain
// fields and methods but are not renamed.
package engine

import (
	"time"
)

// Task-instance, task and job states (the finest-grained documented machine;
// other dialects map onto it).
const (
	StateSubmitted         = "SUBMITTED"
	StatePending           = "PENDING"
	StateRunnable          = "RUNNABLE"
	StateStarting          = "STARTING"
	StateRunning           = "RUNNING"
	StateSucceed           = "SUCCEED"
	StateFailed            = "FAILED"
	StateFailedInterrupted = "FAILED_INTERRUPTED"
)

// Compute-node states.
const (
	NodeSubmitted      = "SUBMITTED"
	NodeCreating       = "CREATING"
	NodeCreated        = "CREATED"
	NodeCreationFailed = "CREATION_FAILED"
	NodeRunning        = "RUNNING"
	NodeAbnormal       = "ABNORMAL"
	NodeDeleting       = "DELETING"
)

// Activity types and states.
const (
	ActivityCreateNode    = "CREATE_COMPUTE_NODE"
	ActivityTerminateNode = "TERMINATE_COMPUTE_NODE"
	ActivitySubmitted     = "SUBMITTED"
	ActivityProcessing    = "PROCESSING"
	ActivitySucceed       = "SUCCEED"
	ActivityFailed        = "FAILED"
)

// Node origins.
const (
	OriginBatchCreated = "BATCH_CREATED"
	OriginUserAttached = "USER_ATTACHED"
)

// ErrKind classifies an engine error; façades map kinds to their codes.
type ErrKind int

const (
	ErrNotFound        ErrKind = iota + 1 // Resource names what: "job", "env", "task", "task-instance", "node", "template", "instance"
	ErrState                              // operation not allowed in the resource's current state
	ErrInUse                              // the resource is in use (e.g. DeleteJob while instances run)
	ErrQuota                              // Resource: "jobs", "envs", "cpus", "templates"
	ErrNotAllowed                         // the tenant may not use the service
	ErrBusy                               // env busy with another request
	ErrForbidTerminate                    // node not in a terminable state
	ErrTerminating                        // node already being terminated
	ErrNotEnoughNodes                     // scale-in count exceeds destroyable nodes
	ErrDuplicate                          // duplicate IDs in one request
	ErrUnavailableZone                    // zone unavailable for this tenant
	ErrInvalid                            // anything else invalid that only the engine can see
)

var errKindNames = map[ErrKind]string{ErrNotFound: "not found", ErrState: "wrong state", ErrInUse: "in use",
	ErrQuota: "quota exceeded", ErrNotAllowed: "not allowed", ErrBusy: "busy", ErrForbidTerminate: "cannot terminate",
	ErrTerminating: "already terminating", ErrNotEnoughNodes: "not enough nodes", ErrDuplicate: "duplicate",
	ErrUnavailableZone: "unavailable zone", ErrInvalid: "invalid"}

// String names the kind (for messages and logs).
func (k ErrKind) String() string {
	if s, ok := errKindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Reasons refine ErrInvalid, so façades choose a code without reading the
// (human) Detail text.
const (
	ReasonNoTasks           = "no-tasks"
	ReasonDuplicateTask     = "duplicate-task-name"
	ReasonNegative          = "negative"
	ReasonNegativeInstances = "negative-instance-number"
	ReasonTooMany           = "too-many"
	ReasonUnknownDep        = "unknown-dependence"
	ReasonCycle             = "cycle"
	ReasonInstanceType      = "instance-type"
	ReasonNoInstances       = "no-instances"
)

// Error is what every engine operation returns on failure.
type Error struct {
	Kind     ErrKind
	Resource string
	ID       string
	Detail   string
	Reason   string // for ErrInvalid: one of the Reason constants
}

func (e *Error) Error() string {
	s := e.Kind.String() + ": " + e.Resource
	if e.ID != "" {
		s += " " + e.ID
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// KV is a name/value pair (env vars, tags, event vars).
type KV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Notification subscribes a topic to named events. Event names are
// <SUBJECT>_<STATE>: JOB_/TASK_/TASK_INSTANCE_ × RUNNING/SUCCEED/FAILED/
// FAILED_INTERRUPTED; COMPUTE_ENV_CREATED/DELETED;
// COMPUTE_NODE_CREATED/CREATION_FAILED/RUNNING/ABNORMAL/DELETING.
type Notification struct {
	Topic  string        `json:"topic"`
	Events []EventConfig `json:"events"`
}

// EventConfig is one subscribed event with its user variables.
type EventConfig struct {
	Name string `json:"name"`
	Vars []KV   `json:"vars,omitempty"`
}

// Event is a notification that fired (recorded; served by the admin API).
type Event struct {
	Seq      int64     `json:"seq"`
	Time     time.Time `json:"time"`
	Tenant   string    `json:"tenant"`
	Topic    string    `json:"topic"`
	Name     string    `json:"name"`     // e.g. JOB_RUNNING
	Resource string    `json:"resource"` // job/env ID
	Task     string    `json:"task,omitempty"`
	Index    *int      `json:"index,omitempty"` // task instance index; read-only: shared (indexPtr)
	NodeID   string    `json:"node_id,omitempty"`
	Vars     []KV      `json:"vars,omitempty"`
}

// ---- Compute environments ----

// EnvSpec creates a named compute environment.
type EnvSpec struct {
	Tenant        string
	Name          string
	Description   string
	Type          string // MANAGED
	ResourceType  string // CVM or CPM
	Zone          string
	ProjectID     int64
	InstanceTypes []string // tried in order; the first is used
	ImageID       string
	CPU           int // vCPUs per node (for the CPU quota)
	MemoryGB      int
	DesiredNodes  int
	// ResourceMaxRetry bounds how often a failed node is recreated.
	ResourceMaxRetry int
	Notifications    []Notification
	Tags             []KV
	// CreateInfo is the façade's own record of the request (echoed by
	// DescribeComputeEnvCreateInfo); the engine stores it opaquely.
	CreateInfo  any
	ClientToken string
}

// Env is a snapshot of a compute environment.
type Env struct {
	ID         string
	Tenant     string
	Spec       EnvSpec
	CreateTime time.Time
	Desired    int    // current DesiredNodes (Spec.DesiredNodes is the creation value)
	NextAction string // "" or "DELETING"
	Nodes      []Node
	Deleted    bool
}

// Node is a snapshot of a compute node.
type Node struct {
	ID                   string
	EnvID                string
	InstanceID           string // ins-xxxxxxxx
	State                string
	Origin               string
	Zone                 string
	InstanceType         string
	CPU                  int
	MemoryGB             int
	PrivateIPs           []string
	PublicIPs            []string
	AgentVersion         string
	CreateTime           time.Time
	RunningTaskInstances int // instances currently placed on it
}

// EnvModify changes an environment; nil fields are left alone.
type EnvModify struct {
	DesiredNodes  *int
	Name          *string
	Description   *string
	InstanceTypes []string
}

// Activity is a snapshot of one node create/terminate activity.
type Activity struct {
	ID             string
	EnvID          string
	NodeID         string
	NodeInstanceID string
	Type           string
	State          string
	Cause          string
	Reason         string
	StartTime      time.Time
	EndTime        *time.Time
}

// Instance is an existing CVM a user attaches (AttachInstances).
type Instance struct {
	InstanceID string
	ImageID    string
}

// ---- Jobs ----

// Mapping is an input or output mapping (remote path <-> local path).
type Mapping struct {
	Source      string
	Destination string
}

// TaskSpec is one task of a submitted job.
type TaskSpec struct {
	Name        string
	InstanceNum int
	// EnvID names a compute environment; empty means an anonymous
	// environment (one node per instance, created and destroyed by Batch).
	EnvID          string
	InstanceType   string // anonymous env only
	ImageID        string
	Command        string
	DeliveryForm   string // PACKAGE or LOCAL
	PackagePath    string // object store URL
	Inputs         []Mapping
	Outputs        []Mapping
	StdoutRedirect string // remote dir for stdout (object store URL); "" = none
	StderrRedirect string
	StdoutFileName string // may hold ${BATCH_JOB_ID} etc.
	StderrFileName string
	EnvVars        []KV
	FailedAction   string // TERMINATE (default), INTERRUPT, FAST_INTERRUPT
	MaxRetry       int
	Timeout        time.Duration // emulator time; 0 = default (86400 s)
	MaxConcurrent  int           // 0 = unlimited
	Priority       int
	// ResourceMaxRetry bounds the retries of an anonymous node's creation
	// under StateIfCreateCvmFailed RUNNABLE (0 = none).
	ResourceMaxRetry int
}

// Dep is a DAG edge: End starts after Start.
type Dep struct {
	Start string
	End   string
}

// JobSpec submits a job.
type JobSpec struct {
	Tenant                 string
	Name                   string
	Description            string
	Zone                   string
	ProjectID              int64
	Priority               int
	Tasks                  []TaskSpec
	Deps                   []Dep
	DependOn               string // PRE_TASK_SUCCEED (default), PRE_TASK_AT_LEAST_PARTLY_SUCCEED, PRE_TASK_FINISHED
	StateIfCreateCvmFailed string // FAILED ("" = FAILED) or RUNNABLE; see the package comment
	Notifications          []Notification
	Tags                   []KV
	// Submit is the façade's record of the submission (echoed by
	// DescribeJobSubmitInfo); stored opaquely.
	Submit      any
	ClientToken string
}

// Job is a snapshot of a job.
type Job struct {
	ID          string
	Tenant      string
	Spec        JobSpec
	State       string
	StateReason string
	CreateTime  time.Time
	EndTime     *time.Time
	Tasks       []Task
	// Terminated: a TerminateJob (or AbortJob) was accepted and no RetryJobs
	// has reset it since (dialects with a user-stopped state report it).
	Terminated bool
	// Restarted: when RetryJobs last reset the job (nil: never). Instances
	// that succeeded before it are kept; a dialect whose restarted job shows
	// "waiting" until it runs again tells them apart by it.
	Restarted *time.Time
}

// Task is a snapshot of a task.
type Task struct {
	Name       string
	State      string
	CreateTime time.Time
	EndTime    *time.Time
	Instances  []TaskInstance
}

// TaskInstance is a snapshot of one task instance.
type TaskInstance struct {
	Index          int
	State          string
	ExitCode       *int
	StateReason    string
	ComputeNodeID  string
	NodeInstanceID string
	CreateTime     time.Time
	LaunchTime     *time.Time
	RunningTime    *time.Time
	EndTime        *time.Time
	Retries        int
	Stdout         []byte // captured output (the façade applies the documented size limit)
	Stderr         []byte
	StdoutPath     string // where the log was stored (object store URL), if redirected
	StderrPath     string
	// Terminated: a terminate request (TerminateJob, AbortJob,
	// TerminateTaskInstance) ended or is ending this instance, as opposed to
	// its command failing.
	Terminated bool
}

// Template is a task template (opaque task info kept for the façade).
type Template struct {
	ID          string
	Tenant      string
	Name        string
	Description string
	Info        any
	Tags        []KV
	CreateTime  time.Time
}

// Timing sets the emulator-time durations of the lifecycle. Every observable
// state is held for at least Hold, so a client polling every 20 ms sees it at
// least five times at scale 1.
type Timing struct {
	Hold     time.Duration // minimum time in each observable state (default 120ms)
	NodeBoot time.Duration // each of SUBMITTED, CREATING, CREATED before RUNNING; an anonymous node's STARTING (default: Hold)
	// DefaultTimeout is a task's Timeout when unset (86400 s).
	DefaultTimeout time.Duration
	// RetryWait is how long a failed instance with retries left waits in
	// RUNNABLE before it may start again, and how long a CREATION_FAILED
	// node waits (at least Hold) before RECREATE creates it again (default:
	// Hold). The docs give no value for MaxRetryCount retries; for
	// ResourceMaxRetryCount they give 600 s and more, far too long to test.
	RetryWait time.Duration
}
