package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchconform/batchconform/emulator/faults"
	catalog "github.com/batchconform/batchconform/fixtures/tencentbatch"
	"github.com/batchconform/batchconform/internal/cli"
)

// envMutationChild makes this test binary act as the batchconform binary:
// the mutation gate re-executes itself (os.Executable) for every run.
const envMutationChild = "MUTATION_TEST_AS_CLI"

// Two faults registered by this test binary only (never committed to the
// registry): one declares an item no spec checks, the other an item specs
// check but changes nothing. Both must survive and fail the gate.
const (
	plantedUnchecked = "planted-unchecked-item"
	plantedNoop      = "planted-noop"
)

func init() {
	unchecked := ""
	for _, it := range catalog.Catalog().Items() {
		if it.Unprovokable != "" {
			unchecked = it.ID // unprovokable: no spec checks it
			break
		}
	}
	faults.Register(faults.Fault{Name: plantedUnchecked, Doc: "test only: declares an item no spec checks", Items: []string{unchecked}})
	faults.Register(faults.Fault{Name: plantedNoop, Doc: "test only: declares a checked item, changes nothing", Items: []string{"tencent-batch/DescribeAvailableCvmInstanceTypes/action"}})
}

func TestMutationGateFailsOnASurvivor(t *testing.T) {
	// childEnv drops BATCHCONFORM_* settings, not this switch: it names the
	// test binary's role, not a target.
	t.Setenv(envMutationChild, "1")
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := cli.Main([]string{"mutation", "--jobs", "2", "--timeout", "3m", "--out", out, "--faults",
		strings.Join([]string{plantedUnchecked, plantedNoop, faults.AcceptCyclicDAG}, ",")}, &stdout, &stderr)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	if code != cli.ExitFailure {
		t.Fatalf("exit %d, want %d (two planted faults survive)", code, cli.ExitFailure)
	}
	data, err := os.ReadFile(filepath.Join(out, "mutation.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Clean struct {
			Verdict string `json:"verdict"`
		} `json:"clean"`
		Faults []struct {
			Fault        string `json:"fault"`
			Verdict      string `json:"verdict"`
			StoppedEarly bool   `json:"stopped_early"`
			KilledBy     []struct {
				Items []string `json:"items"`
			} `json:"killed_by"`
		} `json:"faults"`
		Score struct {
			Killed, Total int
			Survived      []string `json:"survived"`
		} `json:"score"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if res.Clean.Verdict != "pass" {
		t.Errorf("clean run %q, want pass", res.Clean.Verdict)
	}
	want := map[string]string{plantedUnchecked: "survived", plantedNoop: "survived", faults.AcceptCyclicDAG: "killed"}
	for _, f := range res.Faults {
		if want[f.Fault] != f.Verdict {
			t.Errorf("%s: verdict %q, want %q", f.Fault, f.Verdict, want[f.Fault])
		}
		// The default mode fails fast: a killed fault's run ends at its
		// first kill; a survivor's runs to its end.
		if f.StoppedEarly != (f.Verdict == "killed") {
			t.Errorf("%s (%s): stopped early %v", f.Fault, f.Verdict, f.StoppedEarly)
		}
		delete(want, f.Fault)
	}
	if len(want) > 0 {
		t.Errorf("faults not judged: %v", want)
	}
	if res.Score.Killed != 1 || res.Score.Total != 3 || len(res.Score.Survived) != 2 {
		t.Errorf("score %+v, want 1/3 with 2 survivors", res.Score)
	}
	if !strings.Contains(stdout.String(), "SURVIVED") {
		t.Errorf("the kill matrix does not show the survivors")
	}
	md, err := os.ReadFile(filepath.Join(out, "mutation.md"))
	if err != nil || !strings.Contains(string(md), "**SURVIVED**") {
		t.Errorf("mutation.md does not show the survivors (%v)", err)
	}
}
