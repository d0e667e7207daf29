// Package harness is the target-agnostic machinery under the conformance specs:
// target selection (flags = environment, as pinned in the design), clients with
// deadlines, a client-side rate limit and evidence capture, resource naming and
// cleanup, item declarations and verdict entries. It is the only place with
// suite-level Ginkgo nodes: one binary is one Ginkgo suite.
package harness

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Dialects the suite knows (pinned keys).
var Dialects = []string{"tencent-batch", "alibaba-batchcompute", "oceanus"}

// Implemented lists the dialects that have specs today.
var Implemented = []string{"tencent-batch", "alibaba-batchcompute", "oceanus"}

// Settings are the target settings. Every field has a flag and an environment
// variable (pinned in the design); a per-dialect form
// (--endpoint-tencent-batch, BATCHCONFORM_ENDPOINT_TENCENT_BATCH, ...) wins over
// the plain one.
type Settings struct {
	Dialect         string
	Endpoint        string
	SecretID        string
	SecretKey       string
	Region          string
	Zone            string
	Live            bool
	LabelFilter     string
	Items           []string
	RequestTimeout  time.Duration
	Deadline        time.Duration
	ClientRateLimit float64 // requests/s per action; <0 = unset (20 live, off on loopback)
	MaxResources    int
	DryRun          bool
	Faults          []string
	// StallTimeout: resources observed this long with none leaving its
	// first state trip the states-move precondition (0 = 20s on loopback,
	// 10m on a live target).
	StallTimeout time.Duration
	// RunPrefix names every resource the run creates ("" = bc + 6 random
	// hex digits); `sweep --prefix` finds them again.
	RunPrefix string
	// Budget is --budget "requests=N,resource-seconds=M" (budget.go).
	Budget string

	// perDialect holds the per-dialect overrides: key "endpoint", "secret-id", ... -> dialect -> value.
	perDialect map[string]map[string]string
}

// perDialectKeys are the settings that have a per-dialect form.
var perDialectKeys = []string{"endpoint", "secret-id", "secret-key", "region", "zone"}

