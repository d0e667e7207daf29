package engine

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxLogBytes bounds the stdout and stderr kept per attempt (the first bytes).
const MaxLogBytes = 1 << 20

// execRun is one local process and what is needed to kill it.
type execRun struct {
	mu     sync.Mutex
	pid    int
	killed bool
	exited bool
}

// kill kills the process group (or stops it from starting).
func (r *execRun) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killed = true
	if r.pid > 0 && !r.exited {
		killGroup(r.pid)
	}
}

func (e *Engine) killExec(in *instance) {
	if ex := in.seen().ex; ex != nil && ex.run != nil {
		ex.run.kill()
	}
}

// startExec starts the current attempt's command at t.
func (e *Engine) startExec(in *instance, t time.Time) {
	ex := &execution{started: t}
	in.ex = ex
	tk := in.task
	if e.cfg.Executor == ExecutorSimulated {
		code, dur, out := Simulate(tk.spec.Command)
		ex.exited, ex.exitAt, ex.code, ex.stdout = true, t.Add(dur), code, out
		return
	}
	if e.closed {
		ex.exited, ex.exitAt, ex.fail = true, t, "the emulator is shutting down"
		return
	}
	if e.replayExec(in, ex, t) {
		return
	}
	j := in.job()
	p := localParams{
		dir:     filepath.Join(e.workDir, j.id, safeName(tk.spec.Name), strconv.Itoa(in.index)),
		command: tk.spec.Command,
		pkg:     tk.spec.PackagePath,
		inputs:  tk.spec.Inputs,
		outputs: e.outputs(tk),
		objs:    e.objs,
		userEnv: tk.spec.EnvVars,
	}
	p.env = []string{
		"PATH=" + envOr("PATH", "/usr/local/bin:/usr/bin:/bin"),
		"BATCH_JOB_ID=" + j.id,
		"BATCH_JOB_NAME=" + j.spec.Name,
		"BATCH_TASK_NAME=" + tk.spec.Name,
		"BATCH_TASK_INSTANCE_INDEX=" + strconv.Itoa(in.index),
		"BATCH_TASK_INSTANCE_NUM=" + strconv.Itoa(len(tk.insts)),
		"BATCH_TASK_RETRY_COUNT=" + strconv.Itoa(in.retry),
		"BATCH_COMPUTE_NODE_ID=" + in.nodeID,
		"BATCH_ENV_ID=" + tk.spec.EnvID,
	}
	r := &execRun{}
	ex.run = r
	e.runs[r] = true
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		res := runLocal(r, p)
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.runs, r)
		if in.ex != ex || ex.exited || in.job().deleted {
			return
		}
		if ex.timedOut {
			// The attempt already failed at its deadline; keep what it wrote.
			e.storeLogs(in, res.stdout, res.stderr)
			return
		}
		ex.exited = true
		ex.exitAt = e.liveExitAt()
		ex.code, ex.fail, ex.stdout, ex.stderr = res.code, res.fail, res.stdout, res.stderr
		e.recordExec(in, ex)
		e.wake(in, ex.exitAt)
		e.done()
	}()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// safeName keeps a path element harmless.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		s = "_" + s
	}
	return s
}

// storeLogs keeps the attempt's output on the instance and writes it under
// the redirect paths.
func (e *Engine) storeLogs(in *instance, stdout, stderr []byte) {
	in.task.job.touch()
	o := &output{stdout: stdout, stderr: stderr}
	in.out = o
	tk := in.task
	j := in.job()
	put := func(dir, name, kind string, data []byte) string {
		if dir == "" {
			return ""
		}
		if name == "" {
			name = fmt.Sprintf("%s.%s.%s.%d.log", kind, j.id, tk.spec.Name, in.index)
		}
		name = ExpandPlaceholders(name, j.id, tk.spec.Name, in.index)
		url := JoinURL(dir, name)
		if err := e.objs.Put(url, data); err != nil {
			in.reason = strings.TrimSpace(in.reason + " (log not stored: " + err.Error() + ")")
			return ""
		}
		return url
	}
	o.outURL = put(tk.spec.StdoutRedirect, tk.spec.StdoutFileName, "stdout", stdout)
	o.errURL = put(tk.spec.StderrRedirect, tk.spec.StderrFileName, "stderr", stderr)
}

