package harness

// The budget (issue 11): `--budget requests=N,resource-seconds=M` stops a
// live run before it costs more than allowed. The transport counts the
// requests it sends and integrates the resources alive over time (a create
// that succeeds adds one, a delete removes one); once either is spent, no
// further request is sent except the ones that end resources (cleanup), and
// the spec that was running fails with the budget's message (precondition
// "budget"); no further spec starts (the run is aborted: exit 3, as for an
// interrupt), and the ledger deletes what the run created. Under --procs
// each process has the whole budget.

import (
	"fmt"
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

// spend tracks a transport's use of the budget.
type spend struct {
	mu       sync.Mutex
	budget   Budget
	requests int64
	alive    int
	rs       float64
	since    time.Time
}

// cleanupActions end resources: they are sent even with the budget spent.
var cleanupActions = map[string]bool{"DeleteJob": true, "TerminateJob": true, "DeleteComputeEnv": true,
	"DeleteTaskTemplates": true, "DetachInstances": true, "TerminateComputeNode": true, "TerminateComputeNodes": true,
	"TerminateTaskInstance": true, "DescribeJob": true, "DescribeComputeEnv": true}

// before is called before a request is sent; it returns the budget's
// message when the request must not be sent.
func (s *spend) before(action string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if !s.since.IsZero() {
		s.rs += float64(s.alive) * now.Sub(s.since).Seconds()
	}
	s.since = now
	var over string
	switch {
	case s.budget.Requests > 0 && s.requests >= s.budget.Requests:
		over = fmt.Sprintf("precondition %s violated: --budget requests=%d spent", PreBudget, s.budget.Requests)
	case s.budget.ResourceSeconds > 0 && s.rs >= s.budget.ResourceSeconds:
		over = fmt.Sprintf("precondition %s violated: --budget resource-seconds=%g spent (%.0f)", PreBudget, s.budget.ResourceSeconds, s.rs)
	}
	if over != "" {
		budgetStopMu.Lock()
		if budgetStopMsg == "" {
			budgetStopMsg = over
		}
		budgetStopMu.Unlock()
		// Nothing new is created: what exists is cleaned up.
		StopRun(over)
		if !cleanupActions[action] {
			return over
		}
	}
	s.requests++
	return ""
}

// after records a create or delete that succeeded (HTTP answer without an
// error code).
func (s *spend) after(action string, ok bool) {
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case createActions[action]:
		s.alive++
	case deleteActions[action] && s.alive > 0:
		s.alive--
	}
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
	defer budgetStopMu.Unlock()
	budgetStopMsg = ""
}
