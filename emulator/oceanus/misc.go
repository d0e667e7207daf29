package oceanus

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/facade"
	"github.com/batchconform/batchconform/emulator/faults"
)

// ---- folders ----

// subFolders lists the folders under parent of a type (0 jobs, 1 resources).
func (a *account) subFolders(parent string, typ int64) []*folder {
	var out []*folder
	for _, f := range a.folders {
		if f.parent == parent && f.id != RootFolderID && f.folderType == typ {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(x, y int) bool { return out[x].name < out[y].name })
	return out
}

// folderPath is /a/b for a folder (/ for root).
func (a *account) folderPath(id string) string {
	var parts []string
	for f := a.folders[id]; f != nil && f.id != RootFolderID; f = a.folders[f.parent] {
		parts = append([]string{f.name}, parts...)
	}
	return "/" + strings.Join(parts, "/")
}

func (s *Service) createFolder(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		FolderName  string `json:"FolderName"`
		ParentID    string `json:"ParentId"`
		FolderType  int64  `json:"FolderType"`
		WorkSpaceID string `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !folderName(p.FolderName) {
		return nil, api3.Errorf("InvalidParameterValue", "the folder name %q must be 1-50 characters without /", p.FolderName)
	}
	if p.FolderType != 0 && p.FolderType != 1 {
		return nil, api3.Errorf("InvalidParameterValue", "FolderType must be 0 (jobs) or 1 (resources)")
	}
	parent, ok := a.folders[p.ParentID]
	if !ok || p.ParentID != RootFolderID && parent.folderType != p.FolderType {
		return nil, api3.Errorf("InvalidParameterValue", "the parent folder %s does not exist", p.ParentID)
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", p.WorkSpaceID)
	}
	for _, f := range a.subFolders(p.ParentID, p.FolderType) {
		if f.name == p.FolderName && !s.on(faults.OceanusDuplicateFolderName) {
			return nil, api3.Errorf("InvalidParameter.DuplicatedFolderName", "a folder named %q exists under %s", p.FolderName, p.ParentID)
		}
	}
	f := &folder{id: s.ids.NewID("folder-"), name: p.FolderName, parent: p.ParentID, folderType: p.FolderType, workspaceID: ws.id}
	a.folders[f.id] = f
	return map[string]any{"FolderId": f.id}, nil
}

func (s *Service) describeFolder(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		FolderID    string `json:"FolderId"`
		WorkSpaceID string `json:"WorkSpaceId"`
		FolderType  int64  `json:"FolderType"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("ResourceNotFound", "the workspace %s does not exist", p.WorkSpaceID)
	}
	f, ok := a.folders[p.FolderID]
	if !ok || f.id != RootFolderID && f.folderType != p.FolderType {
		return nil, api3.Errorf("ResourceNotFound", "the folder %s does not exist", p.FolderID)
	}
	subs := []map[string]any{}
	for _, c := range a.subFolders(f.id, p.FolderType) {
		subs = append(subs, map[string]any{"FolderId": c.id, "FolderName": c.name})
	}
	return map[string]any{"FolderId": f.id, "FolderName": f.name, "ParentId": f.parent, "FolderType": p.FolderType,
		"WorkSpaceId": ws.id, "SubFolderInfo": subs}, nil
}

