package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/batchconform/batchconform/emulator"
	"github.com/batchconform/batchconform/emulator/chaos"
)

func cmdEmulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emulate", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9000", "listen address (loopback unless you mean otherwise)")
	id := fs.String("secret-id", envOr("BATCHCONFORM_SECRET_ID", emulator.DefaultSecretID), "SecretId of the default tenant (env BATCHCONFORM_SECRET_ID)")
	key := fs.String("secret-key", envOr("BATCHCONFORM_SECRET_KEY", emulator.DefaultSecretKey), "SecretKey of the default tenant (env BATCHCONFORM_SECRET_KEY)")
	scale := fs.Float64("time-scale", 1, "emulator time runs this many times faster than real time")
	manual := fs.Bool("manual-clock", false, "stop emulator time; advance it through the admin API (POST /_batchconform/v1/clock)")
	executor := fs.String("executor", "local", "local (run task commands with sh -c) or simulated (run nothing)")
	rate := fs.Float64("rate-limit", 0, "server-side limit in requests/s per action and tenant (RequestLimitExceeded past it); 0 = off")
	adminAny := fs.Bool("admin-any-address", false, "serve the admin API to non-loopback clients too")
	verbose := fs.Bool("v", false, "log every request to stderr")
	stateDir := fs.String("state-dir", "", "keep the state in this directory (an embedded bbolt store): everything a response acknowledged survives SIGTERM and kill -9; empty = in memory")
	chaosFile := fs.String("chaos", "", "switch chaos on with the rules in this JSON file (documented failures on demand; see emulator/chaos)")
	var faultNames multiFlag
	fs.Var(&faultNames, "fault", "switch on a named fault (repeatable; also env BATCHCONFORM_FAULTS=a,b)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	if *manual && isSet(fs, "time-scale") {
		fmt.Fprintln(stderr, "batchconform emulate: --time-scale and --manual-clock exclude each other")
		return ExitUsage
	}
	if *executor != "local" && *executor != "simulated" {
		fmt.Fprintf(stderr, "batchconform emulate: --executor must be local or simulated, got %q\n", *executor)
		return ExitUsage
	}
	if env := os.Getenv("BATCHCONFORM_FAULTS"); env != "" {
		faultNames = append(faultNames, strings.Split(env, ",")...)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts := []emulator.Option{
		emulator.WithAddr(*addr), emulator.WithCredentials(*id, *key),
		emulator.WithExecutor(*executor), emulator.WithRateLimit(*rate),
		emulator.WithFaults(faultNames...), emulator.WithLogger(logger),
	}
	if *manual {
		opts = append(opts, emulator.WithManualClock())
	} else {
		opts = append(opts, emulator.WithTimeScale(*scale))
	}
	if *stateDir != "" {
		opts = append(opts, emulator.WithStateDir(*stateDir))
	}
	if *adminAny {
		opts = append(opts, emulator.WithAdminFromAnyAddress())
	}
	if *chaosFile != "" {
		c, err := chaos.Load(*chaosFile)
		if err != nil {
			fmt.Fprintf(stderr, "batchconform emulate: --chaos: %v\n", err)
			return ExitUsage
		}
		opts = append(opts, emulator.WithChaos(c))
		fmt.Fprintf(stderr, "batchconform emulate: chaos on: %d rules from %s\n", len(c.Rules), *chaosFile)
	}
	emu, err := emulator.Start(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "batchconform emulate: %v\n", err)
		return ExitUsage
	}
	if si := emu.State(); si.Dir != "" {
		fmt.Fprintf(stdout, "batchconform emulator: state in %s: %d records restored, %d local task attempts recovered (%q)\n",
			si.Dir, si.Restored, si.Recovered, emulator.LostReason)
		if si.Diverged > 0 {
			fmt.Fprintf(stderr, "batchconform emulate: warning: %d replayed calls came out differently from when they were recorded\n", si.Diverged)
		}
	}
	host, _, _ := net.SplitHostPort(emu.Addr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(stderr, "batchconform emulate: warning: listening on a non-loopback address %s\n", emu.Addr)
	}
	// The key is never printed: it was given by the caller or is the documented default.
	fmt.Fprintf(stdout, "batchconform emulator %s listening on %s (SecretId/AccessKeyId %s, dialects %s)\n",
		emulator.Version, emu.URL, emu.SecretID, strings.Join(emulator.Dialects, ", "))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	s := <-sig
	signal.Stop(sig)
	fmt.Fprintf(stdout, "batchconform emulator: %s, shutting down\n", s)
	if err := emu.Close(); err != nil {
		fmt.Fprintf(stderr, "batchconform emulate: close: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
