package plan

import "time"

// This file holds readable constructors for plan steps, so generated
// regression tests can spell each user step as one statement:
//
//	s.Do(ctx, reproduce.Click("#generate", `[data-testid="generate-button"]`).At(888, 357))
//
// They build the same Step values the planner does; Session.Do runs them.
// Selectors are ranked candidates, best first.

// Navigate loads a recorded URL; the session maps its origin onto the app
// under test.
func Navigate(url string) Step { return Step{Kind: StepNavigate, URL: url} }

// Click clicks the first visible element matching one of the selectors.
func Click(selectors ...string) Step { return Step{Kind: StepClick, Selectors: selectors} }

// Type focuses the field, clears it and types value with key events.
func Type(value string, selectors ...string) Step {
	return Step{Kind: StepInput, Value: value, Selectors: selectors}
}

// Check sets a checkbox or radio button to checked.
func Check(checked bool, selectors ...string) Step {
	return Step{Kind: StepCheck, Checked: &checked, Selectors: selectors}
}

// Select chooses the option of a <select> whose value (or text) is value.
func Select(value string, selectors ...string) Step {
	return Step{Kind: StepSelect, Value: value, Selectors: selectors}
}

// Press presses a key ("Enter", "Escape", "a", ...), in the element
// matching selectors when any are given, else wherever the focus is.
func Press(key string, selectors ...string) Step {
	return Step{Kind: StepKey, Key: key, Selectors: selectors}
}

// ScrollWindow scrolls the window to x, y.
func ScrollWindow(x, y int) Step {
	return Step{Kind: StepScroll, ScrollWindow: true, ScrollX: x, ScrollY: y}
}

// ScrollElement scrolls the element matching selectors to x, y.
func ScrollElement(x, y int, selectors ...string) Step {
	return Step{Kind: StepScroll, ScrollX: x, ScrollY: y, Selectors: selectors}
}

// Back goes back in the page's history.
func Back() Step { return Step{Kind: StepBack} }

// Forward goes forward in the page's history.
func Forward() Step { return Step{Kind: StepForward} }

// Resize changes the viewport to width x height.
func Resize(width, height int) Step { return Step{Kind: StepResize, Width: width, Height: height} }

// Wait waits for an element matching selectors to appear (at most d; zero:
// the step timeout) or, with no selectors, for d when timing is recorded.
func Wait(d time.Duration, selectors ...string) Step {
	return Step{Kind: StepWait, Duration: d, Selectors: selectors}
}

// At gives a click or check step the recorded viewport point to fall back
// on when no selector matches.
func (s Step) At(x, y float64) Step {
	s.X, s.Y, s.HasPoint = x, y, true
	return s
}

// Holding holds modifier keys ("Alt", "Control", "Meta", "Shift") during a
// key step.
func (s Step) Holding(modifiers ...string) Step {
	s.Modifiers = append([]string(nil), modifiers...)
	return s
}

// OptionOfLength makes a select step without a value choose an option whose
// value has n characters: the recorded choice was masked.
func (s Step) OptionOfLength(n int) Step {
	s.Masked, s.Length = true, n
	return s
}

// WatchDeadClick makes a click step judge whether the click was dead by the
// SDK's rule (it waits for the click's first effect, up to the SDK's
// timeout): set on the clicks the recorded failure names.
func (s Step) WatchDeadClick() Step {
	s.JudgeDeadClick = true
	return s
}

// Numbered sets the step's index: evidence (exceptions, console entries,
// dead clicks) is tied to the step in force by this number.
func (s Step) Numbered(i int) Step {
	s.Index = i
	return s
}
