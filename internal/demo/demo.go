// Package demo is a scripted scenario that drives a Tencent Batch endpoint with
// nothing but the official Go SDK (tencentcloud-sdk-go v1.0.162): create a
// compute environment, see its node RUNNING, submit a DAG job and watch it reach
// SUCCEED, read its logs, see a failing command end FAILED, and get the
// documented errors for a cyclic DAG, a 61-character JobName and a bad
// signature. It imports nothing of the project on purpose: it is the proof that
// an unmodified SDK user can work against the emulator.
package demo

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Config says where to run the scenario.
type Config struct {
	Endpoint  string // host:port (no scheme), as the SDK wants it
	Scheme    string // "http" or "https"
	SecretID  string
	SecretKey string
	Region    string        // default ap-guangzhou
	Zone      string        // default ap-guangzhou-2
	Timeout   time.Duration // per wait (default 60 s)
	Poll      time.Duration // polling interval (default 20 ms)
	Log       io.Writer     // progress lines (nil: discard)
	// SignMethod: "" or TC3-HMAC-SHA256, HmacSHA256, HmacSHA1.
	SignMethod string
	// ReqMethod: POST (default) or GET.
	ReqMethod string
}

// Step is one checked step of the scenario.
type Step struct {
	Name     string
	Passed   bool
	Detail   string
	Duration time.Duration
}

