package mockserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// upstreamTimeout bounds one forwarded request.
const upstreamTimeout = 30 * time.Second

// upstream forwards to a backend the engineer runs. It is opt-in only.
type upstream struct {
	base             *url.URL
	forwardUnmatched bool
	client           *http.Client
}

func newUpstream(raw string, forwardUnmatched, allowRemote bool) (*upstream, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream %q: want an http:// or https:// URL with a host", raw)
	}
	if !allowRemote && !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("upstream %q is not on loopback; replaying a session against a real backend can repeat its side effects (use AllowRemoteUpstream to insist)", raw)
	}
	return &upstream{
		base:             u,
		forwardUnmatched: forwardUnmatched,
		client: &http.Client{
			// No proxy from the environment: the upstream is exactly
			// the host named, nothing else.
			Transport: &http.Transport{
				Proxy:               nil,
				DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
				MaxIdleConnsPerHost: 16,
				IdleConnTimeout:     30 * time.Second,
			},
			// Redirects go back to the browser as recorded responses would.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// isLoopbackHost accepts "localhost" and loopback IPs without resolving
// names, so DNS cannot redirect the upstream off the machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hopHeaders are not forwarded in either direction.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true,
}

// forward sends in to the upstream, journals the answer and copies it to w.
func (m *Mock) forward(w http.ResponseWriter, r *http.Request, in *Request, je JournalEntry) {
	je.Outcome = OutcomeUpstream
	target := *m.up.base
	escaped := strings.TrimSuffix(target.EscapedPath(), "/") + in.Path
	if p, err := url.PathUnescape(escaped); err == nil {
		target.Path, target.RawPath = p, escaped
	}
	target.RawQuery = in.RawQuery
	ctx, cancel := context.WithTimeout(r.Context(), upstreamTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, in.Method, target.String(), bytes.NewReader(in.Body))
	if err != nil {
		m.upstreamFailed(w, &je, err)
		return
	}
	for k, vs := range r.Header {
		if !hopHeaders[http.CanonicalHeaderKey(k)] {
			req.Header[k] = append([]string(nil), vs...)
		}
	}
	resp, err := m.up.client.Do(req)
	if err != nil {
		m.upstreamFailed(w, &je, err)
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, vs := range resp.Header {
		if !hopHeaders[http.CanonicalHeaderKey(k)] {
			h[k] = append([]string(nil), vs...)
		}
	}
	h.Set("X-Repro-Upstream", "1")
	je.Status = resp.StatusCode
	m.record(je)
	w.WriteHeader(resp.StatusCode)
	// A copy error means the client or the upstream left mid-body; the
	// status is already journaled and there is nobody to tell.
	_, _ = io.Copy(w, resp.Body)
}

func (m *Mock) upstreamFailed(w http.ResponseWriter, je *JournalEntry, err error) {
	je.Status, je.Note = http.StatusBadGateway, joinNote(je.Note, NoteUpstreamError)
	m.record(*je)
	writeJSON(w, http.StatusBadGateway, map[string]any{
		"error": "repro mockserver: upstream " + m.up.base.Redacted() + ": " + err.Error(),
	})
}
