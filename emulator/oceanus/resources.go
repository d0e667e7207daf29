package oceanus

import (
	"context"
	"encoding/base64"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/emulator/faults"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}

// decodeSQL reads SQL sent base64-encoded (the documented SqlCode/Sql), or
// as plain text when it is not base64.
func decodeSQL(s string) (string, bool) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return string(b), true
	}
	return "", false
}

var sqlStart = regexp.MustCompile(`(?is)^\s*(CREATE|INSERT|SELECT|SET|WITH|USE|BEGIN|SHOW|DESCRIBE|EXPLAIN|DROP|ALTER)\b`)

func looksLikeSQL(s string) bool { return sqlStart.MatchString(s) }

// version returns a live version of the resource; -1 is the latest.
func (r *resource) version(v int64) *resourceVersion {
	if v == -1 {
		v = r.latest
	}
	for _, rv := range r.versions {
		if rv.version == v {
			return rv
		}
	}
	return nil
}

// refs lists the job configs that use the resource (any version when v is 0).
func (a *account) resourceRefs(id string, v int64) []map[string]any {
	var out []map[string]any
	for _, j := range a.sortedJobs() {
		for _, c := range j.configs {
			for _, r := range c.refs {
				if r.ResourceID != id {
					continue
				}
				rv := r.Version
				if rv == -1 {
					rv = a.resources[id].latest
				}
				if v != 0 && rv != v {
					continue
				}
				out = append(out, map[string]any{"JobId": j.id, "JobConfigVersion": c.version, "ResourceVersion": rv, "created": c.created})
			}
		}
	}
	return out
}

// bucketObjects lists the object store's objects of a COS bucket, whichever
// URL form they were stored under (cos://bucket/… or
// cos://bucket.cos.<region>.myqcloud.com/…), as bucket-relative paths.
func (s *Service) bucketObjects(bucket string) []string {
	if s.objects == nil {
		return nil
	}
	var out []string
	for _, u := range s.objects.List("cos://" + bucket) {
		rest := strings.TrimPrefix(u, "cos://"+bucket)
		if !strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, ".cos.") {
			continue // another bucket whose name extends this one
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			out = append(out, strings.TrimPrefix(rest[i:], "/"))
		}
	}
	return out
}

// bucketExists: a bucket exists when it is one of the tenant's clusters'
// default buckets or the object store holds objects in it.
func (s *Service) bucketExists(a *account, bucket string) bool {
	if !bucketShape.MatchString(bucket) {
		return false
	}
	return a.defaultBucket(bucket) || len(s.bucketObjects(bucket)) > 0
}

// checkLoc applies the ResourceLoc conventions (package doc): a bucket that
// is no bucket name cannot be checked; an object the object store holds
// exists; in a cluster's default bucket every jar exists except one whose
// file name starts with "missing"; in any other bucket only what the store
// holds exists.
func (s *Service) checkLoc(a *account, loc resourceLoc) *api3.Error {
	if loc.StorageType != 1 {
		return api3.Errorf("InvalidParameterValue", "ResourceLoc.StorageType must be 1 (COS)")
	}
	if !bucketShape.MatchString(loc.Param.Bucket) {
		return api3.Errorf("ResourceUnavailable.CheckResourceLocExists", "the COS bucket %q cannot be checked", loc.Param.Bucket)
	}
	p := strings.TrimPrefix(loc.Param.Path, "/")
	if facade.Contains(s.bucketObjects(loc.Param.Bucket), p) {
		return nil
	}
	if p != "" && !strings.HasPrefix(path.Base(p), "missing") && a.defaultBucket(loc.Param.Bucket) {
		return nil
	}
	return api3.Errorf("ResourceUnavailable.ResourceLocNotExists", "cos://%s/%s does not exist", loc.Param.Bucket, p)
}

// defaultBucket reports whether bucket is one of the tenant's clusters'
// DefaultCOSBucket.
func (a *account) defaultBucket(bucket string) bool {
	for _, c := range a.clusters {
		if c.cosBucket == bucket {
			return true
		}
	}
	return false
}

