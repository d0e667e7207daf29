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
// Failures are shrunk by rapid and written as replay files like the API 3.0
// fuzzer's (dialect alibaba-batchcompute, kind stateless). The stateful model
// is the API 3.0 fuzzer's only (not yet for ACS).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
)

// ACSKinds are the ACS fuzzer's properties, in the order rounds cycle them.
var ACSKinds = []string{OpValid, OpViolation, OpSignature}

// ACSConfig configures an ACS fuzz run against fresh embedded emulators.
type ACSConfig struct {
	Catalog    *fixtures.Catalog
	Duration   time.Duration
	Seed       uint64
	Out        string
	Kinds      []string
	Checks     int
	ShrinkTime time.Duration
	Faults     []string
	Progress   interface{ Write([]byte) (int, error) }
}

// acsWorld is one round's target: an emulator, its client and the
// resources the valid requests refer to.
type acsWorld struct {
	emu    *emulator.Emulator
	client *acs.Client
	gen    *generators.RESTGenerator
	serial int // makes registered ECS images unique (one image per ECS image)
}

func newACSWorld(cat *fixtures.Catalog, faults []string) (*acsWorld, error) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithFaults(faults...))
	if err != nil {
		return nil, fmt.Errorf("fuzz: start the embedded emulator: %w", err)
	}
	w := &acsWorld{emu: emu, client: &acs.Client{Endpoint: emu.URL, Signer: acs.Signer{AccessKeyID: emu.SecretID, AccessKeySecret: emu.SecretKey}}}
	fail := func(err error) (*acsWorld, error) { _ = emu.Close(); return nil, err }
	ctx := context.Background()
	var q struct{ AvailableClusterInstanceType []string }
	if r, err := w.client.JSON(ctx, http.MethodGet, "/quotas", nil, &q); err != nil || r.Status != 200 || len(q.AvailableClusterInstanceType) == 0 {
		return fail(fmt.Errorf("fuzz: GetQuotas for an instance type: %v", err))
	}
	it := q.AvailableClusterInstanceType[0]
	var created struct{ Id string }
	bodies := generators.AlibabaBodies(it, "", "m-fuzzw")
	if r, err := w.client.JSON(ctx, http.MethodPost, "/clusters", bodies["CreateCluster"], &created); err != nil || r.Status != 201 {
		return fail(fmt.Errorf("fuzz: CreateCluster: %v %v", err, r))
	}
	clusterID := created.Id
	bodies = generators.AlibabaBodies(it, clusterID, "m-fuzzr")
	if r, err := w.client.JSON(ctx, http.MethodPost, "/jobs", bodies["CreateJob"], &created); err != nil || r.Status != 201 {
		return fail(fmt.Errorf("fuzz: CreateJob: %v %v", err, r))
	}
	jobID := created.Id
	img := generators.CloneMap(bodies["CreateImage"])
	img["EcsImageId"] = "m-fuzzw"
	if r, err := w.client.JSON(ctx, http.MethodPost, "/images", img, &created); err != nil || r.Status != 201 {
		return fail(fmt.Errorf("fuzz: CreateImage: %v %v", err, r))
	}
	w.gen = generators.NewREST(cat, generators.RESTRefs{ClusterID: clusterID, GroupName: "group1", JobID: jobID, TaskName: "A",
		InstanceID: "0", ImageID: created.Id, Bodies: bodies})
	return w, nil
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
			req.Body["EcsImageId"] = fmt.Sprintf("m-fuzz%d", w.serial)
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

