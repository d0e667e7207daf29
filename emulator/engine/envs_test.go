package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
)

func mustEnv(t *testing.T, e *Engine, spec EnvSpec) string {
	t.Helper()
	if spec.Tenant == "" {
		spec.Tenant = "T"
	}
	id, err := e.CreateEnv(spec)
	if err != nil {
		t.Fatalf("CreateEnv: %v", err)
	}
	return id
}

func envNodes(t *testing.T, e *Engine, id string) []Node {
	t.Helper()
	en, err := e.Env("", id)
	if err != nil {
		t.Fatal(err)
	}
	return en.Nodes
}

func allNodes(state string) func([]Node) bool {
	return func(ns []Node) bool {
		for _, n := range ns {
			if n.State != state {
				return false
			}
		}
		return true
	}
}

func untilNodes(t *testing.T, e *Engine, id string, cond func([]Node) bool) {
	t.Helper()
	advanceUntil(t, e, 10*time.Millisecond, 5000, func() bool { return cond(envNodes(t, e, id)) })
}

func TestEnvLifecycle(t *testing.T) {
	e := manualEngine(t)
	subs := []Notification{{Topic: "env", Events: []EventConfig{{Name: "COMPUTE_ENV_CREATED"}, {Name: "COMPUTE_ENV_DELETED"},
		{Name: "COMPUTE_NODE_CREATED"}, {Name: "COMPUTE_NODE_RUNNING"}, {Name: "COMPUTE_NODE_DELETING"}}}}
	id := mustEnv(t, e, EnvSpec{Name: "e1", DesiredNodes: 1, CPU: 2, InstanceTypes: []string{"S1.SMALL1"}, Notifications: subs})
	untilNodes(t, e, id, allNodes(NodeRunning))
	ns := envNodes(t, e, id)
	if len(ns) != 1 || ns[0].Origin != OriginBatchCreated || ns[0].InstanceType != "S1.SMALL1" || !strings.HasPrefix(ns[0].InstanceID, "ins-") {
		t.Fatalf("nodes %+v", ns)
	}
	if got := seq(history(e, "node", ns[0].ID, "", -1)...); got != seq(NodeSubmitted, NodeCreating, NodeCreated, NodeRunning) {
		t.Errorf("node history %s", got)
	}
	// scale out 1 -> 2
	two := 2
	if err := e.ModifyEnv("T", id, EnvModify{DesiredNodes: &two}); err != nil {
		t.Fatal(err)
	}
	acts, _ := e.Activities("T", id)
	if len(acts) != 2 || acts[1].Cause != "ModifyComputeEnv: increase the capacity from 1 to 2" || acts[1].Type != ActivityCreateNode {
		t.Fatalf("activities %+v", acts)
	}
	if acts[0].State != ActivitySucceed || acts[0].EndTime == nil || acts[1].State != ActivitySubmitted {
		t.Errorf("activity states %s %s", acts[0].State, acts[1].State)
	}
	if got := seq(history(e, "activity", acts[0].ID, "", -1)...); got != seq(ActivitySubmitted, ActivityProcessing, ActivitySucceed) {
		t.Errorf("activity history %s", got)
	}
	// the new node is SUBMITTED: not terminable, and a scale-in to 0 cannot destroy it
	newNode := envNodes(t, e, id)[1]
	if err := e.TerminateNodes("T", id, []string{newNode.ID}); errKind(err) != ErrForbidTerminate {
		t.Errorf("terminate SUBMITTED node: %v", err)
	}
	zero := 0
	if err := e.ModifyEnv("T", id, EnvModify{DesiredNodes: &zero}); errKind(err) != ErrNotEnoughNodes {
		t.Errorf("scale-in beyond destroyable: %v", err)
	}
	untilNodes(t, e, id, allNodes(NodeRunning))
	// duplicates, unknown
	if err := e.TerminateNodes("T", id, []string{newNode.ID, newNode.ID}); errKind(err) != ErrDuplicate {
		t.Errorf("duplicate: %v", err)
	}
	if err := e.TerminateNodes("T", id, []string{"node-zzzzzzzz"}); errKind(err) != ErrNotFound {
		t.Errorf("unknown node: %v", err)
	}
	if err := e.TerminateNodes("T", id, []string{newNode.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.TerminateNodes("T", id, []string{newNode.ID}); errKind(err) != ErrTerminating {
		t.Errorf("terminate DELETING node: %v", err)
	}
	en, _ := e.Env("T", id)
	if en.Desired != 1 {
		t.Errorf("Desired after terminate %d, want 1", en.Desired)
	}
	untilNodes(t, e, id, func(ns []Node) bool { return len(ns) == 1 })
	if got := seq(history(e, "node", newNode.ID, "", -1)...); got != seq(NodeSubmitted, NodeCreating, NodeCreated, NodeRunning, NodeDeleting, "DELETED") {
		t.Errorf("terminated node history %s", got)
	}
	acts, _ = e.Activities("T", id)
	last := acts[len(acts)-1]
	if last.Type != ActivityTerminateNode || last.State != ActivitySucceed || last.NodeID != newNode.ID {
		t.Errorf("terminate activity %+v", last)
	}
	// scale in 1 -> 0 destroys the idle node
	if err := e.ModifyEnv("T", id, EnvModify{DesiredNodes: &zero}); err != nil {
		t.Fatal(err)
	}
	acts, _ = e.Activities("T", id)
	if c := acts[len(acts)-1].Cause; c != "ModifyComputeEnv: decrease the capacity from 1 to 0" {
		t.Errorf("cause %q", c)
	}
	untilNodes(t, e, id, func(ns []Node) bool { return len(ns) == 0 })
	// delete
	if err := e.DeleteEnv("T", id); err != nil {
		t.Fatal(err)
	}
	if en, _ := e.Env("T", id); en.NextAction != "DELETING" {
		t.Errorf("NextAction %q", en.NextAction)
	}
	if err := e.DeleteEnv("T", id); errKind(err) != ErrState {
		t.Errorf("second delete: %v", err)
	}
	advanceUntil(t, e, 10*time.Millisecond, 1000, func() bool { _, err := e.Env("T", id); return errKind(err) == ErrNotFound })
	var names []string
	for _, ev := range e.Events("T", 0) {
		names = append(names, ev.Name)
	}
	want := "COMPUTE_ENV_CREATED,COMPUTE_NODE_CREATED,COMPUTE_NODE_RUNNING,COMPUTE_NODE_CREATED,COMPUTE_NODE_RUNNING,COMPUTE_NODE_DELETING,COMPUTE_NODE_DELETING,COMPUTE_ENV_DELETED"
	if strings.Join(names, ",") != want {
		t.Errorf("events %v", names)
	}
}

func TestEnvDeleteWithNodes(t *testing.T) {
	e := manualEngine(t)
	id := mustEnv(t, e, EnvSpec{Name: "e", DesiredNodes: 2})
	_ = e.Advance(150 * time.Millisecond) // nodes CREATING
	if err := e.DeleteEnv("T", id); err != nil {
		t.Fatal(err)
	}
	untilNodes(t, e, id, allNodes(NodeDeleting))
	advanceUntil(t, e, 10*time.Millisecond, 1000, func() bool { _, err := e.Env("T", id); return err != nil })
	if len(e.Envs("T")) != 0 {
		t.Errorf("env still listed")
	}
}

func TestNodeFailureConvention(t *testing.T) {
	t.Run("creation failed, recreated in place", func(t *testing.T) {
		e := manualEngine(t)
		id := mustEnv(t, e, EnvSpec{Name: "bad", DesiredNodes: 1, ImageID: ImageCreationFailed, ResourceMaxRetry: 2})
		first := envNodes(t, e, id)[0]
		_ = e.Advance(10 * time.Second)
		ns := envNodes(t, e, id)
		if len(ns) != 1 || ns[0].ID != first.ID || ns[0].State != NodeCreationFailed {
			t.Fatalf("nodes %+v, want the one node %s CREATION_FAILED", ns, first.ID)
		}
		want := seq(NodeSubmitted, NodeCreating, NodeCreationFailed, NodeCreating, NodeCreationFailed, NodeCreating, NodeCreationFailed)
		if got := seq(history(e, "node", first.ID, "", -1)...); got != want {
			t.Errorf("history %s\nwant    %s", got, want)
		}
		acts, _ := e.Activities("T", id)
		insIDs := map[string]bool{}
		for i, a := range acts {
			if a.Type != ActivityCreateNode || a.State != ActivityFailed || a.NodeID != first.ID {
				t.Errorf("activity %d: %+v, want a FAILED create of %s", i, a, first.ID)
			}
			if i > 0 && !strings.HasPrefix(a.Cause, "RECREATE") {
				t.Errorf("activity %d cause %q, want RECREATE", i, a.Cause)
			}
			insIDs[a.NodeInstanceID] = true
		}
		if len(acts) != 3 || len(insIDs) != 3 || acts[2].NodeInstanceID != ns[0].InstanceID {
			t.Errorf("1 + 2 creations with fresh instance IDs: %+v, node instance %s", acts, ns[0].InstanceID)
		}
		assertHeld(t, e, "node", e.timing.Hold)
		// CREATION_FAILED nodes are terminable
		if err := e.TerminateNodes("T", id, []string{first.ID}); err != nil {
			t.Errorf("terminate CREATION_FAILED: %v", err)
		}
	})
	t.Run("no retries", func(t *testing.T) {
		e := manualEngine(t)
		id := mustEnv(t, e, EnvSpec{Name: "bad", DesiredNodes: 1, ImageID: ImageCreationFailed})
		_ = e.Advance(10 * time.Second)
		n := envNodes(t, e, id)[0]
		if got := seq(history(e, "node", n.ID, "", -1)...); got != seq(NodeSubmitted, NodeCreating, NodeCreationFailed) {
			t.Errorf("history %s", got)
		}
		if acts, _ := e.Activities("T", id); len(acts) != 1 {
			t.Errorf("%d activities, want 1", len(acts))
		}
	})
	t.Run("abnormal recovers once", func(t *testing.T) {
		e := manualEngine(t)
		id := mustEnv(t, e, EnvSpec{Name: "abn", DesiredNodes: 1, ImageID: ImageAbnormal, ResourceMaxRetry: 7})
		_ = e.Advance(10 * time.Second)
		n := envNodes(t, e, id)[0]
		if got := seq(history(e, "node", n.ID, "", -1)...); got != seq(NodeSubmitted, NodeCreating, NodeCreated, NodeRunning, NodeAbnormal, NodeRunning) {
			t.Errorf("abnormal history %s", got)
		}
		assertHeld(t, e, "node", e.timing.Hold)
		// afterwards it is an ordinary node
		jid := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{{Name: "a", Command: "echo", EnvID: id, InstanceNum: 1}}})
		advanceUntil(t, e, 10*time.Millisecond, 1000, terminalJob(e, jid))
		if s := jobState(e, jid); s != StateSucceed {
			t.Errorf("job on the recovered node: %s", s)
		}
	})
}

