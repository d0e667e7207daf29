package tencentbatch

// The error items that no parameter rule provokes (the rule specs cover
// those whose Provoke.Rules name a rule): each is provoked by a request that
// differs from a valid one (generators.Valid with the IDs of existing
// resources) by exactly one thing — a well-formed ID of no resource, an
// undefined parameter, a zone of another region, a resource in the state
// the catalog names, or a tenant of its own configured through the admin API
// (quotas, not allowed, unavailable zone, busy environments; labelled
// emulator-only by the catalog). Items marked Unprovokable get no spec, and
// items whose trigger the catalog itself calls undocumented or impossible
// through the action are listed in errorsNoTrigger (reported to the lead).

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// errorsCtx is what a provoking request is built from.
type errorsCtx struct {
	t    *harness.Target
	refs generators.Refs // existing: a finished job (tasks A, B), an env with a RUNNING node, a template
	// Resources made ahead in BeforeAll so their waits overlap: RUNNING
	// sleeper jobs and environments with one RUNNING node.
	sleepers, runningEnvs []string
}

// take pops a pooled resource, or makes one (and waits for it) if the pool
// ran dry.
func (c *errorsCtx) take(pool *[]string, make func() string) string {
	if len(*pool) == 0 {
		return make()
	}
	v := (*pool)[0]
	*pool = (*pool)[1:]
	return v
}

func (c *errorsCtx) runningSleeper() string {
	jid := c.take(&c.sleepers, func() string { return errorsSleeper(c) })
	rulesWaitJob(c.t, jid, "RUNNING")
	return jid
}

func (c *errorsCtx) runningEnv() (envID, nodeID string) {
	eid := c.take(&c.runningEnvs, func() string { return errorsFreshEnv(c, 1) })
	nodes := actionsAwaitNodes(c.t, eid, 1, nil)
	return eid, nodes[0]["ComputeNodeId"].(string)
}

func (c *errorsCtx) valid(action string) map[string]any {
	return generators.New(cat, c.refs, nil).Valid(action)
}

func (c *errorsCtx) with(mod func(*generators.Refs)) *errorsCtx {
	r := c.refs
	mod(&r)
	return &errorsCtx{t: c.t, refs: r, sleepers: c.sleepers, runningEnvs: c.runningEnvs}
}

// errorsProvocation is one provoking request: target (a tenant of its own
// where configured), action, request, and the region to send it in.
type errorsProvocation struct {
	t      *harness.Target
	action string
	req    map[string]any
	region string
	// transient is set when the error needs its resource in a transient
	// state as the call lands (nil: a state that stays).
	transient *errorsTransient
}

// errorsTransient is a provocation's need of a transient state.
type errorsTransient struct {
	state string
	// since: the resource entered the state no earlier (its create was
	// sent then); hold: how long the target keeps it there at least (0:
	// unknown). A call answered before since+hold certainly landed in it.
	since time.Time
	hold  time.Duration
	// late lists the answers a call that landed after the state ended
	// gets (its documented answers in the states that follow); any other
	// answer is judged at once.
	late []string
	// again makes a fresh provocation (a new resource in the state).
	again func() errorsProvocation
}

// errorsTransientAttempts bounds the provocations of one error whose
// transient state may have been missed: a loaded client can land a call
// after a 120 ms state ended, again and again, but not every time for an
// endpoint that keeps its promise.
const errorsTransientAttempts = 5

// errorsMissed tells why an answer that is not the wanted code may be the
// client's lateness rather than the endpoint's fault ("" = it is judged):
// the call may have landed after the transient state ended.
func errorsMissed(tr *errorsTransient, code, want string, answered time.Time) string {
	if tr == nil || code == want || !slices.Contains(tr.late, code) {
		return ""
	}
	took := answered.Sub(tr.since)
	if tr.hold > 0 && took < tr.hold {
		return "" // certainly landed while the resource was in the state
	}
	hold := "an unknown time"
	if tr.hold > 0 {
		hold = tr.hold.String()
	}
	return fmt.Sprintf("answered %q %s after the resource was created, later than it is surely %s (%s)", code, took.Round(time.Millisecond), tr.state, hold)
}

// errorsSendTransient sends p and, while the answer may be a missed
// transient state (errorsMissed), a fresh provocation, at most
// errorsTransientAttempts in all. It returns the last provocation, its
// answer, and why each earlier answer was not judged.
func errorsSendTransient[R any](p errorsProvocation, want string, send func(errorsProvocation) (R, string)) (errorsProvocation, R, []string) {
	var misses []string
	for attempt := 1; ; attempt++ {
		r, code := send(p)
		why := errorsMissed(p.transient, code, want, time.Now())
		if why == "" || attempt == errorsTransientAttempts || p.transient.again == nil {
			if why != "" {
				misses = append(misses, why)
			}
			return p, r, misses
		}
		misses = append(misses, why)
		p = p.transient.again()
	}
}

// errorsJustSubmitted provokes action's refusal of a job that is still
// SUBMITTED: a sleeper job, the call sent as soon as it is accepted; a
// call that may have landed after SUBMITTED ended is made again on a new
// job (errorsSendTransient).
func errorsJustSubmitted(action string) errorsProvoker {
	var provoke errorsProvoker
	// Once the job left SUBMITTED: TerminateJob is accepted, DeleteJob
	// accepted or (RUNNING) ResourceInUse.Job.
	late := map[string][]string{"TerminateJob": {""}, "DeleteJob": {"", "ResourceInUse.Job"}}[action]
	provoke = func(c *errorsCtx) errorsProvocation {
		since := time.Now()
		jid := errorsSleeper(c) // just submitted: SUBMITTED is held for a while
		return errorsProvocation{t: c.t, action: action, req: c.with(func(r *generators.Refs) { r.JobID = jid }).valid(action),
			transient: &errorsTransient{state: "SUBMITTED", since: since, hold: errorsHold(c.t), late: late, again: func() errorsProvocation { return provoke(c) }}}
	}
	return provoke
}

