// Package session runs a plan in headless Chrome: the browser (launched or
// shared), the app under test (a URL or a directory it serves on
// loopback), the fail-closed network (CDP interception in front of a
// proxy that refuses everything: the app's assets reach the app, API calls
// the mock backend, nothing else leaves), the pinned environment (clock,
// random, viewport, locale) and the condition-based waits. What a run saw
// is an Observation; its checks (UncaughtError, ConsoleError, DeadClick)
// are the rules the verdict and the generated tests share.
//
// Stage: after reproduce/plan, which it imports (and reproduce/replay, to
// read the envelopes the app's own Sentry SDK sends to the blocked
// ingest); it knows nothing of stories or verdicts. The API backend is any
// http.Handler (a *mockserver.Mock in practice).
package session