// ExpandPlaceholders replaces the documented redirect file-name placeholders
// ${BATCH_JOB_ID}, ${BATCH_TASK_NAME} and ${BATCH_TASK_INSTANCE_INDEX}.
func ExpandPlaceholders(s, jobID, task string, index int) string {
	return strings.NewReplacer("${BATCH_JOB_ID}", jobID, "${BATCH_TASK_NAME}", task,
		"${BATCH_TASK_INSTANCE_INDEX}", strconv.Itoa(index)).Replace(s)
}

// JoinURL joins an object-store directory URL and a relative name.
func JoinURL(dir, name string) string {
	return strings.TrimRight(dir, "/") + "/" + strings.TrimLeft(name, "/")
}

// ---- simulated executor ----

// Simulate is the simulated executor's convention. The command is split into
// steps at ";", "&&" and newlines (quotes are not considered when splitting);
// each step:
//   - `exit N`   → the command ends with exit code N (remaining steps skipped);
//   - `sleep S`  → takes S seconds of emulator time (S may be fractional);
//   - `echo ARGS` → ARGS (shell quotes removed, joined by spaces) plus a
//     newline go to stdout (`echo -n` omits the newline);
//   - `false`    → code 1; `true` and anything else → code 0.
//
// After "&&" a step runs only if the previous code was 0; a non-zero code
// after the last step is the exit code. Nothing is run, fetched or uploaded
// (logs are still stored under the redirect paths).
func Simulate(command string) (code int, d time.Duration, stdout []byte) {
	var out bytes.Buffer
	type stepT struct {
		text   string
		andPrv bool
	}
	var steps []stepT
	rest := strings.ReplaceAll(command, "\n", ";")
	and := false
	for rest != "" {
		i := strings.IndexAny(rest, ";&")
		if i < 0 {
			steps = append(steps, stepT{rest, and})
			break
		}
		if rest[i] == '&' && !strings.HasPrefix(rest[i:], "&&") {
			// a lone & (background): treat as a separator
			steps = append(steps, stepT{rest[:i], and})
			rest, and = rest[i+1:], false
			continue
		}
		steps = append(steps, stepT{rest[:i], and})
		if rest[i] == '&' {
			rest, and = rest[i+2:], true
		} else {
			rest, and = rest[i+1:], false
		}
	}
	for _, s := range steps {
		if s.andPrv && code != 0 {
			continue
		}
		words := shellWords(s.text)
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "exit":
			code = 0
			if len(words) > 1 {
				if n, err := strconv.Atoi(words[1]); err == nil {
					code = n & 255
				}
			}
			return code, d, out.Bytes()
		case "sleep":
			code = 0
			if len(words) > 1 {
				if f, err := strconv.ParseFloat(words[1], 64); err == nil && f > 0 && f < 1e9 {
					d += time.Duration(f * float64(time.Second))
				}
			}
		case "echo":
			code = 0
			args, nl := words[1:], true
			if len(args) > 0 && args[0] == "-n" {
				args, nl = args[1:], false
			}
			out.WriteString(strings.Join(args, " "))
			if nl {
				out.WriteByte('\n')
			}
		case "false":
			code = 1
		default:
			code = 0
		}
	}
	return code, d, out.Bytes()
}

// shellWords splits like sh for plain words, '…', "…" and backslashes.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			in = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
			} else {
				cur.WriteString(s[i+1 : i+1+j])
				i += j + 1
			}
		case c == '"':
			in = true
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			in = true
			i++
			cur.WriteByte(s[i])
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			in = true
			cur.WriteByte(c)
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// ---- local executor ----

type localParams struct {
	dir     string // instance dir: work/ (cwd), stdout.log, stderr.log
	command string
	pkg     string
	inputs  []Mapping
	outputs []Mapping
	env     []string
	userEnv []KV
	objs    *ObjectStore
}

