package reproduce

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText prints the story for a terminal or a ticket: a header, the
// numbered lines with their offsets from the replay start, the
// classification, and notes on what the data does not cover.
func (s *Story) WriteText(w io.Writer) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Replay %s · %s\n\n", s.ReplayID, fmtDuration(s.Duration))
	for _, l := range s.Lines {
		mark := "  "
		switch {
		case l.Breakdown:
			mark = "✗ "
		case l.Failure:
			mark = "! "
		}
		fmt.Fprintf(&sb, "%3d  %s  %s%s", l.N, fmtOffset(l.Offset), mark, l.Text)
		if l.Breakdown {
			sb.WriteString("   ← breakdown")
		}
		sb.WriteByte('\n')
	}
	if len(s.Lines) == 0 {
		sb.WriteString("  (no user actions or system responses were recorded)\n")
	}
	fmt.Fprintf(&sb, "\n%s\n", s.Classification.Line())
	for _, n := range s.Notes {
		fmt.Fprintf(&sb, "note: %s\n", n)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// Line is the classification as one line: "Broken (in between): …".
func (c Classification) Line() string {
	label := map[string]string{ClassBroken: "Broken", ClassConfusing: "Confusing", ClassOK: "Nothing went wrong"}[c.Class]
	if c.Where != "" {
		label += " (" + strings.ReplaceAll(c.Where, "_", " ") + ")"
	}
	if c.Class == ClassOK {
		return label + ": " + strings.TrimPrefix(c.Summary, "nothing went wrong: ")
	}
	return label + ": " + c.Summary
}

// MarshalJSON adds offsets and durations in milliseconds, the unit every
// repro JSON output uses.
func (l StoryLine) MarshalJSON() ([]byte, error) {
	type plain StoryLine
	return json.Marshal(struct {
		plain
		OffsetMS int64 `json:"offset_ms"`
	}{plain(l), l.Offset.Milliseconds()})
}

// MarshalJSON adds the duration in milliseconds.
func (s *Story) MarshalJSON() ([]byte, error) {
	type plain Story
	return json.Marshal(struct {
		*plain
		DurationMS int64 `json:"duration_ms"`
	}{(*plain)(s), s.Duration.Milliseconds()})
}
