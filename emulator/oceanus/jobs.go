package oceanus

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/emulator/faults"
)

// ---- CreateJob ----

func (s *Service) createJob(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Name                string  `json:"Name"`
		JobType             int64   `json:"JobType"`
		ClusterType         int64   `json:"ClusterType"`
		ClusterID           string  `json:"ClusterId"`
		CuMem               *int64  `json:"CuMem"`
		Remark              string  `json:"Remark"`
		FolderID            string  `json:"FolderId"`
		FlinkVersion        string  `json:"FlinkVersion"`
		WorkSpaceID         string  `json:"WorkSpaceId"`
		Tags                []wTag  `json:"Tags"`
		Description         string  `json:"Description"`
		OpenJobDefaultAlarm int64   `json:"OpenJobDefaultAlarm"`
		JdkVersion          string  `json:"JdkVersion"`
		Uid                 *uint64 `json:"Uid"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	t := s.tenant(req.SecretID)
	if t.Oceanus.NotAuthenticated {
		return nil, api3.Errorf("FailedOperation.UserNotAuthenticated", "the account has not passed real-name verification")
	}
	if e := checkJobName(p.Name, "InvalidParameter.InvalidName"); e != nil {
		return nil, e
	}
	if len(p.Tags) > maxTags && !s.on(faults.OceanusUnlimitedTags) {
		return nil, api3.Errorf("LimitExceeded", "a resource carries at most %d tags, got %d", maxTags, len(p.Tags))
	}
	if p.JobType != 1 && p.JobType != 2 {
		return nil, api3.Errorf("InvalidParameterValue", "JobType must be 1 (SQL) or 2 (JAR)")
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", p.WorkSpaceID)
	}
	folderID := p.FolderID
	if folderID == "" {
		folderID = RootFolderID
	}
	if f, ok := a.folders[folderID]; !ok || f.folderType != 0 {
		return nil, api3.Errorf("InvalidParameterValue", "the job folder %s does not exist", folderID)
	}
	cl, e := s.jobCluster(a, p.ClusterType, p.ClusterID, p.JobType)
	if e != nil {
		return nil, e
	}
	cuMem := i64(p.CuMem, 4)
	if p.JobType == 2 && p.FlinkVersion == "Flink-1.11" && cuMem == 2 {
		// Inferred: the one composite of type, version and spec the
		// platform does not offer (InvalidParameterValue.UnSupportedComposite).
		return nil, api3.Errorf("InvalidParameterValue.UnSupportedComposite", "JAR jobs on Flink-1.11 do not support CuMem 2")
	}
	if e := s.checkCuMem(t.Oceanus.CuMemWhitelist, cl, cuMem); e != nil {
		return nil, e
	}
	if j := a.jobByName(p.Name, ws.id); j != nil && !s.on(faults.OceanusDuplicateJobName) {
		if t.Oceanus.LegacyDuplicatedJobName {
			return nil, api3.Errorf("FailedOperation.DuplicatedJobName", "a job named %q already exists", p.Name)
		}
		return nil, api3.Errorf("InvalidParameterValue.JobNameExisted", "a job named %q already exists", p.Name)
	}
	if len(a.jobs) >= quota(t.Oceanus.MaxJobs, DefaultMaxJobs) && !s.on(faults.OceanusIgnoreJobLimit) {
		return nil, api3.Errorf("LimitExceeded.Job", "an AppId may create at most %d jobs", quota(t.Oceanus.MaxJobs, DefaultMaxJobs))
	}
	if p.OpenJobDefaultAlarm == 1 {
		n := 0
		for _, j := range a.jobs {
			if j.openAlarm == 1 {
				n++
			}
		}
		if n >= quota(t.Oceanus.MaxAlarmJobs, defaultQuota) {
			return nil, api3.Errorf("LimitExceeded.JobDefaultMonitorLimitExceeded", "the default job alarm quota is used up")
		}
	}
	now := s.now()
	j := &job{id: s.ids.NewID("cql-"), region: req.Region, name: p.Name, remark: p.Remark, description: p.Description,
		folderID: folderID, flinkVersion: p.FlinkVersion, workspaceID: ws.id, clusterID: cl.id,
		jobType: p.JobType, clusterType: p.ClusterType, cuMem: cuMem, tags: p.Tags, openAlarm: p.OpenJobDefaultAlarm,
		jdkVersion: p.JdkVersion, status: StatusUninitialized, created: now, updated: now}
	if j.flinkVersion == "" {
		j.flinkVersion = "Flink-1.13"
	}
	a.jobs[j.id] = j
	return map[string]any{"JobId": j.id}, nil
}

// checkJobName applies the documented name rule: under 50 characters
// (InvalidParameterValue.JobName, "Illegal JobName") of Chinese characters,
// letters, digits, -, _ and . (badChars otherwise). The catalog's rules check
// the same first; this keeps the façade honest when they are switched off.
func checkJobName(name, badChars string) *api3.Error {
	if name == "" || utf8.RuneCountInString(name) > 49 {
		return api3.Errorf("InvalidParameterValue.JobName", "Illegal JobName: %d characters (fewer than 50 allowed)", utf8.RuneCountInString(name))
	}
	if !jobNameShape.MatchString(name) {
		return api3.Errorf(badChars, "the job name %q may hold only Chinese characters, letters, digits, -, _ and .", name)
	}
	return nil
}

// jobCluster resolves the cluster a job runs on (CreateJob, CopyJobs).
func (s *Service) jobCluster(a *account, clusterType int64, id string, jobType int64) (*cluster, *api3.Error) {
	switch clusterType {
	case 1:
		if jobType == 2 && !s.on(faults.OceanusJarOnShared) {
			return nil, api3.Errorf("InvalidParameterValue.JobTypeCombineWithClusterType", "JAR jobs (JobType 2) cannot run on the shared cluster (ClusterType 1)")
		}
		if id == "" {
			id = SharedClusterID
		}
	case 2:
		if id == "" {
			return nil, api3.Errorf("InvalidParameterValue.ClusterId", "ClusterId is required when ClusterType is 2")
		}
	default:
		return nil, api3.Errorf("InvalidParameterValue", "ClusterType must be 1 (shared) or 2 (dedicated)")
	}
	if !clusterIDShape.MatchString(id) {
		return nil, api3.Errorf("InvalidParameterValue.ClusterId", "%q is not a cluster ID", id)
	}
	cl, ok := a.clusters[id]
	if !ok {
		if s.on(faults.OceanusUnknownClusterCode) {
			return nil, api3.Errorf("InvalidParameterValue.ClusterId", "the cluster %s does not exist", id)
		}
		return nil, api3.Errorf("ResourceNotFound.ClusterId", "the cluster %s does not exist", id)
	}
	if cl.shared != (clusterType == 1) {
		return nil, api3.Errorf("InvalidParameterValue.ClusterId", "the cluster %s is not a %s cluster", id, map[bool]string{true: "shared", false: "dedicated"}[clusterType == 1])
	}
	switch cl.statusAt(s.now()) {
	case 2:
	case 3:
		return nil, api3.Errorf("ResourceUnavailable.ClusterGroupStatus", "the cluster %s is initializing or scaling", id)
	default:
		if !s.on(faults.OceanusStoppedClusterRuns) {
			return nil, api3.Errorf("ResourceUnavailable.Cluster", "the cluster %s is not running", id)
		}
	}
	return cl, nil
}

func (s *Service) checkCuMem(whitelist bool, cl *cluster, cuMem int64) *api3.Error {
	switch cuMem {
	case 2, 4, 8, 16:
	default:
		return api3.Errorf("InvalidParameterValue.CuMem", "CuMem must be 2, 4, 8 or 16, got %d", cuMem)
	}
	if cl.shared {
		if cuMem != 4 {
			return api3.Errorf("ResourceUnavailable.ReqCuMem", "shared clusters only allow CuMem=4")
		}
		return nil
	}
	if (cuMem == 8 || cuMem == 16) && !whitelist {
		return api3.Errorf("InvalidParameterValue.CuMem", "CuMem %d needs the whitelist", cuMem)
	}
	if cuMem != cl.cuMem && !whitelist {
		return api3.Errorf("InvalidParameterValue.CuMem", "CuMem %d does not match the cluster's CU memory %d", cuMem, cl.cuMem)
	}
	return nil
}

// ---- job lookups ----

// findJob resolves a JobId: malformed IDs answer badShape, unknown ones
// notFound (each action names its documented codes).
func (a *account) findJob(id, badShape, notFound string) (*job, *api3.Error) {
	if !jobIDShape.MatchString(id) {
		return nil, api3.Errorf(badShape, "%q is not a job ID (cql-xxxxxxxx)", id)
	}
	j, ok := a.jobs[id]
	if !ok {
		return nil, api3.Errorf(notFound, "the job %s does not exist", id)
	}
	return j, nil
}

// operation is how long status 3 lasts (nothing under the skip-in-progress fault).
func (s *Service) operation() time.Duration {
	if s.on(faults.OceanusSkipInProgress) {
		return 0
	}
	return s.timing.Operation
}

// total is a list's TotalCount: every match (the page's size under the
// total-count-of-page fault).
func (s *Service) total(all, page int) int {
	if s.on(faults.OceanusPageTotalCount) {
		return page
	}
	return all
}

// ---- ModifyJob ----

func (s *Service) modifyJob(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID          string  `json:"JobId"`
		Name           *string `json:"Name"`
		Remark         *string `json:"Remark"`
		TargetFolderID *string `json:"TargetFolderId"`
		Description    *string `json:"Description"`
		ContinueAlarm  *int64  `json:"ContinueAlarm"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.Job", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	if p.Name != nil {
		if e := checkJobName(*p.Name, "InvalidParameterValue.JobName"); e != nil {
			return nil, e
		}
		if o := a.jobByName(*p.Name, j.workspaceID); o != nil && o != j && !s.on(faults.OceanusRenameDuplicate) {
			return nil, api3.Errorf("FailedOperation.DuplicatedJobName", "a job named %q already exists", *p.Name)
		}
	}
	if p.TargetFolderID != nil {
		if f, ok := a.folders[*p.TargetFolderID]; !ok || f.folderType != 0 {
			return nil, api3.Errorf("InvalidParameterValue", "the job folder %s does not exist", *p.TargetFolderID)
		}
	}
	if p.Name != nil {
		j.name = *p.Name
	}
	if p.Remark != nil {
		j.remark = *p.Remark
	}
	if p.Description != nil {
		j.description = *p.Description
	}
	if p.TargetFolderID != nil {
		j.folderID = *p.TargetFolderID
	}
	if p.ContinueAlarm != nil {
		j.continueAlarm = *p.ContinueAlarm
	}
	j.updated = s.now()
	return map[string]any{}, nil
}