func (s *Service) createResource(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceLoc          resourceLoc `json:"ResourceLoc"`
		ResourceType         int64       `json:"ResourceType"`
		Remark               string      `json:"Remark"`
		Name                 string      `json:"Name"`
		ResourceConfigRemark string      `json:"ResourceConfigRemark"`
		FolderID             string      `json:"FolderId"`
		WorkSpaceID          string      `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if e := s.checkLoc(a, p.ResourceLoc); e != nil {
		return nil, e
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("ResourceNotFound", "the workspace %s does not exist", p.WorkSpaceID)
	}
	if p.Name == "" {
		p.Name = path.Base(p.ResourceLoc.Param.Path)
	}
	fold := p.FolderID
	if fold == "" {
		fold = RootFolderID
	}
	if _, ok := a.folders[fold]; !ok && s.foreign(a, "folder", fold) {
		return nil, api3.Errorf("InvalidParameter.InvalidAppId", "the folder %s belongs to another AppId", fold)
	}
	if f, ok := a.folders[fold]; !ok || fold != RootFolderID && f.folderType != 1 {
		return nil, api3.Errorf("ResourceNotFound", "the resource folder %s does not exist", fold)
	}
	for _, r := range a.resources {
		if r.name == p.Name && !r.system && r.workspaceID == ws.id && !s.on(faults.OceanusDuplicateResourceName) {
			return nil, api3.Errorf("ResourceInUse.ResourceNameAlreadyExists", "a resource named %q already exists", p.Name)
		}
	}
	if a.userResources() >= quota(s.tenant(req.SecretID).Oceanus.MaxResources, defaultQuota) {
		return nil, api3.Errorf("LimitExceeded", "the resource quota is used up")
	}
	now := s.now()
	r := &resource{id: s.ids.NewID("resource-"), name: p.Name, remark: p.Remark, folderID: fold, workspaceID: ws.id,
		resourceType: p.ResourceType, created: now, updated: now, latest: 1, creator: req.SecretID}
	r.versions = []*resourceVersion{{version: 1, loc: p.ResourceLoc, remark: p.ResourceConfigRemark, created: now}}
	a.resources[r.id] = r
	return map[string]any{"ResourceId": r.id, "Version": 1}, nil
}

func (a *account) userResources() int {
	n := 0
	for _, r := range a.resources {
		if !r.system {
			n++
		}
	}
	return n
}

// userResource finds a resource the user owns (system resources are read-only).
func (a *account) userResource(id, notFound string) (*resource, *api3.Error) {
	r, ok := a.resources[id]
	if !ok || r.system {
		return nil, api3.Errorf(notFound, "the resource %s does not exist", id)
	}
	return r, nil
}

func (s *Service) createResourceConfig(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceID  string      `json:"ResourceId"`
		ResourceLoc resourceLoc `json:"ResourceLoc"`
		Remark      string      `json:"Remark"`
		AutoDelete  int64       `json:"AutoDelete"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !resourceIDShape.MatchString(p.ResourceID) {
		// Not a resource ID at all: the generic not-found code; a
		// well-formed ID of no resource is ResourceNotExist (inferred split).
		return nil, api3.Errorf("ResourceNotFound", "%q is not a resource ID (resource-xxxxxxxx)", p.ResourceID)
	}
	if r, ok := a.resources[p.ResourceID]; ok && r.system {
		// A system resource exists but is not in the user's resource
		// store, which has no version to add to (inferred reading).
		return nil, api3.Errorf("InternalError.ResourceNotExist", "the resource %s is a system resource, not the account's", p.ResourceID)
	}
	r, e := a.userResource(p.ResourceID, "ResourceNotFound.ResourceNotExist")
	if e != nil {
		return nil, e
	}
	if e := s.checkLoc(a, p.ResourceLoc); e != nil {
		return nil, e
	}
	// Resource versions share the job configs' documented limit of 100
	// (inferred); AutoDelete=1 drops the oldest version no job uses.
	if len(r.versions) >= DefaultMaxJobConfigs {
		if p.AutoDelete != 1 {
			return nil, api3.Errorf("LimitExceeded", "a resource has at most %d versions", DefaultMaxJobConfigs)
		}
		dropped := false
		for _, v := range r.versions {
			if len(a.resourceRefs(r.id, v.version)) == 0 {
				r.removeVersion(v.version)
				dropped = true
				break
			}
		}
		if !dropped {
			return nil, api3.Errorf("LimitExceeded", "no version of the resource can be deleted automatically")
		}
	}
	now := s.now()
	r.latest++
	r.versions = append(r.versions, &resourceVersion{version: r.latest, loc: p.ResourceLoc, remark: p.Remark, created: now})
	r.updated = now
	return map[string]any{"Version": r.latest}, nil
}

