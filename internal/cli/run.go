package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"

	// The spec packages linked into the binary: importing one registers its
	// specs in the one Ginkgo suite.
	_ "github.com/batchconform/batchconform/specs/alibatch"
	_ "github.com/batchconform/batchconform/specs/oceanus"
	_ "github.com/batchconform/batchconform/specs/tencentbatch"
)

// runFlags are the flags of `run` beyond the target settings.
type runFlags struct {
	out      string
	procs    int
	shard    string
	verbose  bool
	baseline string
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	s := harness.Defaults()
	s.RegisterFlags(fs)
	var rf runFlags
	fs.StringVar(&rf.out, "out", "batchconform-report", "output directory")
	fs.IntVar(&rf.procs, "procs", 1, "run the specs on N processes of this binary against one emulator, then merge")
	fs.StringVar(&rf.shard, "shard", "", "run shard i/N only (0 <= i < N): a deterministic split of whole spec containers, so N machines give exactly the verdicts of one once `report merge` joins their report.json files")
	fs.BoolVar(&rf.verbose, "v", false, "verbose Ginkgo output")
	fs.StringVar(&rf.baseline, "baseline", "", "judge the run against this baseline (the gate decides the exit code)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	if err := s.ApplyEnv(fs); err != nil {
		fmt.Fprintf(stderr, "batchconform run: %v\n", err)
		return ExitUsage
	}
	if rf.procs < 1 || rf.procs > 64 {
		fmt.Fprintf(stderr, "batchconform run: --procs must be 1..64, got %d\n", rf.procs)
		return ExitUsage
	}
	if rf.shard != "" {
		return runShard(s, rf, stdout, stderr)
	}
	if s.DryRun {
		return dryRun(s, rf, stdout, stderr)
	}
	var baseline *reports.Baseline
	if rf.baseline != "" {
		b, err := reports.LoadBaseline(rf.baseline)
		if err != nil {
			fmt.Fprintf(stderr, "batchconform run: %v\n", err)
			return ExitUsage
		}
		baseline = b
	}
	start := time.Now()
	var gr types.Report
	var requests int64
	var err error
	target := describeTarget(s)
	if rf.procs > 1 {
		gr, requests, err = runProcs(s, rf, stdout, stderr)
	} else {
		// A terminal gets the live lines per dialect on stderr, CI
		// nothing until the summary; Ginkgo's dots would break the
		// lines up, so only -v shows Ginkgo's stream.
		var progress io.Writer
		if !rf.verbose && stderrIsTerminal() {
			progress = os.Stderr
		}
		gr, err = harness.Run(harness.RunOptions{Settings: s, OutDir: rf.out, Verbose: rf.verbose, NoColor: noColor(), Progress: progress,
			Quiet: !rf.verbose, CallerWritesGinkgoReports: true})
		requests = harness.RequestsSent()
	}
	if err != nil {
		fmt.Fprintf(stderr, "batchconform run: %v\n", err)
		return ExitFailure
	}
	rep := reports.Build(gr, catalogsFor(s), reports.Meta{ToolVersion: emulator.Version, Target: target})
	violations := collectViolations(rf.out)
	applyViolations(rep, violations)
	// Ginkgo's own reports (merged ones after --procs) are written
	// alongside the conformance reports.
	if err := writeReports(rep, rf.out, reports.GinkgoFiles(gr)...); err != nil {
		fmt.Fprintf(stderr, "batchconform run: %v\n", err)
		return ExitFailure
	}
	printSummary(stdout, rep, gr, requests, time.Since(start), rf.out)
	printViolations(stdout, violations)
	printStillRunning(stdout, gr)
	code := exitCode(rep, gr)
	if m := harness.BudgetStop(); m != "" && rf.procs <= 1 {
		// However the specs met it (a setup that spent it fails its
		// container without a spec left to abort), a spent budget stopped
		// the run: aborted.
		fmt.Fprintf(stdout, "stopped: %s\n", m)
		code = ExitAborted
	}
	if baseline != nil && code != ExitAborted {
		g := reports.Gate(baseline, rep, time.Now())
		g.Print(stdout)
		if g.OK() {
			return ExitOK
		}
		return ExitFailure
	}
	return code
}