// assertHeld checks that every state of every entity of kind was held >= hold.
func assertHeld(t *testing.T, e *Engine, kind string, hold time.Duration) {
	t.Helper()
	last := map[string]Change{}
	for _, c := range e.Changes(0) {
		if c.Kind != kind {
			continue
		}
		k := fmt.Sprint(c.ID, "/", c.Task, "/", c.Index)
		if c.Index != nil {
			k = fmt.Sprint(c.ID, "/", c.Task, "/", *c.Index)
		}
		if p, ok := last[k]; ok && c.Time.Sub(p.Time) < hold {
			t.Errorf("%s %s: %s held %v < %v", kind, k, p.To, c.Time.Sub(p.Time), hold)
		}
		last[k] = c
	}
}

func TestAttachDetach(t *testing.T) {
	e := manualEngine(t)
	id := mustEnv(t, e, EnvSpec{Name: "e", DesiredNodes: 1})
	other := mustEnv(t, e, EnvSpec{Name: "o"})
	if err := e.AttachInstances("T", id, []Instance{{InstanceID: "ins-user0001"}, {InstanceID: "ins-user0001"}}); errKind(err) != ErrDuplicate {
		t.Errorf("duplicate attach: %v", err)
	}
	if err := e.AttachInstances("T", id, []Instance{{InstanceID: "ins-user0001"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.AttachInstances("T", other, []Instance{{InstanceID: "ins-user0001"}}); errKind(err) != ErrInUse {
		t.Errorf("attach twice: %v", err)
	}
	untilNodes(t, e, id, allNodes(NodeRunning))
	ns := envNodes(t, e, id)
	if len(ns) != 2 || ns[1].Origin != OriginUserAttached || ns[1].InstanceID != "ins-user0001" {
		t.Fatalf("nodes %+v", ns)
	}
	if en, _ := e.Env("T", id); en.Desired != 1 {
		t.Errorf("attach changed Desired to %d", en.Desired)
	}
	if err := e.DetachInstances("T", id, []string{ns[0].InstanceID}); errKind(err) != ErrState {
		t.Errorf("detach a Batch-created node: %v", err)
	}
	if err := e.DetachInstances("T", id, []string{"ins-nothere1"}); errKind(err) != ErrNotFound {
		t.Errorf("detach unknown: %v", err)
	}
	if err := e.DetachInstances("T", id, []string{"ins-user0001"}); err != nil {
		t.Fatal(err)
	}
	untilNodes(t, e, id, func(ns []Node) bool { return len(ns) == 1 })
	acts, _ := e.Activities("T", id)
	if c := acts[len(acts)-1].Cause; !strings.HasPrefix(c, "DetachInstances") {
		t.Errorf("cause %q", c)
	}
	// once detached it may be attached again
	if err := e.AttachInstances("T", other, []Instance{{InstanceID: "ins-user0001"}}); err != nil {
		t.Errorf("re-attach: %v", err)
	}
}

// TestNamedEnvScheduling: instances wait RUNNABLE for an idle RUNNING node,
// higher priority first, and a node runs one instance at a time.
func TestNamedEnvScheduling(t *testing.T) {
	e := manualEngine(t)
	envID := mustEnv(t, e, EnvSpec{Name: "e", DesiredNodes: 1})
	mk := func(prio int) string {
		a := tsk("a", "sleep 1")
		a.EnvID = envID
		return mustSubmit(t, e, JobSpec{Priority: prio, Tasks: []TaskSpec{a}})
	}
	low, high := mk(1), mk(90)
	advanceUntil(t, e, 10*time.Millisecond, 10000, func() bool { return terminalJob(e, low)() && terminalJob(e, high)() })
	jl, jh := mustJob(t, e, low), mustJob(t, e, high)
	il, ih := jl.Tasks[0].Instances[0], jh.Tasks[0].Instances[0]
	if jl.State != StateSucceed || jh.State != StateSucceed {
		t.Fatalf("states %s %s", jl.State, jh.State)
	}
	if !ih.LaunchTime.Before(*il.LaunchTime) {
		t.Errorf("low priority launched first")
	}
	if il.LaunchTime.Before(*ih.EndTime) {
		t.Errorf("two instances overlapped on one node")
	}
	node := envNodes(t, e, envID)[0]
	if il.ComputeNodeID != node.ID || il.NodeInstanceID != node.InstanceID {
		t.Errorf("placement %s/%s, node %s/%s", il.ComputeNodeID, il.NodeInstanceID, node.ID, node.InstanceID)
	}
	// instances on a node that is terminated fail (and retry if allowed); a deleted env fails waiters
	a := tsk("a", "sleep 100")
	a.EnvID = envID
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{a}})
	reach(t, e, id, StateRunning)
	if err := e.DeleteEnv("T", envID); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, e, 10*time.Millisecond, 1000, terminalJob(e, id))
	if s := jobState(e, id); s != StateFailed {
		t.Errorf("job on deleted env %s", s)
	}
}

