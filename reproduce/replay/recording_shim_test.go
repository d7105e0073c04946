package replay

import (
	"encoding/json"
	"testing"
)

func recordingOf(t *testing.T, b *Bundle) [][]json.RawMessage { return b.Segments }
