package harness

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/fixtures"
)

// AddChaos adds chaos rules through the admin API (emulator only). Rules are
// added, never replaced, so parallel specs coexist; a spec should match its
// own tenant (NewTenant) and spend its rules with Count.
func (t *Target) AddChaos(c chaos.Config) error {
	t.RequireEmulator()
	_, err := t.admin(http.MethodPost, "chaos", c, nil)
	return err
}

// Outage is one documented failure of a backend dependency (or of the
// service itself) that a chaos spec provokes: every dialect's chaos specs
// share CheckOutage and only say how to send the action and read its answer.
type Outage struct {
	// Item is the catalog item judged.
	Item string
	// Service is the chaos service of the dialect (chaos.ServiceTencentBatch,
	// chaos.ServiceOceanus, chaos.ServiceAliBatch).
	Service string
	// Action is the API 3.0 action or the ACS operation that fails.
	Action string
	// Code is the documented code; Status the documented HTTP status of the
	// answer (200 for API 3.0 envelopes).
	Code   string
	Status int
	// Send sends Action once with the credentials of nt and reads the answer.
	Send func(nt *Target) OutageAnswer
}

// OutageAnswer is what one request of an Outage got.
type OutageAnswer struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	// Shape is nil when an error answer is well formed in the dialect's
	// envelope (API 3.0 Response.Error; ACS {Code,Message,RequestId,HostId}).
	Shape error
	Body  string
}

// CheckOutage provokes o against the emulator: a tenant of its own gets a
// one-request chaos rule, the action must answer the documented code with
// the documented status in a well-formed envelope (message and request id
// set), and the next request must not (the outage was one request). On
// other targets the spec skips: no client request can cause the failure.
func CheckOutage(t *Target, o Outage) {
	ginkgo.GinkgoHelper()
	t.RequireEmulator()
	nt := t.NewTenant(TenantConfig{})
	rule := chaos.Rule{Name: "spec-" + nt.SecretID + "-" + o.Action + "-" + o.Code, Tenant: nt.SecretID,
		Service: o.Service, Actions: []string{o.Action}, Probability: 1, Error: o.Code, Count: 1}
	gomega.Expect(nt.AddChaos(chaos.Config{Rules: []chaos.Rule{rule}})).To(gomega.Succeed(),
		"the emulator's chaos cannot produce %s for %s", o.Code, o.Service)
	Check(o.Item)
	a := o.Send(nt)
	Evidence(map[string]any{"action": o.Action, "status": a.Status, "response": a.Body, "request_id": a.RequestID})
	gomega.Expect(a.Shape).NotTo(gomega.HaveOccurred(), "the failure is not a well-formed error: %s", a.Body)
	gomega.Expect(a.Status).To(gomega.Equal(o.Status), "%s is answered with HTTP %d: %s", o.Code, o.Status, a.Body)
	gomega.Expect(a.Code).To(gomega.Equal(o.Code), "%s", a.Body)
	gomega.Expect(a.Message).NotTo(gomega.BeEmpty(), "%s", a.Body)
	gomega.Expect(a.RequestID).NotTo(gomega.BeEmpty(), "%s", a.Body)
	// The outage was one request: the next is served (or refused for its
	// own reasons), not answered with the dependency failure.
	again := o.Send(nt)
	gomega.Expect(again.Code).NotTo(gomega.Equal(o.Code), "the failure outlasted the outage: %s", again.Body)
}

// API3Answer reads an API 3.0 answer for an Outage.
func API3Answer(env *Envelope, err error) OutageAnswer {
	ginkgo.GinkgoHelper()
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	a := OutageAnswer{Status: env.Status, Code: env.Code(), RequestID: env.RequestID, Shape: env.DecodeErr, Body: string(env.Body)}
	if env.Error != nil {
		a.Message = env.Error.Message
	}
	return a
}

// BackendItem is a catalog item that only a failure of a backend dependency
// (or of the service itself) causes: chaos specs give it a verdict against
// the emulator.
type BackendItem struct {
	ID string
	// Action is the failing action; "" for a protocol item (any action: the
	// dialect's spec picks one).
	Action string
	Code   string
}

// backendPrefix is how the catalogs state a backend-dependency reason.
const backendPrefix = "a failure of a backend dependency"

// BackendItems lists c's items that are unprovokable only because a backend
// dependency or the service itself must fail, and whose code the emulator's
// chaos can answer for c's service: every backend-dependency error of an
// action, and the unprovokable protocol items with such a code (the service's
// own InternalError, ServiceUnavailable). The other unprovokable items (e.g.
// no request of this API version can cause them) are not listed.
func BackendItems(c *fixtures.Catalog) []BackendItem {
	codes := chaos.ServiceCodes[c.Service]
	var out []BackendItem
	for _, e := range c.Errors {
		if strings.HasPrefix(e.Unprovokable, backendPrefix) {
			out = append(out, BackendItem{ID: e.ID, Action: e.Action, Code: e.Code})
		}
	}
	for _, p := range c.Protocol {
		if _, ok := codes[p.Code]; ok && p.Unprovokable != "" {
			out = append(out, BackendItem{ID: p.ID, Code: p.Code})
		}
	}
	return out
}

// KillInstances makes the compute node under the next n task instances of
// t's tenant die mid-task (a chaos kill_instance rule, emulator only): each
// such attempt fails and the task's retry path runs. t should be a tenant of
// the spec's own (NewTenant), so specs beside it keep their nodes.
func (t *Target) KillInstances(n int) error {
	// A rule name is unique per configuration: a second call for the same
	// tenant adds a rule of its own.
	name := fmt.Sprintf("spec-%s-kill-%d", t.SecretID, time.Now().UnixNano())
	return t.AddChaos(chaos.Config{Rules: []chaos.Rule{{Name: name, Tenant: t.SecretID,
		KillInstance: true, Probability: 1, Count: n}}})
}

// OutageSpecs describe a dialect's backend-dependency items as specs
// (ItOutages): what differs between dialects is how an action is sent and
// its answer read, and the HTTP status of a code.
type OutageSpecs struct {
	Catalog *fixtures.Catalog
	Dialect string
	// Service is the chaos service the outages are switched on for.
	Service string
	// AnyAction shows a protocol item (one without an action): any
	// action answers it.
	AnyAction string
	// Status is the documented HTTP status of a code.
	Status func(code string) int
	// Title names the spec of an item.
	Title func(action, code string, status int) string
	// Send sends action as the tenant nt and reads its answer.
	Send func(nt *Target, action string) OutageAnswer
}

// ItOutages registers one spec per backend-dependency item of the catalog
// (BackendItems), each provoking its outage with CheckOutage.
func ItOutages(o OutageSpecs) {
	for _, b := range BackendItems(o.Catalog) {
		action := b.Action
		if action == "" {
			action = o.AnyAction
		}
		status := o.Status(b.Code)
		It(o.Title(action, b.Code, status), Items(b.ID), func() {
			CheckOutage(T(o.Dialect), Outage{Item: b.ID, Service: o.Service, Action: action, Code: b.Code, Status: status,
				Send: func(nt *Target) OutageAnswer { return o.Send(nt, action) }})
		})
	}
}
