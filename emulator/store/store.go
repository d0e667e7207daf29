// Package store keeps an emulator's state on disk (batchconform emulate
// --state-dir DIR) so that everything a response acknowledged survives
// SIGTERM and kill -9.
//
// # Scheme
//
// The state is a write-ahead log, not a copy of the in-memory structures:
// every call that reaches a product (Tencent Batch, Oceanus, Alibaba
// BatchCompute), every admin change (tenants, clock advances), every object
// written to the object store and every local command's outcome is a Record,
// appended in the order it was applied together with the emulator time it
// was applied at. The emulator answers a request only after its record is
// committed (fsynced); concurrent requests share one commit (group commit),
// so 200 concurrent submits cost a handful of fsyncs, not 200. Records are
// committed strictly in sequence, so after a crash the log is always a prefix
// of what was applied: nothing acknowledged is missing and no gap exists.
//
// On restart the emulator replays the log on a fresh engine seeded as the
// first run was (Header.Seed), with its clock pinned at each record's time.
// The engine, the façades and Oceanus are deterministic given their calls,
// the times of those calls and the seed (the model checker and the fuzzer's
// replays rely on the same property), so replay rebuilds jobs, tasks,
// instances, compute environments, nodes, templates, Alibaba clusters,
// images and idempotency tokens, Oceanus' state, events and tenants exactly.
// Replaying needs no in-memory layout of its own, so the engine's structs can
// change freely; the price is a restart time proportional to the history
// (there are no snapshots yet).
//
// # Why bbolt
//
// go.etcd.io/bbolt is pure Go (no cgo, the binary stays static and
// cross-compiles), one file, one writer at a time (exactly one emulator per
// state directory: a second one gets a clear "in use" error from its file
// lock instead of corrupting the log), and every Update is one fsynced
// transaction with checksummed meta pages, so a torn write after kill -9 is
// detected and rolled back to the last commit. An append-only log keyed by
// sequence number needs nothing SQL would add.
//
// A file that is not a batchconform state file — empty, corrupt, another
// program's bbolt database or anything else — is refused with an error
// naming it, and never written to: it is opened read-only first.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the state file inside the state directory.
const FileName = "batchconform-state.db"

// Format marks a batchconform state file (and its layout version).
const Format = "batchconform-state/v1"

var (
	bucketMeta = []byte("batchconform-meta")
	bucketLog  = []byte("batchconform-log")
	keyFormat  = []byte("format")
	keyHeader  = []byte("header")
	keyClock   = []byte("clock")
)

// Header is what a state directory was created with.
type Header struct {
	Format   string    `json:"format"`
	Created  time.Time `json:"created"`  // real time
	Start    time.Time `json:"start"`    // the emulator time the history starts at
	Seed     uint64    `json:"seed"`     // the ID generator's seed (never 0)
	Manual   bool      `json:"manual"`   // manual clock
	Executor string    `json:"executor"` // informational
}

// Record is one applied change.
type Record struct {
	Seq  uint64          `json:"-"`
	Kind string          `json:"kind"`
	Time time.Time       `json:"time"` // the emulator time it was applied at
	Data json.RawMessage `json:"data"`
}

// ClockMark is the emulator time last known to have been served.
type ClockMark struct {
	Time  time.Time `json:"time"`
	Clean bool      `json:"clean"` // written by a clean shutdown: nothing was served after it
}

// State is what Open found in an existing directory.
type State struct {
	Header  Header
	Records []Record
	Clock   *ClockMark
}

// Store is an open state directory.
type Store struct {
	db   *bolt.DB
	path string

	mu        sync.Mutex
	cond      *sync.Cond
	next      uint64   // sequence of the next record
	pending   []Record // appended, not yet committed
	committed uint64   // highest committed sequence
	err       error    // sticky: the first write failure
	closing   bool
	done      chan struct{}
}

// ErrClosed is what Wait returns for a record appended after Close.
var ErrClosed = errors.New("store: closed")

// ErrInvalid wraps every refusal of an existing file.
var ErrInvalid = errors.New("not a usable batchconform state file")

