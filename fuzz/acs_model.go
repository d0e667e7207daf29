package fuzz

// The Alibaba BatchCompute stateful model (reference §A.4, §A.6, §A.7):
// random sequences of cluster, job and image operations, each checked
// against what the model knows:
//
//   - jobs are drawn by a DAG generator: 1-3 tasks, Dependencies only from
//     an earlier task to a later one (acyclic by construction),
//     InstanceCount 1-2, each task on exactly one of ClusterId (a live
//     cluster of the model) or AutoCluster;
//   - IdempotentToken (clusters and jobs): the same token and body return
//     the first Id, the same token and another body IdempotentTokenMismatch;
//   - states: every observed move of a job, its tasks and instances is a
//     documented transition (within the hold time) or path; StopJob only
//     from Waiting/Running, StartJob only from Stopped/Failed, DeleteJob
//     only from Stopped/Finished/Failed, otherwise 409 StateConflict; an
//     accepted StopJob ends in Stopped;
//   - deleted jobs and images answer 404 InvalidResource.NotFound; a deleted
//     cluster shows Deleting or 404; a second DeleteCluster 409 or 404;
//   - GetJob and GetJobDescription reflect the submission;
//   - listings: ListJobs (with and without a State filter), ListClusters and
//     ListImages page by Marker/NextMarker without repeats, every item of a
//     State filter has that State, and on a private target the pages hold
//     exactly the model's resources (in that state).
//
// Item IDs: alibaba-batchcompute/model/property/<detail>, as the API 3.0
// dialects' models name theirs.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
)

type aliArgs struct {
	Idx     int      `json:"idx,omitempty"`
	Name    string   `json:"name,omitempty"`
	Token   string   `json:"idempotent_token,omitempty"` // not "token": replay files redact that key
	Desired int      `json:"desired,omitempty"`
	Tasks   []string `json:"tasks,omitempty"` // commands, one task each
	Deps    [][2]int `json:"deps,omitempty"`  // task i before task j (i < j)
	Inst    int      `json:"inst,omitempty"`
	Cluster int      `json:"cluster,omitempty"` // -1: AutoCluster; else the idx of a cluster
	Prio    int      `json:"prio,omitempty"`
	State   string   `json:"state,omitempty"`
	Limit   int      `json:"limit,omitempty"`
	Ecs     int      `json:"ecs,omitempty"`
	Ms      int64    `json:"ms,omitempty"`
}

type aliRes struct {
	id, name, ecs string
	deleted       bool
	tasks         []string
	deps          map[string][]string
	obs           map[string]*obs
	want          string // the state an accepted StopJob ends in
	used          bool   // a cluster some job was submitted to
}

type acsModel struct {
	d        *ACS
	t        *Target
	c        *acs.Client
	it       string // an instance type GetQuotas offers
	clusters []*aliRes
	jobs     []*aliRes
	images   []*aliRes
	ids      map[string]bool
	tokens   map[string]string // kind|token -> Id
	bodies   map[string]string // kind|token -> body
	now      time.Duration
	ops      int64
	sent     []Sent
	tag      string
	machines map[string]*fixtures.Machine
	made     []acsCreated // what it created (deleted after a sequence on a shared endpoint)
}

func newACSModel(d *ACS, t *Target) *acsModel {
	m := &acsModel{d: d, t: t, c: t.ACS, ids: map[string]bool{}, tokens: map[string]string{}, bodies: map[string]string{},
		machines: map[string]*fixtures.Machine{}}
	for i := range d.cat.Machines {
		m.machines[d.cat.Machines[i].Name] = &d.cat.Machines[i]
	}
	if !t.Private {
		m.tag = randHex(3)
	}
	return m
}

// cleanup hands what the model created to the endpoint's cleanup.
func (m *acsModel) cleanup() { m.t.trackACS(m.made...) }

func (m *acsModel) requests() int64 { return m.ops }
func (m *acsModel) takeSent() []Sent {
	s := m.sent
	m.sent = nil
	return s
}

func (m *acsModel) fail(detail, f string, a ...any) *PropError {
	return &PropError{Item: m.d.item("model", detail), Msg: fmt.Sprintf(f, a...)}
}

