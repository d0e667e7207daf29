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
	"sort"
	"sync"
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
}

// Registry is the set of tenants. It is safe for concurrent use.
type Registry struct {
	mu sync.RWMutex
	m  map[string]*Tenant
}

// NewRegistry returns a registry holding the given tenants.
func NewRegistry(ts ...Tenant) *Registry {
	r := &Registry{m: map[string]*Tenant{}}
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
	r.m[t.SecretID] = &cp
	return nil
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
	if err := r.Put(tmpl); err != nil {
		return Tenant{}, fmt.Errorf("tenants: create: %w", err)
	}
	t, _ := r.Get(tmpl.SecretID)
	return t, nil
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
