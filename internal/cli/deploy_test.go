package cli_test

// The ways to scale past one machine (issue 11) are validated structurally
// here (deploy_run_test.go runs their scripts):
// the GitHub Actions matrix workflow and the Kubernetes Indexed Job must
// split into N shards consistently, take the shard index from the matrix /
// JOB_COMPLETION_INDEX, keep reports where the merge step reads them, and
// gate against a baseline that is committed. (Neither has been run on real
// infrastructure here; see deploy/kubernetes/README.md.)

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/batchconform/batchconform/reports"
)

const repoRoot = "../.."

func loadYAML(t *testing.T, rel string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

// at walks a path of map keys and list indexes ("jobs.shard.steps.2").
func at(t *testing.T, v any, path string) any {
	t.Helper()
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				t.Fatalf("%s: no %q", path, p)
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				t.Fatalf("%s: no element %q", path, p)
			}
			v = x[i]
		default:
			t.Fatalf("%s: %q of a %T", path, p, v)
		}
	}
	return v
}

// stepRunning returns the run script of the first step whose script
// contains s.
func stepRunning(t *testing.T, steps any, s string) string {
	t.Helper()
	for _, st := range steps.([]any) {
		if run, ok := st.(map[string]any)["run"].(string); ok && strings.Contains(run, s) {
			return run
		}
	}
	t.Fatalf("no step runs %q", s)
	return ""
}

func TestWorkflowShardsMergeAndGate(t *testing.T) {
	w := loadYAML(t, ".github/workflows/conformance.yml")
	n, err := strconv.Atoi(fmt.Sprint(at(t, w, "env.SHARDS")))
	if err != nil || n < 2 {
		t.Fatalf("env.SHARDS = %v: want a number of shards >= 2", at(t, w, "env.SHARDS"))
	}
	idx := at(t, w, "jobs.shard.strategy.matrix.index").([]any)
	if len(idx) != n {
		t.Errorf("the matrix has %d shards, env.SHARDS says %d", len(idx), n)
	}
	for i, v := range idx {
		if fmt.Sprint(v) != strconv.Itoa(i) {
			t.Errorf("matrix index %d is %v: want 0..N-1 in order", i, v)
		}
	}
	if ff, _ := at(t, w, "jobs.shard.strategy").(map[string]any)["fail-fast"].(bool); ff {
		t.Error("fail-fast would cancel the other shards on the first failing one: their verdicts are needed")
	}
	run := stepRunning(t, at(t, w, "jobs.shard.steps"), "batchconform run")
	if !strings.Contains(run, "--shard ${{ matrix.index }}/${SHARDS}") {
		t.Errorf("the shard step does not run --shard ${{ matrix.index }}/${SHARDS}:\n%s", run)
	}
	const dir = "shard-${{ matrix.index }}"
	if !strings.Contains(run, "--out "+dir) {
		t.Errorf("the shard step does not write its report to %s:\n%s", dir, run)
	}
	uploaded := false
	for _, st := range at(t, w, "jobs.shard.steps").([]any) {
		m := st.(map[string]any)
		if u, _ := m["uses"].(string); strings.HasPrefix(u, "actions/upload-artifact") {
			p := fmt.Sprint(at(t, m, "with.path"))
			uploaded = p == dir+"/report.json"
		}
	}
	if !uploaded {
		t.Errorf("the shard job does not upload %s/report.json", dir)
	}
	if needs := fmt.Sprint(at(t, w, "jobs.merge.needs")); needs != "shard" {
		t.Errorf("the merge job needs %q, want shard", needs)
	}
	merge := stepRunning(t, at(t, w, "jobs.merge.steps"), "report merge")
	for _, want := range []string{"--out report.json", "--html report.html", "shard-*/report.json"} {
		if !strings.Contains(merge, want) {
			t.Errorf("the merge step lacks %q:\n%s", want, merge)
		}
	}
	gate := stepRunning(t, at(t, w, "jobs.merge.steps"), "report gate")
	m := regexp.MustCompile(`--baseline (\S+)`).FindStringSubmatch(gate)
	if m == nil {
		t.Fatalf("the gate names no baseline:\n%s", gate)
	}
	if _, err := reports.LoadBaseline(filepath.Join(repoRoot, m[1])); err != nil {
		t.Errorf("the committed baseline the gate uses: %v", err)
	}
}

func TestKubernetesIndexedJob(t *testing.T) {
	job := loadYAML(t, "deploy/kubernetes/job.yaml")
	if at(t, job, "kind") != "Job" || at(t, job, "spec.completionMode") != "Indexed" {
		t.Fatal("job.yaml is not an Indexed Job")
	}
	completions := at(t, job, "spec.completions").(int)
	if p := at(t, job, "spec.parallelism").(int); p != completions {
		t.Errorf("parallelism %d != completions %d: the shards would not all run at once", p, completions)
	}
	c := at(t, job, "spec.template.spec.containers.0")
	script := fmt.Sprint(at(t, c, "args.0"))
	want := fmt.Sprintf(`--shard "${JOB_COMPLETION_INDEX}/%d"`, completions)
	if !strings.Contains(script, want) {
		t.Errorf("the shard pod does not run %s (completions = %d):\n%s", want, completions, script)
	}
	if !strings.Contains(script, `--out "/reports/shard-${JOB_COMPLETION_INDEX}"`) {
		t.Errorf("the shard pod does not write its report under /reports/shard-<index>:\n%s", script)
	}
	pvc := loadYAML(t, "deploy/kubernetes/pvc.yaml")
	claim := at(t, pvc, "metadata.name")
	merge := loadYAML(t, "deploy/kubernetes/merge-job.yaml")
	for name, j := range map[string]map[string]any{"job.yaml": job, "merge-job.yaml": merge} {
		if got := at(t, j, "spec.template.spec.volumes.0.persistentVolumeClaim.claimName"); got != claim {
			t.Errorf("%s mounts claim %v, pvc.yaml makes %v", name, got, claim)
		}
		if got := at(t, j, "spec.template.spec.containers.0.volumeMounts.0.mountPath"); got != "/reports" {
			t.Errorf("%s mounts the reports at %v, want /reports", name, got)
		}
		if rp := at(t, j, "spec.template.spec.restartPolicy"); rp != "Never" {
			t.Errorf("%s: restartPolicy %v: a rerun shard would overwrite its report mid-merge", name, rp)
		}
	}
	ms := fmt.Sprint(at(t, merge, "spec.template.spec.containers.0.args.0"))
	if !strings.Contains(ms, "report merge") || !strings.Contains(ms, "/reports/shard-*/report.json") {
		t.Errorf("the merge job does not merge every shard's report:\n%s", ms)
	}
	if modes := at(t, pvc, "spec.accessModes").([]any); len(modes) != 1 || modes[0] != "ReadWriteMany" {
		t.Errorf("pvc.yaml access modes %v: the shards on several nodes need ReadWriteMany", modes)
	}
}
