package oceanus

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"
)

// fullRun is Ginkgo's report of TestSpecs when it was a full run against the
// embedded emulator (no fault, filter or focus); TestCoverage judges it.
var fullRun *types.Report

// TestSpecs runs the suite under `go test` (settings from BATCHCONFORM_*).
func TestSpecs(t *testing.T) {
	r, full := harness.RunSuite(t)
	if full {
		fullRun = &r
	}
}

// TestCoverage fails the build unless every catalog item has a verdict
// recorded from an assertion about it (harness.Check) in the full run, or is
// unprovokable by the pinned rule (backend-dependency failures only).
// Declarations, labels and comments do not count.
func TestCoverage(t *testing.T) {
	if fullRun == nil {
		t.Log("TestSpecs was not a full run against the embedded emulator (filtered, faulted or external): coverage not judged")
		return
	}
	rep := reports.Build(*fullRun, []*fixtures.Catalog{cat}, reports.Meta{})
	var missing []string
	byKind := map[string]int{}
	for _, it := range rep.Items {
		switch it.Verdict {
		case reports.Pass, reports.Fail:
		case reports.Unprovokable:
			// reports.Build gives this verdict only to items whose catalog
			// entry states the reason (a backend-dependency failure).
		default:
			missing = append(missing, fmt.Sprintf("%s (%s)", it.ID, it.Verdict))
			byKind[it.Kind]++
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		show := missing
		if len(show) > 60 && os.Getenv("BATCHCONFORM_COVERAGE_ALL") == "" {
			show = show[:60]
		}
		t.Errorf("%d catalog items have no verdict from an assertion (by kind: %v):\n  %s", len(missing), byKind, strings.Join(show, "\n  "))
	}
	t.Logf("coverage: %d items; %d passed, %d failed, %d unprovokable; %d specs", len(rep.Items),
		rep.Summary.Passed, rep.Summary.Failed, rep.Summary.Unprovokable, rep.Specs.Total)
}
