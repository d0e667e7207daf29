// Package emulator starts the reference endpoint: one HTTP server that serves
// every implemented dialect on one address (API 3.0 requests routed by version,
// ACS requests by their Authorization scheme) plus the admin API under
// /_batchconform/v1/. Use Start for in-process use from any Go test, the way
// httptest.NewServer is used, or `batchconform emulate` for a standalone server.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/alibatch"
	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/oceanus"
	"github.com/batchconform/batchconform/emulator/store"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/emulator/tencentbatch"
	ocfix "github.com/batchconform/batchconform/fixtures/oceanus"
)

// Version is the emulator's version, reported by the admin API's info.
var Version = "0.1.0-dev"

// Dialects are the dialect keys the emulator serves (admin info, emulate's
// banner).
var Dialects = []string{"tencent-batch", "alibaba-batchcompute", "oceanus"}

// Default credentials of an emulator started without WithCredentials. They are
// not secret: the emulator listens on loopback by default.
const (
	DefaultSecretID  = "AKIDbatchconformEXAMPLE"
	DefaultSecretKey = "batchconformSecretKeyEXAMPLE"
)

type config struct {
	addr      string
	secretID  string
	secretKey string
	faults    []string
	executor  string
	timeScale float64
	manual    bool
	rateLimit float64
	logger    *slog.Logger
	adminOpen bool
	workDir   string
	timing    engine.Timing
	seed      uint64
	chaos     *chaos.Config
	stateDir  string
	oceanus   oceanus.Timing
}

// Option configures Start.
type Option func(*config)

// WithAddr sets the listen address (default 127.0.0.1:0).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithCredentials sets the default tenant's credentials.
func WithCredentials(id, key string) Option {
	return func(c *config) { c.secretID, c.secretKey = id, key }
}

// WithFaults switches on named faults (see package faults).
func WithFaults(names ...string) Option {
	return func(c *config) { c.faults = append(c.faults, names...) }
}

// WithExecutor selects "local" (default: really runs commands) or "simulated".
func WithExecutor(name string) Option { return func(c *config) { c.executor = name } }

// WithTimeScale runs emulator time at f times real time (default 1).
func WithTimeScale(f float64) Option { return func(c *config) { c.timeScale = f } }

// WithManualClock stops emulator time; it moves only through the admin API's
// clock endpoint (or Emulator.Advance), so runs replay exactly.
func WithManualClock() Option { return func(c *config) { c.manual = true } }

// WithRateLimit throttles every tenant without its own limit to n requests/s
// per action (RequestLimitExceeded past it). Off by default.
func WithRateLimit(n float64) Option { return func(c *config) { c.rateLimit = n } }

// WithLogger sets the structured logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithAdminFromAnyAddress serves the admin API to non-loopback clients too.
func WithAdminFromAnyAddress() Option { return func(c *config) { c.adminOpen = true } }

// WithWorkDir sets where the local executor creates per-instance work dirs.
func WithWorkDir(dir string) Option { return func(c *config) { c.workDir = dir } }

// WithTiming overrides the lifecycle timing (emulator time).
func WithTiming(t engine.Timing) Option { return func(c *config) { c.timing = t } }

// WithStateHold sets the least emulator time every observable Tencent Batch
// and Alibaba BatchCompute state is held (engine.Timing.Hold, default 120 ms;
// node boot and retry waits follow it unless WithTiming sets them). A client
// polling at a sixth of it still sees every state several times; a shorter
// hold makes a suite that waits out the lifecycle proportionally faster.
// Zero or less keeps the default.
func WithStateHold(d time.Duration) Option { return func(c *config) { c.timing.Hold = d } }

// WithOceanusTiming overrides how long Oceanus's transitional states last
// (emulator time; a zero field keeps its default: job status 3 for 1 s,
// cluster operations 2 s, ...). See oceanus.Timing.
func WithOceanusTiming(t oceanus.Timing) Option { return func(c *config) { c.oceanus = t } }