// errorsWhileTerminating provokes action's ResourceInUse.Job: a RUNNING
// job whose TerminateJob is still killing its instances (for a state hold
// on the emulator); a call that may have landed after the kill ended is
// made again on a new running job (errorsSendTransient).
func errorsWhileTerminating(action string) errorsProvoker {
	var provoke errorsProvoker
	provoke = func(c *errorsCtx) errorsProvocation {
		jid := c.runningSleeper()
		since := time.Now()
		rulesOK(c.t, "TerminateJob", map[string]any{"JobId": jid}, nil) // instances now being terminated
		return errorsProvocation{t: c.t, action: action, req: c.with(func(r *generators.Refs) { r.JobID = jid }).valid(action),
			// Once the kill ended the job is FAILED: both calls are accepted.
			transient: &errorsTransient{state: "being terminated", since: since, hold: errorsHold(c.t), late: []string{""}, again: func() errorsProvocation { return provoke(c) }}}
	}
	return provoke
}

// errorsHold is the target's state hold, read once per target.
var errorsHold = func() func(*harness.Target) time.Duration {
	var mu sync.Mutex
	holds := map[string]time.Duration{}
	return func(t *harness.Target) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		h, ok := holds[t.URL]
		if !ok {
			h = targetStateHold(t)
			holds[t.URL] = h
		}
		return h
	}
}()

type errorsProvoker func(c *errorsCtx) errorsProvocation

// errorsRunningEnvPool is how many environments with a RUNNING node the
// container makes ahead. Eleven provocations take one (errorsNodeIn
// DELETING, errorsEnvDeleting, errorsModifying, errorsAttached); one made
// when the pool ran dry waits out its node's boot in the spec (~0.4 s on
// the emulator). On the run's embedded emulator a node costs nothing: the
// pool covers them all and a retry. Elsewhere each is a billed machine for
// the container's whole run, so five, as before.
func errorsRunningEnvPool(t *harness.Target) int {
	if t.Embedded && !t.Live {
		return 12
	}
	return 5
}

// errorsSet sets a concrete path of a request.
func errorsSet(req map[string]any, path string, v any) map[string]any {
	segs := strings.Split(path, ".")
	var cur any = req
	for _, s := range segs[:len(segs)-1] {
		switch x := cur.(type) {
		case map[string]any:
			if x[s] == nil {
				x[s] = map[string]any{}
			}
			cur = x[s]
		case []any:
			i := 0
			for _, ch := range s {
				i = i*10 + int(ch-'0')
			}
			cur = x[i]
		}
	}
	cur.(map[string]any)[segs[len(segs)-1]] = v
	return req
}

func errorsFilter(name string, values ...string) []any {
	return []any{map[string]any{"Name": name, "Values": values}}
}

// errorsUnknown: the action's valid request naming a well-formed ID of no
// resource.
func errorsUnknown(action string, mod func(*generators.Refs)) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		return errorsProvocation{t: c.t, action: action, req: c.with(mod).valid(action)}
	}
}

func errorsUnknownEnv(action string) errorsProvoker {
	return errorsUnknown(action, func(r *generators.Refs) { r.EnvID = "env-zzzzzzzz" })
}

func errorsUnknownJob(action string) errorsProvoker {
	return errorsUnknown(action, func(r *generators.Refs) { r.JobID = "job-zzzzzzzz" })
}

// errorsEdit: the action's valid request with one path set.
func errorsEdit(action, path string, v any) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		return errorsProvocation{t: c.t, action: action, req: errorsSet(c.valid(action), path, v)}
	}
}

func errorsUndefinedParameter(action string) errorsProvoker {
	return errorsEdit(action, "NoSuchParameter", 1)
}

// errorsTenant: the action's valid request sent by a tenant of its own.
func errorsTenant(action string, cfg harness.TenantConfig, prepare func(c *errorsCtx, tt *harness.Target) map[string]any) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		tt := c.t.NewTenant(cfg)
		req := c.valid(action)
		if prepare != nil {
			req = prepare(c, tt)
		}
		rulesName(tt, action, req)
		return errorsProvocation{t: tt, action: action, req: req}
	}
}

// errorsOneCreated creates one resource with the tenant's valid request, so
// the next one meets a quota of 1.
func errorsOneCreated(action string) func(c *errorsCtx, tt *harness.Target) map[string]any {
	return func(c *errorsCtx, tt *harness.Target) map[string]any {
		req := c.valid(action)
		if action == "CreateComputeEnv" {
			req["ComputeEnv"].(map[string]any)["DesiredComputeNodeCount"] = 0
		}
		rulesCreate(tt, action, rulesRefsOf(tt))
		return req
	}
}

// errorsTenantEnv: a busy tenant's own environment, then the action on it.
func errorsBusy(action string) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		tt := c.t.NewTenant(harness.TenantConfig{EnvBusy: true})
		envReq := c.valid("CreateComputeEnv")
		envReq["ComputeEnv"].(map[string]any)["DesiredComputeNodeCount"] = 0
		rulesName(tt, "CreateComputeEnv", envReq)
		eid := rulesStr(rulesOK(tt, "CreateComputeEnv", envReq, nil), "EnvId")
		// A busy tenant's environments refuse deletion: the tenant is made
		// idle again first (else the run's cleanup waits on it in vain).
		DeferCleanup(func() {
			tt.ReconfigureTenantJSON(map[string]any{})
			rulesDeleteEnv(tt, eid)
		})
		r := c.with(func(r *generators.Refs) { r.EnvID = eid })
		req := r.valid(action)
		if action == "ModifyComputeEnv" {
			req["EnvName"] = tt.Name("busy", 60)
		}
		return errorsProvocation{t: tt, action: action, req: req}
	}
}

