package generators

import (
	"time"

	"pgregory.net/rapid"

	"github.com/batchconform/batchconform/fixtures"
)

// Signature fault kinds.
const (
	SigTamperBody   = "tamper-body"
	SigTamperHeader = "tamper-header"
	SigTamperQuery  = "tamper-query"
	SigWrongKey     = "wrong-key"
	SigSkew         = "skewed-timestamp"
	SigScopeDate    = "wrong-scope-date"
	SigScopeService = "wrong-scope-service"
)

// SigFault is one way to break a TC3 signature, with the protocol item it
// violates and that item's documented code.
type SigFault struct {
	Kind string `json:"kind"`
	Item string `json:"item"`
	Code string `json:"code"`
	// Skew shifts X-TC-Timestamp (SigSkew: beyond the documented 5 minutes;
	// SigTamperHeader: within them, after signing).
	Skew time.Duration `json:"skew,omitempty"`
	// Days shifts the scope's date (SigScopeDate).
	Days int `json:"days,omitempty"`
	// Service is the wrong scope service (SigScopeService); the Host header
	// then names the product (batch.tencentcloudapi.com), where the scope's
	// service is checked strictly.
	Service string `json:"service,omitempty"`
	// Header names what SigTamperHeader changes: "host" or "timestamp".
	Header string `json:"header,omitempty"`
}

// SigFaultItems maps each kind to its catalog protocol item's detail.
var SigFaultItems = map[string]string{
	SigTamperBody: "SignatureFailure", SigTamperHeader: "SignatureFailure", SigTamperQuery: "SignatureFailure",
	SigWrongKey: "SignatureFailure", SigSkew: "SignatureExpire", SigScopeDate: "scope-date", SigScopeService: "scope-service",
}

// SignatureFault draws a signature fault; its code is the catalog's.
func (r *Rapid) SignatureFault() *rapid.Generator[SigFault] {
	kinds := []string{SigTamperBody, SigTamperHeader, SigTamperQuery, SigWrongKey, SigSkew, SigScopeDate, SigScopeService}
	return rapid.Custom(func(t *rapid.T) SigFault {
		f := SigFault{Kind: rapid.SampledFrom(kinds).Draw(t, "sig-fault")}
		f.Item = fixtures.MakeID(r.Cat.Dialect, "auth", fixtures.KindProtocol, SigFaultItems[f.Kind])
		for _, p := range r.Cat.Protocol {
			if p.ID == f.Item {
				f.Code = p.Code
			}
		}
		sign := []time.Duration{1, -1}[rapid.IntRange(0, 1).Draw(t, "sign")]
		switch f.Kind {
		case SigSkew:
			// Not 301: the timestamp is whole seconds and the request takes
			// time to arrive, so a skew one second past the window can land
			// inside it (a future timestamp 301 s ahead, sent 1 s later, is
			// 300 s ahead) — a false positive against a correct endpoint.
			// 330 keeps the boundary's intent with room for a slow send.
			f.Skew = sign * time.Duration(rapid.SampledFrom([]int{330, 400, 3600, 86400, 86400 * 30}).Draw(t, "skew-s")) * time.Second
		case SigTamperHeader:
			f.Header = rapid.SampledFrom([]string{"host", "timestamp"}).Draw(t, "header")
			f.Skew = sign * time.Duration(rapid.IntRange(1, 200).Draw(t, "shift-s")) * time.Second
		case SigScopeDate:
			f.Days = int(sign) * rapid.SampledFrom([]int{1, 2, 31, 365}).Draw(t, "days")
		case SigScopeService:
			// Wrong for the catalog's product: another product's service,
			// a near miss, a wrong case.
			wrong := []string{"cvm", "oceanus", "batchx", "Batch", "tke"}
			if r.Cat.Dialect == fixtures.DialectOceanus {
				wrong = []string{"cvm", "batch", "oceanusx", "Oceanus", "tke"}
			}
			f.Service = rapid.SampledFrom(wrong).Draw(t, "service")
		}
		return f
	})
}