func (r *resource) removeVersion(v int64) {
	out := r.versions[:0]
	for _, x := range r.versions {
		if x.version != v {
			out = append(out, x)
		}
	}
	r.versions = out
}

// sortedResources lists resources, oldest first.
func (a *account) sortedResources(system bool) []*resource {
	var out []*resource
	for _, r := range a.resources {
		if r.system == system {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(x, y int) bool {
		if !out[x].created.Equal(out[y].created) {
			return out[x].created.Before(out[y].created)
		}
		return out[x].id < out[y].id
	})
	return out
}

func (s *Service) resourceItem(a *account, r *resource) map[string]any {
	latest := r.version(-1)
	var loc resourceLoc
	if latest != nil {
		loc = latest.loc
	}
	jobs := map[string]bool{}
	for _, ref := range a.resourceRefs(r.id, 0) {
		jobs[ref["JobId"].(string)] = true
	}
	return map[string]any{"ResourceId": r.id, "Name": r.name, "ResourceType": r.resourceType, "ResourceLoc": loc,
		"Region": a.region, "AppId": a.appID, "OwnerUin": a.uin, "CreatorUin": a.uinOf(r.creator), "CreateTime": s.ts(r.created),
		"UpdateTime": s.ts(r.updated), "LatestResourceConfigVersion": r.latest, "Remark": r.remark,
		"VersionCount": len(r.versions), "RefJobCount": len(jobs), "IsJobRun": 0, "FileName": path.Base(loc.Param.Path)}
}

func (s *Service) describeResources(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceIDs    []string        `json:"ResourceIds"`
		Offset         *int64          `json:"Offset"`
		Limit          *int64          `json:"Limit"`
		Filters        []facade.Filter `json:"Filters"`
		WorkSpaceID    string          `json:"WorkSpaceId"`
		SystemResource int64           `json:"SystemResource"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	list := a.sortedResources(p.SystemResource == 1)
	if len(p.ResourceIDs) > 0 {
		var sel []*resource
		for _, id := range p.ResourceIDs {
			r, ok := a.resources[id]
			if !ok {
				return nil, api3.Errorf("ResourceNotFound", "the resource %s does not exist", id)
			}
			sel = append(sel, r)
		}
		list = sel
	}
	list, e := filters(list, p.Filters, resourceFilter)
	if e != nil {
		return nil, e
	}
	x, y := s.page(req.Action, len(list), p.Offset, p.Limit, 20)
	set := make([]map[string]any, 0, y-x)
	lost := s.tenant(req.SecretID).Oceanus.Lost
	for _, r := range list[x:y] {
		if e := s.describeLostResource(lost, r); e != nil {
			return nil, e
		}
		set = append(set, s.resourceItem(a, r))
	}
	return map[string]any{"ResourceSet": set, "TotalCount": len(list)}, nil
}

func resourceFilter(name string, vals []string) (func(*resource) bool, *api3.Error) {
	switch name {
	case "ResourceName", "Name":
		return func(r *resource) bool {
			for _, v := range vals {
				if strings.Contains(r.name, v) {
					return true
				}
			}
			return false
		}, nil
	case "ResourceId":
		return oneOf(vals, func(r *resource) string { return r.id }), nil
	}
	return nil, nil
}

func (s *Service) describeResourceConfigs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceID             string  `json:"ResourceId"`
		Offset                 *int64  `json:"Offset"`
		Limit                  *int64  `json:"Limit"`
		ResourceConfigVersions []int64 `json:"ResourceConfigVersions"`
		JobConfigVersion       *int64  `json:"JobConfigVersion"`
		JobID                  string  `json:"JobId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if p.Offset != nil && p.Limit == nil {
		return nil, api3.Errorf("InvalidParameterValue", "Offset is only valid with Limit")
	}
	type item struct {
		r *resource
		v *resourceVersion
	}
	var items []item
	switch {
	case p.JobID != "":
		j, e := a.findJob(p.JobID, "InvalidParameterValue.JobIdValueError", "ResourceNotFound.Job")
		if e != nil {
			return nil, e
		}
		c := j.latestConfig()
		if p.JobConfigVersion != nil {
			c = j.config(*p.JobConfigVersion)
		}
		if c == nil {
			return nil, api3.Errorf("ResourceNotFound.ResourceConfig", "the job %s has no such configuration", j.id)
		}
		for _, ref := range c.refs {
			if r, ok := a.resources[ref.ResourceID]; ok && (p.ResourceID == "" || p.ResourceID == r.id) {
				if v := r.version(ref.Version); v != nil {
					items = append(items, item{r, v})
				}
			}
		}
	case p.ResourceID != "":
		r, ok := a.resources[p.ResourceID]
		if !ok && s.foreign(a, "resource", p.ResourceID) {
			return nil, api3.Errorf("InvalidParameter.AppIdResourceNotMatch", "the resource %s belongs to another AppId", p.ResourceID)
		}
		if !ok {
			return nil, api3.Errorf("ResourceNotFound", "the resource %s does not exist", p.ResourceID)
		}
		if e := s.uinMatch(s.tenant(req.SecretID), req.SecretID, r); e != nil {
			return nil, e
		}
		for i := len(r.versions) - 1; i >= 0; i-- {
			items = append(items, item{r, r.versions[i]})
		}
	default:
		for _, r := range a.sortedResources(false) {
			for i := len(r.versions) - 1; i >= 0; i-- {
				items = append(items, item{r, r.versions[i]})
			}
		}
	}
	if len(p.ResourceConfigVersions) > 0 {
		var sel []item
		for _, it := range items {
			if facade.Contains(p.ResourceConfigVersions, it.v.version) {
				sel = append(sel, it)
			}
		}
		if len(sel) == 0 {
			return nil, api3.Errorf("ResourceNotFound.ResourceConfig", "no such resource version")
		}
		items = sel
	}
	x, y := 0, len(items)
	if p.Limit != nil { // absent Limit: all, as documented
		x, y = s.page(req.Action, len(items), p.Offset, p.Limit, 20)
	}
	now := s.now()
	set := make([]map[string]any, 0, y-x)
	for _, it := range items[x:y] {
		status := 1
		if now.Before(it.v.created.Add(s.timing.ResourceSync)) {
			status = 0
		}
		set = append(set, map[string]any{"ResourceId": it.r.id, "ResourceType": it.r.resourceType, "Region": a.region,
			"AppId": a.appID, "OwnerUin": a.uin, "CreatorUin": a.uinOf(it.r.creator), "ResourceLoc": it.v.loc, "CreateTime": s.ts(it.v.created),
			"Version": it.v.version, "Remark": it.v.remark, "Status": status, "RefJobCount": len(a.resourceRefs(it.r.id, it.v.version))})
	}
	return map[string]any{"ResourceConfigSet": set, "TotalCount": len(items)}, nil
}

