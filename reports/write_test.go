package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/redact"
)

func TestWriteAllWritesThePinnedFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := synthReport(200)
	paths, err := WriteAll(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"report.json", "junit.xml", "report.md", "report.html"}
	if len(paths) != len(want) {
		t.Fatalf("paths = %v", paths)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] || filepath.Dir(p) != dir {
			t.Errorf("path %d = %s, want %s in %s", i, p, want[i], dir)
		}
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (empty or missing)", p, err)
		}
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateJSON(data); err != nil {
		t.Fatal(err)
	}
	back, err := Load(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if back.Summary != r.Summary || len(back.Items) != len(r.Items) || !back.Started.Equal(r.Started) {
		t.Fatalf("report.json does not round-trip: %+v vs %+v", back.Summary, r.Summary)
	}
}

func TestWriteAllReportsUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAll(synthReport(3), filepath.Join(file, "sub")); err == nil {
		t.Fatal("WriteAll into a path below a file succeeded")
	}
}

func TestJUnitOneTestcasePerItem(t *testing.T) {
	r := synthReport(500)
	var b bytes.Buffer
	if err := EncodeJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("junit.xml is not well-formed: %v", err)
	}
	wantSkipped := r.Summary.Skipped + r.Summary.NotCovered + r.Summary.Unprovokable
	if doc.Tests != len(r.Items) || doc.Failures != r.Summary.Failed || doc.Skipped != wantSkipped {
		t.Fatalf("testsuites tests=%d failures=%d skipped=%d, want %d %d %d",
			doc.Tests, doc.Failures, doc.Skipped, len(r.Items), r.Summary.Failed, wantSkipped)
	}
	byID := map[string]Item{}
	for _, it := range r.Items {
		byID[it.ID] = it
	}
	seen := map[string]bool{}
	var fails, skips int
	for _, s := range doc.Suites {
		sf, ss := 0, 0
		for _, c := range s.Cases {
			it, ok := byID[c.Name]
			if !ok || seen[c.Name] {
				t.Fatalf("testcase %q: unknown or repeated", c.Name)
			}
			seen[c.Name] = true
			if c.Classname != it.Dialect+"/"+it.Kind || s.Name != it.Dialect {
				t.Errorf("%s: classname %q in suite %q", c.Name, c.Classname, s.Name)
			}
			switch it.Verdict {
			case Fail:
				if c.Failure == nil || c.Skipped != nil {
					t.Fatalf("%s: failed item without <failure>", c.Name)
				}
				if !strings.Contains(c.Failure.Text, it.Message) || !strings.Contains(c.Failure.Text, it.Sources[0]) {
					t.Errorf("%s: failure text lacks the message or the cited doc: %q", c.Name, c.Failure.Text)
				}
				if c.Failure.Message == "" {
					t.Errorf("%s: empty failure message attribute", c.Name)
				}
				fails++
				sf++
			case Pass:
				if c.Failure != nil || c.Skipped != nil {
					t.Errorf("%s: passed item marked failed/skipped", c.Name)
				}
			default:
				if c.Skipped == nil || c.Failure != nil {
					t.Fatalf("%s (%s): want <skipped>", c.Name, it.Verdict)
				}
				if !strings.Contains(c.Skipped.Message, strings.Split(it.Verdict, "_")[0]) && it.Verdict != Skip {
					t.Errorf("%s: skipped message %q does not say %s", c.Name, c.Skipped.Message, it.Verdict)
				}
				skips++
				ss++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != sf || s.Skipped != ss {
			t.Errorf("suite %s: counts %d/%d/%d, cases %d/%d/%d", s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), sf, ss)
		}
	}
	if len(seen) != len(r.Items) || fails != r.Summary.Failed || skips != wantSkipped {
		t.Fatalf("testcases %d fails %d skips %d, want %d %d %d", len(seen), fails, skips, len(r.Items), r.Summary.Failed, wantSkipped)
	}
}

func TestJUnitSurvivesInvalidXMLCharacters(t *testing.T) {
	r := synthReport(3)
	r.Items[0].Verdict, r.Items[0].Message = Fail, "nul \x00 bell \x07 ok"
	r.Recount()
	var b bytes.Buffer
	if err := EncodeJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("control characters made junit.xml malformed: %v", err)
	}
}

