// Package listing holds what every façade's list operations share: select
// (an ID list, filters), page (Offset/Limit windows for API 3.0, Marker pages
// for ACS) and shape each item into its wire view. The façades keep only what
// is theirs: which filters exist, the codes of bad values, the views.
package listing

import "sort"

// Filter keeps the items keep accepts, in order. It never changes items.
func Filter[T any](items []T, keep func(T) bool) []T {
	out := items[:0:0]
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// ByID keeps the items whose ID is listed; an empty list keeps every item
// (the documented meaning of an absent ID-list parameter).
func ByID[T any](items []T, ids []string, id func(T) string) []T {
	if len(ids) == 0 {
		return items
	}
	want := make(map[string]bool, len(ids))
	for _, x := range ids {
		want[x] = true
	}
	return Filter(items, func(it T) bool { return want[id(it)] })
}

// Views shapes each item; the result is never nil, so it marshals as [].
func Views[T, V any](items []T, view func(T) V) []V {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	return out
}

// Window is an Offset/Limit page over n items as [a, b): a negative or absent
// (0) offset starts at 0, an offset past the end gives an empty page; a limit
// of 0 or less takes def, and a limit above max is cut to max.
func Window(n int, offset, limit, def, max int64) (a, b int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = def
	}
	if limit > max {
		limit = max
	}
	if offset > int64(n) {
		offset = int64(n)
	}
	end := offset + limit
	if end > int64(n) {
		end = int64(n)
	}
	return int(offset), int(end)
}

// Marker is a Marker/MaxItemCount page: items sorted by key, starting at the
// item whose key is marker ("" = the first), at most n of them; next is the
// key of the next page's first item ("" on the last page). ok is false when
// marker names no item (never issued, or its item is gone).
func Marker[T any](items []T, key func(T) string, marker string, n int) (page []T, next string, ok bool) {
	sorted := append([]T(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return key(sorted[i]) < key(sorted[j]) })
	start := sort.Search(len(sorted), func(i int) bool { return key(sorted[i]) >= marker })
	if marker != "" && (start == len(sorted) || key(sorted[start]) != marker) {
		return nil, "", false
	}
	sorted = sorted[start:]
	if n > 0 && len(sorted) > n {
		return sorted[:n], key(sorted[n]), true
	}
	return sorted, "", true
}
