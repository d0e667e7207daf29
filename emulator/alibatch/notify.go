package alibatch

// Notifications: a job's or cluster's description may name an MNS topic
// (Notification{Topic{Name, Endpoint, Events}}) to be told about its events
// (reference §A.5: OnJob/OnTask/OnInstance × Waiting, Running, Stopped,
// Finished, Failed, and OnPriorityChange; seed 001: OnClusterDeleted,
// OnInstanceCreated, OnInstanceActive for a cluster's VMs).
// The emulator delivers them to a sink per tenant instead of MNS, read
// through the admin API (GET notifications), in the order they happened.
//
// Job, task and instance events are derived from the engine's ordered log
// of state changes (Engine.Changes), mapped to the documented states the
// way the views map them, so every state a GetJob could show fires once,
// in order, even when no client polled it. The log is read lazily (when the
// sink is read, and before StopJob/StartJob change what a failure means);
// it holds the engine's last MaxChanges changes, so a sink left unread for
// longer than that misses the oldest.

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/engine"
)

// MaxNotifications bounds the notifications kept per tenant (the oldest go
// first), so a long-running emulator does not grow without bound.
const MaxNotifications = 10000

// Notification is one delivered notification.
type Notification struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Topic      string    `json:"topic"`
	Endpoint   string    `json:"endpoint"`
	Event      string    `json:"event"` // e.g. OnJobFinished
	JobID      string    `json:"job_id,omitempty"`
	TaskName   string    `json:"task_name,omitempty"`
	InstanceID *int      `json:"instance_id,omitempty"`
	ClusterID  string    `json:"cluster_id,omitempty"`
	// ClusterInstanceID is the cluster VM of OnInstanceCreated/OnInstanceActive.
	ClusterInstanceID string `json:"cluster_instance_id,omitempty"`
	State             string `json:"state,omitempty"` // the state entered (job, task, instance events)
}

// topic is a parsed Notification.Topic; events nil means every event (the
// docs leave an absent Events list open: the emulator reads it as all).
type topic struct {
	name, endpoint string
	events         map[string]bool
}

func (t *topic) wants(event string) bool { return t.events == nil || t.events[event] }

// notifier is the sink and the state of the change-log replay.
type notifier struct {
	mu      sync.Mutex
	after   int64             // last engine change processed
	seq     int64             // last notification Seq
	topics  map[string]*topic // job or cluster ID -> its subscription
	last    map[string]string // entity key -> last documented state
	ran     map[string]bool   // entity key -> some attempt has run
	stopped map[string]bool   // job ID -> StopJob accepted (failures are Stopped)
	envs    map[string]string // engine env ID -> cluster ID (clusters with a topic)
	sink    map[string][]Notification
}

func newNotifier() *notifier {
	return &notifier{topics: map[string]*topic{}, last: map[string]string{}, ran: map[string]bool{},
		stopped: map[string]bool{}, envs: map[string]string{}, sink: map[string][]Notification{}}
}

// parseTopic reads a description's Notification.Topic (nil when absent).
func parseTopic(desc map[string]any) *topic {
	n, _ := desc["Notification"].(map[string]any)
	tp, _ := n["Topic"].(map[string]any)
	if tp == nil {
		return nil
	}
	t := &topic{}
	t.name, _ = tp["Name"].(string)
	t.endpoint, _ = tp["Endpoint"].(string)
	if evs, ok := tp["Events"].([]any); ok {
		t.events = map[string]bool{}
		for _, e := range evs {
			if s, ok := e.(string); ok {
				t.events[s] = true
			}
		}
	}
	return t
}

// beforeDispatch runs before an operation: StopJob and StartJob change what
// a job's coming failures mean (Stopped after StopJob), so the changes
// logged so far are replayed first and the job is marked before the
// engine acts (it may log the stop's failures at once). The returned undo
// restores the mark when the operation is refused.
func (s *Service) beforeDispatch(req *acs.Request) (undo func()) {
	if req.Op != "StopJob" && req.Op != "StartJob" {
		return func() {}
	}
	s.catchUp()
	n, id := s.notes, req.Vars["JobId"]
	n.mu.Lock()
	defer n.mu.Unlock()
	prev, had := n.stopped[id]
	n.stopped[id] = req.Op == "StopJob"
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if had {
			n.stopped[id] = prev
		} else {
			delete(n.stopped, id)
		}
	}
}

