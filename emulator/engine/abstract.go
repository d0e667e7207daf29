package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Abstract is a canonical description of everything that decides the
// engine's future behaviour: every live job, task, instance, environment,
// node and activity with its state, its counters and its timers, with IDs
// replaced by creation-order indexes and times made relative to the
// processing cursor (ages capped where only "older than the longest hold"
// matters). Two engines with equal Abstract keys behave alike under the same
// further calls (a model checker hashes them: emulator/engine/statecheck).
// It is read-only and costs a walk of the whole state: not for hot paths.
type Abstract struct {
	Jobs []AbstractJob
	Envs []AbstractEnv
	// Due: time until the next queued step (0 if nothing is queued).
	Due time.Duration
	key string
}

// AbstractJob is one job (Index: its creation order among all jobs ever
// submitted, so it stays stable when older jobs are deleted).
type AbstractJob struct {
	ID    string // the real ID (not part of the key)
	Index int
	State string
	Tasks []AbstractTask
	// Queued: a step of the job is due (it may still move by itself).
	Queued bool
	// RetryPending: RetryJobs was accepted and its reset waits for a hold.
	RetryPending bool
}

// AbstractTask is one task and its instances.
type AbstractTask struct {
	Name      string
	State     string
	Instances []string // instance states, by index
	Queued    bool     // a step of the task is due
}

// AbstractEnv is one environment (Index: creation order).
type AbstractEnv struct {
	Index  int
	Desire int
	Nodes  []string // node states, in the env's order
	Acts   []string // activity states, oldest first
}

// Key is the canonical hash key of the state.
func (a Abstract) Key() string { return a.key }

// Abstract returns the canonical abstract state (see Abstract).
func (e *Engine) Abstract() Abstract {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	tm := e.timing
	capAge := max(tm.Hold, tm.NodeBoot, tm.RetryWait)
	age := func(t time.Time) time.Duration { return min(now.Sub(t), capAge) }
	rel := func(t time.Time) time.Duration { return t.Sub(now) }
	var b strings.Builder
	out := Abstract{}
	// Canonical names: creation order of jobs and envs (seq), so IDs drawn
	// from the random generator do not enter the key.
	jobIdx := map[*job]int{}
	for _, j := range e.jobOrder {
		jobIdx[j] = int(j.seq)
	}
	envIdx := map[*env]int{}
	nodeName := map[*node]string{}
	for i, en := range e.envOrder {
		envIdx[en] = i
		for k, n := range en.nodes {
			nodeName[n] = fmt.Sprintf("e%dn%d", i, k)
		}
	}
	instName := map[*instance]string{}
	for _, j := range e.jobOrder {
		for _, t := range j.tasks {
			for _, in := range t.insts {
				instName[in] = fmt.Sprintf("j%d/%s#%d", j.seq, t.spec.Name, in.index)
			}
		}
	}
	sched := func(s *sched) string {
		if !s.queued {
			return "-"
		}
		return rel(s.next).String()
	}
	// The relative position of the queue's entries matters, not only the
	// first one: each entity's own wake-up is part of its line.
	if next, ok := e.nextDue(); ok {
		out.Due = rel(next)
	}
	for _, j := range e.jobOrder {
		aj := AbstractJob{ID: j.id, Index: jobIdx[j], State: j.state, Queued: j.queued, RetryPending: j.retryDue != nil}
		fmt.Fprintf(&b, "J%d %s age=%v q=%s term=%v", j.seq, j.state, age(j.since), sched(&j.sched), j.terminating)
		if j.retryDue != nil {
			fmt.Fprintf(&b, " retry@%v", rel(*j.retryDue))
		}
		b.WriteByte('\n')
		for _, t := range j.tasks {
			at := AbstractTask{Name: t.spec.Name, State: t.state, Queued: t.queued}
			fmt.Fprintf(&b, " T%s %s age=%v q=%s\n", t.spec.Name, t.state, age(t.since), sched(&t.sched))
			for _, in := range t.insts {
				a := in.seen()
				at.Instances = append(at.Instances, in.state)
				fmt.Fprintf(&b, "  I%d %s age=%v q=%s r=%d rr=%d kill=%v lost=%v anon=%v",
					in.index, in.state, age(in.since), sched(&in.sched), in.retry, a.resRetry, in.killReq, in.nodeLost, in.anon)
				if a.retryAt.After(now) {
					fmt.Fprintf(&b, " retryAt=%v", rel(a.retryAt))
				}
				if a.killedAt != nil {
					fmt.Fprintf(&b, " destroy=%v", max(rel(a.destroyAt), 0))
				}
				if a.node != nil {
					fmt.Fprintf(&b, " node=%s", nodeName[a.node])
				}
				if a.code != nil {
					fmt.Fprintf(&b, " code=%d", *a.code)
				}
				if ex := a.ex; ex != nil {
					fmt.Fprintf(&b, " ex[age=%v exited=%v exit=%v code=%d fail=%v to=%v]",
						min(now.Sub(ex.started), e.timeout(t)), ex.exited, max(rel(ex.exitAt), 0), ex.code, ex.fail != "", ex.timedOut)
				}
				b.WriteByte('\n')
			}
			aj.Tasks = append(aj.Tasks, at)
		}
		out.Jobs = append(out.Jobs, aj)
	}
	for _, en := range e.envOrder {
		ae := AbstractEnv{Index: envIdx[en], Desire: en.desired}
		fmt.Fprintf(&b, "E%d desired=%d next=%s q=%s", envIdx[en], en.desired, en.nextAction, sched(&en.sched))
		if en.nextAction != "" {
			fmt.Fprintf(&b, " delAge=%v", age(en.delSince))
		}
		b.WriteByte('\n')
		for _, n := range en.nodes {
			ae.Nodes = append(ae.Nodes, n.state)
			busy := "-"
			if n.busy != nil {
				busy = instName[n.busy]
			}
			fmt.Fprintf(&b, " N%s %s age=%v q=%s %s img=%s busy=%s rec=%d recovered=%v", nodeName[n], n.state, age(n.since),
				sched(&n.sched), n.origin, n.image, busy, n.recreates, n.recovered)
			for _, a := range []*activity{n.createAct, n.termAct} {
				if a != nil {
					fmt.Fprintf(&b, " %s:%s/%v", a.typ, a.state, age(a.since))
				}
			}
			b.WriteByte('\n')
		}
		for _, a := range en.acts {
			ae.Acts = append(ae.Acts, a.state)
		}
		fmt.Fprintf(&b, " acts=%s\n", strings.Join(ae.Acts, ","))
		var ws []string
		for _, in := range en.waiters {
			ws = append(ws, instName[in])
		}
		slices.Sort(ws)
		fmt.Fprintf(&b, " waiters=%s\n", strings.Join(ws, ","))
		out.Envs = append(out.Envs, ae)
	}
	out.key = b.String()
	return out
}

// NextDue is the emulator time until the next queued step (false: nothing
// is queued). With a manual clock, Advance(NextDue()) is the smallest clock
// step after which something can happen.
func (e *Engine) NextDue() (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	t, ok := e.nextDue()
	if !ok {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// ChangeSeq is the sequence number of the latest recorded change (Changes(ChangeSeq())
// returns only what happens afterwards).
func (e *Engine) ChangeSeq() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sync()
	return e.chSeq
}
