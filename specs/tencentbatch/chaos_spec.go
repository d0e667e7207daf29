package tencentbatch

// Specs of the error items that only a failing backend dependency can cause
// (catalog: Unprovokable, "a failure of a backend dependency"). No client
// request provokes them, so on a live target they stay unprovokable (the
// specs skip); against the emulator, chaos (admin API) makes the dependency
// fail and the spec checks the action answers the documented code in the
// documented envelope, once, and then serves the action again.

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// chaosBackendPrefix is how the catalog states a backend-dependency reason.
const chaosBackendPrefix = "a failure of a backend dependency"

var _ = Describe("Tencent Batch backend-dependency errors (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	for _, e := range cat.Errors {
		if !strings.HasPrefix(e.Unprovokable, chaosBackendPrefix) {
			continue
		}
		harness.It(fmt.Sprintf("%s answers %s when its backend fails", e.Action, e.Code), harness.Items(e.ID), func() {
			t := harness.T(Dialect)
			t.RequireEmulator()
			nt := t.NewTenant(harness.TenantConfig{})
			rule := chaos.Rule{Name: "spec-" + nt.SecretID + "-" + e.Action + "-" + e.Code, Tenant: nt.SecretID,
				Actions: []string{e.Action}, Probability: 1, Error: e.Code, Count: 1}
			Expect(nt.AddChaos(chaos.Config{Rules: []chaos.Rule{rule}})).To(Succeed(),
				"the emulator's chaos cannot produce %s", e.Code)
			harness.Check(e.ID)
			env, err := nt.Raw(harness.RawRequest{Action: e.Action})
			Expect(err).NotTo(HaveOccurred())
			harness.Evidence(map[string]any{"action": e.Action, "status": env.Status, "response": string(env.Body)})
			Expect(env.DecodeErr).NotTo(HaveOccurred(), "the failure is not a well-formed envelope: %s", env.Body)
			Expect(env.Status).To(Equal(200), "API 3.0 errors are answered with HTTP 200")
			Expect(env.Code()).To(Equal(e.Code))
			Expect(env.Error.Message).NotTo(BeEmpty())
			Expect(env.RequestID).NotTo(BeEmpty())
			// The outage was one request: the next is served (or refused for
			// its own reasons), not answered with the dependency failure.
			again, err := nt.Raw(harness.RawRequest{Action: e.Action})
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Code()).NotTo(Equal(e.Code), "the dependency failure outlasted the outage: %s", again.Body)
		})
	}
})
