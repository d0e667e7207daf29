package oceanus

// The error items no rule provokes, generated from their Provoke:
//
//   - configuration (emulator-only): the item's Provoke.Config
//     ("oceanus.<key>=<JSON value> (…)") configures a tenant of its own; a
//     refusal (oceanus.refusals) is answered to the action's valid request,
//     a quota (oceanus.max_*=N) to the create request past N;
//   - existence: the action's valid request naming well-formed IDs of no
//     resource is refused with one of the action's documented not-found
//     codes, and that item is checked;
//   - names taken: a create request repeated with the same name is refused
//     with the action's documented duplicate code.
//
// State refusals are checked where the states are (states_spec.go).

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/generators"
	"github.com/batchconform/batchconform/specs/harness"
)

// parseConfig reads "oceanus.<key>=<JSON> (comment)" into the tenant
// document {"oceanus":{"<key>":<value>}}, and a tenant-wide key of
// topLevelKeys ("unsupported_actions=<JSON>") into {"<key>":<value>}; ok is
// false for text that is not of that form (a value with placeholders, set by
// a spec of its own: account_spec.go).
func parseConfig(cfg string) (doc map[string]any, key string, value any, ok bool) {
	if i := strings.Index(cfg, " ("); i >= 0 {
		cfg = cfg[:i]
	}
	k, v, found := strings.Cut(cfg, "=")
	if !found || strings.ContainsAny(k, "<>") || !strings.HasPrefix(k, "oceanus.") && !topLevelKeys[k] {
		return nil, "", nil, false
	}
	key = strings.TrimPrefix(k, "oceanus.")
	if err := json.Unmarshal([]byte(strings.TrimSpace(v)), &value); err != nil {
		return nil, "", nil, false
	}
	if topLevelKeys[k] {
		return map[string]any{key: value}, key, value, true
	}
	return map[string]any{"oceanus": map[string]any{key: value}}, key, value, true
}

// topLevelKeys are the tenant-wide configuration keys (beside "oceanus")
// the catalog's provocations name.
var topLevelKeys = map[string]bool{"unsupported_actions": true}

// named returns the action's valid request with its name member set to n
// (identifier-like where the action's name rule wants one), and what the
// request needs to be accepted beyond its rules: a COS location the
// emulator holds (CreateResource), the built-in meta catalog 0, a workspace.
func named(t *harness.Target, action, n string) map[string]any {
	req := generators.Valid(cat, action, refs(t))
	if action == "CreateVariable" || action == "CreateMetaDatabase" {
		n = strings.ReplaceAll(n, "-", "_")
	}
	for _, k := range nameKeys {
		if _, has := req[k]; has {
			req[k] = n
		}
	}
	switch action {
	case "CreateResource":
		req["Name"] = n + ".jar"
		req["ResourceLoc"] = cosLoc(t, "/batchconform/"+n+".jar")
		stageCOS(t, req)
	case "CreateMetaDatabase":
		req["CatalogId"] = 0
	case "CreateMetaTable":
		req["CatalogId"], req["DatabaseId"] = 0, 0
		sql := "CREATE TABLE " + strings.ReplaceAll(n, "-", "_") + " (a INT) WITH ('connector' = 'datagen')"
		req["SqlCode"] = base64.StdEncoding.EncodeToString([]byte(sql))
	}
	if _, has := req["WorkSpaceId"]; has {
		req["WorkSpaceId"] = defaultWorkSpace(t)
	}
	return req
}

// idKeys are the request members that name an existing resource.
var idKeys = map[string]bool{"JobId": true, "SourceId": true, "SerialId": true, "ClusterId": true, "TargetClusterId": true,
	"ResourceId": true, "ConnectorResourceId": true, "FolderId": true, "SourceFolderId": true,
	"JobIds": true, "ResourceIds": true, "FolderIds": true, "ClusterIds": true}

// namesResource reports whether a valid request of action names a resource.
func namesResource(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if idKeys[k] || namesResource(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if namesResource(e) {
				return true
			}
		}
	}
	return false
}

// unknownWorld names well-formed IDs of no resource (in the target's
// workspace, which must exist for the lookup to reach the resource).
func unknownWorld(t *harness.Target) *world {
	return &world{Job: "cql-zzzzzzzz", JobName: "no-such-job", Cluster: "cluster-zzzzzzzz", Resource: "resource-zzzzzzzz",
		Folder: "folder-zzzzzzzz", Space: defaultWorkSpace(t)}
}

