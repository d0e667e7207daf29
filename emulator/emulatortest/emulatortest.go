// Package emulatortest starts an in-process emulator for a Go test in one
// line, in the spirit of net/http/httptest:
//
//	emu := emulatortest.New(t)
//	client := emu.BatchClient()
//
// The emulator is closed by t.Cleanup; a startup error fails the test with the
// emulator's log; when the test fails, the emulator's log is written to the
// test log so a failure can be read without re-running. Clients come ready
// for each dialect as a method named after it: BatchClient (Tencent Cloud
// Batch, tencentcloud-sdk-go), OceanusClient (Tencent Cloud Oceanus,
// tencentcloud-sdk-go) and AlibabaClient (Alibaba Cloud BatchCompute, the
// suite's signed ACS REST client: no official Go SDK exists for it).
//
// Chaos (documented failures on demand: backend outages, throttling,
// latency, dropped connections, nodes dying mid-task) works in every dialect
// through emulator.WithChaos, or while the test runs through emu.Chaos().
package emulatortest

import (
	"bytes"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	oceanus "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/oceanus/v20190422"

	"github.com/batchconform/batchconform/clients/acs"
	"github.com/batchconform/batchconform/emulator"
)

// DefaultRegion is the region the clients are made for unless a *In variant
// names another.
const DefaultRegion = "ap-guangzhou"

// Emulator is a running emulator owned by one test. The embedded
// *emulator.Emulator gives URL, Addr, credentials, Advance and the rest.
type Emulator struct {
	*emulator.Emulator
	t   testing.TB
	log *syncBuffer
}

// New starts an emulator for t. Unless opts say otherwise it uses the
// simulated executor (task commands are not really run, so a test is fast and
// hermetic; pass emulator.WithExecutor("local") to run them) and logs at
// debug level into a buffer that is shown when the test fails. Options are
// applied after these defaults, so any of them can be overridden.
func New(t testing.TB, opts ...emulator.Option) *Emulator {
	t.Helper()
	buf := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := append([]emulator.Option{emulator.WithExecutor("simulated"), emulator.WithLogger(logger)}, opts...)
	emu, err := emulator.Start(all...)
	if err != nil {
		t.Fatalf("emulatortest: starting the emulator: %v\nemulator log:\n%s", err, buf.String())
	}
	e := &Emulator{Emulator: emu, t: t, log: buf}
	t.Cleanup(func() {
		if err := emu.Close(); err != nil {
			t.Errorf("emulatortest: closing the emulator: %v", err)
		}
		if t.Failed() {
			if s := buf.String(); s != "" {
				t.Logf("emulator log:\n%s", s)
			}
		}
	})
	return e
}

// Log returns what the emulator has logged so far (only when the test did
// not pass its own logger through emulator.WithLogger).
func (e *Emulator) Log() string { return e.log.String() }

// clientProfile points an SDK at the emulator: the endpoint is host:port
// without a scheme, and the scheme must be http (the emulator serves no TLS).
func (e *Emulator) clientProfile() *profile.ClientProfile {
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = e.Addr
	p.HttpProfile.Scheme = "http"
	p.HttpProfile.ReqTimeout = 30
	return p
}

func (e *Emulator) credential() *common.Credential {
	return common.NewCredential(e.SecretID, e.SecretKey)
}

// BatchClient returns a tencentcloud-sdk-go Batch (2017-03-12) client for
// DefaultRegion with the default tenant's credentials.
func (e *Emulator) BatchClient() *batch.Client { return e.BatchClientIn(DefaultRegion) }

// BatchClientIn is BatchClient for another region.
func (e *Emulator) BatchClientIn(region string) *batch.Client {
	e.t.Helper()
	c, err := batch.NewClient(e.credential(), region, e.clientProfile())
	if err != nil {
		e.t.Fatalf("emulatortest: batch client: %v", err)
	}
	return c
}

// OceanusClient returns a tencentcloud-sdk-go Oceanus (2019-04-22) client
// for DefaultRegion with the default tenant's credentials (the SDK's
// v1.0.162 client has 15 of the actions; send the others signed with
// internal/tcsign or through common.Client).
func (e *Emulator) OceanusClient() *oceanus.Client { return e.OceanusClientIn(DefaultRegion) }

// OceanusClientIn is OceanusClient for another region.
func (e *Emulator) OceanusClientIn(region string) *oceanus.Client {
	e.t.Helper()
	c, err := oceanus.NewClient(e.credential(), region, e.clientProfile())
	if err != nil {
		e.t.Fatalf("emulatortest: oceanus client: %v", err)
	}
	return c
}

// AlibabaClient returns a signed ACS REST client (Alibaba Cloud
// BatchCompute 2015-11-11) with the default tenant's credentials as its
// AccessKey pair: c.JSON(ctx, "POST", "/jobs", description, &out) and so on,
// errors as *acs.Response with the documented status and Err().
func (e *Emulator) AlibabaClient() *acs.Client {
	return &acs.Client{Endpoint: e.URL, Signer: acs.Signer{AccessKeyID: e.SecretID, AccessKeySecret: e.SecretKey},
		HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// syncBuffer is a bytes.Buffer safe for the emulator's concurrent logging.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