// ---- CopyJobs ----

func (s *Service) copyJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobItems []struct {
			SourceID        string `json:"SourceId"`
			TargetClusterID string `json:"TargetClusterId"`
			SourceName      string `json:"SourceName"`
			TargetName      string `json:"TargetName"`
			TargetFolderID  string `json:"TargetFolderId"`
			JobType         int64  `json:"JobType"`
		} `json:"JobItems"`
		WorkSpaceID       string `json:"WorkSpaceId"`
		TargetWorkspaceID string `json:"TargetWorkspaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if len(p.JobItems) == 0 || len(p.JobItems) > MaxBatch {
		return nil, api3.Errorf("InvalidParameterValue", "JobItems must hold 1 to %d items", MaxBatch)
	}
	target := p.TargetWorkspaceID
	if target == "" {
		target = p.WorkSpaceID
	}
	ws, ok := a.workspace(target)
	if !ok {
		return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", target)
	}
	// Every item is checked before any copy is made; a failing item is
	// reported in its result (Result -1), as documented, not as an error.
	type plan struct {
		src  *job
		name string
		cl   *cluster
		fold string
		msg  string
	}
	plans := make([]plan, len(p.JobItems))
	names := map[string]bool{}
	for i, it := range p.JobItems {
		src, ok := a.jobs[it.SourceID]
		if !ok {
			return nil, api3.Errorf("ResourceNotFound.Job", "the job %s does not exist", it.SourceID)
		}
		pl := plan{src: src, name: it.TargetName, fold: it.TargetFolderID}
		if pl.name == "" {
			pl.name = src.name + "_copy"
		}
		if pl.fold == "" {
			pl.fold = RootFolderID
		}
		clusterID := it.TargetClusterID
		if clusterID == "" {
			clusterID = src.clusterID
		}
		cl, ok := a.clusters[clusterID]
		if ok && cl.shared && src.jobType == 2 {
			// Shared clusters run SQL jobs only (CreateJob's
			// JobTypeCombineWithClusterType); CopyJobs documents no such
			// code, so the copy is the generic UnsupportedOperation.
			return nil, api3.Errorf("UnsupportedOperation", "the JAR job %s cannot be copied to the shared cluster %s", src.id, cl.id)
		}
		switch {
		case !ok:
			pl.msg = "the target cluster " + clusterID + " does not exist"
		case !jobNameShape.MatchString(pl.name):
			pl.msg = "Illegal JobName " + strconv.Quote(pl.name)
		case a.jobByName(pl.name, ws.id) != nil || names[pl.name]:
			pl.msg = "a job named " + strconv.Quote(pl.name) + " already exists"
		case a.folders[pl.fold] == nil:
			pl.msg = "the folder " + pl.fold + " does not exist"
		}
		pl.cl = cl
		names[pl.name] = true
		plans[i] = pl
	}
	t := s.tenant(req.SecretID)
	ok2 := 0
	for _, pl := range plans {
		if pl.msg == "" {
			ok2++
		}
	}
	if len(a.jobs)+ok2 > quota(t.Oceanus.MaxJobs, DefaultMaxJobs) {
		return nil, api3.Errorf("LimitExceeded", "an AppId may create at most %d jobs", quota(t.Oceanus.MaxJobs, DefaultMaxJobs))
	}
	now := s.now()
	results := make([]map[string]any, 0, len(plans))
	success, fail := 0, 0
	for _, pl := range plans {
		r := map[string]any{"JobId": pl.src.id, "JobName": pl.src.name, "TargetJobName": pl.name, "JobType": pl.src.jobType}
		if pl.cl != nil {
			r["ClusterId"], r["ClusterName"] = pl.cl.id, pl.cl.name
		}
		if pl.msg != "" {
			fail++
			r["Result"], r["Message"] = -1, pl.msg
			results = append(results, r)
			continue
		}
		j := &job{id: s.ids.NewID("cql-"), region: pl.src.region, name: pl.name, remark: pl.src.remark, description: pl.src.description,
			folderID: pl.fold, flinkVersion: pl.src.flinkVersion, workspaceID: ws.id, clusterID: pl.cl.id,
			jobType: pl.src.jobType, clusterType: pl.src.clusterType, cuMem: pl.src.cuMem, tags: pl.src.tags,
			status: StatusUninitialized, created: now, updated: now}
		// The copy takes the source's latest configuration as its first version.
		if c := pl.src.latestConfig(); c != nil {
			cp := *c
			cp.version, cp.created, cp.updated = 1, now, now
			j.configs, j.latestVersion, j.status = []*jobConfig{&cp}, 1, StatusUnpublished
		}
		a.jobs[j.id] = j
		success++
		r["TargetJobId"], r["Result"] = j.id, 0
		results = append(results, r)
	}
	return map[string]any{"SuccessCount": success, "FailCount": fail, "CopyJobsResults": results}, nil
}

// ---- DeleteJobs ----

func (s *Service) deleteJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobIDs      []string `json:"JobIds"`
		JobNames    []string `json:"JobNames"`
		WorkSpaceID string   `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if len(p.JobIDs)+len(p.JobNames) > MaxBatch {
		return nil, api3.Errorf("InvalidParameterValue.JobIdValueError", "at most %d jobs per call", MaxBatch)
	}
	var del []*job
	for _, id := range p.JobIDs {
		// A JobIds element of no job: ResourceNotFound.JobId, as DescribeJobs
		// answers it; a JobNames element of no job: ResourceNotFound.Job.
		j, e := a.findJob(id, "InvalidParameterValue.JobIdValueError", "ResourceNotFound.JobId")
		if e != nil {
			return nil, e
		}
		del = append(del, j)
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", p.WorkSpaceID)
	}
	for _, n := range p.JobNames {
		j := a.jobByName(n, ws.id)
		if j == nil {
			return nil, api3.Errorf("ResourceNotFound.Job", "no job is named %q", n)
		}
		del = append(del, j)
	}
	for _, j := range del {
		if j.status == StatusInProgress && !s.on(faults.OceanusDeleteRunning) {
			// An operation (start, stop, pause) is under way: the job is
			// busy, as StopJobs answers for it (catalog: ResourceInUse).
			return nil, api3.Errorf("ResourceInUse", "an operation on the job %s is in progress", j.id)
		}
		if j.status == StatusRunning && !s.on(faults.OceanusDeleteRunning) {
			return nil, api3.Errorf("ResourceUnavailable.NotAllowedToBeDeleted", "the job %s is %s and cannot be deleted", j.id, statusDesc(j.status))
		}
	}
	if s.on(faults.OceanusDeletedJobFound) {
		return map[string]any{}, nil
	}
	for _, j := range del {
		delete(a.jobs, j.id)
	}
	return map[string]any{}, nil
}

