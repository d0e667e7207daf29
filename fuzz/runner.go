package fuzz

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/redact"
	"github.com/batchconform/batchconform/reports"
)

// KindStateful names the model-based property among the kinds of a run.
const KindStateful = "stateful"

// AllKinds are the properties a run cycles through.
var AllKinds = append(append([]string(nil), StatelessKinds...), KindStateful)

// Config configures a fuzz run.
type Config struct {
	// Dialect is the adapter of the dialect fuzzed (DialectByKey); nil =
	// the adapter of Catalog.
	Dialect  Dialect
	Catalog  *fixtures.Catalog
	Factory  Factory       // nil = Embedded with Faults
	Duration time.Duration // total time (default 10 s)
	Seed     uint64        // 0: derived from the clock (and reported)
	// ShardIndex and ShardTotal split the rounds' seeds between machines
	// (`fuzz --shard i/N`): shard i draws Seed+i, Seed+i+N, Seed+i+2N, …,
	// so N shards never repeat each other's cases. ShardTotal 0 = one shard.
	ShardIndex, ShardTotal int
	Out                    string   // where replay files go ("" = not written)
	Kinds                  []string // default AllKinds
	// Checks per round: stateless cases (default 200) and stateful sequences
	// (default 25); a round is one rapid.Check with one seed.
	Checks, StatefulChecks int
	Steps                  int           // average operations per stateful sequence (rapid.steps; default 30)
	ShrinkTime             time.Duration // per failure (default 4 s: enough for every planted fault's minimal case)
	Faults                 []string      // recorded in replay files
	Progress               io.Writer     // a progress line, rewritten in place (nil: none)
	StopAtFirst            bool          // end the run at the first finding
	// Rounds, when positive, ends the run once every kind has run that many
	// rounds (Duration stays a ceiling): tests bound the work, not the
	// time, so a loaded machine does fewer cases slower, not fewer kinds.
	Rounds int
}

// Result is what a run did and found.
type Result struct {
	Seed       uint64
	Started    time.Time
	Elapsed    time.Duration
	Cases      map[string]int64 // by kind: stateless cases, stateful sequences
	Checked    int64            // stateless requests checked
	Ops        int64            // stateful operations (requests) performed
	OpsTime    time.Duration    // time spent in stateful rounds
	CheckTime  time.Duration    // time spent in stateless rounds
	Exercised  map[string]int64 // property item -> cases that checked it
	Covered    map[string]int64 // see Recorder.Covered
	RulesTotal int              // generatable rules (the denominator of "rules broken")
	Findings   []Reported
	Dropped    []string // actions or kinds no longer fuzzed after a finding
	Rounds     []uint64 // the rounds' seeds, in order
}

// Reported is one finding with where its replay file went.
type Reported struct {
	Finding
	Kind          string
	Seed          uint64
	File          string
	FoundAfter    time.Duration // since the run started
	ShrinkSeconds float64
}

// Failed reports whether any property failed.
func (r *Result) Failed() bool { return len(r.Findings) > 0 }

// testTB runs rapid outside `go test`: failures are recorded, FailNow
// unwinds with a panic the runner recovers.
type testTB struct {
	name   string
	failed bool
	msgs   []string
}

type stopNow struct{}

func (t *testTB) Helper()      {}
func (t *testTB) Name() string { return t.name }
func (t *testTB) Logf(f string, a ...any) {
	if len(t.msgs) < 200 {
		t.msgs = append(t.msgs, fmt.Sprintf(f, a...))
	}
}
func (t *testTB) Log(a ...any)              { t.Logf("%s", fmt.Sprint(a...)) }
func (t *testTB) Skipf(f string, a ...any)  { panic(stopNow{}) }
func (t *testTB) Skip(a ...any)             { panic(stopNow{}) }
func (t *testTB) SkipNow()                  { panic(stopNow{}) }
func (t *testTB) Errorf(f string, a ...any) { t.failed = true; t.Logf(f, a...) }
func (t *testTB) Error(a ...any)            { t.failed = true; t.Log(a...) }
func (t *testTB) Fatalf(f string, a ...any) { t.Errorf(f, a...); t.FailNow() }
func (t *testTB) Fatal(a ...any)            { t.Error(a...); t.FailNow() }
func (t *testTB) FailNow()                  { t.failed = true; panic(stopNow{}) }
func (t *testTB) Fail()                     { t.failed = true }
func (t *testTB) Failed() bool              { return t.failed }