func (s *Service) modifyFolder(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		SourceFolderID string   `json:"SourceFolderId"`
		TargetFolderID string   `json:"TargetFolderId"`
		FolderName     string   `json:"FolderName"`
		FolderType     int64    `json:"FolderType"`
		SourceJobIDs   []string `json:"SourceJobIds"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	var target *folder
	if p.TargetFolderID != "" {
		t, ok := a.folders[p.TargetFolderID]
		if !ok || t.id != RootFolderID && t.folderType != p.FolderType {
			return nil, api3.Errorf("InvalidParameterValue", "the target folder %s does not exist", p.TargetFolderID)
		}
		target = t
	}
	// Moving jobs (drag and drop in the tree).
	if len(p.SourceJobIDs) > 0 {
		if target == nil {
			return nil, api3.Errorf("InvalidParameterValue", "moving jobs needs TargetFolderId")
		}
		var js []*job
		for _, id := range p.SourceJobIDs {
			j, ok := a.jobs[id]
			if !ok {
				return nil, api3.Errorf("InvalidParameterValue", "the job %s does not exist", id)
			}
			js = append(js, j)
		}
		for _, j := range js {
			j.folderID = target.id
		}
		return map[string]any{}, nil
	}
	src, ok := a.folders[p.SourceFolderID]
	if !ok || src.id == RootFolderID {
		return nil, api3.Errorf("InvalidParameterValue", "the folder %s cannot be modified", p.SourceFolderID)
	}
	name, parent := src.name, src.parent
	if p.FolderName != "" {
		if !folderName(p.FolderName) {
			return nil, api3.Errorf("InvalidParameterValue", "the folder name %q must be 1-50 characters without /", p.FolderName)
		}
		name = p.FolderName
	}
	if target != nil {
		// A folder cannot move below itself.
		for f := target; f != nil; f = a.folders[f.parent] {
			if f.id == src.id {
				return nil, api3.Errorf("InvalidParameterValue", "the folder %s cannot move into its own subtree", src.id)
			}
			if f.id == RootFolderID {
				break
			}
		}
		parent = target.id
	}
	for _, f := range a.subFolders(parent, src.folderType) {
		if f.id != src.id && f.name == name {
			return nil, api3.Errorf("InvalidParameter.DuplicatedFolderName", "a folder named %q exists there", name)
		}
	}
	src.name, src.parent = name, parent
	return map[string]any{}, nil
}

func (s *Service) deleteFolders(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		FolderIDs  []string `json:"FolderIds"`
		FolderType int64    `json:"FolderType"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	for _, id := range p.FolderIDs {
		f, ok := a.folders[id]
		if !ok {
			return nil, api3.Errorf("ResourceNotFound", "the folder %s does not exist", id)
		}
		if id == RootFolderID {
			return nil, api3.Errorf("InvalidParameterValue", "the root folder cannot be deleted")
		}
		if s.on(faults.OceanusDeleteNonEmptyFolder) {
			continue
		}
		if len(a.subFolders(id, f.folderType)) > 0 {
			return nil, api3.Errorf("InvalidParameterValue", "the folder %s has sub-folders", id)
		}
		for _, j := range a.jobs {
			if j.folderID == id {
				return nil, api3.Errorf("InvalidParameterValue", "the folder %s holds the job %s", id, j.id)
			}
		}
		for _, r := range a.resources {
			if r.folderID == id {
				return nil, api3.Errorf("InvalidParameterValue", "the folder %s holds the resource %s", id, r.id)
			}
		}
	}
	for _, id := range p.FolderIDs {
		delete(a.folders, id)
	}
	return map[string]any{}, nil
}

// folderName: the API definition sets no rule; a folder is named by 1-50
// characters and "/" separates folders in paths (FolderPath).
func folderName(n string) bool {
	c := utf8.RuneCountInString(n)
	return c >= 1 && c <= 50 && !strings.Contains(n, "/")
}

// workspaceName follows the catalog's WorkSpaceName rules (the job name's
// characters, under 50 of them).
func workspaceName(n string) bool {
	return jobNameShape.MatchString(n) && utf8.RuneCountInString(n) <= 49
}

// ---- workspaces ----

func (s *Service) createWorkSpace(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		WorkSpaceName string `json:"WorkSpaceName"`
		Description   string `json:"Description"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !workspaceName(p.WorkSpaceName) {
		return nil, api3.Errorf("InvalidParameter.InvalidItemSpaceName", "the workspace name %q must be under 50 letters, Chinese characters, digits, ., - or _", p.WorkSpaceName)
	}
	for _, w := range a.workspaces {
		if w.name == p.WorkSpaceName {
			return nil, api3.Errorf("InvalidParameter", "a workspace named %q exists", p.WorkSpaceName)
		}
	}
	if len(a.workspaces) >= quota(s.tenant(req.SecretID).Oceanus.MaxWorkSpaces, 100) {
		return nil, api3.Errorf("LimitExceeded.WorkSpaceLimitExceeded", "the workspace quota is used up")
	}
	now := s.now()
	w := &workspace{id: s.ids.NewID("space-"), name: p.WorkSpaceName, desc: p.Description, created: now, updated: now}
	a.workspaces[w.id] = w
	return map[string]any{"WorkSpaceId": w.id}, nil
}

func (s *Service) workspaceItem(a *account, w *workspace) map[string]any {
	jobs := 0
	for _, j := range a.jobs {
		if j.workspaceID == w.id {
			jobs++
		}
	}
	return map[string]any{"SerialId": w.id, "WorkSpaceId": w.id, "AppId": a.appID, "OwnerUin": a.uin, "CreatorUin": a.uin,
		"WorkSpaceName": w.name, "Region": a.region, "CreateTime": s.ts(w.created), "UpdateTime": s.ts(w.updated),
		"Status": 2, "Description": w.desc, "ClusterGroupSetItem": []any{}, "RoleAuth": []any{s.roleAuth(a, w)},
		"RoleAuthCount": 1, "JobsCount": jobs}
}

func (s *Service) roleAuth(a *account, w *workspace) map[string]any {
	return map[string]any{"AppId": a.appID, "WorkSpaceSerialId": w.id, "OwnerUin": a.uin, "CreatorUin": a.uin,
		"AuthSubAccountUin": a.uin, "Permission": 0, "CreateTime": s.ts(w.created), "UpdateTime": s.ts(w.updated),
		"Status": 2, "RoleName": "SuperOwner"}
}

func (s *Service) describeWorkSpaces(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Offset    *int64          `json:"Offset"`
		OrderType int64           `json:"OrderType"`
		Limit     *int64          `json:"Limit"`
		Filters   []facade.Filter `json:"Filters"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	list := make([]*workspace, 0, len(a.workspaces))
	for _, id := range sortedKeys(a.workspaces) {
		list = append(list, a.workspaces[id])
	}
	sort.SliceStable(list, func(x, y int) bool {
		if p.OrderType == 1 { // newest first
			return list[x].created.After(list[y].created)
		}
		return list[x].created.Before(list[y].created)
	})
	list, e := facade.ApplyFilters(list, p.Filters, func(name string, vals []string) (func(*workspace) bool, *api3.Error) {
		switch name {
		case "WorkSpaceName", "ItemSpaceName": // the doc example filters by ItemSpaceName
			return func(w *workspace) bool {
				for _, v := range vals {
					if strings.Contains(w.name, v) {
						return true
					}
				}
				return false
			}, nil
		case "SerialId", "WorkSpaceId":
			return oneOf(vals, func(w *workspace) string { return w.id }), nil
		}
		return nil, nil
	}, func(name string) *api3.Error {
		return api3.Errorf("InvalidParameter", "the filter %q is not supported", name)
	})
	if e != nil {
		return nil, e
	}
	x, y := s.page(req.Action, len(list), p.Offset, p.Limit, 20)
	set := make([]map[string]any, 0, y-x)
	for _, w := range list[x:y] {
		set = append(set, s.workspaceItem(a, w))
	}
	return map[string]any{"WorkSpaceSetItem": set, "TotalCount": len(list)}, nil
}

