package emulator_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
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
//
// The machine is shared, so a rate measured in one benchmark and compared
// with one measured seconds later says little: BenchmarkVsBare alternates
// short bursts to the emulator and to the bare handler inside one b.N loop,
// so both see the same load, and reports both rates and their ratio
// (`make bench` prints the medians as a table).

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

func (bc benchClient) send(action, body string) ([]byte, error) {
	s := tcsign.TC3{SecretID: bc.id, SecretKey: bc.key, Service: "batch", Action: action,
		Version: "2017-03-12", Region: "ap-guangzhou", Timestamp: time.Now()}
	req, err := s.NewPOST(bc.url, "", []byte(body))
	if err != nil {
		return nil, err
	}
	resp, err := bc.c.Do(req)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, &statusError{action, resp.StatusCode}
	}
	return out, nil
}

type statusError struct {
	action string
	code   int
}

func (e *statusError) Error() string { return e.action + ": HTTP " + strconv.Itoa(e.code) }

func (bc benchClient) do(b *testing.B, action, body string) []byte {
	out, err := bc.send(action, body)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func newBenchClient(url, id, key string) benchClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	return benchClient{url: url, id: id, key: key, c: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func bare(canned []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(canned)
	}))
}

func noError(out []byte) bool { return !bytes.Contains(out, []byte(`"Error"`)) }

// benchWorkers concurrent clients send each burst of benchChunk requests.
const benchWorkers, benchChunk = 4, 100

// burst sends n requests from benchWorkers goroutines and returns the
// elapsed time; check judges each answer (nil: any 200 will do).
func burst(b *testing.B, bc benchClient, action, body string, n int, check func([]byte) bool) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	per := (n + benchWorkers - 1) / benchWorkers
	for range benchWorkers {
		wg.Go(func() {
			for range per {
				out, err := bc.send(action, body)
				if err != nil {
					b.Error(err)
					return
				}
				if check != nil && !check(out) {
					b.Errorf("%s: unexpected response %s", action, out)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// vsBare measures action on the emulator against a bare handler answering
// the emulator's own response to it, in alternating bursts. One op is one
// request to each server (so B/op and allocs/op count both sides and the
// client; the emulator's own share is in BenchmarkServerAllocs).
func vsBare(b *testing.B, action, body string, prepare func(bc benchClient)) {
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
	srv := bare(canned)
	defer srv.Close()
	bb := newBenchClient(srv.URL, emu.SecretID, emu.SecretKey)
	// Warm both: connections, pools, the validation plan.
	burst(b, bc, action, body, benchChunk, noError)
	burst(b, bb, action, body, benchChunk, nil)
	b.ReportAllocs()
	b.ResetTimer()
	var emuT, bareT, emuCPU, bareCPU time.Duration
	total := 0
	for total < b.N && !b.Failed() {
		n := min(benchChunk, b.N-total)
		c0 := processCPU()
		emuT += burst(b, bc, action, body, n, noError)
		c1 := processCPU()
		bareT += burst(b, bb, action, body, n, nil)
		c2 := processCPU()
		emuCPU += c1 - c0
		bareCPU += c2 - c1
		total += n
	}
	// Closing the servers (and the emulator's engine) is not part of the
	// measurement: without this a b.N=1 round would take their shutdown.
	b.StopTimer()
	bc.c.CloseIdleConnections()
	bb.c.CloseIdleConnections()
	er := float64(total) / emuT.Seconds()
	br := float64(total) / bareT.Seconds()
	b.ReportMetric(er, "emu-req/s")
	b.ReportMetric(br, "bare-req/s")
	b.ReportMetric(100*er/br, "ratio-%")
	// The process's CPU time (user+sys) per request of each burst, client
	// and server together: what a request costs whatever else the machine
	// runs. Their ratio is the throughput ratio a CPU-bound run would see
	// (bare CPU / emulator CPU); unlike ratio-% it hardly moves with the
	// machine's load. Not reported where the process's CPU time is unknown.
	if emuCPU > 0 && bareCPU > 0 {
		b.ReportMetric(float64(emuCPU.Microseconds())/float64(total), "emu-cpu-us/req")
		b.ReportMetric(float64(bareCPU.Microseconds())/float64(total), "bare-cpu-us/req")
		b.ReportMetric(100*float64(bareCPU)/float64(emuCPU), "cpu-ratio-%")
	}
}

// BenchmarkVsBare: DescribeJobs (a page of 20 jobs of 2 tasks) and SubmitJob
// (2 tasks and a dependence, jobs kept) against the bare handler.
func BenchmarkVsBare(b *testing.B) {
	b.Run("DescribeJobs", func(b *testing.B) {
		vsBare(b, "DescribeJobs", `{"Limit":20}`, func(bc benchClient) {
			for range 20 {
				bc.do(b, "SubmitJob", submitBody)
			}
		})
	})
	b.Run("SubmitJob", func(b *testing.B) { vsBare(b, "SubmitJob", submitBody, nil) })
}

// BenchmarkSubmitJobRetained: the heap a kept job holds once submitted
// through the handler (the benchmark's SubmitJob, manual clock, so it stays
// SUBMITTED): what every kept job adds to what the GC scans, measured after
// a GC (retained-B/job); B/op is what a submission allocates in all.
func BenchmarkSubmitJobRetained(b *testing.B) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock())
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	h, req := emu.Handler(), signedRequest(b, emu, "SubmitJob", submitBody)
	serve(b, h, req, submitBody) // the first request compiles the catalog's plans
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, req, submitBody)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/job")
}

// signedRequest is a TC3 request for the emulator, replayed by serve (the
// signature's timestamp stays inside the 5-minute window).
func signedRequest(b *testing.B, emu *emulator.Emulator, action, body string) *http.Request {
	s := tcsign.TC3{SecretID: emu.SecretID, SecretKey: emu.SecretKey, Service: "batch", Action: action,
		Version: "2017-03-12", Region: "ap-guangzhou", Timestamp: time.Now()}
	req, err := s.NewPOST(emu.URL, "", []byte(body))
	if err != nil {
		b.Fatal(err)
	}
	return req
}

// serve replays req through h in process and wants an answer without error.
func serve(b *testing.B, h http.Handler, req *http.Request, body string) {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(strings.NewReader(body))
	r.RequestURI = "/"
	r.RemoteAddr = "127.0.0.1:1"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || !noError(w.Body.Bytes()) {
		b.Fatalf("%d %s", w.Code, w.Body.Bytes())
	}
}

// BenchmarkServer: the emulator's own cost per request, without the network
// or the client: a signed request replayed through its handler in process
// (the signature's timestamp stays inside the 5-minute window). B/op and
// allocs/op here are the emulator's alone.
func BenchmarkServer(b *testing.B) {
	for _, tc := range []struct{ action, body string }{
		{"DescribeJobs", `{"Limit":20}`},
		{"SubmitJob", submitBody},
	} {
		b.Run(tc.action, func(b *testing.B) {
			emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock())
			if err != nil {
				b.Fatal(err)
			}
			defer emu.Close()
			bc := newBenchClient(emu.URL, emu.SecretID, emu.SecretKey)
			for range 20 {
				bc.do(b, "SubmitJob", submitBody)
			}
			req := signedRequest(b, emu, tc.action, tc.body)
			h := emu.Handler()
			b.ReportAllocs()
			for b.Loop() {
				serve(b, h, req, tc.body)
			}
		})
	}
}
