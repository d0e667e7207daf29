package engine

import (
	"errors"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// STUB: the engine helper replaces this file's bodies; the signatures are the
// contract the façade codes against.

var errTODO = errors.New("engine: not implemented yet")

// Config configures an engine.
type Config struct {
	Clock    Clock             // nil: scaled real time at scale 1
	Executor string            // "local" (default) or "simulated"
	WorkDir  string            // root of per-instance work dirs (local executor); "" = a temp dir removed by Close
	Tenants  *tenants.Registry // quotas and permissions
	Faults   *faults.Set
	Timing   Timing
	Objects  *ObjectStore // nil: a new empty store
}

// Clock is emulator time.
type Clock interface {
	Now() time.Time
}

// Engine is the emulator's core.
type Engine struct{}

// New starts an engine (its scheduling loop runs until Close).
func New(cfg Config) (*Engine, error) { return nil, errTODO }

// Close stops the loop, kills running commands and removes temp dirs.
func (e *Engine) Close() error { return nil }

// Now is the engine's current time.
func (e *Engine) Now() time.Time { return time.Now() }

// Objects is the object store (cos://, cfs:// and oss:// URLs).
func (e *Engine) Objects() *ObjectStore { return nil }

// Events returns the recorded notifications with Seq > after (for one tenant, or all if tenant == "").
func (e *Engine) Events(tenant string, after int64) []Event { return nil }

// Advance moves a manual clock forward and processes everything that became due.
// It returns an error if the clock is not manual.
func (e *Engine) Advance(d time.Duration) error { return errTODO }

// Manual reports whether the clock is manual.
func (e *Engine) Manual() bool { return false }

// ---- Compute environments ----

func (e *Engine) CreateEnv(spec EnvSpec) (string, error)                           { return "", errTODO }
func (e *Engine) Env(tenant, id string) (Env, error)                               { return Env{}, errTODO }
func (e *Engine) Envs(tenant string) []Env                                         { return nil } // creation order
func (e *Engine) ModifyEnv(tenant, id string, m EnvModify) error                   { return errTODO }
func (e *Engine) DeleteEnv(tenant, id string) error                                { return errTODO }
func (e *Engine) TerminateNodes(tenant, envID string, nodeIDs []string) error      { return errTODO }
func (e *Engine) AttachInstances(tenant, envID string, ins []Instance) error       { return errTODO }
func (e *Engine) DetachInstances(tenant, envID string, instanceIDs []string) error { return errTODO }
func (e *Engine) Activities(tenant, envID string) ([]Activity, error)              { return nil, errTODO } // oldest first

// ---- Jobs ----

func (e *Engine) SubmitJob(spec JobSpec) (string, error)                            { return "", errTODO }
func (e *Engine) Job(tenant, id string) (Job, error)                                { return Job{}, errTODO }
func (e *Engine) Jobs(tenant string) []Job                                          { return nil } // creation order
func (e *Engine) TerminateJob(tenant, id string) error                              { return errTODO }
func (e *Engine) TerminateTaskInstance(tenant, jobID, task string, index int) error { return errTODO }
func (e *Engine) RetryJobs(tenant string, ids []string) error                       { return errTODO }
func (e *Engine) DeleteJob(tenant, id string) error                                 { return errTODO }

// ---- Task templates ----

func (e *Engine) CreateTemplate(t Template, clientToken string) (string, error) { return "", errTODO }
func (e *Engine) Template(tenant, id string) (Template, error)                  { return Template{}, errTODO }
func (e *Engine) Templates(tenant string) []Template                            { return nil }
func (e *Engine) ModifyTemplate(tenant, id string, name, desc *string, info any) error {
	return errTODO
}
func (e *Engine) DeleteTemplates(tenant string, ids []string) error { return errTODO }

// ObjectStore holds objects by URL (e.g. cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/file).
type ObjectStore struct{}

func NewObjectStore() *ObjectStore                       { return &ObjectStore{} }
func (s *ObjectStore) Put(url string, data []byte) error { return errTODO }
func (s *ObjectStore) Get(url string) ([]byte, bool)     { return nil, false }
func (s *ObjectStore) List(prefix string) []string       { return nil } // sorted URLs
