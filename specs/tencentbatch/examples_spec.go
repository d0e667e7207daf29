package tencentbatch

// Doc example specs: every documented example (seeds 000 and 003 and the
// vendor's examples.json, as the catalog holds them) is replayed against the
// target. Examples naming historical IDs are replayed with IDs of resources
// created for them (internal/examples). The response shape is checked —
// accepted, conforming to the documented schema, carrying every field of the
// documented response — never the historical values.

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/internal/examples"
	"github.com/batchconform/batchconform/specs/harness"
)

// exCaller sends one action through the target (TC3 POST) for internal/examples.
func exCaller(t *harness.Target) examples.Caller {
	return func(action, region string, body []byte) ([]byte, string, error) {
		// A target recognised as stuck ends the preparations' waits.
		if err := t.Stalled(); err != nil {
			return nil, "", fmt.Errorf("%s: %w", action, err)
		}
		env, err := t.Raw(harness.RawRequest{Action: action, Region: region, Body: body})
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", action, err)
		}
		if env.DecodeErr != nil {
			return nil, "", fmt.Errorf("%s: HTTP %d: %w: %s", action, env.Status, env.DecodeErr, prShow(env.Body))
		}
		var outer struct{ Response json.RawMessage }
		if err := json.Unmarshal(env.Body, &outer); err != nil {
			return nil, "", fmt.Errorf("%s: %w", action, err)
		}
		return outer.Response, env.Code(), nil
	}
}

// exNameKeys are the request members that name a resource: replays prefix
// them with the run prefix, so a live run's leftovers can be swept.
var exNameKeys = map[string]int{"JobName": 60, "EnvName": 60, "TaskTemplateName": 60}

