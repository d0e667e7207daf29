package tencentbatch

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/faults"
	"github.com/batchconform/batchconform/emulator/listing"
)

// ---- views (documented response objects) ----

type placementView struct {
	Zone      string `json:"Zone"`
	ProjectId int64  `json:"ProjectId"`
}

type tagView struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagViews(kv []engine.KV) []tagView {
	out := make([]tagView, 0, len(kv))
	for _, t := range kv {
		out = append(out, tagView{Key: t.Name, Value: t.Value})
	}
	return out
}

type nodeMetricsView struct {
	SubmittedCount      uint64 `json:"SubmittedCount"`
	CreatingCount       uint64 `json:"CreatingCount"`
	CreationFailedCount uint64 `json:"CreationFailedCount"`
	CreatedCount        uint64 `json:"CreatedCount"`
	RunningCount        uint64 `json:"RunningCount"`
	DeletingCount       uint64 `json:"DeletingCount"`
	AbnormalCount       uint64 `json:"AbnormalCount"`
}

func nodeMetrics(nodes []engine.Node) nodeMetricsView {
	var m nodeMetricsView
	for _, n := range nodes {
		switch n.State {
		case engine.NodeSubmitted:
			m.SubmittedCount++
		case engine.NodeCreating:
			m.CreatingCount++
		case engine.NodeCreationFailed:
			m.CreationFailedCount++
		case engine.NodeCreated:
			m.CreatedCount++
		case engine.NodeRunning:
			m.RunningCount++
		case engine.NodeDeleting:
			m.DeletingCount++
		case engine.NodeAbnormal:
			m.AbnormalCount++
		}
	}
	return m
}

