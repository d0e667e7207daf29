package cli_test

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The whole suite runs against `batchconform emulate` with a known SecretKey;
// no file the run writes, and nothing it prints, may contain it. (The specs
// also send documented secrets such as Authentications' SecretKey and
// LoginSettings passwords; the report masks those fields too.)
func TestNoSecretInAnyOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite from the built binary")
	}
	const key = "KnownSecretKey-7f3a9c21e8b4"
	dir := t.TempDir()
	bin := filepath.Join(dir, "batchconform")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/batchconform").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	emu := exec.Command(bin, "emulate", "--addr", "127.0.0.1:0", "--secret-id", "AKIDsecrettest", "--secret-key", key)
	stdout, _ := emu.StdoutPipe()
	var emuErr lockedBuf
	emu.Stderr = &emuErr
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = emu.Process.Signal(syscall.SIGTERM)
		_ = emu.Wait()
	}()
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var url string
	var emuOut strings.Builder
	for sc.Scan() {
		emuOut.WriteString(sc.Text() + "\n")
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	if url == "" {
		t.Fatalf("emulate did not start: %s", emuErr.String())
	}
	go func() { _, _ = bufio.NewReader(stdout).WriteTo(&lockedBuf{}) }()
	out := filepath.Join(dir, "report")
	run := exec.Command(bin, "run", "--endpoint", url, "--secret-id", "AKIDsecrettest", "--out", out)
	run.Env = append(os.Environ(), "BATCHCONFORM_SECRET_KEY="+key, "CI=true")
	var runOut bytes.Buffer
	run.Stdout, run.Stderr = &runOut, &runOut
	done := make(chan error, 1)
	go func() { done <- run.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Logf("run exited with %v (verdicts are not this test's concern)", err)
		}
	case <-time.After(5 * time.Minute):
		_ = run.Process.Kill()
		t.Fatal("run did not finish in 5 minutes")
	}
	secrets := []string{key, "your secret key", "B1[habcd"}
	check := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q", where, s)
			}
		}
	}
	check("run output", runOut.String())
	check("emulate output", emuOut.String()+emuErr.String())
	n := 0
	_ = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		check(p, string(data))
		return nil
	})
	if n < 4 {
		t.Fatalf("the run wrote %d files in %s, want the reports", n, out)
	}
	if !strings.Contains(runOut.String(), "items") {
		t.Fatalf("run printed no summary:\n%s", runOut.String())
	}
}
