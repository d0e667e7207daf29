package tencentbatch

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/batchconform/batchconform/fixtures"
	"github.com/batchconform/batchconform/specs/harness"
)

var _ = Describe("Tencent Batch API 3.0 envelope", func() {
	harness.It("answers API errors with HTTP 200 and Response.Error",
		harness.Items(id("envelope", fixtures.KindProtocol, "error-http-200")), func() {
			t := harness.T(Dialect)
			env, err := t.Raw(harness.RawRequest{Action: "DescribeJob", Body: []byte(`{"JobId":"job-00000000"}`)})
			Expect(err).NotTo(HaveOccurred())
			harness.Check(id("envelope", fixtures.KindProtocol, "error-http-200"))
			Expect(env.DecodeErr).NotTo(HaveOccurred(), "body: %s", env.Body)
			Expect(env.Code()).NotTo(BeEmpty(), "an unknown JobId must be an error: %s", env.Body)
			Expect(env.Status).To(Equal(200), "errors are HTTP 200 envelopes: %s", env.Body)
		})
})
