package session

import (
	"encoding/json"
	"time"
)

// repro's JSON outputs give every duration in milliseconds (offset_ms,
// duration_ms, …), like the replay timeline does; these methods keep the
// observation to that rule.

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MarshalJSON writes the step result with its duration in milliseconds.
func (r StepResult) MarshalJSON() ([]byte, error) {
	type plain StepResult
	return json.Marshal(struct {
		plain
		Duration float64 `json:"duration_ms"`
	}{plain(r), ms(r.Duration)})
}

// MarshalJSON writes the observation with its duration in milliseconds.
func (o Observation) MarshalJSON() ([]byte, error) {
	type plain Observation
	return json.Marshal(struct {
		plain
		Duration float64 `json:"duration_ms"`
	}{plain(o), ms(o.Duration)})
}

// MarshalJSON writes the dead click with its window in milliseconds.
func (d DeadClick) MarshalJSON() ([]byte, error) {
	type plain DeadClick
	return json.Marshal(struct {
		plain
		Window float64 `json:"window_ms"`
	}{plain(d), ms(d.Window)})
}
