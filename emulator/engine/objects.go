package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// ObjectStore holds objects by URL (e.g.
// cos://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/file,
// cfs://10.0.0.1:/dir/file, oss://bucket/dir/file). "Directories" are only
// prefixes: List("cos://b/dir/") returns every object below dir. It is safe
// for concurrent use; values are copied in and out.
type ObjectStore struct {
	mu    sync.RWMutex
	m     map[string][]byte
	bytes int64
	// observe, when set (SetObserver), sees every change, in order, under mu.
	observe func(url string, data []byte, deleted bool)
}

// SetObserver makes fn see every later Put and Delete, in the order they are
// applied (called under the store's lock: fn must not call back into the
// store). A durable emulator records objects this way; nil switches it off.
func (s *ObjectStore) SetObserver(fn func(url string, data []byte, deleted bool)) {
	s.mu.Lock()
	s.observe = fn
	s.mu.Unlock()
}

// NewObjectStore returns an empty store.
func NewObjectStore() *ObjectStore { return &ObjectStore{m: map[string][]byte{}} }

// ValidObjectURL reports whether url has the form scheme://rest with a
// non-empty scheme and rest; it is all the store itself requires.
func ValidObjectURL(url string) bool {
	i := strings.Index(url, "://")
	return i > 0 && len(url) > i+3
}

// Put stores a copy of data under url (replacing any previous object).
func (s *ObjectStore) Put(url string, data []byte) error {
	if !ValidObjectURL(url) {
		return fmt.Errorf("objects: put %q: not a scheme://path URL", url)
	}
	if strings.HasSuffix(url, "/") {
		return fmt.Errorf("objects: put %q: a URL ending in / names a directory", url)
	}
	cp := append([]byte(nil), data...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	if old, ok := s.m[url]; ok {
		s.bytes -= int64(len(old))
	}
	s.m[url] = cp
	s.bytes += int64(len(cp))
	if s.observe != nil {
		s.observe(url, cp, false)
	}
	return nil
}

// Get returns a copy of the object at url.
func (s *ObjectStore) Get(url string) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.m[url]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

// List returns the URLs starting with prefix, sorted.
func (s *ObjectStore) List(prefix string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{}
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Delete removes an object; it reports whether it existed.
func (s *ObjectStore) Delete(url string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[url]
	if ok {
		s.bytes -= int64(len(b))
		delete(s.m, url)
		if s.observe != nil {
			s.observe(url, nil, true)
		}
	}
	return ok
}

// Stats returns the number of objects and their total size in bytes.
func (s *ObjectStore) Stats() (objects int, bytes int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m), s.bytes
}
