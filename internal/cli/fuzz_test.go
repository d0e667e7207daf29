package cli_test

// `fuzz` and `replay` for the dialects beyond Tencent Batch, through the
// binary: Oceanus (by its alias tencent-oceanus) finds a planted fault of
// its job listing, writes a replay file and a report with the failed
// property; `replay` fails with the fault and passes without it; Alibaba
// BatchCompute fuzzes clean against the correct emulator and its model's
// properties get verdicts.

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFuzzOceanusFindsAndReplays(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, 2*time.Minute, nil, "fuzz", "--dialect", "tencent-oceanus", "--kinds", "stateful", "--fault", "oceanus-total-count-of-page",
		"--duration", "20s", "--seed", "5", "--shrink-time", "2s", "--out", dir)
	if r.code != 1 {
		t.Fatalf("fuzz with a planted fault: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if v := verdicts(t, filepath.Join(dir, "report.json"))["oceanus/model/property/total-count"]; v != "fail" {
		t.Errorf("report: oceanus/model/property/total-count is %q, want fail\n%s", v, r.stdout)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "replay-oceanus_model_property_total-count-*.json"))
	if len(files) != 1 {
		t.Fatalf("replay files %v\n%s", files, r.stdout)
	}
	if r := runCLI(t, time.Minute, nil, "replay", files[0], "--fault", "oceanus-total-count-of-page"); r.code != 1 || !strings.Contains(r.stdout, "STILL FAILS") {
		t.Errorf("replay with the fault: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, time.Minute, nil, "replay", files[0]); r.code != 0 {
		t.Errorf("replay without the fault: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestFuzzAlibabaClean(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, 2*time.Minute, nil, "fuzz", "--dialect", "alibaba-batchcompute", "--duration", "4s", "--seed", "2", "--out", dir)
	if r.code != 0 {
		t.Fatalf("fuzz: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v := verdicts(t, filepath.Join(dir, "report.json"))
	for _, id := range []string{"alibaba-batchcompute/api/property/no-server-error", "alibaba-batchcompute/auth/property/signature-faults",
		"alibaba-batchcompute/model/property/transitions", "alibaba-batchcompute/model/property/idempotent-token"} {
		if v[id] != "pass" {
			t.Errorf("report: %s is %q, want pass", id, v[id])
		}
	}
}
