package fuzz

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// The stateful model: what the docs promise about sequences of operations.
// Operations take their arguments from opArgs (drawn by rapid, or read from
// a replay file), and refer to resources by their creation index, so a
// sequence replays on a fresh endpoint whose IDs differ.

type opArgs struct {
	Idx     int      `json:"idx,omitempty"`
	Name    string   `json:"name,omitempty"`
	Token   string   `json:"client_token,omitempty"`
	Cmds    []string `json:"cmds,omitempty"`
	Inst    int      `json:"inst,omitempty"`
	Desired int64    `json:"desired,omitempty"`
	Limit   int      `json:"limit,omitempty"`
	Ms      int64    `json:"ms,omitempty"`
	Task    int      `json:"task,omitempty"`
}

type obs struct {
	state   string
	at      time.Duration
	lenient bool // an operation (terminate, retry) moved it: any documented path
}

type resource struct {
	id, name  string
	desired   int64
	deleted   bool
	deletedAt time.Duration // model time of the accepted delete
	tasks     []string
	inst      int
	retried   bool
	obs       map[string]*obs
}

type model struct {
	s         *Suite
	t         *Target
	rec       *Recorder
	envs      []*resource
	jobs      []*resource
	tmpls     []*resource
	ids       map[string]bool
	tokens    map[string]string // kind|token -> ID
	tokenBody map[string]string
	now       time.Duration
	ops       int64
	sent      []Sent // requests of the current operation
	// tokenPrefix makes ClientTokens unique to this sequence on a shared
	// endpoint (a token of an earlier sequence names its resource).
	tokenPrefix string
	machines    map[string]*fixtures.Machine
}

func newModel(s *Suite, t *Target, rec *Recorder) *model {
	m := &model{s: s, t: t, rec: rec, ids: map[string]bool{}, tokens: map[string]string{}, tokenBody: map[string]string{},
		machines: map[string]*fixtures.Machine{}}
	for i := range s.Cat.Machines {
		m.machines[s.Cat.Machines[i].Name] = &s.Cat.Machines[i]
	}
	if !t.Private {
		var b [4]byte
		_, _ = rand.Read(b[:])
		m.tokenPrefix = hex.EncodeToString(b[:]) + "-"
	}
	return m
}

func (m *model) requests() int64 { return m.ops }
func (m *model) takeSent() []Sent {
	s := m.sent
	m.sent = nil
	return s
}

func (m *model) fail(detail, f string, a ...any) *PropError {
	return &PropError{Item: m.s.ItemModel(detail), Msg: fmt.Sprintf(f, a...)}
}

// send sends a request and checks the envelope; a nil envelope comes with a PropError.
func (m *model) send(action string, req map[string]any) (*harness.Envelope, *PropError) {
	m.ops++
	env, body, err := m.t.Client.Send(action, req)
	if err != nil {
		return nil, &PropError{Item: m.s.ItemNoServerError(), Msg: err.Error()}
	}
	if len(m.sent) < 20 {
		m.sent = append(m.sent, Sent{Action: action, Request: body, Code: env.Code()})
	}
	if pe := m.s.checkEnvelope(action, env); pe != nil {
		return nil, pe
	}
	return env, nil
}

// rnf checks a deleted resource's answer: the action's documented
// ResourceNotFound code for the kind, or ResourceNotFound[.*] when the
// action documents none.
func (m *model) rnf(action, kind string, env *harness.Envelope) *PropError {
	want := ""
	for _, e := range m.s.Cat.Errors {
		if e.Action == action && strings.HasPrefix(e.Code, "ResourceNotFound.") && strings.HasSuffix(e.Code, "."+kind) {
			want = e.Code
		}
	}
	got := env.Code()
	if want != "" && got != want || want == "" && !strings.HasPrefix(got, "ResourceNotFound") {
		if got == "" {
			got = "success"
		}
		if want == "" {
			want = "ResourceNotFound"
		}
		return m.fail("deleted-not-found", "%s of a deleted %s: got %s, want %s", action, kind, got, want)
	}
	return nil
}

