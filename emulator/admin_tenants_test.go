package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/emulator"
)

// PUT tenants reconfigures a tenant: the new configuration applies to its
// next call, its key is kept and never echoed, bad documents get a clear
// status, and a state directory replays the reconfiguration in order.
func TestAdminTenantsReconfigure(t *testing.T) {
	dir := t.TempDir()
	emu := startState(t, dir, emulator.WithManualClock())
	var ten struct {
		SecretID  string `json:"secret_id"`
		SecretKey string `json:"secret_key"`
	}
	if code := adminSend(t, emu, "POST", "tenants", `{}`, &ten); code != http.StatusCreated {
		t.Fatalf("POST tenants: %d", code)
	}
	stop := map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": "cql-zzzzzzzz", "StopType": 1}}}
	if _, code := tc3(t, emu.URL, ten.SecretID, ten.SecretKey, "oceanus", "StopJobs", stop); code != "ResourceNotFound.Job" {
		t.Fatalf("StopJobs before the PUT: %q, want ResourceNotFound.Job", code)
	}
	var got map[string]any
	body := `{"secret_id":"` + ten.SecretID + `","unsupported_actions":["StopJobs"]}`
	if code := adminSend(t, emu, "PUT", "tenants", body, &got); code != http.StatusOK {
		t.Fatalf("PUT tenants: %d %v", code, got)
	}
	if k, _ := got["secret_key"].(string); k != "" {
		t.Fatalf("PUT tenants echoed the tenant's key")
	}
	if _, code := tc3(t, emu.URL, ten.SecretID, ten.SecretKey, "oceanus", "StopJobs", stop); code != "UnsupportedOperation" {
		t.Fatalf("StopJobs after the PUT: %q, want UnsupportedOperation", code)
	}
	for _, c := range []struct {
		method, body string
		want         int
	}{
		{"PUT", `{"unsupported_actions":["StopJobs"]}`, http.StatusBadRequest},                // no secret_id
		{"PUT", `{"secret_id":"AKIDnone"}`, http.StatusNotFound},                              // no such tenant
		{"PUT", `{"secret_id":"` + ten.SecretID + `","secret_key":"x"}`, http.StatusConflict}, // a new key
		{"PUT", `{"secret_id":"` + ten.SecretID + `","bogus":1}`, http.StatusBadRequest},      // unknown field
		{"PUT", `{"secret_id":"` + ten.SecretID + `","oceanus":{"sub_account_of":"AKIDnone"}}`, http.StatusBadRequest},
		{"PUT", `{"secret_id":"` + ten.SecretID + `","oceanus":{"sub_account_of":"` + ten.SecretID + `"}}`, http.StatusBadRequest},
		{"PUT", `{"secret_id":"` + ten.SecretID + `","oceanus":{"max_parallelism_changes":[{"value":"9"}]}}`, http.StatusBadRequest},
		{"DELETE", ``, http.StatusMethodNotAllowed},
	} {
		var e map[string]string
		if code := adminSend(t, emu, c.method, "tenants", c.body, &e); code != c.want || e["error"] == "" {
			t.Errorf("%s tenants %s: %d %v, want %d with an error", c.method, c.body, code, e, c.want)
		}
		if strings.Contains(e["error"], ten.SecretKey) {
			t.Errorf("%s tenants %s: the error reveals the key", c.method, c.body)
		}
	}
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}

	emu2 := startState(t, dir, emulator.WithManualClock())
	defer emu2.Close()
	if si := emu2.State(); si.Diverged != 0 {
		t.Fatalf("State() = %+v: a replayed call diverged", si)
	}
	if _, code := tc3(t, emu2.URL, ten.SecretID, ten.SecretKey, "oceanus", "StopJobs", stop); code != "UnsupportedOperation" {
		t.Fatalf("StopJobs after the restart: %q, want UnsupportedOperation (the reconfiguration is state)", code)
	}
}
