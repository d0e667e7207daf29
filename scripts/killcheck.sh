#!/bin/sh
# Builds the binary and prints the kill table of the named faults (default:
# all). Usage: scripts/killcheck.sh [fault,fault...]
set -e
cd "$(dirname "$0")/.."
go build -o bin/batchconform ./cmd/batchconform
if [ -n "$1" ]; then
	exec go run ./scripts/killcheck -bin bin/batchconform -faults "$1"
fi
exec go run ./scripts/killcheck -bin bin/batchconform