// ensureFlags makes rapid usable outside `go test`: rapid reads
// testing.Short(), which needs testing's flags registered and parsed.
func ensureFlags() {
	if flag.Lookup("test.short") == nil {
		testing.Init()
	}
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
}

// SetRapidFlags sets rapid's flags (they are process-wide) and returns a
// function restoring them.
func SetRapidFlags(kv map[string]string) (restore func()) {
	ensureFlags()
	old := map[string]string{}
	for k, v := range kv {
		if f := flag.Lookup(k); f != nil {
			old[k] = f.Value.String()
			_ = flag.Set(k, v)
		}
	}
	return func() {
		for k, v := range old {
			_ = flag.Set(k, v)
		}
	}
}

// check runs one rapid.Check with the given seed and number of checks and
// reports whether it failed.
func check(name string, seed uint64, checks, steps int, shrink time.Duration, prop func(*rapid.T)) (failed bool) {
	restore := SetRapidFlags(map[string]string{
		"rapid.seed": strconv.FormatUint(seed, 10), "rapid.checks": strconv.Itoa(checks), "rapid.steps": strconv.Itoa(steps),
		"rapid.nofailfile": "true", "rapid.shrinktime": shrink.String(),
	})
	defer restore()
	tb := &testTB{name: "batchconform-fuzz-" + name}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(stopNow); !ok {
					panic(r)
				}
			}
		}()
		rapid.Check(tb, prop)
	}()
	return tb.failed
}

