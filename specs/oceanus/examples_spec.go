package oceanus

// Every doc example (apispec examples.json and seed 004's CreateJob) is
// replayed: its request, with the historical IDs it names pointed at
// resources of this run (the world), is accepted, and the answer has the
// documented response's shape — every member the example shows, with the
// same JSON kind (null allowed where the member is nullable). Examples of
// destructive actions run last, in the same order as the action specs.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

// jsonKind names a decoded JSON value's kind.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return "?"
}

// sameShape lists where got lacks a member of want or has another kind
// (objects recursively; lists by their first elements).
func sameShape(path string, want, got any) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": want an object, got " + jsonKind(got)}
		}
		for k, wv := range w {
			gv, present := g[k]
			if !present {
				out = append(out, path+"."+k+": missing")
				continue
			}
			if gv == nil || wv == nil {
				continue // nullability is the schema item's concern
			}
			out = append(out, sameShape(path+"."+k, wv, gv)...)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{path + ": want a list, got " + jsonKind(got)}
		}
		if len(w) > 0 && len(g) > 0 {
			out = append(out, sameShape(path+"[0]", w[0], g[0])...)
		}
	default:
		if jsonKind(want) != jsonKind(got) {
			out = append(out, path+": want "+jsonKind(want)+", got "+jsonKind(got))
		}
	}
	return out
}

// exampleOrder: the examples, those of destructive actions last.
func exampleOrder() []fixtures.Example {
	last := map[string]int{}
	for i, a := range destructive {
		last[a] = i + 1
	}
	xs := append([]fixtures.Example(nil), cat.Examples...)
	sort.SliceStable(xs, func(i, j int) bool { return last[xs[i].Action] < last[xs[j].Action] })
	return xs
}

var _ = Describe("Oceanus doc examples", Ordered, ContinueOnFailure, func() {
	var (
		t *harness.Target
		w *world
	)
	BeforeAll(func() {
		t = harness.T(Dialect)
		if t.Emulator {
			// A tenant of its own: the destructive actions (cluster
			// deletion, scaling) cannot reach other containers' resources.
			t = t.NewTenantJSON(map[string]any{})
		}
		w = newWorld(t, "ex")
		// Examples read a job's runs (submission log, runtime info,
		// savepoints): the world's job runs.
		raw(t, "RunJobs", map[string]any{"RunJobDescriptions": []any{map[string]any{"JobId": w.Job, "RunType": 1}}})
		Eventually(func() string { s, _ := jobStatus(t, w.Job); return s }).WithTimeout(time.Minute).
			WithPolling(t.PollInterval()).Should(Equal("4"), "the world's job runs")
	})
	for _, x := range exampleOrder() {
		x := x
		schema := id(x.Action, fixtures.KindSchema, "response")
		harness.It(x.ID, harness.Items(x.ID, schema), func() {
			var req map[string]any
			Expect(json.Unmarshal(x.Request, &req)).To(Succeed())
			if isDestructive(x.Action) {
				// A destructive example gets resources of its own, so it
				// neither meets references the other examples made nor
				// takes the world from them.
				req = freshWorld(t, x.Action).substitute(req).(map[string]any)
			} else {
				req = w.substitute(req).(map[string]any)
			}
			if x.Action == "CreateOceanusCluster" {
				// Masked in the doc (see the item's note).
				req["ClusterName"] = t.Name("ex-cluster", 49)
				req["DefaultCOSBucket"] = "batchconform-1250000000"
			}
			if prep, ok := examplePrep[x.Action]; ok {
				prep(t, w, req)
			}
			if x.Violates == "" {
				// What an example creates is the run's, named with its
				// prefix (a live account keeps no "abc" workspace, and
				// `sweep` finds what a killed run left).
				uniqueNames(t, x.Action, req, "ex"+exampleTag(x.ID))
				if items, ok := req["JobItems"].([]any); ok && x.Action == "CopyJobs" {
					for i, it := range items {
						if m, ok := it.(map[string]any); ok {
							m["TargetName"] = t.Name(fmt.Sprintf("excopy%d", i), 49)
						}
					}
				}
			}
			stageCOS(t, req)
			env := raw(t, x.Action, req)
			evidence(x.ID, req, env)
			if x.Action == "CreateJob" && env.Code() == "" {
				DeferCleanup(deleteJob, t, str(env, "JobId"))
			}
			harness.Check(x.ID)
			if x.Violates != "" {
				r, ok := cat.Rule(x.Violates)
				Expect(ok).To(BeTrue())
				Expect(env.Code()).To(Equal(r.Code), "%s breaks %s (the docs contradict themselves): refused with the rule's code\n  response: %s", x.ID, r.ID, env.Body)
				return
			}
			Expect(env.Code()).To(BeEmpty(), "%s: the doc example must be accepted\n  response: %s", x.ID, env.Body)
			var want, got any
			Expect(json.Unmarshal(x.Response, &want)).To(Succeed())
			raw, _ := json.Marshal(env.Response)
			Expect(json.Unmarshal(raw, &got)).To(Succeed())
			problems := sameShape("Response", want, got)
			Expect(problems).To(BeEmpty(), "%s: the answer must have the documented response's shape:\n  %s\n  documented: %s\n  got: %s",
				x.ID, strings.Join(problems, "\n  "), x.Response, env.Body)
			// An accepted example is a success of its action: its schema.
			harness.Check(schema)
			Expect(cat.CheckResponse(x.Action, env.Body)).To(BeEmpty(), "%s response must conform to the documented schema", x.Action)
		})
	}
})

