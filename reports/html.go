package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// report.html is one self-contained page: the data is embedded as JSON in a
// <script type="application/json"> block and rendered by a small inline
// script; nothing is loaded from elsewhere (a Content-Security-Policy with
// default-src 'none' enforces it, and allows only that script, by hash).
//
// Size: messages and evidence strings are cut to 4 KB with a marker; if a
// large run would still push the page past its budget, the cap is lowered step
// by step (see buildHTMLData). report.json keeps everything.

const (
	htmlFieldCap = 4 << 10
	// htmlRoom bounds the embedded JSON: with the page around it (~25 KB) and
	// the coverage section, report.html stays under the 2 MB the issue asks for.
	htmlRoom = 1900 << 10
)

// htmlCaps are the per-field caps tried in turn for messages and evidence.
var htmlCaps = []int{4 << 10, 2 << 10, 1 << 10, 512, 256}

// WriteHTML writes report.html.
func WriteHTML(r *Report, path string) error {
	return writeFile(path, func(w io.Writer) error { return EncodeHTML(w, r) })
}

// EncodeHTML writes r as one self-contained HTML page.
func EncodeHTML(w io.Writer, r *Report) error { return encodeHTML(w, prepare(r)) }

func encodeHTML(w io.Writer, r *Report) error {
	page, err := newHTMLPage(r)
	if err != nil {
		return err
	}
	if err := htmlPage.Execute(w, page); err != nil {
		return fmt.Errorf("render report.html: %w", err)
	}
	return nil
}

// htmlData is the JSON the script renders. Keys are short: the page carries
// ~2000 of them.
type htmlData struct {
	Items    []htmlItem    `json:"items"`
	Strings  []string      `json:"strings"`  // sources and spec names, referenced by index
	Evidence [][]htmlField `json:"evidence"` // deduplicated, referenced by index
	Cap      int           `json:"cap"`      // the evidence cap used, for the page's note
}

type htmlItem struct {
	ID       string `json:"i"`
	Dialect  string `json:"d"`
	Kind     string `json:"k"`
	Level    string `json:"l"`
	Verdict  string `json:"v"`
	Title    string `json:"t,omitempty"`
	Message  string `json:"m,omitempty"`
	Reason   string `json:"r,omitempty"`
	Sources  []int  `json:"s,omitempty"`
	Specs    []int  `json:"p,omitempty"`
	Evidence int    `json:"e"`           // index into Evidence, -1 for none
	Omitted  bool   `json:"x,omitempty"` // evidence left out of the page for size
}

// htmlField is one line of evidence: K label, V text, P pre-formatted.
type htmlField struct {
	K string `json:"k"`
	V string `json:"v"`
	P bool   `json:"p,omitempty"`
}

type htmlPageData struct {
	Title     string
	Report    *Report
	Mode      string
	Started   string
	Duration  string
	Summary   Summary
	Score     string
	Bars      []htmlBar
	Coverage  []htmlCoverage
	Options   map[string][]string
	Data      template.JS
	Script    template.JS
	CSS       template.CSS
	CSP       string
	Endpoints [][2]string
}

type htmlBar struct {
	Verdict string
	Count   int
	Pct     string
}

type htmlCoverage struct {
	Dialect string
	Rows    []htmlCovRow
}

type htmlCovRow struct {
	Name                string
	Covered, Documented int
	Pct                 int
}

