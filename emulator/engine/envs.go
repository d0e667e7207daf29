package engine

import (
	"fmt"
	"sort"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
)

// Node-failure convention (the docs give no way for a client to make a CVM
// fail, so the emulator reserves two well-formed image IDs):
//   - a node whose image is ImageCreationFailed goes CREATING →
//     CREATION_FAILED, every time it is created;
//   - a node whose image is ImageAbnormal, once RUNNING and idle, goes
//     RUNNING → ABNORMAL after Hold and back to RUNNING after another Hold,
//     once (a transient loss of the Batch agent); it receives no task
//     instance before it has recovered, and is an ordinary node afterwards.
//
// The node's image is the Instance.ImageID given to AttachInstances, else the
// env's EnvSpec.ImageID (for an anonymous env: TaskSpec.ImageID, see the
// package comment on StateIfCreateCvmFailed).
//
// RECREATE (ActionIfComputeNodeInactive, the only documented action) applies
// to Batch-created nodes in CREATION_FAILED: the node is recreated in place
// (same node ID, a fresh CVM instance ID) — a new CREATE_COMPUTE_NODE
// activity is SUBMITTED when the creation fails, and the node goes
// CREATION_FAILED → CREATING (activity PROCESSING) after max(Hold,
// RetryWait) — at most EnvSpec.ResourceMaxRetry times per node (0 = never;
// the façade passes the documented default 7). With ImageCreationFailed every
// creation fails, so after its retries the node stays CREATION_FAILED until
// terminated. ABNORMAL nodes recover by themselves, so RECREATE does not touch
// them. Nodes are never recreated while the env is being deleted.
const (
	ImageCreationFailed = "img-failnode"
	ImageAbnormal       = "img-abnormal"
)

// MaxNodesPerEnv bounds DesiredNodes (the documented maximum is 2000; the
// engine refuses only what it could not sensibly hold).
const MaxNodesPerEnv = 10000

type failMode int

const (
	failNone failMode = iota
	failCreate
	failAbnormal
)

type env struct {
	sched
	id, tenant string
	spec       EnvSpec
	create     time.Time
	desired    int
	nextAction string
	delSince   time.Time
	gone       bool
	nodes      []*node
	acts       []*activity
	waiters    []*instance // instances of tasks naming this env
}

type node struct {
	sched
	env       *env
	id        string
	insID     string
	state     string
	since     time.Time
	create    time.Time
	origin    string
	image     string
	itype     string
	ip        string
	busy      *instance
	createAct *activity
	termAct   *activity
	recreates int  // RECREATE retries used (CREATION_FAILED → CREATING)
	recovered bool // an ImageAbnormal node has been ABNORMAL and recovered
}

type activity struct {
	id, envID, nodeID, insID  string
	typ, state, cause, reason string
	start                     time.Time
	since                     time.Time
	end                       *time.Time
}

func (n *node) failMode(m failMode) bool {
	switch m {
	case failCreate:
		return n.image == ImageCreationFailed
	case failAbnormal:
		return n.image == ImageAbnormal && !n.recovered
	}
	return false
}

func (e *Engine) findEnv(tenant, id string) (*env, error) {
	en := e.envs[id]
	if en == nil || en.gone || (tenant != "" && en.tenant != tenant) {
		return nil, &Error{Kind: ErrNotFound, Resource: "env", ID: id}
	}
	return en, nil
}

// usedCPUs is the tenant's CPU use: DesiredNodes × CPU over its envs.
func (e *Engine) usedCPUs(tenant string) int {
	n := 0
	for _, en := range e.envOrder {
		if en.tenant == tenant && !en.gone {
			n += en.desired * en.spec.CPU
		}
	}
	return n
}

func (e *Engine) nEnvs(tenant string) int {
	n := 0
	for _, en := range e.envOrder {
		if en.tenant == tenant && !en.gone {
			n++
		}
	}
	return n
}

