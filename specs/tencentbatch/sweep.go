package tencentbatch

// The Tencent Batch sweeper: jobs, compute environments and task templates
// whose names start with a run's prefix. Jobs are terminated before they
// are deleted (DeleteJob refuses unfinished jobs); environments are deleted
// after the jobs, repeating while the API holds the deletion back.

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

// sweepPage is the page size of the Describe calls (the catalog's Limit
// maximum for all three is 100).
const sweepPage = 100

func (sweeper) List(t *harness.Target, prefix string) ([]harness.Leftover, error) {
	var out []harness.Leftover
	lists := []struct {
		typ, action, set, id, name, state string
	}{
		// Jobs first: environments are deleted after the jobs on them.
		{"job", "DescribeJobs", "JobSet", "JobId", "JobName", "JobState"},
		{"task-template", "DescribeTaskTemplates", "TaskTemplateSet", "TaskTemplateId", "TaskTemplateName", ""},
		{"compute-env", "DescribeComputeEnvs", "ComputeEnvSet", "EnvId", "EnvName", "ComputeEnvState"},
	}
	for _, l := range lists {
		for offset := 0; ; offset += sweepPage {
			var page map[string]json.RawMessage
			if err := stCall(t, l.action, map[string]any{"Offset": offset, "Limit": sweepPage}, &page); err != nil {
				return out, fmt.Errorf("sweep: list %s: %w", l.typ, err)
			}
			var set []map[string]any
			if err := json.Unmarshal(page[l.set], &set); err != nil {
				return out, fmt.Errorf("sweep: %s answered without %s: %w", l.action, l.set, err)
			}
			for _, r := range set {
				name, _ := r[l.name].(string)
				if !harness.MatchesPrefix(name, prefix) {
					continue
				}
				id, _ := r[l.id].(string)
				st, _ := r[l.state].(string)
				out = append(out, harness.Leftover{Dialect: Dialect, Type: l.typ, ID: id, Name: name, State: st})
			}
			var total int
			_ = json.Unmarshal(page["TotalCount"], &total)
			if len(set) < sweepPage || offset+sweepPage >= total {
				break
			}
		}
	}
	return out, nil
}

// sweepRanks: deletion order (harness.Sweeper.Rank): jobs, then task
// templates, then the environments the jobs ran on.
var sweepRanks = map[string]int{"job": 0, "task-template": 1, "compute-env": 2}

func (sweeper) Rank(typ string) int { return sweepRanks[typ] }

func (sweeper) Delete(ctx context.Context, t *harness.Target, l harness.Leftover) error {
	deadline := time.Now().Add(sweepWait(t))
	for {
		var err error
		switch l.Type {
		case "job":
			err = stCall(t, "DeleteJob", map[string]any{"JobId": l.ID}, nil)
			if err != nil && !stNotFound(err) {
				// Unfinished jobs (and finished ones holding interrupted
				// instances) must be terminated first.
				_ = stCall(t, "TerminateJob", map[string]any{"JobId": l.ID}, nil)
			}
		case "task-template":
			err = stCall(t, "DeleteTaskTemplates", map[string]any{"TaskTemplateIds": []string{l.ID}}, nil)
		case "compute-env":
			err = stCall(t, "DeleteComputeEnv", map[string]any{"EnvId": l.ID}, nil)
			if err != nil && strings.HasPrefix(stCode(err), "UnsupportedOperation") && rulesDetachAll(t, l.ID) == 0 && stCode(err) == "UnsupportedOperation" {
				// It holds attached instances, and the target's reads
				// cannot say which: no retry detaches them (a
				// garbage-reads run's cleanup waited out its 15 s of no
				// progress on one such environment).
				if m, ok := t.Violations()[harness.PreReadable]; ok {
					return fmt.Errorf("sweep: %s: %w; its attached instances cannot be read to detach them (%s)", l, err, m)
				}
			}
		default:
			return fmt.Errorf("sweep: unknown resource type %q", l.Type)
		}
		if stNotFound(err) {
			return nil
		}
		if err == nil {
			// An environment's deletion is asynchronous (its nodes are
			// released first): it is swept once it is gone.
			if l.Type != "compute-env" {
				return nil
			}
			if derr := stCall(t, "DescribeComputeEnv", map[string]any{"EnvId": l.ID}, nil); stNotFound(derr) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sweep: %s not deleted within %s: %w", l, sweepWait(t), err)
		}
		if !harness.Pause(ctx, sweepPoll(t)) {
			return fmt.Errorf("sweep: %s: %w (last answer: %v)", l, ctx.Err(), err)
		}
	}
}

// sweepWait bounds the wait for one resource: a job being terminated on a
// live account takes minutes; the emulator takes moments.
func sweepWait(t *harness.Target) time.Duration {
	if t.Live {
		return 10 * time.Minute
	}
	return time.Minute
}

func sweepPoll(t *harness.Target) time.Duration {
	if t.RateLimit > 0 {
		return time.Duration(float64(time.Second) / t.RateLimit * 2)
	}
	return 100 * time.Millisecond
}

// The run's ledger (harness/ledger.go): which calls create, and what an
// answered call created or deleted.

// trackedCreates: create action -> the resource type, the answer's ID
// member and where the request carries the name.
var trackedCreates = map[string]struct{ typ, id, obj, name string }{
	"SubmitJob":           {"job", "JobId", "Job", "JobName"},
	"CreateComputeEnv":    {"compute-env", "EnvId", "ComputeEnv", "EnvName"},
	"CreateCpmComputeEnv": {"compute-env", "EnvId", "ComputeEnv", "EnvName"},
	"CreateTaskTemplate":  {"task-template", "TaskTemplateId", "", "TaskTemplateName"},
}

func (sweeper) Creates(c *harness.Call) bool {
	_, ok := trackedCreates[c.Action]
	return ok && (c.Version == "" || c.Version == "2017-03-12")
}

func (sweeper) Track(c *harness.Call) ([]harness.Leftover, []string) {
	if c.Version != "" && c.Version != "2017-03-12" {
		return nil, nil
	}
	resp, ok := harness.API3Response(c)
	if !ok {
		return nil, nil
	}
	p := c.Params()
	if tc, ok := trackedCreates[c.Action]; ok {
		var id string
		_ = json.Unmarshal(resp[tc.id], &id)
		var name string
		if tc.obj == "" {
			name, _ = p[tc.name].(string)
		} else if o, ok := p[tc.obj].(map[string]any); ok {
			name, _ = o[tc.name].(string)
		} else {
			name, _ = p[tc.obj+"."+tc.name].(string)
		}
		return []harness.Leftover{{Dialect: Dialect, Type: tc.typ, ID: id, Name: name}}, nil
	}
	switch c.Action {
	case "DeleteJob":
		return nil, harness.Strings(p["JobId"])
	case "DeleteComputeEnv":
		return nil, harness.Strings(p["EnvId"])
	case "DeleteTaskTemplates":
		return nil, harness.Strings(p["TaskTemplateIds"])
	}
	return nil, nil
}
