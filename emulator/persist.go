package emulator

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/store"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// WithStateDir keeps the emulator's state in dir (see package store): every
// request that reached a product, every tenant created and clock advance
// through the admin API, every object and every local command's outcome is
// committed to dir before the response is sent, and a later Start with the
// same dir rebuilds that state. Without it the emulator keeps everything in
// memory and pays nothing for durability.
func WithStateDir(dir string) Option { return func(c *config) { c.stateDir = dir } }

// Record kinds in the state log.
const (
	recAPI3    = "api3"    // an api3.Request handed to a product
	recACS     = "acs"     // an acs.Request handed to Alibaba BatchCompute
	recTenant  = "tenant"  // a tenant created through the admin API (with its key)
	recAdvance = "advance" // a manual clock advance
	recObject  = "object"  // an object put or deleted
	recExec    = "exec"    // a local command's outcome
)

// markEvery is how often a durable emulator notes the emulator time it has
// served, so that after kill -9 the clock resumes no earlier than any time a
// client saw.
const markEvery = time.Second

// LostReason is why a local task instance whose command was running when a
// durable emulator stopped fails on restart (it then follows its retry
// policy).
const LostReason = "the emulator stopped while the command ran (recovered from --state-dir)"

// durable serialises every state-touching call and logs it in the order
// applied, with the emulator time it used.
type durable struct {
	st      *store.Store
	clk     *store.Clock // nil with a manual clock (its time is in the log)
	eng     *engine.Engine
	log     *slog.Logger
	mu      sync.Mutex // held while a call is applied and its record appended
	jr      *journal
	diverge atomic.Int64 // replayed calls whose outcome differed from the recorded one
	stopped chan struct{}
	marker  sync.WaitGroup
	start   time.Time // the emulator time the history starts at
	scale   float64
	info    StateInfo
}

// apply runs fn with the clock pinned, then appends the record that replays
// it and waits until that record is durable. outcome, evaluated after fn,
// is stored with the record so a replay can tell when it diverges. A
// read-only call (Describe…, an ACS GET) is recorded only if it generated
// IDs: time-driven changes it caught up with are replayed by time anyway,
// so polling costs no fsync and does not grow the log.
func (d *durable) apply(kind string, readOnly bool, v any, fn func(), outcome func() string) error {
	data, err := json.Marshal(v) // before fn: a handler may change its request
	if err != nil {
		return fmt.Errorf("state: encode %s record: %w", kind, err)
	}
	d.mu.Lock()
	var t time.Time
	if d.clk != nil {
		t = d.clk.Hold()
	} else {
		t = d.eng.Now()
	}
	ids := 0
	if readOnly {
		ids = d.eng.IDsIssued()
	}
	func() {
		// A panicking handler must not leave the clock held and every
		// later call blocked.
		defer func() {
			if d.clk != nil {
				d.clk.Release()
			}
			if r := recover(); r != nil {
				d.mu.Unlock()
				panic(r)
			}
		}()
		fn()
	}()
	if readOnly && d.eng.IDsIssued() == ids {
		d.mu.Unlock()
		return nil
	}
	rec, err := json.Marshal(logged{Req: data, Outcome: outcome(), IDs: d.eng.IDsIssued()})
	if err != nil {
		d.mu.Unlock()
		return fmt.Errorf("state: encode %s record: %w", kind, err)
	}
	seq := d.st.Append(kind, t, rec)
	d.mu.Unlock()
	return d.st.Wait(seq)
}

// logged is a request record: the request and what it came to ("" =
// success, else the error code).
type logged struct {
	Req     json.RawMessage `json:"req"`
	Outcome string          `json:"outcome"`
	IDs     int             `json:"ids"` // IDs generated so far, after the call (a diagnostic: the engine's loop may add some concurrently)
}

// unavailable is the answer when the state cannot be written: the change is
// applied in memory but not durable, and the client must not take it as
// acknowledged.
const unavailable = "the emulator could not save its state (--state-dir)"

// durableProduct logs every call of an API 3.0 product.
type durableProduct struct {
	api3.Product
	d *durable
}

func (p durableProduct) Handle(ctx context.Context, req *api3.Request) (any, *api3.Error) {
	var out any
	var aerr *api3.Error
	err := p.d.apply(recAPI3, strings.HasPrefix(req.Action, "Describe"), req, func() { out, aerr = p.Product.Handle(ctx, req) }, func() string { return api3Outcome(aerr) })
	if err != nil {
		p.d.log.Error("state", "err", err)
		return nil, api3.Errorf("InternalError", unavailable)
	}
	return out, aerr
}

