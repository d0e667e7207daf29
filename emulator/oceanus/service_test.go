package oceanus

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/tenants"
	"github.com/batchconform/batchconform/fixtures"
	ocfix "github.com/batchconform/batchconform/fixtures/oceanus"
)

const tenantID = "AKIDoceanus000000000000000000001"

// fx is the façade on a manual clock: nothing moves unless the test advances it.
type fx struct {
	t      *testing.T
	s      *Service
	eng    *engine.Engine
	reg    *tenants.Registry
	cat    *fixtures.Catalog
	id     string // the tenant calls are made as
	region string // the region calls name (default ap-guangzhou)
	// answered records the actions that answered successfully.
	answered map[string]bool
}

func newFx(t *testing.T, tn ...tenants.Tenant) *fx {
	t.Helper()
	return newFxFaults(t, nil, tn...)
}

func newFxFaults(t *testing.T, faultNames []string, tn ...tenants.Tenant) *fx {
	t.Helper()
	reg := tenants.NewRegistry(append([]tenants.Tenant{{SecretID: tenantID, SecretKey: "k"}}, tn...)...)
	fs, err := faults.NewSet(faultNames...)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Clock: engine.NewManualClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)),
		Executor: engine.ExecutorSimulated, Tenants: reg, Faults: fs, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	cat := ocfix.Catalog()
	f := &fx{t: t, s: New(Config{Catalog: cat, Clock: eng, IDs: eng, Objects: eng.Objects(), Tenants: reg, Faults: fs}), eng: eng, reg: reg,
		cat: cat, id: tenantID, answered: map[string]bool{}}
	if hook != nil {
		hook(f)
	}
	return f
}

// as is the same fixture calling as another tenant (answers recorded together).
func (f *fx) as(id string) *fx {
	g := *f
	g.id = id
	return &g
}

func (f *fx) call(action string, params any) (map[string]any, *api3.Error) {
	f.t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		f.t.Fatal(err)
	}
	region := f.region
	if region == "" {
		region = "ap-guangzhou"
	}
	req := &api3.Request{Action: action, Version: "2019-04-22", Region: region, SecretID: f.id, RequestID: "req-1"}
	if err := req.SetJSONBody(body); err != nil {
		f.t.Fatalf("%s: bad test body %s: %v", action, body, err)
	}
	resp, e := f.s.Handle(context.Background(), req)
	if e != nil {
		return nil, e
	}
	js, err := json.Marshal(resp)
	if err != nil {
		f.t.Fatalf("%s: response does not marshal: %v", action, err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		f.t.Fatalf("%s: response is not an object: %s", action, js)
	}
	a, _ := f.cat.Action(action)
	f.documented(action, a.Output, m)
	f.answered[action] = true
	return m, nil
}

// documented fails on any response field the API definition does not
// document for the object (recursively through objects and lists of objects).
func (f *fx) documented(where, object string, m map[string]any) {
	f.t.Helper()
	obj, ok := f.cat.Objects[object]
	if !ok {
		f.t.Fatalf("%s: the catalog has no object %s", where, object)
	}
	members := map[string]fixtures.Member{}
	for _, mb := range obj.Members {
		members[mb.Name] = mb
	}
	for k, v := range m {
		mb, ok := members[k]
		if !ok {
			f.t.Errorf("%s: field %s is not a member of %s", where, k, object)
			continue
		}
		if mb.Ref == "" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			f.documented(where+"."+k, mb.Ref, x)
		case []any:
			for i, e := range x {
				if em, ok := e.(map[string]any); ok {
					f.documented(fmt.Sprintf("%s.%s[%d]", where, k, i), mb.Ref, em)
				}
			}
		}
	}
}

func (f *fx) ok(action string, params any) map[string]any {
	f.t.Helper()
	m, e := f.call(action, params)
	if e != nil {
		f.t.Fatalf("%s %v: %s: %s", action, params, e.Code, e.Message)
	}
	return m
}

func (f *fx) fails(action string, params any, code string) {
	f.t.Helper()
	m, e := f.call(action, params)
	if e == nil {
		f.t.Fatalf("%s %v: succeeded (%v), want %s", action, params, m, code)
	}
	if e.Code != code {
		f.t.Fatalf("%s %v: %s (%s), want %s", action, params, e.Code, e.Message, code)
	}
}

func (f *fx) advance(d time.Duration) {
	f.t.Helper()
	if err := f.eng.Advance(d); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fx) status(id string) int64 {
	f.t.Helper()
	r := f.ok("DescribeJobs", M{"JobIds": []string{id}})
	set := r["JobSet"].([]any)
	if len(set) != 1 {
		f.t.Fatalf("DescribeJobs %s: %v", id, r)
	}
	return int64(set[0].(map[string]any)["Status"].(float64))
}

func (f *fx) wantStatus(id string, want int64) {
	f.t.Helper()
	if got := f.status(id); got != want {
		f.t.Fatalf("job %s: status %d, want %d", id, got, want)
	}
}

type M = map[string]any

func (f *fx) job(name string) string {
	f.t.Helper()
	id := f.ok("CreateJob", M{"Name": name, "JobType": 2, "ClusterType": 2, "ClusterId": DedicatedClusterID})["JobId"].(string)
	if !jobIDShape.MatchString(id) {
		f.t.Fatalf("JobId %q is not cql-xxxxxxxx", id)
	}
	return id
}

func (f *fx) config(id string, extra M) int64 {
	f.t.Helper()
	p := M{"JobId": id, "EntrypointClass": "com.example.Main"}
	for k, v := range extra {
		p[k] = v
	}
	return int64(f.ok("CreateJobConfig", p)["Version"].(float64))
}

