package statecheck

import (
	"fmt"
	"slices"
	"time"

	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/fixtures"
)

// Batch is the data of a scenario of the batch engine: the jobs that may be
// submitted (in order, one "submit" event each) and the environments of its
// setup, and which actions to explore. The engine runs on a manual clock with
// the simulated executor, so commands follow engine.Simulate (`exit N`,
// `sleep S`).
type Batch struct {
	Jobs []engine.JobSpec
	Envs []engine.EnvSpec
	// Ops are the actions explored besides "tick" (see the Op constants).
	Ops []string
	// MaxDesired bounds ModifyEnv's DesiredNodes.
	MaxDesired int
	// Faults switches on named emulator faults (to prove the check has teeth).
	Faults []string
}

// Actions of the batch engine.
const (
	OpSubmit            = "submit"
	OpCreateEnv         = "create-env"
	OpTerminateJob      = "terminate-job"
	OpRetry             = "retry"
	OpDeleteJob         = "delete-job"
	OpTerminateInstance = "terminate-instance"
	OpModifyEnv         = "modify-env"
	OpTerminateNode     = "terminate-node"
	OpAttach            = "attach"
	OpDetach            = "detach"
	OpDeleteEnv         = "delete-env"
)

// BatchTiming are the durations of the explored engine: all multiples of one
// second, so every due instant is a whole number of seconds and the abstract
// state (times relative to now) stays finite. NodeBoot differs from Hold so
// the two kinds of wait interleave.
var BatchTiming = engine.Timing{Hold: time.Second, NodeBoot: 2 * time.Second, RetryWait: time.Second}

// attachID is the CVM instance the attach/detach events use.
const attachID = "ins-attached0"

// BatchKinds maps the engine's change kinds to catalog machines.
var BatchKinds = map[string]string{
	"job": "job", "task": "task", "task-instance": "task-instance",
	"node": "compute-node", "activity": "activity",
	"env": "", // the environment has no documented state machine
}

// NewBatchModel is the batch engine's model against catalog cat (Tencent
// Batch; the Alibaba façade reuses the same engine and can reuse the model
// with its own catalog and kind mapping).
func NewBatchModel(dialect string, cat *fixtures.Catalog, scenarios []Scenario) *Model {
	return &Model{Dialect: dialect, Catalog: cat, Machine: BatchKinds, Gone: "DELETED", Retry: OpRetry,
		New: func(sc *Scenario) (World, error) { return newBatchWorld(sc, cat) }, Scenarios: scenarios}
}

