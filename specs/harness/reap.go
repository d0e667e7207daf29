package harness

// Cleanup in the background (issue 12). A spec's cleanup mostly waits: a
// job is deletable only once its termination ended, an environment only
// once its nodes left SUBMITTED/CREATING, a state hold or two each. In one
// process Ginkgo runs the specs one after another, so every such wait was
// added to the run's wall time (6.5 s of a 22 s Tencent Batch run). Against
// the run's embedded emulator those deletes are handed to the reaper
// instead: they run alongside the following specs, and the suite's
// teardown waits for the last of them before the ledger's drain.
//
// Only the embedded emulator without faults reaps. A live target or a
// separately started emulator keeps each cleanup in its spec (a delete a
// target refuses fails the spec that made the resource, and --max-resources
// counts on resources being gone when the next spec starts), and so does
// an emulator with faults: the mutation gate's fault runs may be killed
// by a delete the fault breaks, which must fail a spec of the fault's
// items. Every spec of the run already tolerates resources of other specs
// coming and going (`run --procs` runs them against one emulator at once).
//
// A reaped delete that fails (or is still waiting when the run ends) fails
// the suite's teardown, so the run does not pass on it silently.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
)

// reapParallel bounds the reaped cleanups in flight at once (each mostly
// sleeps between polls; the bound keeps a burst of them from crowding the
// specs' own requests).
const reapParallel = 16

type reaperT struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	sem  chan struct{}
	errs []error
}

var reaper = &reaperT{sem: make(chan struct{}, reapParallel)}

// Reaps reports whether t's cleanups run in the background (see above).
func (t *Target) Reaps() bool {
	if t == nil || !t.Embedded || t.Live || len(EmbeddedFaults()) > 0 {
		return false
	}
	s := Current()
	return !s.DryRun
}

// CleanupStep is one attempt of a cleanup: done once the resource is gone
// (or given up on, with the reason logged by the step), else the answer
// that held it back; an error ends the cleanup as failed. A step runs
// outside any spec when reaped: it must not assert (Gomega), only return.
type CleanupStep func() (done bool, last string, err error)

// Cleanup deletes a resource by polling step every interval (0:
// t.PollInterval()) until it is done, for at most timeout: in the
// background when t reaps, else now, failing the running node with what
// (and step's last answer) on timeout or error.
func Cleanup(t *Target, what string, timeout, every time.Duration, step CleanupStep) {
	if !t.Reaps() {
		ginkgo.GinkgoHelper()
		if err := pollCleanup(context.Background(), t, what, timeout, every, step); err != nil {
			ginkgo.Fail(err.Error())
		}
		return
	}
	reaper.run(what, func() error { return pollCleanup(context.Background(), t, what, timeout, every, step) })
}

// CleanupFunc runs fn, a cleanup that needs no polling of its own (it waits or
// fans out itself), the same way: in the background when t reaps, else now,
// failing the running node on error.
func CleanupFunc(t *Target, what string, fn func() error) {
	if !t.Reaps() {
		ginkgo.GinkgoHelper()
		if err := fn(); err != nil {
			ginkgo.Fail(fmt.Sprintf("%s: %v", what, err))
		}
		return
	}
	reaper.run(what, func() error {
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// run runs fn in the background (at most reapParallel at once: a full
// reaper holds the caller back), recording its error.
func (r *reaperT) run(what string, fn func() error) {
	r.sem <- struct{}{}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.sem }()
		defer func() {
			// A panic in a cleanup becomes its error instead of ending
			// the process (steps return errors: CleanupStep).
			if p := recover(); p != nil {
				r.fail(fmt.Errorf("%s: panic: %v", what, p))
			}
		}()
		if err := fn(); err != nil {
			r.fail(err)
		}
	}()
}

func pollCleanup(ctx context.Context, t *Target, what string, timeout, every time.Duration, step CleanupStep) error {
	if every <= 0 {
		every = t.PollInterval()
	}
	end := time.Now().Add(timeout)
	for {
		if Stopping() != "" && t.Reaps() {
			// The run is stopping (an interrupt, a deadline, a spent
			// budget): the embedded emulator ends with it, and this
			// resource with it.
			return nil
		}
		done, last, err := step()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if done {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("%s: not done after %v (last answer %q)", what, timeout, last)
		}
		if !Pause(ctx, every) {
			return fmt.Errorf("%s: %w (last answer %q)", what, context.Cause(ctx), last)
		}
	}
}

func (r *reaperT) fail(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

// waitReaper waits for every reaped cleanup (each is bounded by its own
// timeout) and returns their failures; the reaper is then empty for a next
// run in this process.
func waitReaper() error {
	reaper.wg.Wait()
	reaper.mu.Lock()
	defer reaper.mu.Unlock()
	err := errors.Join(reaper.errs...)
	reaper.errs = nil
	if err != nil {
		return fmt.Errorf("harness: cleanup in the background: %w", err)
	}
	return nil
}