func newHTMLPage(r *Report) (*htmlPageData, error) {
	_, js, err := buildHTMLData(r)
	if err != nil {
		return nil, err
	}
	p := &htmlPageData{
		Title:   "batchconform report",
		Report:  r,
		Summary: r.Summary,
		Score:   fmt.Sprintf("%.1f%%", r.Summary.Score()),
		Data:    template.JS(js),
		Script:  template.JS(htmlScript),
		CSS:     template.CSS(htmlCSS),
		CSP:     htmlCSP,
		Options: map[string][]string{},
	}
	switch {
	case r.Target.Live:
		p.Mode = "live"
	case r.Target.Embedded:
		p.Mode = "embedded emulator"
	default:
		p.Mode = "emulator"
	}
	if !r.Started.IsZero() {
		p.Started = r.Started.UTC().Format(time.RFC3339)
	}
	p.Duration = time.Duration(r.DurationSeconds * float64(time.Second)).Round(time.Millisecond).String()
	for _, d := range sortedStringKeys(r.Target.Endpoints) {
		p.Endpoints = append(p.Endpoints, [2]string{d, r.Target.Endpoints[d]})
	}
	total := r.Summary.Total()
	for _, b := range []struct {
		v string
		n int
	}{{Pass, r.Summary.Passed}, {Fail, r.Summary.Failed}, {Skip, r.Summary.Skipped}, {NotCovered, r.Summary.NotCovered}, {Unprovokable, r.Summary.Unprovokable}} {
		pct := "0"
		if total > 0 {
			pct = fmt.Sprintf("%.2f", 100*float64(b.n)/float64(total))
		}
		p.Bars = append(p.Bars, htmlBar{Verdict: b.v, Count: b.n, Pct: pct})
	}
	for _, d := range sortedCoverageKeys(r.Coverage) {
		c := r.Coverage[d]
		hc := htmlCoverage{Dialect: d}
		for _, row := range []struct {
			name string
			c    Count
		}{{"actions", c.Actions}, {"error codes", c.ErrorCodes}, {"transitions", c.Transitions}, {"rules", c.Rules}} {
			pct := 0
			if row.c.Documented > 0 {
				pct = 100 * row.c.Covered / row.c.Documented
			}
			hc.Rows = append(hc.Rows, htmlCovRow{Name: row.name, Covered: row.c.Covered, Documented: row.c.Documented, Pct: pct})
		}
		p.Coverage = append(p.Coverage, hc)
	}
	opts := map[string]map[string]bool{"dialect": {}, "kind": {}, "level": {}}
	for _, it := range r.Items {
		opts["dialect"][it.Dialect] = true
		opts["kind"][it.Kind] = true
		opts["level"][it.Level] = true
	}
	for name, set := range opts {
		for v := range set {
			p.Options[name] = append(p.Options[name], v)
		}
		sort.Strings(p.Options[name])
	}
	p.Options["verdict"] = []string{Pass, Fail, Skip, NotCovered, Unprovokable}
	return p, nil
}

