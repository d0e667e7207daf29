package oceanus

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
)

// Documented limits (reference §B.3, apispec action documents).
const (
	DefaultMaxJobs       = 1000 // 一个 AppId 最多允许创建1000个作业
	DefaultMaxJobConfigs = 100  // 一个作业最多有100个配置版本
	MaxBatch             = 20   // 批量操作数量上限20
	defaultQuota         = 1000 // undocumented quotas (resources, variables, …)
)

// Fixed IDs of the clusters seeded for every tenant.
const (
	SharedClusterID    = "cluster-shared00"
	DedicatedClusterID = "cluster-dedica00"
	StoppedClusterID   = "cluster-stopped0"
	RootFolderID       = "root"
)

// Clock is the engine's clock (scaled or manual).
type Clock interface{ Now() time.Time }

// IDs makes unique IDs (prefix + 8 of [a-z0-9]); the engine's generator, so
// one seed fixes every ID of a run.
type IDs interface{ NewID(prefix string) string }

// Timing is how long the documented transitional states last (emulator time).
type Timing struct {
	Operation    time.Duration // job status 3 (operation in progress); default 1s
	FailAfter    time.Duration // a run marked to fail stays 4 this long before -1; default 1s
	ResourceSync time.Duration // resource version Status 0 (syncing) before 1; default 500ms
	Savepoint    time.Duration // savepoint Status 3 (in progress) before 1; default 500ms
	ClusterOp    time.Duration // cluster Status 3 (initializing/scaling); default 2s
	// ClusterCreate is a new cluster's Status 3 (initializing), when it
	// should differ from a scaling's (default: ClusterOp). The suite's
	// embedded emulator shortens it: no check observes a new cluster
	// initializing, while refusals during a scaling need its hold.
	ClusterCreate time.Duration
}

func (t Timing) withDefaults() Timing {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Operation, time.Second)
	def(&t.FailAfter, time.Second)
	def(&t.ResourceSync, 500*time.Millisecond)
	def(&t.Savepoint, 500*time.Millisecond)
	def(&t.ClusterOp, 2*time.Second)
	def(&t.ClusterCreate, t.ClusterOp)
	return t
}

// Objects lists the emulator's object store (COS buckets and jars live there).
type Objects interface{ List(prefix string) []string }

// Config configures the façade.
type Config struct {
	Catalog *fixtures.Catalog
	Clock   Clock
	IDs     IDs
	Objects Objects // nil: an empty store
	Tenants *tenants.Registry
	Faults  *faults.Set
	Timing  Timing
}

// Service serves Oceanus.
type Service struct {
	cat      *fixtures.Catalog
	clock    Clock
	ids      IDs
	objects  Objects
	tenants  *tenants.Registry
	faults   *faults.Set
	timing   Timing
	handlers map[string]handler

	mu       sync.Mutex
	accounts map[string]*account
}

type handler func(ctx context.Context, a *account, req *api3.Request) (any, *api3.Error)

// New returns the façade.
func New(cfg Config) *Service {
	s := &Service{cat: cfg.Catalog, clock: cfg.Clock, ids: cfg.IDs, objects: cfg.Objects, tenants: cfg.Tenants,
		faults: cfg.Faults, timing: cfg.Timing.withDefaults(), accounts: map[string]*account{}}
	s.handlers = map[string]handler{
		// Jobs and their lifecycle.
		"CreateJob":                s.createJob,
		"ModifyJob":                s.modifyJob,
		"CopyJobs":                 s.copyJobs,
		"DeleteJobs":               s.deleteJobs,
		"DescribeJobs":             s.describeJobs,
		"RunJobs":                  s.runJobs,
		"StopJobs":                 s.stopJobs,
		"CreateJobConfig":          s.createJobConfig,
		"DescribeJobConfigs":       s.describeJobConfigs,
		"DeleteJobConfigs":         s.deleteJobConfigs,
		"DeleteTableConfig":        s.deleteTableConfig,
		"DescribeJobEvents":        s.describeJobEvents,
		"DescribeJobRuntimeInfo":   s.describeJobRuntimeInfo,
		"DescribeJobSubmissionLog": s.describeJobSubmissionLog,
		"TriggerJobSavepoint":      s.triggerJobSavepoint,
		"DescribeJobSavepoint":     s.describeJobSavepoint,
		"CheckSavepoint":           s.checkSavepoint,
		"DescribeTreeJobs":         s.describeTreeJobs,
		// Resources and connectors.
		"CreateResource":              s.createResource,
		"CreateResourceConfig":        s.createResourceConfig,
		"DescribeResources":           s.describeResources,
		"DescribeResourceConfigs":     s.describeResourceConfigs,
		"DescribeResourceRelatedJobs": s.describeResourceRelatedJobs,
		"DescribeSystemResources":     s.describeSystemResources,
		"DescribeTreeResources":       s.describeTreeResources,
		"DeleteResources":             s.deleteResources,
		"DeleteResourceConfigs":       s.deleteResourceConfigs,
		"CreateConnector":             s.createConnector,
		"ModifyConnector":             s.modifyConnector,
		"CheckConnectorName":          s.checkConnectorName,
		"ParseConnector":              s.parseConnector,
		// Folders, workspaces, variables.
		"CreateFolder":           s.createFolder,
		"DescribeFolder":         s.describeFolder,
		"ModifyFolder":           s.modifyFolder,
		"DeleteFolders":          s.deleteFolders,
		"CreateWorkSpace":        s.createWorkSpace,
		"DescribeWorkSpaces":     s.describeWorkSpaces,
		"ModifyWorkSpace":        s.modifyWorkSpace,
		"DeleteWorkSpace":        s.deleteWorkSpace,
		"DescribeWorkSpaceUsers": s.describeWorkSpaceUsers,
		"CreateVariable":         s.createVariable,
		"DescribeVariables":      s.describeVariables,
		// Meta catalog.
		"CreateMetaDatabase": s.createMetaDatabase,
		"CreateMetaTable":    s.createMetaTable,
		"GetMetaTable":       s.getMetaTable,
		"ModifyMetaTable":    s.modifyMetaTable,
		// Clusters and the SQL gateway.
		"CreateOceanusCluster":           s.createCluster,
		"DescribeClusters":               s.describeClusters,
		"ScaleOceanusCluster":            s.scaleCluster,
		"RenewOceanusCluster":            s.renewCluster,
		"DeleteOceanusCluster":           s.deleteCluster,
		"RunSqlGatewayStatement":         s.runStatement,
		"FetchSqlGatewayStatementResult": s.fetchStatement,
	}
	return s
}