// refused reports whether env is an error; an error that is not one of the
// action's documented state codes fails the action's valid-accepted item.
func (m *model) refused(action string, env *harness.Envelope) (bool, *PropError) {
	c := env.Code()
	if c == "" {
		return false, nil
	}
	if m.s.stateCodes[action][c] {
		return true, nil
	}
	return true, &PropError{Item: m.s.ItemValid(action), Msg: fmt.Sprintf("%s refused with %s: %s", action, c, env.Error.Message)}
}

// envGrace is how long (endpoint time) a deleted compute environment may
// linger while its nodes are terminated: it may still be shown, or refused
// with a documented state code, but not answered with a wrong code.
const envGrace = 5 * time.Second

// anyLingering reports whether one of rs is a deleted env that may still
// be visible (and may vanish at any moment).
func (m *model) anyLingering(rs []*resource) bool {
	for _, r := range rs {
		if m.lingering(r) {
			return true
		}
	}
	return false
}

// lingering reports whether a deleted env may still be visible.
func (m *model) lingering(r *resource) bool {
	return r.deleted && r.desired >= 0 && (m.t.Advance == nil || m.now-r.deletedAt < envGrace)
}

func pick(rs []*resource, i int) *resource {
	if len(rs) == 0 {
		return nil
	}
	return rs[i%len(rs)]
}

func (m *model) created(kind, id string, token, body string) *PropError {
	if token != "" {
		key := kind + "|" + token
		// The docs: the token is unique per request; a repeated one is the
		// same request, whatever else changed (the first resource's ID).
		if prev, ok := m.tokens[key]; ok {
			if prev != id {
				return m.fail("client-token", "a repeated ClientToken %q created %s %s instead of returning %s", token, kind, id, prev)
			}
			return nil
		}
		m.tokens[key], m.tokenBody[key] = id, body
	}
	if id == "" {
		return m.fail("ids-unique", "%s created without an ID", kind)
	}
	if m.ids[id] {
		return m.fail("ids-unique", "%s ID %s was already given to another resource", kind, id)
	}
	m.ids[id] = true
	return nil
}

func (m *model) gen() *generators.Generator { return m.s.plain }

