package fuzz

import "testing"

func BenchmarkEmbeddedTarget(b *testing.B) {
	for i := 0; i < b.N; i++ {
		t, err := Embedded{}.New()
		if err != nil {
			b.Fatal(err)
		}
		t.Close()
	}
}