// errorsSleeper submits a job whose tasks sleep and waits for one of states.
func errorsSleeper(c *errorsCtx, states ...string) string {
	req := actionsJobWith(c.t, c.refs, "err-sleep", "sleep 30", "sleep 30")
	jid := actionsSubmit(c.t, req)
	if len(states) > 0 {
		rulesWaitJob(c.t, jid, states...)
	}
	return jid
}

// errorsFreshEnv creates an env whose nodes are still SUBMITTED.
func errorsFreshEnv(c *errorsCtx, desired int) string {
	_, eid := actionsEnv(c.t, c.refs, "err-env", desired)
	return eid
}

func errorsFirstNode(c *errorsCtx, envID string) string {
	GinkgoHelper()
	nodes := actionsNodes(c.t, envID)
	Expect(nodes).NotTo(BeEmpty(), "env %s has nodes", envID)
	return nodes[0]["ComputeNodeId"].(string)
}

// errorsProvokers: error item ID -> how to provoke it.
var errorsProvokers = map[string]errorsProvoker{
	// ---- existence: a well-formed ID of no resource ----
	id("AttachInstances", "error", "ResourceNotFound.ComputeEnv"):              errorsUnknownEnv("AttachInstances"),
	id("DeleteComputeEnv", "error", "ResourceNotFound.ComputeEnv"):             errorsUnknownEnv("DeleteComputeEnv"),
	id("DescribeComputeEnv", "error", "ResourceNotFound.ComputeEnv"):           errorsUnknownEnv("DescribeComputeEnv"),
	id("DescribeComputeEnvActivities", "error", "ResourceNotFound.ComputeEnv"): errorsUnknownEnv("DescribeComputeEnvActivities"),
	id("DescribeComputeEnvCreateInfo", "error", "ResourceNotFound.ComputeEnv"): errorsUnknownEnv("DescribeComputeEnvCreateInfo"),
	id("DetachInstances", "error", "ResourceNotFound.ComputeEnv"):              errorsUnknownEnv("DetachInstances"),
	id("ModifyComputeEnv", "error", "ResourceNotFound.ComputeEnv"):             errorsUnknownEnv("ModifyComputeEnv"),
	id("TerminateComputeNode", "error", "ResourceNotFound.ComputeEnv"):         errorsUnknownEnv("TerminateComputeNode"),
	id("TerminateComputeNodes", "error", "ResourceNotFound.ComputeEnv"):        errorsUnknownEnv("TerminateComputeNodes"),
	id("TerminateComputeNode", "error", "ResourceNotFound.ComputeNode"): errorsUnknown("TerminateComputeNode",
		func(r *generators.Refs) { r.NodeID = "node-zzzzzzzz" }),
	id("TerminateComputeNodes", "error", "ResourceNotFound.ComputeNode"): errorsUnknown("TerminateComputeNodes",
		func(r *generators.Refs) { r.NodeID = "node-zzzzzzzz" }),
	id("DeleteJob", "error", "ResourceNotFound.Job"):              errorsUnknownJob("DeleteJob"),
	id("DescribeJob", "error", "ResourceNotFound.Job"):            errorsUnknownJob("DescribeJob"),
	id("DescribeJobMonitorData", "error", "ResourceNotFound.Job"): errorsUnknownJob("DescribeJobMonitorData"),
	id("DescribeJobSubmitInfo", "error", "ResourceNotFound.Job"):  errorsUnknownJob("DescribeJobSubmitInfo"),
	id("DescribeTaskLogs", "error", "ResourceNotFound.Job"):       errorsUnknownJob("DescribeTaskLogs"),
	id("RetryJobs", "error", "ResourceNotFound.Job"):              errorsUnknownJob("RetryJobs"),
	id("TerminateJob", "error", "ResourceNotFound.Job"):           errorsUnknownJob("TerminateJob"),
	id("DeleteTaskTemplates", "error", "ResourceNotFound.TaskTemplate"): errorsUnknown("DeleteTaskTemplates",
		func(r *generators.Refs) { r.TemplateID = "task-tmpl-zzzzzzzz" }),
	id("ModifyTaskTemplate", "error", "ResourceNotFound.TaskTemplate"): errorsUnknown("ModifyTaskTemplate",
		func(r *generators.Refs) { r.TemplateID = "task-tmpl-zzzzzzzz" }),
	id("DescribeTask", "error", "ResourceNotFound.Task"):                  errorsEdit("DescribeTask", "TaskName", "NoSuchTask"),
	id("DescribeTaskLogs", "error", "ResourceNotFound.Task"):              errorsEdit("DescribeTaskLogs", "TaskName", "NoSuchTask"),
	id("DescribeTaskLogs", "error", "ResourceNotFound.TaskInstance"):      errorsEdit("DescribeTaskLogs", "TaskInstanceIndexes", []any{5}),
	id("TerminateTaskInstance", "error", "ResourceNotFound.TaskInstance"): errorsEdit("TerminateTaskInstance", "TaskInstanceIndex", 5),
	// SubmitJob on an environment: task A names an EnvId of no environment.
	id("SubmitJob", "error", "ResourceNotFound.ComputeEnv"): func(c *errorsCtx) errorsProvocation {
		req := c.valid("SubmitJob")
		tk := req["Job"].(map[string]any)["Tasks"].([]any)[0].(map[string]any)
		delete(tk, "ComputeEnv")
		tk["EnvId"] = "env-zzzzzzzz"
		return errorsProvocation{t: c.t, action: "SubmitJob", req: req}
	},

	// ---- undefined parameters ----
	id("DescribeComputeEnvActivities", "error", "UnknownParameter"):  errorsUndefinedParameter("DescribeComputeEnvActivities"),
	id("DescribeComputeEnvCreateInfos", "error", "UnknownParameter"): errorsUndefinedParameter("DescribeComputeEnvCreateInfos"),
	id("DescribeComputeEnvs", "error", "UnknownParameter"):           errorsUndefinedParameter("DescribeComputeEnvs"),
	id("DescribeJobs", "error", "UnknownParameter"):                  errorsUndefinedParameter("DescribeJobs"),
	id("DescribeTaskLogs", "error", "UnknownParameter"):              errorsUndefinedParameter("DescribeTaskLogs"),
	id("DescribeTaskTemplates", "error", "UnknownParameter"):         errorsUndefinedParameter("DescribeTaskTemplates"),
	id("DetachInstances", "error", "UnknownParameter"):               errorsUndefinedParameter("DetachInstances"),

	// ---- zones and regions ----
	id("CreateComputeEnv", "error", "InvalidZone.MismatchRegion"):                      errorsEdit("CreateComputeEnv", "Placement.Zone", "ap-guangzhou-99"),
	id("SubmitJob", "error", "InvalidZone.MismatchRegion"):                             errorsEdit("SubmitJob", "Placement.Zone", "ap-guangzhou-99"),
	id("CreateComputeEnv", "error", "InvalidParameterValue.InvalidZoneMismatchRegion"): errorsEdit("CreateComputeEnv", "Placement.Zone", "ap-beijing-2"),
	id("SubmitJob", "error", "InvalidParameterValue.InvalidZoneMismatchRegion"):        errorsEdit("SubmitJob", "Placement.Zone", "ap-beijing-2"),
	id("DescribeAvailableCvmInstanceTypes", "error", "InvalidZone.MismatchRegion"):     errorsEdit("DescribeAvailableCvmInstanceTypes", "Filters", errorsFilter("zone", "ap-guangzhou-99")),
	id("DescribeComputeEnvCreateInfos", "error", "InvalidZone.MismatchRegion"):         errorsEdit("DescribeComputeEnvCreateInfos", "Filters", errorsFilter("zone", "ap-guangzhou-99")),
	id("DescribeComputeEnvs", "error", "InvalidZone.MismatchRegion"):                   errorsEdit("DescribeComputeEnvs", "Filters", errorsFilter("zone", "ap-guangzhou-99")),
	id("DescribeCvmZoneInstanceConfigInfos", "error", "InvalidZone.MismatchRegion"):    errorsEdit("DescribeCvmZoneInstanceConfigInfos", "Filters", errorsFilter("zone", "ap-guangzhou-99")),
	id("DescribeJobs", "error", "InvalidZone.MismatchRegion"):                          errorsEdit("DescribeJobs", "Filters", errorsFilter("zone", "ap-guangzhou-99")),
	id("DescribeAvailableCvmInstanceTypes", "error", "InvalidParameterValue.InvalidZoneMismatchRegion"): errorsEdit("DescribeAvailableCvmInstanceTypes",
		"Filters", errorsFilter("zone", "ap-beijing-2")),
	id("DescribeCvmZoneInstanceConfigInfos", "error", "InvalidParameterValue.InvalidZoneMismatchRegion"): errorsEdit("DescribeCvmZoneInstanceConfigInfos",
		"Filters", errorsFilter("zone", "ap-beijing-2")),
	id("CreateCpmComputeEnv", "error", "InvalidParameterValue.RegionNotSupportCpm"): func(c *errorsCtx) errorsProvocation {
		return errorsProvocation{t: c.t, action: "CreateCpmComputeEnv", req: c.valid("CreateCpmComputeEnv"), region: "ap-singapore"}
	},
	id("DescribeCpmOsInfo", "error", "InvalidParameterValue.RegionNotSupportCpm"): func(c *errorsCtx) errorsProvocation {
		return errorsProvocation{t: c.t, action: "DescribeCpmOsInfo", req: c.valid("DescribeCpmOsInfo"), region: "ap-singapore"}
	},

	// ---- values only the endpoint's data can judge ----
	id("CreateComputeEnv", "error", "InvalidParameterValue.InstanceType"):       errorsEdit("CreateComputeEnv", "ComputeEnv.EnvData.InstanceType", "XX.NOSUCH1"),
	id("ModifyComputeEnv", "error", "InvalidParameterValue.InstanceType"):       errorsEdit("ModifyComputeEnv", "EnvData", map[string]any{"InstanceTypes": []any{"XX.NOSUCH1"}}),
	id("ModifyComputeEnv", "error", "InvalidParameterValue.InstanceTypesEmpty"): errorsEdit("ModifyComputeEnv", "EnvData", map[string]any{"InstanceTypes": []any{}}),
	id("CreateCpmComputeEnv", "error", "InvalidParameterValue.OsTypeId"):        errorsEdit("CreateCpmComputeEnv", "ComputeEnv.EnvData.OsTypeId", 999999),
	id("DescribeAvailableCvmInstanceTypes", "error", "InvalidParameterValue"):   errorsEdit("DescribeAvailableCvmInstanceTypes", "Filters", errorsFilter("instance-family", "")),
	id("DescribeCvmZoneInstanceConfigInfos", "error", "InvalidParameterValue"):  errorsEdit("DescribeCvmZoneInstanceConfigInfos", "Filters", errorsFilter("instance-family", "")),
	// A filter name the action supports, with a value the docs do not allow
	// for it (an unknown family; a value that is no zone name).
	id("DescribeAvailableCvmInstanceTypes", "error", "InvalidParameterValue.InvalidFilter"): errorsEdit("DescribeAvailableCvmInstanceTypes",
		"Filters", errorsFilter("instance-family", "ZZ9")),
	id("DescribeCvmZoneInstanceConfigInfos", "error", "InvalidParameterValue.InvalidFilter"): errorsEdit("DescribeCvmZoneInstanceConfigInfos",
		"Filters", errorsFilter("instance-family", "ZZ9")),
	id("DescribeComputeEnvs", "error", "InvalidParameterValue.InvalidFilter"): errorsEdit("DescribeComputeEnvs", "Filters", errorsFilter("zone", "guangzhou")),
	id("DescribeJobs", "error", "InvalidParameterValue.InvalidFilter"):        errorsEdit("DescribeJobs", "Filters", errorsFilter("job-state", "NO_SUCH_STATE")),
	id("DescribeComputeEnvs", "error", "InvalidParameterValue.ResourceType"):  errorsEdit("DescribeComputeEnvs", "Filters", errorsFilter("resource-type", "VM")),
	id("DescribeCvmZoneInstanceConfigInfos", "error", "InvalidParameterValue.UnsupportedBatchInstanceChargeType"): errorsEdit("DescribeCvmZoneInstanceConfigInfos",
		"Filters", errorsFilter("instance-charge-type", "PREPAID")),

	// ---- instances ----
	// A node of another environment is not attachable.
	id("AttachInstances", "error", "UnsupportedOperation.InstancesNotAllowToAttach"): func(c *errorsCtx) errorsProvocation {
		other := errorsFreshEnv(c, 0)
		ins := c.refs.InstanceID // the instance of the shared env's RUNNING node
		return errorsProvocation{t: c.t, action: "AttachInstances", req: c.with(func(r *generators.Refs) { r.EnvID, r.InstanceID = other, ins }).valid("AttachInstances")}
	},
	// The shared env's node was created by Batch: it cannot be detached.
	id("DetachInstances", "error", "UnsupportedOperation"): func(c *errorsCtx) errorsProvocation {
		return errorsProvocation{t: c.t, action: "DetachInstances", req: c.valid("DetachInstances")}
	},
	// An attached instance is detached, not terminated; an env holding one
	// is not deleted.
	id("TerminateComputeNodes", "error", "UnsupportedOperation"): errorsAttached("TerminateComputeNodes"),
	id("DeleteComputeEnv", "error", "UnsupportedOperation"):      errorsAttached("DeleteComputeEnv"),
	// An env being deleted takes no instances.
	id("AttachInstances", "error", "UnsupportedOperation"): func(c *errorsCtx) errorsProvocation {
		p := errorsEnvDeleting("AttachInstances")(c)
		errorsSet(p.req, "Instances.0.InstanceId", actionsRandomInstance())
		return p
	},

	// ---- states ----
	id("TerminateJob", "error", "UnsupportedOperation"): errorsJustSubmitted("TerminateJob"),
	id("TerminateJob", "error", "ResourceInUse.Job"):    errorsWhileTerminating("TerminateJob"),
	// A job not finished and not running (SUBMITTED): running instances are
	// ResourceInUse.Job below.
	id("DeleteJob", "error", "UnsupportedOperation"): errorsJustSubmitted("DeleteJob"),
	id("DeleteJob", "error", "ResourceInUse.Job"):    errorsWhileTerminating("DeleteJob"),
	id("RetryJobs", "error", "UnsupportedOperation"): func(c *errorsCtx) errorsProvocation {
		return errorsProvocation{t: c.t, action: "RetryJobs", req: c.valid("RetryJobs")} // the shared job SUCCEEDED
	},
	// Fewer destroyable nodes than the decrease, and not all the others still
	// being created: a node that ended CREATION_FAILED (the emulator's
	// failing-image convention, engine.ImageCreationFailed).
	id("ModifyComputeEnv", "error", "UnsupportedOperation.NotEnoughComputeNodesToTerminate"): func(c *errorsCtx) errorsProvocation {
		c.t.RequireEmulator()
		req := c.valid("CreateComputeEnv")
		ce := req["ComputeEnv"].(map[string]any)
		ce["DesiredComputeNodeCount"] = 1
		ce["ResourceMaxRetryCount"] = 0
		errorsSet(req, "ComputeEnv.EnvData.ImageId", "img-failnode")
		rulesName(c.t, "CreateComputeEnv", req)
		eid := rulesStr(rulesOK(c.t, "CreateComputeEnv", req, nil), "EnvId")
		DeferCleanup(rulesDeleteEnv, c.t, eid)
		Eventually(func() []string { return errorsNodeStates(c.t, eid) }).WithTimeout(30*time.Second).WithPolling(c.t.PollInterval()).
			Should(Equal([]string{"CREATION_FAILED"}), "env %s: its node ends CREATION_FAILED", eid)
		mod := c.with(func(r *generators.Refs) { r.EnvID = eid }).valid("ModifyComputeEnv")
		mod["DesiredComputeNodeCount"] = 0
		return errorsProvocation{t: c.t, action: "ModifyComputeEnv", req: mod}
	},
	id("ModifyComputeEnv", "error", "UnsupportedOperation.ComputeNodeForbidTerminate"): func(c *errorsCtx) errorsProvocation {
		eid := errorsFreshEnv(c, 1) // its node is SUBMITTED
		req := c.with(func(r *generators.Refs) { r.EnvID = eid }).valid("ModifyComputeEnv")
		req["DesiredComputeNodeCount"] = 0
		return errorsProvocation{t: c.t, action: "ModifyComputeEnv", req: req}
	},
	id("TerminateComputeNode", "error", "UnsupportedOperation.ComputeNodeForbidTerminate"):  errorsNodeIn("TerminateComputeNode", "SUBMITTED"),
	id("TerminateComputeNodes", "error", "UnsupportedOperation.ComputeNodeForbidTerminate"): errorsNodeIn("TerminateComputeNodes", "SUBMITTED"),
	id("DeleteComputeEnv", "error", "UnsupportedOperation.ComputeNodeForbidTerminate"):      errorsNodeIn("DeleteComputeEnv", "SUBMITTED"),
	id("TerminateComputeNode", "error", "UnsupportedOperation.ComputeNodeIsTerminating"):    errorsNodeIn("TerminateComputeNode", "DELETING"),
	id("TerminateComputeNodes", "error", "UnsupportedOperation.ComputeNodeIsTerminating"):   errorsNodeIn("TerminateComputeNodes", "DELETING"),
	id("DeleteComputeEnv", "error", "UnsupportedOperation.ComputeEnvOperation"):             errorsEnvDeleting("DeleteComputeEnv"),
	id("TerminateComputeNode", "error", "UnsupportedOperation.ComputeEnvOperation"):         errorsEnvDeleting("TerminateComputeNode"),

	// ---- tenant configuration (emulator-only) ----
	id("SubmitJob", "error", "LimitExceeded.JobQuota"): errorsTenant("SubmitJob", harness.TenantConfig{Quotas: tenants.Quotas{Jobs: 1}},
		errorsOneCreated("SubmitJob")),
	id("CreateComputeEnv", "error", "LimitExceeded.ComputeEnvQuota"): errorsTenant("CreateComputeEnv", harness.TenantConfig{Quotas: tenants.Quotas{ComputeEnvs: 1}},
		errorsOneCreated("CreateComputeEnv")),
	id("CreateTaskTemplate", "error", "LimitExceeded.TaskTemplateQuota"): errorsTenant("CreateTaskTemplate", harness.TenantConfig{Quotas: tenants.Quotas{TaskTemplates: 1}},
		errorsOneCreated("CreateTaskTemplate")),
	id("CreateComputeEnv", "error", "LimitExceeded.CpuQuota"): errorsTenant("CreateComputeEnv", harness.TenantConfig{Quotas: tenants.Quotas{CPUs: 1}}, nil),
	id("ModifyComputeEnv", "error", "LimitExceeded.CpuQuota"): func(c *errorsCtx) errorsProvocation {
		tt := c.t.NewTenant(harness.TenantConfig{Quotas: tenants.Quotas{CPUs: 1}})
		envReq := c.valid("CreateComputeEnv")
		envReq["ComputeEnv"].(map[string]any)["DesiredComputeNodeCount"] = 0
		rulesName(tt, "CreateComputeEnv", envReq)
		eid := rulesStr(rulesOK(tt, "CreateComputeEnv", envReq, nil), "EnvId")
		DeferCleanup(rulesDeleteEnv, tt, eid)
		req := c.with(func(r *generators.Refs) { r.EnvID = eid }).valid("ModifyComputeEnv")
		req["DesiredComputeNodeCount"] = 4
		return errorsProvocation{t: tt, action: "ModifyComputeEnv", req: req}
	},
	id("CreateComputeEnv", "error", "UnauthorizedOperation.UserNotAllowedToUseBatch"):    errorsTenant("CreateComputeEnv", harness.TenantConfig{NotAllowed: true}, nil),
	id("CreateCpmComputeEnv", "error", "UnauthorizedOperation.UserNotAllowedToUseBatch"): errorsTenant("CreateCpmComputeEnv", harness.TenantConfig{NotAllowed: true}, nil),
	id("SubmitJob", "error", "UnauthorizedOperation.UserNotAllowedToUseBatch"):           errorsTenant("SubmitJob", harness.TenantConfig{NotAllowed: true}, nil),
	id("CreateComputeEnv", "error", "InvalidParameterValue.UnavailableZone"): func(c *errorsCtx) errorsProvocation {
		return errorsTenant("CreateComputeEnv", harness.TenantConfig{UnavailableZones: []string{c.refs.Zone}}, nil)(c)
	},
	id("SubmitJob", "error", "InvalidParameterValue.UnavailableZone"): func(c *errorsCtx) errorsProvocation {
		return errorsTenant("SubmitJob", harness.TenantConfig{UnavailableZones: []string{c.refs.Zone}}, nil)(c)
	},
	id("DeleteComputeEnv", "error", "UnsupportedOperation.ComputeEnvAcceptOtherRequest"):      errorsBusy("DeleteComputeEnv"),
	id("ModifyComputeEnv", "error", "UnsupportedOperation.ComputeEnvAcceptOtherRequest"):      errorsBusy("ModifyComputeEnv"),
	id("TerminateComputeNode", "error", "UnsupportedOperation.ComputeEnvAcceptOtherRequest"):  errorsBusy("TerminateComputeNode"),
	id("TerminateComputeNodes", "error", "UnsupportedOperation.ComputeEnvAcceptOtherRequest"): errorsBusy("TerminateComputeNodes"),
	id("DescribeInstanceCategories", "error", "UnsupportedOperation"): errorsTenant("DescribeInstanceCategories",
		harness.TenantConfig{UnsupportedActions: []string{"DescribeInstanceCategories"}}, nil),
	id("TerminateJob", "error", "UnsupportedOperation.TerminateOperationWithEnvId"):          errorsLegacyEnvJob("TerminateJob"),
	id("TerminateTaskInstance", "error", "UnsupportedOperation.TerminateOperationWithEnvId"): errorsLegacyEnvJob("TerminateTaskInstance"),

	// ---- an environment still processing a ModifyComputeEnv ----
	id("DeleteComputeEnv", "error", "UnsupportedOperation.AcceptOtherRequest"):      errorsModifying("DeleteComputeEnv"),
	id("ModifyComputeEnv", "error", "UnsupportedOperation.AcceptOtherRequest"):      errorsModifying("ModifyComputeEnv"),
	id("TerminateComputeNode", "error", "UnsupportedOperation.AcceptOtherRequest"):  errorsModifying("TerminateComputeNode"),
	id("TerminateComputeNodes", "error", "UnsupportedOperation.AcceptOtherRequest"): errorsModifying("TerminateComputeNodes"),
}

