package harness

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	ginkgo "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/redact"
)

// Report entry names (pinned in the design).
const (
	EntryItem     = "batchconform.item"
	EntryEvidence = "batchconform.evidence"
	// EntryDeclared lists the items a spec declared (JSON array), so the
	// report can tell "declared but not asserted" from "not covered".
	EntryDeclared = "batchconform.declared"
)

// ItemList declares the catalog items a spec checks. Pass it to It among the
// Ginkgo decorators: harness.It("...", harness.Items(id...), func() {...}).
type ItemList []string

// Items declares the catalog items a spec checks.
func Items(ids ...string) ItemList { return ItemList(ids) }

// Declaration is one spec's declared items, known when the tree is built.
type Declaration struct {
	Spec  string   `json:"spec"` // full text: containers and leaf
	Items []string `json:"items"`
}

var (
	declMu       sync.Mutex
	declarations []Declaration
	catalogs     = map[string]*fixtures.Catalog{}
)

// RegisterCatalog makes a dialect's catalog known to the harness (spec
// packages call it from an init function).
func RegisterCatalog(c *fixtures.Catalog) {
	declMu.Lock()
	defer declMu.Unlock()
	catalogs[c.Dialect] = c
}

// Catalog returns a registered catalog.
func Catalog(dialect string) *fixtures.Catalog {
	declMu.Lock()
	defer declMu.Unlock()
	return catalogs[dialect]
}

// LookupItem finds an item in the registered catalogs.
func LookupItem(id string) (fixtures.Item, bool) {
	d, _, _, _, err := fixtures.SplitID(id)
	if err != nil {
		return fixtures.Item{}, false
	}
	c := Catalog(d)
	if c == nil {
		return fixtures.Item{}, false
	}
	return c.Item(id)
}

// Declarations returns every declaration made while the tree was built.
func Declarations() []Declaration {
	declMu.Lock()
	defer declMu.Unlock()
	out := append([]Declaration(nil), declarations...)
	sort.Slice(out, func(i, j int) bool { return out[i].Spec < out[j].Spec })
	return out
}

// It registers a spec that checks the declared items. Besides an ItemList,
// args take Ginkgo decorators and the body, as ginkgo.It does. Labels for the
// items' dialect, kind, level, action and emulator-only are added. With
// --items set, a spec none of whose items is selected is not registered.
// An unknown item ID is a programming error and panics while the tree is built.
func It(text string, args ...any) bool {
	var items []string
	var rest []any
	for _, a := range args {
		if il, ok := a.(ItemList); ok {
			items = append(items, il...)
			continue
		}
		rest = append(rest, a)
	}
	if len(items) == 0 {
		panic(fmt.Sprintf("harness.It(%q): declare the items it checks with harness.Items", text))
	}
	labels := map[string]bool{}
	for _, id := range items {
		it, ok := LookupItem(id)
		if !ok {
			panic(fmt.Sprintf("harness.It(%q): unknown catalog item %q", text, id))
		}
		labels["dialect:"+it.Dialect] = true
		labels["kind:"+string(it.Kind)] = true
		labels["level:"+string(it.Level)] = true
		if c := Catalog(it.Dialect); c != nil {
			if _, isAction := c.Action(it.Subject); isAction {
				labels["action:"+it.Subject] = true
			}
		}
		for _, l := range it.Labels {
			labels[l] = true
		}
	}
	if sel := selectedItems(); sel != nil && !anySelected(items, sel) {
		return false
	}
	// A spec of a dialect the run does not target is not registered (its
	// container's setup would ask for a target that does not exist).
	if !anyDialectSelected(items) {
		return false
	}
	hier := ginkgo.CurrentTreeConstructionNodeReport().ContainerHierarchyTexts
	top := text
	for _, h := range hier {
		if h != "" {
			top = h
			break
		}
	}
	if !inShard(top) {
		return false
	}
	var ls []string
	for l := range labels {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	rest = append([]any{ginkgo.Label(ls...)}, rest...)
	noteRegistered(labelsIn(rest)) // the progress lines' totals (progress.go)
	full := strings.Join(append(ginkgo.CurrentTreeConstructionNodeReport().ContainerHierarchyTexts, text), " ")
	declMu.Lock()
	declarations = append(declarations, Declaration{Spec: full, Items: items})
	declMu.Unlock()
	// A spec skipped for its failed setup names them (setupfail.go).
	noteDeclared(append(ginkgo.CurrentTreeConstructionNodeReport().ContainerHierarchyTexts, text), items)
	declared, _ := json.Marshal(items)
	// Record the declaration first thing at run time, so a spec that fails
	// before its first assertion still names what it was about.
	// A precondition the target already violated (breaker.go) fails the
	// items that depend on it here, with its one message.
	rest = append([]any{func() {
		ginkgo.AddReportEntry(EntryDeclared, string(declared), ginkgo.ReportEntryVisibilityNever)
		// A spent --budget stops the run like an interrupt: no further
		// spec starts, the cleanup runs, the run is aborted (exit 3).
		if m := budgetStop(); m != "" {
			ginkgo.AbortSuite(m)
		}
		failIfBlocked(items)
	}}, rest...)
	return ginkgoIt(text, rest...)
}

// ginkgoIt registers the spec: the first element of args is a setup function
// run before the body (JustBeforeEach would need a container of its own).
func ginkgoIt(text string, args ...any) bool {
	setup := args[0].(func())
	var body any
	var decorators []any
	for _, a := range args[1:] {
		switch a.(type) {
		case func(), func(ginkgo.SpecContext):
			body = a
		default:
			decorators = append(decorators, a)
		}
	}
	switch b := body.(type) {
	case func():
		decorators = append(decorators, func() { setup(); b() })
	case func(ginkgo.SpecContext):
		decorators = append(decorators, func(ctx ginkgo.SpecContext) { setup(); b(ctx) })
	default:
		panic(fmt.Sprintf("harness.It(%q): no body (want func() or func(ginkgo.SpecContext))", text))
	}
	return ginkgo.It(text, decorators...)
}

// Check records that the spec is about to assert item id; the item's verdict
// is the spec's outcome (a spec that fails after Check(id) fails the item).
// Call it right before the assertions about that item.
func Check(id string) {
	if _, ok := LookupItem(id); !ok {
		ginkgo.Fail(fmt.Sprintf("harness.Check: unknown catalog item %q", id))
	}
	ginkgo.AddReportEntry(EntryItem, id, ginkgo.ReportEntryVisibilityNever)
}

// Evidence records redacted evidence (request, response, RequestId, duration).
func Evidence(ev any) {
	data, err := json.Marshal(ev)
	if err != nil {
		data, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	ginkgo.AddReportEntry(EntryEvidence, redact.String(string(data)), ginkgo.ReportEntryVisibilityNever)
}

var (
	selMu    sync.Mutex
	selItems map[string]bool
)

// SelectItems restricts the tree to specs that declare one of ids (nil: all).
func SelectItems(ids []string) {
	selMu.Lock()
	defer selMu.Unlock()
	if len(ids) == 0 {
		selItems = nil
		return
	}
	selItems = map[string]bool{}
	for _, id := range ids {
		selItems[id] = true
	}
}

func selectedItems() map[string]bool {
	selMu.Lock()
	defer selMu.Unlock()
	return selItems
}

func anySelected(items []string, sel map[string]bool) bool {
	for _, id := range items {
		if sel[id] {
			return true
		}
	}
	return false
}

func anyDialectSelected(items []string) bool {
	for _, id := range items {
		if d, _, _, _, err := fixtures.SplitID(id); err == nil && Selected(d) {
			return true
		}
	}
	return false
}
