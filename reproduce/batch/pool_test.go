package batch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// TestABrowserThatDiesIsRetriedElsewhere spreads three replays of the
// image-chat bug over two DevTools browsers and kills the first one as
// soon as a rerun reaches the app: its rerun is tried again on the other,
// and every replay still gets repro run's verdict.
func TestABrowserThatDiesIsRetriedElsewhere(t *testing.T) {
	needChromium(t)
	t.Parallel()
	wsA, killA := chrometest.DevTools(t, "")
	wsB, _ := chrometest.DevTools(t, "")
	files := http.FileServer(http.Dir("../../testdata/apps/imagechat/buggy"))
	var once sync.Once
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.UserAgent(), "Chrome") && r.Header.Get("Sec-Fetch-Mode") == "navigate" {
			once.Do(killA)
		}
		if r.URL.Path == "/shots" || strings.HasPrefix(r.URL.Path, "/shots/") {
			r.URL.Path = "/"
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(app.Close)
	appUT, err := session.ParseApp(app.URL)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum, err := Run(context.Background(), Options{
		Inputs: []string{bundle("imagechat-bug"),
			copyBundle(t, "imagechat-bug", "33333333333333333333333333333333"),
			copyBundle(t, "imagechat-bug", "44444444444444444444444444444444")},
		Open:          openLocal,
		Rerun:         reproduce.RunOptions{App: appUT, Latency: fast(), StepTimeout: 15 * time.Second},
		Endpoints:     []Endpoint{{Chrome: session.ChromeConfig{RemoteURL: wsA}}, {Chrome: session.ChromeConfig{RemoteURL: wsB}}},
		Parallel:      2,
		ReplayTimeout: 3 * time.Minute,
		Out:           out,
	})
	if err != nil {
		t.Fatal(err)
	}
	retried := 0
	for _, r := range readJSONL(t, out) {
		if r.Verdict != verdict.Reproduced {
			t.Errorf("%s: %+v; want reproduced", r.Input, r)
		}
		if r.Endpoint != "ws://"+mustHost(t, wsB) {
			t.Errorf("%s ran on %s after the first browser died", r.Input, r.Endpoint)
		}
		if r.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 || sum.Errors != 0 || sum.Done != 3 {
		t.Errorf("summary %+v, %d retried; want every replay reproduced, one retried", sum, retried)
	}
}
