package fuzz

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// Suite holds what the properties derive from one catalog.
type Suite struct {
	Cat *fixtures.Catalog
	Gen *generators.Rapid
	// stateCodes: action -> codes it documents for a state or configuration
	// (not a rule), which a valid request may meet (a job that already ended,
	// a node that is busy).
	stateCodes map[string]map[string]bool
	// echoes: actions whose output documents a secret member.
	echoes map[string]bool
	// secretInputs: action -> request paths of secret members.
	secretInputs map[string][]string
	ruleByID     map[string]fixtures.Rule
	plain        *generators.Generator // deterministic, no refs
	gens         map[generators.Refs]*generators.Rapid
	actions      []string
	// rulesByAction: the generatable rules of each action.
	rulesByAction map[string][]fixtures.Rule
	profile       api3Profile
}

// api3Profile is what differs between the API 3.0 dialects sharing Suite.
type api3Profile struct {
	// host is the product's hostname: a request sent with it as Host has
	// its scope's service checked strictly (the scope-service fault).
	host string
	// setup creates the resources valid requests refer to.
	setup func(*Suite, *Target) (generators.Refs, error)
	// readBack: create action -> the action that shows what it created.
	readBack map[string]readBackSpec
	// isolate: destructive action -> the create action (and its ID field)
	// that gives a valid case a resource of its own.
	isolate map[string][2]string
	// stateful is the model-based property (nil: the dialect has none);
	// replay re-runs a stateful replay file's steps on t.
	stateful func(*Suite, Factory, *Recorder) func(*rapid.T)
	replay   func(*Suite, *Target, []Step) *PropError
	// validRefusal reports whether a valid request may be refused with
	// code (nil: one of the action's state/configuration codes).
	validRefusal func(s *Suite, action, code string) bool
	// fix adjusts a valid request to the target (nil: none).
	fix func(t *Target, action string, req map[string]any) map[string]any
}

type readBackSpec struct {
	action, field, param string
	list                 bool
}

// profiles of the API 3.0 dialects.
var profiles = map[string]api3Profile{
	fixtures.DialectTencentBatch: {
		host:  "batch.tencentcloudapi.com",
		setup: (*Suite).setupBatch,
		readBack: map[string]readBackSpec{
			"SubmitJob":           {"DescribeJobSubmitInfo", "JobId", "JobId", false},
			"CreateComputeEnv":    {"DescribeComputeEnvCreateInfo", "EnvId", "EnvId", false},
			"CreateCpmComputeEnv": {"DescribeComputeEnvCreateInfo", "EnvId", "EnvId", false},
			"CreateTaskTemplate":  {"DescribeTaskTemplates", "TaskTemplateId", "TaskTemplateIds", true},
		},
		isolate: map[string][2]string{
			"DeleteComputeEnv": {"CreateComputeEnv", "EnvId"}, "DeleteJob": {"SubmitJob", "JobId"},
			"TerminateJob": {"SubmitJob", "JobId"}, "DeleteTaskTemplates": {"CreateTaskTemplate", "TaskTemplateId"},
		},
		stateful: (*Suite).statefulBatch,
		replay: func(s *Suite, t *Target, steps []Step) *PropError {
			m := newModel(s, t, nil)
			return replaySteps(steps, m.apply)
		},
	},
	fixtures.DialectOceanus: oceanusProfile,
}

// replaySteps applies a stateful replay file's steps in order.
func replaySteps(steps []Step, apply func(Step) *PropError) *PropError {
	for i, st := range steps {
		if pe := apply(st); pe != nil {
			pe.Msg = fmt.Sprintf("step %d (%s): %s", i+1, st.Op, pe.Msg)
			pe.Step = i + 1
			return pe
		}
	}
	return nil
}

