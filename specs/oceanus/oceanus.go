// Package oceanus holds the conformance specs of Tencent Cloud Oceanus (API
// 3.0, 2019-04-22): one check per catalog item, generated from the catalog
// where the item is a rule, an error yielded by a rule, an action or a doc
// example, written by hand where it is behaviour (the job status machine,
// state refusals, the API 3.0 protocol). Actions that tencentcloud-sdk-go
// v1.0.162 has go through its oceanus/v20190422 client; the others through
// raw signed API 3.0 requests. The specs run against any endpoint through
// specs/harness.
package oceanus

import (
	"github.com/batchconform/batchconform/fixtures"
	catalog "github.com/batchconform/batchconform/fixtures/oceanus"
	"github.com/batchconform/batchconform/specs/harness"
)

// Dialect is this package's dialect key.
const Dialect = fixtures.DialectOceanus

// cat is the catalog, loaded at package init: table entries must exist when
// the tree is built.
var cat = catalog.Catalog()

func init() { harness.RegisterCatalog(cat) }

// id builds an item ID of this dialect.
func id(subject string, kind fixtures.Kind, detail string) string {
	return fixtures.MakeID(Dialect, subject, kind, detail)
}
