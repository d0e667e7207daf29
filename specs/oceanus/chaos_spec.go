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
	for _, b := range harness.BackendItems(cat) {
		action := b.Action
		if action == "" {
			action = "DescribeJobs" // a protocol item: any action shows it
		}
		harness.It(fmt.Sprintf("%s answers %s when its backend fails", action, b.Code), harness.Items(b.ID), func() {
			harness.CheckOutage(harness.T(Dialect), harness.Outage{Item: b.ID, Service: chaos.ServiceOceanus,
				Action: action, Code: b.Code, Status: 200, Send: func(nt *harness.Target) harness.OutageAnswer {
					return harness.API3Answer(nt.Raw(harness.RawRequest{Action: action, Version: harness.OceanusVersion,
						Service: cat.Service, Body: []byte(`{}`)}))
				}})
		})
	}
})
