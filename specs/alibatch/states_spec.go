package alibatch

// Specs of every state and transition item of the five machines (job, task,
// instance, cluster, cluster-instance), checked from one lab of scenarios
// observed by polling at the target's interval: a DAG job that finishes, a
// job that fails and is started again, a job stopped while Waiting and
// started again, a job stopped while Running, a cluster whose instance is
// recreated (replaced) and deleted, and a cluster deleted. Every observed change of
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
	last   map[string]string          // entity key -> last state seen
	states map[string]map[string]bool // machine -> states seen
	moves  map[string]map[string]int  // machine -> "FROM->TO" -> count
	trail  map[string][]string        // entity key -> states in order (evidence)
}

func newSTLab() *stLab {
	return &stLab{last: map[string]string{}, states: map[string]map[string]bool{}, moves: map[string]map[string]int{}, trail: map[string][]string{}}
}

// see records one observation of an entity of a machine.
func (l *stLab) see(machine, entity, state string) {
	if state == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := machine + " " + entity
	if l.states[machine] == nil {
		l.states[machine] = map[string]bool{}
		l.moves[machine] = map[string]int{}
	}
	l.states[machine][state] = true
	prev, ok := l.last[key]
	if ok && prev != state {
		l.moves[machine][prev+"->"+state]++
	}
	if !ok || prev != state {
		l.trail[key] = append(l.trail[key], state)
	}
	l.last[key] = state
}

func (l *stLab) lastOf(machine, entity string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last[machine+" "+entity]
}

// observeJob polls a job, its tasks and their instances once.
func (l *stLab) observeJob(t *harness.Target, jobID string) {
	r := callJSON(t, "GetJob", map[string]string{"JobId": jobID}, nil, nil)
	var j struct{ State string }
	if r.Status == 200 && json.Unmarshal(r.Body, &j) == nil {
		l.see("job", jobID, j.State)
	}
	r = callJSON(t, "ListTasks", map[string]string{"JobId": jobID}, map[string]string{"MaxItemCount": "100"}, nil)
	var ts struct {
		Items []struct{ TaskName, State string }
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &ts) != nil {
		return
	}
	for _, tk := range ts.Items {
		l.see("task", jobID+"/"+tk.TaskName, tk.State)
		r := callJSON(t, "ListInstances", map[string]string{"JobId": jobID, "TaskName": tk.TaskName}, map[string]string{"MaxItemCount": "100"}, nil)
		var is struct {
			Items []struct {
				InstanceId json.Number
				State      string
			}
		}
		if r.Status == 200 && json.Unmarshal(r.Body, &is) == nil {
			for _, in := range is.Items {
				l.see("instance", jobID+"/"+tk.TaskName+"/"+in.InstanceId.String(), in.State)
			}
		}
	}
}

// observeCluster polls a cluster and its group1 instances once.
func (l *stLab) observeCluster(t *harness.Target, clusterID string, known []string) []string {
	r := callJSON(t, "GetCluster", map[string]string{"ClusterId": clusterID}, nil, nil)
	var c struct{ State string }
	if r.Status == 200 && json.Unmarshal(r.Body, &c) == nil {
		l.see("cluster", clusterID, c.State)
	}
	r = callJSON(t, "ListClusterInstances", map[string]string{"ClusterId": clusterID, "GroupName": "group1"}, map[string]string{"MaxItemCount": "100"}, nil)
	var is struct{ Items []struct{ Id, State string } }
	if r.Status == 200 && json.Unmarshal(r.Body, &is) == nil {
		for _, in := range is.Items {
			l.see("cluster-instance", in.Id, in.State)
			if !contains(known, in.Id) {
				known = append(known, in.Id)
			}
		}
	}
	// Instances that left the list are read one by one (Deleting, Deleted).
	for _, id := range known {
		r := callJSON(t, "GetClusterInstance", map[string]string{"ClusterId": clusterID, "GroupName": "group1", "InstanceId": id}, nil, nil)
		var in struct{ State string }
		if r.Status == 200 && json.Unmarshal(r.Body, &in) == nil {
			l.see("cluster-instance", id, in.State)
		}
	}
	return known
}

// watch polls until done returns true or the timeout passes.
func watch(t *harness.Target, timeout time.Duration, observe func(), done func() bool) error {
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		observe()
		if done() {
			return nil
		}
		time.Sleep(t.PollInterval())
	}
	return fmt.Errorf("not done within %s", timeout)
}

