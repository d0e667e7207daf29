package engine

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

func zipped(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	_ = zw.Close()
	return buf.Bytes()
}

// TestLocalExecutor runs real commands with a package, input and output
// mappings, the documented environment and redirected logs.
func TestLocalExecutor(t *testing.T) {
	const bucket = "cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com"
	cases := []struct {
		name, pkg string
		data      func(t *testing.T) []byte
		cmd       string
	}{
		{"tgz", bucket + "/pkg/app.tar.gz", func(t *testing.T) []byte { return tgz(t, map[string]string{"bin/run.sh": "echo from-package"}) }, "sh bin/run.sh"},
		{"zip", bucket + "/pkg/app.zip", func(t *testing.T) []byte { return zipped(t, map[string]string{"bin/run.sh": "echo from-package"}) }, "sh bin/run.sh"},
		{"plain", bucket + "/pkg/run.sh", func(t *testing.T) []byte { return []byte("echo from-package") }, "sh run.sh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := realEngine(t, func(cfg *Config) { cfg.Clock = NewScaledClock(4) })
			objs := e.Objects()
			_ = objs.Put(c.pkg, c.data(t))
			_ = objs.Put(bucket+"/in/a.txt", []byte("alpha\n"))
			_ = objs.Put(bucket+"/in/sub/b.txt", []byte("beta\n"))
			_ = objs.Put("cfs://10.0.0.1:/data/c.txt", []byte("gamma\n"))
			spec := TaskSpec{Name: "t1", InstanceNum: 2, DeliveryForm: "PACKAGE", PackagePath: c.pkg,
				Command: c.cmd + ` && cat /mnt/input/a.txt /mnt/input/sub/b.txt /mnt/cfs/c.txt > /mnt/output/out-$BATCH_TASK_INSTANCE_INDEX.txt` +
					` && echo "$BATCH_JOB_ID $BATCH_TASK_NAME $BATCH_TASK_INSTANCE_INDEX $BATCH_TASK_INSTANCE_NUM $MYVAR" && echo oops >&2`,
				Inputs:         []Mapping{{Source: bucket + "/in/", Destination: "/mnt/input/"}, {Source: "cfs://10.0.0.1:/data/", Destination: "/mnt/cfs/"}},
				Outputs:        []Mapping{{Source: "/mnt/output/", Destination: bucket + "/out/"}},
				StdoutRedirect: bucket + "/logs/",
				StderrRedirect: bucket + "/logs/",
				StderrFileName: "err-${BATCH_TASK_NAME}-${BATCH_TASK_INSTANCE_INDEX}.txt",
				EnvVars:        []KV{{"MYVAR", "hello"}},
			}
			id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{spec}})
			waitFor(t, 20*time.Second, "job end", terminalJob(e, id))
			j := mustJob(t, e, id)
			if j.State != StateSucceed {
				t.Fatalf("job %s: %+v", j.State, j.Tasks[0].Instances)
			}
			for _, in := range j.Tasks[0].Instances {
				wantOut := fmt.Sprintf("from-package\n%s t1 %d 2 hello\n", id, in.Index)
				if string(in.Stdout) != wantOut || string(in.Stderr) != "oops\n" {
					t.Errorf("instance %d stdout %q stderr %q", in.Index, in.Stdout, in.Stderr)
				}
				wantPath := fmt.Sprintf("%s/logs/stdout.%s.t1.%d.log", bucket, id, in.Index)
				if in.StdoutPath != wantPath {
					t.Errorf("stdout path %q, want %q", in.StdoutPath, wantPath)
				}
				if b, ok := objs.Get(wantPath); !ok || string(b) != wantOut {
					t.Errorf("stored stdout %q %v", b, ok)
				}
				errPath := fmt.Sprintf("%s/logs/err-t1-%d.txt", bucket, in.Index)
				if b, ok := objs.Get(errPath); !ok || string(b) != "oops\n" || in.StderrPath != errPath {
					t.Errorf("stored stderr %q %v at %q", b, ok, in.StderrPath)
				}
				out, ok := objs.Get(fmt.Sprintf("%s/out/out-%d.txt", bucket, in.Index))
				if !ok || string(out) != "alpha\nbeta\ngamma\n" {
					t.Errorf("output %q %v; objects %v", out, ok, objs.List(""))
				}
			}
		})
	}
}

