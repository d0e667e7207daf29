package tencentbatch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/listing"
)

// ---- views ----

// metricsView is TaskMetrics and TaskInstanceMetrics (same members).
type metricsView struct {
	SubmittedCount         int64 `json:"SubmittedCount"`
	PendingCount           int64 `json:"PendingCount"`
	RunnableCount          int64 `json:"RunnableCount"`
	StartingCount          int64 `json:"StartingCount"`
	RunningCount           int64 `json:"RunningCount"`
	SucceedCount           int64 `json:"SucceedCount"`
	FailedInterruptedCount int64 `json:"FailedInterruptedCount"`
	FailedCount            int64 `json:"FailedCount"`
}

func (m *metricsView) add(state string) {
	switch state {
	case engine.StateSubmitted:
		m.SubmittedCount++
	case engine.StatePending:
		m.PendingCount++
	case engine.StateRunnable:
		m.RunnableCount++
	case engine.StateStarting:
		m.StartingCount++
	case engine.StateRunning:
		m.RunningCount++
	case engine.StateSucceed:
		m.SucceedCount++
	case engine.StateFailedInterrupted:
		m.FailedInterruptedCount++
	case engine.StateFailed:
		m.FailedCount++
	}
}

func taskMetrics(j engine.Job) metricsView {
	var m metricsView
	for _, t := range j.Tasks {
		m.add(t.State)
	}
	return m
}

func instanceMetrics(tasks ...engine.Task) metricsView {
	var m metricsView
	for _, t := range tasks {
		for _, i := range t.Instances {
			m.add(i.State)
		}
	}
	return m
}

type taskView struct {
	TaskName   string  `json:"TaskName"`
	TaskState  string  `json:"TaskState"`
	CreateTime string  `json:"CreateTime"`
	EndTime    *string `json:"EndTime"`
}

type dependenceView struct {
	StartTask string `json:"StartTask"`
	EndTask   string `json:"EndTask"`
}

// describeJobResp: EndTime is null until the job is terminal (SDK and
// reference: "EndTime … may be null"), set once it is.
type describeJobResp struct {
	JobId               string           `json:"JobId"`
	JobName             string           `json:"JobName"`
	Zone                string           `json:"Zone"`
	Priority            int64            `json:"Priority"`
	JobState            string           `json:"JobState"`
	CreateTime          string           `json:"CreateTime"`
	EndTime             *string          `json:"EndTime"`
	TaskSet             []taskView       `json:"TaskSet"`
	DependenceSet       []dependenceView `json:"DependenceSet"`
	TaskMetrics         metricsView      `json:"TaskMetrics"`
	TaskInstanceMetrics metricsView      `json:"TaskInstanceMetrics"`
	StateReason         string           `json:"StateReason"`
	Tags                []tagView        `json:"Tags"`
	NextAction          string           `json:"NextAction"`
}

type jobView struct {
	JobId       string        `json:"JobId"`
	JobName     string        `json:"JobName"`
	JobState    string        `json:"JobState"`
	Priority    int64         `json:"Priority"`
	Placement   placementView `json:"Placement"`
	CreateTime  string        `json:"CreateTime"`
	EndTime     *string       `json:"EndTime"`
	TaskMetrics metricsView   `json:"TaskMetrics"`
	Tags        []tagView     `json:"Tags"`
}

type redirectView struct {
	StdoutRedirectPath     string `json:"StdoutRedirectPath"`
	StderrRedirectPath     string `json:"StderrRedirectPath"`
	StdoutRedirectFileName string `json:"StdoutRedirectFileName"`
	StderrRedirectFileName string `json:"StderrRedirectFileName"`
}

