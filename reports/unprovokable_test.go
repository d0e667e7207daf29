package reports

import (
	"encoding/json"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// An item the catalog calls unprovokable gets the verdict of a spec that
// asserted it (the emulator's chaos specs); a spec that was skipped (a live
// target has no chaos) or none at all leaves it unprovokable.
func TestRecordedVerdictWinsOverUnprovokable(t *testing.T) {
	cat := tencentbatch.Catalog()
	var unp []string
	for _, it := range cat.Items() {
		if it.Unprovokable != "" {
			unp = append(unp, it.ID)
		}
	}
	if len(unp) < 4 {
		t.Fatalf("catalog has %d unprovokable items", len(unp))
	}
	spec := func(id string, state types.SpecState, record bool) types.SpecReport {
		declared, _ := json.Marshal([]string{id})
		s := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "chaos " + id, State: state,
			ReportEntries: types.ReportEntries{{Name: EntryDeclared, Value: types.WrapEntryValue(string(declared))}}}
		if record {
			s.ReportEntries = append(s.ReportEntries, types.ReportEntry{Name: EntryItem, Value: types.WrapEntryValue(id)})
		}
		if state == types.SpecStateFailed {
			s.Failure = types.Failure{Message: "expected InternalError.CallCvm"}
		}
		return s
	}
	gr := types.Report{SpecReports: types.SpecReports{
		spec(unp[0], types.SpecStatePassed, true),
		spec(unp[1], types.SpecStateFailed, true),
		spec(unp[2], types.SpecStateSkipped, false),
	}}
	r := Build(gr, []*fixtures.Catalog{cat}, Meta{})
	want := map[string]string{unp[0]: Pass, unp[1]: Fail, unp[2]: Unprovokable, unp[3]: Unprovokable}
	for _, it := range r.Items {
		if w, ok := want[it.ID]; ok && it.Verdict != w {
			t.Errorf("%s: verdict %s, want %s", it.ID, it.Verdict, w)
		}
	}
}
