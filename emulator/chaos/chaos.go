// Package chaos is the emulator's documented failures on demand: rules that
// make matching requests (by tenant, service and action) answer a documented
// error code, wait longer, or lose their connection, each with a probability
// drawn from one seeded generator so a run replays. Unlike faults (contract
// violations, invisible through every API), chaos is switched on explicitly
// (`emulate --chaos FILE`, emulator.WithChaos, the admin API's chaos
// endpoint) and is reported by the admin API's info: the errors it produces
// are ones the vendor documents, so a client's handling of them can be tested.
package chaos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// The signing services of the dialects (each catalog's service): rules match
// on them, and each has its own documented codes.
const (
	ServiceTencentBatch = "batch"
	ServiceOceanus      = "oceanus"
	ServiceAliBatch     = "batchcompute"
)

// Codes are the error codes chaos may answer for Tencent Batch, with the
// message it answers them with. Only documented codes that a client cannot
// otherwise provoke (a backend dependency failing, an outage, throttling) are
// here: chaos never invents a code.
var Codes = map[string]string{
	"InternalError":                      "An internal error occurred.",
	"InternalError.CallCvm":              "Calling the CVM API returned an error.",
	"InternalError.CallCam":              "Calling the CAM API returned an error.",
	"InternalError.CallTagAPI":           "Getting the tags failed.",
	"InternalError.CallCpmAPI":           "Calling the CPM API returned an error.",
	"InternalError.CpmResponseDataEmpty": "The CPM API returned no data.",
	"RequestLimitExceeded":               "Your request rate exceeds the limit.",
	"ServiceUnavailable":                 "The service is temporarily unavailable.",
}

// OceanusCodes are Oceanus's (tencent-oceanus-2019-04-22.errors.json: every
// InternalError.* of a backend dependency, and the common outage and
// throttling codes of reference §5.8), with English renderings of the
// documented meanings.
var OceanusCodes = map[string]string{
	"InternalError":                           "An internal error occurred.",
	"InternalError.CLS":                       "The CLS API returned an error.",
	"InternalError.COSClient":                 "Accessing the COS service failed.",
	"InternalError.CamCgwError":               "The CAM gateway returned an error.",
	"InternalError.DB":                        "A database error occurred.",
	"InternalError.FailedToBescribeResources": "Describing the target resources failed.",
	"InternalError.FailedToUpdateJob":         "The job could not be updated.",
	"InternalError.JobInstanceNotFound":       "The job instance was not found.",
	"InternalError.LogicError":                "An internal error occurred.",
	"InternalError.SqlCodeNotFound":           "The SQL code was not found.",
	"InternalError.StsNewClient":              "An internal error occurred.",
	"InternalError.SystemError":               "A system error occurred.",
	"RequestLimitExceeded":                    "Your request rate exceeds the limit.",
	"ServiceUnavailable":                      "The service is temporarily unavailable.",
}

// ACSCodes are Alibaba BatchCompute's: reference §A.3 documents one failure
// of the service itself, 500 InternalError (no throttling or outage code is
// documented for this API, so chaos has none: a rule that wants a throttled
// Alibaba client uses latency or drop).
var ACSCodes = map[string]string{
	"InternalError": "The request processing has been failed due to some unknown error.",
}

// ServiceCodes maps each service to its codes. A rule's error must be
// documented for its service (or, without a service, for at least one); a
// rule without a service only hits the services that document its code.
var ServiceCodes = map[string]map[string]string{
	ServiceTencentBatch: Codes,
	ServiceOceanus:      OceanusCodes,
	ServiceAliBatch:     ACSCodes,
}

// MaxLatency bounds one rule's added latency, so a typo cannot hang a client
// for hours.
const MaxLatency = 5 * time.Minute

// Rule is one failure. Empty Tenant, Service or Actions match anything.
type Rule struct {
	// Name labels the rule in the admin API's counts (default rule-N).
	Name string `json:"name,omitempty"`
	// Tenant is a SecretId.
	Tenant string `json:"tenant,omitempty"`
	// Service is the signing service, e.g. "batch".
	Service string   `json:"service,omitempty"`
	Actions []string `json:"actions,omitempty"`
	// Probability that a matching request is hit, in (0, 1].
	Probability float64 `json:"probability"`
	// Error is the code answered (one of Codes); Message overrides its text.
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
	// Latency is added before the request is answered (Go duration).
	Latency string `json:"latency,omitempty"`
	// Drop closes the connection without an answer.
	Drop bool `json:"drop,omitempty"`
	// Count stops the rule after it has hit this many requests (0: never):
	// a RequestLimitExceeded burst of N requests is Count N, Probability 1.
	Count int `json:"count,omitempty"`
	// KillInstance makes the rule hit instances instead of requests: when a
	// matching tenant's task instance starts its command, the compute node
	// under it dies mid-task (the instance's attempt fails and its retry path
	// runs). Such a rule takes no service, actions, error, latency or drop.
	KillInstance bool `json:"kill_instance,omitempty"`

	latency time.Duration
	actions map[string]bool
}