func (s *Service) modifyWorkSpace(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		WorkSpaceID   string  `json:"WorkSpaceId"`
		WorkSpaceName *string `json:"WorkSpaceName"`
		Description   *string `json:"Description"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	w, ok := a.workspaces[p.WorkSpaceID]
	if !ok {
		return nil, api3.Errorf("InvalidParameter", "the workspace %s does not exist", p.WorkSpaceID)
	}
	if wd := s.tenant(req.SecretID).Oceanus.WedataWorkspaces; facade.Contains(wd, w.id) || facade.Contains(wd, w.name) {
		// A workspace linked to a WeData project is managed there: not
		// changed through Oceanus (as DeleteWorkSpace refuses it; inferred).
		return nil, api3.Errorf("UnsupportedOperation", "the workspace %s belongs to WeData", w.id)
	}
	if p.WorkSpaceName != nil {
		if !workspaceName(*p.WorkSpaceName) {
			return nil, api3.Errorf("InvalidParameter.InvalidItemSpaceName", "the workspace name %q is not valid", *p.WorkSpaceName)
		}
		for _, o := range a.workspaces {
			if o != w && o.name == *p.WorkSpaceName {
				return nil, api3.Errorf("InvalidParameter.DuplicatedSpaceName", "a workspace named %q exists", *p.WorkSpaceName)
			}
		}
		w.name = *p.WorkSpaceName
	}
	if p.Description != nil {
		w.desc = *p.Description
	}
	w.updated = s.now()
	return map[string]any{}, nil
}

func (s *Service) deleteWorkSpace(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		WorkSpaceID string `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	w, ok := a.workspaces[p.WorkSpaceID]
	if !ok {
		return nil, api3.Errorf("InvalidParameter", "the workspace %s does not exist", p.WorkSpaceID)
	}
	if w.isDefault && !s.on(faults.OceanusDeleteDefaultSpace) {
		return nil, api3.Errorf("FailedOperation.DefaultSpaceCanNotOperate", "the default workspace cannot be deleted")
	}
	if wd := s.tenant(req.SecretID).Oceanus.WedataWorkspaces; facade.Contains(wd, w.id) || facade.Contains(wd, w.name) {
		return nil, api3.Errorf("FailedOperation.DeleteWedataItemspace", "the workspace %s belongs to WeData", w.id)
	}
	for _, j := range a.jobs {
		if j.workspaceID == w.id {
			return nil, api3.Errorf("UnsupportedOperation.CanNotDelete", "the workspace %s holds the job %s", w.id, j.id)
		}
	}
	delete(a.workspaces, w.id)
	return map[string]any{"Delete": true}, nil
}

