package harness

import (
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestProgressLine(t *testing.T) {
	p := &progress{}
	p.reset()
	ok := types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed,
		LeafNodeLabels: []string{"dialect:tencent-batch"}}
	bad := ok
	bad.State = types.SpecStateFailed
	bad.LeafNodeLabels = []string{"dialect:oceanus"}
	p.line(ok, 1, 4)
	got := p.line(bad, 2, 4)
	for _, want := range []string{"oceanus 1 done, 1 failed", "tencent-batch 1 done, 0 failed", "2/4 specs", "req/s", "elapsed", "ETA"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
}
