package alibatch

// Specs of every state and transition item of the five machines (job, task,
// instance, cluster, cluster-instance), checked from one lab of scenarios
// observed by polling at the target's interval: a DAG job that finishes, a
// job that fails and is started again, a job stopped while Waiting and
// started again, a job stopped while Running, a cluster whose instance is
// recreated (replaced) and deleted, a cluster deleted, and a cluster
// deleted while its VM boots and a job waits for it. Every observed change of
// state must be a documented transition (a state item fails if its state is
// entered by an undocumented move); every state and transition item needs
// its observation.

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// stLab records what the polls saw.
type stLab struct {
	mu     sync.Mutex
	hold   time.Duration              // the longest gap between two looks that cannot miss a state
	seenAt map[string]time.Time       // entity key -> time of the last look
	gaps   map[string]map[string]int  // machine -> "FROM->TO" seen across a longer gap (a state may be missed)
	last   map[string]string          // entity key -> last state seen
	states map[string]map[string]bool // machine -> states seen
	moves  map[string]map[string]int  // machine -> "FROM->TO" -> count
	trail  map[string][]string        // entity key -> states in order (evidence)
	rounds []string                   // each round's wall time and what it left missing (evidence)
	// onSee feeds every observation to the states-move breaker
	// (harness/breaker.go).
	onSee func(key, state string)
}

// newSTLab: hold is the emulator's documented minimum (five polling
// intervals): two looks closer than that cannot miss a state between them.
func newSTLab(hold time.Duration) *stLab {
	return &stLab{hold: hold, seenAt: map[string]time.Time{}, gaps: map[string]map[string]int{},
		last: map[string]string{}, states: map[string]map[string]bool{}, moves: map[string]map[string]int{}, trail: map[string][]string{}}
}

// see records one observation of an entity of a machine.
func (l *stLab) see(machine, entity, state string, lookStart time.Time) {
	if state == "" {
		return
	}
	key := machine + " " + entity
	if l.onSee != nil {
		l.onSee(key, state)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.states[machine] == nil {
		l.states[machine] = map[string]bool{}
		l.moves[machine] = map[string]int{}
	}
	l.states[machine][state] = true
	prev, ok := l.last[key]
	// The server answered some time between the previous look's start and
	// this look's end: that span bounds the real gap.
	now := time.Now()
	if ok && prev != state {
		// A change seen across a gap longer than the hold (a slow poll on a
		// loaded machine) may hide a state in between: it counts as a path,
		// not as one observed transition.
		if now.Sub(l.seenAt[key]) > l.hold {
			if l.gaps[machine] == nil {
				l.gaps[machine] = map[string]int{}
			}
			l.gaps[machine][prev+"->"+state]++
		} else {
			l.moves[machine][prev+"->"+state]++
		}
	}
	l.seenAt[key] = lookStart
	if !ok || prev != state {
		l.trail[key] = append(l.trail[key], state)
	}
	l.last[key] = state
}

func (l *stLab) trailOf(machine, entity string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.trail[machine+" "+entity]...)
}

func (l *stLab) lastOf(machine, entity string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last[machine+" "+entity]
}