// ---- DescribeJobs ----

func (s *Service) describeJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobIDs      []string        `json:"JobIds"`
		Filters     []facade.Filter `json:"Filters"`
		Offset      *int64          `json:"Offset"`
		Limit       *int64          `json:"Limit"`
		WorkSpaceID string          `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if len(p.JobIDs) > 0 && len(p.Filters) > 0 {
		return nil, api3.Errorf("InvalidParameterValue", "JobIds and Filters cannot be given together")
	}
	var jobs []*job
	if len(p.JobIDs) > 0 {
		for _, id := range p.JobIDs {
			j, ok := a.jobs[id]
			if !ok {
				if s.on(faults.OceanusUnknownJobIgnored) {
					continue
				}
				return nil, api3.Errorf("ResourceNotFound.JobId", "the job %s does not exist", id)
			}
			if !facade.Contains(jobs, j) {
				jobs = append(jobs, j)
			}
		}
	} else {
		ws, ok := a.workspace(p.WorkSpaceID)
		if !ok {
			return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", p.WorkSpaceID)
		}
		for _, j := range a.sortedJobs() {
			if p.WorkSpaceID == "" || j.workspaceID == ws.id {
				jobs = append(jobs, j)
			}
		}
		var e *api3.Error
		jobs, e = filters(jobs, p.Filters, func(name string, vals []string) (func(*job) bool, *api3.Error) {
			switch name {
			case "Name":
				return oneOf(vals, func(j *job) string { return j.name }), nil
			case "JobId":
				return oneOf(vals, func(j *job) string { return j.id }), nil
			case "ClusterId":
				return oneOf(vals, func(j *job) string { return j.clusterID }), nil
			case "ClusterName":
				return oneOf(vals, func(j *job) string { return a.clusterName(j.clusterID) }), nil
			case "Status":
				for _, v := range vals {
					if _, err := strconv.Atoi(v); err != nil {
						return nil, api3.Errorf("InvalidParameterValue", "the Status filter takes job statuses, got %q", v)
					}
				}
				return oneOf(vals, func(j *job) string { return strconv.FormatInt(j.status, 10) }), nil
			}
			return nil, nil
		})
		if e != nil {
			return nil, e
		}
	}
	x, y := s.page(req.Action, len(jobs), p.Offset, p.Limit, 20)
	set := make([]map[string]any, 0, y-x)
	lost := s.tenant(req.SecretID).Oceanus.Lost
	for _, j := range jobs[x:y] {
		if e := s.describeLostConfig(lost, j); e != nil {
			return nil, e
		}
		set = append(set, s.jobV1(a, j))
	}
	return map[string]any{"TotalCount": s.total(len(jobs), y-x), "JobSet": set}, nil
}

func (a *account) clusterName(id string) string {
	if c, ok := a.clusters[id]; ok {
		return c.name
	}
	return ""
}

func statusDesc(st int64) string {
	switch st {
	case StatusUninitialized:
		return "UNINITIALIZED"
	case StatusUnpublished:
		return "NOT_PUBLISHED"
	case StatusInProgress:
		return "OPERATING"
	case StatusRunning:
		return "RUNNING"
	case StatusStopped:
		return "STOPPED"
	case StatusPaused:
		return "PAUSED"
	case StatusFailed:
		return "FAILED"
	}
	return "UNKNOWN"
}

// jobV1 is the documented JobV1 of a job now.
func (s *Service) jobV1(a *account, j *job) map[string]any {
	now := s.now()
	cl := a.clusters[j.clusterID]
	var current int64
	if j.status == StatusRunning {
		current = now.Sub(j.started).Milliseconds()
	}
	m := map[string]any{
		"JobId": j.id, "Region": a.region, "Zone": a.region + "-3", "AppId": a.appID,
		"OwnerUin": a.uin, "CreatorUin": a.uin, "Name": j.name, "JobType": j.jobType,
		"Status": j.status, "StatusDesc": statusDesc(j.status),
		"CreateTime": s.ts(j.created), "StartTime": s.tsOr(j.started), "StopTime": s.tsOr(j.stopped),
		"UpdateTime": s.ts(j.updated), "TotalRunMillis": j.runMillis + current, "CurrentRunMillis": current,
		"Remark": j.remark, "LastOpResult": j.lastOp, "ClusterId": j.clusterID,
		"LatestJobConfigVersion": j.latestVersion, "PublishedJobConfigVersion": j.published,
		"RunningCuNum": j.runningCU(), "RunningCu": float64(j.runningCU()), "CuMem": j.cuMem,
		"WebUIUrl": "", "SchedulerType": 2, "FlinkVersion": j.flinkVersion,
		"WorkSpaceId": j.workspaceID, "Tags": tagsOut(j.tags), "Description": j.description,
		"OpenJobDefaultAlarm": j.openAlarm, "ContinueAlarm": j.continueAlarm, "RestartCount": j.restarts,
		"JdkVersion": j.jdkVersion, "ProgressDesc": "",
	}
	if c := j.latestConfig(); c != nil {
		m["LatestValidJobConfigVersion"] = c.version
	} else {
		m["LatestValidJobConfigVersion"] = 0
	}
	if cl != nil {
		m["ClusterName"], m["ClusterStatus"] = cl.name, cl.statusAt(now)
	}
	if ws, ok := a.workspaces[j.workspaceID]; ok {
		m["WorkSpaceName"] = ws.name
	}
	return m
}

func tagsOut(t []wTag) []wTag {
	if t == nil {
		return []wTag{}
	}
	return t
}

// ---- RunJobs / StopJobs ----

func (s *Service) runJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		RunJobDescriptions []struct {
			JobID            string `json:"JobId"`
			RunType          int64  `json:"RunType"`
			StartMode        string `json:"StartMode"`
			JobConfigVersion *int64 `json:"JobConfigVersion"`
			SavepointPath    string `json:"SavepointPath"`
			SavepointID      string `json:"SavepointId"`
			KafkaScanMode    string `json:"KafkaScanMode"`
			CustomTimestamp  *int64 `json:"CustomTimestamp"`
			UseOldSystem     *bool  `json:"UseOldSystemConnector"`
		} `json:"RunJobDescriptions"`
		WorkSpaceID string `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if n := len(p.RunJobDescriptions); n == 0 || n > MaxBatch {
		return nil, api3.Errorf("InvalidParameterValue.RunJobDescriptionsCount", "RunJobDescriptions must hold 1 to %d items, got %d", MaxBatch, n)
	}
	now := s.now()
	lost := s.tenant(req.SecretID).Oceanus.Lost
	type plan struct {
		j       *job
		version int64
		resume  bool
	}
	plans := make([]plan, 0, len(p.RunJobDescriptions))
	seen := map[string]bool{}
	needCU := map[string]int64{}
	for _, d := range p.RunJobDescriptions {
		j, e := a.findJob(d.JobID, "InvalidParameterValue.JobIdValueError", "ResourceNotFound.Job")
		if e != nil {
			return nil, e
		}
		if req.Region != "" && req.Region != j.region {
			return nil, api3.Errorf("InvalidParameter.InvalidRegion", "the job %s is in %s, not %s", j.id, j.region, req.Region)
		}
		if seen[j.id] {
			return nil, api3.Errorf("InvalidParameterValue.JobIdValueError", "the job %s is named twice", j.id)
		}
		seen[j.id] = true
		if d.RunType != 1 && d.RunType != 2 {
			return nil, api3.Errorf("InvalidParameterValue.RunType", "RunType must be 1 (start) or 2 (resume), got %d", d.RunType)
		}
		if d.StartMode != "" && !validStartMode(d.StartMode) {
			return nil, api3.Errorf("InvalidParameterValue.InvalidStartMode", "StartMode must be LATEST, EARLIEST or T<milliseconds>, got %q", d.StartMode)
		}
		if d.StartMode != "" && j.jobType != 1 {
			return nil, api3.Errorf("UnsupportedOperation.UnsupportedStartMode", "StartMode applies to SQL jobs only")
		}
		switch {
		case j.status == StatusInProgress, j.status == StatusRunning && !s.on(faults.OceanusRunRunning):
			return nil, api3.Errorf("ResourceInUse.InstanceInProcess", "the job %s is %s", j.id, statusDesc(j.status))
		case j.status == StatusUninitialized && !s.on(faults.OceanusRunWithoutConfig):
			return nil, api3.Errorf("ResourceNotFound.JobConfig", "the job %s has no configuration", j.id)
		}
		resumable := j.status == StatusPaused || s.on(faults.OceanusResumeStopped) && (j.status == StatusStopped || j.status == StatusFailed)
		if d.RunType == 2 && !resumable {
			return nil, api3.Errorf("ResourceUnavailable.NoRunningJobInstancesFoundForJobId", "the job %s has no paused instance to resume", j.id)
		}
		if d.RunType == 1 && j.status == StatusPaused {
			return nil, api3.Errorf("ResourceInUse.InstanceInProcess", "the job %s is paused: resume it (RunType 2) or stop it first", j.id)
		}
		pl := plan{j: j, resume: d.RunType == 2}
		switch {
		case pl.resume:
			pl.version = j.runningVersion
		case d.JobConfigVersion != nil && *d.JobConfigVersion > 0:
			if j.config(*d.JobConfigVersion) == nil {
				return nil, api3.Errorf("ResourceNotFound.JobConfig", "the job %s has no configuration version %d", j.id, *d.JobConfigVersion)
			}
			pl.version = *d.JobConfigVersion
		case j.latestConfig() != nil:
			pl.version = j.latestConfig().version
		}
		c := j.config(pl.version)
		if c == nil {
			if !s.on(faults.OceanusRunWithoutConfig) {
				return nil, api3.Errorf("ResourceNotFound.JobConfig", "the job %s has no configuration version %d", j.id, pl.version)
			}
			c = &jobConfig{} // the fault runs nothing from nowhere
		}
		if d.SavepointID != "" && j.savepointByID(d.SavepointID) == nil {
			return nil, api3.Errorf("ResourceNotFound", "the savepoint %s does not exist", d.SavepointID)
		}
		// What the account lost outside the API answers before a version
		// still syncing: a package that is gone will never be ready.
		if e := s.runLost(lost, j, c); e != nil {
			return nil, e
		}
		for _, r := range c.refs {
			res, ok := a.resources[r.ResourceID]
			if !ok {
				return nil, api3.Errorf("ResourceNotFound.Resource", "the resource %s does not exist", r.ResourceID)
			}
			v := res.version(r.Version)
			if v == nil {
				return nil, api3.Errorf("ResourceNotFound.Resource", "the resource %s has no version %d", r.ResourceID, r.Version)
			}
			if now.Before(v.created.Add(s.timing.ResourceSync)) {
				return nil, api3.Errorf("ResourceUnavailable.JobResourceConfigNotReady", "the resource %s version %d is still syncing", r.ResourceID, v.version)
			}
		}
		if e := s.checkpointBucket(a, c); e != nil && !pl.resume {
			return nil, e
		}
		cl, ok := a.clusters[j.clusterID]
		if !ok {
			return nil, api3.Errorf("ResourceNotFound.ClusterId", "the job's cluster %s no longer exists", j.clusterID)
		}
		if cl.statusAt(now) != 2 {
			return nil, api3.Errorf("ResourceUnavailable", "the job's cluster %s is not running", cl.id)
		}
		need := c.parallelism
		if need <= 0 {
			need = 1
		}
		needCU[cl.id] += need
		if a.clusterUsedCU(cl.id)+needCU[cl.id] > cl.cuNum && !s.on(faults.OceanusUnlimitedCU) {
			return nil, api3.Errorf("ResourceInsufficient.CU", "the cluster %s has %d free CU, the jobs need %d", cl.id, cl.cuNum-a.clusterUsedCU(cl.id), needCU[cl.id])
		}
		plans = append(plans, pl)
	}
	for _, pl := range plans {
		j := pl.j
		j.status, j.updated, j.runningVersion = StatusInProgress, now, pl.version
		if !pl.resume {
			if j.published < pl.version && !s.on(faults.OceanusNoPublish) {
				j.published = pl.version
			}
			if c := j.config(pl.version); c != nil {
				c.updated = now
			}
			j.runs = append(j.runs, jobRun{id: int64(len(j.runs) + 1), started: now, version: pl.version})
			j.log(now, "INFO  com.qcloud.oceanus.ca.service.RunJobService  - Start to run job "+j.id+" with config version "+strconv.FormatInt(pl.version, 10))
		}
		ev, desc := "1", "作业启动"
		if pl.resume {
			ev, desc = "4", "作业恢复"
		}
		steps := []step{{at: now.Add(s.operation()), to: StatusRunning, ev: ev, desc: desc}}
		if j.failing() && !s.on(faults.OceanusNeverFails) {
			steps = append(steps, step{at: now.Add(s.operation() + s.timing.FailAfter), to: StatusFailed, ev: "21", desc: "发生作业失败"})
		}
		j.schedule(steps...)
		j.settle(now) // due at once only under the skip-in-progress fault
	}
	return map[string]any{}, nil
}

