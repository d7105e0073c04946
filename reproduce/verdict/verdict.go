package verdict

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
)

// Verdict values.
const (
	Reproduced    = "reproduced"
	NotReproduced = "not_reproduced"
	Diverged      = "diverged"
	Inconclusive  = "inconclusive"
)

// Verdict says whether a rerun showed the recorded failure, and what that
// rests on.
type Verdict struct {
	// Value is reproduced, not_reproduced, diverged or inconclusive.
	Value string `json:"verdict"`
	// Where is the breakdown's place: frontend, backend or in_between.
	Where string `json:"where,omitempty"`
	// Summary says the verdict in a sentence, always with how far the
	// rerun followed the user's path.
	Summary string `json:"summary"`
	// Path is how far the rerun followed the user's path.
	Path Progress `json:"path"`
	// Evidence compares each recorded signal with what the rerun observed.
	Evidence []Evidence `json:"evidence"`
	// DivergedAt is the step the rerun could not follow (Diverged only).
	DivergedAt *int `json:"diverged_at,omitempty"`
	// Notes list what the verdict could not rely on: synthetic bodies,
	// requests the recording lacks, partial data.
	Notes []string `json:"notes,omitempty"`
}

// Progress is how far a rerun followed the user's path.
type Progress struct {
	// Followed is how many steps ran to the end; Steps is how many the
	// plan has.
	Followed  int  `json:"followed"`
	Steps     int  `json:"steps"`
	Completed bool `json:"completed"`
	// StoppedAt and Reason say where and why an incomplete rerun stopped.
	StoppedAt *int   `json:"stopped_at,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// progressOf reads how far the rerun got.
func progressOf(pl *plan.Plan, obs *session.Observation) Progress {
	p := Progress{Steps: len(pl.Steps), Completed: obs.Completed}
	for _, r := range obs.Steps {
		if r.Index >= 0 && r.Status == session.StepOK {
			p.Followed++
		}
	}
	if obs.Completed {
		p.Followed = p.Steps
		return p
	}
	at := obs.StoppedAt
	if at < 0 {
		at = p.Followed
	}
	p.StoppedAt = &at
	p.Reason = obs.StopReason
	if p.Reason == "" {
		p.Reason = "the run ended before this step"
	}
	return p
}

// String says how far the rerun followed the path, for summaries.
func (p Progress) String() string {
	return p.words(nil)
}

func (p Progress) words(pl *plan.Plan) string {
	if p.Completed {
		return fmt.Sprintf("the rerun followed %d of %d steps", p.Followed, p.Steps)
	}
	at := 0
	if p.StoppedAt != nil {
		at = *p.StoppedAt
	}
	step := ""
	if pl != nil && at >= 0 && at < len(pl.Steps) {
		step = " (" + pl.Steps[at].String() + ")"
	}
	return fmt.Sprintf("the rerun followed %d of %d steps and stopped at step %d%s: %s", p.Followed, p.Steps, at, step, p.Reason)
}

// Evidence is one recorded signal set beside the rerun's observation.
type Evidence struct {
	Step     int    `json:"step"`
	Signal   string `json:"signal"`
	Proof    bool   `json:"proof"`
	Recorded string `json:"recorded"`
	Observed string `json:"observed"`
	// Seen is true when the rerun showed the same signal.
	Seen bool `json:"seen"`
}

// Judge compares a recording's bug signature with one rerun: its
// observation and the mock backend's journal.
//
// The verdict rests on the app's reaction (exceptions, console errors, dead
// clicks), never on a failing response the mock replayed: that response is
// served to a fixed app too. A run that stopped at or before the step of a
// recorded failure signal and showed none of them diverged; a recording
// without proof signals, or an unseen signal whose step was fed synthetic
// data, is inconclusive. Every summary says how far the rerun followed the
// user's path, and a path not followed to its end is never told as
// complete.
func Judge(sig Signature, pl *plan.Plan, obs *session.Observation, journal []mockserver.JournalEntry) Verdict {
	v := Verdict{Where: sig.Where, Path: progressOf(pl, obs)}
	path := v.Path.words(pl)
	proofs := sig.Proofs()
	v.Notes = journalNotes(journal)

	if len(proofs) == 0 {
		v.Value = Inconclusive
		for _, s := range sig.Signals {
			v.Evidence = append(v.Evidence, Evidence{Step: s.Step, Signal: s.Kind, Recorded: s.String(), Observed: "context only"})
		}
		if len(sig.Signals) == 0 {
			v.Summary = "nothing failed in the recording: no error, console error, failed request or dead click to reproduce; " + path
		} else {
			v.Summary = "the recording shows only a failing response or a warning, and the app raised no error: replaying the recorded response cannot show whether the app handles it; " + path
		}
		return v
	}

	seen, unseenSynthetic := 0, 0
	stop := len(pl.Steps)
	if v.Path.StoppedAt != nil {
		stop = *v.Path.StoppedAt
	}
	var unreached []Signal // proof signals at or after the step the run stopped at
	for _, s := range sig.Signals {
		e := Evidence{Step: s.Step, Signal: s.Kind, Proof: s.Proof, Recorded: s.String()}
		e.Seen, e.Observed = observe(s, obs, journal)
		if s.Proof && e.Seen {
			seen++
		}
		if s.Proof && !e.Seen && !obs.Completed && s.Step >= stop {
			unreached = append(unreached, s)
			e.Observed = "not reached: " + e.Observed
		} else if s.Proof && !e.Seen && syntheticNear(s.Step, obs, journal) {
			unseenSynthetic++
			e.Observed += " (the app was fed a synthetic body the replay did not capture)"
		}
		v.Evidence = append(v.Evidence, e)
	}

	if seen == 0 && len(unreached) > 0 {
		at := stop
		v.DivergedAt = &at
		v.Value = Diverged
		v.Summary = fmt.Sprintf("%s — at or before the recorded failure at step %d, so the failure could not be checked", path, unreached[0].Step)
		if fed := syntheticBefore(at, obs, journal); len(fed) > 0 {
			// The app may have left the user's path because it was fed a
			// made-up body: the data, not the app, is what is missing.
			v.Value = Inconclusive
			v.Summary = fmt.Sprintf("%s, after the app was fed synthetic bodies for %s, which the replay did not capture (URL_SKIPPED); rerun with --upstream pointing at a local backend, or record with networkDetailAllowUrls covering them",
				path, strings.Join(fed, ", "))
		}
		return v
	}
	switch {
	case seen > 0:
		v.Value = Reproduced
		v.Summary = fmt.Sprintf("the rerun showed %d of %d recorded failure signal(s): %s; %s", seen, len(proofs), firstSeen(v.Evidence), path)
	case unseenSynthetic > 0:
		v.Value = Inconclusive
		v.Summary = "the recorded failure did not recur, but the app was fed response bodies the replay did not capture (URL_SKIPPED); the outcome may depend on them; " + path
	default:
		v.Value = NotReproduced
		v.Summary = fmt.Sprintf("none of the %d recorded failure signal(s) recurred; %s", len(proofs), path)
	}
	return v
}

// firstSeen names the strongest proof seen: an error over a console error
// over a dead or rage click.
func firstSeen(ev []Evidence) string {
	for _, kind := range []string{SignalError, SignalConsoleError, SignalDeadClick, SignalRageClick} {
		for _, e := range ev {
			if e.Proof && e.Seen && e.Signal == kind {
				return e.Observed
			}
		}
	}
	return ""
}

// observe looks for a recorded signal in the rerun, by the checks the
// generated tests make (session.Observation's UncaughtError, ConsoleCall,
// DeadClick), so a test fails exactly when the verdict sees the signal.
func observe(s Signal, obs *session.Observation, journal []mockserver.JournalEntry) (bool, string) {
	switch s.Kind {
	case SignalError:
		if what := obs.UncaughtError(s.Step, s.Type, s.Message); what != "" {
			return true, what
		}
		return false, "no such error"
	case SignalConsoleError, SignalConsoleWarning:
		level := "error"
		if s.Kind == SignalConsoleWarning {
			level = "warning"
		}
		if what := obs.ConsoleCall(s.Step, level, s.Message); what != "" {
			return true, what
		}
		return false, "no such console " + level
	case SignalFailedRequest:
		// The rerun's request made as often as the recorded one (the
		// second POST is compared with the second POST).
		var same []mockserver.JournalEntry
		for _, j := range journal {
			if j.Method == s.Method && pathOf(j.URL) == s.Path {
				same = append(same, j)
			}
		}
		if len(same) == 0 {
			return false, "the app did not make this request"
		}
		j := same[min(s.Occurrence, len(same)-1)]
		return j.Status == s.Status, fmt.Sprintf("%s %s → %d (%s by the mock backend)", j.Method, pathOf(j.URL), j.Status, j.Outcome)
	case SignalDeadClick, SignalRageClick:
		// The SDK's rule: a click is dead when the DOM does not change
		// after it, whatever requests it starts.
		return obs.DeadClick(s.Step)
	}
	return false, "not checked"
}

// syntheticNear reports whether the mock served a synthetic body during the
// signal's step or the one before it.
func syntheticNear(step int, obs *session.Observation, journal []mockserver.JournalEntry) bool {
	for _, j := range journal {
		if !j.Synthetic {
			continue
		}
		for _, n := range obs.Network {
			if n.Disposition == session.DispositionMock && n.URL != "" && pathOf(n.URL) == pathOf(j.URL) && (n.Step == step || n.Step == step-1) {
				return true
			}
		}
	}
	return false
}

// syntheticBefore lists the requests answered with a synthetic body before
// the given step ended.
func syntheticBefore(step int, obs *session.Observation, journal []mockserver.JournalEntry) []string {
	var out []string
	for _, j := range journal {
		if !j.Synthetic {
			continue
		}
		key := j.Method + " " + pathOf(j.URL)
		for _, n := range obs.Network {
			if n.Disposition == session.DispositionMock && n.Step <= step && pathOf(n.URL) == pathOf(j.URL) && !slices.Contains(out, key) {
				out = append(out, key)
			}
		}
	}
	return out
}

func journalNotes(journal []mockserver.JournalEntry) []string {
	var notes []string
	synthetic := map[string]int{}
	for _, j := range journal {
		key := j.Method + " " + pathOf(j.URL)
		switch {
		case j.Outcome == mockserver.OutcomeUnmatched:
			notes = append(notes, fmt.Sprintf("the app made a request the recording lacks: %s (answered %d, fail-closed)", key, j.Status))
		case j.Synthetic:
			synthetic[key]++
		}
	}
	for key, n := range synthetic {
		notes = append(notes, fmt.Sprintf("%s was answered %d time(s) with a synthetic body: the replay did not capture it", key, n))
	}
	return notes
}

// pathOf is the path of an absolute or path-only URL.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}
