package tencentbatch

// Specs of the items that only a failing backend dependency (or the service
// itself) can cause (catalog: Unprovokable). No client request provokes
// them, so on a live target they stay unprovokable (the specs skip);
// against the emulator, chaos (admin API) makes the dependency fail and the
// shared check (harness.CheckOutage) asserts the action answers the
// documented code in the documented envelope, once, and then serves the
// action again.

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Tencent Batch backend-dependency errors (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	for _, b := range harness.BackendItems(cat) {
		action := b.Action
		if action == "" {
			action = "DescribeJobs" // a protocol item: any action shows it
		}
		harness.It(fmt.Sprintf("%s answers %s when its backend fails", action, b.Code), harness.Items(b.ID), func() {
			harness.CheckOutage(harness.T(Dialect), harness.Outage{Item: b.ID, Service: chaos.ServiceTencentBatch,
				Action: action, Code: b.Code, Status: 200, Send: func(nt *harness.Target) harness.OutageAnswer {
					return harness.API3Answer(nt.Raw(harness.RawRequest{Action: action}))
				}})
		})
	}
})
