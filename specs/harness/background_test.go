package harness

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newTestBackground makes a Background outside the registry (the registry
// is the suite's; these tests drive start and drop themselves).
func newTestBackground[T any](fn func(*Target) (T, error)) *Background[T] {
	return &Background[T]{dialect: "tencent-batch", name: "test work", fn: fn}
}

func TestBackgroundStartedRunIsConsumedOnce(t *testing.T) {
	var calls atomic.Int32
	b := newTestBackground(func(*Target) (int, error) { return int(calls.Add(1)), nil })
	b.start(&Target{})
	if !b.Started() {
		t.Fatal("Started = false after start")
	}
	v, err := b.Result(context.Background(), &Target{})
	if err != nil || v != 1 {
		t.Fatalf("Result = %v, %v; want the background run's 1", v, err)
	}
	if b.Started() {
		t.Fatal("a consumed run still counts as started")
	}
	// Nothing started any more: the work runs in the caller.
	if v, err := b.Result(context.Background(), &Target{}); err != nil || v != 2 {
		t.Fatalf("second Result = %v, %v; want a fresh run's 2", v, err)
	}
}

func TestBackgroundNotStartedRunsInCaller(t *testing.T) {
	want := errors.New("boom")
	b := newTestBackground(func(*Target) (string, error) { return "", want })
	if _, err := b.Result(context.Background(), &Target{}); !errors.Is(err, want) {
		t.Fatalf("Result error %v, want %v", err, want)
	}
}

func TestBackgroundPanicBecomesError(t *testing.T) {
	b := newTestBackground(func(*Target) (int, error) { panic("bad generator") })
	b.start(&Target{})
	_, err := b.Result(context.Background(), &Target{})
	if err == nil || !strings.Contains(err.Error(), "bad generator") {
		t.Fatalf("Result error %v, want the panic's message", err)
	}
}

func TestBackgroundWaitEndsWithContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	b := newTestBackground(func(*Target) (int, error) { <-release; return 1, nil })
	b.start(&Target{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.Result(ctx, &Target{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Result error %v, want the context's deadline", err)
	}
}

func TestBackgroundDroppedRunIsNotUsed(t *testing.T) {
	var calls atomic.Int32
	b := newTestBackground(func(*Target) (int, error) { return int(calls.Add(1)), nil })
	b.start(&Target{})
	b.drop()
	if b.Started() {
		t.Fatal("Started after drop")
	}
	// The dropped run may still finish; Result does its own.
	if v, err := b.Result(context.Background(), &Target{}); err != nil || v < 1 {
		t.Fatalf("Result = %v, %v", v, err)
	}
}

// Under -race (this test's usual build) background work never starts; the
// other conditions are checked through Settings.
func TestBackgroundAllowed(t *testing.T) {
	defer Configure(Current())
	for _, c := range []struct {
		name string
		s    Settings
	}{
		{"label filter", Settings{LabelFilter: "kind:rule"}},
		{"items", Settings{Items: []string{"x"}}},
		{"dry run", Settings{DryRun: true}},
	} {
		Configure(c.s)
		if backgroundAllowed() {
			t.Errorf("%s: background allowed", c.name)
		}
	}
	Configure(Defaults())
	if got := backgroundAllowed(); got == raceEnabled {
		t.Errorf("a whole run: backgroundAllowed = %v with raceEnabled = %v", got, raceEnabled)
	}
}
