package engine

import (
	"strconv"
	"testing"
	"time"
)

// TestChangeLogKeepsTheLastMax: the chunked log answers exactly the last
// keep entries, oldest first, across chunk boundaries and trims.
func TestChangeLogKeepsTheLastMax(t *testing.T) {
	for _, keep := range []int{1, 5, changeChunk - 1, changeChunk, changeChunk + 3, 3 * changeChunk} {
		var l changeLog
		total := 4*changeChunk + 7
		for i := 1; i <= total; i++ {
			l.add(Change{Seq: int64(i)}, keep)
			if i%997 != 0 && i != total {
				continue
			}
			var got []int64
			l.each(keep, func(c *Change) { got = append(got, c.Seq) })
			want := min(i, keep)
			if len(got) != want || got[len(got)-1] != int64(i) || got[0] != int64(i-want+1) {
				t.Fatalf("keep %d after %d: %d entries [%d..%d], want %d ending at %d", keep, i, len(got), got[0], got[len(got)-1], want, i)
			}
			for k := 1; k < len(got); k++ {
				if got[k] != got[k-1]+1 {
					t.Fatalf("keep %d after %d: entries out of order at %d", keep, i, k)
				}
			}
			if len(l.chunks) > keep/changeChunk+2 {
				t.Fatalf("keep %d: %d chunks held", keep, len(l.chunks))
			}
		}
	}
}

// TestChangeLogGivesBackWhatWasAdded: the compact records (strings and times
// in per-chunk tables) give back each change exactly, across chunks: the
// same strings, the time with its location and monotonic reading (==), the
// index or its absence, an Env set after the fact, and Seqs that skip.
func TestChangeLogGivesBackWhatWasAdded(t *testing.T) {
	var l changeLog
	base := time.Now() // with a monotonic reading
	locs := []*time.Location{time.UTC, time.FixedZone("x", 3600), time.Local}
	var want []Change
	seq := int64(0)
	for i := 1; i <= changeChunk+50; i++ {
		seq++
		if i == 100 || i == 101 || i == changeChunk+10 {
			seq += 7 // out of turn: a chunk keeps only its first Seq, so this starts one
		}
		c := Change{Seq: seq, Time: base.Add(time.Duration(i/3) * time.Millisecond).In(locs[i%3]),
			Tenant: "t" + strconv.Itoa(i%2), Kind: []string{"job", "task", "task-instance", "node"}[i%4],
			ID: "job-" + strconv.Itoa(i/5), From: []string{"", "SUBMITTED"}[i%2], To: "RUNNING"}
		if i%4 == 1 {
			c.Task = "task" + strconv.Itoa(i%7)
		}
		if i%4 == 2 {
			c.Index = indexPtr(i * 3) // beyond smallInts too
		}
		if i%6 == 0 {
			c.Time = c.Time.Round(0) // no monotonic reading
		}
		l.add(c, 1<<20)
		if c.Kind == "node" {
			c.Env = "env-" + strconv.Itoa(i)
			l.setLastEnv(c.Env)
		}
		want = append(want, c)
	}
	i := 0
	l.each(1<<20, func(c *Change) {
		w := want[i]
		if c.Time != w.Time || (c.Index == nil) != (w.Index == nil) || (c.Index != nil && *c.Index != *w.Index) {
			t.Fatalf("entry %d: time %v index %v, want %v %v", i, c.Time, c.Index, w.Time, w.Index)
		}
		c.Time, c.Index, w.Time, w.Index = time.Time{}, nil, time.Time{}, nil
		if *c != w {
			t.Fatalf("entry %d: %+v, want %+v", i, *c, w)
		}
		i++
	})
	if i != len(want) {
		t.Fatalf("%d entries, want %d", i, len(want))
	}
}