type computeNodeView struct {
	ComputeNodeId            string   `json:"ComputeNodeId"`
	ComputeNodeInstanceId    string   `json:"ComputeNodeInstanceId"`
	ComputeNodeState         string   `json:"ComputeNodeState"`
	Cpu                      uint64   `json:"Cpu"`
	Mem                      uint64   `json:"Mem"`
	ResourceCreatedTime      string   `json:"ResourceCreatedTime"`
	TaskInstanceNumAvailable uint64   `json:"TaskInstanceNumAvailable"`
	AgentVersion             string   `json:"AgentVersion"`
	PrivateIpAddresses       []string `json:"PrivateIpAddresses"`
	PublicIpAddresses        []string `json:"PublicIpAddresses"`
	ResourceType             string   `json:"ResourceType"`
	ResourceOrigin           string   `json:"ResourceOrigin"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nodeView(env engine.Env, n engine.Node) computeNodeView {
	avail := uint64(0)
	// A RUNNING node runs one task instance at a time (emulator model).
	if n.State == engine.NodeRunning && n.RunningTaskInstances == 0 {
		avail = 1
	}
	origin := n.Origin
	if origin == "" {
		origin = engine.OriginBatchCreated
	}
	return computeNodeView{
		ComputeNodeId:            n.ID,
		ComputeNodeInstanceId:    n.InstanceID,
		ComputeNodeState:         n.State,
		Cpu:                      uint64(max(n.CPU, 0)),
		Mem:                      uint64(max(n.MemoryGB, 0)),
		ResourceCreatedTime:      ts(n.CreateTime),
		TaskInstanceNumAvailable: avail,
		AgentVersion:             n.AgentVersion,
		PrivateIpAddresses:       nonNil(n.PrivateIPs),
		PublicIpAddresses:        nonNil(n.PublicIPs),
		ResourceType:             resourceType(env),
		ResourceOrigin:           origin,
	}
}

func resourceType(env engine.Env) string {
	if env.Spec.ResourceType == "" {
		return "CVM"
	}
	return env.Spec.ResourceType
}

func envType(env engine.Env) string {
	if env.Spec.Type == "" {
		return "MANAGED"
	}
	return env.Spec.Type
}

func attached(env engine.Env) uint64 {
	var n uint64
	for _, nd := range env.Nodes {
		if nd.Origin == engine.OriginUserAttached {
			n++
		}
	}
	return n
}

type describeComputeEnvResp struct {
	EnvId                    string            `json:"EnvId"`
	EnvName                  string            `json:"EnvName"`
	Placement                placementView     `json:"Placement"`
	CreateTime               string            `json:"CreateTime"`
	ComputeNodeSet           []computeNodeView `json:"ComputeNodeSet"`
	ComputeNodeMetrics       nodeMetricsView   `json:"ComputeNodeMetrics"`
	DesiredComputeNodeCount  uint64            `json:"DesiredComputeNodeCount"`
	EnvType                  string            `json:"EnvType"`
	ResourceType             string            `json:"ResourceType"`
	NextAction               string            `json:"NextAction"`
	AttachedComputeNodeCount uint64            `json:"AttachedComputeNodeCount"`
	Tags                     []tagView         `json:"Tags"`
}

type computeEnvView struct {
	EnvId                    string          `json:"EnvId"`
	EnvName                  string          `json:"EnvName"`
	Placement                placementView   `json:"Placement"`
	CreateTime               string          `json:"CreateTime"`
	ComputeNodeMetrics       nodeMetricsView `json:"ComputeNodeMetrics"`
	EnvType                  string          `json:"EnvType"`
	DesiredComputeNodeCount  uint64          `json:"DesiredComputeNodeCount"`
	ResourceType             string          `json:"ResourceType"`
	NextAction               string          `json:"NextAction"`
	AttachedComputeNodeCount uint64          `json:"AttachedComputeNodeCount"`
	Tags                     []tagView       `json:"Tags"`
}

func envView(env engine.Env) computeEnvView {
	return computeEnvView{
		EnvId:                    env.ID,
		EnvName:                  env.Spec.Name,
		Placement:                placementView{Zone: env.Spec.Zone, ProjectId: env.Spec.ProjectID},
		CreateTime:               ts(env.CreateTime),
		ComputeNodeMetrics:       nodeMetrics(env.Nodes),
		EnvType:                  envType(env),
		DesiredComputeNodeCount:  uint64(max(env.Desired, 0)),
		ResourceType:             resourceType(env),
		NextAction:               env.NextAction,
		AttachedComputeNodeCount: attached(env),
		Tags:                     tagViews(env.Spec.Tags),
	}
}

type activityView struct {
	ActivityId              string  `json:"ActivityId"`
	ComputeNodeId           string  `json:"ComputeNodeId"`
	ComputeNodeActivityType string  `json:"ComputeNodeActivityType"`
	EnvId                   string  `json:"EnvId"`
	Cause                   string  `json:"Cause"`
	ActivityState           string  `json:"ActivityState"`
	StateReason             string  `json:"StateReason"`
	StartTime               string  `json:"StartTime"`
	EndTime                 *string `json:"EndTime"`
	InstanceId              string  `json:"InstanceId"`
}

// envCreateInfo is what the façade records at creation (EnvSpec.CreateInfo):
// the ComputeEnv as submitted, as JSON, with Notifications as a list.
type envCreateInfo struct {
	ComputeEnv json.RawMessage
}

// ---- handlers ----

// env fetches a live environment of the tenant (a deleted one is unknown).
func (s *Service) env(action, tenant, id string) (engine.Env, *api3.Error) {
	env, err := s.eng.Env(tenant, id)
	if err != nil {
		return engine.Env{}, s.engErr(action, err)
	}
	if env.Deleted {
		return engine.Env{}, s.envNotFound(id)
	}
	return env, nil
}

// envs lists the tenant's live environments in creation order.
func (s *Service) envs(tenant string) []engine.Env {
	return listing.Filter(s.eng.Envs(tenant), func(e engine.Env) bool { return !e.Deleted })
}

// admit applies the tenant's emulator configuration to a create: the
// permission to use Batch and the zones unavailable to it. The engine checks
// them too; checking here keeps the documented codes independent of it.
func (s *Service) admit(tenant, zone string) *api3.Error {
	t, ok := s.tenants.Get(tenant)
	if !ok {
		return nil
	}
	if t.NotAllowed {
		return api3.Errorf("UnauthorizedOperation.UserNotAllowedToUseBatch", "the user is not allowed to use Batch")
	}
	if zone != "" && contains(t.UnavailableZones, zone) {
		return api3.Errorf("InvalidParameterValue.UnavailableZone", "zone %s is unavailable", zone)
	}
	return nil
}

func (s *Service) checkZone(region, zone string) *api3.Error {
	if code := s.zoneCode(region, zone); code != "" {
		return api3.Errorf(code, "zone %s does not match region %s", zone, region)
	}
	return nil
}

func (s *Service) createComputeEnv(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ComputeEnv struct {
			EnvName                 string         `json:"EnvName"`
			EnvDescription          string         `json:"EnvDescription"`
			EnvType                 string         `json:"EnvType"`
			DesiredComputeNodeCount int64          `json:"DesiredComputeNodeCount"`
			EnvData                 *wEnvData      `json:"EnvData"`
			Notifications           wNotifications `json:"Notifications"`
			ResourceMaxRetryCount   *int64         `json:"ResourceMaxRetryCount"`
			Tags                    []wTag         `json:"Tags"`
		} `json:"ComputeEnv"`
		Placement   wPlacement `json:"Placement"`
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
	ce := p.ComputeEnv
	var types []string
	image := ""
	if d := ce.EnvData; d != nil {
		image = d.ImageId
		switch {
		case d.InstanceType != "":
			types = []string{d.InstanceType}
		case len(d.InstanceTypes) > 0:
			types = d.InstanceTypes
		case d.InstanceTypeOptions != nil:
			types = []string{firstInstanceType(d)}
		}
	}
	if len(types) == 0 {
		types = []string{defaultInstanceType}
	}
	var first instanceType
	for i, t := range types {
		it, ok := parseType(t)
		if !ok {
			return nil, api3.Errorf("InvalidParameterValue.InstanceType", "unsupported instance type %q", t)
		}
		if i == 0 {
			first = it
		}
	}
	retry := 7
	if ce.ResourceMaxRetryCount != nil {
		retry = int(*ce.ResourceMaxRetryCount)
	}
	info, err := envEcho(req.Body)
	if err != nil {
		return nil, api3.Errorf("InternalError", "record creation info: %v", err)
	}
	id, err := s.eng.CreateEnv(engine.EnvSpec{
		Tenant:           req.SecretID,
		Name:             ce.EnvName,
		Description:      ce.EnvDescription,
		Type:             nz(ce.EnvType, "MANAGED"),
		ResourceType:     "CVM",
		Zone:             p.Placement.Zone,
		ProjectID:        p.Placement.ProjectId,
		InstanceTypes:    types,
		ImageID:          image,
		CPU:              first.CPU,
		MemoryGB:         first.Mem,
		DesiredNodes:     int(ce.DesiredComputeNodeCount),
		ResourceMaxRetry: retry,
		Notifications:    notifications(ce.Notifications),
		Tags:             tags(ce.Tags),
		CreateInfo:       info,
		ClientToken:      s.createEnvToken(p.ClientToken),
	})
	if err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct {
		EnvId string `json:"EnvId"`
	}{id}, nil
}

// defaultInstanceType serves an environment whose EnvData names none.
const defaultInstanceType = "S5.MEDIUM4"

func nz(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// envEcho records the submitted ComputeEnv for DescribeComputeEnvCreateInfo:
// Notifications normalised to a list (the documented output type).
func envEcho(body []byte) (envCreateInfo, error) {
	ce := asMap(rawParams(body)["ComputeEnv"])
	if ce == nil {
		ce = map[string]any{}
	}
	if n, ok := ce["Notifications"]; ok {
		ce["Notifications"] = listOf(n)
	}
	if _, ok := ce["EnvType"]; !ok {
		ce["EnvType"] = "MANAGED"
	}
	b, err := json.Marshal(ce)
	return envCreateInfo{ComputeEnv: b}, err
}

func (s *Service) createCpmComputeEnv(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ComputeEnv struct {
			EnvName                 string `json:"EnvName"`
			EnvDescription          string `json:"EnvDescription"`
			EnvType                 string `json:"EnvType"`
			DesiredComputeNodeCount int64  `json:"DesiredComputeNodeCount"`
			EnvData                 struct {
				Zones         []string `json:"Zones"`
				InstanceTypes []string `json:"InstanceTypes"`
				OsTypeId      int64    `json:"OsTypeId"`
				ImageId       string   `json:"ImageId"`
			} `json:"EnvData"`
			Notifications         wNotifications `json:"Notifications"`
			ResourceMaxRetryCount *int64         `json:"ResourceMaxRetryCount"`
			Tags                  []wTag         `json:"Tags"`
		} `json:"ComputeEnv"`
		Placement   *wPlacement `json:"Placement"`
		ClientToken string      `json:"ClientToken"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !contains(cpmRegions, req.Region) {
		return nil, api3.Errorf("InvalidParameterValue.RegionNotSupportCpm", "region %s does not offer bare metal", req.Region)
	}
	ce := p.ComputeEnv
	if !cpmOS(ce.EnvData.OsTypeId) {
		return nil, api3.Errorf("InvalidParameterValue.OsTypeId", "unknown OsTypeId %d (see DescribeCpmOsInfo)", ce.EnvData.OsTypeId)
	}
	// Bare-metal zones (ap-guangzhou-bls-1) are not Batch zones: the
	// placement zone, when given, is the Batch zone the env is listed under.
	zone := ""
	var project int64
	if p.Placement != nil {
		zone, project = p.Placement.Zone, p.Placement.ProjectId
	}
	if zone == "" && len(ce.EnvData.Zones) > 0 {
		zone = ce.EnvData.Zones[0]
	}
	if e := s.admit(req.SecretID, zone); e != nil {
		return nil, e
	}
	retry := 7
	if ce.ResourceMaxRetryCount != nil {
		retry = int(*ce.ResourceMaxRetryCount)
	}
	info, err := envEcho(req.Body)
	if err != nil {
		return nil, api3.Errorf("InternalError", "record creation info: %v", err)
	}
	id, err := s.eng.CreateEnv(engine.EnvSpec{
		Tenant:           req.SecretID,
		Name:             ce.EnvName,
		Description:      ce.EnvDescription,
		Type:             nz(ce.EnvType, "MANAGED"),
		ResourceType:     "CPM",
		Zone:             zone,
		ProjectID:        project,
		InstanceTypes:    ce.EnvData.InstanceTypes,
		ImageID:          ce.EnvData.ImageId,
		CPU:              32, // a bare-metal server: fixed for the CPU quota
		MemoryGB:         128,
		DesiredNodes:     int(ce.DesiredComputeNodeCount),
		ResourceMaxRetry: retry,
		Notifications:    notifications(ce.Notifications),
		Tags:             tags(ce.Tags),
		CreateInfo:       info,
		ClientToken:      p.ClientToken,
	})
	if err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct {
		EnvId string `json:"EnvId"`
	}{id}, nil
}

