package cli

// `batchconform mutation`: the mutation gate. The suite proves its own
// strength by breaking the reference emulator on purpose, one registered
// fault at a time, and requiring that a check of one of the fault's declared
// items fails.
//
// A clean run (with no fault on, any failure is a false positive and fails
// the command) runs beside the faults: every fault of the selected dialects
// runs in an embedded emulator of its own with only that fault on. A fault is killed
// only when a check of one of its declared items fails, at any level; other
// failures are collateral (reported, never counted), which keeps faults
// honest about what they break and checks precise about what they judge.
//
// Each run is a child process of this binary (Ginkgo runs one suite per
// process, as `run --procs` knows), several at a time, the longest expected
// first (mutation_cost.go) so that no long run starts last and holds the
// gate alone. Default mode: per fault, the specs that declare its items
// (`run --items`) plus a fixed-seed fuzz pass over the rules it declares (or
// whose codes it declares), failing fast: the child ends as soon as a check
// of a declared item failed, skipping its remaining specs and the fuzz pass.
// --full: the whole suite of the fault's dialect plus a short fixed-seed fuzz
// run per fault; with --fail-fast it ends at the first kill too.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fuzz"
	"github.com/batchconform/batchconform/redact"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"
)

// mutationSeed is the fixed seed of every fuzz pass of the gate: the same
// tree and faults give the same verdicts.
const mutationSeed = 20261203

// Verdicts of a fault in the gate.
const (
	mutKilled   = "killed"
	mutSurvived = "survived"
	mutError    = "error" // the fault could not be judged (malformed, child crashed or timed out): fails the gate like a survivor
)

// mutationResult is mutation.json (schema_version 1; fields may be added,
// never renamed).
type mutationResult struct {
	SchemaVersion   int            `json:"schema_version"`
	Tool            reports.Tool   `json:"tool"`
	Mode            string         `json:"mode"` // default | full
	Dialects        []string       `json:"dialects"`
	Started         time.Time      `json:"started"`
	DurationSeconds float64        `json:"duration_seconds"`
	Jobs            int            `json:"jobs"`
	FailFast        bool           `json:"fail_fast"` // each fault's run ended at its first kill
	Clean           mutationRun    `json:"clean"`
	Faults          []mutationRun  `json:"faults"`
	Score           mutationScore  `json:"score"`
	NoSpec          map[string]int `json:"items_without_spec,omitempty"` // fault -> declared items no spec declares
}

type mutationScore struct {
	Killed   int      `json:"killed"`
	Total    int      `json:"total"`
	Percent  float64  `json:"percent"`
	Survived []string `json:"survived"`
}

// mutationRun is one child run: the clean run or one fault's.
type mutationRun struct {
	Fault           string   `json:"fault,omitempty"`
	Dialect         string   `json:"dialect,omitempty"`
	Doc             string   `json:"doc,omitempty"`
	Items           []string `json:"items"`      // declared items
	SpecItems       []string `json:"spec_items"` // the declared items some spec declares (what `--items` ran)
	FuzzRules       []string `json:"fuzz_rules"` // rules of the fuzz pass
	Verdict         string   `json:"verdict"`    // killed | survived | error; clean run: pass | fail | error
	KilledBy        []killer `json:"killed_by,omitempty"`
	Collateral      []killer `json:"collateral,omitempty"`
	Error           string   `json:"error,omitempty"`
	DurationSeconds float64  `json:"duration_seconds"`
	Dir             string   `json:"dir,omitempty"`
	SpecsRun        int      `json:"specs_run"`               // specs the run ran
	FuzzCases       int64    `json:"fuzz_cases"`              // fuzz cases it generated
	StoppedEarly    bool     `json:"stopped_early,omitempty"` // fail fast: the run ended at its first kill
	ExpectedSeconds float64  `json:"expected_seconds"`        // the cost the schedule assumed (mutation_cost.go)
}

