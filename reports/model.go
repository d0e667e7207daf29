// Package reports builds the conformance report from Ginkgo's report plus the
// catalogs: every catalog item gets a verdict (pass, fail, skip, not_covered,
// unprovokable) aggregated over the specs that checked it, with evidence and
// its sources. The JSON form is pinned in the design (schema_version 1).
package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/redact"
)

// Verdicts.
const (
	Pass         = "pass"
	Fail         = "fail"
	Skip         = "skip"
	NotCovered   = "not_covered"
	Unprovokable = "unprovokable"
)

// Entry names the specs record (pinned; mirrored in specs/harness).
const (
	EntryItem     = "batchconform.item"
	EntryEvidence = "batchconform.evidence"
	EntryDeclared = "batchconform.declared"
)

// Report is the conformance report (schema_version 1; fields may be added,
// never renamed).
type Report struct {
	SchemaVersion   int                 `json:"schema_version"`
	Tool            Tool                `json:"tool"`
	Target          Target              `json:"target"`
	Started         time.Time           `json:"started"`
	DurationSeconds float64             `json:"duration_seconds"`
	Seed            int64               `json:"seed"`
	Summary         Summary             `json:"summary"`
	Coverage        map[string]Coverage `json:"coverage"`
	Items           []Item              `json:"items"`
	// Specs counts the Ginkgo specs behind the report (not pinned; informative).
	Specs SpecCounts `json:"specs"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target describes what was checked.
type Target struct {
	Endpoints map[string]string `json:"endpoints"`
	Dialects  []string          `json:"dialects"`
	Embedded  bool              `json:"embedded"`
	Live      bool              `json:"live"`
}

// Summary counts items by verdict.
type Summary struct {
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Skipped      int `json:"skipped"`
	NotCovered   int `json:"not_covered"`
	Unprovokable int `json:"unprovokable"`
}

// Count is documented vs covered.
type Count struct {
	Documented int `json:"documented"`
	Covered    int `json:"covered"`
}

// Coverage of one dialect.
type Coverage struct {
	Actions     Count `json:"actions"`
	ErrorCodes  Count `json:"error_codes"`
	Transitions Count `json:"transitions"`
	Rules       Count `json:"rules"`
}

// SpecCounts counts Ginkgo specs by state.
type SpecCounts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Item is one catalog item's verdict.
type Item struct {
	ID           string          `json:"id"`
	Dialect      string          `json:"dialect"`
	Kind         string          `json:"kind"`
	Level        string          `json:"level"`
	Title        string          `json:"title,omitempty"`
	Verdict      string          `json:"verdict"`
	Sources      []string        `json:"sources"`
	Specs        []string        `json:"specs"`
	Message      string          `json:"message,omitempty"`
	Evidence     json.RawMessage `json:"evidence,omitempty"`
	Unprovokable string          `json:"unprovokable_reason,omitempty"`
	Labels       []string        `json:"labels,omitempty"`
}

// Meta is the run metadata not found in Ginkgo's report.
type Meta struct {
	ToolVersion string
	Target      Target
	Seed        int64
}

var rank = map[string]int{Fail: 4, Pass: 3, Skip: 2, NotCovered: 1, "": 0}

// Build makes the report from Ginkgo's report and the catalogs of the dialects checked.
func Build(gr types.Report, cats []*fixtures.Catalog, meta Meta) *Report {
	r := &Report{SchemaVersion: 1, Tool: Tool{Name: "batchconform", Version: meta.ToolVersion},
		Target: meta.Target, Started: gr.StartTime.UTC(), DurationSeconds: gr.RunTime.Seconds(), Seed: meta.Seed,
		Coverage: map[string]Coverage{}}
	type acc struct {
		verdict  string
		specs    map[string]bool
		message  string
		evidence json.RawMessage
	}
	byID := map[string]*acc{}
	get := func(id string) *acc {
		a := byID[id]
		if a == nil {
			a = &acc{specs: map[string]bool{}}
			byID[id] = a
		}
		return a
	}
	set := func(a *acc, v string) {
		if rank[v] > rank[a.verdict] {
			a.verdict = v
		}
	}
	for _, s := range gr.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		r.Specs.Total++
		verdict, items, declared, evidence := SpecItems(s)
		name := s.FullText()
		switch verdict {
		case Pass:
			r.Specs.Passed++
		case Fail:
			r.Specs.Failed++
		default:
			r.Specs.Skipped++
		}
		for _, id := range dedupe(items) {
			a := get(id)
			a.specs[name] = true
			set(a, verdict)
			if verdict == Fail && a.message == "" {
				a.message = redact.String(s.Failure.Message)
				a.evidence = evidence
			}
			if verdict == Skip && a.message == "" && a.verdict == Skip {
				a.message = redact.String(s.Failure.Message)
			}
			if verdict == Pass && a.evidence == nil {
				a.evidence = evidence
			}
		}
		for _, id := range declared {
			get(id).specs[name] = true
		}
	}
	for _, c := range cats {
		for _, it := range c.Items() {
			a := byID[it.ID]
			if a == nil {
				a = &acc{specs: map[string]bool{}}
			}
			v := a.verdict
			if v == "" {
				v = NotCovered
			}
			// A recorded pass or fail wins over the catalog's reason (the
			// emulator's chaos specs provoke backend failures); a spec that
			// could not run (skipped: a live target has no chaos) leaves the
			// item unprovokable, as if no spec had tried.
			if (v == NotCovered || v == Skip) && it.Unprovokable != "" {
				v = Unprovokable
			}
			ri := Item{ID: it.ID, Dialect: it.Dialect, Kind: string(it.Kind), Level: string(it.Level), Title: it.Title,
				Verdict: v, Sources: nonNil(it.Sources), Specs: sortedKeys(a.specs), Message: a.message,
				Evidence: a.evidence, Unprovokable: it.Unprovokable, Labels: it.Labels}
			r.Items = append(r.Items, ri)
		}
		r.Coverage[c.Dialect] = Coverage{}
	}
	r.Recount()
	sort.Slice(r.Items, func(i, j int) bool { return r.Items[i].ID < r.Items[j].ID })
	return r
}

// SpecItems reads one spec's verdict and the items it applies to: the items
// the spec recorded, or, when it was skipped or failed before recording any,
// every item it declared (it was about them all). It also returns the
// declared items and the (redacted) evidence. Build and the mutation gate
// attribute failures to items with it, so both agree.
func SpecItems(s types.SpecReport) (verdict string, items, declared []string, evidence json.RawMessage) {
	var recorded []string
	for _, e := range s.ReportEntries {
		switch e.Name {
		case EntryDeclared, EntryItem, EntryEvidence:
		default:
			// Another package's entry (Ginkgo's own among them): its
			// value may be a Stringer that cannot render here (a run
			// interrupted against a hostile endpoint panicked on one).
			continue
		}
		v := entryString(e)
		switch e.Name {
		case EntryDeclared:
			_ = json.Unmarshal([]byte(v), &declared)
		case EntryItem:
			recorded = append(recorded, v)
		case EntryEvidence:
			if json.Valid([]byte(v)) {
				evidence = json.RawMessage(redact.String(v))
			}
		}
	}
	switch {
	case s.State.Is(types.SpecStatePassed):
		verdict = Pass
	case s.State.Is(types.SpecStateFailureStates):
		verdict = Fail
	default:
		verdict = Skip
	}
	items = recorded
	if verdict == Skip || (verdict == Fail && len(recorded) == 0) {
		items = declared
	}
	return verdict, dedupe(items), declared, evidence
}

// MustFailures lists the MUST items that failed (a run's failure, without a baseline).
func (r *Report) MustFailures() []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Verdict == Fail && it.Level == string(fixtures.MUST) {
			out = append(out, it)
		}
	}
	return out
}

// Failures lists every failed item.
func (r *Report) Failures() []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Verdict == Fail {
			out = append(out, it)
		}
	}
	return out
}

func entryString(e types.ReportEntry) string {
	if s, ok := e.GetRawValue().(string); ok {
		return s
	}
	// From another process the value arrives as JSON.
	var s string
	if json.Unmarshal([]byte(e.Value.AsJSON), &s) == nil {
		return s
	}
	return strings.Trim(e.StringRepresentation(), `"`)
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Recount recomputes the summary and the coverage from the items (after a
// merge, or after a report was edited).
func (r *Report) Recount() {
	r.Summary = Summary{}
	cov := map[string]Coverage{}
	for d := range r.Coverage {
		cov[d] = Coverage{} // a dialect with no counted kinds still appears
	}
	r.Coverage = cov
	for _, it := range r.Items {
		switch it.Verdict {
		case Pass:
			r.Summary.Passed++
		case Fail:
			r.Summary.Failed++
		case Skip:
			r.Summary.Skipped++
		case NotCovered:
			r.Summary.NotCovered++
		case Unprovokable:
			r.Summary.Unprovokable++
		}
		cov := r.Coverage[it.Dialect]
		covered := it.Verdict == Pass || it.Verdict == Fail
		count := func(cn *Count) {
			cn.Documented++
			if covered {
				cn.Covered++
			}
		}
		switch fixtures.Kind(it.Kind) {
		case fixtures.KindAction:
			count(&cov.Actions)
		case fixtures.KindError:
			count(&cov.ErrorCodes)
		case fixtures.KindTransition:
			count(&cov.Transitions)
		case fixtures.KindRule:
			count(&cov.Rules)
		}
		r.Coverage[it.Dialect] = cov
	}
}

// Load reads a report.json.
func Load(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reports: %s: %w", path, err)
	}
	if r.SchemaVersion != 1 {
		return nil, fmt.Errorf("reports: %s: schema_version %d, want 1", path, r.SchemaVersion)
	}
	return &r, nil
}
