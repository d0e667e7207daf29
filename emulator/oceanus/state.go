package oceanus

import (
	"sort"
	"strings"
	"time"
)

// Job statuses (JobV1.Status).
const (
	StatusUninitialized = 1
	StatusUnpublished   = 2
	StatusInProgress    = 3
	StatusRunning       = 4
	StatusStopped       = 5
	StatusPaused        = 6
	StatusFailed        = -1
)

// FailMarker in a run's ProgramArgs makes the job fail (see the package doc).
const FailMarker = "batchconform:fail"

// account is one tenant's Oceanus state. Every field is guarded by
// Service.mu.
type account struct {
	secretID string
	region   string
	appID    int64
	uin      string
	created  time.Time

	jobs       map[string]*job
	clusters   map[string]*cluster
	resources  map[string]*resource
	folders    map[string]*folder
	workspaces map[string]*workspace
	variables  map[string]*variable
	connectors map[string]*connector // by ResourceId of the connector
	metaDBs    map[int64]*metaDB
	metaTables map[int64]*metaTable
	statements map[string]*statement // by OperationHandleId
	tables     map[string]bool       // job table configs: JobId/DebugId/TableName
	nextSeq    int64
	defaultWS  string
	refunds    int // prepaid clusters deleted before they expired
}

type job struct {
	id, region, name, remark, description, folderID, flinkVersion, workspaceID, clusterID, jdkVersion string
	jobType, clusterType, cuMem, openAlarm, continueAlarm                                             int64
	tags                                                                                              []wTag
	status                                                                                            int64
	created, started, stopped, updated                                                                time.Time
	configs                                                                                           []*jobConfig // ascending Version
	latestVersion                                                                                     int64        // including deleted
	published                                                                                         int64        // 0: never published
	runningVersion                                                                                    int64
	runs                                                                                              []jobRun
	events                                                                                            []jobEvent
	savepoints                                                                                        []*savepoint
	pending                                                                                           []step // future transitions, in time order
	lastOp                                                                                            string
	runMillis                                                                                         int64 // accumulated over finished runs
	restarts                                                                                          int64
}

type jobRun struct {
	id      int64 // RunningOrderId, from 1
	started time.Time
	version int64
	log     []logLine
}

type logLine struct {
	at   time.Time
	text string
}

type jobEvent struct {
	typ, desc, msg string
	at             time.Time
	run            int64
}

// step is a scheduled status change.
type step struct {
	at   time.Time
	to   int64
	ev   string // event type recorded when it happens ("" none)
	desc string
}

type jobConfig struct {
	version     int64
	created     time.Time
	updated     time.Time
	params      map[string]any // the request as sent (echoed by DescribeJobConfigs)
	refs        []resourceRef
	programArgs string
	cosBucket   string
	parallelism int64
	maxPar      int64
	logCollect  int64
}

type resourceRef struct {
	ResourceID string `json:"ResourceId"`
	Version    int64  `json:"Version"`
	Type       int64  `json:"Type"`
}

type savepoint struct {
	id, serialID, path, desc string
	status, recordType       int64
	created, done            time.Time
	run                      int64
	version                  int64
}

type cluster struct {
	id, name, remark, zone, cosBucket string
	status                            int64
	cuNum, cuMem                      int64
	shared                            bool
	created, updated, expire          time.Time
	busyUntil                         time.Time // Status 3 until then (scaling)
	payMode, renewFlag                int64
}

type resource struct {
	id, name, remark, folderID, workspaceID string
	creator                                 string // the SecretId (Uin) that created it
	resourceType                            int64
	system                                  bool
	created, updated                        time.Time
	versions                                []*resourceVersion
	latest                                  int64
}

type resourceVersion struct {
	version int64
	loc     resourceLoc
	remark  string
	created time.Time
}

type resourceLoc struct {
	StorageType int64            `json:"StorageType"`
	Param       resourceLocParam `json:"Param"`
}

type resourceLocParam struct {
	Bucket string  `json:"Bucket"`
	Path   string  `json:"Path"`
	Region *string `json:"Region,omitempty"`
}

type folder struct {
	id, name, parent, workspaceID string
	folderType                    int64
}

type workspace struct {
	id, name, desc   string
	created, updated time.Time
	isDefault        bool
}

type variable struct {
	id, name, value, remark, workspaceID      string
	typ, valueType                            int64
	secretRegion, secretName, secretVersionID string
	created                                   time.Time
}