// examplePrep makes what an example refers to beyond the world's resources
// (a resource folder, a running SQL statement, a meta table, a cluster that
// is not being scaled) and points the request at it.
var examplePrep = map[string]func(t *harness.Target, w *world, req map[string]any){
	"DescribeFolder": func(t *harness.Target, w *world, req map[string]any) {
		f := ok(t, "CreateFolder", map[string]any{"FolderName": t.Name("ex-resdir", 49), "ParentId": "root",
			"FolderType": req["FolderType"], "WorkSpaceId": w.Space})
		req["FolderId"] = f["FolderId"]
	},
	"FetchSqlGatewayStatementResult": func(t *harness.Target, w *world, req map[string]any) {
		r := ok(t, "RunSqlGatewayStatement", map[string]any{"ClusterId": w.Cluster, "Sql": b64("SHOW DATABASES;")})
		req["ClusterId"], req["SessionId"], req["OperationHandleId"] = w.Cluster, r["SessionId"], r["OperationHandleId"]
	},
	"GetMetaTable": func(t *harness.Target, w *world, req map[string]any) {
		sql := "CREATE TABLE " + req["Table"].(string) + " (a INT) WITH ('connector' = 'datagen')"
		ok(t, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": b64(sql), "WorkSpaceId": w.Space})
	},
	"ModifyMetaTable": func(t *harness.Target, w *world, req map[string]any) {
		r := ok(t, "CreateMetaTable", map[string]any{"CatalogId": 0, "DatabaseId": 0, "SqlCode": req["SqlCode"], "WorkSpaceId": w.Space})
		req["TableId"] = fmt.Sprint(r["TableId"])
	},
	"ScaleOceanusCluster":  waitClusterRunning,
	"RenewOceanusCluster":  waitClusterRunning,
	"DeleteOceanusCluster": waitClusterRunning,
}

func waitClusterRunning(t *harness.Target, w *world, req map[string]any) {
	GinkgoHelper()
	id, _ := req["ClusterId"].(string)
	Eventually(func() string {
		r := ok(t, "DescribeClusters", map[string]any{"ClusterIds": []string{id}})
		if len(harness.ObjectsOpt(r, "ClusterSet")) == 0 {
			return ""
		}
		s := fmt.Sprint(harness.Num(r, "ClusterSet.0.Status"))
		t.ObserveState("cluster "+id, s)
		t.RequireMoving()
		return s
	}).WithTimeout(time.Minute).WithPolling(t.PollInterval()*5).Should(Equal("2"), "cluster %s runs before it is changed again", id)
}

// exampleTag is a short name part unique to an example (its ID's last
// part, letters and digits only).
func exampleTag(id string) string {
	detail := id[strings.LastIndex(id, "/")+1:]
	var b strings.Builder
	for _, r := range strings.ToLower(detail) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() > 16 {
		return b.String()[:16]
	}
	return b.String()
}
