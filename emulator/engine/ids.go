package engine

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// ID prefixes (the documented shapes: job-97zcl3wt, env-lcpcej85,
// node-noa8vefu, ins-…, task-tmpl-pg24rqle, act-83xvnt5p).
const (
	PrefixJob      = "job-"
	PrefixEnv      = "env-"
	PrefixNode     = "node-"
	PrefixInstance = "ins-"
	PrefixTemplate = "task-tmpl-"
	PrefixActivity = "act-"
)

// idGen makes unique IDs: a prefix plus 8 characters of [a-z0-9]. Seeded
// (Config.Seed) it is deterministic. Callers hold the engine lock.
type idGen struct {
	r *rand.Rand
	// used holds, per prefix, the codes issued: the 8 characters as a number
	// in base 36 (an ID is its prefix and its code). Sets of numbers, not of
	// strings: nothing in them for the GC to scan, one per ID ever issued.
	used map[string]map[uint64]struct{}
	n    int // IDs issued
}

func newIDGen(seed uint64) *idGen {
	if seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	return &idGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), used: map[string]map[uint64]struct{}{}}
}

const idLen = 8

func (g *idGen) next(prefix string) string {
	set := g.used[prefix]
	if set == nil {
		set = map[uint64]struct{}{}
		g.used[prefix] = set
	}
	for {
		var b [idLen]byte
		var code uint64
		for i := range b {
			k := g.r.IntN(len(idAlphabet))
			b[i] = idAlphabet[k]
			code = code*uint64(len(idAlphabet)) + uint64(k)
		}
		// One map operation, not a lookup and then an insert: the set
		// grows by one unless the code was issued before.
		n := len(set)
		set[code] = struct{}{}
		if len(set) > n {
			g.n++
			return prefix + string(b[:])
		}
	}
}

// NewID returns a fresh unique ID: prefix plus 8 characters of [a-z0-9], from
// the engine's generator (deterministic under Config.Seed). Façades with
// resources of their own (Oceanus: cql-…, cluster-…) take their IDs here so
// one seed fixes every ID of a run.
func (e *Engine) NewID(prefix string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.syncForJournal()
	return e.ids.next(prefix)
}
