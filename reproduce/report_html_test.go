package reproduce

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/session"
)

// writeReportHTML reruns a bundle against an app variant with artifacts
// kept and writes its report.html; it returns the report and the file.
func writeReportHTML(t *testing.T, bundle, app, variant string) (*Report, string) {
	t.Helper()
	r := openBundle(t, bundle)
	dir := t.TempDir()
	rep, err := Run(t.Context(), r, RunOptions{App: appDir(t, app, variant), Browser: testBrowser(t), Latency: fast(), ArtifactsDir: dir, RecordedFrames: true})
	require.NoError(t, err)
	require.NoError(t, rep.FramesErr)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf, HTMLInput{Timeline: r.Timeline, Recorded: rep.Frames}))
	path := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return rep, path
}

// openedReport is what Chromium showed of a report.html opened from disk.
type openedReport struct {
	Banner     string   `json:"banner"`
	Steps      int      `json:"steps"`
	Failing    []string `json:"failing"`
	Images     int      `json:"images"`
	Broken     int      `json:"broken"`
	Outlines   int      `json:"outlines"`
	Recorded   []string `json:"recorded"`
	Scripts    int      `json:"scripts"`
	Handlers   int      `json:"handlers"`
	Links      int      `json:"links"`
	Pwned      bool     `json:"pwned"`
	Text       string   `json:"text"`
	requests   int
	dialogs    int
	firstFetch string
}

// openReport loads path in a Chromium of its own over file:// (no repro
// network in front of it), counting every request the page makes besides
// the file itself and every dialog a script would open.
func openReport(t *testing.T, path string) openedReport {
	t.Helper()
	chrome, err := session.FindChrome("")
	require.NoError(t, err)
	actx, cancel := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("disable-background-networking", true))...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var requests, dialogs atomic.Int32
	var first atomic.Value
	fileURL := "file://" + path
	sent := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for e, err := range sent {
			if err != nil {
				return
			}
			if e.Request.URL != fileURL && !strings.HasPrefix(e.Request.URL, "data:") {
				requests.Add(1)
				first.CompareAndSwap(nil, e.Request.URL)
			}
		}
	}()
	opened := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range opened {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(fileURL)))
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		await Promise.all([...document.images].map(i => i.decode().catch(() => {})));
		return JSON.stringify({
			banner: document.querySelector('.banner h1')?.textContent || '',
			steps: document.querySelectorAll('section.step').length,
			failing: [...document.querySelectorAll('section.step.failing')].map(s => s.id),
			images: document.images.length,
			broken: [...document.images].filter(i => !(i.naturalWidth > 0)).length,
			outlines: document.querySelectorAll('.shot .box').length,
			recorded: [...document.querySelectorAll('section.step')].map(s => {
				const f = s.querySelector('figure.recorded'), img = f.querySelector('img');
				return (img && img.naturalWidth > 0 ? 'image' : 'none') + (f.querySelector('figcaption').textContent.includes('outlined') ? ' outlined' : '');
			}),
			scripts: document.querySelectorAll('script').length,
			handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
			links: document.querySelectorAll('a[href], area[href], iframe, object, embed').length,
			pwned: !!window.__pwned,
			text: document.body.innerText,
		});
	})()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	var o openedReport
	require.NoError(t, json.Unmarshal([]byte(raw), &o))
	o.requests, o.dialogs = int(requests.Load()), int(dialogs.Load())
	if v := first.Load(); v != nil {
		o.firstFetch = v.(string)
	}
	return o
}

// TestReportHTMLOpensOfflineWithARowPerStep writes report.html for a bug
// bundle's rerun and opens it in Chromium from disk: the banner holds the
// verdict, one row per planned step, the failing step stands out with
// the element the user clicked outlined in its recorded frame, every
// embedded image decodes, the rerun's targets are outlined, and loading it
// made no request at all.
func TestReportHTMLOpensOfflineWithARowPerStep(t *testing.T) {
	t.Parallel()
	rep, path := writeReportHTML(t, "imagechat-bug", "imagechat", "buggy")
	o := openReport(t, path)
	assert.Equal(t, rep.Verdict.Value, o.Banner)
	assert.Equal(t, len(rep.Plan.Steps), o.Steps, "one row per planned step")
	assert.Contains(t, o.Failing, "step-5", "the step the recorded failure follows stands out")
	assert.Equal(t, 2*len(rep.Plan.Steps), o.Images, "a recorded frame and a rerun screenshot per step")
	require.Len(t, o.Recorded, len(rep.Plan.Steps))
	assert.Equal(t, "image outlined", o.Recorded[5], "the recorded frame of the failing step shows the clicked element, outlined")
	assert.Zero(t, o.Broken, "every embedded image decodes")
	assert.Positive(t, o.Outlines, "the rerun's targets are outlined")
	assert.Zero(t, o.requests, "the report made a request while loading: %s", o.firstFetch)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Less(t, info.Size(), int64(3<<20), "report.html of the image-chat run stays under 3 MB")
}

// TestReportHTMLOfAHostileReplayIsInert opens the report of a replay whose
// ids, texts, URLs and messages carry markup and script: none of it runs or
// becomes an element, link or request, and it reads as text.
func TestReportHTMLOfAHostileReplayIsInert(t *testing.T) {
	t.Parallel()
	_, path := writeReportHTML(t, "../hostile/out-markdown-injection", "imagechat", "buggy")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(raw), "onerror", "the hostile bundle's payload reached the report (as text)")
	o := openReport(t, path)
	assert.Zero(t, o.Scripts, "no <script> element")
	assert.Zero(t, o.Handlers, "no element with an on* attribute")
	assert.Zero(t, o.Links, "no link, frame or embedded object")
	assert.Zero(t, o.dialogs, "no script ran (alert)")
	assert.False(t, o.Pwned)
	assert.Zero(t, o.requests, "the report made a request while loading: %s", o.firstFetch)
	assert.Contains(t, o.Text, "<img src=x onerror=alert(1)>", "the payload shows as text")
}

// TestRecordingHTMLShowsTheRecordedFramesAlone writes the report of the
// recording alone (repro inspect --html) and opens it in Chromium: no
// verdict, one row per step with its recorded frame (the failing click's
// target outlined), no request while loading.
func TestRecordingHTMLShowsTheRecordedFramesAlone(t *testing.T) {
	t.Parallel()
	r := openBundle(t, "imagechat-bug")
	var buf bytes.Buffer
	require.NoError(t, r.WriteRecordingHTML(t.Context(), &buf, testBrowser(t)))
	path := filepath.Join(t.TempDir(), "recording.html")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	o := openReport(t, path)
	assert.Equal(t, "the recording: broken", o.Banner)
	assert.Equal(t, 6, o.Steps)
	assert.Equal(t, 6, o.Images, "a recorded frame per step, no rerun")
	assert.Zero(t, o.Broken)
	require.Len(t, o.Recorded, 6)
	assert.Equal(t, "image outlined", o.Recorded[5])
	assert.Zero(t, o.requests, "the report made a request while loading: %s", o.firstFetch)
}
