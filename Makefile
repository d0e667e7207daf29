# batchconform — see README.md. Every target works on a fresh clone.
GO ?= go
PKGS := ./...
BIN := bin/batchconform

.PHONY: all build test conformance bench lint fuzz catalog clean hostile

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/batchconform

# The test command (README): vet, gofmt check, then every test with -race.
test: lint
	$(GO) test -race -count=1 $(PKGS)

# The main job (README): the conformance run against the embedded emulator.
conformance: build
	./$(BIN) run --out batchconform-report

# The whole hostile-endpoint table of issue 11 (every server, every spec):
# each run must end within 2 minutes with exit 1; prints server -> time ->
# exit code. `make test` runs a bounded part of it.
hostile:
	BATCHCONFORM_HOSTILE=all $(GO) test -count=1 -timeout 60m -v -run 'TestHostileEndpoints|TestSlowButCorrectServer' ./internal/cli

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./emulator/ ./emulator/api3/

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzDecode -fuzztime=20s ./emulator/api3
	$(GO) test -run='^$$' -fuzz=FuzzSignature -fuzztime=20s ./emulator/api3

# Regenerate the Tencent Batch catalog from ../shared (apispec, seeds) and the SDK.
catalog:
	$(GO) generate ./fixtures/tencentbatch

clean:
	rm -rf bin batchconform-report
