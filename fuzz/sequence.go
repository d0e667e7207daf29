package fuzz

import (
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
)

// seqModel is a stateful model as the sequence driver sees it: it applies
// one operation (drawn, or read from a replay file) and checks its
// promises; it counts the requests it sent and lists those of the current
// operation (for the replay file's "sent").
type seqModel interface {
	apply(Step) *PropError
	requests() int64
	takeSent() []Sent
}

// opDraw draws one operation's arguments and runs it with run.
type opDraw func(rt *rapid.T, run func(op string, args any))

// drive runs a model through rapid's T.Repeat: every operation is recorded
// as a replay step, counted, and checked; a failure fails the sequence with
// the property item only (rapid shrinks while the error stays the same, and
// details such as IDs vary), or, in collect mode, is recorded and the rest
// of the sequence runs out.
//
// weights (optional) make rapid pick an operation more often: rapid.Repeat
// picks among its keys, so an operation of weight w gets w keys.
func drive(rt *rapid.T, rec *Recorder, m seqModel, ops map[string]opDraw, weights map[string]int) {
	var steps []Step
	dead := false
	run := func(op string, args any) {
		if dead {
			return
		}
		st := newStep(op, "", nil, args)
		steps = append(steps, st)
		rec.cover("op:" + op)
		before := m.requests()
		pe := m.apply(st)
		steps[len(steps)-1].Sent = m.takeSent()
		rec.count(m.requests() - before)
		if pe != nil {
			rec.fail(pe, steps)
			if rec.Collect {
				dead = true
				return
			}
			rt.Logf("%s", pe.Msg)
			rt.Fatalf("%s", pe.Item)
		}
	}
	actions := make(map[string]func(*rapid.T), len(ops))
	for name, draw := range ops {
		draw := draw
		actions[name] = func(rt *rapid.T) { draw(rt, run) }
		for i := 2; i <= weights[name]; i++ {
			actions[fmt.Sprintf("%s#%d", name, i)] = actions[name]
		}
	}
	rt.Repeat(actions)
}

// pickIdx draws the creation index of a resource (skipping the operation
// when there is none).
func pickIdx(rt *rapid.T, n int) int {
	if n == 0 {
		rt.Skip("nothing to act on")
	}
	return rapid.IntRange(0, n-1).Draw(rt, "idx")
}

// judgeMove checks an observed state against the previous observation of
// the same resource, elapsed (target time) earlier: when less than the
// hold time passed and no operation moved it (lenient), the endpoint held
// each state at least hold, so the move must be one documented transition;
// otherwise a documented path. It returns why not ("" when the move is
// fine); every model's transitions property uses it.
func judgeMove(mc *fixtures.Machine, from, to string, elapsed, hold time.Duration, lenient bool) string {
	if from == "" || from == to {
		return ""
	}
	if !lenient && hold > 0 && elapsed < hold {
		if !mc.HasTransition(from, to) {
			return fmt.Sprintf("moved %s->%s within %v (each state is held %v): not a documented %s transition", from, to, elapsed, hold, mc.Name)
		}
		return ""
	}
	if !reachable(mc, from, to) {
		return fmt.Sprintf("moved %s->%s: no documented %s path", from, to, mc.Name)
	}
	return ""
}
