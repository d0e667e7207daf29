// Package alibatch is the Alibaba Cloud BatchCompute façade (ACS REST,
// 2015-11-11): it serves the 26 operations of the API definition (every route
// but getAvailable) on the shared engine, translating clusters, jobs, tasks
// and instances to and from the engine's vendor-neutral model.
//
// Routes, documented success statuses and every parameter rule come from the
// catalog (fixtures/alibatch): the façade registers one route per catalog
// action and runs validate.CheckREST before any handler, so the specs and the
// emulator read the same rules. The façade itself does what needs state:
// existence (404 InvalidResource.NotFound), states (409 StateConflict),
// quotas (403 QuotaExhausted.*), idempotent tokens, paging.
//
// # Translation
//
//   - A cluster is one engine environment per group (the engine's env has one
//     desired count; a cluster has one per group). Jobs whose task names a
//     ClusterId run on the environment of the cluster's first group (by name).
//     Cluster instance states: engine SUBMITTED → Pending, CREATING/CREATED/
//     CREATION_FAILED → Starting, RUNNING/ABNORMAL → Running, DELETING →
//     Deleting.
//   - A task with AutoCluster runs on an anonymous node per instance.
//   - Job, task and instance states: Waiting until the first of its instances
//     started running, then Running until it ends (the engine's between-stage
//     RUNNABLE/STARTING is not a documented move back to Waiting); SUCCEED →
//     Finished; FAILED → Stopped if a StopJob ended it (engine Terminated),
//     else Failed.
//   - StopJob → engine AbortJob (also while the job has not started), StartJob
//     → engine RetryJobs, ChangeJobPriority → engine SetJobPriority.
//   - JobFailOnInstanceFail true → downstream tasks need every upstream
//     instance to succeed (PRE_TASK_SUCCEED); false → they run once upstream
//     instances ended, whatever their result (PRE_TASK_FINISHED). Inferred:
//     the docs leave the cascade open.
//   - AutoRelease: a Finished job is deleted (observed on the next request of
//     its tenant).
//   - Mappings: PackagePath, InputMapping (oss:// → local), OutputMapping and
//     LogMapping (local → oss://) and the redirect paths go through the
//     engine's object store under their oss:// URLs.
package alibatch

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/listing"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/emulator/validate"
	"github.com/batchconform/batchconform/fixtures"
	catalog "github.com/batchconform/batchconform/fixtures/alibatch"
)