const op = time.Second // Timing.Operation default

func TestEveryDocumentedActionIsServed(t *testing.T) {
	f := newFx(t)
	var missing []string
	for _, a := range f.cat.Actions {
		if _, ok := f.s.handlers[a.Name]; !ok {
			missing = append(missing, a.Name)
		}
	}
	if len(missing) > 0 || len(f.cat.Actions) != 53 {
		t.Fatalf("%d catalog actions, missing handlers: %v", len(f.cat.Actions), missing)
	}
	if len(f.s.Actions()) != len(f.cat.Actions) {
		t.Fatalf("handlers %d != catalog actions %d", len(f.s.Actions()), len(f.cat.Actions))
	}
}

// TestJobLifecycle walks every documented transition, each observed on the
// manual clock: 1 -> 2 -> 3 -> 4 -> 3 -> 6 -> 3 -> 4 -> 3 -> 5 -> 3 -> 4 -> -1 -> 3 -> 4.
func TestJobLifecycle(t *testing.T) {
	f := newFx(t)
	id := f.job("lifecycle")
	f.wantStatus(id, StatusUninitialized)
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}, "ResourceNotFound.JobConfig")
	f.fails("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}}, "ResourceUnavailable.NoRunningJobInstancesFoundForJobId")
	v1 := f.config(id, nil)
	f.wantStatus(id, StatusUnpublished)
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}})
	f.wantStatus(id, StatusInProgress)
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}, "ResourceInUse.InstanceInProcess")
	f.fails("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}}, "ResourceInUse")
	f.fails("DeleteJobs", M{"JobIds": []string{id}}, "ResourceInUse") // 3: busy; 4 is NotAllowedToBeDeleted
	f.advance(op - time.Millisecond)
	f.wantStatus(id, StatusInProgress) // held for the whole operation
	f.advance(time.Millisecond)
	f.wantStatus(id, StatusRunning)
	j := f.ok("DescribeJobs", M{"JobIds": []string{id}})["JobSet"].([]any)[0].(M)
	if j["PublishedJobConfigVersion"].(float64) != float64(v1) || j["StartTime"] == "-" {
		t.Fatalf("running job: %v", j)
	}
	for _, k := range []string{"CreateTime", "StartTime", "UpdateTime"} {
		if _, err := time.Parse(f.cat.TimeFormat, j[k].(string)); err != nil || f.cat.TimeFormat == "" {
			t.Fatalf("%s %q is not in the documented format %q: %v", k, j[k], f.cat.TimeFormat, err)
		}
	}
	f.fails("DeleteJobs", M{"JobIds": []string{id}}, "ResourceUnavailable.NotAllowedToBeDeleted")
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 2}}}, "ResourceInUse.InstanceInProcess")
	// Pause, resume.
	f.ok("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 2}}})
	f.wantStatus(id, StatusInProgress)
	f.advance(op)
	f.wantStatus(id, StatusPaused)
	f.fails("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 2}}}, "ResourceUnavailable.NotAllowedToBeStopOrPause")
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}, "ResourceInUse.InstanceInProcess")
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 2}}})
	f.advance(op)
	f.wantStatus(id, StatusRunning)
	// Stop; a stopped job cannot be stopped or resumed, but starts again.
	f.ok("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}})
	f.advance(op)
	f.wantStatus(id, StatusStopped)
	f.fails("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}}, "ResourceUnavailable.NotAllowedToBeStopOrPause")
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 2}}}, "ResourceUnavailable.NoRunningJobInstancesFoundForJobId")
	// A config marked to fail: 3 -> 4 -> -1.
	v2 := f.config(id, M{"ProgramArgs": "--mode " + FailMarker})
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1, "JobConfigVersion": v2}}})
	f.advance(op)
	f.wantStatus(id, StatusRunning)
	f.advance(time.Second)
	f.wantStatus(id, StatusFailed)
	f.fails("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}}, "ResourceUnavailable.NotAllowedToBeStopOrPause")
	// -1 -> 3 -> 4 with the good version; then it can be deleted once stopped.
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1, "JobConfigVersion": v1}}})
	f.advance(op)
	f.wantStatus(id, StatusRunning)
	// Events: started, paused, resumed, stopped, started, failed, started.
	now := f.eng.Now().Unix()
	evs := f.ok("DescribeJobEvents", M{"JobId": id, "StartTimestamp": now - 3600, "EndTimestamp": now})
	var types []string
	for _, e := range evs["Events"].([]any) {
		types = append(types, e.(M)["Type"].(string))
	}
	if got := strings.Join(types, ","); got != "1,21,1,2,4,3,1" { // newest first
		t.Fatalf("event types %s", got)
	}
	f.ok("StopJobs", M{"StopJobDescriptions": []M{{"JobId": id, "StopType": 1}}})
	f.advance(op)
	f.ok("DeleteJobs", M{"JobIds": []string{id}})
	f.fails("DescribeJobs", M{"JobIds": []string{id}}, "ResourceNotFound.JobId")
}

