package alibatch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientacs "github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/engine"
	catalog "github.com/batchconform/batchconform/fixtures/alibatch"
)

func start(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, *clientacs.Client) {
	t.Helper()
	opts = append([]emulator.Option{emulator.WithExecutor("simulated"),
		emulator.WithTiming(engine.Timing{Hold: 20 * time.Millisecond})}, opts...)
	emu, err := emulator.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu, &clientacs.Client{Endpoint: emu.URL, Signer: clientacs.Signer{AccessKeyID: emu.SecretID, AccessKeySecret: emu.SecretKey}}
}

func do(t *testing.T, c *clientacs.Client, method, pq string, body any, wantStatus int) map[string]any {
	t.Helper()
	r, err := c.JSON(context.Background(), method, pq, body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, pq, r.Status, wantStatus, r.Body)
	}
	out := map[string]any{}
	if len(r.Body) > 0 {
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, pq, err, r.Body)
		}
	}
	return out
}

func wantErr(t *testing.T, c *clientacs.Client, method, pq string, body any, status int, code string) {
	t.Helper()
	out := do(t, c, method, pq, body, status)
	if out["Code"] != code {
		t.Fatalf("%s %s: code %v, want %s (%v)", method, pq, out["Code"], code, out["Message"])
	}
}

func task(cmd string, extra map[string]any) map[string]any {
	t := map[string]any{"InstanceCount": 2, "MaxRetryCount": 0, "Timeout": 600,
		"AutoCluster": map[string]any{"InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu"},
		"Parameters": map[string]any{"Command": map[string]any{"CommandLine": cmd, "PackagePath": ""},
			"StdoutRedirectPath": "oss://bucket/logs/", "StderrRedirectPath": "oss://bucket/logs/"}}
	for k, v := range extra {
		t[k] = v
	}
	return t
}

func dagJob(name string, deps map[string]any, tasks map[string]any) map[string]any {
	return map[string]any{"Name": name, "Type": "DAG", "Priority": 1, "JobFailOnInstanceFail": true,
		"DAG": map[string]any{"Tasks": tasks, "Dependencies": deps}}
}

