package story

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/replay"
)

// WriteText prints the story for a terminal or a ticket: a header, the
// numbered lines with their offsets from the replay start, the
// classification, and notes on what the data does not cover. Every
// recorded string goes through escape.Text, so control characters, line
// breaks and bidi controls in a replay are shown, never obeyed.
func (s *Story) WriteText(w io.Writer) error {
	_, err := io.WriteString(w, s.Text())
	return err
}

// Text is the story as WriteText prints it.
func (s *Story) Text() string {
	var t escape.Text
	t.Printf("Replay %s · %s\n\n", s.ReplayID, replay.FormatDuration(s.Duration))
	for _, l := range s.Lines {
		mark := "  "
		switch {
		case l.Breakdown:
			mark = "✗ "
		case l.Failure:
			mark = "! "
		}
		if l.Breakdown {
			t.Printf("%3d  %s  %s%s   ← breakdown\n", l.N, replay.FormatOffset(l.Offset), mark, l.Text)
		} else {
			t.Printf("%3d  %s  %s%s\n", l.N, replay.FormatOffset(l.Offset), mark, l.Text)
		}
	}
	if len(s.Lines) == 0 {
		t.Printf("  (no user actions or system responses were recorded)\n")
	}
	t.Printf("\n%s\n", s.Classification.Line())
	for _, n := range s.Notes {
		t.Printf("note: %s\n", n)
	}
	return t.String()
}

// Line is the classification as one line: "Broken (in between): …". It is
// raw text (the summary quotes recorded strings): escape it for its sink.
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
