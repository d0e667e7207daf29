package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/alibatch"
)

// aliJobBody is a one-task job on cluster with notification (nil: none).
func aliJobBody(cluster string, notification map[string]any, command string) map[string]any {
	b := map[string]any{"Name": "notify-job", "Description": "x", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
		"DAG": map[string]any{"Tasks": map[string]any{"A": map[string]any{
			"InstanceCount": 1, "Timeout": 600, "MaxRetryCount": 0, "ClusterId": cluster,
			"Parameters": map[string]any{"Command": map[string]any{"CommandLine": command, "PackagePath": ""},
				"StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"}}}}}
	if notification != nil {
		b["Notification"] = notification
	}
	return b
}

func notifications(t *testing.T, emu *emulator.Emulator) []alibatch.Notification {
	t.Helper()
	var out []alibatch.Notification
	if code := adminGet(t, emu, "notifications?tenant="+emu.SecretID, &out); code != 200 {
		t.Fatalf("GET notifications: %d", code)
	}
	return out
}

// Alibaba BatchCompute notifications reach the sink: every documented state
// of a job, its task and its instance once and in order (no Events list: all
// events), only the subscribed events otherwise, Stopped after StopJob,
// OnPriorityChange, the cluster VM's OnInstanceCreated and OnInstanceActive,
// OnClusterDeleted; a job without Notification fires none.
func TestAlibabaNotifications(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"))
	c := acsClient(emu)
	var q struct{ AvailableClusterInstanceType []string }
	if r := acsDo(t, c, "GET", "/quotas", nil); r.Status != 200 || json.Unmarshal(r.Body, &q) != nil || len(q.AvailableClusterInstanceType) == 0 {
		t.Fatalf("GetQuotas: %d %s", r.Status, r.Body)
	}
	it := q.AvailableClusterInstanceType[0]
	topic := func(events ...string) map[string]any {
		tp := map[string]any{"Name": "t1", "Endpoint": "http://1234.mns.cn-shenzhen.aliyuncs.com/"}
		if events != nil {
			tp["Events"] = events
		}
		return map[string]any{"Topic": tp}
	}
	var id struct{ Id string }
	r := acsDo(t, c, "POST", "/clusters", map[string]any{"Name": "notify-cluster", "ImageId": "img-ubuntu", "InstanceType": it,
		"Notification": topic("OnClusterDeleted", "OnInstanceCreated", "OnInstanceActive"),
		"Groups":       map[string]any{"group1": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand", "InstanceType": it}}})
	if r.Status != 201 || json.Unmarshal(r.Body, &id) != nil {
		t.Fatalf("CreateCluster: %d %s", r.Status, r.Body)
	}
	cluster := id.Id
	create := func(notification map[string]any, command string) string {
		r := acsDo(t, c, "POST", "/jobs", aliJobBody(cluster, notification, command))
		var id struct{ Id string }
		if r.Status != 201 || json.Unmarshal(r.Body, &id) != nil {
			t.Fatalf("CreateJob: %d %s", r.Status, r.Body)
		}
		return id.Id
	}
	state := func(job string) string {
		var j struct{ State string }
		_ = json.Unmarshal(acsDo(t, c, "GET", "/jobs/"+job, nil).Body, &j)
		return j.State
	}
	all := create(topic(), "echo all")
	some := create(topic("OnJobFinished", "OnInstanceRunning"), "echo some")
	none := create(nil, "echo none")
	for _, j := range []string{all, some, none} {
		waitFor(t, 60*time.Second, "job "+j+" finishes", func() bool { return state(j) == "Finished" })
	}
	stopped := create(topic("OnJobStopped", "OnJobFailed", "OnJobWaiting", "OnPriorityChange"), "sleep 600")
	waitFor(t, 30*time.Second, "job runs", func() bool { return state(stopped) == "Running" })
	if r := acsDo(t, c, "POST", "/jobs/"+stopped+"/stop", nil); r.Status >= 300 {
		t.Fatalf("StopJob: %d %s", r.Status, r.Body)
	}
	waitFor(t, 30*time.Second, "job stops", func() bool { return state(stopped) == "Stopped" })
	if r := acsDo(t, c, "PUT", "/jobs/"+stopped, map[string]any{"Priority": 5}); r.Status >= 300 {
		t.Fatalf("ChangeJobPriority: %d %s", r.Status, r.Body)
	}
	if r := acsDo(t, c, "DELETE", "/clusters/"+cluster, nil); r.Status >= 300 {
		t.Fatalf("DeleteCluster: %d %s", r.Status, r.Body)
	}

	got := map[string][]string{}
	var seq int64
	for _, n := range notifications(t, emu) {
		if n.Seq <= seq {
			t.Fatalf("notifications out of order: %+v", n)
		}
		seq = n.Seq
		if n.Topic != "t1" || !strings.HasPrefix(n.Endpoint, "http://1234.mns") {
			t.Fatalf("notification without its topic: %+v", n)
		}
		key := n.JobID + n.ClusterID
		got[key] = append(got[key], n.Event)
	}
	per := func(events []string, kind string) string {
		var out []string
		for _, e := range events {
			if strings.HasPrefix(e, "On"+kind) {
				out = append(out, strings.TrimPrefix(e, "On"+kind))
			}
		}
		return strings.Join(out, " ")
	}
	for _, kind := range []string{"Job", "Task", "Instance"} {
		if s := per(got[all], kind); s != "Waiting Running Finished" {
			t.Errorf("job with every event: %s events %q, want Waiting Running Finished (all: %v)", kind, s, got[all])
		}
	}
	if s := strings.Join(got[some], " "); s != "OnInstanceRunning OnJobFinished" {
		t.Errorf("job subscribed to three events got %q", s)
	}
	if len(got[none]) != 0 {
		t.Errorf("a job without Notification fired %v", got[none])
	}
	if s := strings.Join(got[stopped], " "); s != "OnJobWaiting OnJobStopped OnPriorityChange" {
		t.Errorf("stopped job: %q, want OnJobWaiting OnJobStopped OnPriorityChange", s)
	}
	if s := strings.Join(got[cluster], " "); s != "OnInstanceCreated OnInstanceActive OnClusterDeleted" {
		t.Errorf("cluster: %q", s)
	}
	if code := adminGet(t, emu, "notifications?after=x", nil); code != 400 {
		t.Errorf("bad after: %d", code)
	}
}
