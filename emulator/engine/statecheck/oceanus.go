package statecheck

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/oceanus"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
)

// The Oceanus model drives the Oceanus façade (emulator/oceanus) in process
// through its Handle, on a manual clock, and reads every job's Status back
// with DescribeJobs after every event, as a client would. Its hidden state
// (scheduled status changes, config versions, the fail convention) comes
// from Service.Abstract, so two states that look alike but will move apart
// are not merged. A tick moves the clock to the next scheduled change.

// Actions of the Oceanus model (each on one job, by handle).
const (
	OceSubmit = "submit"     // CreateJob (the scenario's N-th name)
	OceConfig = "config"     // CreateJobConfig: N 0 a plain SQL config, 1 one marked to fail (oceanus.FailMarker)
	OceRun    = "run"        // RunJobs RunType 1
	OceResume = "resume"     // RunJobs RunType 2
	OceStop   = "stop"       // StopJobs StopType 1
	OcePause  = "pause"      // StopJobs StopType 2
	OceDelete = "delete-job" // DeleteJobs
	OceCopy   = "copy"       // CopyJobs (a new job, handle appended)
	oceTenant = "T"
	oceRegion = "ap-guangzhou"
)

// OceanusTiming: every documented transitional state lasts whole seconds,
// and a failing run fails a different time after it started than the
// operation takes, so the two interleave.
var OceanusTiming = oceanus.Timing{Operation: time.Second, FailAfter: 2 * time.Second, ResourceSync: time.Second, Savepoint: time.Second, ClusterOp: time.Second}

// Oce is the data of an Oceanus scenario.
type Oce struct {
	// Jobs bounds how many jobs a scenario may hold (CreateJob and
	// CopyJobs together).
	Jobs int
	// Configs bounds the CreateJobConfig calls per job (default 2: a
	// plain and a failing version are enough to reach every status).
	Configs int
	Ops     []string
	Faults  []string
}

// NewOceanusModel is Oceanus' job machine against its catalog. The catalog
// documents no terminal status; reference §B.3 refuses DeleteJobs only in 3
// and 4, so a deletion may leave any other status.
func NewOceanusModel(cat *fixtures.Catalog, scenarios []Scenario) *Model {
	return &Model{Dialect: "oceanus", Catalog: cat, Machine: map[string]string{"job": "job"}, Gone: "(deleted)", Retry: OceRun,
		Deletable: map[string][]string{"job": {"1", "2", "5", "6", "-1"}},
		New:       func(sc *Scenario) (World, error) { return newOceWorld(sc, cat) }, Scenarios: scenarios}
}

// manualClock is the façade's clock: it moves only on a tick.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seqIDs makes IDs in creation order (prefix + 8 digits), so replay is
// deterministic and IDs sort by creation.
type seqIDs struct {
	mu sync.Mutex
	n  int
}

func (g *seqIDs) NewID(prefix string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return fmt.Sprintf("%s%08d", prefix, g.n)
}

type oceWorld struct {
	s      *oceanus.Service
	clock  *manualClock
	data   *Oce
	jobs   []string       // job IDs by handle
	cfgs   map[int]int    // handle -> configs created (bounded by Oce.Configs)
	status map[int]string // handle -> Status as read (absent: gone)
	last   map[int]string
	dirty  bool // an event was applied since the last read (reads are lazy, as in the Alibaba model)
}

func newOceWorld(sc *Scenario, cat *fixtures.Catalog) (World, error) {
	data, ok := sc.Data.(*Oce)
	if !ok {
		return nil, fmt.Errorf("scenario %s: data is %T, want *Oce", sc.Name, sc.Data)
	}
	fs, err := faults.NewSet(data.Faults...)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	reg := tenants.NewRegistry(tenants.Tenant{SecretID: oceTenant, SecretKey: "statecheck"})
	clock := &manualClock{t: t0}
	s := oceanus.New(oceanus.Config{Catalog: cat, Clock: clock, IDs: &seqIDs{}, Tenants: reg, Faults: fs, Timing: OceanusTiming})
	w := &oceWorld{s: s, clock: clock, data: data, status: map[int]string{}, last: map[int]string{}, cfgs: map[int]int{}}
	// The account is seeded on its first request.
	if _, err := w.call("DescribeJobs", map[string]any{}); err != nil {
		return nil, fmt.Errorf("scenario %s: seed: %w", sc.Name, err)
	}
	return w, nil
}

