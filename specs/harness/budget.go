package harness

// The budget (issue 11): `--budget requests=N,resource-seconds=M` stops a
// live run before it costs more than allowed, in every dialect. The
// transports count the requests the run sends and integrate the run's
// resources alive over time (the ledger's count, all dialects together);
// once either is spent, no further request is sent except the ones that end
// or read resources (cleanup), and
// the spec that was running fails with the budget's message (precondition
// "budget"); no further spec starts (the run is aborted: exit 3, as for an
// interrupt), and the ledger deletes what the run created. Under --procs
// each process has the whole budget.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PreBudget: the run's --budget is not spent.
const PreBudget = "budget"

func init() {
	preconditionKinds[PreBudget] = nil
	blocksSending[PreBudget] = true
}

// Budget is a parsed --budget.
type Budget struct {
	Requests        int64
	ResourceSeconds float64
}

// ParseBudget parses "requests=N,resource-seconds=M" (either part may be
// left out; "" = no budget).
func ParseBudget(v string) (Budget, error) {
	var b Budget
	for _, part := range splitList(v) {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return b, fmt.Errorf("--budget %q: want requests=N,resource-seconds=M", v)
		}
		switch k {
		case "requests":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n <= 0 {
				return b, fmt.Errorf("--budget requests=%q: want a positive integer", val)
			}
			b.Requests = n
		case "resource-seconds":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil || f <= 0 {
				return b, fmt.Errorf("--budget resource-seconds=%q: want a positive number", val)
			}
			b.ResourceSeconds = f
		default:
			return b, fmt.Errorf("--budget: unknown part %q (requests, resource-seconds)", k)
		}
	}
	return b, nil
}

// spend tracks the run's use of the budget: one for the process, shared by
// every dialect's transport (the budget is the run's, not each target's).
// Resources alive are the ledger's (ledger.go), which every dialect's
// tracker keeps, so resource-seconds count Alibaba clusters and Oceanus
// jobs as they count Tencent Batch jobs.
type spend struct {
	mu       sync.Mutex
	requests int64
	alive    int // resources alive at since
	rs       float64
	since    time.Time
}

var runSpend = &spend{}

func (s *spend) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.alive, s.rs, s.since = 0, 0, 0, time.Time{}
}

// cleanupCall reports whether a request is what the specs' cleanup and the
// ledger's drain send: with the budget spent only these are sent. A call
// that ends a resource goes by its verb in API 3.0 (Delete…, Terminate…,
// Stop…, Detach…: Tencent Batch and Oceanus alike) and by its REST form in
// ACS (DELETE, and the POST …/stop before a job's DELETE); the reads are
// those of one resource, which a cleanup polls until it is gone (Tencent
// Batch's DescribeJob and DescribeComputeEnv, an ACS GET of /kind/ID) —
// never a listing, which is what specs send.
func cleanupCall(method, path, action string) bool {
	if action == "" {
		one := strings.Count(strings.Trim(path, "/"), "/") == 1
		return method == http.MethodDelete || (method == http.MethodGet && one) ||
			(method == http.MethodPost && strings.HasSuffix(path, "/stop"))
	}
	if cleanupReads[action] {
		return true
	}
	for _, verb := range []string{"Delete", "Terminate", "Stop", "Detach"} {
		if strings.HasPrefix(action, verb) {
			return true
		}
	}
	return false
}

// cleanupReads are the API 3.0 reads of one resource a cleanup polls.
var cleanupReads = map[string]bool{"DescribeJob": true, "DescribeComputeEnv": true}

// before is called before a request is sent; it returns the budget's
// message when the request must not be sent.
func (s *spend) before(b Budget, method, path, action string) string {
	if b == (Budget{}) {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if !s.since.IsZero() {
		s.rs += float64(s.alive) * now.Sub(s.since).Seconds()
	}
	s.since, s.alive = now, ledgerAlive("")
	var over string
	switch {
	case b.Requests > 0 && s.requests >= b.Requests:
		over = fmt.Sprintf("precondition %s violated: --budget requests=%d spent", PreBudget, b.Requests)
	case b.ResourceSeconds > 0 && s.rs >= b.ResourceSeconds:
		over = fmt.Sprintf("precondition %s violated: --budget resource-seconds=%g spent (%.0f)", PreBudget, b.ResourceSeconds, s.rs)
	}
	if over != "" {
		budgetStopMu.Lock()
		if budgetStopMsg == "" {
			budgetStopMsg = over
		}
		budgetStopMu.Unlock()
		// Nothing new is created: what exists is cleaned up.
		StopRun(over)
		if !cleanupCall(method, path, action) {
			return over
		}
	}
	s.requests++
	return ""
}

var (
	budgetStopMu  sync.Mutex
	budgetStopMsg string
)

// BudgetStop returns the message of a spent --budget ("" while it lasts):
// the run was stopped by it (an aborted run, exit 3).
func BudgetStop() string { return budgetStop() }

// budgetStop returns the message of a spent --budget ("" while it lasts).
func budgetStop() string {
	budgetStopMu.Lock()
	defer budgetStopMu.Unlock()
	return budgetStopMsg
}

func resetBudgetStop() {
	budgetStopMu.Lock()
	budgetStopMsg = ""
	budgetStopMu.Unlock()
	runSpend.reset()
}

// String renders the budget as --budget takes it ("" = none).
func (b Budget) String() string {
	var parts []string
	if b.Requests > 0 {
		parts = append(parts, fmt.Sprintf("requests=%d", b.Requests))
	}
	if b.ResourceSeconds > 0 {
		parts = append(parts, "resource-seconds="+strconv.FormatFloat(b.ResourceSeconds, 'f', -1, 64))
	}
	return strings.Join(parts, ",")
}

// Share returns process i's part of the budget when n processes split it
// (`run --procs n`): each process spends its part alone, so together they
// never spend more than the whole. The requests are split as evenly as
// whole numbers allow (the first processes take the remainder); an error
// says when there are fewer requests than processes.
func (b Budget) Share(i, n int) (Budget, error) {
	if n <= 1 {
		return b, nil
	}
	out := b
	if b.Requests > 0 {
		if b.Requests < int64(n) {
			return Budget{}, fmt.Errorf("--budget requests=%d is less than one request for each of %d processes: lower --procs or raise the budget", b.Requests, n)
		}
		out.Requests = b.Requests / int64(n)
		if int64(i) < b.Requests%int64(n) {
			out.Requests++
		}
	}
	if b.ResourceSeconds > 0 {
		out.ResourceSeconds = b.ResourceSeconds / float64(n)
	}
	return out, nil
}

// ShareCount splits a whole-run count (--max-resources) across n processes
// the same way; 0 means unbounded and stays so.
func ShareCount(total, i, n int) (int, error) {
	if n <= 1 || total <= 0 {
		return total, nil
	}
	if total < n {
		return 0, fmt.Errorf("%d is less than one for each of %d processes: lower --procs", total, n)
	}
	share := total / n
	if i < total%n {
		share++
	}
	return share, nil
}