// stderrIsTerminal reports whether the progress lines have a person to
// show them to: stderr is a terminal that understands cursor movement, and
// not in CI.
func stderrIsTerminal() bool {
	if os.Getenv("CI") == "true" || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func noColor() bool {
	if os.Getenv("CI") == "true" || os.Getenv("NO_COLOR") != "" {
		return true
	}
	fi, err := os.Stdout.Stat()
	return err != nil || fi.Mode()&os.ModeCharDevice == 0
}

func catalogsFor(s harness.Settings) []*fixtures.Catalog {
	var out []*fixtures.Catalog
	for _, d := range s.SelectedDialects() {
		if c := harness.Catalog(d); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func describeTarget(s harness.Settings) reports.Target {
	t := reports.Target{Endpoints: map[string]string{}, Live: s.Live}
	for _, d := range s.SelectedDialects() {
		t.Dialects = append(t.Dialects, d)
		ep := s.For(d).Endpoint
		if ep == "" {
			ep = "embedded"
			t.Embedded = true
		}
		t.Endpoints[d] = ep
	}
	return t
}

// exitCode follows the pinned rule: 3 if the run was aborted (deadline,
// signal), 1 if a MUST item failed, else 0.
func exitCode(rep *reports.Report, gr types.Report) int {
	for _, sr := range gr.SpecReports {
		if sr.State.Is(types.SpecStateInterrupted | types.SpecStateAborted) {
			return ExitAborted
		}
	}
	if gr.SpecialSuiteFailureReasons != nil {
		for _, r := range gr.SpecialSuiteFailureReasons {
			if strings.Contains(r, "Interrupted") || strings.Contains(r, "timeout") || strings.Contains(r, "Timeout") {
				return ExitAborted
			}
		}
	}
	if len(rep.MustFailures()) > 0 {
		return ExitFailure
	}
	if !gr.SuiteSucceeded && rep.Specs.Failed == 0 {
		// The suite itself failed (setup, no specs selected): not a pass.
		return ExitFailure
	}
	return ExitOK
}

func printSummary(w io.Writer, rep *reports.Report, gr types.Report, requests int64, wall time.Duration, out string) {
	sum := rep.Summary
	total := sum.Passed + sum.Failed + sum.Skipped + sum.NotCovered + sum.Unprovokable
	score := 0.0
	if checked := sum.Passed + sum.Failed; checked > 0 {
		score = 100 * float64(sum.Passed) / float64(checked)
	}
	fmt.Fprintf(w, "\nbatchconform %s: %d items — %d passed, %d failed, %d skipped, %d not covered, %d unprovokable (score %.1f%%)\n",
		strings.Join(rep.Target.Dialects, ","), total, sum.Passed, sum.Failed, sum.Skipped, sum.NotCovered, sum.Unprovokable, score)
	for d, c := range rep.Coverage {
		fmt.Fprintf(w, "coverage %s: actions %d/%d, error codes %d/%d, transitions %d/%d, rules %d/%d\n", d,
			c.Actions.Covered, c.Actions.Documented, c.ErrorCodes.Covered, c.ErrorCodes.Documented,
			c.Transitions.Covered, c.Transitions.Documented, c.Rules.Covered, c.Rules.Documented)
	}
	fmt.Fprintf(w, "specs: %d run (%d passed, %d failed, %d skipped); %d requests; %.2fs wall\n",
		rep.Specs.Total, rep.Specs.Passed, rep.Specs.Failed, rep.Specs.Skipped, requests, wall.Seconds())
	fails := rep.Failures()
	for i, it := range fails {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(fails)-10)
			break
		}
		msg := summaryLine(it.Message)
		if len(msg) > 160 {
			msg = msg[:160] + "…"
		}
		fmt.Fprintf(w, "  FAIL %s [%s] %s\n", it.ID, it.Level, msg)
	}
	if out != "" {
		fmt.Fprintf(w, "reports: %s\n", out)
	}
	if len(gr.SpecialSuiteFailureReasons) > 0 {
		fmt.Fprintf(w, "suite: %s\n", strings.Join(gr.SpecialSuiteFailureReasons, "; "))
	}
}

// summaryLine picks the line of a failure message the summary shows
// (harness.FailureReason: not Gomega's preamble of a wait a precondition
// ended, which says nothing about why).
func summaryLine(msg string) string { return harness.FailureReason(msg) }

// writeReports writes the conformance report files into dir: report.json,
// junit.xml, report.md and report.html (pinned names), and any extra files.
func writeReports(r *reports.Report, dir string, extra ...reports.Extra) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	_, err := reports.WriteAll(r, dir, extra...)
	return err
}

