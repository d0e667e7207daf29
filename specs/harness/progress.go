package harness

// Progress a person can read (issue 11): on a terminal a run shows one live
// line per dialect — specs done of its total, failures so far, its
// requests/s, the elapsed time and an ETA — redrawn in place every second
// and after every spec, and erased before the summary. In CI (no terminal)
// nothing is drawn: the caller prints the summary. The per-dialect totals
// come from a preview of the spec tree under the run's filters, taken
// before the run starts.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// progressEvery is how often the lines are redrawn between specs (the
// requests/s and elapsed time move while a long spec runs).
const progressEvery = time.Second

// dialectProgress is one dialect's line.
type dialectProgress struct {
	total, done, failed int
}

// progress is the live display of one run.
type progress struct {
	mu          sync.Mutex
	out         io.Writer // nil: nothing is drawn
	pending     io.Writer // set by Run: the writer begin takes once the tree is built
	file        string    // a shard of --procs: where its rows are written for the parent
	pendingFile string
	// shards, for the parent of --procs: the shards' row files, summed
	// per dialect at each redraw (no spec runs in the parent).
	shards  []string
	match   func([]string) bool // the run's label filter
	started time.Time
	sent0   map[string]int
	rows    map[string]*dialectProgress
	drawn   int // lines on screen
	stop    chan struct{}
	stopped chan struct{}
}

var live = &progress{}

// dialectOf returns a spec's dialect from its labels ("other" if none).
func dialectOf(labels []string) string {
	for _, l := range labels {
		if d, ok := strings.CutPrefix(l, "dialect:"); ok {
			return d
		}
	}
	return "other"
}

// The per-dialect totals: every spec harness.It registers while Ginkgo
// builds the tree (the --items, --dialect and shard filters are applied
// there: a spec they leave out is not registered) is noted with its labels,
// and the run's label filter is applied to them when the suite starts.
// (Ginkgo's PreviewSpecs would count the same, but a run after a preview
// loses its top-level report nodes.)
var (
	registeredMu sync.Mutex
	registered   [][]string // labels of each registered spec
)

// labelsIn collects the labels among a spec's decorators.
func labelsIn(args []any) []string {
	var out []string
	for _, a := range args {
		if ls, ok := a.(ginkgo.Labels); ok {
			out = append(out, ls...)
		}
	}
	return out
}

// noteRegistered records a spec harness.It registers: its own labels and
// its containers'.
func noteRegistered(own []string) {
	labels := own
	for _, ls := range ginkgo.CurrentTreeConstructionNodeReport().ContainerHierarchyLabels {
		labels = append(labels, ls...)
	}
	registeredMu.Lock()
	defer registeredMu.Unlock()
	registered = append(registered, labels)
}

func resetRegistered() {
	registeredMu.Lock()
	defer registeredMu.Unlock()
	registered = nil
}

// labelMatch returns the run's label filter as a function.
func labelMatch(filter string) func([]string) bool {
	if filter != "" {
		if f, err := types.ParseLabelFilter(filter); err == nil {
			return f
		}
	}
	return func([]string) bool { return true }
}

// willRun counts the registered specs a label filter selects, per dialect.
func willRun(filter string) map[string]int {
	match := labelMatch(filter)
	registeredMu.Lock()
	defer registeredMu.Unlock()
	out := map[string]int{}
	for _, ls := range registered {
		if match(ls) {
			out[dialectOf(ls)]++
		}
	}
	return out
}

// The tree is built by now: the display starts with its totals.
var _ = ginkgo.ReportBeforeSuite(func(r types.Report) {
	live.mu.Lock()
	out, file := live.pending, live.pendingFile
	live.pending, live.pendingFile = nil, ""
	live.mu.Unlock()
	if out != nil || file != "" {
		live.begin(out, file, willRun(r.SuiteConfig.LabelFilter), labelMatch(r.SuiteConfig.LabelFilter))
	}
})

// dialectRequests returns the requests sent so far per dialect.
func dialectRequests() map[string]int {
	callsMu.Lock()
	defer callsMu.Unlock()
	out := map[string]int{}
	for k, n := range calls {
		d, _, _ := strings.Cut(k, "|")
		out[d] += n
	}
	return out
}

// prepare resets the count of registered specs before Ginkgo builds the
// tree and makes the display start, on out (and the rows written to file,
// for a parent of --procs), when the suite does.
func (p *progress) prepare(out io.Writer, file string) {
	resetRegistered()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending, p.pendingFile = out, file
}

// begin starts the display: totals per dialect, drawn to out (nil: the
// progress is counted but not drawn) and written to file ("" = none).
func (p *progress) begin(out io.Writer, file string, totals map[string]int, match func([]string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out, p.file, p.started, p.sent0, p.drawn, p.match = out, file, time.Now(), dialectRequests(), 0, match
	p.rows = map[string]*dialectProgress{}
	for d, n := range totals {
		p.rows[d] = &dialectProgress{total: n}
	}
	if out == nil && file == "" {
		return
	}
	p.writeLocked()
	p.tick()
}

// tick redraws (and writes the rows) every progressEvery until end.
func (p *progress) tick() {
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func(stop, stopped chan struct{}) {
		defer close(stopped)
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				p.mu.Lock()
				p.drawLocked()
				p.writeLocked()
				p.mu.Unlock()
			}
		}
	}(p.stop, p.stopped)
}