// Run fuzzes the target for cfg.Duration: rounds of every property kind of
// the dialect, each round one rapid.Check with its own seed (seed, seed+1,
// …, or the shard's share of them), so the same seed gives the same cases.
// Failures are shrunk by rapid and written as replay files. It is the one
// runner of every dialect (cfg.Dialect; nil = the adapter of cfg.Catalog).
func Run(cfg Config) (*Result, error) {
	d := cfg.Dialect
	if d == nil {
		if cfg.Catalog == nil {
			return nil, fmt.Errorf("fuzz: no dialect and no catalog")
		}
		d = DialectOf(cfg.Catalog)
	}
	if cfg.Factory == nil {
		cfg.Factory = Embedded{Faults: cfg.Faults, Dialect: d.Key()}
	}
	if e, ok := cfg.Factory.(Embedded); ok {
		// Fresh tenants of one emulator instead of fresh emulators.
		p := newTenantPool(e)
		defer p.Close()
		cfg.Factory = p
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano()%1_000_000_007) + 1
	}
	kinds, err := kindsOf(d, cfg.Kinds)
	if err != nil {
		return nil, err
	}
	cfg.Kinds = kinds
	if cfg.Checks <= 0 {
		cfg.Checks = 200
	}
	if cfg.StatefulChecks <= 0 {
		cfg.StatefulChecks = 25
	}
	if cfg.Steps <= 0 {
		cfg.Steps = 30
	}
	if cfg.ShrinkTime <= 0 {
		cfg.ShrinkTime = 4 * time.Second
	}
	res := &Result{RulesTotal: d.RulesTotal(), Seed: cfg.Seed, Started: time.Now(), Cases: map[string]int64{}, Exercised: map[string]int64{}, Covered: map[string]int64{}}
	deadline := res.Started.Add(cfg.Duration)
	actions := map[string][]string{} // kind -> actions still fuzzed (stateless)
	for _, k := range cfg.Kinds {
		actions[k] = d.Actions()
	}
	active := map[string]bool{}
	for _, k := range cfg.Kinds {
		active[k] = true
	}
	rounds := map[string]int{}
	seed, stride := ShardSeeds(cfg.Seed, cfg.ShardIndex, cfg.ShardTotal)
	for round := 0; time.Now().Before(deadline); round++ {
		any := false
		for _, kind := range cfg.Kinds {
			if !active[kind] || !time.Now().Before(deadline) {
				continue
			}
			any = true
			rec := &Recorder{Exercised: map[string]int64{}}
			roundSeed := seed
			seed += stride
			res.Rounds = append(res.Rounds, roundSeed)
			start := time.Now()
			if rounds[kind]++; cfg.Rounds > 0 && rounds[kind] >= cfg.Rounds {
				active[kind] = false // after this one
			}
			prop, done, err := d.Round(kind, cfg.Factory, actions[kind], rec)
			if err != nil {
				return res, err
			}
			checks := cfg.Checks
			if kind == KindStateful {
				checks = cfg.StatefulChecks
			}
			failed := check(d.Key()+"-"+kind, roundSeed, checks, cfg.Steps, cfg.ShrinkTime, prop)
			done()
			if kind == KindStateful {
				res.Ops += rec.Cases
				res.OpsTime += time.Since(start)
				res.Cases[kind] += int64(cfg.StatefulChecks)
			} else {
				res.Checked += rec.Cases
				res.Cases[kind] += rec.Cases
				res.CheckTime += time.Since(start)
			}
			for id, n := range rec.Exercised {
				res.Exercised[id] += n
			}
			for k, n := range rec.Covered {
				res.Covered[k] += n
			}
			if failed && rec.Last != nil {
				found := *rec.Last
				if kind == KindStateful && cfg.Factory.Embedded() {
					found = minimize(d, cfg.Factory, found, cfg.ShrinkTime)
				}
				rep := Reported{Finding: found, Kind: kind, Seed: roundSeed, FoundAfter: rec.firstFail.Sub(res.Started),
					ShrinkSeconds: time.Since(rec.firstFail).Seconds()}
				if cfg.Out != "" {
					f := &ReplayFile{Format: ReplayFormat, Dialect: d.Key(), Property: rep.Item, Kind: "stateless",
						Seed: roundSeed, Target: cfg.Factory.Describe(), Faults: cfg.Faults, Found: time.Now().UTC(),
						FoundSeconds: rep.FoundAfter.Seconds(), ShrinkSeconds: rep.ShrinkSeconds, Expectation: rep.Message, Steps: rep.Steps}
					if kind == KindStateful {
						f.Kind = "stateful"
					}
					path, err := f.Write(cfg.Out)
					if err != nil {
						return res, err
					}
					rep.File = path
				}
				res.Findings = append(res.Findings, rep)
				if cfg.StopAtFirst {
					res.Elapsed = time.Since(res.Started)
					return res, nil
				}
				// Keep fuzzing the rest: drop what failed (the action of a
				// per-action property, else the whole kind).
				if a := failedAction(rep); a != "" && kind != KindStateful && kind != OpSignature && kind != OpSecret {
					actions[kind] = remove(actions[kind], a)
					res.Dropped = append(res.Dropped, kind+":"+a)
					if len(actions[kind]) == 0 {
						active[kind] = false
					}
				} else {
					active[kind] = false
					res.Dropped = append(res.Dropped, kind)
				}
			} else if failed {
				return res, fmt.Errorf("fuzz: %s %s round failed without a recorded case (a panic in the property?)", d.Key(), kind)
			}
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "\rfuzz: %s  %d cases  %d ops  %d findings   ", time.Since(res.Started).Truncate(time.Second),
					res.Checked, res.Ops, len(res.Findings))
			}
		}
		if !any {
			break
		}
	}
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

