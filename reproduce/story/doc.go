// Package story condenses a replay's timeline into its escalation story —
// a short numbered list of what the user did, what the system returned and
// what broke — and classifies where it broke (frontend, backend, in
// between). It reads only the recording: masked text stays masked.
//
// Stage: after reproduce/replay, which it imports (with escape for its
// text); the verdict and the facade import it.
package story
