// Package tencentbatch is the Tencent Cloud Batch façade: it turns the 32 API
// 3.0 actions into engine operations and shapes the documented responses.
//
// The protocol layer (emulator/api3 + emulator/validate) has already checked
// every parameter rule of the catalog before Handle runs, so the façade only
// does what needs state or the emulator's data: existence, states, quotas,
// zones, instance types, filters and paging.
package tencentbatch

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/listing"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// Service serves Tencent Batch on an engine.
type Service struct {
	eng      *engine.Engine
	cat      *fixtures.Catalog
	tenants  *tenants.Registry
	faults   *faults.Set
	handlers map[string]handler

	regionsOnce sync.Once
	regionMap   map[string][]string
}

// handler runs one action for the authenticated tenant (req.SecretID).
type handler func(ctx context.Context, req *api3.Request) (any, *api3.Error)

// New returns the façade.
func New(eng *engine.Engine, ts *tenants.Registry, fs *faults.Set) *Service {
	s := &Service{eng: eng, cat: catalog.Catalog(), tenants: ts, faults: fs}
	s.handlers = map[string]handler{
		// Compute environments.
		"CreateComputeEnv":              s.createComputeEnv,
		"CreateCpmComputeEnv":           s.createCpmComputeEnv,
		"DescribeComputeEnv":            s.describeComputeEnv,
		"DescribeComputeEnvs":           s.describeComputeEnvs,
		"DescribeComputeEnvCreateInfo":  s.describeComputeEnvCreateInfo,
		"DescribeComputeEnvCreateInfos": s.describeComputeEnvCreateInfos,
		"DescribeComputeEnvActivities":  s.describeComputeEnvActivities,
		"ModifyComputeEnv":              s.modifyComputeEnv,
		"DeleteComputeEnv":              s.deleteComputeEnv,
		"TerminateComputeNode":          s.terminateComputeNode,
		"TerminateComputeNodes":         s.terminateComputeNodes,
		"AttachInstances":               s.attachInstances,
		"DetachInstances":               s.detachInstances,
		// Jobs.
		"SubmitJob":              s.submitJob,
		"DescribeJob":            s.describeJob,
		"DescribeJobs":           s.describeJobs,
		"DescribeJobSubmitInfo":  s.describeJobSubmitInfo,
		"DescribeTask":           s.describeTask,
		"DescribeTaskLogs":       s.describeTaskLogs,
		"DescribeJobMonitorData": s.describeJobMonitorData,
		"TerminateJob":           s.terminateJob,
		"TerminateTaskInstance":  s.terminateTaskInstance,
		"RetryJobs":              s.retryJobs,
		"DeleteJob":              s.deleteJob,
		// Task templates.
		"CreateTaskTemplate":    s.createTaskTemplate,
		"DescribeTaskTemplates": s.describeTaskTemplates,
		"ModifyTaskTemplate":    s.modifyTaskTemplate,
		"DeleteTaskTemplates":   s.deleteTaskTemplates,
		// Static data.
		"DescribeAvailableCvmInstanceTypes":  s.describeAvailableCvmInstanceTypes,
		"DescribeCvmZoneInstanceConfigInfos": s.describeCvmZoneInstanceConfigInfos,
		"DescribeInstanceCategories":         s.describeInstanceCategories,
		"DescribeCpmOsInfo":                  s.describeCpmOsInfo,
	}
	return s
}

// Actions lists the actions the façade implements (for coverage checks).
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.handlers))
	for a := range s.handlers {
		out = append(out, a)
	}
	return out
}

// Catalog implements api3.Product.
func (s *Service) Catalog() *fixtures.Catalog { return s.cat }

// Handle implements api3.Product.
func (s *Service) Handle(ctx context.Context, req *api3.Request) (any, *api3.Error) {
	h, ok := s.handlers[req.Action]
	if !ok {
		return nil, api3.Errorf("InvalidAction", "The action %q does not exist.", req.Action)
	}
	if e := s.unsupported(req); e != nil {
		return nil, e
	}
	resp, aerr := h(ctx, req)
	if aerr != nil {
		return nil, s.documented(req.Action, aerr)
	}
	return s.reshape(req.Action, resp), nil
}

// unsupported answers UnsupportedOperation for an action the tenant's
// configuration lists in UnsupportedActions, where the action documents that
// code (emulator-only: e.g. DescribeInstanceCategories, which has no
// parameter a client could get wrong).
func (s *Service) unsupported(req *api3.Request) *api3.Error {
	t, ok := s.tenants.Get(req.SecretID)
	if !ok {
		return nil
	}
	return facade.Unsupported(s.cat, t.UnsupportedActions, req.Action)
}

