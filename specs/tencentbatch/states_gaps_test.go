package tencentbatch

import (
	"strings"
	"testing"
	"time"
)

// stPolled builds a polled history: state i seen by one poll answered at
// start+i*every (sent 1 ms before).
func stPolled(machine string, start time.Time, every time.Duration, states ...string) stEntity {
	e := stEntity{Machine: machine, Key: "env-x/node-x", Scenario: "test", Born: start.Add(-time.Millisecond)}
	for i, s := range states {
		recv := start.Add(time.Duration(i) * every)
		e.States = append(e.States, s)
		e.Polls = append(e.Polls, []stPoll{{sent: recv.Add(-time.Millisecond), recv: recv}})
		e.Running = append(e.Running, false)
	}
	return e
}

// TestJudgeMissedTailByDisappearance: the end of a history a poller
// missed (E7 under -race at load 13: the node's recovery RUNNING and its
// DELETING passed between two polls before the node was gone) is a
// missed transient state when the entity was seen gone and the missing
// states fit between the last poll that saw it and the first that no
// longer found it; an observed undocumented transition still fails, and
// a node that is never seen gone has no excuse for a missing end.
func TestJudgeMissedTailByDisappearance(t *testing.T) {
	m, ok := cat.Machine(stNode)
	if !ok {
		t.Fatal("the catalog has no compute-node machine")
	}
	const hold = 120 * time.Millisecond
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	boot := []string{"SUBMITTED", "CREATING", "CREATED", "RUNNING"}
	e7 := append(append([]string(nil), boot...), "ABNORMAL", "RUNNING", "DELETING")
	cases := []struct {
		name     string
		states   []string
		gone     time.Duration // after the last poll's answer (0: never seen gone)
		strict   bool
		want     []string // exact expectation (nil: none)
		problem  string   // "" = no violation
		complete []string // the completed history, when no violation
	}{
		{"E7: recovery and DELETING missed, gone 2 holds later", append(boot, "ABNORMAL"), 2 * hold, true, e7, "", e7},
		{"E7: gone too soon for the missing DELETING", append(boot, "ABNORMAL"), hold / 3, true, e7, "could not have come and gone", nil},
		{"E7: never seen gone", append(boot, "ABNORMAL"), 0, true, e7, "could not have come and gone", nil},
		{"E7: DELETING alone missed", append(boot, "ABNORMAL", "RUNNING"), 2 * hold, true, e7, "", e7},
		{"RUNNING then gone: DELETING passed unseen", boot, 2 * hold, true, nil, "", append(boot, "DELETING")},
		{"RUNNING then gone at once: DELETING was skipped", boot, hold / 3, true, nil, "too short for DELETING", nil},
		{"RUNNING then gone, live: DELETING passed unseen", boot, 10 * time.Millisecond, false, nil, "", append(boot, "DELETING")},
		{"CREATING then gone: CREATED and DELETING fit", boot[:2], 3 * hold, true, nil, "", []string{"SUBMITTED", "CREATING", "CREATED", "DELETING"}},
		{"observed undocumented RUNNING -> CREATING, then gone", append(boot, "CREATING"), 2 * hold, true, nil, "RUNNING -> CREATING is not a documented transition", nil},
		{"observed undocumented RUNNING -> CREATING, live", append(boot, "CREATING"), 2 * hold, false, nil, "RUNNING -> CREATING is not a documented transition", nil},
		{"seen DELETING then gone: complete", append(boot, "DELETING"), 2 * hold, true, nil, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := stPolled(stNode, start, hold, c.states...)
			if c.gone > 0 {
				last := e.Polls[len(e.Polls)-1]
				e.Gone = last[len(last)-1].recv.Add(c.gone)
			}
			h := hold
			if !c.strict {
				h = 0
			}
			je, probs := stJudge(m, e, h, c.strict, c.want)
			got := strings.Join(probs, "\n")
			switch {
			case c.problem == "" && len(probs) > 0:
				t.Fatalf("want no violation, got:\n%s", got)
			case c.problem != "" && !strings.Contains(got, c.problem):
				t.Fatalf("want a violation containing %q, got:\n%s", c.problem, got)
			}
			if c.complete != nil && strings.Join(je.States, " ") != strings.Join(c.complete, " ") {
				t.Fatalf("completed history %v, want %v", je.States, c.complete)
			}
		})
	}
}
