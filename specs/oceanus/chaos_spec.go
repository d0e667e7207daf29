package oceanus

// Specs of the items that only a failing backend dependency (the database,
// COS, CLS, STS, the CAM gateway, …) or the service itself can cause
// (catalog: Unprovokable). On a live target they stay unprovokable (the
// specs skip); against the emulator, chaos makes the dependency fail for one
// request of a tenant of the spec's own and the check shared with the other
// dialects (harness.CheckOutage) asserts the documented code in the API 3.0
// envelope, then that the next request is not failed.

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Oceanus backend-dependency errors (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	harness.ItOutages(harness.OutageSpecs{Catalog: cat, Dialect: Dialect, Service: chaos.ServiceOceanus,
		AnyAction: "DescribeJobs", // a protocol item: any action shows it
		Status:    func(string) int { return 200 },
		Title: func(action, code string, _ int) string {
			return fmt.Sprintf("%s answers %s when its backend fails", action, code)
		},
		Send: func(nt *harness.Target, action string) harness.OutageAnswer {
			return harness.API3Answer(nt.Raw(harness.RawRequest{Action: action, Version: harness.OceanusVersion,
				Service: cat.Service, Body: []byte(`{}`)}))
		}})
})
