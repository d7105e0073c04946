package mockserver

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// A Mock serves a user's recorded, unscrubbed responses. `repro serve` runs
// it on loopback for the developer's own frontend; any web page open in the
// developer's browser can also send requests to loopback. So the browser
// may read answers only from origins the developer runs (loopback, or ones
// named explicitly), never with credentials unless asked, and a request
// carrying any other Origin is refused before it is matched or forwarded.

// CORS is the browser access WithCORS grants. The zero value allows
// loopback origins only, without credentials.
type CORS struct {
	// Origins are allowed besides loopback ones (http or https on
	// localhost, 127.0.0.0/8 or [::1], any port): exact origins such as
	// "https://app.dev.example:8443", checked by ParseOrigin.
	Origins []string
	// Headers are request headers a preflight may ask for besides the
	// ones the recording's requests carried (and Content-Type), e.g.
	// "Authorization" when the SDK did not capture it.
	Headers []string
	// Credentials answers Access-Control-Allow-Credentials: true, so the
	// browser sends cookies and lets the page read the answer.
	Credentials bool
}

// WithCORS answers CORS preflights itself and lets the origins c allows
// read the responses, so a frontend served from another local origin (a
// dev server on localhost:3000) can call the Mock directly, as `repro
// serve` offers. A request whose Origin is not allowed gets 403 and is
// neither matched nor forwarded. Preflights are answered only for allowed
// origins and only with the methods and headers the recording used; they
// are not journaled: they are the browser's, not the app's.
func WithCORS(c CORS) Option {
	return func(k *Mock) {
		cc := c
		k.cors = &cc
	}
}

// ParseOrigin checks an origin given on the command line and returns it
// normalized (lower-case scheme and host, default port dropped): an http(s)
// URL with a host and nothing after it.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("origin %q: want scheme://host[:port], e.g. http://app.test:3000", s)
	}
	return normalizeOrigin(u), nil
}

func normalizeOrigin(u *url.URL) string {
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port
	}
	return scheme + "://" + host
}

// corsPolicy is WithCORS resolved against the recording.
type corsPolicy struct {
	origins     map[string]bool
	methods     []string // recorded methods, sorted
	headers     map[string]bool
	headerList  string // Access-Control-Allow-Headers
	credentials bool
}

func newCORSPolicy(c *CORS, exchanges []Exchange) (*corsPolicy, error) {
	p := &corsPolicy{origins: map[string]bool{}, headers: map[string]bool{"content-type": true}, credentials: c.Credentials}
	for _, o := range c.Origins {
		n, err := ParseOrigin(o)
		if err != nil {
			return nil, err
		}
		p.origins[n] = true
	}
	for _, h := range c.Headers {
		p.headers[strings.ToLower(strings.TrimSpace(h))] = true
	}
	for _, x := range exchanges {
		if m := strings.ToUpper(x.Method); m != "" && !slices.Contains(p.methods, m) {
			p.methods = append(p.methods, m)
		}
		for h := range x.RequestHeaders {
			p.headers[strings.ToLower(h)] = true
		}
	}
	slices.Sort(p.methods)
	names := make([]string, 0, len(p.headers))
	for h := range p.headers {
		names = append(names, h)
	}
	slices.Sort(names)
	p.headerList = strings.Join(names, ", ")
	return p, nil
}

// allowed reports whether a browser page on origin may read answers.
func (p *corsPolicy) allowed(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // includes "null": sandboxed frames and file:// pages
	}
	return loopbackName(u.Hostname()) || p.origins[normalizeOrigin(u)]
}

// handle answers a CORS request itself when it must: a preflight, or any
// request from an origin that is not allowed. It reports whether it did;
// otherwise it has set the headers that let an allowed origin read the
// answer the Mock is about to give.
func (p *corsPolicy) handle(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false // not a browser's cross-origin request
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if !p.allowed(origin) {
		writeJSON(w, http.StatusForbidden, map[string]any{
			"error": fmt.Sprintf("repro mockserver: origin %s may not call this mock (it serves a user's recorded data): only loopback origins are allowed; add yours with repro serve --allow-origin", quoteShort(origin)),
		})
		return true
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	reqMethod := r.Header.Get("Access-Control-Request-Method")
	if r.Method != http.MethodOptions || reqMethod == "" {
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	if !slices.Contains(p.methods, strings.ToUpper(reqMethod)) {
		h.Del("Access-Control-Allow-Origin")
		writeJSON(w, http.StatusForbidden, map[string]any{
			"error": fmt.Sprintf("repro mockserver: the recording has no %s request; preflight refused", quoteShort(reqMethod)),
		})
		return true
	}
	for _, name := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "" && !p.headers[name] {
			h.Del("Access-Control-Allow-Origin")
			writeJSON(w, http.StatusForbidden, map[string]any{
				"error": fmt.Sprintf("repro mockserver: header %s was not in the recording's requests; preflight refused (allow it with repro serve --allow-header)", quoteShort(name)),
			})
			return true
		}
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(p.methods, ", "))
	h.Set("Access-Control-Allow-Headers", p.headerList)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// loopbackName reports whether a host name (no port) is loopback:
// localhost, a name under .localhost, or a loopback IP.
func loopbackName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// loopbackHostOnly refuses requests whose Host header is not a loopback
// name: a page whose DNS name was rebound to 127.0.0.1 sends its own name,
// and must not read the recording as if it were same-origin.
func loopbackHostOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if r.Host != "" && !loopbackName(host) {
			writeJSON(w, http.StatusMisdirectedRequest, map[string]any{
				"error": fmt.Sprintf("repro mockserver: Host %s is not loopback; this mock answers only localhost, 127.0.0.1 and [::1] (a page whose DNS points at 127.0.0.1 must not read the recording)", quoteShort(r.Host)),
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// quoteShort quotes a request-supplied value for an error body, shortened.
func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return fmt.Sprintf("%q", s)
}
