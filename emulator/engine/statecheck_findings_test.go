package engine

import (
	"testing"
	"time"
)

// Regression tests of the findings of the exhaustive state check
// (emulator/engine/statecheck): each was an undocumented transition.

// nodeHistory is the To-states of every node of an env, by node ID.
func nodeHistory(e *Engine) map[string][]string {
	out := map[string][]string{}
	for _, c := range e.Changes(0) {
		if c.Kind == "node" {
			out[c.ID] = append(out[c.ID], c.To)
		}
	}
	return out
}

func activityHistory(e *Engine) map[string][]string {
	out := map[string][]string{}
	for _, c := range e.Changes(0) {
		if c.Kind == "activity" {
			out[c.ID] = append(out[c.ID], c.To)
		}
	}
	return out
}

// TestDeleteEnvWhileNodesBoot: DeleteComputeEnv while nodes are SUBMITTED
// or CREATING used to move them straight to DELETING (and their CREATE
// activity SUBMITTED -> FAILED), moves the catalog does not document
// (reference §3.2: only terminable nodes go DELETING; §3.1: SUBMITTED and
// CREATING nodes cannot be terminated). They are now destroyed once
// CREATED.
func TestDeleteEnvWhileNodesBoot(t *testing.T) {
	for _, wait := range []time.Duration{0, 2 * time.Second} { // SUBMITTED, CREATING
		e := manualEngine(t, func(c *Config) { c.Timing = Timing{Hold: time.Second, NodeBoot: 2 * time.Second} })
		id, err := e.CreateEnv(EnvSpec{Tenant: "T", DesiredNodes: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Advance(wait); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteEnv("T", id); err != nil {
			t.Fatal(err)
		}
		if err := e.Advance(time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Env("T", id); errKind(err) != ErrNotFound {
			t.Fatalf("wait %v: env still there after a minute: %v", wait, err)
		}
		for n, h := range nodeHistory(e) {
			if got, want := seq(h...), seq(NodeSubmitted, NodeCreating, NodeCreated, NodeDeleting, "DELETED"); got != want {
				t.Errorf("wait %v: node %s history %s, want %s", wait, n, got, want)
			}
		}
		for a, h := range activityHistory(e) {
			if h[0] != ActivitySubmitted || h[1] != ActivityProcessing || len(h) != 3 {
				t.Errorf("wait %v: activity %s history %s, want SUBMITTED>PROCESSING>SUCCEED|FAILED", wait, a, seq(h...))
			}
		}
	}
}

// TestTerminateNodeWithPendingRecreate: terminating a CREATION_FAILED node
// whose RECREATE activity is still SUBMITTED used to fail that activity
// straight from SUBMITTED (undocumented: SUBMITTED → PROCESSING →
// SUCCEED|FAILED). It now goes PROCESSING, then FAILED when the
// termination starts.
func TestTerminateNodeWithPendingRecreate(t *testing.T) {
	e := manualEngine(t, func(c *Config) {
		c.Timing = Timing{Hold: time.Second, NodeBoot: time.Second, RetryWait: 5 * time.Second}
	})
	id, err := e.CreateEnv(EnvSpec{Tenant: "T", DesiredNodes: 1, ImageID: ImageCreationFailed, ResourceMaxRetry: 1})
	if err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, e, 100*time.Millisecond, 100, func() bool {
		en, _ := e.Env("T", id)
		return len(en.Nodes) == 1 && en.Nodes[0].State == NodeCreationFailed
	})
	en, _ := e.Env("T", id)
	if err := e.TerminateNodes("T", id, []string{en.Nodes[0].ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	hs := activityHistory(e)
	if len(hs) != 3 {
		t.Fatalf("want 3 activities (create, recreate, terminate), got %v", hs)
	}
	for a, h := range hs {
		if len(h) != 3 || h[0] != ActivitySubmitted || h[1] != ActivityProcessing {
			t.Errorf("activity %s history %s, want SUBMITTED>PROCESSING>SUCCEED|FAILED", a, seq(h...))
		}
	}
}