type taskInstanceView struct {
	TaskInstanceIndex     int64        `json:"TaskInstanceIndex"`
	TaskInstanceState     string       `json:"TaskInstanceState"`
	ExitCode              *int64       `json:"ExitCode"`
	StateReason           string       `json:"StateReason"`
	ComputeNodeInstanceId *string      `json:"ComputeNodeInstanceId"`
	CreateTime            string       `json:"CreateTime"`
	LaunchTime            *string      `json:"LaunchTime"`
	RunningTime           *string      `json:"RunningTime"`
	EndTime               *string      `json:"EndTime"`
	RedirectInfo          redirectView `json:"RedirectInfo"`
	StateDetailedReason   string       `json:"StateDetailedReason"`
}

type taskInstanceLogView struct {
	TaskInstanceIndex      uint64 `json:"TaskInstanceIndex"`
	StdoutLog              string `json:"StdoutLog"`
	StderrLog              string `json:"StderrLog"`
	StdoutRedirectPath     string `json:"StdoutRedirectPath"`
	StderrRedirectPath     string `json:"StderrRedirectPath"`
	StdoutRedirectFileName string `json:"StdoutRedirectFileName"`
	StderrRedirectFileName string `json:"StderrRedirectFileName"`
}

func specOf(j engine.Job, task string) engine.TaskSpec {
	for _, t := range j.Spec.Tasks {
		if t.Name == task {
			return t
		}
	}
	return engine.TaskSpec{}
}

func redirectOf(ts engine.TaskSpec) redirectView {
	return redirectView{
		StdoutRedirectPath: ts.StdoutRedirect, StderrRedirectPath: ts.StderrRedirect,
		StdoutRedirectFileName: ts.StdoutFileName, StderrRedirectFileName: ts.StderrFileName,
	}
}

func instanceView(spec engine.TaskSpec, in engine.TaskInstance, nodeIDAfterFinish bool) taskInstanceView {
	v := taskInstanceView{
		TaskInstanceIndex:   int64(in.Index),
		TaskInstanceState:   in.State,
		StateReason:         in.StateReason,
		CreateTime:          ts(in.CreateTime),
		LaunchTime:          tsp(in.LaunchTime),
		RunningTime:         tsp(in.RunningTime),
		EndTime:             tsp(in.EndTime),
		RedirectInfo:        redirectOf(spec),
		StateDetailedReason: in.StateReason,
	}
	if in.ExitCode != nil {
		c := int64(*in.ExitCode)
		v.ExitCode = &c
	}
	// The definition: 任务实例未运行或者完结时，本字段为空 — only an instance
	// on its node (STARTING, RUNNING) reports the node's InstanceId; the
	// fault node-id-after-finish keeps reporting it once finished.
	if in.NodeInstanceID != "" && (onNode[in.State] || (nodeIDAfterFinish && finished[in.State])) {
		id := in.NodeInstanceID
		v.ComputeNodeInstanceId = &id
	}
	return v
}

var (
	onNode   = map[string]bool{"STARTING": true, "RUNNING": true}
	finished = map[string]bool{"SUCCEED": true, "FAILED": true, "FAILED_INTERRUPTED": true}
)

// ---- submission ----

// jobSubmitInfo is the façade's record of a submission (JobSpec.Submit): the
// request's parameters as JSON, kept as received. DescribeJobSubmitInfo
// derives the Job echo from it (jobEcho) when asked, so a submission pays no
// second decode and encode, and a kept job holds one compact byte slice.
type jobSubmitInfo struct {
	Body json.RawMessage
}