// buildHTMLData makes the page's data and its JSON. Messages and evidence
// strings are cut to the largest cap in htmlCaps that keeps the JSON within
// htmlRoom; if even the smallest is too big, evidence is left out of the page
// (first for items that did not fail, then for all) with a note pointing to
// report.json.
func buildHTMLData(r *Report) (*htmlData, []byte, error) {
	strs := []string{}
	strIdx := map[string]int{}
	intern := func(ss []string) []int {
		if len(ss) == 0 {
			return nil
		}
		out := make([]int, len(ss))
		for i, s := range ss {
			n, ok := strIdx[s]
			if !ok {
				n = len(strs)
				strs = append(strs, s)
				strIdx[s] = n
			}
			out[i] = n
		}
		return out
	}
	evIdx := map[string]int{}
	var full [][]htmlField // deduplicated, pretty-printed, not yet cut
	items := make([]htmlItem, 0, len(r.Items))
	for _, it := range r.Items {
		hi := htmlItem{ID: it.ID, Dialect: it.Dialect, Kind: it.Kind, Level: it.Level, Verdict: it.Verdict,
			Title: cutString(it.Title, htmlFieldCap), Message: it.Message, Reason: it.Unprovokable,
			Sources: intern(it.Sources), Specs: intern(it.Specs), Evidence: -1}
		if ev := bytes.TrimSpace(it.Evidence); len(ev) > 0 && string(ev) != "null" {
			key := string(ev)
			n, ok := evIdx[key]
			if !ok {
				n = len(full)
				full = append(full, evidenceFields(ev))
				evIdx[key] = n
			}
			hi.Evidence = n
		}
		items = append(items, hi)
	}
	assemble := func(c int, keep func(htmlItem) bool) (*htmlData, []byte, error) {
		d := &htmlData{Items: make([]htmlItem, len(items)), Strings: strs, Evidence: [][]htmlField{}, Cap: c}
		remap := map[int]int{}
		for i, hi := range items {
			hi.Message = capText(hi.Message, c)
			if hi.Evidence >= 0 && !keep(hi) {
				hi.Evidence, hi.Omitted = -1, true
			}
			if hi.Evidence >= 0 {
				n, ok := remap[hi.Evidence]
				if !ok {
					n = len(d.Evidence)
					d.Evidence = append(d.Evidence, capFields(full[hi.Evidence], c))
					remap[hi.Evidence] = n
				}
				hi.Evidence = n
			}
			d.Items[i] = hi
		}
		// json.Marshal escapes <, > and & (so "</script>" cannot occur) and
		// U+2028/2029: the bytes are safe verbatim inside the script element.
		js, err := json.Marshal(d)
		if err != nil {
			return nil, nil, fmt.Errorf("render report.html: %w", err)
		}
		return d, js, nil
	}
	// Choose the cap and what evidence to keep from estimated sizes (one
	// marshal of a 20 MB worst case per candidate would cost seconds).
	skeleton := make([]htmlItem, len(items))
	for i, hi := range items {
		hi.Message, hi.Omitted = "", true
		skeleton[i] = hi
	}
	base, err := json.Marshal(&htmlData{Items: skeleton, Strings: strs, Evidence: [][]htmlField{}})
	if err != nil {
		return nil, nil, fmt.Errorf("render report.html: %w", err)
	}
	estimate := func(c int, keep func(htmlItem) bool) int {
		n := len(base)
		counted := map[int]bool{}
		for _, hi := range items {
			if hi.Message != "" {
				n += len(`,"m":`) + jsonStrLen(capText(hi.Message, c))
			}
			if hi.Evidence >= 0 && keep(hi) && !counted[hi.Evidence] {
				counted[hi.Evidence] = true
				n += 3
				for _, f := range full[hi.Evidence] {
					n += len(`{"k":,"v":,"p":true},`) + jsonStrLen(f.K) + jsonStrLen(capText(f.V, c))
				}
			}
		}
		return n
	}
	all := func(htmlItem) bool { return true }
	failed := func(hi htmlItem) bool { return hi.Verdict == Fail }
	none := func(htmlItem) bool { return false }
	last := htmlCaps[len(htmlCaps)-1]
	for _, c := range htmlCaps {
		if estimate(c, all) <= htmlRoom {
			return assemble(c, all)
		}
	}
	if estimate(last, failed) <= htmlRoom {
		return assemble(last, failed)
	}
	return assemble(last, none)
}

// jsonStrLen is the length of s as json.Marshal writes it (HTML-escaped).
func jsonStrLen(s string) int {
	n := 2
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}

func capFields(fs []htmlField, c int) []htmlField {
	out := make([]htmlField, len(fs))
	for i, f := range fs {
		f.V = capText(f.V, c)
		out[i] = f
	}
	return out
}

// capText cuts s to max bytes with a marker saying how much was left out.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := cutString(s, max)
	cut = strings.TrimSuffix(cut, "…")
	return cut + fmt.Sprintf("\n… [truncated: %d more bytes; full text in report.json]", len(s)-len(cut))
}

// evidenceOrder puts the usual exchange fields first.
var evidenceOrder = map[string]int{
	"action": 1, "method": 2, "url": 3, "status": 4, "request_id": 5, "duration_ns": 6, "duration": 6,
	"started": 7, "error": 8, "request": 9, "response": 10,
}

