package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Option configures a tracker client (NewGitHub, NewJira, New).
type Option func(*api)

// WithHTTPClient sets the HTTP client (default: a fresh http.Client).
func WithHTTPClient(hc *http.Client) Option { return func(a *api) { a.hc = hc } }

// WithLogger sets the logger for diagnostics (default: discard); it never
// receives the token.
func WithLogger(l *slog.Logger) Option { return func(a *api) { a.log = l } }

// WithRetry sets how many times a rate-limited or failed request is
// retried, and the first backoff delay (doubled per retry). Defaults: 4, 1s.
func WithRetry(max int, baseDelay time.Duration) Option {
	return func(a *api) { a.maxRetries, a.baseDelay = max, baseDelay }
}

// WithMaxWait caps a single wait, a Retry-After included: a tracker asking
// for longer makes the call fail with ErrRateLimited. Default 60s.
func WithMaxWait(d time.Duration) Option { return func(a *api) { a.maxWait = d } }

// WithSleep replaces the wait between retries (tests record it instead of
// waiting). It must return ctx.Err() when ctx ends first.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(a *api) { a.sleep = sleep }
}

// WithUserAgent sets the User-Agent (default "repro").
func WithUserAgent(ua string) Option { return func(a *api) { a.userAgent = ua } }

// WithPerPage sets the page size for reading comments (default 100).
func WithPerPage(n int) Option { return func(a *api) { a.perPage = n } }

// maxPages bounds how many pages of comments one ticket read follows.
const maxPages = 100

// maxBody bounds one response.
const maxBody = 16 << 20

// api is one tracker's REST endpoint with one token.
type api struct {
	kind       Kind
	base       string // API base URL, no trailing slash
	auth       string // Authorization header value
	secrets    []string
	header     http.Header
	hc         *http.Client
	log        *slog.Logger
	maxRetries int
	baseDelay  time.Duration
	maxWait    time.Duration
	timeout    time.Duration
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time
	userAgent  string
	perPage    int
	// classify turns a non-2xx answer into an error, with wait > 0 when
	// the call may be retried after that long.
	classify func(c call, status int, h http.Header, body []byte) (err *APIError, wait time.Duration)
}

func newAPI(kind Kind, opts []Option) *api {
	a := &api{kind: kind, hc: &http.Client{}, log: slog.New(slog.DiscardHandler), maxRetries: 4, baseDelay: time.Second,
		maxWait: 60 * time.Second, timeout: 60 * time.Second, sleep: sleepCtx, now: time.Now, userAgent: "repro", perPage: 100, header: http.Header{}}
	for _, o := range opts {
		o(a)
	}
	if a.perPage <= 0 || a.perPage > 100 {
		a.perPage = 100
	}
	hc := *a.hc
	hc.CheckRedirect = a.checkRedirect
	a.hc = &hc
	return a
}

// checkRedirect refuses a redirect to another host: the token is for this one.
func (a *api) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		return fmt.Errorf("refused a redirect to %s://%s: the token is only for %s", req.URL.Scheme, req.URL.Host, via[0].URL.Host)
	}
	return nil
}

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
	method     string
	path       string // below the API base
	query      url.Values
	body       any    // JSON-encoded when not nil
	permission string // what the token needs, named on 401/403
	what       string // what is asked for ("issue acme/shop#7"), for 404
}

// do runs c with bounded retries and decodes a 2xx JSON answer into out
// (when not nil). Any other answer is an *APIError.
func (a *api) do(ctx context.Context, c call, out any) (http.Header, error) {
	if a.auth == "" {
		return nil, fmt.Errorf("%w: no token for %s: %s", ErrConfig, a.kind, tokenHelp(a.kind))
	}
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return nil, fmt.Errorf("encode %s body: %w", c.path, err)
		}
	}
	idempotent := c.method == http.MethodGet
	for attempt := 0; ; attempt++ {
		status, h, b, err := a.once(ctx, c, body)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s %s: %w", strings.ToLower(a.kind.String()), c.method, c.path, ctx.Err())
		}
		var final *APIError
		var wait time.Duration
		switch {
		case err != nil:
			final = &APIError{Tracker: a.kind, Method: c.method, Path: c.path, Err: ErrUnavailable,
				Detail: scrub(err.Error(), a.secrets...), Hint: "no answer after retries; check the network and the ticket's host"}
			a.log.Debug("ticket request failed", "method", c.method, "path", c.path, "attempt", attempt, "err", final.Detail)
			if !idempotent {
				return nil, final
			}
			wait = a.backoff(attempt)
		case status >= 200 && status < 300:
			if out != nil && len(b) > 0 {
				if err := json.Unmarshal(b, out); err != nil {
					return nil, fmt.Errorf("%s %s %s: decode the answer: %w", strings.ToLower(a.kind.String()), c.method, c.path, err)
				}
			}
			return h, nil
		default:
			final, wait = a.classify(c, status, h, b)
			final.Detail = scrub(final.Detail, a.secrets...)
			if wait == 0 && status >= 500 && idempotent {
				wait = a.backoff(attempt)
			}
			if wait == 0 {
				return nil, final
			}
		}
		if attempt >= a.maxRetries {
			return nil, final
		}
		if wait > a.maxWait {
			final.Hint = fmt.Sprintf("%s asks to wait %s, more than the %s limit; run again later", a.kind, wait.Round(time.Second), a.maxWait)
			return nil, final
		}
		if err := a.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s %s: %w", strings.ToLower(a.kind.String()), c.method, c.path, err)
		}
	}
}

// once runs one HTTP attempt bounded by the client's timeout.
func (a *api) once(ctx context.Context, c call, body []byte) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	u := a.base + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range a.header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", a.auth)
	req.Header.Set("User-Agent", a.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := a.now()
	res, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxBody {
		return 0, nil, nil, fmt.Errorf("answer over %d MiB", maxBody>>20)
	}
	a.log.Debug("ticket request", "tracker", a.kind, "method", c.method, "path", c.path, "status", res.StatusCode, "bytes", len(b), "elapsed", a.now().Sub(start))
	return res.StatusCode, res.Header, b, nil
}

// backoff is base·2^attempt, capped at maxWait.
func (a *api) backoff(attempt int) time.Duration {
	d := a.baseDelay
	for i := 0; i < attempt && d < a.maxWait; i++ {
		d *= 2
	}
	return min(d, a.maxWait)
}

// retryAfter reads Retry-After (seconds or an HTTP date), then a reset
// header holding epoch seconds (GitHub's X-RateLimit-Reset), else 0.
func (a *api) retryAfter(h http.Header, resetHeader string) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return max(time.Duration(secs*float64(time.Second)), time.Millisecond)
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(a.now()), time.Millisecond)
		}
	}
	if resetHeader != "" {
		if v := strings.TrimSpace(h.Get(resetHeader)); v != "" {
			if epoch, err := strconv.ParseInt(v, 10, 64); err == nil {
				return max(time.Unix(epoch, 0).Sub(a.now()), time.Second)
			}
		}
	}
	return 0
}

// oneLine bounds a tracker's message to one short line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func tokenHelp(k Kind) string {
	if k == GitHub {
		return "set GH_TOKEN or GITHUB_TOKEN"
	}
	return "set JIRA_API_TOKEN (with JIRA_EMAIL for Jira Cloud; alone, a Data Center personal access token)"
}
