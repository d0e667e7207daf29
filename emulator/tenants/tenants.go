// Package tenants holds the emulator's credentials and the per-tenant
// configuration (quotas, rate limits, zones, permissions). A tenant is one
// SecretId: a spec that needs special limits creates its own tenant through the
// admin API, so it never disturbs specs running beside it.
package tenants

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Quotas bound what a tenant may create. Zero means "use the default"; use
// Unlimited-free semantics through the explicit fields: a negative value means
// unlimited. The docs give no values, so they are configuration.
type Quotas struct {
	Jobs          int `json:"jobs"`           // LimitExceeded.JobQuota: jobs not yet deleted
	ComputeEnvs   int `json:"compute_envs"`   // LimitExceeded.ComputeEnvQuota
	CPUs          int `json:"cpus"`           // LimitExceeded.CpuQuota: vCPUs of all nodes
	TaskTemplates int `json:"task_templates"` // LimitExceeded.TaskTemplateQuota
	// Alibaba BatchCompute (ACS): the tenant's AccessKeyId/AccessKeySecret are
	// its SecretID/SecretKey; MaxClusterCount is ComputeEnvs, and these two
	// are QuotaExhausted.MaxClusterGroupCount and
	// QuotaExhausted.MaxClusterGroupDesiredVMCount (0 = unlimited; the docs
	// give no values).
	ClusterGroups   int `json:"cluster_groups,omitempty"`
	GroupDesiredVMs int `json:"group_desired_vms,omitempty"`
}

// DefaultQuotas are generous enough that no ordinary run meets them.
var DefaultQuotas = Quotas{Jobs: 100000, ComputeEnvs: 10000, CPUs: 1000000, TaskTemplates: 10000}

// Tenant is one set of credentials and its configuration.
type Tenant struct {
	SecretID  string `json:"secret_id"`
	SecretKey string `json:"secret_key"` // never written to any log or report
	Quotas    Quotas `json:"quotas"`
	// RateLimit is requests per second per action (0 = the server default,
	// negative = unlimited). RequestLimitExceeded past it.
	RateLimit float64 `json:"rate_limit"`
	// Zones, when non-empty, are the only zones this tenant may use; other
	// documented zones answer InvalidParameterValue.UnavailableZone.
	UnavailableZones []string `json:"unavailable_zones,omitempty"`
	// NotAllowed: UnauthorizedOperation.UserNotAllowedToUseBatch on every create.
	NotAllowed bool `json:"not_allowed,omitempty"`
	// EnvBusy: the tenant's compute environments answer
	// UnsupportedOperation.ComputeEnvAcceptOtherRequest ("计算环境正在接受请求")
	// to modifications, as if they were accepting another request.
	EnvBusy bool `json:"env_busy,omitempty"`
	// UnsupportedActions answer UnsupportedOperation for the actions listed
	// (only where UnsupportedOperation is in the action's documented list),
	// e.g. ["DescribeInstanceCategories"].
	UnsupportedActions []string `json:"unsupported_actions,omitempty"`
	// LegacyEnvIDTerminate follows the 2018 reading (seed 002): TerminateJob
	// and TerminateTaskInstance of jobs in a named environment (EnvId) answer
	// UnsupportedOperation.TerminateOperationWithEnvId.
	LegacyEnvIDTerminate bool `json:"legacy_envid_terminate,omitempty"`
	// ForbiddenOppositeRouterTypes (Alibaba BatchCompute): CreateCluster with
	// Configs.Networks.VPC.OppositeRouterType set to one of these answers 403
	// QuotaExhausted.Configs.Networks.VPC.OppositeRouterType.
	ForbiddenOppositeRouterTypes []string `json:"forbidden_opposite_router_types,omitempty"`
	// Skew is added to the server's clock when checking this tenant's request
	// timestamps (seconds), so SignatureExpire can be provoked with the SDK.
	SkewSeconds int64 `json:"skew_seconds,omitempty"`
	// Oceanus configures this tenant's Tencent Cloud Oceanus account.
	Oceanus Oceanus `json:"oceanus,omitempty"`
	// StateHolds lengthens, for this tenant's own compute nodes and task
	// instances only, how long a listed state is held before the emulator
	// moves the entity on by itself: "<machine>/<STATE>" (machine
	// compute-node or task-instance) → a Go duration, e.g.
	// {"compute-node/ABNORMAL": "5s"}. Moves a call causes are not held
	// back (TerminateComputeNode, DeleteComputeEnv, TerminateJob,
	// TerminateTaskInstance, the loss of an instance's node), so a client
	// can act deterministically in a state that otherwise lasts one hold
	// (~120 ms), however slow it is; other tenants keep the emulator's
	// timing. A test aid: no documented behaviour depends on it.
	StateHolds map[string]string `json:"state_holds,omitempty"`
}

