package fuzz

// The ACS (Alibaba BatchCompute) fuzzer: the stateless properties of the
// Alibaba catalog, drawn with rapid from the REST generator (package
// generators) and checked against a fresh embedded emulator per round:
//
//   - <Action>/property/valid-accepted: the valid request, with one drawn
//     length or range rule pushed to its bound, is accepted (or refused only
//     for the resource's state or existence);
//   - <Action>/property/one-violation: the valid request with one drawn rule
//     broken (a drawn case: both bounds of a range) answers that rule's
//     status, code and message, {key} filled;
//   - auth/property/signature-faults: a drawn ACS signature fault
//     (generators.ACSSignatureFaults) is refused with 400 and an auth code;
//   - api/property/no-server-error, on every response: no 5xx, and every
//     error is {Code,Message,RequestId,HostId} with RequestId equal to the
//     x-acs-request-id header.
//
// and the stateful model (acs_model.go). ACS is the dialect's adapter: the
// runner, shrinking, replay files and the report are the one path of Run.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
)

// ACSKinds are the ACS fuzzer's properties, in the order rounds cycle them.
var ACSKinds = []string{OpValid, OpViolation, OpSignature, KindStateful}

// ACS is the Alibaba BatchCompute adapter of the fuzzer (Dialect).
type ACS struct {
	cat      *fixtures.Catalog
	byAction map[string][]fixtures.Rule
	actions  []string
}

// NewACS derives the adapter's tables from the catalog.
func NewACS(cat *fixtures.Catalog) *ACS {
	d := &ACS{cat: cat, byAction: map[string][]fixtures.Rule{}}
	for _, r := range cat.Rules {
		if d.byAction[r.Action] == nil {
			d.actions = append(d.actions, r.Action)
		}
		d.byAction[r.Action] = append(d.byAction[r.Action], r)
	}
	return d
}

func (d *ACS) Key() string                { return d.cat.Dialect }
func (d *ACS) Catalog() *fixtures.Catalog { return d.cat }
func (d *ACS) Kinds() []string            { return append([]string(nil), ACSKinds...) }
func (d *ACS) Actions() []string          { return append([]string(nil), d.actions...) }
func (d *ACS) RulesTotal() int            { return len(d.cat.Rules) }
func (d *ACS) item(subj, det string) string {
	return fixtures.MakeID(d.cat.Dialect, subj, fixtures.KindProperty, det)
}

// Round prepares a round: a target with the world's resources for a
// stateless kind (released, and on an endpoint what the round created
// deleted, by done); the model over fresh targets for the stateful kind.
func (d *ACS) Round(kind string, fac Factory, actions []string, rec *Recorder) (func(*rapid.T), func(), error) {
	if kind == KindStateful {
		return d.stateful(fac, rec), func() {}, nil
	}
	t, err := fac.New()
	if err != nil {
		return nil, nil, err
	}
	w, err := newACSWorld(d.cat, t)
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	return d.property(kind, w, actions, rec), w.close, nil
}

// Replay runs a replay file against a fresh target: nil when every
// expectation holds now.
func (d *ACS) Replay(f *ReplayFile, fac Factory) (*PropError, error) {
	t, err := fac.New()
	if err != nil {
		return nil, err
	}
	if f.Kind == "stateful" {
		defer t.Close()
		m := newACSModel(d, t)
		defer m.cleanup()
		return replaySteps(f.Steps, m.apply), nil
	}
	w, err := newACSWorld(d.cat, t)
	if err != nil {
		t.Close()
		return nil, err
	}
	defer w.close()
	for _, st := range f.Steps {
		var ch acsChoice
		if len(st.Args) > 0 {
			if err := json.Unmarshal(st.Args, &ch); err != nil {
				return nil, fmt.Errorf("fuzz: replay step args: %w", err)
			}
		}
		_, pe, err := acsCase(d.cat, w, st.Op, st.Action, ch, &Recorder{})
		if err != nil || pe != nil {
			return pe, err
		}
	}
	return nil, nil
}

// acsWorld is one round's target: its client and the resources the valid
// requests refer to; on a shared endpoint it deletes what it created.
type acsWorld struct {
	t       *Target
	client  *acs.Client
	gen     *generators.RESTGenerator
	serial  int    // makes registered ECS images unique (one image per ECS image)
	tag     string // "" on a private target; else unique to this world
	created []acsCreated
}