func (s *Service) describeResourceRelatedJobs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceID            string `json:"ResourceId"`
		DESCByJobConfigCreate int64  `json:"DESCByJobConfigCreateTime"`
		Offset                *int64 `json:"Offset"`
		Limit                 *int64 `json:"Limit"`
		ResourceConfigVersion int64  `json:"ResourceConfigVersion"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if _, ok := a.resources[p.ResourceID]; !ok {
		return nil, api3.Errorf("ResourceNotFound", "the resource %s does not exist", p.ResourceID)
	}
	if p.DESCByJobConfigCreate != 0 && p.DESCByJobConfigCreate != 1 {
		return nil, api3.Errorf("InvalidParameterValue", "DESCByJobConfigCreateTime must be 0 or 1")
	}
	refs := a.resourceRefs(p.ResourceID, p.ResourceConfigVersion)
	if p.DESCByJobConfigCreate == 1 {
		for x, y := 0, len(refs)-1; x < y; x, y = x+1, y-1 {
			refs[x], refs[y] = refs[y], refs[x]
		}
	}
	x, y := s.page(req.Action, len(refs), p.Offset, p.Limit, 20)
	out := make([]map[string]any, 0, y-x)
	for _, r := range refs[x:y] {
		out = append(out, map[string]any{"JobId": r["JobId"], "JobConfigVersion": r["JobConfigVersion"], "ResourceVersion": r["ResourceVersion"]})
	}
	return map[string]any{"TotalCount": len(refs), "RefJobInfos": out}, nil
}

func (s *Service) describeSystemResources(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceIDs []string        `json:"ResourceIds"`
		Offset      *int64          `json:"Offset"`
		Limit       *int64          `json:"Limit"`
		Filters     []facade.Filter `json:"Filters"`
		ClusterID   string          `json:"ClusterId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if p.ClusterID != "" {
		if _, ok := a.clusters[p.ClusterID]; !ok {
			return nil, api3.Errorf("ResourceNotFound.ClusterId", "the cluster %s does not exist", p.ClusterID)
		}
	}
	list := a.sortedResources(true)
	for _, id := range p.ResourceIDs {
		if _, ok := a.resources[id]; !ok {
			// An ID of no resource at all (a user resource is not an error:
			// it is simply not a system one).
			return nil, api3.Errorf("ResourceNotFound", "the resource %s does not exist", id)
		}
	}
	if len(p.ResourceIDs) > 0 {
		var sel []*resource
		for _, r := range list {
			if facade.Contains(p.ResourceIDs, r.id) {
				sel = append(sel, r)
			}
		}
		list = sel
	}
	list, e := filters(list, p.Filters, resourceFilter)
	if e != nil {
		return nil, e
	}
	x, y := s.page(req.Action, len(list), p.Offset, p.Limit, 20)
	set := make([]map[string]any, 0, y-x)
	for _, r := range list[x:y] {
		set = append(set, map[string]any{"ResourceId": r.id, "Name": r.name, "ResourceType": r.resourceType, "Remark": r.remark,
			"Region": a.region, "LatestResourceConfigVersion": r.latest, "SystemProvide": 1})
	}
	return map[string]any{"ResourceSet": set, "TotalCount": len(list)}, nil
}

