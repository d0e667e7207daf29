package api3

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

var appendStrings = []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnl\ncr\rbs\bff\f",
	"\x00\x01\x1f\x7f", "é中文😀", "\u2028\u2029", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate", "end\\"}

func TestAppendJSONStringIsJSONMarshal(t *testing.T) {
	for _, s := range appendStrings {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendJSONString(%q) = %s, json.Marshal %s", s, got, want)
		}
	}
	for _, n := range []int64{0, -1, 42, math.MaxInt64, math.MinInt64} {
		want, _ := json.Marshal(n)
		if got := AppendJSONInt(nil, n); !bytes.Equal(got, want) {
			t.Errorf("AppendJSONInt(%d) = %s, want %s", n, got, want)
		}
	}
	want, _ := json.Marshal(uint64(math.MaxUint64))
	if got := AppendJSONUint(nil, math.MaxUint64); !bytes.Equal(got, want) {
		t.Errorf("AppendJSONUint = %s, want %s", got, want)
	}
	if got := AppendJSONStringPtr(nil, nil); string(got) != "null" {
		t.Errorf("AppendJSONStringPtr(nil) = %s", got)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range appendStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSONString(%q) = %s, json.Marshal %s", s, got, want)
		}
	})
}
