package alibatch

// One spec per operation (its action and schema items), in the order of a
// lifecycle: each valid call answers its documented status and a body that
// carries every documented field with its type (checkBody against the
// catalog's output object).

import (
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// actionOrder is the lifecycle the specs walk; every catalog action is in it
// (a test of the package checks).
var actionOrder = []string{
	"GetQuotas", "CreateImage", "GetImage", "ListImages",
	"CreateCluster", "GetCluster", "ListClusters", "ListClusterInstances", "GetClusterInstance",
	"ChangeClusterDesiredVMCount", "RecreateClusterInstance", "DeleteClusterInstance",
	"CreateJob", "GetJob", "GetJobDescription", "ListJobs", "ListTasks", "GetTask", "ListInstances", "GetInstance",
	"StopJob", "ChangeJobPriority", "StartJob", "DeleteJob",
	"DeleteImage", "DeleteCluster",
}

// expectSchema checks the body of a success against the action's output.
func expectSchema(r *acs.Response, action string) {
	GinkgoHelper()
	a, _ := cat.Action(action)
	if a.Output == "Empty" {
		body := strings.TrimSpace(string(r.Body))
		Expect(body == "" || body == "{}").To(BeTrue(), "%s: no body documented, got %s", action, r.Body)
		return
	}
	Expect(checkBody(a.Output, r.Body)).To(BeEmpty(), "%s: the body breaks the documented %s schema: %s", action, a.Output, r.Body)
}

var _ = Describe("Alibaba BatchCompute operations", Ordered, ContinueOnFailure, func() {
	if !selected() {
		return
	}
	var (
		t                         *harness.Target
		w                         *world
		imageID, clusterID, jobID string
		clusterInst               string
		jobBody                   map[string]any
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		w = newWorld(t, "ops")
	})
	steps := map[string]func() *acs.Response{
		"GetQuotas": func() *acs.Response { return callJSON(t, "GetQuotas", nil, nil, nil) },
		"CreateImage": func() *acs.Response {
			b := generators.CloneMap(w.bodies["CreateImage"])
			b["EcsImageId"] = "m-" + t.RunPrefix + "ops1"
			r := callJSON(t, "CreateImage", nil, nil, b)
			imageID = idOf(r)
			return r
		},
		"GetImage":   func() *acs.Response { return callJSON(t, "GetImage", map[string]string{"ImageId": imageID}, nil, nil) },
		"ListImages": func() *acs.Response { return callJSON(t, "ListImages", nil, map[string]string{"Type": "Self"}, nil) },
		"CreateCluster": func() *acs.Response {
			b := generators.CloneMap(w.bodies["CreateCluster"])
			b["Name"] = t.Name("ops-cluster2", 64)
			r := callJSON(t, "CreateCluster", nil, nil, b)
			clusterID = idOf(r)
			return r
		},
		"GetCluster": func() *acs.Response {
			return callJSON(t, "GetCluster", map[string]string{"ClusterId": clusterID}, nil, nil)
		},
		"ListClusters": func() *acs.Response { return callJSON(t, "ListClusters", nil, nil, nil) },
		"ListClusterInstances": func() *acs.Response {
			clusterInst = clusterInstance(t, clusterID)
			return callJSON(t, "ListClusterInstances", map[string]string{"ClusterId": clusterID, "GroupName": "group1"}, nil, nil)
		},
		"GetClusterInstance": func() *acs.Response {
			return callJSON(t, "GetClusterInstance", map[string]string{"ClusterId": clusterID, "GroupName": "group1", "InstanceId": clusterInst}, nil, nil)
		},
		"ChangeClusterDesiredVMCount": func() *acs.Response {
			return callJSON(t, "ChangeClusterDesiredVMCount", map[string]string{"ClusterId": clusterID}, nil,
				map[string]any{"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 2}}})
		},
		"RecreateClusterInstance": func() *acs.Response {
			return callJSON(t, "RecreateClusterInstance", map[string]string{"ClusterId": clusterID, "GroupName": "group1", "InstanceId": clusterInst}, nil, nil)
		},
		"DeleteClusterInstance": func() *acs.Response {
			inst := clusterInstance(t, clusterID)
			return callJSON(t, "DeleteClusterInstance", map[string]string{"ClusterId": clusterID, "GroupName": "group1", "InstanceId": inst}, nil, nil)
		},
		"CreateJob": func() *acs.Response {
			jobBody = generators.CloneMap(w.bodies["CreateJob"])
			jobBody["Name"] = t.Name("ops-job", 64)
			// A long command keeps the job stoppable for the later steps.
			setCommand(jobBody, "sleep 30")
			r := callJSON(t, "CreateJob", nil, nil, jobBody)
			jobID = idOf(r)
			return r
		},
		"GetJob": func() *acs.Response { return callJSON(t, "GetJob", map[string]string{"JobId": jobID}, nil, nil) },
		"GetJobDescription": func() *acs.Response {
			r := callJSON(t, "GetJobDescription", map[string]string{"JobId": jobID}, nil, nil)
			var d map[string]any
			Expect(json.Unmarshal(r.Body, &d)).To(Succeed(), "GetJobDescription: %s", r.Body)
			Expect(d["Name"]).To(Equal(jobBody["Name"]), "the description echoes the submitted Name")
			Expect(d["DAG"]).To(HaveKey("Tasks"))
			return r
		},
		"ListJobs": func() *acs.Response {
			return callJSON(t, "ListJobs", nil, map[string]string{"MaxItemCount": "100"}, nil)
		},
		"ListTasks": func() *acs.Response { return callJSON(t, "ListTasks", map[string]string{"JobId": jobID}, nil, nil) },
		"GetTask": func() *acs.Response {
			return callJSON(t, "GetTask", map[string]string{"JobId": jobID, "TaskName": "A"}, nil, nil)
		},
		"ListInstances": func() *acs.Response {
			return callJSON(t, "ListInstances", map[string]string{"JobId": jobID, "TaskName": "A"}, nil, nil)
		},
		"GetInstance": func() *acs.Response {
			return callJSON(t, "GetInstance", map[string]string{"JobId": jobID, "TaskName": "A", "InstanceId": "0"}, nil, nil)
		},
		"StopJob": func() *acs.Response {
			// The job sleeps: it is Waiting or Running, which StopJob stops.
			return callJSON(t, "StopJob", map[string]string{"JobId": jobID}, nil, nil)
		},
		"ChangeJobPriority": func() *acs.Response {
			waitJob(t, jobID, 30e9, "Stopped")
			return callJSON(t, "ChangeJobPriority", map[string]string{"JobId": jobID}, nil, map[string]any{"Priority": 7})
		},
		"StartJob": func() *acs.Response { return callJSON(t, "StartJob", map[string]string{"JobId": jobID}, nil, nil) },
		"DeleteJob": func() *acs.Response {
			callJSON(t, "StopJob", map[string]string{"JobId": jobID}, nil, nil)
			waitJob(t, jobID, 30e9, "Stopped", "Finished", "Failed")
			return callJSON(t, "DeleteJob", map[string]string{"JobId": jobID}, nil, nil)
		},
		"DeleteImage": func() *acs.Response {
			return callJSON(t, "DeleteImage", map[string]string{"ImageId": imageID}, nil, nil)
		},
		"DeleteCluster": func() *acs.Response {
			return callJSON(t, "DeleteCluster", map[string]string{"ClusterId": clusterID}, nil, nil)
		},
	}
	for _, name := range actionOrder {
		name := name
		items := []string{id(name, fixtures.KindAction, ""), id(name, fixtures.KindSchema, "response")}
		harness.It(name, harness.Items(items...), func() {
			step := steps[name]
			Expect(step).NotTo(BeNil(), "no step is written for %s", name)
			r := step()
			harness.Check(items[0])
			expectOK(r, name, nil)
			harness.Check(items[1])
			expectSchema(r, name)
		})
	}
})