func envName(key string) string {
	return "BATCHCONFORM_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

func dialectEnvName(key, dialect string) string {
	return envName(key) + "_" + strings.ToUpper(strings.ReplaceAll(dialect, "-", "_"))
}

// Defaults returns the settings with their documented defaults.
func Defaults() Settings {
	return Settings{Dialect: "all", Region: "ap-guangzhou", Zone: "ap-guangzhou-2",
		RequestTimeout: 30 * time.Second, ClientRateLimit: -1, MaxResources: 50}
}

// FromEnv reads the settings from the environment (the `go test` form).
func FromEnv() (Settings, error) {
	s := Defaults()
	fs := flag.NewFlagSet("env", flag.ContinueOnError)
	s.RegisterFlags(fs)
	// Register re-reads nothing: apply the environment through the flag set so
	// parsing and validation are shared with the CLI.
	if err := s.applyEnv(fs); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// RegisterFlags registers the target flags on fs; their defaults come from the
// environment, so a flag given on the command line wins over the environment.
func (s *Settings) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.Dialect, "dialect", s.Dialect, "tencent-batch, alibaba-batchcompute, oceanus or all (env BATCHCONFORM_DIALECT)")
	fs.StringVar(&s.Endpoint, "endpoint", s.Endpoint, "http(s)://host:port of the target; empty = an embedded emulator (env BATCHCONFORM_ENDPOINT)")
	fs.StringVar(&s.SecretID, "secret-id", s.SecretID, "SecretId (env BATCHCONFORM_SECRET_ID)")
	fs.StringVar(&s.SecretKey, "secret-key", s.SecretKey, "SecretKey (env BATCHCONFORM_SECRET_KEY)")
	fs.StringVar(&s.Region, "region", s.Region, "region (env BATCHCONFORM_REGION)")
	fs.StringVar(&s.Zone, "zone", s.Zone, "zone (env BATCHCONFORM_ZONE)")
	fs.BoolVar(&s.Live, "live", s.Live, "required for any non-loopback endpoint (env BATCHCONFORM_LIVE=1)")
	fs.StringVar(&s.LabelFilter, "label-filter", s.LabelFilter, "Ginkgo label filter (env BATCHCONFORM_LABEL_FILTER)")
	fs.Func("items", "comma-separated item IDs: run just their specs (env BATCHCONFORM_ITEMS)", func(v string) error {
		s.Items = splitList(v)
		return nil
	})
	fs.DurationVar(&s.RequestTimeout, "request-timeout", s.RequestTimeout, "deadline of each request (env BATCHCONFORM_REQUEST_TIMEOUT)")
	fs.DurationVar(&s.Deadline, "deadline", s.Deadline, "deadline of the whole run; 0 = none (env BATCHCONFORM_DEADLINE)")
	fs.Float64Var(&s.ClientRateLimit, "client-rate-limit", s.ClientRateLimit, "requests/s per action sent by the suite (default 20 for live targets, off for loopback) (env BATCHCONFORM_CLIENT_RATE_LIMIT)")
	fs.DurationVar(&s.StallTimeout, "stall-timeout", s.StallTimeout, "give up on a target whose resources never leave their first state after this long; 0 = 20s on loopback, 10m live (env BATCHCONFORM_STALL_TIMEOUT)")
	fs.StringVar(&s.RunPrefix, "run-prefix", s.RunPrefix, "start the name of every resource the run creates with this (default bc + 6 random hex digits) (env BATCHCONFORM_RUN_PREFIX)")
	fs.StringVar(&s.Budget, "budget", s.Budget, "stop sending (all but cleanup) once spent: requests=N,resource-seconds=M (env BATCHCONFORM_BUDGET)")
	fs.IntVar(&s.MaxResources, "max-resources", s.MaxResources, "live safety: most resources alive at once (env BATCHCONFORM_MAX_RESOURCES)")
	fs.BoolVar(&s.DryRun, "dry-run", s.DryRun, "list what would run, send nothing (env BATCHCONFORM_DRY_RUN=1)")
	fs.Func("fault", "embedded emulator only: switch on a named fault (repeatable) (env BATCHCONFORM_FAULTS=a,b)", func(v string) error {
		s.Faults = append(s.Faults, splitList(v)...)
		return nil
	})
	for _, key := range perDialectKeys {
		for _, d := range Dialects {
			key, d := key, d
			fs.Func(key+"-"+d, fmt.Sprintf("--%s for %s only (env %s)", key, d, dialectEnvName(key, d)), func(v string) error {
				s.setPerDialect(key, d, v)
				return nil
			})
		}
	}
}

func (s *Settings) setPerDialect(key, dialect, v string) {
	if s.perDialect == nil {
		s.perDialect = map[string]map[string]string{}
	}
	if s.perDialect[key] == nil {
		s.perDialect[key] = map[string]string{}
	}
	s.perDialect[key][dialect] = v
}

// applyEnv sets every flag of fs whose environment variable is set.
func (s *Settings) applyEnv(fs *flag.FlagSet) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		switch f.Name {
		case "fault":
			name = "BATCHCONFORM_FAULTS"
		}
		for _, d := range Dialects {
			for _, key := range perDialectKeys {
				if f.Name == key+"-"+d {
					name = dialectEnvName(key, d)
				}
			}
		}
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return
		}
		if f.Name == "live" || f.Name == "dry-run" {
			v = strconv.FormatBool(v == "1" || strings.EqualFold(v, "true"))
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", name, v, err))
		}
	})
	return errors.Join(errs...)
}

// ApplyEnv fills every setting whose flag was not given on the command line
// from the environment (the CLI's precedence: flag > environment > default).
func (s *Settings) ApplyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	env := flag.NewFlagSet("env", flag.ContinueOnError)
	var fromEnv Settings = *s
	fromEnv.RegisterFlags(env)
	if err := fromEnv.applyEnv(env); err != nil {
		return err
	}
	env.Visit(func(f *flag.Flag) {
		if !given[f.Name] {
			_ = fs.Set(f.Name, f.Value.String())
		}
	})
	// Repeatable and per-dialect values are not round-tripped by Value.String.
	if !given["fault"] && len(s.Faults) == 0 {
		s.Faults = fromEnv.Faults
	}
	if !given["items"] && len(s.Items) == 0 {
		s.Items = fromEnv.Items
	}
	for key, m := range fromEnv.perDialect {
		for d, v := range m {
			if !given[key+"-"+d] {
				s.setPerDialect(key, d, v)
			}
		}
	}
	return s.Validate()
}

