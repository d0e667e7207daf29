package statecheck

import (
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
