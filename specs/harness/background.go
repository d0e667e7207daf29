package harness

// Background work. Most of a run against the embedded emulator is spent
// waiting out lifecycles (state holds), while a few containers are CPU-bound
// and need nothing of the run's target: the Tencent Batch fuzz pass, for one,
// works on emulators of its own. Such work is declared with NewBackground
// and started when the suite starts, so it runs alongside the waiting specs;
// the container that gives its verdicts then only waits for its result.
//
// It is started only for a whole run of the embedded emulator in one
// process: a label filter, --items, a focus, a shard or Ginkgo's parallel
// processes may not run the container that consumes it (the work would be
// wasted, or done twice), a live target or a separately started emulator
// keeps the work in its container (where its cleanup belongs), and under
// -race the extra concurrent CPU would only slow the waiting specs. In every
// other case Result runs the work itself, in the spec, as before.

import (
	"context"
	"fmt"
	"sync"

	ginkgo "github.com/onsi/ginkgo/v2"
)

// Background is one piece of work a container may get from the background.
type Background[T any] struct {
	dialect, name string
	fn            func(*Target) (T, error)

	mu  sync.Mutex
	run *bgRun[T] // started and not yet consumed
}

type bgRun[T any] struct {
	done chan struct{}
	v    T
	err  error
}

type backgroundWork interface {
	forDialect() string
	start(t *Target)
	drop()
}

var (
	bgMu   sync.Mutex
	bgWork []backgroundWork
)

// NewBackground declares work for the given dialect (call it at package
// level, as the spec tree is built). fn must need nothing of the target's
// state beyond what it is given: it may run concurrently with any spec.
func NewBackground[T any](dialect, name string, fn func(*Target) (T, error)) *Background[T] {
	b := &Background[T]{dialect: dialect, name: name, fn: fn}
	bgMu.Lock()
	bgWork = append(bgWork, b)
	bgMu.Unlock()
	return b
}

func (b *Background[T]) forDialect() string { return b.dialect }

func (b *Background[T]) start(t *Target) {
	r := &bgRun[T]{done: make(chan struct{})}
	b.mu.Lock()
	b.run = r
	b.mu.Unlock()
	go func() {
		defer close(r.done)
		// A panic here would end the process: it becomes the result's
		// error, reported by the container that waits for it.
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("harness: background %s: panic: %v", b.name, p)
			}
		}()
		r.v, r.err = b.fn(t)
	}()
}

func (b *Background[T]) drop() {
	b.mu.Lock()
	b.run = nil
	b.mu.Unlock()
}

// Started reports whether the work runs in the background in this run.
func (b *Background[T]) Started() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.run != nil
}

// Result returns the work's result: it waits for the run started in the
// background (or for ctx), or, when none was started, runs the work now.
// Each started run is consumed once; a second call runs the work again.
func (b *Background[T]) Result(ctx context.Context, t *Target) (T, error) {
	b.mu.Lock()
	r := b.run
	b.run = nil
	b.mu.Unlock()
	if r == nil {
		return b.fn(t)
	}
	select {
	case <-r.done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("harness: waiting for background %s: %w", b.name, context.Cause(ctx))
	}
}

// startBackground starts the declared work for the run's targets when the
// run allows it (see the package comment above), after dropping anything a
// previous run in this process left unconsumed.
func startBackground(ts map[string]*Target) {
	bgMu.Lock()
	work := append([]backgroundWork(nil), bgWork...)
	bgMu.Unlock()
	for _, w := range work {
		w.drop()
	}
	if !backgroundAllowed() {
		return
	}
	for _, w := range work {
		if t := ts[w.forDialect()]; t != nil && t.Embedded && !t.Live {
			w.start(t)
		}
	}
}

func backgroundAllowed() bool {
	s := Current()
	if raceEnabled || s.DryRun || s.LabelFilter != "" || len(s.Items) > 0 || shardTotal > 1 {
		return false
	}
	suite, _ := ginkgo.GinkgoConfiguration()
	return suite.LabelFilter == "" && len(suite.FocusStrings) == 0 && len(suite.SkipStrings) == 0 &&
		len(suite.FocusFiles) == 0 && len(suite.SkipFiles) == 0 && suite.ParallelTotal <= 1 && !suite.DryRun
}
