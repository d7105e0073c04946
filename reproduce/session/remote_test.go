package session

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/plan"
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

// TestABrowserOnAnotherHostRunsBehindTheGuard runs the leak page on a
// Chromium on another host (its own network namespace: its loopback is not
// this machine's, and it reaches this machine only at the link's address),
// with the stand-ins listening where that host can reach them. Told that
// address (ProxyHost), the sessions' proxies listen there and the run
// follows every step with nothing reaching a stand-in. Left at the default
// (127.0.0.1), the same browser cannot load the app: the test's browser
// really is elsewhere, and the default fails closed.
func TestABrowserOnAnotherHostRunsBehindTheGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	t.Parallel()
	other := chrometest.StartOtherHost(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("at the default address the app does not load", func(t *testing.T) {
		b, err := NewBrowser(ctx, ChromeConfig{RemoteURL: other.DevTools})
		require.NoError(t, err)
		defer b.Close()
		pl := plan.Plan{StartURL: "https://app.example.test/determinism/", Steps: []plan.Step{
			{Index: 0, Kind: plan.StepNavigate, URL: "https://app.example.test/determinism/"},
			{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}, Duration: 3 * time.Second},
		}}
		obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, Settle: SettlePolicy{Final: 50 * time.Millisecond}})
		require.NoError(t, err)
		assert.False(t, obs.Completed, "the app loaded through a proxy on 127.0.0.1: the browser is not on another host")
	})

	t.Run("told this machine's address it runs and nothing leaks", func(t *testing.T) {
		b, err := NewBrowser(ctx, ChromeConfig{RemoteURL: other.DevTools, ProxyHost: other.HostIP})
		require.NoError(t, err)
		defer b.Close()
		ins, obs := leakRunOn(t, b, other.HostIP, guardLayers{})
		requireNoLeak(t, ins, obs)
	})
}

// TestAProxyOffLoopbackForwardsOnlyWithItsCredentials: a session's proxy
// listening where another host can reach it forwards nothing for a client
// without its credentials (407, asking for them, and the app sees no
// request), and forwards the app's own assets for the browser that has
// them.
func TestAProxyOffLoopbackForwardsOnlyWithItsCredentials(t *testing.T) {
	t.Parallel()
	host := ""
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
			host = ip.IP.String()
			break
		}
	}
	if host == "" {
		t.Skip("SKIPPED: this machine has no IPv4 address off loopback")
	}
	app := newStandIn(t, "app")
	p, err := newNetProxyOn(host, func(u *url.URL) bool { return "http://"+u.Host == app.srv.URL }, nil)
	require.NoError(t, err)
	defer p.Close()
	require.NotEmpty(t, p.auth)

	get := func(user *url.Userinfo) *http.Response {
		t.Helper()
		pu, err := url.Parse(p.URL())
		require.NoError(t, err)
		pu.User = user
		c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
		res, err := c.Get(app.srv.URL + "/index.html")
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	res := get(nil)
	assert.Equal(t, http.StatusProxyAuthRequired, res.StatusCode)
	assert.Contains(t, res.Header.Get("Proxy-Authenticate"), "Basic")
	res = get(url.UserPassword(p.user, "not-the-password"))
	assert.Equal(t, http.StatusProxyAuthRequired, res.StatusCode)
	hits, _ := app.seen()
	assert.Empty(t, hits, "the proxy forwarded a request without its credentials")

	res = get(url.UserPassword(p.user, p.pass))
	assert.Equal(t, http.StatusOK, res.StatusCode)
	hits, _ = app.seen()
	assert.Len(t, hits, 1)
}