type acsCreated struct{ kind, id string }

func newACSWorld(cat *fixtures.Catalog, t *Target) (*acsWorld, error) {
	w := &acsWorld{t: t, client: t.ACS}
	if !t.Private {
		w.tag = randHex(3)
	}
	fail := func(err error) (*acsWorld, error) { w.close(); return nil, err }
	ctx := context.Background()
	var q struct{ AvailableClusterInstanceType []string }
	if r, err := w.client.JSON(ctx, http.MethodGet, "/quotas", nil, &q); err != nil || r.Status != 200 || len(q.AvailableClusterInstanceType) == 0 {
		return fail(fmt.Errorf("fuzz: GetQuotas for an instance type: %v", err))
	}
	it := q.AvailableClusterInstanceType[0]
	var created struct{ Id string }
	bodies := generators.AlibabaBodies(it, "", "m-fuzzw"+w.tag)
	if r, err := w.client.JSON(ctx, http.MethodPost, "/clusters", bodies["CreateCluster"], &created); err != nil || r.Status != 201 {
		return fail(fmt.Errorf("fuzz: CreateCluster: %v %v", err, r))
	}
	w.created = append(w.created, acsCreated{"cluster", created.Id})
	clusterID := created.Id
	bodies = generators.AlibabaBodies(it, clusterID, "m-fuzzr"+w.tag)
	if r, err := w.client.JSON(ctx, http.MethodPost, "/jobs", bodies["CreateJob"], &created); err != nil || r.Status != 201 {
		return fail(fmt.Errorf("fuzz: CreateJob: %v %v", err, r))
	}
	w.created = append(w.created, acsCreated{"job", created.Id})
	jobID := created.Id
	img := generators.CloneMap(bodies["CreateImage"])
	img["EcsImageId"] = "m-fuzzw" + w.tag
	if r, err := w.client.JSON(ctx, http.MethodPost, "/images", img, &created); err != nil || r.Status != 201 {
		return fail(fmt.Errorf("fuzz: CreateImage: %v %v", err, r))
	}
	w.created = append(w.created, acsCreated{"image", created.Id})
	w.gen = generators.NewREST(cat, generators.RESTRefs{ClusterID: clusterID, GroupName: "group1", JobID: jobID, TaskName: "A",
		InstanceID: "0", ImageID: created.Id, Bodies: bodies})
	return w, nil
}

// close releases the target; what the world created on a shared endpoint
// is left to the endpoint's cleanup (Endpoint.Cleanup, at the end of the run).
func (w *acsWorld) close() {
	w.t.trackACS(w.created...)
	w.t.Close()
}

// acsCleanup deletes resources: jobs are stopped first and their deletion
// retried until they have stopped (StopJob takes effect asynchronously) or
// the deadline passes; then images and clusters. It returns what it could
// not delete.
func acsCleanup(c *acs.Client, rs []acsCreated, deadline time.Duration) []acsCreated {
	ctx := context.Background()
	end := time.Now().Add(deadline)
	for _, r := range rs {
		if r.kind == "job" {
			_, _ = c.Do(ctx, http.MethodPost, "/jobs/"+r.id+"/stop", nil, acs.Options{})
		}
	}
	left := rs
	for len(left) > 0 {
		var next []acsCreated
		for _, kind := range []string{"job", "image", "cluster"} {
			for _, r := range left {
				if r.kind != kind {
					continue
				}
				resp, err := c.Do(ctx, http.MethodDelete, "/"+kind+"s/"+r.id, nil, acs.Options{})
				if err != nil || resp.Status >= 300 && resp.Status != 404 {
					next = append(next, r)
				}
			}
		}
		left = next
		if len(left) == 0 || !time.Now().Before(end) {
			break
		}
		time.Sleep(time.Second)
	}
	return left
}

// track records what a valid create request made (on a shared endpoint
// the world deletes it at close).
func (w *acsWorld) track(action string, resp *acs.Response) {
	kind := map[string]string{"CreateCluster": "cluster", "CreateJob": "job", "CreateImage": "image"}[action]
	if kind == "" || resp == nil || resp.Status != 201 {
		return
	}
	var c struct{ Id string }
	if json.Unmarshal(resp.Body, &c) == nil && c.Id != "" {
		w.created = append(w.created, acsCreated{kind, c.Id})
	}
}

