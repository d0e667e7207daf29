package alibatch

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/batchconform/batchconform/emulator/acs"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/listing"
)

// Static data served by GetQuotas; CreateCluster's InstanceType and a
// group's InstanceType must be one of AvailableClusterInstanceType (the
// catalog's ref rule "GetQuotas:AvailableClusterInstanceType").
var quotas = map[string][]string{
	"AvailableClusterResourceType":           {"OnDemand", "Spot"},
	"AvailableClusterInstanceType":           {"ecs.sn1ne.large", "ecs.sn1ne.xlarge", "ecs.sn1.medium", "ecs.sn2ne.large", "ecs.c5.large", "ecs.g5.large", "ecs.t5-lc1m1.small"},
	"AvailableSpotInstanceType":              {"ecs.sn1ne.large", "ecs.c5.large"},
	"AvailableClusterInstanceSystemDiskType": {"cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"},
	"AvailableClusterInstanceDataDiskType":   {"cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"},
}

// vCPUs per instance type (for the engine's CPU quota).
func cpus(it string) int {
	switch {
	case strings.HasSuffix(it, ".xlarge"):
		return 4
	case strings.HasSuffix(it, ".large"):
		return 2
	}
	return 1
}

func knownInstanceType(it string) bool {
	for _, x := range quotas["AvailableClusterInstanceType"] {
		if x == it {
			return true
		}
	}
	return false
}

type cluster struct {
	id, tenant string
	seq        int64
	desc       map[string]any    // the submitted description (echoed)
	groups     map[string]string // group name -> engine env ID
	groupType  map[string]string // group name -> instance type
	order      []string          // group names sorted
	created    string
	// deleting is the one field that changes once the cluster is
	// published: DeleteCluster sets it while List/Get read it.
	deleting atomic.Bool
}

func (s *Service) getQuotas(_ context.Context, _ *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	out := map[string]any{}
	for k, v := range quotas {
		out[k] = v
	}
	return &acs.Response{Body: out}, nil
}

func (s *Service) createCluster(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	tn := req.AccessKeyID
	key, sum, id, e := s.idempotent(tn, req.Op, p)
	if e != nil {
		return nil, e
	}
	if id != "" {
		return &acs.Response{Body: map[string]any{"Id": id}}, nil
	}
	it := str(p, "InstanceType")
	if it != "" && !knownInstanceType(it) {
		return nil, s.ruleError(req.Op, "InstanceType.ref", "")
	}
	groups := obj(p, "Groups")
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	t, _ := s.tenants.Get(tn)
	if max := t.Quotas.ClusterGroups; max > 0 && len(names) > max {
		return nil, acs.Errorf(http.StatusForbidden, "QuotaExhausted.MaxClusterGroupCount", "The MaxClusterGroupCount (%d) quota is exhausted.", max)
	}
	s.mu.Lock()
	n := 0
	for _, c := range s.clusters {
		if c.tenant == tn {
			n++
		}
	}
	s.mu.Unlock()
	if max := t.Quotas.ComputeEnvs; max >= 0 && n >= max {
		return nil, acs.Errorf(http.StatusForbidden, "QuotaExhausted.MaxClusterCount", "The MaxClusterCount (%d) quota is exhausted.", max)
	}
	vpc := obj(obj(obj(p, "Configs"), "Networks"), "VPC")
	if rt := str(vpc, "OppositeRouterType"); rt != "" {
		for _, f := range t.ForbiddenOppositeRouterTypes {
			if f == rt {
				return nil, acs.Errorf(http.StatusForbidden, "QuotaExhausted.Configs.Networks.VPC.OppositeRouterType",
					"The Configs.Networks.VPC.OppositeRouterType (%s) is forbidden.", rt)
			}
		}
	}
	types := map[string]string{}
	for _, g := range names {
		gd, _ := groups[g].(map[string]any)
		git := str(gd, "InstanceType")
		if git == "" {
			git = it
		}
		if git == "" {
			return nil, acs.Missing("InstanceType")
		}
		if !knownInstanceType(git) {
			return nil, s.ruleError(req.Op, "InstanceType.ref", "")
		}
		if max := t.Quotas.GroupDesiredVMs; max > 0 && num(gd, "DesiredVMCount", 0) > max {
			return nil, acs.Errorf(http.StatusForbidden, "QuotaExhausted.MaxClusterGroupDesiredVMCount", "The MaxClusterGroupDesiredVMCount (%d) quota is exhausted.", max)
		}
		types[g] = git
	}
	// Every check passed: create one engine environment per group. A
	// failure half-way deletes the ones created (no half-applied change).
	c := &cluster{tenant: tn, desc: p, groups: map[string]string{}, groupType: types, order: names}
	for _, g := range names {
		gd, _ := groups[g].(map[string]any)
		envID, err := s.eng.CreateEnv(engine.EnvSpec{Tenant: tn, Name: str(p, "Name") + "/" + g, Type: "MANAGED", ResourceType: "CVM",
			InstanceTypes: []string{types[g]}, ImageID: str(p, "ImageId"), CPU: cpus(types[g]), MemoryGB: 2 * cpus(types[g]),
			DesiredNodes: num(gd, "DesiredVMCount", 0)})
		if err != nil {
			for _, id := range c.groups {
				_ = s.eng.DeleteEnv(tn, id)
			}
			return nil, engineErr(err, "Active")
		}
		c.groups[g] = envID
	}
	s.mu.Lock()
	s.clSeq++
	c.seq = s.clSeq
	c.id = fmt.Sprintf("cls-%018x%06d", ownerID(tn)&0xffffffffff, c.seq)
	c.created = ts(s.eng.Now())
	s.clusters[c.id] = c
	s.mu.Unlock()
	s.remember(key, sum, c.id)
	return &acs.Response{Body: map[string]any{"Id": c.id}}, nil
}

