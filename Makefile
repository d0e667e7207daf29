# batchconform — see README.md. Every target works on a fresh clone.
GO ?= go
PKGS := ./...
BIN := bin/batchconform

.PHONY: all build test interop-deps conformance mutation bench lint fuzz catalog clean statecheck soak soak-ci latency-check hostile

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/batchconform

# The test command (README): vet, gofmt check, then every test with -race.
# ./internal/cli (whole runs in child processes, the longest package) is
# listed first so that it starts at once and the others fill the second core.
# The exhaustive state-machine explorations (emulator/engine/statecheck) run
# after, without -race: a breadth-first search on one goroutine over a
# manual-clock engine, which the race detector made 7x slower (268 s of a
# 10-minute CI stage) without a concurrent access to watch; the engine's
# concurrency is raced in its own package.
test: lint interop-deps
	$(GO) test -race -count=1 -timeout 25m -skip '^TestExhaustive' ./internal/cli $(PKGS)
	$(GO) test -count=1 -timeout 10m -run '^TestExhaustive' ./emulator/engine/statecheck/

# The interop tests' Node.js SDKs, exactly as locked in the repo (npm ci), so
# `make test` works on a fresh clone; without npm the interop tests skip and say why.
interop-deps:
	@command -v npm >/dev/null || exit 0; \
	  for d in interop/node/aliyun interop/node/tencent; do \
	    [ -d $$d/node_modules ] || (cd $$d && npm ci --no-audit --no-fund >/dev/null) || exit 1; \
	  done

# The main job (README): the conformance run against the embedded emulator.
conformance: build
	./$(BIN) run --out batchconform-report

# The mutation gate (issue 8): a clean run, then every registered fault in an
# emulator of its own; exits 1 on a false positive or a surviving fault.
# MUTATION_FLAGS=--full runs the whole suite per fault.
mutation: build
	./$(BIN) mutation --out batchconform-mutation $(MUTATION_FLAGS)

# The exhaustive state-machine check, deeper than its bounded run in `make test`
# (emulator/engine/statecheck; prints states explored, transitions taken, time).
STATECHECK_SCALE ?= 1.5
statecheck:
	BATCHCONFORM_STATECHECK_SCALE=$(STATECHECK_SCALE) $(GO) test -count=1 -timeout 60m -run 'TestExhaustive' -v ./emulator/engine/statecheck/

# A long-lived endpoint gives a fresh one's verdicts: one `batchconform emulate`,
# consecutive full runs (direct, through a 5 ms proxy, through a proxy dropping
# DeleteJob/TerminateJob) under two CPU-bound processes (SOAK_LOAD); CI runs
# the bounded `make soak-ci` instead.
SOAK_RUNS ?= 20
SOAK_LOAD ?= 2
soak:
	BATCHCONFORM_SOAK_RUNS=$(SOAK_RUNS) BATCHCONFORM_SOAK_LOAD=$(SOAK_LOAD) $(GO) test -count=1 -timeout 4h -run 'TestSoak$$' -v ./internal/cli/

# The bounded soak (CI, a few minutes on 2 cores): one `batchconform emulate`
# serving the Tencent Batch action and error specs through a proxy dropping
# DeleteJob/TerminateJob (they leave jobs behind), a whole run straight to
# the emulator among the leftovers, and the state specs of every dialect
# through a 5 ms latency proxy; each with 0 unexplained failures, each
# stage's wall time printed. SOAK_CI_STAGES=2,3 runs some of them.
SOAK_CI_STAGES ?= all
soak-ci:
	BATCHCONFORM_SOAK_CI=$(SOAK_CI_STAGES) BATCHCONFORM_SOAK_LOAD=$${BATCHCONFORM_SOAK_LOAD:-0} $(GO) test -count=1 -timeout 30m -run 'TestSoakCI$$' -v ./internal/cli/

# The state specs never fail for timing alone: runs through a 5 ms latency
# proxy with 0 failures (CI: one, in `make soak-ci`).
LATENCY_RUNS ?= 50
latency-check:
	BATCHCONFORM_LATENCY_RUNS=$(LATENCY_RUNS) $(GO) test -count=1 -timeout 2h -run 'TestStateSpecsThroughLatencyProxy$$' -v ./internal/cli/

# The whole hostile-endpoint table of issue 11 (every server, every spec):
# each run must end within 2 minutes with exit 1; prints server -> time ->
# exit code. `make test` runs a bounded part of it.
hostile:
	BATCHCONFORM_HOSTILE=all $(GO) test -count=1 -timeout 60m -v -run 'TestHostileEndpoints|TestGarbageAnswersNoPanic|TestSlowButCorrectServer' ./internal/cli

# Throughput as ratios measured in one run: each *VsBare benchmark alternates
# bursts to the emulator and to a bare net/http handler answering the same
# bytes, so both see the same load on a shared machine. BENCH_COUNT runs each;
# the table prints the medians. DescribeJobsPage is a page at 1k/10k/100k
# kept jobs (flat = page-proportional), ScaleMemory the heap per job and per
# node at 100k jobs and 10k nodes (one run). BENCHMARKS.md records the figures.
BENCH_COUNT ?= 3
# BENCH_SCALE=0 skips the 100k-job memory benchmark (CI keeps to the ratios).
BENCH_SCALE ?= 1
BENCH ?= VsBare|Server|CheckSubmitJob|CheckRequest|DescribeJobsPage
bench:
	@out=$$(mktemp); $(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -count=$(BENCH_COUNT) -timeout 30m ./emulator/ ./emulator/api3/ ./emulator/validate/ > $$out; \
	  rc=$$?; if [ "$(BENCH_SCALE)" != 0 ]; then $(GO) test -run='^$$' -bench='ScaleMemory' -benchtime=1x -timeout 30m ./emulator/ >> $$out || rc=1; fi; \
	  cat $$out; awk -f scripts/benchtable.awk $$out; rm -f $$out; exit $$rc

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzDecode -fuzztime=20s ./emulator/api3
	$(GO) test -run='^$$' -fuzz=FuzzSignature -fuzztime=20s ./emulator/api3

# Regenerate the catalogs from ../shared (apispec, seeds) and, for Tencent, the SDK.
catalog:
	$(GO) generate ./fixtures/tencentbatch ./fixtures/alibatch ./fixtures/oceanus

clean:
	rm -rf bin batchconform-report batchconform-mutation