func TestCreateJobCodes(t *testing.T) {
	f := newFx(t,
		tenants.Tenant{SecretID: "AKIDlegacy", SecretKey: "k", Oceanus: tenants.Oceanus{LegacyDuplicatedJobName: true}},
		tenants.Tenant{SecretID: "AKIDsmall", SecretKey: "k", Oceanus: tenants.Oceanus{MaxJobs: 1}},
		tenants.Tenant{SecretID: "AKIDunverified", SecretKey: "k", Oceanus: tenants.Oceanus{NotAuthenticated: true}},
		tenants.Tenant{SecretID: "AKIDwhite", SecretKey: "k", Oceanus: tenants.Oceanus{CuMemWhitelist: true}})
	f.ok("CreateJob", M{"Name": "taken", "JobType": 1, "ClusterType": 1})
	f.as("AKIDlegacy").ok("CreateJob", M{"Name": "taken", "JobType": 1, "ClusterType": 1})
	f.as("AKIDsmall").ok("CreateJob", M{"Name": "one", "JobType": 1, "ClusterType": 1})
	// A scaling cluster.
	f.ok("ScaleOceanusCluster", M{"ClusterId": DedicatedClusterID, "NewCU": 19})
	g := newFx(t) // a fresh account for the rest, whose dedicated cluster is running
	for _, tc := range []struct {
		f    *fx
		p    M
		code string
	}{
		{f, M{"Name": "taken", "JobType": 1, "ClusterType": 1}, "InvalidParameterValue.JobNameExisted"},
		{f.as("AKIDlegacy"), M{"Name": "taken", "JobType": 1, "ClusterType": 1}, "FailedOperation.DuplicatedJobName"},
		{f.as("AKIDsmall"), M{"Name": "two", "JobType": 1, "ClusterType": 1}, "LimitExceeded.Job"},
		{f.as("AKIDunverified"), M{"Name": "x", "JobType": 1, "ClusterType": 1}, "FailedOperation.UserNotAuthenticated"},
		{g, M{"Name": "bad name!", "JobType": 1, "ClusterType": 1}, "InvalidParameter.InvalidName"},
		{g, M{"Name": strings.Repeat("名", 50), "JobType": 1, "ClusterType": 1}, "InvalidParameterValue.JobName"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2}, "InvalidParameterValue.ClusterId"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": "nope"}, "InvalidParameterValue.ClusterId"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": "cluster-zzzzzzzz"}, "ResourceNotFound.ClusterId"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": StoppedClusterID}, "ResourceUnavailable.Cluster"},
		{f, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": DedicatedClusterID}, "ResourceUnavailable.ClusterGroupStatus"},
		{g, M{"Name": "x", "JobType": 2, "ClusterType": 1}, "InvalidParameterValue.JobTypeCombineWithClusterType"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 1, "CuMem": 8}, "ResourceUnavailable.ReqCuMem"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": DedicatedClusterID, "CuMem": 2}, "InvalidParameterValue.CuMem"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": DedicatedClusterID, "CuMem": 16}, "InvalidParameterValue.CuMem"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 2, "ClusterId": DedicatedClusterID, "CuMem": 3}, "InvalidParameterValue.CuMem"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 1, "FolderId": "folder-nothere0"}, "InvalidParameterValue"},
		{g, M{"Name": "x", "JobType": 2, "ClusterType": 2, "ClusterId": DedicatedClusterID, "FlinkVersion": "Flink-1.11", "CuMem": 2}, "InvalidParameterValue.UnSupportedComposite"},
		{g, M{"Name": "x", "JobType": 1, "ClusterType": 1, "WorkSpaceId": "space-nothere0"}, "InvalidParameterValue"},
	} {
		tc.f.fails("CreateJob", tc.p, tc.code)
	}
	f.as("AKIDwhite").ok("CreateJob", M{"Name": "big", "JobType": 1, "ClusterType": 2, "ClusterId": DedicatedClusterID, "CuMem": 16})
	// Seed 004's example request (its IDs replaced by this account's).
	ws := g.ok("CreateWorkSpace", M{"WorkSpaceName": "seed004"})["WorkSpaceId"].(string)
	r := g.ok("CreateJob", M{"Name": "create_job_test", "JobType": 1, "ClusterType": 2, "ClusterId": DedicatedClusterID,
		"WorkSpaceId": ws, "Description": "some description"})
	if len(r) != 1 || !jobIDShape.MatchString(r["JobId"].(string)) {
		t.Fatalf("seed 004 example answered %v, want only JobId cql-xxxxxxxx", r)
	}
}

func TestBatchesAreAtomic(t *testing.T) {
	f := newFx(t)
	a, b := f.job("a"), f.job("b")
	f.config(a, nil)
	// b has no config: the whole batch is refused and a stays unpublished.
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": a, "RunType": 1}, {"JobId": b, "RunType": 1}}}, "ResourceNotFound.JobConfig")
	f.wantStatus(a, StatusUnpublished)
	f.fails("DeleteJobs", M{"JobIds": []string{a, "cql-zzzzzzzz"}}, "ResourceNotFound.JobId")
	f.wantStatus(a, StatusUnpublished)
	many := make([]M, 21)
	for i := range many {
		many[i] = M{"JobId": a, "RunType": 1}
	}
	f.fails("RunJobs", M{"RunJobDescriptions": many}, "InvalidParameterValue.RunJobDescriptionsCount")
	// CU: the dedicated cluster has 8 CU.
	f.config(a, M{"DefaultParallelism": 6})
	f.config(b, M{"DefaultParallelism": 3})
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": a, "RunType": 1}, {"JobId": b, "RunType": 1}}}, "ResourceInsufficient.CU")
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": a, "RunType": 1}}})
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": b, "RunType": 1}}}, "ResourceInsufficient.CU")
}

