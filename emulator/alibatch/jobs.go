package alibatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/listing"
)

// Documented states of jobs, tasks and instances.
const (
	Waiting  = "Waiting"
	Running  = "Running"
	Finished = "Finished"
	Failed   = "Failed"
	Stopped  = "Stopped"
)

// instState maps one engine task instance.
func instState(in engine.TaskInstance) string {
	switch in.State {
	case engine.StateSucceed:
		return Finished
	case engine.StateFailed, engine.StateFailedInterrupted:
		if in.Terminated {
			return Stopped
		}
		return Failed
	case engine.StateRunning, engine.StateStarting:
		// STARTING: the instance got its VM (the catalog's Waiting ->
		// Running trigger); read as Waiting, a VM released under it made
		// a job go Waiting -> Failed, which no document describes
		// (statecheck finding).
		return Running
	}
	if in.RunningTime != nil || in.Retries > 0 {
		return Running // a retry waiting for its next attempt is still running
	}
	return Waiting
}

// aggState maps a task or job: ended states from the engine's aggregate,
// otherwise Waiting until one of its instances has started, then Running.
// After a StartJob (engine RetryJobs, at restarted) only what happened since
// counts: the instances that had finished before it are kept, and the job
// is Waiting again until one of its instances runs (reference §A.7: StartJob
// → Waiting; the statecheck found Stopped → Running when a finished
// instance was counted as started).
func aggState(engineState string, terminated bool, insts []engine.TaskInstance, restarted *time.Time) string {
	switch engineState {
	case engine.StateSucceed:
		return Finished
	case engine.StateFailed, engine.StateFailedInterrupted:
		if terminated {
			return Stopped
		}
		return Failed
	}
	for _, in := range insts {
		if s := instState(in); s != Waiting && movedSince(in, restarted) {
			return Running
		}
	}
	return Waiting
}

// movedSince: the instance started or ended at or after t (nil: always).
// A retry counts (RetryJobs resets the retry count).
func movedSince(in engine.TaskInstance, t *time.Time) bool {
	if t == nil || in.Retries > 0 {
		return true
	}
	for _, x := range []*time.Time{in.LaunchTime, in.RunningTime, in.EndTime} {
		if x != nil && !x.Before(*t) {
			return true
		}
	}
	return false
}

func taskTerminated(t engine.Task) bool {
	for _, in := range t.Instances {
		if in.Terminated {
			return true
		}
	}
	return false
}

func jobState(j engine.Job) string {
	var all []engine.TaskInstance
	for _, t := range j.Tasks {
		all = append(all, t.Instances...)
	}
	return aggState(j.State, j.Terminated, all, j.Restarted)
}

// taskState maps a task of a job restarted at restarted (see aggState).
func taskState(t engine.Task, restarted *time.Time) string {
	return aggState(t.State, taskTerminated(t), t.Instances, restarted)
}

type metrics map[string]int

func newMetrics() metrics {
	return metrics{"WaitingCount": 0, "RunningCount": 0, "FinishedCount": 0, "FailedCount": 0, "StoppedCount": 0}
}

func (m metrics) add(state string) { m[state+"Count"]++ }

func startTime(insts []engine.TaskInstance) string {
	var first *time.Time
	for _, in := range insts {
		if st := started(in); st != nil && (first == nil || st.Before(*first)) {
			first = st
		}
	}
	return tsp(first)
}

// started is when an instance became Running: its command's start, or,
// while its VM prepares it (engine STARTING), when it got the VM.
func started(in engine.TaskInstance) *time.Time {
	if in.RunningTime != nil {
		return in.RunningTime
	}
	if in.State == engine.StateStarting {
		return in.LaunchTime
	}
	return nil
}

