package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/engine"
	"github.com/batchconform/batchconform/internal/tcsign"
)

// Scale (issue 12, item 2): the emulator with the simulated executor holding
// many kept jobs (one task each) and compute nodes. Jobs and nodes are made
// through the engine (what SubmitJob and CreateComputeEnv call), which is
// what holds them; the pages are asked through the HTTP handler.

const scaleZone = "ap-guangzhou-2"

type scaleEmu struct {
	*emulator.Emulator
	env string
}

// newScale starts an emulator with unlimited quotas, nodes compute nodes in
// environments of at most engine.MaxNodesPerEnv, and jobs jobs of one task
// (tagged and named so that each filter matches a tenth of them).
func newScale(tb testing.TB, jobs, nodes int) *scaleEmu {
	tb.Helper()
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = emu.Close() })
	tn, ok := emu.Tenants().Get(emu.SecretID)
	if !ok {
		tb.Fatal("the default tenant is missing")
	}
	tn.Quotas.Jobs, tn.Quotas.ComputeEnvs, tn.Quotas.CPUs = -1, -1, -1
	if err := emu.Tenants().Put(tn); err != nil {
		tb.Fatal(err)
	}
	s := &scaleEmu{Emulator: emu}
	eng := emu.Engine()
	for left := nodes; left > 0; left -= engine.MaxNodesPerEnv {
		id, err := eng.CreateEnv(engine.EnvSpec{Tenant: emu.SecretID, Name: "scale", Type: "MANAGED", ResourceType: "CVM",
			Zone: scaleZone, InstanceTypes: []string{"S1.SMALL1"}, ImageID: "img-m4q71qnf", CPU: 1, MemoryGB: 1,
			DesiredNodes: min(left, engine.MaxNodesPerEnv)})
		if err != nil {
			tb.Fatal(err)
		}
		s.env = id
	}
	for i := range jobs {
		_, err := eng.SubmitJob(engine.JobSpec{Tenant: emu.SecretID, Name: fmt.Sprintf("job-%d", i%10), Zone: scaleZone,
			Tags:  []engine.KV{{Name: "group", Value: fmt.Sprintf("g%d", i%10)}},
			Tasks: []engine.TaskSpec{{Name: "t", InstanceNum: 1, EnvID: s.env, Command: "echo hi", DeliveryForm: "LOCAL"}}})
		if err != nil {
			tb.Fatalf("job %d: %v", i, err)
		}
	}
	return s
}

