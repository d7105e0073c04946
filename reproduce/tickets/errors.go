package tickets

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for the faults a user acts on; test with errors.Is. The
// wrapping *APIError says what to do.
var (
	// ErrUnauthorized: the token is missing or invalid (401), or lacks a
	// permission (403).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNotFound: the ticket does not exist or is not visible to the token (404).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the tracker still rate limited after the bounded retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: 5xx answers, timeouts or network errors after retries.
	ErrUnavailable = errors.New("tracker unavailable")
	// ErrConfig: the configuration cannot make the request (no token).
	ErrConfig = errors.New("ticket configuration")
)

// APIError is a failed tracker API call. Its message never holds the token.
type APIError struct {
	Tracker    Kind
	Method     string
	Path       string // request path, without host or query
	Status     int    // 0 for network errors
	Detail     string // the tracker's own message, when it gave one
	Permission string // what the token needs, for 401/403
	Hint       string
	Err        error // one of the sentinels above
}

// Error returns one line: what failed, why, and what to do.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: ", strings.ToLower(e.Tracker.String()), e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d ", e.Status)
	}
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *APIError) Unwrap() error { return e.Err }

// scrub removes every occurrence of the secrets from s.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