func TestJobConfigs(t *testing.T) {
	f := newFx(t, tenants.Tenant{SecretID: "AKIDfew", SecretKey: "k", Oceanus: tenants.Oceanus{MaxJobConfigs: 2}})
	id := f.job("cfg")
	v1 := f.config(id, nil)
	// The only version of a never-published job is its draft.
	f.fails("DeleteJobConfigs", M{"JobId": id, "JobConfigVersions": []int64{v1}}, "FailedOperation.DraftConfigCanNotDelete")
	if r := f.ok("DescribeJobConfigs", M{"JobId": id, "OnlyDraft": true}); r["TotalCount"].(float64) != 1 {
		t.Fatalf("OnlyDraft: %v", r)
	}
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}})
	v2 := f.config(id, nil)
	f.fails("DeleteJobConfigs", M{"JobId": id, "JobConfigVersions": []int64{v1}}, "FailedOperation.JobConfigOnPublish")
	f.fails("DeleteJobConfigs", M{"JobId": id, "JobConfigVersions": []int64{99}}, "ResourceNotFound")
	f.ok("DeleteJobConfigs", M{"JobId": id, "JobConfigVersions": []int64{v2}})
	r := f.ok("DescribeJobConfigs", M{"JobId": id})
	if r["TotalCount"].(float64) != 1 {
		t.Fatalf("after delete: %v", r)
	}
	// Versions are counted and limited; AutoDelete drops the oldest deletable.
	g := f.as("AKIDfew")
	jid := g.ok("CreateJob", M{"Name": "few", "JobType": 1, "ClusterType": 1})["JobId"].(string)
	sql := M{"ProgramArgs": `{"SqlCode":"` + base64.StdEncoding.EncodeToString([]byte("SELECT 1")) + `"}`}
	g.ok("CreateJobConfig", M{"JobId": jid, "ProgramArgs": sql["ProgramArgs"]})
	g.ok("CreateJobConfig", M{"JobId": jid})
	g.fails("CreateJobConfig", M{"JobId": jid}, "LimitExceeded.JobConfig")
	if v := g.ok("CreateJobConfig", M{"JobId": jid, "AutoDelete": 1})["Version"].(float64); v != 3 {
		t.Fatalf("AutoDelete version %v", v)
	}
	vs := g.ok("DescribeJobConfigs", M{"JobId": jid})["JobConfigSet"].([]any)
	var got []int
	for _, c := range vs {
		got = append(got, int(c.(M)["Version"].(float64)))
	}
	sort.Ints(got)
	if fmt.Sprint(got) != "[2 3]" {
		t.Fatalf("versions after AutoDelete %v", got)
	}
	for _, tc := range []struct {
		p    M
		code string
	}{
		{M{"JobId": "cql-zzzzzzzz"}, "ResourceNotFound.Job"},
		{M{"JobId": "job-1"}, "ResourceNotFound.JobId"},
		{M{"JobId": jid, "EntrypointClass": "x.Main"}, "InvalidParameterValue.JobTypeCombineWithEntrypointClass"},
		{M{"JobId": jid, "ProgramArgs": "{not json"}, "FailedOperation.ParseSql"},
		{M{"JobId": jid, "ProgramArgs": ";"}, "FailedOperation.ParseSql"},
		{M{"JobId": jid, "ProgramArgs": "SELEC 1"}, "FailedOperation.GrammarCheckFailure"},
		{M{"JobId": jid, "COSBucket": "nosuch-bucket-1250000000"}, "ResourceNotFound.COSBucket"},
		{M{"JobId": jid, "Properties": []M{{"Key": "no.such.option", "Value": "1"}}}, "InvalidParameter.UnsupportedFlinkConf"},
		{M{"JobId": jid, "ProgramArgs": `{"SqlCode":"` + base64.StdEncoding.EncodeToString([]byte("HELLO")) + `"}`}, "FailedOperation.GrammarCheckFailure"},
		{M{"JobId": jid, "COSBucket": "nobucket"}, "ResourceNotFound.COSBucket"},
		{M{"JobId": jid, "LogCollect": true}, "InvalidParameter.JobConfigLogCollectParamError"},
		{M{"JobId": jid, "CheckpointIntervalSecond": 1}, "UnsupportedOperation.InvalidCheckpointIntervalError"},
		{M{"JobId": jid, "Properties": []M{{"Key": "rest.port", "Value": "1"}}}, "InvalidParameter.UnsupportedFlinkConf"},
		{M{"JobId": jid, "Properties": []M{{"Key": "pipeline.max-parallelism", "Value": "x"}}}, "InvalidParameter.IllegalMaxParallelism"},
		{M{"JobId": jid, "Properties": []M{{"Key": "pipeline.max-parallelism", "Value": "99999"}}}, "InvalidParameter.MaxParallelismTooLarge"},
		{M{"JobId": jid, "DefaultParallelism": 4, "Properties": []M{{"Key": "pipeline.max-parallelism", "Value": "2"}}}, "InvalidParameter.MaxParallelismTooSmall"},
		{M{"JobId": jid, "ResourceRefs": []M{{"ResourceId": "resource-nothere0", "Version": 1, "Type": 1}}}, "ResourceNotFound"},
	} {
		g.fails("CreateJobConfig", tc.p, tc.code)
	}
	g.ok("CreateJobConfig", M{"JobId": jid, "AutoDelete": 1, "ProgramArgs": "SELECT 1; -- " + FailMarker})
	g.ok("CreateJobConfig", M{"JobId": jid, "AutoDelete": 1, "COSBucket": "batchconform-1250000000"})
	f.fails("CreateJobConfig", M{"JobId": id}, "InvalidParameterValue.JobTypeCombineWithEntrypointClass") // a JAR job needs one
	other := *f
	other.region = "ap-shanghai"
	other.fails("CreateJobConfig", M{"JobId": id, "EntrypointClass": "x.Main"}, "InvalidParameter.InvalidRegion")
	other.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}, "InvalidParameter.InvalidRegion")
}