// EnvProgressFile names, for a shard of `run --procs` whose parent draws
// the progress lines, the file its rows are written to.
const EnvProgressFile = "BATCHCONFORM_PROGRESS_FILE"

// ProgressRow is one dialect's progress as a shard of --procs writes it
// for its parent.
type ProgressRow struct {
	Dialect  string `json:"dialect"`
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Failed   int    `json:"failed"`
	Requests int    `json:"requests"`
}

// writeLocked writes the rows to p.file (a shard of --procs), replacing
// it whole so the parent never reads half of it.
func (p *progress) writeLocked() {
	if p.file == "" {
		return
	}
	sent := dialectRequests()
	var rows []ProgressRow
	for d, r := range p.rows {
		rows = append(rows, ProgressRow{Dialect: d, Done: r.done, Total: r.total, Failed: r.failed, Requests: sent[d] - p.sent0[d]})
	}
	data, err := json.Marshal(rows)
	if err != nil {
		return
	}
	tmp := p.file + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		_ = os.Rename(tmp, p.file)
	}
}

// ShowShards draws the live lines of a run split across processes (`run
// --procs`): each process writes its rows to one of files
// (RunOptions.ProgressFile) and the lines sum them per dialect, redrawn
// every second on out. The returned function erases them (the summary
// follows).
func ShowShards(out io.Writer, files []string) (stop func()) {
	p := &progress{out: out, shards: files, started: time.Now(), rows: map[string]*dialectProgress{}}
	p.mu.Lock()
	p.tick()
	p.mu.Unlock()
	return p.end
}

// readShardsLocked sums the shards' rows per dialect (a file not written
// yet counts nothing).
func (p *progress) readShardsLocked() map[string]int {
	rows := map[string]*dialectProgress{}
	sent := map[string]int{}
	for _, f := range p.shards {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var rs []ProgressRow
		if json.Unmarshal(data, &rs) != nil {
			continue
		}
		for _, r := range rs {
			a := rows[r.Dialect]
			if a == nil {
				a = &dialectProgress{}
				rows[r.Dialect] = a
			}
			a.done += r.Done
			a.total += r.Total
			a.failed += r.Failed
			sent[r.Dialect] += r.Requests
		}
	}
	p.rows = rows
	return sent
}

// specDone records a finished spec and redraws.
func (p *progress) specDone(sr types.SpecReport) {
	if sr.LeafNodeType != types.NodeTypeIt {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rows == nil || p.match == nil || !p.match(sr.Labels()) {
		// Not displaying, or a spec the label filter left out (Ginkgo
		// reports those as skipped).
		return
	}
	d := dialectOf(sr.Labels())
	r := p.rows[d]
	if r == nil {
		r = &dialectProgress{}
		p.rows[d] = r
	}
	r.done++
	if r.done > r.total {
		r.total = r.done
	}
	if sr.State.Is(types.SpecStateFailureStates) {
		r.failed++
	}
	p.drawLocked()
}

// end stops the redraws and erases the lines (the summary follows).
func (p *progress) end() {
	p.mu.Lock()
	stop, stopped := p.stop, p.stopped
	p.stop, p.stopped = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeLocked() // the shard's last rows: every spec done
	if p.shards != nil {
		p.drawLocked() // the parent's last lines: the shards' last rows
	}
	if p.out != nil && p.drawn > 0 {
		fmt.Fprintf(p.out, "\033[%dA\033[J", p.drawn)
	}
	p.out, p.file, p.drawn = nil, "", 0
}

// drawLocked redraws every line in place: up over the lines drawn before,
// then each line cleared and written.
func (p *progress) drawLocked() {
	if p.out == nil {
		return
	}
	lines := p.linesLocked(time.Now())
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\033[%dA", p.drawn)
	}
	for _, l := range lines {
		b.WriteString("\r\033[K" + l + "\n")
	}
	_, _ = io.WriteString(p.out, b.String())
	p.drawn = len(lines)
}

// linesLocked renders one line per dialect, in name order.
func (p *progress) linesLocked(now time.Time) []string {
	el := now.Sub(p.started)
	var sent map[string]int
	if p.shards != nil {
		sent = p.readShardsLocked() // counted from each shard's start
	} else {
		sent = dialectRequests()
		for d, n := range p.sent0 {
			sent[d] -= n
		}
	}
	doneAll := 0
	for _, r := range p.rows {
		doneAll += r.done
	}
	var ds []string
	for d := range p.rows {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	width := 0
	for _, d := range ds {
		width = max(width, len(d))
	}
	var out []string
	for _, d := range ds {
		r := p.rows[d]
		rate := float64(sent[d]) / max(el.Seconds(), 0.001)
		// The ETA assumes the pace of the run so far (specs per second
		// over every dialect): a dialect not started yet has one too.
		eta := "ETA ?"
		switch {
		case r.done >= r.total:
			eta = "done"
		case doneAll > 0:
			per := el / time.Duration(doneAll)
			eta = "ETA " + (per * time.Duration(r.total-r.done)).Round(time.Second).String()
		}
		out = append(out, fmt.Sprintf("%-*s %5d/%-5d specs  %3d failed  %4.0f req/s  %6s elapsed  %s",
			width, d, r.done, r.total, r.failed, rate, el.Round(time.Second), eta))
	}
	return out
}
