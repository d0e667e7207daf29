package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Records appended concurrently come back, after a reopen, complete and in
// sequence order, with the header and the clock mark.
func TestAppendWaitReopen(t *testing.T) {
	dir := t.TempDir()
	h := Header{Seed: 42, Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Executor: "simulated"}
	s, st, err := Open(dir, h)
	if err != nil || st != nil {
		t.Fatalf("Open new: %v, state %v", err, st)
	}
	const n = 300
	var wg sync.WaitGroup
	var mu sync.Mutex
	seqs := map[uint64]string{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			data := fmt.Sprintf(`{"i":%d}`, i)
			mu.Lock() // the emulator appends under its own lock too: sequence = order applied
			seq := s.Append("k", h.Start.Add(time.Duration(i)), []byte(data))
			seqs[seq] = data
			mu.Unlock()
			if err := s.Wait(seq); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	mark := ClockMark{Time: h.Start.Add(time.Hour)}
	if err := s.MarkClock(mark); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, st, err := Open(dir, Header{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if st.Header.Seed != 42 || !st.Header.Start.Equal(h.Start) || st.Header.Format != Format {
		t.Fatalf("header %+v: want the first run's", st.Header)
	}
	if st.Clock == nil || !st.Clock.Time.Equal(mark.Time) || st.Clock.Clean {
		t.Fatalf("clock mark %+v, want %+v", st.Clock, mark)
	}
	if len(st.Records) != n {
		t.Fatalf("%d records, want %d", len(st.Records), n)
	}
	for i, r := range st.Records {
		if r.Seq != uint64(i+1) || string(r.Data) != seqs[r.Seq] || r.Kind != "k" {
			t.Fatalf("record %d: %+v (want seq %d, data %s)", i, r, i+1, seqs[r.Seq])
		}
	}
	if seq := s2.Append("k", time.Time{}, []byte(`{}`)); seq != n+1 {
		t.Fatalf("the next sequence after a reopen is %d, want %d", seq, n+1)
	}
}

// Wait reports a commit that can no longer happen instead of blocking.
func TestWaitAfterClose(t *testing.T) {
	s, _, err := Open(t.TempDir(), Header{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	seq := s.Append("k", time.Time{}, []byte(`{}`))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(seq); err != nil {
		t.Fatalf("a record appended before Close is committed by it: %v", err)
	}
}

// A new state needs a seed (replay depends on it); nothing is left behind.
func TestOpenNeedsSeed(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Open(dir, Header{}); err == nil {
		t.Fatal("Open accepted a header without a seed")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %d files", len(ents))
	}
}

// A directory where the file should be is refused, not replaced.
func TestOpenRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir, Header{Seed: 1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open over a directory: %v, want ErrInvalid", err)
	}
}

// The clock stands still while held, never goes back, and Set/Resume move it
// forward only.
func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(100, start)
	if !c.Now().Equal(start) {
		t.Fatalf("a new clock reads %v, want its start (pinned)", c.Now())
	}
	c.Set(start.Add(time.Minute))
	c.Set(start) // earlier: ignored
	if !c.Now().Equal(start.Add(time.Minute)) {
		t.Fatalf("Set: %v", c.Now())
	}
	c.Resume()
	time.Sleep(5 * time.Millisecond)
	a := c.Now()
	if !a.After(start.Add(time.Minute)) {
		t.Fatalf("after Resume the clock does not run: %v", a)
	}
	h := c.Hold()
	time.Sleep(5 * time.Millisecond)
	if !c.Now().Equal(h) {
		t.Fatal("a held clock moved")
	}
	c.Release()
	if b := c.Now(); b.Before(h) {
		t.Fatalf("released clock went back: %v < %v", b, h)
	}
	if d := c.RealDuration(time.Second); d != 10*time.Millisecond {
		t.Fatalf("RealDuration(1s) at scale 100 = %v", d)
	}
}

// A record appended after Close gets ErrClosed from Wait instead of blocking
// its caller forever.
func TestAppendAfterClose(t *testing.T) {
	s, _, err := Open(t.TempDir(), Header{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	seq := s.Append("k", time.Time{}, []byte(`{}`))
	done := make(chan error, 1)
	go func() { done <- s.Wait(seq) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Wait after Close: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait blocked after Close")
	}
}
