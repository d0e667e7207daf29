package faults

import (
	"testing"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/fixtures/oceanus"
	tencentbatch "github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// Every registered fault declares items of one dialect, each in that
// dialect's catalog: the mutation gate can judge only what it can name.
func TestEveryFaultDeclaresCatalogItems(t *testing.T) {
	cats := map[string]*fixtures.Catalog{tencentbatch.Catalog().Dialect: tencentbatch.Catalog(),
		alibatch.Catalog().Dialect: alibatch.Catalog(), oceanus.Catalog().Dialect: oceanus.Catalog()}
	if len(All()) < 16 {
		t.Errorf("%d faults registered, want at least the 16 of faults.go and weaknesses.go", len(All()))
	}
	for _, f := range All() {
		if f.Name == "" || f.Doc == "" || len(f.Items) == 0 {
			t.Errorf("%q: a fault needs a name, a doc and at least one item", f.Name)
			continue
		}
		d := f.Dialect()
		if d == "" {
			t.Errorf("%s: items %v do not name one dialect", f.Name, f.Items)
			continue
		}
		cat, ok := cats[d]
		if !ok {
			continue // a dialect whose catalog this test does not load yet
		}
		for _, id := range f.Items {
			if _, ok := cat.Item(id); !ok {
				t.Errorf("%s: declares %s, which is not in the %s catalog", f.Name, id, d)
			}
		}
	}
}

func TestDialectAndForDialects(t *testing.T) {
	if d := (Fault{Items: []string{"a/x/rule/y", "a/z/error/E"}}).Dialect(); d != "a" {
		t.Errorf("Dialect = %q, want a", d)
	}
	if d := (Fault{Items: []string{"a/x/rule/y", "b/z/error/E"}}).Dialect(); d != "" {
		t.Errorf("mixed dialects: Dialect = %q, want empty", d)
	}
	if d := (Fault{}).Dialect(); d != "" {
		t.Errorf("no items: Dialect = %q, want empty", d)
	}
	if n := len(ForDialects("no-such-dialect")); n != 0 {
		t.Errorf("ForDialects(unknown) = %d faults, want 0", n)
	}
	if a, b := len(ForDialects("all")), len(All()); a != b {
		t.Errorf("ForDialects(all) = %d, All = %d", a, b)
	}
	for _, f := range ForDialects(fixtures.DialectTencentBatch) {
		if f.Dialect() != fixtures.DialectTencentBatch {
			t.Errorf("ForDialects(tencent-batch) returned %s of %s", f.Name, f.Dialect())
		}
	}
}