type localResult struct {
	code   int
	fail   string
	stdout []byte
	stderr []byte
}

// LocalPath maps a task's absolute local path (Linux "/mnt/x/" or Windows
// "H:\x") into a work dir: /mnt/x/ → <work>/mnt/x, H:\x → <work>/H/x. ".."
// cannot climb out of the work dir.
func LocalPath(work, p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if len(p) >= 2 && p[1] == ':' {
		p = "/" + p[:1] + p[2:]
	}
	return filepath.Join(work, filepath.FromSlash(path.Clean("/"+p)))
}

// runLocal prepares the work dir, runs `sh -c` and uploads the outputs.
func runLocal(r *execRun, p localParams) localResult {
	work := filepath.Join(p.dir, "work")
	if err := os.RemoveAll(p.dir); err != nil {
		return localResult{code: -1, fail: "work dir: " + err.Error()}
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return localResult{code: -1, fail: "work dir: " + err.Error()}
	}
	if p.pkg != "" {
		data, ok := p.objs.Get(p.pkg)
		if !ok {
			return localResult{code: -1, fail: "package " + p.pkg + " not found in the object store"}
		}
		if err := unpack(work, p.pkg, data); err != nil {
			return localResult{code: -1, fail: fmt.Sprintf("package %s: %v", p.pkg, err)}
		}
	}
	rewrites := map[string]string{}
	for _, m := range p.inputs {
		dst := LocalPath(work, m.Destination)
		if err := fetchInput(p.objs, m.Source, dst, strings.HasSuffix(m.Destination, "/") || strings.HasSuffix(m.Destination, `\`)); err != nil {
			return localResult{code: -1, fail: fmt.Sprintf("input %s: %v", m.Source, err)}
		}
		rewrites[m.Destination] = dst
	}
	for _, m := range p.outputs {
		src := LocalPath(work, m.Source)
		if strings.HasSuffix(m.Source, "/") {
			_ = os.MkdirAll(src, 0o755)
		} else {
			_ = os.MkdirAll(filepath.Dir(src), 0o755)
		}
		rewrites[m.Source] = src
	}
	env := append(append([]string(nil), p.env...), "HOME="+work, "BATCH_WORK_DIR="+work)
	for _, kv := range p.userEnv {
		env = append(env, kv.Name+"="+kv.Value)
	}
	res := localResult{}
	outF, err1 := os.Create(filepath.Join(p.dir, "stdout.log"))
	errF, err2 := os.Create(filepath.Join(p.dir, "stderr.log"))
	if err := errors.Join(err1, err2); err != nil {
		closeAll(outF, errF)
		return localResult{code: -1, fail: "log files: " + err.Error()}
	}
	cmd := exec.Command("/bin/sh", "-c", RewritePaths(p.command, rewrites))
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = work, env, outF, errF
	setGroup(cmd)
	r.mu.Lock()
	if r.killed {
		r.mu.Unlock()
		closeAll(outF, errF)
		return localResult{code: -1, fail: "killed before start"}
	}
	err := cmd.Start()
	if err == nil {
		r.pid = cmd.Process.Pid
	}
	r.mu.Unlock()
	if err != nil {
		closeAll(outF, errF)
		return localResult{code: -1, fail: "start: " + err.Error()}
	}
	werr := cmd.Wait()
	r.mu.Lock()
	killGroup(r.pid) // background children of sh must not outlive the attempt
	r.exited = true
	r.mu.Unlock()
	closeAll(outF, errF)
	res.code = exitCode(cmd, werr)
	res.stdout = readCapped(filepath.Join(p.dir, "stdout.log"))
	res.stderr = readCapped(filepath.Join(p.dir, "stderr.log"))
	for _, m := range p.outputs {
		if err := uploadOutput(p.objs, LocalPath(work, m.Source), m.Destination); err != nil {
			res.stderr = append(res.stderr, []byte("\nbatchconform: output "+m.Source+": "+err.Error()+"\n")...)
		}
	}
	return res
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		if f != nil {
			_ = f.Close()
		}
	}
}

func readCapped(name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, MaxLogBytes))
	return b
}

// RewritePaths replaces each mapped local path (a key, e.g. "/mnt/input/")
// where it appears in a command as a whole path (at a word start, followed by
// "/", the end or a non-path character) with its work-dir location.
func RewritePaths(cmd string, m map[string]string) string {
	type kv struct{ k, v string }
	var list []kv
	for k, v := range m {
		k = strings.TrimRight(k, `/\`)
		if k == "" || len(k) < 2 {
			continue // never rewrite the root itself
		}
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i].k) > len(list[j].k) })
	if len(list) == 0 {
		return cmd
	}
	var b strings.Builder
	for i := 0; i < len(cmd); {
		matched := false
		if i == 0 || strings.IndexByte(" \t\"'=<>(;|&:`", cmd[i-1]) >= 0 {
			for _, x := range list {
				if strings.HasPrefix(cmd[i:], x.k) {
					end := i + len(x.k)
					if end == len(cmd) || strings.IndexByte(`/\ "';|&<>)`+"\t\n`", cmd[end]) >= 0 {
						b.WriteString(x.v)
						i = end
						matched = true
						break
					}
				}
			}
		}
		if !matched {
			b.WriteByte(cmd[i])
			i++
		}
	}
	return b.String()
}

// fetchInput copies the object at src (and every object under src/) to dst.
func fetchInput(objs *ObjectStore, src, dst string, dstIsDir bool) error {
	prefix := src
	if !strings.HasSuffix(src, "/") {
		if data, ok := objs.Get(src); ok {
			target := dst
			if dstIsDir {
				target = filepath.Join(dst, safeName(path.Base(src)))
			}
			if err := writeFile(target, data); err != nil {
				return err
			}
		}
		prefix = src + "/"
	}
	if err := os.MkdirAll(dst, 0o755); err != nil && !dstIsDir {
		// dst may be a file just written; that is fine
		_ = err
	}
	for _, u := range objs.List(prefix) {
		data, ok := objs.Get(u)
		if !ok {
			continue
		}
		if err := writeFile(LocalPath(dst, u[len(prefix):]), data); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// uploadOutput stores the file src, or every file below the directory src,
// under the URL dest.
func uploadOutput(objs *ObjectStore, src, dest string) error {
	st, err := os.Stat(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing written
		}
		return err
	}
	if !st.IsDir() {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if strings.HasSuffix(dest, "/") {
			dest = JoinURL(dest, filepath.Base(src))
		}
		return objs.Put(dest, data)
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return objs.Put(JoinURL(dest, filepath.ToSlash(rel)), data)
	})
}

// unpack extracts .tar.gz/.tgz and .zip packages into work; any other
// package is placed as a file named after the URL's last element.
func unpack(work, url string, data []byte) error {
	lower := strings.ToLower(url)
	switch {
	case strings.HasSuffix(lower, ".tar.gz") || strings.HasSuffix(lower, ".tgz"):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			target := LocalPath(work, h.Name)
			switch h.Typeflag {
			case tar.TypeDir:
				if err := os.MkdirAll(target, 0o755); err != nil {
					return err
				}
			case tar.TypeReg:
				b, err := io.ReadAll(io.LimitReader(tr, 1<<30))
				if err != nil {
					return err
				}
				if err := writeFile(target, b); err != nil {
					return err
				}
				if h.Mode&0o111 != 0 {
					_ = os.Chmod(target, 0o755)
				}
			}
		}
	case strings.HasSuffix(lower, ".zip"):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return err
		}
		for _, f := range zr.File {
			target := LocalPath(work, f.Name)
			if f.FileInfo().IsDir() {
				if err := os.MkdirAll(target, 0o755); err != nil {
					return err
				}
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return err
			}
			b, err := io.ReadAll(io.LimitReader(rc, 1<<30))
			rc.Close()
			if err != nil {
				return err
			}
			if err := writeFile(target, b); err != nil {
				return err
			}
			if f.Mode()&0o111 != 0 {
				_ = os.Chmod(target, 0o755)
			}
		}
		return nil
	}
	return writeFile(filepath.Join(work, safeName(path.Base(url))), data)
}