// errorsNodeIn: the action on a node of a fresh env in state (SUBMITTED:
// just created; DELETING: after one TerminateComputeNode).
func errorsNodeIn(action, state string) errorsProvoker {
	var provoke errorsProvoker
	provoke = func(c *errorsCtx) errorsProvocation {
		if state == "DELETING" {
			// DELETING lasts one state hold on the emulator: a call that
			// may have landed after it (the node already gone) is made
			// again on a fresh node (errorsSendTransient).
			eid, nid := c.runningEnv()
			since := time.Now()
			rulesOK(c.t, "TerminateComputeNode", map[string]any{"EnvId": eid, "ComputeNodeId": nid}, nil)
			p := errorsProvocation{t: c.t, action: action, req: c.with(func(r *generators.Refs) { r.EnvID, r.NodeID = eid, nid }).valid(action)}
			return errorsInTransient(c, p, "DELETING", since, provoke)
		}
		eid := errorsFreshEnv(c, 1)
		nid := errorsFirstNode(c, eid)
		return errorsProvocation{t: c.t, action: action, req: c.with(func(r *generators.Refs) { r.EnvID, r.NodeID = eid, nid }).valid(action)}
	}
	return provoke
}

// errorsInTransient marks p as needing its resource in a transient state
// entered by a call sent at since; again makes a fresh provocation.
func errorsInTransient(c *errorsCtx, p errorsProvocation, state string, since time.Time, again errorsProvoker) errorsProvocation {
	p.transient = &errorsTransient{state: state, since: since, hold: errorsHold(c.t), again: func() errorsProvocation { return again(c) }}
	return p
}

