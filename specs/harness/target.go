package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/redact"
)

// Target is one dialect's endpoint as the specs see it.
type Target struct {
	Dialect   string  `json:"dialect"`
	URL       string  `json:"url"`    // http(s)://host:port
	Host      string  `json:"host"`   // host:port
	Scheme    string  `json:"scheme"` // http or https
	SecretID  string  `json:"secret_id"`
	SecretKey string  `json:"secret_key"` // passed between processes, never written out
	Region    string  `json:"region"`
	Zone      string  `json:"zone"`
	Embedded  bool    `json:"embedded"` // started by this run
	Emulator  bool    `json:"emulator"` // the admin API answers: emulator-only specs run
	Live      bool    `json:"live"`
	RateLimit float64 `json:"rate_limit"`
	// RunPrefix starts the name of every resource the run creates, so a
	// sweeper can find leftovers on a live account.
	RunPrefix      string        `json:"run_prefix"`
	RequestTimeout time.Duration `json:"request_timeout"`
	MaxResources   int           `json:"max_resources"`
	// Hold is the emulator's state hold in real time, from its admin API's
	// info (0: unknown, or not an emulator): PollInterval is a sixth of it.
	Hold time.Duration `json:"hold,omitempty"`
	// StallTimeout is the states-move window (breaker.go).
	StallTimeout time.Duration `json:"stall_timeout"`
	// Budget is the run's --budget (budget.go).
	Budget Budget `json:"budget"`
	// Tripped holds the preconditions the preflight found violated
	// (name -> message), passed to every process of the run.
	Tripped map[string]string `json:"tripped,omitempty"`
}

var (
	settingsMu sync.Mutex
	current    = Defaults()
	targets    = map[string]*Target{}
	embedded   *emulator.Emulator
)

// EnvShardOfEmbedded is set by `run --procs` for its shards: the endpoint is
// the emulator the parent embedded, and the value lists its faults ("-" for
// none).
const EnvShardOfEmbedded = "BATCHCONFORM_SHARD_OF_EMBEDDED"

// EmbeddedFaults are the faults of the embedded emulator of this run (also
// in a shard of `run --procs`).
func EmbeddedFaults() []string {
	if v := os.Getenv(EnvShardOfEmbedded); v != "" && v != "-" {
		return splitList(v)
	}
	return Current().Faults
}

// Configure sets the settings used by the next suite run (the CLI and
// RunSuite call it before RunSpecs).
func Configure(s Settings) {
	settingsMu.Lock()
	defer settingsMu.Unlock()
	current = s
	resetBreakers()
	resetLedger()
	resetSetupFailures()
	SelectItems(s.Items)
	if s.SecretKey != "" {
		redact.Value(s.SecretKey)
	}
	for _, m := range s.perDialect["secret-key"] {
		redact.Value(m)
	}
}

// Current returns the settings in force.
func Current() Settings {
	settingsMu.Lock()
	defer settingsMu.Unlock()
	return current
}

// T returns the target of a dialect; it fails the spec if the dialect is not
// part of this run.
func T(dialect string) *Target {
	settingsMu.Lock()
	t := targets[dialect]
	settingsMu.Unlock()
	if t == nil {
		ginkgo.Fail(fmt.Sprintf("harness: dialect %s is not a target of this run", dialect))
	}
	return t
}

// Selected reports whether a dialect is a target of this run (spec packages
// use it to skip their containers).
func Selected(dialect string) bool {
	s := Current()
	for _, d := range s.SelectedDialects() {
		if d == dialect {
			return true
		}
	}
	return false
}

