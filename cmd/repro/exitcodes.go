package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
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
	exitFailOn         = 6  // batch: a verdict --fail-on names
	exitBadReplay      = 65 // the input is not a readable replay
	exitAppUnreachable = 68 // the app under test cannot be reached
	exitChrome         = 69 // Chrome/Chromium not found or would not start
	exitSentryAuth     = 77 // Sentry or the ticket tracker rejected the token (401/403)
	exitNotFound       = 78 // the replay (or issue/event/ticket) was not found, or a ticket links none
	exitRateLimited    = 75 // Sentry or the tracker kept rate limiting after retries
)

// exitCodes is the one table of exit codes and what they mean: --help
// prints it, and README's table must say the same (exitcodes_test.go holds
// the constants, the help and README together).
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "success (repro run: reproduced)"},
	{exitError, "error"},
	{exitUsage, "bad flags or arguments"},
	{exitNotReproduced, "repro run: not reproduced"},
	{exitDiverged, "repro run: diverged — the user's path could not be followed before the failure"},
	{exitInconclusive, "repro run: inconclusive — no failure signal recorded, or the outcome depends on data the replay did not capture"},
	{exitFailOn, "repro batch: every replay got a verdict, and one of them is a verdict --fail-on names"},
	{exitBadReplay, "the input is not a readable replay (malformed, empty, no full snapshot, a replay id that is not 32 hex digits, or over --max-replay-bytes / --max-events / Sentry's page cap)"},
	{exitAppUnreachable, "the app under test cannot be reached (nothing listens at --app, unknown host, unsupported scheme); checked before the replay starts"},
	{exitChrome, "Chrome/Chromium not found or failed to start"},
	{exitRateLimited, "Sentry (or the ticket tracker) kept rate limiting after retries"},
	{exitSentryAuth, "Sentry (or the ticket tracker) rejected the token (401/403)"},
	{exitNotFound, "replay, issue, event or ticket not found, or the ticket links no replay"},
}

// exitCodesHelp is the exit-code table as --help ends with it, each
// meaning wrapped to fit 80 columns under its own indent.
func exitCodesHelp() string {
	const indent, width = "      ", 80
	var b strings.Builder
	b.WriteString("\nExit codes:\n")
	for _, e := range exitCodes {
		line := fmt.Sprintf("  %-4d", e.code)
		for i, word := range strings.Fields(e.meaning) {
			if i > 0 && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width {
				b.WriteString(line + "\n")
				line = indent + word
				continue
			}
			if i > 0 {
				line += " "
			}
			line += word
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// verdictExit is a verdict other than reproduced, returned as an error so
// that its exit status takes the path every other status takes
// (exitCodeFor). It is an outcome, not a failure: the verdict has been
// printed, and nothing more is said about it.
type verdictExit struct {
	code    int
	verdict string
}

func (e *verdictExit) Error() string { return "the verdict is " + e.verdict }

// verdictResult is what a command that gave verdict v returns: nil when the
// bug reproduced, else the verdict's exit status.
func verdictResult(v string) error {
	code := verdictExitCode(v)
	if code == exitOK {
		return nil
	}
	return &verdictExit{code: code, verdict: v}
}

type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCodeFor maps an error to its documented exit code. Sentinel errors from
// the library packages are mapped here, and only here.
func exitCodeFor(err error) int {
	var ue usageError
	var ve *verdictExit
	var fe *failOnExit
	switch {
	case errors.As(err, &ve):
		return ve.code
	case errors.As(err, &fe):
		return exitFailOn
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

// exitStatus is the process exit status for what a command returned. An
// error is said on errOut in one line; a verdict is not an error, and is not
// repeated.
func exitStatus(err error, errOut io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ve *verdictExit
	if !errors.As(err, &ve) {
		fmt.Fprintln(errOut, "repro: "+oneLine(err.Error()))
	}
	return exitCodeFor(err)
}

// oneLine keeps error output to one line, as promised to users and scripts.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
