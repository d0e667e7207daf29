package harness

import (
	"net/http"

	"github.com/batchconform/batchconform/emulator/chaos"
)

// AddChaos adds chaos rules through the admin API (emulator only). Rules are
// added, never replaced, so parallel specs coexist; a spec should match its
// own tenant (NewTenant) and spend its rules with Count.
func (t *Target) AddChaos(c chaos.Config) error {
	t.RequireEmulator()
	_, err := t.admin(http.MethodPost, "chaos", c, nil)
	return err
}
