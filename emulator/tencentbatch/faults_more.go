package tencentbatch

// Hooks of the faults in emulator/faults/tencentbatch_more.go that live in the
// façade. Each is a predicate asked at the one place its behaviour lives, so a
// fault that is off costs a map lookup and changes nothing.

import "github.com/batchconform/batchconform/emulator/faults"

// filterNameIgnored: DescribeJobs ignores a filter name it does not support
// instead of refusing it (faults.UnknownFilterIgnored).
func (s *Service) filterNameIgnored(action string) bool {
	return action == "DescribeJobs" && s.faults.On(faults.UnknownFilterIgnored)
}