type envIDParam struct {
	EnvId string `json:"EnvId"`
}

func (s *Service) describeComputeEnv(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p envIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	env, e := s.env(req.Action, req.SecretID, p.EnvId)
	if e != nil {
		return nil, e
	}
	v := envView(env)
	nodes := make([]computeNodeView, 0, len(env.Nodes))
	for _, n := range env.Nodes {
		nodes = append(nodes, nodeView(env, n))
	}
	return describeComputeEnvResp{
		EnvId: v.EnvId, EnvName: v.EnvName, Placement: v.Placement, CreateTime: v.CreateTime,
		ComputeNodeSet: nodes, ComputeNodeMetrics: v.ComputeNodeMetrics,
		DesiredComputeNodeCount: v.DesiredComputeNodeCount, EnvType: v.EnvType,
		ResourceType: v.ResourceType, NextAction: v.NextAction,
		AttachedComputeNodeCount: v.AttachedComputeNodeCount, Tags: v.Tags,
	}, nil
}

type listParams struct {
	Filters []wFilter `json:"Filters"`
	Offset  *int64    `json:"Offset"`
	Limit   *int64    `json:"Limit"`
}

func (s *Service) describeComputeEnvs(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvIds []string `json:"EnvIds"`
		listParams
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	envs, e := s.filterEnvs(req.Action, s.envs(req.SecretID), p.EnvIds, p.Filters, true)
	if e != nil {
		return nil, e
	}
	a, b := s.page(req.Action, len(envs), p.Offset, p.Limit, 20)
	set := listing.Views(envs[a:b], func(env engine.Env) computeEnvView {
		v := envView(env)
		if s.faults.On(faults.EnvTypeMixedCase) {
			v.EnvType = "Managed" // the list projection spells the enum its own way
		}
		return v
	})
	return struct {
		ComputeEnvSet []computeEnvView `json:"ComputeEnvSet"`
		TotalCount    int64            `json:"TotalCount"`
	}{set, int64(len(envs))}, nil
}

