package cli_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
	// Mostly waiting on child runs (timeouts, latency, polling): the
	// package's slow tests overlap (two at a time: -parallel defaults to GOMAXPROCS; Ginkgo refuses an explicit -parallel).
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole suite from the built binary")
	}
	const key = "KnownSecretKey-7f3a9c21e8b4"
	dir := t.TempDir()
	bin := buildBinary(t)
	var emuLog lockedBuf
	url := startEmulate(t, bin, "AKIDsecrettest", key, &emuLog)
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
	check("emulate output", emuLog.String())
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