// NewSuite derives the properties' tables from the catalog.
func NewSuite(cat *fixtures.Catalog) *Suite {
	s := &Suite{Cat: cat, Gen: generators.NewRapid(cat, generators.Refs{}), stateCodes: map[string]map[string]bool{},
		echoes: map[string]bool{}, secretInputs: map[string][]string{}, ruleByID: map[string]fixtures.Rule{},
		rulesByAction: map[string][]fixtures.Rule{}, plain: generators.New(cat, generators.Refs{}, nil),
		gens: map[generators.Refs]*generators.Rapid{}, profile: profiles[cat.Dialect]}
	if s.profile.setup == nil {
		s.profile = profiles[fixtures.DialectTencentBatch]
	}
	// The API 3.0 common codes a state (not a rule) can cause apply to
	// every action.
	var commonState []string
	for code, ec := range cat.ErrorCodes {
		switch code {
		case "UnsupportedOperation", "ResourceInUse", "ResourceUnavailable", "ResourceInsufficient", "FailedOperation", "ResourceNotFound", "LimitExceeded":
			if ec.Common {
				commonState = append(commonState, code)
			}
		}
	}
	for _, a := range cat.Actions {
		s.stateCodes[a.Name] = map[string]bool{}
		for _, c := range commonState {
			s.stateCodes[a.Name][c] = true
		}
	}
	for _, e := range cat.Errors {
		if len(e.Provoke.Rules) == 0 && !strings.HasPrefix(e.Code, "InternalError") {
			if s.stateCodes[e.Action] == nil {
				s.stateCodes[e.Action] = map[string]bool{}
			}
			s.stateCodes[e.Action][e.Code] = true
		}
	}
	for _, a := range cat.Actions {
		s.actions = append(s.actions, a.Name)
		if hasSecret(cat, cat.Objects[a.Output], 0) {
			s.echoes[a.Name] = true
		}
		for _, p := range cat.SecretPaths {
			if m, err := cat.ResolvePath(a.Input, p); err == nil && m.Secret {
				s.secretInputs[a.Name] = append(s.secretInputs[a.Name], p)
			}
		}
	}
	for _, r := range s.Gen.Rules() {
		s.ruleByID[r.ID] = r
		s.rulesByAction[r.Action] = append(s.rulesByAction[r.Action], r)
	}
	return s
}

func hasSecret(cat *fixtures.Catalog, o *fixtures.Object, depth int) bool {
	if o == nil || depth > 10 {
		return false
	}
	for _, m := range o.Members {
		if m.Secret {
			return true
		}
		if m.Ref != "" && hasSecret(cat, cat.Objects[m.Ref], depth+1) {
			return true
		}
	}
	return false
}

// Item IDs of the properties.
func (s *Suite) item(subject, detail string) string {
	return fixtures.MakeID(s.Cat.Dialect, subject, fixtures.KindProperty, detail)
}

// ItemNoServerError and friends name the API-wide properties.
func (s *Suite) ItemNoServerError() string { return s.item("api", "no-server-error") }
func (s *Suite) ItemSecrets() string       { return s.item("api", "secrets-not-echoed") }
func (s *Suite) ItemSignature() string     { return s.item("auth", "signature-faults") }
func (s *Suite) ItemValid(a string) string { return s.item(a, "valid-accepted") }
func (s *Suite) ItemViolation(a string) string {
	return s.item(a, "one-violation")
}
func (s *Suite) ItemModel(detail string) string { return s.item("model", detail) }

// PropError is a failed expectation of one property item.
type PropError struct {
	Item string
	Msg  string
	// Step is the 1-based step of a replayed sequence that failed (0: not
	// a replayed sequence).
	Step int
}

func (e *PropError) Error() string { return e.Item + ": " + e.Msg }

