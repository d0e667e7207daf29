package alibatch

import (
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// world is a set of resources made from the generators' valid bodies: a
// one-group cluster, an image and a two-task DAG job on the cluster.
type world struct {
	t            *harness.Target
	instanceType string
	clusterID    string
	jobID        string
	imageID      string
	gen          *generators.RESTGenerator
	bodies       map[string]map[string]any
}

// quotaInstanceType reads GetQuotas for an instance type the target offers.
func quotaInstanceType(t *harness.Target) string {
	GinkgoHelper()
	r := callJSON(t, "GetQuotas", nil, nil, nil)
	var q struct{ AvailableClusterInstanceType []string }
	expectOK(r, "GetQuotas", &q)
	Expect(q.AvailableClusterInstanceType).NotTo(BeEmpty(), "GetQuotas lists no instance type to build a cluster of")
	return q.AvailableClusterInstanceType[0]
}

// newWorld creates the resources (names start with the run prefix) and a
// generator whose refs name them.
func newWorld(t *harness.Target, tag string) *world {
	GinkgoHelper()
	w := &world{t: t, instanceType: quotaInstanceType(t)}
	w.bodies = generators.AlibabaBodies(w.instanceType, "", "m-"+t.RunPrefix+tag+"r")
	cb := generators.CloneMap(w.bodies["CreateCluster"])
	cb["Name"] = t.Name(tag+"-cluster", 64)
	r := callJSON(t, "CreateCluster", nil, nil, cb)
	expectOK(r, "CreateCluster", nil)
	w.clusterID = idOf(r)
	Expect(w.clusterID).NotTo(BeEmpty())
	DeferCleanup(func() { callJSON(t, "DeleteCluster", map[string]string{"ClusterId": w.clusterID}, nil, nil) })

	w.bodies = generators.AlibabaBodies(w.instanceType, w.clusterID, "m-"+t.RunPrefix+tag+"r")
	for _, k := range []string{"CreateCluster", "CreateJob", "CreateImage"} {
		w.bodies[k]["Name"] = t.Name(tag+"-"+k[6:], 64)
	}
	ib := generators.CloneMap(w.bodies["CreateImage"])
	ib["EcsImageId"] = "m-" + t.RunPrefix + tag + "w"
	r = callJSON(t, "CreateImage", nil, nil, ib)
	expectOK(r, "CreateImage", nil)
	w.imageID = idOf(r)
	DeferCleanup(func() { callJSON(t, "DeleteImage", map[string]string{"ImageId": w.imageID}, nil, nil) })

	r = callJSON(t, "CreateJob", nil, nil, w.bodies["CreateJob"])
	expectOK(r, "CreateJob", nil)
	w.jobID = idOf(r)
	DeferCleanup(func() { w.deleteJob(w.jobID) })

	w.gen = generators.NewREST(cat, generators.RESTRefs{
		ClusterID: w.clusterID, GroupName: "group1", JobID: w.jobID, TaskName: "A", InstanceID: "0",
		ImageID: w.imageID, Bodies: w.bodies,
	})
	return w
}

// deleteJob stops a job if it still runs and deletes it (cleanup: errors are
// not the spec's concern).
func (w *world) deleteJob(id string) {
	p := map[string]string{"JobId": id}
	callJSON(w.t, "StopJob", p, nil, nil)
	if w.t.Stalled() != nil {
		// A target whose jobs never move would not let this one go either:
		// ask once instead of waiting out the timeout.
		callJSON(w.t, "DeleteJob", p, nil, nil)
		return
	}
	Eventually(func() int {
		// A job that never leaves its state is what keeps a job from being
		// deleted: its state feeds the states-move breaker, which ends the
		// wait once it trips.
		harness.StopIfStalled(w.t)
		jobState(w.t, id)
		return callJSON(w.t, "DeleteJob", p, nil, nil).Status
	}).WithTimeout(30 * time.Second).WithPolling(w.t.PollInterval()).Should(Or(Equal(204), Equal(404)))
}

// jobState reads a job's State.
func jobState(t *harness.Target, jobID string) string {
	GinkgoHelper()
	r := callJSON(t, "GetJob", map[string]string{"JobId": jobID}, nil, nil)
	var j struct{ State string }
	if r.Status != 200 || json.Unmarshal(r.Body, &j) != nil {
		return ""
	}
	t.ObserveState("job "+jobID, j.State)
	return j.State
}

// waitJob waits until the job is in one of states. A job that ended in
// another end state is judged at once: an end state stays until a client
// acts (no caller waits right after its own StartJob of an ended job), and
// waiting out the timeout only cost the mutation gate 30 s and 90 s per run
// of a fault that fails a job where it should stop.
func waitJob(t *harness.Target, jobID string, timeout time.Duration, states ...string) string {
	GinkgoHelper()
	var last string
	poll(t, timeout, "job "+jobID+" reaches one of "+join(states), func() bool {
		last = jobState(t, jobID)
		if terminal(last) && !contains(states, last) {
			StopTrying(fmt.Sprintf("job %s ended %s, not one of %s", jobID, last, join(states))).Now()
		}
		return contains(states, last)
	})
	return last
}

func join(l []string) string {
	b, _ := json.Marshal(l)
	return string(b)
}

// clusterInstance waits for an instance of the cluster's group1 and returns
// its Id.
func clusterInstance(t *harness.Target, clusterID string) string {
	GinkgoHelper()
	var id string
	poll(t, 60*time.Second, "cluster "+clusterID+" lists an instance in group1", func() bool {
		r := callJSON(t, "ListClusterInstances", map[string]string{"ClusterId": clusterID, "GroupName": "group1"}, nil, nil)
		var l struct{ Items []struct{ Id, State string } }
		if r.Status != 200 || json.Unmarshal(r.Body, &l) != nil {
			return false
		}
		for _, it := range l.Items {
			t.ObserveState("cluster-instance "+it.Id, it.State)
			if it.State == "Running" {
				id = it.Id
				return true
			}
		}
		return false
	})
	return id
}

// newCluster creates a one-group cluster of n VMs from the world's body.
func (w *world) newCluster(tag string, n int) string {
	GinkgoHelper()
	b := generators.CloneMap(w.bodies["CreateCluster"])
	b["Name"] = w.t.Name(tag, 64)
	b["Groups"] = map[string]any{"group1": map[string]any{"DesiredVMCount": n, "ResourceType": "OnDemand", "InstanceType": w.instanceType}}
	r := callJSON(w.t, "CreateCluster", nil, nil, b)
	expectOK(r, "CreateCluster", nil)
	id := idOf(r)
	DeferCleanup(func() { callJSON(w.t, "DeleteCluster", map[string]string{"ClusterId": id}, nil, nil) })
	return id
}

// newJob creates a job from the world's body with every task's command
// replaced (when given) and returns its Id.
func (w *world) newJob(tag, command string) string {
	GinkgoHelper()
	b := generators.CloneMap(w.bodies["CreateJob"])
	b["Name"] = w.t.Name(tag, 64)
	if command != "" {
		setCommand(b, command)
	}
	r := callJSON(w.t, "CreateJob", nil, nil, b)
	expectOK(r, "CreateJob", nil)
	id := idOf(r)
	DeferCleanup(func() { w.deleteJob(id) })
	return id
}

// setCommand sets every task's command line in a CreateJob body of the
// generators (read through the checked accessors, like an answer).
func setCommand(b map[string]any, command string) {
	GinkgoHelper()
	tasks := harness.Obj(b, "DAG.Tasks")
	for name := range tasks {
		harness.Obj(tasks, name+".Parameters.Command")["CommandLine"] = command
	}
}
