package sentryapi

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for the faults a user acts on. Test with errors.Is; the
// wrapping *APIError carries the one-line message that says what to do.
var (
	// ErrUnauthorized: the token is missing, invalid (401) or lacks a scope (403).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNotFound: the object does not exist or is past Sentry's retention (404).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: Sentry still answered 429 after the bounded retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: 5xx answers, timeouts or network errors after the bounded retries.
	ErrUnavailable = errors.New("sentry unavailable")
	// ErrIncomplete: fewer recording segments (or linked errors) than Sentry
	// announced; pass AllowPartial to keep a bundle flagged "partial": true.
	ErrIncomplete = errors.New("incomplete replay")
	// ErrArchived: the replay is archived (deleted); its recording is gone.
	ErrArchived = errors.New("replay archived")
	// ErrConfig: the configuration cannot make the request (no token, no org, bad URL).
	ErrConfig = errors.New("sentry configuration")
	// ErrMalformedBundle: a file of a local bundle does not hold what it
	// should (errors.json that is not a list of error events).
	ErrMalformedBundle = errors.New("malformed bundle")
)

// APIError is a failed Sentry API call. Its message never contains the
// token: the client scrubs server-provided text before building one.
type APIError struct {
	Method string // HTTP method
	Path   string // request path, without host or query
	Status int    // HTTP status, 0 for network errors and timeouts
	Detail string // Sentry's "detail" field, when present
	Scope  string // the scope the endpoint needs, for 401/403
	Hint   string // what the user should do
	Err    error  // one of the sentinel errors above
}

// Error returns a one-line message: what failed, why, and what to do.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sentry %s %s: ", e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d ", e.Status)
	}
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *APIError) Unwrap() error { return e.Err }

// Scopes each kind of endpoint needs; named in 401/403 messages.
const (
	scopeProjectRead = "project:read"
	scopeOrgRead     = "org:read"
	scopeEventRead   = "event:read"
	scopeEventWrite  = "event:write"
)

// hintFor builds the "what to do" part for a status.
func hintFor(status int, scope string) string {
	switch {
	case status == 401:
		return "check SENTRY_AUTH_TOKEN (or [auth] token in .sentryclirc); the token needs the " + scope + " scope"
	case status == 403:
		return "the token lacks the " + scope + " scope (or access to this project); create a token with " + scope
	case status == 404:
		return "check the org, project and id; it may also be past Sentry's retention (90 days for replays)"
	case status == 429:
		return "Sentry's rate limit held after retries; wait a minute and run again"
	case status >= 500:
		return "Sentry kept failing after retries; try again later"
	}
	return ""
}

// scrub removes every occurrence of secret from s.
func scrub(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}
