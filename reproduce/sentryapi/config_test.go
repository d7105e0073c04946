package sentryapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

func writeRC(t *testing.T, dir, body string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, ".sentryclirc"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadConfigPrecedenceFlagsEnvWorkdirHome(t *testing.T) {
	home := writeRC(t, t.TempDir(), "[auth]\ntoken = home-token\n\n[defaults]\nurl = https://home.example.com/\norg = home-org\nproject = home-proj\n")
	work := writeRC(t, t.TempDir(), "# local\n[defaults]\norg=work-org\n; comment\nproject = \"work-proj\"\n")
	env := map[string]string{"SENTRY_ORG": "env-org", "SENTRY_URL": "https://env.example.com"}
	tests := []struct {
		name      string
		overrides sentryapi.Config
		src       sentryapi.ConfigSources
		want      sentryapi.Config
	}{
		{"nothing configured defaults to sentry.io", sentryapi.Config{}, sentryapi.ConfigSources{},
			sentryapi.Config{URL: "https://sentry.io"}},
		{"home rc alone", sentryapi.Config{}, sentryapi.ConfigSources{HomeDir: home},
			sentryapi.Config{Token: "home-token", URL: "https://home.example.com", Org: "home-org", Project: "home-proj"}},
		{"work rc overrides home rc key by key", sentryapi.Config{}, sentryapi.ConfigSources{HomeDir: home, WorkDir: work},
			sentryapi.Config{Token: "home-token", URL: "https://home.example.com", Org: "work-org", Project: "work-proj"}},
		{"env overrides both rc files", sentryapi.Config{}, sentryapi.ConfigSources{HomeDir: home, WorkDir: work, Getenv: mapEnv(env)},
			sentryapi.Config{Token: "home-token", URL: "https://env.example.com", Org: "env-org", Project: "work-proj"}},
		{"flags override env", sentryapi.Config{Org: "flag-org", Token: "flag-token"},
			sentryapi.ConfigSources{HomeDir: home, WorkDir: work, Getenv: mapEnv(env)},
			sentryapi.Config{Token: "flag-token", URL: "https://env.example.com", Org: "flag-org", Project: "work-proj"}},
		{"empty env values do not erase lower layers", sentryapi.Config{},
			sentryapi.ConfigSources{HomeDir: home, Getenv: mapEnv(map[string]string{"SENTRY_ORG": ""})},
			sentryapi.Config{Token: "home-token", URL: "https://home.example.com", Org: "home-org", Project: "home-proj"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sentryapi.LoadConfigFrom(tc.overrides, tc.src)
			require.NoError(t, err)
			assert.Equal(t, tc.want.Token, got.Token)
			assert.Equal(t, tc.want.String(), got.String())
		})
	}
}

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigReadsProcessEnvCwdAndHome(t *testing.T) {
	home := writeRC(t, t.TempDir(), "[auth]\ntoken=home-token\n[defaults]\norg=home-org\n")
	work := writeRC(t, t.TempDir(), "[defaults]\nproject=work-proj\n")
	t.Setenv("HOME", home)
	t.Setenv("SENTRY_AUTH_TOKEN", "")
	t.Setenv("SENTRY_ORG", "")
	t.Setenv("SENTRY_PROJECT", "")
	t.Setenv("SENTRY_URL", "https://self.example.com")
	t.Chdir(work)
	got, err := sentryapi.LoadConfig(sentryapi.Config{})
	require.NoError(t, err)
	assert.Equal(t, "home-token", got.Token)
	assert.Equal(t, "Config{URL:https://self.example.com Org:home-org Project:work-proj Token:[redacted]}", got.String())
}

func TestLoadConfigRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"sentry.io", "ftp://sentry.io", "https://user:pw@sentry.io"} {
		_, err := sentryapi.LoadConfigFrom(sentryapi.Config{URL: u}, sentryapi.ConfigSources{})
		assert.ErrorIs(t, err, sentryapi.ErrConfig, u)
	}
}

func TestConfigNeverPrintsTheToken(t *testing.T) {
	const tok = "sntrys_SECRET_config_token"
	cfg := sentryapi.Config{Token: tok, URL: "https://sentry.io", Org: "acme"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "config", cfg)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "config", cfg)
	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	outs := []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s %q %d %x", cfg, cfg, cfg, cfg, cfg, cfg, cfg),
		fmt.Sprintf("%v", &cfg), string(js), logs.String(), sentryapi.NewClient(cfg).Config().String()}
	for _, out := range outs {
		assert.NotContains(t, out, tok)
	}
	assert.Contains(t, cfg.String(), "[redacted]")
}

