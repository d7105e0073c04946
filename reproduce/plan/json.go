package plan

import (
	"encoding/json"
	"time"
)

// repro's JSON outputs give every duration in milliseconds (offset_ms,
// duration_ms, …), like the replay timeline does; these methods keep the
// plan to that rule.

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMS(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

type stepJSON struct {
	Offset   float64 `json:"offset_ms"`
	Gap      float64 `json:"gap_ms,omitempty"`
	Duration float64 `json:"duration_ms,omitempty"`
}

// MarshalJSON writes the step with its times in milliseconds.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		plain
		stepJSON
	}{plain(s), stepJSON{ms(s.Offset), ms(s.Gap), ms(s.Duration)}})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Step) UnmarshalJSON(data []byte) error {
	type plain Step
	var v struct {
		plain
		stepJSON
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*s = Step(v.plain)
	s.Offset, s.Gap, s.Duration = fromMS(v.stepJSON.Offset), fromMS(v.stepJSON.Gap), fromMS(v.stepJSON.Duration)
	return nil
}
