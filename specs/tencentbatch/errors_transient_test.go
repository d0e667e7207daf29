package tencentbatch

import (
	"strings"
	"testing"
	"time"
)

// TestTransientStateMissedIsProvokedAgain: an error that needs its job
// still SUBMITTED (TerminateJob/DeleteJob UnsupportedOperation) is provoked
// again on a fresh job when the answer may have come after SUBMITTED
// ended (a loaded client), at most errorsTransientAttempts times; an
// answer that certainly landed in the state is judged at once.
func TestTransientStateMissedIsProvokedAgain(t *testing.T) {
	const want = "UnsupportedOperation"
	const hold = time.Hour // "in time" is decided by since below, not by the machine's speed
	inTime := time.Now()
	late := time.Now().Add(-2 * hold)
	cases := []struct {
		name       string
		hold       time.Duration
		since      []time.Time // per attempt: when its job was created
		codes      []string    // per attempt: the answer
		wantSends  int
		wantCode   string
		wantMisses int
	}{
		{"answered in the state: judged at once", hold, []time.Time{inTime}, []string{want}, 1, want, 0},
		{"accepted while surely SUBMITTED: a violation, not provoked again", hold, []time.Time{inTime}, []string{""}, 1, "", 0},
		{"missed twice, then refused in the state", hold, []time.Time{late, late, inTime}, []string{"", "", want}, 3, want, 2},
		{"missed every time: judged after the last attempt", hold, []time.Time{late, late, late, late, late, late}, []string{"", "", "", "", "", ""}, errorsTransientAttempts, "", errorsTransientAttempts},
		{"unknown hold: any other answer may be a miss", 0, []time.Time{inTime, inTime}, []string{"", want}, 2, want, 1},
		{"unknown hold, wanted code: judged", 0, []time.Time{inTime}, []string{want}, 1, want, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			attempt := 0
			var mk func() errorsProvocation
			mk = func() errorsProvocation {
				i := attempt
				return errorsProvocation{action: "TerminateJob", req: map[string]any{"JobId": i},
					transient: &errorsTransient{state: "SUBMITTED", since: c.since[i], hold: c.hold, again: mk}}
			}
			sends := 0
			p, got, misses := errorsSendTransient(mk(), want, func(p errorsProvocation) (string, string) {
				if p.req["JobId"] != attempt {
					t.Fatalf("attempt %d sent job %v: not a fresh provocation", attempt, p.req["JobId"])
				}
				code := c.codes[attempt]
				sends++
				attempt++
				return code, code
			})
			if sends != c.wantSends || got != c.wantCode || len(misses) != c.wantMisses {
				t.Fatalf("%d sends, answer %q, %d misses %q; want %d sends, %q, %d misses", sends, got, len(misses), misses, c.wantSends, c.wantCode, c.wantMisses)
			}
			if p.req["JobId"] != sends-1 {
				t.Errorf("returned the provocation of attempt %v, want the last (%d)", p.req["JobId"], sends-1)
			}
			for _, m := range misses {
				if !strings.Contains(m, "SUBMITTED") {
					t.Errorf("miss %q does not name the state", m)
				}
			}
		})
	}
	// A provocation without a transient state is sent once, whatever the answer.
	sends := 0
	_, _, misses := errorsSendTransient(errorsProvocation{action: "DescribeJob"}, want, func(errorsProvocation) (string, string) {
		sends++
		return "", ""
	})
	if sends != 1 || len(misses) != 0 {
		t.Errorf("a provocation without a transient state was sent %d times (%d misses)", sends, len(misses))
	}
}