var _ = Describe("Oceanus error codes", func() {
	// Configuration.
	for _, e := range cat.Errors {
		e := e
		doc, key, value, ok := parseConfig(e.Provoke.Config)
		if !ok || len(e.Provoke.Rules) > 0 {
			continue
		}
		harness.It(e.ID+" (tenant "+key+")", harness.Items(e.ID), func() {
			t := harness.T(Dialect)
			t.RequireEmulator()
			tt := t.NewTenantJSON(doc)
			var env *harness.Envelope
			switch {
			case strings.HasPrefix(key, "max_"):
				n, _ := value.(float64)
				prior := int(n)
				if strings.Contains(e.Provoke.Config, " counts") {
					prior-- // a built-in one (the default workspace, database) is one of them
				}
				for i := 0; i < prior; i++ {
					req := named(tt, e.Action, "quota"+strconv.Itoa(i))
					if key == "max_alarm_jobs" {
						req["OpenJobDefaultAlarm"] = 1
					}
					if e.Action == "CreateJobConfig" {
						req["JobId"] = tenantJob(tt)
					}
					env = raw(tt, e.Action, req)
					Expect(env.Code()).To(BeEmpty(), "%s %d of the quota %d is accepted: %s", e.Action, i+1, int(n), env.Body)
				}
				over := named(tt, e.Action, "quota-over")
				if key == "max_alarm_jobs" {
					over["OpenJobDefaultAlarm"] = 1
				}
				if e.Action == "CreateJobConfig" {
					over["JobId"] = tenantJob(tt)
				}
				env = raw(tt, e.Action, over)
			default:
				env = raw(tt, e.Action, named(tt, e.Action, "refused"))
			}
			evidence(e.ID, doc, env)
			harness.Check(e.ID)
			Expect(env.Code()).To(Equal(e.Code), "%s with tenant %s: %s", e.Action, e.Provoke.Config, env.Body)
		})
	}

	// Existence: per action, its not-found items.
	notFound := map[string][]fixtures.ErrorItem{}
	var order []string
	for _, e := range cat.Errors {
		if len(e.Provoke.Rules) > 0 || !strings.Contains(e.Provoke.How, "does not exist") ||
			!namesResource(generators.Valid(cat, e.Action, generators.Refs{})) {
			continue
		}
		if notFound[e.Action] == nil {
			order = append(order, e.Action)
		}
		notFound[e.Action] = append(notFound[e.Action], e)
	}
	for _, action := range order {
		action, items := action, notFound[action]
		var ids []string
		codes := map[string]string{}
		for _, e := range items {
			ids = append(ids, e.ID)
			codes[e.Code] = e.ID
		}
		harness.It(action+" naming resources that do not exist", harness.Items(ids...), func() {
			t := harness.T(Dialect)
			req := unknownWorld(t).substitute(generators.Valid(cat, action, refs(t))).(map[string]any)
			env := raw(t, action, req)
			evidence(action+" not found", req, env)
			item, documented := codes[env.Code()]
			if documented {
				harness.Check(item)
			} else {
				harness.Check(ids[0])
			}
			Expect(documented).To(BeTrue(), "%s naming nothing that exists must answer one of its documented not-found codes %v, got %s: %s",
				action, keys(codes), env.Code(), env.Body)
		})
	}

	// Names taken.
	dup := []struct{ action, code string }{
		{"CreateJob", "InvalidParameterValue.JobNameExisted"},
		{"CreateResource", "ResourceInUse.ResourceNameAlreadyExists"},
		{"CreateFolder", "InvalidParameter.DuplicatedFolderName"},
		{"CreateVariable", "InvalidParameter.CreateVariableExists"},
		{"CreateMetaDatabase", "InvalidParameterValue.MetaDatabaseExisted"},
	}
	for _, d := range dup {
		d := d
		item := errID(d.action, d.code)
		if _, ok := cat.Item(item); !ok {
			continue
		}
		harness.It(item, harness.Items(item), func() {
			t := harness.T(Dialect)
			n := t.Name("dup"+strings.ToLower(d.action[6:]), 40)
			req := named(t, d.action, n)
			if _, has := req["WorkSpaceId"]; has {
				req["WorkSpaceId"] = defaultWorkSpace(t)
			}
			if d.action == "CreateFolder" {
				req["ParentId"] = "root"
			}
			first := raw(t, d.action, req)
			Expect(first.Code()).To(BeEmpty(), "the first %s is accepted: %s", d.action, first.Body)
			if d.action == "CreateJob" {
				DeferCleanup(deleteJob, t, str(first, "JobId"))
			}
			harness.Check(item)
			again := raw(t, d.action, req)
			evidence(item, req, again)
			Expect(again.Code()).To(Equal(d.code), "%s again with the same name: %s", d.action, again.Body)
		})
	}
})

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// tenantJob returns a job of the tenant, created on first use.
func tenantJob(t *harness.Target) string {
	GinkgoHelper()
	r := ok(t, "DescribeJobs", map[string]any{"Limit": 1})
	if set := harness.ObjectsOpt(r, "JobSet"); len(set) > 0 {
		return harness.NonEmpty(r, "JobSet.0.JobId")
	}
	return harness.NonEmpty(ok(t, "CreateJob", map[string]any{"Name": runName(t, "tenant_job"), "JobType": 1, "ClusterType": 1}), "JobId")
}