// killer is one failed check: the spec (or fuzz property) and the items it
// failed.
type killer struct {
	Spec    string   `json:"spec"`
	Items   []string `json:"items"`
	Message string   `json:"message,omitempty"`
}

// childOutcome is what a child writes to child.json.
type childOutcome struct {
	Failures      []killer `json:"failures"`
	SuiteFailures []string `json:"suite_failures,omitempty"`
	SpecsRun      int      `json:"specs_run"`
	FuzzCases     int64    `json:"fuzz_cases"`
	StoppedEarly  bool     `json:"stopped_early,omitempty"`
}

type mutationFlags struct {
	dialect  string
	faults   string
	full     bool
	out      string
	jobs     int
	timeout  time.Duration
	fuzzTime time.Duration
	perRule  int
	failFast bool
	// child mode (internal)
	child     bool
	childOn   string
	items     string
	rules     string
	declared  string
	childFull bool
}

func cmdMutation(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutation", flag.ContinueOnError)
	var mf mutationFlags
	fs.StringVar(&mf.dialect, "dialect", "all", "dialects whose faults are judged: tencent-batch, alibaba-batchcompute, oceanus, all")
	fs.StringVar(&mf.faults, "faults", "", "judge only these faults (comma-separated; default every registered fault of the dialects)")
	fs.BoolVar(&mf.full, "full", false, "per fault, the whole suite and a short fuzz run (default: the specs of its items and a fuzz pass over its rules)")
	fs.StringVar(&mf.out, "out", "batchconform-mutation", "output directory: mutation.json, mutation.md, one directory per run")
	// Twice the cores: a run mostly waits (for jobs to move, for polls,
	// for timeouts): at one run per core the whole gate used a third of
	// one core (time -v: 33% CPU), at two per core 80%, in 118 s instead
	// of 203 s, with the same verdicts and the clean run passing.
	fs.IntVar(&mf.jobs, "jobs", min(2*runtime.NumCPU(), 64), "runs at a time (default twice the cores: a run mostly waits)")
	fs.DurationVar(&mf.timeout, "timeout", 15*time.Minute, "deadline of each run (a run past it is an error)")
	fs.DurationVar(&mf.fuzzTime, "fuzz-time", 5*time.Second, "--full: length of the fuzz run per fault")
	fs.IntVar(&mf.perRule, "per-rule", 5, "default mode: fuzz cases per declared rule")
	fs.BoolVar(&mf.failFast, "fail-fast", false, "--full: end a fault's run at its first kill (the default mode always does)")
	fs.BoolVar(&mf.child, "child", false, "internal: one run in this process")
	fs.StringVar(&mf.childOn, "fault-on", "", "internal: the fault switched on in a child run")
	fs.StringVar(&mf.items, "items", "", "internal: items whose specs a child runs")
	fs.StringVar(&mf.rules, "rules", "", "internal: rules of a child's fuzz pass")
	fs.StringVar(&mf.declared, "declared", "", "internal: the fault's items (a child stops at the first failure of one)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	mf.childFull = mf.full
	if !mf.full {
		mf.failFast = true // the default mode always fails fast
	}
	if mf.child {
		return mutationChild(mf, stderr)
	}
	if mf.jobs < 1 || mf.jobs > 64 {
		fmt.Fprintf(stderr, "batchconform mutation: --jobs must be 1..64, got %d\n", mf.jobs)
		return ExitUsage
	}
	return mutationGate(mf, stdout, stderr)
}

// ---- the parent: plan, run children, judge, write ----

func mutationGate(mf mutationFlags, stdout, stderr io.Writer) int {
	if os.Getenv(envInMutation) != "" {
		fmt.Fprintln(stderr, "batchconform mutation: a run of the gate may not start the gate again")
		return ExitUsage
	}
	s := harness.Defaults()
	s.Dialect = mf.dialect
	dialects := s.SelectedDialects()
	if len(dialects) == 0 {
		fmt.Fprintf(stderr, "batchconform mutation: no implemented dialect selected by %q (implemented: %s)\n", mf.dialect, strings.Join(harness.Implemented, ", "))
		return ExitUsage
	}
	// Every registered fault of the selected dialects; with "all", every
	// registered fault, so one of a dialect without specs is reported (as an
	// error) instead of silently left out.
	selected := faults.ForDialects(dialects...)
	if mf.dialect == "all" {
		selected = faults.All()
	}
	if mf.faults != "" {
		var pick []faults.Fault
		for _, n := range splitComma(mf.faults) {
			f, ok := faults.Lookup(n)
			if !ok {
				fmt.Fprintf(stderr, "batchconform mutation: unknown fault %q\n", n)
				return ExitUsage
			}
			pick = append(pick, f)
		}
		selected = pick
	}
	if len(selected) == 0 {
		fmt.Fprintf(stderr, "batchconform mutation: no fault registered for %s\n", strings.Join(dialects, ", "))
		return ExitFailure
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "batchconform mutation: find own binary: %v\n", err)
		return ExitFailure
	}
	decls, err := harness.Preview(s)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform mutation: %v\n", err)
		return ExitFailure
	}
	hasSpec := map[string]bool{}
	for _, d := range decls {
		for _, id := range d.Items {
			hasSpec[id] = true
		}
	}
	mode := "default"
	if mf.full {
		mode = "full"
	}
	res := &mutationResult{SchemaVersion: 1, Tool: reports.Tool{Name: "batchconform", Version: emulator.Version}, Mode: mode,
		Dialects: dialects, Started: time.Now().UTC(), Jobs: mf.jobs, FailFast: mf.failFast, NoSpec: map[string]int{}}
	runs := make([]*mutationRun, 0, len(selected)+1)
	clean := &mutationRun{Dir: filepath.Join(mf.out, "clean")}
	runs = append(runs, clean)
	pl := newPlanner(dialects, hasSpec)
	for _, f := range selected {
		r := pl.planFault(f)
		r.Dir = filepath.Join(mf.out, "faults", f.Name)
		if n := len(r.Items) - len(r.SpecItems); n > 0 {
			res.NoSpec[f.Name] = n
		}
		clean.SpecItems = append(clean.SpecItems, r.SpecItems...)
		clean.FuzzRules = append(clean.FuzzRules, r.FuzzRules...)
		runs = append(runs, r)
	}
	clean.SpecItems, clean.FuzzRules = uniq(clean.SpecItems), uniq(clean.FuzzRules)
	if err := os.MkdirAll(mf.out, 0o755); err != nil {
		fmt.Fprintf(stderr, "batchconform mutation: %v\n", err)
		return ExitFailure
	}
	ff := ""
	if mf.failFast {
		ff = ", each ending at its first kill"
	}
	fmt.Fprintf(stdout, "mutation (%s mode): a clean run beside %d faults of %s, %d at a time, longest expected first%s\n",
		mode, len(selected), strings.Join(dialects, ","), mf.jobs, ff)
	start := time.Now()

	// The clean run is scheduled like any other run (it is among the
	// longest, so it starts at once): waiting for it alone before the
	// faults left a core idle for its whole length. Every state check
	// judges what it observed within generous deadlines, so a target slowed
	// by the runs beside it does not make a false positive.
	var (
		mu   sync.Mutex
		done = 0
		wg   sync.WaitGroup
	)
	queue := make(chan *mutationRun)
	for w := 0; w < mf.jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range queue {
				runChild(self, mf, r)
				mu.Lock()
				done++
				printProgress(stdout, done, len(runs), r)
				mu.Unlock()
			}
		}()
	}
	for _, r := range schedule(runs, mf.full) {
		queue <- r
	}
	close(queue)
	wg.Wait()

	res.Clean = *clean
	for _, r := range runs[1:] {
		res.Faults = append(res.Faults, *r)
		res.Score.Total++
		if r.Verdict == mutKilled {
			res.Score.Killed++
		} else {
			res.Score.Survived = append(res.Score.Survived, r.Fault)
		}
	}
	if res.Score.Total > 0 {
		res.Score.Percent = 100 * float64(res.Score.Killed) / float64(res.Score.Total)
	}
	if res.Score.Survived == nil {
		res.Score.Survived = []string{}
	}
	res.DurationSeconds = time.Since(start).Seconds()
	printMatrix(stdout, res)
	if err := writeMutation(res, mf.out); err != nil {
		fmt.Fprintf(stderr, "batchconform mutation: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "reports: %s\n", filepath.Join(mf.out, "mutation.md"))
	if res.Clean.Verdict != reports.Pass || res.Score.Killed != res.Score.Total {
		return ExitFailure
	}
	return ExitOK
}

// planner plans the faults' runs; the fuzz suite of a dialect (built from
// its whole catalog) is built once for all of them, not once per fault.
type planner struct {
	dialects []string
	hasSpec  map[string]bool
	suites   map[string]*fuzz.Suite
}

func newPlanner(dialects []string, hasSpec map[string]bool) *planner {
	return &planner{dialects: dialects, hasSpec: hasSpec, suites: map[string]*fuzz.Suite{}}
}

func (p *planner) fuzzSuite(dialect string, cat *fixtures.Catalog) *fuzz.Suite {
	if dialect != fuzzDialect {
		return nil
	}
	if p.suites[dialect] == nil {
		p.suites[dialect] = fuzz.NewSuite(cat)
	}
	return p.suites[dialect]
}

// planFault decides what a fault's run checks: the declared items some spec
// declares, and the rules the fuzz pass breaks (declared rules, and the rules
// whose violation yields a declared error code).
func (p *planner) planFault(f faults.Fault) *mutationRun {
	dialects, hasSpec := p.dialects, p.hasSpec
	r := &mutationRun{Fault: f.Name, Dialect: f.Dialect(), Doc: f.Doc, Items: append([]string(nil), f.Items...)}
	if r.Dialect == "" {
		r.Verdict, r.Error = mutError, "malformed fault: its items are missing or name more than one dialect"
		return r
	}
	inSel := false
	for _, d := range dialects {
		inSel = inSel || d == r.Dialect
	}
	cat := harness.Catalog(r.Dialect)
	if !inSel || cat == nil {
		r.Verdict, r.Error = mutError, "no catalog or specs for dialect "+r.Dialect
		return r
	}
	fuzzSuite := p.fuzzSuite(r.Dialect, cat)
	for _, id := range f.Items {
		if _, ok := cat.Item(id); !ok {
			r.Verdict, r.Error = mutError, "malformed fault: declares "+id+", which is not in the catalog"
			return r
		}
		if hasSpec[id] {
			r.SpecItems = append(r.SpecItems, id)
		}
		if fuzzSuite == nil {
			continue
		}
		if fuzzSuite.Generatable(id) {
			r.FuzzRules = append(r.FuzzRules, id)
		}
		if _, _, kind, _, err := fixtures.SplitID(id); err == nil && kind == fixtures.KindError {
			for _, e := range cat.Errors {
				if e.ID == id {
					for _, rid := range e.Provoke.Rules {
						if fuzzSuite.Generatable(rid) {
							r.FuzzRules = append(r.FuzzRules, rid)
						}
					}
				}
			}
		}
	}
	r.SpecItems, r.FuzzRules = uniq(r.SpecItems), uniq(r.FuzzRules)
	return r
}

// runChild runs one child process and judges its outcome.
func runChild(self string, mf mutationFlags, r *mutationRun) {
	t0 := time.Now()
	defer func() { r.DurationSeconds = time.Since(t0).Seconds() }()
	if r.Verdict == mutError {
		return
	}
	isClean := r.Fault == ""
	if !mf.full && len(r.SpecItems) == 0 && len(r.FuzzRules) == 0 {
		// Nothing checks any declared item: the fault survives untouched.
		if isClean {
			r.Verdict = reports.Pass
		} else {
			r.Verdict = mutSurvived
		}
		r.Error = "no spec declares, and the fuzz pass cannot break, any of its items"
		return
	}
	_ = os.RemoveAll(r.Dir)
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		r.Verdict, r.Error = mutError, err.Error()
		return
	}
	dialect := mf.dialect
	if !isClean && r.Dialect != "" {
		// Only a check of one of its declared items kills a fault, and they
		// all belong to one dialect (the registry tests hold it): the suite
		// of that dialect is the whole suite that can kill it, and the
		// child starts no target of the other dialects.
		dialect = r.Dialect
	}
	args := []string{"mutation", "--child", "--dialect", dialect, "--out", r.Dir, "--fuzz-time", mf.fuzzTime.String(),
		"--per-rule", fmt.Sprint(mf.perRule)}
	if mf.failFast && !isClean {
		args = append(args, "--fail-fast")
	}
	if mf.full {
		args = append(args, "--full")
	} else {
		args = append(args, "--items", strings.Join(r.SpecItems, ","), "--rules", strings.Join(r.FuzzRules, ","))
	}
	if !isClean {
		args = append(args, "--fault-on", r.Fault, "--declared", strings.Join(r.Items, ","))
	}
	ctx, cancel := context.WithTimeout(context.Background(), mf.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = childEnv()
	cmd.WaitDelay = 30 * time.Second
	logf, err := os.Create(filepath.Join(r.Dir, "output.log"))
	if err != nil {
		r.Verdict, r.Error = mutError, err.Error()
		return
	}
	// The child's own output is redacted by the suite; the log is kept for
	// reading a verdict, never parsed.
	cmd.Stdout, cmd.Stderr = logf, logf
	runErr := cmd.Run()
	_ = logf.Close()
	var out childOutcome
	data, err := os.ReadFile(filepath.Join(r.Dir, "child.json"))
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if err != nil {
		msg := fmt.Sprintf("the run left no outcome (%v)", err)
		if ctx.Err() != nil {
			msg = fmt.Sprintf("timed out after %v", mf.timeout)
		} else if runErr != nil {
			msg += fmt.Sprintf("; exit: %v; see %s", runErr, filepath.Join(r.Dir, "output.log"))
		}
		r.Verdict, r.Error = mutError, msg
		return
	}
	r.SpecsRun, r.FuzzCases, r.StoppedEarly = out.SpecsRun, out.FuzzCases, out.StoppedEarly
	judge(r, &out)
}

// judge decides a run's verdict from its failures.
func judge(r *mutationRun, out *childOutcome) {
	if r.Fault == "" {
		r.Collateral = out.Failures
		r.Verdict = reports.Pass
		if len(out.Failures) > 0 || len(out.SuiteFailures) > 0 {
			r.Verdict = reports.Fail
			r.Error = strings.Join(out.SuiteFailures, "; ")
		}
		return
	}
	declared := map[string]bool{}
	for _, id := range r.Items {
		declared[id] = true
	}
	for _, k := range out.Failures {
		var hit []string
		for _, id := range k.Items {
			if declared[id] {
				hit = append(hit, id)
			}
		}
		if len(hit) > 0 {
			r.KilledBy = append(r.KilledBy, killer{Spec: k.Spec, Items: hit, Message: k.Message})
		} else {
			r.Collateral = append(r.Collateral, k)
		}
	}
	r.Verdict = mutSurvived
	if len(r.KilledBy) > 0 {
		r.Verdict = mutKilled
	}
}

// childEnv is this process's environment without the suite's settings: a
// child's target is exactly what its flags say (an embedded emulator with
// only its fault on), whatever the caller's shell exports.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BATCHCONFORM_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NO_COLOR=1", envInMutation+"=1")
}

