package listing

import (
	"strconv"
	"testing"
)

func TestWindow(t *testing.T) {
	for _, c := range []struct {
		n                  int
		off, lim, def, max int64
		a, b               int
	}{
		{10, 0, 0, 20, 100, 0, 10}, {10, 3, 2, 20, 100, 3, 5}, {10, 20, 5, 20, 100, 10, 10},
		{10, -1, 5, 20, 100, 0, 5}, {500, 0, 1000, 20, 100, 0, 100}, {0, 0, 0, 20, 100, 0, 0},
	} {
		if a, b := Window(c.n, c.off, c.lim, c.def, c.max); a != c.a || b != c.b {
			t.Errorf("Window(%d, %d, %d, %d, %d) = %d, %d; want %d, %d", c.n, c.off, c.lim, c.def, c.max, a, b, c.a, c.b)
		}
	}
}

func TestMarkerWalksEveryItemOnce(t *testing.T) {
	var items []string
	for i := 0; i < 23; i++ {
		items = append(items, "id-"+strconv.Itoa(100+i*7%23)) // unsorted input
	}
	id := func(s string) string { return s }
	seen := map[string]int{}
	marker, pages := "", 0
	for {
		page, next, ok := Marker(items, id, marker, 5)
		if !ok {
			t.Fatalf("marker %q refused", marker)
		}
		for _, x := range page {
			seen[x]++
		}
		pages++
		if next == "" {
			break
		}
		marker = next
	}
	if pages != 5 || len(seen) != 23 {
		t.Fatalf("%d pages, %d distinct items", pages, len(seen))
	}
	for x, n := range seen {
		if n != 1 {
			t.Fatalf("%s seen %d times", x, n)
		}
	}
	if _, _, ok := Marker(items, id, "never-issued", 5); ok {
		t.Fatal("an unknown marker was accepted")
	}
}

func TestFilterByIDViews(t *testing.T) {
	xs := []int{1, 2, 3, 4}
	even := Filter(xs, func(x int) bool { return x%2 == 0 })
	if len(even) != 2 || even[0] != 2 || xs[1] != 2 {
		t.Fatalf("Filter: %v (input %v)", even, xs)
	}
	if got := ByID(xs, nil, strconv.Itoa); len(got) != 4 {
		t.Fatalf("ByID with no IDs: %v", got)
	}
	if got := ByID(xs, []string{"3", "9"}, strconv.Itoa); len(got) != 1 || got[0] != 3 {
		t.Fatalf("ByID: %v", got)
	}
	if v := Views([]int(nil), strconv.Itoa); v == nil || len(v) != 0 {
		t.Fatalf("Views of nothing: %#v", v)
	}
}
