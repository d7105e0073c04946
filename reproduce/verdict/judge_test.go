package verdict

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/session"
)

// TestJudgeRestsOnTheAppsOwnReaction covers each rule of Judge on hand-made
// observations (a rerun in Chrome takes seconds; the rules take none):
// which signals can prove a reproduction, how each is found again, and
// when missing data makes the honest answer inconclusive. Each case is the
// smallest observation that shows its rule; the bundles' acceptance test
// shows them on real reruns. TestJudgeSaysHowFarThePathWasFollowed covers
// the path and divergence on error signals.
func TestJudgeRestsOnTheAppsOwnReaction(t *testing.T) {
	typeErr := Signal{Kind: SignalError, Step: 2, Type: "TypeError", Message: "Cannot read properties of undefined (reading 'url')", Proof: true}
	consoleErr := Signal{Kind: SignalConsoleError, Step: 2, Type: "error", Message: "save failed: 409", Proof: true}
	warning := Signal{Kind: SignalConsoleWarning, Step: 1, Type: "warning", Message: "long prompt"}
	failed := Signal{Kind: SignalFailedRequest, Step: 2, Method: "POST", Path: "/api/chat", Status: 500, Occurrence: 1}
	dead := Signal{Kind: SignalDeadClick, Step: 2, Target: "button#save", Proof: true}
	thrown := session.Exception{Step: 2, Type: "TypeError", Message: "Cannot read properties of undefined (reading 'url')"}
	outcome := func(synthetic bool) mockserver.Outcome {
		if synthetic {
			return mockserver.OutcomeSynthetic
		}
		return mockserver.OutcomeRecorded
	}
	chat := func(status int, synthetic bool) mockserver.JournalEntry {
		return mockserver.JournalEntry{Method: "POST", URL: "http://app.test/api/chat", Status: status, Outcome: outcome(synthetic), Synthetic: synthetic}
	}
	mocked := session.NetworkRecord{Step: 2, Method: "POST", URL: "http://app.test/api/chat", Disposition: session.DispositionMock}

	cases := []struct {
		name    string
		sig     []Signal
		stop    int                        // the step the run stopped at; -1: it completed
		obs     func(*session.Observation) // what the rerun showed
		journal []mockserver.JournalEntry
		want    string
		summary []string // in the summary
		notes   []string // in the notes
	}{
		{"a console error seen again reproduces", []Signal{consoleErr}, -1,
			func(o *session.Observation) {
				o.Console = []session.ConsoleEntry{{Step: 2, Level: "error", Text: "save failed: 409", SDK: "save failed: 409"}}
			}, nil, Reproduced, []string{`console error "save failed: 409" (step 2)`}, nil},
		{"the browser's own log line is not the app's console error", []Signal{consoleErr}, -1,
			func(o *session.Observation) {
				o.Console = []session.ConsoleEntry{{Step: 2, Level: "error", Text: "save failed: 409", Source: "network"}}
			}, nil, NotReproduced, []string{"none of the 1 recorded failure signal(s) recurred"}, nil},
		{"an error the app's SDK reported counts as seen", []Signal{typeErr}, -1,
			func(o *session.Observation) {
				o.IngestEvents = []session.IngestEvent{{Step: 3, Type: "TypeError", Value: thrown.Message}}
			}, nil, Reproduced, []string{"reported to Sentry: TypeError"}, nil},
		{"an error before the recorded step is another failure", []Signal{typeErr}, -1,
			func(o *session.Observation) {
				o.Exceptions = []session.Exception{{Step: 1, Type: thrown.Type, Message: thrown.Message}}
			},
			nil, NotReproduced, nil, nil},
		{"an error of another type is another failure", []Signal{typeErr}, -1,
			func(o *session.Observation) {
				o.Exceptions = []session.Exception{{Step: 2, Type: "RangeError", Message: thrown.Message}}
			},
			nil, NotReproduced, nil, nil},
		{"one proof of two is a reproduction, and the summary counts them", []Signal{typeErr, consoleErr}, -1,
			func(o *session.Observation) { o.Exceptions = []session.Exception{thrown} },
			nil, Reproduced, []string{"showed 1 of 2 recorded failure signal(s)"}, nil},
		{"an error is named before a dead click", []Signal{dead, typeErr}, -1,
			func(o *session.Observation) { o.Steps[2].Mutations = 0; o.Exceptions = []session.Exception{thrown} },
			nil, Reproduced, []string{"showed 2 of 2", "uncaught TypeError"}, nil},
		{"the SDK's rule run in the page decides a judged click, not the step's DOM count", []Signal{dead}, -1,
			func(o *session.Observation) { o.Steps[2].Mutations = 0; o.Judged = []int{2} },
			nil, NotReproduced, nil, nil},
		{"a judged click the page reported dead reproduces", []Signal{dead}, -1,
			func(o *session.Observation) { o.Judged = []int{2}; o.DeadClicks = []session.DeadClick{{Step: 2}} },
			nil, Reproduced, []string{"dead click at step 2", "the SDK's rule"}, nil},
		{"a click whose judgement was cut short is not a dead click", []Signal{dead}, -1,
			func(o *session.Observation) { o.Steps[2].Mutations = 0; o.Judged = []int{2}; o.Undecided = []int{2} },
			nil, NotReproduced, nil, nil},
		{"a failing response and a warning alone are context: inconclusive", []Signal{warning, failed}, -1,
			func(o *session.Observation) {}, []mockserver.JournalEntry{chat(500, false)},
			Inconclusive, []string{"shows only a failing response or a warning", "followed 4 of 4 steps"}, nil},
		{"an unseen proof near a synthetic body is inconclusive", []Signal{typeErr, failed}, -1,
			func(o *session.Observation) { o.Network = []session.NetworkRecord{mocked} },
			[]mockserver.JournalEntry{chat(200, true)},
			Inconclusive, []string{"fed response bodies the replay did not capture"},
			[]string{"POST /api/chat was answered 1 time(s) with a synthetic body: the replay did not capture it"}},
		{"a proof seen outranks a synthetic body", []Signal{typeErr}, -1,
			func(o *session.Observation) {
				o.Network = []session.NetworkRecord{mocked}
				o.Exceptions = []session.Exception{thrown}
			},
			[]mockserver.JournalEntry{chat(200, true)}, Reproduced, nil, nil},
		{"leaving the path after a synthetic body is inconclusive, not diverged", []Signal{{Kind: SignalError, Step: 3, Type: "TypeError", Message: "x", Proof: true}}, 3,
			func(o *session.Observation) { o.Network = []session.NetworkRecord{mocked} },
			[]mockserver.JournalEntry{chat(200, true)}, Inconclusive,
			[]string{"stopped at step 3", "synthetic bodies for POST /api/chat", "--upstream"}, nil},
		{"a request the recording lacks is a note", []Signal{typeErr}, -1,
			func(o *session.Observation) { o.Exceptions = []session.Exception{thrown} },
			[]mockserver.JournalEntry{{Method: "GET", URL: "http://app.test/api/extra", Status: 599, Outcome: mockserver.OutcomeUnmatched}},
			Reproduced, nil, []string{"the app made a request the recording lacks: GET /api/extra (answered 599, fail-closed)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pl, obs := judgeCase(4, tc.stop, "element gone")
			tc.obs(obs)
			v := Judge(Signature{Signals: tc.sig}, pl, obs, tc.journal)
			assert.Equal(t, tc.want, v.Value, v.Summary)
			for _, s := range tc.summary {
				assert.Contains(t, v.Summary, s)
			}
			for _, n := range tc.notes {
				assert.Contains(t, v.Notes, n)
			}
			assert.Len(t, v.Evidence, len(tc.sig), "one evidence line per recorded signal")
		})
	}
}