// Actions lists the implemented actions (for coverage checks).
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.handlers))
	for a := range s.handlers {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Catalog implements api3.Product.
func (s *Service) Catalog() *fixtures.Catalog { return s.cat }

// Handle implements api3.Product. One lock serves every tenant: handlers are
// short and a batch must be checked and applied atomically.
func (s *Service) Handle(ctx context.Context, req *api3.Request) (any, *api3.Error) {
	h, ok := s.handlers[req.Action]
	if !ok {
		return nil, api3.Errorf("InvalidAction", "The action %q does not exist.", req.Action)
	}
	t := s.tenant(req.SecretID)
	if code := t.Oceanus.Refusals[req.Action]; code != "" {
		return nil, api3.Errorf(code, "the account's configuration refuses %s", req.Action)
	}
	if !s.on(faults.OceanusUnsupportedIgnored) {
		if e := facade.Unsupported(s.cat, t.UnsupportedActions, req.Action); e != nil {
			return nil, e
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(accountKey(t, req.SecretID), req.Region)
	a.settle(s.now())
	resp, e := h(ctx, a, req)
	if e != nil {
		return nil, facade.Documented(s.cat, req.Action, e)
	}
	return s.shape(req.Action, resp)
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// on reports whether a fault is switched on (emulator/faults/oceanus.go).
func (s *Service) on(name string) bool { return s.faults.On(name) }

func (s *Service) tenant(id string) tenants.Tenant {
	t, _ := s.tenants.Get(id)
	return t
}

// quota returns a configured limit or its default.
func quota(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// ---- wire helpers ----

func decode(req *api3.Request, v any) *api3.Error { return facade.Decode(req, v) }

// ts formats a time as the catalog documents (Oceanus: "YYYY-MM-DD
// hh:mm:ss", Catalog.TimeFormat), in UTC.
func (s *Service) ts(t time.Time) string {
	if s.cat.TimeFormat != "" && !s.on(faults.OceanusTimesRFC3339) {
		return t.UTC().Format(s.cat.TimeFormat)
	}
	return facade.TS(t)
}

// tsOr formats t, or is null for a zero time (such members may be null).
func (s *Service) tsOr(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.ts(t)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func i64(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

type wTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// page applies Offset/Limit with the catalog's maximum.
func (s *Service) page(action string, n int, offset, limit *int64, def int64) (int, int) {
	return facade.Page(s.cat, action, n, offset, limit, def, s.on(faults.IgnoreOffset) || s.on(faults.OceanusIgnoreOffset))
}

// filters applies Name/Values filters; an unknown name is InvalidParameterValue.
func filters[T any](items []T, fs []facade.Filter, mf facade.MatcherFor[T]) ([]T, *api3.Error) {
	return facade.ApplyFilters(items, fs, mf, func(name string) *api3.Error {
		return api3.Errorf("InvalidParameterValue", "the filter %q is not supported", name)
	})
}

// oneOf builds a filter predicate over one string field.
func oneOf[T any](vals []string, field func(T) string) func(T) bool {
	return func(t T) bool { return facade.Contains(vals, field(t)) }
}

var (
	jobIDShape     = regexp.MustCompile(`^cql-[a-z0-9]{8}$`)
	clusterIDShape = regexp.MustCompile(`^cluster-[a-z0-9]{8}$`)
	bucketShape    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*-[0-9]+$`)
	// Job names: "小于50个字符的中文、英文、数字、-、_、."
	jobNameShape = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_.\-]+$`)
	// Folder, workspace, cluster, variable names: 1-50 of letters, Han,
	// digits, - and _ (the CreateOceanusCluster ClusterName reading).
	nameShape = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_\-]{1,50}$`)
	// Variable names as Flink SQL placeholders: letters, digits and _ (the catalog's Name.pattern).
	varNameShape = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,49}$`)
	dbNameShape  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`) // the catalog's DatabaseName.pattern
)

func lower(s string) string { return strings.ToLower(s) }
