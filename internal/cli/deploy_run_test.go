package cli_test

// The workflow's and the Indexed Job's own scripts, executed here the way a
// runner and a pod would run them: a stand-in for real infrastructure,
// which this repository's CI does not have. The structural test
// (deploy_test.go) checks what the manifests say; this one checks that
// what they say works — the shard steps with the empty values GitHub gives
// unset `vars`/`secrets`, the artifact layout the merge step globs, the
// gate against the committed baseline, the pod's exit-code rule — and that
// the two ways of splitting (3 matrix jobs, 4 pods) merge into the same
// verdicts.

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// expression matches a GitHub Actions expression, ${{ … }}.
var expression = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// ghaExpand evaluates the expressions the workflow uses: the matrix index,
// the run id, and vars/secrets, which are empty strings when unset (as on a
// fork or a fresh repository: the embedded emulator is then the target).
func ghaExpand(t *testing.T, s string, index int) string {
	t.Helper()
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		e := expression.FindStringSubmatch(m)[1]
		switch {
		case e == "matrix.index":
			return strconv.Itoa(index)
		case e == "github.run_id":
			return "4242"
		case strings.HasPrefix(e, "vars.") || strings.HasPrefix(e, "secrets."):
			return ""
		}
		t.Fatalf("the workflow uses an expression this test does not evaluate: %s", m)
		return ""
	})
}

// runScript runs a step's or a pod's script with shell (argv before the
// script) in dir, with env added to a minimal environment, and returns its
// exit code; killed after 4 minutes.
func runScript(t *testing.T, dir string, env map[string]string, shell []string, script string) int {
	t.Helper()
	cmd := exec.Command(shell[0], append(shell[1:], script)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := runKilledAfter(cmd, 4*time.Minute)
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v\n%s", script, err, tail(out, 2000))
		}
		code = ee.ExitCode()
	}
	if code != 0 {
		t.Logf("%s: exit %d\n%s", script, code, tail(out, 3000))
	}
	return code
}

