package replay

import (
	"encoding/json"
	"testing"
)

// recordingOf reads a loaded bundle's raw events.
func recordingOf(t *testing.T, b *Bundle) [][]json.RawMessage {
	t.Helper()
	segs, err := b.ReadSegments()
	if err != nil {
		t.Fatal(err)
	}
	return segs
}