// errorsEnvDeleting: the action on an env whose deletion is under way (its
// RUNNING node is still being terminated).
func errorsEnvDeleting(action string) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		eid, nid := c.runningEnv()
		rulesOK(c.t, "DeleteComputeEnv", map[string]any{"EnvId": eid}, nil)
		return errorsProvocation{t: c.t, action: action, req: c.with(func(r *generators.Refs) { r.EnvID, r.NodeID = eid, nid }).valid(action)}
	}
}

// errorsModifying: the action on an env (its node RUNNING) right after a
// ModifyComputeEnv scale-out, whose new node is still being created.
func errorsModifying(action string) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		eid, nid := c.runningEnv()
		rulesOK(c.t, "ModifyComputeEnv", map[string]any{"EnvId": eid, "DesiredComputeNodeCount": 2}, nil)
		req := c.with(func(r *generators.Refs) { r.EnvID, r.NodeID = eid, nid }).valid(action)
		if action == "ModifyComputeEnv" {
			req["EnvName"] = c.t.Name("modifying", 60)
		}
		return errorsProvocation{t: c.t, action: action, req: req}
	}
}

// errorsAttached: the action on an env (its node RUNNING) holding a freshly
// attached instance; TerminateComputeNodes names the attached node. The
// instance is detached afterwards (once it can be) so the env can go.
func errorsAttached(action string) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		eid, _ := c.runningEnv()
		ins := actionsRandomInstance()
		rulesOK(c.t, "AttachInstances", map[string]any{"EnvId": eid, "Instances": []any{map[string]any{"InstanceId": ins}}}, nil)
		DeferCleanup(func() {
			Eventually(func() string {
				code := rulesRaw(c.t, "DetachInstances", map[string]any{"EnvId": eid, "InstanceIds": []string{ins}}).Code()
				if code == "" || strings.HasPrefix(code, "ResourceNotFound") {
					return "detached"
				}
				return code
			}).WithTimeout(30*time.Second).WithPolling(c.t.PollInterval()).Should(Equal("detached"), "detach %s from %s", ins, eid)
		})
		nid := ""
		for _, n := range actionsNodes(c.t, eid) {
			if n["ComputeNodeInstanceId"] == ins {
				nid, _ = n["ComputeNodeId"].(string)
			}
		}
		Expect(nid).NotTo(BeEmpty(), "the attached instance %s is a node of %s", ins, eid)
		req := c.with(func(r *generators.Refs) { r.EnvID, r.NodeID = eid, nid }).valid(action)
		return errorsProvocation{t: c.t, action: action, req: req}
	}
}

