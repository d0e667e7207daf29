package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/fuzz"
	"github.com/batchconform/batchconform/redact"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"
)

// fuzzDialect is the dialect fuzzed when --dialect is all (the default):
// a fuzz run explores one dialect for its whole duration (run one per
// dialect, or shards, for more).
const fuzzDialect = "tencent-batch"

// fuzzDialectOf resolves --dialect for fuzz and replay: a dialect key or
// its alias (tencent-oceanus), all = fuzzDialect.
func fuzzDialectOf(s *harness.Settings) (fuzz.Dialect, error) {
	key := s.Dialect
	if key == "all" || key == "" {
		key = fuzzDialect
	}
	return fuzz.DialectByKey(key)
}

// canonicalDialect turns the alias tencent-oceanus into the pinned key, so
// the harness's settings accept it.
func canonicalDialect(s *harness.Settings) {
	if d := fuzz.CanonicalDialect(s.Dialect); d != "" {
		s.Dialect = d
	}
}

// fuzzTarget resolves the target flags to a fuzz factory for a dialect: a
// fresh embedded emulator per case (simulated executor, manual clock)
// without --endpoint, else the endpoint through the harness's rate-limited
// transport (its signed API 3.0 and ACS clients).
func fuzzTarget(s harness.Settings, dialect string) (fuzz.Factory, *fuzz.Endpoint, reports.Target, error) {
	tc := s.For(dialect)
	rt := reports.Target{Endpoints: map[string]string{}, Dialects: []string{dialect}, Live: s.Live}
	if tc.Endpoint == "" {
		rt.Endpoints[dialect], rt.Embedded = "embedded", true
		return fuzz.Embedded{Faults: s.Faults, Dialect: dialect}, nil, rt, nil
	}
	url := strings.TrimSuffix(tc.Endpoint, "/")
	host := strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
	scheme := "http"
	if strings.HasPrefix(url, "https://") {
		scheme = "https"
	}
	t := &harness.Target{Dialect: dialect, URL: url, Host: host, Scheme: scheme, SecretID: tc.SecretID, SecretKey: tc.SecretKey,
		Region: tc.Region, Zone: tc.Zone, Live: s.Live, RateLimit: s.RateLimit(tc.Endpoint), RequestTimeout: s.RequestTimeout,
		MaxResources: s.MaxResources, RunPrefix: "bcfuzz"}
	redact.Value(tc.SecretKey)
	rt.Endpoints[dialect] = tc.Endpoint
	ep := fuzz.NewEndpoint(t)
	return ep, ep, rt, nil
}

func cmdFuzz(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
	s := harness.Defaults()
	s.RegisterFlags(fs)
	duration := fs.Duration("duration", 30*time.Second, "how long to fuzz")
	seed := fs.Uint64("seed", 0, "seed (0 = from the clock; printed, and the same seed gives the same cases)")
	out := fs.String("out", "batchconform-fuzz", "output directory: report.json and replay files")
	kinds := fs.String("kinds", "", "properties to fuzz (default: every kind the dialect has): "+strings.Join(fuzz.AllKinds, ","))
	steps := fs.Int("steps", 30, "average operations per stateful sequence")
	checks := fs.Int("checks", 0, "stateless cases per round (default 200)")
	shrink := fs.Duration("shrink-time", 4*time.Second, "time rapid may spend shrinking each failure")
	shard := fs.String("shard", "", "fuzz shard i/N: draws the round seeds --seed+i, +i+N, … so N machines never repeat each other (needs --seed)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	canonicalDialect(&s)
	if err := s.ApplyEnv(fs); err != nil {
		fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
		return ExitUsage
	}
	canonicalDialect(&s)
	d, err := fuzzDialectOf(&s)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
		return ExitUsage
	}
	shardIndex, shardTotal := 0, 0
	if *shard != "" {
		i, n, err := parseShard(*shard)
		if err != nil {
			fmt.Fprintf(stderr, "batchconform fuzz: --shard: %v\n", err)
			return ExitUsage
		}
		if *seed == 0 {
			fmt.Fprintln(stderr, "batchconform fuzz: --shard needs --seed (the same on every shard), so the shards draw disjoint seeds")
			return ExitUsage
		}
		shardIndex, shardTotal = i, n
	}
	if *duration <= 0 {
		fmt.Fprintln(stderr, "batchconform fuzz: --duration must be positive")
		return ExitUsage
	}
	var ks []string
	if strings.TrimSpace(*kinds) != "" {
		has := map[string]bool{}
		for _, k := range d.Kinds() {
			has[k] = true
		}
		for _, k := range strings.Split(*kinds, ",") {
			k = strings.TrimSpace(k)
			if !has[k] {
				fmt.Fprintf(stderr, "batchconform fuzz: %s has no property kind %q (want %s)\n", d.Key(), k, strings.Join(d.Kinds(), ","))
				return ExitUsage
			}
			ks = append(ks, k)
		}
	} else {
		ks = d.Kinds()
	}
	fac, ep, rt, err := fuzzTarget(s, d.Key())
	if err != nil {
		fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
		return ExitUsage
	}
	if s.DryRun {
		fmt.Fprintf(stdout, "fuzz (dry run): would fuzz %s (%s) for %v with properties %s; nothing sent\n", fac.Describe(), d.Key(), *duration, strings.Join(ks, ","))
		return ExitOK
	}
	var progress io.Writer
	if !noColor() {
		progress = stderr
	}
	cfg := fuzz.Config{Dialect: d, Catalog: d.Catalog(), Factory: fac, Duration: *duration, Seed: *seed, Out: *out, Kinds: ks,
		Steps: *steps, Checks: *checks, Faults: s.Faults, Progress: progress, ShrinkTime: *shrink,
		ShardIndex: shardIndex, ShardTotal: shardTotal}
	fmt.Fprintf(stdout, "fuzz: %s, target %s, %v, properties %s\n", d.Key(), fac.Describe(), *duration, strings.Join(ks, ","))
	res, runErr := fuzz.Run(cfg)
	if ep != nil {
		if left := ep.Cleanup(2 * time.Minute); len(left) > 0 {
			fmt.Fprintf(stderr, "batchconform fuzz: %d resources could not be deleted: %v\n", len(left), left)
		}
	}
	if res != nil {
		fuzz.Summary(stdout, res)
		rep := fuzz.Report(res, d.Catalog(), rt, emulator.Version)
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
			return ExitFailure
		}
		path := filepath.Join(*out, "report.json")
		if err := reports.WriteJSON(rep, path); err != nil {
			fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "report: %s (%d passed, %d failed, %d not covered)\n", path, rep.Summary.Passed, rep.Summary.Failed, rep.Summary.NotCovered)
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "batchconform fuzz: %v\n", runErr)
		return ExitFailure
	}
	if res.Failed() {
		return ExitFailure
	}
	return ExitOK
}
