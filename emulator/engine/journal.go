package engine

import (
	"strconv"
	"time"
)

// ExecJournal makes local-executor outcomes durable (emulate --state-dir).
// A local command's outcome depends on the host and on real time, so a
// restarted emulator cannot recompute it the way it recomputes everything
// else (by replaying the acknowledged requests at the emulator times they
// used): the journal records each outcome as it is accepted and hands it back
// while the history is replayed, so replayed commands are never run again.
// The simulated executor needs no journal: its outcome is a function of the
// command.
type ExecJournal interface {
	// Replaying reports whether the engine is rebuilding its history.
	Replaying() bool
	// Outcome returns the recorded outcome of the attempt with this key.
	Outcome(key string) (ExecOutcome, bool)
	// Record is called, under the engine lock, when an outcome is accepted
	// (never while replaying). It must not call back into the engine.
	Record(key string, o ExecOutcome)
}

// ExecOutcome is one local attempt's result.
type ExecOutcome struct {
	ExitAt time.Time `json:"exit_at"`
	Code   int       `json:"code"`
	Fail   string    `json:"fail,omitempty"`
	Stdout []byte    `json:"stdout,omitempty"`
	Stderr []byte    `json:"stderr,omitempty"`
}

// lostExec is an attempt found running in a replayed history whose outcome
// was never recorded: the emulator stopped while its command ran.
type lostExec struct {
	in *instance
	ex *execution
}

// execKey names one attempt: the instance and the emulator time it started
// (deterministic under replay).
func execKey(in *instance, t time.Time) string {
	return in.job().id + "/" + in.task.spec.Name + "/" + strconv.Itoa(in.index) + "/" + strconv.FormatInt(t.UnixNano(), 10)
}

// replayExec stands in for running a local command while the history is
// replayed: the recorded outcome if there is one, else the attempt is lost.
// It reports false when no journal is replaying.
func (e *Engine) replayExec(in *instance, ex *execution, t time.Time) bool {
	jr := e.cfg.Journal
	if jr == nil || !jr.Replaying() {
		return false
	}
	o, ok := jr.Outcome(execKey(in, t))
	if !ok {
		e.lost = append(e.lost, lostExec{in: in, ex: ex})
		return true
	}
	ex.exited, ex.exitAt, ex.code, ex.fail, ex.stdout, ex.stderr = true, o.ExitAt, o.Code, o.Fail, o.Stdout, o.Stderr
	e.wake(in, o.ExitAt)
	return true
}

// liveExitAt is when a local command that just exited is taken to have
// ended. With a journal it is one nanosecond after everything already
// applied: a call applied at the same emulator time before the exit arrived
// must come first on replay too (a replay applies what is due at a time
// before the calls made at that time).
func (e *Engine) liveExitAt() time.Time {
	t := maxTime(e.clock.Now(), e.cursor)
	if e.cfg.Journal != nil {
		t = t.Add(time.Nanosecond)
	}
	return t
}

// recordExec hands an accepted local outcome to the journal.
func (e *Engine) recordExec(in *instance, ex *execution) {
	// A command killed by Close has no outcome of its own: left unrecorded,
	// it is recovered on restart like any attempt the emulator died during.
	if jr := e.cfg.Journal; jr != nil && !jr.Replaying() && !e.closed {
		jr.Record(execKey(in, ex.started), ExecOutcome{ExitAt: ex.exitAt, Code: ex.code, Fail: ex.fail, Stdout: ex.stdout, Stderr: ex.stderr})
	}
}

// CatchUp processes everything due up to the clock's reading (a replay
// calls it at the end of the history, while its journal still replays).
func (e *Engine) CatchUp() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
}

// RecoverLost ends the replay of a history: every local attempt that was
// running when the emulator stopped (its outcome never recorded) fails now
// with reason, and goes through its task's retry policy like any failed
// attempt (RUNNABLE again after RetryWait while MaxRetry allows, else FAILED
// or FAILED_INTERRUPTED). It returns how many attempts it failed.
func (e *Engine) RecoverLost(reason string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	n := 0
	for _, l := range e.lost {
		if l.in.ex != l.ex || l.ex.exited || l.ex.timedOut || l.in.job().deleted {
			continue // retried, terminated, timed out or deleted meanwhile
		}
		l.ex.exited, l.ex.exitAt, l.ex.fail = true, now, reason
		e.wake(l.in, now)
		n++
	}
	e.lost = nil
	e.done()
	return n
}

// syncForJournal makes a façade's NewID deterministic under replay: the
// engine's own steps due by now (which take IDs from the same generator) are
// processed first, as every engine call does, instead of whenever the loop
// goroutine gets to them. Only with a journal: elsewhere the order of IDs
// between a façade and the loop does not matter. Callers hold e.mu.
func (e *Engine) syncForJournal() {
	if e.cfg.Journal != nil {
		e.sync()
	}
}

// IDsIssued counts the IDs generated so far. A durable emulator compares it
// around a read-only call: a read that generated IDs (a tenant's resources
// seeded on first use) changed state and is recorded like a write.
func (e *Engine) IDsIssued() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ids.n
}