func runKilledAfter(cmd *exec.Cmd, limit time.Duration) (string, error) {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(limit, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	return out.String(), err
}

// stepEnv is a workflow step's env with its expressions evaluated.
func stepEnv(t *testing.T, step map[string]any, index int) map[string]string {
	out := map[string]string{}
	if e, ok := step["env"].(map[string]any); ok {
		for k, v := range e {
			out[k] = ghaExpand(t, fmt.Sprint(v), index)
		}
	}
	return out
}

func stepWith(t *testing.T, steps any, s string) map[string]any {
	t.Helper()
	for _, st := range steps.([]any) {
		if run, ok := st.(map[string]any)["run"].(string); ok && strings.Contains(run, s) {
			return st.(map[string]any)
		}
	}
	t.Fatalf("no step runs %q", s)
	return nil
}

// checkout makes a runner's workspace: the committed baseline where the
// gate step reads it, and the built binary where the build step puts it.
func checkout(t *testing.T, bin string) string {
	t.Helper()
	ws := t.TempDir()
	base, err := os.ReadFile(filepath.Join(repoRoot, ".github/conformance-baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".github", "bin"} {
		if err := os.MkdirAll(filepath.Join(ws, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(ws, ".github/conformance-baseline.json"), base, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(ws, "bin/batchconform")); err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestDeployScriptsRunAsWritten(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the workflow's and the Indexed Job's scripts")
	}
	bin := plainBinary(t)
	// The scripts run the whole suite; the environment narrows it (the
	// CLI reads BATCHCONFORM_LABEL_FILTER) so the test stays cheap,
	// without touching the scripts.
	narrow := map[string]string{"BATCHCONFORM_LABEL_FILTER": shardSelection}
	// GitHub's default shell for `run`.
	bash := []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"}

	// The workflow: N matrix jobs at once, each in its own workspace.
	w := loadYAML(t, ".github/workflows/conformance.yml")
	n, _ := strconv.Atoi(fmt.Sprint(at(t, w, "env.SHARDS")))
	shardStep := stepWith(t, at(t, w, "jobs.shard.steps"), "batchconform run")
	merged := checkout(t, bin)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ws := checkout(t, bin)
			env := maps.Clone(narrow)
			env["SHARDS"] = strconv.Itoa(n)
			env["GOFLAGS"] = fmt.Sprint(at(t, w, "env.GOFLAGS"))
			maps.Copy(env, stepEnv(t, shardStep, i))
			if code := runScript(t, ws, env, bash, ghaExpand(t, shardStep["run"].(string), i)); code != 0 {
				t.Errorf("workflow shard %d/%d: exit %d", i, n, code)
				return
			}
			// upload-artifact (path shard-i/report.json, the file alone)
			// then download-artifact (pattern shard-*, path shards: one
			// directory per artifact, named for it).
			rep, err := os.ReadFile(filepath.Join(ws, fmt.Sprintf("shard-%d/report.json", i)))
			if err != nil {
				t.Errorf("workflow shard %d: %v", i, err)
				return
			}
			dir := filepath.Join(merged, "shards", fmt.Sprintf("shard-%d", i))
			if err := os.MkdirAll(dir, 0o755); err == nil {
				err = os.WriteFile(filepath.Join(dir, "report.json"), rep, 0o644)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, s := range []string{"report merge", "report gate"} {
		step := stepWith(t, at(t, w, "jobs.merge.steps"), s)
		if code := runScript(t, merged, nil, bash, ghaExpand(t, step["run"].(string), 0)); code != 0 {
			t.Fatalf("workflow merge job, step %q: exit %d", s, code)
		}
	}
	if _, err := os.Stat(filepath.Join(merged, "report.html")); err != nil {
		t.Errorf("the merge job uploads report.html: %v", err)
	}

	// The Indexed Job: its completions pods at once, sharing the volume,
	// then the merge job. The image's paths are mapped to this machine's.
	job := loadYAML(t, "deploy/kubernetes/job.yaml")
	pods := at(t, job, "spec.completions").(int)
	c := at(t, job, "spec.template.spec.containers.0").(map[string]any)
	volume := t.TempDir()
	local := strings.NewReplacer("/usr/local/bin/batchconform", bin, "/reports", volume)
	podEnv := maps.Clone(narrow)
	for _, e := range c["env"].([]any) {
		m := e.(map[string]any)
		podEnv[fmt.Sprint(m["name"])] = fmt.Sprint(m["value"])
	}
	shell := []string{}
	for _, a := range c["command"].([]any) {
		shell = append(shell, fmt.Sprint(a))
	}
	script := local.Replace(fmt.Sprint(at(t, c, "args.0")))
	for i := range pods {
		wg.Go(func() {
			env := maps.Clone(podEnv)
			env["JOB_COMPLETION_INDEX"] = strconv.Itoa(i)
			if code := runScript(t, t.TempDir(), env, shell, script); code != 0 {
				t.Errorf("pod %d of %d: exit %d", i, pods, code)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	mj := loadYAML(t, "deploy/kubernetes/merge-job.yaml")
	mc := at(t, mj, "spec.template.spec.containers.0").(map[string]any)
	if code := runScript(t, t.TempDir(), nil, shell, local.Replace(fmt.Sprint(at(t, mc, "args.0")))); code != 0 {
		t.Fatalf("the Kubernetes merge job: exit %d", code)
	}

	// N matrix jobs and the pods give the same verdicts, none of them a
	// failure (the gate above passed on the workflow's).
	gha, k8s := verdicts(t, filepath.Join(merged, "report.json")), verdicts(t, filepath.Join(volume, "report.json"))
	if !maps.Equal(gha, k8s) {
		diff := 0
		for id, v := range gha {
			if k8s[id] != v {
				if diff++; diff <= 10 {
					t.Errorf("%s: %s in the workflow's merged report, %q in the Indexed Job's", id, v, k8s[id])
				}
			}
		}
		t.Errorf("%d verdicts differ (%d and %d items)", diff, len(gha), len(k8s))
	}
	passed := 0
	for _, v := range gha {
		if v == "pass" {
			passed++
		}
	}
	if passed == 0 {
		t.Error("no item passed: the scripts ran nothing")
	}
	t.Logf("workflow: %d shards; Indexed Job: %d pods; %d items, %d passed in both", n, pods, len(gha), passed)
}
