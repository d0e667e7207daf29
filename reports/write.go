package reports

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/batchconform/batchconform/redact"
)

// File names WriteAll writes (pinned by the CLI's `run --out DIR`).
const (
	FileJSON     = "report.json"
	FileJUnit    = "junit.xml"
	FileMarkdown = "report.md"
	FileHTML     = "report.html"
)

// Extra is one more file for WriteAll to write alongside the report's own
// (the run's Ginkgo reports: GinkgoFiles): Write creates the file at path.
type Extra struct {
	Name  string
	Write func(path string) error
}

// GinkgoFiles are Ginkgo's own reports of a run, ginkgo-report.json and
// ginkgo-junit.xml, for WriteAll to write alongside.
func GinkgoFiles(gr types.Report) []Extra {
	return []Extra{
		{FileGinkgoJSON, func(path string) error { return writeGinkgoJSON(gr, path) }},
		{FileGinkgoJUnit, func(path string) error { return reporters.GenerateJUnitReport(gr, path) }},
	}
}

// writeGinkgoJSON writes what Ginkgo's reporters.GenerateJSONReport writes
// (a one-element array of the report), without its indentation: indenting
// a whole run's 10 MB report took three times the CPU of encoding it, and
// this file was the last of a run's reports to be done (issue 12).
func writeGinkgoJSON(gr types.Report, path string) error {
	return writeFile(path, func(w io.Writer) error { return json.NewEncoder(w).Encode([]types.Report{gr}) })
}

// Names of Ginkgo's reports in a run's output directory.
const (
	FileGinkgoJSON  = "ginkgo-report.json"
	FileGinkgoJUnit = "ginkgo-junit.xml"
)

// WriteAll writes report.json, junit.xml, report.md and report.html into dir
// (created if needed), then any extra files, and returns their paths in that
// order. The files are written concurrently: each encoder only reads the
// prepared report, and after a full run they take seconds one after another
// (report.json and Ginkgo's JSON are megabytes). On errors it returns the
// paths of the files written and every error, in file order.
func WriteAll(r *Report, dir string, extra ...Extra) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	p := prepare(r)
	files := []Extra{}
	for _, w := range []struct {
		name   string
		encode func(io.Writer, *Report) error
	}{
		{FileJSON, encodeJSON}, {FileJUnit, encodeJUnit}, {FileMarkdown, encodeMarkdown}, {FileHTML, encodeHTML},
	} {
		w := w
		files = append(files, Extra{w.name, func(path string) error {
			return writeFile(path, func(out io.Writer) error { return w.encode(out, p) })
		}})
	}
	for _, x := range extra {
		files = append(files, Extra{x.Name, func(path string) error {
			if err := x.Write(path); err != nil {
				return fmt.Errorf("reports: write %s: %w", path, err)
			}
			return nil
		}})
	}
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.Write(filepath.Join(dir, f.Name))
		}()
	}
	wg.Wait()
	paths := make([]string, 0, len(files))
	for i, f := range files {
		if errs[i] == nil {
			paths = append(paths, filepath.Join(dir, f.Name))
		}
	}
	return paths, errors.Join(errs...)
}

// writeFile creates path and runs encode on a buffered writer, reporting the
// first error of encoding, flushing or closing.
func writeFile(path string, encode func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = encode(bw)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	return nil
}

// WriteJSON writes report.json (schema_version 1).
func WriteJSON(r *Report, path string) error {
	return writeFile(path, func(w io.Writer) error { return EncodeJSON(w, r) })
}

// EncodeJSON writes r as indented JSON (see prepare; r is not modified).
func EncodeJSON(w io.Writer, r *Report) error { return encodeJSON(w, prepare(r)) }

func encodeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode report.json: %w", err)
	}
	return nil
}

// prepare returns a shallow copy of r ready to write: slices and maps
// non-nil (the schema wants [] and {}, never null) and messages and evidence
// passed through redact once more — Build redacts already, but the writers
// are the last line before a file, and a report may come from elsewhere
// (Load, Merge). Identical evidence (one spec's, shared by its items) is
// redacted once.
func prepare(r *Report) *Report {
	n := *r
	if n.SchemaVersion == 0 {
		n.SchemaVersion = 1
	}
	if n.Tool.Name == "" {
		n.Tool.Name = "batchconform"
	}
	if n.Target.Endpoints == nil {
		n.Target.Endpoints = map[string]string{}
	}
	if n.Target.Dialects == nil {
		n.Target.Dialects = []string{}
	}
	if n.Coverage == nil {
		n.Coverage = map[string]Coverage{}
	}
	evCache := map[string]json.RawMessage{}
	secretKey := map[string]bool{}
	n.Items = make([]Item, len(r.Items))
	for i, it := range r.Items {
		if it.Sources == nil {
			it.Sources = []string{}
		}
		if it.Specs == nil {
			it.Specs = []string{}
		}
		it.Message = redact.String(it.Message)
		if len(it.Evidence) > 0 {
			key := string(it.Evidence)
			ev, ok := evCache[key]
			if !ok {
				ev = redactEvidence(it.Evidence, secretKey)
				if !json.Valid(ev) {
					// Never let one bad evidence blob make the report unwritable.
					ev, _ = json.Marshal(map[string]string{"invalid_evidence": string(ev)})
				}
				evCache[key] = ev
			}
			it.Evidence = ev
		}
		n.Items[i] = it
	}
	return &n
}

