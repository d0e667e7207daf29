package tenants

import (
	"encoding/json"
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
