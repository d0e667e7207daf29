package tencentbatch

import (
	"context"
	"encoding/json"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/listing"
)

// templateInfo is the stored TaskTemplateInfo (engine.Template.Info): the Task
// as submitted, as JSON.
type templateInfo struct {
	Task json.RawMessage
}

func taskEcho(body []byte) (templateInfo, error) {
	t := asMap(rawParams(body)["TaskTemplateInfo"])
	if t == nil {
		t = map[string]any{}
	}
	b, err := json.Marshal(t)
	return templateInfo{Task: b}, err
}

func (s *Service) createTaskTemplate(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		TaskTemplateName        string `json:"TaskTemplateName"`
		TaskTemplateDescription string `json:"TaskTemplateDescription"`
		TaskTemplateInfo        wTask  `json:"TaskTemplateInfo"`
		Tags                    []wTag `json:"Tags"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if e := checkTemplateEnv(&p.TaskTemplateInfo); e != nil {
		return nil, e
	}
	info, err := taskEcho(req.Body)
	if err != nil {
		return nil, api3.Errorf("InternalError", "record template: %v", err)
	}
	id, err := s.eng.CreateTemplate(engine.Template{
		Tenant: req.SecretID, Name: p.TaskTemplateName, Description: p.TaskTemplateDescription,
		Info: info, Tags: tags(p.Tags),
	}, "")
	if err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct {
		TaskTemplateId string `json:"TaskTemplateId"`
	}{id}, nil
}

// checkTemplateEnv rejects an anonymous environment whose instance type the
// emulator does not offer (InvalidParameterValue.ComputeEnv).
func checkTemplateEnv(t *wTask) *api3.Error {
	if t.EnvId != "" {
		return nil
	}
	if it := firstInstanceType(&t.ComputeEnv.EnvData); it != "" {
		if _, ok := parseType(it); !ok {
			return api3.Errorf("InvalidParameterValue.ComputeEnv", "unsupported instance type %q", it)
		}
	}
	return nil
}

func (s *Service) describeTaskTemplates(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		TaskTemplateIds []string `json:"TaskTemplateIds"`
		listParams
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	tpls := listing.ByID(s.eng.Templates(req.SecretID), p.TaskTemplateIds, func(t engine.Template) string { return t.ID })
	tpls, e := applyFilters(s, req.Action, tpls, p.Filters, func(name string, vals []string) (func(engine.Template) bool, *api3.Error) {
		if name == "task-template-name" {
			return func(t engine.Template) bool { return contains(vals, t.Name) }, nil
		}
		if m := tagFilter(name, vals); m != nil {
			return func(t engine.Template) bool { return m(t.Tags) }, nil
		}
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	a, b := s.page(req.Action, len(tpls), p.Offset, p.Limit, 20)
	set := make([]any, 0, b-a)
	for _, t := range tpls[a:b] {
		info := map[string]any{}
		if ti, ok := t.Info.(templateInfo); ok {
			info = rawParams(ti.Task)
		}
		tagList := make([]any, 0, len(t.Tags))
		for _, tg := range t.Tags {
			tagList = append(tagList, map[string]any{"Key": tg.Name, "Value": tg.Value})
		}
		set = append(set, map[string]any{
			"TaskTemplateId":          t.ID,
			"TaskTemplateName":        t.Name,
			"TaskTemplateDescription": t.Description,
			"TaskTemplateInfo":        info,
			"CreateTime":              ts(t.CreateTime),
			"Tags":                    tagList,
		})
	}
	out := map[string]any{"TaskTemplateSet": set, "TotalCount": json.Number(itoa(len(tpls)))}
	if a, ok := s.cat.Action(req.Action); ok {
		fill(s.cat, out, a.Output, 0)
	}
	return out, nil
}

func (s *Service) modifyTaskTemplate(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		TaskTemplateId          string  `json:"TaskTemplateId"`
		TaskTemplateName        *string `json:"TaskTemplateName"`
		TaskTemplateDescription *string `json:"TaskTemplateDescription"`
		TaskTemplateInfo        *wTask  `json:"TaskTemplateInfo"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	var info any
	if p.TaskTemplateInfo != nil {
		if e := checkTemplateEnv(p.TaskTemplateInfo); e != nil {
			return nil, e
		}
		ti, err := taskEcho(req.Body)
		if err != nil {
			return nil, api3.Errorf("InternalError", "record template: %v", err)
		}
		info = ti
	}
	if err := s.eng.ModifyTemplate(req.SecretID, p.TaskTemplateId, p.TaskTemplateName, p.TaskTemplateDescription, info); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}

func (s *Service) deleteTaskTemplates(_ context.Context, req *api3.Request) (any, *api3.Error) {
	var p struct {
		TaskTemplateIds []string `json:"TaskTemplateIds"`
	}
	if e := decode(req, &p); e != nil {
		return nil, e
	}
	if err := s.eng.DeleteTemplates(req.SecretID, p.TaskTemplateIds); err != nil {
		return nil, s.engErr(req.Action, err)
	}
	return struct{}{}, nil
}