// findCluster returns a live cluster of the tenant (deleted ones are gone
// once every group's environment is).
func (s *Service) findCluster(tenant, id string) (*cluster, *acs.Error) {
	s.mu.Lock()
	c := s.clusters[id]
	s.mu.Unlock()
	if c == nil || c.tenant != tenant {
		return nil, acs.NotFound()
	}
	if c.deleting.Load() && s.gone(c) {
		s.mu.Lock()
		delete(s.clusters, id)
		s.mu.Unlock()
		return nil, acs.NotFound()
	}
	return c, nil
}

func (s *Service) gone(c *cluster) bool {
	for _, envID := range c.groups {
		if en, err := s.eng.Env(c.tenant, envID); err == nil && !en.Deleted {
			return false
		}
	}
	return true
}

func clusterInstanceState(n string) string {
	switch n {
	case engine.NodeSubmitted:
		return "Pending"
	case engine.NodeCreating, engine.NodeCreated, engine.NodeCreationFailed:
		return "Starting"
	case engine.NodeRunning, engine.NodeAbnormal:
		return "Running"
	case engine.NodeDeleting:
		return "Deleting"
	}
	return "Deleted"
}

func (s *Service) clusterView(c *cluster) map[string]any {
	groups := map[string]any{}
	metrics := map[string]int{"RunningCount": 0, "StartingCount": 0, "StoppingCount": 0, "StoppedCount": 0}
	desc := c.desc
	gdesc := obj(desc, "Groups")
	for _, g := range c.order {
		en, err := s.eng.Env(c.tenant, c.groups[g])
		if err != nil {
			continue
		}
		actual := 0
		for _, n := range en.Nodes {
			switch clusterInstanceState(n.State) {
			case "Running":
				actual++
				metrics["RunningCount"]++
			case "Pending", "Starting":
				metrics["StartingCount"]++
			case "Deleting":
				metrics["StoppingCount"]++
			}
		}
		gd, _ := gdesc[g].(map[string]any)
		groups[g] = map[string]any{"DesiredVMCount": en.Desired, "ActualVMCount": actual, "InstanceType": c.groupType[g],
			"ResourceType": orDefault(str(gd, "ResourceType"), "OnDemand"), "SpotStrategy": str(gd, "SpotStrategy"),
			"SpotPriceLimit": floatOr0(gd["SpotPriceLimit"])}
	}
	state := "Active"
	if c.deleting.Load() {
		state = "Deleting"
	}
	out := map[string]any{"Id": c.id, "Name": str(desc, "Name"), "OwnerId": ownerID(c.tenant), "Description": str(desc, "Description"),
		"CreationTime": c.created, "State": state, "InstanceType": str(desc, "InstanceType"), "ImageId": str(desc, "ImageId"),
		"UserData": mapOrEmpty(desc, "UserData"), "EnvVars": mapOrEmpty(desc, "EnvVars"), "Notification": mapOrEmpty(desc, "Notification"),
		"Configs": mapOrEmpty(desc, "Configs"), "Bootstrap": str(desc, "Bootstrap"), "Groups": groups, "OperationLogs": []any{},
		"Metrics": metrics}
	return out
}