type batchWorld struct {
	e      *engine.Engine
	cat    *fixtures.Catalog
	data   *Batch
	jobs   []string
	envs   []string
	after  int64
	names  map[string]string // node and activity IDs -> readable names
	attach map[int]bool      // env handle -> attachID attached
	jobOf  map[string]int
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newBatchWorld(sc *Scenario, cat *fixtures.Catalog) (World, error) {
	data, ok := sc.Data.(*Batch)
	if !ok {
		return nil, fmt.Errorf("scenario %s: data is %T, want *Batch", sc.Name, sc.Data)
	}
	fs, err := faults.NewSet(data.Faults...)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	e, err := engine.New(engine.Config{Clock: engine.NewManualClock(t0), Executor: engine.ExecutorSimulated, Seed: 7, Timing: BatchTiming, Faults: fs})
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return &batchWorld{e: e, data: data, cat: cat, names: map[string]string{}, attach: map[int]bool{}, jobOf: map[string]int{}}, nil
}

func (w *batchWorld) Close() error { return w.e.Close() }

func (w *batchWorld) Key() string { return w.e.Abstract().Key() }

func (w *batchWorld) job(h int) (string, error) {
	if h < 0 || h >= len(w.jobs) {
		return "", fmt.Errorf("no job %d", h)
	}
	return w.jobs[h], nil
}

func (w *batchWorld) env(h int) (string, error) {
	if h < 0 || h >= len(w.envs) {
		return "", fmt.Errorf("no env %d", h)
	}
	return w.envs[h], nil
}

func (w *batchWorld) Apply(ev Event) error {
	e := w.e
	switch ev.Op {
	case "tick":
		d, ok := e.NextDue()
		if !ok {
			return fmt.Errorf("nothing is due")
		}
		return e.Advance(d)
	case OpSubmit:
		if ev.N < 0 || ev.N >= len(w.data.Jobs) {
			return fmt.Errorf("no job spec %d", ev.N)
		}
		spec := w.data.Jobs[ev.N]
		spec.Tenant = "T"
		spec.Tasks = slices.Clone(spec.Tasks)
		for i := range spec.Tasks {
			if k := spec.Tasks[i].EnvID; k != "" {
				// "#k" names the scenario's k-th env.
				var h int
				if _, err := fmt.Sscanf(k, "#%d", &h); err == nil {
					id, err := w.env(h)
					if err != nil {
						return err
					}
					spec.Tasks[i].EnvID = id
				}
			}
		}
		id, err := e.SubmitJob(spec)
		if err != nil {
			return err
		}
		w.jobOf[id] = len(w.jobs)
		w.jobs = append(w.jobs, id)
		return nil
	case OpCreateEnv:
		if ev.N < 0 || ev.N >= len(w.data.Envs) {
			return fmt.Errorf("no env spec %d", ev.N)
		}
		spec := w.data.Envs[ev.N]
		spec.Tenant = "T"
		id, err := e.CreateEnv(spec)
		if err != nil {
			return err
		}
		w.envs = append(w.envs, id)
		return nil
	case OpTerminateJob, OpRetry, OpDeleteJob, OpTerminateInstance:
		id, err := w.job(ev.Job)
		if err != nil {
			return err
		}
		switch ev.Op {
		case OpTerminateJob:
			return e.TerminateJob("T", id)
		case OpRetry:
			return e.RetryJobs("T", []string{id})
		case OpDeleteJob:
			return e.DeleteJob("T", id)
		default:
			return e.TerminateTaskInstance("T", id, ev.Task, ev.Index)
		}
	case OpModifyEnv, OpTerminateNode, OpAttach, OpDetach, OpDeleteEnv:
		id, err := w.env(ev.Env)
		if err != nil {
			return err
		}
		switch ev.Op {
		case OpModifyEnv:
			n := ev.N
			return e.ModifyEnv("T", id, engine.EnvModify{DesiredNodes: &n})
		case OpTerminateNode:
			en, err := e.Env("T", id)
			if err != nil {
				return err
			}
			if ev.Node < 0 || ev.Node >= len(en.Nodes) {
				return fmt.Errorf("no node %d", ev.Node)
			}
			return e.TerminateNodes("T", id, []string{en.Nodes[ev.Node].ID})
		case OpAttach:
			if err := e.AttachInstances("T", id, []engine.Instance{{InstanceID: attachID}}); err != nil {
				return err
			}
			w.attach[ev.Env] = true
			return nil
		case OpDetach:
			return e.DetachInstances("T", id, []string{attachID})
		default:
			return e.DeleteEnv("T", id)
		}
	}
	return fmt.Errorf("unknown event %s", ev)
}

func (w *batchWorld) has(op string) bool { return slices.Contains(w.data.Ops, op) }

func (w *batchWorld) Enabled() []Event {
	var out []Event
	if _, ok := w.e.NextDue(); ok {
		out = append(out, Event{Op: "tick"})
	}
	if w.has(OpSubmit) && len(w.jobs) < len(w.data.Jobs) {
		out = append(out, Event{Op: OpSubmit, N: len(w.jobs)})
	}
	for h, id := range w.jobs {
		j, err := w.e.Job("T", id)
		if err != nil {
			continue // deleted
		}
		for _, op := range []string{OpTerminateJob, OpRetry, OpDeleteJob} {
			if w.has(op) {
				out = append(out, Event{Op: op, Job: h})
			}
		}
		if w.has(OpTerminateInstance) {
			for _, t := range j.Tasks {
				for _, in := range t.Instances {
					out = append(out, Event{Op: OpTerminateInstance, Job: h, Task: t.Name, Index: in.Index})
				}
			}
		}
	}
	for h, id := range w.envs {
		en, err := w.e.Env("T", id)
		if err != nil {
			continue // deleted
		}
		if w.has(OpModifyEnv) {
			for _, d := range []int{en.Desired - 1, en.Desired + 1} {
				if d >= 0 && d <= w.data.MaxDesired {
					out = append(out, Event{Op: OpModifyEnv, Env: h, N: d})
				}
			}
		}
		if w.has(OpTerminateNode) {
			for k := range en.Nodes {
				out = append(out, Event{Op: OpTerminateNode, Env: h, Node: k})
			}
		}
		if w.has(OpAttach) && !w.attach[h] {
			out = append(out, Event{Op: OpAttach, Env: h})
		}
		if w.has(OpDetach) && w.attach[h] {
			out = append(out, Event{Op: OpDetach, Env: h})
		}
		if w.has(OpDeleteEnv) && en.NextAction == "" {
			out = append(out, Event{Op: OpDeleteEnv, Env: h})
		}
	}
	return out
}

func (w *batchWorld) name(id, prefix string) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	n := fmt.Sprintf("%s%d", prefix, len(w.names))
	w.names[id] = n
	return n
}