func validStartMode(m string) bool {
	switch m {
	case "LATEST", "EARLIEST":
		return true
	}
	if strings.HasPrefix(m, "T") && len(m) > 1 {
		_, err := strconv.ParseUint(m[1:], 10, 64)
		return err == nil
	}
	return false
}

func (s *Service) stopJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		StopJobDescriptions []struct {
			JobID    string `json:"JobId"`
			StopType int64  `json:"StopType"`
		} `json:"StopJobDescriptions"`
		WorkSpaceID string `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if n := len(p.StopJobDescriptions); n == 0 || n > MaxBatch {
		return nil, api3.Errorf("InvalidParameterValue", "StopJobDescriptions must hold 1 to %d items, got %d", MaxBatch, n)
	}
	type plan struct {
		j     *job
		pause bool
	}
	var plans []plan
	seen := map[string]bool{}
	lost := s.tenant(req.SecretID).Oceanus.Lost
	for _, d := range p.StopJobDescriptions {
		if d.StopType != 1 && d.StopType != 2 {
			return nil, api3.Errorf("InvalidParameterValue.UnknownStopType", "StopType must be 1 (stop) or 2 (pause), got %d", d.StopType)
		}
		j, e := a.findJob(d.JobID, "ResourceNotFound.Job", "ResourceNotFound.Job")
		if e != nil {
			return nil, e
		}
		if seen[j.id] {
			return nil, api3.Errorf("InvalidParameterValue", "the job %s is named twice", j.id)
		}
		seen[j.id] = true
		switch {
		case j.status == StatusInProgress:
			return nil, api3.Errorf("ResourceInUse", "an operation on the job %s is in progress", j.id)
		case (j.status == StatusUninitialized || j.status == StatusUnpublished) && s.on(faults.OceanusStopNeverRunCode):
			return nil, api3.Errorf("ResourceUnavailable.NotAllowedToBeStopOrPause", "the job %s has never run", j.id)
		case j.status == StatusUninitialized || j.status == StatusUnpublished:
			return nil, api3.Errorf("ResourceUnavailable.NoRunningJobInstancesFoundForJobId", "the job %s has never run", j.id)
		case j.status == StatusRunning, j.status == StatusPaused && d.StopType == 1:
		default:
			return nil, api3.Errorf("ResourceUnavailable.NotAllowedToBeStopOrPause", "the job %s is %s and cannot be %s", j.id, statusDesc(j.status), map[bool]string{true: "paused", false: "stopped"}[d.StopType == 2])
		}
		if e := s.stopLost(lost, j); e != nil {
			return nil, e
		}
		if d.StopType == 2 {
			// Pausing takes a savepoint into the config's COS bucket.
			if e := s.checkpointBucket(a, j.config(j.runningVersion)); e != nil {
				return nil, e
			}
		}
		plans = append(plans, plan{j: j, pause: d.StopType == 2})
	}
	now := s.now()
	for _, pl := range plans {
		j := pl.j
		to, ev, desc := int64(StatusStopped), "2", "作业停止"
		if s.on(faults.OceanusStopPauses) {
			to = StatusPaused
		}
		if pl.pause {
			to, ev, desc = StatusPaused, "3", "作业暂停"
			// Pausing takes a savepoint (cancel with savepoint, RecordType 3).
			j.addSavepoint(s, now, 3, "pause")
		}
		j.status, j.updated = StatusInProgress, now
		j.schedule(step{at: now.Add(s.operation()), to: to, ev: ev, desc: desc})
		j.settle(now)
	}
	return map[string]any{}, nil
}

// ---- job configs ----

func (s *Service) createJobConfig(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID                    string        `json:"JobId"`
		EntrypointClass          string        `json:"EntrypointClass"`
		ProgramArgs              string        `json:"ProgramArgs"`
		ResourceRefs             []resourceRef `json:"ResourceRefs"`
		DefaultParallelism       *int64        `json:"DefaultParallelism"`
		Properties               []property    `json:"Properties"`
		AutoDelete               int64         `json:"AutoDelete"`
		COSBucket                string        `json:"COSBucket"`
		LogCollect               *bool         `json:"LogCollect"`
		LogCollectType           *int64        `json:"LogCollectType"`
		ClsLogsetID              string        `json:"ClsLogsetId"`
		ClsTopicID               string        `json:"ClsTopicId"`
		CheckpointIntervalSecond *int64        `json:"CheckpointIntervalSecond"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.JobId", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	if req.Region != "" && req.Region != j.region {
		return nil, api3.Errorf("InvalidParameter.InvalidRegion", "the job %s is in %s, not %s", j.id, j.region, req.Region)
	}
	if p.EntrypointClass != "" && j.jobType == 1 {
		return nil, api3.Errorf("InvalidParameterValue.JobTypeCombineWithEntrypointClass", "SQL jobs take no EntrypointClass")
	}
	if p.EntrypointClass == "" && j.jobType == 2 {
		return nil, api3.Errorf("InvalidParameterValue.JobTypeCombineWithEntrypointClass", "JAR jobs need an EntrypointClass")
	}
	par := i64(p.DefaultParallelism, 1)
	maxPar, e := checkProperties(p.Properties, par)
	if e != nil {
		return nil, e
	}
	if p.COSBucket != "" && !s.bucketExists(a, p.COSBucket) {
		return nil, api3.Errorf("ResourceNotFound.COSBucket", "the COS bucket %s does not exist", p.COSBucket)
	}
	var logCollect int64
	if p.LogCollect != nil && *p.LogCollect {
		logCollect = i64(p.LogCollectType, 2)
		if logCollect == 2 && (p.ClsLogsetID == "" || p.ClsTopicID == "") {
			return nil, api3.Errorf("InvalidParameter.JobConfigLogCollectParamError", "collecting logs to CLS needs ClsLogsetId and ClsTopicId")
		}
		if logCollect == 3 && p.COSBucket == "" {
			return nil, api3.Errorf("InvalidParameter.JobConfigLogCollectParamError", "collecting logs to COS needs COSBucket")
		}
	}
	if p.CheckpointIntervalSecond != nil && *p.CheckpointIntervalSecond < 5 {
		return nil, api3.Errorf("UnsupportedOperation.InvalidCheckpointIntervalError", "the checkpoint interval must be at least 5 seconds")
	}
	if j.jobType == 1 && p.ProgramArgs != "" {
		if e := checkSQLArgs(p.ProgramArgs); e != nil && !(s.on(faults.OceanusCatalogsUnchecked) && strings.HasPrefix(e.Code, "UnsupportedOperation.MultiExternal")) {
			return nil, e
		}
	}
	refs := make([]resourceRef, 0, len(p.ResourceRefs))
	for _, r := range p.ResourceRefs {
		res, ok := a.resources[r.ResourceID]
		if !ok {
			return nil, api3.Errorf("ResourceNotFound", "the resource %s does not exist", r.ResourceID)
		}
		if r.Version != -1 && res.version(r.Version) == nil {
			return nil, api3.Errorf("ResourceNotFound", "the resource %s has no version %d", r.ResourceID, r.Version)
		}
		refs = append(refs, r)
	}
	limit := quota(s.tenant(req.SecretID).Oceanus.MaxJobConfigs, DefaultMaxJobConfigs)
	var drop *jobConfig
	if len(j.configs) >= limit && !s.on(faults.OceanusUnlimitedConfigs) {
		if p.AutoDelete != 1 {
			return nil, api3.Errorf("LimitExceeded.JobConfig", "a job has at most %d configuration versions", limit)
		}
		for _, c := range j.configs {
			if c.version != j.published && c.version != j.runningVersion {
				drop = c
				break
			}
		}
		if drop == nil {
			// The version quota is the specific code; AutoDelete finding
			// nothing it may drop (every version published or running) is
			// the generic LimitExceeded (inferred: both are documented).
			return nil, api3.Errorf("LimitExceeded", "no configuration version can be deleted automatically")
		}
	}
	if drop != nil {
		j.removeConfig(drop.version)
	}
	now := s.now()
	var params map[string]any
	_ = json.Unmarshal(req.Body, &params)
	delete(params, "JobId")
	delete(params, "AutoDelete")
	delete(params, "WorkSpaceId")
	j.latestVersion++
	c := &jobConfig{version: j.latestVersion, created: now, updated: now, params: params, refs: refs,
		programArgs: p.ProgramArgs, cosBucket: p.COSBucket, parallelism: par, maxPar: maxPar, logCollect: logCollect}
	j.configs = append(j.configs, c)
	if j.status == StatusUninitialized {
		j.status = StatusUnpublished
	}
	j.updated = now
	return map[string]any{"Version": c.version}, nil
}