// observeJob starts background observers of a job: one loop each for the
// job, its task list and each task's instance list, every polling interval,
// so no loop takes longer than the emulator's hold time (five intervals)
// and no state is missed. stop ends them.
func (l *stLab) observeJob(t *harness.Target, jobID string, tasks []string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	loop := func(f func()) {
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			for {
				f()
				select {
				case <-done:
					f() // one last look after the scenario's end
					return
				case <-time.After(t.PollInterval()):
				}
			}
		}()
	}
	loop(func() {
		start := time.Now()
		r := callJSON(t, "GetJob", map[string]string{"JobId": jobID}, nil, nil)
		var j struct{ State string }
		if r.Status == 200 && json.Unmarshal(r.Body, &j) == nil {
			l.see("job", jobID, j.State, start)
		}
	})
	loop(func() {
		start := time.Now()
		r := callJSON(t, "ListTasks", map[string]string{"JobId": jobID}, map[string]string{"MaxItemCount": "100"}, nil)
		var ts struct {
			Items []struct{ TaskName, State string }
		}
		if r.Status == 200 && json.Unmarshal(r.Body, &ts) == nil {
			for _, tk := range ts.Items {
				l.see("task", jobID+"/"+tk.TaskName, tk.State, start)
			}
		}
	})
	for _, task := range tasks {
		task := task
		loop(func() {
			start := time.Now()
			r := callJSON(t, "ListInstances", map[string]string{"JobId": jobID, "TaskName": task}, map[string]string{"MaxItemCount": "100"}, nil)
			var is struct {
				Items []struct {
					InstanceId json.Number
					State      string
				}
			}
			if r.Status == 200 && json.Unmarshal(r.Body, &is) == nil {
				for _, in := range is.Items {
					l.see("instance", jobID+"/"+task+"/"+in.InstanceId.String(), in.State, start)
				}
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

// observeCluster starts background observers of a cluster: its state,
// its group1 instance list, and every instance once listed read one by one
// (Deleting and Deleted instances may leave the list). known returns the
// instance IDs seen so far.
func (l *stLab) observeCluster(t *harness.Target, clusterID string) (known func() []string, stop func()) {
	done := make(chan struct{})
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids []string
	)
	known = func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), ids...) }
	loop := func(f func()) {
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			for {
				f()
				select {
				case <-done:
					f()
					return
				case <-time.After(t.PollInterval()):
				}
			}
		}()
	}
	loop(func() {
		start := time.Now()
		r := callJSON(t, "GetCluster", map[string]string{"ClusterId": clusterID}, nil, nil)
		var c struct{ State string }
		if r.Status == 200 && json.Unmarshal(r.Body, &c) == nil {
			l.see("cluster", clusterID, c.State, start)
		}
	})
	// Each instance, once listed, gets a loop of its own (Deleting and
	// Deleted instances may leave the list).
	instanceLoop := func(id string) {
		loop(func() {
			start := time.Now()
			r := callJSON(t, "GetClusterInstance", map[string]string{"ClusterId": clusterID, "GroupName": "group1", "InstanceId": id}, nil, nil)
			var in struct{ State string }
			if r.Status == 200 && json.Unmarshal(r.Body, &in) == nil {
				l.see("cluster-instance", id, in.State, start)
			}
		})
	}
	loop(func() {
		r := callJSON(t, "ListClusterInstances", map[string]string{"ClusterId": clusterID, "GroupName": "group1"}, map[string]string{"MaxItemCount": "100"}, nil)
		var is struct{ Items []struct{ Id, State string } }
		if r.Status != 200 || json.Unmarshal(r.Body, &is) != nil {
			return
		}
		for _, in := range is.Items {
			// The list only discovers instances: each one's states come from
			// its own loop alone, so no two looks of one instance can arrive
			// out of order.
			mu.Lock()
			isNew := !contains(ids, in.Id)
			if isNew {
				ids = append(ids, in.Id)
			}
			mu.Unlock()
			select {
			case <-done:
			default:
				if isNew {
					instanceLoop(in.Id)
				}
			}
		}
	})
	return known, func() { close(done); wg.Wait() }
}

// watch polls until done returns true or the timeout passes, or the target
// is recognised as one whose resources never move (the breaker's message is
// the error then: waiting on would prove nothing more).
func watch(t *harness.Target, timeout time.Duration, observe func(), done func() bool) error {
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		observe()
		if done() {
			return nil
		}
		if err := t.Stalled(); err != nil {
			return err
		}
		time.Sleep(t.PollInterval())
	}
	return fmt.Errorf("not done within %s", timeout)
}

func terminal(s string) bool { return s == "Finished" || s == "Failed" || s == "Stopped" }

