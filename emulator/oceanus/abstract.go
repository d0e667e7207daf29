package oceanus

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Abstract is a canonical description of one tenant's job lifecycles:
// every job's status, config versions (and whether a run of each fails),
// published and running versions, and its scheduled status changes and
// in-progress savepoints relative to now, with IDs replaced by creation
// order. Two services with equal keys behave alike under the same further
// calls (the model checker emulator/engine/statecheck hashes it). It settles
// what is due first, as every request does. Read-only apart from that; not
// for hot paths.
func (s *Service) Abstract(secretID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[secretID]
	if !ok {
		return ""
	}
	now := s.now()
	a.settle(now)
	var b strings.Builder
	for i, j := range a.sortedJobs() {
		fmt.Fprintf(&b, "J%d %d latest=%d pub=%d run=%d configs=", i, j.status, j.latestVersion, j.published, j.runningVersion)
		for _, c := range j.configs {
			// A config's version and whether a run of it fails decide
			// what a RunJobs will do.
			fmt.Fprintf(&b, "%d:%v,", c.version, strings.Contains(c.programArgs, FailMarker))
		}
		for _, st := range j.pending {
			fmt.Fprintf(&b, " ->%d@%v", st.to, st.at.Sub(now))
		}
		for _, sp := range j.savepoints {
			if sp.status == 3 {
				fmt.Fprintf(&b, " sp@%v", sp.done.Sub(now))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// NextDue is the time until the tenant's next scheduled change (a job's
// status step or a savepoint's completion); false if nothing is scheduled.
func (s *Service) NextDue(secretID string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[secretID]
	if !ok {
		return 0, false
	}
	now := s.now()
	a.settle(now)
	var due []time.Time
	for _, j := range a.jobs {
		if len(j.pending) > 0 {
			due = append(due, j.pending[0].at)
		}
		for _, sp := range j.savepoints {
			if sp.status == 3 {
				due = append(due, sp.done)
			}
		}
	}
	if len(due) == 0 {
		return 0, false
	}
	sort.Slice(due, func(x, y int) bool { return due[x].Before(due[y]) })
	return max(due[0].Sub(now), 0), true
}
