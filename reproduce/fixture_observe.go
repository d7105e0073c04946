package reproduce

import (
	"fmt"
	"slices"
)

// This file holds the checks generated regression tests make on an
// Observation. They apply the verdict's own rules (see Judge), so a test
// fails exactly when `repro run` would call the recorded signal seen.

// UncaughtError returns a description of the first uncaught exception, or
// error event the app's Sentry SDK sent, at or after step that matches the
// recorded type and message ("" type matches any), or "" when there is none.
func (o *Observation) UncaughtError(step int, typ, message string) string {
	seen, what := observe(Signal{Kind: SignalError, Step: step, Type: typ, Message: message}, o, nil)
	if !seen {
		return ""
	}
	return what
}

// ConsoleError returns a description of the first console.error at or after
// step whose text matches message, or "" when there is none.
func (o *Observation) ConsoleError(step int, message string) string {
	seen, what := observe(Signal{Kind: SignalConsoleError, Step: step, Type: "error", Message: message}, o, nil)
	if !seen {
		return ""
	}
	return what
}

// DeadClick reports whether the click of step was dead: reported dead by
// the session, or followed by no DOM change at all (the SDK's rule, which
// ignores requests). The string says what was observed either way.
func (o *Observation) DeadClick(step int) (bool, string) {
	for _, r := range o.Steps {
		if r.Index == step {
			return deadClickOf(step, o, r)
		}
	}
	return false, fmt.Sprintf("the click step %d was not run", step)
}

func deadClickOf(step int, o *Observation, r StepResult) (bool, string) {
	if r.Status != StepOK {
		return false, fmt.Sprintf("the click at step %d failed: %s", step, r.Reason)
	}
	if slices.Contains(o.Undecided, step) {
		return false, fmt.Sprintf("the click at step %d was not judged to the end: a recorded error had already decided the outcome", step)
	}
	if slices.Contains(o.Judged, step) {
		// The SDK's rule ran in the page: its outcome is the evidence.
		for _, d := range o.DeadClicks {
			if d.Step == step {
				return true, fmt.Sprintf("dead click at step %d: no DOM change (or scroll) within %s, the SDK's rule", d.Step, fmtDuration(d.Window))
			}
		}
		return false, fmt.Sprintf("the click at step %d changed the page within the SDK's dead-click window", step)
	}
	if r.Unanswered > 0 {
		// A stall, not the app: what the page did after the click is unknown.
		return false, fmt.Sprintf("the click at step %d left %d request(s) unanswered when the step ended: no evidence either way", step, r.Unanswered)
	}
	for _, d := range o.DeadClicks {
		if d.Step == step {
			return true, fmt.Sprintf("dead click at step %d: no DOM change and no request within %s", d.Step, fmtDuration(d.Window))
		}
	}
	if r.Mutations == 0 {
		return true, fmt.Sprintf("no DOM change after the click at step %d (%d request(s) started)", step, r.Requests)
	}
	return false, fmt.Sprintf("the click changed the page: %d DOM mutation(s), %d request(s)", r.Mutations, r.Requests)
}
