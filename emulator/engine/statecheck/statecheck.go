// Package statecheck explores an emulator's state machines exhaustively, in
// the manner of an explicit-state model checker (TLA+'s TLC, Stateright):
// breadth-first over every reachable abstract state up to a bound, applying
// every event that the state enables — each API action that touches an
// entity and each clock step to the next due instant — and checking every
// transition taken against the dialect's catalog.
//
// Engine state cannot be cloned, so a state is represented by the sequence of
// events that reached it: to expand it, the sequence is replayed on a fresh
// world (manual clock, simulated executor, a fixed ID seed: replay is
// deterministic) and the world's canonical abstract state (every object's
// state, counters and timers relative to now) is hashed for deduplication.
//
// What is checked, on every edge:
//   - every state change the world reports is a transition its machine
//     documents (a first state is an initial one; a disappearance leaves a
//     terminal state);
//   - terminal states stay terminal: only the documented retry action (or
//     its deferred reset on a clock step) leaves one;
//   - a refused API call changes nothing;
//   - the world's own invariants (World.Check: for the batch engine, a
//     job's or task's state agrees with its children's under the documented
//     aggregation).
//
// and, over the whole exploration, that every documented transition of every
// machine was taken somewhere (Result.Unreached).
//
// A dialect plugs in a Model: how to build a world, which catalog machine
// each kind of change belongs to, and a table of bounded scenarios; the
// explorer is the same for every dialect. The batch engine's model (Tencent
// Batch) is in engine.go; Alibaba BatchCompute's (the ACS façade on the same
// engine, its states read back the way a client reads them) in alibatch.go;
// Oceanus' job machine (its own lifecycle on the engine's clock) in
// oceanus.go. A world that knows which actions its dialect documents as
// allowed in which state implements Guarded, and every action explored is
// checked against that too (accepted exactly where documented).
package statecheck

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/batchconform/batchconform/fixtures"
)

// Event is one step of an exploration: an API action with its arguments, or
// a clock step (Op "tick"). Events are plain data so a sequence can be
// replayed on a fresh world.
type Event struct {
	Op    string // "tick", or the world's action name
	Job   int    // job handle (submission order in this world)
	Task  string
	Index int
	Env   int // env handle (creation order)
	Node  int // node position in the env
	N     int // a count (desired nodes, which scenario job to submit)
}

func (ev Event) String() string {
	if ev.Op == "tick" {
		return "tick"
	}
	var b strings.Builder
	b.WriteString(ev.Op)
	b.WriteString("(")
	args := []string{}
	if ev.Task != "" {
		args = append(args, fmt.Sprintf("job%d/%s#%d", ev.Job, ev.Task, ev.Index))
	} else if strings.Contains(ev.Op, "job") || ev.Op == "retry" || ev.Op == "run" || ev.Op == "resume" || ev.Op == "stop" || ev.Op == "pause" || ev.Op == "config" || ev.Op == "copy" {
		args = append(args, fmt.Sprintf("job%d", ev.Job))
	}
	if strings.Contains(ev.Op, "env") || strings.Contains(ev.Op, "node") || strings.Contains(ev.Op, "attach") || strings.Contains(ev.Op, "detach") || strings.Contains(ev.Op, "cluster") {
		args = append(args, fmt.Sprintf("env%d", ev.Env))
	}
	if strings.Contains(ev.Op, "node") {
		args = append(args, fmt.Sprintf("node%d", ev.Node))
	}
	if ev.Op == "submit" || ev.Op == "modify-env" || ev.Op == "create-env" || ev.Op == "resize-cluster" || ev.Op == "config" {
		args = append(args, fmt.Sprint(ev.N))
	}
	b.WriteString(strings.Join(args, ","))
	b.WriteString(")")
	return b.String()
}

// Change is one state change a world reports.
type Change struct {
	Kind     string // the world's kind of entity (mapped to a machine by Model.Machine)
	Entity   string // a readable name
	From, To string // From "": created; To Model.Gone: disappeared
	// Job is the handle of the job the entity belongs to (-1: none).
	Job int
}

// World is one live instance of the system under check.
type World interface {
	// Apply performs ev; an error means the action was refused (or, for a
	// tick, that nothing was due).
	Apply(ev Event) error
	// Key is the canonical abstract state.
	Key() string
	// Enabled lists the events to try in the current state.
	Enabled() []Event
	// Changes returns the state changes since the previous call.
	Changes() []Change
	// Check returns violated invariants of the current state.
	Check() []Problem
	// RetryPending lists the job handles with an accepted retry waiting to
	// be applied by a clock step.
	RetryPending() map[int]bool
	Close() error
}

// Guarded is a World whose dialect documents, per state, whether an action
// is accepted or refused (e.g. Oceanus: StopJobs only from 4 or 6; Alibaba:
// StopJob only from Waiting or Running). Expect is asked before ev is
// applied; ok false means the dialect documents nothing for ev (no check).
type Guarded interface {
	Expect(ev Event) (accept bool, rule string, ok bool)
}

// Problem is a violated invariant: Class groups the findings of one kind
// (one finding is kept per class), What describes this one.
type Problem struct{ Class, What string }