func terminal(s string) bool { return s == "Finished" || s == "Failed" || s == "Stopped" }

// runLab runs the scenarios concurrently and returns what they saw and the
// scenarios' own failures.
func runLab(t *harness.Target, w *world) (*stLab, []string) {
	l := newSTLab()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	job := func(tag, command string, fn func(id string)) {
		b := generators.CloneMap(w.bodies["CreateJob"])
		b["Name"] = t.Name("lab-"+tag, 64)
		for _, task := range b["DAG"].(map[string]any)["Tasks"].(map[string]any) {
			task.(map[string]any)["Parameters"].(map[string]any)["Command"].(map[string]any)["CommandLine"] = command
		}
		r := callJSON(t, "CreateJob", nil, nil, b)
		if r.Status != 201 {
			fail("%s: CreateJob: %d %s", tag, r.Status, r.Body)
			return
		}
		id := idOf(r)
		DeferCleanup(func() { w.deleteJob(id) })
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			fn(id)
		}()
	}
	observe := func(id string) func() { return func() { l.observeJob(t, id) } }
	until := func(id string, states ...string) func() bool {
		return func() bool { return contains(states, l.lastOf("job", id)) }
	}
	step := func(tag, id string, timeout time.Duration, states ...string) bool {
		if err := watch(t, timeout, observe(id), until(id, states...)); err != nil {
			fail("%s: job %s never reached %v (last %q)", tag, id, states, l.lastOf("job", id))
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
		l.observeJob(t, id)
		if act("stop-waiting", "StopJob", id) && step("stop-waiting", id, 60*time.Second, "Stopped") && act("stop-waiting", "StartJob", id) && changed("stop-waiting", id, "Stopped") {
			step("stop-waiting", id, 60*time.Second, "Waiting", "Running")
			callJSON(t, "StopJob", map[string]string{"JobId": id}, nil, nil)
			step("stop-waiting", id, 60*time.Second, "Stopped")
		}
	})
	job("stop-running", "sleep 20", func(id string) {
		// Task A runs first (A before B): stop once an instance of A runs.
		err := watch(t, 120*time.Second, observe(id), func() bool { return l.lastOf("instance", id+"/A/0") == "Running" })
		if err != nil {
			fail("stop-running: instance A/0 never Running")
			return
		}
		if act("stop-running", "StopJob", id) {
			step("stop-running", id, 60*time.Second, "Stopped")
		}
	})
	wg.Add(1)
	go func() {
		defer GinkgoRecover()
		defer wg.Done()
		cid := w.newCluster("lab-cluster", 1)
		var known []string
		obs := func() { known = l.observeCluster(t, cid, known) }
		running := func() string {
			for _, id := range known {
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
			fail("lab-cluster: the deleted instance never showed Deleted (trail %v)", l.trail["cluster-instance "+inst])
		}
		if r := callJSON(t, "DeleteCluster", map[string]string{"ClusterId": cid}, nil, nil); r.Status != 204 {
			fail("DeleteCluster: %d %s", r.Status, r.Body)
			return
		}
		obs()
	}()
	wg.Wait()
	return l, errs
}

var _ = Describe("Alibaba BatchCompute lifecycles", Ordered, ContinueOnFailure, Label(fixtures.LabelLiveCostly), func() {
	if !selected() {
		return
	}
	var (
		lab  *stLab
		errs []string
	)
	BeforeAll(func() {
		t := harness.T(Dialect)
		lab, errs = runLab(t, newWorld(t, "lab"))
		trail, _ := json.Marshal(lab.trail)
		harness.Evidence(map[string]any{"lab_trails": json.RawMessage(trail), "scenario_failures": errs})
	})
	for mi := range cat.Machines {
		m := cat.Machines[mi]
		for _, s := range m.States {
			s := s
			harness.It(s.ID, harness.Items(s.ID), func() {
				harness.Check(s.ID)
				Expect(lab.states[m.Name][s.Name]).To(BeTrue(), "no %s was seen in state %s (scenario failures: %v)", m.Name, s.Name, errs)
				var bad []string
				for mv := range lab.moves[m.Name] {
					var from, to string
					fmt.Sscanf(fmtMove(mv), "%s %s", &from, &to)
					if to == s.Name && !m.HasTransition(from, to) {
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