func (s *Service) submitJob(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Placement   wPlacement `json:"Placement"`
		Job         wJob       `json:"Job"`
		ClientToken string     `json:"ClientToken"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if e := s.checkZone(req.Region, p.Placement.Zone); e != nil {
		return nil, e
	}
	if e := s.admit(req.SecretID, p.Placement.Zone); e != nil {
		return nil, e
	}
	j := &p.Job
	spec := engine.JobSpec{
		Tenant:                 req.SecretID,
		Name:                   j.JobName,
		Description:            j.JobDescription,
		Zone:                   p.Placement.Zone,
		ProjectID:              p.Placement.ProjectId,
		Priority:               int(j.Priority),
		DependOn:               j.TaskExecutionDependOn,
		StateIfCreateCvmFailed: j.StateIfCreateCvmFailed,
		Notifications:          notifications(j.Notifications),
		Tags:                   tags(j.Tags),
		ClientToken:            p.ClientToken,
	}
	spec.Tasks = make([]engine.TaskSpec, 0, len(j.Tasks))
	spec.Deps = make([]engine.Dep, 0, len(j.Dependences))
	total := 0
	for i := range j.Tasks {
		// The wire task is read through a pointer and the engine task
		// checked where it lies: each is a few hundred bytes, and both
		// were copied per task.
		spec.Tasks = append(spec.Tasks, taskSpec(&j.Tasks[i], i, int(j.Priority)))
		ts := &spec.Tasks[i]
		total += ts.InstanceNum
		if ts.InstanceNum > maxInstancesPerTask || total > maxInstancesPerJob {
			return nil, api3.Errorf("InvalidParameterValue.TaskInstanceNum",
				"task %s: at most %d instances per task and %d per job", ts.Name, maxInstancesPerTask, maxInstancesPerJob)
		}
		if ts.EnvID == "" {
			if ts.InstanceType == "" {
				ts.InstanceType = defaultInstanceType
			} else if _, ok := parseType(ts.InstanceType); !ok {
				return nil, api3.Errorf("InvalidParameterValue.ComputeEnv", "task %s: unsupported instance type %q", ts.Name, ts.InstanceType)
			}
		}
	}
	for _, d := range j.Dependences {
		spec.Deps = append(spec.Deps, engine.Dep{Start: d.StartTask, End: d.EndTask})
	}
	spec.Submit = jobSubmitInfo{Body: req.Body}
	// Every slice of spec was made above for this call (the strings are the
	// body's, which is never written): the engine may keep them uncopied.
	id, err := s.eng.SubmitJobOwned(spec)
	if err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return jobIDResult{id}, nil
}

// jobEcho records the submitted Job, with each task's defaults made explicit
// (TaskName, TaskInstanceNum) so DescribeJobSubmitInfo names what runs.
func jobEcho(body []byte) (json.RawMessage, error) {
	job := asMap(rawParams(body)["Job"])
	if job == nil {
		job = map[string]any{}
	}
	for i, t := range asList(job["Tasks"]) {
		tm := asMap(t)
		if tm == nil {
			continue
		}
		if n, _ := tm["TaskName"].(string); n == "" {
			tm["TaskName"] = "Task" + itoa(i)
		}
		if _, ok := tm["TaskInstanceNum"]; !ok {
			tm["TaskInstanceNum"] = json.Number("1")
		}
	}
	return json.Marshal(job)
}

type jobIDParam struct {
	JobId string `json:"JobId"`
}

func (s *Service) job(action, tenant, id string) (engine.Job, *api3.Error) {
	j, err := s.eng.Job(tenant, id)
	if err != nil {
		return engine.Job{}, s.engErr(action, err)
	}
	return j, nil
}

func (s *Service) describeJob(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p jobIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.job(req.Action, req.SecretID, p.JobId)
	if e != nil {
		return nil, e
	}
	tasks := make([]taskView, 0, len(j.Tasks))
	for _, t := range j.Tasks {
		tasks = append(tasks, taskView{TaskName: t.Name, TaskState: t.State, CreateTime: ts(t.CreateTime), EndTime: tsp(t.EndTime)})
	}
	deps := make([]dependenceView, 0, len(j.Spec.Deps))
	for _, d := range j.Spec.Deps {
		deps = append(deps, dependenceView{StartTask: d.Start, EndTask: d.End})
	}
	return describeJobResp{
		JobId: j.ID, JobName: j.Spec.Name, Zone: j.Spec.Zone, Priority: int64(j.Spec.Priority),
		JobState: j.State, CreateTime: ts(j.CreateTime), EndTime: tsp(j.EndTime),
		TaskSet: tasks, DependenceSet: deps,
		TaskMetrics: taskMetrics(j), TaskInstanceMetrics: instanceMetrics(j.Tasks...),
		StateReason: j.StateReason, Tags: tagViews(j.Spec.Tags), NextAction: "",
	}, nil
}

func (s *Service) describeJobs(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobIds []string `json:"JobIds"`
		listParams
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	// The engine pages the tenant's jobs itself (JobsPage), so a page costs
	// the page, not the tenant's whole list; the filters and the window are
	// the same as every other list's (filterFunc, s.page).
	keep, e := filterFunc(s, req.Action, p.Filters, func(name string, vals []string) (func(*engine.Job) bool, *api3.Error) {
		switch name {
		case "job-id":
			return func(j *engine.Job) bool { return contains(vals, j.ID) }, nil
		case "job-name":
			return func(j *engine.Job) bool { return contains(vals, j.Spec.Name) }, nil
		case "job-state":
			if e := statesFilter(name, vals); e != nil {
				return nil, e
			}
			return func(j *engine.Job) bool { return contains(vals, j.State) }, nil
		case "zone":
			if e := s.zoneFilter(vals); e != nil {
				return nil, e
			}
			return func(j *engine.Job) bool { return contains(vals, j.Spec.Zone) }, nil
		}
		if m := tagFilter(name, vals); m != nil {
			return func(j *engine.Job) bool { return m(j.Spec.Tags) }, nil
		}
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	q := engine.JobQuery{Tenant: req.SecretID, IDs: p.JobIds,
		Window: func(n int) (int, int) { return s.page(req.Action, n, p.Offset, p.Limit, 20) }}
	// The filters see the engine's cached snapshots by pointer: no job is
	// copied unless it is on the page.
	q.Keep = keep
	if len(q.IDs) == 0 {
		// A job-id filter names its candidates: the engine looks them up
		// instead of scanning (keep still applies every filter). Else a
		// filter on an attribute fixed at submission (job-name, zone, a tag)
		// takes its candidates from the engine's index; when it is the only
		// filter the index is the filter, and the page costs the page.
		for _, f := range p.Filters {
			if f.Name == "job-id" {
				q.IDs, q.Attr = f.Values, nil
				break
			}
			if q.Attr == nil && (f.Name == "job-name" || f.Name == "zone" || (strings.HasPrefix(f.Name, "tag:") && len(f.Name) > 4)) {
				q.Attr = &engine.JobAttr{Name: f.Name, Values: f.Values}
			}
		}
		if q.Attr != nil && len(p.Filters) == 1 {
			q.Keep = nil
		}
		// job-state alone: the engine counts per state and stops at the
		// page's end.
		if len(p.Filters) == 1 && p.Filters[0].Name == "job-state" {
			q.States, q.Keep = p.Filters[0].Values, nil
		}
	}
	pg := s.eng.JobsPage(q)
	jobs, all := pg.Jobs, pg.All
	set := listing.Views(jobs, func(j engine.Job) jobView {
		return jobView{
			JobId: j.ID, JobName: j.Spec.Name, JobState: j.State, Priority: listPriority(j, s.faults.On(faults.ListViewDropsPriority)),
			Placement:  placementView{Zone: j.Spec.Zone, ProjectId: j.Spec.ProjectID},
			CreateTime: ts(j.CreateTime), EndTime: tsp(j.EndTime), TaskMetrics: taskMetrics(j),
			Tags: tagViews(j.Spec.Tags),
		}
	})
	return jobsPage{set, s.jobsTotal(pg.Total, all, len(p.Filters) > 0)}, nil
}

func (s *Service) describeJobSubmitInfo(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p jobIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.job(req.Action, req.SecretID, p.JobId)
	if e != nil {
		return nil, e
	}
	var out map[string]any
	if si, ok := j.Spec.Submit.(jobSubmitInfo); ok {
		job, err := jobEcho(si.Body)
		if err != nil {
			return nil, api3.Errorf("InternalError", "echo the submission: %v", err)
		}
		out = rawParams(job)
	} else {
		out = map[string]any{}
	}
	out["JobId"] = j.ID
	for _, k := range []string{"JobName", "JobDescription"} {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	if _, ok := out["Priority"]; !ok {
		out["Priority"] = json.Number(itoa(j.Spec.Priority))
	}
	for _, k := range []string{"Tasks", "Dependences", "Tags"} {
		if out[k] == nil {
			out[k] = []any{}
		}
	}
	if a, ok := s.cat.Action(req.Action); ok {
		prune(s.cat, out, a.Output)
		fill(s.cat, out, a.Output, 0)
	}
	return out, nil
}

func findTask(j engine.Job, name string) (engine.Task, bool) {
	for _, t := range j.Tasks {
		if t.Name == name {
			return t, true
		}
	}
	return engine.Task{}, false
}

func (s *Service) describeTask(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobId    string `json:"JobId"`
		TaskName string `json:"TaskName"`
		listParams
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.job(req.Action, req.SecretID, p.JobId)
	if e != nil {
		return nil, e
	}
	t, ok := findTask(j, p.TaskName)
	if !ok {
		return nil, api3.Errorf("ResourceNotFound.Task", "task %s does not exist in job %s", p.TaskName, p.JobId)
	}
	ins, e := applyFilters(s, req.Action, t.Instances, p.Filters, func(name string, vals []string) (func(engine.TaskInstance) bool, *api3.Error) {
		// The parameter text says task-instance-type; the filter list
		// says task-instance-state: both are accepted.
		if name == "task-instance-state" || name == "task-instance-type" {
			if e := statesFilter(name, vals); e != nil {
				return nil, e
			}
			return func(in engine.TaskInstance) bool { return contains(vals, in.State) }, nil
		}
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	spec := specOf(j, t.Name)
	a, b := s.page(req.Action, len(ins), p.Offset, p.Limit, 100)
	set := listing.Views(ins[a:b], func(in engine.TaskInstance) taskInstanceView {
		return instanceView(spec, in, s.faults.On(faults.NodeIDAfterFinish))
	})
	return struct {
		JobId                  string             `json:"JobId"`
		TaskName               string             `json:"TaskName"`
		TaskState              string             `json:"TaskState"`
		CreateTime             string             `json:"CreateTime"`
		EndTime                *string            `json:"EndTime"`
		TaskInstanceTotalCount int64              `json:"TaskInstanceTotalCount"`
		TaskInstanceSet        []taskInstanceView `json:"TaskInstanceSet"`
		TaskInstanceMetrics    metricsView        `json:"TaskInstanceMetrics"`
	}{j.ID, t.Name, t.State, ts(t.CreateTime), tsp(t.EndTime), int64(len(ins)), set, instanceMetrics(t)}, nil
}

// maxLogBytes is the documented limit of a log in DescribeTaskLogs (decoded).
const maxLogBytes = 2048

// logPrefix is how the documented example presents a log: a data URL.
const logPrefix = "data:text/plain;charset=utf-8;base64,"

// encodeLog keeps the last maxLogBytes bytes (the most recent output) and
// encodes them as the documented example does; an empty log is "".
func encodeLog(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxLogBytes {
		b = b[len(b)-maxLogBytes:]
	}
	return logPrefix + base64.StdEncoding.EncodeToString(b)
}

func (s *Service) describeTaskLogs(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobId               string   `json:"JobId"`
		TaskName            string   `json:"TaskName"`
		TaskInstanceIndexes []uint64 `json:"TaskInstanceIndexes"`
		Offset              *int64   `json:"Offset"`
		Limit               *int64   `json:"Limit"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.job(req.Action, req.SecretID, p.JobId)
	if e != nil {
		return nil, e
	}
	t, ok := findTask(j, p.TaskName)
	if !ok {
		return nil, api3.Errorf("ResourceNotFound.Task", "task %s does not exist in job %s", p.TaskName, p.JobId)
	}
	var sel []engine.TaskInstance
	total := len(t.Instances)
	if len(p.TaskInstanceIndexes) > 0 {
		for _, idx := range p.TaskInstanceIndexes {
			found := false
			for _, in := range t.Instances {
				if uint64(in.Index) == idx {
					sel = append(sel, in)
					found = true
					break
				}
			}
			if !found {
				return nil, api3.Errorf("ResourceNotFound.TaskInstance", "task %s has no instance %d", p.TaskName, idx)
			}
		}
		total = len(sel)
	} else {
		a, b := s.page(req.Action, len(t.Instances), p.Offset, p.Limit, 5)
		sel = t.Instances[a:b]
	}
	spec := specOf(j, t.Name)
	set := make([]taskInstanceLogView, 0, len(sel))
	for _, in := range sel {
		set = append(set, taskInstanceLogView{
			TaskInstanceIndex:      uint64(max(in.Index, 0)),
			StdoutLog:              s.logText(in.Stdout),
			StderrLog:              s.logText(in.Stderr),
			StdoutRedirectPath:     spec.StdoutRedirect,
			StderrRedirectPath:     spec.StderrRedirect,
			StdoutRedirectFileName: spec.StdoutFileName,
			StderrRedirectFileName: spec.StderrFileName,
		})
	}
	return struct {
		TotalCount         uint64                `json:"TotalCount"`
		TaskInstanceLogSet []taskInstanceLogView `json:"TaskInstanceLogSet"`
	}{uint64(total), set}, nil
}

