package oceanus

// The world: resources made once for the action, schema and example specs
// (a job with a config, a resource, a folder; the tenant's workspace and a
// running dedicated cluster), and the substitution that points a request's
// IDs (historical ones in doc examples, generated ones in Valid requests) at
// them.

import (
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/specs/harness"
)

type world struct {
	Job, JobName, JarJob, JarName, Space, Cluster, Resource, Folder string
	JobConfigVersion                                                int64
}

// newWorld creates the world's resources on t (cleanup registered).
func newWorld(t *harness.Target, tag string) *world {
	GinkgoHelper()
	w := &world{Space: defaultWorkSpace(t), Cluster: runningCluster(t)}
	w.JobName = t.Name(tag+"-job", 49)
	job := ok(t, "CreateJob", map[string]any{"Name": w.JobName, "JobType": 1, "ClusterType": 1, "Remark": "batchconform"})
	w.Job, _ = job["JobId"].(string)
	Expect(w.Job).NotTo(BeEmpty(), "CreateJob returns a JobId")
	DeferCleanup(deleteJob, t, w.Job)
	cfg := ok(t, "CreateJobConfig", map[string]any{"JobId": w.Job, "Remark": "batchconform", "DefaultParallelism": 1})
	if v, isNum := cfg["Version"].(float64); isNum {
		w.JobConfigVersion = int64(v)
	}
	if w.Cluster != "" {
		w.JarName = t.Name(tag+"-jar", 49)
		jar := ok(t, "CreateJob", map[string]any{"Name": w.JarName, "JobType": 2, "ClusterType": 2, "ClusterId": w.Cluster})
		w.JarJob, _ = jar["JobId"].(string)
		DeferCleanup(deleteJob, t, w.JarJob)
	}
	resReq := map[string]any{"ResourceLoc": cosLoc(t, "/batchconform/"+tag+"/app.jar"), "ResourceType": 1, "Name": t.Name(tag+"-res", 49) + ".jar"}
	stageCOS(t, resReq)
	res := ok(t, "CreateResource", resReq)
	w.Resource, _ = res["ResourceId"].(string)
	folder := raw(t, "CreateFolder", map[string]any{"FolderName": t.Name(tag+"-dir", 49), "ParentId": "root", "FolderType": 0, "WorkSpaceId": w.Space})
	w.Folder = str(folder, "FolderId")
	return w
}

// runningCluster returns the ID of a running dedicated cluster (Type 2,
// Status 2) of the tenant (the emulator seeds one), waiting a while for one
// that is being scaled; "" if there is none.
func runningCluster(t *harness.Target) string {
	GinkgoHelper()
	var id string
	find := func() string {
		// A ClusterSet that is missing or not a list of objects fails here
		// at once: waiting on would not mend it.
		changing := false
		for _, c := range harness.ObjectsOpt(ok(t, "DescribeClusters", map[string]any{"Limit": 100}), "ClusterSet") {
			if fmt.Sprint(c["Type"]) != "2" {
				continue
			}
			switch fmt.Sprint(c["Status"]) {
			case "2":
				id = harness.NonEmpty(c, "ClusterId")
				return id
			case "3":
				changing = true
				// A cluster that never leaves its change feeds the
				// breaker like any resource a wait watches.
				if cid, ok := harness.StrOK(c, "ClusterId"); ok && cid != "" {
					t.ObserveState("cluster "+cid, "3")
				}
			}
		}
		// A target recognised as one whose resources never move ends
		// this wait too (a stuck cluster waited out 30 s otherwise).
		harness.StopIfStalled(t)
		if !changing {
			// Only a cluster being changed (status 3) can become running
			// by waiting.
			StopTrying("no dedicated cluster is running (Status 2) or being changed (Status 3)").Now()
		}
		return ""
	}
	// A target that had no running cluster after a whole wait will not
	// have one for the next spec either: every later item that needs one
	// fails at once with the same message instead of waiting again (a
	// target whose clusters never leave their first state cost 30 s per
	// spec otherwise).
	key := t.URL + " " + t.SecretID
	noClusterMu.Lock()
	msg, known := noCluster[key]
	noClusterMu.Unlock()
	if known {
		Fail(msg)
	}
	var failure string
	g := NewGomega(func(message string, _ ...int) { failure = message })
	if !g.Eventually(find).WithTimeout(30 * time.Second).WithPolling(t.PollInterval() * 5).ShouldNot(BeEmpty()) {
		msg := "the target has no running dedicated cluster (Type 2, Status 2) after 30 s of DescribeClusters: " + failure
		noClusterMu.Lock()
		noCluster[key] = msg
		noClusterMu.Unlock()
		Fail(msg)
	}
	return id
}