// runLab runs the scenarios (at once: runLabOnce) and returns what they saw and the
// scenarios' own failures.
func runLab(t *harness.Target, w *world) (*stLab, []string) {
	// The emulator's documented hold (engine Timing.Hold, 120 ms: six
	// polling intervals of 20 ms) is the longest gap that cannot miss a state.
	l := newSTLab(6 * t.PollInterval())
	l.onSee = t.ObserveState
	var errs []string
	// On a loaded machine a look may take longer than the hold, and a move
	// seen across it proves no transition: the scenarios run again (into
	// the same lab) until every documented transition was seen directly.
	// The first round runs them at once (1.5 s instead of 5 s); the next
	// ones, at most five, one after another as they always did: fewer
	// observers polling at once keep every look within the hold on a loaded
	// machine or under -race, where concurrent rounds kept missing a
	// transition (five rounds at load 11 under -race).
	for round := 0; round < 6; round++ {
		var settledWrong bool
		start := time.Now()
		errs, settledWrong = runLabOnce(t, w, l, round == 0)
		l.rounds = append(l.rounds, fmt.Sprintf("%v (concurrent %v): %d transitions not yet seen directly, %d scenario failures",
			time.Since(start).Round(time.Millisecond), round == 0, l.missing(), len(errs)))
		if len(errs) == 0 && l.missing() == 0 {
			break
		}
		if settledWrong && round > 0 {
			// A job that ended in another end state than its scenario's
			// stays there until a client acts: no round can change that,
			// and the rounds only repeated it (ali-stopped-as-failed: five
			// rounds, 25 s of the mutation gate, 117 s under --full). The
			// concurrent round alone may have been too slow for a scenario
			// (lab-gone's job may run before its cluster is deleted): one
			// serial round decides.
			break
		}
		if err := t.Stalled(); err != nil {
			// Another round would wait on resources that never move.
			errs = append(errs, err.Error())
			break
		}
	}
	return l, errs
}

// missing counts the documented transitions not yet seen directly.
func (l *stLab) missing() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range cat.Machines {
		for _, tr := range m.Transitions {
			if l.moves[m.Name][tr.From+"->"+tr.To] == 0 {
				n++
			}
		}
	}
	return n
}