func (s *Service) describeTreeResources(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Filters     []facade.Filter `json:"Filters"`
		WorkSpaceID string          `json:"WorkSpaceId"`
		Offset      *int64          `json:"Offset"`
		Limit       *int64          `json:"Limit"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameter", "the workspace %s does not exist", p.WorkSpaceID)
	}
	list, e := filters(a.sortedResources(false), p.Filters, resourceFilter)
	if e != nil {
		return nil, e
	}
	byFolder := map[string][]map[string]any{}
	total := 0
	for _, r := range list {
		if r.workspaceID != ws.id {
			continue
		}
		total++
		fn := ""
		if v := r.version(-1); v != nil {
			fn = path.Base(v.loc.Param.Path)
		}
		byFolder[r.folderID] = append(byFolder[r.folderID], map[string]any{"ResourceId": r.id, "Name": r.name,
			"ResourceType": r.resourceType, "Remark": r.remark, "FileName": fn, "FolderId": r.folderID})
	}
	var node func(f *folder) map[string]any
	node = func(f *folder) map[string]any {
		items := byFolder[f.id]
		if items == nil {
			items = []map[string]any{}
		}
		children := []map[string]any{}
		for _, c := range a.subFolders(f.id, 1) {
			children = append(children, node(c))
		}
		return map[string]any{"ParentId": f.parent, "Id": f.id, "Name": f.name, "Items": items, "Children": children}
	}
	out := node(a.folders[RootFolderID])
	out["TotalCount"] = total
	return out, nil
}

func (s *Service) deleteResources(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceIDs []string `json:"ResourceIds"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	for _, id := range p.ResourceIDs {
		if !strings.HasPrefix(id, "resource-") {
			return nil, api3.Errorf("InvalidParameter.InvalidResourceIds", "%q is not a resource ID", id)
		}
		if _, e := a.userResource(id, "ResourceNotFound"); e != nil {
			return nil, e
		}
		if refs := a.resourceRefs(id, 0); len(refs) > 0 && !s.on(faults.OceanusDeleteResourceInUse) {
			return nil, api3.Errorf("ResourceInUse", "the resource %s is used by the job %s", id, refs[0]["JobId"])
		}
		if _, ok := a.connectors[id]; ok {
			return nil, api3.Errorf("ResourceInUse", "the resource %s is registered as a connector", id)
		}
	}
	for _, id := range p.ResourceIDs {
		delete(a.resources, id)
	}
	return map[string]any{}, nil
}

