package engine

import (
	"testing"

	"github.com/batchconform/batchconform/emulator/tenants"
)

// BenchmarkSubmitJob: the engine's own cost of the emulator benchmarks'
// SubmitJob (2 tasks of 1 instance, one dependence, manual clock so the jobs
// stay SUBMITTED and are kept; no job quota, so any b.N fits), without the HTTP handler around it. The spec
// is built per call (SubmitJobOwned takes it over), as the façade does.
func BenchmarkSubmitJob(b *testing.B) {
	e, err := New(Config{Clock: NewManualClock(t0), Executor: ExecutorSimulated, Seed: 42,
		Tenants: tenants.NewRegistry(tenants.Tenant{SecretID: "T", SecretKey: "k", Quotas: tenants.Quotas{Jobs: -1}})})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ReportAllocs()
	for b.Loop() {
		spec := JobSpec{Tenant: "T", Name: "bench", Priority: 1, Zone: "ap-guangzhou-2",
			Tasks: []TaskSpec{{Name: "a", Command: "echo a", InstanceNum: 1}, {Name: "b", Command: "echo b", InstanceNum: 1}},
			Deps:  []Dep{{Start: "a", End: "b"}}}
		if _, err := e.SubmitJobOwned(spec); err != nil {
			b.Fatal(err)
		}
	}
}
