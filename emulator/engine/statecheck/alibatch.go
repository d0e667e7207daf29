package statecheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/alibatch"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
)

// The Alibaba BatchCompute model drives the ACS façade (emulator/alibatch)
// in process, through its Handle — the same code path as an HTTP request
// after signature checking, catalog rules included — on an engine with the
// manual clock and the simulated executor. Its states are read back the way
// a client reads them (GetJob, ListTasks, ListInstances, GetCluster,
// ListClusterInstances) after every event, and a change is a difference
// between two consecutive reads. Every API call and every clock step is
// atomic in the engine, and a tick moves to the next due instant, so these
// reads are the finest sequence any client can observe.

// Actions of the Alibaba model.
const (
	AliSubmit        = "submit"                // CreateJob of the scenario's N-th job
	AliCreateCluster = "create-cluster"        // CreateCluster of the scenario's N-th cluster (setup)
	AliStopJob       = "stop-job"              // StopJob
	AliStartJob      = "start-job"             // StartJob (the documented way out of Failed and Stopped)
	AliDeleteJob     = "delete-job"            // DeleteJob
	AliResizeCluster = "resize-cluster"        // ChangeClusterDesiredVMCount of the group to N
	AliDeleteNode    = "delete-cluster-node"   // DeleteClusterInstance
	AliRecreateNode  = "recreate-cluster-node" // RecreateClusterInstance
	AliDeleteCluster = "delete-cluster"        // DeleteCluster
	aliTenant        = "T"
	aliGroup         = "g"
)

// Ali is the data of an Alibaba scenario: the CreateJob bodies that may be
// submitted (in order), the CreateCluster bodies of its setup, and the
// actions explored besides "tick".
type Ali struct {
	Jobs     []map[string]any
	Clusters []map[string]any
	Ops      []string
	// MaxDesired bounds ChangeClusterDesiredVMCount.
	MaxDesired int
	Faults     []string
}

// AliKinds: the façade's entities are the catalog's machines by name.
var AliKinds = map[string]string{"job": "job", "task": "task", "instance": "instance", "cluster": "cluster", "cluster-instance": "cluster-instance"}

// NewAliModel is Alibaba BatchCompute's model against its catalog. A
// disappearance (DeleteJob, a deleted cluster's 404) must leave a terminal
// state (reference §A.7: DeleteJob only from Stopped, Finished or Failed; a
// cluster is Deleting, then 404).
func NewAliModel(cat *fixtures.Catalog, scenarios []Scenario) *Model {
	return &Model{Dialect: "alibaba-batchcompute", Catalog: cat, Machine: AliKinds, Gone: "(gone)", Retry: AliStartJob,
		New: func(sc *Scenario) (World, error) { return newAliWorld(sc, cat) }, Scenarios: scenarios}
}

type aliWorld struct {
	e        *engine.Engine
	s        *alibatch.Service
	cat      *fixtures.Catalog
	data     *Ali
	jobs     []string // job IDs by handle ("" never: a refused submit adds none)
	clusters []string
	jobOf    map[string]int
	names    map[string]string // cluster instance IDs -> readable names
	last     map[string]aliObs // entity -> state at the previous Changes
	view     map[string]aliObs // the latest read
	tree     map[int][]aliTask // job handle -> tasks, instances (latest read)
	nodes    map[int][]string  // cluster handle -> live instance IDs (latest read)
	clState  map[int]string    // cluster handle -> state ("" gone)
	jobState map[int]string    // job handle -> state (absent: gone)
	desired  map[int]int       // cluster handle -> the group's DesiredVMCount
	// canon: each cluster's instance states in list order (the key's
	// names for them: the readable names depend on the order they were
	// first seen, which differs between paths to one state).
	canon []string
	// dirty: an event was applied since the last read. Reads are lazy: a
	// replay reads once, after its last event, not after each.
	dirty bool
}

type aliObs struct {
	kind, state string
	job         int
}

type aliTask struct {
	name  string
	state string
	insts []string
}

