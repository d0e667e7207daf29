package oceanus

import (
	"fmt"
	"os"
	"testing"

	"github.com/batchconform/batchconform/emulator/api3"
)

// TestMain holds every request body the tests send, decoded into the
// handlers' wire structs on api3's fast path, to encoding/json's reading of
// it (api3.AuditDecodes).
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
