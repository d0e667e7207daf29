package emulatortest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	oceanus "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/oceanus/v20190422"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/emulator/emulatortest"
)

// runAliJob is a user's Alibaba BatchCompute code: it creates a one-VM
// cluster, runs a one-task job on it with one retry allowed, and waits for
// the job to end, returning its final State.
func runAliJob(ctx context.Context, c *acs.Client) (string, error) {
	var q struct{ AvailableClusterInstanceType []string }
	if r, err := c.JSON(ctx, http.MethodGet, "/quotas", nil, &q); err != nil || r.Status != 200 || len(q.AvailableClusterInstanceType) == 0 {
		return "", fmt.Errorf("quotas: %v %v", err, errOf(r))
	}
	it := q.AvailableClusterInstanceType[0]
	var id struct{ Id string }
	r, err := c.JSON(ctx, http.MethodPost, "/clusters", map[string]any{"Name": "etl", "ImageId": "img-ubuntu", "InstanceType": it,
		"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand", "InstanceType": it}}}, &id)
	if err != nil || r.Status != 201 {
		return "", fmt.Errorf("create cluster: %v %v", err, errOf(r))
	}
	r, err = c.JSON(ctx, http.MethodPost, "/jobs", map[string]any{"Name": "etl", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
		"DAG": map[string]any{"Tasks": map[string]any{"extract": map[string]any{"InstanceCount": 1, "Timeout": 600, "MaxRetryCount": 1,
			"ClusterId": id.Id, "Parameters": map[string]any{"Command": map[string]any{"CommandLine": "echo extract", "PackagePath": ""},
				"StdoutRedirectPath": "oss://etl/logs/", "StderrRedirectPath": "oss://etl/logs/"}}}}}, &id)
	if err != nil || r.Status != 201 {
		return "", fmt.Errorf("create job: %v %v", err, errOf(r))
	}
	for {
		var j struct{ State string }
		if r, err := c.JSON(ctx, http.MethodGet, "/jobs/"+id.Id, nil, &j); err != nil || r.Status != 200 {
			return "", fmt.Errorf("get job: %v %v", err, errOf(r))
		}
		switch j.State {
		case "Finished", "Failed", "Stopped":
			return j.State, nil
		}
		select {
		case <-ctx.Done():
			return j.State, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func errOf(r *acs.Response) error {
	if r == nil {
		return nil
	}
	if e := r.Err(); e != nil {
		return fmt.Errorf("%d %s: %s", r.Status, e.Code, e.Message)
	}
	return nil
}

// The Alibaba code against the emulator: it survives one VM dying mid-task
// (the retry runs), and it reports the documented 500 InternalError when
// the service fails instead of retrying blindly or claiming success.
func TestRunAliJobUnderChaos(t *testing.T) {
	emu := emulatortest.New(t, emulator.WithChaos(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Name: "vm-dies", KillInstance: true, Probability: 1, Count: 1},
	}}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	state, err := runAliJob(ctx, emu.AlibabaClient())
	if err != nil || state != "Finished" {
		t.Fatalf("one VM death with MaxRetryCount 1: %s, %v", state, err)
	}
	if st := emu.Chaos().Status(); st.Hits["vm-dies"] != 1 {
		t.Fatalf("the VM never died: %+v", st.Hits)
	}
	// Now the service fails on the first request.
	if err := emu.Chaos().Replace(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Service: chaos.ServiceAliBatch, Actions: []string{"GetQuotas"}, Probability: 1, Error: "InternalError"},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := runAliJob(ctx, emu.AlibabaClient()); err == nil || !contains(err.Error(), "500 InternalError") {
		t.Fatalf("runAliJob when the service fails: %v, want the documented 500 InternalError", err)
	}
}

// Oceanus through the official SDK: chaos makes the job store's database
// fail, and the SDK surfaces the documented InternalError.DB.
func TestOceanusClientUnderChaos(t *testing.T) {
	emu := emulatortest.New(t, emulator.WithChaos(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Service: chaos.ServiceOceanus, Actions: []string{"DescribeJobs"}, Probability: 1, Error: "InternalError.DB", Count: 1},
	}}))
	c := emu.OceanusClient()
	_, err := c.DescribeJobs(oceanus.NewDescribeJobsRequest())
	var sdkErr *sdkerrors.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != "InternalError.DB" {
		t.Fatalf("DescribeJobs under a database outage: %v", err)
	}
	if _, err := c.DescribeJobs(oceanus.NewDescribeJobsRequest()); err != nil {
		t.Fatalf("DescribeJobs after the outage: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
