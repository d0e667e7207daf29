package oceanus

// Every action of the catalog is served: a request built from the action's
// doc example (or, without one, generators.Valid), pointed at the world's
// resources, is answered either with success or with an error code the
// action documents (its errors.json list or an API 3.0 common code) — never
// InvalidAction, a 5xx or a malformed envelope. Actions v1.0.162 has go
// through the SDK client. A success must conform to the documented schema
// (cat.CheckResponse) with a fresh UUID RequestId: that checks the schema
// item. Destructive actions run last, in an order that keeps the world
// usable for the others.

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// destructive actions and the order they run in, after every other action.
var destructive = []string{"StopJobs", "DeleteTableConfig", "DeleteJobConfigs", "DeleteResourceConfigs", "DeleteFolders",
	"DeleteResources", "DeleteJobs", "DeleteWorkSpace", "DeleteOceanusCluster"}

// actionOrder: every action, the destructive ones last.
func actionOrder() []string {
	last := map[string]int{}
	for i, a := range destructive {
		last[a] = i + 1
	}
	var names []string
	for _, a := range cat.Actions {
		names = append(names, a.Name)
	}
	sort.SliceStable(names, func(i, j int) bool { return last[names[i]] < last[names[j]] })
	return names
}

// documented reports whether code is one the action documents (or common).
func documented(action, code string) bool {
	a, _ := cat.Action(action)
	for _, c := range a.Errors {
		if c == code {
			return true
		}
	}
	ec, ok := cat.ErrorCodes[code]
	return ok && ec.Common
}

// exampleRequest returns the action's first doc example request, if any.
func exampleRequest(action string) (map[string]any, bool) {
	for _, x := range cat.Examples {
		if x.Action == action && strings.HasPrefix(x.Detail, "apispec-") {
			var req map[string]any
			if json.Unmarshal(x.Request, &req) == nil {
				return req, true
			}
		}
	}
	return nil, false
}

var _ = Describe("Oceanus actions", Ordered, ContinueOnFailure, func() {
	var (
		t    *harness.Target
		w    *world
		seen = map[string]bool{}
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		if t.Emulator {
			// A tenant of its own: the destructive actions (cluster
			// deletion, scaling) cannot reach other containers' resources.
			t = t.NewTenantJSON(map[string]any{})
		}
		w = newWorld(t, "act")
	})
	for _, name := range actionOrder() {
		action := name
		a, _ := cat.Action(action)
		harness.It(action, harness.Items(id(action, fixtures.KindAction, ""), id(action, fixtures.KindSchema, "response")), func() {
			req, ok := exampleRequest(action)
			if !ok || a.InSDK {
				req = generators.Valid(cat, action, generators.Refs{Region: t.Region})
			}
			req = w.substitute(req).(map[string]any)
			switch action {
			case "StopJobs":
				// A running job can be stopped: start it and wait for 4.
				raw(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": w.Job, "RunType": 1}}})
				Eventually(func() string { s, _ := jobStatus(t, w.Job); return s }).WithTimeout(time.Minute).
					WithPolling(t.PollInterval()).Should(Equal("4"), "the started job runs")
				req = map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": w.Job, "StopType": 1}}}
			case "DeleteJobs":
				Eventually(func() string { s, _ := jobStatus(t, w.Job); return s }).WithTimeout(time.Minute).
					WithPolling(t.PollInterval()).ShouldNot(Equal("3"), "the stopping job settles")
			case "CreateJob":
				req["Name"] = t.Name("act-job2", 49)
			}
			env := send(t, action, req)
			evidence(action, req, env)
			harness.Check(id(action, fixtures.KindAction, ""))
			Expect(env.Code() == "" || documented(action, env.Code())).To(BeTrue(),
				"%s must be served: success or a code the action documents, got %s\n  response: %s", action, env.Code(), env.Body)
			if it, ok := cat.Item(id(action, fixtures.KindError, env.Code())); ok && it.Unprovokable != "" {
				Fail(action + ": answered " + env.Code() + ", a failure of the service no client input causes: " + string(env.Body))
			}
			if env.Code() != "" {
				return // refused with a documented code: the schema item needs a success and stays unchecked here
			}
			if action == "CreateJob" {
				DeferCleanup(deleteJob, t, str(env, "JobId"))
			}
			if a.InSDK && readOnly(action) {
				// The SDK re-encodes what it parsed (nulls dropped): the
				// schema is judged on the wire answer of the same request.
				env = raw(t, action, req)
				Expect(env.Code()).To(BeEmpty(), "%s raw: %s", action, env.Body)
			}
			harness.Check(id(action, fixtures.KindSchema, "response"))
			Expect(cat.CheckResponse(action, env.Body)).To(BeEmpty(), "%s response must conform to the documented schema", action)
			Expect(env.RequestID).To(MatchRegexp(uuidRE.String()), "%s: RequestId is a UUID", action)
			Expect(seen[env.RequestID]).To(BeFalse(), "%s: RequestId %s was already returned", action, env.RequestID)
			seen[env.RequestID] = true
		})
	}
})

// readOnly reports whether an action only reads (safe to send twice).
func readOnly(action string) bool {
	for _, p := range []string{"Describe", "Check", "Get", "Fetch"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}