type property struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// flinkNamespaces are the first segments of Flink's configuration options
// (flink-conf.yaml keys); a key outside them is no Flink option.
var flinkNamespaces = []string{
	"pipeline", "execution", "state", "taskmanager", "jobmanager", "parallelism", "table",
	"restart-strategy", "high-availability", "metrics", "env", "security", "akka", "pekko",
	"heartbeat", "web", "classloader", "cluster", "blob", "kubernetes", "rest", "io", "python",
	"sql-client", "fs", "s3", "containerized", "process", "queryable-state", "resourcemanager",
	"slot", "slotmanager", "client", "checkpointing", "local", "yarn", "historyserver", "jobstore",
	"scheduler", "slow-task-detector", "compiler", "deployment", "source", "sink", "partition", "job",
	"netty", "internal", "hive", "lookup", "scan", "format", "connector", "properties",
}

// Flink settings the platform manages itself (inferred: the platform owns
// addresses, ports and the deployment target).
var managedFlinkConf = []string{"jobmanager.rpc.", "rest.", "blob.server.port", "taskmanager.rpc.port", "execution.target", "kubernetes."}

// checkProperties checks the Flink configuration; it returns the max
// parallelism (pipeline.max-parallelism, 0 if unset).
func checkProperties(props []property, par int64) (int64, *api3.Error) {
	var maxPar int64
	for _, pr := range props {
		if ns, _, _ := strings.Cut(pr.Key, "."); !facade.Contains(flinkNamespaces, ns) {
			return 0, api3.Errorf("InvalidParameter.UnsupportedFlinkConf", "%s is not a Flink option", pr.Key)
		}
		for _, m := range managedFlinkConf {
			if strings.HasPrefix(pr.Key, m) {
				return 0, api3.Errorf("InvalidParameter.UnsupportedFlinkConf", "the Flink setting %s is managed by the platform", pr.Key)
			}
		}
		if pr.Key == "pipeline.max-parallelism" {
			n, e := checkMaxParallelism(pr.Value, par)
			if e != nil {
				return 0, e
			}
			maxPar = n
		}
	}
	return maxPar, nil
}

