package reports

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// GateResult is the gate's judgement of a report against a baseline.
type GateResult struct {
	NewFailures      []Item          // failed, not listed (any level)
	UnexpectedPasses []BaselineEntry // listed, but the item now passes: remove the entry
	Expired          []BaselineEntry // listed with an expiry that has passed
	KnownFailures    []BaselineEntry // listed and still failing (not fatal)
	Unknown          []BaselineEntry // listed items the report does not know (not fatal, reported)
}

// OK reports whether the gate passes.
func (g GateResult) OK() bool {
	return len(g.NewFailures) == 0 && len(g.UnexpectedPasses) == 0 && len(g.Expired) == 0
}

// Gate judges a report against a baseline. now decides expiry (an entry
// expires at the end of its day, UTC).
func Gate(b *Baseline, r *Report, now time.Time) GateResult {
	var g GateResult
	listed := map[string]BaselineEntry{}
	for _, e := range b.Entries {
		listed[e.ID] = e
	}
	items := map[string]Item{}
	for _, it := range r.Items {
		items[it.ID] = it
		e, ok := listed[it.ID]
		switch {
		case it.Verdict == Fail && !ok:
			g.NewFailures = append(g.NewFailures, it)
		case ok && it.Verdict == Pass:
			g.UnexpectedPasses = append(g.UnexpectedPasses, e)
		case ok && it.Verdict == Fail:
			g.KnownFailures = append(g.KnownFailures, e)
		}
	}
	for _, e := range b.Entries {
		if _, ok := items[e.ID]; !ok {
			g.Unknown = append(g.Unknown, e)
		}
		if e.Expires != "" {
			day, err := time.Parse("2006-01-02", e.Expires)
			if err == nil && now.UTC().After(day.Add(24*time.Hour)) {
				g.Expired = append(g.Expired, e)
			}
		}
	}
	return g
}

// Print writes the gate's findings, naming exactly which items.
func (g GateResult) Print(w io.Writer) {
	for _, it := range g.NewFailures {
		fmt.Fprintf(w, "gate: NEW FAILURE %s [%s]: %s\n", it.ID, it.Level, firstLine(it.Message))
	}
	for _, e := range g.UnexpectedPasses {
		fmt.Fprintf(w, "gate: UNEXPECTED PASS %s: the baseline lists it (%s) but it passes now; remove the entry\n", e.ID, e.Reason)
	}
	for _, e := range g.Expired {
		fmt.Fprintf(w, "gate: EXPIRED %s: the entry expired on %s (%s)\n", e.ID, e.Expires, e.Reason)
	}
	for _, e := range g.Unknown {
		fmt.Fprintf(w, "gate: note: %s is listed but not in the report (not fatal)\n", e.ID)
	}
	verdict := "passed"
	if !g.OK() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "gate %s: %d new failure(s), %d unexpected pass(es), %d expired, %d known failure(s)\n",
		verdict, len(g.NewFailures), len(g.UnexpectedPasses), len(g.Expired), len(g.KnownFailures))
}

func firstLine(s string) string {
	s = strings.SplitN(strings.TrimSpace(s), "\n", 2)[0]
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