// ---- --procs: shards of this binary against one emulator ----

type shardSummary struct {
	Requests int64 `json:"requests"`
}

func runShard(s harness.Settings, rf runFlags, stdout, stderr io.Writer) int {
	i, n, err := parseShard(rf.shard)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform run: --shard: %v\n", err)
		return ExitUsage
	}
	gr, err := harness.Run(harness.RunOptions{Settings: s, OutDir: rf.out, ShardIndex: i, ShardTotal: n,
		Verbose: rf.verbose, NoColor: true, ProgressFile: os.Getenv(harness.EnvProgressFile)})
	if err != nil {
		fmt.Fprintf(stderr, "batchconform run: shard %s: %v\n", rf.shard, err)
		return ExitFailure
	}
	data, _ := json.Marshal(shardSummary{Requests: harness.RequestsSent()})
	_ = os.WriteFile(filepath.Join(rf.out, "shard.json"), data, 0o644)
	if err := writeViolations(rf.out); err != nil {
		fmt.Fprintf(stderr, "batchconform run: shard %s: %v\n", rf.shard, err)
	}
	return finishShard(s, rf, gr, stdout, stderr)
}

func parseShard(v string) (int, int, error) {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("want i/N with 0 <= i < N, got %q", v)
	}
	return i, n, nil
}

