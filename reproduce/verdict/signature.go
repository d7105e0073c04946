package verdict

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/story"
)

// Signal kinds of a bug signature.
const (
	SignalError          = "error"           // an uncaught or reported exception
	SignalConsoleError   = "console_error"   // console.error
	SignalConsoleWarning = "console_warning" // console.warn: context only
	SignalFailedRequest  = "failed_request"  // a 4xx/5xx or failed call: context only
	SignalDeadClick      = "dead_click"      // a click with no visible effect
	SignalRageClick      = "rage_click"      // repeated clicks on one target
)

// Signal is one failure signal of a recording, tied to the plan step it
// follows.
type Signal struct {
	Kind string `json:"kind"`
	// plan.Step is the index of the last plan step at or before the signal.
	Step   int           `json:"step"`
	Offset time.Duration `json:"-"`
	// Type is an exception type or a console level; Message its text.
	Type    string `json:"type,omitempty"`
	Message string `json:"message,omitempty"`
	// Method, Path, Status describe a failed request; Occurrence counts
	// the recorded requests with the same method and path before it (the
	// rerun's request is compared with the one made as often).
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty"`
	Status     int    `json:"status,omitempty"`
	Occurrence int    `json:"occurrence,omitempty"`
	// Target names the clicked element of a dead or rage click.
	Target string `json:"target,omitempty"`
	// Proof is true for signals of the app's own reaction (errors, console
	// errors, dead and rage clicks). A failing response replayed from the
	// recording, or a warning, is context: it is served or printed either
	// way, so it cannot tell a buggy app from a fixed one.
	Proof bool `json:"proof"`
}

// Signature is the set of failure signals a rerun is compared against.
type Signature struct {
	Signals []Signal `json:"signals"`
	// Where is the recording's classification: frontend, backend,
	// in_between, or "" when nothing broke.
	Where string `json:"where,omitempty"`
}

// Proofs returns the signals that can prove a reproduction.
func (s Signature) Proofs() []Signal {
	var out []Signal
	for _, sig := range s.Signals {
		if sig.Proof {
			out = append(out, sig)
		}
	}
	return out
}

// Steps are the plan steps the signals are tied to, in order, each once.
func (s Signature) Steps() []int {
	var out []int
	for _, sig := range s.Signals {
		out = append(out, sig.Step)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Decided reports whether obs already shows one of the proof signals: the
// rerun reproduces the bug whatever the rest of it shows (RunConfig.Decided).
func (s Signature) Decided(obs *session.Observation) bool {
	for _, sig := range s.Proofs() {
		if seen, _ := observe(sig, obs, nil); seen {
			return true
		}
	}
	return false
}

// BugSignature extracts the failure signals of a replay and ties each to the
// plan step it follows.
func BugSignature(tl *replay.Timeline, p *plan.Plan) Signature {
	sig := Signature{Where: story.Classify(tl).Where}
	stepAt := func(off time.Duration) int {
		idx := 0
		for _, s := range p.Steps {
			if s.Offset <= off {
				idx = s.Index
			}
		}
		return idx
	}
	seenDead := map[string]bool{}
	calls := map[string]int{} // recorded requests so far, by method and path
	for _, ev := range tl.Events {
		s := Signal{Offset: ev.Offset, Step: stepAt(ev.Offset)}
		switch ev.Kind {
		case replay.KindError:
			s.Kind, s.Type, s.Message, s.Proof = SignalError, ev.Error.Type, ev.Error.Value, true
		case replay.KindConsole:
			switch ev.Console.Level {
			case "error", "assert":
				s.Kind, s.Type, s.Message, s.Proof = SignalConsoleError, ev.Console.Level, ev.Console.Message, true
			case "warning":
				s.Kind, s.Type, s.Message = SignalConsoleWarning, ev.Console.Level, ev.Console.Message
			default:
				continue
			}
		case replay.KindNetwork:
			key := ev.Network.Method + " " + ev.Network.Path
			calls[key]++
			if !ev.Network.Failed {
				continue
			}
			s.Kind, s.Method, s.Path, s.Status = SignalFailedRequest, ev.Network.Method, ev.Network.Path, ev.Network.Status
			s.Occurrence = calls[key] - 1
		case replay.KindFriction:
			f := ev.Friction
			if f.Kind != replay.FrictionDeadClick && f.Kind != replay.FrictionRageClick {
				continue
			}
			if f.Target != nil {
				s.Target = replay.DescribeTarget(*f.Target)
			}
			// The SDK stamps a dead or rage click with the click's own
			// time: tie it to that click step.
			s.Step = clickStepFor(p, ev.Offset, f.Target)
			key := f.Kind + "|" + s.Target + "|" + fmt.Sprint(s.Step)
			if seenDead[key] {
				continue
			}
			seenDead[key] = true
			s.Kind = map[string]string{replay.FrictionDeadClick: SignalDeadClick, replay.FrictionRageClick: SignalRageClick}[f.Kind]
			// Sentry counts a rage click from five clicks on (its UI's
			// isRageClick); a user clicking a slow button twice more is
			// impatience, context for the story, not proof of a bug.
			s.Proof = f.Kind == replay.FrictionDeadClick || f.ClickCount >= replay.RageClickCount
		default:
			continue
		}
		sig.Signals = append(sig.Signals, s)
	}
	return sig
}

// clickStepFor finds the click step a dead/rage click report refers to: the
// last click at or before the click time, on the same target if known (one
// of the step's selectors is one the target's recorded node gives).
func clickStepFor(p *plan.Plan, clickAt time.Duration, t *replay.Target) int {
	var mine []string
	if t != nil {
		mine = plan.Selectors(*t)
	}
	best := -1
	for _, s := range p.Steps {
		if s.Kind != plan.StepClick || s.Offset > clickAt+500*time.Millisecond {
			continue
		}
		if len(mine) > 0 && !slices.ContainsFunc(s.Selectors, func(sel string) bool { return slices.Contains(mine, sel) }) {
			if best < 0 {
				best = s.Index // no click on that target yet: the nearest click
			}
			continue
		}
		best = s.Index
	}
	if best < 0 {
		return 0
	}
	return best
}

// String is the signal in words, as evidence lines print it.
func (s Signal) String() string {
	switch s.Kind {
	case SignalError:
		return strings.TrimSpace(fmt.Sprintf("%s: %s", s.Type, s.Message))
	case SignalConsoleError, SignalConsoleWarning:
		return fmt.Sprintf("console %s %q", s.Type, s.Message)
	case SignalFailedRequest:
		return fmt.Sprintf("%s %s → %s", s.Method, s.Path, replay.StatusText(s.Status))
	case SignalDeadClick:
		return "dead click on " + s.Target
	case SignalRageClick:
		return "rage click on " + s.Target
	}
	return s.Kind
}

// MarkDeadClickSteps sets JudgeDeadClick on the click steps a recorded
// dead or rage click names: the only clicks whose liveness can change the
// verdict, judged by the SDK's rule (the rest pay no dead-click wait).
func (sig Signature) MarkDeadClickSteps(p *plan.Plan) {
	for _, s := range sig.Signals {
		if (s.Kind == SignalDeadClick || s.Kind == SignalRageClick) && s.Proof && s.Step >= 0 && s.Step < len(p.Steps) && p.Steps[s.Step].Kind == plan.StepClick {
			p.Steps[s.Step].JudgeDeadClick = true
		}
	}
}