// apply runs one operation and checks the model's promises.
func (m *model) apply(st Step) *PropError {
	var a opArgs
	if len(st.Args) > 0 {
		if err := json.Unmarshal(st.Args, &a); err != nil {
			return m.fail("stateful", "bad step arguments: %v", err)
		}
	}
	switch st.Op {
	case "create-env":
		req := m.gen().Valid("CreateComputeEnv")
		ce := req["ComputeEnv"].(map[string]any)
		ce["EnvName"], ce["DesiredComputeNodeCount"] = a.Name, a.Desired
		if a.Token != "" {
			req["ClientToken"] = m.tokenPrefix + a.Token
		}
		env, pe := m.send("CreateComputeEnv", req)
		if pe != nil {
			return pe
		}
		if _, pe := m.refused("CreateComputeEnv", env); pe != nil || env.Code() != "" {
			return pe
		}
		id := str(env, "EnvId")
		body, _ := json.Marshal(req)
		if pe := m.created("env", id, a.Token, string(body)); pe != nil {
			return pe
		}
		if !m.known(m.envs, id) {
			m.envs = append(m.envs, &resource{id: id, name: a.Name, desired: a.Desired})
		}
	case "modify-env", "describe-env", "delete-env":
		e := pick(m.envs, a.Idx)
		if e == nil {
			return nil
		}
		action := map[string]string{"modify-env": "ModifyComputeEnv", "describe-env": "DescribeComputeEnv", "delete-env": "DeleteComputeEnv"}[st.Op]
		req := map[string]any{"EnvId": e.id}
		if st.Op == "modify-env" {
			req["EnvName"] = a.Name
		}
		env, pe := m.send(action, req)
		if pe != nil {
			return pe
		}
		if m.lingering(e) {
			if c := env.Code(); c == "" || (m.s.stateCodes[action][c] && !strings.HasPrefix(c, "ResourceNotFound")) {
				return nil
			}
			return m.rnf(action, "ComputeEnv", env) // gone already: the documented code
		}
		if e.deleted {
			return m.rnf(action, "ComputeEnv", env)
		}
		ref, pe := m.refused(action, env)
		if pe != nil || ref {
			return pe
		}
		switch st.Op {
		case "modify-env":
			e.name = a.Name
		case "delete-env":
			e.deleted, e.deletedAt = true, m.now
		case "describe-env":
			var name string
			_ = decode(env, "EnvName", &name)
			var desired json.Number
			_ = decode(env, "DesiredComputeNodeCount", &desired)
			if name != e.name {
				return m.fail("describe-reflects", "DescribeComputeEnv %s: EnvName %q, want %q", e.id, name, e.name)
			}
			if d, _ := desired.Int64(); d != e.desired {
				return m.fail("describe-reflects", "DescribeComputeEnv %s: DesiredComputeNodeCount %d, want %d", e.id, d, e.desired)
			}
		}
	case "submit":
		req := m.gen().Valid("SubmitJob")
		job := req["Job"].(map[string]any)
		job["JobName"] = a.Name
		tasks := job["Tasks"].([]any)
		if len(a.Cmds) < len(tasks) {
			tasks = tasks[:len(a.Cmds)]
			delete(job, "Dependences")
		}
		var names []string
		for i, tk := range tasks {
			tm := tk.(map[string]any)
			tm["Application"].(map[string]any)["Command"] = a.Cmds[i]
			tm["TaskInstanceNum"] = int64(a.Inst)
			names = append(names, tm["TaskName"].(string))
		}
		job["Tasks"] = tasks
		if a.Token != "" {
			req["ClientToken"] = m.tokenPrefix + a.Token
		}
		env, pe := m.send("SubmitJob", req)
		if pe != nil {
			return pe
		}
		if _, pe := m.refused("SubmitJob", env); pe != nil || env.Code() != "" {
			return pe
		}
		id := str(env, "JobId")
		body, _ := json.Marshal(req)
		if pe := m.created("job", id, a.Token, string(body)); pe != nil {
			return pe
		}
		if !m.known(m.jobs, id) {
			m.jobs = append(m.jobs, &resource{id: id, name: a.Name, tasks: names, inst: a.Inst, obs: map[string]*obs{}})
		}
	case "describe-job":
		j := pick(m.jobs, a.Idx)
		if j == nil {
			return nil
		}
		return m.observe(j, true)
	case "terminate-job", "retry-job", "delete-job", "terminate-instance":
		j := pick(m.jobs, a.Idx)
		if j == nil {
			return nil
		}
		action := map[string]string{"terminate-job": "TerminateJob", "retry-job": "RetryJobs", "delete-job": "DeleteJob", "terminate-instance": "TerminateTaskInstance"}[st.Op]
		req := map[string]any{"JobId": j.id}
		switch st.Op {
		case "retry-job":
			req = map[string]any{"JobIds": []any{j.id}}
		case "terminate-instance":
			req["TaskName"] = j.tasks[a.Task%len(j.tasks)]
			req["TaskInstanceIndex"] = int64(0)
		}
		env, pe := m.send(action, req)
		if pe != nil {
			return pe
		}
		if j.deleted {
			return m.rnf(action, "Job", env)
		}
		ref, pe := m.refused(action, env)
		if pe != nil || ref {
			return pe
		}
		for _, o := range j.obs {
			o.lenient = true
		}
		switch st.Op {
		case "retry-job":
			j.retried = true
		case "delete-job":
			j.deleted = true
		}
	case "create-tmpl":
		req := m.gen().Valid("CreateTaskTemplate")
		req["TaskTemplateName"] = a.Name
		env, pe := m.send("CreateTaskTemplate", req)
		if pe != nil {
			return pe
		}
		if _, pe := m.refused("CreateTaskTemplate", env); pe != nil || env.Code() != "" {
			return pe
		}
		id := str(env, "TaskTemplateId")
		if pe := m.created("template", id, "", ""); pe != nil {
			return pe
		}
		m.tmpls = append(m.tmpls, &resource{id: id, name: a.Name})
	case "modify-tmpl", "delete-tmpl":
		tp := pick(m.tmpls, a.Idx)
		if tp == nil {
			return nil
		}
		action, req := "ModifyTaskTemplate", map[string]any{"TaskTemplateId": tp.id, "TaskTemplateName": a.Name}
		if st.Op == "delete-tmpl" {
			action, req = "DeleteTaskTemplates", map[string]any{"TaskTemplateIds": []any{tp.id}}
		}
		env, pe := m.send(action, req)
		if pe != nil {
			return pe
		}
		if tp.deleted {
			return m.rnf(action, "TaskTemplate", env)
		}
		ref, pe := m.refused(action, env)
		if pe != nil || ref {
			return pe
		}
		if st.Op == "delete-tmpl" {
			tp.deleted = true
		} else {
			tp.name = a.Name
		}
	case "describe-unknown":
		kinds := []struct{ action, field, id, kind string }{
			{"DescribeComputeEnv", "EnvId", "env-zzzzzzzz", "ComputeEnv"},
			{"DescribeJob", "JobId", "job-zzzzzzzz", "Job"},
			{"DeleteJob", "JobId", "job-zzzzzzzz", "Job"},
			{"ModifyTaskTemplate", "TaskTemplateId", "task-tmpl-zzzzzzzz", "TaskTemplate"},
		}
		k := kinds[a.Idx%len(kinds)]
		req := map[string]any{k.field: k.id}
		if k.action == "ModifyTaskTemplate" {
			req["TaskTemplateName"] = "x"
		}
		env, pe := m.send(k.action, req)
		if pe != nil {
			return pe
		}
		return m.rnf(k.action, k.kind, env)
	case "list-jobs":
		return m.list("DescribeJobs", "JobSet", "JobId", m.jobs, a.Limit)
	case "list-envs":
		return m.list("DescribeComputeEnvs", "ComputeEnvSet", "EnvId", m.envs, a.Limit)
	case "list-tmpls":
		return m.list("DescribeTaskTemplates", "TaskTemplateSet", "TaskTemplateId", m.tmpls, a.Limit)
	case "advance":
		if m.t.Advance == nil {
			return nil
		}
		// Time passes in ticks shorter than the hold time (at most 20 of
		// them, then the rest at once), each followed by an observation of
		// every job: a state skipped during the advance is seen.
		d := time.Duration(a.Ms) * time.Millisecond
		tick := m.t.Hold * 5 / 6
		if tick <= 0 {
			tick = d
		}
		for i := 0; d > 0; i++ {
			step := tick
			if i >= 20 || d < step {
				step = d
			}
			if err := m.t.Advance(step); err != nil {
				return m.fail("stateful", "advance %v: %v", step, err)
			}
			m.now += step
			d -= step
			for _, j := range m.jobs {
				if !j.deleted {
					if pe := m.observe(j, false); pe != nil {
						return pe
					}
				}
			}
		}
	default:
		return m.fail("stateful", "unknown operation %q", st.Op)
	}
	return nil
}

