package faults_test

import (
	"strings"
	"testing"

	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/fixtures"
	alicat "github.com/batchconform/batchconform/fixtures/alibatch"
	ocecat "github.com/batchconform/batchconform/fixtures/oceanus"
	tbcat "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// Every registered fault declares at least one item, and every item it
// declares exists in its dialect's catalog: a fault whose items no spec can
// check could never be killed.
func TestEveryFaultItemExists(t *testing.T) {
	cats := map[string]*fixtures.Catalog{}
	for _, c := range []*fixtures.Catalog{tbcat.Catalog(), alicat.Catalog(), ocecat.Catalog()} {
		cats[c.Dialect] = c
	}
	all := faults.All()
	if len(all) < 60 {
		t.Errorf("%d faults registered, want at least 60 (issue 8)", len(all))
	}
	for _, f := range all {
		if f.Name == "" || f.Doc == "" {
			t.Errorf("fault %+v: name and doc are required", f)
		}
		if len(f.Items) == 0 {
			t.Errorf("fault %s declares no item", f.Name)
		}
		for _, id := range f.Items {
			dialect, _, _ := strings.Cut(id, "/")
			cat := cats[dialect]
			if cat == nil {
				t.Errorf("fault %s: item %s: no catalog for dialect %q", f.Name, id, dialect)
				continue
			}
			it, ok := cat.Item(id)
			if !ok {
				t.Errorf("fault %s: item %s is not in the catalog", f.Name, id)
				continue
			}
			if it.Unprovokable != "" {
				t.Errorf("fault %s: item %s is unprovokable, so no spec can kill the fault", f.Name, id)
			}
		}
	}
}

// Names are unique (Register panics otherwise) and usable as flag values.
func TestFaultNames(t *testing.T) {
	for _, f := range faults.All() {
		if strings.ContainsAny(f.Name, ", \t") || strings.ToLower(f.Name) != f.Name {
			t.Errorf("fault name %q: want lower-case, no commas or spaces", f.Name)
		}
		if _, err := faults.NewSet(f.Name); err != nil {
			t.Errorf("NewSet(%q): %v", f.Name, err)
		}
	}
}