// StateHoldMachines are the machines StateHolds may name.
var StateHoldMachines = []string{"compute-node", "task-instance"}

// MaxStateHold bounds one StateHolds duration.
const MaxStateHold = time.Hour

// parseStateHolds reads StateHolds ("machine/STATE" → duration).
func parseStateHolds(m map[string]string) (map[string]time.Duration, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]time.Duration, len(m))
	for k, v := range m {
		machine, state, ok := strings.Cut(k, "/")
		if !ok || state == "" || strings.ToUpper(state) != state || !slices.Contains(StateHoldMachines, machine) {
			return nil, fmt.Errorf("state_holds: key %q: want <machine>/<STATE> with machine one of %s", k, strings.Join(StateHoldMachines, ", "))
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > MaxStateHold {
			return nil, fmt.Errorf("state_holds[%q]: %q: want a Go duration in (0, %v]", k, v, MaxStateHold)
		}
		out[k] = d
	}
	return out, nil
}

// Oceanus is a tenant's Oceanus configuration (emulator-only items). Zero
// values mean the documented defaults.
type Oceanus struct {
	// MaxJobs: LimitExceeded.Job past it (documented: 1,000 per AppId).
	MaxJobs int `json:"max_jobs,omitempty"`
	// MaxJobConfigs: LimitExceeded.JobConfig past it (documented: 100 versions per job).
	MaxJobConfigs int `json:"max_job_configs,omitempty"`
	// MaxResources, MaxVariables, MaxWorkSpaces, MaxClusters, MaxMetaDatabases,
	// MaxMetaTables, MaxAlarmJobs: the LimitExceeded.* quotas of those
	// resources (undocumented numbers; the defaults are generous).
	MaxResources     int `json:"max_resources,omitempty"`
	MaxVariables     int `json:"max_variables,omitempty"`
	MaxWorkSpaces    int `json:"max_workspaces,omitempty"`
	MaxClusters      int `json:"max_clusters,omitempty"`
	MaxMetaDatabases int `json:"max_meta_databases,omitempty"`
	MaxMetaTables    int `json:"max_meta_tables,omitempty"`
	MaxAlarmJobs     int `json:"max_alarm_jobs,omitempty"`
	// MaxClusterRefunds: how many prepaid clusters the account may delete
	// before they expire (self-service refunds); past it DeleteOceanusCluster
	// answers LimitExceeded. Zero: unlimited.
	MaxClusterRefunds int `json:"max_cluster_refunds,omitempty"`
	// CuMemWhitelist allows CuMem 8 and 16 ("需申请开通白名单后使用").
	CuMemWhitelist bool `json:"cu_mem_whitelist,omitempty"`
	// NotAuthenticated: the account has not passed real-name verification
	// (FailedOperation.UserNotAuthenticated on CreateJob).
	NotAuthenticated bool `json:"not_authenticated,omitempty"`
	// LegacyDuplicatedJobName answers a duplicate CreateJob name with the
	// older FailedOperation.DuplicatedJobName instead of
	// InvalidParameterValue.JobNameExisted (both documented for CreateJob).
	LegacyDuplicatedJobName bool `json:"legacy_duplicated_job_name,omitempty"`
	// Refusals make an action answer a code for this tenant: account
	// properties a client cannot cause in an emulator (CAM policy,
	// permission interception, a dependency's failure), e.g.
	// {"DescribeClusters": "UnauthorizedOperation"}.
	Refusals map[string]string `json:"refusals,omitempty"`
	// WedataWorkspaces are workspaces (by WorkSpaceId or name) that belong to
	// WeData: DeleteWorkSpace answers FailedOperation.DeleteWedataItemspace.
	WedataWorkspaces []string `json:"wedata_workspaces,omitempty"`
	// Clusters are extra clusters seeded for this tenant besides the default
	// shared, dedicated and stopped ones.
	Clusters []OceanusCluster `json:"clusters,omitempty"`
	// Lost names what the account lost outside the API (set through
	// PUT tenants once the things exist): see OceanusLost.
	Lost OceanusLost `json:"lost,omitempty"`
	// MaxSecretVariables bounds the variables whose value is an SSM
	// credential (CreateVariable ValueType 1, 凭据值); past it CreateVariable
	// answers the generic LimitExceeded (LimitExceeded.Variables is the
	// count of all variables). Zero: unlimited.
	MaxSecretVariables int `json:"max_secret_variables,omitempty"`
	// SubAccountOf makes this tenant a sub-account (its own Uin) of the
	// tenant with that SecretId: it works in that tenant's account (same
	// AppId, same jobs and resources). A sub-account reading the versions of
	// a resource another Uin created answers
	// InvalidParameter.UinResourceNotMatch.
	SubAccountOf string `json:"sub_account_of,omitempty"`
	// MaxParallelismChanges are job config versions whose
	// pipeline.max-parallelism was changed outside this API (the console,
	// an older platform release) to a value today's CreateJobConfig checks
	// refuse; DescribeJobConfigs, which checks the configs it returns,
	// answers the code CreateJobConfig would.
	MaxParallelismChanges []OceanusParallelismChange `json:"max_parallelism_changes,omitempty"`
}

