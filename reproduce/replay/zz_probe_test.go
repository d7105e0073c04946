package replay

import "testing"

func BenchmarkZZ(b *testing.B) {
	bun, err := LoadBundle("/tmp/bench100")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := BuildTimeline(bun); err != nil {
			b.Fatal(err)
		}
	}
}
