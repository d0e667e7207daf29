//go:build !unix

package emulator_test

import "time"

// processCPU is unknown here: the CPU metrics are not reported.
func processCPU() time.Duration { return 0 }
