package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator/chaos"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/emulator/tenants"
)

// AdminPrefix is the admin API's path prefix (pinned in the design).
const AdminPrefix = "/_batchconform/v1/"

// maxObjectBytes bounds one object uploaded through the admin API.
const maxObjectBytes = 64 << 20

// admin serves the admin API. It is plain JSON over HTTP with ordinary status
// codes (it is not a vendor API), loopback-only unless opened, and it never
// reveals which faults are on.
type admin struct {
	e    *Emulator
	open bool
}

// Info is the admin API's info document.
type Info struct {
	Name     string    `json:"name"`
	Version  string    `json:"version"`
	Dialects []string  `json:"dialects"`
	Clock    ClockInfo `json:"clock"`
	Started  time.Time `json:"started"`
	// StateHold is the emulator time every observable state is held at
	// least (a Go duration, e.g. "120ms"): a client that polls at a known
	// interval can tell a state it missed through a long polling gap from
	// one that was skipped.
	StateHold string `json:"state_hold,omitempty"`
	// Chaos says whether chaos is on and with which rules (unlike faults,
	// chaos is never hidden).
	Chaos chaos.Status `json:"chaos"`
}

// ClockInfo describes emulator time.
type ClockInfo struct {
	Manual bool      `json:"manual"`
	Scale  float64   `json:"scale,omitempty"`
	Now    time.Time `json:"now"`
}

// ObjectInfo is one object in a listing.
type ObjectInfo struct {
	URL  string `json:"url"`
	Size int    `json:"size"`
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.open && !isLoopback(r.RemoteAddr) {
		adminError(w, http.StatusForbidden, "the admin API answers loopback clients only")
		return
	}
	switch strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, AdminPrefix), "/") {
	case "info":
		a.info(w, r)
	case "events":
		a.events(w, r)
	case "objects":
		a.objects(w, r)
	case "clock":
		a.clock(w, r)
	case "tenants":
		a.tenants(w, r)
	case "chaos":
		a.chaos(w, r)
	case "notifications":
		a.notifications(w, r)
	default:
		adminError(w, http.StatusNotFound, "no such admin endpoint %q (info, events, objects, clock, tenants, chaos, notifications)", r.URL.Path)
	}
}

func (a *admin) clockInfo() ClockInfo {
	ci := ClockInfo{Manual: a.e.manual, Now: a.e.eng.Now().UTC()}
	if !a.e.manual {
		ci.Scale = a.e.scale
	}
	return ci
}

func (a *admin) info(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, Info{Name: "batchconform-emulator", Version: Version,
		Dialects: append([]string(nil), Dialects...), Clock: a.clockInfo(), Started: a.e.started.UTC(),
		StateHold: a.e.eng.Timing().Hold.String(), Chaos: a.e.chaos.Status()})
}

// notifications lists the Alibaba BatchCompute notifications delivered to a
// tenant's topics (GET notifications?tenant=AccessKeyId&after=Seq; tenant
// defaults to the default tenant), oldest first: the emulator's MNS sink.
func (a *admin) notifications(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	var after int64
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			adminError(w, http.StatusBadRequest, "after: a non-negative integer, got %q", s)
			return
		}
		after = n
	}
	tenant := q.Get("tenant")
	if tenant == "" {
		tenant = a.e.SecretID
	}
	writeJSON(w, http.StatusOK, a.e.ali.Notifications(tenant, after))
}