// envInMutation marks a child of the gate: a child that starts the gate again
// (a binary that ignores --child) would multiply processes without end.
const envInMutation = "BATCHCONFORM_MUTATION_CHILD"

// ---- the child: one run in this process ----

func mutationChild(mf mutationFlags, stderr io.Writer) int {
	s := harness.Defaults()
	s.Dialect = mf.dialect
	if mf.childOn != "" {
		if _, ok := faults.Lookup(mf.childOn); !ok {
			fmt.Fprintf(stderr, "batchconform mutation: unknown fault %q\n", mf.childOn)
			return ExitUsage
		}
		s.Faults = []string{mf.childOn}
	}
	declared := map[string]bool{}
	for _, id := range splitComma(mf.declared) {
		declared[id] = true
	}
	out := childOutcome{Failures: []killer{}}
	killed := func() bool {
		for _, k := range out.Failures {
			for _, id := range k.Items {
				if declared[id] {
					return true
				}
			}
		}
		return false
	}
	items := splitComma(mf.items)
	if mf.childFull || len(items) > 0 {
		if !mf.childFull {
			s.Items = items
		}
		// Every finished spec is judged as it ends. Failing fast, the child
		// ends at the first failure of a declared item, as soon as the spec
		// failed (in an AfterEach: before the cleanup of its container,
		// which waits for resources a fault may never end): its verdict is
		// settled, and the remaining specs, the cleanup and the fuzz pass
		// could only spend time. Nothing is left behind: the target is this
		// process's embedded emulator.
		childSpecDone = func(sr types.SpecReport) { collectSpec(&out, sr) }
		childSpecFailed = func(sr types.SpecReport) {
			if !mf.failFast || len(declared) == 0 {
				return
			}
			n := len(out.Failures)
			collectSpec(&out, sr)
			if !killed() {
				out.Failures, out.SpecsRun = out.Failures[:n], out.SpecsRun-1 // its report comes again when it ends
				return
			}
			// Ginkgo's report files are not written on this exit: the log
			// keeps the killing failure whole for the reader.
			fmt.Fprintf(os.Stdout, "\nmutation: killed by %s: %s\nmutation: the rest of the run is skipped (fail fast)\n",
				sr.FullText(), redact.String(sr.Failure.Message))
			out.StoppedEarly = true
			code := writeChildOutcome(out, mf.out, stderr)
			if err := harness.StopEmbedded(); err != nil {
				fmt.Fprintf(os.Stdout, "mutation: stop the embedded emulator: %v\n", err)
			}
			os.Exit(code)
		}
		gr, err := harness.Run(harness.RunOptions{Settings: s, OutDir: mf.out, NoColor: true})
		childSpecDone, childSpecFailed = nil, nil
		if err != nil {
			fmt.Fprintf(stderr, "batchconform mutation: %v\n", err)
			return ExitFailure
		}
		collectSuiteFailures(&out, gr)
	}
	// Fail fast: a fault a spec already killed needs no fuzz pass.
	if s.Dialect == "all" || s.Dialect == fuzzDialect || mf.childFull {
		if !(len(declared) > 0 && killed()) {
			if err := childFuzz(mf, s, &out); err != nil {
				out.SuiteFailures = append(out.SuiteFailures, redact.String(err.Error()))
			}
		}
	}
	return writeChildOutcome(out, mf.out, stderr)
}

