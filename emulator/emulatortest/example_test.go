package emulatortest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerrors "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/emulator/emulatortest"
)

// runReport is the kind of code a user tests: it submits a one-task job to
// Tencent Cloud Batch and waits for it to end. It knows nothing about the
// emulator; it only gets a client.
func runReport(c *batch.Client, zone string, timeout time.Duration) (string, error) {
	req := batch.NewSubmitJobRequest()
	req.Placement = &batch.Placement{Zone: common.StringPtr(zone)}
	req.Job = &batch.Job{
		JobName:  common.StringPtr("nightly-report"),
		Priority: common.Uint64Ptr(1),
		Tasks: []*batch.Task{{
			TaskName:        common.StringPtr("report"),
			TaskInstanceNum: common.Uint64Ptr(1),
			Application: &batch.Application{
				DeliveryForm: common.StringPtr("LOCAL"),
				Command:      common.StringPtr("echo report done"),
			},
			ComputeEnv: &batch.AnonymousComputeEnv{EnvType: common.StringPtr("MANAGED"),
				EnvData: &batch.EnvData{InstanceType: common.StringPtr("S1.SMALL1"), ImageId: common.StringPtr("img-m4q71qnf")}},
		}},
	}
	resp, err := c.SubmitJob(req)
	if err != nil {
		return "", fmt.Errorf("submit: %w", err)
	}
	id := *resp.Response.JobId
	deadline := time.Now().Add(timeout)
	for {
		d := batch.NewDescribeJobRequest()
		d.JobId = common.StringPtr(id)
		got, err := c.DescribeJob(d)
		if err != nil {
			return id, fmt.Errorf("describe %s: %w", id, err)
		}
		switch st := *got.Response.JobState; st {
		case "SUCCEED":
			return id, nil
		case "FAILED":
			return id, fmt.Errorf("job %s failed", id)
		}
		if time.Now().After(deadline) {
			return id, fmt.Errorf("job %s: not done after %v", id, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A user's job-submitting code tested against the emulator: one line starts
// it, the client is ready, Close happens at cleanup.
func TestRunReport(t *testing.T) {
	emu := emulatortest.New(t)
	id, err := runReport(emu.BatchClient(), "ap-guangzhou-2", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Fatal("runReport returned no job ID")
	}
}

// The same code when the CVM backend is down: chaos makes SubmitJob answer
// the documented InternalError.CallCvm, and runReport must report it rather
// than hang or claim success.
func TestRunReportWhenCVMIsDown(t *testing.T) {
	emu := emulatortest.New(t, emulator.WithChaos(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Actions: []string{"SubmitJob"}, Probability: 1, Error: "InternalError.CallCvm"},
	}}))
	_, err := runReport(emu.BatchClient(), "ap-guangzhou-2", 30*time.Second)
	var sdkErr *sdkerrors.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != "InternalError.CallCvm" {
		t.Fatalf("runReport under a CVM outage: %v, want the SDK error InternalError.CallCvm", err)
	}
}
