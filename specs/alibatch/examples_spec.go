package alibatch

// Seed 001's CreateCluster example, sent as documented (its body verbatim, a
// fresh IdempotentToken of the documented form): 201 and {"Id":"cls-…"}.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Alibaba BatchCompute doc examples", func() {
	if !selected() {
		return
	}
	for i := range cat.Examples {
		ex := cat.Examples[i]
		harness.It(ex.ID, harness.Items(ex.ID), func() {
			t := harness.T(Dialect)
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			token := hex.EncodeToString(b) // 32 letters and digits, as the documented vU7xaM9Y…
			a, _ := cat.Action(ex.Action)
			harness.Check(ex.ID)
			r := send(t, a.Method, a.Path+"?IdempotentToken="+token, []byte(ex.Verbatim), acs.Options{})
			if r.Status == http.StatusCreated {
				DeferCleanup(func() { callJSON(t, "DeleteCluster", map[string]string{"ClusterId": idOf(r)}, nil, nil) })
			}
			expectOK(r, ex.Action, nil)
			var doc, got map[string]any
			Expect(json.Unmarshal(ex.Response, &doc)).To(Succeed())
			Expect(json.Unmarshal(r.Body, &got)).To(Succeed(), "%s", r.Body)
			for k := range doc {
				Expect(got).To(HaveKey(k), "the documented response has %s", k)
			}
			Expect(got["Id"]).To(MatchRegexp(`^cls-[0-9a-z]+$`), "a cluster Id like the documented cls-6ki3sg6sqlno7nt8fu0007")
		})
	}
})