// TimeFormat is the documented time shape (2016-11-01T15:25:03.020203Z).
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Paging defaults (REST docs: default 50; the maximum is the catalog's
// MaxItemCount range rule).
const DefaultMaxItemCount = 50

// Service serves BatchCompute on an engine.
type Service struct {
	eng     *engine.Engine
	cat     *fixtures.Catalog
	tenants *tenants.Registry
	faults  *faults.Set
	skip    map[string]bool

	handlers map[string]handler
	actions  map[string]*fixtures.Action

	mu       sync.Mutex
	clusters map[string]*cluster // by ID
	clSeq    int64
	images   map[string]*image
	imgSeq   int64
	tokens   map[string]token // tenant\x00op\x00token
	autoRel  map[string]bool  // job IDs with AutoRelease
	hidden   map[string]bool  // faults.AliDeleteRunningJob: jobs "deleted" while running, removed once ended

	notes *notifier // Notification topics and their sink (notify.go)
}

type handler func(ctx context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error)

type token struct {
	sum [32]byte
	id  string
}

// New returns the façade.
func New(eng *engine.Engine, ts *tenants.Registry, fs *faults.Set) *Service {
	s := &Service{eng: eng, cat: catalog.Catalog(), tenants: ts, faults: fs, skip: map[string]bool{},
		actions: map[string]*fixtures.Action{}, clusters: map[string]*cluster{}, images: map[string]*image{},
		tokens: map[string]token{}, autoRel: map[string]bool{}, hidden: map[string]bool{}, notes: newNotifier()}
	for i := range s.cat.Actions {
		s.actions[s.cat.Actions[i].Name] = &s.cat.Actions[i]
	}
	// Validation faults are generic: a rule is skipped when a fault that is
	// on declares its item ID.
	for _, name := range fs.Names() {
		if f, ok := faults.Lookup(name); ok {
			for _, id := range f.Items {
				s.skip[id] = true
			}
		}
	}
	s.handlers = map[string]handler{
		"CreateCluster":               s.createCluster,
		"GetCluster":                  s.getCluster,
		"ListClusters":                s.listClusters,
		"DeleteCluster":               s.deleteCluster,
		"ChangeClusterDesiredVMCount": s.changeClusterDesiredVMCount,
		"ListClusterInstances":        s.listClusterInstances,
		"GetClusterInstance":          s.getClusterInstance,
		"RecreateClusterInstance":     s.recreateClusterInstance,
		"DeleteClusterInstance":       s.deleteClusterInstance,
		"CreateJob":                   s.createJob,
		"GetJob":                      s.getJob,
		"GetJobDescription":           s.getJobDescription,
		"ListJobs":                    s.listJobs,
		"StartJob":                    s.startJob,
		"StopJob":                     s.stopJob,
		"DeleteJob":                   s.deleteJob,
		"ChangeJobPriority":           s.changeJobPriority,
		"ListTasks":                   s.listTasks,
		"GetTask":                     s.getTask,
		"ListInstances":               s.listInstances,
		"GetInstance":                 s.getInstance,
		"CreateImage":                 s.createImage,
		"GetImage":                    s.getImage,
		"ListImages":                  s.listImages,
		"DeleteImage":                 s.deleteImage,
		"GetQuotas":                   s.getQuotas,
	}
	return s
}

// Catalog is the contract the façade serves.
func (s *Service) Catalog() *fixtures.Catalog { return s.cat }

// Operations lists the implemented operations (for coverage checks).
func (s *Service) Operations() []string {
	out := make([]string, 0, len(s.handlers))
	for op := range s.handlers {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

// Routes implements acs.Service: one route per catalog action.
func (s *Service) Routes() []acs.Route {
	var rs []acs.Route
	for _, a := range s.cat.Actions {
		if _, ok := s.handlers[a.Name]; !ok || a.Path == "" {
			continue
		}
		rs = append(rs, acs.Route{Op: a.Name, Method: a.Method, Pattern: a.Path, SubResource: a.SubResource})
	}
	return rs
}

// Handle implements acs.Service: the catalog's rules, then the operation.
func (s *Service) Handle(ctx context.Context, req *acs.Request) (*acs.Response, *acs.Error) {
	h := s.handlers[req.Op]
	a := s.actions[req.Op]
	if h == nil || a == nil {
		return nil, acs.Errorf(http.StatusBadRequest, "InvalidUrlPattern", "Specified url pattern contains some illegal words.")
	}
	p := s.params(a, req)
	if v := validate.CheckREST(s.cat, req.Op, p, validate.Options{Skip: func(id string) bool { return s.skip[id] }}); v != nil {
		return nil, &acs.Error{Status: s.status(v.Code), Code: v.Code, Message: v.Message}
	}
	if s.faults.On(faults.AliIgnoreMarker) {
		delete(p, "Marker")
	}
	s.sweep(req.AccessKeyID)
	undo := s.beforeDispatch(req)
	resp, e := h(ctx, req, p)
	if e != nil {
		undo()
		return nil, e
	}
	if resp.Status == 0 {
		resp.Status = a.Status
	}
	s.afterDispatch(req, resp)
	return resp, nil
}

// status is the documented HTTP status of a code (the catalog's common or
// per-code table; 400 for the Missing/Invalid patterns).
func (s *Service) status(code string) int {
	for _, c := range s.cat.ErrorCodes {
		if c.Code == code && c.Status != 0 {
			return c.Status
		}
	}
	return http.StatusBadRequest
}

// params merges the body object and the query members the catalog locates in
// the query (numbers as json.Number when they are integer literals, so a
// non-number fails the type rule).
func (s *Service) params(a *fixtures.Action, req *acs.Request) map[string]any {
	p := map[string]any{}
	for k, v := range req.Object() {
		p[k] = v
	}
	obj, ok := s.cat.Object(a.Input)
	if !ok {
		return p
	}
	for _, m := range obj.Members {
		if m.Location != "query" {
			continue
		}
		vs, ok := req.Query[m.Name]
		if !ok {
			continue
		}
		v := vs[0]
		if (m.Type == "int64" || m.Type == "uint64") && intLiteral.MatchString(v) {
			p[m.Name] = json.Number(v)
		} else {
			p[m.Name] = v
		}
	}
	return p
}

var intLiteral = regexp.MustCompile(`^-?[0-9]{1,18}$`)

// ruleError answers the catalog's rule (code and message verbatim, {key}
// filled) for the rules the façade checks because they need state: the
// references to clusters' groups and to GetQuotas.
func (s *Service) ruleError(op, detail, key string) *acs.Error {
	r, ok := s.cat.Rule(fixtures.MakeID(fixtures.DialectAlibaba, op, fixtures.KindRule, detail))
	if !ok {
		return acs.InternalError() // a catalog without the rule: a programming error the tests catch
	}
	fill := func(x string) string { return strings.ReplaceAll(x, fixtures.MapKey, key) }
	return &acs.Error{Status: s.status(r.Code), Code: fill(r.Code), Message: fill(r.Message)}
}

// ---- shared helpers ----

func ownerID(tenant string) int64 {
	h := fnv.New64a()
	h.Write([]byte(tenant))
	return int64(h.Sum64() % 1_000_000_000_000)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeFormat)
}

func tsp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

func str(p map[string]any, k string) string {
	v, _ := p[k].(string)
	return v
}

func num(p map[string]any, k string, def int) int {
	switch v := p[k].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n)
		}
	}
	return def
}