func (m *model) known(rs []*resource, id string) bool {
	for _, r := range rs {
		if r.id == id {
			return true
		}
	}
	return false
}

// observe describes a job (and its tasks' instances) and checks what it
// shows against the submission and the state machines.
func (m *model) observe(j *resource, reflect bool) *PropError {
	env, pe := m.send("DescribeJob", map[string]any{"JobId": j.id})
	if pe != nil {
		return pe
	}
	if j.deleted {
		return m.rnf("DescribeJob", "Job", env)
	}
	if env.Code() != "" {
		return &PropError{Item: m.s.ItemValid("DescribeJob"), Msg: "DescribeJob " + j.id + ": " + codeMsg(env)}
	}
	var name, state string
	_ = decode(env, "JobName", &name)
	_ = decode(env, "JobState", &state)
	var tasks []struct{ TaskName, TaskState string }
	_ = decode(env, "TaskSet", &tasks)
	if reflect {
		var got []string
		for _, t := range tasks {
			got = append(got, t.TaskName)
		}
		sort.Strings(got)
		want := append([]string(nil), j.tasks...)
		sort.Strings(want)
		if name != j.name || strings.Join(got, ",") != strings.Join(want, ",") {
			return m.fail("describe-reflects", "DescribeJob %s: JobName %q tasks %v, submitted %q tasks %v", j.id, name, got, j.name, want)
		}
	}
	// A job seen terminal (and not retried) only needs its job and task
	// states re-checked: its instances have ended too.
	settled := false
	if o := j.obs["job"]; o != nil && !j.retried && m.machines["job"] != nil && m.machines["job"].IsTerminal(o.state) {
		settled = true
	}
	if pe := m.moved(j, "job", "job", state); pe != nil {
		return pe
	}
	for _, t := range tasks {
		if pe := m.moved(j, "task", "task "+t.TaskName, t.TaskState); pe != nil {
			return pe
		}
		if reflect || settled {
			continue
		}
		te, pe := m.send("DescribeTask", map[string]any{"JobId": j.id, "TaskName": t.TaskName})
		if pe != nil {
			return pe
		}
		if te.Code() != "" {
			return &PropError{Item: m.s.ItemValid("DescribeTask"), Msg: "DescribeTask: " + codeMsg(te)}
		}
		var ins []struct {
			TaskInstanceIndex json.Number
			TaskInstanceState string
		}
		_ = decode(te, "TaskInstanceSet", &ins)
		for _, in := range ins {
			if pe := m.moved(j, "task-instance", fmt.Sprintf("instance %s/%s", t.TaskName, in.TaskInstanceIndex), in.TaskInstanceState); pe != nil {
				return pe
			}
		}
	}
	return nil
}

