// Command batchconform is the conformance suite, contract fuzzer and reference
// emulator for cloud batch-computing APIs. See README.md.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/batchconform/batchconform/internal/cli"
)

func main() { os.Exit(run()) }

// run is main with an optional CPU profile of the whole command:
// BATCHCONFORM_CPUPROFILE=file writes one (`go tool pprof bin/batchconform
// file`), to find where a run's CPU goes (BENCHMARKS.md).
func run() int {
	if path := os.Getenv("BATCHCONFORM_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "batchconform: cpu profile: %v\n", err)
			return cli.ExitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "batchconform: cpu profile: %v\n", err)
			return cli.ExitUsage
		}
		defer pprof.StopCPUProfile()
	}
	return cli.Main(os.Args[1:], os.Stdout, os.Stderr)
}