// send sends a generated request and checks no-server-error on the answer.
func (w *acsWorld) send(r generators.RESTRequest, a *fixtures.Action, o acs.Options, c *acs.Client) (*acs.Response, *PropError) {
	body, err := r.JSONBody()
	if err != nil {
		return nil, &PropError{Item: fixtures.MakeID(fixtures.DialectAlibaba, "api", fixtures.KindProperty, "no-server-error"), Msg: err.Error()}
	}
	if c == nil {
		c = w.client
	}
	resp, err := c.Do(context.Background(), a.Method, r.URL(a), body, o)
	nse := fixtures.MakeID(fixtures.DialectAlibaba, "api", fixtures.KindProperty, "no-server-error")
	if err != nil {
		return nil, &PropError{Item: nse, Msg: "transport: " + err.Error()}
	}
	w.track(a.Name, resp)
	if resp.Status >= 500 {
		return resp, &PropError{Item: nse, Msg: fmt.Sprintf("HTTP %d: %s", resp.Status, resp.Body)}
	}
	if resp.Status >= 400 {
		var m map[string]any
		if json.Unmarshal(resp.Body, &m) != nil {
			return resp, &PropError{Item: nse, Msg: fmt.Sprintf("error body is not JSON: %q", resp.Body)}
		}
		for _, k := range []string{"Code", "Message", "RequestId", "HostId"} {
			if _, ok := m[k].(string); !ok {
				return resp, &PropError{Item: nse, Msg: fmt.Sprintf("error body lacks %s: %s", k, resp.Body)}
			}
		}
		if m["RequestId"] != resp.RequestID {
			return resp, &PropError{Item: nse, Msg: fmt.Sprintf("RequestId %v differs from x-acs-request-id %q", m["RequestId"], resp.RequestID)}
		}
	}
	return resp, nil
}

// acsChoice is one drawn case: what a replay file's step args record.
type acsChoice struct {
	Rule   string `json:"rule,omitempty"`   // violation: the rule broken; valid: the rule at its bound
	Broken string `json:"broken,omitempty"` // violation: which case (RESTCase.What)
	AtMax  bool   `json:"at_max,omitempty"` // valid: the bound pushed to
	Fault  string `json:"fault,omitempty"`  // signature: the fault kind
}