func (s *Service) describeWorkSpaceUsers(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		WorkSpaceID       string `json:"WorkSpaceId"`
		AuthSubAccountUin string `json:"AuthSubAccountUin"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	w, ok := a.workspaces[p.WorkSpaceID]
	if !ok {
		return nil, api3.Errorf("InvalidParameter", "the workspace %s does not exist", p.WorkSpaceID)
	}
	out := []map[string]any{}
	if p.AuthSubAccountUin == "" || p.AuthSubAccountUin == a.uin {
		out = append(out, s.roleAuth(a, w))
	}
	return map[string]any{"RoleAuths": out}, nil
}

// ---- variables ----

func (s *Service) createVariable(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Name            string `json:"Name"`
		Value           string `json:"Value"`
		Type            int64  `json:"Type"`
		Remark          string `json:"Remark"`
		WorkSpaceID     string `json:"WorkSpaceId"`
		ValueType       int64  `json:"ValueType"`
		SecretRegion    string `json:"SecretRegion"`
		SecretName      string `json:"SecretName"`
		SecretVersionID string `json:"SecretVersionId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !varNameShape.MatchString(p.Name) {
		return nil, api3.Errorf("InvalidParameterValue.VariableName", "the variable name %q must start with a letter or _ and hold letters, digits, _ or .", p.Name)
	}
	if p.Type != 1 && p.Type != 2 {
		return nil, api3.Errorf("InvalidParameterValue", "Type must be 1 (shown) or 2 (hidden)")
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameter", "the workspace %s does not exist", p.WorkSpaceID)
	}
	for _, v := range a.variables {
		if v.name == p.Name && v.workspaceID == ws.id && !s.on(faults.OceanusDuplicateVariable) {
			return nil, api3.Errorf("InvalidParameter.CreateVariableExists", "a variable named %q exists", p.Name)
		}
	}
	t := s.tenant(req.SecretID)
	if len(a.variables) >= quota(t.Oceanus.MaxVariables, defaultQuota) {
		return nil, api3.Errorf("LimitExceeded.Variables", "the variable quota is used up")
	}
	if e := s.secretVariables(a, t, p.ValueType); e != nil {
		return nil, e
	}
	v := &variable{id: s.ids.NewID("var-"), name: p.Name, value: p.Value, remark: p.Remark, workspaceID: ws.id,
		typ: p.Type, valueType: p.ValueType, secretRegion: p.SecretRegion, secretName: p.SecretName,
		secretVersionID: p.SecretVersionID, created: s.now()}
	a.variables[v.id] = v
	return map[string]any{"VariableId": v.id}, nil
}

func (s *Service) describeVariables(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		WorkSpaceID string `json:"WorkSpaceId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	ws, ok := a.workspace(p.WorkSpaceID)
	if !ok {
		return nil, api3.Errorf("InvalidParameterValue", "the workspace %s does not exist", p.WorkSpaceID)
	}
	var vs []*variable
	for _, v := range a.variables {
		if v.workspaceID == ws.id {
			vs = append(vs, v)
		}
	}
	sort.Slice(vs, func(x, y int) bool { return vs[x].name < vs[y].name })
	out := make([]map[string]any, 0, len(vs))
	for _, v := range vs {
		val := v.value
		if v.typ == 2 { // hidden (隐藏): never echoed
			val = "******"
		}
		out = append(out, map[string]any{"SerialId": v.id, "Name": v.name, "Value": val, "ValueType": v.valueType,
			"SecretRegion": v.secretRegion, "SecretName": v.secretName, "SecretVersionId": v.secretVersionID,
			"Type": v.typ, "Remark": v.remark, "CreateTime": s.ts(v.created), "CreatorUin": a.uin})
	}
	return map[string]any{"VariableSet": out}, nil
}

// ---- meta catalog ----

// The built-in catalog (CatalogId 0, "_dc") and its default database
// (DatabaseId 0, "_db"), as the documented examples use them.
const (
	defaultCatalog  = "_dc"
	defaultDatabase = "_db"
)

var ddlTable = regexp.MustCompile("(?is)^\\s*CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?\\s*\\((.*)\\)")

// parseDDL reads CREATE TABLE name (...) from SQL sent base64 or plain.
func parseDDL(code string) (string, string, *api3.Error) {
	sql, ok := decodeSQL(code)
	if !ok || !looksLikeSQL(sql) {
		sql = code
	}
	if !regexp.MustCompile(`(?is)^\s*CREATE\s+TABLE\b`).MatchString(sql) {
		return "", "", api3.Errorf("FailedOperation.CheckDdlGrammar", "the statement is not a CREATE TABLE")
	}
	m := ddlTable.FindStringSubmatch(sql)
	if m == nil || strings.TrimSpace(m[2]) == "" {
		return "", "", api3.Errorf("FailedOperation.DDLParseFailure", "the CREATE TABLE statement cannot be parsed")
	}
	return m[1], sql, nil
}

func (s *Service) createMetaDatabase(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		CatalogID    int64  `json:"CatalogId"`
		DatabaseName string `json:"DatabaseName"`
		Comment      string `json:"Comment"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if p.CatalogID != 0 {
		return nil, api3.Errorf("InvalidParameterValue", "the catalog %d does not exist (the built-in catalog %s is 0)", p.CatalogID, defaultCatalog)
	}
	if !dbNameShape.MatchString(p.DatabaseName) {
		return nil, api3.Errorf("InvalidParameterValue.MetaDatabaseName", "the database name %q must start with a letter or _ and hold letters, digits or _", p.DatabaseName)
	}
	for _, d := range a.metaDBs {
		if d.name == p.DatabaseName {
			return nil, api3.Errorf("InvalidParameterValue.MetaDatabaseExisted", "the database %q exists", p.DatabaseName)
		}
	}
	if len(a.metaDBs) >= quota(s.tenant(req.SecretID).Oceanus.MaxMetaDatabases, 100) {
		return nil, api3.Errorf("LimitExceeded.MetaDatabase", "the database quota is used up")
	}
	d := &metaDB{id: a.seq(), catalogID: p.CatalogID, name: p.DatabaseName, comment: p.Comment}
	a.metaDBs[d.id] = d
	return map[string]any{"DatabaseId": d.id}, nil
}

