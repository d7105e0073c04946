package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
)

// bundle is one replay under testdata/replays with everything both sides
// need: the app variant it was recorded against and, for the peer, its
// flow and a config holding the recorded API answers.
type bundle struct {
	name    string
	dir     string // testdata/replays/<name>
	appDir  string // testdata/apps/<app>/<variant>
	appURL  string // appDir served for the peer
	want    int    // repro run's exit code for the expected verdict
	failure string // the recorded uncaught error's message ("" if none)
	peerCfg string // the peer's config (latency none)
	plan    *plan.Plan
	xs      []peerExchange
}

// manifest is the part of a bundle's manifest.json (written by the
// recorder) that says which app variant it holds and what repro should say.
type manifest struct {
	App             string            `json:"app"`
	Variant         string            `json:"variant"`
	ExpectedVerdict map[string]string `json:"expected_verdict"`
	Observed        struct {
		Exceptions []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"exceptions"`
	} `json:"observed"`
}

// peerExchange is one recorded API call as the peer serves it.
type peerExchange struct {
	Method     string            `json:"method"`
	URL        string            `json:"url"`
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       string            `json:"body,omitempty"`
	BodyBase64 string            `json:"bodyBase64,omitempty"`
	LatencyMs  int64             `json:"latencyMs"`
}

// skipHeaders are recorded response headers never replayed, as in
// mockserver (serve.go): hop-by-hop, and length and encoding of a body that
// is stored decoded.
var skipHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Te": true, "Trailer": true, "Content-Length": true, "Content-Encoding": true,
}

// exitCodes are repro run's exit codes per verdict (README, Exit codes).
var exitCodes = map[string]int{"reproduced": 0, "not_reproduced": 3, "diverged": 4, "inconclusive": 5}

func (b *bench) openBundle(ctx context.Context, name string, withPeer bool) (*bundle, error) {
	if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("bundle %q: give a name under testdata/replays, such as imagechat-bug", name)
	}
	bd := &bundle{name: name, dir: filepath.Join(b.root, "testdata", "replays", name)}
	raw, err := os.ReadFile(filepath.Join(bd.dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w (the bench needs a recorded bundle with a manifest)", name, err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil || m.App == "" || m.Variant == "" {
		return nil, fmt.Errorf("bundle %s: manifest.json names no app and variant", name)
	}
	want, ok := exitCodes[m.ExpectedVerdict[m.Variant]]
	if !ok {
		return nil, fmt.Errorf("bundle %s: manifest.json has no expected verdict for variant %s", name, m.Variant)
	}
	bd.want = want
	if len(m.Observed.Exceptions) > 0 {
		bd.failure = m.Observed.Exceptions[0].Message
	}
	app := filepath.Join(b.root, "testdata", "apps", m.App)
	bd.appDir = filepath.Join(app, m.Variant)
	if _, err := os.Stat(filepath.Join(app, "package.json")); err == nil {
		// A framework app: bundle it (quick when it is up to date).
		if out, err := b.command(ctx, b.root, nil, filepath.Join(b.root, "testdata", "apps", "build"), m.App); err != nil {
			return nil, fmt.Errorf("testdata/apps/build %s: %v\n%s", m.App, err, out)
		}
	}
	if !withPeer {
		return bd, nil
	}

	if _, err := os.Stat(filepath.Join(b.peerDir, "flows", name+".js")); err != nil {
		return nil, fmt.Errorf("bundle %s has no peer flow: write testdata/bench/peer/flows/%s.js (see the others)", name, name)
	}
	r, err := reproduce.Open(bd.dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if bd.plan, err = plan.Build(r.Timeline, plan.Options{}); err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	// The same exchanges repro's mock serves.
	for _, x := range reproduce.Exchanges(r.Timeline) {
		px := peerExchange{Method: x.Method, URL: x.URL, Status: x.Status, LatencyMs: x.Latency.Milliseconds()}
		for k, vs := range x.ResponseHeaders {
			if !skipHeaders[http.CanonicalHeaderKey(k)] && len(vs) > 0 {
				if px.Headers == nil {
					px.Headers = map[string]string{}
				}
				px.Headers[strings.ToLower(k)] = strings.Join(vs, ", ")
			}
		}
		if utf8.Valid(x.ResponseBody) {
			px.Body = string(x.ResponseBody)
		} else {
			px.BodyBase64 = base64.StdEncoding.EncodeToString(x.ResponseBody)
		}
		bd.xs = append(bd.xs, px)
	}
	if bd.appURL, err = b.serveSPA(bd.appDir); err != nil {
		return nil, err
	}
	if bd.peerCfg, err = b.peerConfig(bd, "none"); err != nil {
		return nil, err
	}
	return bd, nil
}

// peerConfig writes the peer's config for bd with the given latency
// ("none" or "recorded").
func (b *bench) peerConfig(bd *bundle, latency string) (string, error) {
	p := bd.plan
	return b.writeJSON(bd.name+"-"+latency+".json", map[string]any{
		"flow":      bd.name,
		"app":       bd.appURL,
		"chrome":    b.chrome,
		"args":      peerArgs,
		"exchanges": bd.xs,
		"apiPaths":  p.APIPaths,
		"viewport":  map[string]any{"width": p.Viewport.Width, "height": p.Viewport.Height, "deviceScaleFactor": p.Viewport.DeviceScaleFactor},
		"userAgent": p.UserAgent,
		"locale":    p.Locale,
		"timezone":  p.Timezone,
		"latency":   latency,
	})
}

// peer runs the Playwright peer once on cfg; it must reach the recorded
// failure (exit 0).
func (b *bench) peer(ctx context.Context, cfg string) (time.Duration, error) {
	return b.timed(ctx, job{what: "peer", dir: b.peerDir, argv: []string{"node", "peer.js", cfg}})
}