// errorsLegacyEnvJob: a tenant configured with the 2018 reading
// (legacy_envid_terminate) submits a job whose one task runs in its own
// named environment (no nodes: the instance waits), then the action on it.
// Cleanup deletes the env first: the waiting instance then fails and the
// job can be deleted (this tenant cannot terminate it).
func errorsLegacyEnvJob(action string) errorsProvoker {
	return func(c *errorsCtx) errorsProvocation {
		tt := c.t.NewTenant(harness.TenantConfig{LegacyEnvIDTerminate: true})
		envReq := c.valid("CreateComputeEnv")
		envReq["ComputeEnv"].(map[string]any)["DesiredComputeNodeCount"] = 0
		rulesName(tt, "CreateComputeEnv", envReq)
		eid := rulesStr(rulesOK(tt, "CreateComputeEnv", envReq, nil), "EnvId")
		req := c.valid("SubmitJob")
		job := req["Job"].(map[string]any)
		tk := job["Tasks"].([]any)[0].(map[string]any)
		delete(tk, "ComputeEnv")
		tk["EnvId"] = eid
		job["Tasks"] = []any{tk}
		delete(job, "Dependences")
		rulesName(tt, "SubmitJob", req)
		jid := rulesStr(rulesOK(tt, "SubmitJob", req, nil), "JobId")
		DeferCleanup(rulesDeleteJob, tt, jid) // runs after the env's deletion
		DeferCleanup(rulesDeleteEnv, tt, eid)
		r := c.with(func(r *generators.Refs) { r.JobID, r.TaskName = jid, tk["TaskName"].(string) })
		return errorsProvocation{t: tt, action: action, req: r.valid(action)}
	}
}