// filterEnvs applies an ID list and Filters (zone, env-id, env-name, and with
// full also resource-type and tags).
func (s *Service) filterEnvs(action string, envs []engine.Env, ids []string, fs []wFilter, full bool) ([]engine.Env, *api3.Error) {
	envs = listing.ByID(envs, ids, func(e engine.Env) string { return e.ID })
	return applyFilters(s, action, envs, fs, func(name string, vals []string) (func(engine.Env) bool, *api3.Error) {
		switch {
		case name == "zone":
			if e := s.zoneFilter(vals); e != nil {
				return nil, e
			}
			return func(e engine.Env) bool { return contains(vals, e.Spec.Zone) }, nil
		case name == "env-id":
			return func(e engine.Env) bool { return contains(vals, e.ID) }, nil
		case name == "env-name":
			if s.envNameFilterIgnored(action) {
				return func(engine.Env) bool { return true }, nil // the fault
			}
			return func(e engine.Env) bool { return contains(vals, e.Spec.Name) }, nil
		case full && name == "resource-type":
			for _, v := range vals {
				if v != "CVM" && v != "CPM" {
					return nil, api3.Errorf("InvalidParameterValue.ResourceType", "resource-type must be CVM or CPM, not %q", v)
				}
			}
			return func(e engine.Env) bool { return contains(vals, resourceType(e)) }, nil
		case full:
			if m := tagFilter(name, vals); m != nil {
				return func(e engine.Env) bool { return m(e.Spec.Tags) }, nil
			}
		}
		return nil, nil
	})
}