// childSpecDone, set while a child runs the suite, sees every finished
// spec; childSpecFailed sees a spec that failed, before its cleanup.
var childSpecDone, childSpecFailed func(types.SpecReport)

var _ = ginkgo.ReportAfterEach(func(sr types.SpecReport) {
	if childSpecDone != nil {
		childSpecDone(sr)
	}
})

var _ = ginkgo.AfterEach(func() {
	if sr := ginkgo.CurrentSpecReport(); childSpecFailed != nil && sr.Failed() {
		childSpecFailed(sr)
	}
})

// writeChildOutcome writes child.json (redacted) and returns the child's
// exit code.
func writeChildOutcome(out childOutcome, dir string, stderr io.Writer) int {
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "batchconform mutation: %v\n", err)
		return ExitFailure
	}
	if err := os.WriteFile(filepath.Join(dir, "child.json"), redact.Bytes(data), 0o644); err != nil {
		fmt.Fprintf(stderr, "batchconform mutation: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// collectSpec records one finished spec: counted if it ran, kept if it
// failed, with the items it failed.
func collectSpec(out *childOutcome, sr types.SpecReport) {
	if sr.LeafNodeType != types.NodeTypeIt || sr.State.Is(types.SpecStateSkipped) {
		return
	}
	out.SpecsRun++
	verdict, items, _, _ := reports.SpecItems(sr)
	if verdict != reports.Fail {
		return
	}
	out.Failures = append(out.Failures, killer{Spec: sr.FullText(), Items: items, Message: firstLine(redact.String(sr.Failure.Message))})
}

// collectSuiteFailures records what failed the suite outside its specs.
func collectSuiteFailures(out *childOutcome, gr types.Report) {
	for _, reason := range gr.SpecialSuiteFailureReasons {
		out.SuiteFailures = append(out.SuiteFailures, redact.String(reason))
	}
	// Failures outside any It (a suite-level node) fail the suite too.
	if !gr.SuiteSucceeded && len(out.Failures) == 0 && len(out.SuiteFailures) == 0 {
		out.SuiteFailures = append(out.SuiteFailures, "the suite failed outside any spec")
	}
}

// childFuzz runs the fuzz part of a child: default mode, the fixed-seed
// sweep over the given rules; --full, a short fixed-seed fuzz run of every
// property. A finding fails its property item and the rule and code its
// case names.
func childFuzz(mf mutationFlags, s harness.Settings, out *childOutcome) error {
	key := fuzzDialect
	if mf.childFull && s.Dialect != "all" {
		key = s.Dialect // --full: a short run of the fault's own dialect's fuzzer
	}
	cat := harness.Catalog(key)
	if cat == nil {
		return nil
	}
	fac := fuzz.Embedded{Faults: s.Faults, Dialect: cat.Dialect}
	add := func(kind string, f fuzz.Finding) {
		items := uniq(append([]string{f.Item}, fuzz.StepItems(cat.Dialect, f)...))
		out.Failures = append(out.Failures, killer{Spec: "fuzz " + kind + ": " + f.Item, Items: items, Message: firstLine(redact.String(f.Message))})
	}
	if mf.childFull {
		res, err := fuzz.Run(fuzz.Config{Catalog: cat, Factory: fac, Duration: mf.fuzzTime, Seed: mutationSeed, Faults: s.Faults,
			ShrinkTime: time.Second})
		if res != nil {
			out.FuzzCases += res.Checked + res.Ops
			for _, f := range res.Findings {
				add("run", f.Finding)
			}
		}
		return err
	}
	rules := splitComma(mf.rules)
	if len(rules) == 0 {
		return nil
	}
	res, err := fuzz.NewSuite(cat).Pass(fac, fuzz.PassOptions{Seed: mutationSeed, PerRule: mf.perRule, Rules: rules})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(res.Findings))
	for id := range res.Findings {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fs := res.Findings[id]
		if len(fs) > 3 {
			fs = fs[:3]
		}
		for _, f := range fs {
			add("pass", f)
		}
	}
	for _, n := range res.Exercised {
		out.FuzzCases += n
	}
	return nil
}

// ---- output ----

func printProgress(w io.Writer, done, total int, r *mutationRun) {
	name := r.Fault
	if name == "" {
		name = "(clean run)"
	}
	verdict := strings.ToUpper(r.Verdict)
	detail := ""
	switch {
	case r.Verdict == mutKilled:
		detail = "by " + strings.Join(killerItems(r.KilledBy), ", ")
	case r.Error != "":
		detail = r.Error
	}
	if r.Fault == "" && r.Verdict == reports.Fail {
		detail = fmt.Sprintf("%d failure(s): FALSE POSITIVES", len(r.Collateral))
	}
	fmt.Fprintf(w, "[%*d/%d] %-8s %-40s %5.1fs %s\n", len(fmt.Sprint(total)), done, total, verdict, name, r.DurationSeconds, cut160(detail))
}

func printMatrix(w io.Writer, res *mutationResult) {
	fmt.Fprintf(w, "\nkill matrix (%s mode):\n", res.Mode)
	for _, r := range res.Faults {
		if r.Verdict == mutKilled {
			specs := map[string]bool{}
			for _, k := range r.KilledBy {
				specs[k.Spec] = true
			}
			fmt.Fprintf(w, "  %-40s killed by %s (%d spec(s))\n", r.Fault, strings.Join(killerItems(r.KilledBy), ", "), len(specs))
		} else {
			fmt.Fprintf(w, "  %-40s %s %s\n", r.Fault, strings.ToUpper(r.Verdict), cut160(r.Error))
		}
	}
	fmt.Fprintf(w, "clean run: %s (%d failure(s))\n", res.Clean.Verdict, len(res.Clean.Collateral))
	for i, k := range res.Clean.Collateral {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(res.Clean.Collateral)-10)
			break
		}
		fmt.Fprintf(w, "  FALSE POSITIVE %s: %s\n", strings.Join(k.Items, ","), cut160(k.Message))
	}
	fmt.Fprintf(w, "mutation score: %d/%d killed (%.1f%%)", res.Score.Killed, res.Score.Total, res.Score.Percent)
	if len(res.Score.Survived) > 0 {
		fmt.Fprintf(w, "; SURVIVED: %s", strings.Join(res.Score.Survived, ", "))
	}
	fmt.Fprintf(w, "; %.1fs wall\n", res.DurationSeconds)
}

