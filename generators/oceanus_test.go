package generators

import (
	"testing"

	oceanus "github.com/batchconform/batchconform/fixtures/oceanus"
)

// The catalog-driven core serves the Oceanus catalog too: every action's
// Valid request passes every rule (conditional ones included), and every
// rule's violation is refused by exactly that rule with its code.

func TestOceanusValidPassesEveryRule(t *testing.T) {
	validPasses(t, oceanus.Catalog(), Refs{JobID: "cql-abcd1234"})
}

func TestOceanusViolateBreaksExactlyThatRule(t *testing.T) {
	violateExactly(t, oceanus.Catalog(), Refs{JobID: "cql-abcd1234"})
}