func (s *Service) describeComputeEnvCreateInfo(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p envIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	env, e := s.env(req.Action, req.SecretID, p.EnvId)
	if e != nil {
		return nil, e
	}
	out := s.createInfo(env)
	if a, ok := s.cat.Action(req.Action); ok {
		prune(s.cat, out, a.Output)
		fill(s.cat, out, a.Output, 0)
	}
	return out, nil
}

// createInfo rebuilds an environment's creation echo (fresh each call).
func (s *Service) createInfo(env engine.Env) map[string]any {
	var out map[string]any
	if ci, ok := env.Spec.CreateInfo.(envCreateInfo); ok {
		out = rawParams(ci.ComputeEnv)
	} else {
		out = map[string]any{}
	}
	out["EnvId"] = env.ID
	// Name and description may have changed since (ModifyComputeEnv).
	out["EnvName"] = env.Spec.Name
	out["EnvDescription"] = env.Spec.Description
	for _, k := range []string{"MountDataDisks", "InputMappings", "Authentications", "Notifications", "Tags"} {
		if out[k] == nil {
			out[k] = []any{}
		}
	}
	if _, ok := out["EnvData"]; !ok {
		out["EnvData"] = map[string]any{}
	}
	out["DesiredComputeNodeCount"] = json.Number(itoa(max(env.Desired, 0)))
	return out
}

