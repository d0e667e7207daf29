package tencentbatch

import (
	"os"
	"testing"

	"github.com/batchconform/batchconform/emulator/api3"
)

// TestMain holds every request the suite sends to the embedded emulator
// (the SDK's bodies), decoded into the façade's wire structs on api3's fast
// path, to encoding/json's reading of it (api3.AuditDecodes). Against an
// external endpoint nothing is decoded here and nothing is judged.
func TestMain(m *testing.M) {
	os.Exit(api3.RunAudited(m.Run, testing.Verbose, os.Stdout, os.Stderr))
}
