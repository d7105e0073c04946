package frames

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/session"
)

// Image is one recorded frame as rendered.
type Image struct {
	// Offset is the frame's moment; Shown the offset of the last recorded
	// event it includes (see replay.PageFrame); URL the recorded page.
	Offset, Shown time.Duration
	URL           string
	// JPEG is the image of the recorded viewport, at most MaxWidth pixels
	// wide (Width x Height); nil when nothing could be rendered (Note
	// says why).
	JPEG          []byte
	Width, Height int
	// Styles says whether the page's style sheets are in the image;
	// MissingStyles lists those that could not be had ("URL: why").
	Styles        Styles
	MissingStyles []string
	// TargetShown says the step's target is in the image, outlined.
	TargetShown bool
	// Note says what the image lacks or why there is none ("" when
	// nothing): no DOM recorded yet, the target not in the recorded page,
	// the view moved to show the target, a render that failed.
	Note string
	// Took is how long rendering the frame took.
	Took time.Duration
}

// Styles says how much of a frame's styling could be shown.
type Styles string

const (
	// StylesLoaded: every style sheet of the page is in the image, from
	// the recording (inlined by the SDK) or fetched from the app.
	StylesLoaded Styles = "loaded"
	// StylesPartial: some linked sheets could not be fetched from the app
	// under test; the rest are shown.
	StylesPartial Styles = "partial"
	// StylesUnavailable: the page's sheets could not be had: the image
	// shows the page unstyled ("styles unavailable").
	StylesUnavailable Styles = "unavailable"
	// StylesNone: the recording holds no style sheet for the page.
	StylesNone Styles = "none"
)

// Option tunes Render.
type Option func(*config)

type config struct {
	maxWidth int
	quality  int
	timeout  time.Duration
	log      *slog.Logger
	// inspect, when set, is called once a frame is laid out, before its
	// screenshot (tests check the live page with it).
	inspect func(tab context.Context, i int) error
}

// WithMaxWidth caps the images' width in pixels (default 800); a wider
// recorded viewport is scaled down.
func WithMaxWidth(px int) Option { return func(c *config) { c.maxWidth = px } }

// WithQuality sets the JPEG quality, 1–100 (default 70).
func WithQuality(q int) Option { return func(c *config) { c.quality = q } }

// WithFrameTimeout bounds each frame's rendering (default 10s); a frame
// that takes longer gets a Note and no image.
func WithFrameTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithLogger logs each frame's rendering at debug level.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// defaultViewport is used when the recording names none.
var defaultViewport = replay.Viewport{Width: 1280, Height: 720}

// Render renders frames as JPEG images, one per frame in order, in a tab
// of browser b (nil launches one for the call) behind the session's
// fail-closed network: requests to the recorded origin (the first frame
// URL's) are mapped onto app, the app under test, so style sheets and
// images the recording did not inline come from it; every other request
// is blocked. A zero app serves nothing: linked sheets are then reported
// missing. JavaScript is off in the tab, and the frames' documents hold
// no script anyway (see replay.PageFrame).
//
// Each image is the recorded viewport at the recorded scroll offset; when
// the target would be outside it, the view moves to show it (and Note
// says so). A frame that cannot be rendered gets a Note and no image; the
// error is for what stops every frame (no browser, no app, ctx ended).
func Render(ctx context.Context, b *session.Browser, app session.AppUnderTest, frames []replay.PageFrame, opts ...Option) ([]Image, error) {
	c := config{maxWidth: 800, quality: 70, timeout: 10 * time.Second}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	c.maxWidth = max(c.maxWidth, 64)
	c.quality = min(max(c.quality, 1), 100)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	out := make([]Image, len(frames))
	if len(frames) == 0 {
		return out, nil
	}
	if app == (session.AppUnderTest{}) {
		// Nothing to fetch from: an empty directory answers 404.
		dir, err := os.MkdirTemp("", "repro-frames-")
		if err != nil {
			return nil, fmt.Errorf("render frames: %w", err)
		}
		defer os.RemoveAll(dir)
		app.Dir = dir
	}
	p := plan.Plan{}
	for _, f := range frames {
		if o := originOf(f.URL); o != "" {
			p.StartURL, p.RecordedOrigin = f.URL, o
			break
		}
	}
	s, err := session.NewSession(ctx, p, session.RunConfig{Browser: b, App: app, Logger: c.log})
	if err != nil {
		return nil, fmt.Errorf("render frames: %w", err)
	}
	defer s.Close()
	tab := s.Page()
	lctx, stop := context.WithCancel(tab)
	defer stop()
	l, err := newLoads(lctx)
	if err != nil {
		return nil, fmt.Errorf("render frames: %w", err)
	}
	r := &renderer{cfg: c, tab: tab, loads: l, origin: p.RecordedOrigin}
	// Steps often show the same page (typing, then the click after it);
	// such a frame is rendered once.
	done := map[frameKey]int{}
	for i, f := range frames {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("render frames: %w", err)
		}
		key := frameKey{f.HTML, f.URL, f.Viewport, f.ScrollX, f.ScrollY}
		if j, ok := done[key]; ok && f.HasDOM {
			out[i] = out[j]
			out[i].Offset, out[i].Shown, out[i].Took = f.Offset, f.Shown, 0
			continue
		}
		start := time.Now()
		img := Image{Offset: f.Offset, Shown: f.Shown, URL: f.URL}
		if !f.HasDOM {
			img.Note = "no page was recorded by this moment"
		} else if err := r.render(ctx, i, f, &img); err != nil {
			r.opened = "" // the next frame gets a fresh document
			if tab.Err() != nil {
				return out, fmt.Errorf("render frames: the tab is gone: %w", err)
			}
			img.JPEG, img.Width, img.Height = nil, 0, 0
			img.Note = "could not render the recorded page: " + err.Error()
		}
		img.Took = time.Since(start)
		c.log.Debug("frame", "index", i, "offset", f.Offset, "bytes", len(img.JPEG), "styles", img.Styles, "target", img.TargetShown, "took", img.Took, "note", img.Note)
		out[i] = img
		if img.JPEG != nil {
			done[key] = i
		}
	}
	return out, nil
}

