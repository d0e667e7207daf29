// Package examples replays the documented examples of a catalog against an
// endpoint. Describe-style examples name historical IDs (Example.Refs): the
// replay first creates resources of the right kind and in the right state, and
// substitutes their IDs. Both the emulator's tests and the conformance specs
// use it, through a Caller that sends one action.
package examples

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/batchconform/batchconform/fixtures"
)

// Caller sends one API 3.0 action with a JSON body, in region ("" = the
// target's default). It returns the Response object's raw JSON (with
// RequestId), and the API error code if the response is an error.
type Caller func(action, region string, body []byte) (response []byte, code string, err error)

var zoneRe = regexp.MustCompile(`^([a-z]+-[a-z]+)-\d+$`)

// Region returns the region the example's zones belong to ("" if it names no
// zone): the docs' examples are set in several regions, and a zone outside
// the request's region is refused (InvalidZone.MismatchRegion).
func Region(ex fixtures.Example) string {
	var req any
	_ = json.Unmarshal(ex.Request, &req)
	var found string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if m := zoneRe.FindStringSubmatch(x); m != nil && found == "" {
				found = m[1]
			}
		}
	}
	walk(req)
	return found
}

// Env is what a replay needs.
type Env struct {
	Call    Caller
	Zone    string
	Image   string        // an image ID the target accepts
	Timeout time.Duration // per wait (default 60 s)
	Poll    time.Duration // default 20 ms
	// Name prefixes every resource name (live runs use the run prefix).
	Name string
	// Stop, when set, ends every wait early with its error (the suite's
	// circuit breaker: a target whose reads cannot be read or whose
	// resources never move is not waited on until the timeout).
	Stop func() error
}

// Cleanup undoes what a preparation created; it returns the errors it met.
type Cleanup func() error

