package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// AppUnderTest is the app a plan runs against: a running server (URL) or a
// directory of static files that the runner serves on loopback (Dir). The
// recorded origin is mapped onto it, keeping path, query and fragment.
type AppUnderTest struct {
	URL string // e.g. "http://localhost:3000"
	Dir string // e.g. "./testdata/apps/imagechat/fixed"
}

// ErrAppUnreachable means the app under test cannot be reached (nothing
// listens, its host does not resolve, or --app names an unsupported
// scheme). It is found before the replay starts, so a CI job never
// reports it as a finding about the app.
var ErrAppUnreachable = errors.New("the app under test cannot be reached")

// schemeLike matches a URL scheme prefix ("ftp://", "file://").
var schemeLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// ParseApp reads an --app value: an http(s) URL, or a directory that exists.
func ParseApp(s string) (AppUnderTest, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return AppUnderTest{}, errors.New("app: empty (want a URL like http://localhost:3000 or a directory)")
	}
	if m := schemeLike.FindString(s); m != "" && !strings.EqualFold(m, "http://") && !strings.EqualFold(m, "https://") {
		return AppUnderTest{}, fmt.Errorf("%w: --app %q uses %s, which repro cannot serve: give an http(s) URL or a directory", ErrAppUnreachable, s, strings.TrimSuffix(m, "://"))
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return AppUnderTest{}, fmt.Errorf("app: bad URL %q", s)
		}
		return AppUnderTest{URL: strings.TrimRight(s, "/")}, nil
	}
	fi, err := os.Stat(s)
	if err != nil {
		return AppUnderTest{}, fmt.Errorf("app: %w", err)
	}
	if !fi.IsDir() {
		return AppUnderTest{}, fmt.Errorf("app: %s is not a directory", s)
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return AppUnderTest{}, fmt.Errorf("app: %w", err)
	}
	return AppUnderTest{Dir: abs}, nil
}

// String is the app as the user named it.
func (a AppUnderTest) String() string {
	if a.URL != "" {
		return a.URL
	}
	return a.Dir
}

// runningApp is an app under test reachable at base (scheme://host:port).
type runningApp struct {
	base  *url.URL
	close func()
}

// Check makes sure the app can be reached: a URL app must answer an HTTP
// request (any status will do), a Dir app must be a directory. The error
// wraps ErrAppUnreachable and says what to do.
func (a AppUnderTest) Check(ctx context.Context) error {
	if a.URL == "" {
		if a.Dir == "" {
			return fmt.Errorf("%w: no --app given", ErrAppUnreachable)
		}
		fi, err := os.Stat(a.Dir)
		if err != nil || !fi.IsDir() {
			return fmt.Errorf("%w: %s is not a directory", ErrAppUnreachable, a.Dir)
		}
		return nil
	}
	u, err := url.Parse(a.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%w: %q is not an http(s) URL", ErrAppUnreachable, a.URL)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrAppUnreachable, a.URL, err)
	}
	client := &http.Client{
		Transport:     &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: %s: %v (start the app, or point --app at where it runs)", ErrAppUnreachable, a.URL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	return nil
}

// start serves a Dir app on 127.0.0.1 (a URL app is already running, and
// must answer).
func (a AppUnderTest) start() (*runningApp, error) {
	switch {
	case a.URL != "":
		u, err := url.Parse(a.URL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("app: bad URL %q", a.URL)
		}
		if err := a.Check(context.Background()); err != nil {
			return nil, err
		}
		return &runningApp{base: &url.URL{Scheme: u.Scheme, Host: u.Host}, close: func() {}}, nil
	case a.Dir != "":
		fi, err := os.Stat(a.Dir)
		if err != nil {
			return nil, fmt.Errorf("app: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("app: %s is not a directory", a.Dir)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("app: serve %s: %w", a.Dir, err)
		}
		srv := &http.Server{Handler: spaHandler(a.Dir), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		return &runningApp{
			base: &url.URL{Scheme: "http", Host: ln.Addr().String()},
			close: func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_ = srv.Shutdown(ctx)
			},
		}, nil
	}
	return nil, errors.New("app: neither a URL nor a directory")
}

// spaHandler serves dir's files; a path that names no file and looks like
// a client-side route (no extension, or a request for HTML, such as
// /shots/42) gets index.html, as single-page apps expect. A missing asset
// (/missing.js) stays a 404: serving HTML as script would invent a
// SyntaxError the app never had. Caching is off so every run loads the
// files as they are now.
func spaHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		p := path.Clean("/" + r.URL.Path)
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		missing := err != nil || (fi.IsDir() && !exists(filepath.Join(dir, filepath.FromSlash(p), "index.html")))
		if missing {
			if path.Ext(p) != "" && !strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.NotFound(w, r)
				return
			}
			http.ServeFile(w, r, filepath.Join(dir, "index.html"))
			return
		}
		files.ServeHTTP(w, r)
	})
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// MapURL maps a recorded URL onto the app under test: the recorded origin is
// replaced by base, and path, query and fragment are kept. A relative URL is
// resolved against base. A URL on another origin is returned unchanged.
func MapURL(recorded, recordedOrigin string, base *url.URL) (string, error) {
	u, err := url.Parse(recorded)
	if err != nil {
		return "", fmt.Errorf("map url %q: %w", recorded, err)
	}
	if !u.IsAbs() {
		return base.ResolveReference(u).String(), nil
	}
	if recordedOrigin != "" && !sameOrigin(u, recordedOrigin) {
		return recorded, nil
	}
	u.Scheme, u.Host = base.Scheme, base.Host
	return u.String(), nil
}

// origin is scheme://host[:port] of u, with default ports dropped.
func origin(u *url.URL) string {
	host := u.Host
	if (u.Scheme == "http" && strings.HasSuffix(host, ":80")) || (u.Scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return strings.ToLower(u.Scheme + "://" + host)
}

// sameOrigin reports whether u is on the origin o ("scheme://host[:port]").
func sameOrigin(u *url.URL, o string) bool {
	ou, err := url.Parse(o)
	if err != nil {
		return false
	}
	return origin(u) == origin(ou)
}