// evidenceFields turns one evidence value into labelled lines: an exchange
// object field by field (bodies pretty-printed), anything else as indented
// JSON.
func evidenceFields(raw []byte) []htmlField {
	v, err := decodeNumbers(raw)
	obj, isObj := v.(map[string]any)
	if err != nil || !isObj {
		return []htmlField{{K: "evidence", V: indentJSON(raw), P: true}}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		oi, oj := evidenceOrder[keys[i]], evidenceOrder[keys[j]]
		if oi == 0 {
			oi = 100
		}
		if oj == 0 {
			oj = 100
		}
		if oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	fields := make([]htmlField, 0, len(keys))
	for _, k := range keys {
		switch x := obj[k].(type) {
		case nil:
			continue
		case string:
			if x == "" {
				continue
			}
			if k == "started" && strings.HasPrefix(x, "0001-01-01") {
				continue
			}
			t := strings.TrimSpace(x)
			if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
				fields = append(fields, htmlField{K: k, V: indentJSON([]byte(t)), P: true})
			} else {
				fields = append(fields, htmlField{K: k, V: x, P: strings.Contains(x, "\n") || k == "request" || k == "response"})
			}
		case json.Number:
			if k == "duration_ns" {
				if ns, err := x.Int64(); err == nil {
					fields = append(fields, htmlField{K: "duration", V: time.Duration(ns).String()})
					continue
				}
			}
			fields = append(fields, htmlField{K: k, V: x.String()})
		case bool:
			fields = append(fields, htmlField{K: k, V: fmt.Sprint(x)})
		default:
			b, _ := json.MarshalIndent(x, "", "  ")
			fields = append(fields, htmlField{K: k, V: string(b), P: true})
		}
	}
	return fields
}