func (s *Service) jobView(j engine.Job) map[string]any {
	tm, im := newMetrics(), newMetrics()
	var all []engine.TaskInstance
	for _, t := range j.Tasks {
		tm.add(taskState(t, j.Restarted))
		for _, in := range t.Instances {
			im.add(instState(in))
		}
		all = append(all, t.Instances...)
	}
	state := jobState(j)
	end := ""
	if state == Finished || state == Failed || state == Stopped {
		end = tsp(j.EndTime)
		if end == "" {
			end = ts(latestEnd(all))
		}
	}
	return map[string]any{"Id": j.ID, "Name": j.Spec.Name, "OwnerId": ownerID(j.Tenant), "Priority": j.Spec.Priority,
		"CreationTime": ts(j.CreateTime), "State": state, "Message": j.StateReason, "StartTime": startTime(all), "EndTime": end,
		"TaskMetrics": tm, "InstanceMetrics": im}
}

func latestEnd(insts []engine.TaskInstance) time.Time {
	var t time.Time
	for _, in := range insts {
		if in.EndTime != nil && in.EndTime.After(t) {
			t = *in.EndTime
		}
	}
	return t
}

func taskView(t engine.Task, restarted *time.Time) map[string]any {
	im := newMetrics()
	for _, in := range t.Instances {
		im.add(instState(in))
	}
	state := taskState(t, restarted)
	end := ""
	if state == Finished || state == Failed || state == Stopped {
		end = tsp(t.EndTime)
		if end == "" {
			end = ts(latestEnd(t.Instances))
		}
	}
	return map[string]any{"TaskName": t.Name, "State": state, "StartTime": startTime(t.Instances), "EndTime": end, "InstanceMetrics": im}
}

func instanceView(spec engine.TaskSpec, in engine.TaskInstance) map[string]any {
	state := instState(in)
	exit := 0
	if in.ExitCode != nil {
		exit = *in.ExitCode
	}
	errCode, errMsg := "", ""
	if state == Failed {
		errCode, errMsg = "InstanceFailed", in.StateReason
	}
	end := ""
	if state == Finished || state == Failed || state == Stopped {
		end = tsp(in.EndTime)
	}
	progress := 0
	if state == Finished {
		progress = 100
	}
	return map[string]any{"InstanceId": in.Index, "State": state, "StartTime": tsp(started(in)), "EndTime": end,
		"RetryCount": in.Retries, "Progress": progress, "StdoutRedirectPath": orDefault(in.StdoutPath, spec.StdoutRedirect),
		"StderrRedirectPath": orDefault(in.StderrPath, spec.StderrRedirect),
		"Result":             map[string]any{"ExitCode": exit, "ErrorCode": errCode, "ErrorMessage": errMsg, "Detail": ""},
		"Error":              map[string]any{"Code": errCode, "Message": errMsg}, "Outputs": map[string]any{}, "NodeIp": ""}
}

// ---- jobs ----

func (s *Service) createJob(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	tn := req.AccessKeyID
	key, sum, id, e := s.idempotent(tn, req.Op, p)
	if e != nil {
		return nil, e
	}
	if id != "" {
		return &acs.Response{Body: map[string]any{"Id": id}}, nil
	}
	spec, e := s.jobSpec(tn, p)
	if e != nil {
		return nil, e
	}
	jid, err := s.eng.SubmitJob(spec)
	if err != nil {
		return nil, engineErr(err, Waiting)
	}
	if boolean(p, "AutoRelease") {
		s.mu.Lock()
		s.autoRel[jid] = true
		s.mu.Unlock()
	}
	s.remember(key, sum, jid)
	return &acs.Response{Body: map[string]any{"Id": jid}}, nil
}

