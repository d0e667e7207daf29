package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/batchconform/batchconform/specs/harness"
)

// cmdSweep: `batchconform sweep [target flags] --prefix P [--dry-run]` finds
// what earlier runs left behind (every resource a run creates is named with
// its prefix) in every selected dialect and deletes it, saying what it
// deleted. Exit 0 when nothing with the prefix is left, 1 when something
// could not be deleted or listed, 2 on bad usage.
func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	s := harness.Defaults()
	s.RegisterFlags(fs)
	var prefix string
	fs.StringVar(&prefix, "prefix", "", "the run prefix to sweep (printed by `run`, e.g. bc1a2b3c)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	if err := s.ApplyEnv(fs); err != nil {
		fmt.Fprintf(stderr, "batchconform sweep: %v\n", err)
		return ExitUsage
	}
	if err := harness.ValidPrefix(prefix); err != nil {
		fmt.Fprintf(stderr, "batchconform sweep: --prefix: %v\n", err)
		return ExitUsage
	}
	ts, err := harness.ResolveTargets(s)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform sweep: %v\n", err)
		return ExitUsage
	}
	var errs []error
	deleted, found := 0, 0
	for _, t := range ts {
		sw := harness.SweeperFor(t.Dialect)
		if sw == nil {
			errs = append(errs, fmt.Errorf("%s: no sweeper registered: nothing of this dialect can be swept", t.Dialect))
			continue
		}
		left, err := sw.List(t, prefix)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.Dialect, err))
		}
		found += len(left)
		if s.DryRun {
			for _, l := range left {
				fmt.Fprintf(stdout, "would delete %s\n", l)
			}
			continue
		}
		// In parallel, in dependency order, as the run's own cleanup
		// deletes (one line per resource as it ends). Dialects go one
		// after another: Alibaba BatchCompute's clusters show in Tencent
		// Batch's listing too, and are deleted by whichever lists first.
		res := harness.Sweep(stdout, t, sw, left)
		deleted += res.Deleted
		errs = append(errs, res.Errors...)
	}
	verb := "deleted"
	if s.DryRun {
		verb, deleted = "would delete", found
	}
	fmt.Fprintf(stdout, "sweep %s: %d found, %d %s\n", prefix, found, deleted, verb)
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(stderr, "batchconform sweep: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// newRunPrefix makes a run prefix like the harness's (bc + 6 hex digits).
func newRunPrefix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return "bc" + hex.EncodeToString(b)
}
