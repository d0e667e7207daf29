package tencentbatch

import (
	"testing"

	"github.com/batchconform/batchconform/specs/harness"
)

// TestSpecs runs the suite under `go test` (settings from BATCHCONFORM_*).
func TestSpecs(t *testing.T) { harness.RunSuite(t) }