// Scenario is one bounded world: its setup is applied first, then every
// enabled event is explored up to Depth further events.
type Scenario struct {
	Name  string
	Setup []Event
	// Depth bounds the number of events after the setup (0: the default of
	// the exploration).
	Depth int
	// MaxStates bounds the number of distinct states (0: Options.MaxStates).
	MaxStates int
	// Data is model-specific (e.g. the jobs and envs the scenario may submit).
	Data any
}

// Model is one dialect's system: how to build a world for a scenario, which
// catalog machine checks each kind of change, and the scenarios.
type Model struct {
	Dialect string
	Catalog *fixtures.Catalog
	Machine map[string]string // world kind -> catalog machine name ("" : not a documented machine)
	Gone    string            // the To of a disappearance
	Retry   string            // the Op that may leave a terminal state
	// Deletable lists, per machine, the states besides the terminal ones
	// that a deletion may leave (Oceanus documents no terminal status but
	// refuses DeleteJobs only in 3 and 4).
	Deletable map[string][]string
	New       func(sc *Scenario) (World, error)
	Scenarios []Scenario
}

// Options bound an exploration.
type Options struct {
	Depth     int // events after the setup (default 12)
	MaxStates int // distinct states per scenario (default 20000)
	// Scale multiplies every scenario's Depth and MaxStates (default 1):
	// `make statecheck` runs deeper than `make test`.
	Scale float64
}

// Finding is one violation, with the shortest event sequence that shows it.
type Finding struct {
	Scenario string
	What     string
	Path     []Event
}

func (f Finding) String() string {
	var evs []string
	for _, e := range f.Path {
		evs = append(evs, e.String())
	}
	return fmt.Sprintf("[%s] %s\n    after: %s", f.Scenario, f.What, strings.Join(evs, " → "))
}

// Result is what an exploration saw.
type Result struct {
	States, Edges int
	// Truncated: scenarios that hit their state bound before their depth.
	Truncated []string
	// Taken counts every transition taken, by "machine FROM->TO".
	Taken map[string]int
	// Unreached lists documented transitions never taken ("machine FROM->TO").
	Unreached []string
	Findings  []Finding
	Elapsed   time.Duration
	// PerScenario: states explored by scenario.
	PerScenario map[string]int
}

type node struct {
	path []Event
}

// Explore runs every scenario of m and checks every edge.
func Explore(m *Model, opt Options) (*Result, error) {
	if opt.Depth <= 0 {
		opt.Depth = 12
	}
	if opt.MaxStates <= 0 {
		opt.MaxStates = 20000
	}
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	start := time.Now()
	res := &Result{Taken: map[string]int{}, PerScenario: map[string]int{}}
	seen := map[string]bool{} // findings, deduplicated by text
	for i := range m.Scenarios {
		sc := &m.Scenarios[i]
		if err := exploreScenario(m, sc, opt, res, seen); err != nil {
			return nil, fmt.Errorf("statecheck: scenario %s: %w", sc.Name, err)
		}
	}
	for mi := range m.Catalog.Machines {
		mc := &m.Catalog.Machines[mi]
		for _, t := range mc.Transitions {
			k := mc.Name + " " + t.From + "->" + t.To
			if res.Taken[k] == 0 {
				res.Unreached = append(res.Unreached, k)
			}
		}
	}
	sort.Strings(res.Unreached)
	res.Elapsed = time.Since(start)
	return res, nil
}

// replay builds a fresh world and applies the scenario's setup and path.
func replay(m *Model, sc *Scenario, path []Event) (World, error) {
	w, err := m.New(sc)
	if err != nil {
		return nil, err
	}
	for _, ev := range sc.Setup {
		if err := w.Apply(ev); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("setup %s: %w", ev, err)
		}
	}
	for _, ev := range path {
		_ = w.Apply(ev) // refusals are part of the path
	}
	w.Changes()
	return w, nil
}

