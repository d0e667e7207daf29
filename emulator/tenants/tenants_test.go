package tenants

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestOceanusConfigIsCopied: the registry keeps its own copy of a tenant's
// Oceanus lists and maps, so a caller's later edits do not reconfigure a
// live tenant; the admin API's JSON names decode into it.
func TestOceanusConfigIsCopied(t *testing.T) {
	var tn Tenant
	js := `{"secret_id":"AKIDx","secret_key":"k","oceanus":{"max_jobs":2,"max_job_configs":3,
	 "cu_mem_whitelist":true,"not_authenticated":true,"legacy_duplicated_job_name":true,
	 "refusals":{"CreateJob":"FailedOperation"},"wedata_workspaces":["wd"],
	 "clusters":[{"name":"c","status":1,"cu_num":12,"cu_mem":8,"shared":false}]}}`
	if err := json.Unmarshal([]byte(js), &tn); err != nil {
		t.Fatal(err)
	}
	r := NewRegistry()
	if err := r.Put(tn); err != nil {
		t.Fatal(err)
	}
	tn.Oceanus.Refusals["CreateJob"] = "changed"
	tn.Oceanus.WedataWorkspaces[0] = "changed"
	tn.Oceanus.Clusters[0].Name = "changed"
	got, ok := r.Get("AKIDx")
	if !ok {
		t.Fatal("tenant not stored")
	}
	o := got.Oceanus
	if o.MaxJobs != 2 || o.MaxJobConfigs != 3 || !o.CuMemWhitelist || !o.NotAuthenticated || !o.LegacyDuplicatedJobName {
		t.Fatalf("scalars: %+v", o)
	}
	if o.Refusals["CreateJob"] != "FailedOperation" || o.WedataWorkspaces[0] != "wd" || o.Clusters[0].Name != "c" ||
		o.Clusters[0].CuMem != 8 || o.Clusters[0].Status != 1 {
		t.Fatalf("the registry shares the caller's lists or misread them: %+v", o)
	}
}

// TestReconfigure: the whole configuration is replaced, the key kept (and a
// different one refused), an unknown tenant is ErrNotFound, and sub-accounts
// neither nest nor name themselves or nobody; the new lists are copies.
func TestReconfigure(t *testing.T) {
	r := NewRegistry(Tenant{SecretID: "main", SecretKey: "k1", Oceanus: Oceanus{MaxJobs: 3}}, Tenant{SecretID: "sub", SecretKey: "k2"})
	lost := []string{"cluster-a"}
	got, err := r.Reconfigure(Tenant{SecretID: "main", UnsupportedActions: []string{"StopJobs"}, Oceanus: Oceanus{Lost: OceanusLost{Clusters: lost}}})
	if err != nil {
		t.Fatal(err)
	}
	lost[0] = "changed"
	if got.SecretKey != "k1" || got.Oceanus.MaxJobs != 0 || got.UnsupportedActions[0] != "StopJobs" {
		t.Fatalf("reconfigured: %+v (want the key kept, max_jobs back to its default, the new list)", got)
	}
	if g, _ := r.Get("main"); g.Oceanus.Lost.Clusters[0] != "cluster-a" {
		t.Fatalf("the registry shares the caller's lost list: %v", g.Oceanus.Lost.Clusters)
	}
	if _, err := r.Reconfigure(Tenant{SecretID: "main", SecretKey: "other"}); !errors.Is(err, ErrKey) {
		t.Fatalf("a new key: %v, want ErrKey", err)
	}
	if _, err := r.Reconfigure(Tenant{SecretID: "nobody"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unknown tenant: %v, want ErrNotFound", err)
	}
	if _, err := r.Reconfigure(Tenant{SecretID: "sub", Oceanus: Oceanus{SubAccountOf: "main"}}); err != nil {
		t.Fatalf("a sub-account of main: %v", err)
	}
	for _, bad := range []Tenant{
		{SecretID: "main", Oceanus: Oceanus{SubAccountOf: "sub"}},                                                // main has a sub-account; sub is one
		{SecretID: "sub", Oceanus: Oceanus{SubAccountOf: "sub"}},                                                 // itself
		{SecretID: "sub", Oceanus: Oceanus{SubAccountOf: "nobody"}},                                              // no such tenant
		{SecretID: "sub", Oceanus: Oceanus{MaxParallelismChanges: []OceanusParallelismChange{{JobID: "cql-x"}}}}, // no version
	} {
		if _, err := r.Reconfigure(bad); err == nil {
			t.Errorf("Reconfigure(%+v) accepted", bad.Oceanus)
		}
	}
	if g, _ := r.Get("sub"); g.Oceanus.SubAccountOf != "main" {
		t.Fatalf("a refused reconfiguration changed the tenant: %+v", g.Oceanus)
	}
}