func (s *Service) deleteResourceConfigs(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceID             string  `json:"ResourceId"`
		ResourceConfigVersions []int64 `json:"ResourceConfigVersions"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !strings.HasPrefix(p.ResourceID, "resource-") {
		return nil, api3.Errorf("InvalidParameter.InvalidResourceIds", "%q is not a resource ID", p.ResourceID)
	}
	r, e := a.userResource(p.ResourceID, "InvalidParameterValue.ResourceIdsNotFound")
	if e != nil {
		return nil, e
	}
	if e := s.deleteLostVersions(s.tenant(req.SecretID).Oceanus.Lost, r); e != nil {
		return nil, e
	}
	left := len(r.versions)
	for _, v := range p.ResourceConfigVersions {
		if r.version(v) == nil || v == -1 {
			return nil, api3.Errorf("ResourceNotFound", "the resource %s has no version %d", r.id, v)
		}
		if len(a.resourceRefs(r.id, v)) > 0 {
			return nil, api3.Errorf("ResourceUnavailable.BeUseBySomeJobConfig", "version %d of the resource %s is used by a job configuration", v, r.id)
		}
		if c, ok := a.connectors[r.id]; ok && c.version == v && !s.on(faults.OceanusDeleteConnectorVer) {
			// A connector registered from this version needs it
			// (DeleteResources answers ResourceInUse for the same reason).
			return nil, api3.Errorf("ResourceInUse", "version %d of the resource %s is registered as the connector %s", v, r.id, c.name)
		}
		left--
	}
	if left <= 0 && !s.on(faults.OceanusDeleteLastVersion) {
		return nil, api3.Errorf("InternalError.ResourceConfigCanNotDelete", "the last version of a resource cannot be deleted; delete the resource")
	}
	for _, v := range p.ResourceConfigVersions {
		r.removeVersion(v)
	}
	if r.version(r.latest) == nil && len(r.versions) > 0 {
		r.latest = r.versions[len(r.versions)-1].version
	}
	r.updated = s.now()
	return map[string]any{}, nil
}

// ---- connectors ----

var connectorShape = regexp.MustCompile(`flink-connector-([a-z0-9-]+?)(-[0-9][0-9a-zA-Z.\-]*)?\.jar$`)

// jarConnectors is what ParseConnector finds in a jar: the connector named by
// a flink-connector-<name>[-version].jar file name (nothing runs, so the jar
// is read by its name).
func jarConnectors(p string) []string {
	m := connectorShape.FindStringSubmatch(path.Base(p))
	if m == nil {
		return nil
	}
	return []string{m[1]}
}

func (s *Service) createConnector(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceID       string `json:"ResourceId"`
		WorkSpaceID      string `json:"WorkSpaceId"`
		VersionID        int64  `json:"VersionId"`
		Connector        string `json:"Connector"`
		ConnectionMethod string `json:"ConnectionMethod"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	r, e := a.userResource(p.ResourceID, "ResourceNotFound")
	if e != nil {
		return nil, e
	}
	if r.version(p.VersionID) == nil {
		return nil, api3.Errorf("ResourceNotFound", "the resource %s has no version %d", r.id, p.VersionID)
	}
	for _, c := range a.connectors {
		if c.name == p.Connector {
			return nil, api3.Errorf("ResourceInUse.ResourceConnectorDuplicateName", "a connector named %q exists", p.Connector)
		}
	}
	a.connectors[r.id] = &connector{resourceID: r.id, name: p.Connector, method: p.ConnectionMethod, workspaceID: p.WorkSpaceID, version: p.VersionID}
	return map[string]any{}, nil
}