func (s *Service) describeComputeEnvCreateInfos(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvIds []string `json:"EnvIds"`
		listParams
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	envs, e := s.filterEnvs(req.Action, s.envs(req.SecretID), p.EnvIds, p.Filters, false)
	if e != nil {
		return nil, e
	}
	a, b := s.page(req.Action, len(envs), p.Offset, p.Limit, 20)
	set := make([]any, 0, b-a)
	itemObj := s.refOf(req.Action, "ComputeEnvCreateInfoSet")
	for _, env := range envs[a:b] {
		ci := s.createInfo(env)
		if itemObj != "" {
			prune(s.cat, ci, itemObj)
		}
		set = append(set, ci)
	}
	out := map[string]any{"TotalCount": json.Number(itoa(len(envs))), "ComputeEnvCreateInfoSet": set}
	if a, ok := s.cat.Action(req.Action); ok {
		fill(s.cat, out, a.Output, 0)
	}
	return out, nil
}

// refOf names the object a member of the action's output refers to ("" if
// the catalog does not say).
func (s *Service) refOf(action, member string) string {
	a, ok := s.cat.Action(action)
	if !ok {
		return ""
	}
	o, ok := s.cat.Object(a.Output)
	if !ok || o == nil {
		return ""
	}
	if m := o.Member(member); m != nil {
		return m.Ref
	}
	return ""
}

func (s *Service) describeComputeEnvActivities(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvId   string   `json:"EnvId"`
		Offset  *int64   `json:"Offset"`
		Limit   *int64   `json:"Limit"`
		Filters *wFilter `json:"Filters"` // a single Filter object, as documented
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if _, e := s.env(req.Action, req.SecretID, p.EnvId); e != nil {
		return nil, e
	}
	acts, err := s.eng.Activities(req.SecretID, p.EnvId)
	if err != nil {
		return nil, s.engErr(req.Action, err)
	}
	if f := p.Filters; f != nil {
		if f.Name != "compute-node-id" {
			return nil, api3.Errorf("InvalidParameterValue", "unsupported filter %q (supported: compute-node-id)", f.Name)
		}
		acts = listing.Filter(acts, func(a engine.Activity) bool { return contains(f.Values, a.NodeID) })
	}
	a, b := s.page(req.Action, len(acts), p.Offset, p.Limit, 20)
	set := listing.Views(acts[a:b], func(ac engine.Activity) activityView {
		return activityView{
			ActivityId: ac.ID, ComputeNodeId: ac.NodeID, ComputeNodeActivityType: ac.Type,
			EnvId: ac.EnvID, Cause: ac.Cause, ActivityState: ac.State, StateReason: ac.Reason,
			StartTime: ts(ac.StartTime), EndTime: tsp(ac.EndTime), InstanceId: ac.NodeInstanceID,
		}
	})
	return struct {
		ActivitySet []activityView `json:"ActivitySet"`
		TotalCount  uint64         `json:"TotalCount"`
	}{set, uint64(len(acts))}, nil
}

