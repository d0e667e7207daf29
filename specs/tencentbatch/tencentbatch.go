// Package tencentbatch holds the conformance specs of Tencent Cloud Batch (API
// 3.0, 2017-03-12): one check per catalog item, generated from the catalog
// where the item is a rule or an error, written by hand where it is
// behaviour. The specs run against any endpoint through specs/harness.
package tencentbatch

import (
	"github.com/batchconform/batchconform/fixtures"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/specs/harness"
)

// Dialect is this package's dialect key.
const Dialect = fixtures.DialectTencentBatch

// cat is the catalog, loaded at package init: table entries must exist when
// the tree is built.
var cat = catalog.Catalog()

func init() { harness.RegisterCatalog(cat) }

// id builds an item ID of this dialect.
func id(subject string, kind fixtures.Kind, detail string) string {
	return fixtures.MakeID(Dialect, subject, kind, detail)
}