// frameKey is what a frame's image depends on.
type frameKey struct {
	html, url string
	view      replay.Viewport
	sx, sy    int
}

// renderer renders frames in one tab.
type renderer struct {
	cfg   config
	tab   context.Context
	loads *loads
	// origin is the recorded origin the session maps onto the app.
	origin string
	// opened is the app page's URL the tab's document was opened at, ""
	// when it is not an app page (or a frame failed in it).
	opened string
}

// layout is what the page reports once a frame is laid out.
type layout struct {
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	W      float64 `json:"w"`
	H      float64 `json:"h"`
	Target *struct {
		Visible  bool `json:"visible"`
		Outlined bool `json:"outlined"`
		Moved    bool `json:"moved"`
	} `json:"target"`
}

// render loads frame f into the tab and shoots it into img.
func (r *renderer) render(ctx context.Context, i int, f replay.PageFrame, img *Image) error {
	tctx, cancel := context.WithTimeout(r.tab, r.cfg.timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	v := f.Viewport
	if v.Width <= 0 || v.Height <= 0 {
		v = defaultViewport
	}
	v.Width, v.Height = min(max(v.Width, 200), 4096), min(max(v.Height, 150), 4096)
	if _, err := chromedp.Call(tctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: int64(v.Width), Height: int64(v.Height), DeviceScaleFactor: 1, ScreenWidth: int64(v.Width), ScreenHeight: int64(v.Height),
	}); err != nil {
		return fmt.Errorf("set the viewport: %w", err)
	}
	// Off for every document of the tab, before anything loads; set again
	// per frame so that no frame depends on an earlier call having held.
	if _, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		return fmt.Errorf("turn JavaScript off: %w", err)
	}
	if err := r.open(tctx, f.URL); err != nil {
		return err
	}
	c := chromedp.FromContext(tctx)
	if c == nil || c.Target == nil {
		return errors.New("no tab")
	}
	r.loads.reset()
	if _, err := chromedp.Call(tctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: cdp.FrameID(c.Target.TargetID), HTML: f.HTML}); err != nil {
		return fmt.Errorf("load the frame: %w", err)
	}
	// Style and layout now, not at the next frame: that is when the page
	// asks for its background images and fonts, so once it returns every
	// file the frame needs has been asked for, and a short quiet is enough
	// to see the last of the requests arrive.
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`document.documentElement.getBoundingClientRect().height`)); err != nil {
		return fmt.Errorf("lay out the frame: %w", err)
	}
	r.loads.restartQuiet()
	sctx, scancel := context.WithTimeout(tctx, r.cfg.timeout/2)
	settled := r.loads.settle(sctx, 20*time.Millisecond)
	scancel()
	if settled {
		fctx, fcancel := context.WithTimeout(tctx, 2*time.Second)
		_, _ = chromedp.Run(fctx, chromedp.Evaluate[string](`document.fonts.ready.then(() => document.fonts.status)`, chromedp.EvalAwaitPromise))
		fcancel()
	}
	lay, err := chromedp.Run(tctx, chromedp.Evaluate[layout](fmt.Sprintf(layoutScript, replay.ScrollAttr, f.ScrollX, f.ScrollY, replay.TargetAttr)))
	if err != nil {
		return fmt.Errorf("lay out the frame: %w", err)
	}
	r.report(f, lay, img)
	if r.cfg.inspect != nil {
		if err := r.cfg.inspect(tctx, i); err != nil {
			return err
		}
	}
	q := int64(r.cfg.quality)
	w, h := max(lay.W, 1), max(lay.H, 1)
	clip := page.Viewport{X: lay.X, Y: lay.Y, Width: w, Height: h, Scale: min(1, float64(r.cfg.maxWidth)/w)}
	shot, err := chromedp.Call(tctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatJpeg, Quality: &q, Clip: &clip})
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(shot.Data))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	img.JPEG, img.Width, img.Height = shot.Data, cfg.Width, cfg.Height
	if !settled {
		img.Note = join(img.Note, "some of the page's files were still loading")
	}
	return nil
}