// hostDialer routes every *.sentry.test host to the fake's listener, so
// region hosts can be told apart without DNS. With a TLS fake it trusts the
// fake's certificate whatever host name was asked for.
func hostDialer(srv *sentrytest.Server) *http.Client {
	u, _ := url.Parse(srv.URL)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, u.Host)
	}
	if tr.TLSClientConfig != nil {
		tr.TLSClientConfig.ServerName = "example.com" // httptest's certificate
	}
	return &http.Client{Transport: tr}
}

// TestRegionDiscovery protects where the token goes: a regionUrl is used
// only on the configured host or a subdomain of it, and only over https
// unless the configured URL is http, when only that host may be http.
func TestRegionDiscovery(t *testing.T) {
	tests := []struct {
		name        string
		configured  string
		fake        []sentrytest.Option
		wantAPIBase string
	}{
		{"https regionUrl on a subdomain is used for org and project calls", "https://sentry.test",
			[]sentrytest.Option{sentrytest.WithTLS(), sentrytest.WithRegionURL("https://us.sentry.test")}, "https://us.sentry.test"},
		{"http regionUrl under an https Sentry is ignored (the token is never sent in clear)", "https://sentry.test",
			[]sentrytest.Option{sentrytest.WithTLS(), sentrytest.WithRegionURL("http://us.sentry.test")}, "https://sentry.test"},
		{"https regionUrl on a foreign host is ignored (the token stays home)", "https://sentry.test",
			[]sentrytest.Option{sentrytest.WithTLS(), sentrytest.WithRegionURL("https://evil.test")}, "https://sentry.test"},
		{"an http Sentry keeps its own host: an http subdomain region is ignored", "http://sentry.test",
			[]sentrytest.Option{sentrytest.WithRegionURL("http://us.sentry.test")}, "http://sentry.test"},
		{"an http regionUrl on a foreign host is ignored", "http://sentry.test",
			[]sentrytest.Option{sentrytest.WithRegionURL("http://evil.test")}, "http://sentry.test"},
		{"org lookup failure falls back to the configured URL (self-hosted)", "http://sentry.test",
			[]sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteOrg, Status: 403})}, "http://sentry.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := sentrytest.New(t, append([]sentrytest.Option{sentrytest.WithBundle(realBundle)}, tc.fake...)...)
			cfg := sentryapi.Config{URL: tc.configured, Token: srv.Token, Org: srv.Org}
			client := sentryapi.NewClient(cfg, sentryapi.WithHTTPClient(hostDialer(srv)))
			res, err := client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(t.TempDir(), "b"))
			require.NoError(t, err)
			assert.Equal(t, tc.wantAPIBase+"/api/0/organizations/acme/replays/"+realReplayID+"/", res.SourceURL)
			wantHost := strings.TrimPrefix(strings.TrimPrefix(tc.wantAPIBase, "https://"), "http://")

			reqs := srv.Requests()
			require.True(t, len(reqs) > 2)
			assert.Equal(t, "/api/0/organizations/acme/", reqs[0].Path)
			assert.Equal(t, "sentry.test", reqs[0].Host, "discovery asks the configured URL")
			orgCalls := 0
			for _, r := range reqs[1:] {
				assert.Equal(t, wantHost, r.Host, "%s", r.Path)
				if r.Path == "/api/0/organizations/acme/" {
					orgCalls++
				}
			}
			assert.Equal(t, 0, orgCalls, "the region is discovered once per org")
		})
	}
}

func TestReplayURLOnAnotherServerIsRefusedWithoutSendingTheToken(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle)})
	ref := mustRef(t, "https://other.example.com/organizations/acme/replays/"+realReplayID+"/")
	_, err := h.client.FetchBundle(context.Background(), ref, filepath.Join(t.TempDir(), "b"))
	assert.ErrorIs(t, err, sentryapi.ErrConfig)
	assert.Contains(t, err.Error(), "SENTRY_URL=https://other.example.com")
	assert.Len(t, h.srv.Requests(), 0)
}