// minimize finishes rapid's shrinking of a failed sequence: it removes
// steps while a replay on
// a fresh target still fails the same item, within budget. rapid shrinks a
// sequence by rerunning whole cases on fresh emulators, which a short
// shrink time cannot always finish; replaying the recorded steps is
// cheaper and keeps the case replayable by construction (operations refer
// to resources by creation index modulo what exists).
func minimize(d Dialect, fac Factory, f Finding, budget time.Duration) Finding {
	end := time.Now().Add(budget)
	fails := func(steps []Step) (*PropError, bool) {
		pe, err := d.Replay(&ReplayFile{Format: ReplayFormat, Dialect: d.Key(), Kind: "stateful", Steps: steps}, fac)
		// The same item, at the case's last step (where the sequence that
		// rapid found ends): a shorter case failing earlier for another
		// reason is not the same finding.
		if err != nil || pe == nil || pe.Item != f.Item || pe.Step != len(steps) {
			return nil, false
		}
		return pe, true
	}
	steps := append([]Step(nil), f.Steps...)
	pe, ok := fails(steps)
	if !ok {
		return f // does not replay on its own: keep rapid's case
	}
	changed := false
	// Chunks first (halves, quarters, …: a long sequence loses most of its
	// steps in a few replays), then single steps until none can go.
	for chunk := len(steps) / 2; chunk >= 1 && time.Now().Before(end); chunk /= 2 {
		for i := len(steps) - 1 - chunk; i >= 0 && time.Now().Before(end); i -= chunk {
			try := append(append([]Step(nil), steps[:i]...), steps[i+chunk:]...)
			if p, ok := fails(try); ok {
				steps, pe, changed = try, p, true
			}
		}
	}
	for progress := true; progress && time.Now().Before(end); {
		progress = false
		for i := len(steps) - 2; i >= 0 && time.Now().Before(end); i-- {
			try := append(append([]Step(nil), steps[:i]...), steps[i+1:]...)
			if p, ok := fails(try); ok {
				steps, pe, progress, changed = try, p, true, true
			}
		}
	}
	if !changed {
		return f
	}
	for i := range steps {
		steps[i].Sent = nil // the requests of the longer case; a replay re-derives them
	}
	return Finding{Item: f.Item, Message: pe.Msg, Steps: steps}
}

func failedAction(r Reported) string {
	if len(r.Steps) == 1 && r.Steps[0].Action != "" {
		return r.Steps[0].Action
	}
	return ""
}

func remove(xs []string, x string) []string {
	var out []string
	for _, e := range xs {
		if e != x {
			out = append(out, e)
		}
	}
	return out
}

// ---- report ----

// Report turns a run's result into the pinned report format: every property
// item the run exercised gets pass or fail (the finding and its replay file
// as message and evidence); every other catalog item is not_covered (or
// unprovokable), so `report merge` combines it with a run report.
func Report(res *Result, cat *fixtures.Catalog, target reports.Target, version string) *reports.Report {
	r := &reports.Report{SchemaVersion: 1, Tool: reports.Tool{Name: "batchconform", Version: version}, Target: target,
		Started: res.Started.UTC(), DurationSeconds: res.Elapsed.Seconds(), Seed: int64(res.Seed)}
	failed := map[string]Reported{}
	for _, f := range res.Findings {
		if _, ok := failed[f.Item]; !ok {
			failed[f.Item] = f
		}
	}
	for _, it := range cat.Items() {
		ri := reports.Item{ID: it.ID, Dialect: it.Dialect, Kind: string(it.Kind), Level: string(it.Level), Title: it.Title,
			Verdict: reports.NotCovered, Sources: it.Sources, Specs: []string{}, Unprovokable: it.Unprovokable, Labels: it.Labels}
		if ri.Sources == nil {
			ri.Sources = []string{}
		}
		if it.Unprovokable != "" {
			ri.Verdict = reports.Unprovokable
		}
		if f, ok := failed[it.ID]; ok {
			ri.Verdict, ri.Specs = reports.Fail, []string{"batchconform fuzz: " + f.Kind}
			ri.Message = f.Message
			if f.File != "" {
				ri.Message += " (replay: " + f.File + ")"
			}
			ev, _ := json.Marshal(map[string]any{"steps": f.Steps, "replay": f.File, "seed": f.Seed})
			ri.Evidence = ev
		} else if n := res.Exercised[it.ID]; n > 0 {
			ri.Verdict, ri.Specs = reports.Pass, []string{"batchconform fuzz"}
			ri.Message = fmt.Sprintf("%d generated cases", n)
		}
		r.Items = append(r.Items, ri)
	}
	// A property a dialect's model checks that its catalog does not list yet
	// (Alibaba BatchCompute's model/property/… items) still gets its
	// verdict, labelled, rather than a failure vanishing from the report.
	extra := map[string]bool{}
	for id := range res.Exercised {
		extra[id] = true
	}
	for id := range failed {
		extra[id] = true
	}
	for id := range extra {
		if _, ok := cat.Item(id); ok || !strings.HasPrefix(id, cat.Dialect+"/") {
			continue
		}
		ri := reports.Item{ID: id, Dialect: cat.Dialect, Kind: string(fixtures.KindProperty), Level: string(fixtures.SHOULD),
			Title: "a property the fuzzer's model checks (not yet an item of the catalog)", Verdict: reports.Pass,
			Sources: []string{"batchconform fuzz model"}, Specs: []string{"batchconform fuzz"}, Labels: []string{"not-in-catalog"},
			Message: fmt.Sprintf("%d generated cases", res.Exercised[id])}
		if f, ok := failed[id]; ok {
			ri.Verdict, ri.Specs, ri.Message = reports.Fail, []string{"batchconform fuzz: " + f.Kind}, f.Message
			if f.File != "" {
				ri.Message += " (replay: " + f.File + ")"
			}
			ev, _ := json.Marshal(map[string]any{"steps": f.Steps, "replay": f.File, "seed": f.Seed})
			ri.Evidence = ev
		}
		r.Items = append(r.Items, ri)
	}
	sort.Slice(r.Items, func(i, j int) bool { return r.Items[i].ID < r.Items[j].ID })
	r.Recount()
	return r
}

