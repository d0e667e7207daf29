package cli_test

import (
	"os"
	"testing"

	"github.com/batchconform/batchconform/internal/cli"
)

// envCLI makes the test binary act as the batchconform binary: tests that
// need whole runs (one Ginkgo suite per process) re-execute it with this
// set, instead of building the binary with a Go toolchain.
const envCLI = "BATCHCONFORM_TEST_AS_CLI"

func TestMain(m *testing.M) {
	// envMutationChild: the mutation gate re-executes its own binary (here
	// the test binary) for the clean run and each fault.
	if os.Getenv(envCLI) == "1" || os.Getenv(envMutationChild) == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	removePlainBinary()
	os.Exit(code)
}
