package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/internal/cli"
)

// `emulate --chaos FILE` refuses a missing or invalid file with a usage
// error naming the problem, before it listens on anything.
func TestEmulateChaosFileRefused(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"rules":[{"probability":1,"error":"InternalError.Invented"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{bad, "not a chaos error code"},
		{filepath.Join(dir, "missing.json"), "no such file"},
	} {
		var out, errb bytes.Buffer
		code := cli.Main([]string{"emulate", "--addr", "127.0.0.1:0", "--chaos", tc.file}, &out, &errb)
		if code != cli.ExitUsage || !strings.Contains(errb.String(), tc.want) || strings.Contains(out.String(), "listening") {
			t.Fatalf("--chaos %s: exit %d, stderr %q, stdout %q", tc.file, code, errb.String(), out.String())
		}
	}
}