// monitorPeriods are the sampling periods of DescribeJobMonitorData
// (seconds): "the granularity grows with the queried range"; the smallest
// that keeps a series within maxMonitorPoints is used.
var monitorPeriods = []int64{10, 60, 300, 3600, 86400}

const maxMonitorPoints = 1440

func (s *Service) describeJobMonitorData(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobId             string `json:"JobId"`
		TaskName          string `json:"TaskName"`
		TaskInstanceIndex int64  `json:"TaskInstanceIndex"`
		MetricName        string `json:"MetricName"`
		StartTime         string `json:"StartTime"`
		EndTime           string `json:"EndTime"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.job(req.Action, req.SecretID, p.JobId)
	if e != nil {
		return nil, e
	}
	t, ok := findTask(j, p.TaskName)
	if !ok {
		return nil, api3.Errorf("ResourceNotFound", "task %s does not exist in job %s", p.TaskName, p.JobId)
	}
	var in *engine.TaskInstance
	for i := range t.Instances {
		if int64(t.Instances[i].Index) == p.TaskInstanceIndex {
			in = &t.Instances[i]
		}
	}
	if in == nil {
		return nil, api3.Errorf("ResourceNotFound", "task %s has no instance %d", p.TaskName, p.TaskInstanceIndex)
	}
	period, stamps, vals := monitorSeries(in, s.eng.Now(), p.MetricName, p.StartTime, p.EndTime)
	type dataPoints struct {
		Timestamps []int64   `json:"Timestamps"`
		Values     []float64 `json:"Values"`
	}
	return struct {
		Period     int64      `json:"Period"`
		DataPoints dataPoints `json:"DataPoints"`
	}{period, dataPoints{stamps, vals}}, nil
}

// monitorSeries samples an instance's metric while it ran (from RunningTime
// to EndTime or now), clamped to the requested window as documented, at the
// smallest period that keeps the series within maxMonitorPoints. The values
// are deterministic and plausible (per cent for usages, bytes/s for
// traffic). An instance that never ran has an empty series.
func monitorSeries(in *engine.TaskInstance, now time.Time, metric, start, end string) (int64, []int64, []float64) {
	stamps, vals := []int64{}, []float64{}
	if in.RunningTime == nil {
		return monitorPeriods[0], stamps, vals
	}
	from, to := *in.RunningTime, now
	if in.EndTime != nil {
		to = *in.EndTime
	}
	if st, err := time.Parse(time.RFC3339, start); err == nil && st.After(from) {
		from = st
	}
	if et, err := time.Parse(time.RFC3339, end); err == nil && et.Before(to) {
		to = et
	}
	span := to.Unix() - from.Unix()
	period := monitorPeriods[len(monitorPeriods)-1]
	for _, p := range monitorPeriods {
		if span/p < maxMonitorPoints {
			period = p
			break
		}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(metric))
	seed := float64(h.Sum32()%50) + 10
	scale := 1.0
	if metric == "LanOuttraffic" || metric == "LanIntraffic" {
		scale = 1024
	}
	first := from.Unix() - from.Unix()%period
	for t, k := first, 0; t <= to.Unix() && k < maxMonitorPoints; t, k = t+period, k+1 {
		stamps = append(stamps, t)
		vals = append(vals, (seed+float64((k*7)%20))*scale)
	}
	return period, stamps, vals
}

func (s *Service) terminateJob(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p jobIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if s.legacyEnvIDTerminate(req.SecretID) {
		j, e := s.job(req.Action, req.SecretID, p.JobId)
		if e != nil {
			return nil, e
		}
		for _, t := range j.Spec.Tasks {
			if t.EnvID != "" {
				return nil, errTerminateWithEnvID(t.Name, t.EnvID)
			}
		}
	}
	if err := s.eng.TerminateJob(req.SecretID, p.JobId); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) terminateTaskInstance(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobId             string `json:"JobId"`
		TaskName          string `json:"TaskName"`
		TaskInstanceIndex int64  `json:"TaskInstanceIndex"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if s.legacyEnvIDTerminate(req.SecretID) {
		j, e := s.job(req.Action, req.SecretID, p.JobId)
		if e != nil {
			return nil, e
		}
		// Existence (task, index) is answered first, by the engine below.
		n := int64(-1)
		for _, t := range j.Tasks {
			if t.Name == p.TaskName {
				n = int64(len(t.Instances))
			}
		}
		for _, t := range j.Spec.Tasks {
			if t.Name == p.TaskName && t.EnvID != "" && p.TaskInstanceIndex >= 0 && p.TaskInstanceIndex < n {
				return nil, errTerminateWithEnvID(t.Name, t.EnvID)
			}
		}
	}
	if err := s.eng.TerminateTaskInstance(req.SecretID, p.JobId, p.TaskName, int(p.TaskInstanceIndex)); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) retryJobs(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobIds []string `json:"JobIds"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if err := s.eng.RetryJobs(req.SecretID, p.JobIds); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) deleteJob(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p jobIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if err := s.eng.DeleteJob(req.SecretID, p.JobId); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

// legacyEnvIDTerminate: the tenant follows the 2018 reading (seed 002) under
// which instances of jobs in a named environment cannot be terminated; the
// default is the v1.0.162 reading (allowed).
func (s *Service) legacyEnvIDTerminate(tenant string) bool {
	t, ok := s.tenants.Get(tenant)
	return ok && t.LegacyEnvIDTerminate
}

func errTerminateWithEnvID(task, envID string) *api3.Error {
	return api3.Errorf("UnsupportedOperation.TerminateOperationWithEnvId",
		"the task %s runs in the compute environment %s: terminating its instances is not supported", task, envID)
}

// listPriority is a job's Priority in the DescribeJobs view; the fault
// list-view-drops-priority reports the default 0 there (DescribeJob keeps
// the real one).
func listPriority(j engine.Job, dropped bool) int64 {
	if dropped {
		return 0
	}
	return int64(j.Spec.Priority)
}