// setUp runs once for the whole run (proc 1): it starts the embedded emulator
// if any selected dialect has no endpoint and resolves every target.
func setUp() ([]byte, error) {
	s := Current()
	ts := map[string]*Target{}
	prefix := "bc" + randHex(3)
	if s.RunPrefix != "" {
		prefix = s.RunPrefix
	}
	announced := false
	for _, d := range s.SelectedDialects() {
		tc := s.For(d)
		t := &Target{Dialect: d, SecretID: tc.SecretID, SecretKey: tc.SecretKey, Region: tc.Region,
			Zone: tc.Zone, Live: s.Live, RunPrefix: prefix, RequestTimeout: s.RequestTimeout, MaxResources: s.MaxResources}
		if tc.Endpoint == "" || s.DryRun {
			// --dry-run rehearses the run against a private emulator:
			// nothing is sent to the target (dryrun.go).
			if embedded == nil {
				emu, err := emulator.Start(EmbeddedOptions(s.Faults)...)
				if err != nil {
					return nil, fmt.Errorf("harness: start the embedded emulator: %w", err)
				}
				embedded = emu
			}
			t.URL, t.SecretID, t.SecretKey, t.Embedded, t.Emulator = embedded.URL, embedded.SecretID, embedded.SecretKey, true, true
			t.Hold = embedded.Engine().Timing().Hold
			if s.DryRun && tc.Endpoint != "" {
				// The target is taken for what it most likely is (not
				// probed: nothing is sent): the emulator-only specs are
				// the ones a run there would skip.
				t.Emulator = false
			}
		} else {
			t.URL = strings.TrimSuffix(tc.Endpoint, "/")
			// A shard of `run --procs` targets the emulator its parent
			// embedded: for the specs it is the embedded emulator.
			t.Embedded = os.Getenv(EnvShardOfEmbedded) != ""
			u, _ := url.Parse(t.URL)
			// Only a loopback endpoint is probed for the admin API: a live
			// API is never sent requests it did not ask for.
			if IsLoopback(u.Hostname()) {
				t.Emulator, t.Hold = probeAdmin(t.URL)
			}
		}
		if !t.Embedded && !announced {
			// What a killed run leaves behind is found again by this prefix.
			fmt.Fprintf(os.Stderr, "batchconform: resources of this run are named %s-…; `batchconform sweep --prefix %s` (same target flags) removes any it leaves behind\n", prefix, prefix)
			announced = true
		}
		u, _ := url.Parse(t.URL)
		t.Host, t.Scheme = u.Host, u.Scheme
		t.RateLimit = s.RateLimit(tc.Endpoint)
		t.StallTimeout = s.stallTimeout()
		t.Budget, _ = ParseBudget(s.Budget) // validated with the settings
		redact.Value(t.SecretKey)
		ts[d] = t
	}
	runPreflights(ts)
	return json.Marshal(ts)
}

// tearDown stops the embedded emulator (proc 1, after every process is done).
func tearDown() error {
	// The specs' cleanups still running in the background (reap.go) end
	// first: the ledger's drain stops the run's requests.
	reapErr := waitReaper()
	// What the specs' own cleanup left (an interrupt, a refused
	// DeferCleanup, a goroutine still creating) is deleted from the ledger.
	drainLedger(os.Stderr)
	if embedded == nil {
		return reapErr
	}
	// Idle keep-alive connections of the suite's own transport would hold
	// the emulator's graceful shutdown until they time out.
	sharedTransport.CloseIdleConnections()
	err := embedded.Close()
	embedded = nil
	return errors.Join(reapErr, err)
}

// StopEmbedded stops the embedded emulator now, killing the commands its
// jobs run, for a caller that ends the process before the suite's own
// teardown (the mutation gate's fail fast): an exit alone orphaned them.
func StopEmbedded() error {
	if embedded == nil {
		return nil
	}
	sharedTransport.CloseIdleConnections()
	err := embedded.Close()
	embedded = nil
	return err
}

func useTargets(data []byte) {
	ts := map[string]*Target{}
	if err := json.Unmarshal(data, &ts); err != nil {
		ginkgo.Fail("harness: bad target data: " + err.Error())
	}
	settingsMu.Lock()
	targets = ts
	settingsMu.Unlock()
	for _, t := range ts {
		redact.Value(t.SecretKey)
		rememberKey(t.SecretID, t.SecretKey)
		for pre, msg := range t.Tripped {
			breakerFor(t.Dialect).trip(pre, msg)
		}
	}
	startBackground(ts)
}

// probeAdmin reports whether base serves the emulator's admin API and, if
// it does, its state hold in real time (0 when it does not say, or its clock
// is manual: nothing then moves by itself).
func probeAdmin(base string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+emulator.AdminPrefix+"info", nil)
	if err != nil {
		return false, 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, 0
	}
	defer resp.Body.Close()
	var info emulator.Info
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&info) != nil || info.Name != "batchconform-emulator" {
		return false, 0
	}
	return true, RealHold(info)
}

// The harness owns the only suite-level nodes.
var _ = ginkgo.SynchronizedBeforeSuite(func() []byte {
	data, err := setUp()
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	ginkgo.DeferCleanup(tearDown)
	return data
}, useTargets)

// Name returns a resource name that starts with the run prefix, cut to max
// bytes (0 = no limit).
func (t *Target) Name(base string, max int) string {
	n := t.RunPrefix + "-" + base
	if max > 0 && len(n) > max {
		n = n[:max]
	}
	return n
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func registerSecret(v string) { redact.Value(v) }
