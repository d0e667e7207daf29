package tencentbatch

import (
	"testing"

	"github.com/batchconform/batchconform/emulator/engine"
)

// The definition: a task instance's ComputeNodeInstanceId is empty while it
// has not run and once it has finished (任务实例未运行或者完结时，本字段为空);
// the fault node-id-after-finish keeps it on finished instances.
func TestInstanceViewNodeIDOnlyWhileOnNode(t *testing.T) {
	for _, c := range []struct {
		state string
		fault bool
		want  bool
	}{
		{"SUBMITTED", false, false}, {"PENDING", false, false}, {"RUNNABLE", false, false},
		{"STARTING", false, true}, {"RUNNING", false, true},
		{"SUCCEED", false, false}, {"FAILED", false, false}, {"FAILED_INTERRUPTED", false, false},
		{"SUCCEED", true, true}, {"FAILED", true, true}, {"RUNNABLE", true, false},
	} {
		v := instanceView(engine.TaskSpec{}, engine.TaskInstance{State: c.state, NodeInstanceID: "ins-abc"}, c.fault)
		if got := v.ComputeNodeInstanceId != nil; got != c.want {
			t.Errorf("%s (fault %v): ComputeNodeInstanceId reported %v, want %v", c.state, c.fault, got, c.want)
		}
	}
}
