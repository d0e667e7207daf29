package fuzz

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// product is what an API 3.0 dialect's requests carry: the TC3 scope's
// service and the API version; hold is the minimum time the emulator keeps
// each observable state of the dialect's machines (emulator time).
type product struct {
	service, version string
	hold             time.Duration
}

var products = map[string]product{
	fixtures.DialectTencentBatch: {"batch", "2017-03-12", 120 * time.Millisecond},
	// Oceanus: status 3 lasts Timing.Operation (1 s) and a marked run stays 4
	// for Timing.FailAfter (1 s); the other statuses stay until an operation.
	fixtures.DialectOceanus: {"oceanus", "2019-04-22", time.Second},
	// Alibaba BatchCompute runs on the Tencent engine: the same hold.
	fixtures.DialectAlibaba: {"", "", 120 * time.Millisecond},
}

func productOf(dialect string) product {
	if p, ok := products[dialect]; ok {
		return p
	}
	return products[fixtures.DialectTencentBatch]
}

// Target is what one fuzz case runs against.
type Target struct {
	// Client speaks API 3.0 with the dialect's service and version.
	Client *Client
	// ACS is the signed ACS REST client (Alibaba BatchCompute).
	ACS *acs.Client
	// Emu is the embedded emulator (nil for an endpoint).
	Emu *emulator.Emulator
	// Private: the tenant sees only what this case creates, so totals and
	// pages can be compared with the model.
	Private bool
	// Hold is the minimum time an endpoint keeps each observable state (the
	// emulator's documented 120 ms); 0 = unknown, and only reachability of
	// observed moves is checked.
	Hold time.Duration
	// Advance moves the target's clock (nil: the clock cannot be moved).
	Advance func(time.Duration) error
	// acsMade collects what ACS cases created on a shared endpoint (nil:
	// a private target, nothing to clean).
	acsMade *acsTracker
	// Vars are what a dialect's setup learnt about the target (Oceanus: its
	// default workspace).
	Vars  map[string]string
	close func()
}

// acsTracker is an endpoint's list of ACS resources to delete at the end.
type acsTracker struct {
	mu sync.Mutex
	rs []acsCreated
}

func (t *Target) trackACS(rs ...acsCreated) {
	if t.acsMade == nil || len(rs) == 0 {
		return
	}
	t.acsMade.mu.Lock()
	t.acsMade.rs = append(t.acsMade.rs, rs...)
	t.acsMade.mu.Unlock()
}

// Close releases the target.
func (t *Target) Close() {
	if t.close != nil {
		t.close()
	}
}

// Factory makes a target for one case (embedded: a fresh emulator each time).
type Factory interface {
	New() (*Target, error)
	// Describe names the target for reports ("embedded" or the endpoint URL).
	Describe() string
	Embedded() bool
	Live() bool
}

// Embedded starts a fresh in-process emulator (simulated executor, manual
// clock) per target, with the given faults switched on. Dialect ("" =
// tencent-batch) picks the API 3.0 product the target's Client speaks and
// the hold time of its machines.
type Embedded struct {
	Faults  []string
	Dialect string
}

// New starts an emulator; requests go to its handler in process.
func (e Embedded) New() (*Target, error) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock(), emulator.WithFaults(e.Faults...))
	if err != nil {
		return nil, fmt.Errorf("fuzz: start the embedded emulator: %w", err)
	}
	t := e.target(emu, emu.SecretID, emu.SecretKey)
	t.close = func() { _ = emu.Close() }
	return t, nil
}

// target is a target of emu with the given credentials.
func (e Embedded) target(emu *emulator.Emulator, id, key string) *Target {
	p := productOf(e.Dialect)
	c := &Client{URL: emu.URL, SecretID: id, SecretKey: key, Region: "ap-guangzhou",
		Service: p.service, Version: p.version, Exchange: handlerExchange(emu.Handler())}
	a := &acs.Client{Endpoint: emu.URL, Signer: acs.Signer{AccessKeyID: id, AccessKeySecret: key},
		HTTP: &http.Client{Transport: handlerRoundTripper{emu.Handler()}}}
	return &Target{Client: c, ACS: a, Emu: emu, Private: true, Hold: p.hold, Advance: emu.Advance}
}