func waitState(t *testing.T, c *clientacs.Client, id string, want ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		j := do(t, c, "GET", "/jobs/"+id, nil, 200)
		for _, w := range want {
			if j["State"] == w {
				return j
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s never reached %v", id, want)
	return nil
}

func TestRoutesCoverCatalog(t *testing.T) {
	emu, _ := start(t)
	_ = emu
	cat := catalog.Catalog()
	if len(cat.Actions) != 26 {
		t.Fatalf("catalog has %d actions, want the 26 routes of the API definition but getAvailable", len(cat.Actions))
	}
}

func TestJobLifecycleAndErrors(t *testing.T) {
	_, c := start(t)
	// A DAG a -> b on AutoCluster finishes; its tasks and instances list.
	j := dagJob("dag-1", map[string]any{"a": []any{"b"}}, map[string]any{"a": task("echo a", nil), "b": task("echo b", nil)})
	id := do(t, c, "POST", "/jobs", j, 201)["Id"].(string)
	got := waitState(t, c, id, "Finished", "Failed")
	if got["State"] != "Finished" || got["EndTime"] == "" || got["StartTime"] == "" {
		t.Fatalf("job: %v", got)
	}
	tasks := do(t, c, "GET", "/jobs/"+id+"/tasks", nil, 200)
	if items := tasks["Items"].([]any); len(items) != 2 || tasks["NextMarker"] != "" {
		t.Fatalf("tasks: %v", tasks)
	}
	page1 := do(t, c, "GET", "/jobs/"+id+"/tasks/a/instances?MaxItemCount=1", nil, 200)
	if items := page1["Items"].([]any); len(items) != 1 || page1["NextMarker"] != "1" {
		t.Fatalf("instances page 1: %v", page1)
	}
	page2 := do(t, c, "GET", "/jobs/"+id+"/tasks/a/instances?MaxItemCount=1&Marker=1", nil, 200)
	if items := page2["Items"].([]any); len(items) != 1 || page2["NextMarker"] != "" || items[0].(map[string]any)["State"] != "Finished" {
		t.Fatalf("instances page 2: %v", page2)
	}
	do(t, c, "GET", "/jobs/"+id+"/tasks/b/instances/1", nil, 200)
	desc := do(t, c, "GET", "/jobs/"+id+"?description", nil, 200)
	if desc["Name"] != "dag-1" || desc["DAG"] == nil {
		t.Fatalf("description: %v", desc)
	}
	// State refusals.
	wantErr(t, c, "POST", "/jobs/"+id+"/stop", nil, 409, "StateConflict")
	wantErr(t, c, "POST", "/jobs/"+id+"/start", nil, 409, "StateConflict")
	wantErr(t, c, "PUT", "/jobs/"+id, map[string]any{"Priority": 5}, 409, "StateConflict")
	do(t, c, "DELETE", "/jobs/"+id, nil, 204)
	wantErr(t, c, "GET", "/jobs/"+id, nil, 404, "InvalidResource.NotFound")

	// Stop a long job, change its priority, start it again.
	long := do(t, c, "POST", "/jobs", dagJob("long", nil, map[string]any{"t": task("sleep 600", nil)}), 201)["Id"].(string)
	wantErr(t, c, "DELETE", "/jobs/"+long, nil, 409, "StateConflict")
	do(t, c, "POST", "/jobs/"+long+"/stop", nil, 201)
	waitState(t, c, long, "Stopped")
	do(t, c, "PUT", "/jobs/"+long, map[string]any{"Priority": 7}, 200)
	if p := do(t, c, "GET", "/jobs/"+long, nil, 200)["Priority"]; p != float64(7) {
		t.Fatalf("priority %v", p)
	}
	wantErr(t, c, "PUT", "/jobs/"+long, map[string]any{}, 400, "MissingPriority")
	do(t, c, "POST", "/jobs/"+long+"/start", nil, 201)
	waitState(t, c, long, "Waiting", "Running")
	if l := do(t, c, "GET", "/jobs?State=Running&MaxItemCount=100", nil, 200); len(l["Items"].([]any)) > 1 {
		t.Fatalf("State filter: %v", l)
	}

	// Documented errors.
	cyc := dagJob("cyc", map[string]any{"a": []any{"b"}, "b": []any{"a"}}, map[string]any{"a": task("true", nil), "b": task("true", nil)})
	wantErr(t, c, "POST", "/jobs", cyc, 400, "BadDAG")
	wantErr(t, c, "GET", "/jobs/job-nope", nil, 404, "InvalidResource.NotFound")
	wantErr(t, c, "GET", "/jobs?MaxItemCount=100000", nil, 400, "InvalidMaxItemCount")
	wantErr(t, c, "GET", "/jobs?MaxItemCount=abc", nil, 400, "InvalidMaxItemCount")
	wantErr(t, c, "POST", "/jobs?IdempotentToken="+strings.Repeat("a", 65), j, 400, "InvalidIdempotentToken")
	noName := dagJob("", nil, map[string]any{"a": task("true", nil)})
	delete(noName, "Name")
	wantErr(t, c, "POST", "/jobs", noName, 400, "MissingName")
	wantErr(t, c, "POST", "/jobs", dagJob("9bad", nil, map[string]any{"a": task("true", nil)}), 400, "InvalidName")
	bad := &clientacs.Client{Endpoint: c.Endpoint, Signer: clientacs.Signer{AccessKeyID: c.Signer.AccessKeyID, AccessKeySecret: "wrong"}}
	wantErr(t, bad, "GET", "/jobs", nil, 400, "InvalidSignature")

	// IdempotentToken: same body -> same ID; another body -> mismatch.
	a := do(t, c, "POST", "/jobs?IdempotentToken=tok_1", dagJob("idem", nil, map[string]any{"a": task("true", nil)}), 201)["Id"]
	b := do(t, c, "POST", "/jobs?IdempotentToken=tok_1", dagJob("idem", nil, map[string]any{"a": task("true", nil)}), 201)["Id"]
	if a != b {
		t.Fatalf("same token and body gave %v and %v", a, b)
	}
	wantErr(t, c, "POST", "/jobs?IdempotentToken=tok_1", dagJob("idem2", nil, map[string]any{"a": task("true", nil)}), 400, "IdempotentTokenMismatch")
}

func TestClusters(t *testing.T) {
	_, c := start(t)
	ex, ok := catalog.Catalog().Item("alibaba-batchcompute/CreateCluster/example/seed-001")
	if !ok {
		t.Fatal("no seed example")
	}
	_ = ex
	body := map[string]any{"Name": "cls1", "InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu",
		"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 2, "ResourceType": "OnDemand"}}}
	var ids []string
	for i := 0; i < 3; i++ {
		body["Name"] = fmt.Sprintf("cls%d", i)
		ids = append(ids, do(t, c, "POST", "/clusters", body, 201)["Id"].(string))
	}
	// Paging walks every cluster once.
	seen := map[string]bool{}
	marker := ""
	for pages := 0; ; pages++ {
		l := do(t, c, "GET", "/clusters?MaxItemCount=2&Marker="+marker, nil, 200)
		for _, it := range l["Items"].([]any) {
			seen[it.(map[string]any)["Id"].(string)] = true
		}
		marker, _ = l["NextMarker"].(string)
		if marker == "" || pages > 5 {
			break
		}
	}
	if len(seen) != 3 {
		t.Fatalf("paging saw %v", seen)
	}
	id := ids[0]
	deadline := time.Now().Add(10 * time.Second)
	var insts []any
	for time.Now().Before(deadline) {
		l := do(t, c, "GET", "/clusters/"+id+"/groups/group1/instances", nil, 200)
		insts = l["Items"].([]any)
		running := 0
		for _, x := range insts {
			if x.(map[string]any)["State"] == "Running" {
				running++
			}
		}
		if running == 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	g := do(t, c, "GET", "/clusters/"+id, nil, 200)["Groups"].(map[string]any)["group1"].(map[string]any)
	if g["ActualVMCount"] != float64(2) || g["DesiredVMCount"] != float64(2) {
		t.Fatalf("group: %v", g)
	}
	// A job on the cluster runs on its VMs.
	j := dagJob("on-cluster", nil, map[string]any{"t": task("echo hi", map[string]any{"AutoCluster": nil, "ClusterId": id})})
	delete(j["DAG"].(map[string]any)["Tasks"].(map[string]any)["t"].(map[string]any), "AutoCluster")
	jid := do(t, c, "POST", "/jobs", j, 201)["Id"].(string)
	waitState(t, c, jid, "Finished")
	// Desired count changes move instances; unknown group is refused.
	do(t, c, "PUT", "/clusters/"+id, map[string]any{"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 3}}}, 200)
	if g := do(t, c, "GET", "/clusters/"+id, nil, 200)["Groups"].(map[string]any)["group1"].(map[string]any); g["DesiredVMCount"] != float64(3) {
		t.Fatalf("desired after change: %v", g)
	}
	wantErr(t, c, "PUT", "/clusters/"+id, map[string]any{"Groups": map[string]any{"nope": map[string]any{"DesiredVMCount": 3}}}, 400, "InvalidGroups.nope")
	wantErr(t, c, "PUT", "/clusters/"+id, map[string]any{"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": 0}}}, 400, "InvalidDesiredVMCount")
	first := insts[0].(map[string]any)["Id"].(string)
	do(t, c, "GET", "/clusters/"+id+"/groups/group1/instances/"+first, nil, 200)
	do(t, c, "DELETE", "/clusters/"+id+"/groups/group1/instances/"+first, nil, 202)
	wantErr(t, c, "GET", "/clusters/"+id+"/groups/group1/instances/i-nope", nil, 404, "InvalidResource.NotFound")
	do(t, c, "DELETE", "/clusters/"+id, nil, 204)
	wantErr(t, c, "POST", "/clusters", map[string]any{"Name": "x", "InstanceType": "ecs.sn1ne.large", "Groups": map[string]any{"g": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand"}}}, 400, "MissingImageId")
	wantErr(t, c, "GET", "/clusters/cls-nope", nil, 404, "InvalidResource.NotFound")
	// Images and quotas.
	img := do(t, c, "POST", "/images", map[string]any{"Name": "myimg", "EcsImageId": "m-1", "Platform": "Linux"}, 201)["Id"].(string)
	do(t, c, "GET", "/images/"+img, nil, 200)
	if l := do(t, c, "GET", "/images?Type=System", nil, 200); len(l["Items"].([]any)) == 0 {
		t.Fatal("no system images")
	}
	do(t, c, "DELETE", "/images/"+img, nil, 204)
	if q := do(t, c, "GET", "/quotas", nil, 200); q["AvailableClusterInstanceType"] == nil {
		t.Fatalf("quotas: %v", q)
	}
	wantErr(t, c, "PATCH", "/clusters", nil, 400, "MethodNotAllowed")
	wantErr(t, c, "GET", "/nothing/here", nil, 400, "InvalidUrlPattern")
	_ = http.StatusOK
}

// Deleting a cluster is asynchronous: with the clock stopped it stays
// Deleting (a second DELETE is 409), and once time passes it is gone (404).
func TestDeleteClusterStates(t *testing.T) {
	emu, c := start(t, emulator.WithManualClock())
	body := map[string]any{"Name": "del", "InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu",
		"Groups": map[string]any{"g": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand"}}}
	id := do(t, c, "POST", "/clusters", body, 201)["Id"].(string)
	if err := emu.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	do(t, c, "DELETE", "/clusters/"+id, nil, 204)
	if st := do(t, c, "GET", "/clusters/"+id, nil, 200)["State"]; st != "Deleting" {
		t.Fatalf("state after DELETE: %v", st)
	}
	wantErr(t, c, "DELETE", "/clusters/"+id, nil, 409, "StateConflict")
	wantErr(t, c, "PUT", "/clusters/"+id, map[string]any{"Groups": map[string]any{"g": map[string]any{"DesiredVMCount": 2}}}, 409, "StateConflict")
	if err := emu.Advance(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	wantErr(t, c, "GET", "/clusters/"+id, nil, 404, "InvalidResource.NotFound")
}

// DeleteCluster while other clients list and get clusters, and a second
// delete races the first: under -race no unsynchronised access (the
// cluster's deleting flag was written by DeleteCluster while ListClusters
// read it, found by a -race CI run), and exactly one delete of each wins.
func TestDeleteClusterConcurrentWithReads(t *testing.T) {
	emu, c := start(t, emulator.WithManualClock())
	body := map[string]any{"Name": "race", "InstanceType": "ecs.sn1ne.large", "ImageId": "img-ubuntu",
		"Groups": map[string]any{"g": map[string]any{"DesiredVMCount": 1, "ResourceType": "OnDemand"}}}
	const n = 12
	ids := make([]string, n)
	for i := range ids {
		ids[i] = do(t, c, "POST", "/clusters", body, 201)["Id"].(string)
	}
	if err := emu.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	get := func(path string) {
		if r, err := c.JSON(context.Background(), "GET", path, nil, nil); err != nil || r.Status != 200 {
			t.Errorf("GET %s: %v %+v", path, err, r) // t.Fatal is for the test's goroutine only
		}
	}
	var done atomic.Bool
	var won atomic.Int32
	var readers, deleters sync.WaitGroup
	for i := range 4 {
		readers.Go(func() {
			for k := 0; !done.Load(); k++ {
				if i%2 == 0 {
					get("/clusters")
				} else {
					get("/clusters/" + ids[k%n])
				}
			}
		})
	}
	for range 2 { // two deleters race for each cluster
		deleters.Go(func() {
			for _, id := range ids {
				r, err := c.JSON(context.Background(), "DELETE", "/clusters/"+id, nil, nil)
				switch {
				case err != nil:
					t.Error(err)
				case r.Status == 204:
					won.Add(1)
				case r.Status != 409:
					t.Errorf("DELETE %s: status %d: %s", id, r.Status, r.Body)
				}
			}
		})
	}
	deleters.Wait()
	done.Store(true)
	readers.Wait()
	if got := won.Load(); got != n {
		t.Fatalf("%d DELETEs succeeded for %d clusters, want one each", got, n)
	}
}
