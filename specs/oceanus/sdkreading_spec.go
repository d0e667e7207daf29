package oceanus

// The official Node.js SDK's TC3 reading (catalog: the note and source of
// oceanus/auth/protocol/TC3-HMAC-SHA256): tencentcloud-sdk-nodejs 4.1.313
// signs URL.hostname but sends the Host header with the port. Against the
// real endpoints (443, no port) both readings agree; an endpoint on another
// port must accept the Node SDK's request as the real service would.

import (
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/internal/tcsign"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Oceanus TC3 signatures as the Node.js SDK makes them", func() {
	tc3 := id("auth", fixtures.KindProtocol, "TC3-HMAC-SHA256")
	harness.It("accepts a TC3 request whose signed host lacks the port the Host header carries", harness.Items(tc3), func() {
		t := harness.T(Dialect)
		u, err := url.Parse(t.URL)
		Expect(err).NotTo(HaveOccurred(), "the target URL %s", t.URL)
		send := func(signedHost string) *harness.Envelope {
			GinkgoHelper()
			s := tcsign.TC3{SecretID: t.SecretID, SecretKey: t.SecretKey, Service: "oceanus", Action: "DescribeJobs",
				Version: harness.OceanusVersion, Region: t.Region, Timestamp: time.Now()}
			req, err := s.NewPOST(t.URL, signedHost, []byte(`{"Limit":1}`))
			Expect(err).NotTo(HaveOccurred())
			req.Host = u.Host // sent as the Node SDK sends it: host:port
			env, err := t.Do(req)
			Expect(err).NotTo(HaveOccurred(), "DescribeJobs signed for host %q: transport error", signedHost)
			return env
		}
		harness.Check(tc3)
		node := send(u.Hostname())
		evidence(tc3+" (host signed without port)", nil, node)
		Expect(node.Code()).To(BeEmpty(), "signed over %q, sent with Host %q: %s", u.Hostname(), u.Host, node.Body)
		// Control: the signed host still counts; another one is refused.
		other := send("elsewhere.example")
		Expect(other.Code()).To(Equal("AuthFailure.SignatureFailure"), "signed over another host, sent with Host %q: %s", u.Host, other.Body)
	})
})