// jobSpec translates a validated description. DAG.Dependencies {"a":["b"]}
// means a runs before b.
func (s *Service) jobSpec(tenant string, p map[string]any) (engine.JobSpec, *acs.Error) {
	desc := map[string]any{}
	for k, v := range p {
		if k != "IdempotentToken" {
			desc[k] = v
		}
	}
	spec := engine.JobSpec{Tenant: tenant, Name: str(p, "Name"), Description: str(p, "Description"),
		Priority: num(p, "Priority", 0), Submit: desc, DependOn: engine.DependFinished}
	if boolean(p, "JobFailOnInstanceFail") {
		spec.DependOn = engine.DependSucceed
	}
	dag := obj(p, "DAG")
	tasks := obj(dag, "Tasks")
	names := make([]string, 0, len(tasks))
	for n := range tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		td, _ := tasks[name].(map[string]any)
		ts, e := s.taskSpec(tenant, name, td)
		if e != nil {
			return spec, e
		}
		spec.Tasks = append(spec.Tasks, ts)
	}
	deps := obj(dag, "Dependencies")
	froms := make([]string, 0, len(deps))
	for f := range deps {
		froms = append(froms, f)
	}
	sort.Strings(froms)
	for _, f := range froms {
		l, _ := deps[f].([]any)
		for _, x := range l {
			if to, ok := x.(string); ok {
				spec.Deps = append(spec.Deps, engine.Dep{Start: f, End: to})
			}
		}
	}
	if len(spec.Tasks) == 0 {
		return spec, acs.Invalid("Tasks", "Its size must be in [1, 65536].")
	}
	return spec, nil
}

