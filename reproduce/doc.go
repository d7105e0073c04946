// Package reproduce is repro's facade: a Source resolves a <replay> as a
// user names it (a bundle, a file, a replay id or URL, an issue; fetched
// from Sentry into a cache), Open reads a bundle directory or a recording
// file, Run re-runs it against the app under
// test and judges it, and the Report it returns prints as text, Markdown
// and JSON. It also builds the mock backend a rerun talks to (NewMock,
// MockBackend) and reads and writes the fixture of a generated test.
//
// The pipeline is one package per stage, each importing only the stages
// before it (TestImportsFollowTheStages checks it):
//
//	reproduce/replay     wire format → Timeline, and the words that describe it
//	reproduce/sentryapi  Sentry's REST API → bundle directory
//	reproduce/story      Timeline → escalation story and classification
//	reproduce/plan       Timeline → Plan of user steps and environment
//	reproduce/session    Plan → a run in headless Chrome with a fail-closed network → Observation
//	reproduce/verdict    bug signature + Observation → Verdict with evidence
//	reproduce            this facade: Source, Open, Run, reports, mock, fixtures
//	reproduce/frames     recorded frames (what the user saw) rendered as images
//	reproduce/replaytest the harness of generated regression tests
//
// mockserver, below them all, serves recorded responses and knows nothing
// of rrweb; generate and cmd/repro come after.
package reproduce
