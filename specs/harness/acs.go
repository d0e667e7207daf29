package harness

import (
	"net/http"

	"github.com/batchconform/batchconform/clients/acs"
)

// ACS returns the suite's signed ACS REST client (Alibaba BatchCompute) for
// the target, over the target's transport (deadline, rate limit, evidence).
func (t *Target) ACS() *acs.Client {
	return &acs.Client{
		Endpoint: t.URL,
		Signer:   acs.Signer{AccessKeyID: t.SecretID, AccessKeySecret: t.SecretKey},
		HTTP:     &http.Client{Transport: t.transport()},
	}
}