// CreateEnv creates a named environment and submits DesiredNodes nodes (each
// with a CREATE_COMPUTE_NODE activity). Errors: ErrNotAllowed,
// ErrUnavailableZone, ErrQuota (Resource "envs" or "cpus": DesiredNodes×CPU
// over all the tenant's envs), ErrInvalid (negative DesiredNodes). A repeated
// ClientToken returns the first env's ID and creates nothing.
// COMPUTE_ENV_CREATED fires at creation.
func (e *Engine) CreateEnv(spec EnvSpec) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	if id, ok := e.lookupToken(spec.Tenant, "env", spec.ClientToken); ok {
		return id, nil
	}
	tn := e.tenant(spec.Tenant)
	if err := e.checkCreate(tn, spec.Zone); err != nil {
		return "", err
	}
	if spec.DesiredNodes < 0 {
		return "", &Error{Kind: ErrInvalid, Resource: "env", Detail: "negative desired node count", Reason: ReasonNegative}
	}
	if spec.DesiredNodes > MaxNodesPerEnv {
		return "", &Error{Kind: ErrInvalid, Resource: "env", Detail: fmt.Sprintf("too many nodes: %d > %d", spec.DesiredNodes, MaxNodesPerEnv), Reason: ReasonTooMany}
	}
	if !quotaOK(tn.Quotas.ComputeEnvs, e.nEnvs(spec.Tenant), 1) {
		return "", &Error{Kind: ErrQuota, Resource: "envs", Detail: fmt.Sprintf("compute env quota %d reached", tn.Quotas.ComputeEnvs)}
	}
	if !quotaOK(tn.Quotas.CPUs, e.usedCPUs(spec.Tenant), spec.DesiredNodes*spec.CPU) {
		return "", &Error{Kind: ErrQuota, Resource: "cpus", Detail: fmt.Sprintf("CPU quota %d exceeded", tn.Quotas.CPUs)}
	}
	spec.InstanceTypes = append([]string(nil), spec.InstanceTypes...)
	spec.Notifications = cloneNotifications(spec.Notifications)
	spec.Tags = append([]KV(nil), spec.Tags...)
	en := &env{id: e.ids.next(PrefixEnv), tenant: spec.Tenant, spec: spec, create: now, desired: spec.DesiredNodes}
	e.envs[en.id] = en
	e.envOrder = append(e.envOrder, en)
	e.saveToken(spec.Tenant, "env", spec.ClientToken, en.id)
	e.change(now, en.tenant, "env", en.id, "", nil, "", "CREATED")
	e.fire(spec.Notifications, now, en.tenant, "COMPUTE_ENV_CREATED", en.id, "", nil, "")
	cause := fmt.Sprintf("CreateComputeEnv: increase the capacity from 0 to %d", spec.DesiredNodes)
	for i := 0; i < spec.DesiredNodes; i++ {
		e.addNode(en, OriginBatchCreated, "", spec.ImageID, cause, now)
	}
	e.done()
	return en.id, nil
}

func (e *Engine) addNode(en *env, origin, insID, image, cause string, t time.Time) *node {
	if insID == "" {
		insID = e.ids.next(PrefixInstance)
	}
	itype := ""
	if len(en.spec.InstanceTypes) > 0 {
		itype = en.spec.InstanceTypes[0]
	}
	e.seq++
	n := &node{env: en, id: e.ids.next(PrefixNode), insID: insID, state: NodeSubmitted, since: t, create: t,
		origin: origin, image: image, itype: itype, ip: fmt.Sprintf("10.%d.%d.%d", (e.seq>>16)&255, (e.seq>>8)&255, e.seq&255)}
	n.createAct = e.newActivity(en, n, ActivityCreateNode, cause, t)
	en.nodes = append(en.nodes, n)
	e.attached[insID] = n
	e.nodeChange(t, en, n, "", NodeSubmitted)
	e.wake(n, t.Add(e.timing.NodeBoot))
	return n
}

func (e *Engine) newActivity(en *env, n *node, typ, cause string, t time.Time) *activity {
	a := &activity{id: e.ids.next(PrefixActivity), envID: en.id, nodeID: n.id, insID: n.insID, typ: typ,
		state: ActivitySubmitted, cause: cause, start: t, since: t}
	en.acts = append(en.acts, a)
	e.change(t, en.tenant, "activity", a.id, "", nil, "", ActivitySubmitted)
	return a
}

