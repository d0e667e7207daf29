package validate

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/batchconform/batchconform/fixtures/tencentbatch"
)

// benchSubmit is the emulator benchmark's SubmitJob: two tasks and an edge,
// so the list, ref and acyclic rules all walk something.
const benchSubmit = `{"Placement":{"Zone":"ap-guangzhou-2"},"Job":{"JobName":"bench","Priority":1,"Tasks":[` +
	`{"TaskName":"a","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo a"},` +
	`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}},` +
	`{"TaskName":"b","TaskInstanceNum":1,"Application":{"DeliveryForm":"LOCAL","Command":"echo b"},` +
	`"ComputeEnv":{"EnvType":"MANAGED","EnvData":{"InstanceType":"S1.SMALL1","ImageId":"img-m4q71qnf"}}}],` +
	`"Dependences":[{"StartTask":"a","EndTask":"b"}]}}`

// BenchmarkCheckSubmitJob: the shape and catalog rules of one valid
// SubmitJob against the real catalog (what the handler runs per request).
func BenchmarkCheckSubmitJob(b *testing.B) {
	cat, params := tencentbatch.Catalog(), benchParams(b)
	b.ReportAllocs()
	for b.Loop() {
		if v := CheckShape(cat, "SubmitJob", params, Options{}); v != nil {
			b.Fatal(v)
		}
		if v := Check(cat, "SubmitJob", params, Options{}); v != nil {
			b.Fatal(v)
		}
	}
}

// BenchmarkCheckRequest: the same checks as BenchmarkCheckSubmitJob through
// CheckRequest, which walks the request once for both.
func BenchmarkCheckRequest(b *testing.B) {
	cat, params := tencentbatch.Catalog(), benchParams(b)
	b.ReportAllocs()
	for b.Loop() {
		if v := CheckRequest(cat, "SubmitJob", params, Options{}); v != nil {
			b.Fatal(v)
		}
	}
}

// BenchmarkCheckPlan: Check's catalog rules of the benchmark SubmitJob with
// the plan (rules anchored where the request holds nothing are skipped) and
// with every rule walking the request itself, in one run (compare the two).
func BenchmarkCheckPlan(b *testing.B) {
	cat, params := tencentbatch.Catalog(), benchParams(b)
	for _, mode := range []struct {
		name string
		skip bool
	}{{"plan", true}, {"walk", false}} {
		b.Run(mode.name, func(b *testing.B) {
			skipAbsent = mode.skip
			defer func() { skipAbsent = true }()
			b.ReportAllocs()
			for b.Loop() {
				if v := Check(cat, "SubmitJob", params, Options{}); v != nil {
					b.Fatal(v)
				}
			}
		})
	}
}

// BenchmarkCheckRequestCold: CheckRequest of the benchmark SubmitJob with
// the CPU caches flushed before each (8 MB written between requests), as a
// request served between a client's and the network's work finds them:
// over HTTP the checks cost about three times what the hot loop of
// BenchmarkCheckRequest shows, and what they cost there is memory read.
// cold-ns/op times the checks alone.
func BenchmarkCheckRequestCold(b *testing.B) {
	cat, params := tencentbatch.Catalog(), benchParams(b)
	junk := make([]byte, 8<<20)
	var in time.Duration
	for i := 0; i < b.N; i++ {
		for j := 0; j < len(junk); j += 64 {
			junk[j]++
		}
		t0 := time.Now()
		if v := CheckRequest(cat, "SubmitJob", params, Options{}); v != nil {
			b.Fatal(v)
		}
		in += time.Since(t0)
	}
	b.ReportMetric(float64(in.Nanoseconds())/float64(b.N), "cold-ns/op")
}

// benchParams is benchSubmit decoded as the protocol layer gives it
// (numbers as json.Number).
func benchParams(b *testing.B) map[string]any {
	b.Helper()
	var params map[string]any
	d := json.NewDecoder(stringsReader(benchSubmit))
	d.UseNumber()
	if err := d.Decode(&params); err != nil {
		b.Fatal(err)
	}
	return params
}
