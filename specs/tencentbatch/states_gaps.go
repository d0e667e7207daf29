package tencentbatch

// Judging polled histories without false failures for timing alone. A
// poller sees a state only if some poll lands while it lasts, so a history
// may lack a transient state without anything being wrong: between two
// polls A and C the entity may have gone A → B → C. What is judged:
//   - an observed pair with no documented path between them (an
//     undocumented or backward move) is a violation everywhere;
//   - a pair that is not a documented transition but is joined by a
//     documented path through transient states is a missed transient state,
//     not a violation, elsewhere; against the emulator, which holds every
//     observable state at least its StateHold (admin info), it is accepted
//     only if the polling gap where the states went missing was long enough
//     to hold all of them, and a missed task-instance RUNNING only if the
//     instance's RunningTime shows it was entered. So a skipped state (the
//     skip-running fault) is still caught deterministically, while a slow
//     client, a proxy's latency or a loaded machine cannot fail a spec.
//
// The lab's exact expected histories (emulator only) are matched the same
// way: the observed history must be the expected one with some states left
// out, each left-out run fitting in the polling gap where it is missing
// (including a loop that returned to the same state between two polls).

import (
	"fmt"
	"strings"
	"time"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// stStateHold reads the emulator's state hold in real time (0: unknown —
// not an emulator, a manual clock, or an emulator that does not say).
func stStateHold(l *stLabT) time.Duration { return targetStateHold(l.t) }

// targetStateHold is stStateHold for any target.
func targetStateHold(t *harness.Target) time.Duration {
	if !t.Emulator {
		return 0
	}
	info, err := t.Info()
	if err != nil {
		return 0
	}
	return harness.RealHold(info)
}

// stGaps are the polling gaps of one observed history.
type stGaps struct {
	e *stEntity
}

// leading is how long the entity existed before its first sighting, at most.
func (g stGaps) leading() time.Duration {
	if g.e.Born.IsZero() || len(g.e.Polls) == 0 || len(g.e.Polls[0]) == 0 {
		return time.Duration(1<<62 - 1)
	}
	return g.e.Polls[0][0].recv.Sub(g.e.Born)
}

// between is the longest time states j-1 and j could have been apart
// unseen: from the request of the last poll that saw j-1 to the answer of
// the first that saw j.
func (g stGaps) between(j int) time.Duration {
	a, b := g.e.Polls[j-1], g.e.Polls[j]
	return b[0].recv.Sub(a[len(a)-1].sent)
}

// within is the longest gap between two consecutive polls that both saw
// state j (where a loop back to it could hide).
func (g stGaps) within(j int) time.Duration {
	var d time.Duration
	ps := g.e.Polls[j]
	for k := 1; k < len(ps); k++ {
		d = max(d, ps[k].recv.Sub(ps[k-1].sent))
	}
	return d
}

// tail is the longest time states could have followed the last observed
// one unseen before the entity disappeared: from the request of the last
// poll that saw it to the answer of the first that no longer found it
// (false: it was never seen gone, so nothing bounds what came after).
func (g stGaps) tail() (time.Duration, bool) {
	if g.e.Gone.IsZero() || len(g.e.Polls) == 0 {
		return 0, false
	}
	ps := g.e.Polls[len(g.e.Polls)-1]
	if len(ps) == 0 {
		return 0, false
	}
	return g.e.Gone.Sub(ps[len(ps)-1].sent), true
}

// stHeld counts the states of a run missed between two polls that the
// emulator held at least a hold each: a state left by a call (the next one
// is API-entered, stAPIEntered) may have been cut short, so it is not
// counted.
func stHeld(run []string, next string) int {
	n := 0
	for i := range run {
		after := next
		if i+1 < len(run) {
			after = run[i+1]
		}
		if !stAPIEntered[after] {
			n++
		}
	}
	return n
}

// stTailHeld counts the states of a run missing at the end of a history
// (before the entity disappeared) that the emulator held at least a hold
// each: as stHeld, except that the last one may end at once with the
// entity (a job deleted, an environment's activities gone with it) — but
// not a compute node's DELETING, which lasts while its TERMINATE activity
// goes SUBMITTED → PROCESSING → SUCCEED, each state held.
func stTailHeld(m *fixtures.Machine, run []string) int {
	n := len(run)
	if n == 0 {
		return 0
	}
	if m.Name == stNode && run[n-1] == "DELETING" {
		return stHeld(run, "")
	}
	return stHeld(run[:n-1], run[n-1])
}

// stGoneVia is the state an entity of machine m must have reached before it
// disappeared: m's one terminal state (a compute node's DELETING); "" if m
// has several (a job may be deleted SUCCEED or FAILED: which one a missed
// end was cannot be told).
func stGoneVia(m *fixtures.Machine) string {
	via := ""
	for _, s := range m.States {
		if m.IsTerminal(s.Name) {
			if via != "" {
				return ""
			}
			via = s.Name
		}
	}
	return via
}

// stInnerPath is a shortest documented path from → … → to whose inner
// states are not terminal (nil: none). It returns the inner states only.
func stInnerPath(m *fixtures.Machine, from, to string) ([]string, bool) {
	type qe struct {
		s    string
		path []string
	}
	seen := map[string]bool{from: true}
	q := []qe{{from, nil}}
	for len(q) > 0 {
		x := q[0]
		q = q[1:]
		if x.s != from && m.IsTerminal(x.s) {
			continue
		}
		for _, t := range m.Transitions {
			if t.From != x.s {
				continue
			}
			if t.To == to {
				return x.path, true
			}
			if !seen[t.To] {
				seen[t.To] = true
				q = append(q, qe{t.To, append(append([]string(nil), x.path...), t.To)})
			}
		}
	}
	return nil, false
}

// stPrefixPath is a shortest documented path from an initial state to to
// (its states before to; nil, true if to is initial).
func stPrefixPath(m *fixtures.Machine, to string) ([]string, bool) {
	var best []string
	found := false
	for _, init := range m.Initial {
		if init == to {
			return nil, true
		}
		inner, ok := stInnerPath(m, init, to)
		if ok && (!found || len(inner)+1 < len(best)) {
			best, found = append([]string{init}, inner...), true
		}
	}
	return best, found
}

// stAPIEntered are the states an API call enters at once (TerminateJob /
// TerminateTaskInstance → FAILED, RetryJobs → PENDING, TerminateComputeNode
// / DeleteComputeEnv / ModifyComputeEnv → DELETING): the hold only bounds
// moves the emulator makes by itself, so the state left by such a call may
// have lasted less than a hold.
var stAPIEntered = map[string]bool{"FAILED": true, "PENDING": true, "DELETING": true}

// stJudge completes one polled history and lists its violations. hold is
// the emulator's state hold in real time (0: unknown, any gap may hide
// transient states); want is the lab's exact expectation (nil: none).
func stJudge(m *fixtures.Machine, e stEntity, hold time.Duration, strict bool, want []string) (stEntity, []string) {
	g := stGaps{&e}
	fits := func(n int, window time.Duration) bool { return hold <= 0 || window >= time.Duration(n)*hold }
	where := fmt.Sprintf("%s %s (scenario %s)", m.Name, e.Key, e.Scenario)
	var probs []string
	if want != nil && strict {
		if stAlign(m, e, g, want, fits) {
			if strings.Join(want, " ") != strings.Join(e.States, " ") {
				e.Observed = e.States
				e.States = append([]string(nil), want...)
			}
			return e, nil
		}
		probs = append(probs, fmt.Sprintf("%s: expected exactly %s, observed %s: the states missing from it could not have come and gone between the polls (each is held at least %v)",
			where, strings.Join(want, " → "), e.path(), hold))
	}
	known := map[string]bool{}
	for _, s := range m.States {
		known[s.Name] = true
	}
	var out []string
	changed := false
	for j, s := range e.States {
		if !known[s] {
			probs = append(probs, fmt.Sprintf("%s: %s is not a documented state; observed %s", where, s, e.path()))
		}
		if j == 0 {
			pre, ok := stPrefixPath(m, s)
			switch {
			case ok && len(pre) == 0:
			case ok && (!strict || fits(len(pre), g.leading())):
				out, changed = append(out, pre...), true
			case strict:
				probs = append(probs, fmt.Sprintf("%s: first observed state %s is not initial (%s) and the %v before the first poll could not hold the states before it: a state was skipped; observed %s",
					where, s, strings.Join(m.Initial, "|"), g.leading().Round(time.Millisecond), e.path()))
			}
			out = append(out, s)
			continue
		}
		prev := e.States[j-1]
		if m.HasTransition(prev, s) {
			out = append(out, s)
			continue
		}
		inner, ok := stInnerPath(m, prev, s)
		need := len(inner)
		if stAPIEntered[s] {
			need-- // the last missing state may have been cut short by the call
		}
		switch {
		case !ok:
			probs = append(probs, fmt.Sprintf("%s: %s -> %s is not a documented transition, and no documented path leads from %s to %s; observed %s",
				where, prev, s, prev, s, e.path()))
		case strict && !fits(need, g.between(j)):
			probs = append(probs, fmt.Sprintf("%s: %s -> %s is not a documented transition; the documented path goes through %s, which the emulator holds at least %v each, but only %v passed between the polls: the state was skipped; observed %s",
				where, prev, s, strings.Join(inner, " → "), hold, g.between(j).Round(time.Millisecond), e.path()))
		case strict && m.Name == stInstance && stIn("RUNNING", inner) && !e.Running[j]:
			probs = append(probs, fmt.Sprintf("%s: %s -> %s skips RUNNING, and the instance has no RunningTime: it never ran; observed %s",
				where, prev, s, e.path()))
		default:
			out, changed = append(out, inner...), true
		}
		out = append(out, s)
	}
	// Gone: the entity reached a terminal state first. A history that ends
	// short of it lost its end between the last poll that saw the entity
	// and the first that no longer found it.
	if n := len(e.States); n > 0 && !e.Gone.IsZero() && !m.IsTerminal(e.States[n-1]) {
		last := e.States[n-1]
		var ends []string
		if via := stGoneVia(m); via != "" {
			ends = []string{via}
		} else {
			for _, st := range m.States {
				if m.IsTerminal(st.Name) {
					ends = append(ends, st.Name)
				}
			}
		}
		var path []string
		found := false
		for _, end := range ends {
			inner, ok := stInnerPath(m, last, end)
			if ok && (!found || len(inner) < len(path)-1) {
				path, found = append(inner, end), true
			}
		}
		window, _ := g.tail()
		switch {
		case !found && strict:
			// Against the emulator, whose machines are known; a live
			// service may remove what the documents leave open.
			probs = append(probs, fmt.Sprintf("%s: disappeared in state %s, from which no documented path leads to a terminal state (%s); observed %s",
				where, last, strings.Join(ends, "|"), e.path()))
		case strict && !fits(stTailHeld(m, path), window):
			probs = append(probs, fmt.Sprintf("%s: disappeared in state %s, but only %v passed between the last poll that saw it and the first that did not, too short for %s (held at least %v each): a state was skipped; observed %s",
				where, last, window.Round(time.Millisecond), strings.Join(path, " → "), hold, e.path()))
		case found && len(ends) == 1:
			// One way to end: the missed end is known.
			out, changed = append(out, path...), true
		}
	}
	if changed && len(probs) == 0 {
		e.Observed = e.States
		e.States = out
	}
	return e, probs
}

// stAlign reports whether the polled history is the expected one with
// runs of states left out, each run fitting in the polling gap where it is
// missing (a run left out before a repeated state fits in the gap between
// two polls of that state). A left-out task-instance RUNNING needs the
// instance's RunningTime.
func stAlign(m *fixtures.Machine, e stEntity, g stGaps, want []string, fits func(int, time.Duration) bool) bool {
	n, obs := len(want), e.States
	k := len(obs)
	if k == 0 {
		return false
	}
	// ok[i][j]: want[:i] explains obs[:j], with want[i-1] matched to obs[j-1].
	ok := make([][]bool, n+1)
	for i := range ok {
		ok[i] = make([]bool, k+1)
	}
	runningOK := func(skipped []string, j int) bool {
		return m.Name != stInstance || !stIn("RUNNING", skipped) || e.Running[j]
	}
	for i := 1; i <= n; i++ {
		if want[i-1] == obs[0] && fits(i-1, g.leading()) && runningOK(want[:i-1], 0) {
			ok[i][1] = true
		}
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= k; j++ {
			if !ok[i][j] {
				continue
			}
			for i2 := i + 1; i2 <= n; i2++ {
				d := i2 - i - 1
				need := d
				if d > 0 && stAPIEntered[obs[min(j, k-1)]] {
					need-- // the state left by a call may have been cut short
				}
				if j < k && want[i2-1] == obs[j] && fits(need, g.between(j)) && runningOK(want[i:i2-1], j) {
					ok[i2][j+1] = true
				}
				if d >= 1 && want[i2-1] == obs[j-1] && fits(d, g.within(j-1)) {
					ok[i2][j] = true
				}
			}
		}
	}
	if ok[n][k] {
		return true
	}
	// The expected history's end is missing: the entity disappeared before
	// a poll saw it (under load a node's trailing RUNNING → DELETING can
	// pass between two polls). That is a missed transient state if the
	// entity was seen gone and the missing states fit between the last poll
	// that saw it and the first that no longer found it.
	window, gone := g.tail()
	for i := n - 1; i >= 1 && gone; i-- {
		if ok[i][k] && fits(stTailHeld(m, want[i:]), window) && runningOK(want[i:], k-1) {
			return true
		}
	}
	return false
}

// histories returns every observed entity of machine with its history
// completed by the missed transient states, and the violations found
// (stJudge), including expected histories never observed.
func (l *stLabT) histories(machine string) ([]stEntity, []string) {
	m, ok := cat.Machine(machine)
	if !ok {
		return nil, []string{"the catalog has no machine " + machine}
	}
	strict := l.t.Emulator
	wants := map[string][]string{}
	if strict {
		for _, x := range l.expectations(machine) {
			wants[x.Key] = x.Want
		}
	}
	var out []stEntity
	var probs []string
	seen := map[string]bool{}
	for _, e := range l.obs.judged(machine) {
		seen[e.Key] = true
		je, p := stJudge(m, e, l.hold, strict, wants[e.Key])
		out = append(out, je)
		probs = append(probs, p...)
	}
	if strict {
		for _, x := range l.expectations(machine) {
			if !seen[x.Key] {
				probs = append(probs, fmt.Sprintf("%s %s: expected exactly %s, never observed", machine, x.Key, strings.Join(x.Want, " → ")))
			}
		}
	}
	return out, probs
}
