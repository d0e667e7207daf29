package reports

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// hostileText is a message that breaks out of a <script> element and runs
// code if any writer fails to escape it.
const hostileText = `</script><img src=x onerror=alert(1)><script>alert(2)</script> & "quotes" 'single'`

// synthReport builds a deterministic report of n items shaped like a full
// Tencent Batch run plus a second dialect: mixed verdicts, kinds and levels,
// exchange evidence (a few bodies far over the HTML cap, most specs checking
// several items so evidence repeats), and one hostile item.
func synthReport(n int) *Report {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"action", "rule", "rule", "rule", "error", "error", "state", "transition", "protocol", "schema", "event", "example", "property"}
	verdicts := []string{Pass, Pass, Pass, Pass, Fail, Skip, NotCovered, Unprovokable}
	actions := []string{"SubmitJob", "DescribeJob", "CreateComputeEnv", "DescribeComputeEnvs", "TerminateJob", "CreateTaskTemplate"}
	r := &Report{
		SchemaVersion: 1,
		Tool:          Tool{Name: "batchconform", Version: "v0.4.0-test"},
		Target: Target{Endpoints: map[string]string{"tencent-batch": "http://127.0.0.1:9000", "alibaba-batchcompute": "http://127.0.0.1:9000"},
			Dialects: []string{"alibaba-batchcompute", "tencent-batch"}, Embedded: true},
		Started:         time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		DurationSeconds: 84.25,
		Seed:            42,
		Specs:           SpecCounts{Total: n / 3, Passed: n / 4, Failed: n / 20, Skipped: n / 30},
	}
	var lastEvidence json.RawMessage
	for i := 0; i < n; i++ {
		dialect := "tencent-batch"
		if i%5 == 4 {
			dialect = "alibaba-batchcompute"
		}
		kind := kinds[rng.IntN(len(kinds))]
		level := "MUST"
		if rng.IntN(4) == 0 {
			level = "SHOULD"
		}
		v := verdicts[rng.IntN(len(verdicts))]
		action := actions[rng.IntN(len(actions))]
		field := []string{"JobName", "Priority", "Limit", "Offset", "EnvId", "TaskName"}[rng.IntN(6)]
		it := Item{
			ID:      fmt.Sprintf("%s/%s/%s/%s-%04d", dialect, action, kind, strings.ToLower(field), i),
			Dialect: dialect, Kind: kind, Level: level, Verdict: v,
			Title:   fmt.Sprintf("%s: %s is validated (%s)", action, field, kind),
			Sources: []string{"seeds/003-SubmitJob.md §3", fmt.Sprintf("apispec/tencent-batch-2017-03-12.api.json#%s", action)},
			Specs:   []string{},
		}
		if v != NotCovered && v != Unprovokable {
			it.Specs = []string{fmt.Sprintf("tencent-batch %s %s spec %d", action, kind, i/3)}
		}
		switch v {
		case Fail:
			it.Message = fmt.Sprintf("%s: expected error InvalidParameterValue.%s, got success\nExpected\n    <string>: \"\"\nto equal\n    <string>: \"InvalidParameterValue\"", action, field)
		case Skip:
			it.Message = "target is live: fault injection needs the emulator"
		case Unprovokable:
			it.Unprovokable = "needs a real quota exhaustion"
		}
		if v == Pass || v == Fail {
			if i%3 == 0 || lastEvidence == nil { // specs check about three items each
				body := strings.Repeat(`{"Key":"value"},`, 10+rng.IntN(30))
				if i%400 == 7 {
					body = strings.Repeat("x", 200<<10) // a huge body: must be cut in the HTML
				}
				ex := map[string]any{
					"method": "POST", "url": "http://127.0.0.1:9000/", "action": action, "status": 200,
					"request":     fmt.Sprintf(`{"%s":"job-%d","Items":[%s{}]}`, field, i, body),
					"response":    fmt.Sprintf(`{"Response":{"RequestId":"2b0c2b55-7e6f-4c43-9a3d-%012d","JobId":"job-%08x"}}`, i, rng.Uint32()),
					"request_id":  fmt.Sprintf("2b0c2b55-7e6f-4c43-9a3d-%012d", i),
					"duration_ns": 1_500_000 + rng.IntN(9_000_000),
					"started":     "2026-11-23T12:00:01.5Z",
				}
				lastEvidence, _ = json.Marshal(ex)
			}
			it.Evidence = lastEvidence
		}
		r.Items = append(r.Items, it)
	}
	// One hostile item, for the escaping checks.
	hostileEv, _ := json.Marshal(map[string]any{"request": hostileText, "response": `{"x":"` + strings.ReplaceAll(hostileText, `"`, `\"`) + `"}`})
	r.Items = append(r.Items, Item{ID: "tencent-batch/SubmitJob/rule/hostile", Dialect: "tencent-batch", Kind: "rule", Level: "MUST",
		Verdict: Fail, Title: hostileText, Message: hostileText, Sources: []string{hostileText}, Specs: []string{hostileText}, Evidence: hostileEv})
	sortItems(r.Items)
	r.Recount()
	return r
}

func sortItems(items []Item) {
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
}
