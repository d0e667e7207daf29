package harness

// The --max-resources bound (issue 11), one limiter for every dialect: on a
// live target a create is not sent while the run's resources alive on that
// dialect's target plus the creates in flight there reach the bound. What
// is alive is the run's ledger (ledger.go), which every dialect's tracker
// keeps — Tencent Batch jobs and environments, Alibaba BatchCompute jobs,
// clusters and images, Oceanus jobs, resources, folders, clusters and
// workspaces — so the bound needs no list of actions of its own. A create
// over the bound is refused at once (a spec that needs more resources at
// once than allowed fails, naming the flag): within one process the specs
// run one after another, so waiting would only wait for the spec's own
// resources. A call that creates several resources at once (Oceanus
// CopyJobs) is counted as one until it is answered. Under --procs each
// process has the whole bound.

import (
	"fmt"
	"sync"
)

// aliveLimiter counts the creates in flight per dialect.
type aliveLimiter struct {
	mu       sync.Mutex
	inflight map[string]int
}

var maxAlive = &aliveLimiter{inflight: map[string]int{}}

// ledgerAlive counts the run's resources alive on a dialect's target ("" =
// every dialect), as the ledger holds them.
func ledgerAlive(dialect string) int {
	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	if dialect == "" {
		return len(ledger.alive)
	}
	n := 0
	for _, e := range ledger.alive {
		if e.Dialect == dialect {
			n++
		}
	}
	return n
}

// acquire takes a slot for a create on dialect's target under a
// bound (<= 0: no bound); it returns why the create must not be
// sent ("" = send it, and call release once it is answered or failed).
func (l *aliveLimiter) acquire(dialect string, bound int) string {
	if bound <= 0 {
		return ""
	}
	alive := ledgerAlive(dialect)
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := alive + l.inflight[dialect]; n >= bound {
		return fmt.Sprintf("--max-resources %d: %d %s resources of the run are alive or being created (a spec that needs more at once needs a higher --max-resources)", bound, n, dialect)
	}
	l.inflight[dialect]++
	return ""
}

// release gives back a slot taken by acquire: what the create made is in
// the ledger by now.
func (l *aliveLimiter) release(dialect string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight[dialect] > 0 {
		l.inflight[dialect]--
	}
}
