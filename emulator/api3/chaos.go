package api3

import (
	"net/http"
	"time"
)

// errDropped is returned by applyChaos when it closed the connection:
// ServeHTTP then writes nothing.
var errDropped = &Error{Code: "InternalError", Message: "connection dropped by chaos"}

// applyChaos runs after authentication and routing (chaos rules match on the
// tenant and the action, and a request that would be refused anyway is
// refused for its own reason) and before the rate limit and the parameters,
// so a chaos error never leaves a half-applied change behind.
func (h *handler) applyChaos(w http.ResponseWriter, c *call) *Error {
	if h.chaos == nil {
		return nil
	}
	eff := h.chaos.Decide(c.req.SecretID, c.product.cat.Service, c.req.Action)
	if eff.None() {
		return nil
	}
	h.log.Debug("api3: chaos", "request_id", c.requestID, "action", c.req.Action, "rule", eff.Rule)
	if eff.Latency > 0 {
		t := time.NewTimer(eff.Latency)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			t.Stop()
		}
	}
	if eff.Drop {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
			return errDropped
		}
		// A writer that cannot be hijacked (HTTP/2, a recorder) gets the
		// documented plain InternalError instead of a silent success.
		h.log.Warn("api3: chaos cannot drop this connection", "request_id", c.requestID, "err", err)
		return &Error{Code: "InternalError", Message: "An internal error occurred."}
	}
	if eff.Code != "" {
		return &Error{Code: eff.Code, Message: eff.Message}
	}
	return nil
}