func (w *oceWorld) Close() error { return nil }

func (w *oceWorld) call(action string, params map[string]any) (map[string]any, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	resp, e := w.s.Handle(context.Background(), &api3.Request{Action: action, Version: "2019-04-22", Region: oceRegion, SecretID: oceTenant,
		Params: params, Body: body, Method: "POST"})
	if e != nil {
		return nil, fmt.Errorf("%s: %s: %s", action, e.Code, e.Message)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("%s: response: %w", action, err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: response: %w", action, err)
	}
	return out, nil
}

func (w *oceWorld) Apply(ev Event) error {
	defer func() { w.dirty = true }()
	if ev.Op == "tick" {
		d, ok := w.s.NextDue(oceTenant)
		if !ok {
			return fmt.Errorf("nothing is due")
		}
		w.clock.add(d)
		return nil
	}
	if ev.Op == OceSubmit {
		out, err := w.call("CreateJob", map[string]any{"Name": fmt.Sprintf("job%d", ev.N), "JobType": 1, "ClusterType": 1, "CuMem": 4})
		if err != nil {
			return err
		}
		w.jobs = append(w.jobs, fmt.Sprint(out["JobId"]))
		return nil
	}
	if ev.Job < 0 || ev.Job >= len(w.jobs) {
		return fmt.Errorf("no job %d", ev.Job)
	}
	id := w.jobs[ev.Job]
	var err error
	switch ev.Op {
	case OceConfig:
		args := ""
		if ev.N == 1 {
			args = oceanus.FailMarker
		}
		if _, err = w.call("CreateJobConfig", map[string]any{"JobId": id, "ProgramArgs": args}); err == nil {
			w.cfgs[ev.Job]++
		}
	case OceRun, OceResume:
		rt := map[string]int{OceRun: 1, OceResume: 2}[ev.Op]
		_, err = w.call("RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": id, "RunType": rt}}})
	case OceStop, OcePause:
		st := map[string]int{OceStop: 1, OcePause: 2}[ev.Op]
		_, err = w.call("StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": id, "StopType": st}}})
	case OceDelete:
		_, err = w.call("DeleteJobs", map[string]any{"JobIds": []any{id}})
	case OceCopy:
		var out map[string]any
		out, err = w.call("CopyJobs", map[string]any{"JobItems": []any{map[string]any{"SourceId": id, "TargetName": fmt.Sprintf("copy%d", len(w.jobs))}}})
		if err == nil {
			rs, _ := out["CopyJobsResults"].([]any)
			if len(rs) != 1 {
				return fmt.Errorf("CopyJobs: %d results", len(rs))
			}
			r, _ := rs[0].(map[string]any)
			tid, _ := r["TargetJobId"].(string)
			if tid == "" {
				return fmt.Errorf("CopyJobs: not copied: %v", r["Message"])
			}
			w.jobs = append(w.jobs, tid)
		}
	default:
		return fmt.Errorf("unknown event %s", ev)
	}
	return err
}

func (w *oceWorld) fresh() {
	if w.dirty {
		w.read()
	}
}

// read takes every job's Status from DescribeJobs.
func (w *oceWorld) read() {
	w.dirty = false
	w.status = map[int]string{}
	out, err := w.call("DescribeJobs", map[string]any{"Limit": 100})
	if err != nil {
		return
	}
	byID := map[string]string{}
	set, _ := out["JobSet"].([]any)
	for _, x := range set {
		j, _ := x.(map[string]any)
		id, _ := j["JobId"].(string)
		st, _ := j["Status"].(float64)
		byID[id] = strconv.Itoa(int(st))
	}
	for h, id := range w.jobs {
		if st, ok := byID[id]; ok {
			w.status[h] = st
		}
	}
}

func (w *oceWorld) Key() string {
	w.fresh()
	var b strings.Builder
	b.WriteString(w.s.Abstract(oceTenant))
	hs := make([]int, 0, len(w.status))
	for h := range w.status {
		hs = append(hs, h)
	}
	sort.Ints(hs)
	for _, h := range hs {
		fmt.Fprintf(&b, "|%d=%s", h, w.status[h])
	}
	return b.String()
}