// documented holds an action to its documented codes (facade.Documented).
// The deliberate fault WrongCodeEnvNotFound yields a common code, so it
// passes unchanged.
func (s *Service) documented(action string, e *api3.Error) *api3.Error {
	return facade.Documented(s.cat, action, e)
}

// ---- engine errors -> documented codes ----

// engErr maps an engine error to the documented code of the action.
func (s *Service) engErr(action string, err error) *api3.Error {
	var ee *engine.Error
	if !errors.As(err, &ee) {
		return api3.Errorf("InternalError", "internal error: %v", err)
	}
	msg := ee.Error()
	if action == "DetachInstances" {
		switch ee.Kind {
		case engine.ErrState, engine.ErrTerminating, engine.ErrForbidTerminate:
			return api3.Errorf("UnsupportedOperation", "the instance cannot be detached: %s", msg)
		}
	}
	switch ee.Kind {
	case engine.ErrNotFound:
		return s.notFound(action, ee)
	case engine.ErrState:
		switch action {
		case "DeleteComputeEnv", "TerminateComputeNode":
			return api3.Errorf("UnsupportedOperation.ComputeEnvOperation", "operation not allowed: %s", msg)
		}
		// AttachInstances: the environment is being deleted.
		return api3.Errorf("UnsupportedOperation", "operation not supported in the current state: %s", msg)
	case engine.ErrInUse:
		switch action {
		case "TerminateJob", "DeleteJob":
			return api3.Errorf("ResourceInUse.Job", "job in use: %s", msg)
		case "DeleteComputeEnv":
			return api3.Errorf("UnsupportedOperation.ComputeEnvOperation", "compute environment in use: %s", msg)
		case "AttachInstances":
			return api3.Errorf("UnsupportedOperation.InstancesNotAllowToAttach", "instance cannot be attached: %s", msg)
		}
		return api3.Errorf("ResourceInUse", "resource in use: %s", msg)
	case engine.ErrQuota:
		switch ee.Resource {
		case "jobs", "job":
			return api3.Errorf("LimitExceeded.JobQuota", "job quota exceeded: %s", msg)
		case "envs", "env":
			return api3.Errorf("LimitExceeded.ComputeEnvQuota", "compute environment quota exceeded: %s", msg)
		case "cpus", "cpu":
			return api3.Errorf("LimitExceeded.CpuQuota", "CPU quota exceeded: %s", msg)
		case "templates", "template":
			return api3.Errorf("LimitExceeded.TaskTemplateQuota", "task template quota exceeded: %s", msg)
		}
		return api3.Errorf("LimitExceeded", "quota exceeded: %s", msg)
	case engine.ErrNotAllowed:
		return api3.Errorf("UnauthorizedOperation.UserNotAllowedToUseBatch", "the user is not allowed to use Batch")
	case engine.ErrBusy:
		// The tenant's EnvBusy configuration ("计算环境正在接受请求").
		return api3.Errorf("UnsupportedOperation.ComputeEnvAcceptOtherRequest", "the compute environment is accepting another request")
	case engine.ErrForbidTerminate:
		return api3.Errorf("UnsupportedOperation.ComputeNodeForbidTerminate", "the compute node may not be terminated in its state: %s", msg)
	case engine.ErrTerminating:
		return api3.Errorf("UnsupportedOperation.ComputeNodeIsTerminating", "the compute node is terminating: %s", msg)
	case engine.ErrNotEnoughNodes:
		return api3.Errorf("UnsupportedOperation.NotEnoughComputeNodesToTerminate", "not enough compute nodes to terminate: %s", msg)
	case engine.ErrDuplicate:
		switch action {
		case "AttachInstances", "DetachInstances":
			return api3.Errorf("InvalidParameterValue.InstanceIdDuplicated", "duplicate instance IDs: %s", msg)
		case "TerminateComputeNodes":
			return api3.Errorf("UnsupportedOperation", "a compute node must not be terminated twice: %s", msg)
		}
		return api3.Errorf("InvalidParameterValue", "duplicate values: %s", msg)
	case engine.ErrUnavailableZone:
		return api3.Errorf("InvalidParameterValue.UnavailableZone", "zone unavailable: %s", msg)
	case engine.ErrInvalid:
		return invalid(action, ee)
	}
	return api3.Errorf("InternalError", "internal error: %s", msg)
}