func (s *Service) createMetaTable(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		CatalogID  int64  `json:"CatalogId"`
		DatabaseID int64  `json:"DatabaseId"`
		SQLCode    string `json:"SqlCode"`
		Comment    string `json:"Comment"`
		ClusterID  string `json:"ClusterId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	d, ok := a.metaDBs[p.DatabaseID]
	if !ok || d.catalogID != p.CatalogID {
		return nil, api3.Errorf("InvalidParameterValue", "the database %d does not exist in catalog %d", p.DatabaseID, p.CatalogID)
	}
	if p.ClusterID != "" {
		if _, ok := a.clusters[p.ClusterID]; !ok {
			return nil, api3.Errorf("InvalidParameterValue", "the cluster %s does not exist", p.ClusterID)
		}
	}
	name, sql, e := parseDDL(p.SQLCode)
	if e != nil {
		return nil, e
	}
	n := 0
	for _, t := range a.metaTables {
		if t.dbID == d.id && t.name == name {
			return nil, api3.Errorf("InvalidParameterValue.MetaTableExisted", "the table %s.%s exists", d.name, name)
		}
		n++
	}
	if n >= quota(s.tenant(req.SecretID).Oceanus.MaxMetaTables, defaultQuota) {
		return nil, api3.Errorf("LimitExceeded.MetaTable", "the table quota is used up")
	}
	t := &metaTable{id: a.seq(), dbID: d.id, catalogID: p.CatalogID, name: name, ddl: sql, comment: p.Comment,
		clusterID: p.ClusterID, created: s.now()}
	t.serial = s.ids.NewID("mtable-")
	t.code = p.SQLCode
	a.metaTables[t.id] = t
	return map[string]any{"TableId": t.id}, nil
}

func (s *Service) getMetaTable(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		Catalog  string `json:"Catalog"`
		Database string `json:"Database"`
		Table    string `json:"Table"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if p.Catalog == defaultCatalog {
		for _, t := range a.metaTables {
			if d := a.metaDBs[t.dbID]; d != nil && d.name == p.Database && t.name == p.Table {
				return map[string]any{"SerialId": t.serial, "Catalog": p.Catalog, "Database": d.name, "Table": t.name,
					"DDL": t.code, "CreateTime": s.ts(t.created)}, nil
			}
		}
	}
	return nil, api3.Errorf("ResourceNotFound.TableNotExist", "the table %s.%s.%s does not exist", p.Catalog, p.Database, p.Table)
}

