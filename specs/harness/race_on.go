//go:build race

package harness

// raceEnabled: built with -race (background.go keeps work in its spec).
const raceEnabled = true
