package harness

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The bound counts the ledger's resources of the dialect and the creates
// in flight, and no other dialect's.
func TestMaxAliveCountsLedgerAndInflight(t *testing.T) {
	resetLedger()
	defer resetLedger()
	l := &aliveLimiter{inflight: map[string]int{}}
	ledger.record("alibaba-batchcompute", "", []Leftover{{ID: "cls-1"}}, nil)
	ledger.record("oceanus", "", []Leftover{{ID: "job-1"}, {ID: "job-2"}}, nil)
	if m := l.acquire("alibaba-batchcompute", 2); m != "" {
		t.Fatalf("1 alive, bound 2: refused: %s", m)
	}
	if m := l.acquire("alibaba-batchcompute", 2); !strings.Contains(m, "--max-resources 2: 2 alibaba-batchcompute resources") {
		t.Errorf("1 alive + 1 in flight, bound 2: %q", m)
	}
	l.release("alibaba-batchcompute")
	ledger.record("alibaba-batchcompute", "", nil, []string{"cls-1"})
	if m := l.acquire("alibaba-batchcompute", 2); m != "" {
		t.Errorf("after a delete: refused: %s", m)
	}
	if m := l.acquire("oceanus", 2); m == "" {
		t.Error("oceanus has 2 alive under a bound of 2: a create was let through")
	}
	if m := l.acquire("oceanus", 0); m != "" {
		t.Errorf("no bound: refused: %s", m)
	}
}

// Concurrent creates never take more slots than the bound.
func TestMaxAliveConcurrent(t *testing.T) {
	resetLedger()
	defer resetLedger()
	l := &aliveLimiter{inflight: map[string]int{}}
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.acquire("tencent-batch", 7) == "" {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := granted.Load(); n != 7 {
		t.Errorf("50 concurrent creates under a bound of 7: %d sent", n)
	}
}

// The Tencent Cloud SDK sets its headers under non-canonical keys: the
// transport still reads the action (so its creates are tracked and bounded).
func TestTCHeaderReadsSDKSpelling(t *testing.T) {
	sdk := http.Header{}
	sdk["X-TC-Action"] = []string{"CreateJob"}
	canonical := http.Header{}
	canonical.Set("X-TC-Action", "SubmitJob")
	for _, c := range []struct {
		h    http.Header
		want string
	}{{sdk, "CreateJob"}, {canonical, "SubmitJob"}, {http.Header{}, ""}} {
		if got := tcHeader(c.h, "X-TC-Action"); got != c.want {
			t.Errorf("tcHeader(%v) = %q, want %q", c.h, got, c.want)
		}
	}
}
