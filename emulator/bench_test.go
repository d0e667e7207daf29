package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/internal/tcsign"
)

// The benchmarks send signed TC3 requests over loopback HTTP to the emulator
// and, in the same run, to a bare net/http handler that returns a canned
// response of the same size: the ratio of their req/s is what the emulator
// (signature verification, decoding, validation, the engine, the envelope)
// costs per request. Both sides pay the same client cost (signing included).

const submitBody = `{"Placement":{"Zone":"ap-guangzhou-2"},"Job":{"JobName":"bench","Priority":1,"Tasks":[` +
	`{"TaskName":"a","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo a"},` +
	`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}},` +
	`{"TaskName":"b","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo b"},` +
	`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}}],` +
	`"Dependences":[{"StartTask":"a","EndTask":"b"}]}}`

type benchClient struct {
	url, id, key string
	c            *http.Client
}

func (bc benchClient) do(b *testing.B, action, body string) []byte {
	s := tcsign.TC3{SecretID: bc.id, SecretKey: bc.key, Service: "batch", Action: action,
		Version: "2017-03-12", Region: "ap-guangzhou", Timestamp: time.Now()}
	req, err := s.NewPOST(bc.url, "", []byte(body))
	if err != nil {
		b.Fatal(err)
	}
	resp, err := bc.c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("%s: %d %v", action, resp.StatusCode, err)
	}
	return out
}

func newBenchClient(url, id, key string) benchClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	return benchClient{url: url, id: id, key: key, c: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func runParallel(b *testing.B, bc benchClient, action, body string, check func([]byte) bool) {
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			out := bc.do(b, action, body)
			if check != nil && !check(out) {
				b.Errorf("%s: unexpected response %s", action, out)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func bare(canned []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(canned)
	}))
}

func noError(out []byte) bool { return !bytes.Contains(out, []byte(`"Error"`)) }

func benchAction(b *testing.B, action, body string, prepare func(bc benchClient)) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock())
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	bc := newBenchClient(emu.URL, emu.SecretID, emu.SecretKey)
	if prepare != nil {
		prepare(bc)
	}
	canned := bc.do(b, action, body)
	if !noError(canned) {
		b.Fatalf("%s: %s", action, canned)
	}
	b.Run("emulator", func(b *testing.B) { runParallel(b, bc, action, body, noError) })
	srv := bare(canned)
	defer srv.Close()
	b.Run("bare", func(b *testing.B) {
		runParallel(b, newBenchClient(srv.URL, emu.SecretID, emu.SecretKey), action, body, nil)
	})
}

func BenchmarkDescribeJobs(b *testing.B) {
	benchAction(b, "DescribeJobs", `{"Limit":20}`, func(bc benchClient) {
		for i := 0; i < 20; i++ {
			bc.do(b, "SubmitJob", submitBody)
		}
	})
}

func BenchmarkSubmitJob(b *testing.B) {
	benchAction(b, "SubmitJob", submitBody, nil)
}

var _ = fmt.Sprint