func (s *Service) modifyConnector(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ConnectorResourceID string  `json:"ConnectorResourceId"`
		ResourceID          *string `json:"ResourceId"`
		VersionID           *int64  `json:"VersionId"`
		Connector           *string `json:"Connector"`
		ConnectionMethod    *string `json:"ConnectionMethod"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	c, ok := a.connectors[p.ConnectorResourceID]
	if !ok {
		return nil, api3.Errorf("ResourceNotFound", "the connector %s does not exist", p.ConnectorResourceID)
	}
	if p.Connector != nil {
		for id, o := range a.connectors {
			if id != c.resourceID && o.name == *p.Connector {
				return nil, api3.Errorf("ResourceInUse.ResourceConnectorDuplicateName", "a connector named %q exists", *p.Connector)
			}
		}
	}
	res := c.resourceID
	if p.ResourceID != nil {
		res = *p.ResourceID
	}
	r, e := a.userResource(res, "ResourceNotFound")
	if e != nil {
		return nil, e
	}
	ver := c.version
	if p.VersionID != nil {
		ver = *p.VersionID
	}
	if r.version(ver) == nil {
		return nil, api3.Errorf("ResourceNotFound", "the resource %s has no version %d", r.id, ver)
	}
	c.version = ver
	if p.Connector != nil {
		c.name = *p.Connector
	}
	if p.ConnectionMethod != nil {
		c.method = *p.ConnectionMethod
	}
	if res != c.resourceID {
		delete(a.connectors, c.resourceID)
		c.resourceID = res
		a.connectors[res] = c
	}
	return map[string]any{}, nil
}

func (s *Service) checkConnectorName(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Name string `json:"Name"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	exists := false
	for _, c := range a.connectors {
		exists = exists || c.name == p.Name
	}
	return map[string]any{"Exists": exists}, nil
}

func (s *Service) parseConnector(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ResourceID string `json:"ResourceId"`
		VersionID  int64  `json:"VersionId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	r, ok := a.resources[p.ResourceID]
	if !ok {
		return nil, api3.Errorf("ResourceNotFound.ParseConnectorClusterNotFound", "the resource %s does not exist", p.ResourceID)
	}
	v := r.version(p.VersionID)
	if v == nil {
		return nil, api3.Errorf("ResourceNotFound.ParseConnectorClusterNotFound", "the resource %s has no version %d", r.id, p.VersionID)
	}
	out := []map[string]any{}
	for _, name := range jarConnectors(v.loc.Param.Path) {
		used := false
		for _, c := range a.connectors {
			used = used || c.name == name
		}
		out = append(out, map[string]any{"Connector": name, "ConnectionMethod": name, "Existed": used})
	}
	return map[string]any{"Connectors": out}, nil
}