func TestResourcesAndReferences(t *testing.T) {
	f := newFx(t)
	loc := func(p string) M {
		return M{"StorageType": 1, "Param": M{"Bucket": "batchconform-1250000000", "Path": p}}
	}
	r := f.ok("CreateResource", M{"Name": "app", "ResourceType": 1, "ResourceLoc": loc("dir/app.jar")})
	rid := r["ResourceId"].(string)
	f.fails("CreateResource", M{"Name": "app", "ResourceType": 1, "ResourceLoc": loc("dir/app2.jar")}, "ResourceInUse.ResourceNameAlreadyExists")
	f.fails("CreateResource", M{"Name": "m", "ResourceType": 1, "ResourceLoc": loc("dir/missing.jar")}, "ResourceUnavailable.ResourceLocNotExists")
	// A bucket whose objects are in the object store: only those exist.
	if err := f.eng.Objects().Put("cos://uploads-1250000000.cos.ap-guangzhou.myqcloud.com/jars/up.jar", []byte("PK")); err != nil {
		t.Fatal(err)
	}
	up := func(p string) M { return M{"StorageType": 1, "Param": M{"Bucket": "uploads-1250000000", "Path": p}} }
	f.ok("CreateResource", M{"Name": "up", "ResourceType": 1, "ResourceLoc": up("/jars/up.jar")})
	f.fails("CreateResource", M{"Name": "up2", "ResourceType": 1, "ResourceLoc": up("jars/other.jar")}, "ResourceUnavailable.ResourceLocNotExists")
	f.fails("CreateResource", M{"Name": "up3", "ResourceType": 1, "ResourceLoc": M{"StorageType": 1, "Param": M{"Bucket": "nosuch-bucket-1250000000", "Path": "a.jar"}}}, "ResourceUnavailable.ResourceLocNotExists")
	f.fails("CreateResource", M{"Name": "m", "ResourceType": 1, "ResourceLoc": M{"StorageType": 1, "Param": M{"Bucket": "bad", "Path": "a.jar"}}}, "ResourceUnavailable.CheckResourceLocExists")
	f.fails("DeleteResourceConfigs", M{"ResourceId": rid, "ResourceConfigVersions": []int64{1}}, "InternalError.ResourceConfigCanNotDelete")
	v2 := f.ok("CreateResourceConfig", M{"ResourceId": rid, "ResourceLoc": loc("dir/app-2.jar")})["Version"].(float64)
	if v2 != 2 {
		t.Fatalf("second version %v", v2)
	}
	f.fails("CreateResourceConfig", M{"ResourceId": "resource-nothere0", "ResourceLoc": loc("a.jar")}, "ResourceNotFound.ResourceNotExist")
	id := f.job("uses-app")
	f.config(id, M{"ResourceRefs": []M{{"ResourceId": rid, "Version": 1, "Type": 1}}})
	// No time has passed: version 1 is still syncing (Status 0).
	f.fails("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}}, "ResourceUnavailable.JobResourceConfigNotReady")
	f.advance(time.Second)
	f.fails("DeleteResources", M{"ResourceIds": []string{rid}}, "ResourceInUse")
	f.fails("DeleteResourceConfigs", M{"ResourceId": rid, "ResourceConfigVersions": []int64{1}}, "ResourceUnavailable.BeUseBySomeJobConfig")
	f.fails("DeleteResources", M{"ResourceIds": []string{"nope"}}, "InvalidParameter.InvalidResourceIds")
	rel := f.ok("DescribeResourceRelatedJobs", M{"ResourceId": rid})
	if rel["TotalCount"].(float64) != 1 {
		t.Fatalf("related jobs %v", rel)
	}
	cfgs := f.ok("DescribeResourceConfigs", M{"ResourceId": rid})
	if cfgs["TotalCount"].(float64) != 2 {
		t.Fatalf("resource configs %v", cfgs)
	}
	f.ok("DeleteResourceConfigs", M{"ResourceId": rid, "ResourceConfigVersions": []int64{2}})
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}})
	sys := f.ok("DescribeSystemResources", M{})
	if sys["TotalCount"].(float64) != 2 {
		t.Fatalf("system resources %v", sys)
	}
	f.ok("DescribeResources", M{"ResourceIds": []string{rid}})
	f.ok("DescribeTreeResources", M{})
	// Connectors.
	cr := f.ok("CreateResource", M{"Name": "kafka", "ResourceType": 1, "ResourceLoc": loc("flink-connector-kafka-1.17.jar")})["ResourceId"].(string)
	if p := f.ok("ParseConnector", M{"ResourceId": cr, "VersionId": 1})["Connectors"].([]any); len(p) != 1 || p[0].(M)["Connector"] != "kafka" {
		t.Fatalf("ParseConnector %v", p)
	}
	f.ok("CreateConnector", M{"ResourceId": cr, "WorkSpaceId": "", "VersionId": 1, "Connector": "kafka", "ConnectionMethod": "kafka"})
	f.fails("CreateConnector", M{"ResourceId": cr, "WorkSpaceId": "", "VersionId": 1, "Connector": "kafka", "ConnectionMethod": "kafka"}, "ResourceInUse.ResourceConnectorDuplicateName")
	if !f.ok("CheckConnectorName", M{"Name": "kafka"})["Exists"].(bool) {
		t.Fatal("CheckConnectorName: kafka does not exist")
	}
	f.ok("ModifyConnector", M{"WorkSpaceId": "w", "ConnectorResourceId": cr, "ConnectionMethod": "upsert-kafka"})
	f.fails("ParseConnector", M{"ResourceId": "resource-nothere0", "VersionId": 1}, "ResourceNotFound.ParseConnectorClusterNotFound")
	f.fails("DeleteResources", M{"ResourceIds": []string{cr}}, "ResourceInUse") // a registered connector
	tmp := f.ok("CreateResource", M{"Name": "tmp", "ResourceType": 1, "ResourceLoc": loc("tmp.jar")})["ResourceId"].(string)
	f.ok("DeleteResources", M{"ResourceIds": []string{tmp}})
	f.fails("DescribeResources", M{"ResourceIds": []string{tmp}}, "ResourceNotFound")
}

