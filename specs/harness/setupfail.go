package harness

// A container whose BeforeAll fails (against a hostile endpoint: its world
// could not be built) makes Ginkgo fail the first spec with the setup's
// error and skip the others, which then record nothing: their items would
// read "not covered", as if no spec had tried. They were tried — the
// target broke the setup they depend on — so each such spec fails here,
// with the setup's error, and names the items it declared (issue 11: every
// affected item is a failure with a clear message). This holds for every
// dialect and every container, with no change to a spec.

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// setupFailure is a BeforeAll that failed: the container it belongs to and
// its error.
type setupFailure struct {
	container types.CodeLocation
	text      string
	message   string
}

var (
	setupFailMu sync.Mutex
	setupFails  []setupFailure
	// declByText maps a spec's full text to the items it declared
	// (harness.It): a skipped spec never ran the setup that records them.
	declByText = map[string][]string{}
)

func resetSetupFailures() {
	setupFailMu.Lock()
	defer setupFailMu.Unlock()
	setupFails = nil
}

// noteDeclared indexes a declaration by the spec's full text as Ginkgo's
// SpecReport.FullText spells it (the texts of the containers and the
// leaf, empty ones left out).
func noteDeclared(texts []string, items []string) {
	var parts []string
	for _, x := range texts {
		if x != "" {
			parts = append(parts, x)
		}
	}
	full := strings.Join(parts, " ")
	setupFailMu.Lock()
	defer setupFailMu.Unlock()
	for _, id := range items {
		if !contains(declByText[full], id) {
			declByText[full] = append(declByText[full], id)
		}
	}
}

// skippedForSetup tells Ginkgo's skips that follow a failure in an ordered
// container (Ginkgo's own wording, internal/group.go).
func skippedForSetup(sr types.SpecReport) bool {
	return sr.State == types.SpecStateSkipped &&
		(strings.HasPrefix(sr.Failure.Message, "Spec skipped because a BeforeAll node failed") ||
			strings.HasPrefix(sr.Failure.Message, "Spec skipped because an earlier spec in an ordered container failed"))
}

// setupFailureFor returns the BeforeAll failure of one of the spec's
// containers (the innermost), if any.
func setupFailureFor(sr types.SpecReport) (setupFailure, bool) {
	setupFailMu.Lock()
	defer setupFailMu.Unlock()
	for i := len(setupFails) - 1; i >= 0; i-- {
		for _, loc := range sr.ContainerHierarchyLocations {
			if loc == setupFails[i].container {
				return setupFails[i], true
			}
		}
	}
	return setupFailure{}, false
}

// judgeSetupFailure records a failed BeforeAll and fails the specs Ginkgo
// skipped because of it.
func judgeSetupFailure(sr types.SpecReport) {
	if sr.LeafNodeType != types.NodeTypeIt {
		return
	}
	f := sr.Failure
	if sr.State.Is(types.SpecStateFailureStates) && f.FailureNodeType == types.NodeTypeBeforeAll &&
		f.FailureNodeContext == types.FailureNodeInContainer && f.FailureNodeContainerIndex < len(sr.ContainerHierarchyLocations) {
		setupFailMu.Lock()
		setupFails = append(setupFails, setupFailure{container: sr.ContainerHierarchyLocations[f.FailureNodeContainerIndex],
			text: sr.ContainerHierarchyTexts[f.FailureNodeContainerIndex], message: f.Message})
		setupFailMu.Unlock()
		// Ginkgo charges the setup's failure to this spec, whose body
		// (which records its declaration) never ran.
		declare(sr)
		return
	}
	if !skippedForSetup(sr) {
		return
	}
	sf, ok := setupFailureFor(sr)
	if !ok {
		// An earlier spec's own check failed: this one was not tried.
		return
	}
	declare(sr)
	// Failing a skipped spec from a ReportAfterEach makes it a failure
	// with this message (Ginkgo's reportEach keeps a reporter's failure).
	// The reason first (a setup a precondition ended starts with
	// Gomega's preamble, which says nothing about why), then the setup's
	// own message.
	why, full := FailureReason(sf.message), firstLines(sf.message, 6)
	if !strings.HasPrefix(full, why) {
		full = why + "\n" + full
	}
	ginkgo.Fail(fmt.Sprintf("not run: the setup (BeforeAll) of %q failed: %s", sf.text, full))
}

// FailureReason picks the line of a failure message that says why: the
// first, unless it is Gomega's preamble of a wait that was stopped ("Told
// to stop trying after 0.000s."), which says nothing about why — then the
// line naming a violated precondition, or else the first line after it.
func FailureReason(msg string) string {
	lines := strings.Split(msg, "\n")
	if !strings.HasPrefix(lines[0], "Told to stop trying after") {
		return lines[0]
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, "precondition ") && strings.Contains(l, " violated") {
			return strings.TrimSpace(l)
		}
	}
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) != "" {
			return strings.TrimSpace(l)
		}
	}
	return lines[0]
}

// declare records the items a spec declared, for a spec whose body did
// not run (the report attributes its verdict to them).
func declare(sr types.SpecReport) {
	for _, e := range sr.ReportEntries {
		if e.Name == EntryDeclared {
			return
		}
	}
	setupFailMu.Lock()
	items := append([]string(nil), declByText[sr.FullText()]...)
	setupFailMu.Unlock()
	if len(items) > 0 {
		declared, _ := json.Marshal(items)
		ginkgo.AddReportEntry(EntryDeclared, string(declared), ginkgo.ReportEntryVisibilityNever)
	}
}

// firstLines keeps the first n lines of a message.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}

var _ = ginkgo.ReportAfterEach(judgeSetupFailure)