func TestMarkdownSummaryAndFailures(t *testing.T) {
	r := synthReport(400)
	var b bytes.Buffer
	if err := EncodeMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	s := r.Summary
	for _, want := range []string{
		"# batchconform conformance report",
		"## Summary", "## Coverage", "## Failures",
		itoa(s.Passed) + " passed", itoa(s.Failed) + " failed", itoa(s.Skipped) + " skipped",
		itoa(s.NotCovered) + " not covered", itoa(s.Unprovokable) + " unprovokable",
		"| tencent-batch | ", "http://127.0.0.1:9000",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	c := r.Coverage["tencent-batch"]
	if !strings.Contains(md, itoa(c.Rules.Covered)+"/"+itoa(c.Rules.Documented)) {
		t.Errorf("report.md lacks the rules coverage %d/%d", c.Rules.Covered, c.Rules.Documented)
	}
	failures := md[strings.Index(md, "## Failures"):]
	for _, it := range r.Failures() {
		if !strings.Contains(failures, "`"+it.ID+"`") {
			t.Errorf("failure %s missing from report.md", it.ID)
		}
	}
	if !strings.Contains(failures, "seeds/003-SubmitJob.md") {
		t.Error("failures do not cite their sources")
	}
	// MUST failures come before SHOULD failures.
	if i, j := strings.Index(failures, "### SHOULD"), strings.LastIndex(failures, "### MUST"); i >= 0 && j > i {
		t.Error("a MUST failure follows a SHOULD failure")
	}
	// Messages sit in code fences (shown literally); everything else must
	// not carry raw HTML.
	outside := regexp.MustCompile("(?s)```.*?```").ReplaceAllString(md, "")
	if strings.Contains(outside, "<img") || strings.Contains(outside, "<script") {
		t.Error("report.md carries raw HTML outside code fences")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestHTMLSelfContained(t *testing.T) {
	r := synthReport(300)
	r.Target.Endpoints["evil"] = `"><script src="http://evil.example/x.js"></script>`
	var b bytes.Buffer
	if err := EncodeHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	lower := strings.ToLower(page)
	for _, bad := range []string{`src="http`, `href="http`, `src=http`, `href=http`, `@import`, `url(http`, `url(//`, `src="//`, `href="//`, `<link`, `<iframe`, `<img`} {
		if strings.Contains(lower, bad) {
			t.Errorf("report.html references something external: %q", bad)
		}
	}
	if !strings.Contains(page, `Content-Security-Policy" content="default-src &#39;none&#39;;`) {
		t.Error("report.html lacks its Content-Security-Policy")
	}
}

func TestHTMLEscapesHostileText(t *testing.T) {
	r := synthReport(10) // includes an item whose every text field is hostileText
	r.Tool.Version = hostileText
	var b bytes.Buffer
	if err := EncodeHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(strings.ToLower(page), "</script"); n != 2 {
		t.Errorf("report.html has %d </script sequences, want exactly 2 (data and code)", n)
	}
	before, _, after, ok := splitData(page)
	if !ok {
		t.Fatal("no #bc-data block")
	}
	markup := before + after // in the data, the text is JSON-escaped
	for _, bad := range []string{"<img", "<script>alert", "<script src"} {
		if strings.Contains(markup, bad) {
			t.Errorf("hostile text reached report.html unescaped: %q", bad)
		}
	}
	// The hostile text is still there, as data: the script block decodes to it.
	data := extractData(t, page)
	found := false
	for _, it := range data.Items {
		if it.Message == hostileText && it.Title == hostileText {
			found = true
		}
	}
	if !found {
		t.Error("the hostile item's message did not survive as data")
	}
	if !strings.Contains(page, "&lt;/script&gt;&lt;img") { // the version in the header
		t.Error("header text not HTML-escaped")
	}
}

const dataOpen = `<script type="application/json" id="bc-data">`

// splitData cuts page into the markup before the data block, the data, and
// the markup after it (a regexp over 2 MB is slow under -race).
func splitData(page string) (before, data, after string, ok bool) {
	before, rest, ok := strings.Cut(page, dataOpen)
	if !ok {
		return "", "", "", false
	}
	data, after, ok = strings.Cut(rest, "</script>")
	return before, data, after, ok
}

func extractData(t testing.TB, page string) htmlData {
	t.Helper()
	_, data, _, ok := splitData(page)
	if !ok {
		t.Fatal("no #bc-data block")
	}
	var d htmlData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatalf("#bc-data is not JSON: %v", err)
	}
	return d
}

func TestHTMLTruncatesEvidenceAndStaysSmall(t *testing.T) {
	t.Run("typical run", func(t *testing.T) { checkHTMLSize(t, synthReport(1900)) })
	t.Run("every item with its own large evidence", func(t *testing.T) {
		r := synthReport(1900)
		for i := range r.Items {
			ev, _ := json.Marshal(map[string]any{"request_id": itoa(i), "request": strings.Repeat("q", 6000), "response": strings.Repeat("r", 6000)})
			r.Items[i].Evidence = ev
		}
		d := checkHTMLSize(t, r)
		if d.Cap >= htmlFieldCap {
			t.Errorf("cap %d: the page should have lowered it to stay within budget", d.Cap)
		}
	})
	t.Run("long messages and evidence everywhere", func(t *testing.T) {
		r := synthReport(1900)
		for i := range r.Items {
			r.Items[i].Message = strings.Repeat("m", 10000)
			r.Items[i].Title = strings.Repeat("t", 300)
			ev, _ := json.Marshal(map[string]any{"request_id": itoa(i), "request": strings.Repeat("q", 3000), "response": strings.Repeat("r", 3000), "url": strings.Repeat("u", 200)})
			r.Items[i].Evidence = ev
		}
		d := checkHTMLSize(t, r)
		omitted := 0
		for _, it := range d.Items {
			if it.Omitted {
				omitted++
				if it.Verdict == Fail && len(d.Evidence) > 0 {
					t.Errorf("%s: a failure's evidence was left out while other evidence was kept", it.ID)
				}
			}
		}
		if omitted == 0 {
			t.Error("nothing was left out, yet a page with all evidence cannot fit")
		}
	})
}

func checkHTMLSize(t *testing.T, r *Report) htmlData {
	var b bytes.Buffer
	// encodeHTML skips prepare's redaction: these tests are about size, and
	// redacting 40 MB of synthetic text under -race takes minutes.
	if err := encodeHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= 2<<20 {
		t.Fatalf("report.html is %d bytes for %d items, want < 2 MB", b.Len(), len(r.Items))
	}
	d := extractData(t, b.String())
	if len(d.Items) != len(r.Items) {
		t.Fatalf("%d items in the page, want %d", len(d.Items), len(r.Items))
	}
	truncated := 0
	for _, it := range d.Items {
		if len(it.Message) > d.Cap+200 {
			t.Fatalf("%s: message is %d bytes, cap %d", it.ID, len(it.Message), d.Cap)
		}
		if strings.Contains(it.Message, "[truncated: ") {
			truncated++
		}
	}
	for _, ev := range d.Evidence {
		for _, f := range ev {
			if len(f.V) > d.Cap+200 {
				t.Fatalf("evidence field %s is %d bytes, cap %d", f.K, len(f.V), d.Cap)
			}
			if strings.Contains(f.V, "[truncated: ") {
				truncated++
			}
		}
	}
	if truncated == 0 {
		t.Fatal("nothing was truncated, yet the synthetic report has 200 KB bodies")
	}
	t.Logf("report.html: %d bytes for %d items (%d distinct evidence, cap %d bytes)", b.Len(), len(r.Items), len(d.Evidence), d.Cap)
	return d
}

func TestHTMLEvidenceFields(t *testing.T) {
	ev := []byte(`{"method":"POST","url":"http://h/","action":"SubmitJob","status":200,"request":"{\"A\":1}","response":"plain\ntext","request_id":"rid-1","duration_ns":1500000,"started":"0001-01-01T00:00:00Z","extra":{"k":[1,2]}}`)
	got := evidenceFields(ev)
	var keys []string
	for _, f := range got {
		keys = append(keys, f.K)
	}
	if strings.Join(keys, ",") != "action,method,url,status,request_id,duration,request,response,extra" {
		t.Fatalf("fields %v", keys)
	}
	byKey := map[string]htmlField{}
	for _, f := range got {
		byKey[f.K] = f
	}
	if f := byKey["request"]; !f.P || f.V != "{\n  \"A\": 1\n}" {
		t.Errorf("request not pretty-printed: %+v", f)
	}
	if f := byKey["duration"]; f.V != (1500 * time.Microsecond).String() {
		t.Errorf("duration %+v", f)
	}
	if f := byKey["extra"]; !f.P || !strings.Contains(f.V, "\"k\"") {
		t.Errorf("nested value %+v", f)
	}
	if got := evidenceFields([]byte(`[1,2]`)); len(got) != 1 || got[0].K != "evidence" || !got[0].P {
		t.Errorf("array evidence: %+v", got)
	}
}

// BenchmarkWriteAll measures writing the four files for a run of ~1900 items.
func BenchmarkWriteAll(b *testing.B) {
	r := synthReport(1900)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WriteAll(r, dir); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	st, err := os.Stat(filepath.Join(dir, FileHTML))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size()), "html-bytes")
	if js, err := os.Stat(filepath.Join(dir, FileJSON)); err == nil {
		b.ReportMetric(float64(js.Size()), "json-bytes")
	}
}

func TestJSONStrLenMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", hostileText, "tab\there\nnl\r\x01\x1f", "中文 ü \u2028 \u2029", `back\slash "q"`} {
		b, _ := json.Marshal(s)
		if got := jsonStrLen(s); got != len(b) {
			t.Errorf("jsonStrLen(%q) = %d, json.Marshal writes %d", s, got, len(b))
		}
	}
}

func TestWritersRedactSecrets(t *testing.T) {
	const secret = "sk-writers-test-9f8e7d6c5b4a"
	redact.Value(secret) // as the run registers the target's SecretKey
	r := synthReport(30)
	for i := range r.Items {
		r.Items[i].Message = "signed with " + secret
		ev, _ := json.Marshal(map[string]any{"request": `{"SecretKey":"also-secret-value","Password":"pw-123456"}`, "note": secret})
		r.Items[i].Evidence = ev
	}
	r.Items[0].Verdict = Fail
	r.Recount()
	paths, err := WriteAll(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{secret, "also-secret-value", "pw-123456"} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the secret %q", filepath.Base(p), s)
			}
		}
	}
	if !strings.Contains(r.Items[0].Message, secret) {
		t.Error("the writers modified the caller's report")
	}
}

func TestWritersOnEmptyReport(t *testing.T) {
	paths, err := WriteAll(&Report{}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateJSON(data); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(paths[3])
	if err != nil {
		t.Fatal(err)
	}
	if d := extractData(t, string(page)); len(d.Items) != 0 || d.Evidence == nil || d.Strings == nil {
		t.Fatalf("empty report's page data: %+v", d)
	}
}

// The files are written concurrently; each must still be exactly what its
// encoder gives alone, and the extras land after the report's own.
func TestWriteAllConcurrentFilesMatchTheEncoders(t *testing.T) {
	dir := t.TempDir()
	r := synthReport(300)
	gr := types.Report{SuiteDescription: "batchconform conformance", SuiteSucceeded: true,
		SpecReports: types.SpecReports{{LeafNodeText: "a spec", State: types.SpecStatePassed}}}
	paths, err := WriteAll(r, dir, GinkgoFiles(gr)...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{FileJSON, FileJUnit, FileMarkdown, FileHTML, FileGinkgoJSON, FileGinkgoJUnit}
	if len(paths) != len(want) {
		t.Fatalf("paths = %v, want %v", paths, want)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("path %d = %s, want %s", i, p, want[i])
		}
	}
	for _, c := range []struct {
		file   string
		encode func(*bytes.Buffer) error
	}{
		{FileJSON, func(b *bytes.Buffer) error { return EncodeJSON(b, r) }},
		{FileJUnit, func(b *bytes.Buffer) error { return EncodeJUnit(b, r) }},
		{FileMarkdown, func(b *bytes.Buffer) error { return EncodeMarkdown(b, r) }},
	} {
		var b bytes.Buffer
		if err := c.encode(&b); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, b.Bytes()) {
			t.Errorf("%s written by WriteAll differs from its encoder's output (%d vs %d bytes)", c.file, len(got), b.Len())
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, FileGinkgoJSON))
	if err != nil {
		t.Fatal(err)
	}
	var back []types.Report
	if err := json.Unmarshal(data, &back); err != nil || len(back) != 1 || len(back[0].SpecReports) != 1 ||
		back[0].SpecReports[0].LeafNodeText != "a spec" {
		t.Fatalf("%s does not hold the Ginkgo report: %v %+v", FileGinkgoJSON, err, back)
	}
}

// A failing extra is reported by name; the other files are still written.
func TestWriteAllReportsAFailingExtra(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("disk full")
	paths, err := WriteAll(synthReport(3), dir, Extra{"x.json", func(string) error { return boom }})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "x.json") {
		t.Fatalf("error %v, want the extra's, naming x.json", err)
	}
	if len(paths) != 4 {
		t.Fatalf("paths %v, want the report's four files", paths)
	}
}
