package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// TestWritersOnBuiltReport runs the writers on a report built by Build from
// the real Tencent Batch catalog and a Ginkgo report whose specs record items
// and evidence the way specs/harness does; every file must be well-formed and
// report.json must validate.
func TestWritersOnBuiltReport(t *testing.T) {
	cat := tencentbatch.Catalog()
	items := cat.Items()
	if len(items) < 100 {
		t.Fatalf("catalog has %d items", len(items))
	}
	entry := func(name, v string) types.ReportEntry {
		return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
	}
	var specs types.SpecReports
	for i := 0; i+3 <= len(items) && i < 900; i += 3 {
		ids := []string{items[i].ID, items[i+1].ID, items[i+2].ID}
		declared, _ := json.Marshal(ids)
		ev, _ := json.Marshal(map[string]any{"method": "POST", "action": "DescribeJob", "request": `{"JobId":"job-1"}`,
			"response": `{"Response":{"RequestId":"r-1"}}`, "request_id": "r-1", "duration_ns": 2_000_000})
		s := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: fmt.Sprintf("spec %d", i),
			ReportEntries: types.ReportEntries{entry(EntryDeclared, string(declared)), entry(EntryItem, ids[0]), entry(EntryItem, ids[1]), entry(EntryEvidence, string(ev))}}
		switch i % 9 {
		case 0:
			s.State = types.SpecStateFailed
			s.Failure = types.Failure{Message: fmt.Sprintf("%s: expected InvalidParameter, got success", ids[0])}
		case 3:
			s.State = types.SpecStateSkipped
			s.Failure = types.Failure{Message: "needs the emulator"}
		default:
			s.State = types.SpecStatePassed
		}
		specs = append(specs, s)
	}
	gr := types.Report{StartTime: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), RunTime: 42 * time.Second, SpecReports: specs}
	r := Build(gr, []*fixtures.Catalog{cat}, Meta{ToolVersion: "test", Target: Target{
		Endpoints: map[string]string{cat.Dialect: "embedded"}, Dialects: []string{cat.Dialect}, Embedded: true}})
	if r.Summary.Failed == 0 || r.Summary.Passed == 0 || r.Summary.NotCovered == 0 {
		t.Fatalf("summary %+v: want a mix", r.Summary)
	}
	dir := t.TempDir()
	paths, err := WriteAll(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateJSON(data); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", p, err)
		}
		t.Logf("%s: %d bytes (%d items)", filepath.Base(p), st.Size(), len(r.Items))
	}
}