func (e *Engine) setActivity(en *env, a *activity, to, reason string, t time.Time) {
	if a == nil || a.state == to {
		return
	}
	from := a.state
	a.state, a.since = to, t
	if reason != "" {
		a.reason = reason
	}
	if to == ActivitySucceed || to == ActivityFailed {
		a.end = tptr(t)
	}
	e.change(t, en.tenant, "activity", a.id, "", nil, from, to)
}

func (e *Engine) setNode(n *node, to string, t time.Time) {
	from := n.state
	n.state, n.since = to, t
	en := n.env
	e.nodeChange(t, en, n, from, to)
	switch to {
	case NodeCreated, NodeCreationFailed, NodeRunning, NodeAbnormal, NodeDeleting:
		e.fire(en.spec.Notifications, t, en.tenant, "COMPUTE_NODE_"+to, en.id, "", nil, n.id)
	}
}

// startDeleting moves a node to DELETING with a TERMINATE_COMPUTE_NODE
// activity; an instance on it fails (a retry may follow).
func (e *Engine) startDeleting(n *node, cause string, t time.Time) {
	en := n.env
	switch ca := n.createAct; {
	case ca == nil:
	case ca.state == ActivityProcessing:
		e.setActivity(en, ca, ActivityFailed, "the node was terminated before it was created", t)
	case ca.state == ActivitySubmitted:
		// A RECREATE activity not yet started: the catalog documents no
		// SUBMITTED -> FAILED (reference §3.2: SUBMITTED → PROCESSING →
		// SUCCEED|FAILED), so it is processed now and fails when the
		// termination starts (see the NodeDeleting step).
		e.setActivity(en, ca, ActivityProcessing, "", t)
	}
	e.setNode(n, NodeDeleting, t)
	n.termAct = e.newActivity(en, n, ActivityTerminateNode, cause, t)
	if in := n.busy; in != nil {
		in.nodeLost = true
		e.wake(in, t)
	}
	e.wake(n, t.Add(e.timing.Hold))
}

