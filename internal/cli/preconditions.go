package cli

// Items that a violated target precondition kept from running (the specs
// after a failed BeforeAll of an Ordered container are skipped by Ginkgo,
// and a blocked spec's siblings never start) would otherwise read
// "not covered": they are failures caused by the target, so they get `fail`
// with the precondition's one message (specs/harness/breaker.go).

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/batchconform/batchconform/redact"
	"github.com/batchconform/batchconform/reports"
	"github.com/batchconform/batchconform/specs/harness"
)

// preconditionsFile is where a shard of --procs leaves its violations.
const preconditionsFile = "preconditions.json"

// collectViolations joins this process's violations with those the shards
// under out left.
func collectViolations(out string) map[string]map[string]string {
	all := harness.AllViolations()
	files, _ := filepath.Glob(filepath.Join(out, "shard-*", preconditionsFile))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var m map[string]map[string]string
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		for d, pres := range m {
			if all[d] == nil {
				all[d] = map[string]string{}
			}
			for p, msg := range pres {
				if _, ok := all[d][p]; !ok {
					all[d][p] = msg
				}
			}
		}
	}
	return all
}

// writeViolations leaves a shard's violations for its parent.
func writeViolations(out string) error {
	v := harness.AllViolations()
	if len(v) == 0 {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, preconditionsFile), data, 0o644)
}

// applyViolations turns the not-covered items a violated precondition
// blocked into failures with its message; it returns how many changed.
func applyViolations(rep *reports.Report, v map[string]map[string]string) int {
	n := 0
	for i := range rep.Items {
		it := &rep.Items[i]
		if it.Verdict != reports.NotCovered || len(v[it.Dialect]) == 0 {
			continue
		}
		var pres []string
		for p := range v[it.Dialect] {
			if harness.PreconditionBlocks(p, it.Kind) {
				pres = append(pres, p)
			}
		}
		if len(pres) == 0 {
			continue
		}
		sort.Strings(pres)
		var msgs []string
		for _, p := range pres {
			msgs = append(msgs, v[it.Dialect][p])
		}
		it.Verdict, it.Message = reports.Fail, strings.Join(msgs, "; ")
		n++
	}
	if n > 0 {
		rep.Recount()
	}
	return n
}

// printViolations prints each violated target precondition once, in full:
// the failures above are cut to a line, and this message says what to do
// (e.g. raise --request-timeout).
func printViolations(w io.Writer, v map[string]map[string]string) {
	dialects := make([]string, 0, len(v))
	for d := range v {
		dialects = append(dialects, d)
	}
	sort.Strings(dialects)
	for _, d := range dialects {
		pres := make([]string, 0, len(v[d]))
		for p := range v[d] {
			pres = append(pres, p)
		}
		sort.Strings(pres)
		for _, p := range pres {
			fmt.Fprintf(w, "target %s: %s\n", d, redact.String(v[d][p]))
		}
	}
}