// redactEvidence masks secrets in evidence, including inside string values
// that hold a nested document (a request body kept as a JSON string, where
// the quotes are escaped and a pattern over the outer text would not match):
// every string leaf goes through redact, and so does every value under a key
// redact treats as secret. One pass over the text, like redacting it whole.
func redactEvidence(raw json.RawMessage, secretKey map[string]bool) json.RawMessage {
	v, err := decodeNumbers(raw)
	if err != nil {
		return json.RawMessage(redact.String(string(raw)))
	}
	isSecret := func(k string) bool {
		s, ok := secretKey[k]
		if !ok {
			probe, _ := json.Marshal(map[string]string{k: "probe-value"})
			s = redact.String(string(probe)) != string(probe)
			secretKey[k] = s
		}
		return s
	}
	changed := false
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			if r := redact.String(t); r != t {
				changed = true
				return r
			}
		case map[string]any:
			for k, e := range t {
				if e != nil && isSecret(k) {
					t[k], changed = redact.Mask, true
					continue
				}
				t[k] = walk(e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
		}
		return x
	}
	v = walk(v)
	if !changed {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(redact.String(string(raw)))
	}
	return b
}

// JUnit XML (the schema Jenkins, GitLab and GitHub actions read).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes junit.xml: one testsuite per dialect, one testcase per
// catalog item (classname dialect/kind, name the item ID), so CI shows
// documented behaviour rather than spec plumbing.
func WriteJUnit(r *Report, path string) error {
	return writeFile(path, func(w io.Writer) error { return EncodeJUnit(w, r) })
}

// EncodeJUnit writes r as JUnit XML.
func EncodeJUnit(w io.Writer, r *Report) error { return encodeJUnit(w, prepare(r)) }

