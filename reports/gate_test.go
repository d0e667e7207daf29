package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func rep(endpoint string, verdicts map[string]string) *Report {
	r := &Report{SchemaVersion: 1, Target: Target{Endpoints: map[string]string{"tencent-batch": endpoint}, Dialects: []string{"tencent-batch"}}}
	for id, v := range verdicts {
		r.Items = append(r.Items, Item{ID: id, Dialect: "tencent-batch", Kind: "rule", Level: "MUST", Verdict: v, Message: v + " message"})
	}
	r.Recount()
	return r
}

func TestGate(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b := &Baseline{SchemaVersion: 1, Entries: []BaselineEntry{
		{ID: "a", Verdict: Fail, Reason: "known"},
		{ID: "b", Verdict: Fail, Reason: "fixed since"},
		{ID: "c", Verdict: Fail, Reason: "temporary", Expires: "2026-11-22"},
		{ID: "d", Verdict: Fail, Reason: "expires today", Expires: "2026-11-23"},
	}}
	r := rep("embedded", map[string]string{"a": Fail, "b": Pass, "c": Fail, "d": Fail, "e": Fail, "f": Pass})
	g := Gate(b, r, now)
	if g.OK() {
		t.Fatal("gate passed")
	}
	ids := func(es []BaselineEntry) string {
		var s []string
		for _, e := range es {
			s = append(s, e.ID)
		}
		return strings.Join(s, ",")
	}
	if len(g.NewFailures) != 1 || g.NewFailures[0].ID != "e" {
		t.Errorf("new failures %+v, want e", g.NewFailures)
	}
	if ids(g.UnexpectedPasses) != "b" || ids(g.Expired) != "c" {
		t.Errorf("unexpected passes %s (want b), expired %s (want c)", ids(g.UnexpectedPasses), ids(g.Expired))
	}
	var out bytes.Buffer
	g.Print(&out)
	for _, want := range []string{"NEW FAILURE e", "UNEXPECTED PASS b", "EXPIRED c", "gate FAILED"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gate output lacks %q:\n%s", want, out.String())
		}
	}
	// Listed failures alone pass the gate.
	b.Entries = []BaselineEntry{b.Entries[0], b.Entries[3]}
	ok := Gate(b, rep("embedded", map[string]string{"a": Fail, "d": Fail}), now)
	if !ok.OK() || len(ok.KnownFailures) != 2 {
		t.Errorf("listed failures only: %+v", ok)
	}
}

func TestBaselineRoundTripAndValidation(t *testing.T) {
	dir := t.TempDir()
	b := NewBaseline(rep("embedded", map[string]string{"x": Fail, "y": Pass}))
	if len(b.Entries) != 1 || b.Entries[0].ID != "x" || b.Entries[0].Reason == "" {
		t.Fatalf("baseline %+v", b)
	}
	p := filepath.Join(dir, "baseline.json")
	if err := b.Write(p); err != nil {
		t.Fatal(err)
	}
	got, err := LoadBaseline(p)
	if err != nil || len(got.Entries) != 1 {
		t.Fatalf("load: %v %+v", err, got)
	}
	for name, body := range map[string]string{
		"no reason":    `{"schema_version":1,"entries":[{"id":"x","verdict":"fail","reason":""}]}`,
		"bad verdict":  `{"schema_version":1,"entries":[{"id":"x","verdict":"pass","reason":"r"}]}`,
		"bad expiry":   `{"schema_version":1,"entries":[{"id":"x","verdict":"fail","reason":"r","expires":"soon"}]}`,
		"duplicate":    `{"schema_version":1,"entries":[{"id":"x","verdict":"fail","reason":"r"},{"id":"x","verdict":"fail","reason":"r"}]}`,
		"unknown key":  `{"schema_version":1,"entries":[],"bogus":1}`,
		"wrong schema": `{"schema_version":2,"entries":[]}`,
	} {
		bad := filepath.Join(dir, "bad.json")
		_ = os.WriteFile(bad, []byte(body), 0o644)
		if _, err := LoadBaseline(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A report given where a baseline belongs says so and how to make one,
// instead of the decoder's `unknown field "tool"`.
func TestLoadBaselineGivenAReport(t *testing.T) {
	p := filepath.Join(t.TempDir(), "report.json")
	body := `{"schema_version":1,"tool":{"name":"batchconform","version":"x"},"items":[]}`
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadBaseline(p)
	if err == nil || !strings.Contains(err.Error(), "is a report") || !strings.Contains(err.Error(), "report baseline") {
		t.Fatalf("error %v, want one that names a report and how to make a baseline", err)
	}
}

func TestCompare(t *testing.T) {
	a := rep("embedded", map[string]string{"a": Pass, "b": Fail, "c": Pass})
	b := rep("https://batch.tencentcloudapi.com", map[string]string{"a": Pass, "b": Pass, "d": Skip})
	d := Compare(a, b)
	if d.Different != 3 || d.Rows[0].Same || !d.Rows[len(d.Rows)-1].Same {
		t.Fatalf("diff %+v", d)
	}
	var md, html bytes.Buffer
	if err := d.WriteMarkdown(&md); err != nil || !strings.Contains(md.String(), "3 of 4 items differ") {
		t.Errorf("markdown: %v\n%s", err, md.String())
	}
	if err := d.WriteHTML(&html); err != nil || !strings.Contains(html.String(), `data-id="b"`) {
		t.Errorf("html: %v", err)
	}
}

func TestMerge(t *testing.T) {
	a := rep("embedded", map[string]string{"a": Pass, "b": NotCovered, "c": Fail})
	b := rep("embedded", map[string]string{"a": Skip, "b": Pass, "c": Pass})
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range m.Items {
		got[it.ID] = it.Verdict
	}
	if got["a"] != Pass || got["b"] != Pass || got["c"] != Fail {
		t.Fatalf("merged verdicts %v", got)
	}
	if m.Summary.Passed != 2 || m.Summary.Failed != 1 || m.Coverage["tencent-batch"].Rules.Covered != 3 {
		t.Fatalf("summary %+v coverage %+v", m.Summary, m.Coverage)
	}
	if _, err := Merge(a, rep("http://127.0.0.1:9000", nil)); err == nil {
		t.Fatal("merged reports of two targets")
	}
}