func (e *Engine) stepNode(n *node, t time.Time) {
	en := n.env
	if en.gone {
		return
	}
	hold := e.timing.Hold
	switch n.state {
	case NodeSubmitted, NodeCreating, NodeCreated:
		hold = e.timing.NodeBoot
	case NodeDeleting:
		hold = 0 // paced by the activity below
	}
	if n.state != NodeDeleting && en.nextAction == "" {
		// A tenant's longer hold (a test aid) delays only the moves the
		// node makes by itself: DeleteComputeEnv (nextAction) is not held
		// back, and TerminateComputeNode moves it at once.
		hold = max(hold, e.stateHold(en.tenant, "compute-node", n.state))
	}
	if he := n.since.Add(hold); t.Before(he) {
		e.wake(n, he)
		return
	}
	// DeleteComputeEnv reached this node while it was being created: it is
	// destroyed once terminable (reference §3.2: "Terminable states →
	// DELETING"; SUBMITTED/CREATING nodes cannot be terminated, §3.1), so
	// it never takes the undocumented SUBMITTED/CREATING -> DELETING.
	if en.nextAction != "" && terminable(n.state) {
		e.startDeleting(n, "DeleteComputeEnv: terminate node "+n.id, t)
		return
	}
	switch n.state {
	case NodeSubmitted:
		e.setNode(n, NodeCreating, t)
		e.setActivity(en, n.createAct, ActivityProcessing, "", t)
		e.wake(n, t.Add(e.timing.NodeBoot))
	case NodeCreating:
		if e.faults.On(faults.NodeStuckCreating) {
			return // the fault: the node never leaves CREATING
		}
		if n.failMode(failCreate) {
			e.setNode(n, NodeCreationFailed, t)
			e.setActivity(en, n.createAct, ActivityFailed, "the CVM could not be created (image "+ImageCreationFailed+")", t)
			if e.recreatable(n) {
				n.createAct = e.newActivity(en, n, ActivityCreateNode,
					fmt.Sprintf("RECREATE: node %s is %s (retry %d of %d)", n.id, NodeCreationFailed, n.recreates+1, en.spec.ResourceMaxRetry), t)
				n.createAct.insID = e.ids.next(PrefixInstance) // the CVM the retry creates
				e.wake(n, t.Add(max(e.timing.Hold, e.timing.RetryWait)))
			} else if en.nextAction != "" {
				e.wake(n, t.Add(e.timing.Hold)) // deleted once held (above)
			}
			return
		}
		e.setNode(n, NodeCreated, t)
		e.wake(n, t.Add(e.timing.NodeBoot))
	case NodeCreated:
		e.setNode(n, NodeRunning, t)
		e.setActivity(en, n.createAct, ActivitySucceed, "", t)
		e.wake(en, t)
		if n.failMode(failAbnormal) {
			e.wake(n, t.Add(e.timing.Hold))
		}
	case NodeRunning:
		if n.failMode(failAbnormal) && n.busy == nil {
			e.setNode(n, NodeAbnormal, t)
			e.wake(n, t.Add(e.timing.Hold))
		}
	case NodeAbnormal:
		if n.image == ImageAbnormal && !n.recovered {
			n.recovered = true
			e.setNode(n, NodeRunning, t)
			e.wake(en, t) // it may take work now
		}
	case NodeCreationFailed:
		a := n.createAct
		if a == nil || a.state != ActivitySubmitted || !e.recreatable(n) {
			return
		}
		if he := n.since.Add(max(e.timing.Hold, e.timing.RetryWait)); t.Before(he) {
			e.wake(n, he)
			return
		}
		n.recreates++
		if e.attached[n.insID] == n {
			delete(e.attached, n.insID)
		}
		n.insID = a.insID
		e.attached[n.insID] = n
		e.setNode(n, NodeCreating, t)
		e.setActivity(en, a, ActivityProcessing, "", t)
		e.wake(n, t.Add(e.timing.NodeBoot))
	case NodeDeleting:
		a := n.termAct
		if he := a.since.Add(e.timing.Hold); t.Before(he) {
			e.wake(n, he)
			return
		}
		if a.state == ActivitySubmitted {
			if ca := n.createAct; ca != nil && ca.state == ActivityProcessing {
				e.setActivity(en, ca, ActivityFailed, "the node was terminated before it was created", t)
			}
			e.setActivity(en, a, ActivityProcessing, "", t)
			e.wake(n, t.Add(e.timing.Hold))
			return
		}
		e.setActivity(en, a, ActivitySucceed, "", t)
		e.nodeChange(t, en, n, NodeDeleting, "DELETED")
		for i, x := range en.nodes {
			if x == n {
				en.nodes = append(en.nodes[:i:i], en.nodes[i+1:]...)
				break
			}
		}
		if e.attached[n.insID] == n {
			delete(e.attached, n.insID)
		}
		e.wake(en, t)
	}
}

// recreatable: RECREATE may recreate n (see the node-failure convention).
func (e *Engine) recreatable(n *node) bool {
	return n.origin == OriginBatchCreated && n.env.nextAction == "" && n.recreates < n.env.spec.ResourceMaxRetry
}

func (e *Engine) stepEnv(en *env, t time.Time) {
	if en.gone {
		return
	}
	if en.nextAction != "" {
		if len(en.nodes) > 0 {
			return // woken again as each node goes
		}
		if he := en.delSince.Add(e.timing.Hold); t.Before(he) {
			e.wake(en, he)
			return
		}
		en.gone = true
		delete(e.envs, en.id)
		for i, x := range e.envOrder {
			if x == en {
				e.envOrder = append(e.envOrder[:i:i], e.envOrder[i+1:]...)
				break
			}
		}
		e.change(t, en.tenant, "env", en.id, "", nil, "DELETING", "DELETED")
		e.fire(en.spec.Notifications, t, en.tenant, "COMPUTE_ENV_DELETED", en.id, "", nil, "")
		for _, in := range en.waiters {
			e.wake(in, t)
		}
		return
	}
	e.placeWaiters(en, t)
}