func newAliWorld(sc *Scenario, cat *fixtures.Catalog) (World, error) {
	data, ok := sc.Data.(*Ali)
	if !ok {
		return nil, fmt.Errorf("scenario %s: data is %T, want *Ali", sc.Name, sc.Data)
	}
	fs, err := faults.NewSet(data.Faults...)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: aliTenant, SecretKey: "statecheck"})
	e, err := engine.New(engine.Config{Clock: engine.NewManualClock(t0), Executor: engine.ExecutorSimulated, Seed: 7, Timing: BatchTiming, Faults: fs, Tenants: reg})
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	w := &aliWorld{e: e, s: alibatch.New(e, reg, fs), cat: cat, data: data, jobOf: map[string]int{}, names: map[string]string{},
		last: map[string]aliObs{}}
	w.read()
	return w, nil
}

func (w *aliWorld) Close() error { return w.e.Close() }

// call serves one operation through the façade. The body goes through JSON
// as the protocol layer would decode it (numbers as json.Number).
func (w *aliWorld) call(op string, vars map[string]string, body any) (map[string]any, *acs.Error) {
	req := &acs.Request{Op: op, Vars: vars, AccessKeyID: aliTenant}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, &acs.Error{Status: http.StatusBadRequest, Code: "Marshal", Message: err.Error()}
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, &acs.Error{Status: http.StatusBadRequest, Code: "Decode", Message: err.Error()}
		}
		req.Body, req.HasBody, req.Raw = v, true, b
	}
	resp, e := w.s.Handle(context.Background(), req)
	if e != nil {
		return nil, e
	}
	// The body is read as built (maps, slices, numbers), not through JSON:
	// reads are most of the exploration's work.
	out, _ := resp.Body.(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

func aliErr(e *acs.Error) error {
	if e == nil {
		return nil
	}
	return fmt.Errorf("%d %s: %s", e.Status, e.Code, e.Message)
}

func (w *aliWorld) Apply(ev Event) error {
	defer func() { w.dirty = true }()
	job := func() (string, error) {
		if ev.Job < 0 || ev.Job >= len(w.jobs) {
			return "", fmt.Errorf("no job %d", ev.Job)
		}
		return w.jobs[ev.Job], nil
	}
	cluster := func() (string, error) {
		if ev.Env < 0 || ev.Env >= len(w.clusters) {
			return "", fmt.Errorf("no cluster %d", ev.Env)
		}
		return w.clusters[ev.Env], nil
	}
	switch ev.Op {
	case "tick":
		d, ok := w.e.NextDue()
		if !ok {
			return fmt.Errorf("nothing is due")
		}
		return w.e.Advance(d)
	case AliSubmit:
		if ev.N < 0 || ev.N >= len(w.data.Jobs) {
			return fmt.Errorf("no job spec %d", ev.N)
		}
		body := w.bind(w.data.Jobs[ev.N])
		out, e := w.call("CreateJob", nil, body)
		if e != nil {
			return aliErr(e)
		}
		id, _ := out["Id"].(string)
		w.jobOf[id] = len(w.jobs)
		w.jobs = append(w.jobs, id)
		return nil
	case AliCreateCluster:
		if ev.N < 0 || ev.N >= len(w.data.Clusters) {
			return fmt.Errorf("no cluster spec %d", ev.N)
		}
		out, e := w.call("CreateCluster", nil, w.data.Clusters[ev.N])
		if e != nil {
			return aliErr(e)
		}
		id, _ := out["Id"].(string)
		w.clusters = append(w.clusters, id)
		return nil
	case AliStopJob, AliStartJob, AliDeleteJob:
		id, err := job()
		if err != nil {
			return err
		}
		op := map[string]string{AliStopJob: "StopJob", AliStartJob: "StartJob", AliDeleteJob: "DeleteJob"}[ev.Op]
		_, e := w.call(op, map[string]string{"JobId": id}, nil)
		return aliErr(e)
	case AliResizeCluster, AliDeleteCluster, AliDeleteNode, AliRecreateNode:
		id, err := cluster()
		if err != nil {
			return err
		}
		vars := map[string]string{"ClusterId": id, "GroupName": aliGroup}
		switch ev.Op {
		case AliResizeCluster:
			_, e := w.call("ChangeClusterDesiredVMCount", vars, map[string]any{"Groups": map[string]any{aliGroup: map[string]any{"DesiredVMCount": ev.N}}})
			return aliErr(e)
		case AliDeleteCluster:
			_, e := w.call("DeleteCluster", vars, nil)
			return aliErr(e)
		}
		w.fresh() // a cluster instance is named by its place in the latest read
		nodes := w.nodes[ev.Env]
		if ev.Node < 0 || ev.Node >= len(nodes) {
			return fmt.Errorf("no cluster instance %d", ev.Node)
		}
		vars["InstanceId"] = nodes[ev.Node]
		op := map[string]string{AliDeleteNode: "DeleteClusterInstance", AliRecreateNode: "RecreateClusterInstance"}[ev.Op]
		_, e := w.call(op, vars, nil)
		return aliErr(e)
	}
	return fmt.Errorf("unknown event %s", ev)
}

// bind replaces "#k" ClusterId references with the k-th cluster's ID.
func (w *aliWorld) bind(body map[string]any) map[string]any {
	b, _ := json.Marshal(body)
	s := string(b)
	for k := len(w.clusters) - 1; k >= 0; k-- {
		s = strings.ReplaceAll(s, fmt.Sprintf(`"#%d"`, k), fmt.Sprintf("%q", w.clusters[k]))
	}
	out := map[string]any{}
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

// fresh reads the view if an event was applied since the last read.
func (w *aliWorld) fresh() {
	if w.dirty {
		w.read()
	}
}

// read takes the client's view of every job and cluster of the world.
func (w *aliWorld) read() {
	w.dirty = false
	w.view = map[string]aliObs{}
	w.tree = map[int][]aliTask{}
	w.nodes = map[int][]string{}
	w.clState = map[int]string{}
	w.jobState = map[int]string{}
	w.desired = map[int]int{}
	w.canon = nil
	for h, id := range w.jobs {
		j, e := w.call("GetJob", map[string]string{"JobId": id}, nil)
		if e != nil {
			continue // deleted (404)
		}
		name := fmt.Sprintf("job%d", h)
		st, _ := j["State"].(string)
		w.jobState[h] = st
		w.view[name] = aliObs{kind: "job", state: st, job: h}
		ts, e := w.call("ListTasks", map[string]string{"JobId": id}, nil)
		if e != nil {
			continue
		}
		for _, it := range items(ts) {
			tn, _ := it["TaskName"].(string)
			tst, _ := it["State"].(string)
			at := aliTask{name: tn, state: tst}
			w.view[name+"/"+tn] = aliObs{kind: "task", state: tst, job: h}
			is, e := w.call("ListInstances", map[string]string{"JobId": id, "TaskName": tn}, nil)
			if e == nil {
				for _, in := range items(is) {
					ist, _ := in["State"].(string)
					w.view[fmt.Sprintf("%s/%s#%v", name, tn, in["InstanceId"])] = aliObs{kind: "instance", state: ist, job: h}
					at.insts = append(at.insts, ist)
				}
			}
			w.tree[h] = append(w.tree[h], at)
		}
	}
	for h, id := range w.clusters {
		c, e := w.call("GetCluster", map[string]string{"ClusterId": id}, nil)
		if e != nil {
			continue // gone (404)
		}
		name := fmt.Sprintf("cluster%d", h)
		st, _ := c["State"].(string)
		w.clState[h] = st
		w.view[name] = aliObs{kind: "cluster", state: st, job: -1}
		if g, ok := c["Groups"].(map[string]any)[aliGroup].(map[string]any); ok {
			d, _ := g["DesiredVMCount"].(int)
			w.desired[h] = d
		}
		ns, e := w.call("ListClusterInstances", map[string]string{"ClusterId": id, "GroupName": aliGroup}, nil)
		if e != nil {
			continue
		}
		line := name + ":"
		for _, n := range items(ns) {
			nid, _ := n["Id"].(string)
			nst, _ := n["State"].(string)
			line += nst + ","
			w.view[name+"/"+w.name(nid)] = aliObs{kind: "cluster-instance", state: nst, job: -1}
			if nst != "Deleted" {
				w.nodes[h] = append(w.nodes[h], nid)
			}
		}
		w.canon = append(w.canon, line)
	}
}

// items is a list body's Items, whatever slice type the façade built.
func items(m map[string]any) []map[string]any {
	switch l := m["Items"].(type) {
	case []map[string]any:
		return l
	case []any:
		out := make([]map[string]any, 0, len(l))
		for _, x := range l {
			if o, ok := x.(map[string]any); ok {
				out = append(out, o)
			}
		}
		return out
	}
	return nil
}

func (w *aliWorld) name(id string) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	n := fmt.Sprintf("vm%d", len(w.names))
	w.names[id] = n
	return n
}

// Key: the engine's canonical state, the client's view, and the façade's
// own state (a cluster's Deleting flag shows in the view).
func (w *aliWorld) Key() string {
	w.fresh()
	var b strings.Builder
	b.WriteString(w.e.Abstract().Key())
	ks := make([]string, 0, len(w.view))
	for k := range w.view {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		if w.view[k].kind != "cluster-instance" {
			fmt.Fprintf(&b, "|%s=%s", k, w.view[k].state)
		}
	}
	for _, l := range w.canon {
		fmt.Fprintf(&b, "|%s", l)
	}
	return b.String()
}

func (w *aliWorld) has(op string) bool { return slices.Contains(w.data.Ops, op) }

func (w *aliWorld) Enabled() []Event {
	w.fresh()
	var out []Event
	if _, ok := w.e.NextDue(); ok {
		out = append(out, Event{Op: "tick"})
	}
	if w.has(AliSubmit) && len(w.jobs) < len(w.data.Jobs) {
		out = append(out, Event{Op: AliSubmit, N: len(w.jobs)})
	}
	for h := range w.jobs {
		if _, live := w.jobState[h]; !live {
			continue
		}
		for _, op := range []string{AliStopJob, AliStartJob, AliDeleteJob} {
			if w.has(op) {
				out = append(out, Event{Op: op, Job: h})
			}
		}
	}
	for h := range w.clusters {
		if _, live := w.clState[h]; !live {
			continue
		}
		if w.has(AliResizeCluster) {
			desired := w.desired[h]
			for _, d := range []int{desired - 1, desired + 1} {
				if d >= 0 && d <= w.data.MaxDesired {
					out = append(out, Event{Op: AliResizeCluster, Env: h, N: d})
				}
			}
		}
		for _, op := range []string{AliDeleteNode, AliRecreateNode} {
			if w.has(op) {
				for k := range w.nodes[h] {
					out = append(out, Event{Op: op, Env: h, Node: k})
				}
			}
		}
		if w.has(AliDeleteCluster) {
			out = append(out, Event{Op: AliDeleteCluster, Env: h})
		}
	}
	return out
}

// Changes: the differences between this read and the previous call's.
func (w *aliWorld) Changes() []Change {
	w.fresh()
	var out []Change
	ks := make([]string, 0, len(w.view)+len(w.last))
	for k := range w.view {
		ks = append(ks, k)
	}
	for k := range w.last {
		if _, ok := w.view[k]; !ok {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	for _, k := range ks {
		now, live := w.view[k]
		was, existed := w.last[k]
		if !live && existed && was.kind == "cluster-instance" && (was.state == "Deleting" || was.state == "Deleted") {
			if parent, _, _ := strings.Cut(k, "/"); w.last[parent].state != "" && w.view[parent].state == "" {
				// The cluster went (404) with its instances: a deleted
				// cluster lists nothing (reference §A.4), so an instance
				// already Deleting ends with it. One still Running or
				// Starting when its cluster vanished is judged below.
				continue
			}
		}
		switch {
		case live && !existed:
			out = append(out, Change{Kind: now.kind, Entity: k, To: now.state, Job: now.job})
		case !live && existed:
			out = append(out, Change{Kind: was.kind, Entity: k, From: was.state, To: "(gone)", Job: was.job})
		case now.state != was.state:
			out = append(out, Change{Kind: now.kind, Entity: k, From: was.state, To: now.state, Job: now.job})
		}
	}
	w.last = w.view
	return out
}

func (w *aliWorld) RetryPending() map[int]bool {
	out := map[int]bool{}
	for _, j := range w.e.Abstract().Jobs {
		if h, ok := w.jobOf[j.ID]; ok && j.RetryPending {
			out[h] = true
		}
	}
	return out
}

// Expect: the actions reference §A.7 documents per job state — StopJob only
// from Waiting or Running, StartJob only from Stopped or Failed, DeleteJob
// only from Stopped, Finished or Failed (409 otherwise); DeleteCluster of a
// cluster already Deleting is refused. A job whose accepted StartJob waits
// for its reset is not judged (it shows its old state until the reset).
func (w *aliWorld) Expect(ev Event) (bool, string, bool) {
	w.fresh()
	switch ev.Op {
	case AliStopJob, AliStartJob, AliDeleteJob:
		st, live := w.jobState[ev.Job]
		if !live || w.RetryPending()[ev.Job] {
			return false, "", false
		}
		allowed := map[string][]string{
			AliStopJob:   {alibatch.Waiting, alibatch.Running},
			AliStartJob:  {alibatch.Stopped, alibatch.Failed},
			AliDeleteJob: {alibatch.Stopped, alibatch.Finished, alibatch.Failed},
		}[ev.Op]
		return slices.Contains(allowed, st), fmt.Sprintf("reference §A.7: %s only from %s; the job is %s", ev.Op, strings.Join(allowed, "/"), st), true
	case AliDeleteCluster:
		st, live := w.clState[ev.Env]
		if !live {
			return false, "", false
		}
		return st == "Active", "DeleteCluster of an Active cluster (Deleting: 409); the cluster is " + st, true
	}
	return false, "", false
}

// Check: the documented aggregation of a job's and a task's state from its
// children (reference §A.7, emulator/alibatch's translation): a Waiting
// parent has no Running child (a child that finished before a StartJob is
// kept Finished, so Waiting does not mean every child waits); a parent that has
// ended (Finished, Failed, Stopped) has only ended children; a Finished
// parent has only Finished children; a Stopped parent has a Stopped child
// and a Failed one a Failed child (something failed: a job a StopJob ended
// is not Failed, which the catalog's Waiting -> Failed alone would allow).
func (w *aliWorld) Check() []Problem {
	w.fresh()
	var out []Problem
	check := func(what, parent string, children []string) {
		ended := func(s string) bool {
			return s == alibatch.Finished || s == alibatch.Failed || s == alibatch.Stopped
		}
		for _, c := range children {
			switch {
			case parent == alibatch.Waiting && c == alibatch.Running:
				out = append(out, Problem{"ali-aggregate waiting " + c, fmt.Sprintf("%s is Waiting while a child is %s (children %v)", what, c, children)})
			case ended(parent) && !ended(c):
				out = append(out, Problem{"ali-aggregate ended " + parent + " " + c, fmt.Sprintf("%s is %s while a child is still %s (children %v)", what, parent, c, children)})
			case parent == alibatch.Finished && c != alibatch.Finished:
				out = append(out, Problem{"ali-aggregate finished " + c, fmt.Sprintf("%s is Finished while a child is %s (children %v)", what, c, children)})
			}
		}
		if parent == alibatch.Stopped && !slices.Contains(children, alibatch.Stopped) {
			out = append(out, Problem{"ali-aggregate stopped", fmt.Sprintf("%s is Stopped but no child is (children %v)", what, children)})
		}
		if parent == alibatch.Failed && !slices.Contains(children, alibatch.Failed) {
			out = append(out, Problem{"ali-aggregate failed", fmt.Sprintf("%s is Failed but no child is (children %v)", what, children)})
		}
	}
	for h, ts := range w.tree {
		var states []string
		for _, t := range ts {
			states = append(states, t.state)
			check(fmt.Sprintf("task job%d/%s", h, t.name), t.state, t.insts)
		}
		check(fmt.Sprintf("job job%d", h), w.jobState[h], states)
	}
	return out
}

// aliTask builds a CreateJob task description: cmd follows engine.Simulate
// (`exit N`, `sleep S`); on is "" for an AutoCluster task or "#k" for the
// scenario's k-th cluster.
func aliTaskDesc(cmd, on string, instances, retries int) map[string]any {
	t := map[string]any{"InstanceCount": instances, "MaxRetryCount": retries, "Timeout": 600,
		"Parameters": map[string]any{"Command": map[string]any{"CommandLine": cmd, "PackagePath": ""},
			"StdoutRedirectPath": "oss://bucket/logs/", "StderrRedirectPath": "oss://bucket/logs/"}}
	if on == "" {
		t["AutoCluster"] = map[string]any{"InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu"}
	} else {
		t["ClusterId"] = on
	}
	return t
}

// aliJob builds a CreateJob body; deps maps a task to the tasks that run
// after it (the documented DAG.Dependencies).
func aliJob(name string, failOnInstanceFail bool, tasks map[string]any, deps map[string][]string) map[string]any {
	d := map[string]any{}
	for k, v := range deps {
		d[k] = v
	}
	return map[string]any{"Name": name, "Type": "DAG", "Priority": 1, "JobFailOnInstanceFail": failOnInstanceFail,
		"DAG": map[string]any{"Tasks": tasks, "Dependencies": d}}
}

func aliCluster(name string, desired int) map[string]any {
	return map[string]any{"Name": name, "ImageId": "img-ubuntu", "InstanceType": "ecs.sn1ne.large",
		"Groups": map[string]any{aliGroup: map[string]any{"DesiredVMCount": desired, "ResourceType": "OnDemand", "InstanceType": "ecs.sn1ne.large"}}}
}

var aliJobOps = []string{AliStopJob, AliStartJob, AliDeleteJob}

// AliScenarios is the table of bounded Alibaba worlds: jobs on AutoCluster
// and on a cluster, DAGs whose upstream fails, retries, StopJob, StartJob and
// DeleteJob in every order, and a cluster's instances created, resized,
// deleted and recreated. The depths are those of `make test`.
func AliScenarios() []Scenario {
	return []Scenario{
		{
			// A DAG a -> b whose a fails (JobFailOnInstanceFail): b fails
			// unrun, the job fails; StartJob runs it again; StopJob while
			// Waiting or Running.
			Name:  "ali-dag-fail",
			Setup: []Event{{Op: AliSubmit, N: 0}},
			Depth: 10,
			Data: &Ali{Ops: aliJobOps, Jobs: []map[string]any{
				aliJob("dagfail", true, map[string]any{"a": aliTaskDesc("exit 1", "", 1, 0), "b": aliTaskDesc("echo b", "", 1, 0)}, map[string][]string{"a": {"b"}})}},
		},
		{
			// Two instances that succeed after a retry wait of one: the
			// task and job stay Running through the retry and finish.
			Name:  "ali-retry-finish",
			Setup: []Event{{Op: AliSubmit, N: 0}},
			Depth: 10,
			Data: &Ali{Ops: aliJobOps, Jobs: []map[string]any{
				aliJob("retry", false, map[string]any{"m": aliTaskDesc("sleep 1", "", 2, 1), "n": aliTaskDesc("exit 2", "", 1, 1)}, nil)}},
		},
		{
			// A job on a one-VM cluster while the cluster's instances are
			// resized, deleted and recreated, and the cluster deleted.
			Name:  "ali-cluster",
			Setup: []Event{{Op: AliCreateCluster, N: 0}, {Op: AliSubmit, N: 0}},
			Depth: 7,
			Data: &Ali{MaxDesired: 2, Ops: []string{AliStopJob, AliDeleteJob, AliResizeCluster, AliDeleteNode, AliRecreateNode, AliDeleteCluster},
				Clusters: []map[string]any{aliCluster("c0", 1)},
				Jobs:     []map[string]any{aliJob("oncluster", false, map[string]any{"a": aliTaskDesc("echo a", "#0", 1, 0)}, nil)}},
		},
	}
}