func (c *Config) defaults() {
	if c.Region == "" {
		c.Region = "ap-guangzhou"
	}
	if c.Zone == "" {
		c.Zone = "ap-guangzhou-2"
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.Poll == 0 {
		c.Poll = 20 * time.Millisecond
	}
	if c.Scheme == "" {
		c.Scheme = "http"
	}
	if c.ReqMethod == "" {
		c.ReqMethod = "POST"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Client returns an SDK client for the endpoint with the given key.
func (c Config) Client(key string) (*batch.Client, error) {
	c.defaults()
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = c.Endpoint
	p.HttpProfile.Scheme = c.Scheme
	p.HttpProfile.ReqMethod = c.ReqMethod
	p.HttpProfile.ReqTimeout = 30
	if c.SignMethod != "" {
		p.SignMethod = c.SignMethod
	}
	return batch.NewClient(common.NewCredential(c.SecretID, key), c.Region, p)
}

// Run runs the whole scenario and returns its steps; err is non-nil if any
// step failed.
func Run(cfg Config) ([]Step, error) {
	cfg.defaults()
	c, err := cfg.Client(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("demo: client: %w", err)
	}
	r := &runner{cfg: cfg, c: c}
	r.run()
	var failed []string
	for _, s := range r.steps {
		if !s.Passed {
			failed = append(failed, s.Name)
		}
	}
	if len(failed) > 0 {
		return r.steps, fmt.Errorf("demo: %d step(s) failed: %s", len(failed), strings.Join(failed, ", "))
	}
	return r.steps, nil
}

type runner struct {
	cfg   Config
	c     *batch.Client
	steps []Step
	envID string
	jobs  []string
}

func (r *runner) step(name string, f func() (string, error)) bool {
	start := time.Now()
	detail, err := f()
	s := Step{Name: name, Passed: err == nil, Detail: detail, Duration: time.Since(start)}
	if err != nil {
		s.Detail = err.Error()
	}
	r.steps = append(r.steps, s)
	mark := "ok  "
	if !s.Passed {
		mark = "FAIL"
	}
	fmt.Fprintf(r.cfg.Log, "%s %-44s %6.2fs  %s\n", mark, name, s.Duration.Seconds(), s.Detail)
	return s.Passed
}

func (r *runner) run() {
	if r.step("CreateComputeEnv", r.createEnv) {
		r.step("compute node reaches RUNNING", r.waitNode)
	}
	r.step("SubmitJob DAG (2 tasks) reaches SUCCEED", r.dagJob)
	r.step("failing command ends FAILED", r.failingJob)
	r.step("cyclic DAG is refused", func() (string, error) {
		req := r.dagRequest("cyclic", "echo a", "echo b")
		req.Job.Dependences = append(req.Job.Dependences, &batch.Dependence{
			StartTask: common.StringPtr("second"), EndTask: common.StringPtr("first")})
		_, err := r.c.SubmitJob(req)
		return expectCode(err, "InvalidParameterValue.DependenceUnfeasible")
	})
	r.step("61-character JobName is refused", func() (string, error) {
		req := r.dagRequest(strings.Repeat("n", 61), "echo a", "echo b")
		_, err := r.c.SubmitJob(req)
		return expectCode(err, "InvalidParameter.JobNameTooLong")
	})
	r.step("bad signature is refused", func() (string, error) {
		bad, err := r.cfg.Client(r.cfg.SecretKey + "-wrong")
		if err != nil {
			return "", err
		}
		_, err = bad.DescribeJobs(batch.NewDescribeJobsRequest())
		return expectCode(err, "AuthFailure.SignatureFailure")
	})
	r.step("cleanup (DeleteJob, DeleteComputeEnv)", r.cleanup)
}

func expectCode(err error, code string) (string, error) {
	var se *sdkerr.TencentCloudSDKError
	if !errors.As(err, &se) {
		return "", fmt.Errorf("want error %s, got %v", code, err)
	}
	if se.Code != code {
		return "", fmt.Errorf("want error %s, got %s: %s", code, se.Code, se.Message)
	}
	return se.Code + " (RequestId " + se.RequestId + ")", nil
}

func (r *runner) createEnv() (string, error) {
	req := batch.NewCreateComputeEnvRequest()
	req.Placement = &batch.Placement{Zone: common.StringPtr(r.cfg.Zone)}
	req.ComputeEnv = &batch.NamedComputeEnv{
		EnvName:                 common.StringPtr("demo-env"),
		EnvType:                 common.StringPtr("MANAGED"),
		DesiredComputeNodeCount: common.Int64Ptr(1),
		EnvData: &batch.EnvData{
			InstanceType: common.StringPtr("S1.SMALL1"),
			ImageId:      common.StringPtr("img-m4q71qnf"),
		},
	}
	resp, err := r.c.CreateComputeEnv(req)
	if err != nil {
		return "", err
	}
	r.envID = *resp.Response.EnvId
	return r.envID, nil
}

func (r *runner) waitNode() (string, error) {
	var seen []string
	err := r.poll(func() (bool, error) {
		req := batch.NewDescribeComputeEnvRequest()
		req.EnvId = common.StringPtr(r.envID)
		resp, err := r.c.DescribeComputeEnv(req)
		if err != nil {
			return false, err
		}
		for _, n := range resp.Response.ComputeNodeSet {
			seen = appendState(seen, *n.ComputeNodeState)
			if *n.ComputeNodeState == "RUNNING" {
				return true, nil
			}
		}
		return false, nil
	})
	return strings.Join(seen, "→"), err
}

func (r *runner) dagRequest(name, first, second string) *batch.SubmitJobRequest {
	task := func(n, cmd string) *batch.Task {
		t := &batch.Task{
			TaskName:        common.StringPtr(n),
			TaskInstanceNum: common.Uint64Ptr(1),
			Application: &batch.Application{
				DeliveryForm: common.StringPtr("LOCAL"),
				Command:      common.StringPtr(cmd),
			},
		}
		if r.envID != "" {
			t.EnvId = common.StringPtr(r.envID)
		} else {
			t.ComputeEnv = &batch.AnonymousComputeEnv{EnvType: common.StringPtr("MANAGED"),
				EnvData: &batch.EnvData{InstanceType: common.StringPtr("S1.SMALL1"), ImageId: common.StringPtr("img-m4q71qnf")}}
		}
		return t
	}
	req := batch.NewSubmitJobRequest()
	req.Placement = &batch.Placement{Zone: common.StringPtr(r.cfg.Zone)}
	req.Job = &batch.Job{
		JobName:  common.StringPtr(name),
		Priority: common.Uint64Ptr(1),
		Tasks:    []*batch.Task{task("first", first), task("second", second)},
		Dependences: []*batch.Dependence{{
			StartTask: common.StringPtr("first"), EndTask: common.StringPtr("second")}},
	}
	return req
}

func (r *runner) submitAndWait(req *batch.SubmitJobRequest, want string) (string, []string, error) {
	resp, err := r.c.SubmitJob(req)
	if err != nil {
		return "", nil, err
	}
	id := *resp.Response.JobId
	r.jobs = append(r.jobs, id)
	var seen []string
	err = r.poll(func() (bool, error) {
		d := batch.NewDescribeJobRequest()
		d.JobId = common.StringPtr(id)
		resp, err := r.c.DescribeJob(d)
		if err != nil {
			return false, err
		}
		st := *resp.Response.JobState
		seen = appendState(seen, st)
		switch st {
		case want:
			return true, nil
		case "SUCCEED", "FAILED":
			return false, fmt.Errorf("job %s ended %s, want %s", id, st, want)
		}
		return false, nil
	})
	return id, seen, err
}

func (r *runner) dagJob() (string, error) {
	id, seen, err := r.submitAndWait(r.dagRequest("demo-dag", "echo hello from first", "echo hello from second"), "SUCCEED")
	if err != nil {
		return strings.Join(seen, "→"), err
	}
	lr := batch.NewDescribeTaskLogsRequest()
	lr.JobId = common.StringPtr(id)
	lr.TaskName = common.StringPtr("second")
	logs, err := r.c.DescribeTaskLogs(lr)
	if err != nil {
		return "", fmt.Errorf("DescribeTaskLogs: %w", err)
	}
	if len(logs.Response.TaskInstanceLogSet) == 0 || logs.Response.TaskInstanceLogSet[0].StdoutLog == nil {
		return "", errors.New("DescribeTaskLogs: no stdout log")
	}
	out, err := decodeLog(*logs.Response.TaskInstanceLogSet[0].StdoutLog)
	if err != nil {
		return "", err
	}
	if !strings.Contains(out, "hello from second") {
		return "", fmt.Errorf("stdout log %q lacks the command's output", out)
	}
	return fmt.Sprintf("%s %s; log %q", id, strings.Join(seen, "→"), strings.TrimSpace(out)), nil
}

// decodeLog reads a Base64 log, with or without the data-URL prefix the docs'
// example shows.
func decodeLog(s string) (string, error) {
	if i := strings.Index(s, "base64,"); i >= 0 && strings.HasPrefix(s, "data:") {
		s = s[i+len("base64,"):]
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("log is not Base64: %w", err)
	}
	return string(b), nil
}

func (r *runner) failingJob() (string, error) {
	id, seen, err := r.submitAndWait(r.dagRequest("demo-fail", "exit 3", "echo never"), "FAILED")
	return id + " " + strings.Join(seen, "→"), err
}

func (r *runner) cleanup() (string, error) {
	var errs []error
	for _, id := range r.jobs {
		req := batch.NewDeleteJobRequest()
		req.JobId = common.StringPtr(id)
		if _, err := r.c.DeleteJob(req); err != nil {
			errs = append(errs, fmt.Errorf("DeleteJob %s: %w", id, err))
		}
	}
	if r.envID != "" {
		req := batch.NewDeleteComputeEnvRequest()
		req.EnvId = common.StringPtr(r.envID)
		if _, err := r.c.DeleteComputeEnv(req); err != nil {
			errs = append(errs, fmt.Errorf("DeleteComputeEnv %s: %w", r.envID, err))
		}
	}
	return fmt.Sprintf("%d job(s), env %s", len(r.jobs), r.envID), errors.Join(errs...)
}

func (r *runner) poll(f func() (bool, error)) error {
	deadline := time.Now().Add(r.cfg.Timeout)
	for {
		done, err := f()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", r.cfg.Timeout)
		}
		time.Sleep(r.cfg.Poll)
	}
}

func appendState(seen []string, s string) []string {
	if len(seen) == 0 || seen[len(seen)-1] != s {
		seen = append(seen, s)
	}
	return seen
}
