package tencentbatch

// Specs of every state and transition item of every documented machine
// (job, task, task-instance, compute-node, activity), checked from the lab's
// observations (states_lab.go): the observed states of every entity form a
// path of the documented machine, the state or transition of the item was
// observed, and against the emulator (which holds each state for at least
// five polling intervals) no state was skipped.

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// The one container of the lab's specs (live-costly: it boots compute
// nodes): the lab runs once in BeforeAll and its resources are deleted after
// the last spec. ContinueOnFailure: each item gets its own verdict.
var _ = Describe("Tencent Batch lifecycles", Ordered, ContinueOnFailure, Label(fixtures.LabelLiveCostly), func() {
	var lab *stLabT
	BeforeAll(func() { lab = stLabFor(harness.T(Dialect)) })
	get := func() *stLabT { return lab }
	stMachineSpecs(get)
	stEventSpecs(get)
	stBehaviourSpecs(get)
})

// stNodeFailure reports whether a state or transition of the compute-node
// machine needs a failing node, which only the emulator's image convention
// can provoke.
func stNodeFailure(machine string, states ...string) bool {
	if machine != stNode {
		return false
	}
	for _, s := range states {
		if s == "CREATION_FAILED" || s == "ABNORMAL" {
			return true
		}
	}
	return false
}

// stLabels labels the specs that only the emulator can provoke.
func stLabels(machine string, states ...string) Labels {
	if stNodeFailure(machine, states...) {
		return Label(fixtures.LabelEmulatorOnly)
	}
	return Label()
}

func stSkipNodeFailure(t *harness.Target, machine string, states ...string) {
	if stNodeFailure(machine, states...) && !t.Emulator {
		Skip("emulator-only: a client cannot make a real compute node fail; the emulator provokes it with the images img-failnode / img-abnormal")
	}
}

// stExpectPaths asserts the path rule for machine m (strict against the
// emulator: nothing skipped).
func stExpectPaths(l *stLabT, t *harness.Target, m *fixtures.Machine) {
	GinkgoHelper()
	probs := stPathProblems(l, m, t.Emulator)
	harness.Evidence(map[string]any{"machine": m.Name, "histories": strings.Split(strings.TrimSpace(stHistories(l, m.Name)), "\n")})
	Expect(probs).To(BeEmpty(), "the observed %s histories do not follow the documented machine:\n  %s%s",
		m.Name, strings.Join(probs, "\n  "), l.problems())
}

// stExtras are further assertions of particular items.
var stExtras = map[string]func(l *stLabT){
	// A DAG runs in dependency order: downstream instances become RUNNABLE
	// only once the upstream task succeeded.
	id(stInstance, fixtures.KindTransition, "PENDING->RUNNABLE"): stExpectDAGOrder,
	id(stTask, fixtures.KindTransition, "PENDING->RUNNABLE"):     stExpectDAGOrder,
	// A RUNNING job is kept: DeleteJob is refused until it is finished
	// (reference §3.1 DeleteJob).
	id(stJob, fixtures.KindState, "RUNNING"): func(l *stLabT) {
		GinkgoHelper()
		v, ok := l.getFact(stScDelRun + ".delete-while-running")
		Expect(ok).To(BeTrue(), "the job of %s never reached RUNNING%s", stScDelRun, l.problems())
		err, _ := v.(error)
		Expect(err).To(HaveOccurred(), "DeleteJob of RUNNING job %s must be refused (reference §3.1: the job and its instances must be finished)", l.job(stScDelRun))
		Expect(stCode(err)).NotTo(BeEmpty(), "DeleteJob of a RUNNING job must be refused with an API error: %v", err)
	},
	// FAILED_INTERRUPTED retains the instance: DeleteJob is refused
	// (reference §3.2 table: UO).
	id(stJob, fixtures.KindState, "FAILED_INTERRUPTED"): func(l *stLabT) {
		GinkgoHelper()
		v, ok := l.getFact(stScInterr + ".delete-while-interrupted")
		Expect(ok).To(BeTrue(), "the INTERRUPT job never reached FAILED_INTERRUPTED%s", l.problems())
		err, _ := v.(error)
		Expect(err).To(HaveOccurred(), "DeleteJob of FAILED_INTERRUPTED job %s must be refused (reference §3.2 table: UO)", l.job(stScInterr))
		Expect(stCode(err)).To(HavePrefix("UnsupportedOperation"), "DeleteJob of a FAILED_INTERRUPTED job: %v", err)
	},
}

func stExpectDAGOrder(l *stLabT) {
	GinkgoHelper()
	l.obs.mu.Lock()
	viol, ok := append([]string(nil), l.obs.dag...), l.obs.dagOK
	l.obs.mu.Unlock()
	Expect(viol).To(BeEmpty(), "a downstream task started before its upstream task succeeded:\n  %s", strings.Join(viol, "\n  "))
	Expect(ok).To(BeNumerically(">", 0), "no snapshot showed a downstream task active: the DAG order was not observed%s", l.problems())
}

func stMachineSpecs(lab func() *stLabT) {
	for i := range cat.Machines {
		m := &cat.Machines[i]
		Describe("machine "+m.Name, func() {
			for _, st := range m.States {
				harness.It(fmt.Sprintf("shows %s %s on a documented path", m.Name, st.Name), harness.Items(st.ID), stLabels(m.Name, st.Name), func() {
					t := harness.T(Dialect)
					stSkipNodeFailure(t, m.Name, st.Name)
					l := lab()
					harness.Check(st.ID)
					stExpectPaths(l, t, m)
					where, ok := stObserved(l, m.Name, st.Name, "")
					Expect(ok).To(BeTrue(), "no %s was observed in state %s (%s)\nobserved:%s%s",
						m.Name, st.Name, st.Title, stHistories(l, m.Name), l.problems())
					GinkgoWriter.Println("observed:", where)
					if x := stExtras[st.ID]; x != nil {
						x(l)
					}
				})
			}
			for _, tr := range m.Transitions {
				harness.It(fmt.Sprintf("moves %s %s -> %s (%s)", m.Name, tr.From, tr.To, tr.Trigger), harness.Items(tr.ID), stLabels(m.Name, tr.From, tr.To), func() {
					t := harness.T(Dialect)
					stSkipNodeFailure(t, m.Name, tr.From, tr.To)
					l := lab()
					harness.Check(tr.ID)
					stExpectPaths(l, t, m)
					where, ok := stObserved(l, m.Name, tr.From, tr.To)
					Expect(ok).To(BeTrue(), "no %s was observed moving %s -> %s (trigger provoked: %s)\nobserved:%s%s",
						m.Name, tr.From, tr.To, tr.Trigger, stHistories(l, m.Name), l.problems())
					GinkgoWriter.Println("observed:", where)
					if x := stExtras[tr.ID]; x != nil {
						x(l)
					}
				})
			}
		})
	}
}
