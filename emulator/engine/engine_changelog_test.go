package engine

import "testing"

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