// Summary writes the human summary of a run.
func Summary(w io.Writer, res *Result) {
	fmt.Fprintf(w, "fuzz: seed %d, %v\n", res.Seed, res.Elapsed.Truncate(time.Millisecond))
	var kinds []string
	for k := range res.Cases {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-10s %d cases\n", k, res.Cases[k])
	}
	if res.CheckTime > 0 {
		fmt.Fprintf(w, "  stateless: %d checked cases in %v = %.0f cases/s\n", res.Checked, res.CheckTime.Truncate(time.Millisecond), float64(res.Checked)/res.CheckTime.Seconds())
	}
	if res.OpsTime > 0 {
		var steps int64
		for k, n := range res.Covered {
			if strings.HasPrefix(k, "op:") {
				steps += n
			}
		}
		fmt.Fprintf(w, "  stateful:  %d model operations (%d requests) in %v = %.0f operations/s, %.0f requests/s\n", steps, res.Ops,
			res.OpsTime.Truncate(time.Millisecond), float64(steps)/res.OpsTime.Seconds(), float64(res.Ops)/res.OpsTime.Seconds())
	}
	fmt.Fprintf(w, "  properties exercised: %d items\n", len(res.Exercised))
	per := map[string]int{}
	for k := range res.Covered {
		per[strings.SplitN(k, ":", 2)[0]]++
	}
	fmt.Fprintf(w, "  covered: %d actions with valid requests, %d of %d rules broken, %d signature fault kinds, %d secret placements, %d stateful operation kinds\n",
		per["action"], per["rule"], res.RulesTotal, per["signature"], per["secret"], per["op"])
	if len(res.Findings) == 0 {
		fmt.Fprintln(w, "  no failures")
		return
	}
	byItem := map[string]int{}
	for _, f := range res.Findings {
		byItem[f.Item]++
	}
	fmt.Fprintf(w, "  FAILURES by property (%d):\n", len(res.Findings))
	for _, f := range res.Findings {
		fmt.Fprintf(w, "  - %s [%s, found after %.2fs, shrunk in %.2fs, %d step(s)]\n    %s\n", f.Item, f.Kind, f.FoundAfter.Seconds(), f.ShrinkSeconds, len(f.Steps), redact.String(f.Message))
		for i, st := range f.Steps {
			if i >= 12 {
				fmt.Fprintf(w, "      … %d more\n", len(f.Steps)-i)
				break
			}
			fmt.Fprintf(w, "      %d. %s %s %s %s\n", i+1, st.Op, st.Action, redact.String(stepArgsShort(st.Args)), redact.String(cut(string(st.Request))))
		}
		if f.File != "" {
			fmt.Fprintf(w, "    replay: batchconform replay %s\n", f.File)
		}
	}
}

// stepArgsShort drops the refs (IDs of the shared resources) from a step's
// arguments for the summary; the replay file keeps them.
func stepArgsShort(raw json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return string(raw)
	}
	delete(m, "refs")
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ShardSeeds returns the first round seed and the stride of shard i of n:
// the shards' seed sequences are disjoint and together are the sequence of
// one unsharded run (base, base+1, …).
func ShardSeeds(base uint64, i, n int) (first, stride uint64) {
	if n <= 1 {
		return base, 1
	}
	return base + uint64(i), uint64(n)
}