// acsProperty returns the rapid property of one kind over world w: it draws
// an action and a choice, and runs acsCase.
func acsProperty(cat *fixtures.Catalog, kind string, w *acsWorld, rec *Recorder) func(*rapid.T) {
	byAction := map[string][]fixtures.Rule{}
	var actions []string
	for _, r := range cat.Rules {
		if byAction[r.Action] == nil {
			actions = append(actions, r.Action)
		}
		byAction[r.Action] = append(byAction[r.Action], r)
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

// ReplayACS runs a replay file of the ACS fuzzer against a fresh embedded
// emulator (with faults): nil when every expectation holds now.
func ReplayACS(cat *fixtures.Catalog, f *ReplayFile, faults []string) (*PropError, error) {
	w, err := newACSWorld(cat, faults)
	if err != nil {
		return nil, err
	}
	defer w.emu.Close()
	for _, st := range f.Steps {
		var ch acsChoice
		if len(st.Args) > 0 {
			if err := json.Unmarshal(st.Args, &ch); err != nil {
				return nil, fmt.Errorf("fuzz: replay step args: %w", err)
			}
		}
		_, pe, err := acsCase(cat, w, st.Op, st.Action, ch, &Recorder{})
		if err != nil || pe != nil {
			return pe, err
		}
	}
	return nil, nil
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

// RunACS fuzzes the ACS dialect for cfg.Duration: rounds of every kind, each
// one rapid.Check with its own seed against a fresh embedded emulator.
func RunACS(cfg ACSConfig) (*Result, error) {
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano()%1_000_000_007) + 1
	}
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = ACSKinds
	}
	if cfg.Checks <= 0 {
		cfg.Checks = 200
	}
	if cfg.ShrinkTime <= 0 {
		cfg.ShrinkTime = 4 * time.Second
	}
	res := &Result{RulesTotal: len(cfg.Catalog.Rules), Seed: cfg.Seed, Started: time.Now(), Cases: map[string]int64{}, Exercised: map[string]int64{}, Covered: map[string]int64{}}
	deadline := res.Started.Add(cfg.Duration)
	active := map[string]bool{}
	for _, k := range cfg.Kinds {
		if !containsStr(ACSKinds, k) {
			return nil, fmt.Errorf("fuzz: the ACS fuzzer has no property kind %q (want %s)", k, strings.Join(ACSKinds, ","))
		}
		active[k] = true
	}
	seed := cfg.Seed
	for time.Now().Before(deadline) {
		any := false
		for _, kind := range cfg.Kinds {
			if !active[kind] || !time.Now().Before(deadline) {
				continue
			}
			any = true
			w, err := newACSWorld(cfg.Catalog, cfg.Faults)
			if err != nil {
				return res, err
			}
			rec := &Recorder{}
			roundSeed := seed
			seed++
			start := time.Now()
			failed := check("acs-"+kind, roundSeed, cfg.Checks, 1, cfg.ShrinkTime, acsProperty(cfg.Catalog, kind, w, rec))
			_ = w.emu.Close()
			res.Checked += rec.Cases
			res.Cases[kind] += rec.Cases
			res.CheckTime += time.Since(start)
			for id, n := range rec.Exercised {
				res.Exercised[id] += n
			}
			for k, n := range rec.Covered {
				res.Covered[k] += n
			}
			if failed && rec.Last != nil {
				rep := Reported{Finding: *rec.Last, Kind: kind, Seed: roundSeed, FoundAfter: rec.firstFail.Sub(res.Started),
					ShrinkSeconds: time.Since(rec.firstFail).Seconds()}
				if cfg.Out != "" {
					f := &ReplayFile{Format: ReplayFormat, Dialect: cfg.Catalog.Dialect, Property: rep.Item, Kind: "stateless",
						Seed: roundSeed, Target: "embedded", Faults: cfg.Faults, Found: time.Now().UTC(),
						FoundSeconds: rep.FoundAfter.Seconds(), ShrinkSeconds: rep.ShrinkSeconds, Expectation: rep.Message, Steps: rep.Steps}
					path, err := f.Write(cfg.Out)
					if err != nil {
						return res, err
					}
					rep.File = path
				}
				res.Findings = append(res.Findings, rep)
				active[kind] = false
				res.Dropped = append(res.Dropped, kind)
			} else if failed {
				return res, fmt.Errorf("fuzz: acs %s round failed without a recorded case (a panic in the property?)", kind)
			}
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "\rfuzz: %s  %d cases  %d findings   ", time.Since(res.Started).Truncate(time.Second), res.Checked, len(res.Findings))
			}
		}
		if !any {
			break
		}
	}
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}