func indentJSON(raw []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// htmlCSP allows nothing but the inline styles and the page's own script
// (by hash): no request leaves the page, and injected markup cannot run.
var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlScript))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var htmlPage = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head><body>
<header>
<h1>batchconform conformance report</h1>
<p class="meta">{{.Report.Tool.Name}} {{.Report.Tool.Version}} · {{.Mode}}{{range .Endpoints}} · {{index . 0}}: <code>{{index . 1}}</code>{{end}}{{if .Started}} · started {{.Started}}{{end}} · {{.Duration}} · seed {{.Report.Seed}}</p>
</header>
<section id="summary">
<h2>Summary</h2>
<p class="score"><strong>{{.Score}}</strong> of checked items pass · {{.Summary.Total}} items</p>
<div class="cards">{{range .Bars}}<button type="button" class="card v-{{.Verdict}}" data-set-verdict="{{.Verdict}}"><span class="n">{{.Count}}</span> {{.Verdict}}</button>{{end}}</div>
<div class="stack" aria-hidden="true">{{range .Bars}}<span class="b-{{.Verdict}}" style="width: {{.Pct}}%"></span>{{end}}</div>
</section>
<section id="coverage">
<h2>Coverage</h2>
<p class="note">Documented by the catalog vs checked by a spec (pass or fail).</p>
{{range .Coverage}}<div class="cov"><h3>{{.Dialect}}</h3>
{{range .Rows}}<div class="covrow"><span class="cn">{{.Name}}</span><span class="bar"><span style="width: {{.Pct}}%"></span></span><span class="cv">{{.Covered}}/{{.Documented}} ({{.Pct}}%)</span></div>
{{end}}</div>
{{end}}</section>
<section id="items">
<h2>Items</h2>
<form id="filters" autocomplete="off">
<label>verdict <select id="f-verdict"><option value="">all</option>{{range .Options.verdict}}<option>{{.}}</option>{{end}}</select></label>
<label>dialect <select id="f-dialect"><option value="">all</option>{{range .Options.dialect}}<option>{{.}}</option>{{end}}</select></label>
<label>kind <select id="f-kind"><option value="">all</option>{{range .Options.kind}}<option>{{.}}</option>{{end}}</select></label>
<label>level <select id="f-level"><option value="">all</option>{{range .Options.level}}<option>{{.}}</option>{{end}}</select></label>
<label>search <input id="f-q" type="search" placeholder="ID or text"></label>
<button type="button" id="f-clear">clear</button>
<span id="bc-count" aria-live="polite"></span>
</form>
<noscript><p>The item table needs JavaScript; report.json and report.md carry the same data.</p></noscript>
<table id="bc-table"><thead><tr><th>verdict</th><th>level</th><th>kind</th><th>dialect</th><th>item</th><th>message</th></tr></thead>
<tbody id="bc-rows"></tbody></table>
</section>
<script type="application/json" id="bc-data">{{.Data}}</script>
<script>{{.Script}}</script>
</body></html>
`))

const htmlCSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--skip:#9a6700;--nc:#6e7781;--unp:#8250df;--line:#d0d7de}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:1em 1.5em;color:#1f2328}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.2em 0 .4em}h3{font-size:1em;margin:.6em 0 .3em}
.meta,.note{color:#57606a}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.cards{display:flex;gap:.5em;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:6px;padding:.4em .8em;background:#fff;cursor:pointer;font:inherit}
.card .n{font-size:1.3em;font-weight:600}.card:hover{background:#f6f8fa}
.stack{display:flex;height:10px;border-radius:5px;overflow:hidden;margin:.6em 0;background:#eee}
.b-pass{background:var(--pass)}.b-fail{background:var(--fail)}.b-skip{background:var(--skip)}.b-not_covered{background:var(--nc)}.b-unprovokable{background:var(--unp)}
.cov{display:inline-block;vertical-align:top;min-width:340px;margin-right:2em}
.covrow{display:flex;align-items:center;gap:.5em;margin:.15em 0}.cn{width:7em}.cv{color:#57606a;font-size:.9em}
.bar{flex:0 0 160px;height:10px;background:#eee;border-radius:5px;overflow:hidden}.bar span{display:block;height:100%;background:var(--pass)}
#filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;margin-bottom:.6em;position:sticky;top:0;background:#fff;padding:.4em 0;z-index:1}
#filters input{width:16em}#bc-count{color:#57606a}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:2.6em}
td.nw{white-space:nowrap}tr[data-id]{cursor:pointer}tr[data-id]:hover{background:#f6f8fa}tr.open{background:#eef4ff}
td.id code{word-break:break-all}td.id .t{color:#57606a;font-size:.9em}td.msg{color:#57606a;max-width:40em;overflow:hidden;text-overflow:ellipsis}
.badge{display:inline-block;border-radius:10px;padding:0 .6em;color:#fff;font-size:.85em;white-space:nowrap}
.v-pass .badge{background:var(--pass)}.v-fail .badge{background:var(--fail)}.v-skip .badge{background:var(--skip)}.v-not_covered .badge{background:var(--nc)}.v-unprovokable .badge{background:var(--unp)}
.card.v-pass .n{color:var(--pass)}.card.v-fail .n{color:var(--fail)}.card.v-skip .n{color:var(--skip)}.card.v-not_covered .n{color:var(--nc)}.card.v-unprovokable .n{color:var(--unp)}
tr.detail td{background:#fafbfc;padding:.6em 1em}tr.detail h4{margin:.5em 0 .2em;font-size:.95em}
tr.detail pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;border:1px solid var(--line);border-radius:4px;padding:.5em;max-height:30em;overflow:auto;margin:.2em 0}
tr.detail dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.2em 0}tr.detail dt{color:#57606a}tr.detail dd{margin:0}
`

