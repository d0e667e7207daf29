// Command killcheck proves that faults are killed: for each named fault it
// runs the built binary against an embedded emulator with only that fault on
// and only the specs of the fault's declared items (`run --fault NAME --items
// ...`), and reads report.json. A fault is KILLED when at least one declared
// item has verdict "fail", at any level (issue 8: a SHOULD item's failure
// kills too, although `run` then exits 0); anything else is SURVIVED. It
// prints a kill table (with the run's exit code) and exits 1 if any fault
// survived.
//
//	go build -o bin/batchconform ./cmd/batchconform
//	go run ./scripts/killcheck [-bin bin/batchconform] [-out /tmp/killcheck] [-j 2] [-faults a,b] [-since NAME]
//
// This is a stop-gap for the faults branch; `batchconform mutation` is the
// gate.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/batchconform/batchconform/emulator/faults"
)

type result struct {
	name    string
	killed  bool
	exit    int
	failed  []string // declared items with verdict fail
	other   int      // undeclared items that failed (collateral)
	elapsed time.Duration
	err     error
}

func main() {
	bin := flag.String("bin", "bin/batchconform", "the built batchconform binary")
	out := flag.String("out", filepath.Join(os.TempDir(), "killcheck"), "directory for the per-fault reports")
	jobs := flag.Int("j", 2, "faults run at a time")
	only := flag.String("faults", "", "comma-separated fault names (default: every registered fault)")
	flag.Parse()

	var list []faults.Fault
	if *only != "" {
		for _, n := range strings.Split(*only, ",") {
			f, ok := faults.Lookup(strings.TrimSpace(n))
			if !ok {
				fmt.Fprintf(os.Stderr, "killcheck: unknown fault %q\n", n)
				os.Exit(2)
			}
			list = append(list, f)
		}
	} else {
		list = faults.All()
	}
	res := make([]result, len(list))
	sem := make(chan struct{}, max(*jobs, 1))
	var wg sync.WaitGroup
	for i, f := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res[i] = check(*bin, *out, f)
			fmt.Fprintf(os.Stderr, "  %-45s %s (%.1fs)\n", f.Name, verdict(res[i]), res[i].elapsed.Seconds())
		}()
	}
	wg.Wait()
	sort.Slice(res, func(i, j int) bool { return res[i].name < res[j].name })
	survived := 0
	fmt.Printf("%-45s %-8s %-4s %s\n", "FAULT", "VERDICT", "EXIT", "KILLED BY (declared items that failed)")
	for _, r := range res {
		if !r.killed {
			survived++
		}
		by := strings.Join(r.failed, " ")
		if r.err != nil {
			by = "error: " + r.err.Error()
		}
		if r.other > 0 {
			by += fmt.Sprintf(" (+%d collateral)", r.other)
		}
		fmt.Printf("%-45s %-8s %-4d %s\n", r.name, verdict(r), r.exit, by)
	}
	fmt.Printf("killed %d/%d\n", len(res)-survived, len(res))
	if survived > 0 {
		os.Exit(1)
	}
}

func verdict(r result) string {
	if r.killed {
		return "KILLED"
	}
	return "SURVIVED"
}

func check(bin, out string, f faults.Fault) result {
	r := result{name: f.Name}
	start := time.Now()
	dir := filepath.Join(out, f.Name)
	cmd := exec.Command(bin, "run", "--fault", f.Name, "--items", strings.Join(f.Items, ","), "--out", dir)
	cmd.Stdout, cmd.Stderr = nil, nil
	err := cmd.Run()
	r.elapsed = time.Since(start)
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	default:
		r.err = fmt.Errorf("run %s: %w", f.Name, err)
		return r
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		r.err = fmt.Errorf("read report of %s: %w", f.Name, err)
		return r
	}
	var rep struct {
		Items []struct{ ID, Verdict string }
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		r.err = fmt.Errorf("decode report of %s: %w", f.Name, err)
		return r
	}
	declared := map[string]bool{}
	for _, id := range f.Items {
		declared[id] = true
	}
	for _, it := range rep.Items {
		if it.Verdict != "fail" {
			continue
		}
		if declared[it.ID] {
			r.failed = append(r.failed, it.ID)
		} else {
			r.other++
		}
	}
	r.killed = len(r.failed) > 0
	return r
}