// Env returns a snapshot of a live environment (tenant "" matches any).
func (e *Engine) Env(tenant, id string) (Env, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	en, err := e.findEnv(tenant, id)
	if err != nil {
		return Env{}, err
	}
	return en.snapshot(), nil
}

// Envs returns the tenant's live environments (all tenants if ""), in creation order.
func (e *Engine) Envs(tenant string) []Env {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	out := []Env{}
	for _, en := range e.envOrder {
		if tenant == "" || en.tenant == tenant {
			out = append(out, en.snapshot())
		}
	}
	return out
}

func (en *env) snapshot() Env {
	out := Env{ID: en.id, Tenant: en.tenant, Spec: en.spec, CreateTime: en.create, Desired: en.desired,
		NextAction: en.nextAction, Deleted: en.gone, Nodes: []Node{}}
	for _, n := range en.nodes {
		busy := 0
		if n.busy != nil {
			busy = 1
		}
		out.Nodes = append(out.Nodes, Node{ID: n.id, EnvID: en.id, InstanceID: n.insID, State: n.state, Origin: n.origin,
			Zone: en.spec.Zone, InstanceType: n.itype, CPU: en.spec.CPU, MemoryGB: en.spec.MemoryGB,
			PrivateIPs: []string{n.ip}, PublicIPs: []string{}, AgentVersion: "v1.0.0", CreateTime: n.create,
			RunningTaskInstances: busy})
	}
	return out
}

// modifiable checks the common refusals of env modifications.
func (e *Engine) modifiable(tenant, id string) (*env, error) {
	en, err := e.findEnv(tenant, id)
	if err != nil {
		return nil, err
	}
	if e.tenant(en.tenant).EnvBusy {
		return nil, &Error{Kind: ErrBusy, Resource: "env", ID: id, Detail: "the environment is busy with another request"}
	}
	if en.nextAction != "" {
		return nil, &Error{Kind: ErrState, Resource: "env", ID: id, Detail: "the environment is being deleted"}
	}
	return en, nil
}

func terminable(s string) bool {
	return s == NodeCreated || s == NodeCreationFailed || s == NodeRunning || s == NodeAbnormal
}

