package tencentbatch

import (
	"os"
	"testing"

	"github.com/batchconform/batchconform/emulator/api3"
)

// TestMain holds every request body the tests send, decoded into the
// handlers' wire structs on api3's fast path, to encoding/json's reading of
// it (api3.AuditDecodes).
func TestMain(m *testing.M) {
	os.Exit(api3.RunAudited(m.Run, testing.Verbose, os.Stdout, os.Stderr))
}
