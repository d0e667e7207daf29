package tencentbatch

// The fuzz properties (catalog items of kind property) get their verdicts
// here from a short, fixed-seed pass of the fuzzer (package fuzz): every
// stateless property per action, the signature and secret properties and the
// stateful model. The pass records every failing case without shrinking;
// `batchconform fuzz` explores longer and shrinks failures to replay files.
//
// Against the embedded emulator the pass uses emulators of its own
// (simulated executor, manual clock: the stateful model needs to move time
// and to own its tenant), with the run's faults switched on. Against another
// endpoint the stateless properties run through the harness target (what
// they create is deleted afterwards); the stateful model is skipped there,
// because its checks of states and counts need a clock it can move and a
// tenant of its own.

import (
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fuzz"
	"github.com/batchconform/batchconform/specs/harness"
)

// propPassOptions are the fixed-seed pass's sizes (stateful: the model runs
// only where it can own a tenant and move the clock), scaled by the run's
// property budget (harness/passbudget.go; the default is the full pass).
func propPassOptions(stateful bool) fuzz.PassOptions {
	b := harness.PropertyBudget()
	return fuzz.PassOptions{Seed: 20261123, PerAction: b.Scale(20), PerRule: 1, Checks: b.Scale(60), Sequences: b.Sequences, Stateful: stateful}
}

// propEmbeddedPass is the pass against the embedded emulator's faults, on
// emulators of its own: it needs nothing of the run's target, so a whole run
// starts it at once and it runs alongside the waiting specs
// (harness.NewBackground); otherwise the BeforeAll below runs it.
var propEmbeddedPass = harness.NewBackground(Dialect, "Tencent Batch fuzz pass", func(*harness.Target) (*fuzz.PassResult, error) {
	return fuzz.NewSuite(cat).Pass(fuzz.Embedded{Faults: harness.EmbeddedFaults()}, propPassOptions(true))
})

// The container runs after every other (SpecPriority -1; the others keep
// their random order): a pass started in the background has had the whole
// run to finish by then.
var _ = Describe("Tencent Batch fuzz properties (short fixed-seed pass)", Ordered, ContinueOnFailure, SpecPriority(-1), func() {
	suite := fuzz.NewSuite(cat)
	var (
		res      *fuzz.PassResult
		embedded bool
	)
	BeforeAll(func(ctx SpecContext) {
		t := harness.T(Dialect)
		embedded = t.Embedded || t.Emulator
		var fac fuzz.Factory
		switch {
		case t.Embedded:
			var err error
			res, err = propEmbeddedPass.Result(ctx, t)
			Expect(err).NotTo(HaveOccurred())
			return
		case t.Emulator:
			// A separately started emulator (`batchconform emulate`): its
			// admin API gives every case a tenant of its own (so totals and
			// pages are compared with the model) and tells the state hold
			// and whether its clock can be moved.
			fac = newTenantFactory(t)
		default:
			ep := fuzz.NewEndpoint(t)
			fac = ep
			DeferCleanup(func() {
				// Slices of the 2-minute bound, so a target recognised as
				// stuck meanwhile does not hold the run for all of it (what
				// is left then is sweep's).
				for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); {
					if len(ep.Client().Cleanup(5*time.Second)) == 0 || t.Stalled() != nil {
						break
					}
				}
			})
		}
		var err error
		res, err = suite.Pass(fac, propPassOptions(t.Emulator))
		Expect(err).NotTo(HaveOccurred())
	})

	verdict := func(item string) {
		harness.Check(item)
		Expect(res).NotTo(BeNil(), "the pass did not run")
		fs := res.Findings[item]
		Expect(fs).To(BeEmpty(), "%s", describeFindings(fs))
		Expect(res.Exercised[item]).To(BeNumerically(">", 0), "the pass generated no case for %s", item)
	}

	for _, p := range cat.Properties {
		p := p
		text := p.Subject + " " + p.Detail + ": " + p.Title
		if len(text) > 140 {
			text = text[:140]
		}
		harness.It(text, harness.Items(p.ID), func() {
			if p.Subject == "model" && !embedded {
				Skip("the stateful model compares the target's totals and pages with its own, so every sequence needs an account that holds nothing else; " +
					"this target serves no batchconform admin API to create one (and a live account's other resources would show in every list): " +
					"it runs against the embedded emulator or a separately started `batchconform emulate`")
			}
			verdict(p.ID)
		})
	}
})

func describeFindings(fs []fuzz.Finding) string {
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d failing case(s); first ones:\n", len(fs))
	sort.SliceStable(fs, func(i, j int) bool { return len(fs[i].Steps) < len(fs[j].Steps) })
	for i, f := range fs {
		if i == 3 {
			break
		}
		fmt.Fprintf(&b, "- %s (%d step(s))\n", f.Message, len(f.Steps))
		for k, st := range f.Steps {
			if k == 8 {
				fmt.Fprintf(&b, "    …\n")
				break
			}
			fmt.Fprintf(&b, "    %s %s %s %s\n", st.Op, st.Action, st.Args, st.Request)
		}
	}
	return b.String()
}

// tenantFactory gives each fuzz case a fresh tenant of a separately started
// emulator (admin API `tenants`): the case sees only what it creates. Its
// resources are the run's ledger's to delete (harness/ledger.go).
type tenantFactory struct {
	t       *harness.Target
	hold    time.Duration
	advance func(time.Duration) error
}

func newTenantFactory(t *harness.Target) tenantFactory {
	f := tenantFactory{t: t}
	if info, err := t.Info(); err == nil {
		f.hold, _ = time.ParseDuration(info.StateHold)
		if info.Clock.Manual {
			f.advance = t.Advance
		}
	}
	return f
}

func (f tenantFactory) New() (*fuzz.Target, error) {
	tt := f.t.NewTenant(harness.TenantConfig{})
	c := &fuzz.Client{URL: tt.URL, SecretID: tt.SecretID, SecretKey: tt.SecretKey, Region: tt.Region, Exchange: tt.Do, Track: true}
	return &fuzz.Target{Client: c, Private: true, Hold: f.hold, Advance: f.advance}, nil
}

func (f tenantFactory) Describe() string { return f.t.URL }
func (tenantFactory) Embedded() bool     { return false }
func (tenantFactory) Live() bool         { return false }