// exPrefixNames rewrites resource names in a request body to t.Name(name).
func exPrefixNames(t *harness.Target, body []byte) []byte {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return body
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok {
					if max, named := exNameKeys[k]; named {
						x[k] = t.Name(s, max)
						continue
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// exCreatedCleanup returns how to delete what the example itself created
// (its response names the new resource), or nil.
func exCreatedCleanup(t *harness.Target, action, region string, resp map[string]any) func() error {
	del := func(action, body string) func() error {
		return func() error {
			env, err := t.Raw(harness.RawRequest{Action: action, Region: region, Body: []byte(body)})
			// An env whose nodes are still being created (or that still
			// processes a ModifyComputeEnv) is deleted once they can go.
			for deadline := time.Now().Add(30 * time.Second); err == nil && time.Now().Before(deadline) && t.Stalled() == nil &&
				(env.Code() == "UnsupportedOperation.ComputeNodeForbidTerminate" || env.Code() == "UnsupportedOperation.AcceptOtherRequest"); {
				time.Sleep(t.PollInterval())
				env, err = t.Raw(harness.RawRequest{Action: action, Region: region, Body: []byte(body)})
			}
			if err != nil {
				return fmt.Errorf("cleanup %s: %w", action, err)
			}
			if c := env.Code(); c != "" && !strings.HasPrefix(c, "ResourceNotFound") {
				return fmt.Errorf("cleanup %s: %s", action, prShow(env.Body))
			}
			return nil
		}
	}
	switch action {
	case "SubmitJob":
		if id, _ := resp["JobId"].(string); id != "" {
			return func() error { return exDeleteJob(t, region, id) }
		}
	case "CreateComputeEnv", "CreateCpmComputeEnv":
		if id, _ := resp["EnvId"].(string); id != "" {
			return del("DeleteComputeEnv", `{"EnvId":"`+id+`"}`)
		}
	case "CreateTaskTemplate":
		if id, _ := resp["TaskTemplateId"].(string); id != "" {
			return del("DeleteTaskTemplates", `{"TaskTemplateIds":["`+id+`"]}`)
		}
	}
	return nil
}

// exDeleteJob terminates and deletes a job, polling until it is deletable.
func exDeleteJob(t *harness.Target, region, jobID string) error {
	body := []byte(`{"JobId":"` + jobID + `"}`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, _ = t.Raw(harness.RawRequest{Action: "TerminateJob", Body: body, Region: region})
		env, err := t.Raw(harness.RawRequest{Action: "DeleteJob", Body: body, Region: region})
		if err == nil && (env.Error == nil || strings.HasPrefix(env.Code(), "ResourceNotFound")) {
			return nil
		}
		if serr := t.Stalled(); serr != nil {
			return fmt.Errorf("cleanup: job %s left behind: %w", jobID, serr)
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("%s", env.Code())
			}
			return fmt.Errorf("cleanup: job %s not deleted: %w", jobID, err)
		}
		time.Sleep(t.PollInterval())
	}
}

// exRunAll runs fns with at most n at a time and joins their errors.
func exRunAll(n int, fns []func() error) error {
	sem := make(chan struct{}, n)
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// exPrepared is one example's request with created IDs substituted.
type exPrepared struct {
	body []byte
	err  error
}

// exPreparation is every registered example's prepared request, and the
// cleanups of what the preparations created.
type exPreparation struct {
	prepared map[string]*exPrepared
	undo     []func() error
}

// exRegistered are the examples the container runs (set as the spec tree
// is built, before any preparation starts).
var exRegistered []fixtures.Example

// exPrepareAll prepares every registered example concurrently (each waits
// for states: nodes RUNNING, a job FAILED…), so the container costs the
// longest preparation rather than their sum. It asserts nothing: it may run
// in the background (exBackground).
func exPrepareAll(t *harness.Target) (*exPreparation, error) {
	call := exCaller(t)
	out := &exPreparation{prepared: map[string]*exPrepared{}}
	var mu sync.Mutex
	var fns []func() error
	for _, ex := range exRegistered {
		p := &exPrepared{}
		out.prepared[ex.ID] = p
		fns = append(fns, func() error {
			body, cleanup, err := examples.Prepare(examples.Env{Call: call, Zone: t.Zone, Timeout: 60 * time.Second,
				Poll: t.PollInterval(), Name: t.Name(ex.Detail, 40), Stop: t.Stalled}, ex)
			if cleanup != nil {
				mu.Lock()
				out.undo = append(out.undo, func() error { return cleanup() })
				mu.Unlock()
			}
			p.body, p.err = body, err
			return nil
		})
	}
	return out, exRunAll(12, fns)
}

// exBackground prepares the examples from the suite's start against the
// embedded emulator (harness.NewBackground): the preparations' waits (1.2 s)
// overlap the other specs instead of adding to the run.
var exBackground = harness.NewBackground(Dialect, "Tencent Batch doc examples' preparations", exPrepareAll)

// It runs after the unprioritised containers (SpecPriority -1, as the fuzz
// pass): the preparations, started with the suite, are done by then.
var _ = Describe("Tencent Batch doc examples", Ordered, ContinueOnFailure, SpecPriority(-1), func() {
	// The preparations run concurrently once, before the replays
	// (exPrepareAll), and everything is deleted concurrently after them.
	exRegistered = nil // this build of the tree registers them anew
	var (
		prepared map[string]*exPrepared
		mu       sync.Mutex
		undo     []func() error
	)
	addUndo := func(f func() error) {
		mu.Lock()
		defer mu.Unlock()
		undo = append(undo, f)
	}
	BeforeAll(func(ctx SpecContext) {
		t := harness.T(Dialect)
		DeferCleanup(func() {
			mu.Lock()
			fns := undo
			undo = nil
			mu.Unlock()
			harness.CleanupFunc(t, "cleanup of the examples' resources", func() error { return exRunAll(16, fns) })
		})
		prep, err := exBackground.Result(ctx, t)
		if prep != nil {
			prepared = prep.prepared
			for _, f := range prep.undo {
				addUndo(f)
			}
		}
		Expect(err).To(Succeed())
	})

	for _, ex := range cat.Examples {
		ok := harness.It(ex.ID, harness.Items(ex.ID), func() {
			t := harness.T(Dialect)
			call := exCaller(t)
			p := prepared[ex.ID]
			Expect(p).NotTo(BeNil())
			Expect(p.err).NotTo(HaveOccurred(), "preparing the resources the example names")
			body := exPrefixNames(t, p.body)
			region := examples.Region(ex)
			harness.Check(ex.ID)
			resp, code, err := call(ex.Action, region, body)
			prEvidence(t)
			Expect(err).NotTo(HaveOccurred())
			var got map[string]any
			Expect(json.Unmarshal(resp, &got)).To(Succeed(), "response: %s", prShow(resp))
			if f := exCreatedCleanup(t, ex.Action, region, got); f != nil {
				addUndo(f)
			}
			Expect(code).To(BeEmpty(), "%s refused the documented example\nrequest: %s\nresponse: %s", ex.Action, prShow(body), prShow(resp))
			envelope := append(append([]byte(`{"Response":`), resp...), '}')
			Expect(cat.CheckResponse(ex.Action, envelope)).To(BeEmpty(), "the response breaks the documented schema: %s", prShow(resp))
			var doc map[string]any
			Expect(json.Unmarshal(ex.Response, &doc)).To(Succeed(), "the documented response")
			// Top-level members: nested ones depend on what the replayed
			// resource holds (an echo of its own submission), and the schema
			// check above already requires every documented nested member.
			var missing []string
			for k := range doc {
				if _, ok := got[k]; !ok {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			Expect(missing).To(BeEmpty(), "fields of the documented response missing from ours: %s", prShow(resp))
		})
		if ok {
			exRegistered = append(exRegistered, ex)
		}
	}
})
