package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/specs/harness"
)

// printStillRunning says which specs the deadline (or a signal) cut short,
// and for how long they had been running: what to look at (or give more
// time) next.
func printStillRunning(w io.Writer, gr types.Report) {
	var lines []string
	for _, sr := range gr.SpecReports {
		// A spec that met the stop first (its next create refused with
		// ErrStopping) failed by itself an instant before Ginkgo would
		// have marked it interrupted: it was cut short all the same.
		cut := sr.State.Is(types.SpecStateFailed) && strings.Contains(sr.Failure.Message, harness.ErrStopping.Error())
		if !cut && !sr.State.Is(types.SpecStateInterrupted|types.SpecStateTimedout|types.SpecStateAborted) {
			continue
		}
		name := strings.TrimSpace(strings.Join(append(append([]string{}, sr.ContainerHierarchyTexts...), sr.LeafNodeText), " "))
		if name == "" {
			name = sr.LeafNodeType.String()
		}
		node := ""
		if sr.Failure.FailureNodeType != types.NodeTypeInvalid && sr.Failure.FailureNodeType != sr.LeafNodeType {
			node = " in " + sr.Failure.FailureNodeType.String()
		}
		lines = append(lines, fmt.Sprintf("  %s%s (running %s)", name, node, sr.RunTime.Round(time.Second)))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "still running when the run was stopped (deadline or signal):\n%s\n", strings.Join(lines, "\n"))
}
