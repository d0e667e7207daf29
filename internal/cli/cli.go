// Package cli is the batchconform command line: thin glue over the emulator,
// the specs and the reports. Exit codes are pinned in the design: 0 success,
// 1 failure, 2 bad usage or configuration, 3 aborted.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes (pinned).
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	ExitAborted = 3
)

var commands = []struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}{
	{"emulate", "serve the reference emulator until SIGINT/SIGTERM", cmdEmulate},
	{"run", "run the conformance scenario against the embedded emulator or an endpoint", cmdRun},
	{"fuzz", "fuzz the contract: generated requests and operation sequences, failures shrunk to replay files", cmdFuzz},
	{"replay", "re-run a fuzz replay file (exit 1 while it still fails)", cmdReplay},
	{"mutation", "the mutation gate: every registered fault must fail a check of an item it declares", cmdMutation},
	{"report", "gate, diff, merge reports; write a baseline", cmdReport},
	{"catalog", "print the documented contract with counts", cmdCatalog},
	{"sweep", "find and delete what earlier runs left behind (--prefix P [--dry-run])", cmdSweep},
	{"version", "print the version", cmdVersion},
}

// Main runs the CLI and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "batchconform: unknown command %q\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: batchconform <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'batchconform <command> -h' for a command's flags.")
}

// parse parses flags; it returns an exit code >= 0 when the caller should stop.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) int {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "batchconform %s: unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return ExitUsage
	}
	return -1
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}
