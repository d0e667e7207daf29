package oceanus

// The world: resources made once for the action, schema and example specs
// (a job with a config, a resource, a folder; the tenant's workspace and a
// running dedicated cluster), and the substitution that points a request's
// IDs (historical ones in doc examples, generated ones in Valid requests) at
// them.

import (
	"encoding/json"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/specs/harness"
)

type world struct {
	Job, JobName, JarJob, Space, Cluster, Resource, Folder string
	JobConfigVersion                      int64
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
		jar := ok(t, "CreateJob", map[string]any{"Name": t.Name(tag+"-jar", 49), "JobType": 2, "ClusterType": 2, "ClusterId": w.Cluster})
		w.JarJob, _ = jar["JobId"].(string)
		DeferCleanup(deleteJob, t, w.JarJob)
	}
	res := ok(t, "CreateResource", map[string]any{"ResourceLoc": map[string]any{"StorageType": 1, "Param": map[string]any{
		"Bucket": "batchconform-1250000000", "Path": "/batchconform/" + tag + "/app.jar", "Region": t.Region}},
		"ResourceType": 1, "Name": t.Name(tag+"-res", 49) + ".jar"})
	w.Resource, _ = res["ResourceId"].(string)
	folder := raw(t, "CreateFolder", map[string]any{"FolderName": t.Name(tag+"-dir", 49), "ParentId": "root", "FolderType": 0, "WorkSpaceId": w.Space})
	w.Folder = str(folder, "FolderId")
	return w
}

// runningCluster returns the ID of a running dedicated cluster of the
// tenant (the emulator seeds one), or "".
func runningCluster(t *harness.Target) string {
	GinkgoHelper()
	env := raw(t, "DescribeClusters", map[string]any{"Limit": 100})
	var set []map[string]any
	_ = json.Unmarshal(env.Response["ClusterSet"], &set)
	for _, c := range set {
		if fmt.Sprint(c["Status"]) == "2" && fmt.Sprint(c["ClusterType"]) != "1" {
			s, _ := c["ClusterId"].(string)
			return s
		}
	}
	return ""
}

// substitute points the request's resource references at the world's,
// wherever they appear (by member name).
func (w *world) substitute(v any) any {
	scalar := map[string]string{
		"JobId": w.Job, "SourceId": w.Job, "SerialId": w.Job,
		"ClusterId": w.Cluster, "TargetClusterId": w.Cluster,
		"WorkSpaceId": w.Space, "TargetWorkspaceId": w.Space,
		"ResourceId": w.Resource, "ConnectorResourceId": w.Resource,
		"FolderId": w.Folder, "TargetFolderId": "root",
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
