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
// unprovokable by the pinned rule (backend-dependency failures, and codes no
// request to this API version can carry).
// Declarations, labels and comments do not count.
func TestCoverage(t *testing.T) {
	if fullRun == nil {
		t.Log("TestSpecs was not a full run against the embedded emulator (filtered, faulted or external): coverage not judged")
		return
	}
	rep := reports.Build(*fullRun, []*fixtures.Catalog{cat}, reports.Meta{})
	pending := pendingItems(t)
	var missing, nowCovered []string
	byKind := map[string]int{}
	for _, it := range rep.Items {
		switch it.Verdict {
		case reports.Pass, reports.Fail:
			if pending[it.ID] {
				nowCovered = append(nowCovered, it.ID)
			}
		case reports.Unprovokable:
			// reports.Build gives this verdict only to items whose catalog
			// entry states the reason (a backend-dependency failure).
		default:
			if pending[it.ID] {
				continue
			}
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
	if len(nowCovered) > 0 {
		sort.Strings(nowCovered)
		t.Errorf("%d items of coverage_pending.txt are covered now: remove them from the list:\n  %s", len(nowCovered), strings.Join(nowCovered, "\n  "))
	}
	t.Logf("pending (coverage_pending.txt): %d items", len(pending))
	t.Logf("coverage: %d items; %d passed, %d failed, %d unprovokable; %d specs", len(rep.Items),
		rep.Summary.Passed, rep.Summary.Failed, rep.Summary.Unprovokable, rep.Specs.Total)
}

// pendingItems reads coverage_pending.txt: the items known to have no spec
// yet, each with its reason (a reason is required).
func pendingItems(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("coverage_pending.txt")
	if err != nil {
		t.Fatalf("read coverage_pending.txt: %v", err)
	}
	out := map[string]bool{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, why, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(why) == "" {
			t.Fatalf("coverage_pending.txt:%d: want ID<TAB>reason", i+1)
		}
		if _, known := cat.Item(id); !known {
			t.Fatalf("coverage_pending.txt:%d: %s is not a catalog item", i+1, id)
		}
		out[id] = true
	}
	return out
}