func TestEnvBusyQuotaPermissions(t *testing.T) {
	e := manualEngine(t, withTenants(
		tenants.Tenant{SecretID: "busy", SecretKey: "k", EnvBusy: true},
		tenants.Tenant{SecretID: "small", SecretKey: "k", Quotas: tenants.Quotas{Jobs: 1, ComputeEnvs: 1, CPUs: 4, TaskTemplates: 1}},
		tenants.Tenant{SecretID: "no", SecretKey: "k", NotAllowed: true},
		tenants.Tenant{SecretID: "zones", SecretKey: "k", UnavailableZones: []string{"ap-guangzhou-3"}},
	))
	// busy: creation fine, modifications refused
	bid := mustEnv(t, e, EnvSpec{Tenant: "busy", Name: "b", DesiredNodes: 1})
	one := 1
	for name, err := range map[string]error{
		"modify":    e.ModifyEnv("busy", bid, EnvModify{DesiredNodes: &one}),
		"delete":    e.DeleteEnv("busy", bid),
		"terminate": e.TerminateNodes("busy", bid, []string{"node-x"}),
		"attach":    e.AttachInstances("busy", bid, []Instance{{InstanceID: "ins-a"}}),
		"detach":    e.DetachInstances("busy", bid, []string{"ins-a"}),
	} {
		if errKind(err) != ErrBusy {
			t.Errorf("busy %s: %v", name, err)
		}
	}
	// quotas
	quota := func(err error, res string) {
		t.Helper()
		if ee, ok := err.(*Error); !ok || ee.Kind != ErrQuota || ee.Resource != res {
			t.Errorf("%v, want quota %s", err, res)
		}
	}
	mustSubmit(t, e, JobSpec{Tenant: "small", Tasks: []TaskSpec{tsk("a", "")}})
	_, err := e.SubmitJob(JobSpec{Tenant: "small", Tasks: []TaskSpec{tsk("a", "")}})
	quota(err, "jobs")
	_, err = e.CreateEnv(EnvSpec{Tenant: "small", DesiredNodes: 3, CPU: 2})
	quota(err, "cpus")
	sid := mustEnv(t, e, EnvSpec{Tenant: "small", DesiredNodes: 2, CPU: 2})
	_, err = e.CreateEnv(EnvSpec{Tenant: "small"})
	quota(err, "envs")
	three := 3
	quota(e.ModifyEnv("small", sid, EnvModify{DesiredNodes: &three}), "cpus")
	if _, err := e.CreateTemplate(Template{Tenant: "small", Name: "t"}, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.CreateTemplate(Template{Tenant: "small", Name: "t2"}, "")
	quota(err, "templates")
	// the default tenant is unaffected
	mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{tsk("a", "")}})
	mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{tsk("a", "")}})
	// permissions and zones
	if _, err := e.SubmitJob(JobSpec{Tenant: "no", Tasks: []TaskSpec{tsk("a", "")}}); errKind(err) != ErrNotAllowed {
		t.Errorf("not allowed submit: %v", err)
	}
	if _, err := e.CreateEnv(EnvSpec{Tenant: "no"}); errKind(err) != ErrNotAllowed {
		t.Errorf("not allowed env: %v", err)
	}
	if _, err := e.SubmitJob(JobSpec{Tenant: "zones", Zone: "ap-guangzhou-3", Tasks: []TaskSpec{tsk("a", "")}}); errKind(err) != ErrUnavailableZone {
		t.Errorf("zone: %v", err)
	}
	if _, err := e.CreateEnv(EnvSpec{Tenant: "zones", Zone: "ap-guangzhou-3"}); errKind(err) != ErrUnavailableZone {
		t.Errorf("zone env: %v", err)
	}
	mustSubmit(t, e, JobSpec{Tenant: "zones", Zone: "ap-guangzhou-2", Tasks: []TaskSpec{tsk("a", "")}})
	// deleting a finished job frees job quota
	j := e.Jobs("small")[0]
	advanceUntil(t, e, 10*time.Millisecond, 1000, terminalJob(e, j.ID))
	if err := e.DeleteJob("small", j.ID); err != nil {
		t.Fatal(err)
	}
	mustSubmit(t, e, JobSpec{Tenant: "small", Tasks: []TaskSpec{tsk("a", "")}})
}

