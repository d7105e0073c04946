// Package verdict decides whether a rerun reproduced the recorded bug: the
// bug signature (the recording's failure signals, each tied to a plan
// step), the judgement of an Observation against it (reproduced, not
// reproduced, diverged, inconclusive) and the evidence it rests on.
//
// Stage: after reproduce/session, importing replay, story, plan, session
// and mockserver (for the mock's journal); the facade imports it.
package verdict