func TestFoldersWorkspacesVariables(t *testing.T) {
	f := newFx(t, tenants.Tenant{SecretID: "AKIDwedata", SecretKey: "k", Oceanus: tenants.Oceanus{WedataWorkspaces: []string{"wd"}}})
	fid := f.ok("CreateFolder", M{"FolderName": "etl", "ParentId": RootFolderID})["FolderId"].(string)
	f.fails("CreateFolder", M{"FolderName": "etl", "ParentId": RootFolderID}, "InvalidParameter.DuplicatedFolderName")
	f.fails("CreateFolder", M{"FolderName": "x", "ParentId": "folder-nothere0"}, "InvalidParameterValue")
	sub := f.ok("CreateFolder", M{"FolderName": "daily", "ParentId": fid})["FolderId"].(string)
	f.fails("ModifyFolder", M{"SourceFolderId": fid, "TargetFolderId": sub}, "InvalidParameterValue")
	id := f.ok("CreateJob", M{"Name": "in-folder", "JobType": 1, "ClusterType": 1, "FolderId": sub})["JobId"].(string)
	f.fails("DeleteFolders", M{"FolderIds": []string{sub}}, "InvalidParameterValue")
	f.fails("DeleteFolders", M{"FolderIds": []string{fid}}, "InvalidParameterValue")
	tree := f.ok("DescribeTreeJobs", M{})
	kids := tree["Children"].([]any)
	if len(kids) != 1 || len(kids[0].(M)["Children"].([]any)) != 1 {
		t.Fatalf("tree %v", tree)
	}
	d := f.ok("DescribeFolder", M{"FolderId": fid, "WorkSpaceId": "", "FolderType": 0})
	if len(d["SubFolderInfo"].([]any)) != 1 {
		t.Fatalf("DescribeFolder %v", d)
	}
	f.ok("ModifyFolder", M{"TargetFolderId": RootFolderID, "SourceJobIds": []string{id}})
	f.ok("DeleteFolders", M{"FolderIds": []string{sub}})
	f.fails("DescribeFolder", M{"FolderId": sub, "WorkSpaceId": "", "FolderType": 0}, "ResourceNotFound")
	// Workspaces.
	ws := f.ok("CreateWorkSpace", M{"WorkSpaceName": "team"})["WorkSpaceId"].(string)
	f.fails("CreateWorkSpace", M{"WorkSpaceName": "bad name!"}, "InvalidParameter.InvalidItemSpaceName")
	f.fails("ModifyWorkSpace", M{"WorkSpaceId": ws, "WorkSpaceName": "default"}, "InvalidParameter.DuplicatedSpaceName")
	f.ok("ModifyWorkSpace", M{"WorkSpaceId": ws, "WorkSpaceName": "team2", "Description": "d"})
	if r := f.ok("DescribeWorkSpaces", M{"Filters": []M{{"Name": "WorkSpaceName", "Values": []string{"team2"}}}}); r["TotalCount"].(float64) != 1 {
		t.Fatalf("renamed workspace %v", r)
	}
	wj := f.ok("CreateJob", M{"Name": "ws-job", "JobType": 1, "ClusterType": 1, "WorkSpaceId": ws})["JobId"].(string)
	f.fails("DeleteWorkSpace", M{"WorkSpaceId": ws}, "UnsupportedOperation.CanNotDelete")
	f.ok("DeleteJobs", M{"JobIds": []string{wj}})
	if !f.ok("DeleteWorkSpace", M{"WorkSpaceId": ws})["Delete"].(bool) {
		t.Fatal("DeleteWorkSpace: Delete false")
	}
	all := f.ok("DescribeWorkSpaces", M{})
	def := all["WorkSpaceSetItem"].([]any)[0].(M)["WorkSpaceId"].(string)
	f.fails("DeleteWorkSpace", M{"WorkSpaceId": def}, "FailedOperation.DefaultSpaceCanNotOperate")
	f.ok("DescribeWorkSpaceUsers", M{"WorkSpaceId": def})
	w := f.as("AKIDwedata")
	wd := w.ok("CreateWorkSpace", M{"WorkSpaceName": "wd"})["WorkSpaceId"].(string)
	w.fails("DeleteWorkSpace", M{"WorkSpaceId": wd}, "FailedOperation.DeleteWedataItemspace")
	// Variables: hidden values are never echoed.
	f.ok("CreateVariable", M{"Name": "db_password", "Value": "s3cret", "Type": 2})
	f.fails("CreateVariable", M{"Name": "db_password", "Value": "x", "Type": 1}, "InvalidParameter.CreateVariableExists")
	f.fails("CreateVariable", M{"Name": "1bad", "Value": "x", "Type": 1}, "InvalidParameterValue.VariableName")
	vs := f.ok("DescribeVariables", M{})["VariableSet"].([]any)
	if len(vs) != 1 || vs[0].(M)["Value"] == "s3cret" {
		t.Fatalf("variables %v", vs)
	}
}

