package main

import (
	"errors"
	"strings"
)

// Exit codes. A verdict is an outcome, not an error, so `repro run` reports
// it through distinct codes; errors use the codes from 1 and from 64 up.
const (
	exitOK             = 0  // success; for run: the bug reproduced
	exitError          = 1  // any other error
	exitUsage          = 2  // bad flags or arguments
	exitNotReproduced  = 3  // run: the app did not show the recorded failure
	exitDiverged       = 4  // run: the user's path could not be followed
	exitInconclusive   = 5  // run: the data is not enough to decide
	exitBadReplay      = 65 // the input is not a readable replay
	exitAppUnreachable = 68 // the app under test cannot be reached
	exitChrome         = 69 // Chrome/Chromium not found or would not start
	exitSentryAuth     = 77 // Sentry rejected the token (401/403)
	exitNotFound       = 78 // the replay (or issue/event) was not found
	exitRateLimited    = 75 // Sentry kept rate limiting after retries
)

const exitCodesHelp = `
Exit codes:
  0   success (repro run: reproduced)
  1   error
  2   bad flags or arguments
  3   repro run: not reproduced
  4   repro run: diverged (the user's path could not be followed)
  5   repro run: inconclusive (the data is not enough to decide)
  65  the input is not a readable replay
  68  the app under test cannot be reached (nothing listens, unknown host, unsupported --app scheme)
  69  Chrome/Chromium not found or failed to start
  75  Sentry kept rate limiting after retries
  77  Sentry rejected the auth token (401/403)
  78  replay, issue or event not found
`

type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCodeFor maps an error to its documented exit code. Sentinel errors from
// the library packages are mapped here, and only here.
func exitCodeFor(err error) int {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	}
	for _, m := range errorCodes {
		if errors.Is(err, m.err) {
			return m.code
		}
	}
	// cobra reports unknown commands and arg-count problems as plain errors.
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") || strings.Contains(msg, "arg(s)") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "required flag") || strings.HasPrefix(msg, "invalid argument") {
		return exitUsage
	}
	return exitError
}

// oneLine keeps error output to one line, as promised to users and scripts.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