func TestLocalExitCodesAndMissingPackage(t *testing.T) {
	e := realEngine(t, func(cfg *Config) { cfg.Clock = NewScaledClock(4) })
	ok := tsk("ok", "true")
	bad := tsk("bad", "exit 7")
	nopkg := tsk("nopkg", "true")
	nopkg.PackagePath = "cos://b/none.tgz"
	id := mustSubmit(t, e, JobSpec{Tasks: []TaskSpec{ok, bad, nopkg}})
	waitFor(t, 20*time.Second, "job end", terminalJob(e, id))
	j := mustJob(t, e, id)
	got := map[string]TaskInstance{}
	for _, tk := range j.Tasks {
		got[tk.Name] = tk.Instances[0]
	}
	if in := got["ok"]; in.State != StateSucceed || *in.ExitCode != 0 {
		t.Errorf("ok: %s", in.State)
	}
	if in := got["bad"]; in.State != StateFailed || *in.ExitCode != 7 {
		t.Errorf("bad: %s %v", in.State, in.ExitCode)
	}
	if in := got["nopkg"]; in.State != StateFailed || !strings.Contains(in.StateReason, "not found") {
		t.Errorf("nopkg: %s %q", in.State, in.StateReason)
	}
	if j.State != StateFailed {
		t.Errorf("job %s", j.State)
	}
}

func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// field 3 is the state; Z (zombie) and X (dead) are not alive
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// TestCloseKillsEverything: Close kills running commands (with their
// background children) and leaves no goroutine behind.
func TestCloseKillsEverything(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /proc")
	}
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	e, err := New(Config{WorkDir: filepath.Join(dir, "w")})
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pids")
	id, err := e.SubmitJob(JobSpec{Tenant: "T", Tasks: []TaskSpec{{Name: "a", InstanceNum: 2,
		Command: `sleep 300 & echo $! >> ` + pidFile + `; echo $$ >> ` + pidFile + `; wait`}}})
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	waitFor(t, 20*time.Second, "4 pids", func() bool {
		b, _ := os.ReadFile(pidFile)
		pids = pids[:0]
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			pids = append(pids, n)
		}
		return len(pids) == 4
	})
	if s := jobState(e, id); s != StateRunning {
		t.Errorf("job %s", s)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "processes gone", func() bool {
		for _, p := range pids {
			if alive(p) {
				return false
			}
		}
		return true
	})
	waitFor(t, 5*time.Second, "goroutines gone", func() bool { return runtime.NumGoroutine() <= before })
	if _, err := os.Stat(filepath.Join(dir, "w")); err != nil {
		t.Errorf("a configured work dir must be kept: %v", err)
	}
	// an engine with its own temp dir removes it
	e2, _ := New(Config{})
	wd := e2.workDir
	_ = e2.Close()
	if _, err := os.Stat(wd); !os.IsNotExist(err) {
		t.Errorf("temp work dir left: %v", err)
	}
}

// TestConcurrentSubmit: 200 concurrent SubmitJob calls yield 200 distinct
// jobs that all reach a terminal state (simulated), and 20 with local.
func TestConcurrentSubmit(t *testing.T) {
	for _, c := range []struct {
		ex string
		n  int
	}{{ExecutorSimulated, 200}, {ExecutorLocal, 20}} {
		t.Run(c.ex, func(t *testing.T) {
			e := realEngine(t, func(cfg *Config) { cfg.Executor = c.ex; cfg.Clock = NewScaledClock(2) })
			envID := mustEnv(t, e, EnvSpec{Name: "shared", DesiredNodes: 3})
			ids := make([]string, c.n)
			var wg sync.WaitGroup
			errs := make(chan error, c.n)
			for i := 0; i < c.n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					b := tsk("b", fmt.Sprintf("echo %d", i))
					if i%4 == 0 {
						b.EnvID = envID
					}
					if i%7 == 0 {
						b.Command = "exit 1"
					}
					id, err := e.SubmitJob(JobSpec{Tenant: "T", Priority: i % 100, Tasks: []TaskSpec{tsk("a", "true"), b}, Deps: []Dep{{"a", "b"}}})
					if err != nil {
						errs <- err
					}
					ids[i] = id
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			re := regexp.MustCompile(`^job-[a-z0-9]{8}$`)
			for _, id := range ids {
				if seen[id] || !re.MatchString(id) {
					t.Fatalf("duplicate or malformed ID %q", id)
				}
				seen[id] = true
			}
			waitFor(t, 40*time.Second, "all terminal", func() bool {
				for _, id := range ids {
					if !terminalJob(e, id)() {
						return false
					}
				}
				return true
			})
			for i, id := range ids {
				want := StateSucceed
				if i%7 == 0 {
					want = StateFailed
				}
				if s := jobState(e, id); s != want {
					t.Errorf("job %d %s, want %s", i, s, want)
				}
			}
		})
	}
}

