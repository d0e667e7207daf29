package cli_test

// --max-resources in every dialect (issue 11): a live-flagged run against
// the emulator (the stand-in for an account) never has more resources alive
// at once than the bound. The count is the emulator's own, from its
// listings through each dialect's API (the sweepers' List), sampled while
// the run goes on — not the run's ledger, which the bound itself reads.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/specs/harness"
)

// maxResourcesCases: per dialect, specs that hold several resources at
// once and meet a bound low enough in seconds (Alibaba's whole action
// container waits out 30 s timeouts on the jobs it was refused: only its
// creates; Oceanus' protocol specs, not its action container, whose
// resource the drain cannot delete while a job config refers to it).
var maxResourcesCases = map[string]struct {
	selection string
	bound     int
}{
	"tencent-batch":        {"kind:transition", 3},
	"oceanus":              {"kind:protocol", 2},
	"alibaba-batchcompute": {"kind:transition || (kind:action && (action:CreateCluster || action:CreateImage || action:CreateJob))", 3},
}

func TestMaxResourcesEveryDialect(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs against the emulator")
	}
	for _, d := range dialects {
		c := maxResourcesCases[d]
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			emu, err := emulator.Start(emulator.WithExecutor("simulated"))
			if err != nil {
				t.Fatal(err)
			}
			defer emu.Close()
			prefix := "bcmax" + strings.ReplaceAll(d[:4], "-", "")
			// Every resource the run creates counts, named with its
			// prefix or not.
			count := newAliveCounter(t, emu, d)
			out := t.TempDir()
			cmd, buf := startCLI(t, emu, "run", "--live", "--endpoint", emu.URL, "--dialect", d,
				"--max-resources", fmt.Sprint(c.bound), "--run-prefix", prefix,
				"--label-filter", c.selection, "--out", out)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			peak, samples := 0, 0
			var peakSeen []harness.Leftover
			limit := time.After(5 * time.Minute)
		sample:
			for {
				select {
				case err := <-done:
					if ee, ok := err.(*exec.ExitError); err != nil && !ok {
						t.Fatal(err)
					} else if ok && ee.ExitCode() != 1 {
						t.Errorf("exit %d, want 1 (the specs that need more resources at once fail)\n%s", ee.ExitCode(), tail(buf.String(), 3000))
					}
					break sample
				case <-limit:
					_ = cmd.Process.Kill()
					<-done
					t.Fatalf("the run did not end within 5 minutes\n%s", tail(buf.String(), 3000))
				case <-time.After(20 * time.Millisecond):
				}
				alive := count.alive(t)
				samples++
				if len(alive) > peak {
					peak, peakSeen = len(alive), alive
				}
			}
			t.Logf("%s: at most %d resources alive over %d samples (bound %d)", d, peak, samples, c.bound)
			if peak > c.bound {
				t.Errorf("%d %s resources alive at once, more than --max-resources %d: %v", peak, d, c.bound, peakSeen)
			}
			if peak == 0 {
				t.Errorf("no resource was ever seen alive: the test proves nothing\n%s", tail(buf.String(), 2000))
			}
			// The bound was met (a create was refused, which fails its
			// item with the flag's message), so it is the bound that
			// kept the count down.
			rep, err := os.ReadFile(filepath.Join(out, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(rep, []byte(fmt.Sprintf("--max-resources %d: %d %s resources", c.bound, c.bound, d))) {
				t.Errorf("no item failed on --max-resources %d: the selection never met the bound\n%s", c.bound, tail(buf.String(), 3000))
			}
			if left := count.alive(t); len(left) > 0 {
				t.Errorf("%d resources left after the run: %v", len(left), left)
			}
		})
	}
}

// aliveCounter counts a dialect's resources alive on the emulator, in
// every tenant, named with a prefix or not. The tenants are the admin
// API's (specs make tenants of their own there), each listed with its own
// key. Not counted: what existed before the run, what a tenant had when it
// first showed (the emulator seeds an Oceanus workspace in a new tenant),
// and a resource whose deletion the target accepted (an Alibaba cluster
// Deleting, a Tencent Batch environment whose NextAction is DELETING) —
// the bound counts from the create's answer to the delete's.
type aliveCounter struct {
	emu     *emulator.Emulator
	dialect string
	tenants map[string]bool // tenants seen
	ignored map[string]bool // resource IDs that are not the run's
}

func newAliveCounter(t *testing.T, emu *emulator.Emulator, dialect string) *aliveCounter {
	c := &aliveCounter{emu: emu, dialect: dialect, tenants: map[string]bool{}, ignored: map[string]bool{}}
	c.alive(t)
	return c
}

