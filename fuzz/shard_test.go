package fuzz

import (
	"testing"
	"time"
)

// Fuzz shards draw disjoint seeds, and together the seeds of one run.
func TestShardSeedsAreDisjoint(t *testing.T) {
	const base, rounds = 1234, 500
	for _, n := range []int{1, 2, 3, 5} {
		seen := map[uint64]int{}
		for i := 0; i < n; i++ {
			s, stride := ShardSeeds(base, i, n)
			for r := 0; r < rounds; r++ {
				if j, dup := seen[s]; dup {
					t.Fatalf("n=%d: seed %d drawn by shards %d and %d", n, s, j, i)
				}
				seen[s] = i
				s += stride
			}
		}
		for s := uint64(base); s < base+rounds; s++ {
			if _, ok := seen[s]; !ok {
				t.Errorf("n=%d: seed %d of the unsharded run is drawn by no shard", n, s)
			}
		}
	}
}

// The shards of a run of every dialect draw disjoint round seeds (the one
// runner serves them all).
func TestShardsDisjointPerDialect(t *testing.T) {
	for _, key := range DialectKeys {
		d, err := DialectByKey(key)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]int{}
		for i := 0; i < 2; i++ {
			res, err := Run(Config{Dialect: d, Duration: 60 * time.Second, Rounds: 1, Seed: 99, ShardIndex: i, ShardTotal: 2,
				Checks: 5, StatefulChecks: 1, Steps: 5})
			if err != nil {
				t.Fatalf("%s shard %d: %v", key, i, err)
			}
			if len(res.Rounds) == 0 {
				t.Fatalf("%s shard %d ran no round", key, i)
			}
			for _, s := range res.Rounds {
				if j, dup := seen[s]; dup {
					t.Errorf("%s: seed %d drawn by shards %d and %d", key, s, j, i)
				}
				seen[s] = i
				if want := uint64(99 + i); (s-want)%2 != 0 {
					t.Errorf("%s shard %d drew %d, not of its share 99+%d+2k", key, i, s, i)
				}
			}
		}
	}
}
