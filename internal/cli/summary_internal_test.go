package cli

import "testing"

// The summary shows why an item failed: a wait a precondition ended
// starts with Gomega's "Told to stop trying" preamble, which the line skips.
func TestSummaryLine(t *testing.T) {
	for _, c := range []struct{ msg, want string }{
		{"GetJob: the body breaks the schema\nmore", "GetJob: the body breaks the schema"},
		{"Told to stop trying after 0.000s.\njob job-1 reaches one of [\"Stopped\"]\ntarget precondition violated: precondition answers-readable violated: none of 5 answers",
			"target precondition violated: precondition answers-readable violated: none of 5 answers"},
		{"Told to stop trying after 15.003s.\njob job-1 stayed RUNNING for 15s", "job job-1 stayed RUNNING for 15s"},
		{"Told to stop trying after 1s.", "Told to stop trying after 1s."},
	} {
		if got := summaryLine(c.msg); got != c.want {
			t.Errorf("summaryLine(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}
