package tencentbatch

// Helpers of the generated rule, error and action specs: raw requests built
// by the generators package, the shared resources they refer to, and the
// valid baseline of every action.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// rulesSend sends a request (a generators map) as a raw signed POST.
func rulesSend(t *harness.Target, action string, req map[string]any) *harness.Envelope {
	GinkgoHelper()
	body, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
	Expect(err).NotTo(HaveOccurred(), "%s: transport error", action)
	Expect(env.DecodeErr).NotTo(HaveOccurred(), "%s: malformed envelope: %s", action, env.Body)
	Expect(env.Status).To(Equal(200), "%s: API answers are HTTP 200 envelopes: %s", action, env.Body)
	return env
}

// rulesOK sends a request that must succeed and decodes Response into out.
func rulesOK(t *harness.Target, action string, req map[string]any, out any) *harness.Envelope {
	GinkgoHelper()
	env := rulesSend(t, action, req)
	b, _ := json.Marshal(req)
	Expect(env.Code()).To(BeEmpty(), "%s must be accepted: request %s\nresponse %s", action, b, env.Body)
	if out != nil {
		raw, err := json.Marshal(env.Response)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(raw, out)).To(Succeed())
	}
	return env
}

// rulesStr reads a string member of a response.
func rulesStr(env *harness.Envelope, key string) string {
	var s string
	_ = json.Unmarshal(env.Response[key], &s)
	return s
}

// rulesFixture holds resources created once for the generated specs.
type rulesFixture struct {
	refs    generators.Refs
	jobReq  map[string]any // the SubmitJob request of refs.JobID
	created map[string]bool
}

// rulesRefsOf makes refs for the target's placement.
func rulesRefsOf(t *harness.Target) generators.Refs {
	return generators.Refs{Region: t.Region, Zone: t.Zone}
}

// rulesName gives a create request of the generators a run-prefixed name.
func rulesName(t *harness.Target, action string, req map[string]any) {
	switch action {
	case "SubmitJob":
		if j, ok := req["Job"].(map[string]any); ok {
			j["JobName"] = t.Name("rules-job", 60)
		}
	case "CreateComputeEnv", "CreateCpmComputeEnv":
		if c, ok := req["ComputeEnv"].(map[string]any); ok {
			c["EnvName"] = t.Name("rules-env", 60)
		}
	case "CreateTaskTemplate":
		req["TaskTemplateName"] = t.Name("rules-tmpl", 60)
	}
}

// rulesCreate runs a create action from its Valid request and registers the
// cleanup; it returns the request and the new resource's ID.
func rulesCreate(t *harness.Target, action string, refs generators.Refs) (map[string]any, string) {
	GinkgoHelper()
	req := generators.Valid(cat, action, refs)
	rulesName(t, action, req)
	if ce, ok := req["ComputeEnv"].(map[string]any); ok {
		// No nodes: the rule specs need the environment, not its servers
		// (a live account would pay for them).
		ce["DesiredComputeNodeCount"] = 0
	}
	env := rulesOK(t, action, req, nil)
	switch action {
	case "SubmitJob":
		id := rulesStr(env, "JobId")
		DeferCleanup(rulesDeleteJob, t, id)
		return req, id
	case "CreateComputeEnv", "CreateCpmComputeEnv":
		id := rulesStr(env, "EnvId")
		DeferCleanup(rulesDeleteEnv, t, id)
		return req, id
	case "CreateTaskTemplate":
		id := rulesStr(env, "TaskTemplateId")
		DeferCleanup(rulesDeleteTemplate, t, id)
		return req, id
	}
	Fail("rulesCreate: not a create action: " + action)
	return nil, ""
}

// rulesDeleteJob terminates (if needed) and deletes a job, polling until
// the endpoint lets it go (in the background against the run's embedded
// emulator: harness.Cleanup).
func rulesDeleteJob(t *harness.Target, jobID string) {
	if jobID == "" {
		return
	}
	harness.Cleanup(t, "delete job "+jobID, 30*time.Second, 0, func() (bool, string, error) {
		if t.Stalled() != nil {
			rulesAbandoned(t, "job", jobID)
			return true, "", nil
		}
		env := rulesRaw(t, "DeleteJob", map[string]any{"JobId": jobID})
		c := env.Code()
		if c == "" || strings.HasPrefix(c, "ResourceNotFound") {
			return true, "", nil
		}
		rulesRaw(t, "TerminateJob", map[string]any{"JobId": jobID})
		// What holds it back feeds the breaker (every answer does): a
		// target whose jobs never end is recognised (Stalled, above)
		// instead of this loop polling out its 30 s (stuck-states).
		rulesRaw(t, "DescribeJob", map[string]any{"JobId": jobID})
		return false, c, nil
	})
}

