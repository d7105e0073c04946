package session

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/chromedp/remote"
)

// A remote browser is named three ways, and only the last two are
// DevTools' own: a pool service's WebSocket URL (browserless:
// ws://host:port?token=…, or a path of its own) is the browser; a
// DevTools browser URL (ws://host:port/devtools/browser/<id>) names one;
// a bare address (http://host:port, ws://host:port) is asked for its
// browser URL at /json/version. A pool service answers /json/version too,
// but with an address that has lost the token, so its URL is dialled as
// given.

// remoteAllocator connects to the browser rawURL names (see above).
func remoteAllocator(parent context.Context, rawURL string) (context.Context, context.CancelFunc) {
	if isServiceURL(rawURL) {
		// A pool service starts a browser for the connection before it
		// answers the handshake: on a loaded machine that takes longer than
		// chromedp's 10 s. NewBrowser's context bounds it as well.
		return remote.NewAllocator(parent, rawURL, remote.NoModifyURL, remote.WithDialTimeout(time.Minute))
	}
	return remote.NewAllocator(parent, rawURL)
}

// isServiceURL reports whether rawURL is a pool service's WebSocket URL:
// ws(s) with a query, user info or a path, and not a DevTools browser URL.
func isServiceURL(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || strings.Contains(u.Path, "/devtools/browser/") {
		return false
	}
	return u.RawQuery != "" || u.User != nil || strings.Trim(u.Path, "/") != ""
}

// RemoteName says a remote browser's URL without what may be a secret (a
// pool service's token in the query or the user info, or a path that
// carries one): scheme://host. It is what logs, errors and results show.
func RemoteName(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "a remote browser URL that does not parse"
	}
	return u.Scheme + "://" + u.Host
}

// remoteError is an error of connecting to rawURL with every secret of
// the URL taken out of its message: chromedp quotes the URL it dialled or
// asked /json/version of, query and all. It unwraps to the original, for
// errors.Is.
type remoteError struct {
	err error
	msg string
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.err }

// scrubRemote returns err with rawURL's secrets replaced in its message.
func scrubRemote(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	return &remoteError{err: err, msg: scrubURLSecrets(err.Error(), rawURL)}
}

// scrubURLSecrets replaces in s the parts of rawURL that may be secret:
// the user info, every query value and the path, as written and as
// escaped (a url.Error quotes the URL escaped). A short value ("1",
// "true") is replaced only after its "name=", so that the message keeps
// its other digits and words.
func scrubURLSecrets(s, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return strings.ReplaceAll(s, rawURL, "[remote URL]")
	}
	const hidden = "[redacted]"
	replace := func(secret string, short func(string) string) {
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			if form == "" {
				continue
			}
			if len(form) >= 6 {
				s = strings.ReplaceAll(s, form, hidden)
			} else if short != nil {
				s = strings.ReplaceAll(s, short(form), short(hidden))
			}
		}
	}
	if u.User != nil {
		s = strings.ReplaceAll(s, u.User.String()+"@", hidden+"@")
		replace(u.User.Username(), nil)
		if p, ok := u.User.Password(); ok {
			replace(p, nil)
		}
	}
	for name, vs := range u.Query() {
		for _, v := range vs {
			replace(v, func(x string) string { return name + "=" + x })
		}
	}
	if p := strings.Trim(u.EscapedPath(), "/"); p != "" && !strings.Contains(u.Path, "/devtools/browser/") {
		replace(p, nil)
	}
	return s
}