func (s *Service) modifyMetaTable(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterID string `json:"ClusterId"`
		TableID   string `json:"TableId"`
		SQLCode   string `json:"SqlCode"`
		Remark    string `json:"Remark"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	cl, ok := a.clusters[p.ClusterID]
	if !ok {
		return nil, api3.Errorf("ResourceNotFound.ClusterNotFound", "the cluster %s does not exist", p.ClusterID)
	}
	if cl.statusAt(s.now()) != 2 {
		// The DDL is checked on the cluster: one that is not running has
		// no gateway to do it (inferred reading of FailedOperation.ClusterNotFound).
		return nil, api3.Errorf("FailedOperation.ClusterNotFound", "the cluster %s is not running", p.ClusterID)
	}
	var t *metaTable
	for _, x := range a.metaTables {
		if x.serial == p.TableID || strconv.FormatInt(x.id, 10) == p.TableID {
			t = x
		}
	}
	if t == nil {
		return nil, api3.Errorf("ResourceNotFound.MetaDataNotFound", "the table %s does not exist", p.TableID)
	}
	name, sql, e := parseDDL(p.SQLCode)
	if e != nil {
		return nil, api3.Errorf("FailedOperation.DDLParseFailure", "%s", e.Message)
	}
	if name != t.name {
		return nil, api3.Errorf("FailedOperation.ModifyTableFailedOperation", "the DDL names the table %s, not %s", name, t.name)
	}
	if e := checkTableChange(t.ddl, sql); e != nil && !s.on(faults.OceanusMetaConnectorChange) {
		return nil, e
	}
	t.ddl, t.code, t.comment = sql, p.SQLCode, p.Remark
	return map[string]any{}, nil
}

// ---- clusters ----

func (s *Service) clusterItem(a *account, c *cluster) map[string]any {
	now := s.now()
	used := a.clusterUsedCU(c.id)
	st := c.statusAt(now)
	desc := map[int64]string{1: "stopped", 2: "running", 3: "initializing"}[st]
	typ := 2
	if c.shared {
		typ = 1
	}
	var secs any
	if !c.expire.IsZero() {
		secs = strconv.FormatInt(int64(c.expire.Sub(now).Seconds()), 10)
	}
	return map[string]any{"ClusterId": c.id, "Name": c.name, "Region": a.region, "AppId": a.appID, "OwnerUin": a.uin,
		"CreatorUin": a.uin, "Status": st, "Remark": c.remark, "CreateTime": s.ts(c.created), "UpdateTime": s.ts(c.updated),
		"CuNum": c.cuNum, "CuMem": c.cuMem, "Zone": c.zone, "StatusDesc": desc, "CCNs": []any{}, "NetEnvironmentType": 1,
		"FreeCuNum": c.cuNum - used, "FreeCu": float64(c.cuNum - used), "RunningCu": float64(used), "Tags": []any{},
		"IsolatedTime": nil, "ExpireTime": s.tsOr(c.expire), "SecondsUntilExpiry": secs, "AutoRenewFlag": c.renewFlag,
		"DefaultCOSBucket": c.cosBucket, "PayMode": c.payMode, "Type": typ, "MemRatio": c.cuMem,
		"TotalCpu": float64(c.cuNum), "TotalMem": float64(c.cuNum * c.cuMem), "RunningCpu": float64(used),
		"RunningMem": float64(used * c.cuMem), "LogCOSBucket": c.cosBucket, "MaxCuPerJob": c.cuNum,
		"NetEniType": 0, "CrossTenantEniMode": 0}
}

func (s *Service) createCluster(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterName        string `json:"ClusterName"`
		ZoneID             int64  `json:"ZoneId"`
		DefaultCOSBucket   string `json:"DefaultCOSBucket"`
		CU                 *int64 `json:"CU"`
		Remark             string `json:"Remark"`
		Period             *int64 `json:"Period"`
		InstanceChargeType string `json:"InstanceChargeType"`
		RenewFlag          string `json:"RenewFlag"`
		CUMemory           *int64 `json:"CUMemory"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if !nameShape.MatchString(p.ClusterName) {
		return nil, api3.Errorf("InvalidParameterValue", "the cluster name %q must be 1-50 letters, Chinese characters, digits, - or _", p.ClusterName)
	}
	cu := i64(p.CU, 12)
	if cu < 12 {
		return nil, api3.Errorf("InvalidParameterValue", "a cluster has at least 12 CU")
	}
	mem := i64(p.CUMemory, 4)
	if mem == 0 {
		mem = 4
	}
	if !facade.Contains([]int64{2, 4, 8}, mem) {
		return nil, api3.Errorf("InvalidParameterValue", "CUMemory must be 0, 2, 4 or 8")
	}
	if !bucketShape.MatchString(p.DefaultCOSBucket) {
		return nil, api3.Errorf("InvalidParameterValue", "the COS bucket %q does not exist", p.DefaultCOSBucket)
	}
	if p.Period != nil && (*p.Period < 1 || *p.Period > 48) {
		return nil, api3.Errorf("InvalidParameterValue", "Period must be 1 to 48 months")
	}
	n := 0
	for _, c := range a.clusters {
		if !c.shared {
			n++
		}
	}
	if n >= quota(s.tenant(req.SecretID).Oceanus.MaxClusters, 20) {
		return nil, api3.Errorf("LimitExceeded", "the cluster quota is used up")
	}
	now := s.now()
	c := &cluster{id: s.ids.NewID("cluster-"), name: p.ClusterName, remark: p.Remark, zone: a.region + "-3",
		cosBucket: p.DefaultCOSBucket, status: 2, cuNum: cu, cuMem: mem, created: now, updated: now,
		busyUntil: now.Add(s.timing.ClusterCreate)}
	if p.InstanceChargeType == "PREPAID" {
		c.payMode = 1
		c.expire = now.AddDate(0, int(i64(p.Period, 1)), 0)
	}
	if p.RenewFlag == "NOTIFY_AND_AUTO_RENEW" {
		c.renewFlag = 1
	}
	a.clusters[c.id] = c
	return map[string]any{"ClusterId": c.id}, nil
}