func api3Outcome(e *api3.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

// durableService logs every call of the ACS service.
type durableService struct {
	acs.Service
	d *durable
}

func (s durableService) Handle(ctx context.Context, req *acs.Request) (*acs.Response, *acs.Error) {
	var out *acs.Response
	var aerr *acs.Error
	err := s.d.apply(recACS, req.Method == http.MethodGet, req, func() { out, aerr = s.Service.Handle(ctx, req) }, func() string { return acsOutcome(aerr) })
	if err != nil {
		s.d.log.Error("state", "err", err)
		return nil, acs.InternalError()
	}
	return out, aerr
}

func acsOutcome(e *acs.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

// durableAdmin logs the admin API's state changes: a created tenant (as
// created, key included, since a generated key cannot be regenerated), a
// manual clock advance, and objects (through the object store's observer;
// the response waits until they are durable). Chaos rules are not state.
type durableAdmin struct {
	h   http.Handler
	d   *durable
	reg *tenants.Registry // for the key of a reconfigured tenant
}

func (a durableAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, AdminPrefix), "/")
	if r.Method == http.MethodGet || (ep != "tenants" && ep != "clock" && ep != "objects") {
		a.h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	d := a.d
	d.mu.Lock()
	a.h.ServeHTTP(rec, r)
	var seq uint64
	switch {
	case ep == "tenants" && rec.Code == http.StatusCreated:
		seq = d.st.Append(recTenant, d.eng.Now(), rec.Body.Bytes())
	case ep == "tenants" && r.Method == http.MethodPut && rec.Code == http.StatusOK:
		// The answer leaves the key out; the record is the tenant as the
		// registry now holds it, key included, so the replay's Put (which
		// replaces) restores it at this point of the history.
		seq = a.appendTenantLocked(rec.Body.Bytes())
	case ep == "clock" && rec.Code == http.StatusOK:
		seq = d.appendAdvanceLocked(r)
	default:
		seq = d.st.Last() // objects: the observer appended them
	}
	d.mu.Unlock()
	if err := d.st.Wait(seq); err != nil {
		d.log.Error("state", "err", err)
		adminError(w, http.StatusServiceUnavailable, "%s: %v", unavailable, err)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// appendTenantLocked records a reconfigured tenant (callers hold d.mu). The
// admin's answer names it; the registry has its key.
func (a durableAdmin) appendTenantLocked(answer []byte) uint64 {
	var named struct {
		SecretID string `json:"secret_id"`
	}
	if err := json.Unmarshal(answer, &named); err != nil || a.reg == nil {
		a.d.log.Error("state: a reconfigured tenant cannot be recorded", "err", err)
		return a.d.st.Last()
	}
	t, ok := a.reg.Get(named.SecretID)
	if !ok {
		return a.d.st.Last()
	}
	b, err := json.Marshal(t)
	if err != nil {
		a.d.log.Error("state: a reconfigured tenant cannot be recorded", "err", err)
		return a.d.st.Last()
	}
	return a.d.st.Append(recTenant, a.d.eng.Now(), b)
}

// advanceRec is a manual clock advance.
type advanceRec struct {
	To time.Time `json:"to"` // the manual clock's reading after the advance
}

// appendAdvanceLocked records the clock's new reading (callers hold d.mu and
// have just advanced it).
func (d *durable) appendAdvanceLocked(*http.Request) uint64 {
	now := d.eng.Now()
	b, _ := json.Marshal(advanceRec{To: now})
	return d.st.Append(recAdvance, now, b)
}

// advance is Emulator.Advance on a durable emulator.
func (d *durable) advance(dur time.Duration) error {
	d.mu.Lock()
	if err := d.eng.Advance(dur); err != nil {
		d.mu.Unlock()
		return err
	}
	seq := d.appendAdvanceLocked(nil)
	d.mu.Unlock()
	return d.st.Wait(seq)
}

// objectRec is an object put or deleted.
type objectRec struct {
	URL     string `json:"url"`
	Data    []byte `json:"data,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
}

// journal implements engine.ExecJournal over the log.
type journal struct {
	st        *store.Store
	replaying atomic.Bool
	outcomes  map[string]engine.ExecOutcome // recorded outcomes (read only while replaying)
}

type execRec struct {
	Key     string             `json:"key"`
	Outcome engine.ExecOutcome `json:"outcome"`
}

func (j *journal) Replaying() bool { return j.replaying.Load() }

func (j *journal) Outcome(key string) (engine.ExecOutcome, bool) {
	o, ok := j.outcomes[key]
	return o, ok
}

func (j *journal) Record(key string, o engine.ExecOutcome) {
	b, err := json.Marshal(execRec{Key: key, Outcome: o})
	if err != nil {
		return // []byte, time and strings always encode
	}
	j.st.Append(recExec, time.Time{}, b)
}

// randomSeed draws a non-zero seed for a new state directory (its IDs must
// be reproducible on replay, so a durable emulator always has one).
func randomSeed() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) | 1
}

// replayer re-applies a log on freshly built components.
type replayer struct {
	d        *durable
	products map[string]api3.Product // by API version
	ali      acs.Service
	tenants  *tenants.Registry
	objs     *engine.ObjectStore
}

func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// replay applies every record in order; the clock reads each record's time
// while it is applied.
func (r *replayer) replay(recs []store.Record) error {
	ctx := context.Background()
	for _, rec := range recs {
		if r.d.clk != nil && !rec.Time.IsZero() {
			r.d.clk.Set(rec.Time)
		}
		if err := r.one(ctx, rec); err != nil {
			return fmt.Errorf("state: replay record %d (%s): %w", rec.Seq, rec.Kind, err)
		}
	}
	return nil
}

func (r *replayer) one(ctx context.Context, rec store.Record) error {
	switch rec.Kind {
	case recAPI3, recACS:
		var lg logged
		if err := json.Unmarshal(rec.Data, &lg); err != nil {
			return err
		}
		var got string
		if rec.Kind == recAPI3 {
			var req api3.Request
			if err := decodeNumbers(lg.Req, &req); err != nil {
				return err
			}
			p, ok := r.products[req.Version]
			if !ok {
				return fmt.Errorf("no product serves version %q", req.Version)
			}
			_, aerr := p.Handle(ctx, &req)
			got = api3Outcome(aerr)
		} else {
			var req acs.Request
			if err := decodeNumbers(lg.Req, &req); err != nil {
				return err
			}
			_, aerr := r.ali.Handle(ctx, &req)
			got = acsOutcome(aerr)
		}
		if n := r.d.eng.IDsIssued(); lg.IDs != 0 && n != lg.IDs {
			// Not a divergence by itself (the loop may take IDs between a
			// call and the count), but the first place to look when one
			// follows.
			r.d.log.Debug("state: replayed call left a different ID count", "seq", rec.Seq, "recorded", lg.IDs, "replayed", n)
		}
		if got != lg.Outcome {
			// The engine is deterministic, so this means a bug (or a state
			// file written by a different emulator version): say so, go on.
			r.d.diverge.Add(1)
			r.d.log.Warn("state: replayed call came out differently", "seq", rec.Seq, "kind", rec.Kind, "recorded", lg.Outcome, "replayed", got)
		}
	case recTenant:
		var t tenants.Tenant
		if err := json.Unmarshal(rec.Data, &t); err != nil {
			return err
		}
		if err := r.tenants.Put(t); err != nil {
			return err
		}
	case recAdvance:
		var a advanceRec
		if err := json.Unmarshal(rec.Data, &a); err != nil {
			return err
		}
		if dur := a.To.Sub(r.d.eng.Now()); dur > 0 {
			if err := r.d.eng.Advance(dur); err != nil {
				return err
			}
		}
	case recObject:
		var o objectRec
		if err := json.Unmarshal(rec.Data, &o); err != nil {
			return err
		}
		if o.Deleted {
			r.objs.Delete(o.URL)
		} else if err := r.objs.Put(o.URL, o.Data); err != nil {
			return err
		}
	case recExec:
		// Loaded before the replay (journal.outcomes).
	default:
		return fmt.Errorf("unknown record kind %q", rec.Kind)
	}
	return nil
}

// StateInfo describes what a durable emulator restored when it started.
type StateInfo struct {
	Dir       string // the state directory ("" without WithStateDir)
	Restored  int    // records replayed from it (0: a new state)
	Diverged  int    // replayed calls whose outcome differed from the recorded one (a bug if not 0)
	Recovered int    // local task attempts that were running when the emulator stopped, failed with LostReason
}

// State reports what the emulator restored from its state directory.
func (e *Emulator) State() StateInfo {
	if e.dur == nil {
		return StateInfo{}
	}
	return e.dur.info
}

// openState opens c.stateDir, creating it with c's clock and seed if new,
// and fixes c.seed to the directory's.
func openState(c *config) (*durable, *store.State, error) {
	seed := c.seed
	if seed == 0 {
		seed = randomSeed()
	}
	hdr := store.Header{Created: time.Now().UTC(), Seed: seed, Manual: c.manual, Executor: c.executor,
		Start: time.Now().UTC().Truncate(time.Second)}
	st, saved, err := store.Open(c.stateDir, hdr)
	if err != nil {
		return nil, nil, fmt.Errorf("emulator: --state-dir: %w", err)
	}
	if saved != nil {
		if saved.Header.Manual != c.manual {
			_ = st.Close()
			want := "without --manual-clock"
			if saved.Header.Manual {
				want = "with --manual-clock"
			}
			return nil, nil, fmt.Errorf("emulator: --state-dir: %s was made by an emulator %s; start this one the same way", st.Path(), want)
		}
		if c.seed != 0 && c.seed != saved.Header.Seed {
			c.logger.Warn("state: the seed given is ignored: the state directory has its own", "dir", c.stateDir)
		}
		hdr = saved.Header
	}
	c.seed = hdr.Seed
	d := &durable{st: st, log: c.logger, jr: &journal{st: st, outcomes: map[string]engine.ExecOutcome{}},
		stopped: make(chan struct{}), start: hdr.Start, scale: c.timeScale}
	d.info.Dir = c.stateDir
	return d, saved, nil
}

// clock makes the clock the history is replayed on and then runs on.
func (d *durable) clock(c *config, _ *store.State) engine.Clock {
	if c.manual {
		return engine.NewManualClock(d.start)
	}
	d.clk = store.NewClock(c.timeScale, d.start)
	return d.clk
}

// restore replays a saved history onto freshly built components, lets the
// clock run on from where the last run left it, recovers lost local
// attempts and starts recording.
func (d *durable) restore(saved *store.State, products []api3.Product, ali acs.Service, reg *tenants.Registry, objs *engine.ObjectStore) error {
	if saved != nil {
		for _, rec := range saved.Records {
			if rec.Kind != recExec {
				continue
			}
			var x execRec
			if err := json.Unmarshal(rec.Data, &x); err != nil {
				return fmt.Errorf("emulator: --state-dir: record %d: %w", rec.Seq, err)
			}
			d.jr.outcomes[x.Key] = x.Outcome
		}
		r := &replayer{d: d, products: map[string]api3.Product{}, ali: ali, tenants: reg, objs: objs}
		for _, p := range products {
			r.products[p.Catalog().Version] = p
		}
		d.jr.replaying.Store(true)
		err := r.replay(saved.Records)
		if err == nil && d.clk != nil {
			// Up to the last time the stopped emulator may have shown,
			// everything happens as it did then.
			d.clk.Set(d.resumeAt(saved))
			d.eng.CatchUp()
		}
		d.jr.replaying.Store(false)
		if err != nil {
			return fmt.Errorf("emulator: --state-dir: %w", err)
		}
		d.jr.outcomes = nil
		d.info.Restored = len(saved.Records)
		d.info.Diverged = int(d.diverge.Load())
	}
	if d.clk != nil {
		d.clk.Resume()
	}
	d.info.Recovered = d.eng.RecoverLost(LostReason)
	objs.SetObserver(func(url string, data []byte, deleted bool) {
		b, err := json.Marshal(objectRec{URL: url, Data: data, Deleted: deleted})
		if err == nil {
			d.st.Append(recObject, time.Time{}, b)
		}
	})
	if saved != nil {
		d.log.Info("state restored", "dir", d.info.Dir, "records", d.info.Restored, "diverged", d.info.Diverged,
			"recovered", d.info.Recovered, "now", d.eng.Now())
	}
	return nil
}

// resumeAt is the emulator time a scaled clock resumes at: never earlier
// than anything the last run applied or may have shown. A clean shutdown
// noted the exact time served; after kill -9 the last mark plus one marking
// interval (in emulator time) bounds it. Time the emulator was down does not
// pass for it.
func (d *durable) resumeAt(saved *store.State) time.Time {
	t := d.start
	for _, r := range saved.Records {
		if r.Time.After(t) {
			t = r.Time
		}
	}
	if m := saved.Clock; m != nil {
		mt := m.Time
		if !m.Clean {
			mt = mt.Add(time.Duration(float64(markEvery) * d.scale))
		}
		if mt.After(t) {
			t = mt
		}
	}
	return t
}

// startMarks notes the emulator time served, every markEvery.
func (d *durable) startMarks() {
	d.marker.Add(1)
	go func() {
		defer d.marker.Done()
		tk := time.NewTicker(markEvery)
		defer tk.Stop()
		for {
			select {
			case <-d.stopped:
				return
			case <-tk.C:
				if err := d.st.MarkClock(store.ClockMark{Time: d.eng.Now()}); err != nil {
					d.log.Error("state", "err", err)
				}
			}
		}
	}()
}

// close notes the final emulator time and closes the store (after the engine
// and the server stopped: nothing is applied any more).
func (d *durable) close() error {
	close(d.stopped)
	d.marker.Wait()
	d.eng.Objects().SetObserver(nil)
	err := d.st.MarkClock(store.ClockMark{Time: d.eng.Now(), Clean: true})
	if cerr := d.st.Close(); err == nil {
		err = cerr
	}
	return err
}

// closeEarly undoes a Start that failed after the engine was made.
func closeEarly(eng *engine.Engine, d *durable) {
	eng.Close()
	if d != nil {
		_ = d.st.Close()
	}
}