func boolean(p map[string]any, k string) bool {
	v, _ := p[k].(bool)
	return v
}

func obj(p map[string]any, k string) map[string]any {
	v, _ := p[k].(map[string]any)
	return v
}

// idempotent looks a token up: the ID of the first request with the same
// token and the same body, IdempotentTokenMismatch for another body, or ""
// for a new token. The body is compared as canonical JSON (key order and
// spacing do not matter).
func (s *Service) idempotent(tenant, op string, p map[string]any) (key string, sum [32]byte, id string, e *acs.Error) {
	tok := str(p, "IdempotentToken")
	if tok == "" || s.faults.On(faults.AliIgnoreIdempotentToken) {
		return "", sum, "", nil
	}
	body := map[string]any{}
	for k, v := range p {
		if k != "IdempotentToken" {
			body[k] = v
		}
	}
	b, _ := json.Marshal(body) // maps marshal with sorted keys
	sum = sha256.Sum256(b)
	key = tenant + "\x00" + op + "\x00" + tok
	s.mu.Lock()
	t, ok := s.tokens[key]
	s.mu.Unlock()
	if !ok {
		return key, sum, "", nil
	}
	if t.sum != sum {
		return "", sum, "", acs.Errorf(http.StatusBadRequest, "IdempotentTokenMismatch", "Specified idempotent token mismatch.")
	}
	return "", sum, t.id, nil
}

func (s *Service) remember(key string, sum [32]byte, id string) {
	if key == "" {
		return
	}
	s.mu.Lock()
	s.tokens[key] = token{sum: sum, id: id}
	s.mu.Unlock()
}

// page is the documented Marker/MaxItemCount paging (listing.Marker):
// MaxItemCount 0 or absent is DefaultMaxItemCount; a marker that names no
// item (never issued, or its item is gone) is 400 InvalidMarker (the
// catalog's SHOULD reading: the docs give no rule).
func page[T any](items []T, key func(T) string, p map[string]any) ([]T, string, *acs.Error) {
	n := num(p, "MaxItemCount", 0)
	if n <= 0 {
		n = DefaultMaxItemCount
	}
	pg, next, ok := listing.Marker(items, key, str(p, "Marker"), n)
	if !ok {
		return nil, "", acs.Invalid("Marker", "")
	}
	return pg, next, nil
}

// list is the documented list shape.
func list[T any](items []T, next string) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{"Items": items, "NextMarker": next}
}

// engineErr maps an engine error to the documented codes: a missing resource
// is 404, a refused state 409 with the given state.
func engineErr(err error, state string) *acs.Error {
	var ee *engine.Error
	if !errors.As(err, &ee) {
		return acs.InternalError()
	}
	switch ee.Kind {
	case engine.ErrNotFound:
		return acs.NotFound()
	case engine.ErrState, engine.ErrInUse, engine.ErrBusy, engine.ErrTerminating, engine.ErrForbidTerminate, engine.ErrNotEnoughNodes:
		return acs.StateConflict(state)
	case engine.ErrQuota:
		return acs.Errorf(http.StatusForbidden, "QuotaExhausted", "The %s quota is exhausted.", ee.Resource)
	case engine.ErrInvalid:
		if ee.Reason == engine.ReasonCycle {
			return acs.Errorf(http.StatusBadRequest, "BadDAG", "It is a cyclic dag.")
		}
		return acs.Errorf(http.StatusBadRequest, "InvalidParameter", "Specified parameter is not valid. %s", ee.Detail)
	}
	return acs.Errorf(http.StatusForbidden, "Forbidden", "User not authorized to operate on the specified resource.")
}

func itoa(n int) string { return strconv.Itoa(n) }

var _ = fmt.Sprintf