func (w *batchWorld) Changes() []Change {
	var out []Change
	for _, c := range w.e.Changes(w.after) {
		w.after = c.Seq
		ch := Change{Kind: c.Kind, From: c.From, To: c.To, Job: -1}
		switch c.Kind {
		case "job", "task", "task-instance":
			h, ok := w.jobOf[c.ID]
			if !ok {
				h = len(w.jobs) // created by the call in progress (SubmitJob returns after its changes)
			}
			ch.Job = h
			ch.Entity = fmt.Sprintf("job%d", h)
			if c.Task != "" {
				ch.Entity += "/" + c.Task
			}
			if c.Index != nil {
				ch.Entity += fmt.Sprintf("#%d", *c.Index)
			}
		case "node":
			ch.Entity = w.name(c.ID, "node")
		case "activity":
			ch.Entity = w.name(c.ID, "activity")
		default:
			ch.Entity = c.ID
		}
		out = append(out, ch)
	}
	return out
}

func (w *batchWorld) RetryPending() map[int]bool {
	out := map[int]bool{}
	for _, j := range w.e.Abstract().Jobs {
		if h, ok := w.jobOf[j.ID]; ok && j.RetryPending {
			out[h] = true
		}
	}
	return out
}

// Check: a job's and a task's shown state agree with their children's under
// the documented aggregation (Aggregate): a terminal one always equals it,
// and one that differs is due to move unless the catalog gives it no path
// toward its target.
func (w *batchWorld) Check() []Problem {
	a := w.e.Abstract()
	var out []Problem
	jm, _ := w.cat.Machine("job")
	tm, _ := w.cat.Machine("task")
	for _, j := range a.Jobs {
		var ts []string
		for _, t := range j.Tasks {
			ts = append(ts, t.State)
			target := Aggregate(t.Instances)
			if p := disagreement(tm, t.State, target, t.Queued); p != "" {
				out = append(out, Problem{"aggregate task " + t.State + " " + target, fmt.Sprintf("task job%d/%s is %s while its instances %v aggregate to %s: %s", w.jobOf[j.ID], t.Name, t.State, t.Instances, target, p)})
			}
		}
		target := Aggregate(ts)
		if p := disagreement(jm, j.State, target, j.Queued || j.RetryPending); p != "" {
			out = append(out, Problem{"aggregate job " + j.State + " " + target, fmt.Sprintf("job job%d is %s while its tasks %v aggregate to %s: %s", w.jobOf[j.ID], j.State, ts, target, p)})
		}
	}
	return out
}