// It also reports whether a job ended in an end state its scenario did not
// expect (settledWrong: not a state a slow look missed).
func runLabOnce(t *harness.Target, w *world, l *stLab, concurrent bool) (errs []string, settledWrong bool) {
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	// jobOn runs fn on a new job from the world's body with every task's
	// command replaced, on the cluster clusterID ("": the body's
	// AutoCluster), observed throughout.
	jobOn := func(tag, command, clusterID string, fn func(id string)) {
		if t.Stalled() != nil {
			return // the round's caller reports the breaker's message once
		}
		b := generators.CloneMap(w.bodies["CreateJob"])
		b["Name"] = t.Name("lab-"+tag, 64)
		setCommand(b, command)
		if clusterID != "" {
			tasks := harness.Obj(b, "DAG.Tasks")
			for name := range tasks {
				task := harness.Obj(tasks, name)
				delete(task, "AutoCluster")
				task["ClusterId"] = clusterID
			}
		}
		r := callJSON(t, "CreateJob", nil, nil, b)
		if r.Status != 201 {
			fail("%s: CreateJob: %d %s", tag, r.Status, r.Body)
			return
		}
		id := idOf(r)
		DeferCleanup(func() { w.deleteJob(id) })
		stop := l.observeJob(t, id, []string{"A", "B"})
		defer stop()
		fn(id)
	}
	// Concurrent scenarios: one after another they take 5 s of the run
	// (each mostly waits out its holds). A look slower than the hold (more
	// observers poll at once, and a loaded machine or -race slows them)
	// only records a gap, not a transition: the round runs again (runLab),
	// serially, until every transition was seen directly.
	scenario := func(f func()) {
		if !concurrent {
			f()
			return
		}
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			f()
		}()
	}
	job := func(tag, command string, fn func(id string)) {
		scenario(func() { jobOn(tag, command, "", fn) })
	}
	// The observers run in the background: waiting only looks.
	observe := func(string) func() { return func() {} }
	// until is done when the job is in one of states — or in an end state
	// that is not one of them: an end state stays until a client acts, so
	// waiting on is pointless (a job that fails where it should stop is
	// judged now, not after the timeout).
	until := func(id string, states ...string) func() bool {
		return func() bool { s := l.lastOf("job", id); return contains(states, s) || terminal(s) }
	}
	step := func(tag, id string, timeout time.Duration, states ...string) bool {
		err := watch(t, timeout, observe(id), until(id, states...))
		if last := l.lastOf("job", id); err != nil || !contains(states, last) {
			fail("%s: job %s never reached %v (last %q): %v", tag, id, states, last, err)
			if err == nil && terminal(last) {
				mu.Lock()
				settledWrong = true
				mu.Unlock()
			}
			return false
		}
		return true
	}
	act := func(tag, action, id string) bool {
		r := callJSON(t, action, map[string]string{"JobId": id}, nil, nil)
		if r.Status != 201 {
			fail("%s: %s: %d %s", tag, action, r.Status, r.Body)
			return false
		}
		return true
	}
	job("finish", "echo lab", func(id string) { step("finish", id, 120*time.Second, "Finished", "Failed") })
	// changed waits for the job to leave a state it is in now.
	changed := func(tag, id, from string) bool {
		if err := watch(t, 60*time.Second, observe(id), func() bool { return l.lastOf("job", id) != from }); err != nil {
			fail("%s: job %s stayed %s", tag, id, from)
			return false
		}
		return true
	}
	job("fail", "exit 3", func(id string) {
		if step("fail", id, 120*time.Second, "Failed") && act("fail", "StartJob", id) && changed("fail", id, "Failed") {
			step("fail", id, 60*time.Second, "Failed", "Finished")
		}
	})
	job("stop-waiting", "sleep 20", func(id string) {
		if act("stop-waiting", "StopJob", id) && step("stop-waiting", id, 60*time.Second, "Stopped") && act("stop-waiting", "StartJob", id) && changed("stop-waiting", id, "Stopped") {
			step("stop-waiting", id, 60*time.Second, "Waiting", "Running")
			callJSON(t, "StopJob", map[string]string{"JobId": id}, nil, nil)
			step("stop-waiting", id, 60*time.Second, "Stopped")
		}
	})
	job("stop-running", "sleep 20", func(id string) {
		// Task A runs first (A before B): stop once an instance of A runs.
		err := watch(t, 120*time.Second, observe(id), func() bool {
			return l.lastOf("instance", id+"/A/0") == "Running" && l.lastOf("job", id) == "Running" && l.lastOf("task", id+"/A") == "Running"
		})
		if err != nil {
			fail("stop-running: instance A/0, task A and the job never seen Running together")
			return
		}
		if act("stop-running", "StopJob", id) {
			step("stop-running", id, 60*time.Second, "Stopped")
		}
	})
	scenario(func() {
		if t.Stalled() != nil {
			return
		}
		cid := w.newCluster("lab-cluster", 1)
		known, stop := l.observeCluster(t, cid)
		defer stop()
		obs := func() {}
		running := func() string {
			for _, id := range known() {
				if l.lastOf("cluster-instance", id) == "Running" {
					return id
				}
			}
			return ""
		}
		if watch(t, 120*time.Second, obs, func() bool { return running() != "" }) != nil {
			fail("lab-cluster: no instance Running")
			return
		}
		inst := running()
		p := map[string]string{"ClusterId": cid, "GroupName": "group1", "InstanceId": inst}
		if r := callJSON(t, "RecreateClusterInstance", p, nil, nil); r.Status != 201 {
			fail("RecreateClusterInstance: %d %s", r.Status, r.Body)
			return
		}
		// The VM is replaced: the old instance goes, a new one boots.
		old := inst
		if watch(t, 120*time.Second, obs, func() bool { r := running(); return r != "" && r != old }) != nil {
			fail("lab-cluster: no instance ran in place of the recreated %s", old)
			return
		}
		inst = running()
		p["InstanceId"] = inst
		if r := callJSON(t, "DeleteClusterInstance", p, nil, nil); r.Status != 202 {
			fail("DeleteClusterInstance: %d %s", r.Status, r.Body)
			return
		}
		if watch(t, 120*time.Second, obs, func() bool { return l.lastOf("cluster-instance", inst) == "Deleted" }) != nil {
			fail("lab-cluster: the deleted instance never showed Deleted (trail %v)", l.trailOf("cluster-instance", inst))
		}
		if r := callJSON(t, "DeleteCluster", map[string]string{"ClusterId": cid}, nil, nil); r.Status != 204 {
			fail("DeleteCluster: %d %s", r.Status, r.Body)
			return
		}
		if watch(t, 30*time.Second, obs, func() bool { return l.lastOf("cluster", cid) == "Deleting" }) != nil {
			fail("lab-cluster: the deleted cluster was never seen Deleting")
		}
	})
	// A job waiting on a cluster whose only VM still boots, and the cluster
	// deleted under it: the booting instance goes Starting -> Deleting, and
	// the job, none of whose instances got a VM, fails unrun (Waiting ->
	// Failed; both inferred, found by the statecheck). Were the VM to run
	// the job first, this round shows neither and the lab runs again.
	scenario(func() {
		if t.Stalled() != nil {
			return
		}
		cid := w.newCluster("lab-gone", 1)
		known, stop := l.observeCluster(t, cid)
		defer stop()
		obs := func() {}
		starting := func() bool {
			for _, id := range known() {
				if l.lastOf("cluster-instance", id) == "Starting" {
					return true
				}
			}
			return false
		}
		if watch(t, 120*time.Second, obs, starting) != nil {
			fail("lab-gone: no instance seen Starting")
			return
		}
		jobOn("gone", "echo lab", cid, func(id string) {
			if r := callJSON(t, "DeleteCluster", map[string]string{"ClusterId": cid}, nil, nil); r.Status != 204 {
				fail("lab-gone: DeleteCluster: %d %s", r.Status, r.Body)
				return
			}
			step("gone", id, 120*time.Second, "Failed")
		})
	})
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return errs, settledWrong
}

