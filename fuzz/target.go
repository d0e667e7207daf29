package fuzz

import (
	"fmt"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/specs/harness"
)

// Target is what one fuzz case runs against.
type Target struct {
	Client *Client
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
	close   func()
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
// clock) per target, with the given faults switched on.
type Embedded struct{ Faults []string }

// New starts an emulator; requests go to its handler in process.
func (e Embedded) New() (*Target, error) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock(), emulator.WithFaults(e.Faults...))
	if err != nil {
		return nil, fmt.Errorf("fuzz: start the embedded emulator: %w", err)
	}
	c := &Client{URL: emu.URL, SecretID: emu.SecretID, SecretKey: emu.SecretKey, Region: "ap-guangzhou",
		Exchange: handlerExchange(emu.Handler())}
	return &Target{Client: c, Emu: emu, Private: true, Hold: 120 * time.Millisecond, Advance: emu.Advance,
		close: func() { _ = emu.Close() }}, nil
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
}

// NewEndpoint returns the factory of an endpoint; its client tracks what it
// creates (Client().Cleanup deletes it).
func NewEndpoint(t *harness.Target) *Endpoint {
	return &Endpoint{Target: t, client: &Client{URL: t.URL, SecretID: t.SecretID, SecretKey: t.SecretKey,
		Region: t.Region, Exchange: t.Do, Track: true}}
}

// Client is the endpoint's one client.
func (e *Endpoint) Client() *Client { return e.client }

// New returns the endpoint (the same one every time).
func (e *Endpoint) New() (*Target, error) { return &Target{Client: e.client}, nil }

func (e *Endpoint) Describe() string { return e.Target.URL }
func (*Endpoint) Embedded() bool     { return false }
func (e *Endpoint) Live() bool       { return e.Target.Live }
