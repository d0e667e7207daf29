package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Baseline lists known deviations: items whose verdict is expected to differ
// from pass, each with a reason and an optional expiry. Its JSON form:
//
//	{ "schema_version": 1,
//	  "created": "2026-11-23T10:00:00Z",
//	  "target": "embedded",
//	  "entries": [ { "id": "tencent-batch/SubmitJob/rule/Job.JobName.maxlen",
//	                 "verdict": "fail",
//	                 "reason": "vendor accepts 64 characters (ticket 123)",
//	                 "expires": "2027-03-31",            // optional, YYYY-MM-DD (UTC)
//	                 "owner": "team-batch", "link": "…" } ] }  // optional
//
// The gate fails on a failure of any level that the baseline does not list,
// on an unexpected pass (a listed item now passes: remove the stale entry),
// and on an expired entry; a listed failure does not fail it.
type Baseline struct {
	SchemaVersion int             `json:"schema_version"`
	Created       time.Time       `json:"created"`
	Target        string          `json:"target,omitempty"`
	Entries       []BaselineEntry `json:"entries"`
}

// BaselineEntry is one known deviation.
type BaselineEntry struct {
	ID      string `json:"id"`
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Link    string `json:"link,omitempty"`
}

// NewBaseline writes down every failed item of a report as a known deviation
// (reason to be filled in by whoever owns it).
func NewBaseline(r *Report) *Baseline {
	b := &Baseline{SchemaVersion: 1, Created: time.Now().UTC().Truncate(time.Second), Entries: []BaselineEntry{}}
	var eps []string
	for d, e := range r.Target.Endpoints {
		eps = append(eps, d+"="+e)
	}
	sort.Strings(eps)
	b.Target = strings.Join(eps, ",")
	for _, it := range r.Items {
		if it.Verdict == Fail {
			msg := strings.SplitN(it.Message, "\n", 2)[0]
			if len(msg) > 200 {
				msg = msg[:200]
			}
			b.Entries = append(b.Entries, BaselineEntry{ID: it.ID, Verdict: Fail, Reason: "known deviation: " + msg})
		}
	}
	return b
}

// LoadBaseline reads and checks a baseline file.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if looksLikeReport(data) {
		return nil, fmt.Errorf("baseline %s: this is a report (report.json), not a baseline; make a baseline from it with `batchconform report baseline %s --out baseline.json`", path, path)
	}
	var b Baseline
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if b.SchemaVersion != 1 {
		return nil, fmt.Errorf("baseline %s: schema_version %d, want 1", path, b.SchemaVersion)
	}
	seen := map[string]bool{}
	for i, e := range b.Entries {
		switch {
		case e.ID == "":
			return nil, fmt.Errorf("baseline %s: entry %d has no id", path, i)
		case seen[e.ID]:
			return nil, fmt.Errorf("baseline %s: %s is listed twice", path, e.ID)
		case e.Verdict != Fail && e.Verdict != Skip && e.Verdict != NotCovered:
			return nil, fmt.Errorf("baseline %s: %s: verdict %q, want fail, skip or not_covered", path, e.ID, e.Verdict)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("baseline %s: %s has no reason", path, e.ID)
		}
		if e.Expires != "" {
			if _, err := time.Parse("2006-01-02", e.Expires); err != nil {
				return nil, fmt.Errorf("baseline %s: %s: expires %q: want YYYY-MM-DD", path, e.ID, e.Expires)
			}
		}
		seen[e.ID] = true
	}
	return &b, nil
}

// looksLikeReport tells a report.json (it has "tool" and "items") from a
// baseline, so a swapped argument gets an error a person can act on instead of
// the decoder's `unknown field "tool"`.
func looksLikeReport(data []byte) bool {
	var probe struct {
		Tool    json.RawMessage `json:"tool"`
		Items   json.RawMessage `json:"items"`
		Entries json.RawMessage `json:"entries"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	return probe.Entries == nil && (probe.Tool != nil || probe.Items != nil)
}

// Write saves the baseline as indented JSON.
func (b *Baseline) Write(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