var _ = Describe("Alibaba BatchCompute lifecycles", Ordered, ContinueOnFailure, Label(fixtures.LabelLiveCostly), func() {
	if !selected() {
		return
	}
	var (
		lab    *stLab
		errs   []string
		target *harness.Target
	)
	BeforeAll(func() {
		t := harness.T(Dialect)
		target = t
		lab, errs = runLab(t, newWorld(t, "lab"))
		trail, _ := json.Marshal(lab.trail)
		harness.Evidence(map[string]any{"lab_trails": json.RawMessage(trail), "scenario_failures": errs, "lab_rounds": lab.rounds})
	})
	for mi := range cat.Machines {
		m := cat.Machines[mi]
		for _, s := range m.States {
			s := s
			harness.It(s.ID, harness.Items(s.ID), func() {
				harness.Check(s.ID)
				Expect(lab.states[m.Name][s.Name]).To(BeTrue(), "no %s was seen in state %s (scenario failures: %v)", m.Name, s.Name, errs)
				var bad []string
				for mv := range lab.gaps[m.Name] {
					var from, to string
					fmt.Sscanf(fmtMove(mv), "%s %s", &from, &to)
					if to == s.Name && !reachable(&m, from, to) {
						bad = append(bad, mv+" (across a slow poll)")
					}
				}
				for mv := range lab.moves[m.Name] {
					var from, to string
					fmt.Sscanf(fmtMove(mv), "%s %s", &from, &to)
					// Against the emulator (which holds each state for five
					// polling intervals) every move must be one transition;
					// elsewhere a documented path is enough.
					if to == s.Name && !m.HasTransition(from, to) && (target.Emulator || !reachable(&m, from, to)) {
						bad = append(bad, mv)
					}
				}
				sort.Strings(bad)
				Expect(bad).To(BeEmpty(), "%s entered %s by undocumented moves", m.Name, s.Name)
			})
		}
		for _, tr := range m.Transitions {
			tr := tr
			harness.It(tr.ID, harness.Items(tr.ID), func() {
				harness.Check(tr.ID)
				Expect(lab.moves[m.Name][tr.From+"->"+tr.To]).To(BeNumerically(">", 0),
					"no %s was seen moving %s -> %s (%s); moves seen: %v; scenario failures: %v", m.Name, tr.From, tr.To, tr.Trigger, lab.moves[m.Name], errs)
			})
		}
	}
})

// fmtMove turns "A->B" into "A B" for scanning.
func fmtMove(mv string) string {
	for i := 0; i+1 < len(mv); i++ {
		if mv[i] == '-' && mv[i+1] == '>' {
			return mv[:i] + " " + mv[i+2:]
		}
	}
	return mv
}

// reachable reports whether the machine has a path from -> to.
func reachable(m *fixtures.Machine, from, to string) bool {
	seen := map[string]bool{from: true}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, tr := range m.Transitions {
			if tr.From == cur && !seen[tr.To] {
				if tr.To == to {
					return true
				}
				seen[tr.To] = true
				queue = append(queue, tr.To)
			}
		}
	}
	return false
}