func (a *admin) events(w http.ResponseWriter, r *http.Request) {
	if !method(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	var after int64
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			adminError(w, http.StatusBadRequest, "after: %v", err)
			return
		}
		after = n
	}
	evs := a.e.eng.Events(q.Get("tenant"), after)
	if name := q.Get("name"); name != "" {
		kept := evs[:0:0]
		for _, ev := range evs {
			if ev.Name == name {
				kept = append(kept, ev)
			}
		}
		evs = kept
	}
	if res := q.Get("resource"); res != "" {
		kept := evs[:0:0]
		for _, ev := range evs {
			if ev.Resource == res {
				kept = append(kept, ev)
			}
		}
		evs = kept
	}
	if evs == nil {
		evs = []engine.Event{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

func (a *admin) objects(w http.ResponseWriter, r *http.Request) {
	store := a.e.eng.Objects()
	q := r.URL.Query()
	switch r.Method {
	case http.MethodPut, http.MethodPost:
		u := q.Get("url")
		if u == "" {
			adminError(w, http.StatusBadRequest, "url is required")
			return
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxObjectBytes))
		if err != nil {
			adminError(w, http.StatusRequestEntityTooLarge, "object body: %v", err)
			return
		}
		if err := store.Put(u, data); err != nil {
			adminError(w, http.StatusBadRequest, "put %s: %v", u, err)
			return
		}
		writeJSON(w, http.StatusCreated, ObjectInfo{URL: u, Size: len(data)})
	case http.MethodGet:
		if u := q.Get("url"); u != "" {
			data, ok := store.Get(u)
			if !ok {
				adminError(w, http.StatusNotFound, "no object %s", u)
				return
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			_, _ = w.Write(data)
			return
		}
		out := []ObjectInfo{}
		for _, u := range store.List(q.Get("prefix")) {
			d, _ := store.Get(u)
			out = append(out, ObjectInfo{URL: u, Size: len(d)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"objects": out})
	default:
		w.Header().Set("Allow", "GET, PUT, POST")
		adminError(w, http.StatusMethodNotAllowed, "objects: use GET, PUT or POST")
	}
}

func (a *admin) clock(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, a.clockInfo())
	case http.MethodPost:
		var req struct {
			Advance string `json:"advance"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			adminError(w, http.StatusBadRequest, "clock: body must be {\"advance\":\"<Go duration>\"}: %v", err)
			return
		}
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, "clock: advance must be a non-negative Go duration, got %q", req.Advance)
			return
		}
		if !a.e.manual {
			adminError(w, http.StatusConflict, "clock: the emulator runs on scaled real time; start it with --manual-clock to advance it")
			return
		}
		if err := a.e.eng.Advance(d); err != nil {
			adminError(w, http.StatusConflict, "clock: %v", err)
			return
		}
		writeJSON(w, http.StatusOK, a.clockInfo())
	default:
		w.Header().Set("Allow", "GET, POST")
		adminError(w, http.StatusMethodNotAllowed, "clock: use GET or POST")
	}
}

// TenantRequest creates a tenant: credentials are generated when omitted.
type TenantRequest = tenants.Tenant

// decodeTenant reads a tenant document (POST creates, PUT reconfigures):
// 64 KiB at most, unknown fields refused with 400.
func decodeTenant(w http.ResponseWriter, r *http.Request) (TenantRequest, bool) {
	var req TenantRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		adminError(w, http.StatusBadRequest, "tenants: %v", err)
		return req, false
	}
	return req, true
}

func (a *admin) tenants(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"tenants": a.e.tenants.IDs()})
	case http.MethodPost:
		req, ok := decodeTenant(w, r)
		if !ok {
			return
		}
		if _, exists := a.e.tenants.Get(req.SecretID); req.SecretID != "" && exists {
			adminError(w, http.StatusConflict, "tenants: %s exists", req.SecretID)
			return
		}
		t, err := a.e.tenants.New(req)
		if err != nil {
			adminError(w, http.StatusBadRequest, "tenants: %v", err)
			return
		}
		// The new tenant's own key is returned once, to its creator; nothing
		// else in the emulator ever writes it out.
		writeJSON(w, http.StatusCreated, t)
	case http.MethodPut:
		// Reconfigure: the body is the tenant's whole configuration (the
		// POST document; secret_id names the tenant, secret_key may be left
		// out). Things that exist only once the tenant has worked (a lost
		// cluster, a config version changed outside the API) are set so.
		req, ok := decodeTenant(w, r)
		if !ok {
			return
		}
		if req.SecretID == "" {
			adminError(w, http.StatusBadRequest, "tenants: PUT needs the secret_id of the tenant to reconfigure")
			return
		}
		t, err := a.e.tenants.Reconfigure(req)
		switch {
		case errors.Is(err, tenants.ErrNotFound):
			adminError(w, http.StatusNotFound, "%v", err)
			return
		case errors.Is(err, tenants.ErrKey):
			adminError(w, http.StatusConflict, "%v", err)
			return
		case err != nil:
			adminError(w, http.StatusBadRequest, "%v", err)
			return
		}
		// The key was given at creation; a reconfiguration never echoes it.
		t.SecretKey = ""
		writeJSON(w, http.StatusOK, t)
	default:
		w.Header().Set("Allow", "GET, POST, PUT")
		adminError(w, http.StatusMethodNotAllowed, "tenants: use GET, POST or PUT")
	}
}

// chaos reads (GET), replaces (PUT, a chaos.Config), adds to (POST, the
// same document: its rules are appended) or switches off (DELETE) the chaos
// rules. An invalid configuration is refused whole and
// the previous one stays.
func (a *admin) chaos(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, a.e.chaos.Status())
	case http.MethodPut, http.MethodPost:
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			adminError(w, http.StatusRequestEntityTooLarge, "chaos: %v", err)
			return
		}
		c, err := chaos.Parse(data)
		if err == nil && r.Method == http.MethodPut {
			err = a.e.chaos.Replace(c)
		} else if err == nil {
			err = a.e.chaos.Add(c)
		}
		if err != nil {
			adminError(w, http.StatusBadRequest, "%v", err)
			return
		}
		writeJSON(w, http.StatusOK, a.e.chaos.Status())
	case http.MethodDelete:
		a.e.chaos.Off()
		writeJSON(w, http.StatusOK, a.e.chaos.Status())
	default:
		w.Header().Set("Allow", "GET, PUT, POST, DELETE")
		adminError(w, http.StatusMethodNotAllowed, "chaos: use GET, PUT, POST or DELETE")
	}
}

func method(w http.ResponseWriter, r *http.Request, m string) bool {
	if r.Method == m {
		return true
	}
	w.Header().Set("Allow", m)
	adminError(w, http.StatusMethodNotAllowed, "use %s", m)
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
