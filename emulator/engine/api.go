// Package engine is the emulator's vendor-neutral core: the store, the clock,
// the scheduler, the executors, the object store, DAGs, retries and events. The
// façades (Tencent Batch now, Alibaba BatchCompute later) translate wire actions
// into these operations; the engine has no vendor branches.
//
// Concurrency model: all state lives behind one mutex. Every entity that is
// waiting for time to pass records when it is next due; a single loop processes
// whatever is due at the clock's "now" (with a manual clock, Advance runs that
// processing synchronously, so a fuzz seed replays exactly). Processes started
// by the local executor report their exit back into the loop.
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

// Error is what every engine operation returns on failure.
type Error struct {
	Kind     ErrKind
	Resource string
	ID       string
	Detail   string
}

func (e *Error) Error() string {
	s := e.Resource
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
	Index    *int      `json:"index,omitempty"` // task instance index
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
	Desired    int
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
	StateIfCreateCvmFailed string
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
	NodeBoot time.Duration // CREATING -> CREATED -> RUNNING (default: Hold each)
	// DefaultTimeout is a task's Timeout when unset (86400 s).
	DefaultTimeout time.Duration
}
