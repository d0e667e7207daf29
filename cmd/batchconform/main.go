// Command batchconform is the conformance suite, contract fuzzer and reference
// emulator for cloud batch-computing APIs. See README.md.
package main

import (
	"os"

	"github.com/batchconform/batchconform/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
