package alibatch

// Specs of the items that only a failure of the service's own backend can
// cause (catalog: Unprovokable; reference §A.3 documents 500 InternalError).
// On a live target they stay unprovokable (the specs skip); against the
// emulator, chaos fails one request of a tenant of the spec's own and the
// check shared with the other dialects (harness.CheckOutage) asserts the
// documented status, code and ACS error shape, then that the next request
// is served.

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// acsAnswer reads an ACS answer for harness.CheckOutage.
func acsAnswer(r *acs.Response) harness.OutageAnswer {
	a := harness.OutageAnswer{Status: r.Status, RequestID: r.RequestID, Body: string(r.Body)}
	if e := r.Err(); e != nil {
		a.Code, a.Message = e.Code, e.Message
		a.Shape = errorShape(r)
	}
	return a
}

var _ = Describe("Alibaba BatchCompute backend failures (chaos)", Label(fixtures.LabelEmulatorOnly), func() {
	if !selected() {
		return
	}
	for _, b := range harness.BackendItems(cat) {
		op := b.Action
		if op == "" {
			op = "ListClusters" // a protocol item: any operation shows it
		}
		a, ok := cat.Action(op)
		if !ok || a.Method != http.MethodGet || strings.Contains(a.Path, "{") {
			// The outage is sent as a bodiless GET without path variables.
			panic("alibatch: chaos spec cannot send operation " + op)
		}
		harness.It(fmt.Sprintf("%s answers %d %s when the service fails", op, cat.ErrorCodes[b.Code].Status, b.Code),
			harness.Items(b.ID), func() {
				harness.CheckOutage(harness.T(Dialect), harness.Outage{Item: b.ID, Service: chaos.ServiceAliBatch,
					Action: op, Code: b.Code, Status: cat.ErrorCodes[b.Code].Status, Send: func(nt *harness.Target) harness.OutageAnswer {
						return acsAnswer(send(nt, a.Method, a.Path, nil, acs.Options{}))
					}})
			})
	}
})