func TestClustersMetaAndGateway(t *testing.T) {
	f := newFx(t, tenants.Tenant{SecretID: "AKIDdeny", SecretKey: "k", Oceanus: tenants.Oceanus{Refusals: map[string]string{"DescribeClusters": "UnauthorizedOperation"}}})
	cs := f.ok("DescribeClusters", M{})
	if cs["TotalCount"].(float64) != 3 {
		t.Fatalf("seeded clusters %v", cs)
	}
	f.as("AKIDdeny").fails("DescribeClusters", M{}, "UnauthorizedOperation")
	f.fails("DescribeClusters", M{"ClusterIds": []string{"cluster-nothere0"}}, "ResourceNotFound")
	f.fails("DescribeClusters", M{"ClusterIds": []string{"nothere"}}, "InvalidParameterValue.ClusterIds")
	cid := f.ok("CreateOceanusCluster", M{"ClusterName": "mine", "RegionId": 1, "ZoneId": 100003, "LoginPassword": "p",
		"VpcDescriptions": []M{}, "DefaultCOSBucket": "ckpt-1250000000", "CU": 12, "InstanceChargeType": "PREPAID", "Period": 1})["ClusterId"].(string)
	f.fails("CreateJob", M{"Name": "early", "JobType": 1, "ClusterType": 2, "ClusterId": cid}, "ResourceUnavailable.ClusterGroupStatus")
	f.advance(2 * time.Second)
	f.ok("CreateJob", M{"Name": "on-mine", "JobType": 1, "ClusterType": 2, "ClusterId": cid})
	f.fails("ScaleOceanusCluster", M{"ClusterId": cid, "NewCU": 13}, "InvalidParameterValue")
	f.ok("ScaleOceanusCluster", M{"ClusterId": cid, "NewCU": 19})
	f.ok("RenewOceanusCluster", M{"ClusterId": cid, "Period": 2})
	f.advance(2 * time.Second)
	f.ok("DeleteOceanusCluster", M{"ClusterId": cid})
	f.fails("DeleteOceanusCluster", M{"ClusterId": cid}, "ResourceNotFound")
	// Meta catalog.
	db := f.ok("CreateMetaDatabase", M{"CatalogId": 0, "DatabaseName": "sales"})["DatabaseId"].(float64)
	f.fails("CreateMetaDatabase", M{"CatalogId": 0, "DatabaseName": "sales"}, "InvalidParameterValue.MetaDatabaseExisted")
	f.fails("CreateMetaDatabase", M{"CatalogId": 0, "DatabaseName": "9x"}, "InvalidParameterValue.MetaDatabaseName")
	ddl := base64.StdEncoding.EncodeToString([]byte("CREATE TABLE orders (id INT) WITH ('connector'='datagen')"))
	tid := f.ok("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": db, "SqlCode": ddl})["TableId"].(float64)
	f.fails("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": db, "SqlCode": ddl}, "InvalidParameterValue.MetaTableExisted")
	f.fails("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": db, "SqlCode": "SELECT 1"}, "FailedOperation.CheckDdlGrammar")
	f.fails("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": db, "SqlCode": "CREATE TABLE t"}, "FailedOperation.DDLParseFailure")
	got := f.ok("GetMetaTable", M{"Catalog": "_dc", "Database": "sales", "Table": "orders", "WorkSpaceId": ""})
	if got["DDL"] != ddl { // echoed base64, as documented
		t.Fatalf("GetMetaTable %v", got)
	}
	f.ok("CreateMetaTable", M{"CatalogId": 0, "DatabaseId": 0, "SqlCode": ddl}) // the default database _db
	f.fails("GetMetaTable", M{"Catalog": "_dc", "Database": "sales", "Table": "nope", "WorkSpaceId": ""}, "ResourceNotFound.TableNotExist")
	f.ok("ModifyMetaTable", M{"ClusterId": DedicatedClusterID, "TableId": fmt.Sprint(int64(tid)), "SqlCode": ddl, "FlinkVersion": "Flink-1.16", "WorkSpaceId": "", "Remark": "r"})
	f.fails("ModifyMetaTable", M{"ClusterId": "cluster-nothere0", "TableId": "1", "SqlCode": ddl, "FlinkVersion": "x", "WorkSpaceId": "", "Remark": ""}, "ResourceNotFound.ClusterNotFound")
	// SQL gateway.
	st := f.ok("RunSqlGatewayStatement", M{"ClusterId": DedicatedClusterID, "Sql": base64.StdEncoding.EncodeToString([]byte("SELECT 1"))})
	res := f.ok("FetchSqlGatewayStatementResult", M{"ClusterId": DedicatedClusterID, "SessionId": st["SessionId"], "OperationHandleId": st["OperationHandleId"]})
	if res["IsQueryResult"] != true {
		t.Fatalf("fetch %v", res)
	}
	f.fails("RunSqlGatewayStatement", M{"ClusterId": SharedClusterID, "Sql": "x"}, "FailedOperation.FailedOperationCode_RunSqlGateway")
	f.fails("FetchSqlGatewayStatementResult", M{"ClusterId": DedicatedClusterID, "OperationHandleId": "nope"}, "FailedOperation.FailedOperationCode_FetchSqlGatewayStatement")
}

