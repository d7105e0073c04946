package plan

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStepJSONRoundTripsWithMilliseconds(t *testing.T) {
	in := Step{Index: 3, Kind: StepClick, Offset: 9686 * time.Millisecond, Gap: 1500 * time.Millisecond, Selectors: []string{"#generate"}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"offset_ms":9686`)
	assert.Contains(t, string(b), `"gap_ms":1500`)
	var out Step
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)
}