// moved checks one observed state against the previous observation: a
// documented transition when less than Hold passed (the endpoint keeps each
// state at least Hold, so nothing can have been skipped), else a documented
// path; terminal states stay terminal unless the job was retried.
func (m *model) moved(j *resource, machine, key, state string) *PropError {
	mc := m.machines[machine]
	if mc == nil || state == "" {
		return nil
	}
	o := j.obs[key]
	if o == nil {
		j.obs[key] = &obs{state: state, at: m.now}
		return nil
	}
	defer func() { o.state, o.at, o.lenient = state, m.now, false }()
	if o.state == state {
		return nil
	}
	if mc.IsTerminal(o.state) && !j.retried {
		return m.fail("transitions", "%s of %s left terminal state %s for %s", key, j.id, o.state, state)
	}
	if why := judgeMove(mc, o.state, state, m.now-o.at, m.t.Hold, o.lenient); why != "" {
		return m.fail("transitions", "%s of %s %s", key, j.id, why)
	}
	return nil
}

func reachable(mc *fixtures.Machine, from, to string) bool {
	seen := map[string]bool{from: true}
	q := []string{from}
	for len(q) > 0 {
		s := q[0]
		q = q[1:]
		for _, t := range mc.Transitions {
			if t.From == s && !seen[t.To] {
				if t.To == to {
					return true
				}
				seen[t.To] = true
				q = append(q, t.To)
			}
		}
	}
	return false
}

