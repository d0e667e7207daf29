package oceanus

import (
	"fmt"
	"os"
	"testing"

	"github.com/batchconform/batchconform/emulator/api3"
)

// TestMain holds every request the suite sends to the embedded emulator
// (the SDK's bodies), decoded into the façade's wire structs on api3's fast
// path, to encoding/json's reading of it (api3.AuditDecodes). Against an
// external endpoint nothing is decoded here and nothing is judged.
func TestMain(m *testing.M) {
	stop := api3.AuditDecodes()
	code := m.Run()
	a := stop()
	if err := a.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	} else if testing.Verbose() {
		fmt.Printf("decode audit: %d fast, %d through encoding/json, %d variants\n", a.Fast, a.Fallback, a.Variants)
	}
	os.Exit(code)
}
