package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// RequireEmulator skips the spec unless the target serves the emulator's
// admin API (items labelled emulator-only: quotas, rate limits, zones,
// permissions, the manual clock, events, the object store).
func (t *Target) RequireEmulator() {
	if !t.Emulator {
		ginkgo.Skip("emulator-only: the target does not serve the batchconform admin API")
	}
}

// PollInterval is how often specs poll this target: against the emulator a
// sixth of its state hold (20 ms at the default 120 ms; the embedded
// emulator holds states shorter, EmbeddedOptions), so every state is seen
// several times; 20 ms on loopback; within the client rate limit elsewhere.
func (t *Target) PollInterval() time.Duration {
	if t.Emulator && t.Hold > 0 {
		return max(t.Hold/6, minPollInterval)
	}
	if t.Emulator || t.RateLimit <= 0 {
		return 20 * time.Millisecond
	}
	d := time.Duration(float64(time.Second) / t.RateLimit)
	if d < 20*time.Millisecond {
		d = 20 * time.Millisecond
	}
	return d
}

// admin calls the emulator's admin API.
func (t *Target) admin(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case []byte:
			rd = bytes.NewReader(b)
		default:
			data, err := json.Marshal(body)
			if err != nil {
				return 0, err
			}
			rd = bytes.NewReader(data)
		}
	}
	req, err := http.NewRequest(method, t.URL+emulator.AdminPrefix+path, rd)
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Transport: sharedTransport, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("admin %s %s: HTTP %d: %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if b, ok := out.(*[]byte); ok {
			*b = data
			return resp.StatusCode, nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("admin %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// TenantConfig configures a tenant of its own for an emulator-only spec.
type TenantConfig = tenants.Tenant

// NewTenant creates a tenant with its own limits through the admin API and
// returns a copy of the target that uses its credentials (emulator only).
func (t *Target) NewTenant(cfg TenantConfig) *Target {
	t.RequireEmulator()
	nt, err := t.NewTenantE(cfg)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	return nt
}

// NewTenantE is NewTenant returning its error instead of failing the spec
// (for work outside a spec: NewBackground); the caller makes sure the
// target is an emulator.
func (t *Target) NewTenantE(cfg TenantConfig) (*Target, error) {
	var created tenants.Tenant
	if _, err := t.admin(http.MethodPost, "tenants", cfg, &created); err != nil {
		return nil, err
	}
	cp := *t
	cp.SecretID, cp.SecretKey = created.SecretID, created.SecretKey
	registerSecret(created.SecretKey)
	rememberKey(created.SecretID, created.SecretKey)
	return &cp, nil
}

// Advance moves the emulator's manual clock (emulator only; fails on a
// scaled clock).
func (t *Target) Advance(d time.Duration) error {
	_, err := t.admin(http.MethodPost, "clock", map[string]string{"advance": d.String()}, nil)
	return err
}

// Info returns the emulator's info document.
func (t *Target) Info() (emulator.Info, error) {
	var info emulator.Info
	_, err := t.admin(http.MethodGet, "info", nil, &info)
	return info, err
}

// Events returns recorded notifications, filtered by resource and name ("" = any).
func (t *Target) Events(resource, name string) ([]engine.Event, error) {
	q := url.Values{}
	if resource != "" {
		q.Set("resource", resource)
	}
	if name != "" {
		q.Set("name", name)
	}
	var out struct{ Events []engine.Event }
	_, err := t.admin(http.MethodGet, "events?"+q.Encode(), nil, &out)
	return out.Events, err
}

// PutObject stores an object in the emulator's object store.
func (t *Target) PutObject(u string, data []byte) error {
	_, err := t.admin(http.MethodPut, "objects?url="+url.QueryEscape(u), data, nil)
	return err
}

// GetObject reads an object from the emulator's object store.
func (t *Target) GetObject(u string) ([]byte, error) {
	var data []byte
	_, err := t.admin(http.MethodGet, "objects?url="+url.QueryEscape(u), nil, &data)
	return data, err
}

// ListObjects lists object URLs under a prefix.
func (t *Target) ListObjects(prefix string) ([]emulator.ObjectInfo, error) {
	var out struct{ Objects []emulator.ObjectInfo }
	_, err := t.admin(http.MethodGet, "objects?prefix="+url.QueryEscape(prefix), nil, &out)
	return out.Objects, err
}

// NewTenantJSON is NewTenant for a configuration given as JSON values (the
// admin API's tenant document), so a spec can carry a catalog item's
// configuration (e.g. {"oceanus":{"max_jobs":1}}) without a Go type for it.
func (t *Target) NewTenantJSON(cfg map[string]any) *Target {
	t.RequireEmulator()
	cp, err := t.TryNewTenantJSON(cfg)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	return cp
}

// TryNewTenantJSON is NewTenantJSON returning its error, for a caller that
// can do without the tenant (an emulator too old for a field falls back).
func (t *Target) TryNewTenantJSON(cfg map[string]any) (*Target, error) {
	if !t.Emulator {
		return nil, fmt.Errorf("new tenant: the target does not serve the batchconform admin API")
	}
	var created tenants.Tenant
	if _, err := t.admin(http.MethodPost, "tenants", cfg, &created); err != nil {
		return nil, fmt.Errorf("new tenant: %w", err)
	}
	cp := *t
	cp.SecretID, cp.SecretKey = created.SecretID, created.SecretKey
	registerSecret(created.SecretKey)
	rememberKey(created.SecretID, created.SecretKey)
	return &cp, nil
}

// ReconfigureTenantJSON replaces the configuration of the target's tenant
// (made by NewTenant/NewTenantJSON) through the admin API's PUT tenants:
// state that names what the tenant has made (a lost cluster, a config
// version changed outside the API) is set once it exists. Fields cfg leaves
// out return to their defaults (emulator only).
func (t *Target) ReconfigureTenantJSON(cfg map[string]any) {
	t.RequireEmulator()
	doc := make(map[string]any, len(cfg)+1)
	for k, v := range cfg {
		doc[k] = v
	}
	doc["secret_id"] = t.SecretID
	if _, err := t.admin(http.MethodPut, "tenants", doc, nil); err != nil {
		ginkgo.Fail(err.Error())
	}
}