// OceanusLost lists what an account lost outside the API; it is kept with
// the tenant (and so across --state-dir restarts), and only the actions whose
// documented codes report such a loss look at it.
type OceanusLost struct {
	// Clusters expired and were released by billing: their IDs are no
	// longer valid (RunJobs InvalidParameter.InvalidClusterId; StopJobs of a
	// job on one InternalError.ResourceNotExist).
	Clusters []string `json:"clusters,omitempty"`
	// Resources whose packages are gone from storage (RunJobs
	// ResourceNotFound.Resource, StopJobs ResourceNotFound.ResourceNotExist,
	// DescribeResources ResourceNotFound.ResourceConfig,
	// DeleteResourceConfigs ResourceUnavailable).
	Resources []string `json:"resources,omitempty"`
	// PublishedConfigs are JobIds whose published config version is gone
	// (DescribeJobs ResourceUnavailable.GetJobPublishedJobConfig).
	PublishedConfigs []string `json:"published_configs,omitempty"`
}

// OceanusParallelismChange is one config version's changed
// pipeline.max-parallelism.
type OceanusParallelismChange struct {
	JobID   string `json:"job_id"`
	Version int64  `json:"version"`
	Value   string `json:"value"`
}

// OceanusCluster describes a seeded Oceanus cluster.
type OceanusCluster struct {
	Name string `json:"name"`
	// Status: 2 running (default), 1 uninitialized, 3 initializing; any
	// other value is kept as given (e.g. 4 stopped/isolated).
	Status int `json:"status,omitempty"`
	CuNum  int `json:"cu_num,omitempty"` // default 8
	CuMem  int `json:"cu_mem,omitempty"` // default 4
	// Shared marks a shared cluster (ClusterType 1); default dedicated.
	Shared bool `json:"shared,omitempty"`
}