// Config is a chaos configuration: the rules, checked in order (the first
// rule that hits decides), and the generator's seed (0: seeded from the
// clock, so the run is not reproducible).
type Config struct {
	Seed  uint64 `json:"seed,omitempty"`
	Rules []Rule `json:"rules"`
}

// Effect is what chaos does to one request. The zero Effect is nothing.
type Effect struct {
	Rule    string
	Latency time.Duration
	Drop    bool
	Code    string
	Message string
}

// None reports whether the effect leaves the request alone.
func (e Effect) None() bool { return e.Rule == "" }

// Parse reads a configuration strictly (unknown fields are errors: a
// misspelt field must not silently switch a failure off) and validates it.
func Parse(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("chaos: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Load reads a configuration file (`emulate --chaos FILE`).
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("chaos: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Validate checks every rule; it names the first bad one.
func (c *Config) Validate() error {
	if len(c.Rules) == 0 {
		return fmt.Errorf("chaos: no rules")
	}
	seen := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Name == "" {
			r.Name = fmt.Sprintf("rule-%d", i+1)
		}
		if seen[r.Name] {
			return fmt.Errorf("chaos: rule %d: duplicate name %q", i+1, r.Name)
		}
		seen[r.Name] = true
		if !(r.Probability > 0 && r.Probability <= 1) {
			return fmt.Errorf("chaos: rule %s: probability must be in (0, 1], got %v", r.Name, r.Probability)
		}
		if r.Count < 0 {
			return fmt.Errorf("chaos: rule %s: count must not be negative", r.Name)
		}
		if r.KillInstance {
			if r.Service != "" || len(r.Actions) > 0 || r.Error != "" || r.Message != "" || r.Latency != "" || r.Drop {
				return fmt.Errorf("chaos: rule %s: kill_instance takes only name, tenant, probability and count", r.Name)
			}
			r.actions = nil
			continue
		}
		if r.Service != "" {
			if _, ok := ServiceCodes[r.Service]; !ok {
				return fmt.Errorf("chaos: rule %s: unknown service %q (known: %s, %s, %s)", r.Name, r.Service,
					ServiceTencentBatch, ServiceOceanus, ServiceAliBatch)
			}
		}
		if r.Error != "" {
			if !documented(r.Service, r.Error) {
				return fmt.Errorf("chaos: rule %s: %q is not a chaos error code%s (known: %s)", r.Name, r.Error,
					forService(r.Service), strings.Join(codeNames(r.Service), ", "))
			}
		} else if r.Message != "" {
			return fmt.Errorf("chaos: rule %s: message without error", r.Name)
		}
		if r.Latency != "" {
			d, err := time.ParseDuration(r.Latency)
			if err != nil || d < 0 || d > MaxLatency {
				return fmt.Errorf("chaos: rule %s: latency must be a Go duration in [0, %v], got %q", r.Name, MaxLatency, r.Latency)
			}
			r.latency = d
		}
		if r.Drop && r.Error != "" {
			return fmt.Errorf("chaos: rule %s: drop and error exclude each other", r.Name)
		}
		if !r.Drop && r.Error == "" && r.latency == 0 {
			return fmt.Errorf("chaos: rule %s: does nothing (give error, latency or drop)", r.Name)
		}
		r.actions = nil
		if len(r.Actions) > 0 {
			r.actions = map[string]bool{}
			for _, a := range r.Actions {
				r.actions[a] = true
			}
		}
	}
	return nil
}

// CodeNames lists every service's codes, sorted.
func CodeNames() []string { return codeNames("") }

// codeNames lists service's codes sorted ("": every service's).
func codeNames(service string) []string {
	set := map[string]bool{}
	for svc, codes := range ServiceCodes {
		if service != "" && svc != service {
			continue
		}
		for c := range codes {
			set[c] = true
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// documented reports whether code is a chaos code of service ("": of any).
func documented(service, code string) bool {
	for _, c := range codeNames(service) {
		if c == code {
			return true
		}
	}
	return false
}

func forService(service string) string {
	if service == "" {
		return ""
	}
	return " of service " + service
}

// Set holds the active configuration. A nil *Set or one with no
// configuration does nothing; it is safe for concurrent use, and Replace
// swaps the whole configuration at once (no request sees half of one).
type Set struct {
	mu   sync.Mutex
	cfg  *Config
	rng  *rand.Rand
	hits map[string]int
}

// New returns a Set with c active (nil: chaos off until Replace).
func New(c *Config) (*Set, error) {
	s := &Set{}
	if c != nil {
		if err := s.Replace(*c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Replace validates c and makes it the active configuration, resetting the
// generator and the counts; on an error the previous configuration stays.
func (s *Set) Replace(c Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replaceLocked(c)
}

func (s *Set) replaceLocked(c Config) error {
	c.Rules = append([]Rule(nil), c.Rules...)
	if err := c.Validate(); err != nil {
		return err
	}
	seed := c.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	s.cfg = &c
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s.hits = map[string]int{}
	return nil
}

// Add appends c's rules to the active configuration, keeping the
// generator and the counts (c's seed applies only when chaos was off), so
// independent users (parallel specs, each matching its own tenant) do not
// replace each other's rules. On an error nothing changes.
func (s *Set) Add(c Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return s.replaceLocked(c)
	}
	merged := Config{Seed: s.cfg.Seed, Rules: append(append([]Rule(nil), s.cfg.Rules...), c.Rules...)}
	if err := merged.Validate(); err != nil {
		return err
	}
	s.cfg = &merged
	return nil
}

// Off switches chaos off.
func (s *Set) Off() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.rng, s.hits = nil, nil, nil
}

// Status is the active configuration and how many requests each rule hit.
type Status struct {
	On     bool           `json:"on"`
	Config *Config        `json:"config,omitempty"`
	Hits   map[string]int `json:"hits,omitempty"`
}

// Status reports the active configuration.
func (s *Set) Status() Status {
	if s == nil {
		return Status{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return Status{}
	}
	hits := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		hits[k] = v
	}
	c := *s.cfg
	return Status{On: true, Config: &c, Hits: hits}
}

// Decide returns what happens to a request of tenant for service's action.
// Only rules that match draw from the generator, so requests of other
// tenants do not change a tenant's sequence of hits. A rule whose error the
// service does not document does not match it (chaos never answers a code
// of another dialect), and instance rules never match requests.
func (s *Set) Decide(tenant, service, action string) Effect {
	if s == nil {
		return Effect{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return Effect{}
	}
	for i := range s.cfg.Rules {
		r := &s.cfg.Rules[i]
		if r.KillInstance || (r.Tenant != "" && r.Tenant != tenant) || (r.Service != "" && r.Service != service) ||
			(r.actions != nil && !r.actions[action]) {
			continue
		}
		msg, ok := ServiceCodes[service][r.Error]
		if r.Error != "" && !ok {
			continue
		}
		if !s.drawLocked(r) {
			continue
		}
		e := Effect{Rule: r.Name, Latency: r.latency, Drop: r.Drop, Code: r.Error, Message: r.Message}
		if e.Code != "" && e.Message == "" {
			e.Message = msg
		}
		return e
	}
	return Effect{}
}

// drawLocked decides whether a matching rule hits (its count left and its
// probability drawn) and counts the hit.
func (s *Set) drawLocked(r *Rule) bool {
	if r.Count > 0 && s.hits[r.Name] >= r.Count {
		return false
	}
	if r.Probability < 1 && s.rng.Float64() >= r.Probability {
		return false
	}
	s.hits[r.Name]++
	return true
}

// InstanceDies is asked by the engine when an instance of tenant starts its
// command: it names the kill_instance rule that kills the node under it mid-task
// (the first that hits), or "" when the instance lives.
func (s *Set) InstanceDies(tenant string) string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg == nil {
		return ""
	}
	for i := range s.cfg.Rules {
		r := &s.cfg.Rules[i]
		if !r.KillInstance || (r.Tenant != "" && r.Tenant != tenant) {
			continue
		}
		if s.drawLocked(r) {
			return r.Name
		}
	}
	return ""
}
