package reports

import (
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DiffRow is one item's verdicts on two targets.
type DiffRow struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Level    string `json:"level"`
	A        string `json:"a"`
	B        string `json:"b"`
	Same     bool   `json:"same"`
	MessageA string `json:"message_a,omitempty"`
	MessageB string `json:"message_b,omitempty"`
}

// Diff compares two reports item by item (emulator vs live, vendor X vs Y).
type Diff struct {
	A, B      string // labels: the targets' endpoints
	Rows      []DiffRow
	Different int
}

// Compare builds the diff; rows that differ come first, then by ID. An item
// only one report knows appears with verdict "absent" on the other side.
func Compare(a, b *Report) *Diff {
	d := &Diff{A: label(a), B: label(b)}
	bi := map[string]Item{}
	for _, it := range b.Items {
		bi[it.ID] = it
	}
	seen := map[string]bool{}
	for _, x := range a.Items {
		y, ok := bi[x.ID]
		row := DiffRow{ID: x.ID, Kind: x.Kind, Level: x.Level, A: x.Verdict, B: "absent", MessageA: firstLine(x.Message)}
		if ok {
			row.B, row.MessageB = y.Verdict, firstLine(y.Message)
		}
		row.Same = row.A == row.B
		d.Rows = append(d.Rows, row)
		seen[x.ID] = true
	}
	for _, y := range b.Items {
		if !seen[y.ID] {
			d.Rows = append(d.Rows, DiffRow{ID: y.ID, Kind: y.Kind, Level: y.Level, A: "absent", B: y.Verdict, MessageB: firstLine(y.Message)})
		}
	}
	sort.SliceStable(d.Rows, func(i, j int) bool {
		if d.Rows[i].Same != d.Rows[j].Same {
			return !d.Rows[i].Same
		}
		return d.Rows[i].ID < d.Rows[j].ID
	})
	for _, r := range d.Rows {
		if !r.Same {
			d.Different++
		}
	}
	return d
}

func label(r *Report) string {
	var parts []string
	for dl, ep := range r.Target.Endpoints {
		parts = append(parts, dl+"@"+ep)
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "report"
	}
	return strings.Join(parts, ", ")
}

// WriteMarkdown writes the diff as Markdown (differences first).
func (d *Diff) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# batchconform diff\n\nA: %s  \nB: %s\n\n%d of %d items differ.\n\n", d.A, d.B, d.Different, len(d.Rows))
	fmt.Fprintln(w, "| item | kind | level | A | B |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range d.Rows {
		mark := ""
		if !r.Same {
			mark = "**"
		}
		fmt.Fprintf(w, "| %s`%s`%s | %s | %s | %s | %s |\n", mark, r.ID, mark, r.Kind, r.Level, mdCell(r.A, r.MessageA), mdCell(r.B, r.MessageB))
	}
	return nil
}

func mdCell(v, msg string) string {
	if msg == "" || v == Pass {
		return v
	}
	msg = strings.NewReplacer("|", `\|`, "\n", " ").Replace(msg)
	if len(msg) > 120 {
		msg = msg[:120] + "…"
	}
	return v + ": " + msg
}

var diffHTML = template.Must(template.New("diff").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>batchconform diff</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
tr.diff{background:#fff4e5}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.skip,.not_covered,.absent,.unprovokable{color:#6e7781}
code{font-size:13px}
</style></head><body>
<h1>batchconform diff</h1>
<p>A: <code>{{.A}}</code><br>B: <code>{{.B}}</code></p>
<p><strong>{{.Different}}</strong> of {{len .Rows}} items differ (shown first).</p>
<table><thead><tr><th>item</th><th>kind</th><th>level</th><th>A</th><th>B</th></tr></thead><tbody>
{{range .Rows}}<tr{{if not .Same}} class="diff"{{end}} data-id="{{.ID}}"><td><code>{{.ID}}</code></td><td>{{.Kind}}</td><td>{{.Level}}</td>
<td class="{{.A}}" title="{{.MessageA}}">{{.A}}</td><td class="{{.B}}" title="{{.MessageB}}">{{.B}}</td></tr>
{{end}}</tbody></table></body></html>
`))

// WriteHTML writes the diff as one self-contained page.
func (d *Diff) WriteHTML(w io.Writer) error { return diffHTML.Execute(w, d) }

// WriteFiles writes diff.md and diff.html into dir.
func (d *Diff) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for name, write := range map[string]func(io.Writer) error{"diff.md": d.WriteMarkdown, "diff.html": d.WriteHTML} {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		werr := write(f)
		if err := f.Close(); werr == nil {
			werr = err
		}
		if werr != nil {
			return nil, fmt.Errorf("write %s: %w", p, werr)
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, nil
}