// open gives the frame a fresh document to be written into: the app's
// page at the frame's URL (mapped onto the app under test; its scripts do
// not run), so that the frame's document has the recorded origin and its
// files are same-origin, as they were for the user (fonts need CORS
// otherwise, and an error response would be blocked unread); about:blank
// when the frame is on another origin or the app's page does not open.
func (r *renderer) open(ctx context.Context, pageURL string) error {
	if r.origin != "" && originOf(pageURL) == r.origin {
		if pageURL == r.opened {
			// The last frame's document is at this URL already: writing
			// this frame into it replaces all of it.
			return nil
		}
		if r.opened != "" {
			// An app page is open: moving its URL within the origin gives
			// the frame the same document a navigation would, for the
			// frame's relative URLs, without loading the app's page again.
			if u, err := chromedp.Run(ctx, chromedp.Evaluate[string](callJSON(`(u) => { history.replaceState(null, '', u); return location.href; }`, pageURL))); err == nil && sameURL(u, pageURL) {
				r.opened = pageURL
				return nil
			}
		}
		// Committed is enough: the frame replaces the page before it loads.
		res, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: pageURL})
		if err == nil && res.ErrorText != "" {
			err = errors.New(res.ErrorText)
		}
		if err == nil {
			o, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.origin`))
			if err == nil && o == r.origin {
				r.opened = pageURL
				return nil
			}
		}
		r.cfg.log.Debug("frame: the app's page did not open; writing into a blank page", "url", pageURL, "err", err)
	}
	r.opened = ""
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return fmt.Errorf("open a blank page: %w", err)
	}
	return nil
}

// originOf is the origin of an http(s) URL as a browser writes it
// (lowercase, no default port), or "".
func originOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); p == "80" && u.Scheme == "http" || p == "443" && u.Scheme == "https" {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return u.Scheme + "://" + host
}

// report fills in what the image shows: styles, target.
func (r *renderer) report(f replay.PageFrame, lay layout, img *Image) {
	asked, failed := r.loads.sheets()
	img.MissingStyles = failed
	switch {
	case f.InlineStyles == 0 && asked == 0:
		img.Styles = StylesNone
	case len(failed) == 0:
		img.Styles = StylesLoaded
	case len(failed) < asked || f.InlineStyles > 0:
		img.Styles = StylesPartial
	default:
		img.Styles = StylesUnavailable
	}
	switch t := lay.Target; {
	case f.Target == 0:
	case !f.TargetFound || t == nil:
		img.Note = join(img.Note, "the step's target was not in the recorded page at this moment")
	case !t.Visible:
		img.Note = join(img.Note, "the step's target is in the recorded page but has no visible box")
	default:
		img.TargetShown = t.Outlined
		if t.Moved {
			img.Note = join(img.Note, "the view was moved from the recorded scroll position to show the target")
		}
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// layoutScript applies the recorded scroll offsets (elements', then the
// document's), brings the target into view when it is outside, and
// reports the view and the target. It is the renderer's own code, run
// through DevTools: the page's scripting stays off. Arguments: the scroll
// attribute, the document's x and y, the target attribute.
const layoutScript = `(() => {
	for (const e of document.querySelectorAll('[%[1]s]')) {
		const [x, y] = e.getAttribute('%[1]s').split(',').map(Number);
		e.scrollLeft = x || 0;
		e.scrollTop = y || 0;
	}
	window.scrollTo(%[2]d, %[3]d);
	const t = document.querySelector('[%[4]s]');
	let target = null;
	if (t) {
		let r = t.getBoundingClientRect();
		const boxed = () => r.width > 0 && r.height > 0;
		const inView = () => boxed() && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
		let moved = false;
		if (boxed() && !inView()) {
			t.scrollIntoView({block: 'center', inline: 'nearest'});
			r = t.getBoundingClientRect();
			moved = true;
		}
		const cs = getComputedStyle(t);
		target = {visible: inView(), outlined: cs.outlineStyle === 'solid' && parseFloat(cs.outlineWidth) >= 2, moved};
	}
	return {x: scrollX, y: scrollY, w: innerWidth, h: innerHeight, target};
})()`

// callJSON is the expression calling the JavaScript function fn with arg,
// JSON-encoded (a recorded URL needs no escaping by hand).
func callJSON(fn string, arg any) string {
	b, err := json.Marshal(arg)
	if err != nil {
		b = []byte("null")
	}
	return "(" + fn + ")(" + string(b) + ")"
}

// sameURL reports whether a and b are the same URL once parsed (the page
// reports the URL as the browser writes it).
func sameURL(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.String() == ub.String()
}
