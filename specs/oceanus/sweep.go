package oceanus

// The Oceanus sweeper: jobs (their configurations go with them), resources
// (their versions go with them), job and resource folders, clusters and
// workspaces whose names start with a run's prefix, in every workspace.
// Deletion order: jobs (stopped first), resources, folders (deepest first),
// clusters, workspaces. Variables, connectors and metadata databases and
// tables have no delete action in the API: a run's are named with its
// prefix but no sweep can remove them (README).
//
// It is also the run's ledger tracker (harness/ledger.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/batchconform/batchconform/specs/harness"
)

func init() { harness.RegisterSweeper(Dialect, sweeper{}) }

type sweeper struct{}

// sweepCall sends one Oceanus action outside any spec and decodes its
// Response (an error answer is returned as an error carrying the code).
func sweepCall(t *harness.Target, action string, req map[string]any) (map[string]json.RawMessage, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	env, err := t.Raw(harness.RawRequest{Action: action, Version: harness.OceanusVersion, Service: "oceanus", Body: body})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	if c := env.Code(); c != "" {
		return nil, &sweepErr{action: action, code: c, body: string(env.Body)}
	}
	if env.DecodeErr != nil {
		return nil, fmt.Errorf("%s: %w", action, env.DecodeErr)
	}
	return env.Response, nil
}

type sweepErr struct{ action, code, body string }

func (e *sweepErr) Error() string { return fmt.Sprintf("%s: %s: %.300s", e.action, e.code, e.body) }

func sweepCode(err error) string {
	if e, ok := err.(*sweepErr); ok {
		return e.code
	}
	return ""
}

// sweepGone: the resource does not exist (any more).
func sweepGone(err error) bool {
	c := sweepCode(err)
	return strings.HasPrefix(c, "ResourceNotFound") || (c == "InvalidParameter" && strings.Contains(err.Error(), "does not exist"))
}

// sweepPages lists a paged Describe action's set.
func sweepPages(t *harness.Target, action, set string, req map[string]any) ([]map[string]any, error) {
	var out []map[string]any
	const limit = 20
	for offset := 0; offset < 100000; offset += limit {
		q := map[string]any{"Offset": offset, "Limit": limit}
		for k, v := range req {
			q[k] = v
		}
		resp, err := sweepCall(t, action, q)
		if err != nil {
			return out, err
		}
		var page []map[string]any
		if err := json.Unmarshal(resp[set], &page); err != nil {
			return out, fmt.Errorf("%s answered without %s: %w", action, set, err)
		}
		out = append(out, page...)
		var total int
		_ = json.Unmarshal(resp["TotalCount"], &total)
		if len(page) < limit || offset+limit >= total {
			break
		}
	}
	return out, nil
}