var (
	noClusterMu sync.Mutex
	// noCluster: target (URL and SecretId) -> why no running cluster was
	// found.
	noCluster = map[string]string{}
)

// substitute points the request's resource references at the world's,
// wherever they appear (by member name).
func (w *world) substitute(v any) any {
	scalar := map[string]string{
		"JobId": w.Job, "SourceId": w.Job, "SerialId": w.Job,
		"ClusterId": w.Cluster, "TargetClusterId": w.Cluster,
		"WorkSpaceId": w.Space, "TargetWorkspaceId": w.Space,
		"ResourceId": w.Resource, "ConnectorResourceId": w.Resource,
		"FolderId": w.Folder, "SourceFolderId": w.Folder, "TargetFolderId": "root",
	}
	lists := map[string]string{"JobIds": w.Job, "JobNames": w.JobName, "ResourceIds": w.Resource, "FolderIds": w.Folder, "ClusterIds": w.Cluster, "SourceJobIds": w.Job}
	switch x := v.(type) {
	case map[string]any:
		if _, jar := x["EntrypointClass"]; jar && w.JarJob != "" {
			// A JAR entry point belongs to a JAR job.
			if _, isStr := x["JobId"].(string); isStr {
				x["JobId"] = w.JarJob
				delete(scalar, "JobId")
			}
		}
		for k, e := range x {
			if s, ok := scalar[k]; ok && s != "" {
				if _, isStr := e.(string); isStr {
					x[k] = s
					continue
				}
			}
			if s, ok := lists[k]; ok && s != "" {
				if _, isList := e.([]any); isList {
					x[k] = []any{s}
					continue
				}
			}
			x[k] = w.substitute(e)
		}
		return x
	case []any:
		for i := range x {
			x[i] = w.substitute(x[i])
		}
		return x
	}
	return v
}

func isDestructive(action string) bool {
	for _, a := range destructive {
		if a == action {
			return true
		}
	}
	return false
}

// freshWorld is a world of its own for one destructive example: a workspace
// that is not the default (DeleteWorkSpace), a resource with a second
// version nothing uses (DeleteResourceConfigs), a job that is not running.
func freshWorld(t *harness.Target, action string) *world {
	GinkgoHelper()
	w := newWorld(t, "x"+strings.ToLower(action))
	switch action {
	case "DeleteWorkSpace":
		env := raw(t, "CreateWorkSpace", map[string]any{"WorkSpaceName": t.Name("xspace", 49)})
		if s := str(env, "WorkSpaceId"); s != "" {
			w.Space = s
		}
	case "DeleteResourceConfigs":
		cfg := map[string]any{"ResourceId": w.Resource, "ResourceLoc": cosLoc(t, "/batchconform/x/app2.jar")}
		stageCOS(t, cfg)
		raw(t, "CreateResourceConfig", cfg)
	case "DeleteJobs":
		w.JobName = w.JarName // the example names one job by ID and another by name
	case "DeleteJobConfigs":
		// Versions 1 and 2 deletable: neither the draft nor published.
		ok(t, "CreateJobConfig", map[string]any{"JobId": w.Job, "DefaultParallelism": 1})
		ok(t, "CreateJobConfig", map[string]any{"JobId": w.Job, "DefaultParallelism": 1})
		ok(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": w.Job, "RunType": 1, "JobConfigVersion": 3}}})
	}
	return w
}