func TestIdempotency(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		var opts []opt
		if ignore {
			opts = append(opts, withFaults(faults.IgnoreClientToken))
		}
		e := manualEngine(t, opts...)
		j1 := mustSubmit(t, e, JobSpec{ClientToken: "tok", Tasks: []TaskSpec{tsk("a", "")}})
		j2 := mustSubmit(t, e, JobSpec{ClientToken: "tok", Tasks: []TaskSpec{tsk("a", "")}})
		j3 := mustSubmit(t, e, JobSpec{Tenant: "other", ClientToken: "tok", Tasks: []TaskSpec{tsk("a", "")}})
		e1 := mustEnv(t, e, EnvSpec{ClientToken: "tok"})
		e2 := mustEnv(t, e, EnvSpec{ClientToken: "tok"})
		t1, _ := e.CreateTemplate(Template{Tenant: "T"}, "tok")
		t2, _ := e.CreateTemplate(Template{Tenant: "T"}, "tok")
		same := j1 == j2 && e1 == e2 && t1 == t2
		if same == ignore {
			t.Errorf("ignore=%v: jobs %s %s envs %s %s templates %s %s", ignore, j1, j2, e1, e2, t1, t2)
		}
		if j3 == j1 {
			t.Errorf("token shared across tenants")
		}
		wantJobs := 1
		if ignore {
			wantJobs = 2
		}
		if n := len(e.Jobs("T")); n != wantJobs {
			t.Errorf("ignore=%v: %d jobs", ignore, n)
		}
	}
}

