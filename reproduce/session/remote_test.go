package session

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRemoteURLsAreDialledAsTheirKindWants(t *testing.T) {
	for _, tc := range []struct {
		name    string
		url     string
		service bool
	}{
		{"a pool service's URL with its token is dialled as given", "ws://127.0.0.1:3000?token=abc", true},
		{"a pool service's path is dialled as given", "wss://pool.example.test/chromium?token=abc", true},
		{"user info is a service's", "wss://user:pw@pool.example.test/", true},
		{"a DevTools browser URL names the browser", "ws://127.0.0.1:9222/devtools/browser/0a1b", false},
		{"a bare ws address is looked up at /json/version", "ws://127.0.0.1:9222/", false},
		{"an http address is looked up at /json/version", "http://127.0.0.1:9222", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isServiceURL(tc.url); got != tc.service {
				t.Errorf("isServiceURL(%q) = %v, want %v", tc.url, got, tc.service)
			}
		})
	}
}

func TestRemoteNameHidesTheToken(t *testing.T) {
	for in, want := range map[string]string{
		"ws://127.0.0.1:3000?token=s3cret":                "ws://127.0.0.1:3000",
		"wss://u:s3cret@pool.example.test/s3cret?token=x": "wss://pool.example.test",
		"ws://127.0.0.1:9222/devtools/browser/0a1b-2c3d":  "ws://127.0.0.1:9222",
		"not a url ?token=s3cret":                         "a remote browser URL that does not parse",
		"http://[::1]:9222":                               "http://[::1]:9222",
	} {
		if got := RemoteName(in); got != want || strings.Contains(got, "s3cret") {
			t.Errorf("RemoteName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAFailedConnectionDoesNotPrintTheToken connects to pool services
// that cannot be used — nothing listening, a handshake refused as a
// service refuses a wrong token, a /json/version lookup that fails — and
// checks the error says where, and why, without the URL's secrets
// (chromedp quotes the URL it dialled).
func TestAFailedConnectionDoesNotPrintTheToken(t *testing.T) {
	const token = "tok-7f3a9c-SECRET"
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Bad or missing authentication.", http.StatusUnauthorized)
	}))
	t.Cleanup(refusing.Close)
	refusingAddr := strings.TrimPrefix(refusing.URL, "http://")
	for _, tc := range []struct{ name, url, why string }{
		{"nothing listens", "ws://" + closed + "?token=" + token, "refused"},
		{"the handshake is refused", "ws://" + refusingAddr + "/chromium?token=" + token, "401"},
		{"user info and path", "ws://bless:" + token + "@" + closed + "/" + token, "refused"},
		{"the /json/version lookup fails", "http://" + closed + "/?token=" + token, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			b, err := NewBrowser(ctx, ChromeConfig{RemoteURL: tc.url})
			if err == nil {
				b.Close()
				t.Fatal("connected to a service that is not there")
			}
			msg := err.Error()
			if strings.Contains(msg, token) || strings.Contains(msg, "SECRET") {
				t.Errorf("the error prints the token: %s", msg)
			}
			if !strings.Contains(msg, RemoteName(tc.url)) || !strings.Contains(msg, tc.why) {
				t.Errorf("the error does not say where and why (%s, %q): %s", RemoteName(tc.url), tc.why, msg)
			}
		})
	}
}

func TestScrubKeepsShortWordsOutsideTheURL(t *testing.T) {
	got := scrubURLSecrets(`could not dial "ws://h:1?token=ab&debug=1": 1 try`, "ws://h:1?token=ab&debug=1")
	if want := `could not dial "ws://h:1?token=[redacted]&debug=[redacted]": 1 try`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
