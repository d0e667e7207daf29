package emulatortest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	batch "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/batch/v20170312"

	"github.com/batchconform/batchconform/emulator"
)

// fakeTB records what New does to a test. Fatalf ends the calling goroutine
// as testing.T's does, so New is run in its own goroutine.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	panic(errFatal)
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Failed() bool      { return f.fatal != "" }
func (f *fakeTB) Errorf(format string, args ...any) {
	f.fatal += fmt.Sprintf(format, args...)
}

var errFatal = fmt.Errorf("fatal")

func runNew(tb *fakeTB, opts ...emulator.Option) (emu *Emulator, fataled bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != errFatal {
				panic(p)
			}
			fataled = true
		}
	}()
	return New(tb, opts...), false
}

// A startup error fails the test and says why.
func TestNewFailsOnStartupError(t *testing.T) {
	tb := &fakeTB{}
	_, fataled := runNew(tb, emulator.WithTimeScale(-1))
	if !fataled {
		t.Fatal("New with a negative time scale did not fail the test")
	}
	if !strings.Contains(tb.fatal, "time scale") || !strings.Contains(tb.fatal, "emulator log") {
		t.Fatalf("failure message does not carry the cause and the log: %q", tb.fatal)
	}
}

// Close is registered with Cleanup: after the cleanups run, the emulator no
// longer answers.
func TestNewRegistersClose(t *testing.T) {
	tb := &fakeTB{}
	emu, fataled := runNew(tb)
	if fataled {
		t.Fatalf("New failed: %s", tb.fatal)
	}
	if len(tb.cleanups) != 1 {
		t.Fatalf("New registered %d cleanups, want 1", len(tb.cleanups))
	}
	c := emu.BatchClient()
	if _, err := c.DescribeJobs(batch.NewDescribeJobsRequest()); err != nil && strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("emulator not answering before cleanup: %v", err)
	}
	tb.cleanups[0]()
	if tb.fatal != "" {
		t.Fatalf("cleanup reported: %s", tb.fatal)
	}
	// The SDK may reuse its kept-alive connection (then EOF) or dial anew
	// (refused): either way it gets no answer, and nothing listens any more.
	if _, err := c.DescribeJobs(batch.NewDescribeJobsRequest()); err == nil || !strings.Contains(err.Error(), "ClientError.NetworkError") {
		t.Fatalf("emulator still answering after cleanup: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", emu.Addr, 2*time.Second); err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after cleanup", emu.Addr)
	}
}