// alive lists the run's resources alive now.
func (c *aliveCounter) alive(t *testing.T) []harness.Leftover {
	t.Helper()
	resp, err := http.Get(c.emu.URL + emulator.AdminPrefix + "tenants")
	if err != nil {
		t.Fatalf("admin API: list tenants: %v", err)
	}
	defer resp.Body.Close()
	var ts struct{ Tenants []string }
	if err := json.NewDecoder(resp.Body).Decode(&ts); err != nil || len(ts.Tenants) == 0 {
		t.Fatalf("admin API: list tenants: HTTP %d, %d tenants, %v", resp.StatusCode, len(ts.Tenants), err)
	}
	var out []harness.Leftover
	for _, id := range ts.Tenants {
		key, ok := c.emu.Tenants().SecretKey(id)
		if !ok {
			t.Fatalf("tenant %s listed by the admin API has no key", id)
		}
		deleting := map[string]bool{}
		for _, env := range c.emu.Engine().Envs(id) {
			if env.NextAction == "DELETING" {
				deleting[env.ID] = true
			}
		}
		first := !c.tenants[id]
		c.tenants[id] = true
		for _, l := range leftoversAs(t, c.emu, c.dialect, id, key, "") {
			switch {
			case l.Dialect != c.dialect || c.ignored[l.ID]:
			case first && (len(c.tenants) == 1 || l.Type == "workspace"):
				// Before the run (the first listing), or seeded
				// with a tenant the run made.
				c.ignored[l.ID] = true
			case deleting[l.ID] || strings.Contains(strings.ToLower(l.State), "delet"):
			default:
				out = append(out, l)
			}
		}
	}
	return out
}

// --budget resource-seconds in every dialect: a live-flagged run against the
// emulator stops once the run's resources alive, integrated over time, reach
// the budget: aborted (exit 3) with the budget's message, nothing left
// behind, and the cost the emulator saw (its resources sampled every 20 ms,
// integrated) is the budget plus what the cleanup takes.
func TestBudgetResourceSecondsEveryDialect(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs against the emulator")
	}
	const budget = 3.0
	for _, d := range dialects {
		c := maxResourcesCases[d]
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			emu, err := emulator.Start(emulator.WithExecutor("simulated"))
			if err != nil {
				t.Fatal(err)
			}
			defer emu.Close()
			count := newAliveCounter(t, emu, d)
			cmd, buf := startCLI(t, emu, "run", "--live", "--endpoint", emu.URL, "--dialect", d,
				"--budget", fmt.Sprintf("resource-seconds=%g", budget), "--label-filter", c.selection, "--out", t.TempDir())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var cost float64
			last, peak := time.Now(), 0
			code := -1
			limit := time.After(3 * time.Minute)
			for code < 0 {
				select {
				case err := <-done:
					code = 0
					if ee, ok := err.(*exec.ExitError); ok {
						code = ee.ExitCode()
					} else if err != nil {
						t.Fatal(err)
					}
				case <-limit:
					_ = cmd.Process.Kill()
					<-done
					t.Fatalf("the run did not end within 3 minutes\n%s", tail(buf.String(), 3000))
				case <-time.After(20 * time.Millisecond):
				}
				n := len(count.alive(t))
				now := time.Now()
				cost += float64(n) * now.Sub(last).Seconds()
				last, peak = now, max(peak, n)
			}
			t.Logf("%s: exit %d; %.1f resource-seconds seen on the emulator (budget %g, at most %d alive)", d, code, cost, budget, peak)
			if code != 3 {
				t.Errorf("exit %d, want 3 (aborted by the budget)\n%s", code, tail(buf.String(), 3000))
			}
			if want := fmt.Sprintf("--budget resource-seconds=%g spent", budget); !strings.Contains(buf.String(), want) {
				t.Errorf("the run does not say %q\n%s", want, tail(buf.String(), 3000))
			}
			if peak == 0 {
				t.Error("no resource was ever seen alive: the test proves nothing")
			}
			// The stop comes with the first request after the budget is
			// spent; the cleanup then deletes what is alive, which costs
			// too (an Alibaba job is stopped, then deleted): up to 5 s for
			// each resource alive at most, on a loaded machine. Without
			// the budget these selections hold resources for many times
			// longer.
			if allowed := budget + float64(peak)*5; cost > allowed {
				t.Errorf("%.1f resource-seconds spent under --budget resource-seconds=%g (%.0f allowed with the cleanup)", cost, budget, allowed)
			}
			if left := count.alive(t); len(left) > 0 {
				t.Errorf("%d resources left after the run: %v", len(left), left)
			}
		})
	}
}