// tenantPool serves each target as a fresh tenant of one embedded emulator
// (restarted every poolRecycle targets to bound its memory): a tenant's
// resources are its own, so a target is as private as a fresh emulator, at
// a fraction of the cost of starting one (which dominates short sequences,
// and rapid's and minimize's shrinking reruns them by the hundred). The
// manual clock is the emulator's, so a pool serves one sequence at a time:
// Run uses it for its rounds, which are sequential.
type tenantPool struct {
	e      Embedded
	mu     sync.Mutex
	emu    *emulator.Emulator
	served int
}

const poolRecycle = 200

func newTenantPool(e Embedded) *tenantPool { return &tenantPool{e: e} }

func (p *tenantPool) New() (*Target, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.emu == nil || p.served >= poolRecycle {
		if p.emu != nil {
			_ = p.emu.Close()
		}
		emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock(), emulator.WithFaults(p.e.Faults...))
		if err != nil {
			return nil, fmt.Errorf("fuzz: start the embedded emulator: %w", err)
		}
		p.emu, p.served = emu, 0
	}
	p.served++
	ten, err := p.emu.Tenants().New(tenants.Tenant{})
	if err != nil {
		return nil, fmt.Errorf("fuzz: a tenant of the embedded emulator: %w", err)
	}
	t := p.e.target(p.emu, ten.SecretID, ten.SecretKey)
	t.close = func() {}
	return t, nil
}

// Close stops the pool's emulator.
func (p *tenantPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.emu != nil {
		_ = p.emu.Close()
		p.emu = nil
	}
}

func (p *tenantPool) Describe() string { return "embedded" }
func (p *tenantPool) Embedded() bool   { return true }
func (p *tenantPool) Live() bool       { return false }

// handlerRoundTripper serves an HTTP client's requests with the emulator's
// handler in process (no socket, the same code paths as the server).
type handlerRoundTripper struct{ h http.Handler }

func (rt handlerRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		req.Body = http.NoBody
	}
	req.RemoteAddr = "127.0.0.1:40000"
	req.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	rt.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (Embedded) Describe() string { return "embedded" }
func (Embedded) Embedded() bool   { return true }
func (Embedded) Live() bool       { return false }

// Endpoint is an existing endpoint (an emulator elsewhere or a live API):
// requests go through the harness's transport (deadline, client rate limit,
// live resource bound). Its tenant is shared, so counts are not compared.
type Endpoint struct {
	Target *harness.Target
	client *Client
	acs    acsTracker
}

// NewEndpoint returns the factory of an endpoint; its client tracks what it
// creates (Client().Cleanup deletes it).
func NewEndpoint(t *harness.Target) *Endpoint {
	p := productOf(t.Dialect)
	return &Endpoint{Target: t, client: &Client{URL: t.URL, SecretID: t.SecretID, SecretKey: t.SecretKey,
		Region: t.Region, Service: p.service, Version: p.version, Dialect: t.Dialect, Exchange: t.Do, Track: true}}
}

// Client is the endpoint's one client.
func (e *Endpoint) Client() *Client { return e.client }

// New returns the endpoint (the same one every time).
func (e *Endpoint) New() (*Target, error) {
	return &Target{Client: e.client, ACS: e.Target.ACS(), acsMade: &e.acs}, nil
}

// Cleanup deletes what the run created on the endpoint (API 3.0 and ACS
// resources), retrying until deadline; it returns what it could not delete.
func (e *Endpoint) Cleanup(deadline time.Duration) []Created {
	left := e.client.Cleanup(deadline)
	e.acs.mu.Lock()
	rs := e.acs.rs
	e.acs.rs = nil
	e.acs.mu.Unlock()
	for _, r := range acsCleanup(e.Target.ACS(), rs, deadline) {
		left = append(left, Created{Kind: r.kind, ID: r.id})
	}
	return left
}

func (e *Endpoint) Describe() string { return e.Target.URL }
func (*Endpoint) Embedded() bool     { return false }
func (e *Endpoint) Live() bool       { return e.Target.Live }