func (s *Service) modifyComputeEnv(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvId                   string  `json:"EnvId"`
		DesiredComputeNodeCount *int64  `json:"DesiredComputeNodeCount"`
		EnvName                 *string `json:"EnvName"`
		EnvDescription          *string `json:"EnvDescription"`
		EnvData                 *struct {
			InstanceTypes []string `json:"InstanceTypes"`
		} `json:"EnvData"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	env, e := s.env(req.Action, req.SecretID, p.EnvId)
	if e != nil {
		return nil, e
	}
	if e := s.envGate(req.Action, req.SecretID, env); e != nil {
		return nil, e
	}
	m := engine.EnvModify{Name: p.EnvName, Description: p.EnvDescription}
	if p.DesiredComputeNodeCount != nil {
		n := int(*p.DesiredComputeNodeCount)
		m.DesiredNodes = &n
	}
	if p.EnvData != nil {
		if len(p.EnvData.InstanceTypes) == 0 {
			return nil, api3.Errorf("InvalidParameterValue.InstanceTypesEmpty", "EnvData.InstanceTypes must not be empty")
		}
		for _, t := range p.EnvData.InstanceTypes {
			if _, ok := parseType(t); !ok {
				return nil, api3.Errorf("InvalidParameterValue.InstanceType", "unsupported instance type %q", t)
			}
		}
		m.InstanceTypes = p.EnvData.InstanceTypes
	}
	if m.DesiredNodes != nil {
		if e := scaleIn(env, *m.DesiredNodes); e != nil {
			return nil, e
		}
	}
	if err := s.eng.ModifyEnv(req.SecretID, p.EnvId, m); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) deleteComputeEnv(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p envIDParam
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	env, e := s.env(req.Action, req.SecretID, p.EnvId)
	if e != nil {
		return nil, e
	}
	if e := s.envGate(req.Action, req.SecretID, env); e != nil {
		return nil, e
	}
	// The environment's nodes must all be terminable: attached instances
	// are detached by the user first (DetachInstances), and a node still
	// being created cannot be terminated yet.
	for _, n := range env.Nodes {
		if n.Origin == engine.OriginUserAttached && n.State != engine.NodeDeleting {
			return nil, api3.Errorf("UnsupportedOperation", "the compute environment holds the attached instance %s: detach it first (DetachInstances)", n.InstanceID)
		}
	}
	for _, n := range env.Nodes {
		if n.State == engine.NodeSubmitted || n.State == engine.NodeCreating {
			return nil, api3.Errorf("UnsupportedOperation.ComputeNodeForbidTerminate", "the compute node %s is %s and cannot be terminated yet", n.ID, n.State)
		}
	}
	if err := s.eng.DeleteEnv(req.SecretID, p.EnvId); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) terminateComputeNode(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvId         string `json:"EnvId"`
		ComputeNodeId string `json:"ComputeNodeId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	return s.terminateNodes(req, p.EnvId, []string{p.ComputeNodeId})
}

