package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/chaos"
)

// Chaos started with WithChaos answers the documented code for the matching
// tenant and action only, and info reports it.
func TestChaosOption(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"), emulator.WithChaos(chaos.Config{Seed: 1, Rules: []chaos.Rule{
		{Name: "cvm-down", Tenant: emulator.DefaultSecretID, Actions: []string{"DescribeJobs"}, Probability: 1, Error: "InternalError.CallCvm"},
	}}))
	call := rawCaller(emu)
	_, code, err := call("DescribeJobs", "", []byte(`{}`))
	if err != nil || code != "InternalError.CallCvm" {
		t.Fatalf("DescribeJobs under chaos: %v %q", err, code)
	}
	if _, code, err := call("DescribeComputeEnvs", "", []byte(`{}`)); err != nil || code != "" {
		t.Fatalf("another action was hit: %v %q", err, code)
	}
	var info emulator.Info
	if st := adminGet(t, emu, "info", &info); st != 200 || !info.Chaos.On || info.Chaos.Hits["cvm-down"] != 1 {
		t.Fatalf("info does not report chaos: %d %+v", st, info.Chaos)
	}
}

// An invalid WithChaos stops Start.
func TestChaosOptionInvalid(t *testing.T) {
	emu, err := emulator.Start(emulator.WithChaos(chaos.Config{Rules: []chaos.Rule{{Probability: 1, Error: "NotDocumented"}}}))
	if err == nil {
		emu.Close()
		t.Fatal("Start accepted an undocumented chaos code")
	}
}

// The admin endpoint switches chaos on, refuses a bad configuration whole,
// and switches it off; latency and dropped connections take effect.
func TestAdminChaos(t *testing.T) {
	emu := start(t, emulator.WithExecutor("simulated"))
	call := rawCaller(emu)
	var st chaos.Status
	if code := adminGet(t, emu, "chaos", &st); code != 200 || st.On {
		t.Fatalf("chaos on at start: %d %+v", code, st)
	}
	body := `{"seed":7,"rules":[
		{"name":"burst","actions":["DescribeJobs"],"probability":1,"error":"RequestLimitExceeded","count":2},
		{"name":"slow","actions":["DescribeJobs"],"probability":1,"latency":"300ms"},
		{"name":"drop","actions":["DescribeComputeEnvs"],"probability":1,"drop":true}]}`
	if code := adminSend(t, emu, "PUT", "chaos", body, &st); code != 200 || !st.On || len(st.Config.Rules) != 3 {
		t.Fatalf("PUT chaos: %d %+v", code, st)
	}
	for i := 0; i < 2; i++ {
		if _, code, err := call("DescribeJobs", "", []byte(`{}`)); err != nil || code != "RequestLimitExceeded" {
			t.Fatalf("burst request %d: %v %q", i, err, code)
		}
	}
	t0 := time.Now()
	if _, code, err := call("DescribeJobs", "", []byte(`{}`)); err != nil || code != "" {
		t.Fatalf("after the burst: %v %q", err, code)
	}
	if d := time.Since(t0); d < 300*time.Millisecond {
		t.Fatalf("latency rule: answered in %v", d)
	}
	if _, _, err := call("DescribeComputeEnvs", "", []byte(`{}`)); err == nil {
		t.Fatal("drop rule: the request got an answer")
	}
	// A bad configuration is refused and the current one stays.
	var bad map[string]string
	if code := adminSend(t, emu, "PUT", "chaos", `{"rules":[{"probability":1,"error":"InternalError.Nope"}]}`, &bad); code != 400 || !strings.Contains(bad["error"], "not a chaos error code") {
		t.Fatalf("bad PUT: %d %v", code, bad)
	}
	if code := adminGet(t, emu, "chaos", &st); code != 200 || !st.On || st.Hits["burst"] != 2 {
		t.Fatalf("after the bad PUT: %d %+v", code, st)
	}
	if code := adminSend(t, emu, "DELETE", "chaos", "", &st); code != 200 || st.On {
		t.Fatalf("DELETE chaos: %d %+v", code, st)
	}
	if _, code, err := call("DescribeComputeEnvs", "", []byte(`{}`)); err != nil || code != "" {
		t.Fatalf("chaos off, still hit: %v %q", err, code)
	}
	if code := adminSend(t, emu, "PATCH", "chaos", "", nil); code != 405 {
		t.Fatalf("PATCH chaos: %d", code)
	}
}
