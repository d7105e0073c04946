package session

import (
	"fmt"
	"slices"
	"strings"

	"github.com/repro-dev/repro/reproduce/replay"
)

// This file holds the checks made on an Observation: the verdict's rules
// (a recorded error, console error or dead click seen again) and what a
// generated regression test asserts, so a test fails exactly when `repro
// run` would call the recorded signal seen.

// UncaughtError returns a description of the first uncaught exception, or
// error event the app's Sentry SDK sent, at or after step that matches the
// recorded type and message ("" type matches any; messages match loosely,
// see SameError), or "" when there is none.
func (o *Observation) UncaughtError(step int, typ, message string) string {
	for _, x := range o.Exceptions {
		if x.Step >= step && SameError(typ, message, x.Type, x.Message) {
			return fmt.Sprintf("uncaught %s: %s (step %d)", x.Type, x.Message, x.Step)
		}
	}
	for _, x := range o.IngestEvents {
		if x.Step >= step && SameError(typ, message, x.Type, x.Value) {
			return fmt.Sprintf("reported to Sentry: %s: %s (step %d)", x.Type, x.Value, x.Step)
		}
	}
	return ""
}

// ConsoleError returns a description of the first console.error at or after
// step whose text matches message, or "" when there is none.
func (o *Observation) ConsoleError(step int, message string) string {
	return o.ConsoleCall(step, "error", message)
}

// ConsoleCall returns a description of the first console call of level
// ("error", "warning") at or after step whose text matches message, or ""
// when there is none. The recording holds console API calls in the SDK's
// form, so the browser's own log lines (failed loads, CSP) never match.
func (o *Observation) ConsoleCall(step int, level, message string) string {
	for _, c := range o.Console {
		if c.Source != "" || c.Level != level || c.Step < step {
			continue
		}
		got := c.SDK
		if got == "" {
			got = c.Text
		}
		if SimilarText(message, got) {
			return fmt.Sprintf("console %s %q (step %d)", c.Level, got, c.Step)
		}
	}
	return ""
}

// SameError matches exception types exactly and messages loosely: browsers
// prefix "Uncaught " and the SDK may trim long values.
func SameError(wantType, wantMsg, gotType, gotMsg string) bool {
	if wantType != "" && gotType != "" && wantType != gotType {
		return false
	}
	return SimilarText(wantMsg, gotMsg)
}

// SimilarText reports whether got is the recorded text want, give or take
// the browser's "Uncaught " prefixes, spacing and the SDK's truncation.
func SimilarText(want, got string) bool {
	norm := func(s string) string {
		s = strings.TrimSpace(s)
		for _, p := range []string{"Uncaught (in promise) ", "Uncaught "} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	w, g := norm(want), norm(got)
	if w == "" {
		return true
	}
	return strings.Contains(g, w) || strings.Contains(w, g) && g != ""
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
				return true, fmt.Sprintf("dead click at step %d: no DOM change (or scroll) within %s, the SDK's rule", d.Step, replay.FormatDuration(d.Window))
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
			return true, fmt.Sprintf("dead click at step %d: no DOM change and no request within %s", d.Step, replay.FormatDuration(d.Window))
		}
	}
	if r.Mutations == 0 {
		return true, fmt.Sprintf("no DOM change after the click at step %d (%d request(s) started)", step, r.Requests)
	}
	return false, fmt.Sprintf("the click changed the page: %d DOM mutation(s), %d request(s)", r.Mutations, r.Requests)
}