// Open opens (or creates, with fresh) the state in dir. For an existing
// state it returns what it holds; fresh is ignored then. A file that is not
// a batchconform state file is never modified.
func Open(dir string, fresh Header) (*Store, *State, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("store: state dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	var st *State
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		if !fi.Mode().IsRegular() {
			return nil, nil, fmt.Errorf("store: %s: %w: not a regular file", path, ErrInvalid)
		}
		if fi.Size() == 0 {
			return nil, nil, fmt.Errorf("store: %s: %w: the file is empty (left as it is; remove it to start afresh)", path, ErrInvalid)
		}
		st, err = load(path)
		if err != nil {
			return nil, nil, err
		}
	case errors.Is(err, os.ErrNotExist):
		if err := create(dir, path, fresh); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("store: %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, nil, fmt.Errorf("store: %s is in use by another emulator: %w", path, err)
		}
		return nil, nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, next: 1, done: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	if st != nil && len(st.Records) > 0 {
		s.next = st.Records[len(st.Records)-1].Seq + 1
	}
	s.committed = s.next - 1
	go s.writer()
	return s, st, nil
}

// load reads an existing file read-only (so a foreign or corrupt file is
// never written) and checks it is ours.
func load(path string) (st *State, err error) {
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("store: %s: %w: %s (left as it is)", path, ErrInvalid, fmt.Sprintf(format, args...))
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("store: %s is in use by another emulator: %w", path, err)
		}
		return nil, refuse("corrupt or not a bbolt file: %v", err)
	}
	defer db.Close()
	// bbolt panics on some kinds of corrupted pages; a refused file must not
	// take the process down.
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, refuse("corrupt: %v", r)
		}
	}()
	st = &State{}
	err = db.View(func(tx *bolt.Tx) error {
		// A cut file still has its meta pages but not the pages they point
		// to (reading those would fault): its size must cover every page.
		if fi, err := os.Stat(path); err != nil || fi.Size() < tx.Size() {
			return refuse("corrupt: the file is shorter than the %d bytes its meta page describes", tx.Size())
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return refuse("a bbolt database of another program (no %s bucket)", bucketMeta)
		}
		if f := string(meta.Get(keyFormat)); f != Format {
			return refuse("format %q, this emulator reads %q", f, Format)
		}
		if err := json.Unmarshal(meta.Get(keyHeader), &st.Header); err != nil {
			return refuse("header: %v", err)
		}
		if st.Header.Seed == 0 {
			return refuse("header without a seed")
		}
		if c := meta.Get(keyClock); c != nil {
			var m ClockMark
			if err := json.Unmarshal(c, &m); err != nil {
				return refuse("clock mark: %v", err)
			}
			st.Clock = &m
		}
		lg := tx.Bucket(bucketLog)
		if lg == nil {
			return refuse("no %s bucket", bucketLog)
		}
		want := uint64(1)
		return lg.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return refuse("log key of %d bytes", len(k))
			}
			seq := binary.BigEndian.Uint64(k)
			if seq != want {
				return refuse("log sequence %d where %d was expected", seq, want)
			}
			want++
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return refuse("log record %d: %v", seq, err)
			}
			r.Seq = seq
			st.Records = append(st.Records, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// create writes a new state file under a temporary name and renames it into
// place, so a crash during creation never leaves a half-made file under the
// real name.
func create(dir, path string, h Header) error {
	if h.Seed == 0 {
		return fmt.Errorf("store: create %s: the header needs a non-zero seed", path)
	}
	h.Format = Format
	hb, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("store: header: %w", err)
	}
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	_ = os.Remove(tmp)
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("store: create %s: %w", tmp, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyFormat, []byte(Format)); err != nil {
			return err
		}
		if err := meta.Put(keyHeader, hb); err != nil {
			return err
		}
		_, err = tx.CreateBucket(bucketLog)
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable
		_ = d.Close()
	}
	return nil
}

// Path is the state file.
func (s *Store) Path() string { return s.path }

// Append queues a record and returns its sequence number; Wait(seq) blocks
// until it is durable. Records are committed in sequence order.
func (s *Store) Append(kind string, t time.Time, data []byte) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.next
	s.next++
	s.pending = append(s.pending, Record{Seq: seq, Kind: kind, Time: t, Data: data})
	s.cond.Broadcast()
	return seq
}

// Last is the sequence number of the last record appended (0: none).
func (s *Store) Last() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next - 1
}

// Wait blocks until record seq is committed, or returns the write error that
// prevents it.
func (s *Store) Wait(seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.committed < seq && s.err == nil {
		s.cond.Wait()
	}
	if s.committed >= seq {
		return nil
	}
	return s.err
}

// writer commits pending records in order, as many per transaction as have
// queued up (group commit).
func (s *Store) writer() {
	defer close(s.done)
	s.mu.Lock()
	for {
		for len(s.pending) == 0 && !s.closing {
			s.cond.Wait()
		}
		if len(s.pending) == 0 && s.closing {
			if s.err == nil {
				s.err = ErrClosed // a record appended from now on is never committed
			}
			s.cond.Broadcast()
			s.mu.Unlock()
			return
		}
		batch := s.pending
		s.pending = nil
		failed := s.err != nil
		s.mu.Unlock()
		var err error
		if !failed {
			err = s.db.Update(func(tx *bolt.Tx) error {
				lg := tx.Bucket(bucketLog)
				var k [8]byte
				for _, r := range batch {
					v, err := json.Marshal(r)
					if err != nil {
						return fmt.Errorf("record %d: %w", r.Seq, err)
					}
					binary.BigEndian.PutUint64(k[:], r.Seq)
					if err := lg.Put(k[:], v); err != nil {
						return fmt.Errorf("record %d: %w", r.Seq, err)
					}
				}
				return nil
			})
		}
		s.mu.Lock()
		if err != nil && s.err == nil {
			s.err = fmt.Errorf("store: write %s: %w", s.path, err)
		}
		if s.err == nil {
			s.committed = batch[len(batch)-1].Seq
		}
		s.cond.Broadcast()
	}
}

// Err is the first write failure (nil while every commit succeeded).
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// MarkClock records the emulator time served so far (clean: nothing will be
// served after it).
func (s *Store) MarkClock(m ClockMark) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: clock mark: %w", err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyClock, b) }); err != nil {
		return fmt.Errorf("store: clock mark: %w", err)
	}
	return nil
}

// Close commits what is pending and closes the file.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closing = true
	s.cond.Broadcast()
	s.mu.Unlock()
	<-s.done
	err := s.Err()
	if errors.Is(err, ErrClosed) {
		err = nil
	}
	if cerr := s.db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("store: close %s: %w", s.path, cerr)
	}
	return err
}
