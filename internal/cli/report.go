package cli

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/batchconform/batchconform/reports"
)

// cmdReport: gate, diff, merge, baseline.
func cmdReport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: batchconform report gate --baseline FILE --current FILE | diff A B [--out DIR] | merge A B… --out FILE | baseline REPORT --out FILE")
		return ExitUsage
	}
	switch args[0] {
	case "gate":
		return reportGate(args[1:], stdout, stderr)
	case "diff":
		return reportDiff(args[1:], stdout, stderr)
	case "merge":
		return reportMerge(args[1:], stdout, stderr)
	case "baseline":
		return reportBaseline(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "batchconform report: unknown subcommand %q (gate, diff, merge, baseline)\n", args[0])
	return ExitUsage
}

// interleaved parses flags that may come after positional arguments.
func interleaved(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, ExitOK
			}
			return nil, ExitUsage
		}
		if fs.NArg() == 0 {
			return pos, -1
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func reportGate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report gate", flag.ContinueOnError)
	base := fs.String("baseline", "", "baseline file")
	cur := fs.String("current", "", "report.json of the run to judge")
	pos, code := interleaved(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if *cur == "" && len(pos) == 1 {
		// The one thing a person gets wrong here: say how to fix it.
		fmt.Fprintf(stderr, "batchconform report gate: the report to judge goes after --current: batchconform report gate --baseline %s --current %s\n", orFile(*base), pos[0])
		return ExitUsage
	}
	if *base == "" || *cur == "" || len(pos) > 0 {
		fmt.Fprintln(stderr, "usage: batchconform report gate --baseline FILE --current REPORT (make FILE with `batchconform report baseline REPORT --out FILE`)")
		return ExitUsage
	}
	b, err := reports.LoadBaseline(*base)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform report gate: %v\n", err)
		return ExitUsage
	}
	r, err := reports.Load(*cur)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform report gate: %v\n", err)
		return ExitUsage
	}
	g := reports.Gate(b, r, time.Now())
	g.Print(stdout)
	if !g.OK() {
		return ExitFailure
	}
	return ExitOK
}

func reportDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report diff", flag.ContinueOnError)
	out := fs.String("out", "", "also write diff.md and diff.html here")
	pos, code := interleaved(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "usage: batchconform report diff A.json B.json [--out DIR]")
		return ExitUsage
	}
	a, err := reports.Load(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "batchconform report diff: %v\n", err)
		return ExitUsage
	}
	b, err := reports.Load(pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "batchconform report diff: %v\n", err)
		return ExitUsage
	}
	d := reports.Compare(a, b)
	if err := d.WriteMarkdown(stdout); err != nil {
		return ExitFailure
	}
	if *out != "" {
		paths, err := d.WriteFiles(*out)
		if err != nil {
			fmt.Fprintf(stderr, "batchconform report diff: %v\n", err)
			return ExitFailure
		}
		fmt.Fprintf(stderr, "wrote %v\n", paths)
	}
	return ExitOK
}

func reportMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report merge", flag.ContinueOnError)
	out := fs.String("out", "", "merged report.json")
	html := fs.String("html", "", "also write the merged report as one self-contained HTML page")
	pos, code := interleaved(fs, args, stderr)
	if code >= 0 {
		return code
	}
	// One report is a merge of one shard (a matrix of N=1).
	if *out == "" || len(pos) < 1 {
		fmt.Fprintln(stderr, "usage: batchconform report merge A.json B.json… --out FILE")
		return ExitUsage
	}
	var rs []*reports.Report
	for _, p := range pos {
		r, err := reports.Load(p)
		if err != nil {
			fmt.Fprintf(stderr, "batchconform report merge: %v\n", err)
			return ExitUsage
		}
		rs = append(rs, r)
	}
	m, err := reports.Merge(rs...)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform report merge: %v\n", err)
		return ExitUsage
	}
	if err := writeReportJSON(m, *out); err != nil {
		fmt.Fprintf(stderr, "batchconform report merge: %v\n", err)
		return ExitFailure
	}
	if *html != "" {
		if err := reports.WriteHTML(m, *html); err != nil {
			fmt.Fprintf(stderr, "batchconform report merge: %v\n", err)
			return ExitFailure
		}
	}
	fmt.Fprintf(stdout, "merged %d reports: %d items, %d passed, %d failed; wrote %s\n", len(rs), len(m.Items), m.Summary.Passed, m.Summary.Failed, *out)
	return ExitOK
}

func reportBaseline(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report baseline", flag.ContinueOnError)
	out := fs.String("out", "", "baseline file to write")
	pos, code := interleaved(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if *out == "" || len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: batchconform report baseline REPORT --out FILE")
		return ExitUsage
	}
	r, err := reports.Load(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "batchconform report baseline: %v\n", err)
		return ExitUsage
	}
	b := reports.NewBaseline(r)
	if err := b.Write(*out); err != nil {
		fmt.Fprintf(stderr, "batchconform report baseline: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "wrote %s: %d known deviation(s); give each a real reason (and an expiry) before committing it\n", *out, len(b.Entries))
	return ExitOK
}

func writeReportJSON(r *reports.Report, path string) error { return reports.WriteJSON(r, path) }

// orFile shows a flag's value in a suggested command line (FILE if unset).
func orFile(v string) string {
	if v == "" {
		return "FILE"
	}
	return v
}
