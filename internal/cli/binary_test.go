package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The package's slow tests are whole runs in child processes. Re-executing
// the test binary made each child race-instrumented, 5–10× slower: the
// package took ~10 minutes of `make test`, most of it in children whose code
// (specs, harness, emulator) `go test -race` already covers in its own
// packages. So runCLI's children are one plain build of the binary, made
// once per test process; the signal tests (startRun) keep the race-built
// test binary, since interrupt and cleanup run only there.
// BATCHCONFORM_CLI_RACE=1 sends every child through the race-built binary.
var plain struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// plainBinary builds the CLI once (no -race) and returns its path.
func plainBinary(t *testing.T) string {
	t.Helper()
	plain.once.Do(func() {
		plain.dir, plain.err = os.MkdirTemp("", "batchconform-cli-test-")
		if plain.err != nil {
			return
		}
		plain.bin = filepath.Join(plain.dir, "batchconform")
		plain.out, plain.err = exec.Command("go", "build", "-o", plain.bin, "../../cmd/batchconform").CombinedOutput()
	})
	if plain.err != nil {
		t.Fatalf("go build: %v\n%s", plain.err, plain.out)
	}
	return plain.bin
}

// cliBinary is the binary runCLI executes: the plain build, or the race-built
// test binary itself when BATCHCONFORM_CLI_RACE=1.
func cliBinary(t *testing.T) string {
	t.Helper()
	if os.Getenv("BATCHCONFORM_CLI_RACE") == "1" {
		return os.Args[0]
	}
	return plainBinary(t)
}

// removePlainBinary is called by TestMain once every test has ended.
func removePlainBinary() {
	if plain.dir != "" {
		_ = os.RemoveAll(plain.dir)
	}
}
