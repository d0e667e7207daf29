package harness

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// reapTarget is an embedded emulator's target (the reaper's case) that
// polls as often as any target may (minPollInterval).
func reapTarget() *Target { return &Target{Embedded: true, Emulator: true, Hold: 6 * time.Millisecond} }

func TestReapsOnlyTheEmbeddedEmulatorWithoutFaults(t *testing.T) {
	prev := Current()
	t.Cleanup(func() { Configure(prev) })
	Configure(Defaults())
	for _, c := range []struct {
		name   string
		t      *Target
		faults []string
		want   bool
	}{
		{"embedded", &Target{Embedded: true}, nil, true},
		{"separate emulator or live", &Target{}, nil, false},
		{"embedded but live-flagged", &Target{Embedded: true, Live: true}, nil, false},
		{"embedded with a fault (mutation gate)", &Target{Embedded: true}, []string{"some-fault"}, false},
		{"no target", nil, nil, false},
	} {
		s := Defaults()
		s.Faults = c.faults
		Configure(s)
		if got := c.t.Reaps(); got != c.want {
			t.Errorf("%s: Reaps() = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCleanupReapedRunsInBackgroundAndIsAwaited(t *testing.T) {
	prev := Current()
	t.Cleanup(func() { Configure(prev) })
	Configure(Defaults())
	tg := reapTarget()
	var polls atomic.Int32
	release := make(chan struct{})
	Cleanup(tg, "delete thing", time.Second, 0, func() (bool, string, error) {
		<-release // held back until the caller returned
		return polls.Add(1) >= 3, "InUse", nil
	})
	// Cleanup returned while the step still waits: it runs in the
	// background.
	close(release)
	if err := waitReaper(); err != nil {
		t.Fatalf("waitReaper: %v", err)
	}
	if n := polls.Load(); n != 3 {
		t.Fatalf("the step ran %d times, want 3 (until done)", n)
	}
}

func TestCleanupReapedFailuresReachTeardown(t *testing.T) {
	prev := Current()
	t.Cleanup(func() { Configure(prev) })
	Configure(Defaults())
	tg := reapTarget()
	Cleanup(tg, "delete stuck", 20*time.Millisecond, 0, func() (bool, string, error) { return false, "ResourceInUse", nil })
	Cleanup(tg, "delete refused", time.Second, 0, func() (bool, string, error) { return false, "", errors.New("refused") })
	CleanupFunc(tg, "delete panics", func() error { panic("bad step") })
	err := waitReaper()
	if err == nil {
		t.Fatal("waitReaper = nil, want the three failures")
	}
	for _, want := range []string{`delete stuck: not done after 20ms (last answer "ResourceInUse")`, "delete refused: refused", "delete panics: panic: bad step"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("waitReaper error %q lacks %q", err, want)
		}
	}
	// The failures were reported once: the reaper is empty again.
	if err := waitReaper(); err != nil {
		t.Fatalf("second waitReaper = %v, want nil", err)
	}
}
