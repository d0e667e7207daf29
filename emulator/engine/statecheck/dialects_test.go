package statecheck

import (
	"strings"
	"testing"

	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
)

// exhaustive explores m and fails on every finding and every documented
// transition never taken.
func exhaustive(t *testing.T, m *Model) *Result {
	t.Helper()
	res, err := Explore(m, Options{Scale: scale(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Report())
	for _, f := range res.Findings {
		t.Errorf("finding: %s", f)
	}
	for _, u := range res.Unreached {
		t.Errorf("documented transition never taken: %s", u)
	}
	return res
}

// TestExhaustiveAlibaba explores the Alibaba BatchCompute façade's job, task,
// instance, cluster and cluster-instance machines against its catalog.
func TestExhaustiveAlibaba(t *testing.T) {
	exhaustive(t, NewAliModel(alibatch.Catalog(), AliScenarios()))
}

// TestExhaustiveOceanus explores Oceanus' job status machine against its
// catalog, every action accepted or refused as reference §B.3 documents.
func TestExhaustiveOceanus(t *testing.T) {
	exhaustive(t, NewOceanusModel(oceanus.Catalog(), OceanusScenarios()))
}

// TestDialectsHaveTeeth: with a planted fault each dialect's exploration
// reports what the fault breaks (the checks are not vacuous): Oceanus
// skipping status 3 takes 2 -> 4; Oceanus deleting a running job is an
// action accepted where reference §B.3 refuses it; Alibaba showing a
// stopped job Failed shows a Failed job none of whose tasks failed; and a
// deletion of a running Alibaba job is accepted where §A.7 refuses it.
func TestDialectsHaveTeeth(t *testing.T) {
	oce := func(fault string) *Model {
		return NewOceanusModel(oceanus.Catalog(), []Scenario{{Name: fault, Setup: []Event{{Op: OceSubmit}, {Op: OceConfig, Job: 0}}, Depth: 4,
			Data: &Oce{Jobs: 1, Ops: []string{OceRun, OceStop, OceDelete}, Faults: []string{fault}}}})
	}
	ali := func(fault string) *Model {
		return NewAliModel(alibatch.Catalog(), []Scenario{{Name: fault, Setup: []Event{{Op: AliSubmit}}, Depth: 5,
			Data: &Ali{Ops: aliJobOps, Faults: []string{fault}, Jobs: []map[string]any{
				aliJob("teeth", false, map[string]any{"a": aliTaskDesc("sleep 2", "", 1, 0)}, nil)}}}})
	}
	tests := []struct {
		m    *Model
		want string
	}{
		{oce("oceanus-skip-in-progress"), "took 2->4, which the catalog does not document"},
		{oce("oceanus-delete-running-job"), "delete-job(job0) was accepted although the dialect documents it as refused"},
		{ali("ali-stopped-as-failed"), "is Failed but no child is"},
		{ali("ali-delete-running-job"), "delete-job(job0) was accepted although the dialect documents it as refused"},
	}
	for _, tc := range tests {
		t.Run(tc.m.Scenarios[0].Name, func(t *testing.T) {
			res, err := Explore(tc.m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Findings {
				if strings.Contains(f.What, tc.want) {
					t.Logf("found as expected: %s", f)
					return
				}
			}
			t.Errorf("no finding %q; findings:\n%s", tc.want, res.Report())
		})
	}
}
