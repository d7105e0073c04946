package sentryapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to one Sentry server with one token. It is safe for
// concurrent use. Create it with NewClient.
type Client struct {
	cfg          Config
	hc           *http.Client
	log          *slog.Logger
	maxRetries   int
	baseDelay    time.Duration
	maxWait      time.Duration
	timeout      time.Duration
	sleep        func(context.Context, time.Duration) error
	jitter       func() float64
	now          func() time.Time
	perPage      int
	allowPartial bool
	maxFetch     int64
	maxPages     int
	userAgent    string

	mu      sync.Mutex
	regions map[string]string // org → region base URL
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: a fresh http.Client).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithLogger sets the logger for diagnostics (default: discard). It never
// receives the token.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithRetry sets how many times a failed request is retried (429, 5xx,
// timeouts, network errors) and the first backoff delay, doubled per retry.
// Defaults: 4 retries, 500ms.
func WithRetry(max int, baseDelay time.Duration) Option {
	return func(c *Client) { c.maxRetries, c.baseDelay = max, baseDelay }
}

// WithMaxWait caps any single wait, including a server's Retry-After; a
// server asking for longer makes the call fail with ErrRateLimited.
// Default 60s.
func WithMaxWait(d time.Duration) Option { return func(c *Client) { c.maxWait = d } }

// WithSleep replaces the wait between retries (tests pass a recorder so
// backoff is asserted without wall time). It must return ctx.Err() when
// ctx ends first.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// WithJitter replaces the jitter source, a function returning [0,1).
func WithJitter(f func() float64) Option { return func(c *Client) { c.jitter = f } }

// WithClock replaces the clock used for X-Sentry-Rate-Limit-Reset and fetched_at.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithTimeout bounds each HTTP attempt, body included (default 60s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithPerPage sets per_page for paginated calls (default and Sentry's max: 100).
func WithPerPage(n int) Option { return func(c *Client) { c.perPage = n } }

// WithUserAgent sets the User-Agent of every request (default "repro"). The
// CLI sends repro/<version>, so a Sentry admin can tell its versions apart.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithAllowPartial makes FetchBundle keep a bundle with missing segments or
// linked errors, flagged "partial": true in fetch.json, instead of failing
// with ErrIncomplete.
func WithAllowPartial(allow bool) Option { return func(c *Client) { c.allowPartial = allow } }

// NewClient returns a client for cfg (usually from LoadConfig).
func NewClient(cfg Config, opts ...Option) *Client {
	c := &Client{
		cfg:        cfg,
		hc:         &http.Client{},
		log:        slog.New(slog.DiscardHandler),
		maxRetries: 4,
		baseDelay:  500 * time.Millisecond,
		maxWait:    60 * time.Second,
		timeout:    60 * time.Second,
		sleep:      sleepCtx,
		jitter:     rand.Float64,
		now:        time.Now,
		perPage:    100,
		maxFetch:   DefaultMaxFetchBytes,
		maxPages:   DefaultMaxPages,
		userAgent:  "repro",
		regions:    map[string]string{},
	}
	if c.cfg.URL == "" {
		c.cfg.URL = DefaultURL
	}
	c.cfg.URL = strings.TrimRight(c.cfg.URL, "/")
	for _, o := range opts {
		o(c)
	}
	if c.perPage <= 0 || c.perPage > 100 {
		c.perPage = 100
	}
	if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.maxFetch <= 0 {
		c.maxFetch = DefaultMaxFetchBytes
	}
	if c.maxPages <= 0 {
		c.maxPages = DefaultMaxPages
	}
	if c.userAgent == "" {
		c.userAgent = "repro"
	}
	// A copy, so a caller's client keeps its own redirect policy.
	hc := *c.hc
	hc.CheckRedirect = c.checkRedirect
	c.hc = &hc
	return c
}

