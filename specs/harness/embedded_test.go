package harness

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
)

func TestPollIntervalFollowsHold(t *testing.T) {
	for _, c := range []struct {
		name string
		t    Target
		want time.Duration
	}{
		{"emulator, default hold", Target{Emulator: true, Hold: 120 * time.Millisecond}, 20 * time.Millisecond},
		{"embedded hold", Target{Emulator: true, Embedded: true, Hold: embeddedHold}, embeddedHold / 6},
		{"tiny hold is floored", Target{Emulator: true, Hold: time.Millisecond}, minPollInterval},
		{"emulator, hold unknown", Target{Emulator: true}, 20 * time.Millisecond},
		{"hold of a non-emulator is ignored", Target{Hold: time.Millisecond, RateLimit: 5}, 200 * time.Millisecond},
		{"loopback without limit", Target{}, 20 * time.Millisecond},
	} {
		if got := c.t.PollInterval(); got != c.want {
			t.Errorf("%s: PollInterval = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRealHold(t *testing.T) {
	for _, c := range []struct {
		name string
		info emulator.Info
		want time.Duration
	}{
		{"scale 1", emulator.Info{StateHold: "120ms", Clock: emulator.ClockInfo{Scale: 1}}, 120 * time.Millisecond},
		{"scale 2 halves it", emulator.Info{StateHold: "120ms", Clock: emulator.ClockInfo{Scale: 2}}, 60 * time.Millisecond},
		{"manual clock", emulator.Info{StateHold: "120ms", Clock: emulator.ClockInfo{Manual: true}}, 0},
		{"not told", emulator.Info{}, 0},
		{"garbage", emulator.Info{StateHold: "soon"}, 0},
		{"negative", emulator.Info{StateHold: "-1s"}, 0},
	} {
		if got := RealHold(c.info); got != c.want {
			t.Errorf("%s: realHold = %v, want %v", c.name, got, c.want)
		}
	}
}

// The embedded options reach the emulator: its admin info tells the
// shorter hold, and a probe of it finds the emulator and that hold.
func TestEmbeddedOptionsReachTheEmulator(t *testing.T) {
	emu, err := emulator.Start(EmbeddedOptions(nil)...)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if got := emu.Engine().Timing().Hold; got != embeddedHold {
		t.Fatalf("engine hold %v, want %v", got, embeddedHold)
	}
	ok, hold := probeAdmin(emu.URL)
	if !ok || hold != embeddedHold {
		t.Fatalf("probeAdmin = %v, %v; want true, %v", ok, hold, embeddedHold)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if ok, hold := probeAdmin(other.URL); ok || hold != 0 {
		t.Fatalf("probeAdmin of a non-emulator = %v, %v", ok, hold)
	}
}