// runProcs starts one emulator (unless an endpoint is given), re-executes
// this binary on N disjoint shards against it, and merges their reports.
func runProcs(s harness.Settings, rf runFlags, stdout, stderr io.Writer) (types.Report, int64, error) {
	self, err := os.Executable()
	if err != nil {
		return types.Report{}, 0, fmt.Errorf("find own binary: %w", err)
	}
	env := os.Environ()
	if s.RunPrefix == "" {
		// One prefix for every shard: one sweep finds all they leave.
		s.RunPrefix = newRunPrefix()
	}
	var emu *emulator.Emulator
	if s.Endpoint == "" {
		emu, err = emulator.Start(harness.EmbeddedOptions(s.Faults)...)
		if err != nil {
			return types.Report{}, 0, fmt.Errorf("start the emulator: %w", err)
		}
		defer emu.Close()
		// The key travels in the environment, never on a command line.
		env = append(env, "BATCHCONFORM_ENDPOINT="+emu.URL, "BATCHCONFORM_SECRET_ID="+emu.SecretID,
			"BATCHCONFORM_SECRET_KEY="+emu.SecretKey, "BATCHCONFORM_FAULTS=",
			harness.EnvShardOfEmbedded+"="+shardFaults(s.Faults))
	} else {
		env = append(env, "BATCHCONFORM_SECRET_ID="+s.SecretID, "BATCHCONFORM_SECRET_KEY="+s.SecretKey)
	}
	budget, err := harness.ParseBudget(s.Budget)
	if err != nil {
		return types.Report{}, 0, err
	}
	// On a terminal the shards write their progress rows to files and
	// this process draws one line per dialect, summed over them; in CI
	// nothing is drawn until the summary.
	var progressFiles []string
	showProgress := !rf.verbose && stderrIsTerminal()
	var wg sync.WaitGroup
	errs := make([]error, rf.procs)
	var mu sync.Mutex
	cmds := make([]*exec.Cmd, rf.procs)
	for i := 0; i < rf.procs; i++ {
		dir := filepath.Join(rf.out, fmt.Sprintf("shard-%d", i))
		shardEnv := env
		if showProgress {
			f := filepath.Join(dir, "progress.json")
			_ = os.Remove(f) // an earlier run's rows
			progressFiles = append(progressFiles, f)
			shardEnv = append(append([]string(nil), env...), harness.EnvProgressFile+"="+f)
		}
		args := []string{"run", "--shard", fmt.Sprintf("%d/%d", i, rf.procs), "--out", dir}
		// Each process spends its share of the --budget and of
		// --max-resources alone: together they never exceed the whole.
		part, err := budget.Share(i, rf.procs)
		if err != nil {
			return types.Report{}, 0, err
		}
		ps := s
		ps.Budget = part.String()
		if ps.MaxResources, err = harness.ShareCount(s.MaxResources, i, rf.procs); err != nil && s.Live {
			return types.Report{}, 0, fmt.Errorf("--max-resources %w", err)
		} else if err != nil {
			ps.MaxResources = 1 // (applies to live targets only)
		}
		args = append(args, passThrough(ps)...)
		cmd := exec.Command(self, args...)
		cmd.Env = shardEnv
		var buf strings.Builder
		cmd.Stdout, cmd.Stderr = &buf, &buf
		cmds[i] = cmd
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					errs[i] = fmt.Errorf("shard %d: %w", i, err)
				}
			}
			mu.Lock()
			if rf.verbose {
				fmt.Fprintf(stdout, "--- shard %d/%d\n%s", i, rf.procs, buf.String())
			}
			mu.Unlock()
		}(i)
	}
	// Forward an interrupt to the shards, so their cleanup runs.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sig:
			for _, c := range cmds {
				if c.Process != nil {
					_ = c.Process.Signal(s)
				}
			}
		case <-done:
		}
	}()
	stopProgress := func() {}
	if showProgress {
		stopProgress = harness.ShowShards(os.Stderr, progressFiles)
	}
	wg.Wait()
	stopProgress()
	close(done)
	signal.Stop(sig)
	if err := errors.Join(errs...); err != nil {
		return types.Report{}, 0, err
	}
	var merged types.Report
	var requests int64
	for i := 0; i < rf.procs; i++ {
		dir := filepath.Join(rf.out, fmt.Sprintf("shard-%d", i))
		data, err := os.ReadFile(filepath.Join(dir, "ginkgo-report.json"))
		if err != nil {
			return types.Report{}, 0, fmt.Errorf("shard %d left no report: %w", i, err)
		}
		var rs []types.Report
		if err := json.Unmarshal(data, &rs); err != nil || len(rs) == 0 {
			return types.Report{}, 0, fmt.Errorf("shard %d report: %v", i, err)
		}
		if i == 0 {
			merged = rs[0]
		} else {
			merged = merged.Add(rs[0])
		}
		var ss shardSummary
		if b, err := os.ReadFile(filepath.Join(dir, "shard.json")); err == nil && json.Unmarshal(b, &ss) == nil {
			requests += ss.Requests
		}
	}
	// The merged Ginkgo reports are written by the caller (writeReports).
	return merged, requests, nil
}

func shardFaults(fs []string) string {
	if len(fs) == 0 {
		return "-"
	}
	return strings.Join(fs, ",")
}

// passThrough renders the target settings a shard needs as flags (secrets
// travel in the environment).
func passThrough(s harness.Settings) []string {
	var a []string
	add := func(k, v string) {
		if v != "" {
			a = append(a, "--"+k, v)
		}
	}
	add("dialect", s.Dialect)
	add("region", s.Region)
	add("zone", s.Zone)
	add("label-filter", s.LabelFilter)
	if len(s.Items) > 0 {
		add("items", strings.Join(s.Items, ","))
	}
	add("request-timeout", s.RequestTimeout.String())
	add("run-prefix", s.RunPrefix)
	add("budget", s.Budget)
	add("max-resources", strconv.Itoa(s.MaxResources))
	if s.StallTimeout > 0 {
		add("stall-timeout", s.StallTimeout.String())
	}
	if s.Deadline > 0 {
		add("deadline", s.Deadline.String())
	}
	if s.ClientRateLimit >= 0 {
		add("client-rate-limit", strconv.FormatFloat(s.ClientRateLimit, 'f', -1, 64))
	}
	if s.Live {
		a = append(a, "--live")
	}
	if s.Endpoint != "" {
		add("endpoint", s.Endpoint)
	}
	return a
}