// list pages through a Describe* list action and compares with the model.
func (m *model) list(action, set, idField string, rs []*resource, limit int) *PropError {
	if limit <= 0 {
		limit = 1
	}
	seen := map[string]int{}
	var order []string
	total := -1
	walks := 0
	maxOff := 1000
	if !m.t.Private {
		maxOff = 10 * limit // a shared set is only sampled
	}
	for off := 0; off < maxOff; off += limit {
		env, pe := m.send(action, map[string]any{"Offset": int64(off), "Limit": int64(limit)})
		if pe != nil {
			return pe
		}
		if env.Code() != "" {
			return &PropError{Item: m.s.ItemValid(action), Msg: action + ": " + codeMsg(env)}
		}
		var tc json.Number
		_ = decode(env, "TotalCount", &tc)
		n, _ := tc.Int64()
		if total >= 0 && int(n) != total && m.t.Private {
			if m.t.Advance == nil && walks < 5 && m.anyLingering(rs) {
				// In real time a deleted environment ends its deletion
				// whenever its nodes are gone, between two pages as well:
				// the set shrank, so the pages are walked again.
				walks++
				seen, order, total, off = map[string]int{}, nil, -1, -limit
				continue
			}
			return m.fail("pagination", "%s: TotalCount changed between pages (%d then %d)", action, total, n)
		}
		total = int(n)
		var items []map[string]any
		_ = decode(env, set, &items)
		if len(items) > limit {
			return m.fail("pagination", "%s: %d items on a page of Limit %d", action, len(items), limit)
		}
		for _, it := range items {
			id, _ := it[idField].(string)
			seen[id]++
			order = append(order, id)
			if seen[id] > 1 && m.t.Private { // a shared set may shift between pages
				return m.fail("pagination", "%s: %s appears twice across pages of Limit %d (pages so far: %v)", action, id, limit, order)
			}
		}
		if off+limit >= total {
			break
		}
	}
	if !m.t.Private {
		return nil
	}
	live, linger := 0, 0
	for _, r := range rs {
		if r.deleted && idField == "EnvId" && m.lingering(r) {
			linger++
		}
		if !r.deleted {
			live++
			if seen[r.id] == 0 {
				return m.fail("pagination", "%s: %s is missing from the pages of Limit %d (got %v)", action, r.id, limit, order)
			}
		}
	}
	if total < live || total > live+linger {
		return m.fail("total-count", "%s: TotalCount %d, the model has %d (and %d being deleted)", action, total, live, linger)
	}
	if len(order) != total {
		return m.fail("pagination", "%s: pages hold %d items, TotalCount is %d", action, len(order), total)
	}
	return nil
}

// ---- the rapid state machine ----

var (
	names   = []string{"a", "job-x", "bc", "名前"}
	tokens  = []string{"", "", "tok-1", "tok-2"}
	cmdPool = []string{"echo hi", "exit 1", "sleep 1", "sleep 2; exit 3", "echo a && exit 0"}
)

// Stateful returns the model-based property: a fresh target per case (from
// fac), random operation sequences via T.Repeat, the model checked after
// every operation. rec receives counts and the failing (shrunk) sequence.
func (s *Suite) Stateful(fac Factory, rec *Recorder) func(*rapid.T) {
	if s.profile.stateful == nil {
		return func(rt *rapid.T) { rt.Skip(s.Cat.Dialect + " has no stateful model") }
	}
	return s.profile.stateful(s, fac, rec)
}

