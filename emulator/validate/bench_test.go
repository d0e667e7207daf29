package validate

import (
	"encoding/json"
	"testing"

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
	cat := tencentbatch.Catalog()
	var params map[string]any
	d := json.NewDecoder(stringsReader(benchSubmit))
	d.UseNumber()
	if err := d.Decode(&params); err != nil {
		b.Fatal(err)
	}
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
	cat := tencentbatch.Catalog()
	var params map[string]any
	d := json.NewDecoder(stringsReader(benchSubmit))
	d.UseNumber()
	if err := d.Decode(&params); err != nil {
		b.Fatal(err)
	}
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
	cat := tencentbatch.Catalog()
	var params map[string]any
	d := json.NewDecoder(stringsReader(benchSubmit))
	d.UseNumber()
	if err := d.Decode(&params); err != nil {
		b.Fatal(err)
	}
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