func (s *Service) taskSpec(tenant, name string, td map[string]any) (engine.TaskSpec, *acs.Error) {
	params := obj(td, "Parameters")
	cmd := obj(params, "Command")
	t := engine.TaskSpec{Name: name, InstanceNum: num(td, "InstanceCount", 1), MaxRetry: num(td, "MaxRetryCount", 0),
		Timeout: time.Duration(num(td, "Timeout", 0)) * time.Second, Command: str(cmd, "CommandLine"),
		PackagePath: str(cmd, "PackagePath"), DeliveryForm: "PACKAGE",
		StdoutRedirect: dirURL(str(params, "StdoutRedirectPath")), StderrRedirect: dirURL(str(params, "StderrRedirectPath"))}
	if t.PackagePath == "" {
		t.DeliveryForm = "LOCAL"
	}
	for _, k := range sortedKeys(obj(cmd, "EnvVars")) {
		t.EnvVars = append(t.EnvVars, engine.KV{Name: k, Value: str(obj(cmd, "EnvVars"), k)})
	}
	// InputMapping {oss://src: /local/dst}; OutputMapping and LogMapping
	// {/local/src: oss://dst}.
	in := obj(td, "InputMapping")
	for _, k := range sortedKeys(in) {
		t.Inputs = append(t.Inputs, engine.Mapping{Source: k, Destination: str(in, k)})
	}
	for _, m := range []map[string]any{obj(td, "OutputMapping"), obj(td, "LogMapping")} {
		for _, k := range sortedKeys(m) {
			t.Outputs = append(t.Outputs, engine.Mapping{Source: k, Destination: str(m, k)})
		}
	}
	if cid := str(td, "ClusterId"); cid != "" {
		c, e := s.findCluster(tenant, cid)
		if e != nil {
			return t, e
		}
		if c.deleting.Load() || len(c.order) == 0 {
			return t, acs.StateConflict("Deleting")
		}
		t.EnvID = c.groups[c.order[0]]
	} else {
		ac := obj(td, "AutoCluster")
		t.InstanceType, t.ImageID = str(ac, "InstanceType"), orDefault(str(ac, "ImageId"), str(ac, "ECSImageId"))
		if t.InstanceType != "" && !knownInstanceType(t.InstanceType) {
			return t, acs.Invalid("InstanceType", "") // documented fallback: Invalid{Parameter}
		}
	}
	return t, nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// dirURL makes a redirect path a directory URL (the engine stores logs under it).
func dirURL(u string) string {
	if u != "" && !strings.HasSuffix(u, "/") {
		return u + "/"
	}
	return u
}

// sweep applies AutoRelease: the tenant's Finished jobs with AutoRelease are
// deleted before the next request is served.
func (s *Service) sweep(tenant string) {
	s.mu.Lock()
	ids := make([]string, 0, len(s.autoRel))
	for id := range s.autoRel {
		ids = append(ids, id)
	}
	var hidden []string
	for id := range s.hidden {
		hidden = append(hidden, id)
	}
	s.mu.Unlock()
	for _, id := range hidden {
		if s.eng.DeleteJob(tenant, id) == nil {
			s.mu.Lock()
			delete(s.hidden, id)
			s.mu.Unlock()
		}
	}
	for _, id := range ids {
		j, err := s.eng.Job(tenant, id)
		if err != nil {
			if _, other := s.eng.Job("", id); other == nil {
				continue // another tenant's job
			}
			s.mu.Lock()
			delete(s.autoRel, id)
			s.mu.Unlock()
			continue
		}
		if jobState(j) == Finished && s.eng.DeleteJob(tenant, id) == nil {
			s.mu.Lock()
			delete(s.autoRel, id)
			s.mu.Unlock()
		}
	}
}

func (s *Service) job(req *acs.Request) (engine.Job, *acs.Error) {
	j, err := s.eng.Job(req.AccessKeyID, req.Vars["JobId"])
	if err != nil || s.isHidden(j.ID) {
		return engine.Job{}, acs.NotFound()
	}
	return s.faulty(j), nil
}

func (s *Service) isHidden(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hidden[id]
}

// faulty applies the state faults to a snapshot (a copy: Terminated is a
// value field, nothing shared is changed).
func (s *Service) faulty(j engine.Job) engine.Job {
	if s.faults.On(faults.AliStoppedAsFailed) {
		j.Terminated = false
	}
	return j
}

func (s *Service) getJob(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	return &acs.Response{Body: s.jobView(j)}, nil
}

func (s *Service) getJobDescription(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	desc, _ := j.Spec.Submit.(map[string]any)
	out := map[string]any{}
	for k, v := range desc {
		out[k] = v
	}
	out["Priority"] = j.Spec.Priority // ChangeJobPriority shows in the description
	return &acs.Response{Body: out}, nil
}

func (s *Service) listJobs(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	want := str(p, "State")
	js := listing.Views(listing.Filter(s.eng.Jobs(req.AccessKeyID), func(j engine.Job) bool { return !s.isHidden(j.ID) }), s.faulty)
	js = listing.Filter(js, func(j engine.Job) bool { return want == "" || jobState(j) == want })
	pg, next, perr := page(js, func(j engine.Job) string { return j.ID }, p)
	if perr != nil {
		return nil, perr
	}
	views := listing.Views(pg, s.jobView)
	return &acs.Response{Body: list(views, next)}, nil
}

// stopJob: only from Waiting or Running (409 otherwise).
func (s *Service) stopJob(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	st := jobState(j)
	if st == Finished && s.faults.On(faults.AliStopFinishedJob) {
		return &acs.Response{}, nil
	}
	if st != Waiting && st != Running {
		return nil, acs.StateConflict(st)
	}
	if err := s.eng.AbortJob(req.AccessKeyID, j.ID); err != nil {
		var ee *engine.Error
		if errors.As(err, &ee) && ee.Kind == engine.ErrInUse {
			// A StopJob already in progress: the job still shows Waiting
			// or Running, from which StopJob is documented (reference
			// §A.7), so a repeated one is accepted, not 409 (statecheck
			// finding: stop-job → stop-job).
			return &acs.Response{}, nil
		}
		return nil, engineErr(err, jobState(j))
	}
	return &acs.Response{}, nil
}

// startJob: only from Stopped or Failed (409 otherwise); the failed and
// stopped instances run again (engine RetryJobs).
func (s *Service) startJob(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	if st := jobState(j); st != Stopped && st != Failed {
		return nil, acs.StateConflict(st)
	}
	if err := s.eng.RetryJobs(req.AccessKeyID, []string{j.ID}); err != nil {
		return nil, engineErr(err, jobState(j))
	}
	return &acs.Response{}, nil
}

// deleteJob: only from Stopped, Finished or Failed (409 otherwise).
func (s *Service) deleteJob(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	st := jobState(j)
	if st != Stopped && st != Finished && st != Failed {
		if !s.faults.On(faults.AliDeleteRunningJob) {
			return nil, acs.StateConflict(st)
		}
		// The fault: the job vanishes at once; the engine (which refuses to
		// delete a running job) stops it and the sweep removes it.
		_ = s.eng.AbortJob(req.AccessKeyID, j.ID)
		s.mu.Lock()
		s.hidden[j.ID] = true
		s.mu.Unlock()
		return &acs.Response{}, nil
	}
	if err := s.eng.DeleteJob(req.AccessKeyID, j.ID); err != nil {
		// A job this dialect shows Failed that the engine still holds open
		// (a Tencent Batch FAILED_INTERRUPTED job of the same tenant, whose
		// instances may still be retried there): DeleteJob is documented
		// for a Failed job, so the job is ended first, then deleted.
		if st != Failed || s.eng.AbortJob(req.AccessKeyID, j.ID) != nil {
			return nil, engineErr(err, st)
		}
		if err := s.eng.DeleteJob(req.AccessKeyID, j.ID); err != nil {
			return nil, engineErr(err, st)
		}
	}
	return &acs.Response{}, nil
}

// changeJobPriority: only while Stopped (the REST doc; the Java doc also
// allows Failed — the catalog records both readings, the emulator follows
// the REST doc).
func (s *Service) changeJobPriority(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	if st := jobState(j); st != Stopped {
		return nil, acs.StateConflict(st)
	}
	if err := s.eng.SetJobPriority(req.AccessKeyID, j.ID, num(p, "Priority", 0)); err != nil {
		return nil, engineErr(err, Stopped)
	}
	return &acs.Response{}, nil
}

// ---- tasks and instances ----

func findTask(j engine.Job, name string) (engine.Task, engine.TaskSpec, bool) {
	for i, t := range j.Tasks {
		if t.Name == name {
			return t, j.Spec.Tasks[i], true
		}
	}
	return engine.Task{}, engine.TaskSpec{}, false
}

func (s *Service) listTasks(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	pg, next, perr := page(append([]engine.Task(nil), j.Tasks...), func(t engine.Task) string { return t.Name }, p)
	if perr != nil {
		return nil, perr
	}
	views := listing.Views(pg, func(t engine.Task) map[string]any { return taskView(t, j.Restarted) })
	return &acs.Response{Body: list(views, next)}, nil
}

func (s *Service) getTask(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	t, _, ok := findTask(j, req.Vars["TaskName"])
	if !ok {
		return nil, acs.NotFound()
	}
	return &acs.Response{Body: taskView(t, j.Restarted)}, nil
}

// listInstances: markers are numeric (instance indices, zero-padded for
// ordering; a client may send the plain number, as the Python SDK's 0).
func (s *Service) listInstances(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	t, spec, ok := findTask(j, req.Vars["TaskName"])
	if !ok {
		return nil, acs.NotFound()
	}
	q := map[string]any{"MaxItemCount": p["MaxItemCount"]}
	if m := str(p, "Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			return nil, acs.Invalid("Marker", "Its type must be integer.")
		}
		q["Marker"] = fmt.Sprintf("%09d", n)
	}
	pg, next, perr := page(append([]engine.TaskInstance(nil), t.Instances...), func(in engine.TaskInstance) string { return fmt.Sprintf("%09d", in.Index) }, q)
	if perr != nil {
		return nil, perr
	}
	if next != "" {
		n, _ := strconv.Atoi(next)
		next = strconv.Itoa(n)
	}
	views := listing.Views(pg, func(in engine.TaskInstance) map[string]any { return instanceView(spec, in) })
	return &acs.Response{Body: list(views, next)}, nil
}