// checkMaxParallelism checks a pipeline.max-parallelism value against the
// config's DefaultParallelism par (CreateJobConfig, and DescribeJobConfigs
// for a value changed outside the API).
func checkMaxParallelism(v string, par int64) (int64, *api3.Error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, api3.Errorf("InvalidParameter.IllegalMaxParallelism", "pipeline.max-parallelism must be a positive integer, got %q", v)
	}
	if n > 16384 {
		return 0, api3.Errorf("InvalidParameter.MaxParallelismTooLarge", "pipeline.max-parallelism %d exceeds 16384", n)
	}
	if n < par {
		return 0, api3.Errorf("InvalidParameter.MaxParallelismTooSmall", "pipeline.max-parallelism %d is below DefaultParallelism %d", n, par)
	}
	return n, nil
}

// checkSQLArgs reads a SQL job's ProgramArgs: JSON ({"SqlCode": base64 SQL,
// …}; without SqlCode there is no SQL to check) or the SQL text itself. The
// failure marker is no SQL and is ignored. SQL with no statement (";") does
// not parse (FailedOperation.ParseSql); a statement that does not start with
// a SQL keyword ("SELEC") fails the grammar check.
func checkSQLArgs(args string) *api3.Error {
	args = strings.TrimSpace(strings.ReplaceAll(args, FailMarker, ""))
	sql := args
	if strings.HasPrefix(args, "{") {
		var a struct {
			SQLCode string `json:"SqlCode"`
		}
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			return api3.Errorf("FailedOperation.ParseSql", "ProgramArgs of a SQL job is not JSON: %v", err)
		}
		if a.SQLCode == "" {
			return nil
		}
		var ok bool
		if sql, ok = decodeSQL(a.SQLCode); !ok {
			return api3.Errorf("FailedOperation.ParseSql", "SqlCode is not base64")
		}
	}
	if args == "" {
		return nil
	}
	if strings.Trim(sql, " \t\r\n;") == "" {
		return api3.Errorf("FailedOperation.ParseSql", "the SQL holds no statement")
	}
	if !looksLikeSQL(sql) {
		return api3.Errorf("FailedOperation.GrammarCheckFailure", "the SQL does not start with a statement keyword")
	}
	return checkCatalogs(sql)
}

func (j *job) removeConfig(v int64) {
	out := j.configs[:0]
	for _, c := range j.configs {
		if c.version != v {
			out = append(out, c)
		}
	}
	j.configs = out
}

func (s *Service) describeJobConfigs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID             string          `json:"JobId"`
		JobConfigVersions []int64         `json:"JobConfigVersions"`
		Offset            *int64          `json:"Offset"`
		Limit             *int64          `json:"Limit"`
		Filters           []facade.Filter `json:"Filters"`
		OnlyDraft         bool            `json:"OnlyDraft"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.Job", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	for _, v := range p.JobConfigVersions {
		if j.config(v) == nil {
			// Naming a version the job does not have (never made, or
			// deleted) is not found, as DeleteJobConfigs answers it.
			return nil, api3.Errorf("ResourceNotFound", "the job %s has no configuration version %d", j.id, v)
		}
	}
	var cs []*jobConfig
	for i := len(j.configs) - 1; i >= 0; i-- { // newest first
		c := j.configs[i]
		if len(p.JobConfigVersions) > 0 && !facade.Contains(p.JobConfigVersions, c.version) {
			continue
		}
		if p.OnlyDraft && c != j.draft() {
			continue
		}
		cs = append(cs, c)
	}
	cs, e = filters(cs, p.Filters, func(name string, vals []string) (func(*jobConfig) bool, *api3.Error) {
		if name == "Version" {
			return oneOf(vals, func(c *jobConfig) string { return strconv.FormatInt(c.version, 10) }), nil
		}
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	x, y := s.page(req.Action, len(cs), p.Offset, p.Limit, 20)
	set := make([]map[string]any, 0, y-x)
	t := s.tenant(req.SecretID)
	for _, c := range cs[x:y] {
		if e := s.storedParallelism(t, j, c); e != nil {
			return nil, e
		}
		set = append(set, s.jobConfigOut(a, j, c))
	}
	return map[string]any{"TotalCount": s.total(len(cs), y-x), "JobConfigSet": set}, nil
}

// jobConfigOut echoes a config version as the documented JobConfig.
func (s *Service) jobConfigOut(a *account, j *job, c *jobConfig) map[string]any {
	m := map[string]any{}
	for _, k := range []string{"EntrypointClass", "ProgramArgs", "Remark", "Properties", "COSBucket",
		"JobManagerSpec", "TaskManagerSpec", "ClsLogsetId", "ClsTopicId", "PythonVersion", "AutoRecover",
		"LogLevel", "ClazzLevels", "ExpertModeOn", "ExpertModeConfiguration", "TraceModeOn",
		"TraceModeConfiguration", "CheckpointRetainedNum", "JobGraph", "EsServerlessIndex",
		"EsServerlessSpace", "FlinkVersion", "JdkVersion", "JobManagerCpu", "JobManagerMem",
		"TaskManagerCpu", "TaskManagerMem", "CheckpointTimeoutSecond", "CheckpointIntervalSecond",
		"VariableReplaceMode", "StateCOSBucket"} {
		if v, ok := c.params[k]; ok {
			m[k] = v
		}
	}
	refs := make([]map[string]any, 0, len(c.refs))
	for _, r := range c.refs {
		d := map[string]any{"ResourceId": r.ResourceID, "Version": r.Version, "Type": r.Type, "SystemProvide": 0}
		if res, ok := a.resources[r.ResourceID]; ok {
			d["Name"] = res.name
			if res.system {
				d["SystemProvide"] = 1
			}
		}
		refs = append(refs, d)
	}
	m["JobId"], m["Version"], m["CreateTime"], m["UpdateTime"] = j.id, c.version, s.ts(c.created), s.ts(c.updated)
	m["DefaultParallelism"], m["MaxParallelism"], m["LogCollect"] = c.parallelism, c.maxPar, c.logCollect
	m["ResourceRefDetails"], m["CreatorUin"] = refs, a.uin
	if _, ok := m["Properties"]; !ok {
		m["Properties"] = []property{}
	}
	return m
}

func (s *Service) deleteJobConfigs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID             string  `json:"JobId"`
		JobConfigVersions []int64 `json:"JobConfigVersions"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.Job", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	for _, v := range p.JobConfigVersions {
		c := j.config(v)
		switch {
		case c == nil:
			return nil, api3.Errorf("ResourceNotFound", "the job %s has no configuration version %d", j.id, v)
		case (v == j.published || v == j.runningVersion && (j.status == StatusRunning || j.status == StatusInProgress || j.status == StatusPaused)) && !s.on(faults.OceanusDeletePublished):
			return nil, api3.Errorf("FailedOperation.JobConfigOnPublish", "version %d of the job %s is published", v, j.id)
		case c == j.draft() && j.published == 0 && !s.on(faults.OceanusDeleteDraft):
			return nil, api3.Errorf("FailedOperation.DraftConfigCanNotDelete", "version %d is the draft of the job %s", v, j.id)
		}
	}
	for _, v := range p.JobConfigVersions {
		j.removeConfig(v)
	}
	j.updated = s.now()
	return map[string]any{}, nil
}

