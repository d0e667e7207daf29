package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/internal/demo"
)

// cmdRun runs the SDK scenario (internal/demo) against the embedded emulator
// or an endpoint. The Ginkgo conformance suite replaces it as the main job.
func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	endpoint := fs.String("endpoint", os.Getenv("BATCHCONFORM_ENDPOINT"), "http(s)://host:port of the target; empty = an embedded emulator")
	id := fs.String("secret-id", os.Getenv("BATCHCONFORM_SECRET_ID"), "SecretId (env BATCHCONFORM_SECRET_ID)")
	key := fs.String("secret-key", os.Getenv("BATCHCONFORM_SECRET_KEY"), "SecretKey (env BATCHCONFORM_SECRET_KEY)")
	region := fs.String("region", envOr("BATCHCONFORM_REGION", "ap-guangzhou"), "region")
	zone := fs.String("zone", envOr("BATCHCONFORM_ZONE", "ap-guangzhou-2"), "zone")
	live := fs.Bool("live", os.Getenv("BATCHCONFORM_LIVE") == "1", "required for any non-loopback endpoint")
	out := fs.String("out", "batchconform-report", "output directory")
	var faultNames multiFlag
	fs.Var(&faultNames, "fault", "embedded emulator only: switch on a named fault (repeatable; env BATCHCONFORM_FAULTS)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	if env := os.Getenv("BATCHCONFORM_FAULTS"); env != "" {
		faultNames = append(faultNames, strings.Split(env, ",")...)
	}
	cfg := demo.Config{Region: *region, Zone: *zone, Log: stdout}
	target := "embedded emulator"
	if *endpoint == "" {
		emu, err := emulator.Start(emulator.WithFaults(faultNames...))
		if err != nil {
			fmt.Fprintf(stderr, "batchconform run: %v\n", err)
			return ExitUsage
		}
		defer emu.Close()
		cfg.Endpoint, cfg.Scheme, cfg.SecretID, cfg.SecretKey = emu.Addr, "http", emu.SecretID, emu.SecretKey
	} else {
		if len(faultNames) > 0 {
			fmt.Fprintln(stderr, "batchconform run: --fault applies to the embedded emulator only")
			return ExitUsage
		}
		u, err := url.Parse(*endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(stderr, "batchconform run: --endpoint must be http(s)://host:port, got %q\n", *endpoint)
			return ExitUsage
		}
		if !*live && !loopbackHost(u.Hostname()) {
			fmt.Fprintf(stderr, "batchconform run: %s is not a loopback address; pass --live to run against it\n", u.Host)
			return ExitUsage
		}
		if *id == "" || *key == "" {
			fmt.Fprintln(stderr, "batchconform run: --secret-id and --secret-key are required with --endpoint")
			return ExitUsage
		}
		cfg.Endpoint, cfg.Scheme, cfg.SecretID, cfg.SecretKey = u.Host, u.Scheme, *id, *key
		target = *endpoint
	}
	fmt.Fprintf(stdout, "batchconform run: tencent-batch scenario against %s\n", target)
	start := time.Now()
	steps, runErr := demo.Run(cfg)
	passed := 0
	for _, s := range steps {
		if s.Passed {
			passed++
		}
	}
	if err := writeScenario(*out, target, start, steps); err != nil {
		fmt.Fprintf(stderr, "batchconform run: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "%d passed, %d failed (%.2fs); wrote %s\n", passed, len(steps)-passed,
		time.Since(start).Seconds(), filepath.Join(*out, "scenario.json"))
	if runErr != nil {
		return ExitFailure
	}
	return ExitOK
}

func writeScenario(dir, target string, start time.Time, steps []demo.Step) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	type step struct {
		Name     string  `json:"name"`
		Passed   bool    `json:"passed"`
		Detail   string  `json:"detail"`
		Duration float64 `json:"duration_seconds"`
	}
	doc := struct {
		Target  string    `json:"target"`
		Started time.Time `json:"started"`
		Steps   []step    `json:"steps"`
	}{Target: target, Started: start.UTC()}
	for _, s := range steps {
		doc.Steps = append(doc.Steps, step{s.Name, s.Passed, s.Detail, s.Duration.Seconds()})
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "scenario.json"), append(data, '\n'), 0o644)
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