// rulesDeleteEnv deletes an environment, polling while the endpoint holds
// the deletion back (nodes still SUBMITTED/CREATING:
// ComputeNodeForbidTerminate; a ModifyComputeEnv still processed:
// AcceptOtherRequest), in the background against the run's embedded
// emulator (harness.Cleanup).
func rulesDeleteEnv(t *harness.Target, envID string) {
	if envID == "" {
		return
	}
	what := "delete env " + envID + " (held back only while its nodes are being created or a ModifyComputeEnv is processed)"
	harness.Cleanup(t, what, 30*time.Second, 0, func() (bool, string, error) {
		if t.Stalled() != nil {
			rulesAbandoned(t, "env", envID)
			return true, "", nil
		}
		c := rulesRaw(t, "DeleteComputeEnv", map[string]any{"EnvId": envID}).Code()
		if c == "" || strings.HasPrefix(c, "ResourceNotFound") {
			return true, "", nil
		}
		if c == "UnsupportedOperation" {
			// The env still holds instances a spec attached (and another
			// process, or a failed spec, did not detach): detach them first.
			rulesDetachAll(t, envID)
		} else {
			// The nodes that hold it back feed the breaker (see
			// rulesDeleteJob).
			rulesRaw(t, "DescribeComputeEnv", map[string]any{"EnvId": envID})
		}
		return false, c, nil
	})
}

// rulesAbandoned notes a resource a cleanup gives up on because the target
// was recognised as stuck or gone (the spec's own verdict stands; the
// resource is left to `batchconform sweep`).
func rulesAbandoned(t *harness.Target, kind, id string) string {
	GinkgoWriter.Printf("cleanup: %s %s left behind (`batchconform sweep --prefix %s` removes it): %v\n", kind, id, t.RunPrefix, t.Stalled())
	return "abandoned"
}

// rulesDetachAll detaches every USER_ATTACHED instance of an env (cleanup)
// and returns how many it asked to detach.
func rulesDetachAll(t *harness.Target, envID string) int {
	env := rulesRaw(t, "DescribeComputeEnv", map[string]any{"EnvId": envID})
	var out struct {
		ComputeNodeSet []struct{ ComputeNodeInstanceId, ResourceOrigin string }
	}
	raw, _ := json.Marshal(env.Response)
	_ = json.Unmarshal(raw, &out)
	var ids []string
	for _, n := range out.ComputeNodeSet {
		if n.ResourceOrigin == "USER_ATTACHED" && n.ComputeNodeInstanceId != "" {
			ids = append(ids, n.ComputeNodeInstanceId)
		}
	}
	if len(ids) > 0 {
		rulesRaw(t, "DetachInstances", map[string]any{"EnvId": envID, "InstanceIds": ids})
	}
	return len(ids)
}

func rulesDeleteTemplate(t *harness.Target, id string) {
	if id == "" {
		return
	}
	c := rulesRaw(t, "DeleteTaskTemplates", map[string]any{"TaskTemplateIds": []string{id}}).Code()
	Expect(c == "" || strings.HasPrefix(c, "ResourceNotFound")).To(BeTrue(), "delete template %s: %s", id, c)
}

// rulesRaw sends without asserting anything (cleanup, polling).
func rulesRaw(t *harness.Target, action string, req any) *harness.Envelope {
	body, _ := json.Marshal(req)
	env, err := t.Raw(harness.RawRequest{Action: action, Body: body})
	if err != nil {
		return &harness.Envelope{Error: &struct{ Code, Message string }{"Transport", err.Error()}}
	}
	return env
}

// rulesNoMove is how long a job awaited on the emulator may stay in one
// state: every state of the suite's jobs lasts seconds there, except RUNNING
// of a `sleep 30` job, which no caller waits out.
const rulesNoMove = 15 * time.Second

// rulesWaitJob polls a job until it reaches one of states. On the emulator
// a job that shows no new state for rulesNoMove fails the wait at once (a
// TerminateJob that does nothing cost the mutation gate the whole timeout).
func rulesWaitJob(t *harness.Target, jobID string, states ...string) {
	GinkgoHelper()
	last, since := "", time.Now()
	Eventually(func() string {
		harness.StopIfStalled(t)
		env := rulesRaw(t, "DescribeJob", map[string]any{"JobId": jobID})
		st := rulesStr(env, "JobState")
		t.ObserveKindState("job", jobID, st)
		if st != last {
			last, since = st, time.Now()
		} else if d := time.Since(since); t.Emulator && d >= rulesNoMove && !slices.Contains(states, st) {
			StopTrying(fmt.Sprintf("job %s stayed %s for %v (no move) waiting for %v", jobID, st, d.Round(time.Second), states)).Now()
		}
		return st
	}).WithTimeout(30*time.Second).WithPolling(t.PollInterval()).Should(BeElementOf(states), "job %s", jobID)
}