func sweepStr(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

func (sweeper) List(t *harness.Target, prefix string) ([]harness.Leftover, error) {
	var out []harness.Leftover
	add := func(typ, id, name, state, scope string) {
		if id != "" && harness.MatchesPrefix(name, prefix) {
			out = append(out, harness.Leftover{Dialect: Dialect, Type: typ, ID: id, Name: name, State: state, Scope: scope})
		}
	}
	spaces, err := sweepPages(t, "DescribeWorkSpaces", "WorkSpaceSetItem", nil)
	if err != nil {
		return nil, fmt.Errorf("sweep: list workspaces: %w", err)
	}
	seen := map[string]bool{}
	var folders []harness.Leftover
	for _, ws := range spaces {
		wid := sweepStr(ws, "WorkSpaceId")
		jobs, err := sweepPages(t, "DescribeJobs", "JobSet", map[string]any{"WorkSpaceId": wid})
		if err != nil {
			return out, fmt.Errorf("sweep: list jobs of %s: %w", wid, err)
		}
		for _, j := range jobs {
			if id := sweepStr(j, "JobId"); !seen[id] {
				seen[id] = true
				add("job", id, sweepStr(j, "Name"), sweepStr(j, "Status"), wid)
			}
		}
		res, err := sweepPages(t, "DescribeResources", "ResourceSet", map[string]any{"WorkSpaceId": wid})
		if err != nil {
			return out, fmt.Errorf("sweep: list resources of %s: %w", wid, err)
		}
		for _, r := range res {
			if id := sweepStr(r, "ResourceId"); !seen[id] {
				seen[id] = true
				add("resource", id, sweepStr(r, "Name"), "", wid)
			}
		}
		// Folders: breadth-first from the root of each tree (0 jobs,
		// 1 resources); deeper folders are deleted first.
		for ft, typ := range []string{"job-folder", "resource-folder"} {
			queue := []string{"root"}
			for depth := 0; len(queue) > 0 && depth < 32; depth++ {
				var next []string
				for _, fid := range queue {
					resp, err := sweepCall(t, "DescribeFolder", map[string]any{"FolderId": fid, "FolderType": ft, "WorkSpaceId": wid})
					if err != nil {
						if sweepGone(err) {
							continue
						}
						return out, fmt.Errorf("sweep: list folders of %s: %w", wid, err)
					}
					var subs []map[string]any
					_ = json.Unmarshal(resp["SubFolderInfo"], &subs)
					for _, f := range subs {
						id := sweepStr(f, "FolderId")
						if id == "" || seen[typ+id] {
							continue
						}
						seen[typ+id] = true
						next = append(next, id)
						if harness.MatchesPrefix(sweepStr(f, "FolderName"), prefix) {
							folders = append([]harness.Leftover{{Dialect: Dialect, Type: typ, ID: id, Name: sweepStr(f, "FolderName"), Scope: wid}}, folders...)
						}
					}
				}
				queue = next
			}
		}
	}
	out = append(out, folders...)
	clusters, err := sweepPages(t, "DescribeClusters", "ClusterSet", nil)
	if err != nil {
		return out, fmt.Errorf("sweep: list clusters: %w", err)
	}
	for _, c := range clusters {
		add("cluster", sweepStr(c, "ClusterId"), sweepStr(c, "Name"), sweepStr(c, "Status"), "")
	}
	for _, ws := range spaces {
		add("workspace", sweepStr(ws, "WorkSpaceId"), sweepStr(ws, "WorkSpaceName"), "", "")
	}
	return out, nil
}

// sweepRanks: deletion order (harness.Sweeper.Rank): jobs (stopped
// first), resources, folders, clusters, workspaces. Folders of one tree
// share a rank: the ledger deletes newest first within a rank, so a
// subfolder goes before the folder it was created in.
var sweepRanks = map[string]int{"job": 0, "resource": 1, "job-folder": 2, "resource-folder": 2, "cluster": 3, "workspace": 4}

func (sweeper) Rank(typ string) int { return sweepRanks[typ] }

func (sweeper) Delete(ctx context.Context, t *harness.Target, l harness.Leftover) error {
	wait := time.Minute
	if t.Live {
		wait = 10 * time.Minute
	}
	deadline := time.Now().Add(wait)
	for {
		var err error
		switch l.Type {
		case "job":
			// A job that runs (or is paused) is stopped first: DeleteJobs
			// refuses it. Stopping a stopped job is refused harmlessly.
			_, _ = sweepCall(t, "StopJobs", map[string]any{"StopJobDescriptions": []any{map[string]any{"JobId": l.ID, "StopType": 1}}, "WorkSpaceId": l.Scope})
			_, err = sweepCall(t, "DeleteJobs", map[string]any{"JobIds": []string{l.ID}, "WorkSpaceId": l.Scope})
		case "resource":
			_, err = sweepCall(t, "DeleteResources", map[string]any{"ResourceIds": []string{l.ID}, "WorkSpaceId": l.Scope})
		case "job-folder", "resource-folder":
			ft := 0
			if l.Type == "resource-folder" {
				ft = 1
			}
			_, err = sweepCall(t, "DeleteFolders", map[string]any{"FolderIds": []string{l.ID}, "FolderType": ft, "WorkSpaceId": l.Scope})
		case "cluster":
			_, err = sweepCall(t, "DeleteOceanusCluster", map[string]any{"ClusterId": l.ID})
		case "workspace":
			_, err = sweepCall(t, "DeleteWorkSpace", map[string]any{"WorkSpaceId": l.ID})
		default:
			return fmt.Errorf("sweep: unknown resource type %q", l.Type)
		}
		if err == nil || sweepGone(err) {
			return nil
		}
		if sweepCode(err) == "" || time.Now().After(deadline) {
			// A transport error, or refused for the whole wait.
			return fmt.Errorf("sweep: %s: %w", l, err)
		}
		if !harness.Pause(ctx, t.PollInterval()*5) {
			return fmt.Errorf("sweep: %s: %w (last answer: %v)", l, ctx.Err(), err)
		}
	}
}

// trackedCreates: create action -> resource type and the answer's ID member.
var trackedCreates = map[string]struct{ typ, id, name string }{
	"CreateJob":            {"job", "JobId", "Name"},
	"CreateResource":       {"resource", "ResourceId", "Name"},
	"CreateFolder":         {"job-folder", "FolderId", "FolderName"},
	"CreateOceanusCluster": {"cluster", "ClusterId", "ClusterName"},
	"CreateWorkSpace":      {"workspace", "WorkSpaceId", "WorkSpaceName"},
}

func (sweeper) Creates(c *harness.Call) bool {
	_, ok := trackedCreates[c.Action]
	return (ok || c.Action == "CopyJobs") && c.Version == harness.OceanusVersion
}

func (sweeper) Track(c *harness.Call) ([]harness.Leftover, []string) {
	if c.Version != harness.OceanusVersion {
		return nil, nil
	}
	resp, ok := harness.API3Response(c)
	if !ok {
		return nil, nil
	}
	p := c.Params()
	ws, _ := p["WorkSpaceId"].(string)
	if tc, ok := trackedCreates[c.Action]; ok {
		var id string
		_ = json.Unmarshal(resp[tc.id], &id)
		name, _ := p[tc.name].(string)
		typ := tc.typ
		if c.Action == "CreateFolder" && fmt.Sprint(p["FolderType"]) == "1" {
			typ = "resource-folder"
		}
		if typ == "workspace" || typ == "cluster" {
			ws = ""
		}
		return []harness.Leftover{{Dialect: Dialect, Type: typ, ID: id, Name: name, Scope: ws}}, nil
	}
	switch c.Action {
	case "CopyJobs":
		var out []struct{ TargetJobId, TargetJobName string }
		_ = json.Unmarshal(resp["CopyJobsResults"], &out)
		var created []harness.Leftover
		target, _ := p["TargetWorkspaceId"].(string)
		if target == "" {
			target = ws
		}
		for _, r := range out {
			if r.TargetJobId != "" {
				created = append(created, harness.Leftover{Dialect: Dialect, Type: "job", ID: r.TargetJobId, Name: r.TargetJobName, Scope: target})
			}
		}
		return created, nil
	case "DeleteJobs":
		return nil, harness.Strings(p["JobIds"])
	case "DeleteResources":
		return nil, harness.Strings(p["ResourceIds"])
	case "DeleteFolders":
		return nil, harness.Strings(p["FolderIds"])
	case "DeleteOceanusCluster":
		return nil, harness.Strings(p["ClusterId"])
	case "DeleteWorkSpace":
		return nil, harness.Strings(p["WorkSpaceId"])
	}
	return nil, nil
}