// Validate checks the settings for bad usage (exit code 2).
func (s *Settings) Validate() error {
	ok := s.Dialect == "all"
	for _, d := range Dialects {
		ok = ok || s.Dialect == d
	}
	if !ok {
		return fmt.Errorf("--dialect %q: want one of %s or all", s.Dialect, strings.Join(Dialects, ", "))
	}
	for _, d := range s.SelectedDialects() {
		t := s.For(d)
		if t.Endpoint == "" {
			if s.Live {
				return fmt.Errorf("%s: --live needs --endpoint", d)
			}
			continue
		}
		u, err := url.Parse(t.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("%s: endpoint %q: want http(s)://host:port", d, t.Endpoint)
		}
		if !IsLoopback(u.Hostname()) && !s.Live {
			return fmt.Errorf("%s: endpoint %s is not on loopback: pass --live (BATCHCONFORM_LIVE=1) to run against it", d, u.Host)
		}
		if t.SecretID == "" || t.SecretKey == "" {
			return fmt.Errorf("%s: --secret-id and --secret-key are required with an endpoint", d)
		}
		if len(s.Faults) > 0 {
			return errors.New("--fault applies to the embedded emulator only (no --endpoint)")
		}
	}
	if _, err := PropertySequences(); err != nil {
		return err
	}
	if _, err := ParseBudget(s.Budget); err != nil {
		return err
	}
	if s.RunPrefix != "" {
		if err := ValidPrefix(s.RunPrefix); err != nil {
			return fmt.Errorf("--run-prefix: %w", err)
		}
	}
	if s.RequestTimeout <= 0 {
		return fmt.Errorf("--request-timeout must be positive, got %s", s.RequestTimeout)
	}
	return nil
}

// SelectedDialects returns the implemented dialects the settings select.
func (s *Settings) SelectedDialects() []string {
	if s.Dialect == "all" {
		return Implemented
	}
	for _, d := range Implemented {
		if d == s.Dialect {
			return []string{d}
		}
	}
	return nil
}

// TargetConfig is the resolved configuration for one dialect.
type TargetConfig struct {
	Dialect             string
	Endpoint            string
	SecretID, SecretKey string
	Region, Zone        string
}

// For resolves the settings of one dialect (per-dialect forms win).
func (s *Settings) For(dialect string) TargetConfig {
	pick := func(key, plain string) string {
		if v := s.perDialect[key][dialect]; v != "" {
			return v
		}
		return plain
	}
	return TargetConfig{Dialect: dialect,
		Endpoint: pick("endpoint", s.Endpoint), SecretID: pick("secret-id", s.SecretID),
		SecretKey: pick("secret-key", s.SecretKey), Region: pick("region", s.Region), Zone: pick("zone", s.Zone)}
}

// RateLimit is the client-side rate limit for a target (requests/s per
// action): the flag if set, else 20 for live targets and none for loopback.
func (s *Settings) RateLimit(endpoint string) float64 {
	if s.ClientRateLimit >= 0 {
		return s.ClientRateLimit
	}
	if endpoint == "" {
		return 0
	}
	if u, err := url.Parse(endpoint); err == nil && IsLoopback(u.Hostname()) {
		return 0
	}
	return 20
}

// String describes the settings without secrets.
func (s Settings) String() string {
	key := ""
	if s.SecretKey != "" {
		key = "***"
	}
	return fmt.Sprintf("dialect=%s endpoint=%q secret-id=%q secret-key=%q region=%s zone=%s live=%v",
		s.Dialect, s.Endpoint, s.SecretID, key, s.Region, s.Zone, s.Live)
}

// IsLoopback reports whether host is a loopback name or address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func splitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