// do sends one request and checks no-server-error on the answer.
func (m *acsModel) do(action, method, path string, body any) (*acs.Response, *PropError) {
	m.ops++
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, m.fail("stateful", "marshal %s: %v", action, err)
		}
	}
	resp, err := m.c.Do(context.Background(), method, path, b, acs.Options{})
	nse := m.d.item("api", "no-server-error")
	if err != nil {
		return nil, &PropError{Item: nse, Msg: action + ": transport: " + err.Error()}
	}
	if len(m.sent) < 20 {
		code := ""
		if e := resp.Err(); e != nil {
			code = e.Code
		}
		req, _ := json.Marshal(map[string]any{"method": method, "path": path, "body": json.RawMessage(orJSON(b))})
		m.sent = append(m.sent, Sent{Action: action, Request: req, Code: code})
	}
	if pe := acsEnvelope(nse, action, resp); pe != nil {
		return nil, pe
	}
	return resp, nil
}

func orJSON(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

// acsEnvelope: no 5xx; every error is {Code,Message,RequestId,HostId} with
// RequestId equal to the x-acs-request-id header.
func acsEnvelope(item, action string, resp *acs.Response) *PropError {
	if resp.Status >= 500 {
		return &PropError{Item: item, Msg: fmt.Sprintf("%s: HTTP %d: %s", action, resp.Status, cut(string(resp.Body)))}
	}
	if resp.Status >= 400 {
		var e map[string]any
		if json.Unmarshal(resp.Body, &e) != nil {
			return &PropError{Item: item, Msg: fmt.Sprintf("%s: error body is not JSON: %q", action, cut(string(resp.Body)))}
		}
		for _, k := range []string{"Code", "Message", "RequestId", "HostId"} {
			if _, ok := e[k].(string); !ok {
				return &PropError{Item: item, Msg: fmt.Sprintf("%s: error body lacks %s: %s", action, k, cut(string(resp.Body)))}
			}
		}
		if e["RequestId"] != resp.RequestID {
			return &PropError{Item: item, Msg: fmt.Sprintf("%s: RequestId %v differs from x-acs-request-id %q", action, e["RequestId"], resp.RequestID)}
		}
	}
	return nil
}

// want checks an answer's status (and, for an error, its code).
func (m *acsModel) want(detail, action, what string, resp *acs.Response, status int, code string) *PropError {
	got := ""
	if e := resp.Err(); e != nil {
		got = e.Code
	}
	if resp.Status == status && (code == "" || got == code) {
		return nil
	}
	w := fmt.Sprint(status)
	if code != "" {
		w += " " + code
	}
	return m.fail(detail, "%s (%s): want %s, got %d %s", action, what, w, resp.Status, cut(string(resp.Body)))
}

func (m *acsModel) statusOf(action string) int {
	if a, ok := m.d.cat.Action(action); ok && a.Status != 0 {
		return a.Status
	}
	return 200
}

func (m *acsModel) instanceType() (string, *PropError) {
	if m.it != "" {
		return m.it, nil
	}
	resp, pe := m.do("GetQuotas", http.MethodGet, "/quotas", nil)
	if pe != nil {
		return "", pe
	}
	var q struct{ AvailableClusterInstanceType []string }
	if json.Unmarshal(resp.Body, &q) != nil || len(q.AvailableClusterInstanceType) == 0 {
		return "", m.fail("stateful", "GetQuotas lists no instance type: %s", cut(string(resp.Body)))
	}
	m.it = q.AvailableClusterInstanceType[0]
	return m.it, nil
}

func pickRes(rs []*aliRes, i int) *aliRes {
	if len(rs) == 0 {
		return nil
	}
	return rs[i%len(rs)]
}

// created records an Id a create answered, with the token's promise.
func (m *acsModel) created(kind, action, token, body string, resp *acs.Response) (string, bool, *PropError) {
	key := kind + "|" + token
	if token != "" {
		if prev, ok := m.tokens[key]; ok {
			if m.bodies[key] != body {
				return "", false, m.want("idempotent-token", action, "the same IdempotentToken with another body", resp,
					m.d.cat.ErrorCodes["IdempotentTokenMismatch"].Status, "IdempotentTokenMismatch")
			}
			if pe := m.want("idempotent-token", action, "the same IdempotentToken and body", resp, 201, ""); pe != nil {
				return "", false, pe
			}
			var c struct{ Id string }
			_ = json.Unmarshal(resp.Body, &c)
			if c.Id != prev {
				return "", false, m.fail("idempotent-token", "%s repeated with IdempotentToken %q and the same body created %s instead of returning %s", action, token, c.Id, prev)
			}
			return prev, false, nil
		}
	}
	if pe := m.want("stateful", action, "a valid request", resp, 201, ""); pe != nil {
		return "", false, pe
	}
	var c struct{ Id string }
	_ = json.Unmarshal(resp.Body, &c)
	if c.Id == "" || m.ids[c.Id] {
		return "", false, m.fail("ids-unique", "%s answered Id %q (empty or already given)", action, c.Id)
	}
	m.ids[c.Id] = true
	m.made = append(m.made, acsCreated{kind, c.Id})
	if token != "" {
		m.tokens[key], m.bodies[key] = c.Id, body
	}
	return c.Id, true, nil
}

func withToken(path, token string) string {
	if token == "" {
		return path
	}
	return path + "?IdempotentToken=" + url.QueryEscape(token)
}

// jobBody builds a DAG job from the arguments: tasks t0… with the given
// commands, Dependencies from earlier to later tasks only (acyclic), each
// task on the cluster or an AutoCluster.
func (m *acsModel) jobBody(a aliArgs, clusterID string) map[string]any {
	base := generators.AlibabaBodies(m.it, clusterID, "m-x")["CreateJob"]
	tmpl := base["DAG"].(map[string]any)["Tasks"].(map[string]any)["A"].(map[string]any)
	tasks := map[string]any{}
	for i, cmd := range a.Tasks {
		tk := generators.CloneMap(tmpl)
		tk["InstanceCount"] = json.Number(fmt.Sprint(a.Inst))
		tk["Parameters"].(map[string]any)["Command"].(map[string]any)["CommandLine"] = cmd
		if clusterID == "" {
			delete(tk, "ClusterId")
			tk["AutoCluster"] = map[string]any{"InstanceType": m.it, "ImageId": "img-ubuntu"}
		}
		tasks[fmt.Sprintf("t%d", i)] = tk
	}
	deps := map[string]any{}
	for _, e := range a.Deps {
		from, to := fmt.Sprintf("t%d", e[0]), fmt.Sprintf("t%d", e[1])
		l, _ := deps[from].([]any)
		deps[from] = append(l, to)
	}
	base["Name"], base["Priority"] = a.Name, json.Number(fmt.Sprint(a.Prio))
	base["DAG"] = map[string]any{"Tasks": tasks, "Dependencies": deps}
	return base
}

func (m *acsModel) apply(st Step) *PropError {
	var a aliArgs
	if len(st.Args) > 0 {
		if err := json.Unmarshal(st.Args, &a); err != nil {
			return m.fail("stateful", "bad step arguments: %v", err)
		}
	}
	if _, pe := m.instanceType(); pe != nil {
		return pe
	}
	tok := ""
	if a.Token != "" {
		tok = a.Token + m.tag
	}
	switch st.Op {
	case "create-cluster":
		body := generators.AlibabaBodies(m.it, "", "m-x")["CreateCluster"]
		body["Name"] = a.Name
		body["Groups"] = map[string]any{"group1": map[string]any{"DesiredVMCount": json.Number(fmt.Sprint(a.Desired)), "ResourceType": "OnDemand", "InstanceType": m.it}}
		resp, pe := m.do("CreateCluster", http.MethodPost, withToken("/clusters", tok), body)
		if pe != nil {
			return pe
		}
		b, _ := json.Marshal(body)
		id, isNew, pe := m.created("cluster", "CreateCluster", tok, string(b), resp)
		if pe != nil || !isNew {
			return pe
		}
		m.clusters = append(m.clusters, &aliRes{id: id, name: a.Name})
	case "get-cluster", "delete-cluster":
		c := pickRes(m.clusters, a.Idx)
		if c == nil {
			return nil
		}
		if st.Op == "delete-cluster" {
			if c.used && !c.deleted {
				// The docs do not say what becomes of the jobs of a deleted
				// cluster (the emulator fails a Waiting job at once,
				// Waiting->Failed, a move the job machine lacks): the model
				// deletes only clusters no job was submitted to.
				return nil
			}
			resp, pe := m.do("DeleteCluster", http.MethodDelete, "/clusters/"+c.id, nil)
			if pe != nil {
				return pe
			}
			if c.deleted {
				if resp.Status == 409 || resp.Status == 404 {
					return nil
				}
				return m.fail("deleted-not-found", "DeleteCluster of a cluster being deleted: want 409 StateConflict or 404, got %d %s", resp.Status, cut(string(resp.Body)))
			}
			if pe := m.want("stateful", "DeleteCluster", "an Active cluster", resp, m.statusOf("DeleteCluster"), ""); pe != nil {
				return pe
			}
			c.deleted = true
			return nil
		}
		resp, pe := m.do("GetCluster", http.MethodGet, "/clusters/"+c.id, nil)
		if pe != nil {
			return pe
		}
		var got struct{ Name, State string }
		_ = json.Unmarshal(resp.Body, &got)
		if c.deleted {
			if resp.Status == 404 || resp.Status == 200 && got.State == "Deleting" {
				return nil
			}
			return m.fail("deleted-not-found", "GetCluster of a deleted cluster: want Deleting or 404, got %d %s", resp.Status, cut(string(resp.Body)))
		}
		if pe := m.want("stateful", "GetCluster", "a live cluster", resp, 200, ""); pe != nil {
			return pe
		}
		if got.Name != c.name || got.State != "Active" {
			return m.fail("describe-reflects", "GetCluster %s: Name %q State %q, the model has %q Active", c.id, got.Name, got.State, c.name)
		}
	case "create-job":
		clusterID := ""
		if a.Cluster >= 0 {
			if c := pickRes(m.clusters, a.Cluster); c != nil && !c.deleted {
				clusterID, c.used = c.id, true
			}
		}
		body := m.jobBody(a, clusterID)
		resp, pe := m.do("CreateJob", http.MethodPost, withToken("/jobs", tok), body)
		if pe != nil {
			return pe
		}
		b, _ := json.Marshal(body)
		id, isNew, pe := m.created("job", "CreateJob", tok, string(b), resp)
		if pe != nil || !isNew {
			return pe
		}
		j := &aliRes{id: id, name: a.Name, deps: map[string][]string{}, obs: map[string]*obs{}}
		for i := range a.Tasks {
			j.tasks = append(j.tasks, fmt.Sprintf("t%d", i))
		}
		for _, e := range a.Deps {
			j.deps[fmt.Sprintf("t%d", e[0])] = append(j.deps[fmt.Sprintf("t%d", e[0])], fmt.Sprintf("t%d", e[1]))
		}
		m.jobs = append(m.jobs, j)
	case "get-job":
		j := pickRes(m.jobs, a.Idx)
		if j == nil {
			return nil
		}
		_, pe := m.observe(j, true)
		return pe
	case "get-description":
		j := pickRes(m.jobs, a.Idx)
		if j == nil {
			return nil
		}
		resp, pe := m.do("GetJobDescription", http.MethodGet, "/jobs/"+j.id+"?description", nil)
		if pe != nil {
			return pe
		}
		if j.deleted {
			return m.want("deleted-not-found", "GetJobDescription", "a deleted job", resp, 404, "InvalidResource.NotFound")
		}
		if pe := m.want("stateful", "GetJobDescription", "a live job", resp, 200, ""); pe != nil {
			return pe
		}
		var got struct {
			Name string
			DAG  struct {
				Tasks        map[string]any
				Dependencies map[string][]string
			}
		}
		_ = json.Unmarshal(resp.Body, &got)
		var names []string
		for n := range got.DAG.Tasks {
			names = append(names, n)
		}
		sort.Strings(names)
		gotDeps, wantDeps := fmt.Sprint(normDeps(got.DAG.Dependencies)), fmt.Sprint(normDeps(j.deps))
		if got.Name != j.name || strings.Join(names, ",") != strings.Join(j.tasks, ",") || gotDeps != wantDeps {
			return m.fail("describe-reflects", "GetJobDescription %s: Name %q tasks %v deps %s, submitted %q tasks %v deps %s", j.id, got.Name, names, gotDeps, j.name, j.tasks, wantDeps)
		}
	case "stop-job", "start-job", "delete-job", "change-priority":
		j := pickRes(m.jobs, a.Idx)
		if j == nil {
			return nil
		}
		state, pe := m.observe(j, false)
		if pe != nil || state == "" && !j.deleted {
			return pe
		}
		op := map[string][3]string{
			"stop-job":        {"StopJob", http.MethodPost, "/jobs/" + j.id + "/stop"},
			"start-job":       {"StartJob", http.MethodPost, "/jobs/" + j.id + "/start"},
			"delete-job":      {"DeleteJob", http.MethodDelete, "/jobs/" + j.id},
			"change-priority": {"ChangeJobPriority", http.MethodPut, "/jobs/" + j.id},
		}[st.Op]
		action, method, path := op[0], op[1], op[2]
		var body any
		if st.Op == "change-priority" {
			body = map[string]any{"Priority": a.Prio}
		}
		resp, pe := m.do(action, method, path, body)
		if pe != nil {
			return pe
		}
		if j.deleted {
			return m.want("deleted-not-found", action, "a deleted job", resp, 404, "InvalidResource.NotFound")
		}
		allowed := map[string][]string{
			"stop-job":        {"Waiting", "Running"},
			"start-job":       {"Stopped", "Failed"},
			"delete-job":      {"Stopped", "Finished", "Failed"},
			"change-priority": {"Stopped"},
		}[st.Op]
		what := "a job in state " + state
		if j.want != "" {
			// An accepted StopJob has not taken effect yet: the job may
			// still show its old state, and an operation may find it
			// stopping (409) or not yet.
			if resp.Status == m.statusOf(action) || resp.Status == 409 {
				if resp.Status < 300 && st.Op == "delete-job" {
					j.deleted = true
				}
				return nil
			}
			return m.want("state-conflict", action, what+" being stopped", resp, 409, "StateConflict")
		}
		if containsStr(allowed, state) {
			if pe := m.want("state-conflict", action, what, resp, m.statusOf(action), ""); pe != nil {
				return pe
			}
			for _, o := range j.obs {
				o.lenient = true
			}
			switch st.Op {
			case "stop-job":
				j.want = "Stopped"
			case "delete-job":
				j.deleted = true
			}
			return nil
		}
		if st.Op == "change-priority" && state == "Failed" {
			return nil // the docs disagree (REST: Stopped only; Java: Stopped or Failed): either answer
		}
		return m.want("state-conflict", action, what, resp, 409, "StateConflict")
	case "create-image", "get-image", "delete-image":
		if st.Op == "create-image" {
			ecs := fmt.Sprintf("m-img%s%d", m.tag, a.Ecs)
			body := map[string]any{"Name": a.Name, "EcsImageId": ecs, "Platform": "Linux", "Description": "batchconform"}
			resp, pe := m.do("CreateImage", http.MethodPost, "/images", body)
			if pe != nil {
				return pe
			}
			for _, im := range m.images {
				if !im.deleted && im.ecs == ecs {
					ec := m.d.cat.ErrorCodes["InvalidResource.AlreadyExisting"]
					return m.want("stateful", "CreateImage", "an ECS image registered already", resp, ec.Status, "InvalidResource.AlreadyExisting")
				}
			}
			id, _, pe := m.created("image", "CreateImage", "", "", resp)
			if pe != nil {
				return pe
			}
			m.images = append(m.images, &aliRes{id: id, name: a.Name, ecs: ecs})
			return nil
		}
		im := pickRes(m.images, a.Idx)
		if im == nil {
			return nil
		}
		action, method := "GetImage", http.MethodGet
		if st.Op == "delete-image" {
			action, method = "DeleteImage", http.MethodDelete
		}
		resp, pe := m.do(action, method, "/images/"+im.id, nil)
		if pe != nil {
			return pe
		}
		if im.deleted {
			return m.want("deleted-not-found", action, "a deleted image", resp, 404, "InvalidResource.NotFound")
		}
		if pe := m.want("stateful", action, "a live image", resp, m.statusOf(action), ""); pe != nil {
			return pe
		}
		if st.Op == "delete-image" {
			im.deleted = true
			return nil
		}
		var got struct{ Name, EcsImageId string }
		_ = json.Unmarshal(resp.Body, &got)
		if got.Name != im.name || got.EcsImageId != im.ecs {
			return m.fail("describe-reflects", "GetImage %s: Name %q EcsImageId %q, registered %q %q", im.id, got.Name, got.EcsImageId, im.name, im.ecs)
		}
	case "list-jobs":
		return m.listJobs(a.State, a.Limit)
	case "list-clusters":
		var live []string
		for _, c := range m.clusters {
			if !c.deleted {
				live = append(live, c.id)
			}
		}
		var linger []string
		for _, c := range m.clusters {
			if c.deleted {
				linger = append(linger, c.id)
			}
		}
		return m.list("ListClusters", "/clusters", "", a.Limit, live, linger)
	case "list-images":
		var live []string
		for _, im := range m.images {
			if !im.deleted {
				live = append(live, im.id)
			}
		}
		return m.list("ListImages", "/images", "", a.Limit, live, nil)
	case "advance":
		if m.t.Advance == nil {
			return nil
		}
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
					if _, pe := m.observe(j, false); pe != nil {
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

func normDeps(d map[string][]string) []string {
	var out []string
	for k, vs := range d {
		for _, v := range vs {
			out = append(out, k+">"+v)
		}
	}
	sort.Strings(out)
	return out
}

// observe gets a job (its tasks too) and checks the moves; it returns the
// job's state ("" when deleted, after checking the 404).
func (m *acsModel) observe(j *aliRes, reflect bool) (string, *PropError) {
	resp, pe := m.do("GetJob", http.MethodGet, "/jobs/"+j.id, nil)
	if pe != nil {
		return "", pe
	}
	if j.deleted {
		return "", m.want("deleted-not-found", "GetJob", "a deleted job", resp, 404, "InvalidResource.NotFound")
	}
	if pe := m.want("stateful", "GetJob", "a live job", resp, 200, ""); pe != nil {
		return "", pe
	}
	var got struct{ Name, State string }
	_ = json.Unmarshal(resp.Body, &got)
	if reflect && got.Name != j.name {
		return "", m.fail("describe-reflects", "GetJob %s: Name %q, submitted %q", j.id, got.Name, j.name)
	}
	if pe := m.moved(j, "job", "job", got.State); pe != nil {
		return "", pe
	}
	if j.want != "" && got.State != "Running" && got.State != "Waiting" {
		want := j.want
		j.want = ""
		if got.State != want {
			return "", m.fail("transitions", "job %s: an accepted StopJob should end in %s, it is %s", j.id, want, got.State)
		}
	}
	// Settled jobs need no task reads.
	if o := j.obs["job"]; o != nil && m.machines["job"] != nil && m.machines["job"].IsTerminal(o.state) && !reflect {
		return got.State, nil
	}
	tr, pe := m.do("ListTasks", http.MethodGet, "/jobs/"+j.id+"/tasks?MaxItemCount=100", nil)
	if pe != nil {
		return "", pe
	}
	var tasks struct {
		Items []struct{ TaskName, State string }
	}
	_ = json.Unmarshal(tr.Body, &tasks)
	for _, t := range tasks.Items {
		if pe := m.moved(j, "task", "task "+t.TaskName, t.State); pe != nil {
			return "", pe
		}
	}
	return got.State, nil
}

// moved checks a move of a job, task or instance (judgeMove); an accepted
// operation's leniency lasts until the state moves (StartJob and StopJob
// take effect later), and terminal states may move on (StartJob).
func (m *acsModel) moved(j *aliRes, machine, key, state string) *PropError {
	mc := m.machines[machine]
	if mc == nil || state == "" {
		return nil
	}
	o := j.obs[key]
	if o == nil {
		j.obs[key] = &obs{state: state, at: m.now}
		return nil
	}
	if o.state == state {
		// An accepted operation (StartJob, StopJob) may take effect later:
		// the leniency lasts until the state moves.
		o.at = m.now
		return nil
	}
	defer func() { o.state, o.at, o.lenient = state, m.now, false }()
	if why := judgeMove(mc, o.state, state, m.now-o.at, m.t.Hold, o.lenient); why != "" {
		return m.fail("transitions", "%s of %s %s", key, j.id, why)
	}
	return nil
}

// listJobs observes every live job, then pages ListJobs with the State
// filter: every item has the state, and (private target) the pages hold
// exactly the live jobs in it.
func (m *acsModel) listJobs(state string, limit int) *PropError {
	var want []string
	for _, j := range m.jobs {
		if j.deleted {
			continue
		}
		s, pe := m.observe(j, false)
		if pe != nil {
			return pe
		}
		if state == "" || s == state {
			want = append(want, j.id)
		}
	}
	return m.list("ListJobs", "/jobs", state, limit, want, nil)
}

// list pages a listing by Marker/NextMarker: no repeats, the State filter
// kept, and on a private target the pages hold want (plus any of linger).
func (m *acsModel) list(action, path, state string, limit int, want, linger []string) *PropError {
	if limit <= 0 {
		limit = 1
	}
	seen := map[string]bool{}
	var order []string
	marker := ""
	for page := 0; page < 200; page++ {
		q := url.Values{"MaxItemCount": {fmt.Sprint(limit)}}
		if marker != "" {
			q.Set("Marker", marker)
		}
		if state != "" {
			q.Set("State", state)
		}
		resp, pe := m.do(action, http.MethodGet, path+"?"+q.Encode(), nil)
		if pe != nil {
			return pe
		}
		if e := resp.Err(); e != nil && e.Code == "InvalidMarker" && marker != "" && (state != "" && m.t.Advance == nil || !m.t.Private) {
			// The item NextMarker named left the set while time passed (a
			// state filter on a live clock, or a shared endpoint): the
			// catalog's reading is InvalidMarker. Nothing to compare.
			return nil
		}
		if pe := m.want("pagination", action, "a page", resp, 200, ""); pe != nil {
			return pe
		}
		var got struct {
			Items      []struct{ Id, State string }
			NextMarker string
		}
		_ = json.Unmarshal(resp.Body, &got)
		if len(got.Items) > limit {
			return m.fail("pagination", "%s: %d items on a page of MaxItemCount %d", action, len(got.Items), limit)
		}
		for _, it := range got.Items {
			if seen[it.Id] && m.t.Private {
				return m.fail("pagination", "%s: %s appears twice across pages of MaxItemCount %d (pages so far: %v)", action, it.Id, limit, order)
			}
			seen[it.Id] = true
			order = append(order, it.Id)
			if state != "" && it.State != state {
				return m.fail("state-filter", "%s State=%s listed %s in state %s", action, state, it.Id, it.State)
			}
		}
		if got.NextMarker == "" || !m.t.Private && page >= 10 {
			break
		}
		marker = got.NextMarker
	}
	if !m.t.Private {
		return nil
	}
	for _, id := range want {
		if !seen[id] {
			what := "pagination"
			if state != "" {
				what = "state-filter"
			}
			return m.fail(what, "%s (State %q, MaxItemCount %d): %s is missing (got %v)", action, state, limit, id, order)
		}
	}
	extra := len(order) - len(want)
	for _, id := range linger {
		if seen[id] {
			extra--
		}
	}
	if extra > 0 {
		return m.fail("pagination", "%s (State %q): the pages hold %v, the model has %v", action, state, order, want)
	}
	return nil
}

// aliModelProps are the details of the model's property items.
var aliModelProps = []string{"stateful", "transitions", "describe-reflects", "deleted-not-found", "pagination",
	"idempotent-token", "state-conflict", "state-filter", "ids-unique"}

var (
	aliNames  = []string{"a", "job-x", "bc_1", "Z9"}
	aliTokens = []string{"", "", "tok1", "tok2"}
	aliCmds   = []string{"echo hi", "exit 1", "sleep 1", "exit 0"}
	aliStates = []string{"", "Waiting", "Running", "Finished", "Failed", "Stopped"}
)

// stateful is the rapid property of the model: a fresh target per sequence.
func (d *ACS) stateful(fac Factory, rec *Recorder) func(*rapid.T) {
	return func(rt *rapid.T) {
		rec.touch(d.item("api", "no-server-error"))
		// The catalog has no model items yet: the model's own, named like
		// the API 3.0 dialects' (Report labels them not-in-catalog).
		for _, det := range aliModelProps {
			rec.touch(d.item("model", det))
		}
		t, err := fac.New()
		if err != nil {
			rt.Fatalf("target: %v", err)
		}
		defer t.Close()
		m := newACSModel(d, t)
		defer m.cleanup()
		name := func(rt *rapid.T) string { return rapid.SampledFrom(aliNames).Draw(rt, "name") }
		token := func(rt *rapid.T) string { return rapid.SampledFrom(aliTokens).Draw(rt, "token") }
		limit := func(rt *rapid.T) int { return rapid.IntRange(1, 3).Draw(rt, "limit") }
		ops := map[string]opDraw{
			"create-cluster": func(rt *rapid.T, run func(string, any)) {
				run("create-cluster", aliArgs{Name: name(rt), Desired: rapid.IntRange(1, 2).Draw(rt, "desired"), Token: token(rt)})
			},
			"get-cluster": func(rt *rapid.T, run func(string, any)) {
				run("get-cluster", aliArgs{Idx: pickIdx(rt, len(m.clusters))})
			},
			"delete-cluster": func(rt *rapid.T, run func(string, any)) {
				run("delete-cluster", aliArgs{Idx: pickIdx(rt, len(m.clusters))})
			},
			"create-job": func(rt *rapid.T, run func(string, any)) {
				// The DAG generator: edges only from an earlier task to a
				// later one, so every drawn DAG is acyclic.
				cmds := rapid.SliceOfN(rapid.SampledFrom(aliCmds), 1, 3).Draw(rt, "cmds")
				var deps [][2]int
				for i := range cmds {
					for j := i + 1; j < len(cmds); j++ {
						if rapid.Bool().Draw(rt, "edge") {
							deps = append(deps, [2]int{i, j})
						}
					}
				}
				cluster := -1
				if len(m.clusters) > 0 && rapid.Bool().Draw(rt, "on-cluster") {
					cluster = rapid.IntRange(0, len(m.clusters)-1).Draw(rt, "cluster")
				}
				run("create-job", aliArgs{Name: name(rt), Tasks: cmds, Deps: deps, Inst: rapid.IntRange(1, 2).Draw(rt, "inst"),
					Cluster: cluster, Prio: rapid.IntRange(0, 1000).Draw(rt, "prio"), Token: token(rt)})
			},
			"get-job": func(rt *rapid.T, run func(string, any)) { run("get-job", aliArgs{Idx: pickIdx(rt, len(m.jobs))}) },
			"get-description": func(rt *rapid.T, run func(string, any)) {
				run("get-description", aliArgs{Idx: pickIdx(rt, len(m.jobs))})
			},
			"stop-job":   func(rt *rapid.T, run func(string, any)) { run("stop-job", aliArgs{Idx: pickIdx(rt, len(m.jobs))}) },
			"start-job":  func(rt *rapid.T, run func(string, any)) { run("start-job", aliArgs{Idx: pickIdx(rt, len(m.jobs))}) },
			"delete-job": func(rt *rapid.T, run func(string, any)) { run("delete-job", aliArgs{Idx: pickIdx(rt, len(m.jobs))}) },
			"change-priority": func(rt *rapid.T, run func(string, any)) {
				run("change-priority", aliArgs{Idx: pickIdx(rt, len(m.jobs)), Prio: rapid.IntRange(0, 1000).Draw(rt, "prio")})
			},
			"create-image": func(rt *rapid.T, run func(string, any)) {
				run("create-image", aliArgs{Name: name(rt), Ecs: rapid.IntRange(0, 2).Draw(rt, "ecs")})
			},
			"get-image": func(rt *rapid.T, run func(string, any)) { run("get-image", aliArgs{Idx: pickIdx(rt, len(m.images))}) },
			"delete-image": func(rt *rapid.T, run func(string, any)) {
				run("delete-image", aliArgs{Idx: pickIdx(rt, len(m.images))})
			},
			"list-jobs": func(rt *rapid.T, run func(string, any)) {
				run("list-jobs", aliArgs{State: rapid.SampledFrom(aliStates).Draw(rt, "state"), Limit: limit(rt)})
			},
			"list-clusters": func(rt *rapid.T, run func(string, any)) { run("list-clusters", aliArgs{Limit: limit(rt)}) },
			"list-images":   func(rt *rapid.T, run func(string, any)) { run("list-images", aliArgs{Limit: limit(rt)}) },
		}
		if t.Advance != nil {
			ops["advance"] = func(rt *rapid.T, run func(string, any)) {
				run("advance", aliArgs{Ms: rapid.SampledFrom([]int64{1000, 100, 10000}).Draw(rt, "ms")})
			}
		}
		drive(rt, rec, m, ops, map[string]int{"create-job": 2, "stop-job": 2, "start-job": 2, "advance": 2, "get-job": 2})
	}
}
