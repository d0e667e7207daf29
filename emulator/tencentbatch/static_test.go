package tencentbatch

import "testing"

// TestParseTypeCacheAgrees: a cached answer is the parse's own, asked first
// and asked again, for valid and invalid names.
func TestParseTypeCacheAgrees(t *testing.T) {
	for _, name := range []string{"S1.SMALL1", "S5.MEDIUM4", "SA2.2XLARGE32", "S5.65XLARGE8", "S5.SMALL0",
		"XX9.SMALL1", "s1.small1", "S1.SMALL", "", "S1.0XLARGE8", "C4.LARGE8"} {
		want, wantOK := parseTypeName(name)
		for round := range 2 {
			got, ok := parseType(name)
			if got != want || ok != wantOK {
				t.Errorf("round %d: parseType(%q) = %+v %v, parseTypeName %+v %v", round, name, got, ok, want, wantOK)
			}
		}
	}
}