// ModifyEnv changes an environment. A larger DesiredNodes submits nodes
// ("ModifyComputeEnv: increase the capacity from X to Y"; CPU quota checked →
// ErrQuota "cpus"); a smaller one deletes Batch-created nodes in
// CREATED/RUNNING/ABNORMAL, idle ones first (a busy node's instance fails and
// may retry); fewer destroyable than needed → ErrNotEnoughNodes; equal →
// nothing. InstanceTypes replaces the list (new nodes use the first).
// Errors also: ErrBusy (tenant EnvBusy), ErrState (env being deleted),
// ErrInvalid (negative DesiredNodes).
func (e *Engine) ModifyEnv(tenant, id string, m EnvModify) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	en, err := e.modifiable(tenant, id)
	if err != nil {
		return err
	}
	if e.faults.On(faults.DesiredCountIgnored) {
		m.DesiredNodes = nil // the fault: accepted, the capacity stays
	}
	var victims []*node
	if m.DesiredNodes != nil {
		want, have := *m.DesiredNodes, en.desired
		switch {
		case want < 0:
			return &Error{Kind: ErrInvalid, Resource: "env", ID: id, Detail: "negative desired node count", Reason: ReasonNegative}
		case want > MaxNodesPerEnv:
			return &Error{Kind: ErrInvalid, Resource: "env", ID: id, Detail: fmt.Sprintf("too many nodes: %d > %d", want, MaxNodesPerEnv), Reason: ReasonTooMany}
		case want > have:
			tn := e.tenant(en.tenant)
			if !quotaOK(tn.Quotas.CPUs, e.usedCPUs(en.tenant), (want-have)*en.spec.CPU) {
				return &Error{Kind: ErrQuota, Resource: "cpus", Detail: fmt.Sprintf("CPU quota %d exceeded", tn.Quotas.CPUs)}
			}
		case want < have:
			var cands []*node
			for _, n := range en.nodes {
				if n.origin == OriginBatchCreated && (n.state == NodeCreated || n.state == NodeRunning || n.state == NodeAbnormal) {
					cands = append(cands, n)
				}
			}
			if len(cands) < have-want {
				return &Error{Kind: ErrNotEnoughNodes, Resource: "env", ID: id,
					Detail: fmt.Sprintf("%d nodes to terminate, %d destroyable", have-want, len(cands))}
			}
			sort.SliceStable(cands, func(a, b int) bool { return cands[a].busy == nil && cands[b].busy != nil })
			victims = cands[:have-want]
		}
	}
	if m.Name != nil {
		en.spec.Name = *m.Name
	}
	if m.Description != nil {
		en.spec.Description = *m.Description
	}
	if m.InstanceTypes != nil {
		en.spec.InstanceTypes = append([]string(nil), m.InstanceTypes...)
	}
	if m.DesiredNodes != nil {
		want, have := *m.DesiredNodes, en.desired
		en.desired = want
		if want > have {
			cause := fmt.Sprintf("ModifyComputeEnv: increase the capacity from %d to %d", have, want)
			for i := have; i < want; i++ {
				e.addNode(en, OriginBatchCreated, "", en.spec.ImageID, cause, now)
			}
		}
		cause := fmt.Sprintf("ModifyComputeEnv: decrease the capacity from %d to %d", have, want)
		for _, n := range victims {
			e.startDeleting(n, cause, now)
		}
	}
	e.done()
	return nil
}

// DeleteEnv sets NextAction "DELETING", deletes every node (instances on them
// fail; nodes still SUBMITTED/CREATING are deleted once they are CREATED or
// CREATION_FAILED, the states a node can be terminated from), and the env disappears
// Hold after its last node (COMPUTE_ENV_DELETED). Instances waiting for the
// env then fail. Errors: ErrNotFound, ErrBusy (tenant EnvBusy), ErrState
// (already being deleted).
func (e *Engine) DeleteEnv(tenant, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	en, err := e.modifiable(tenant, id)
	if err != nil {
		return err
	}
	en.nextAction = "DELETING"
	en.delSince = now
	e.change(now, en.tenant, "env", en.id, "", nil, "CREATED", "DELETING")
	for _, n := range append([]*node(nil), en.nodes...) {
		switch {
		case terminable(n.state):
			e.startDeleting(n, "DeleteComputeEnv: terminate node "+n.id, now)
		case n.state != NodeDeleting:
			// SUBMITTED/CREATING: deleted once created (stepNode).
			e.wake(n, now)
		}
	}
	e.wake(en, now.Add(e.timing.Hold))
	e.done()
	return nil
}

