package emulator_test

import (
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
)

// The cost of --state-dir: every SubmitJob is fsynced before it is answered
// (concurrent ones share a commit); a DescribeJobs is not written at all.
// Compare with BenchmarkSubmitJob/emulator and BenchmarkDescribeJobs/emulator
// (the in-memory default, which pays nothing for this feature).
func BenchmarkStateDir(b *testing.B) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"), emulator.WithManualClock(), emulator.WithStateDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	bc := newBenchClient(emu.URL, emu.SecretID, emu.SecretKey)
	for i := 0; i < 20; i++ {
		bc.do(b, "SubmitJob", submitBody)
	}
	b.Run("DescribeJobs", func(b *testing.B) { runParallel(b, bc, "DescribeJobs", `{"Limit":20}`, noError) })
	b.Run("SubmitJob", func(b *testing.B) { runParallel(b, bc, "SubmitJob", submitBody, noError) })
}

// runParallel measures action under b.RunParallel and reports req/s.
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
