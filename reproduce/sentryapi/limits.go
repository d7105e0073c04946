package sentryapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// What Sentry's answers may cost. A replay's content is shaped by whoever
// used the monitored app (a DSN is public), and a misbehaving or hostile
// server could page forever, so both are bounded and each bound is named in
// the error that hits it.
const (
	// DefaultMaxFetchBytes bounds the bytes of every response one fetch
	// reads: details, all recording-segments pages and the error events.
	DefaultMaxFetchBytes int64 = 512 << 20
	// DefaultMaxPages bounds the pages one paginated listing is followed
	// for (recording-segments, replays-events-meta). A 60-minute replay has
	// at most ~720 segments: 8 pages of 100.
	DefaultMaxPages = 100
)

// ErrTooLarge means a fetch went past the fetch size cap or the page cap.
var ErrTooLarge = errors.New("sentry answer exceeds a limit")

// Kinds of limit a LimitError names.
const (
	LimitFetchBytes = "fetch-bytes" // WithMaxFetchBytes
	LimitPages      = "pages"       // WithMaxPages
)

// LimitError reports which cap a fetch hit.
type LimitError struct {
	Limit string // LimitFetchBytes or LimitPages
	Max   int64
	What  string // what was being fetched, e.g. "recording of replay 7e07…"
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitFetchBytes:
		return fmt.Sprintf("%s: Sentry sent more than %s, the fetch size cap", e.What, formatBytes(e.Max))
	case LimitPages:
		return fmt.Sprintf("%s: Sentry kept paging past %d pages, the page cap", e.What, e.Max)
	}
	return fmt.Sprintf("%s: over the %s limit %d", e.What, e.Limit, e.Max)
}

// Unwrap lets errors.Is find ErrTooLarge.
func (e *LimitError) Unwrap() error { return ErrTooLarge }

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// WithMaxFetchBytes caps the bytes one fetch reads from Sentry over all its
// responses (default DefaultMaxFetchBytes).
func WithMaxFetchBytes(n int64) Option { return func(c *Client) { c.maxFetch = n } }

// WithMaxPages caps how many pages one listing is followed for (default
// DefaultMaxPages).
func WithMaxPages(n int) Option { return func(c *Client) { c.maxPages = n } }

// fetchBudget is what one fetch may still read.
type fetchBudget struct {
	max, used int64
	what      string
}

func (c *Client) newFetchBudget(what string) *fetchBudget {
	return &fetchBudget{max: c.maxFetch, what: what}
}

func (b *fetchBudget) left() int64 { return b.max - b.used }

func (b *fetchBudget) exceeded() error {
	return &LimitError{Limit: LimitFetchBytes, Max: b.max, What: b.what}
}

// The token goes only to the configured server, and only over https unless
// the configured URL itself is http: then that one host (and port) may be
// spoken to in clear, because the user chose it, and nothing else may.
// Scheme and host are compared, never a prefix of the URL.

// allowedURL reports whether the token may be sent to u.
func (c *Client) allowedURL(u *url.URL) bool {
	cfg, err := url.Parse(c.cfg.URL)
	if err != nil || u == nil {
		return false
	}
	if !sameServer(u.Scheme+"://"+u.Host, c.cfg.URL) {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return strings.EqualFold(cfg.Scheme, "http") && strings.EqualFold(u.Host, cfg.Host)
	}
	return false
}

// checkRedirect refuses a redirect the token must not follow. Go forwards
// the Authorization header on a redirect to the same host even from https
// to http, so the scheme is checked here.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !c.allowedURL(req.URL) {
		return &redirectError{fmt.Errorf("refused a redirect to %s://%s: the token is only sent over https to the configured Sentry (%s)", req.URL.Scheme, req.URL.Host, c.cfg.URL)}
	}
	return nil
}

// redirectError is a refusal to send the token somewhere; it is final, not
// retried.
type redirectError struct{ err error }

func (e *redirectError) Error() string { return e.err.Error() }
func (e *redirectError) Unwrap() error { return e.err }

// quoteID quotes an id Sentry sent, shortened and with control characters
// escaped, for an error message.
func quoteID(id string) string {
	if len(id) > 40 {
		id = id[:40] + "…"
	}
	return strconv.Quote(id)
}

// mustParse parses a URL already checked by normalizeBaseURL.
func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	return u
}