func (w *oceWorld) has(op string) bool { return slices.Contains(w.data.Ops, op) }

func (w *oceWorld) Enabled() []Event {
	w.fresh()
	var out []Event
	if _, ok := w.s.NextDue(oceTenant); ok {
		out = append(out, Event{Op: "tick"})
	}
	if w.has(OceSubmit) && len(w.jobs) < w.data.Jobs {
		out = append(out, Event{Op: OceSubmit, N: len(w.jobs)})
	}
	for h := range w.jobs {
		if _, live := w.status[h]; !live {
			continue
		}
		for _, op := range []string{OceRun, OceResume, OceStop, OcePause, OceDelete} {
			if w.has(op) {
				out = append(out, Event{Op: op, Job: h})
			}
		}
		if w.has(OceConfig) && w.cfgs[h] < max(w.data.Configs, 2) {
			out = append(out, Event{Op: OceConfig, Job: h, N: 0}, Event{Op: OceConfig, Job: h, N: 1})
		}
		if w.has(OceCopy) && len(w.jobs) < w.data.Jobs {
			out = append(out, Event{Op: OceCopy, Job: h})
		}
	}
	return out
}

func (w *oceWorld) Changes() []Change {
	w.fresh()
	var out []Change
	n := len(w.jobs)
	for h := 0; h < n; h++ {
		now, live := w.status[h]
		was, existed := w.last[h]
		name := fmt.Sprintf("job%d", h)
		switch {
		case live && !existed:
			out = append(out, Change{Kind: "job", Entity: name, To: now, Job: h})
		case !live && existed:
			out = append(out, Change{Kind: "job", Entity: name, From: was, To: "(deleted)", Job: h})
		case live && now != was:
			out = append(out, Change{Kind: "job", Entity: name, From: was, To: now, Job: h})
		}
	}
	w.last = w.status
	return out
}

func (w *oceWorld) RetryPending() map[int]bool { return nil }

// Expect: reference §B.3 — RunJobs RunType 1 from 2, 5 or -1; RunType 2
// from 6; StopJobs StopType 1 from 4 or 6, StopType 2 from 4; DeleteJobs
// refused in 3 and 4; CreateJobConfig in every status.
func (w *oceWorld) Expect(ev Event) (bool, string, bool) {
	w.fresh()
	st, live := w.status[ev.Job]
	if !live {
		return false, "", false
	}
	allowed := map[string][]string{
		OceRun:    {"2", "5", "-1"},
		OceResume: {"6"},
		OceStop:   {"4", "6"},
		OcePause:  {"4"},
		OceDelete: {"1", "2", "5", "6", "-1"},
		OceConfig: {"1", "2", "3", "4", "5", "6", "-1"},
	}[ev.Op]
	if allowed == nil {
		return false, "", false
	}
	return slices.Contains(allowed, st), fmt.Sprintf("reference §B.3: %s from %s; the job is %s", ev.Op, strings.Join(allowed, ","), st), true
}

// Check: Oceanus jobs have no children to aggregate; nothing beyond the
// transitions.
func (w *oceWorld) Check() []Problem { return nil }

// OceanusScenarios: one job through every status with every action in
// every order, a failing config, and a copy of a configured job. The
// depths are those of `make test`.
func OceanusScenarios() []Scenario {
	all := []string{OceConfig, OceRun, OceResume, OceStop, OcePause, OceDelete}
	return []Scenario{
		{
			// One job: configs (plain or failing), run, pause, resume,
			// stop, delete, in every order with the clock.
			Name:  "oceanus-lifecycle",
			Setup: []Event{{Op: OceSubmit, N: 0}},
			Depth: 11,
			Data:  &Oce{Jobs: 1, Ops: all},
		},
		{
			// A configured job copied: the copy starts with the source's
			// config.
			Name:  "oceanus-copy",
			Setup: []Event{{Op: OceSubmit, N: 0}, {Op: OceConfig, Job: 0}},
			Depth: 5,
			Data:  &Oce{Jobs: 2, Ops: []string{OceCopy, OceRun, OceStop, OceDelete}},
		},
	}
}