// statefulBatch is Tencent Batch's model (see Stateful).
func (s *Suite) statefulBatch(fac Factory, rec *Recorder) func(*rapid.T) {
	if rec == nil {
		rec = &Recorder{}
	}
	return func(rt *rapid.T) {
		rec.touch(s.ItemNoServerError())
		for _, p := range s.Cat.Properties {
			if p.Subject == "model" {
				rec.touch(p.ID)
			}
		}
		t, err := fac.New()
		if err != nil {
			rt.Fatalf("target: %v", err)
		}
		defer t.Close()
		m := newModel(s, t, rec)
		idx := func(rt *rapid.T, n int) int {
			if n == 0 {
				rt.Skip("nothing to act on")
			}
			return rapid.IntRange(0, n-1).Draw(rt, "idx")
		}
		name := func(rt *rapid.T) string { return rapid.SampledFrom(names).Draw(rt, "name") }
		actions := map[string]opDraw{
			"create-env": func(rt *rapid.T, run func(string, any)) {
				run("create-env", opArgs{Name: name(rt), Desired: int64(rapid.IntRange(0, 1).Draw(rt, "desired")), Token: rapid.SampledFrom(tokens).Draw(rt, "token")})
			},
			"modify-env": func(rt *rapid.T, run func(string, any)) {
				run("modify-env", opArgs{Idx: idx(rt, len(m.envs)), Name: name(rt)})
			},
			"describe-env": func(rt *rapid.T, run func(string, any)) { run("describe-env", opArgs{Idx: idx(rt, len(m.envs))}) },
			"delete-env":   func(rt *rapid.T, run func(string, any)) { run("delete-env", opArgs{Idx: idx(rt, len(m.envs))}) },
			"submit": func(rt *rapid.T, run func(string, any)) {
				cmds := rapid.SliceOfN(rapid.SampledFrom(cmdPool), 1, 2).Draw(rt, "cmds")
				run("submit", opArgs{Name: name(rt), Cmds: cmds, Inst: rapid.IntRange(1, 2).Draw(rt, "inst"), Token: rapid.SampledFrom(tokens).Draw(rt, "token")})
			},
			"describe-job":  func(rt *rapid.T, run func(string, any)) { run("describe-job", opArgs{Idx: idx(rt, len(m.jobs))}) },
			"terminate-job": func(rt *rapid.T, run func(string, any)) { run("terminate-job", opArgs{Idx: idx(rt, len(m.jobs))}) },
			"retry-job":     func(rt *rapid.T, run func(string, any)) { run("retry-job", opArgs{Idx: idx(rt, len(m.jobs))}) },
			"delete-job":    func(rt *rapid.T, run func(string, any)) { run("delete-job", opArgs{Idx: idx(rt, len(m.jobs))}) },
			"terminate-instance": func(rt *rapid.T, run func(string, any)) {
				run("terminate-instance", opArgs{Idx: idx(rt, len(m.jobs)), Task: rapid.IntRange(0, 1).Draw(rt, "task")})
			},
			"create-tmpl": func(rt *rapid.T, run func(string, any)) { run("create-tmpl", opArgs{Name: name(rt)}) },
			"modify-tmpl": func(rt *rapid.T, run func(string, any)) {
				run("modify-tmpl", opArgs{Idx: idx(rt, len(m.tmpls)), Name: name(rt)})
			},
			"delete-tmpl": func(rt *rapid.T, run func(string, any)) { run("delete-tmpl", opArgs{Idx: idx(rt, len(m.tmpls))}) },
			"list-jobs": func(rt *rapid.T, run func(string, any)) {
				run("list-jobs", opArgs{Limit: rapid.IntRange(1, 3).Draw(rt, "limit")})
			},
			"list-envs": func(rt *rapid.T, run func(string, any)) {
				run("list-envs", opArgs{Limit: rapid.IntRange(1, 3).Draw(rt, "limit")})
			},
			"list-tmpls": func(rt *rapid.T, run func(string, any)) {
				run("list-tmpls", opArgs{Limit: rapid.IntRange(1, 3).Draw(rt, "limit")})
			},
		}
		if t.Advance != nil {
			actions["advance"] = func(rt *rapid.T, run func(string, any)) {
				run("advance", opArgs{Ms: rapid.SampledFrom([]int64{100, 1000, 10000}).Draw(rt, "ms")})
			}
		}
		drive(rt, rec, m, actions, nil)
	}
}
