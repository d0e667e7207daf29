package harness

// The budget of the property/fuzz pass inside the specs (each dialect's
// properties_spec.go): how many stateful sequences (or model steps) the
// fixed-seed pass draws. The default is the pass's full size; a soak,
// which runs the whole suite many times to compare verdicts rather than to
// fuzz deeper, cuts it to a few (`make soak` uses 8). Read here only, so
// every dialect scales the same way.

import (
	"fmt"
	"os"
	"strconv"

	ginkgo "github.com/onsi/ginkgo/v2"
)

// EnvPropertySequences names the environment variable of the budget.
const EnvPropertySequences = "BATCHCONFORM_PROPERTY_SEQUENCES"

// DefaultPropertySequences is the pass's full size.
const DefaultPropertySequences = 60

// maxPropertySequences bounds the budget: a bigger pass belongs to
// `batchconform fuzz`, which shrinks what it finds.
const maxPropertySequences = 10000

// PropertySequences returns the budget (EnvPropertySequences, default
// DefaultPropertySequences), or an error naming the variable when it is
// not a whole number from 1 to 10000.
func PropertySequences() (int, error) {
	v := os.Getenv(EnvPropertySequences)
	if v == "" {
		return DefaultPropertySequences, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPropertySequences {
		return 0, fmt.Errorf("%s=%q: want a whole number of sequences from 1 to %d (default %d)", EnvPropertySequences, v, maxPropertySequences, DefaultPropertySequences)
	}
	return n, nil
}

// PassBudget is the budget as the property specs use it.
type PassBudget struct {
	// Sequences is the number of stateful sequences (or model steps).
	Sequences int
}

// PropertyBudget returns the pass budget; a bad value (which the CLI
// refuses before any spec runs, Settings.Validate) fails the spec.
func PropertyBudget() PassBudget {
	n, err := PropertySequences()
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	return PassBudget{Sequences: n}
}

// Scale scales a count sized for the full pass (DefaultPropertySequences)
// to the budget, never below 1 (so every property still gets a case).
func (b PassBudget) Scale(full int) int {
	n := full * b.Sequences / DefaultPropertySequences
	if n < 1 {
		return 1
	}
	return n
}