// Registry is the set of tenants. It is safe for concurrent use.
type Registry struct {
	mu sync.RWMutex
	m  map[string]*Tenant
	// holds are the tenants' parsed StateHolds; nHolds counts the tenants
	// with some, so the engine's steps pay nothing while none has any.
	holds  map[string]map[string]time.Duration
	nHolds atomic.Int32
}

// NewRegistry returns a registry holding the given tenants.
func NewRegistry(ts ...Tenant) *Registry {
	r := &Registry{m: map[string]*Tenant{}, holds: map[string]map[string]time.Duration{}}
	for _, t := range ts {
		_ = r.Put(t)
	}
	return r
}

// ErrInvalid is returned for a tenant without credentials.
var ErrInvalid = errors.New("tenants: secret_id and secret_key are required")

// Put adds or replaces a tenant, filling default quotas.
func (r *Registry) Put(t Tenant) error {
	if t.SecretID == "" || t.SecretKey == "" {
		return ErrInvalid
	}
	fill(&t.Quotas)
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := t
	// The registry keeps its own lists: a caller's later edits must not
	// reconfigure a live tenant.
	cp.UnavailableZones = append([]string(nil), t.UnavailableZones...)
	cp.UnsupportedActions = append([]string(nil), t.UnsupportedActions...)
	cp.ForbiddenOppositeRouterTypes = append([]string(nil), t.ForbiddenOppositeRouterTypes...)
	cp.Oceanus.Clusters = append([]OceanusCluster(nil), t.Oceanus.Clusters...)
	cp.Oceanus.WedataWorkspaces = append([]string(nil), t.Oceanus.WedataWorkspaces...)
	cp.Oceanus.Lost = OceanusLost{Clusters: append([]string(nil), t.Oceanus.Lost.Clusters...),
		Resources:        append([]string(nil), t.Oceanus.Lost.Resources...),
		PublishedConfigs: append([]string(nil), t.Oceanus.Lost.PublishedConfigs...)}
	cp.Oceanus.MaxParallelismChanges = append([]OceanusParallelismChange(nil), t.Oceanus.MaxParallelismChanges...)
	if t.Oceanus.Refusals != nil {
		cp.Oceanus.Refusals = make(map[string]string, len(t.Oceanus.Refusals))
		for k, v := range t.Oceanus.Refusals {
			cp.Oceanus.Refusals[k] = v
		}
	}
	cp.StateHolds = maps.Clone(t.StateHolds)
	// check refused invalid holds before a create or a reconfiguration; a
	// tenant put directly (a replayed log) keeps only valid ones.
	holds, _ := parseStateHolds(t.StateHolds)
	if r.holds == nil {
		r.holds = map[string]map[string]time.Duration{}
	}
	_, had := r.holds[t.SecretID]
	switch {
	case len(holds) > 0:
		r.holds[t.SecretID] = holds
		if !had {
			r.nHolds.Add(1)
		}
	case had:
		delete(r.holds, t.SecretID)
		r.nHolds.Add(-1)
	}
	r.m[t.SecretID] = &cp
	return nil
}