func (s *Service) getInstance(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	j, e := s.job(req)
	if e != nil {
		return nil, e
	}
	t, spec, ok := findTask(j, req.Vars["TaskName"])
	if !ok {
		return nil, acs.NotFound()
	}
	n, err := strconv.Atoi(req.Vars["InstanceId"])
	if err != nil || n < 0 || n >= len(t.Instances) {
		return nil, acs.NotFound()
	}
	return &acs.Response{Body: instanceView(spec, t.Instances[n])}, nil
}

// ---- images ----

type image struct {
	id, tenant, name, desc, ecs, platform, created string
}

// systemImages are listed with Type=System and usable by every tenant.
var systemImages = []image{
	{id: "img-ubuntu", name: "ubuntu", desc: "Ubuntu (system image)", ecs: "ubuntu_16_0402_64_20G_alibase_20170818.vhd", platform: "Linux"},
	{id: "img-centos", name: "centos", desc: "CentOS (system image)", ecs: "centos_7_04_64_20G_alibase_201701015.vhd", platform: "Linux"},
	{id: "img-windows", name: "windows", desc: "Windows Server (system image)", ecs: "win2016_64_dtc_1607_en-us_40G_alibase_20170915.vhd", platform: "Windows"},
}

func (s *Service) imageView(im image, typ string) map[string]any {
	return map[string]any{"Id": im.id, "Name": im.name, "Type": typ, "Description": im.desc, "EcsImageId": im.ecs,
		"OwnerId": ownerID(im.tenant), "Platform": im.platform, "CreationTime": im.created}
}