func (s *Service) terminateComputeNodes(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvId          string   `json:"EnvId"`
		ComputeNodeIds []string `json:"ComputeNodeIds"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	return s.terminateNodes(req, p.EnvId, p.ComputeNodeIds)
}

func (s *Service) terminateNodes(req *api3.Request, envID string, ids []string) (any, *api3.Error) {
	env, e := s.env(req.Action, req.SecretID, envID)
	if e != nil {
		return nil, e
	}
	if e := s.envGate(req.Action, req.SecretID, env); e != nil {
		return nil, e
	}
	// An attached instance leaves through DetachInstances, not by being
	// terminated (the CVM is the user's).
	for _, n := range env.Nodes {
		if n.Origin == engine.OriginUserAttached && contains(ids, n.ID) {
			return nil, api3.Errorf("UnsupportedOperation", "the compute node %s is an attached instance: use DetachInstances", n.ID)
		}
	}
	if err := s.eng.TerminateNodes(req.SecretID, envID, ids); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) attachInstances(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvId     string `json:"EnvId"`
		Instances []struct {
			InstanceId string `json:"InstanceId"`
			ImageId    string `json:"ImageId"`
		} `json:"Instances"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	env, e := s.env(req.Action, req.SecretID, p.EnvId)
	if e != nil {
		return nil, e
	}
	if e := s.envGate(req.Action, req.SecretID, env); e != nil {
		return nil, e
	}
	ins := make([]engine.Instance, 0, len(p.Instances))
	for _, i := range p.Instances {
		ins = append(ins, engine.Instance{InstanceID: i.InstanceId, ImageID: i.ImageId})
	}
	if err := s.eng.AttachInstances(req.SecretID, p.EnvId, ins); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) detachInstances(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		EnvId       string   `json:"EnvId"`
		InstanceIds []string `json:"InstanceIds"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if _, e := s.env(req.Action, req.SecretID, p.EnvId); e != nil {
		return nil, e
	}
	if err := s.eng.DetachInstances(req.SecretID, p.EnvId, p.InstanceIds); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

// envGate applies the refusals every modification of an environment meets
// before any node-state check, in this order: the tenant's EnvBusy
// configuration (UnsupportedOperation.ComputeEnvAcceptOtherRequest, "计算环境
// 正在接受请求"); the environment being deleted (NextAction DELETING:
// ComputeEnvOperation for DeleteComputeEnv and TerminateComputeNode, plain
// UnsupportedOperation otherwise); and, for DeleteComputeEnv,
// TerminateComputeNode(s) and ModifyComputeEnv, an unfinished
// ModifyComputeEnv — a CREATE/TERMINATE activity it caused still SUBMITTED
// or PROCESSING (UnsupportedOperation.AcceptOtherRequest, "处理其他请求，禁止删除
// 操作"). The engine repeats the first two; checking them here keeps the
// documented codes independent of it.
func (s *Service) envGate(action, tenant string, env engine.Env) *api3.Error {
	if t, ok := s.tenants.Get(tenant); ok && t.EnvBusy {
		return api3.Errorf("UnsupportedOperation.ComputeEnvAcceptOtherRequest", "the compute environment %s is accepting another request", env.ID)
	}
	if env.NextAction == "DELETING" {
		switch action {
		case "DeleteComputeEnv", "TerminateComputeNode":
			return api3.Errorf("UnsupportedOperation.ComputeEnvOperation", "the compute environment %s is being deleted", env.ID)
		}
		return api3.Errorf("UnsupportedOperation", "the compute environment %s is being deleted", env.ID)
	}
	switch action {
	case "DeleteComputeEnv", "TerminateComputeNode", "TerminateComputeNodes", "ModifyComputeEnv":
	default:
		return nil
	}
	acts, err := s.eng.Activities(tenant, env.ID)
	if err != nil {
		return s.engErr(action, err)
	}
	for _, a := range acts {
		if strings.HasPrefix(a.Cause, "ModifyComputeEnv") && (a.State == engine.ActivitySubmitted || a.State == engine.ActivityProcessing) {
			return api3.Errorf("UnsupportedOperation.AcceptOtherRequest",
				"the compute environment %s is still processing a ModifyComputeEnv (activity %s is %s)", env.ID, a.ID, a.State)
		}
	}
	return nil
}

// scaleIn refuses a DesiredComputeNodeCount decrease the nodes cannot serve
// (the engine scales in Batch-created nodes in CREATED/RUNNING/ABNORMAL):
// none of them terminable while nodes are still SUBMITTED/CREATING →
// ComputeNodeForbidTerminate; otherwise fewer than needed →
// NotEnoughComputeNodesToTerminate.
func scaleIn(env engine.Env, want int) *api3.Error {
	need := env.Desired - want
	if need <= 0 || want < 0 { // a negative count is the engine's (Negative)
		return nil
	}
	cands, creating := 0, 0
	for _, n := range env.Nodes {
		if n.Origin == engine.OriginUserAttached {
			continue
		}
		switch n.State {
		case engine.NodeCreated, engine.NodeRunning, engine.NodeAbnormal:
			cands++
		case engine.NodeSubmitted, engine.NodeCreating:
			creating++
		}
	}
	switch {
	case cands >= need:
		return nil
	case cands == 0 && creating > 0:
		return api3.Errorf("UnsupportedOperation.ComputeNodeForbidTerminate",
			"none of the compute nodes can be terminated yet (%d still being created)", creating)
	}
	return api3.Errorf("UnsupportedOperation.NotEnoughComputeNodesToTerminate",
		"%d compute nodes to terminate, %d can be terminated", need, cands)
}

// createEnvToken is the ClientToken CreateComputeEnv hands the engine; the
// fault ignore-client-token-create-env drops it for this one action (the
// engine keeps honouring it for SubmitJob and CreateCpmComputeEnv).
func (s *Service) createEnvToken(token string) string {
	if s.faults.On(faults.IgnoreClientTokenCreateEnv) {
		return ""
	}
	return token
}
