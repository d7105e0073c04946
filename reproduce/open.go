package reproduce

import (
	"errors"
	"fmt"

	"github.com/repro-dev/repro/reproduce/replay"
)

// Replay is a replay read from disk: the bundle as stored and the timeline
// built from it.
type Replay struct {
	Bundle   *replay.Bundle
	Timeline *replay.Timeline
}

// Open reads a replay bundle directory or a recording file (segments,
// a single segment, or raw envelopes) within replay.DefaultLimits and builds
// its timeline. A recording without a full DOM snapshot is refused: actions
// could not be mapped to elements, so nothing could be re-run from it.
func Open(path string) (*Replay, error) { return OpenWith(path, replay.DefaultLimits()) }

// OpenWith is Open with explicit limits on what reading the replay may cost.
func OpenWith(path string, lim replay.Limits) (*Replay, error) {
	b, err := replay.LoadWith(path, lim)
	if err != nil {
		return nil, err
	}
	tl, err := replay.BuildTimeline(b)
	if err != nil {
		if errors.Is(err, replay.ErrNoFullSnapshot) {
			return nil, fmt.Errorf("%s: %w (the recording starts mid-session; fetch every segment from the first one)", path, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Replay{Bundle: b, Timeline: tl}, nil
}