// Prepare returns the example's request with historical IDs replaced by IDs of
// resources created for it, and a cleanup.
func Prepare(env Env, ex fixtures.Example) ([]byte, Cleanup, error) {
	env.defaults()
	var req map[string]any
	if err := json.Unmarshal(ex.Request, &req); err != nil {
		return nil, nil, fmt.Errorf("examples: %s: request: %w", ex.ID, err)
	}
	p := &prep{env: env, ex: ex}
	if err := p.provision(req); err != nil {
		p.cleanup()
		return nil, nil, fmt.Errorf("examples: %s: %w", ex.ID, err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		p.cleanup()
		return nil, nil, err
	}
	return body, p.cleanup, nil
}

func (e *Env) defaults() {
	if e.Timeout == 0 {
		e.Timeout = 60 * time.Second
	}
	if e.Poll == 0 {
		e.Poll = 20 * time.Millisecond
	}
	if e.Zone == "" {
		e.Zone = "ap-guangzhou-2"
	}
	if e.Image == "" {
		e.Image = "img-m4q71qnf"
	}
	if e.Name == "" {
		e.Name = "example"
	}
}

type prep struct {
	env   Env
	ex    fixtures.Example
	undo  []func() error
	envID string
}

func (p *prep) cleanup() error {
	var errs []error
	for i := len(p.undo) - 1; i >= 0; i-- {
		if err := p.undo[i](); err != nil {
			errs = append(errs, err)
		}
	}
	p.undo = nil
	return errors.Join(errs...)
}

func (p *prep) call(action string, req any) (map[string]any, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, code, err := p.env.Call(action, "", body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	if code != "" {
		return nil, fmt.Errorf("%s: error %s", action, code)
	}
	var m map[string]any
	if err := json.Unmarshal(resp, &m); err != nil {
		return nil, fmt.Errorf("%s: response: %w", action, err)
	}
	return m, nil
}

func (p *prep) wait(what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(p.env.Timeout)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if p.env.Stop != nil {
			if err := p.env.Stop(); err != nil {
				return fmt.Errorf("waiting for %s: %w", what, err)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		time.Sleep(p.env.Poll)
	}
}

// provision creates what the example's refs need and substitutes the IDs.
func (p *prep) provision(req map[string]any) error {
	action := p.ex.Action
	for _, ref := range p.ex.Refs {
		field := strings.Split(ref, ".")[0]
		var id string
		var err error
		switch {
		case field == "EnvId" || field == "EnvIds":
			id, err = p.envRef(action)
		case field == "JobId" || field == "JobIds":
			id, err = p.job(action, req)
		case field == "TaskTemplateId" || field == "TaskTemplateIds":
			id, err = p.template()
		case field == "ComputeNodeId" || field == "ComputeNodeIds":
			id, err = p.node(ref)
		case field == "Instances" || field == "InstanceIds":
			id, err = p.instance(action)
		default:
			return fmt.Errorf("no provisioner for ref %s", ref)
		}
		if err != nil {
			return fmt.Errorf("provision %s: %w", ref, err)
		}
		if err := set(req, ref, id); err != nil {
			return err
		}
	}
	return nil
}

func (p *prep) envRef(action string) (string, error) {
	if p.envID != "" {
		return p.envID, nil
	}
	nodes := 1
	if action == "TerminateComputeNodes" {
		nodes = 2
	}
	resp, err := p.call("CreateComputeEnv", map[string]any{
		"Placement": map[string]any{"Zone": p.env.Zone},
		"ComputeEnv": map[string]any{"EnvName": p.env.Name + "-env", "EnvType": "MANAGED",
			"DesiredComputeNodeCount": nodes,
			"EnvData":                 map[string]any{"InstanceType": "S1.SMALL1", "ImageId": p.env.Image}},
	})
	if err != nil {
		return "", err
	}
	id, _ := resp["EnvId"].(string)
	p.envID = id
	p.undo = append(p.undo, func() error {
		// Nodes still being created (or a ModifyComputeEnv still being
		// processed) hold the deletion back: retry until they can go.
		var err error
		werr := p.wait("env "+id+" deletable", func() (bool, error) {
			_, err = p.call("DeleteComputeEnv", map[string]any{"EnvId": id})
			switch {
			case err == nil:
				return true, nil
			case strings.HasSuffix(err.Error(), "error UnsupportedOperation"):
				// It holds instances the example attached: detach them
				// first (refused while they are still being created).
				p.detachAttached(id)
				return false, nil
			}
			return !(strings.Contains(err.Error(), "UnsupportedOperation.ComputeNodeForbidTerminate") ||
				strings.Contains(err.Error(), "UnsupportedOperation.AcceptOtherRequest")), nil
		})
		if werr != nil {
			return werr
		}
		if err != nil && (strings.Contains(err.Error(), "ResourceNotFound") ||
			strings.Contains(err.Error(), "UnsupportedOperation.ComputeEnvOperation")) {
			return nil // the example deleted it, or it is being deleted
		}
		return err
	})
	// DeleteComputeEnv too waits for RUNNING nodes: an env whose nodes are
	// still being created cannot be deleted (ComputeNodeForbidTerminate).
	if action == "DescribeComputeEnvCreateInfo" || action == "DescribeComputeEnvCreateInfos" ||
		action == "DescribeComputeEnvs" {
		return id, nil
	}
	// Wait for the nodes to run, so node operations and activities have something to act on.
	err = p.wait("compute nodes RUNNING", func() (bool, error) {
		d, err := p.call("DescribeComputeEnv", map[string]any{"EnvId": id})
		if err != nil {
			return false, err
		}
		set, _ := d["ComputeNodeSet"].([]any)
		running := 0
		for _, n := range set {
			if m, _ := n.(map[string]any); m != nil && m["ComputeNodeState"] == "RUNNING" {
				running++
			}
		}
		return running >= nodes, nil
	})
	return id, err
}

// detachAttached detaches the env's USER_ATTACHED instances (best effort:
// the caller retries).
func (p *prep) detachAttached(envID string) {
	d, err := p.call("DescribeComputeEnv", map[string]any{"EnvId": envID})
	if err != nil {
		return
	}
	set, _ := d["ComputeNodeSet"].([]any)
	for _, n := range set {
		if m, _ := n.(map[string]any); m != nil && m["ResourceOrigin"] == "USER_ATTACHED" && m["ComputeNodeState"] != "DELETING" {
			_, _ = p.call("DetachInstances", map[string]any{"EnvId": envID, "InstanceIds": []any{m["ComputeNodeInstanceId"]}})
		}
	}
}

func (p *prep) node(ref string) (string, error) {
	envID, err := p.envRef(p.ex.Action)
	if err != nil {
		return "", err
	}
	d, err := p.call("DescribeComputeEnv", map[string]any{"EnvId": envID})
	if err != nil {
		return "", err
	}
	set, _ := d["ComputeNodeSet"].([]any)
	idx := 0
	if i := strings.LastIndex(ref, "."); i >= 0 {
		idx, _ = strconv.Atoi(ref[i+1:])
	}
	if idx >= len(set) {
		return "", fmt.Errorf("env %s has %d nodes, need %d", envID, len(set), idx+1)
	}
	m, _ := set[idx].(map[string]any)
	id, _ := m["ComputeNodeId"].(string)
	return id, nil
}

func (p *prep) instance(action string) (string, error) {
	id := fmt.Sprintf("ins-%08x", time.Now().UnixNano()&0xffffffff)
	if action == "DetachInstances" {
		envID, err := p.envRef(action)
		if err != nil {
			return "", err
		}
		if _, err := p.call("AttachInstances", map[string]any{"EnvId": envID,
			"Instances": []any{map[string]any{"InstanceId": id}}}); err != nil {
			return "", err
		}
		// An attached instance becomes a node that boots like any other; it
		// can be detached once it runs.
		err = p.wait("attached instance "+id+" RUNNING", func() (bool, error) {
			d, err := p.call("DescribeComputeEnv", map[string]any{"EnvId": envID})
			if err != nil {
				return false, err
			}
			set, _ := d["ComputeNodeSet"].([]any)
			for _, n := range set {
				if m, _ := n.(map[string]any); m != nil && m["ComputeNodeInstanceId"] == id {
					return m["ComputeNodeState"] == "RUNNING", nil
				}
			}
			return false, nil
		})
		if err != nil {
			return "", err
		}
	}
	return id, nil
}

func (p *prep) template() (string, error) {
	resp, err := p.call("CreateTaskTemplate", map[string]any{
		"TaskTemplateName": p.env.Name + "-tmpl",
		"TaskTemplateInfo": p.task("A", "echo template", 1),
	})
	if err != nil {
		return "", err
	}
	id, _ := resp["TaskTemplateId"].(string)
	p.undo = append(p.undo, func() error {
		_, err := p.call("DeleteTaskTemplates", map[string]any{"TaskTemplateIds": []any{id}})
		if err != nil && strings.Contains(err.Error(), "ResourceNotFound") {
			return nil
		}
		return err
	})
	return id, nil
}

func (p *prep) task(name, command string, instances int) map[string]any {
	return map[string]any{
		"TaskName": name, "TaskInstanceNum": instances,
		"Application": map[string]any{"DeliveryForm": "LOCAL", "Command": command},
		"ComputeEnv": map[string]any{"EnvType": "MANAGED",
			"EnvData": map[string]any{"InstanceType": "S1.SMALL1", "ImageId": p.env.Image}},
	}
}

// job creates a job shaped for the example: the task name it names, as many
// instances as it indexes, and the state the action needs.
func (p *prep) job(action string, req map[string]any) (string, error) {
	taskName, _ := req["TaskName"].(string)
	if taskName == "" {
		taskName = "A"
	}
	instances := 1
	if idx, ok := req["TaskInstanceIndexes"].([]any); ok {
		instances = len(idx)
	}
	command, want := "echo example", []string{"SUCCEED"}
	switch action {
	case "RetryJobs":
		command, want = "exit 1", []string{"FAILED"}
	case "TerminateJob", "TerminateTaskInstance":
		command, want = "sleep 30", []string{"RUNNING"}
	case "DescribeJob", "DescribeJobSubmitInfo", "DescribeJobs":
		want = nil
	}
	resp, err := p.call("SubmitJob", map[string]any{
		"Placement": map[string]any{"Zone": p.env.Zone},
		"Job": map[string]any{"JobName": p.env.Name + "-job", "Priority": 1,
			"Tasks": []any{p.task(taskName, command, instances)}},
	})
	if err != nil {
		return "", err
	}
	id, _ := resp["JobId"].(string)
	p.undo = append(p.undo, func() error {
		// Terminate first, so a running job can be deleted; both may refuse
		// (already finished or already deleted by the example).
		_, _ = p.call("TerminateJob", map[string]any{"JobId": id})
		return p.wait("job "+id+" deleted", func() (bool, error) {
			_, err := p.call("DeleteJob", map[string]any{"JobId": id})
			if err == nil || strings.Contains(err.Error(), "ResourceNotFound") {
				return true, nil
			}
			return false, nil
		})
	})
	if len(want) == 0 {
		return id, nil
	}
	err = p.wait("job "+id+" "+want[0], func() (bool, error) {
		d, err := p.call("DescribeJob", map[string]any{"JobId": id})
		if err != nil {
			return false, err
		}
		st, _ := d["JobState"].(string)
		if action == "TerminateJob" || action == "TerminateTaskInstance" {
			// Any active state will do: the example terminates it.
			return st == "RUNNING" || st == "STARTING" || st == "RUNNABLE", nil
		}
		return st == want[0], nil
	})
	return id, err
}

// set puts v at a dotted path (list indices as numbers) of m.
func set(m map[string]any, path string, v any) error {
	parts := strings.Split(path, ".")
	var cur any = m
	for i, part := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[part] = v
				return nil
			}
			cur = c[part]
		case []any:
			idx, err := strconv.Atoi(part)
			if err != nil || idx < 0 || idx >= len(c) {
				return fmt.Errorf("examples: path %s: bad index %q", path, part)
			}
			if last {
				c[idx] = v
				return nil
			}
			cur = c[idx]
		default:
			return fmt.Errorf("examples: path %s: %q is not a container", path, part)
		}
	}
	return nil
}