func writeMutation(res *mutationResult, dir string) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("mutation.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mutation.json"), redact.Bytes(data), 0o644); err != nil {
		return fmt.Errorf("mutation.json: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# batchconform mutation gate (%s mode)\n\n", res.Mode)
	fmt.Fprintf(&b, "Dialects: %s. Score: **%d/%d killed (%.1f%%)**. Clean run: **%s**. Wall time %.1fs on %d job(s).\n\n",
		strings.Join(res.Dialects, ", "), res.Score.Killed, res.Score.Total, res.Score.Percent, res.Clean.Verdict, res.DurationSeconds, res.Jobs)
	if len(res.Clean.Collateral) > 0 {
		b.WriteString("## False positives (failures of the clean run)\n\n")
		for _, k := range res.Clean.Collateral {
			fmt.Fprintf(&b, "- `%s` — %s: %s\n", strings.Join(k.Items, "`, `"), mdEscape(k.Spec), mdEscape(k.Message))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Kill matrix\n\n| fault | verdict | killed by (items) | specs | collateral | time |\n|---|---|---|---|---|---|\n")
	for _, r := range res.Faults {
		var specs []string
		for _, k := range r.KilledBy {
			specs = append(specs, k.Spec)
		}
		specs = uniq(specs)
		by := strings.Join(killerItems(r.KilledBy), "<br>")
		if r.Verdict != mutKilled {
			by = "**" + strings.ToUpper(r.Verdict) + "** " + mdEscape(r.Error)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %d | %.1fs |\n", r.Fault, r.Verdict, by, mdEscape(strings.Join(specs, "; ")), len(r.Collateral), r.DurationSeconds)
	}
	b.WriteString("\n## Faults\n\n")
	for _, r := range res.Faults {
		fmt.Fprintf(&b, "- `%s` (%s): %s — declares `%s`; ran %d spec(s), %d fuzz case(s)", r.Fault, r.Dialect, mdEscape(r.Doc),
			strings.Join(r.Items, "`, `"), r.SpecsRun, r.FuzzCases)
		if n := res.NoSpec[r.Fault]; n > 0 {
			fmt.Fprintf(&b, "; %d declared item(s) no spec declares", n)
		}
		b.WriteString("\n")
	}
	return os.WriteFile(filepath.Join(dir, "mutation.md"), []byte(redact.String(b.String())), 0o644)
}

func killerItems(ks []killer) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Items...)
	}
	return uniq(out)
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func splitComma(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return cut160(s)
}

func cut160(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