func (s *Service) deleteTableConfig(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID     string `json:"JobId"`
		DebugID   int64  `json:"DebugId"`
		TableName string `json:"TableName"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if _, e := a.findJob(p.JobID, "InvalidParameterValue", "ResourceNotFound"); e != nil {
		return nil, e
	}
	// Debug table configs come from the console's debugging sessions, which
	// the API cannot create: deleting one that is absent is a no-op, as a
	// DELETE of nothing (the action documents no not-found code).
	delete(a.tables, p.JobID+"/"+strconv.FormatInt(p.DebugID, 10)+"/"+p.TableName)
	return map[string]any{}, nil
}

// ---- events, runtime info, submission log ----

func (s *Service) describeJobEvents(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID           string   `json:"JobId"`
		StartTimestamp  int64    `json:"StartTimestamp"`
		EndTimestamp    int64    `json:"EndTimestamp"`
		Types           []string `json:"Types"`
		RunningOrderIDs []int64  `json:"RunningOrderIds"`
		Limit           *int64   `json:"Limit"`
		Offset          *int64   `json:"Offset"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.findOwnJob(a, p.JobID, "InvalidParameterValue.JobIdValueError", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	if p.EndTimestamp < p.StartTimestamp {
		return nil, api3.Errorf("InvalidParameterValue.Timestamp", "EndTimestamp is before StartTimestamp")
	}
	for _, t := range p.Types {
		if !facade.Contains([]string{"1", "2", "3", "4", "21"}, t) {
			return nil, api3.Errorf("InvalidParameterValue.Type", "unknown event type %q", t)
		}
	}
	var evs []map[string]any
	runs := map[int64]bool{}
	for i := len(j.events) - 1; i >= 0; i-- { // newest first
		ev := j.events[i]
		at := ev.at.Unix()
		if at < p.StartTimestamp || at > p.EndTimestamp {
			continue
		}
		if len(p.Types) > 0 && !facade.Contains(p.Types, ev.typ) {
			continue
		}
		if len(p.RunningOrderIDs) > 0 && !facade.Contains(p.RunningOrderIDs, ev.run) {
			continue
		}
		runs[ev.run] = true
		evs = append(evs, map[string]any{"Type": ev.typ, "Description": ev.desc, "Timestamp": at,
			"RunningOrderId": ev.run, "Message": ev.msg, "SolutionLink": "", "CauseAnalysis": "", "Solution": ""})
	}
	x, y := s.page(req.Action, len(evs), p.Offset, p.Limit, 100)
	ids := make([]int64, 0, len(runs))
	for r := range runs {
		ids = append(ids, r)
	}
	sort.Slice(ids, func(x, y int) bool { return ids[x] > ids[y] })
	out := evs[x:y]
	if out == nil {
		out = []map[string]any{}
	}
	return map[string]any{"Events": out, "RunningOrderIds": ids, "TotalCount": len(evs), "Versions": []int64{}}, nil
}

// runtimeKeys are the documented JobRuntimeInfo keys.
var runtimeKeys = []string{"TaskManagers", "StreamGraph", "SubTasks"}

func (s *Service) describeJobRuntimeInfo(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID       string   `json:"JobId"`
		WorkSpaceID string   `json:"WorkSpaceId"`
		IncludeInfo []string `json:"IncludeInfo"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := s.findOwnJob(a, p.JobID, "InvalidParameterValue.JobIdValueError", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	if _, ok := a.workspace(p.WorkSpaceID); !ok {
		return nil, api3.Errorf("InvalidParameter", "the workspace %s does not exist", p.WorkSpaceID)
	}
	out := []map[string]any{}
	for _, k := range p.IncludeInfo {
		if !facade.Contains(runtimeKeys, k) {
			return nil, api3.Errorf("InvalidParameterValue.Type", "unknown runtime info key %q (TaskManagers, StreamGraph, SubTasks)", k)
		}
		out = append(out, map[string]any{"Key": k, "Value": runtimeValue(j, k)})
	}
	return map[string]any{"JobRuntimeInfo": out}, nil
}

// runtimeValue is base64 JSON, as the documented example; a job that is not
// running has no task managers or subtasks.
func runtimeValue(j *job, key string) string {
	var v any = []any{}
	if j.status == StatusRunning {
		switch key {
		case "TaskManagers":
			v = []string{j.id + "-" + strconv.FormatInt(j.currentRun(), 10) + "-taskmanager-1-1"}
		case "SubTasks":
			v = []map[string]any{{"TaskId": "0", "TaskDescription": "Source -> Sink (batchconform: nothing runs)", "SubTaskIndex": 0}}
		case "StreamGraph":
			v = map[string]any{"nodes": []any{}}
		}
	}
	b, _ := json.Marshal(v)
	return b64(b)
}

func (s *Service) describeJobSubmissionLog(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID          string `json:"JobId"`
		StartTime      int64  `json:"StartTime"`
		EndTime        int64  `json:"EndTime"`
		RunningOrderID int64  `json:"RunningOrderId"`
		Keyword        string `json:"Keyword"`
		Cursor         string `json:"Cursor"`
		OrderType      string `json:"OrderType"`
		Limit          *int64 `json:"Limit"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.JobId", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	if p.EndTime < p.StartTime {
		return nil, api3.Errorf("InvalidParameterValue.InvalidTime", "EndTime is before StartTime")
	}
	lim := i64(p.Limit, 100)
	if lim <= 0 || lim > 100 {
		return nil, api3.Errorf("InvalidParameterValue.InvalidLimit", "Limit must be 1 to 100")
	}
	if strings.ContainsAny(p.Keyword, "|\"\\") {
		return nil, api3.Errorf("InvalidParameter.IllegalSearchKeyword", "the keyword %q contains a search operator", p.Keyword)
	}
	if p.OrderType != "" && p.OrderType != "asc" && p.OrderType != "desc" {
		return nil, api3.Errorf("InvalidParameterValue", "OrderType must be asc or desc")
	}
	instances := make([]map[string]any, 0, len(j.runs))
	var run *jobRun
	for i := range j.runs {
		r := &j.runs[i]
		ms := r.started.UnixMilli()
		if ms >= p.StartTime && ms <= p.EndTime || p.RunningOrderID == r.id {
			instances = append(instances, map[string]any{"RunningOrderId": r.id, "JobInstanceStartTime": s.ts(r.started), "StartingMillis": ms})
		}
		if p.RunningOrderID == r.id || p.RunningOrderID == 0 && ms <= p.EndTime {
			run = r // the chosen instance, or the latest one in the window
		}
	}
	if p.RunningOrderID != 0 && run == nil {
		return nil, api3.Errorf("ResourceNotFound.JobId", "the job %s has no instance %d", j.id, p.RunningOrderID)
	}
	if run != nil {
		if c := j.config(run.version); c != nil {
			if topic, _ := c.params["ClsTopicId"].(string); c.logCollect == 2 && topic != "" && !logTopicExists(topic) {
				return nil, api3.Errorf("ResourceNotFound.LogTopic", "the CLS topic %s of the job's logs does not exist", topic)
			}
		}
	}
	var lines []logLine
	if run != nil {
		for _, l := range run.log {
			ms := l.at.UnixMilli()
			if ms >= p.StartTime && ms <= p.EndTime && strings.Contains(l.text, p.Keyword) {
				lines = append(lines, l)
			}
		}
	}
	if p.OrderType == "desc" {
		for x, y := 0, len(lines)-1; x < y; x, y = x+1, y-1 {
			lines[x], lines[y] = lines[y], lines[x]
		}
	}
	start := 0
	if p.Cursor != "" {
		// A cursor this emulator did not hand out is a search context that
		// no longer exists: the listing is over.
		n, err := strconv.Atoi(strings.TrimPrefix(unb64(p.Cursor), "cursor-"))
		if err != nil || n < 0 {
			n = len(lines)
		}
		start = min(n, len(lines))
	}
	end := min(start+int(lim), len(lines))
	content := make([]map[string]any, 0, end-start)
	logList := make([]string, 0, end-start)
	for i, l := range lines[start:end] {
		content = append(content, map[string]any{"Log": l.text, "Time": l.at.UnixMilli(), "PkgId": "", "PkgLogId": start + i, "ContainerName": j.id + "-jobmanager"})
		logList = append(logList, l.text)
	}
	cursor := ""
	if end < len(lines) {
		cursor = b64([]byte("cursor-" + strconv.Itoa(end)))
	}
	return map[string]any{"Cursor": cursor, "ListOver": end >= len(lines), "JobRequestId": req.RequestID,
		"JobInstanceList": instances, "LogList": logList, "LogContentList": content}, nil
}

