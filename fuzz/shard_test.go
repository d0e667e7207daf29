package fuzz

import "testing"

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