func TestSimulate(t *testing.T) {
	cases := []struct {
		cmd  string
		code int
		d    time.Duration
		out  string
	}{
		{"echo hello world", 0, 0, "hello world\n"},
		{`echo "a  b" 'c'`, 0, 0, "a  b c\n"},
		{"echo -n x", 0, 0, "x"},
		{"exit 3", 3, 0, ""},
		{"sleep 1.5", 0, 1500 * time.Millisecond, ""},
		{"sleep 2; echo done; exit 4; echo never", 4, 2 * time.Second, "done\n"},
		{"false && echo no", 1, 0, ""},
		{"false; echo yes", 0, 0, "yes\n"},
		{"python -c 'print(1)'", 0, 0, ""},
		{"", 0, 0, ""},
		{"exit 300", 300 & 255, 0, ""},
	}
	for _, c := range cases {
		code, d, out := Simulate(c.cmd)
		if code != c.code || d != c.d || string(out) != c.out {
			t.Errorf("Simulate(%q) = %d %v %q, want %d %v %q", c.cmd, code, d, out, c.code, c.d, c.out)
		}
	}
}

func TestRewriteAndLocalPath(t *testing.T) {
	m := map[string]string{"/mnt/in/": "/w/mnt/in", "/mnt/out": "/w/mnt/out"}
	cases := map[string]string{
		"cat /mnt/in/a > /mnt/out/b": "cat /w/mnt/in/a > /w/mnt/out/b",
		"ls /mnt/inx /mnt/in":        "ls /mnt/inx /w/mnt/in",
		"x=/mnt/in; echo '/mnt/out'": "x=/w/mnt/in; echo '/w/mnt/out'",
		"echo a/mnt/in":              "echo a/mnt/in",
	}
	for in, want := range cases {
		if got := RewritePaths(in, m); got != want {
			t.Errorf("RewritePaths(%q) = %q, want %q", in, got, want)
		}
	}
	for p, want := range map[string]string{"/mnt/x/": "/w/mnt/x", `H:\data\`: "/w/H/data", "/../../etc": "/w/etc", "rel": "/w/rel"} {
		if got := LocalPath("/w", p); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestObjectStore(t *testing.T) {
	s := NewObjectStore()
	if err := s.Put("nourl", nil); err == nil {
		t.Errorf("Put without scheme accepted")
	}
	_ = s.Put("cos://b/d/x", []byte("12"))
	_ = s.Put("cos://b/d/y", []byte("345"))
	_ = s.Put("cos://b/e", []byte("6"))
	_ = s.Put("cos://b/d/x", []byte("1"))
	if n, b := s.Stats(); n != 3 || b != 5 {
		t.Errorf("stats %d %d", n, b)
	}
	if got := s.List("cos://b/d/"); strings.Join(got, ",") != "cos://b/d/x,cos://b/d/y" {
		t.Errorf("list %v", got)
	}
	v, _ := s.Get("cos://b/d/y")
	v[0] = 'X'
	if v2, _ := s.Get("cos://b/d/y"); string(v2) != "345" {
		t.Errorf("Get returned shared memory")
	}
	if !s.Delete("cos://b/e") || s.Delete("cos://b/e") {
		t.Errorf("delete")
	}
}

func TestIDs(t *testing.T) {
	g := newIDGen(0)
	re := regexp.MustCompile(`^(job|env|node|ins|task-tmpl|act)-[a-z0-9]{8}$`)
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		for _, p := range []string{PrefixJob, PrefixEnv, PrefixNode, PrefixInstance, PrefixTemplate, PrefixActivity} {
			id := g.next(p)
			if !re.MatchString(id) || seen[id] {
				t.Fatalf("bad or duplicate %q", id)
			}
			seen[id] = true
		}
	}
}
