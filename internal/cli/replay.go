package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/batchconform/batchconform/fuzz"
	"github.com/batchconform/batchconform/specs/harness"
)

// cmdReplay re-runs a replay file written by `fuzz`: exit 1 while the
// recorded expectation still fails, 0 once it holds, 2 on bad usage.
func cmdReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := harness.Defaults()
	s.RegisterFlags(fs)
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if code := parse(fs, args, stderr); code >= 0 {
		if code == ExitUsage && file == "" {
			fmt.Fprintln(stderr, "usage: batchconform replay FILE [target flags]")
		}
		return code
	}
	if file == "" {
		fmt.Fprintln(stderr, "usage: batchconform replay FILE [target flags]")
		return ExitUsage
	}
	canonicalDialect(&s)
	if err := s.ApplyEnv(fs); err != nil {
		fmt.Fprintf(stderr, "batchconform replay: %v\n", err)
		return ExitUsage
	}
	f, err := fuzz.LoadReplay(file)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform replay: %v\n", err)
		return ExitUsage
	}
	d, err := fuzz.DialectByKey(f.Dialect)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform replay: %v\n", err)
		return ExitUsage
	}
	fac, ep, _, err := fuzzTarget(s, d.Key())
	if err != nil {
		fmt.Fprintf(stderr, "batchconform replay: %v\n", err)
		return ExitUsage
	}
	if len(f.Faults) > 0 && len(s.Faults) == 0 && fac.Embedded() {
		fmt.Fprintf(stdout, "replay: the case was found with --fault %s; this replay runs without faults\n", strings.Join(f.Faults, " --fault "))
	}
	fmt.Fprintf(stdout, "replay: %s (%s, %d step(s)) against %s\n  expectation that failed: %s\n", f.Property, f.Kind, len(f.Steps), fac.Describe(), f.Expectation)
	pe, err := d.Replay(f, fac)
	if ep != nil {
		ep.Cleanup(time.Minute)
	}
	if err != nil {
		fmt.Fprintf(stderr, "batchconform replay: %v\n", err)
		return ExitFailure
	}
	if pe != nil {
		fmt.Fprintf(stdout, "STILL FAILS: %s\n", pe.Error())
		return ExitFailure
	}
	fmt.Fprintln(stdout, "passes: every expectation of the case holds now")
	return ExitOK
}
