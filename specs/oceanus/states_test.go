package oceanus

import (
	"slices"
	"testing"
	"time"

	"github.com/batchconform/batchconform/specs/harness"
)

// A move that is not documented is statuses missed between two looks only
// when a documented passage exists and, against the emulator, the looks
// were far enough apart to miss every status of it; a live service's holds
// are unknown. (A make test run at load 7 under -race saw a job 5 -> -1:
// the 3 and 4 between were held 200 ms each and the look came late.)
func TestMissedPassage(t *testing.T) {
	emu, live := &harness.Target{Emulator: true}, &harness.Target{}
	for _, c := range []struct {
		name     string
		t        *harness.Target
		from, to string
		gap      time.Duration
		want     []string
	}{
		{"documented move", emu, "3", "4", time.Second, nil},
		{"two statuses missed by a stalled look", emu, "5", "-1", 400 * time.Millisecond, []string{"5", "3", "4", "-1"}},
		{"two statuses skipped between close looks", emu, "5", "-1", 200 * time.Millisecond, nil},
		{"one status skipped between close looks", emu, "4", "5", 30 * time.Millisecond, nil},
		{"one status missed by a stalled look", emu, "4", "5", 160 * time.Millisecond, []string{"4", "3", "5"}},
		{"no documented passage", emu, "4", "1", time.Minute, nil},
		{"live: any documented passage", live, "4", "5", 30 * time.Millisecond, []string{"4", "3", "5"}},
		{"live: no documented passage", live, "5", "2", time.Minute, nil},
	} {
		if got := missedPassage(c.t, c.from, c.to, c.gap); !slices.Equal(got, c.want) {
			t.Errorf("%s: missedPassage(%s -> %s, %v) = %v, want %v", c.name, c.from, c.to, c.gap, got, c.want)
		}
	}
}