func encodeJUnit(w io.Writer, r *Report) error {
	secs := fmt.Sprintf("%.3f", r.DurationSeconds)
	out := junitSuites{Name: "batchconform", Time: secs}
	byDialect := map[string]*junitSuite{}
	var order []string
	for _, it := range r.Items {
		s := byDialect[it.Dialect]
		if s == nil {
			s = &junitSuite{Name: it.Dialect, Time: secs}
			if !r.Started.IsZero() {
				s.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
			}
			if ep := r.Target.Endpoints[it.Dialect]; ep != "" {
				s.Properties = append(s.Properties, junitProperty{Name: "endpoint", Value: ep})
			}
			byDialect[it.Dialect] = s
			order = append(order, it.Dialect)
		}
		c := junitCase{Name: it.ID, Classname: it.Dialect + "/" + it.Kind, Time: "0"}
		switch it.Verdict {
		case Fail:
			c.Failure = &junitMessage{Message: headline(it.Message, 200), Type: it.Level, Text: failureText(it)}
			s.Failures++
		case Skip, NotCovered, Unprovokable:
			c.Skipped = &junitMessage{Message: skipMessage(it)}
			s.Skipped++
		}
		if len(it.Specs) > 0 {
			c.SystemOut = "specs:\n  " + strings.Join(it.Specs, "\n  ")
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, d := range order {
		s := byDialect[d]
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode junit.xml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// failureText is a failure's body: the message, then the documents the item
// cites (what the reader checks the behaviour against).
func failureText(it Item) string {
	var b strings.Builder
	if it.Title != "" {
		b.WriteString(it.Title + "\n\n")
	}
	b.WriteString(it.Message)
	if len(it.Sources) > 0 {
		b.WriteString("\n\nsources:\n  " + strings.Join(it.Sources, "\n  "))
	}
	return b.String()
}

func skipMessage(it Item) string {
	switch it.Verdict {
	case NotCovered:
		return "not covered: no spec checked this item"
	case Unprovokable:
		if it.Unprovokable != "" {
			return "unprovokable: " + it.Unprovokable
		}
		return "unprovokable"
	}
	if m := headline(it.Message, 200); m != "" {
		return "skipped: " + m
	}
	return "skipped"
}

// headline is the first non-empty line of s, cut to max bytes (at a rune
// boundary).
func headline(s string, max int) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return cutString(line, max)
		}
	}
	return ""
}

func cutString(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !isRuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// WriteMarkdown writes report.md: summary, coverage, then the failures with
// the documents they cite.
func WriteMarkdown(r *Report, path string) error {
	return writeFile(path, func(w io.Writer) error { return EncodeMarkdown(w, r) })
}

// Score is the share of checked items that passed (0 when nothing was
// checked), in percent.
func (s Summary) Score() float64 {
	if s.Passed+s.Failed == 0 {
		return 0
	}
	return 100 * float64(s.Passed) / float64(s.Passed+s.Failed)
}

// Total is the number of items.
func (s Summary) Total() int {
	return s.Passed + s.Failed + s.Skipped + s.NotCovered + s.Unprovokable
}

// EncodeMarkdown writes r as Markdown.
func EncodeMarkdown(w io.Writer, r *Report) error { return encodeMarkdown(w, prepare(r)) }

func encodeMarkdown(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	p := ew.printf
	s := r.Summary
	p("# batchconform conformance report\n\n")
	p("- tool: %s %s\n", orDash(r.Tool.Name), orDash(r.Tool.Version))
	for _, d := range sortedStringKeys(r.Target.Endpoints) {
		p("- target %s: `%s`\n", d, mdInline(r.Target.Endpoints[d]))
	}
	mode := "live"
	if r.Target.Embedded {
		mode = "embedded emulator"
	} else if !r.Target.Live {
		mode = "emulator"
	}
	p("- mode: %s\n", mode)
	if !r.Started.IsZero() {
		p("- started: %s, duration %s, seed %d\n", r.Started.UTC().Format(time.RFC3339),
			time.Duration(r.DurationSeconds*float64(time.Second)).Round(time.Millisecond), r.Seed)
	}
	p("\n## Summary\n\n")
	p("**%d items: %d passed, %d failed, %d skipped, %d not covered, %d unprovokable** — score %.1f%% (passed of checked)\n\n",
		s.Total(), s.Passed, s.Failed, s.Skipped, s.NotCovered, s.Unprovokable, s.Score())
	must, should := 0, 0
	for _, it := range r.Items {
		if it.Verdict == Fail {
			if it.Level == "MUST" {
				must++
			} else {
				should++
			}
		}
	}
	p("Failures: %d MUST, %d SHOULD.\n\n", must, should)

	// Counts by dialect, kind and level.
	type key struct{ dialect, kind, level string }
	counts := map[key]*[5]int{}
	var keys []key
	for _, it := range r.Items {
		k := key{it.Dialect, it.Kind, it.Level}
		c := counts[k]
		if c == nil {
			c = new([5]int)
			counts[k] = c
			keys = append(keys, k)
		}
		c[verdictIndex(it.Verdict)]++
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.dialect != b.dialect {
			return a.dialect < b.dialect
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.level < b.level
	})
	if len(keys) > 0 {
		p("| dialect | kind | level | pass | fail | skip | not covered | unprovokable |\n")
		p("|---|---|---|---:|---:|---:|---:|---:|\n")
		for _, k := range keys {
			c := counts[k]
			p("| %s | %s | %s | %d | %d | %d | %d | %d |\n", k.dialect, k.kind, k.level, c[0], c[1], c[2], c[3], c[4])
		}
		p("\n")
	}

	p("## Coverage\n\nDocumented by the catalog vs checked by a spec (pass or fail).\n\n")
	p("| dialect | actions | error codes | transitions | rules |\n|---|---:|---:|---:|---:|\n")
	for _, d := range sortedCoverageKeys(r.Coverage) {
		c := r.Coverage[d]
		p("| %s | %s | %s | %s | %s |\n", d, covCell(c.Actions), covCell(c.ErrorCodes), covCell(c.Transitions), covCell(c.Rules))
	}
	p("\n")

	fails := r.Failures()
	sort.SliceStable(fails, func(i, j int) bool { // MUST first, then by ID (already sorted)
		return fails[i].Level == "MUST" && fails[j].Level != "MUST"
	})
	p("## Failures (%d)\n\n", len(fails))
	if len(fails) == 0 {
		p("None.\n")
	}
	for _, it := range fails {
		p("### %s `%s`\n\n", it.Level, mdInline(it.ID))
		if it.Title != "" {
			p("%s\n\n", mdText(it.Title))
		}
		if it.Message != "" {
			fence := mdFence(it.Message)
			p("%s\n%s\n%s\n\n", fence, strings.TrimRight(it.Message, "\n"), fence)
		}
		if len(it.Sources) > 0 {
			p("Sources:\n")
			for _, src := range it.Sources {
				p("- %s\n", mdText(src))
			}
			p("\n")
		}
		if len(it.Specs) > 0 {
			p("Specs:\n")
			for _, sp := range it.Specs {
				p("- %s\n", mdText(sp))
			}
			p("\n")
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func verdictIndex(v string) int {
	switch v {
	case Pass:
		return 0
	case Fail:
		return 1
	case Skip:
		return 2
	case NotCovered:
		return 3
	}
	return 4
}

func covCell(c Count) string {
	if c.Documented == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d (%.0f%%)", c.Covered, c.Documented, 100*float64(c.Covered)/float64(c.Documented))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// mdInline makes s safe inside `code`.
func mdInline(s string) string { return strings.ReplaceAll(s, "`", "'") }

// mdText keeps s on one line and stops it from opening HTML in renderers that
// allow it.
func mdText(s string) string {
	return strings.NewReplacer("\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// mdFence returns a code fence longer than any backtick run in s.
func mdFence(s string) string {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	if longest < 3 {
		return "```"
	}
	return strings.Repeat("`", longest+1)
}

func sortedStringKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedCoverageKeys(m map[string]Coverage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
