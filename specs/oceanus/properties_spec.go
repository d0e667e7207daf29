package oceanus

// The fuzz properties (catalog items of kind property) get their verdicts
// from a short, fixed-seed pass of the catalog-driven rapid generators
// (generators.Rapid, drawn with fixed seeds through Generator.Example, so
// the pass is deterministic): per action, drawn valid requests are never
// refused with a rule's code and drawn one-violation requests get exactly
// the rule's code; across the pass, no answer is a server error, an
// InternalError or a malformed envelope. The model properties run a seeded
// random sequence of job operations in a tenant of its own (emulator only)
// and check every observed status move against the job machine and
// DescribeJobs' TotalCount against the jobs that exist.

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

const (
	propSeeds = 3 // valid draws per action
	propSeed  = 20261203
)

// shapeCodes are the codes of a request the contract calls malformed.
var shapeCodes = map[string]bool{"MissingParameter": true, "UnknownParameter": true, "InvalidParameter": true}

func propID(subject, detail string) string { return id(subject, fixtures.KindProperty, detail) }

var _ = Describe("Oceanus fuzz properties (short fixed-seed pass)", Ordered, ContinueOnFailure, func() {
	var (
		t        *harness.Target
		r        *generators.Rapid
		space    string
		problems []string // no-server-error findings across the pass
		answers  int
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		r = generators.NewRapid(cat, refs(t))
		space = defaultWorkSpace(t)
	})
	// send records every answer for api/no-server-error.
	sendP := func(action string, req map[string]any) *harness.Envelope {
		env, err := t.Raw(harness.RawRequest{Action: action, Version: harness.OceanusVersion, Service: "oceanus", Body: mustJSON(req)})
		answers++
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: transport error %v", action, err))
		case env.Status >= 500 || env.DecodeErr != nil:
			problems = append(problems, fmt.Sprintf("%s: HTTP %d %v: %s", action, env.Status, env.DecodeErr, env.Body))
		case strings.HasPrefix(env.Code(), "InternalError"):
			if it, ok := cat.Item(errID(action, env.Code())); !ok || it.Unprovokable != "" {
				problems = append(problems, fmt.Sprintf("%s: %s", action, env.Body))
			}
		case env.Code() == "":
			if ps := cat.CheckResponse(action, env.Body); len(ps) > 0 {
				problems = append(problems, fmt.Sprintf("%s: schema: %s", action, strings.Join(ps, "; ")))
			}
		}
		return env
	}
	for _, a := range cat.Actions {
		a := a
		harness.It(a.Name+" valid-accepted", harness.Items(propID(a.Name, "valid-accepted")), func() {
			harness.Check(propID(a.Name, "valid-accepted"))
			for seed := 0; seed < propSeeds; seed++ {
				vc := r.ValidOf(a.Name).Example(propSeed + seed)
				if _, has := vc.Request["WorkSpaceId"]; has {
					vc.Request["WorkSpaceId"] = space // a workspace that exists
				}
				uniqueNames(t, a.Name, vc.Request, fmt.Sprintf("prop%d", seed))
				env := sendP(a.Name, vc.Request)
				if a.Name == "CreateJob" && env.Code() == "" {
					DeferCleanup(deleteJob, t, str(env, "JobId"))
				}
				code := env.Code()
				a, _ := cat.Action(a.Name)
				Expect(shapeCodes[code] && !contains(a.Errors, code)).To(BeFalse(), "a drawn valid %s request is malformed to the endpoint: %s\n  request: %s", a.Name, env.Body, mustJSON(vc.Request))
				Expect(code == "" || documented(a.Name, code)).To(BeTrue(), "%s answered an undocumented code: %s", a.Name, env.Body)
			}
		})
		var rules []fixtures.Rule
		for _, rule := range generators.NewRapid(cat, generators.Refs{}).Rules() {
			if rule.Action == a.Name {
				rules = append(rules, rule)
			}
		}
		if len(rules) == 0 {
			continue
		}
		harness.It(a.Name+" one-violation", harness.Items(propID(a.Name, "one-violation")), func() {
			harness.Check(propID(a.Name, "one-violation"))
			for i, rule := range rules {
				vc := r.ViolationOf(rule).Example(propSeed + i)
				env := sendP(a.Name, vc.Request)
				Expect(env.Code()).To(Equal(vc.Code), "%s broken (%s): want %s\n  request:  %s\n  response: %s", rule.ID, vc.What, vc.Code, mustJSON(vc.Request), env.Body)
			}
		})
	}
	harness.It("api no-server-error", harness.Items(propID("api", "no-server-error")), func() {
		harness.Check(propID("api", "no-server-error"))
		Expect(answers).To(BeNumerically(">", 0), "the pass sent nothing")
		Expect(problems).To(BeEmpty(), "%d of %d answers break the envelope or schema or are server errors", len(problems), answers)
	})

	harness.It("model: seeded random job operations keep the machine's promises",
		harness.Items(propID("model", "stateful"), propID("model", "transitions"), propID("model", "total-count")), func() {
			t.RequireEmulator()
			tt := t.NewTenantJSON(map[string]any{})
			rnd := rand.New(rand.NewSource(propSeed))
			jobs := map[string]string{} // id -> last seen status
			harness.Check(propID("model", "stateful"))
			// As many steps as the run's property budget (harness/passbudget.go).
			for step := 0; step < harness.PropertyBudget().Sequences; step++ {
				var ids []string
				for id := range jobs {
					ids = append(ids, id)
				}
				sortStrings(ids)
				pick := func() string {
					if len(ids) == 0 {
						return "cql-zzzzzzzz"
					}
					return ids[rnd.Intn(len(ids))]
				}
				switch op := rnd.Intn(6); {
				case op == 0 || len(ids) == 0:
					env := raw(tt, "CreateJob", map[string]any{"Name": runName(tt, fmt.Sprintf("m%d", step)), "JobType": 1, "ClusterType": 1})
					Expect(env.Code()).To(BeEmpty(), "step %d CreateJob: %s", step, env.Body)
					jobs[str(env, "JobId")] = "1"
				case op == 1:
					raw(tt, "CreateJobConfig", map[string]any{"JobId": pick()})
				case op == 2:
					raw(tt, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": pick(), "RunType": 1 + rnd.Intn(2)}}})
				case op == 3:
					raw(tt, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": pick(), "StopType": 1 + rnd.Intn(2)}}})
				case op == 4:
					id := pick()
					if raw(tt, "DeleteJobs", map[string]any{"JobIds": []string{id}}).Code() == "" {
						delete(jobs, id)
					}
				default:
					time.Sleep(t.PollInterval() * time.Duration(1+rnd.Intn(10)))
				}
				// Observe: every job's move is a documented path, TotalCount
				// counts the jobs that exist.
				harness.Check(propID("model", "total-count"))
				all := ok(tt, "DescribeJobs", map[string]any{"Limit": 100})
				Expect(all["TotalCount"]).To(BeNumerically("==", len(jobs)), "step %d: TotalCount", step)
				harness.Check(propID("model", "transitions"))
				for _, jm := range harness.ObjectsOpt(all, "JobSet") {
					jid, s := harness.Str(jm, "JobId"), fmt.Sprint(harness.Num(jm, "Status"))
					prev, known := jobs[jid]
					Expect(known).To(BeTrue(), "step %d: job %s is listed but was never created or was deleted", step, jid)
					Expect(reachable(prev, s)).To(BeTrue(), "step %d: job %s moved %s -> %s: no documented path", step, jid, prev, s)
					jobs[jid] = s
				}
			}
		})
})

// reachable reports whether the job machine has a path from -> to (or they
// are equal).
func reachable(from, to string) bool {
	if from == to {
		return true
	}
	seen := map[string]bool{from: true}
	queue := []string{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, tr := range jobMachine.Transitions {
			if tr.From == s && !seen[tr.To] {
				if tr.To == to {
					return true
				}
				seen[tr.To] = true
				queue = append(queue, tr.To)
			}
		}
	}
	return false
}