func (s *Service) describeClusters(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterIDs []string        `json:"ClusterIds"`
		Offset     *int64          `json:"Offset"`
		Limit      *int64          `json:"Limit"`
		OrderType  int64           `json:"OrderType"`
		Filters    []facade.Filter `json:"Filters"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if p.OrderType != 0 && (p.OrderType < 1 || p.OrderType > 3) {
		return nil, api3.Errorf("InvalidParameterValue.OrderType", "OrderType must be 1, 2 or 3")
	}
	var list []*cluster
	if len(p.ClusterIDs) > 0 {
		for _, id := range p.ClusterIDs {
			c, ok := a.clusters[id]
			if !ok && clusterIDShape.MatchString(id) {
				// A cluster ID of no cluster: not found; anything else is
				// not a cluster ID at all (inferred split of the two codes).
				return nil, api3.Errorf("ResourceNotFound", "the cluster %s does not exist", id)
			}
			if !ok {
				return nil, api3.Errorf("InvalidParameterValue.ClusterIds", "%q is not a cluster ID", id)
			}
			list = append(list, c)
		}
	} else {
		for _, id := range sortedKeys(a.clusters) {
			list = append(list, a.clusters[id])
		}
	}
	now := s.now()
	sort.SliceStable(list, func(x, y int) bool {
		switch p.OrderType {
		case 1:
			return list[x].created.After(list[y].created)
		case 3:
			return list[x].statusAt(now) < list[y].statusAt(now)
		}
		return list[x].created.Before(list[y].created)
	})
	list, e := filters(list, p.Filters, func(name string, vals []string) (func(*cluster) bool, *api3.Error) {
		switch name {
		case "Name": // fuzzy, as documented
			return func(c *cluster) bool {
				for _, v := range vals {
					if strings.Contains(c.name, v) {
						return true
					}
				}
				return false
			}, nil
		case "ClusterId":
			return oneOf(vals, func(c *cluster) string { return c.id }), nil
		case "Status":
			return oneOf(vals, func(c *cluster) string { return strconv.FormatInt(c.statusAt(now), 10) }), nil
		}
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	x, y := s.page(req.Action, len(list), p.Offset, p.Limit, 20)
	set := make([]map[string]any, 0, y-x)
	for _, c := range list[x:y] {
		set = append(set, s.clusterItem(a, c))
	}
	return map[string]any{"TotalCount": len(list), "ClusterSet": set}, nil
}

// userCluster is a dedicated cluster the user may change.
func (a *account) userCluster(id string) (*cluster, *api3.Error) {
	c, ok := a.clusters[id]
	if !ok {
		return nil, api3.Errorf("ResourceNotFound", "the cluster %s does not exist", id)
	}
	if c.shared {
		return nil, api3.Errorf("UnsupportedOperation", "the shared cluster cannot be changed")
	}
	return c, nil
}

func (s *Service) scaleCluster(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterID string `json:"ClusterId"`
		NewCU     int64  `json:"NewCU"`
		ScaleMode string `json:"ScaleMode"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	c, e := a.userCluster(p.ClusterID)
	if e != nil {
		return nil, e
	}
	now := s.now()
	if c.statusAt(now) != 2 {
		return nil, api3.Errorf("UnsupportedOperation", "the cluster %s is not running", c.id)
	}
	if p.NewCU < 12 || (p.NewCU-12)%7 != 0 {
		return nil, api3.Errorf("InvalidParameterValue", "NewCU must be 12 + 7n, got %d", p.NewCU)
	}
	mode := p.ScaleMode
	if mode == "" {
		mode = "ScaleUp"
	}
	if mode == "ScaleUp" && p.NewCU <= c.cuNum || mode == "ScaleDown" && p.NewCU >= c.cuNum {
		return nil, api3.Errorf("InvalidParameterValue", "%s from %d CU to %d CU is not a %s", mode, c.cuNum, p.NewCU, mode)
	}
	if p.NewCU < a.clusterUsedCU(c.id) {
		return nil, api3.Errorf("LimitExceeded", "running jobs use %d CU", a.clusterUsedCU(c.id))
	}
	c.cuNum, c.updated, c.busyUntil = p.NewCU, now, now.Add(s.timing.ClusterOp)
	return map[string]any{"TaskExecResult": "success"}, nil
}