// ---- savepoints ----

func (j *job) addSavepoint(s *Service, now time.Time, recordType int64, desc string) *savepoint {
	n := int64(len(j.savepoints) + 1)
	sp := &savepoint{id: s.ids.NewID("svp-"), status: 3, recordType: recordType, desc: desc,
		created: now, done: now.Add(s.timing.Savepoint), run: j.currentRun(), version: j.runningVersion}
	sp.serialID = sp.id
	sp.path = "cosn://batchconform-1250000000/" + j.id + "/" + strconv.FormatInt(sp.run, 10) + "/flink-savepoints/savepoint-" + strconv.FormatInt(n, 10)
	j.savepoints = append(j.savepoints, sp)
	return sp
}

func (j *job) savepointByID(id string) *savepoint {
	for _, sp := range j.savepoints {
		if sp.id == id {
			return sp
		}
	}
	return nil
}

func (s *Service) triggerJobSavepoint(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID       string `json:"JobId"`
		Description string `json:"Description"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound", "ResourceNotFound")
	if e != nil {
		return nil, e
	}
	if j.status != StatusRunning {
		// A savepoint needs a running job: the documented answer carries
		// SavepointTrigger false and the reason (no error code is listed).
		return map[string]any{"SavepointTrigger": false, "ErrorMsg": "the job is " + statusDesc(j.status) + ", not RUNNING",
			"FinalSavepointPath": "", "SavepointId": ""}, nil
	}
	sp := j.addSavepoint(s, s.now(), 1, p.Description)
	return map[string]any{"SavepointTrigger": true, "ErrorMsg": "", "FinalSavepointPath": sp.path, "SavepointId": sp.id}, nil
}

func (s *Service) describeJobSavepoint(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID       string  `json:"JobId"`
		Limit       *int64  `json:"Limit"`
		Offset      *int64  `json:"Offset"`
		RecordTypes []int64 `json:"RecordTypes"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.JobId", "ResourceNotFound.JobId")
	if e != nil {
		return nil, e
	}
	var done, running []map[string]any
	for i := len(j.savepoints) - 1; i >= 0; i-- {
		sp := j.savepoints[i]
		if len(p.RecordTypes) > 0 && !facade.Contains(p.RecordTypes, sp.recordType) {
			continue
		}
		m := map[string]any{"Id": int64(i + 1), "SerialId": sp.serialID, "VersionId": sp.version, "Status": sp.status,
			"CreateTime": sp.created.Unix(), "UpdateTime": sp.created.Unix(), "Path": sp.path, "Size": 0,
			"RecordType": sp.recordType, "JobRuntimeId": sp.run, "Description": sp.desc, "Timeout": 600000,
			"TimeConsuming": 0, "PathStatus": 1, "FlinkVersion": j.flinkVersion, "IsIncremental": "false", "CheckpointSize": 0}
		if sp.status == 3 {
			running = append(running, m)
			continue
		}
		m["UpdateTime"], m["TimeConsuming"] = sp.done.Unix(), sp.done.Sub(sp.created).Milliseconds()
		done = append(done, m)
	}
	x, y := s.page(req.Action, len(done), p.Offset, p.Limit, 20)
	out := done[x:y]
	if out == nil {
		out = []map[string]any{}
	}
	if running == nil {
		running = []map[string]any{}
	}
	return map[string]any{"TotalNumber": len(done), "Savepoint": out, "RunningSavepoint": running, "RunningTotalNumber": len(running)}, nil
}

func (s *Service) checkSavepoint(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		JobID         string `json:"JobId"`
		SerialID      string `json:"SerialId"`
		RecordType    int64  `json:"RecordType"`
		SavepointPath string `json:"SavepointPath"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	j, e := a.findJob(p.JobID, "ResourceNotFound.Job", "ResourceNotFound.Job")
	if e != nil {
		return nil, e
	}
	// SavepointStatus: 1 usable, 2 not usable (the documented examples show
	// both); usable when the path is one of the job's completed savepoints.
	status := 2
	for _, sp := range j.savepoints {
		if sp.path == p.SavepointPath && sp.status == 1 && (p.RecordType == 0 || sp.recordType == p.RecordType) {
			status = 1
		}
	}
	return map[string]any{"SerialId": p.SerialID, "SavepointStatus": status}, nil
}

// ---- DescribeTreeJobs ----

func (s *Service) describeTreeJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Filters     []facade.Filter `json:"Filters"`
		WorkSpaceID string          `json:"WorkSpaceId"`
		FlatMode    int64           `json:"FlatMode"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", p.WorkSpaceID)
	}
	jobs, e := filters(a.sortedJobs(), p.Filters, func(name string, vals []string) (func(*job) bool, *api3.Error) {
		switch name {
		case "Name":
			return func(j *job) bool {
				for _, v := range vals {
					if strings.Contains(j.name, v) {
						return true
					}
				}
				return false
			}, nil
		case "JobId":
			return oneOf(vals, func(j *job) string { return j.id }), nil
		}
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	byFolder := map[string][]map[string]any{}
	for _, j := range jobs {
		if j.workspaceID != ws.id {
			continue
		}
		item := map[string]any{"JobId": j.id, "Name": j.name, "JobType": j.jobType, "RunningCu": float64(j.runningCU()),
			"Status": j.status, "ScalingType": 0, "RunningCpu": float64(j.runningCU()), "RunningMem": float64(j.runningCU() * j.cuMem),
			"DecodeSqlCode": "", "PublishedJobConfigId": j.published}
		if p.FlatMode == 1 {
			item["FolderPath"] = a.folderPath(j.folderID)
			byFolder[RootFolderID] = append(byFolder[RootFolderID], item)
			continue
		}
		byFolder[j.folderID] = append(byFolder[j.folderID], item)
	}
	var node func(f *folder) map[string]any
	node = func(f *folder) map[string]any {
		set := byFolder[f.id]
		if set == nil {
			set = []map[string]any{}
		}
		children := []map[string]any{}
		if p.FlatMode != 1 {
			for _, c := range a.subFolders(f.id, 0) {
				children = append(children, node(c))
			}
		}
		return map[string]any{"ParentId": f.parent, "Id": f.id, "Name": f.name, "JobSet": set, "Children": children}
	}
	return node(a.folders[RootFolderID]), nil
}
