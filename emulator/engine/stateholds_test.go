package engine

import (
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/tenants"
)

// TestTenantStateHolds: a tenant's StateHolds keep its own nodes and
// instances in the listed states for as long as it asks (so a slow client
// can act in a state that otherwise lasts one hold), other tenants keep the
// engine's timing, and a call moves a held entity at once (TerminateNodes,
// TerminateTaskInstance, TerminateJob, a lost node).
func TestTenantStateHolds(t *testing.T) {
	const long = 30 * time.Second
	held := tenants.Tenant{SecretID: "H", SecretKey: "k", StateHolds: map[string]string{
		"compute-node/ABNORMAL": long.String(), "task-instance/STARTING": long.String(), "task-instance/PENDING": long.String()}}
	other := tenants.Tenant{SecretID: "T", SecretKey: "k"}
	e := manualEngine(t, withTenants(held, other))
	hold := e.timing.Hold

	// ABNORMAL: held for the tenant that asked, one hold for the other.
	mine := mustEnv(t, e, EnvSpec{Tenant: "H", Name: "abn", DesiredNodes: 1, ImageID: ImageAbnormal, ResourceMaxRetry: 7})
	theirs := mustEnv(t, e, EnvSpec{Name: "abn", DesiredNodes: 1, ImageID: ImageAbnormal, ResourceMaxRetry: 7})
	_ = e.Advance(10 * time.Second)
	if got := envNodes(t, e, mine)[0].State; got != NodeAbnormal {
		t.Fatalf("held tenant's node after 10 s: %s, want ABNORMAL (held %v)", got, long)
	}
	if got := envNodes(t, e, theirs)[0].State; got != NodeRunning {
		t.Fatalf("other tenant's node after 10 s: %s, want RUNNING again (held one hold)", got)
	}
	n := envNodes(t, e, mine)[0]
	if err := e.TerminateNodes("H", mine, []string{n.ID}); err != nil {
		t.Fatalf("TerminateNodes of a held ABNORMAL node: %v", err)
	}
	if got := envNodes(t, e, mine)[0].State; got != NodeDeleting {
		t.Fatalf("held node after TerminateNodes: %s, want DELETING at once", got)
	}
	// The hold ends by itself too.
	e2 := mustEnv(t, e, EnvSpec{Tenant: "H", Name: "abn2", DesiredNodes: 1, ImageID: ImageAbnormal, ResourceMaxRetry: 7})
	_ = e.Advance(long + 10*time.Second)
	if got := seq(history(e, "node", envNodes(t, e, e2)[0].ID, "", -1)...); got != seq(NodeSubmitted, NodeCreating, NodeCreated, NodeRunning, NodeAbnormal, NodeRunning) {
		t.Fatalf("held node's history %s", got)
	}

	// STARTING (an anonymous node's boot): held; TerminateTaskInstance
	// ends it after the ordinary hold, not the tenant's.
	jid := mustSubmit(t, e, JobSpec{Tenant: "H", Tasks: []TaskSpec{tsk("a", "sleep 1")}})
	// (PENDING is held too.)
	advanceUntil(t, e, 10*time.Millisecond, 10000, func() bool { return mustJob(t, e, jid).State == StateStarting })
	_ = e.Advance(5 * time.Second)
	if s := jobState(e, jid); s != StateStarting {
		t.Fatalf("held STARTING after 5 s: %s", s)
	}
	if err := e.TerminateTaskInstance("H", jid, "a", 0); err != nil {
		t.Fatal(err)
	}
	_ = e.Advance(3 * hold)
	if got := seq(history(e, "task-instance", jid, "a", 0)...); got != seq(StateSubmitted, StatePending, StateRunnable, StateStarting, StateFailed) {
		t.Fatalf("terminated held instance: %s", got)
	}

	// PENDING: held; TerminateJob ends it at once.
	jid = mustSubmit(t, e, JobSpec{Tenant: "H", Tasks: []TaskSpec{tsk("a", "echo")}})
	_ = e.Advance(5 * time.Second)
	if s := jobState(e, jid); s != StatePending {
		t.Fatalf("held PENDING after 5 s: %s", s)
	}
	if err := e.TerminateJob("H", jid); err != nil {
		t.Fatal(err)
	}
	_ = e.Advance(hold)
	if got := seq(history(e, "task-instance", jid, "a", 0)...); got != seq(StateSubmitted, StatePending, StateFailed) {
		t.Fatalf("terminated held PENDING instance: %s", got)
	}
	// The other tenant's job is not held.
	jid = mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{tsk("a", "echo")}})
	advanceUntil(t, e, 10*time.Millisecond, 1000, terminalJob(e, jid))
	if got := seq(history(e, "task-instance", jid, "a", 0)...); got != okPath {
		t.Fatalf("other tenant's instance: %s", got)
	}
}

// TestStateHoldsConfig: StateHolds names a known machine and a positive
// duration; anything else is refused, and a reconfiguration drops holds.
func TestStateHoldsConfig(t *testing.T) {
	r := tenants.NewRegistry()
	for _, bad := range []map[string]string{
		{"job/RUNNING": "1s"}, {"compute-node": "1s"}, {"compute-node/abnormal": "1s"},
		{"compute-node/ABNORMAL": "soon"}, {"compute-node/ABNORMAL": "0s"}, {"compute-node/ABNORMAL": "2h"},
	} {
		if _, err := r.New(tenants.Tenant{StateHolds: bad}); err == nil {
			t.Errorf("StateHolds %v accepted", bad)
		}
	}
	tn, err := r.New(tenants.Tenant{StateHolds: map[string]string{"compute-node/ABNORMAL": "2s"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.StateHold(tn.SecretID, "compute-node", "ABNORMAL"); d != 2*time.Second {
		t.Fatalf("StateHold = %v, want 2s", d)
	}
	if d := r.StateHold(tn.SecretID, "compute-node", "RUNNING"); d != 0 {
		t.Fatalf("StateHold of an unlisted state = %v", d)
	}
	if _, err := r.Reconfigure(tenants.Tenant{SecretID: tn.SecretID}); err != nil {
		t.Fatal(err)
	}
	if d := r.StateHold(tn.SecretID, "compute-node", "ABNORMAL"); d != 0 {
		t.Fatalf("StateHold after a reconfiguration without holds = %v", d)
	}
}
