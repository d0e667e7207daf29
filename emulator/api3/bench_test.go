package api3

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cannedDescribe is a DescribeJobs-sized answer (one job, every field).
var cannedDescribe = json.RawMessage(`{"JobSet":[{"JobId":"job-97zcl3wt","JobName":"demo job","JobState":"RUNNING","Priority":1,` +
	`"Placement":{"Zone":"ap-guangzhou-3","ProjectId":0,"HostIds":[],"HostIps":[]},"CreateTime":"2026-11-22T10:00:00Z","EndTime":null,` +
	`"TaskMetrics":{"SubmittedCount":0,"PendingCount":0,"RunnableCount":0,"StartingCount":0,"RunningCount":1,"SucceedCount":1,"FailedInterruptedCount":0,"FailedCount":0},` +
	`"TaskInstanceMetrics":{"SubmittedCount":0,"PendingCount":0,"RunnableCount":0,"StartingCount":0,"RunningCount":2,"SucceedCount":2,"FailedInterruptedCount":0,"FailedCount":0},` +
	`"StateReason":"","Tags":[{"Key":"team","Value":"batch"}],"NextAction":"","AttachedComputeEnvIds":["env-lcpcej85"]}],"TotalCount":1}`)

const benchBody = `{"Filters":[{"Name":"job-state","Values":["RUNNING"]}],"Offset":0,"Limit":20}`

// benchRequest builds one signed TC3 POST; the benchmarks replay it (the
// timestamp stays inside the 5-minute window for any sane benchmark time).
func benchRequest(b *testing.B, e *env) (url string, hdr http.Header) {
	r := e.tc3Request(b, tc3{action: "DescribeJobs", body: benchBody})
	return e.srv.URL + "/", r.Header
}

func runLoad(b *testing.B, url string, hdr http.Header, wantLen int) {
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 0, 4096)
		for pb.Next() {
			req, err := http.NewRequest("POST", url, strings.NewReader(benchBody))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header = hdr.Clone()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			buf, err = readAllInto(buf[:0], resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || len(buf) != wantLen || bytes.Contains(buf, []byte(`"Error"`)) {
				b.Errorf("status %d len %d (want %d) err %v: %s", resp.StatusCode, len(buf), wantLen, err, buf)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// fullResponseLen is the size of the handler's answer to the bench request.
func fullResponseLen(b *testing.B, e *env) int {
	_, _, body := do(b, e.tc3Request(b, tc3{action: "DescribeJobs", body: benchBody}))
	if bytes.Contains(body, []byte(`"Error"`)) {
		b.Fatalf("bench request fails: %s", body)
	}
	return len(body)
}

// BenchmarkHandlerDescribe: a signed TC3 POST DescribeJobs through the whole
// handler (size limit, signature, routing, decoding, validation, envelope)
// over a real loopback HTTP server; the product answers a canned response.
func BenchmarkHandlerDescribe(b *testing.B) {
	e := newEnv(b, Config{})
	e.batch.canned = cannedDescribe
	n := fullResponseLen(b, e)
	url, hdr := benchRequest(b, e)
	runLoad(b, url, hdr, n)
}

// BenchmarkBareHandlerDescribe: the same request to a bare net/http handler
// that drains the body and returns a canned response of the same size: the
// baseline for the "≥70% of bare" figure.
func BenchmarkBareHandlerDescribe(b *testing.B) {
	e := newEnv(b, Config{})
	e.batch.canned = cannedDescribe
	_, _, body := do(b, e.tc3Request(b, tc3{action: "DescribeJobs", body: benchBody}))
	_, hdr := benchRequest(b, e)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer bare.Close()
	runLoad(b, bare.URL+"/", hdr, len(body))
}

// BenchmarkServeHTTPInProcess: the handler's own cost, without the network.
func BenchmarkServeHTTPInProcess(b *testing.B) {
	e := newEnv(b, Config{})
	e.batch.canned = cannedDescribe
	r := e.tc3Request(b, tc3{action: "DescribeJobs", body: benchBody})
	h := e.srv.Config.Handler
	b.ReportAllocs()
	for b.Loop() {
		req := r.Clone(r.Context())
		req.Body = io.NopCloser(strings.NewReader(benchBody))
		req.RequestURI = "/"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || bytes.Contains(w.Body.Bytes(), []byte(`"Error"`)) {
			b.Fatalf("%d %s", w.Code, w.Body.Bytes())
		}
	}
}

// BenchmarkHandlerVsBare alternates short bursts to the full handler and to
// the bare one in the same run, so both see the same machine load (this
// host is shared); it reports both rates and the ratio. One op is one request
// to each server.
func BenchmarkHandlerVsBare(b *testing.B) {
	e := newEnv(b, Config{})
	e.batch.canned = cannedDescribe
	_, _, body := do(b, e.tc3Request(b, tc3{action: "DescribeJobs", body: benchBody}))
	fullURL, hdr := benchRequest(b, e)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer bare.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 128}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	const workers, chunk = 4, 200
	burst := func(url string, n int) time.Duration {
		start := time.Now()
		done := make(chan struct{}, workers)
		per := (n + workers - 1) / workers
		for range workers {
			go func() {
				defer func() { done <- struct{}{} }()
				buf := make([]byte, 0, 4096)
				for range per {
					req, _ := http.NewRequest("POST", url, strings.NewReader(benchBody))
					req.Header = hdr.Clone()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					buf, err = readAllInto(buf[:0], resp.Body)
					resp.Body.Close()
					if err != nil || len(buf) != len(body) {
						b.Errorf("len %d err %v: %s", len(buf), err, buf)
						return
					}
				}
			}()
		}
		for range workers {
			<-done
		}
		return time.Since(start)
	}
	burst(fullURL, chunk) // warm up connections
	burst(bare.URL+"/", chunk)
	b.ReportAllocs()
	b.ResetTimer()
	var full, base time.Duration
	total := 0
	for total < b.N {
		full += burst(fullURL, chunk)
		base += burst(bare.URL+"/", chunk)
		total += chunk
	}
	fr := float64(total) / full.Seconds()
	br := float64(total) / base.Seconds()
	b.ReportMetric(fr, "full-req/s")
	b.ReportMetric(br, "bare-req/s")
	b.ReportMetric(100*fr/br, "ratio-%")
}
