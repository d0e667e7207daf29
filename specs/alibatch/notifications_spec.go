package alibatch

// Notifications: a job's or cluster's Notification.Topic names an MNS topic
// and the events to send to it. Against the emulator (which delivers to a
// sink the admin API lists instead of MNS) every documented event is
// provoked and must arrive once, for the right job, task, instance or
// cluster VM, in the order of the states it reports, and only when the
// topic subscribes to it. On a live target the spec skips (reading an MNS
// topic is outside this API).

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// The documented run states (reference §A.7).
const (
	Waiting  = "Waiting"
	Running  = "Running"
	Finished = "Finished"
	Failed   = "Failed"
	Stopped  = "Stopped"
)

var _ = Describe("Alibaba BatchCompute notifications", Label(fixtures.LabelEmulatorOnly), func() {
	if !selected() || len(cat.Events) == 0 {
		return
	}
	var items []string
	byName := map[string]fixtures.Event{}
	for _, e := range cat.Events {
		items = append(items, e.ID)
		byName[e.Name] = e
	}
	// eventsOf lists the catalog's events of machine (a job's own and its
	// tasks' and instances' for "job").
	eventsOf := func(machines ...string) []any {
		var out []any
		for _, e := range cat.Events {
			for _, m := range machines {
				if e.Machine == m {
					out = append(out, e.Name)
				}
			}
		}
		return out
	}
	harness.It("every documented event reaches the subscribed topic once, in order, and only when subscribed", harness.Items(items...), func() {
		t := harness.T(Dialect)
		t.RequireEmulator()
		nt := t.NewTenant(harness.TenantConfig{})
		w := newWorld(nt, "notify")
		endpoint := "http://1234567890.mns.cn-shenzhen.aliyuncs.com/"
		topic := func(events []any) map[string]any {
			return map[string]any{"Topic": map[string]any{"Name": nt.Name("topic", 64), "Endpoint": endpoint, "Events": events}}
		}
		// A cluster subscribed to its three events.
		cb := generators.CloneMap(w.bodies["CreateCluster"])
		cb["Name"] = nt.Name("notify-cluster", 64)
		cb["Notification"] = topic(eventsOf("cluster", "cluster-instance"))
		r := callJSON(nt, "CreateCluster", nil, nil, cb)
		expectOK(r, "CreateCluster", nil)
		clusterID := idOf(r)
		DeferCleanup(func() { callJSON(nt, "DeleteCluster", map[string]string{"ClusterId": clusterID}, nil, nil) })
		clusterInstance(nt, clusterID)
		// Jobs of one task on it: one subscribed to every job event, one to
		// the failures only, one to the stops and priority changes.
		job := func(tag, command string, events []any) string {
			b := generators.CloneMap(w.bodies["CreateJob"])
			b["Name"] = nt.Name(tag, 64)
			dag := generators.CloneMap(b["DAG"].(map[string]any))
			task := generators.CloneMap(dag["Tasks"].(map[string]any)["A"].(map[string]any))
			task["ClusterId"] = clusterID
			params := generators.CloneMap(task["Parameters"].(map[string]any))
			cmd := generators.CloneMap(params["Command"].(map[string]any))
			cmd["CommandLine"] = command
			params["Command"], task["Parameters"] = cmd, params
			dag["Tasks"] = map[string]any{"A": task}
			delete(dag, "Dependencies")
			b["DAG"] = dag
			b["Notification"] = topic(events)
			r := callJSON(nt, "CreateJob", nil, nil, b)
			expectOK(r, "CreateJob", nil)
			id := idOf(r)
			DeferCleanup(func() { w.deleteJob(id) })
			return id
		}
		all := eventsOf("job", "task", "instance")
		var failures, stops []any
		for _, e := range all {
			switch {
			case strings.HasSuffix(e.(string), Failed):
				failures = append(failures, e)
			case strings.HasSuffix(e.(string), Stopped):
				stops = append(stops, e)
			}
		}
		fin := job("notify-fin", "echo done", all)
		fail := job("notify-fail", "exit 3", failures)
		stop := job("notify-stop", "sleep 600", append(stops, "OnPriorityChange"))
		waitJob(nt, fin, 90*time.Second, Finished)
		waitJob(nt, fail, 90*time.Second, Failed)
		waitJob(nt, stop, 90*time.Second, Running)
		expectOK(callJSON(nt, "StopJob", map[string]string{"JobId": stop}, nil, nil), "StopJob", nil)
		waitJob(nt, stop, 90*time.Second, Stopped)
		expectOK(callJSON(nt, "ChangeJobPriority", map[string]string{"JobId": stop}, nil, map[string]any{"Priority": 7}), "ChangeJobPriority", nil)
		r = callJSON(nt, "DeleteCluster", map[string]string{"ClusterId": clusterID}, nil, nil)
		Expect(r.Status).To(Equal(http.StatusNoContent), "DeleteCluster: %s", r.Body)

		// What each entity got, in delivery order.
		got := map[string][]string{}
		var ns []harness.AliNotification
		Eventually(func() []string {
			var err error
			ns, err = nt.AliNotifications(0)
			Expect(err).NotTo(HaveOccurred())
			got = map[string][]string{}
			for _, n := range ns {
				key := n.ClusterID + n.JobID
				if n.InstanceID != nil {
					key += fmt.Sprintf("/%s/%d", n.TaskName, *n.InstanceID)
				} else if n.TaskName != "" {
					key += "/" + n.TaskName
				}
				got[key] = append(got[key], n.Event)
			}
			return got[clusterID]
		}).WithTimeout(30 * time.Second).WithPolling(nt.PollInterval()).Should(ContainElement("OnClusterDeleted"))
		harness.Evidence(map[string]any{"notifications": ns})
		for _, n := range ns {
			Expect(n.Endpoint).To(Equal(endpoint), "a notification names its topic's endpoint: %+v", n)
			Expect(n.Topic).To(HavePrefix(nt.RunPrefix), "a notification names its topic: %+v", n)
		}
		entity := map[string]string{"job": "", "task": "/A", "instance": "/A/0"}
		word := map[string]string{"job": "Job", "task": "Task", "instance": "Instance"}
		for _, m := range []string{"job", "task", "instance"} {
			k := word[m]
			check := func(jobID, state string, want []string) {
				e := byName["On"+k+state]
				harness.Check(e.ID)
				var own []string // the entity's state events (a job also gets OnPriorityChange)
				for _, ev := range got[jobID+entity[m]] {
					if strings.HasPrefix(ev, "On"+k) {
						own = append(own, ev)
					}
				}
				Expect(own).To(Equal(want), "%s of %s %s%s", e.Name, m, jobID, entity[m])
			}
			for _, st := range []string{Waiting, Running, Finished} {
				check(fin, st, []string{"On" + k + Waiting, "On" + k + Running, "On" + k + Finished})
			}
			check(fail, Failed, []string{"On" + k + Failed})
			check(stop, Stopped, []string{"On" + k + Stopped})
		}
		harness.Check(byName["OnPriorityChange"].ID)
		Expect(got[stop]).To(Equal([]string{"OnJobStopped", "OnPriorityChange"}), "the stopped job's own events")
		for _, name := range []string{"OnInstanceCreated", "OnInstanceActive", "OnClusterDeleted"} {
			harness.Check(byName[name].ID)
		}
		Expect(got[clusterID]).To(HaveLen(3), "the cluster's one VM and its deletion: %v", got[clusterID])
		Expect(got[clusterID]).To(Equal([]string{"OnInstanceCreated", "OnInstanceActive", "OnClusterDeleted"}))
		for _, n := range ns {
			if n.ClusterID != "" && n.Event != "OnClusterDeleted" {
				Expect(n.ClusterInstanceID).NotTo(BeEmpty(), "a VM event names the VM: %+v", n)
			}
		}
	})
})