// TestAFailedRequestIsComparedWithTheCallMadeAsOften: the recording's
// second POST failed; the rerun's second POST is the one to compare, not
// the first (which succeeded in both). The evidence says so, though a
// replayed response is never proof: with the recorded error unseen, the
// failure did not recur whatever the responses were.
func TestAFailedRequestIsComparedWithTheCallMadeAsOften(t *testing.T) {
	failed := Signal{Kind: SignalFailedRequest, Step: 2, Method: "POST", Path: "/api/chat", Status: 500, Occurrence: 1}
	typeErr := Signal{Kind: SignalError, Step: 2, Type: "TypeError", Message: "x is null", Proof: true}
	pl, obs := judgeCase(4, -1, "")
	entry := func(status int) mockserver.JournalEntry {
		return mockserver.JournalEntry{Method: "POST", URL: "http://app.test/api/chat?x=1", Status: status, Outcome: mockserver.OutcomeRecorded}
	}
	for _, tc := range []struct {
		name    string
		journal []mockserver.JournalEntry
		seen    bool
		says    string
	}{
		{"the second call failed again", []mockserver.JournalEntry{entry(200), entry(500)}, true, "POST /api/chat → 500"},
		{"the second call succeeded", []mockserver.JournalEntry{entry(500), entry(200)}, false, "POST /api/chat → 200"},
		{"only one call: the last one made stands in", []mockserver.JournalEntry{entry(500)}, true, "POST /api/chat → 500"},
		{"no such call", nil, false, "the app did not make this request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(Signature{Signals: []Signal{failed, typeErr}}, pl, obs, tc.journal)
			assert.Equal(t, NotReproduced, v.Value, "a replayed response is context, never proof")
			if assert.Len(t, v.Evidence, 2) {
				assert.Equal(t, tc.seen, v.Evidence[0].Seen)
				assert.Contains(t, v.Evidence[0].Observed, tc.says)
			}
		})
	}
}
