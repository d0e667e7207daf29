package acs

import (
	"net/http"
	"time"

	"github.com/batchconform/batchconform/emulator/chaos"
)

// ServiceName is the service chaos rules name for requests served over ACS
// (the Alibaba BatchCompute catalog's service).
const ServiceName = chaos.ServiceAliBatch

// errDropped is returned by applyChaos when it closed the connection:
// ServeHTTP then writes nothing.
var errDropped = &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "connection dropped by chaos"}

// chaosStatus is the documented HTTP status of each code chaos may answer
// over ACS (reference §A.3: 500 InternalError).
var chaosStatus = map[string]int{"InternalError": http.StatusInternalServerError}

// applyChaos runs after authentication, routing and body decoding (chaos
// rules match on the tenant and the operation, and a request that would be
// refused anyway is refused for its own reason) and before the service, so
// a chaos error never leaves a half-applied change behind. Rules' actions
// are the operation names of the API definition (CreateJob, GetCluster, …).
func (h *handler) applyChaos(w http.ResponseWriter, r *http.Request, req *Request) *Error {
	if h.chaos == nil {
		return nil
	}
	eff := h.chaos.Decide(req.AccessKeyID, ServiceName, req.Op)
	if eff.None() {
		return nil
	}
	h.log.Debug("acs: chaos", "request_id", req.RequestID, "op", req.Op, "rule", eff.Rule)
	if eff.Latency > 0 {
		t := time.NewTimer(eff.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if eff.Drop {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
			return errDropped
		}
		// A writer that cannot be hijacked gets the documented InternalError
		// instead of a silent success.
		h.log.Warn("acs: chaos cannot drop this connection", "request_id", req.RequestID, "err", err)
		return InternalError()
	}
	if eff.Code != "" {
		st, ok := chaosStatus[eff.Code]
		if !ok {
			st = http.StatusInternalServerError
		}
		return &Error{Status: st, Code: eff.Code, Message: eff.Message}
	}
	return nil
}