func exploreScenario(m *Model, sc *Scenario, opt Options, res *Result, seenFinding map[string]bool) error {
	depth := sc.Depth
	if depth <= 0 {
		depth = opt.Depth
	}
	maxStates := sc.MaxStates
	if maxStates <= 0 {
		maxStates = opt.MaxStates
	}
	depth = int(float64(depth) * opt.Scale)
	maxStates = int(float64(maxStates) * opt.Scale)

	find := func(class, what string, path []Event) {
		k := class
		if seenFinding[k] {
			return
		}
		seenFinding[k] = true
		res.Findings = append(res.Findings, Finding{Scenario: sc.Name, What: what, Path: append([]Event(nil), path...)})
	}

	// The setup's own changes are checked too.
	w, err := m.New(sc)
	if err != nil {
		return err
	}
	for _, ev := range sc.Setup {
		if err := w.Apply(ev); err != nil {
			_ = w.Close()
			return fmt.Errorf("setup %s: %w", ev, err)
		}
		checkEdge(m, w, ev, nil, nil, res, find)
	}
	visited := map[string]bool{w.Key(): true}
	_ = w.Close()
	frontier := []node{{}}
	res.States++
	states := 1
	for d := 0; d < depth && len(frontier) > 0; d++ {
		var next []node
		for _, n := range frontier {
			base, err := replay(m, sc, n.path)
			if err != nil {
				return err
			}
			evs := base.Enabled()
			preKey := base.Key()
			_ = base.Close()
			for _, ev := range evs {
				w, err := replay(m, sc, n.path)
				if err != nil {
					return err
				}
				path := append(append([]Event(nil), n.path...), ev)
				retryPending := w.RetryPending()
				var accept, guarded bool
				var rule string
				if g, ok := w.(Guarded); ok {
					accept, rule, guarded = g.Expect(ev)
				}
				aerr := w.Apply(ev)
				res.Edges++
				key := w.Key()
				if aerr != nil && ev.Op != "tick" && key != preKey {
					find("refused-changed "+ev.Op, fmt.Sprintf("%s was refused (%v) but changed the state", ev, aerr), path)
				}
				if guarded && (aerr == nil) != accept {
					if accept {
						find("guard refused "+ev.Op+" "+rule, fmt.Sprintf("%s was refused (%v) although the dialect documents it as accepted (%s)", ev, aerr, rule), path)
					} else {
						find("guard accepted "+ev.Op+" "+rule, fmt.Sprintf("%s was accepted although the dialect documents it as refused (%s)", ev, rule), path)
					}
				}
				checkEdge(m, w, ev, retryPending, path, res, find)
				if !visited[key] {
					if states >= maxStates {
						if len(res.Truncated) == 0 || res.Truncated[len(res.Truncated)-1] != sc.Name {
							res.Truncated = append(res.Truncated, sc.Name)
						}
					} else {
						visited[key] = true
						states++
						next = append(next, node{path: path})
					}
				}
				_ = w.Close()
			}
		}
		frontier = next
	}
	res.States += states - 1
	res.PerScenario[sc.Name] = states
	return nil
}

// checkEdge checks the changes an event caused and the resulting state.
func checkEdge(m *Model, w World, ev Event, retryPending map[int]bool, path []Event, res *Result, find func(string, string, []Event)) {
	for _, c := range w.Changes() {
		mname, ok := m.Machine[c.Kind]
		if !ok {
			find("kind "+c.Kind, fmt.Sprintf("change of unknown kind %q (%s %s -> %s)", c.Kind, c.Entity, c.From, c.To), path)
			continue
		}
		if mname == "" {
			continue // not a documented machine (e.g. the environment itself)
		}
		mc, ok := m.Catalog.Machine(mname)
		if !ok {
			find("machine "+mname, fmt.Sprintf("the catalog has no machine %q", mname), path)
			continue
		}
		switch {
		case c.From == "":
			if !contains(mc.Initial, c.To) {
				find("initial "+mname+" "+c.To, fmt.Sprintf("%s %s created in %s, not an initial state (%s)", mname, c.Entity, c.To, strings.Join(mc.Initial, "|")), path)
			}
			continue
		case c.To == m.Gone:
			if !mc.IsTerminal(c.From) && !contains(m.Deletable[mname], c.From) {
				find("gone "+mname+" "+c.From, fmt.Sprintf("%s %s disappeared from %s, not a terminal state", mname, c.Entity, c.From), path)
			}
			continue
		}
		tr := c.From + "->" + c.To
		res.Taken[mname+" "+tr]++
		if !mc.HasTransition(c.From, c.To) {
			find("undocumented "+mname+" "+tr, fmt.Sprintf("%s %s took %s, which the catalog does not document (on %s)", mname, c.Entity, tr, ev), path)
		}
		if mc.IsTerminal(c.From) {
			allowed := ev.Op == m.Retry || (ev.Op == "tick" && c.Job >= 0 && retryPending[c.Job])
			if !allowed {
				find("terminal "+mname+" "+tr+" "+ev.Op, fmt.Sprintf("%s %s left terminal state %s (-> %s) on %s", mname, c.Entity, c.From, c.To, ev), path)
			}
		}
	}
	for _, p := range w.Check() {
		find(p.Class, p.What, path)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Report renders a result for logs and the make target.
func (r *Result) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "statecheck: %d states, %d edges explored in %v\n", r.States, r.Edges, r.Elapsed.Round(time.Millisecond))
	names := make([]string, 0, len(r.PerScenario))
	for n := range r.PerScenario {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  scenario %-28s %6d states\n", n, r.PerScenario[n])
	}
	if len(r.Truncated) > 0 {
		fmt.Fprintf(&b, "  state bound reached in: %s\n", strings.Join(r.Truncated, ", "))
	}
	ks := make([]string, 0, len(r.Taken))
	for k := range r.Taken {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	fmt.Fprintf(&b, "transitions taken (%d distinct):\n", len(ks))
	for _, k := range ks {
		fmt.Fprintf(&b, "  %-45s %8d\n", k, r.Taken[k])
	}
	if len(r.Unreached) > 0 {
		fmt.Fprintf(&b, "documented transitions never taken (%d):\n  %s\n", len(r.Unreached), strings.Join(r.Unreached, "\n  "))
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "findings (%d):\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	return b.String()
}