// checkEnvelope: never a 5xx, an InternalError, a malformed envelope, an
// error outside HTTP 200, or a body that breaks the documented schema.
func (s *Suite) checkEnvelope(action string, env *harness.Envelope) *PropError {
	fail := func(f string, a ...any) *PropError {
		return &PropError{Item: s.ItemNoServerError(), Msg: fmt.Sprintf("%s: ", action) + fmt.Sprintf(f, a...)}
	}
	switch {
	case env.Status >= 500:
		return fail("HTTP %d: %s", env.Status, cut(string(env.Body)))
	case env.DecodeErr != nil:
		return fail("malformed envelope (HTTP %d): %v: %s", env.Status, env.DecodeErr, cut(string(env.Body)))
	case strings.HasPrefix(env.Code(), "InternalError"):
		return fail("%s: %s", env.Code(), env.Error.Message)
	case env.Status != http.StatusOK:
		return fail("HTTP %d for an API 3.0 response (errors are HTTP 200): %s", env.Status, cut(string(env.Body)))
	}
	if probs := s.Cat.CheckResponse(action, env.Body); len(probs) > 0 {
		return fail("response breaks the documented schema: %s", strings.Join(probs, "; "))
	}
	return nil
}

func cut(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// CheckValid sends a valid request: accepted, or refused only with one of
// the action's documented state/configuration codes.
func (s *Suite) CheckValid(t *Target, action string, req map[string]any) *PropError {
	req = s.isolate(t, action, req)
	if s.profile.fix != nil {
		req = s.profile.fix(t, action, req)
	}
	env, _, err := t.Client.Send(action, req)
	if err != nil {
		return &PropError{Item: s.ItemNoServerError(), Msg: err.Error()}
	}
	if pe := s.checkEnvelope(action, env); pe != nil {
		return pe
	}
	if c := env.Code(); c != "" && !s.mayRefuseValid(action, c) {
		return &PropError{Item: s.ItemValid(action), Msg: fmt.Sprintf("a valid %s request was refused with %s: %s", action, c, env.Error.Message)}
	}
	// Read a created resource back at once, so a response that breaks the
	// schema because of what was created fails this (replayable) case, not
	// a later list case that depends on the round's history.
	if rb, ok := s.profile.readBack[action]; ok && env.Code() == "" {
		id := str(env, rb.field)
		var req map[string]any
		if rb.list {
			req = map[string]any{rb.param: []any{id}}
		} else {
			req = map[string]any{rb.param: id}
		}
		renv, _, err := t.Client.Send(rb.action, req)
		if err != nil {
			return &PropError{Item: s.ItemNoServerError(), Msg: err.Error()}
		}
		if pe := s.checkEnvelope(rb.action, renv); pe != nil {
			pe.Msg = "reading back what " + action + " created: " + pe.Msg
			return pe
		}
	}
	return nil
}

// mayRefuseValid reports whether a valid request of action may be refused
// with code.
func (s *Suite) mayRefuseValid(action, code string) bool {
	if s.profile.validRefusal != nil {
		return s.profile.validRefusal(s, action, code)
	}
	return s.stateCodes[action][code]
}

// isolate points a destructive request at a resource of its own, so valid
// cases do not delete or end the shared references the others use.
func (s *Suite) isolate(t *Target, action string, req map[string]any) map[string]any {
	create := s.profile.isolate[action]
	if create[0] == "" {
		return req
	}
	env, _, err := t.Client.Send(create[0], s.plain.Valid(create[0]))
	if err != nil || env.Code() != "" {
		return req
	}
	id := str(env, create[1])
	out := generators.CloneMap(req)
	switch action {
	case "DeleteTaskTemplates":
		out["TaskTemplateIds"] = []any{id}
	case "DeleteJobs":
		out["JobIds"] = []any{id}
	default:
		out[create[1]] = id
	}
	return out
}

// CheckViolation sends a request breaking exactly one rule: refused with the
// rule's documented code.
func (s *Suite) CheckViolation(t *Target, ruleID, action string, req map[string]any, code string) *PropError {
	env, _, err := t.Client.Send(action, req)
	if err != nil {
		return &PropError{Item: s.ItemNoServerError(), Msg: err.Error()}
	}
	if pe := s.checkEnvelope(action, env); pe != nil {
		return pe
	}
	if got := env.Code(); got != code {
		msg := ""
		if env.Error != nil {
			msg = env.Error.Message
		}
		if got == "" {
			got = "success"
		}
		return &PropError{Item: s.ItemViolation(action), Msg: fmt.Sprintf("breaking %s: got %s, want %s %s", ruleID, got, code, msg)}
	}
	return nil
}

// CheckSignature sends a request with a broken signature: refused with the
// fault's documented code.
func (s *Suite) CheckSignature(t *Target, f generators.SigFault, action string, req map[string]any) *PropError {
	body, _ := json.Marshal(req)
	call := Call{Action: action, Body: body}
	now := time.Now()
	switch f.Kind {
	case generators.SigTamperBody:
		call.Tamper = func(r *http.Request) {
			nb := append([]byte(nil), body...)
			nb = append(nb[:len(nb)-1], []byte(`,"ClientToken":"tampered"}`)...)
			if len(body) <= 2 {
				nb = []byte(`{"Limit":1}`)
			}
			setBody(r, nb)
		}
	case generators.SigTamperHeader:
		call.Tamper = func(r *http.Request) {
			if f.Header == "host" {
				r.Host = "127.0.0.9:1"
			} else {
				r.Header.Set("X-TC-Timestamp", strconv.FormatInt(now.Add(f.Skew).Unix(), 10))
			}
		}
	case generators.SigTamperQuery:
		action = "DescribeJobs"
		call.Action, call.Method, call.Params = action, http.MethodGet, url.Values{"Offset": {"0"}, "Limit": {"5"}}
		call.Tamper = func(r *http.Request) { r.URL.RawQuery = url.Values{"Offset": {"1"}, "Limit": {"5"}}.Encode() }
	case generators.SigWrongKey:
		call.SecretKey = t.Client.SecretKey + "x"
	case generators.SigSkew:
		call.Timestamp = now.Add(f.Skew)
	case generators.SigScopeDate:
		call.Timestamp = now
		call.ScopeDate = now.UTC().AddDate(0, 0, f.Days).Format("2006-01-02")
	case generators.SigScopeService:
		call.Service, call.Host = f.Service, s.profile.host
	}
	env, err := t.Client.Do(call)
	if err != nil {
		return &PropError{Item: s.ItemNoServerError(), Msg: err.Error()}
	}
	if pe := s.checkEnvelope(action, env); pe != nil {
		return pe
	}
	if env.Code() != f.Code {
		got := env.Code()
		if got == "" {
			got = "success"
		}
		return &PropError{Item: s.ItemSignature(), Msg: fmt.Sprintf("%s (%s): got %s, want %s", f.Kind, f.Item, got, f.Code)}
	}
	return nil
}

func setBody(r *http.Request, b []byte) {
	r.Body = nopCloser{strings.NewReader(string(b))}
	r.ContentLength = int64(len(b))
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// CheckSecret sends a request carrying a secret: the response never shows
// it unless the action documents returning secrets.
func (s *Suite) CheckSecret(t *Target, action string, req map[string]any, secret string) *PropError {
	env, _, err := t.Client.Send(action, req)
	if err != nil {
		return &PropError{Item: s.ItemNoServerError(), Msg: err.Error()}
	}
	if pe := s.checkEnvelope(action, env); pe != nil {
		return pe
	}
	if !s.echoes[action] && strings.Contains(string(env.Body), secret) {
		return &PropError{Item: s.ItemSecrets(), Msg: fmt.Sprintf("%s echoed a secret it was sent (%s)", action, env.Code())}
	}
	return nil
}

// Setup creates the resources valid requests refer to and returns their
// references.
func (s *Suite) Setup(t *Target) (generators.Refs, error) { return s.profile.setup(s, t) }

// setupBatch: an env with running nodes, a job, a template.
func (s *Suite) setupBatch(t *Target) (generators.Refs, error) {
	refs := generators.Refs{}
	g := s.plain
	env := g.Valid("CreateComputeEnv")
	if ce, ok := env["ComputeEnv"].(map[string]any); ok {
		ce["DesiredComputeNodeCount"] = int64(1)
	}
	e, _, err := t.Client.Send("CreateComputeEnv", env)
	if err != nil || e.Code() != "" {
		return refs, fmt.Errorf("fuzz: setup CreateComputeEnv: %v %s", err, codeMsg(e))
	}
	refs.EnvID = str(e, "EnvId")
	if t.Advance != nil {
		_ = t.Advance(5 * time.Second) // boot the nodes
	}
	d, _, err := t.Client.Send("DescribeComputeEnv", map[string]any{"EnvId": refs.EnvID})
	if err == nil && d.Code() == "" {
		var nodes []struct{ ComputeNodeId string }
		if decode(d, "ComputeNodeSet", &nodes) == nil && len(nodes) > 0 {
			refs.NodeID = nodes[0].ComputeNodeId
		}
	}
	j, _, err := t.Client.Send("SubmitJob", g.Valid("SubmitJob"))
	if err != nil || j.Code() != "" {
		return refs, fmt.Errorf("fuzz: setup SubmitJob: %v %s", err, codeMsg(j))
	}
	refs.JobID, refs.TaskName = str(j, "JobId"), "A"
	tt, _, err := t.Client.Send("CreateTaskTemplate", g.Valid("CreateTaskTemplate"))
	if err != nil || tt.Code() != "" {
		return refs, fmt.Errorf("fuzz: setup CreateTaskTemplate: %v %s", err, codeMsg(tt))
	}
	refs.TemplateID = str(tt, "TaskTemplateId")
	return refs, nil
}

func codeMsg(e *harness.Envelope) string {
	if e == nil || e.Error == nil {
		return ""
	}
	return e.Error.Code + ": " + e.Error.Message
}

// ---- rapid properties ----

// Stateless kinds (the Op of their replay step).
const (
	OpValid     = "valid"
	OpViolation = "violation"
	OpSignature = "signature"
	OpSecret    = "secret"
)

// StatelessKinds lists the stateless properties in the order runs cycle them.
var StatelessKinds = []string{OpValid, OpViolation, OpSignature, OpSecret}

// stepArgs are the arguments of a stateless replay step.
type stepArgs struct {
	Rule       string               `json:"rule,omitempty"`
	Code       string               `json:"code,omitempty"`
	What       string               `json:"what,omitempty"`
	Fault      *generators.SigFault `json:"fault,omitempty"`
	SecretPath string               `json:"secret_path,omitempty"` // the secret is the request's value there (redacted in files)
	Refs       *generators.Refs     `json:"refs,omitempty"`
}

// Stateless returns the rapid property of one kind against t (whose refs
// Setup made). Every failure is handed to rec with its replay step.
func (s *Suite) Stateless(kind string, t *Target, refs generators.Refs, actions []string, rec *Recorder) func(*rapid.T) {
	return s.stateless(kind, t, refs, actions, nil, rec)
}

// StatelessRules is the one-violation property over the given rules only
// (a sweep gives every rule its cases).
func (s *Suite) StatelessRules(t *Target, refs generators.Refs, rules []fixtures.Rule, rec *Recorder) func(*rapid.T) {
	return s.stateless(OpViolation, t, refs, nil, rules, rec)
}

// rapidFor returns the (cached) rapid generators over refs.
func (s *Suite) rapidFor(refs generators.Refs) *generators.Rapid {
	if g, ok := s.gens[refs]; ok {
		return g
	}
	g := generators.NewRapid(s.Cat, refs)
	s.gens[refs] = g
	return g
}

func (s *Suite) stateless(kind string, t *Target, refs generators.Refs, actions []string, rules []fixtures.Rule, rec *Recorder) func(*rapid.T) {
	if rec == nil {
		rec = &Recorder{}
	}
	gen := s.rapidFor(refs)
	if len(actions) == 0 {
		actions = s.actions
	}
	if rules == nil {
		for _, a := range actions {
			rules = append(rules, s.rulesByAction[a]...)
		}
	}
	var secretActions []string
	for _, a := range actions {
		if len(s.secretInputs[a]) > 0 {
			secretActions = append(secretActions, a)
		}
	}
	sort.Strings(secretActions)
	return func(rt *rapid.T) {
		var step Step
		var pe *PropError
		r := refs
		switch kind {
		case OpValid:
			vc := gen.Valid(actions).Draw(rt, "valid")
			step = newStep(OpValid, vc.Action, vc.Request, stepArgs{Refs: &r, What: strings.Join(vc.Boundaries, ", ")})
			rec.touch(s.ItemNoServerError(), s.ItemValid(vc.Action))
			rec.cover("action:" + vc.Action)
			pe = s.CheckValid(t, vc.Action, vc.Request)
		case OpViolation:
			if len(rules) == 0 {
				rt.Skip("no rules")
			}
			vc := gen.Violation(rules).Draw(rt, "violation")
			step = newStep(OpViolation, vc.Action, vc.Request, stepArgs{Rule: vc.Rule, Code: vc.Code, What: vc.What, Refs: &r})
			rec.touch(s.ItemNoServerError(), s.ItemViolation(vc.Action))
			rec.cover("rule:" + vc.Rule)
			pe = s.CheckViolation(t, vc.Rule, vc.Action, vc.Request, vc.Code)
		case OpSignature:
			f := gen.SignatureFault().Draw(rt, "fault")
			vc := gen.Valid(actions).Draw(rt, "request")
			step = newStep(OpSignature, vc.Action, vc.Request, stepArgs{Fault: &f, Refs: &r})
			rec.touch(s.ItemNoServerError(), s.ItemSignature())
			rec.cover("signature:" + f.Kind)
			pe = s.CheckSignature(t, f, vc.Action, vc.Request)
		case OpSecret:
			if len(secretActions) == 0 {
				rt.Skip("no action takes a secret")
			}
			a := rapid.SampledFrom(secretActions).Draw(rt, "action")
			p := rapid.SampledFrom(s.secretInputs[a]).Draw(rt, "secret-path")
			secret := "Bc" + rapid.StringMatching(`[A-Za-z0-9]{10,16}`).Draw(rt, "secret") + "#9"
			g := gen.Generator(rt)
			req, err := g.Prepare(fixtures.Rule{Action: a, Path: p}, g.Valid(a))
			if err != nil {
				rt.Skipf("cannot place %s: %v", p, err)
			}
			if !setConcrete(req, generators.Concrete(p), secret) {
				rt.Skipf("cannot place %s", p)
			}
			step = newStep(OpSecret, a, req, stepArgs{SecretPath: generators.Concrete(p), Refs: &r})
			rec.touch(s.ItemNoServerError(), s.ItemSecrets())
			rec.cover("secret:" + a + " " + p)
			pe = s.CheckSecret(t, a, req, secret)
		default:
			rt.Fatalf("unknown property kind %q", kind)
		}
		rec.count(1)
		rec.lastStep = st(step)
		if pe != nil {
			rec.fail(pe, []Step{step})
			if !rec.Collect {
				rt.Logf("%s", pe.Msg)    // shown with the minimized case
				rt.Fatalf("%s", pe.Item) // the item only: rapid shrinks while the error stays the same, and details (IDs) vary
			}
		}
	}
}

func st(s Step) string { return s.Op + " " + s.Action + " " + string(s.Request) + " " + string(s.Args) }

func setConcrete(req map[string]any, path string, v any) bool {
	segs := strings.Split(path, ".")
	parent, ok := generators.Get(req, strings.Join(segs[:len(segs)-1], "."))
	if len(segs) == 1 {
		parent, ok = req, true
	}
	if !ok {
		return false
	}
	switch p := parent.(type) {
	case map[string]any:
		p[segs[len(segs)-1]] = v
		return true
	case []any:
		i, err := strconv.Atoi(segs[len(segs)-1])
		if err != nil || i < 0 || i >= len(p) {
			return false
		}
		p[i] = v
		return true
	}
	return false
}
