package tencentbatch

import (
	"regexp"
	"strings"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/facade"
)

// ---- filters ----

// matcherFor returns the predicate of one named filter (facade.MatcherFor).
type matcherFor[T any] = facade.MatcherFor[T]

// applyFilters keeps the items matching every Filter (facade.ApplyFilters);
// an unsupported name answers the action's documented filter code.
func applyFilters[T any](s *Service, action string, items []T, fs []wFilter, mf matcherFor[T]) ([]T, *api3.Error) {
	return facade.ApplyFilters(items, fs, mf, func(name string) *api3.Error {
		if s.filterNameIgnored(action) {
			return nil // the fault: an unsupported filter is silently ignored
		}
		return s.unknownFilter(action, name)
	})
}

// filterFunc is applyFilters as one predicate (facade.FilterFunc), for
// lists the engine pages itself; nil when no filter applies.
func filterFunc[T any](s *Service, action string, fs []wFilter, mf matcherFor[T]) (func(T) bool, *api3.Error) {
	return facade.FilterFunc(fs, mf, func(name string) *api3.Error {
		if s.filterNameIgnored(action) {
			return nil // the fault: an unsupported filter is silently ignored
		}
		return s.unknownFilter(action, name)
	})
}

// unknownFilter picks the action's documented code for an unsupported filter
// name: InvalidFilter ("the Filter is not supported"), else
// InvalidParameterValue.InvalidFilter, else InvalidParameterValue.
func (s *Service) unknownFilter(action, name string) *api3.Error {
	code := "InvalidParameterValue"
	if a, ok := s.cat.Action(action); ok {
		switch {
		case contains(a.Errors, "InvalidFilter"):
			code = "InvalidFilter"
		case contains(a.Errors, "InvalidParameterValue.InvalidFilter"):
			code = "InvalidParameterValue.InvalidFilter"
		}
	}
	return api3.Errorf(code, "the filter %q is not supported", name)
}

// badFilterValue answers a Filter value that is not valid for its name.
func badFilterValue(name, v string) *api3.Error {
	return api3.Errorf("InvalidParameterValue.InvalidFilter", "%q is not a valid value of the filter %s", v, name)
}

// statesFilter checks the values of a job/task-instance state filter.
func statesFilter(name string, vals []string) *api3.Error {
	for _, v := range vals {
		switch v {
		case engine.StateSubmitted, engine.StatePending, engine.StateRunnable, engine.StateStarting,
			engine.StateRunning, engine.StateSucceed, engine.StateFailed, engine.StateFailedInterrupted:
		default:
			return badFilterValue(name, v)
		}
	}
	return nil
}

// zoneShape is what a zone name looks like (ap-guangzhou-3,
// ap-shanghai-fsi-1): a value of another shape is no zone at all.
var zoneShape = regexp.MustCompile(`^[a-z]+(-[a-z]+)+-[0-9]+$`)

// zoneValues rejects zone filter values that are not zone names at all
// (InvalidParameterValue.InvalidFilter); a zone-shaped name of no zone is
// the caller's InvalidZone.MismatchRegion.
func zoneValues(vals []string) *api3.Error {
	for _, v := range vals {
		if !zoneShape.MatchString(v) {
			return badFilterValue("zone", v)
		}
	}
	return nil
}

// zoneFilter rejects a zone filter value naming no existing zone.
func (s *Service) zoneFilter(vals []string) *api3.Error {
	if e := zoneValues(vals); e != nil {
		return e
	}
	for _, v := range vals {
		if !s.zoneExists(v) {
			return api3.Errorf("InvalidZone.MismatchRegion", "zone %s does not exist", v)
		}
	}
	return nil
}

// tagFilter matches tag-key, tag-value and tag:<key>; nil for other names.
func tagFilter(name string, vals []string) func([]engine.KV) bool {
	switch {
	case name == "tag-key":
		return func(ts []engine.KV) bool {
			for _, t := range ts {
				if contains(vals, t.Name) {
					return true
				}
			}
			return false
		}
	case name == "tag-value":
		return func(ts []engine.KV) bool {
			for _, t := range ts {
				if contains(vals, t.Value) {
					return true
				}
			}
			return false
		}
	case strings.HasPrefix(name, "tag:") && len(name) > 4:
		key := name[4:]
		return func(ts []engine.KV) bool {
			for _, t := range ts {
				if t.Name == key && contains(vals, t.Value) {
					return true
				}
			}
			return false
		}
	}
	return nil
}