// request is one signed DescribeJobs through the handler in process.
func (s *scaleEmu) request(tb testing.TB, body string) *http.Request {
	sg := tcsign.TC3{SecretID: s.SecretID, SecretKey: s.SecretKey, Service: "batch", Action: "DescribeJobs",
		Version: "2017-03-12", Region: "ap-guangzhou", Timestamp: time.Now()}
	r, err := sg.NewPOST(s.URL, "", []byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	r.RequestURI = "/"
	r.RemoteAddr = "127.0.0.1:1"
	return r
}

type jobsPage struct {
	Response struct {
		JobSet []struct {
			JobId, JobState string
			TaskMetrics     map[string]int64
		}
		TotalCount int64
		Error      *struct{ Code, Message string }
	}
}

func (s *scaleEmu) describe(tb testing.TB, body string) jobsPage {
	r := s.request(tb, body)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	var p jobsPage
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Response.Error != nil {
		tb.Fatalf("DescribeJobs %s: %v %s", body, err, w.Body.Bytes())
	}
	return p
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkScaleMemory reports the heap each kept job costs (one task, one
// instance) next to 10,000 compute nodes, after the jobs have run and
// succeeded. One op is the whole setup; the figure is B/job.
func BenchmarkScaleMemory(b *testing.B) {
	for b.Loop() {
		before := heapInUse()
		s := newScale(b, 0, 10000)
		withNodes := heapInUse()
		const n = 100000
		before2 := heapInUse()
		for i := range n {
			if _, err := s.Engine().SubmitJob(engine.JobSpec{Tenant: s.SecretID, Name: "m", Zone: scaleZone,
				Tasks: []engine.TaskSpec{{Name: "t", InstanceNum: 1, EnvID: s.env, Command: "echo hi", DeliveryForm: "LOCAL"}}}); err != nil {
				b.Fatalf("job %d: %v", i, err)
			}
		}
		submitted := heapInUse()
		// Let them run to the end: 10,000 nodes take 10 waves.
		for range 40 {
			if err := s.Advance(time.Second); err != nil {
				b.Fatal(err)
			}
		}
		done := heapInUse()
		b.ReportMetric(float64(withNodes-before)/10000, "B/node")
		b.ReportMetric(float64(submitted-before2)/n, "B/job-submitted")
		b.ReportMetric(float64(done-before2)/n, "B/job-finished")
		jobs := s.Engine().Jobs(s.SecretID)
		fin := 0
		for _, j := range jobs {
			if j.State == "SUCCEED" {
				fin++
			}
		}
		b.ReportMetric(float64(fin), "jobs-succeeded")
		runtime.KeepAlive(s)
	}
}

// BenchmarkDescribeJobsPage: one page of 20 through the handler, unfiltered,
// deep (Offset at the middle) and with each documented filter, at 1k, 10k
// and 100k kept jobs. Flat ns/op across sizes is page-proportional time.
func BenchmarkDescribeJobsPage(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		s := newScale(b, n, 100)
		ids := s.describe(b, `{"Limit":3}`)
		idList := `"` + ids.Response.JobSet[0].JobId + `","` + ids.Response.JobSet[2].JobId + `"`
		for _, q := range []struct{ name, body string }{
			{"page", `{"Limit":20}`},
			{"deep-offset", fmt.Sprintf(`{"Offset":%d,"Limit":20}`, n/2)},
			{"job-ids", `{"JobIds":[` + idList + `]}`},
			{"filter-job-id", `{"Filters":[{"Name":"job-id","Values":[` + idList + `]}],"Limit":20}`},
			{"filter-job-name", `{"Filters":[{"Name":"job-name","Values":["job-3"]}],"Limit":20}`},
			{"filter-job-state", `{"Filters":[{"Name":"job-state","Values":["SUBMITTED"]}],"Limit":20}`},
			{"filter-zone", `{"Filters":[{"Name":"zone","Values":["` + scaleZone + `"]}],"Limit":20}`},
			{"filter-tag", `{"Filters":[{"Name":"tag:group","Values":["g3"]}],"Limit":20}`},
		} {
			b.Run(fmt.Sprintf("%s/jobs=%d", q.name, n), func(b *testing.B) {
				req := s.request(b, q.body)
				h := s.Handler()
				b.ReportAllocs()
				for b.Loop() {
					r := req.Clone(req.Context())
					r.Body = io.NopCloser(strings.NewReader(q.body))
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != 200 || bytes.Contains(w.Body.Bytes(), []byte(`"Error"`)) {
						b.Fatalf("%d %s", w.Code, w.Body.Bytes())
					}
				}
			})
		}
	}
}

// TestConcurrentPollersSeeConsistentPages: 200 clients poll DescribeJobs
// pages while the clock moves every job through its states. Every page must
// be a consistent snapshot: TotalCount is the number of jobs, a page holds
// Limit jobs (or the rest), no job appears twice in a page, and each job's
// task metrics add up to its one task.
func TestConcurrentPollersSeeConsistentPages(t *testing.T) {
	const jobs, clients, polls = 200, 200, 3
	s := newScale(t, jobs, 50)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Advance(50 * time.Millisecond); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond) // let the pollers in between moves
		}
	})
	var (
		pollers sync.WaitGroup
		mu      sync.Mutex
		states  = map[string]bool{}
	)
	for c := range clients {
		pollers.Go(func() {
			for i := range polls {
				off := (c*7 + i*31) % jobs
				p := s.describe(t, fmt.Sprintf(`{"Offset":%d,"Limit":20}`, off))
				if p.Response.TotalCount != jobs {
					t.Errorf("TotalCount %d, want %d", p.Response.TotalCount, jobs)
				}
				if want := min(20, jobs-off); len(p.Response.JobSet) != want {
					t.Errorf("offset %d: %d jobs, want %d", off, len(p.Response.JobSet), want)
				}
				seen := map[string]bool{}
				for _, j := range p.Response.JobSet {
					if seen[j.JobId] {
						t.Errorf("job %s twice in one page", j.JobId)
					}
					seen[j.JobId] = true
					mu.Lock()
					states[j.JobState] = true
					mu.Unlock()
					var sum int64
					for _, v := range j.TaskMetrics {
						sum += v
					}
					if sum != 1 {
						t.Errorf("job %s (%s): task metrics %v add up to %d, want 1", j.JobId, j.JobState, j.TaskMetrics, sum)
					}
				}
			}
		})
	}
	pollers.Wait()
	close(stop)
	wg.Wait()
	// The pages must have been taken while jobs changed state, or the test
	// proved nothing about snapshots under change.
	if len(states) < 2 {
		t.Errorf("the pollers saw only the states %v: the jobs did not move while polled", states)
	}
	t.Logf("states seen while polling: %v", states)
}