// rulesErrorsByRule maps a rule ID to the error items whose Provoke.Rules
// name it.
var rulesErrorsByRule = func() map[string][]string {
	m := map[string][]string{}
	for _, e := range cat.Errors {
		for _, r := range e.Provoke.Rules {
			m[r] = append(m[r], e.ID)
		}
	}
	return m
}()

// rulesErrorCode returns an error item's code.
func rulesErrorCode(id string) string {
	for _, e := range cat.Errors {
		if e.ID == id {
			return e.Code
		}
	}
	return ""
}

// rulesBaseline is one action's valid request and the endpoint's answer.
type rulesBaseline struct {
	req  map[string]any
	code string
	body string
	// stateOnly: a destructive action sent with well-formed unknown IDs;
	// it passes when refused only for state or existence.
	stateOnly bool
}

func (b *rulesBaseline) accepted() error {
	switch {
	case b == nil:
		return fmt.Errorf("no baseline (BeforeAll did not run)")
	case b.stateOnly && (b.code == "" || strings.HasPrefix(b.code, "ResourceNotFound") ||
		strings.HasPrefix(b.code, "UnsupportedOperation") || strings.HasPrefix(b.code, "ResourceInUse")):
		return nil
	case !b.stateOnly && b.code == "":
		return nil
	}
	return fmt.Errorf("the valid request was refused with %s: %s", b.code, b.body)
}

// rulesDestructive actions are not sent with the shared resources: their
// baseline uses well-formed IDs of no resource (existence and state are
// checked after every parameter rule).
var rulesDestructive = map[string]bool{
	"DeleteJob": true, "DeleteComputeEnv": true, "DeleteTaskTemplates": true, "TerminateJob": true,
	"TerminateTaskInstance": true, "RetryJobs": true, "TerminateComputeNode": true,
	"TerminateComputeNodes": true, "AttachInstances": true, "DetachInstances": true,
}

var rulesCreateActions = map[string]bool{"SubmitJob": true, "CreateComputeEnv": true, "CreateCpmComputeEnv": true, "CreateTaskTemplate": true}

// rulesUnknownRefs are well-formed IDs of no resource.
func rulesUnknownRefs(t *harness.Target) generators.Refs {
	r := rulesRefsOf(t)
	r.EnvID, r.JobID, r.TemplateID, r.NodeID, r.InstanceID = "env-zzzzzzzz", "job-zzzzzzzz", "task-tmpl-zzzzzzzz", "node-zzzzzzzz", "ins-zzzzzzzz"
	r.TaskName = "A"
	return r
}

// rulesReap deletes whatever a request that should have been refused created
// (a faulty endpoint accepting it), so a failing spec leaks nothing.
func rulesReap(t *harness.Target, env *harness.Envelope) {
	if env == nil || env.Code() != "" {
		return
	}
	if id := rulesStr(env, "JobId"); id != "" {
		DeferCleanup(rulesDeleteJob, t, id)
	}
	if id := rulesStr(env, "EnvId"); id != "" {
		DeferCleanup(rulesDeleteEnv, t, id)
	}
	if id := rulesStr(env, "TaskTemplateId"); id != "" {
		DeferCleanup(rulesDeleteTemplate, t, id)
	}
}

// rulesEnvHeldBack: DeleteComputeEnv codes that only postpone the deletion
// (nodes still SUBMITTED/CREATING; a ModifyComputeEnv still processed).
func rulesEnvHeldBack(code string) bool {
	return code == "UnsupportedOperation.ComputeNodeForbidTerminate" || code == "UnsupportedOperation.AcceptOtherRequest"
}

// rulesDeleteEnvPatient sends DeleteComputeEnv (as stCall does), repeating
// it while the endpoint holds the deletion back, for at most 30 s, polling
// at t.PollInterval(); it returns the last answer's error (nil: accepted).
func rulesDeleteEnvPatient(t *harness.Target, envID string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := stCall(t, "DeleteComputeEnv", map[string]any{"EnvId": envID}, nil)
		if err == nil || !rulesEnvHeldBack(stCode(err)) || time.Now().After(deadline) {
			return err
		}
		if serr := t.Stalled(); serr != nil {
			return serr
		}
		time.Sleep(t.PollInterval())
	}
}
