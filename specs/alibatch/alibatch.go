// Package alibatch holds the conformance specs of Alibaba Cloud BatchCompute
// (ACS REST, 2015-11-11): one check per catalog item, generated from the
// catalog where the item is a rule, an error, an action or a schema, written
// by hand where it is protocol or behaviour. The specs run against any
// endpoint through specs/harness with the suite's own signed client
// (clients/acs): no official Go SDK of this API exists.
package alibatch

import (
	"github.com/batchconform/batchconform/fixtures"
	catalog "github.com/batchconform/batchconform/fixtures/alibatch"
	"github.com/batchconform/batchconform/specs/harness"
)

// Dialect is this package's dialect key.
const Dialect = fixtures.DialectAlibaba

// cat is the catalog, loaded at package init: table entries must exist when
// the tree is built.
var cat = catalog.Catalog()

func init() { harness.RegisterCatalog(cat) }

// id builds an item ID of this dialect.
func id(subject string, kind fixtures.Kind, detail string) string {
	return fixtures.MakeID(Dialect, subject, kind, detail)
}

// selected reports whether this dialect is a target of the run; every
// container returns early when it is not, so `--dialect tencent-batch`
// builds none of these specs.
func selected() bool { return harness.Selected(Dialect) }
