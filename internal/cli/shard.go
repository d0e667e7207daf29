package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"
)

// finishShard writes a shard's own conformance report (report.json and the
// other pinned files), so `run --shard i/N` is usable on its own: N
// machines each run one shard and `report merge` joins their report.json
// files into the verdicts of one run. Under --procs the parent ignores the
// shard's exit code and merges the Ginkgo reports itself.
func finishShard(s harness.Settings, rf runFlags, gr types.Report, stdout, stderr io.Writer) int {
	start := gr.StartTime
	if start.IsZero() {
		start = time.Now()
	}
	rep := reports.Build(gr, catalogsFor(s), reports.Meta{ToolVersion: emulator.Version, Target: describeTarget(s)})
	applyViolations(rep, collectViolations(rf.out))
	if err := writeReports(rep, rf.out); err != nil {
		fmt.Fprintf(stderr, "batchconform run: shard %s: %v\n", rf.shard, err)
		return ExitFailure
	}
	if os.Getenv(harness.EnvShardOfEmbedded) == "" {
		// A user's shard (not one of --procs): say what it did.
		printSummary(stdout, rep, gr, harness.RequestsSent(), time.Since(start), rf.out)
		fmt.Fprintf(stdout, "shard %s: join the shards' report.json files with `batchconform report merge A B… --out FILE`\n", rf.shard)
	}
	return exitCode(rep, gr)
}