func TestSavepointsLogsRuntimeCopyModify(t *testing.T) {
	f := newFx(t)
	id := f.job("sp")
	f.config(id, nil)
	if r := f.ok("TriggerJobSavepoint", M{"JobId": id}); r["SavepointTrigger"] != false {
		t.Fatalf("savepoint of a job that is not running: %v", r)
	}
	f.ok("RunJobs", M{"RunJobDescriptions": []M{{"JobId": id, "RunType": 1}}})
	f.advance(op)
	sp := f.ok("TriggerJobSavepoint", M{"JobId": id, "Description": "before upgrade"})
	path := sp["FinalSavepointPath"].(string)
	lst := f.ok("DescribeJobSavepoint", M{"JobId": id, "Limit": 10, "Offset": 0})
	if lst["RunningTotalNumber"].(float64) != 1 || lst["TotalNumber"].(float64) != 0 {
		t.Fatalf("in-progress savepoint %v", lst)
	}
	if f.ok("CheckSavepoint", M{"JobId": id, "SerialId": sp["SavepointId"], "RecordType": 1, "SavepointPath": path, "WorkSpaceId": ""})["SavepointStatus"].(float64) != 2 {
		t.Fatal("an in-progress savepoint is usable")
	}
	f.advance(time.Second)
	if f.ok("CheckSavepoint", M{"JobId": id, "SerialId": sp["SavepointId"], "RecordType": 1, "SavepointPath": path, "WorkSpaceId": ""})["SavepointStatus"].(float64) != 1 {
		t.Fatal("a completed savepoint is not usable")
	}
	f.fails("CheckSavepoint", M{"JobId": "cql-zzzzzzzz", "SerialId": "s", "RecordType": 1, "SavepointPath": path, "WorkSpaceId": ""}, "ResourceNotFound.Job")
	f.fails("DescribeJobSavepoint", M{"JobId": "cql-zzzzzzzz", "Limit": 10, "Offset": 0}, "ResourceNotFound.JobId")
	rt := f.ok("DescribeJobRuntimeInfo", M{"JobId": id, "WorkSpaceId": "", "IncludeInfo": []string{"TaskManagers", "SubTasks"}})
	if len(rt["JobRuntimeInfo"].([]any)) != 2 {
		t.Fatalf("runtime info %v", rt)
	}
	f.fails("DescribeJobRuntimeInfo", M{"JobId": id, "WorkSpaceId": "", "IncludeInfo": []string{"Nope"}}, "InvalidParameterValue.Type")
	now := f.eng.Now().UnixMilli()
	lg := f.ok("DescribeJobSubmissionLog", M{"JobId": id, "StartTime": now - 60000, "EndTime": now, "Limit": 1})
	if lg["ListOver"] != false || lg["Cursor"] == "" || len(lg["LogContentList"].([]any)) != 1 {
		t.Fatalf("first log page %v", lg)
	}
	lg2 := f.ok("DescribeJobSubmissionLog", M{"JobId": id, "StartTime": now - 60000, "EndTime": now, "Cursor": lg["Cursor"]})
	if lg2["ListOver"] != true {
		t.Fatalf("second log page %v", lg2)
	}
	f.fails("DescribeJobSubmissionLog", M{"JobId": id, "StartTime": now, "EndTime": now - 1}, "InvalidParameterValue.InvalidTime")
	f.fails("DescribeJobSubmissionLog", M{"JobId": id, "StartTime": 0, "EndTime": now, "Limit": 101}, "InvalidParameterValue.InvalidLimit")
	// ModifyJob and CopyJobs.
	other := f.job("other")
	f.fails("ModifyJob", M{"JobId": id, "Name": "other"}, "FailedOperation.DuplicatedJobName")
	f.fails("ModifyJob", M{"JobId": "cql-zzzzzzzz", "Name": "x"}, "ResourceNotFound.Job")
	f.ok("ModifyJob", M{"JobId": id, "Name": "renamed", "Remark": "r"})
	cp := f.ok("CopyJobs", M{"JobItems": []M{{"SourceId": id, "TargetName": "renamed-copy"}, {"SourceId": other, "TargetName": "renamed"}}})
	if cp["SuccessCount"].(float64) != 1 || cp["FailCount"].(float64) != 1 {
		t.Fatalf("CopyJobs %v", cp)
	}
	f.fails("CopyJobs", M{"JobItems": []M{{"SourceId": "cql-zzzzzzzz"}}}, "ResourceNotFound.Job")
	copied := cp["CopyJobsResults"].([]any)[0].(M)["TargetJobId"].(string)
	f.wantStatus(copied, StatusUnpublished) // the copy has the source's latest config
	f.ok("DeleteTableConfig", M{"JobId": id, "DebugId": 1, "TableName": "t"})
	// DescribeJobs: JobIds xor Filters, filters, paging.
	f.fails("DescribeJobs", M{"JobIds": []string{id}, "Filters": []M{{"Name": "Name", "Values": []string{"x"}}}}, "InvalidParameterValue")
	if r := f.ok("DescribeJobs", M{"Filters": []M{{"Name": "Status", "Values": []string{"4"}}}}); r["TotalCount"].(float64) != 1 {
		t.Fatalf("Status filter %v", r)
	}
	f.fails("DescribeJobs", M{"Filters": []M{{"Name": "Bogus", "Values": []string{"x"}}}}, "InvalidParameterValue")
	if r := f.ok("DescribeJobs", M{"Offset": 1, "Limit": 1}); r["TotalCount"].(float64) != 3 || len(r["JobSet"].([]any)) != 1 {
		t.Fatalf("paging %v", r)
	}
}

// TestEveryActionAnswered runs the scenarios above again and checks that
// every documented action answered successfully at least once (and, through
// fx.call, only with documented fields).
func TestEveryActionAnswered(t *testing.T) {
	answered := map[string]bool{}
	hook = func(f *fx) { f.answered = answered }
	defer func() { hook = nil }()
	for _, scenario := range []func(*testing.T){TestJobLifecycle, TestCreateJobCodes, TestJobConfigs,
		TestResourcesAndReferences, TestFoldersWorkspacesVariables, TestClustersMetaAndGateway,
		TestSavepointsLogsRuntimeCopyModify} {
		scenario(t)
	}
	var missing []string
	for _, a := range ocfix.Catalog().Actions {
		if !answered[a.Name] {
			missing = append(missing, a.Name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("actions never answered successfully: %v", missing)
	}
}

// hook, when set, sees every fixture a scenario makes.
var hook func(*fx)
