package engine

import "fmt"

// CreateTemplate stores a task template for t.Tenant (t.ID and t.CreateTime
// are assigned). Errors: ErrQuota{Resource:"templates"}. A repeated
// clientToken returns the first template's ID and creates nothing.
func (e *Engine) CreateTemplate(t Template, clientToken string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.sync()
	if id, ok := e.lookupToken(t.Tenant, "template", clientToken); ok {
		return id, nil
	}
	tn := e.tenant(t.Tenant)
	n := 0
	for _, id := range e.tmplOrder {
		if e.tmpls[id].Tenant == t.Tenant {
			n++
		}
	}
	if !quotaOK(tn.Quotas.TaskTemplates, n, 1) {
		return "", &Error{Kind: ErrQuota, Resource: "templates", Detail: fmt.Sprintf("task template quota %d reached", tn.Quotas.TaskTemplates)}
	}
	t.ID = e.ids.next(PrefixTemplate)
	t.CreateTime = now
	t.Tags = append([]KV(nil), t.Tags...)
	e.tmpls[t.ID] = &t
	e.tmplOrder = append(e.tmplOrder, t.ID)
	e.saveToken(t.Tenant, "template", clientToken, t.ID)
	return t.ID, nil
}

func (e *Engine) findTemplate(tenant, id string) (*Template, error) {
	t := e.tmpls[id]
	if t == nil || (tenant != "" && t.Tenant != tenant) {
		return nil, &Error{Kind: ErrNotFound, Resource: "template", ID: id}
	}
	return t, nil
}

// Template returns one template (tenant "" matches any).
func (e *Engine) Template(tenant, id string) (Template, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.findTemplate(tenant, id)
	if err != nil {
		return Template{}, err
	}
	return *t, nil
}

// Templates lists the tenant's templates (all if ""), in creation order.
func (e *Engine) Templates(tenant string) []Template {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []Template{}
	for _, id := range e.tmplOrder {
		if t := e.tmpls[id]; tenant == "" || t.Tenant == tenant {
			out = append(out, *t)
		}
	}
	return out
}

// ModifyTemplate changes the non-nil fields (info replaces Info when non-nil).
func (e *Engine) ModifyTemplate(tenant, id string, name, desc *string, info any) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.findTemplate(tenant, id)
	if err != nil {
		return err
	}
	if name != nil {
		t.Name = *name
	}
	if desc != nil {
		t.Description = *desc
	}
	if info != nil {
		t.Info = info
	}
	return nil
}

// DeleteTemplates deletes templates, all-or-nothing: an unknown ID →
// ErrNotFound{Resource:"template"}; duplicates are tolerated.
func (e *Engine) DeleteTemplates(tenant string, ids []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range ids {
		if _, err := e.findTemplate(tenant, id); err != nil {
			return err
		}
	}
	gone := map[string]bool{}
	for _, id := range ids {
		delete(e.tmpls, id)
		gone[id] = true
	}
	keep := e.tmplOrder[:0:0]
	for _, id := range e.tmplOrder {
		if !gone[id] {
			keep = append(keep, id)
		}
	}
	e.tmplOrder = keep
	return nil
}