type connector struct {
	resourceID, name, method, workspaceID string
	version                               int64
}

type metaDB struct {
	id, catalogID int64
	name, comment string
}

type metaTable struct {
	id, dbID, catalogID int64
	name, ddl, comment  string
	code                string // the DDL as sent (base64, as GetMetaTable documents it)
	serial, clusterID   string
	created             time.Time
}

type statement struct {
	id, session, cluster, sql string
	created                   time.Time
}

// account returns the tenant's state, seeding it on first use.
func (s *Service) account(secretID, region string) *account {
	if a, ok := s.accounts[secretID]; ok {
		return a
	}
	now := s.now()
	a := &account{
		secretID: secretID, region: region, created: now,
		appID: 1250000000 + int64(len(s.accounts)), uin: "100000000001",
		jobs: map[string]*job{}, clusters: map[string]*cluster{}, resources: map[string]*resource{},
		folders: map[string]*folder{}, workspaces: map[string]*workspace{}, variables: map[string]*variable{},
		connectors: map[string]*connector{}, metaDBs: map[int64]*metaDB{}, metaTables: map[int64]*metaTable{},
		statements: map[string]*statement{}, tables: map[string]bool{},
	}
	if a.region == "" {
		a.region = "ap-guangzhou"
	}
	ws := &workspace{id: s.ids.NewID("space-"), name: "default", desc: "default workspace", created: now, updated: now, isDefault: true}
	a.workspaces[ws.id] = ws
	a.defaultWS = ws.id
	a.folders[RootFolderID] = &folder{id: RootFolderID, name: "root", parent: "", workspaceID: ws.id}
	zone := a.region + "-3"
	seed := []*cluster{
		{id: SharedClusterID, name: "batchconform-shared", status: 2, cuNum: 1000, cuMem: 4, shared: true},
		// Prepaid, so RenewOceanusCluster applies to it.
		{id: DedicatedClusterID, name: "batchconform-dedicated", status: 2, cuNum: 8, cuMem: 4, payMode: 1, expire: now.AddDate(0, 1, 0)},
		{id: StoppedClusterID, name: "batchconform-stopped", status: 1, cuNum: 8, cuMem: 4},
	}
	for _, c := range s.tenant(secretID).Oceanus.Clusters {
		cl := &cluster{id: s.ids.NewID("cluster-"), name: c.Name, status: int64(c.Status),
			cuNum: int64(c.CuNum), cuMem: int64(c.CuMem), shared: c.Shared}
		if cl.status == 0 {
			cl.status = 2
		}
		if cl.cuNum == 0 {
			cl.cuNum = 8
		}
		if cl.cuMem == 0 {
			cl.cuMem = 4
		}
		seed = append(seed, cl)
	}
	for _, c := range seed {
		c.zone, c.created, c.updated = zone, now, now
		c.cosBucket = "batchconform-1250000000"
		a.clusters[c.id] = c
	}
	a.metaDBs[0] = &metaDB{id: 0, catalogID: 0, name: defaultDatabase, comment: "default database"}
	for i, name := range []string{"flink-connector-kafka", "flink-connector-jdbc"} {
		r := &resource{id: "resource-sys0000" + string(rune('1'+i)), name: name, resourceType: 1, system: true,
			created: now, updated: now, latest: 1, workspaceID: ws.id}
		r.versions = []*resourceVersion{{version: 1, created: now.Add(-s.timing.ResourceSync),
			loc: resourceLoc{StorageType: 1, Param: resourceLocParam{Bucket: "oceanus-system-1250000000", Path: name + ".jar"}}}}
		a.resources[r.id] = r
	}
	s.accounts[secretID] = a
	return a
}

// seq is a per-account increasing number (meta IDs, savepoint IDs).
func (a *account) seq() int64 {
	a.nextSeq++
	return a.nextSeq
}

// settle applies every transition due by now, in time order per job.
func (a *account) settle(now time.Time) {
	for _, j := range a.jobs {
		j.settle(now)
	}
}

func (j *job) settle(now time.Time) {
	for len(j.pending) > 0 && !j.pending[0].at.After(now) {
		st := j.pending[0]
		j.pending = j.pending[1:]
		j.apply(st)
	}
	for _, sp := range j.savepoints {
		if sp.status == 3 && !sp.done.After(now) {
			sp.status = 1
		}
	}
}