// Config returns the client's configuration (its String form redacts the token).
func (c *Client) Config() Config { return c.cfg }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// call is one API request.
type call struct {
	method string
	base   string // scheme://host of the API
	path   string // /api/0/...
	query  url.Values
	body   []byte       // JSON, for POST
	scope  string       // scope the endpoint needs, named on 401/403
	what   string       // what is requested, for messages ("replay 7e07…")
	budget *fetchBudget // nil: one response may be up to the whole fetch cap
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do runs a call with bounded retries. Any non-2xx answer is an *APIError.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	if c.cfg.Token == "" {
		return nil, fmt.Errorf("%w: no auth token: set SENTRY_AUTH_TOKEN or [auth] token in ~/.sentryclirc", ErrConfig)
	}
	idempotent := cl.method == http.MethodGet
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, cl)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("sentry %s %s: %w", cl.method, cl.path, ctx.Err())
		}
		var wait time.Duration
		var final error
		var le *LimitError
		var re *redirectError
		switch {
		case errors.As(err, &le):
			return nil, le
		case errors.As(err, &re):
			return nil, &APIError{Method: cl.method, Path: cl.path, Err: ErrConfig, Detail: scrub(re.Error(), c.cfg.Token),
				Hint: "point SENTRY_URL at the https address Sentry redirects to"}
		case err != nil:
			c.log.Debug("sentry request failed", "method", cl.method, "path", cl.path, "attempt", attempt, "err", scrub(err.Error(), c.cfg.Token))
			final = &APIError{Method: cl.method, Path: cl.path, Err: ErrUnavailable,
				Detail: scrub(err.Error(), c.cfg.Token), Hint: "Sentry did not answer in time after retries; check the network or SENTRY_URL"}
			if !idempotent {
				return nil, final
			}
			wait = c.backoff(attempt)
		case resp.status >= 200 && resp.status < 300:
			return resp, nil
		case resp.status == http.StatusTooManyRequests:
			final = c.apiError(cl, resp)
			wait = c.retryAfter(resp.header, attempt)
		case resp.status >= 500 && idempotent:
			final = c.apiError(cl, resp)
			wait = c.backoff(attempt)
		default:
			return nil, c.apiError(cl, resp)
		}
		if attempt >= c.maxRetries {
			return nil, final
		}
		if wait > c.maxWait {
			var ae *APIError
			if errors.As(final, &ae) {
				ae.Hint = fmt.Sprintf("Sentry asks to wait %s, more than the %s limit; run again later", wait.Round(time.Second), c.maxWait)
			}
			return nil, final
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("sentry %s %s: %w", cl.method, cl.path, err)
		}
	}
}

// once runs one HTTP attempt bounded by the client's timeout.
func (c *Client) once(ctx context.Context, cl call) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := cl.base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !c.allowedURL(req.URL) {
		// Every base comes from the configuration or a checked regionUrl;
		// this is the last line should a path ever build another.
		return nil, &redirectError{fmt.Errorf("refused to send the token to %s://%s", req.URL.Scheme, req.URL.Host)}
	}
	start := c.now()
	res, err := c.hc.Do(req)
	if err != nil {
		var re *redirectError
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, err
	}
	defer res.Body.Close()
	budget := cl.budget
	if budget == nil {
		budget = c.newFetchBudget(cl.what)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, budget.left()+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	budget.used += int64(len(b))
	if budget.left() < 0 {
		return nil, budget.exceeded()
	}
	c.log.Debug("sentry request", "method", cl.method, "path", cl.path, "status", res.StatusCode,
		"bytes", len(b), "elapsed", c.now().Sub(start))
	return &response{status: res.StatusCode, header: res.Header, body: b}, nil
}

// backoff is base·2^attempt with jitter in [d/2, d), capped at maxWait.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.baseDelay
	for i := 0; i < attempt && d < c.maxWait; i++ {
		d *= 2
	}
	d = min(d, c.maxWait)
	return d/2 + time.Duration(c.jitter()*float64(d/2))
}

// retryAfter honours Retry-After (seconds or HTTP date), then
// X-Sentry-Rate-Limit-Reset (epoch seconds), then falls back to backoff.
func (c *Client) retryAfter(h http.Header, attempt int) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		var secs float64
		if _, err := fmt.Sscanf(v, "%g", &secs); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(c.now()), 0)
		}
	}
	if v := strings.TrimSpace(h.Get("X-Sentry-Rate-Limit-Reset")); v != "" {
		var epoch float64
		if _, err := fmt.Sscanf(v, "%g", &epoch); err == nil {
			reset := time.Unix(0, int64(epoch*float64(time.Second)))
			return max(reset.Sub(c.now()), 0)
		}
	}
	return c.backoff(attempt)
}

// apiError maps a non-2xx response to an *APIError with a hint.
func (c *Client) apiError(cl call, resp *response) error {
	e := &APIError{Method: cl.method, Path: cl.path, Status: resp.status, Scope: cl.scope,
		Detail: scrub(detailOf(resp.body), c.cfg.Token), Hint: hintFor(resp.status, cl.scope)}
	switch {
	case resp.status == 401 || resp.status == 403:
		e.Err = ErrUnauthorized
	case resp.status == 404:
		e.Err = ErrNotFound
		if cl.what != "" {
			e.Hint = cl.what + " not found, or past Sentry's retention (90 days for replays); check the id and org"
		}
	case resp.status == 429:
		e.Err = ErrRateLimited
	case resp.status >= 500:
		e.Err = ErrUnavailable
	default:
		e.Err = fmt.Errorf("unexpected status %d", resp.status)
	}
	return e
}

// detailOf extracts Sentry's {"detail": "..."} message, bounded to one short line.
func detailOf(body []byte) string {
	var d struct {
		Detail any `json:"detail"`
	}
	if err := jsonUnmarshal(body, &d); err != nil || d.Detail == nil {
		return ""
	}
	s := strings.Join(strings.Fields(fmt.Sprint(d.Detail)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
