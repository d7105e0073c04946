package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// Bug is the signature replays are grouped by: the failure the rerun
// reproduced (its kind, error type and message), the target of the step
// it followed, and the request before it.
type Bug struct {
	Kind    string `json:"kind"`
	Type    string `json:"type,omitempty"`
	Message string `json:"message,omitempty"`
	Target  string `json:"target,omitempty"`
	Request string `json:"request,omitempty"`
}

// String is the bug in one line, for the summary table.
func (b Bug) String() string {
	s := b.Kind
	switch {
	case b.Type != "" && b.Message != "":
		s = b.Type + ": " + b.Message
	case b.Message != "":
		s = b.Message
	case b.Type != "":
		s = b.Type
	}
	if b.Target != "" {
		s += " · at " + b.Target
	}
	if b.Request != "" {
		s += " · after " + b.Request
	}
	return s
}

// volatile are the parts of a message that differ between occurrences of
// one bug (ids, counts, hex, quoted user text would be too much: the type
// and the rest of the words still tell bugs apart).
var volatile = regexp.MustCompile(`0x[0-9a-fA-F]+|[0-9a-fA-F]{8,}|\d+`)

// ID names the group: a short hash of the signature, stable across batches
// (so results.jsonl can say the group as each replay finishes).
func (b Bug) ID() string {
	key := strings.Join([]string{b.Kind, b.Type, volatile.ReplaceAllString(b.Message, "#"), b.Target, volatile.ReplaceAllString(b.Request, "#")}, "\x00")
	h := sha256.Sum256([]byte(key))
	return "bug-" + hex.EncodeToString(h[:4])
}

// BugOf is the bug a reproduced rerun showed: the first proof signal of
// the signature the rerun saw again. ok is false for any other verdict.
func BugOf(rep *reproduce.Report) (Bug, bool) {
	if rep == nil || rep.Verdict.Value != verdict.Reproduced {
		return Bug{}, false
	}
	// The failure the rerun showed again: of the proof signals it saw,
	// an error before a console error before a rage or dead click (the
	// error says most about the bug; a dead click often only follows it).
	type key struct {
		step int
		kind string
	}
	seen := map[key]bool{}
	for _, e := range rep.Verdict.Evidence {
		if e.Proof && e.Seen {
			seen[key{e.Step, e.Signal}] = true
		}
	}
	var sig *verdict.Signal
	for _, kind := range []string{verdict.SignalError, verdict.SignalConsoleError, verdict.SignalRageClick, verdict.SignalDeadClick} {
		for i, s := range rep.Signature.Signals {
			if s.Kind == kind && s.Proof && seen[key{s.Step, s.Kind}] {
				sig = &rep.Signature.Signals[i]
				break
			}
		}
		if sig != nil {
			break
		}
	}
	if sig == nil {
		return Bug{}, false
	}
	b := Bug{Kind: sig.Kind, Type: sig.Type, Message: sig.Message, Target: sig.Target}
	if rep.Plan != nil && sig.Step >= 0 && sig.Step < len(rep.Plan.Steps) {
		st := rep.Plan.Steps[sig.Step]
		if b.Target == "" && len(st.Selectors) > 0 {
			b.Target = string(st.Kind) + " " + st.Selectors[0]
		}
	}
	// The request the failure followed: the last failed request recorded
	// at or before its step (a bug behind a 500 differs from one behind a
	// 404 even when the page throws the same TypeError).
	for _, s := range rep.Signature.Signals {
		if s.Kind == verdict.SignalFailedRequest && s.Step <= sig.Step {
			b.Request = s.Method + " " + s.Path
		}
	}
	return b, true
}