// WithSeed makes generated IDs deterministic: with the manual clock and the
// simulated executor, the same seed and the same calls give the same IDs and
// histories (fuzz replays rely on it). 0 = random.
func WithSeed(n uint64) Option { return func(c *config) { c.seed = n } }

// WithChaos switches chaos on from the start with c (see package chaos; the
// admin API's chaos endpoint changes it later). Start fails on an invalid c.
func WithChaos(c chaos.Config) Option { return func(cf *config) { cf.chaos = &c } }

// Emulator is a running emulator.
type Emulator struct {
	// URL is http://host:port.
	URL string
	// Addr is host:port (what the Tencent SDK's HttpProfile.Endpoint wants).
	Addr string
	// SecretID and SecretKey are the default tenant's credentials.
	SecretID, SecretKey string

	eng     *engine.Engine
	tenants *tenants.Registry
	faults  *faults.Set
	chaos   *chaos.Set
	ali     *alibatch.Service
	srv     *http.Server
	ln      net.Listener
	handler http.Handler
	manual  bool
	scale   float64
	started time.Time

	dur *durable // nil: in memory only

	closeOnce sync.Once
	closeErr  error
	served    chan struct{}
}

// Start starts an emulator listening on loopback (or WithAddr's address).
func Start(opts ...Option) (*Emulator, error) {
	c := config{addr: "127.0.0.1:0", secretID: DefaultSecretID, secretKey: DefaultSecretKey,
		executor: "local", timeScale: 1}
	for _, o := range opts {
		o(&c)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.timeScale <= 0 {
		return nil, fmt.Errorf("emulator: time scale must be positive, got %v", c.timeScale)
	}
	fs, err := faults.NewSet(c.faults...)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	cs, err := chaos.New(c.chaos)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	reg := tenants.NewRegistry()
	if err := reg.Put(tenants.Tenant{SecretID: c.secretID, SecretKey: c.secretKey}); err != nil {
		return nil, fmt.Errorf("emulator: default tenant: %w", err)
	}
	var clock engine.Clock
	var dur *durable
	var saved *store.State
	if c.stateDir != "" {
		dur, saved, err = openState(&c)
		if err != nil {
			return nil, err
		}
		clock = dur.clock(&c, saved)
	} else if c.manual {
		clock = engine.NewManualClock(time.Now().UTC().Truncate(time.Second))
	} else {
		clock = engine.NewScaledClock(c.timeScale)
	}
	ecfg := engine.Config{Clock: clock, Executor: c.executor, WorkDir: c.workDir,
		Tenants: reg, Faults: fs, Timing: c.timing, Seed: c.seed, Chaos: cs}
	if dur != nil {
		ecfg.Journal = dur.jr
	}
	eng, err := engine.New(ecfg)
	if err != nil {
		if dur != nil {
			_ = dur.st.Close()
		}
		return nil, fmt.Errorf("emulator: engine: %w", err)
	}
	batch := tencentbatch.New(eng, reg, fs)
	// Oceanus keeps its own job lifecycle on the engine's clock and IDs.
	ocean := oceanus.New(oceanus.Config{Catalog: ocfix.Catalog(), Clock: eng, IDs: eng, Objects: eng.Objects(), Tenants: reg, Faults: fs, Timing: c.oceanus})
	products := []api3.Product{batch, ocean}
	aliRaw := alibatch.New(eng, reg, fs)
	var aliSvc acs.Service = aliRaw
	if dur != nil {
		dur.eng = eng
		if err := dur.restore(saved, products, aliSvc, reg, eng.Objects()); err != nil {
			eng.Close()
			_ = dur.st.Close()
			return nil, err
		}
		products = []api3.Product{durableProduct{batch, dur}, durableProduct{ocean, dur}}
		aliSvc = durableService{aliSvc, dur}
	}
	api, err := api3.NewHandler(api3.Config{
		Products:  products,
		Tenants:   reg,
		Faults:    fs,
		Now:       time.Now,
		RateLimit: c.rateLimit,
		Logger:    c.logger,
		Chaos:     cs,
	})
	if err != nil {
		closeEarly(eng, dur)
		return nil, fmt.Errorf("emulator: api3: %w", err)
	}
	// Alibaba BatchCompute over ACS: the same tenants (a tenant's
	// SecretId/SecretKey are its AccessKeyId/AccessKeySecret) and engine.
	ali, err := acs.NewHandler(acs.Config{
		Service:           aliSvc,
		Tenants:           reg,
		Now:               time.Now,
		Logger:            c.logger,
		SkipSignature:     fs.On(faults.AliSkipSignatureCheck),
		AcceptAnyDate:     fs.On(faults.AliAcceptAnyDate),
		NoRequestIDHeader: fs.On(faults.AliNoRequestIDHeader),
		BareErrorBody:     fs.On(faults.AliBareErrorBody),
		Chaos:             cs,
	})
	if err != nil {
		closeEarly(eng, dur)
		return nil, fmt.Errorf("emulator: acs: %w", err)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		closeEarly(eng, dur)
		return nil, fmt.Errorf("emulator: listen %s: %w", c.addr, err)
	}
	e := &Emulator{
		Addr: ln.Addr().String(), SecretID: c.secretID, SecretKey: c.secretKey,
		eng: eng, tenants: reg, faults: fs, chaos: cs, ali: aliRaw, ln: ln, manual: c.manual, scale: c.timeScale,
		started: time.Now(), served: make(chan struct{}), dur: dur,
	}
	e.URL = "http://" + e.Addr
	adm := &admin{e: e, open: c.adminOpen}
	mux := http.NewServeMux()
	if dur != nil {
		mux.Handle(AdminPrefix, durableAdmin{h: adm, d: dur, reg: reg})
		dur.startMarks()
	} else {
		mux.Handle(AdminPrefix, adm)
	}
	mux.Handle("/", bySchemeHandler{acs: ali, api3: api})
	e.handler = mux
	e.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20, // oversize GET queries get RequestSizeLimitExceeded from api3, not a bare 431
		ErrorLog:          slog.NewLogLogger(c.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(e.served)
		if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.logger.Error("emulator: serve", "err", err)
		}
	}()
	return e, nil
}