// createImage: one image per ECS image and tenant (a second registration
// of the same EcsImageId is 403 InvalidResource.AlreadyExisting; inferred).
func (s *Service) createImage(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, im := range s.images {
		if im.tenant == req.AccessKeyID && im.ecs == str(p, "EcsImageId") {
			return nil, acs.Errorf(http.StatusForbidden, "InvalidResource.AlreadyExisting", "Specified resource already exists.")
		}
	}
	s.imgSeq++
	im := &image{id: fmt.Sprintf("img-%010x%06d", ownerID(req.AccessKeyID)&0xffffffffff, s.imgSeq), tenant: req.AccessKeyID,
		name: str(p, "Name"), desc: str(p, "Description"), ecs: str(p, "EcsImageId"), platform: str(p, "Platform"), created: ts(s.eng.Now())}
	s.images[im.id] = im
	return &acs.Response{Body: map[string]any{"Id": im.id}}, nil
}

func (s *Service) findImage(tenant, id string) (image, string, bool) {
	for _, im := range systemImages {
		if im.id == id {
			return im, "System", true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if im := s.images[id]; im != nil && im.tenant == tenant {
		return *im, "Self", true
	}
	return image{}, "", false
}

func (s *Service) getImage(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	im, typ, ok := s.findImage(req.AccessKeyID, req.Vars["ImageId"])
	if !ok {
		return nil, acs.NotFound()
	}
	return &acs.Response{Body: s.imageView(im, typ)}, nil
}

// listImages: Type System or Self (default Self; any other value is ignored
// and lists Self, as the REST doc says).
func (s *Service) listImages(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	typ := "Self"
	if str(p, "Type") == "System" {
		typ = "System"
	}
	var ims []image
	if typ == "System" {
		ims = append(ims, systemImages...)
	} else {
		s.mu.Lock()
		for _, im := range s.images {
			if im.tenant == req.AccessKeyID {
				ims = append(ims, *im)
			}
		}
		s.mu.Unlock()
	}
	pg, next, perr := page(ims, func(im image) string { return im.id }, p)
	if perr != nil {
		return nil, perr
	}
	views := listing.Views(pg, func(im image) map[string]any { return s.imageView(im, typ) })
	return &acs.Response{Body: list(views, next)}, nil
}

func (s *Service) deleteImage(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	_, typ, ok := s.findImage(req.AccessKeyID, req.Vars["ImageId"])
	if !ok {
		return nil, acs.NotFound()
	}
	if typ == "System" {
		return nil, acs.Errorf(http.StatusForbidden, "Forbidden", "User not authorized to operate on the specified resource.")
	}
	s.mu.Lock()
	delete(s.images, req.Vars["ImageId"])
	s.mu.Unlock()
	return &acs.Response{}, nil
}
