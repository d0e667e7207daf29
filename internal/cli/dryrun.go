package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/redact"
	"github.com/batchconform/batchconform/specs/harness"
)

// dryPlan is what `run --dry-run` writes to DIR/dry-run.json.
type dryPlan struct {
	Target    map[string]string   `json:"target"` // dialect -> endpoint that was NOT contacted
	RunPrefix string              `json:"run_prefix"`
	Specs     int                 `json:"specs"` // specs that would run
	Requests  int                 `json:"requests"`
	Calls     []harness.CallCount `json:"calls"`
	Resources []harness.Leftover  `json:"resources"`
}

// dryRun rehearses the run against a private emulator (harness/dryrun.go)
// and lists the calls and resources the run would make; nothing is sent to
// the target. Exit 0 once the plan is written, 1 if the rehearsal could
// not run.
func dryRun(s harness.Settings, rf runFlags, stdout, stderr io.Writer) int {
	if rf.procs > 1 {
		fmt.Fprintln(stderr, "batchconform run: --dry-run rehearses in one process (--procs ignored)")
	}
	if s.RunPrefix == "" {
		s.RunPrefix = newRunPrefix()
	}
	gr, err := harness.Run(harness.RunOptions{Settings: s, OutDir: rf.out, Verbose: rf.verbose, NoColor: true})
	if err != nil {
		fmt.Fprintf(stderr, "batchconform run --dry-run: %v\n", err)
		return ExitFailure
	}
	plan := dryPlan{Target: map[string]string{}, RunPrefix: s.RunPrefix, Calls: harness.Calls(), Resources: harness.Created()}
	for _, d := range s.SelectedDialects() {
		ep := s.For(d).Endpoint
		if ep == "" {
			ep = "embedded emulator"
		}
		plan.Target[d] = redact.String(ep)
	}
	for _, sr := range gr.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt && !sr.State.Is(types.SpecStateSkipped|types.SpecStatePending) {
			plan.Specs++
		}
	}
	for _, c := range plan.Calls {
		plan.Requests += c.Count
	}
	if err := os.MkdirAll(rf.out, 0o755); err != nil {
		fmt.Fprintf(stderr, "batchconform run --dry-run: %v\n", err)
		return ExitFailure
	}
	data, _ := json.MarshalIndent(plan, "", "  ")
	if err := os.WriteFile(filepath.Join(rf.out, "dry-run.json"), []byte(redact.String(string(data))), 0o644); err != nil {
		fmt.Fprintf(stderr, "batchconform run --dry-run: %v\n", err)
		return ExitFailure
	}
	printPlan(stdout, plan, rf.out)
	return ExitOK
}

func printPlan(w io.Writer, p dryPlan, out string) {
	var ts []string
	for d, ep := range p.Target {
		ts = append(ts, d+" "+ep)
	}
	sort.Strings(ts)
	fmt.Fprintf(w, "\ndry run: nothing was sent to %s\n", strings.Join(ts, ", "))
	fmt.Fprintf(w, "a run would start %d specs and send about %d requests (rehearsed against a private emulator; polling on a slower target sends more):\n", p.Specs, p.Requests)
	for _, c := range p.Calls {
		fmt.Fprintf(w, "  call %s %s ×%d\n", c.Dialect, c.Action, c.Count)
	}
	byType := map[string]int{}
	for _, r := range p.Resources {
		byType[r.Dialect+" "+r.Type]++
	}
	var keys []string
	for k := range byType {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "it would create %d resources, named %s-… (and delete them):\n", len(p.Resources), p.RunPrefix)
	for _, k := range keys {
		fmt.Fprintf(w, "  create %s ×%d\n", k, byType[k])
	}
	fmt.Fprintf(w, "every call and resource: %s\n", filepath.Join(out, "dry-run.json"))
}