// errorsNodeStates lists the states of an env's nodes.
func errorsNodeStates(t *harness.Target, envID string) []string {
	var out []string
	for _, n := range actionsNodes(t, envID) {
		s, _ := n["ComputeNodeState"].(string)
		out = append(out, s)
	}
	return out
}

// errorsNoTrigger lists error items that are neither Unprovokable nor
// provoked by a rule, whose catalog entry itself says no client request
// triggers them (reported to the lead; no spec).
var errorsNoTrigger = map[string]string{}

var _ = Describe("Tencent Batch error codes", Ordered, ContinueOnFailure, func() {
	var c *errorsCtx

	BeforeAll(func() {
		t := harness.T(Dialect)
		refs := rulesRefsOf(t)
		jid := actionsSubmit(t, actionsJobWith(t, refs, "err-job"))
		_, eid := actionsEnv(t, refs, "err-shared-env", 1)
		req := generators.Valid(cat, "CreateTaskTemplate", refs)
		req["TaskTemplateName"] = t.Name("err-tmpl", 60)
		tid := rulesStr(rulesOK(t, "CreateTaskTemplate", req, nil), "TaskTemplateId")
		DeferCleanup(rulesDeleteTemplate, t, tid)
		c = &errorsCtx{t: t, refs: refs}
		for i := 0; i < 2; i++ {
			c.sleepers = append(c.sleepers, errorsSleeper(c))
		}
		for i := 0; i < errorsRunningEnvPool(t); i++ {
			c.runningEnvs = append(c.runningEnvs, errorsFreshEnv(c, 1))
		}
		rulesWaitJob(t, jid, "SUCCEED")
		node := actionsAwaitNodes(t, eid, 1, nil)[0]
		c.refs.JobID, c.refs.TaskName, c.refs.EnvID, c.refs.TemplateID = jid, "A", eid, tid
		c.refs.NodeID, _ = node["ComputeNodeId"].(string)
		c.refs.InstanceID, _ = node["ComputeNodeInstanceId"].(string)
	})

	var ids []string
	for _, e := range cat.Errors {
		if e.Unprovokable != "" || len(e.Provoke.Rules) > 0 {
			continue
		}
		if errorsProvokers[e.ID] == nil {
			if _, ok := errorsNoTrigger[e.ID]; !ok {
				errorsNoTrigger[e.ID] = "no provoking request known: " + e.Provoke.How + e.Provoke.State + e.Provoke.Config
			}
			continue
		}
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	for _, eid := range ids {
		e := eid
		item, _ := cat.Item(e)
		code := rulesErrorCode(e)
		harness.It(e, harness.Items(e), func() {
			if item.HasLabel("emulator-only") {
				c.t.RequireEmulator()
			}
			var body []byte
			p, env, misses := errorsSendTransient(errorsProvokers[e](c), code, func(p errorsProvocation) (*harness.Envelope, string) {
				var err error
				body, err = json.Marshal(p.req)
				Expect(err).NotTo(HaveOccurred())
				env, err := p.t.Raw(harness.RawRequest{Action: p.action, Body: body, Region: p.region})
				Expect(err).NotTo(HaveOccurred())
				rulesReap(p.t, env)
				return env, env.Code()
			})
			ev := map[string]any{"error": e, "request": json.RawMessage(body), "response": json.RawMessage(env.Body)}
			if len(misses) > 0 {
				ev["transient_state_missed"] = misses
			}
			harness.Evidence(ev)
			harness.Check(e)
			Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope: %s", e, env.Body)
			Expect(env.Status).To(Equal(200), "%s: errors are HTTP 200 envelopes: %s", e, env.Body)
			again := ""
			if len(misses) > 0 {
				again = fmt.Sprintf("\n  (provoked again on a fresh resource after each answer that may have missed the state: %s)", strings.Join(misses, "; "))
			}
			Expect(env.Code()).To(Equal(code), "%s must be answered with %s\n  request:  %s %s\n  response: %s%s", e, code, p.action, body, env.Body, again)
		})
	}
})
