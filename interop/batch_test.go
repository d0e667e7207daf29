package interop

import (
	"fmt"
	"strings"
	"testing"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
)

// batchScenario is what a new user tries first: submit a job, watch it
// finish, list it, read its tasks, provoke a documented error, delete it.
func batchScenario(t *testing.T, c caller) {
	job := func(name, command string) map[string]any {
		return map[string]any{
			"Placement": map[string]any{"Zone": "ap-guangzhou-2"},
			"Job": map[string]any{"JobName": name, "Priority": 1, "Tasks": []any{map[string]any{
				"TaskName": "t1", "TaskInstanceNum": 1,
				"Application": map[string]any{"DeliveryForm": "LOCAL", "Command": command},
				"ComputeEnv": map[string]any{"EnvType": "MANAGED", "EnvData": map[string]any{
					"InstanceType": "S1.SMALL1", "ImageId": "img-m4q71qnf"}},
			}}},
		}
	}
	state := func(id string) string {
		return str(ok(t, c, "DescribeJob", map[string]any{"JobId": id})["JobState"])
	}
	good := str(ok(t, c, "SubmitJob", job("interop-ok", "exit 0"))["JobId"])
	bad := str(ok(t, c, "SubmitJob", job("interop-fail", "exit 3"))["JobId"])
	for id, want := range map[string]string{good: "SUCCEED", bad: "FAILED"} {
		eventually(t, fmt.Sprintf("job %s %s", id, want), func() (bool, string) {
			s := state(id)
			return s == want, s
		})
	}
	js := ok(t, c, "DescribeJobs", map[string]any{"JobIds": []any{good, bad}})
	if num(js["TotalCount"]) != 2 || len(list(js["JobSet"])) != 2 {
		t.Fatalf("%s DescribeJobs by JobIds: %v", c.name(), js)
	}
	d := ok(t, c, "DescribeJob", map[string]any{"JobId": good})
	if len(list(d["TaskSet"])) != 1 || str(obj(list(d["TaskSet"])[0])["TaskName"]) != "t1" {
		t.Fatalf("%s DescribeJob TaskSet: %v", c.name(), d["TaskSet"])
	}
	fails(t, c, "DescribeJob", map[string]any{"JobId": "job-00000000"}, "ResourceNotFound.Job")
	// A catalog rule through the SDK (an empty Tasks list would not do: the
	// SDKs drop empty lists from GET queries and the Go SDK from JSON bodies).
	fails(t, c, "SubmitJob", job(strings.Repeat("n", 61), "exit 0"), "InvalidParameter.JobNameTooLong")
	for _, id := range []string{good, bad} {
		ok(t, c, "DeleteJob", map[string]any{"JobId": id})
	}
	fails(t, c, "DescribeJob", map[string]any{"JobId": good}, "ResourceNotFound.Job")
}

func TestNodeSDKBatch(t *testing.T) {
	e := startEmulator(t)
	for _, method := range []string{"POST", "GET"} {
		// TC3 (the SDK's default) and signature v1 (signMethod HmacSHA256 /
		// HmacSHA1, whose string to sign holds the endpoint with its port).
		for _, sign := range []string{"TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1"} {
			t.Run(method+"/"+sign, func(t *testing.T) {
				batchScenario(t, newNodeCallerSigned(t, newTenant(t, e), "batch", "v20170312", method, sign))
			})
		}
	}
}

func TestGoSDKBatch(t *testing.T) {
	e := startEmulator(t)
	for _, method := range []string{"POST", "GET"} {
		t.Run(method, func(t *testing.T) {
			cl, err := batch.NewClient(goCredential(defaultTarget(e)), region, goProfile(defaultTarget(e), method))
			if err != nil {
				t.Fatal(err)
			}
			batchScenario(t, newGoCaller(t, "batch", batch.APIVersion, cl))
		})
	}
}
