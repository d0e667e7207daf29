package tencentbatch

// Specs of every notification event item: the lab's jobs subscribe to all
// twelve job events (SubmitJob Notifications) and its environments to all
// seven environment and node events (CreateComputeEnv Notifications); each
// event must be recorded once per observed entry into its state. Locally the
// emulator's admin API is the only window on notifications, so these specs
// are emulator-only.

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// stEventSource names the lab scenario whose resource fires ev.
func stEventSource(ev fixtures.Event) (scenario string, env bool) {
	switch ev.Machine {
	case stJob, stTask, stInstance:
		switch ev.State {
		case "FAILED":
			return stScDAGFail, false
		case "FAILED_INTERRUPTED":
			return stScInterr, false
		}
		return stScDAG, false
	}
	switch ev.State {
	case "CREATION_FAILED":
		return stScEnvFail, true
	case "ABNORMAL":
		return stScEnvAbn, true
	}
	return stScEnvMain, true
}

// stEntries counts how often the entities of machine under resource entered
// state (the compute-env machine is not observed: it enters each state once).
func stEntries(l *stLabT, machine, resource, state string) int {
	if machine == "compute-env" {
		return 1
	}
	n := 0
	hs, _ := l.histories(machine)
	for _, e := range hs {
		if e.Key != resource && !strings.HasPrefix(e.Key, resource+"/") {
			continue
		}
		for _, s := range e.States {
			if s == state {
				n++
			}
		}
	}
	return n
}

func stEventSpecs(lab func() *stLabT) {
	Describe("notifications", func() {
		for _, ev := range cat.Events {
			harness.It("records "+ev.Name+" for a subscribed "+ev.Machine+" entering "+ev.State, harness.Items(ev.ID), Label(fixtures.LabelEmulatorOnly), func() {
				t := harness.T(Dialect)
				t.RequireEmulator()
				l := lab()
				scen, isEnv := stEventSource(ev)
				res := l.job(scen)
				if isEnv {
					res = l.env(scen)
				}
				harness.Check(ev.ID)
				Expect(res).NotTo(BeEmpty(), "scenario %s created no resource%s", scen, l.problems())
				evs, err := t.Events(res, ev.Name)
				Expect(err).NotTo(HaveOccurred())
				harness.Evidence(map[string]any{"resource": res, "events": evs})
				want := stEntries(l, ev.Machine, res, ev.State)
				Expect(want).To(BeNumerically(">", 0), "scenario %s: no %s of %s was observed entering %s%s", scen, ev.Machine, res, ev.State, l.problems())
				// (A scenario that did not complete stopped observing: the
				// count may fall short; problems says so.)
				Expect(evs).To(HaveLen(want), "%s (scenario %s) subscribed to %s and was observed entering %s %d time(s); notifications recorded: %+v%s",
					res, scen, ev.Name, ev.State, want, evs, l.problems())
				for _, e := range evs {
					Expect(e.Topic).To(Equal(stTopic), "the notification goes to the subscribed topic")
					Expect(e.Vars).To(ContainElement(engine.KV{Name: "bc", Value: ev.Name}), "the notification carries the subscription's EventVars")
				}
			})
		}
	})
}
