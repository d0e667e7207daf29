package harness

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

func specReport(dialect string, state types.SpecState) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, State: state, LeafNodeLabels: []string{"dialect:" + dialect}}
}

// One line per dialect with its own done/total and failures, redrawn in
// place (cursor up over the lines drawn before), erased at the end.
func TestProgressLinesPerDialect(t *testing.T) {
	var out bytes.Buffer
	p := &progress{}
	p.begin(&out, "", map[string]int{"tencent-batch": 4, "oceanus": 2}, labelMatch(""))
	p.specDone(specReport("tencent-batch", types.SpecStatePassed))
	p.specDone(specReport("oceanus", types.SpecStateFailed))
	p.mu.Lock()
	lines := p.linesLocked(p.started.Add(2e9))
	p.mu.Unlock()
	p.end()
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per dialect: %q", len(lines), lines)
	}
	for i, want := range []*regexp.Regexp{
		regexp.MustCompile(`^oceanus\s+1/2\s+specs\s+1 failed\s+\d+ req/s\s+2s elapsed\s+ETA 1s$`),
		regexp.MustCompile(`^tencent-batch\s+1/4\s+specs\s+0 failed\s+\d+ req/s\s+2s elapsed\s+ETA 3s$`),
	} {
		if !want.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], want)
		}
	}
	s := out.String()
	// The second draw moves up over the two lines of the first; the end
	// moves up and erases.
	if !strings.Contains(s, "\033[2A") || !strings.HasSuffix(s, "\033[2A\033[J") {
		t.Errorf("the lines are not redrawn in place and erased: %q", s)
	}
	if n := strings.Count(s, "tencent-batch"); n != 2 {
		t.Errorf("tencent-batch drawn %d times after 2 specs, want 2: %q", n, s)
	}
}

// Nothing is drawn without a writer (CI), and a dialect the preview did
// not count still gets a line; a spec the label filter leaves out is not
// counted.
func TestProgressQuietAndUnexpectedDialect(t *testing.T) {
	p := &progress{}
	p.begin(nil, "", map[string]int{"oceanus": 1}, labelMatch("!kind:rule"))
	p.specDone(specReport("alibaba-batchcompute", types.SpecStatePassed))
	filtered := specReport("oceanus", types.SpecStateSkipped)
	filtered.LeafNodeLabels = append(filtered.LeafNodeLabels, "kind:rule")
	p.specDone(filtered)
	if r := p.rows["oceanus"]; r.done != 0 {
		t.Errorf("a spec the label filter left out was counted: %+v", r)
	}
	p.end()
	if r := p.rows["alibaba-batchcompute"]; r == nil || r.done != 1 || r.total != 1 {
		t.Errorf("unexpected dialect not counted: %+v", r)
	}
	if p.drawn != 0 {
		t.Errorf("%d lines drawn without a writer", p.drawn)
	}
}

// Under --procs each shard writes its rows to a file and the parent's
// lines sum them per dialect: done, totals, failures and requests of every
// shard, one line per dialect.
func TestProgressShardsAggregate(t *testing.T) {
	dir := t.TempDir()
	files := []string{dir + "/a.json", dir + "/b.json", dir + "/missing.json"}
	for i, f := range files[:2] {
		p := &progress{}
		p.begin(nil, f, map[string]int{"tencent-batch": 4, "oceanus": 2}, labelMatch(""))
		p.specDone(specReport("tencent-batch", types.SpecStatePassed))
		if i == 1 {
			p.specDone(specReport("tencent-batch", types.SpecStateFailed))
		}
		p.mu.Lock()
		p.writeLocked()
		p.mu.Unlock()
		p.end()
	}
	agg := &progress{shards: files, rows: map[string]*dialectProgress{}}
	agg.started = time.Now().Add(-2 * time.Second)
	agg.mu.Lock()
	lines := agg.linesLocked(agg.started.Add(2e9))
	agg.mu.Unlock()
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per dialect: %q", len(lines), lines)
	}
	want := regexp.MustCompile(`^tencent-batch\s+3/8\s+specs\s+1 failed`)
	if !want.MatchString(lines[1]) || !strings.HasPrefix(lines[0], "oceanus") || !strings.Contains(lines[0], "0/4 ") {
		t.Errorf("the shards' rows are not summed: %q", lines)
	}
	var out bytes.Buffer
	stop := ShowShards(&out, files)
	time.Sleep(progressEvery + 300*time.Millisecond)
	stop()
	if !strings.Contains(out.String(), "tencent-batch") || !strings.HasSuffix(out.String(), "\033[J") {
		t.Errorf("ShowShards drew %q", out.String())
	}
}
