package reports

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHTMLInHeadlessBrowser renders report.html in headless Chromium with a
// filter in the URL fragment, reads the visible rows from the dumped DOM and
// compares them with the items of report.json that match the same filter.
// Chromium is Debian's `chromium` package (.ci/run installs it).
func TestHTMLInHeadlessBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found: install it (Debian: apt-get install -y chromium) — the HTML report check needs a headless browser")
		}
		t.Log("chromium not found (apt-get install -y chromium); headless check of report.html not run")
		return
	}
	dir := t.TempDir()
	paths, err := WriteAll(synthReport(1900), dir)
	if err != nil {
		t.Fatal(err)
	}
	// The expectation comes from report.json as written, not from memory.
	rep, err := Load(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	const hostileID = "tencent-batch/SubmitJob/rule/hostile"
	cases := []struct {
		name     string
		fragment string
		filter   map[string]string
		open     string
	}{
		{"no filter", "", nil, ""},
		{"verdict and kind", "verdict=fail&kind=rule", map[string]string{"verdict": Fail, "kind": "rule"}, ""},
		{"search", "q=JobName", map[string]string{"q": "JobName"}, ""},
		{"all filters, an item opened", "verdict=fail&dialect=tencent-batch&kind=rule&level=MUST&open=" + url.QueryEscape(hostileID),
			map[string]string{"verdict": Fail, "dialect": "tencent-batch", "kind": "rule", "level": "MUST"}, hostileID},
		{"nothing matches", "verdict=pass&q=no-such-text", map[string]string{"verdict": Pass, "q": "no-such-text"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := "file://" + filepath.ToSlash(paths[3])
			if c.fragment != "" {
				u += "#" + c.fragment
			}
			dom := dumpDOM(t, bin, u)
			if !strings.Contains(dom, `data-ready="1"`) {
				t.Fatalf("the page's script did not finish (no data-ready on body); DOM starts %.300q", dom)
			}
			if m := timingRe.FindAllStringSubmatch(dom, -1); len(m) > 0 {
				var parts []string
				for _, x := range m {
					parts = append(parts, x[1]+"="+x[2]+"ms")
				}
				t.Logf("in-page timings: %s", strings.Join(parts, " "))
			}
			got := visibleRows(dom)
			var want []string
			for _, it := range rep.Items {
				if matchesFilter(it, c.filter) {
					want = append(want, it.ID)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("visible rows differ from report.json's matching items: got %d, want %d\nfirst got %.5q\nfirst want %.5q",
					len(got), len(want), got, want)
			}
			if all := strings.Count(dom, "<tr class=\"v-"); all != len(rep.Items) {
				t.Errorf("%d item rows in the DOM, want %d", all, len(rep.Items))
			}
			if !strings.Contains(dom, `data-visible="`+itoa(len(want))+`"`) {
				t.Errorf("tbody data-visible is not %d", len(want))
			}
			if c.open != "" {
				detail := regexp.MustCompile(`(?s)<tr class="detail" data-detail-for="` + regexp.QuoteMeta(c.open) + `">(.*?)</tr>`).FindStringSubmatch(dom)
				if detail == nil {
					t.Fatalf("open=%s did not expand the item", c.open)
				}
				for _, want := range []string{"<h4>evidence</h4>", "<h4>request</h4>", "<pre>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"} {
					if !strings.Contains(detail[1], want) {
						t.Errorf("expanded item lacks %q (evidence pre-formatted and escaped)", want)
					}
				}
			}
			// Whatever the filter, hostile text stays text: no element was made from it.
			if strings.Contains(dom, "<img") {
				t.Error("an <img> element exists in the rendered DOM: hostile text was parsed as HTML")
			}
		})
	}
}

// harnessHTML drives report.html in an iframe the way a reader would —
// change a select, type a search, click a row, follow a link to another
// fragment — and writes what it saw as JSON into #out. Chromium runs it with
// --allow-file-access-from-files (so the file:// frame is scriptable) and a
// virtual time budget (so the asynchronous hashchange is delivered before the
// DOM is dumped).
const harnessHTML = `<!doctype html><html><body><pre id="out">pending</pre>
<iframe id="f" src="report.html#verdict=fail"></iframe>
<script>
var out = {};
function put() { document.getElementById('out').textContent = JSON.stringify(out); }
var f = document.getElementById('f');
f.addEventListener('load', function () {
  try {
    var w = f.contentWindow, d = w.document;
    var vis = function () { return +d.getElementById('bc-rows').getAttribute('data-visible'); };
    var fire = function (id, value, type) { var c = d.getElementById(id); c.value = value; c.dispatchEvent(new w.Event(type, {bubbles: true})); };
    out.ready = d.body.getAttribute('data-ready');
    out.initial = vis();
    fire('f-kind', 'rule', 'change');
    out.afterSelect = {hash: w.location.hash, visible: vis()};
    fire('f-q', 'JobName', 'input');
    out.afterSearch = {hash: w.location.hash, visible: vis()};
    var row = d.querySelector('tr[data-id]:not([hidden])');
    row.querySelector('td').click();
    var det = d.querySelector('tr.detail');
    out.afterClick = {hash: w.location.hash, id: row.getAttribute('data-id'), detailFor: det && det.getAttribute('data-detail-for'), hasEvidence: !!(det && /evidence/.test(det.textContent))};
    w.addEventListener('hashchange', function () {
      out.afterHashchange = {hash: w.location.hash, visible: vis(), verdict: d.getElementById('f-verdict').value,
        dialect: d.getElementById('f-dialect').value, kind: d.getElementById('f-kind').value, q: d.getElementById('f-q').value};
      put();
    });
    w.location.hash = 'verdict=skip&dialect=alibaba-batchcompute';
  } catch (e) { out.error = String(e && e.stack || e); }
  put();
});
</script></body></html>`

// TestHTMLFragmentFollowsInteraction checks that the fragment is written on
// every change (select, search, expanding a row) and read on hashchange.
func TestHTMLFragmentFollowsInteraction(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found: install it (Debian: apt-get install -y chromium)")
		}
		t.Log("chromium not found (apt-get install -y chromium); interaction check of report.html not run")
		return
	}
	dir := t.TempDir()
	r := synthReport(1900)
	if _, err := WriteAll(r, dir); err != nil {
		t.Fatal(err)
	}
	harness := filepath.Join(dir, "harness.html")
	if err := os.WriteFile(harness, []byte(harnessHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := dumpDOM(t, bin, "file://"+filepath.ToSlash(harness), "--allow-file-access-from-files", "--virtual-time-budget=5000")
	m := regexp.MustCompile(`<pre id="out">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("harness wrote nothing; DOM: %.500s", dom)
	}
	var got struct {
		Ready       string
		Initial     int
		AfterSelect struct {
			Hash    string
			Visible int
		}
		AfterSearch struct {
			Hash    string
			Visible int
		}
		AfterClick struct {
			Hash, ID, DetailFor string
			HasEvidence         bool
		}
		AfterHashchange *struct {
			Hash, Verdict, Dialect, Kind, Q string
			Visible                         int
		}
		Error string
	}
	raw := html.UnescapeString(m[1])
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("harness output %q: %v", raw, err)
	}
	if got.Error != "" || got.Ready != "1" {
		t.Fatalf("harness: ready=%q error=%s", got.Ready, got.Error)
	}
	count := func(f map[string]string) int {
		n := 0
		for _, it := range r.Items {
			if matchesFilter(it, f) {
				n++
			}
		}
		return n
	}
	if want := count(map[string]string{"verdict": Fail}); got.Initial != want {
		t.Errorf("on load with #verdict=fail: %d rows visible, want %d", got.Initial, want)
	}
	if got.AfterSelect.Hash != "#verdict=fail&kind=rule" || got.AfterSelect.Visible != count(map[string]string{"verdict": Fail, "kind": "rule"}) {
		t.Errorf("after choosing kind=rule: %+v", got.AfterSelect)
	}
	searched := map[string]string{"verdict": Fail, "kind": "rule", "q": "JobName"}
	if got.AfterSearch.Hash != "#verdict=fail&kind=rule&q=JobName" || got.AfterSearch.Visible != count(searched) || count(searched) == 0 {
		t.Errorf("after searching JobName: %+v (want %d rows)", got.AfterSearch, count(searched))
	}
	if c := got.AfterClick; c.DetailFor != c.ID || !c.HasEvidence || c.Hash != "#verdict=fail&kind=rule&q=JobName&open="+url.QueryEscape(c.ID) {
		t.Errorf("after clicking a row: %+v", c)
	}
	h := got.AfterHashchange
	if h == nil {
		t.Fatal("no hashchange seen by the harness")
	}
	if h.Verdict != Skip || h.Dialect != "alibaba-batchcompute" || h.Kind != "" || h.Q != "" ||
		h.Visible != count(map[string]string{"verdict": Skip, "dialect": "alibaba-batchcompute"}) {
		t.Errorf("after following #verdict=skip&dialect=alibaba-batchcompute: %+v", *h)
	}
}

func findChromium() string {
	if p := os.Getenv("BATCHCONFORM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func dumpDOM(t *testing.T, bin, u string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, "--dump-dom", u)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\nstderr (tail): %s", u, err, tail(stderr.String(), 2000))
	}
	t.Logf("chromium rendered %s in %v (%d bytes of DOM)", u[strings.LastIndex(u, "/")+1:], time.Since(start).Round(time.Millisecond), len(out))
	return string(out)
}

var (
	trRe     = regexp.MustCompile(`<tr\s[^>]*>`)
	dataIDRe = regexp.MustCompile(`\sdata-id="([^"]*)"`)
	hiddenRe = regexp.MustCompile(`\shidden(?:=""|\s|>)`)
	timingRe = regexp.MustCompile(`data-(render-ms|filter-ms)="([0-9.]+)"`)
)

// visibleRows lists the data-id of every <tr> without the hidden attribute, in
// document order.
func visibleRows(dom string) []string {
	var ids []string
	for _, tag := range trRe.FindAllString(dom, -1) {
		m := dataIDRe.FindStringSubmatch(tag)
		if m == nil || hiddenRe.MatchString(tag) {
			continue
		}
		ids = append(ids, html.UnescapeString(m[1]))
	}
	return ids
}

// matchesFilter is the page's filter: equality on verdict, dialect, kind and
// level; q a case-insensitive substring of the ID, the title or the message.
func matchesFilter(it Item, f map[string]string) bool {
	for key, val := range map[string]string{"verdict": it.Verdict, "dialect": it.Dialect, "kind": it.Kind, "level": it.Level} {
		if f[key] != "" && f[key] != val {
			return false
		}
	}
	if q := strings.ToLower(f["q"]); q != "" {
		return strings.Contains(strings.ToLower(it.ID+"\n"+it.Title+"\n"+it.Message), q)
	}
	return true
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