func (s *Service) notFound(action string, ee *engine.Error) *api3.Error {
	msg := ee.Error()
	switch action {
	case "TerminateTaskInstance":
		// Its only documented not-found code covers job, task and index.
		return api3.Errorf("ResourceNotFound.TaskInstance", "task instance not found: %s", msg)
	case "DescribeTask":
		return api3.Errorf("ResourceNotFound.Task", "task not found: %s", msg)
	case "AttachInstances":
		if ee.Resource == "instance" {
			return api3.Errorf("UnsupportedOperation.InstancesNotAllowToAttach", "instance cannot be attached: %s", msg)
		}
	case "DetachInstances":
		if ee.Resource == "instance" || ee.Resource == "node" {
			return api3.Errorf("UnsupportedOperation", "instance is not in the compute environment: %s", msg)
		}
	}
	switch ee.Resource {
	case "job":
		return api3.Errorf("ResourceNotFound.Job", "job %s does not exist", ee.ID)
	case "env":
		return s.envNotFound(ee.ID)
	case "task":
		return api3.Errorf("ResourceNotFound.Task", "task not found: %s", msg)
	case "task-instance":
		return api3.Errorf("ResourceNotFound.TaskInstance", "task instance not found: %s", msg)
	case "node":
		return api3.Errorf("ResourceNotFound.ComputeNode", "compute node %s does not exist", ee.ID)
	case "template":
		return api3.Errorf("ResourceNotFound.TaskTemplate", "task template %s does not exist", ee.ID)
	}
	return api3.Errorf("ResourceNotFound", "resource not found: %s", msg)
}

// envNotFound answers an unknown EnvId (or the deliberately wrong code when
// the fault is on).
func (s *Service) envNotFound(id string) *api3.Error {
	if s.faults.On(faults.WrongCodeEnvNotFound) {
		return api3.Errorf("ResourceNotFound", "compute environment %s does not exist", id)
	}
	return api3.Errorf("ResourceNotFound.ComputeEnv", "compute environment %s does not exist", id)
}

// invalid maps the engine's refined invalid-request reasons to documented
// codes. These checks mostly repeat the catalog's rules (which run first); the
// engine keeps them as a defence in depth.
func invalid(action string, ee *engine.Error) *api3.Error {
	msg := ee.Error()
	switch ee.Reason {
	case engine.ReasonCycle:
		return api3.Errorf("InvalidParameterValue.DependenceUnfeasible", "circular task dependencies: %s", msg)
	case engine.ReasonUnknownDep:
		return api3.Errorf("InvalidParameterValue.DependenceNotFoundTaskName", "dependence names an undefined task: %s", msg)
	case engine.ReasonNegativeInstances:
		return api3.Errorf("InvalidParameterValue.TaskInstanceNum", "invalid TaskInstanceNum: %s", msg)
	case engine.ReasonNegative:
		return api3.Errorf("InvalidParameterValue.Negative", "negative value: %s", msg)
	case engine.ReasonDuplicateTask:
		return api3.Errorf("InvalidParameter.TaskName", "invalid task name: %s", msg)
	}
	return api3.Errorf("InvalidParameterValue", "invalid parameter value: %s", msg)
}

// ---- shared helpers ----

// ts formats a time as documented: UTC, YYYY-MM-DDThh:mm:ssZ.
func ts(t time.Time) string { return facade.TS(t) }

// tsp formats an optional time (nil -> JSON null).
func tsp(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := ts(*t)
	return &s
}

func decode(req *api3.Request, v any) *api3.Error { return facade.Decode(req, v) }

// page returns the [a,b) window of n items for Offset/Limit. def is the
// documented default page size (the catalog records limits, not defaults);
// the maximum comes from the catalog's Limit range rule of the action.
func (s *Service) page(action string, n int, offset, limit *int64, def int64) (int, int) {
	var off, lim int64
	if offset != nil && !s.faults.On(faults.IgnoreOffset) {
		off = *offset
	}
	if limit != nil {
		lim = *limit
	}
	max := facade.LimitMax(s.cat, action, def)
	if off < 0 {
		off = 0
	}
	if lim <= 0 {
		lim = def
	}
	if lim > max {
		lim = max
	}
	// The page faults act on the documented window, so a fault may reach past
	// the maximum (Window is given the faulted limit as its own maximum).
	off, lim = s.pageFaults(action, off, lim)
	return listing.Window(n, off, lim, def, lim)
}

func contains(list []string, v string) bool { return facade.Contains(list, v) }