func (s *Service) renewCluster(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterID string `json:"ClusterId"`
		Period    int64  `json:"Period"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	c, e := a.userCluster(p.ClusterID)
	if e != nil {
		return nil, e
	}
	if c.payMode != 1 {
		return nil, api3.Errorf("UnsupportedOperation", "only prepaid clusters are renewed")
	}
	if p.Period < 1 || p.Period > 48 {
		return nil, api3.Errorf("InvalidParameterValue", "Period must be 1 to 48 months")
	}
	if e := renewLimit(c.expire, s.now(), p.Period); e != nil && !s.on(faults.OceanusRenewUnlimited) {
		return nil, e
	}
	c.expire = c.expire.AddDate(0, int(p.Period), 0)
	c.updated = s.now()
	return map[string]any{"TaskExecResult": "success"}, nil
}

func (s *Service) deleteCluster(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterID string `json:"ClusterId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	c, e := a.userCluster(p.ClusterID)
	if e != nil {
		return nil, e
	}
	for _, j := range a.jobs {
		if j.clusterID == c.id && (j.status == StatusRunning || j.status == StatusInProgress || j.status == StatusPaused) {
			return nil, api3.Errorf("ResourceInUse", "the job %s runs on the cluster %s", j.id, c.id)
		}
	}
	if e := s.refund(a, req.SecretID, c); e != nil {
		return nil, e
	}
	delete(a.clusters, c.id)
	return map[string]any{"TaskExecResult": "success"}, nil
}

// ---- SQL gateway ----

func (s *Service) runStatement(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterID string `json:"ClusterId"`
		SQL       string `json:"Sql"`
		SessionID string `json:"SessionId"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	fail := func(format string, args ...any) (any, *api3.Error) {
		return nil, api3.Errorf("FailedOperation.FailedOperationCode_RunSqlGateway", format, args...)
	}
	c, ok := a.clusters[p.ClusterID]
	if !ok || c.shared {
		return fail("the cluster %s has no SQL gateway", p.ClusterID)
	}
	if c.statusAt(s.now()) != 2 {
		return fail("the cluster %s is not running", c.id)
	}
	sql, ok := decodeSQL(p.SQL)
	if !ok || !looksLikeSQL(sql) {
		return fail("Sql must be a base64-encoded SQL statement")
	}
	if p.SessionID != "" {
		found := false
		for _, st := range a.statements {
			found = found || st.session == p.SessionID && st.cluster == c.id
		}
		if !found {
			return fail("the session %s does not exist", p.SessionID)
		}
	}
	st := &statement{id: newUUID(s), session: p.SessionID, cluster: c.id, sql: sql, created: s.now()}
	if st.session == "" {
		st.session = newUUID(s)
	}
	a.statements[st.id] = st
	return map[string]any{"ErrorMessage": []string{}, "SessionId": st.session, "OperationHandleId": st.id}, nil
}

// newUUID derives a UUID-shaped ID from the engine's generator (deterministic
// under a seed).
func newUUID(s *Service) string {
	const alphabet, hex = "abcdefghijklmnopqrstuvwxyz0123456789", "0123456789abcdef"
	var b []byte
	for len(b) < 32 {
		b = append(b, s.ids.NewID("")...)
	}
	for i := range b {
		b[i] = hex[strings.IndexByte(alphabet, b[i])%16]
	}
	b[12], b[16] = '4', '8'
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}

func (s *Service) fetchStatement(_ context.Context, a *account, req *api3.Request) (any, *api3.Error) {
	var p struct {
		ClusterID         string `json:"ClusterId"`
		SessionID         string `json:"SessionId"`
		OperationHandleID string `json:"OperationHandleId"`
		ResultURI         string `json:"ResultUri"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	st, ok := a.statements[p.OperationHandleID]
	if !ok || st.cluster != p.ClusterID || p.SessionID != "" && st.session != p.SessionID {
		return nil, api3.Errorf("FailedOperation.FailedOperationCode_FetchSqlGatewayStatement", "the statement %s does not exist in this session and cluster", p.OperationHandleID)
	}
	// Nothing runs: a query answers one column holding its own text, so a
	// client sees the documented result shape; other statements answer OK.
	query := regexp.MustCompile(`(?i)^\s*(SELECT|SHOW|DESCRIBE|EXPLAIN|WITH)\b`).MatchString(st.sql)
	res := map[string]any{"Columns": []any{}, "RowFormat": "JSON", "Data": []any{}}
	kind := "SUCCESS"
	if query {
		kind = "SUCCESS_WITH_CONTENT"
		res["Columns"] = []any{map[string]any{"Name": "result", "LogicalType": map[string]any{"Type": "VARCHAR", "NullAble": true, "Length": len(st.sql)}, "Comment": ""}}
		res["Data"] = []any{map[string]any{"Kind": "INSERT", "Fields": []string{strings.TrimSpace(st.sql)}}}
	}
	return map[string]any{"ErrorMessage": []string{}, "ResultType": "EOS", "IsQueryResult": query, "ResultKind": kind,
		"Results": res, "NextResultUri": ""}, nil
}