// floatOr0 is the group's SpotPriceLimit as sent, 0 when unset (seed 001's
// example sends 0.0).
func floatOr0(v any) any {
	if v == nil {
		return 0.0
	}
	return v
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func mapOrEmpty(p map[string]any, k string) map[string]any {
	if m := obj(p, k); m != nil {
		return m
	}
	return map[string]any{}
}

func (s *Service) getCluster(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	c, e := s.findCluster(req.AccessKeyID, req.Vars["ClusterId"])
	if e != nil {
		return nil, e
	}
	return &acs.Response{Body: s.clusterView(c)}, nil
}

func (s *Service) listClusters(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	s.mu.Lock()
	var ids []string
	for id, c := range s.clusters {
		if c.tenant == req.AccessKeyID {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	var cs []*cluster
	for _, id := range ids {
		if c, e := s.findCluster(req.AccessKeyID, id); e == nil {
			cs = append(cs, c)
		}
	}
	pg, next, perr := page(cs, func(c *cluster) string { return c.id }, p)
	if perr != nil {
		return nil, perr
	}
	views := listing.Views(pg, s.clusterView)
	return &acs.Response{Body: list(views, next)}, nil
}

func (s *Service) deleteCluster(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	c, e := s.findCluster(req.AccessKeyID, req.Vars["ClusterId"])
	if e != nil {
		return nil, e
	}
	if !c.deleting.CompareAndSwap(false, true) {
		return nil, acs.StateConflict("Deleting")
	}
	for _, envID := range c.groups {
		_ = s.eng.DeleteEnv(c.tenant, envID) // already deleting: nothing to do
	}
	return &acs.Response{}, nil
}

// changeClusterDesiredVMCount: every named group must exist (the catalog's
// ref rule "cluster:Groups", checked here since it needs state), then each
// group's environment moves to its new count.
func (s *Service) changeClusterDesiredVMCount(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	c, e := s.findCluster(req.AccessKeyID, req.Vars["ClusterId"])
	if e != nil {
		return nil, e
	}
	if c.deleting.Load() {
		return nil, acs.StateConflict("Deleting")
	}
	groups := obj(p, "Groups")
	names := make([]string, 0, len(groups))
	for g := range groups {
		if _, ok := c.groups[g]; !ok {
			return nil, s.ruleError(req.Op, "Groups.{key}.ref", g)
		}
		names = append(names, g)
	}
	sort.Strings(names)
	t, _ := s.tenants.Get(req.AccessKeyID)
	for _, g := range names {
		gd, _ := groups[g].(map[string]any)
		if max := t.Quotas.GroupDesiredVMs; max > 0 && num(gd, "DesiredVMCount", 0) > max {
			return nil, acs.Errorf(http.StatusForbidden, "QuotaExhausted.MaxClusterGroupDesiredVMCount", "The MaxClusterGroupDesiredVMCount (%d) quota is exhausted.", max)
		}
	}
	for _, g := range names {
		gd, _ := groups[g].(map[string]any)
		if _, ok := gd["DesiredVMCount"]; !ok {
			continue
		}
		n := num(gd, "DesiredVMCount", 0)
		if err := s.eng.ModifyEnv(c.tenant, c.groups[g], engine.EnvModify{DesiredNodes: &n}); err != nil {
			return nil, engineErr(err, "Active")
		}
	}
	return &acs.Response{}, nil
}

// groupEnv resolves /clusters/{ClusterId}/groups/{GroupName}.
func (s *Service) groupEnv(req *acs.Request) (*cluster, engine.Env, *acs.Error) {
	c, e := s.findCluster(req.AccessKeyID, req.Vars["ClusterId"])
	if e != nil {
		return nil, engine.Env{}, e
	}
	envID, ok := c.groups[req.Vars["GroupName"]]
	if !ok {
		return nil, engine.Env{}, acs.NotFound()
	}
	en, err := s.eng.Env(c.tenant, envID)
	if err != nil {
		return nil, engine.Env{}, acs.NotFound()
	}
	return c, en, nil
}

// nodesOf lists a group's instances: the environment's live nodes, then the
// ones it released, which stay listed as Deleted (cluster instances go
// Deleting → Deleted). Released nodes come from the environment's completed
// TERMINATE_COMPUTE_NODE activities, their creation time from the create
// activity.
func (s *Service) nodesOf(en engine.Env) []engine.Node {
	nodes := append([]engine.Node(nil), en.Nodes...)
	acts, err := s.eng.Activities(en.Tenant, en.ID)
	if err != nil {
		return nodes
	}
	live := map[string]bool{}
	for _, n := range nodes {
		live[n.ID] = true
	}
	created := map[string]engine.Activity{}
	for _, a := range acts {
		if a.Type == engine.ActivityCreateNode {
			created[a.NodeID] = a
		}
	}
	for _, a := range acts {
		if a.Type != engine.ActivityTerminateNode || a.State != engine.ActivitySucceed || live[a.NodeID] {
			continue
		}
		live[a.NodeID] = true
		nodes = append(nodes, engine.Node{ID: a.NodeID, EnvID: en.ID, InstanceID: a.NodeInstanceID, State: stateDeleted,
			CreateTime: created[a.NodeID].StartTime})
	}
	return nodes
}

// stateDeleted marks a released node (no engine state: the engine forgets it).
const stateDeleted = "Deleted"

func nodeView(n engine.Node) map[string]any {
	ip := ""
	if len(n.PrivateIPs) > 0 {
		ip = n.PrivateIPs[0]
	}
	return map[string]any{"Id": n.ID, "Hint": n.InstanceID, "State": clusterInstanceState(n.State), "IpAddress": ip,
		"HostName": n.InstanceID, "ErrorCode": "", "ErrorMessage": "", "CreationTime": ts(n.CreateTime)}
}

func (s *Service) listClusterInstances(_ context.Context, req *acs.Request, p map[string]any) (*acs.Response, *acs.Error) {
	_, en, e := s.groupEnv(req)
	if e != nil {
		return nil, e
	}
	pg, next, perr := page(s.nodesOf(en), func(n engine.Node) string { return n.ID }, p)
	if perr != nil {
		return nil, perr
	}
	views := listing.Views(pg, nodeView)
	return &acs.Response{Body: list(views, next)}, nil
}

func findNode(en engine.Env, id string) (engine.Node, bool) {
	for _, n := range en.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return engine.Node{}, false
}

func (s *Service) getClusterInstance(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	_, en, e := s.groupEnv(req)
	if e != nil {
		return nil, e
	}
	for _, n := range s.nodesOf(en) {
		if n.ID == req.Vars["InstanceId"] {
			return &acs.Response{Body: nodeView(n)}, nil
		}
	}
	return nil, acs.NotFound()
}

// deleteClusterInstance: asynchronous; the group's DesiredVMCount drops by
// one (the engine's TerminateNodes does that).
func (s *Service) deleteClusterInstance(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	c, en, e := s.groupEnv(req)
	if e != nil {
		return nil, e
	}
	n, ok := findNode(en, req.Vars["InstanceId"])
	if !ok {
		return nil, acs.NotFound()
	}
	if err := s.eng.TerminateNodes(c.tenant, en.ID, []string{n.ID}); err != nil {
		return nil, engineErr(err, clusterInstanceState(n.State))
	}
	return &acs.Response{}, nil
}

// recreateClusterInstance replaces the VM: the node is terminated and the
// group's desired count restored, so a new node boots.
func (s *Service) recreateClusterInstance(_ context.Context, req *acs.Request, _ map[string]any) (*acs.Response, *acs.Error) {
	c, en, e := s.groupEnv(req)
	if e != nil {
		return nil, e
	}
	n, ok := findNode(en, req.Vars["InstanceId"])
	if !ok {
		return nil, acs.NotFound()
	}
	if n.State == engine.NodeDeleting && s.faults.On(faults.AliRecreateDeleting) {
		return &acs.Response{}, nil
	}
	want := en.Desired
	if err := s.eng.TerminateNodes(c.tenant, en.ID, []string{n.ID}); err != nil {
		return nil, engineErr(err, clusterInstanceState(n.State))
	}
	if err := s.eng.ModifyEnv(c.tenant, en.ID, engine.EnvModify{DesiredNodes: &want}); err != nil {
		return nil, engineErr(err, "Deleting")
	}
	return &acs.Response{}, nil
}