// afterDispatch is called with every operation that succeeded: it keeps the
// subscriptions and fires the events of operations (not of state changes).
func (s *Service) afterDispatch(req *acs.Request, resp *acs.Response) {
	n := s.notes
	switch req.Op {
	case "CreateJob", "CreateCluster":
		t := parseTopic(req.Object())
		id := createdID(resp)
		if t == nil || id == "" {
			return
		}
		var envs []string
		if req.Op == "CreateCluster" {
			s.mu.Lock()
			if c := s.clusters[id]; c != nil {
				for _, en := range c.groups {
					envs = append(envs, en)
				}
			}
			s.mu.Unlock()
		}
		n.mu.Lock()
		n.topics[id] = t
		for _, en := range envs {
			n.envs[en] = id
		}
		n.mu.Unlock()
	case "ChangeJobPriority":
		s.catchUp()
		n.mu.Lock()
		n.deliver(req.AccessKeyID, n.topics[req.Vars["JobId"]], Notification{Time: time.Now().UTC(), Event: "OnPriorityChange", JobID: req.Vars["JobId"]})
		n.mu.Unlock()
	case "DeleteCluster":
		n.mu.Lock()
		id := req.Vars["ClusterId"]
		n.deliver(req.AccessKeyID, n.topics[id], Notification{Time: time.Now().UTC(), Event: "OnClusterDeleted", ClusterID: id})
		n.mu.Unlock()
	}
}

func createdID(resp *acs.Response) string {
	b, err := json.Marshal(resp.Body)
	if err != nil {
		return ""
	}
	var v struct{ Id string }
	_ = json.Unmarshal(b, &v)
	return v.Id
}

// deliver appends ev to tenant's sink when t subscribes to it (n.mu held).
func (n *notifier) deliver(tenant string, t *topic, ev Notification) {
	if t == nil || !t.wants(ev.Event) {
		return
	}
	n.seq++
	ev.Seq, ev.Topic, ev.Endpoint = n.seq, t.name, t.endpoint
	l := append(n.sink[tenant], ev)
	if len(l) > MaxNotifications {
		l = append([]Notification(nil), l[len(l)-MaxNotifications:]...)
	}
	n.sink[tenant] = l
}

// catchUp replays the engine's changes not yet seen.
func (s *Service) catchUp() {
	n := s.notes
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range s.eng.Changes(n.after) {
		n.after = c.Seq
		n.apply(c)
	}
}

// apply maps one engine change to the documented state of its job, task or
// instance (as the views do: a retry waiting for its next attempt is still
// Running; a failure after StopJob is Stopped) and fires the event when that
// state is new (n.mu held).
func (n *notifier) apply(c engine.Change) {
	var key, kind, ranKey string
	switch c.Kind {
	case "job":
		key, kind, ranKey = c.ID, "Job", c.ID
	case "task":
		key, kind, ranKey = c.ID+"/"+c.Task, "Task", c.ID+"/"+c.Task
	case "task-instance":
		if c.Index == nil {
			return
		}
		ranKey = c.ID + "/" + c.Task + "/" + itoa(*c.Index)
		key, kind = ranKey, "Instance"
	case "node":
		n.applyNode(c)
		return
	default:
		return
	}
	var state string
	switch c.To {
	case engine.StateSucceed:
		state = Finished
	case engine.StateFailed, engine.StateFailedInterrupted:
		state = Failed
		if n.stopped[c.ID] {
			state = Stopped
		}
	case engine.StateRunning:
		state = Running
		// An instance running makes its task and job run too.
		n.ran[ranKey] = true
		if c.Kind == "task-instance" {
			n.ran[c.ID+"/"+c.Task], n.ran[c.ID] = true, true
		}
	default:
		state = Waiting
		if n.ran[ranKey] {
			state = Running
		}
	}
	if n.last[key] == state {
		return
	}
	n.last[key] = state
	ev := Notification{Time: c.Time.UTC(), Event: "On" + kind + state, JobID: c.ID, TaskName: c.Task, State: state}
	if c.Kind == "task-instance" {
		i := *c.Index
		ev.InstanceID = &i
	}
	n.deliver(c.Tenant, n.topics[c.ID], ev)
}

// clusterEvents are the cluster VM events (seed 001's example) by the
// documented cluster-instance state entered: created = the VM is allocated
// (Pending -> Starting), active = it serves tasks (-> Running).
var clusterEvents = map[string]string{"Starting": "OnInstanceCreated", "Running": "OnInstanceActive"}

// applyNode fires a cluster VM's event when a node of a subscribed
// cluster's group enters the state that event names (n.mu held).
func (n *notifier) applyNode(c engine.Change) {
	cl, ok := n.envs[c.Env]
	if !ok {
		return
	}
	state := clusterInstanceState(c.To)
	key := "node/" + c.ID
	if n.last[key] == state {
		return
	}
	n.last[key] = state
	if ev, ok := clusterEvents[state]; ok {
		n.deliver(c.Tenant, n.topics[cl], Notification{Time: c.Time.UTC(), Event: ev, ClusterID: cl, ClusterInstanceID: c.ID, State: state})
	}
}

// Notifications returns tenant's delivered notifications with Seq > after,
// oldest first.
func (s *Service) Notifications(tenant string, after int64) []Notification {
	s.catchUp()
	n := s.notes
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []Notification{}
	for _, ev := range n.sink[tenant] {
		if ev.Seq > after {
			out = append(out, ev)
		}
	}
	return out
}
