package harness

// The creates-appear precondition (issue 11): a target whose creates answer
// success but never name what they created (the ID member missing, or of
// the wrong JSON type) leaves every spec that waits on a created resource
// polling an ID it does not have until the wait's own timeout: a whole
// Tencent Batch run against the garbage servers spent three setups' 15 s
// each that way (their jobs' IDs never parsed) and, at load, passed the
// 2-minute bound. Recognised once, per dialect, from what the run's ledger
// reads out of every create (the dialect's Tracker), it ends every wait
// with one message (Target.Stalled) and fails the items that need a created
// resource to move (preconditionKinds).

import (
	"fmt"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/redact"
)

// unnamedCreatesAfter is how many successful creates naming nothing, with
// none ever naming what it created, trip PreCreates: a setup's first few
// creates, before its first wait.
const unnamedCreatesAfter = 3

// createTally counts a dialect's successful creates.
type createTally struct {
	named, unnamed int
	actions        map[string]bool // the actions whose answers named nothing
	last           string          // the last such answer, cut
}

// createAnswered feeds PreCreates from a create's answer: success is a 2xx
// answer that is not an API 3.0 error; created is what the dialect's
// tracker read from it (a resource with an empty ID names nothing).
func (b *breaker) createAnswered(c *Call, created []Leftover) {
	if c.Status/100 != 2 {
		return
	}
	if c.Action != "" {
		if _, ok := API3Response(c); !ok {
			return // a refusal, or no envelope: the action specs judge it
		}
	}
	named := false
	for _, l := range created {
		named = named || l.ID != ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t := &b.creates
	if named {
		t.named++
		return
	}
	t.unnamed++
	what := c.Action
	if what == "" {
		what = c.Method + " " + c.Path
	}
	if t.actions == nil {
		t.actions = map[string]bool{}
	}
	t.actions[what] = true
	// (The answer is the target's; redacted like every exchange shown.)
	t.last = what + " answered " + redact.String(Snippet(c.Response, 160))
	if _, done := b.tripped[PreCreates]; done || t.named > 0 || t.unnamed < unnamedCreatesAfter {
		return
	}
	var acts []string
	for a := range t.actions {
		acts = append(acts, a)
	}
	sort.Strings(acts)
	b.tripped[PreCreates] = fmt.Sprintf("precondition %s violated: none of %d creates answered success named the resource it created (%s) — last: %s; the run cannot find what it creates",
		PreCreates, t.unnamed, strings.Join(acts, ", "), t.last)
}