// apply moves the job to st.to at st.at.
func (j *job) apply(st step) {
	from := j.status
	j.status = st.to
	j.updated = st.at
	switch st.to {
	case StatusRunning:
		if from == StatusInProgress {
			j.started = st.at // this run's start (CurrentRunMillis counts from it)
		}
		j.lastOp = ""
		j.log(st.at, "INFO  com.qcloud.oceanus.ca.service.RunJobService  - Finish invoking clusterClient.run (run job)")
	case StatusStopped, StatusPaused, StatusFailed:
		if !j.started.IsZero() {
			j.runMillis += st.at.Sub(j.started).Milliseconds()
		}
		j.stopped = st.at
		if st.to == StatusFailed {
			j.lastOp = "the job failed (" + FailMarker + ")"
			j.log(st.at, "ERROR org.apache.flink.runtime.executiongraph.ExecutionGraph  - Job failed ("+FailMarker+")")
		}
	}
	if st.ev != "" {
		j.events = append(j.events, jobEvent{typ: st.ev, desc: st.desc, at: st.at, run: j.currentRun()})
	}
}

func (j *job) currentRun() int64 {
	if len(j.runs) == 0 {
		return 0
	}
	return j.runs[len(j.runs)-1].id
}

func (j *job) log(at time.Time, text string) {
	if len(j.runs) == 0 {
		return
	}
	r := &j.runs[len(j.runs)-1]
	r.log = append(r.log, logLine{at: at, text: at.UTC().Format("2006-01-02 15:04:05.000") + " [batchconform] " + text})
}

// schedule replaces the job's future with the given steps.
func (j *job) schedule(steps ...step) {
	j.pending = append(j.pending[:0], steps...)
	sort.SliceStable(j.pending, func(a, b int) bool { return j.pending[a].at.Before(j.pending[b].at) })
}

// config returns a live version (nil if deleted or never made).
func (j *job) config(v int64) *jobConfig {
	for _, c := range j.configs {
		if c.version == v {
			return c
		}
	}
	return nil
}

// latestConfig is the newest live version (nil: none).
func (j *job) latestConfig() *jobConfig {
	if len(j.configs) == 0 {
		return nil
	}
	return j.configs[len(j.configs)-1]
}

// draft is the version being edited: the latest, while it is newer than
// the published one.
func (j *job) draft() *jobConfig {
	c := j.latestConfig()
	if c == nil || c.version <= j.published {
		return nil
	}
	return c
}

// runningCU is the CU a job holds on its cluster while 3 or 4.
func (j *job) runningCU() int64 {
	if j.status != StatusRunning && j.status != StatusInProgress {
		return 0
	}
	if c := j.config(j.runningVersion); c != nil && c.parallelism > 0 {
		return c.parallelism
	}
	return 1
}

// failing reports whether the running config carries the fail marker.
func (j *job) failing() bool {
	c := j.config(j.runningVersion)
	return c != nil && strings.Contains(c.programArgs, FailMarker)
}

// sortedJobs lists the account's jobs, oldest first (ties by ID).
func (a *account) sortedJobs() []*job {
	out := make([]*job, 0, len(a.jobs))
	for _, j := range a.jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(x, y int) bool {
		if !out[x].created.Equal(out[y].created) {
			return out[x].created.Before(out[y].created)
		}
		return out[x].id < out[y].id
	})
	return out
}

// jobByName finds a job by name in a workspace.
func (a *account) jobByName(name, ws string) *job {
	for _, j := range a.jobs {
		if j.name == name && j.workspaceID == ws {
			return j
		}
	}
	return nil
}

// workspace resolves a WorkSpaceId (empty: the default).
func (a *account) workspace(id string) (*workspace, bool) {
	if id == "" {
		w := a.workspaces[a.defaultWS]
		return w, w != nil
	}
	w, ok := a.workspaces[id]
	return w, ok
}

// clusterUsedCU sums the CU of the cluster's jobs in 3 or 4.
func (a *account) clusterUsedCU(id string) int64 {
	var n int64
	for _, j := range a.jobs {
		if j.clusterID == id {
			n += j.runningCU()
		}
	}
	return n
}

// clusterStatus is the cluster's status now (3 while scaling).
func (c *cluster) statusAt(now time.Time) int64 {
	if now.Before(c.busyUntil) {
		return 3
	}
	return c.status
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