// bySchemeHandler routes by the Authorization scheme (design: one address for
// every dialect): "acs AccessKeyId:Signature" goes to the ACS protocol layer,
// anything else (TC3, v1, none) to API 3.0, which answers a request without
// a version in its own envelope.
type bySchemeHandler struct{ acs, api3 http.Handler }

func (h bySchemeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if acs.IsACS(r.Header.Get("Authorization")) {
		h.acs.ServeHTTP(w, r)
		return
	}
	h.api3.ServeHTTP(w, r)
}

// Handler is the emulator's whole HTTP handler (API + admin), for callers that
// serve it themselves.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Engine exposes the engine to in-process callers (the admin API is the
// portable way).
func (e *Emulator) Engine() *engine.Engine { return e.eng }

// Tenants exposes the credential registry.
func (e *Emulator) Tenants() *tenants.Registry { return e.tenants }

// Chaos is the emulator's chaos set: Replace and Off change it while it runs
// (what the admin API's chaos endpoint does).
func (e *Emulator) Chaos() *chaos.Set { return e.chaos }

// Advance moves a manual clock forward (error on a scaled clock).
func (e *Emulator) Advance(d time.Duration) error {
	if e.dur != nil {
		return e.dur.advance(d)
	}
	return e.eng.Advance(d)
}

// Close stops the server and the engine (running commands are killed).
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		// Stop the engine first: it kills running commands, so no handler
		// waits on one. Then let in-flight requests finish for a moment; a
		// client that keeps a connection busy past that is cut off (that is
		// the client's business, not an emulator error).
		engErr := e.eng.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := e.srv.Shutdown(ctx); err != nil {
			_ = e.srv.Close()
		}
		<-e.served
		e.closeErr = engErr
		if e.dur != nil {
			if err := e.dur.close(); err != nil && e.closeErr == nil {
				e.closeErr = err
			}
		}
	})
	return e.closeErr
}

// Host returns the address without the scheme (for SDK endpoints).
func (e *Emulator) Host() string { return strings.TrimPrefix(e.URL, "http://") }