// StateHold is how long the tenant's entities of machine are held in state
// at least (its StateHolds; 0: the emulator's own timing).
func (r *Registry) StateHold(secretID, machine, state string) time.Duration {
	if r == nil || r.nHolds.Load() == 0 {
		return 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.holds[secretID][machine+"/"+state]
}

func fill(q *Quotas) {
	d := DefaultQuotas
	if q.Jobs == 0 {
		q.Jobs = d.Jobs
	}
	if q.ComputeEnvs == 0 {
		q.ComputeEnvs = d.ComputeEnvs
	}
	if q.CPUs == 0 {
		q.CPUs = d.CPUs
	}
	if q.TaskTemplates == 0 {
		q.TaskTemplates = d.TaskTemplates
	}
}

// New creates a tenant with fresh random credentials from a template.
func (r *Registry) New(tmpl Tenant) (Tenant, error) {
	if tmpl.SecretID == "" {
		tmpl.SecretID = "AKID" + randHex(16)
	}
	if tmpl.SecretKey == "" {
		tmpl.SecretKey = randHex(16)
	}
	if err := r.check(tmpl); err != nil {
		return Tenant{}, fmt.Errorf("tenants: create: %w", err)
	}
	if err := r.Put(tmpl); err != nil {
		return Tenant{}, fmt.Errorf("tenants: create: %w", err)
	}
	t, _ := r.Get(tmpl.SecretID)
	return t, nil
}

// Errors of Reconfigure, for the admin API's status codes.
var (
	ErrNotFound = errors.New("no such tenant")
	ErrKey      = errors.New("secret_key cannot be changed (leave it out to keep the key)")
)

// Reconfigure replaces an existing tenant's configuration (everything but
// its credentials) with cfg's: fields cfg leaves out return to their
// defaults. cfg.SecretKey may be empty (the key is kept) or the key itself.
// It returns the tenant as now configured.
func (r *Registry) Reconfigure(cfg Tenant) (Tenant, error) {
	old, ok := r.Get(cfg.SecretID)
	if !ok {
		return Tenant{}, fmt.Errorf("tenants: reconfigure %q: %w", cfg.SecretID, ErrNotFound)
	}
	if cfg.SecretKey != "" && cfg.SecretKey != old.SecretKey {
		return Tenant{}, fmt.Errorf("tenants: reconfigure %s: %w", cfg.SecretID, ErrKey)
	}
	cfg.SecretKey = old.SecretKey
	if err := r.check(cfg); err != nil {
		return Tenant{}, fmt.Errorf("tenants: reconfigure %s: %w", cfg.SecretID, err)
	}
	if err := r.Put(cfg); err != nil {
		return Tenant{}, fmt.Errorf("tenants: reconfigure %s: %w", cfg.SecretID, err)
	}
	t, _ := r.Get(cfg.SecretID)
	return t, nil
}

// check refuses a configuration the emulator cannot honour: a sub-account
// of a tenant that does not exist, of itself, or of another sub-account (an
// account has one main Uin; sub-accounts do not nest); a main account that
// already has sub-accounts cannot become one; a parallelism change names a
// job and a version.
func (r *Registry) check(t Tenant) error {
	if p := t.Oceanus.SubAccountOf; p != "" {
		parent, ok := r.Get(p)
		switch {
		case p == t.SecretID:
			return errors.New("oceanus.sub_account_of names the tenant itself")
		case !ok:
			return fmt.Errorf("oceanus.sub_account_of: no tenant %q", p)
		case parent.Oceanus.SubAccountOf != "":
			return fmt.Errorf("oceanus.sub_account_of: %s is itself a sub-account of %s (sub-accounts do not nest)", p, parent.Oceanus.SubAccountOf)
		}
		r.mu.RLock()
		defer r.mu.RUnlock()
		for id, o := range r.m {
			if o.Oceanus.SubAccountOf == t.SecretID && id != t.SecretID {
				return fmt.Errorf("oceanus.sub_account_of: %s is the main account of %s", t.SecretID, id)
			}
		}
	}
	if _, err := parseStateHolds(t.StateHolds); err != nil {
		return err
	}
	for i, c := range t.Oceanus.MaxParallelismChanges {
		if c.JobID == "" || c.Version <= 0 {
			return fmt.Errorf("oceanus.max_parallelism_changes[%d]: job_id and a positive version are required", i)
		}
	}
	return nil
}

// Get returns a copy of a tenant.
func (r *Registry) Get(secretID string) (Tenant, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.m[secretID]
	if !ok {
		return Tenant{}, false
	}
	return *t, true
}

// SecretKey implements the credential lookup the protocol layers need.
func (r *Registry) SecretKey(secretID string) (string, bool) {
	t, ok := r.Get(secretID)
	return t.SecretKey, ok
}

// IDs lists the tenants' SecretIds, sorted.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for id := range r.m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
