package statecheck

import (
	"github.com/batchconform/batchconform/fixtures"
)

// Aggregate is the documented aggregation of children's states into a task's
// (of its instances) or a job's (of its tasks) state, written from the
// reference §3.2 text rather than taken from the engine, so the engine is
// checked against an independent reading:
//  1. any child RUNNING → RUNNING;
//  2. else any STARTING → STARTING, else any RUNNABLE → RUNNABLE;
//  3. all SUCCEED → SUCCEED;
//  4. all ended (SUCCEED, FAILED, FAILED_INTERRUPTED) and ≥1 FAILED → FAILED;
//  5. FAILED_INTERRUPTED present and nothing active → FAILED_INTERRUPTED;
//  6. before scheduling: PENDING if any child is PENDING, else SUBMITTED.
func Aggregate(children []string) string {
	n := map[string]int{}
	for _, s := range children {
		n[s]++
	}
	ended := n["SUCCEED"] + n["FAILED"] + n["FAILED_INTERRUPTED"]
	switch {
	case n["RUNNING"] > 0:
		return "RUNNING"
	case n["STARTING"] > 0:
		return "STARTING"
	case n["RUNNABLE"] > 0:
		return "RUNNABLE"
	case n["SUCCEED"] == len(children):
		return "SUCCEED"
	case ended == len(children) && n["FAILED"] > 0:
		return "FAILED"
	case n["FAILED_INTERRUPTED"] > 0 && n["SUBMITTED"]+n["PENDING"] == 0:
		return "FAILED_INTERRUPTED"
	case n["PENDING"] > 0:
		return "PENDING"
	}
	return "SUBMITTED"
}

// disagreement explains why a shown aggregate state that differs from its
// children's aggregate is a violation ("" if it is not): a terminal state
// must always agree (a job is not done while something runs, and not FAILED
// while all succeeded); any other must be due to move (the engine holds
// each state before moving on) unless the catalog documents no path from it
// to the target (e.g. a job RUNNING whose remaining tasks wait PENDING: a job
// never moves back to PENDING).
func disagreement(m *fixtures.Machine, shown, target string, queued bool) string {
	if shown == target || m == nil {
		return ""
	}
	if m.IsTerminal(shown) {
		return "a terminal state must agree with its children"
	}
	if queued {
		return ""
	}
	if pathExists(m, shown, target) {
		return "nothing is due to move it although the catalog documents a path"
	}
	return ""
}

// pathExists: a documented path from → to whose intermediate states are not
// terminal (RetryJobs' moves out of FAILED are not taken by aggregation).
func pathExists(m *fixtures.Machine, from, to string) bool {
	seen := map[string]bool{from: true}
	q := []string{from}
	for len(q) > 0 {
		s := q[0]
		q = q[1:]
		if s != from && m.IsTerminal(s) {
			continue
		}
		for _, t := range m.Transitions {
			if t.From != s || seen[t.To] || (t.To == "PENDING" && (s == "FAILED" || s == "FAILED_INTERRUPTED")) {
				continue
			}
			if t.To == to {
				return true
			}
			seen[t.To] = true
			q = append(q, t.To)
		}
	}
	return false
}
