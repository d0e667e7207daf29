package oceanus

import (
	"context"
	"errors"
	"testing"

	"github.com/batchconform/batchconform/specs/harness"
)

// TestSweepLeavesConnectorResourcesAtOnce: a resource the run registered as
// a connector (CreateConnector answered) can never be deleted: the sweeper
// says so at once, without sending anything, instead of retrying it for a
// minute and holding up the cleanup.
func TestSweepLeavesConnectorResourcesAtOnce(t *testing.T) {
	sw := sweeper{}
	call := &harness.Call{Action: "CreateConnector", Version: harness.OceanusVersion,
		Request: []byte(`{"ResourceId":"resource-conn0001","WorkSpaceId":"space-1","VersionId":1,"Connector":"c"}`),
		Status:  200, Response: []byte(`{"Response":{"RequestId":"r"}}`)}
	sw.Track(call)
	// No URL: any request would fail with a transport error, not ErrCannotDelete.
	tg := &harness.Target{Dialect: Dialect}
	err := sw.Delete(context.Background(), tg, harness.Leftover{Dialect: Dialect, Type: "resource", ID: "resource-conn0001"})
	if !errors.Is(err, harness.ErrCannotDelete) {
		t.Fatalf("delete of a connector's resource: %v, want ErrCannotDelete", err)
	}
	// Another resource is not affected.
	err = sw.Delete(context.Background(), tg, harness.Leftover{Dialect: Dialect, Type: "resource", ID: "resource-other001"})
	if errors.Is(err, harness.ErrCannotDelete) {
		t.Fatalf("a resource never registered as a connector was left for good: %v", err)
	}
}

// TestSweepFinal: which refusals end a delete at once.
func TestSweepFinal(t *testing.T) {
	cases := []struct {
		code  string
		final bool
	}{
		{"LimitExceeded", true},
		{"AuthFailure.SignatureFailure", true},
		{"FailedOperation.DeleteWedataItemspace", true},
		{"ResourceInUse", false},
		{"InvalidParameterValue", false}, // a folder that still holds what is being deleted beside it
		{"FailedOperation", false},
	}
	for _, c := range cases {
		if got := sweepFinal(&sweepErr{action: "X", code: c.code}); got != c.final {
			t.Errorf("%s: final = %v, want %v", c.code, got, c.final)
		}
	}
}