// htmlScript renders the table from #bc-data and keeps the filter state in
// the URL fragment (#verdict=fail&dialect=…&kind=…&level=…&q=…): read on
// load and on hashchange, written on every change; open=ID expands an item
// (a link to its evidence). Rows carry data-id; rows filtered out carry the
// hidden attribute (tests read both from the DOM).
const htmlScript = `(function () {
  'use strict';
  var F = ['verdict', 'dialect', 'kind', 'level', 'q'];
  var started = false;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function init() {
    if (started) return;
    var dataEl = document.getElementById('bc-data'), tbody = document.getElementById('bc-rows');
    if (!dataEl || !tbody) return; // not parsed yet: DOMContentLoaded calls again
    started = true;
    var now = window.performance ? function () { return performance.now(); } : Date.now;
    var t0 = now();
    var D = JSON.parse(dataEl.textContent);
    var items = D.items, rows = [], hay = [], details = [];
    var frag = document.createDocumentFragment();
    items.forEach(function (it, i) {
      var tr = el('tr', 'v-' + it.v);
      tr.setAttribute('data-id', it.i);
      tr.setAttribute('data-verdict', it.v);
      tr.setAttribute('data-index', String(i));
      tr.tabIndex = 0;
      var td = el('td'); td.appendChild(el('span', 'badge', it.v)); tr.appendChild(td);
      tr.appendChild(el('td', 'nw', it.l));
      tr.appendChild(el('td', 'nw', it.k));
      tr.appendChild(el('td', 'nw', it.d));
      td = el('td', 'id'); td.appendChild(el('code', '', it.i));
      if (it.t) { td.appendChild(el('br')); td.appendChild(el('span', 't', it.t)); }
      tr.appendChild(td);
      var m = it.m || it.r || '';
      tr.appendChild(el('td', 'msg', m.split('\n')[0].slice(0, 200)));
      rows.push(tr);
      hay.push((it.i + '\n' + (it.t || '') + '\n' + (it.m || '')).toLowerCase());
      frag.appendChild(tr);
    });
    tbody.appendChild(frag);
    var ctl = {};
    F.forEach(function (f) { ctl[f] = document.getElementById('f-' + f); });

    function section(td, title, node) { td.appendChild(el('h4', '', title)); td.appendChild(node); }
    function list(idx) {
      var ul = el('ul');
      idx.forEach(function (n) { ul.appendChild(el('li', '', D.strings[n])); });
      return ul;
    }
    function detail(i) {
      var it = items[i], tr = el('tr', 'detail'), td = el('td');
      td.colSpan = 6;
      tr.setAttribute('data-detail-for', it.i);
      if (it.t) section(td, 'title', el('div', '', it.t));
      if (it.m) section(td, 'message', el('pre', '', it.m));
      if (it.r) section(td, 'unprovokable', el('div', '', it.r));
      if (it.s && it.s.length) section(td, 'sources', list(it.s));
      if (it.p && it.p.length) section(td, 'specs', list(it.p));
      if (it.e >= 0) {
        var dl = el('dl'), pres = el('div');
        D.evidence[it.e].forEach(function (f) {
          if (f.p) { pres.appendChild(el('h4', '', f.k)); pres.appendChild(el('pre', '', f.v)); }
          else { dl.appendChild(el('dt', '', f.k)); dl.appendChild(el('dd', '', f.v)); }
        });
        var box = el('div'); box.appendChild(dl); box.appendChild(pres);
        section(td, 'evidence', box);
      } else {
        section(td, 'evidence', el('div', '', it.x ? 'left out of this page to keep it small: see report.json' : 'none recorded'));
      }
      tr.appendChild(td);
      return tr;
    }
    var openID = ''; // the item last expanded, kept in the fragment as open=ID
    function expand(i, on) {
      var tr = rows[i];
      if (!on && details[i]) {
        details[i].parentNode.removeChild(details[i]);
        details[i] = null;
        tr.classList.remove('open');
      } else if (on && !details[i]) {
        details[i] = detail(i);
        details[i].hidden = tr.hidden;
        tr.parentNode.insertBefore(details[i], tr.nextSibling);
        tr.classList.add('open');
      }
    }
    function toggle(i) {
      var on = !details[i];
      expand(i, on);
      openID = on ? items[i].i : (openID === items[i].i ? '' : openID);
      writeHash(readControls());
    }
    tbody.addEventListener('click', function (e) {
      var tr = e.target.closest ? e.target.closest('tr[data-index]') : null;
      if (tr && !(window.getSelection && String(window.getSelection()).length)) toggle(+tr.getAttribute('data-index'));
    });
    tbody.addEventListener('keydown', function (e) {
      var tr = e.target;
      if ((e.key === 'Enter' || e.key === ' ') && tr.hasAttribute && tr.hasAttribute('data-index')) {
        e.preventDefault();
        toggle(+tr.getAttribute('data-index'));
      }
    });

    function readHash() {
      var p = new URLSearchParams(location.hash.replace(/^#/, '')), s = {};
      F.forEach(function (f) { s[f] = p.get(f) || ''; });
      s.open = p.get('open') || '';
      return s;
    }
    function readControls() {
      var s = {};
      F.forEach(function (f) { s[f] = ctl[f] ? ctl[f].value.trim() : ''; });
      s.open = openID;
      return s;
    }
    function show(s) {
      F.forEach(function (f) {
        var c = ctl[f];
        if (!c) return;
        if (c.tagName === 'SELECT' && s[f] && !Array.prototype.some.call(c.options, function (o) { return o.value === s[f]; })) {
          c.appendChild(el('option', '', s[f])); // a linked value this run does not have
        }
        if (c.value !== s[f]) c.value = s[f];
      });
    }
    function filter(s) {
      var q = s.q.toLowerCase(), n = 0, f0 = now();
      for (var i = 0; i < items.length; i++) {
        var it = items[i];
        var vis = (!s.verdict || it.v === s.verdict) && (!s.dialect || it.d === s.dialect) &&
          (!s.kind || it.k === s.kind) && (!s.level || it.l === s.level) && (!q || hay[i].indexOf(q) >= 0);
        if (rows[i].hidden === vis) rows[i].hidden = !vis;
        if (details[i]) details[i].hidden = !vis;
        if (vis) n++;
      }
      document.getElementById('bc-count').textContent = n + ' of ' + items.length + ' items';
      tbody.setAttribute('data-visible', String(n));
      tbody.setAttribute('data-filter-ms', (now() - f0).toFixed(1));
    }
    function writeHash(s) {
      var p = new URLSearchParams();
      F.forEach(function (f) { if (s[f]) p.set(f, s[f]); });
      if (s.open) p.set('open', s.open);
      var h = p.toString();
      if (location.hash.replace(/^#/, '') === h) return;
      try {
        history.replaceState(null, '', location.href.split('#')[0] + (h ? '#' + h : ''));
      } catch (e) {
        location.hash = h; // hashchange re-reads the same state
      }
    }
    function fromControls() { var s = readControls(); filter(s); writeHash(s); }
    function fromHash() {
      var s = readHash();
      show(s);
      filter(s);
      if (s.open && s.open !== openID) {
        for (var i = 0; i < items.length; i++) {
          if (items[i].i === s.open) {
            expand(i, true);
            if (rows[i].scrollIntoView && !rows[i].hidden) rows[i].scrollIntoView({block: 'center'});
            break;
          }
        }
      }
      openID = s.open;
    }
    F.forEach(function (f) {
      if (!ctl[f]) return;
      ctl[f].addEventListener(f === 'q' ? 'input' : 'change', fromControls);
    });
    var form = document.getElementById('filters');
    if (form) form.addEventListener('submit', function (e) { e.preventDefault(); });
    var clear = document.getElementById('f-clear');
    if (clear) clear.addEventListener('click', function () { show({verdict: '', dialect: '', kind: '', level: '', q: ''}); fromControls(); });
    Array.prototype.forEach.call(document.querySelectorAll('[data-set-verdict]'), function (b) {
      b.addEventListener('click', function () {
        var s = readControls();
        s.verdict = s.verdict === b.getAttribute('data-set-verdict') ? '' : b.getAttribute('data-set-verdict');
        show(s); filter(s); writeHash(s);
      });
    });
    window.addEventListener('hashchange', fromHash);
    fromHash();
    document.body.setAttribute('data-render-ms', (now() - t0).toFixed(1));
    document.body.setAttribute('data-ready', '1');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
`
