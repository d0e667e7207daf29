package harness

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// progress is the live line on a terminal: per dialect the specs done and
// failed, then the whole run's done/total, requests/s, elapsed and ETA.
type progress struct {
	mu      sync.Mutex
	started time.Time
	sent0   int64
	done    map[string]int
	failed  map[string]int
}

var live = &progress{}

func (p *progress) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started, p.sent0 = time.Now(), RequestsSent()
	p.done, p.failed = map[string]int{}, map[string]int{}
}

// line records a finished spec and returns the line to show.
func (p *progress) line(sr types.SpecReport, doneAll, total int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		p.done, p.failed, p.started = map[string]int{}, map[string]int{}, time.Now()
	}
	d := "other"
	for _, l := range sr.Labels() {
		if strings.HasPrefix(l, "dialect:") {
			d = strings.TrimPrefix(l, "dialect:")
			break
		}
	}
	p.done[d]++
	if sr.State.Is(types.SpecStateFailureStates) {
		p.failed[d]++
	}
	var ds []string
	for k := range p.done {
		ds = append(ds, k)
	}
	sort.Strings(ds)
	var parts []string
	for _, k := range ds {
		parts = append(parts, fmt.Sprintf("%s %d done, %d failed", k, p.done[k], p.failed[k]))
	}
	el := time.Since(p.started)
	rate := float64(RequestsSent()-p.sent0) / max(el.Seconds(), 0.001)
	eta := "?"
	if doneAll > 0 && total >= doneAll {
		eta = (time.Duration(float64(el) / float64(doneAll) * float64(total-doneAll))).Round(time.Second).String()
	}
	return fmt.Sprintf("%s | %d/%d specs, %.0f req/s, %s elapsed, ETA %s",
		strings.Join(parts, "; "), doneAll, total, rate, el.Round(time.Second), eta)
}
