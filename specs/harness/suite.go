package harness

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"
)

// SuiteName is the one Ginkgo suite's description.
const SuiteName = "batchconform conformance"

// RunSuite runs the suite under `go test`: the settings come from the
// environment (BATCHCONFORM_*), Ginkgo's own -ginkgo.* flags still apply. It
// returns Ginkgo's report, and whether this was a full run against an
// embedded emulator with no fault, filter or focus (the run the coverage test
// judges).
func RunSuite(t *testing.T) (types.Report, bool) {
	s, err := FromEnv()
	if err != nil {
		t.Fatalf("batchconform settings: %v", err)
	}
	Configure(s)
	gomega.RegisterFailHandler(ginkgo.Fail)
	suite, reporter := ginkgo.GinkgoConfiguration()
	applyConfig(&suite, &reporter, s)
	var last types.Report
	captureReport = func(r types.Report) { last = r }
	defer func() { captureReport = nil }()
	defer watchStops(s)()
	ginkgo.RunSpecs(t, SuiteName, suite, reporter)
	full := s.Endpoint == "" && len(s.Faults) == 0 && len(s.Items) == 0 && s.LabelFilter == "" &&
		len(suite.FocusStrings) == 0 && len(suite.SkipStrings) == 0 && suite.LabelFilter == "" &&
		len(suite.FocusFiles) == 0 && len(suite.SkipFiles) == 0 && suite.ParallelTotal <= 1 && !suite.DryRun
	return last, full
}

// RunOptions configure a run from the binary.
type RunOptions struct {
	Settings Settings
	// OutDir receives ginkgo-report.json and ginkgo-junit.xml ("" = none).
	OutDir string
	// CallerWritesGinkgoReports leaves Ginkgo's reports to the caller
	// (reports.GinkgoFiles, written alongside the conformance reports
	// instead of one after another): OutDir is then only created.
	CallerWritesGinkgoReports bool
	// Shard selects specs i (0-based) of n (by the spec's position in the
	// tree, which is deterministic), for `run --procs N`.
	ShardIndex, ShardTotal int
	Verbose                bool
	NoColor                bool
	// Progress, when set (a terminal), receives a live line per dialect
	// (progress.go): specs done / total, failures so far, requests/s,
	// elapsed, ETA.
	Progress io.Writer
	// ProgressFile, when set (a shard of `run --procs` whose parent
	// draws the lines), receives this process's rows every second
	// (ShowShards sums them).
	ProgressFile string
	// Quiet silences Ginkgo's own stream (a dot per spec, failure blocks):
	// in CI the log shows nothing until the caller's summary, which lists
	// the failures; the reports keep every detail.
	Quiet bool
}

// failer satisfies ginkgo.GinkgoTestingT for a run outside `go test`.
type failer struct{ failed bool }

func (f *failer) Fail() { f.failed = true }

// Run runs the suite from the binary (no Go toolchain needed) and returns
// Ginkgo's report. The caller decides the exit code from the items.
func Run(o RunOptions) (types.Report, error) {
	Configure(o.Settings)
	gomega.RegisterFailHandler(ginkgo.Fail)
	suite, reporter := ginkgo.GinkgoConfiguration()
	applyConfig(&suite, &reporter, o.Settings)
	reporter.NoColor = o.NoColor
	reporter.Succinct = !o.Verbose
	reporter.Verbose = o.Verbose
	reporter.SilenceSkips = true
	if o.OutDir != "" {
		if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
			return types.Report{}, fmt.Errorf("harness: %w", err)
		}
		if !o.CallerWritesGinkgoReports {
			reporter.JSONReport = filepath.Join(o.OutDir, "ginkgo-report.json")
			reporter.JUnitReport = filepath.Join(o.OutDir, "ginkgo-junit.xml")
		}
	}
	if o.ShardTotal > 1 {
		shard(o.ShardIndex, o.ShardTotal)
	}
	if o.Progress != nil || o.ProgressFile != "" {
		live.prepare(o.Progress, o.ProgressFile) // drawn from the start of the suite (progress.go)
		defer live.end()
	}
	var last types.Report
	captureReport = func(r types.Report) { last = r }
	defer func() { captureReport = nil }()
	defer watchStops(o.Settings)()
	if o.Quiet {
		prev := formatter.ColorableStdOut
		formatter.ColorableStdOut = io.Discard
		defer func() { formatter.ColorableStdOut = prev }()
	}
	ginkgo.RunSpecs(&failer{}, SuiteName, suite, reporter)
	return last, nil
}

func applyConfig(suite *types.SuiteConfig, reporter *types.ReporterConfig, s Settings) {
	if s.LabelFilter != "" {
		suite.LabelFilter = s.LabelFilter
	}
	if s.Deadline > 0 {
		suite.Timeout = s.Deadline
	} else if suite.Timeout == 0 {
		suite.Timeout = time.Hour
	}
	// --dry-run is not Ginkgo's dry run (which lists specs and runs none):
	// the specs run against a private emulator and every call and
	// resource is recorded (dryrun.go).
	suite.FailOnEmpty = true
	suite.FailOnPending = true
	// Ginkgo's grace period after an interrupt: cleanup (DeferCleanup deleting
	// live resources) gets this long.
	if suite.GracePeriod < 30*time.Second {
		suite.GracePeriod = 30 * time.Second
	}
	_ = reporter
}

var captureReport func(types.Report)

// The live progress lines (progress.go) follow every finished spec.
var _ = ginkgo.ReportAfterEach(func(sr types.SpecReport) { live.specDone(sr) })

var _ = ginkgo.ReportAfterSuite("batchconform report capture", func(r types.Report) {
	if captureReport != nil {
		captureReport(r)
	}
})

var (
	shardIndex, shardTotal int
	shardOf                = map[string]int{} // top-level container -> position of first appearance
)

func shard(i, n int) { shardIndex, shardTotal = i, n }

// inShard reports whether a spec under the given top-level container belongs
// to this shard. Shards split whole top-level containers (round-robin in the
// order they appear, which is deterministic), so an Ordered container and its
// BeforeAll setup run in one process only.
func inShard(top string) bool {
	if shardTotal <= 1 {
		return true
	}
	k, ok := shardOf[top]
	if !ok {
		k = len(shardOf)
		shardOf[top] = k
	}
	return k%shardTotal == shardIndex
}

// Preview builds the spec tree without running anything and returns every
// spec's declared items (for `catalog --specs`).
func Preview(s Settings) ([]Declaration, error) {
	Configure(s)
	suite, _ := ginkgo.GinkgoConfiguration()
	suite.FailOnEmpty = false
	r := ginkgo.PreviewSpecs(SuiteName, suite)
	if !r.SuiteSucceeded && len(r.SpecialSuiteFailureReasons) > 0 {
		return nil, fmt.Errorf("harness: preview: %s", r.SpecialSuiteFailureReasons)
	}
	return Declarations(), nil
}
