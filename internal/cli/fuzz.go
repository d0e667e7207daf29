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
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/fuzz"
	"github.com/batchconform/batchconform/redact"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"
)

// fuzzDialect is the dialect the fuzzer implements.
const fuzzDialect = "tencent-batch"

// fuzzTarget resolves the target flags to a fuzz factory: a fresh embedded
// emulator per case (simulated executor, manual clock) without --endpoint,
// else the endpoint through the harness's rate-limited transport.
func fuzzTarget(s harness.Settings) (fuzz.Factory, *fuzz.Endpoint, reports.Target, error) {
	if s.Dialect != "all" && s.Dialect != fuzzDialect {
		return nil, nil, reports.Target{}, fmt.Errorf("the fuzzer implements %s only, not %s", fuzzDialect, s.Dialect)
	}
	tc := s.For(fuzzDialect)
	rt := reports.Target{Endpoints: map[string]string{}, Dialects: []string{fuzzDialect}, Live: s.Live}
	if tc.Endpoint == "" {
		rt.Endpoints[fuzzDialect], rt.Embedded = "embedded", true
		return fuzz.Embedded{Faults: s.Faults}, nil, rt, nil
	}
	url := strings.TrimSuffix(tc.Endpoint, "/")
	host := strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
	scheme := "http"
	if strings.HasPrefix(url, "https://") {
		scheme = "https"
	}
	t := &harness.Target{Dialect: fuzzDialect, URL: url, Host: host, Scheme: scheme, SecretID: tc.SecretID, SecretKey: tc.SecretKey,
		Region: tc.Region, Zone: tc.Zone, Live: s.Live, RateLimit: s.RateLimit(tc.Endpoint), RequestTimeout: s.RequestTimeout,
		MaxResources: s.MaxResources, RunPrefix: "bcfuzz"}
	redact.Value(tc.SecretKey)
	rt.Endpoints[fuzzDialect] = tc.Endpoint
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
	kinds := fs.String("kinds", strings.Join(fuzz.AllKinds, ","), "properties to fuzz: "+strings.Join(fuzz.AllKinds, ","))
	steps := fs.Int("steps", 30, "average operations per stateful sequence")
	checks := fs.Int("checks", 0, "stateless cases per round (default 200)")
	shrink := fs.Duration("shrink-time", 4*time.Second, "time rapid may spend shrinking each failure")
	shard := fs.String("shard", "", "fuzz shard i/N: draws the round seeds --seed+i, +i+N, … so N machines never repeat each other (needs --seed)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	if err := s.ApplyEnv(fs); err != nil {
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
	for _, k := range strings.Split(*kinds, ",") {
		k = strings.TrimSpace(k)
		ok := false
		for _, a := range fuzz.AllKinds {
			ok = ok || a == k
		}
		if !ok {
			fmt.Fprintf(stderr, "batchconform fuzz: unknown property kind %q (want %s)\n", k, strings.Join(fuzz.AllKinds, ","))
			return ExitUsage
		}
		ks = append(ks, k)
	}
	if s.Dialect == fixtures.DialectAlibaba {
		return fuzzACS(s, ks, *duration, *seed, *out, *checks, *shrink, stdout, stderr)
	}
	fac, ep, rt, err := fuzzTarget(s)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
		return ExitUsage
	}
	if s.DryRun {
		fmt.Fprintf(stdout, "fuzz (dry run): would fuzz %s for %v with properties %s; nothing sent\n", fac.Describe(), *duration, strings.Join(ks, ","))
		return ExitOK
	}
	var progress io.Writer
	if !noColor() {
		progress = stderr
	}
	cfg := fuzz.Config{Catalog: catalog.Catalog(), Factory: fac, Duration: *duration, Seed: *seed, Out: *out, Kinds: ks,
		Steps: *steps, Checks: *checks, Faults: s.Faults, Progress: progress, ShrinkTime: *shrink,
		ShardIndex: shardIndex, ShardTotal: shardTotal}
	fmt.Fprintf(stdout, "fuzz: target %s, %v, properties %s\n", fac.Describe(), *duration, strings.Join(ks, ","))
	res, runErr := fuzz.Run(cfg)
	if ep != nil {
		if left := ep.Client().Cleanup(2 * time.Minute); len(left) > 0 {
			fmt.Fprintf(stderr, "batchconform fuzz: %d resources could not be deleted: %v\n", len(left), left)
		}
	}
	if res != nil {
		fuzz.Summary(stdout, res)
		rep := fuzz.Report(res, catalog.Catalog(), rt, emulator.Version)
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

// fuzzACS runs the ACS (Alibaba BatchCompute) fuzzer: stateless properties
// against fresh embedded emulators. The kinds it has are taken from the
// requested ones (the stateful model and secret placements are API 3.0's).
func fuzzACS(s harness.Settings, kinds []string, duration time.Duration, seed uint64, out string, checks int, shrink time.Duration, stdout, stderr io.Writer) int {
	if s.For(fixtures.DialectAlibaba).Endpoint != "" {
		fmt.Fprintln(stderr, "batchconform fuzz: the alibaba-batchcompute fuzzer runs against the embedded emulator only (no --endpoint yet)")
		return ExitUsage
	}
	var ks []string
	for _, k := range kinds {
		for _, a := range fuzz.ACSKinds {
			if a == k {
				ks = append(ks, k)
			}
		}
	}
	if len(ks) == 0 {
		fmt.Fprintf(stderr, "batchconform fuzz: alibaba-batchcompute has the properties %s\n", strings.Join(fuzz.ACSKinds, ","))
		return ExitUsage
	}
	if s.DryRun {
		fmt.Fprintf(stdout, "fuzz (dry run): would fuzz alibaba-batchcompute (embedded) for %v with properties %s; nothing sent\n", duration, strings.Join(ks, ","))
		return ExitOK
	}
	var progress io.Writer
	if !noColor() {
		progress = stderr
	}
	cat := alibatch.Catalog()
	fmt.Fprintf(stdout, "fuzz: target embedded (alibaba-batchcompute), %v, properties %s\n", duration, strings.Join(ks, ","))
	res, runErr := fuzz.RunACS(fuzz.ACSConfig{Catalog: cat, Duration: duration, Seed: seed, Out: out, Kinds: ks, Checks: checks,
		ShrinkTime: shrink, Faults: s.Faults, Progress: progress})
	if res != nil {
		fuzz.Summary(stdout, res)
		rt := reports.Target{Endpoints: map[string]string{fixtures.DialectAlibaba: "embedded"}, Dialects: []string{fixtures.DialectAlibaba}, Embedded: true}
		rep := fuzz.Report(res, cat, rt, emulator.Version)
		if err := os.MkdirAll(out, 0o755); err != nil {
			fmt.Fprintf(stderr, "batchconform fuzz: %v\n", err)
			return ExitFailure
		}
		path := filepath.Join(out, "report.json")
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