// TerminateNodes deletes nodes (all-or-nothing): duplicate IDs → ErrDuplicate;
// an unknown node → ErrNotFound{Resource:"node"}; SUBMITTED/CREATING →
// ErrForbidTerminate; DELETING → ErrTerminating; plus ErrBusy/ErrState as
// ModifyEnv. Terminable nodes (CREATED, CREATION_FAILED, RUNNING, ABNORMAL) go
// DELETING → gone; each Batch-created one decrements DesiredNodes.
func (e *Engine) TerminateNodes(tenant, envID string, nodeIDs []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	en, err := e.modifiable(tenant, envID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var ns []*node
	for _, id := range nodeIDs {
		if seen[id] {
			return &Error{Kind: ErrDuplicate, Resource: "node", ID: id}
		}
		seen[id] = true
		var n *node
		for _, x := range en.nodes {
			if x.id == id {
				n = x
			}
		}
		if n == nil {
			return &Error{Kind: ErrNotFound, Resource: "node", ID: id}
		}
		switch {
		case n.state == NodeDeleting:
			return &Error{Kind: ErrTerminating, Resource: "node", ID: id, Detail: "already being terminated"}
		case !terminable(n.state):
			return &Error{Kind: ErrForbidTerminate, Resource: "node", ID: id, Detail: "node is " + n.state}
		}
		ns = append(ns, n)
	}
	for _, n := range ns {
		if n.origin == OriginBatchCreated && en.desired > 0 {
			en.desired--
		}
		e.startDeleting(n, "TerminateComputeNodes: terminate node "+n.id, now)
	}
	e.done()
	return nil
}

// AttachInstances adds existing CVMs as USER_ATTACHED nodes (same lifecycle
// as created nodes, with a CREATE_COMPUTE_NODE activity). Errors: ErrBusy,
// ErrState (env being deleted), ErrDuplicate (an ID twice), ErrInUse
// (Resource "instance": already a node of some environment), ErrInvalid
// (empty list).
func (e *Engine) AttachInstances(tenant, envID string, ins []Instance) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	en, err := e.modifiable(tenant, envID)
	if err != nil {
		return err
	}
	if len(ins) == 0 {
		return &Error{Kind: ErrInvalid, Resource: "instance", Detail: "no instances", Reason: ReasonNoInstances}
	}
	seen := map[string]bool{}
	for _, x := range ins {
		if seen[x.InstanceID] {
			return &Error{Kind: ErrDuplicate, Resource: "instance", ID: x.InstanceID}
		}
		seen[x.InstanceID] = true
		if e.attached[x.InstanceID] != nil {
			return &Error{Kind: ErrInUse, Resource: "instance", ID: x.InstanceID, Detail: "already in a compute environment"}
		}
	}
	for _, x := range ins {
		img := x.ImageID
		if img == "" {
			img = en.spec.ImageID
		}
		e.addNode(en, OriginUserAttached, x.InstanceID, img, "AttachInstances: attach instance "+x.InstanceID, now)
	}
	e.done()
	return nil
}

// DetachInstances removes USER_ATTACHED nodes by CVM instance ID (they go
// DELETING → gone; an instance running on one fails). Errors: ErrBusy,
// ErrState (env being deleted), ErrDuplicate, ErrNotFound{Resource:"instance"}
// (not a node of this env), ErrState{Resource:"instance"} (created by Batch,
// so not detachable), ErrTerminating (already DELETING), ErrForbidTerminate
// (still SUBMITTED/CREATING).
func (e *Engine) DetachInstances(tenant, envID string, instanceIDs []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	en, err := e.modifiable(tenant, envID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var ns []*node
	for _, id := range instanceIDs {
		if seen[id] {
			return &Error{Kind: ErrDuplicate, Resource: "instance", ID: id}
		}
		seen[id] = true
		n := e.attached[id]
		if n == nil || n.env != en {
			return &Error{Kind: ErrNotFound, Resource: "instance", ID: id}
		}
		switch {
		case n.origin != OriginUserAttached:
			return &Error{Kind: ErrState, Resource: "instance", ID: id, Detail: "created by Batch; only attached instances can be detached"}
		case n.state == NodeDeleting:
			return &Error{Kind: ErrTerminating, Resource: "instance", ID: id}
		case !terminable(n.state):
			return &Error{Kind: ErrForbidTerminate, Resource: "instance", ID: id, Detail: "node is " + n.state}
		}
		ns = append(ns, n)
	}
	for _, n := range ns {
		e.startDeleting(n, "DetachInstances: detach instance "+n.insID, now)
	}
	e.done()
	return nil
}

// Activities lists the env's activities, oldest first.
func (e *Engine) Activities(tenant, envID string) ([]Activity, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	en, err := e.findEnv(tenant, envID)
	if err != nil {
		return nil, err
	}
	out := make([]Activity, 0, len(en.acts))
	for _, a := range en.acts {
		out = append(out, Activity{ID: a.id, EnvID: a.envID, NodeID: a.nodeID, NodeInstanceID: a.insID, Type: a.typ,
			State: a.state, Cause: a.cause, Reason: a.reason, StartTime: a.start, EndTime: a.end})
	}
	return out, nil
}