// acsCase sends one case of a kind and checks its property; it returns the
// request (for the replay step) and the failure, if any.
func acsCase(cat *fixtures.Catalog, w *acsWorld, kind, action string, ch acsChoice, rec *Recorder) (generators.RESTRequest, *PropError, error) {
	prop := func(subject, detail string) string {
		return fixtures.MakeID(cat.Dialect, subject, fixtures.KindProperty, detail)
	}
	nse := prop("api", "no-server-error")
	a, ok := cat.Action(action)
	if !ok {
		return generators.RESTRequest{}, nil, fmt.Errorf("fuzz: unknown action %q", action)
	}
	base, err := w.gen.Valid(action)
	if err != nil {
		return base, nil, err
	}
	rec.count(1)
	switch kind {
	case OpValid:
		req := base
		if _, ok := req.Body["EcsImageId"]; ok {
			w.serial++
			req.Body["EcsImageId"] = fmt.Sprintf("m-fuzz%s%d", w.tag, w.serial)
		}
		bound := ""
		if ch.Rule != "" {
			r, ok := cat.Rule(ch.Rule)
			if !ok {
				return req, nil, fmt.Errorf("fuzz: unknown rule %q", ch.Rule)
			}
			if req, bound, err = w.gen.Bound(*r, req, ch.AtMax); err != nil {
				return req, nil, err
			}
			rec.cover("rule:" + r.ID)
		}
		resp, pe := w.send(req, a, acs.Options{}, nil)
		rec.touch(nse, prop(action, "valid-accepted"))
		rec.cover("action:" + action)
		if pe != nil {
			return req, pe, nil
		}
		if e := resp.Err(); e != nil && !(e.Code == "StateConflict" || (e.Code == "InvalidResource.NotFound" && resp.Status == 404)) {
			return req, &PropError{Item: prop(action, "valid-accepted"), Msg: fmt.Sprintf("a valid request (%s) was refused: %d %s", orDefault(bound, "as generated"), resp.Status, resp.Body)}, nil
		}
		return req, nil, nil
	case OpViolation:
		r, ok := cat.Rule(ch.Rule)
		if !ok {
			return base, nil, fmt.Errorf("fuzz: unknown rule %q", ch.Rule)
		}
		cases, err := w.gen.Violations(*r, base)
		if err != nil {
			return base, nil, err
		}
		c := cases[0]
		for _, x := range cases {
			if x.What == ch.Broken {
				c = x
			}
		}
		resp, pe := w.send(c.Request, a, acs.Options{}, nil)
		rec.touch(nse, prop(action, "one-violation"))
		rec.cover("rule:" + r.ID)
		if pe != nil {
			return c.Request, pe, nil
		}
		st := cat.ErrorCodes[r.Code].Status
		if e := resp.Err(); resp.Status != st || e == nil || e.Code != c.Code || e.Message != c.Message {
			return c.Request, &PropError{Item: prop(action, "one-violation"),
				Msg: fmt.Sprintf("%s broken (%s): want %d %s %q, got %d %s", r.ID, c.What, st, c.Code, c.Message, resp.Status, resp.Body)}, nil
		}
		return c.Request, nil, nil
	case OpSignature:
		var f *generators.ACSSigFault
		for i := range generators.ACSSignatureFaults {
			if generators.ACSSignatureFaults[i].Name == ch.Fault {
				f = &generators.ACSSignatureFaults[i]
			}
		}
		if f == nil {
			return base, nil, fmt.Errorf("fuzz: unknown signature fault %q", ch.Fault)
		}
		c := *w.client
		if f.Secret != nil {
			c.Signer.AccessKeySecret = f.Secret(c.Signer.AccessKeySecret)
		}
		resp, pe := w.send(base, a, f.Options(time.Now()), &c)
		rec.touch(nse, prop("auth", "signature-faults"))
		rec.cover("signature:" + f.Name)
		if pe != nil {
			return base, pe, nil
		}
		if e := resp.Err(); resp.Status != 400 || e == nil || !containsStr(generators.ACSAuthCodes, e.Code) {
			return base, &PropError{Item: prop("auth", "signature-faults"), Msg: fmt.Sprintf("signature fault %s: want 400 and an auth code, got %d %s", f.Name, resp.Status, resp.Body)}, nil
		}
		return base, nil, nil
	}
	return base, nil, fmt.Errorf("fuzz: the ACS fuzzer has no kind %q", kind)
}

// property returns the rapid property of one kind over world w: it draws
// an action (of actions) and a choice, and runs acsCase.
func (d *ACS) property(kind string, w *acsWorld, actions []string, rec *Recorder) func(*rapid.T) {
	cat, byAction := d.cat, d.byAction
	if len(actions) == 0 {
		actions = d.actions
	}
	return func(t *rapid.T) {
		action := rapid.SampledFrom(actions).Draw(t, "action")
		var ch acsChoice
		switch kind {
		case OpValid:
			var bounded []fixtures.Rule
			for _, r := range byAction[action] {
				if (r.Suffix == "range" || r.Suffix == "maxlen") && r.Path != "IdempotentToken" {
					bounded = append(bounded, r)
				}
			}
			if len(bounded) > 0 && rapid.Bool().Draw(t, "at-bound") {
				ch.Rule = rapid.SampledFrom(bounded).Draw(t, "rule").ID
				ch.AtMax = rapid.Bool().Draw(t, "max")
			}
		case OpViolation:
			// A full-width draw modulo the count: rapid's small-value bias
			// would otherwise rarely reach the rules late in a long list.
			rules := byAction[action]
			r := rules[int(rapid.Uint32().Draw(t, "rule")%uint32(len(rules)))]
			ch.Rule = r.ID
			base, err := w.gen.Valid(action)
			if err != nil {
				t.Fatalf("valid %s: %v", action, err)
			}
			cases, err := w.gen.Violations(r, base)
			if err != nil {
				t.Fatalf("violate %s: %v", r.ID, err)
			}
			ch.Broken = cases[rapid.IntRange(0, len(cases)-1).Draw(t, "case")].What
		case OpSignature:
			ch.Fault = rapid.SampledFrom(generators.ACSSignatureFaults).Draw(t, "fault").Name
		}
		req, pe, err := acsCase(cat, w, kind, action, ch, rec)
		if err != nil {
			t.Fatalf("%s %s: %v", kind, action, err)
		}
		if pe != nil {
			rec.fail(pe, []Step{newStep(kind, action, req.Body, ch)})
			t.Fatalf("%s", pe.Error())
		}
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
