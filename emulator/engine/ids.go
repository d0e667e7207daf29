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
	r    *rand.Rand
	used map[string]bool
}

func newIDGen(seed uint64) *idGen {
	if seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	return &idGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), used: map[string]bool{}}
}

func (g *idGen) next(prefix string) string {
	for {
		b := make([]byte, len(prefix)+8)
		copy(b, prefix)
		for i := len(prefix); i < len(b); i++ {
			b[i] = idAlphabet[g.r.IntN(len(idAlphabet))]
		}
		id := string(b)
		if !g.used[id] {
			g.used[id] = true
			return id
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
