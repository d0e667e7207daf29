package harness

// --dry-run (issue 11): list the calls and resources a run would make and
// send nothing. The selected specs run against a private emulator started
// for the run (no request leaves the process), the transport counts every
// call by dialect and action, and the ledger lists every resource the run
// created. Against a target given with --endpoint the emulator-only specs
// are skipped, as a run there would skip them (the target is not probed);
// the counts of polling calls are the emulator's (a live target's slower
// states take more).

import (
	"sort"
	"strings"
	"sync"
)

var (
	callsMu sync.Mutex
	calls   = map[string]int{} // dialect|action -> requests sent
)

// countCall counts a request (an ACS call by its method and path shape).
func countCall(dialect, method, path, action string) {
	if dialect == "" {
		return
	}
	if action == "" {
		action = method + " " + pathShape(path)
	}
	callsMu.Lock()
	calls[dialect+"|"+action]++
	callsMu.Unlock()
}

// pathShape replaces the IDs of a REST path by {id}: /jobs/job-1/stop ->
// /jobs/{id}/stop.
func pathShape(p string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		if i%2 == 0 && i > 0 && parts[i] != "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// CallCount is the number of requests of one dialect and action.
type CallCount struct {
	Dialect string `json:"dialect"`
	Action  string `json:"action"`
	Count   int    `json:"count"`
}

// Calls returns the requests this process sent, by dialect and action.
func Calls() []CallCount {
	callsMu.Lock()
	defer callsMu.Unlock()
	var out []CallCount
	for k, n := range calls {
		d, a, _ := strings.Cut(k, "|")
		out = append(out, CallCount{Dialect: d, Action: a, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Dialect != out[j].Dialect {
			return out[i].Dialect < out[j].Dialect
		}
		return out[i].Action < out[j].Action
	})
	return out
}

// Created returns every resource this run created (as the ledger saw
// their creates acknowledged), in order.
func Created() []Leftover {
	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	return append([]Leftover(nil), ledger.created...)
}

func resetCalls() {
	callsMu.Lock()
	calls = map[string]int{}
	callsMu.Unlock()
}
