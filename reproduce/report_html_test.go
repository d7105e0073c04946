package reproduce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
)

// writeReportHTML reruns a bundle against an app variant with artifacts
// kept and writes its report.html; it returns the report and the file.
func writeReportHTML(t *testing.T, bundle, app, variant string) (*Report, string) {
	t.Helper()
	r := openBundle(t, bundle)
	dir := t.TempDir()
	opts := RunOptions{App: appDir(t, app, variant), Browser: testBrowser(t), Latency: fast(), ArtifactsDir: dir, RecordedFrames: true}
	rep, err := Run(t.Context(), r, opts)
	require.NoError(t, err)
	return rep, writeHTMLFile(t, r, rep, dir)
}

// writeHTMLFile writes rep's report.html, with its recorded frames, into
// dir (the run's artifacts) and returns its path.
func writeHTMLFile(t *testing.T, r *Replay, rep *Report, dir string) string {
	t.Helper()
	require.NoError(t, rep.FramesErr)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf, HTMLInput{Timeline: r.Timeline, Recorded: rep.Frames}))
	path := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path
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
func openReport(t *testing.T, path string) openedReport { return openReportShots(t, path, "") }

// openReportShots is openReport that also saves screenshots of the report
// (its top and its failing step) as shots+"-top.jpg" and
// shots+"-failing.jpg" when shots is not "".
func openReportShots(t *testing.T, path, shots string) openedReport {
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
	if shots != "" {
		saveReportShots(t, ctx, shots)
	}
	var o openedReport
	require.NoError(t, json.Unmarshal([]byte(raw), &o))
	o.requests, o.dialogs = int(requests.Load()), int(dialogs.Load())
	if v := first.Load(); v != nil {
		o.firstFetch = v.(string)
	}
	return o
}

// assertReportHTMLOfAReproducedBug writes report.html for the rerun rep of
// the bug bundle name (run with RecordedFrames and its screenshots in
// artifacts) and opens it in Chromium from disk: the banner holds the
// verdict, one row per planned step, the failing step stands out with the
// element the user clicked outlined in its recorded frame, every embedded
// image decodes, the rerun's targets are outlined, and loading it made no
// request at all. With $REPRO_TEST_ARTIFACTS set, screenshots of the
// report (top and failing step) are saved there. The acceptance test calls
// it on every bug bundle's rerun against its buggy app.
func assertReportHTMLOfAReproducedBug(t *testing.T, name string, r *Replay, rep *Report, artifacts string) {
	t.Helper()
	path := writeHTMLFile(t, r, rep, artifacts)
	shots := ""
	if dir := os.Getenv("REPRO_TEST_ARTIFACTS"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		shots = filepath.Join(dir, "report-"+name)
	}
	o := openReportShots(t, path, shots)
	assert.Equal(t, rep.Verdict.Value, o.Banner)
	assert.Equal(t, len(rep.Plan.Steps), o.Steps, "one row per planned step")
	step := -1
	for _, ev := range rep.Verdict.Evidence {
		if ev.Proof && ev.Seen {
			step = ev.Step
			break
		}
	}
	require.GreaterOrEqual(t, step, 0, "a reproduced bug has a failure the rerun showed: %s", rep.Verdict.Summary)
	assert.Contains(t, o.Failing, fmt.Sprintf("step-%d", step), "the step the recorded failure follows stands out")
	// The rerun's screenshots are where they are evidence (the default
	// policy): the first and last steps and the failing one among them.
	var shot []int
	for _, s := range rep.Runs[0].Observation.Steps {
		if s.Screenshot != "" {
			shot = append(shot, s.Index)
		}
	}
	assert.Subset(t, shot, []int{0, step, len(rep.Plan.Steps) - 1}, "the rerun's screenshots: the first, the failing and the last step")
	assert.Equal(t, len(rep.Plan.Steps)+len(shot), o.Images, "a recorded frame per step, and the rerun's screenshots")
	require.Len(t, o.Recorded, len(rep.Plan.Steps))
	if rep.Plan.Steps[step].Kind == plan.StepClick {
		assert.Equal(t, "image outlined", o.Recorded[step], "the recorded frame of the failing step shows the clicked element, outlined")
	}
	assert.Zero(t, o.Broken, "every embedded image decodes")
	assert.Positive(t, o.Outlines, "the rerun's targets are outlined")
	assert.Zero(t, o.requests, "the report made a request while loading: %s", o.firstFetch)
	if name == "imagechat-bug" {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Less(t, info.Size(), int64(3<<20), "report.html of the image-chat run stays under 3 MB")
	}
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

// saveReportShots screenshots the open report at its top and at its
// failing step, as JPEGs.
func saveReportShots(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	q := int64(80)
	shot := func(name string) {
		res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatJpeg, Quality: &q})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(prefix+name, res.Data, 0o644))
	}
	_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1300, Height: 1000, DeviceScaleFactor: 1})
	require.NoError(t, err)
	shot("-top.jpg")
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('section.step.failing')?.scrollIntoView(), true)`))
	require.NoError(t, err)
	shot("-failing.jpg")
}