func TestTemplates(t *testing.T) {
	e := manualEngine(t)
	id, err := e.CreateTemplate(Template{Tenant: "T", Name: "n", Description: "d", Info: map[string]int{"x": 1}}, "")
	if err != nil || !strings.HasPrefix(id, PrefixTemplate) || len(id) != len(PrefixTemplate)+8 {
		t.Fatalf("%q %v", id, err)
	}
	name := "n2"
	if err := e.ModifyTemplate("T", id, &name, nil, nil); err != nil {
		t.Fatal(err)
	}
	if tp, _ := e.Template("T", id); tp.Name != "n2" || tp.Description != "d" || tp.CreateTime.IsZero() {
		t.Errorf("%+v", tp)
	}
	if err := e.DeleteTemplates("T", []string{id, "task-tmpl-zzzzzzzz"}); errKind(err) != ErrNotFound {
		t.Errorf("delete unknown: %v", err)
	}
	if len(e.Templates("T")) != 1 {
		t.Errorf("partial delete happened")
	}
	if err := e.DeleteTemplates("T", []string{id}); err != nil || len(e.Templates("T")) != 0 {
		t.Errorf("delete: %v", err)
	}
}

// TestScaleInIdleFirstAndInterruptKeepsNode: scale-in picks idle nodes
// before busy ones; a FAILED_INTERRUPTED instance keeps its node until it is
// terminated.
func TestScaleInIdleFirstAndInterruptKeepsNode(t *testing.T) {
	e := manualEngine(t)
	envID := mustEnv(t, e, EnvSpec{Name: "e", DesiredNodes: 2})
	untilNodes(t, e, envID, allNodes(NodeRunning))
	a := tsk("a", "exit 1")
	a.EnvID, a.FailedAction = envID, FailedInterrupt
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{a}})
	reach(t, e, id, StateFailedInterrupted)
	in := mustJob(t, e, id).Tasks[0].Instances[0]
	var busy, idle Node
	for _, n := range envNodes(t, e, envID) {
		if n.ID == in.ComputeNodeID {
			busy = n
		} else {
			idle = n
		}
	}
	if busy.RunningTaskInstances != 1 || idle.RunningTaskInstances != 0 {
		t.Fatalf("FAILED_INTERRUPTED instance released its node: %+v", busy)
	}
	one := 1
	if err := e.ModifyEnv("T", envID, EnvModify{DesiredNodes: &one}); err != nil {
		t.Fatal(err)
	}
	for _, n := range envNodes(t, e, envID) {
		if n.ID == idle.ID && n.State != NodeDeleting {
			t.Errorf("idle node %s, want DELETING", n.State)
		}
		if n.ID == busy.ID && n.State != NodeRunning {
			t.Errorf("busy node %s, want RUNNING", n.State)
		}
	}
	if err := e.TerminateTaskInstance("T", id, "a", 0); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, e, 10*time.Millisecond, 1000, func() bool { return jobState(e, id) == StateFailed })
	untilNodes(t, e, envID, func(ns []Node) bool { return len(ns) == 1 })
	if n := envNodes(t, e, envID); n[0].ID != busy.ID || n[0].RunningTaskInstances != 0 {
		t.Errorf("node not released: %+v", n)
	}
}

// TestTerminateKillsLocalCommand: TerminateJob kills a running command.
func TestTerminateKillsLocalCommand(t *testing.T) {
	e := realEngine(t, func(c *Config) { c.Clock = NewScaledClock(4) })
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{tsk("a", "echo started; sleep 60")}})
	waitFor(t, 10*time.Second, "RUNNING", func() bool { return jobState(e, id) == StateRunning })
	start := time.Now()
	if err := e.TerminateJob("T", id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "FAILED", func() bool { return jobState(e, id) == StateFailed })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("terminate took %v", d)
	}
	in := mustJob(t, e, id).Tasks[0].Instances[0]
	if in.EndTime == nil || in.StateReason != "terminated" {
		t.Errorf("instance %+v", in)
	}
}
