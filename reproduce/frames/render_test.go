package frames

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/session"
)

// The Chromium tests share one browser, checked at the end for processes
// left behind.
var browser = chrometest.NewShared(func(ctx context.Context) (*session.Browser, error) {
	return session.NewBrowser(ctx, session.ChromeConfig{})
})

// TestMain gives the package's Chromium tests one browser and checks at
// the end that none of its processes is left.
func TestMain(m *testing.M) { chrometest.Main(m, browser.Close) }

// testBrowser returns the shared browser, skipping loudly under -short.
func testBrowser(t *testing.T) *session.Browser { return browser.For(t) }

// withInspect calls f once each frame is laid out, before its
// screenshot: the tests check the live page there.
func withInspect(f func(tab context.Context, i int) error) Option {
	return func(c *config) { c.inspect = f }
}

// eval runs a check in the live page (the renderer's DevTools access,
// not the page's own scripting, which is off).
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "evaluate %s", expr)
	return v
}

// decodes checks an image is a JPEG of the size it claims, at most 800
// pixels wide.
func decodes(t *testing.T, img Image) {
	t.Helper()
	require.NotEmpty(t, img.JPEG, "no image: %s", img.Note)
	pic, err := jpeg.Decode(bytes.NewReader(img.JPEG))
	require.NoError(t, err)
	b := pic.Bounds()
	assert.Positive(t, b.Dx())
	assert.Positive(t, b.Dy())
	assert.LessOrEqual(t, b.Dx(), 800)
	assert.Equal(t, [2]int{img.Width, img.Height}, [2]int{b.Dx(), b.Dy()})
}

// TestFramesOfTheImageChatBug renders one frame per planned step of the
// recorded image-chat bug against the buggy app, as the report does, and
// checks each in the live page before its screenshot: the step's target
// carries the outline (computed style, not pixels), the failing step's
// frame outlines Generate, the text is the recording's asterisks, the
// app's own script never ran.
func TestFramesOfTheImageChatBug(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	bun, err := replay.LoadBundle("../../testdata/replays/imagechat-bug")
	require.NoError(t, err)
	tl, err := replay.BuildTimeline(bun)
	require.NoError(t, err)
	p, err := plan.Build(tl, plan.Options{})
	require.NoError(t, err)
	moments := Moments(tl, p.Steps)
	pfs, err := replay.Frames(bun, moments)
	require.NoError(t, err)

	type seen struct {
		targetID, outline, text, prompt, scripting string
		scripts                                    int
	}
	live := make([]seen, len(pfs))
	inspect := func(tab context.Context, i int) error {
		live[i] = seen{
			targetID:  eval[string](t, tab, `(document.querySelector('[data-repro-target]') || {}).id || ''`),
			outline:   eval[string](t, tab, `(() => { const t = document.querySelector('[data-repro-target]'); if (!t) return ''; const s = getComputedStyle(t); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor })()`),
			text:      eval[string](t, tab, `document.body.innerText`),
			prompt:    eval[string](t, tab, `(document.querySelector('#prompt') || {}).value || ''`),
			scripting: eval[string](t, tab, `typeof window.Sentry + ' ' + typeof window.__sentryConfig`),
			scripts:   eval[int](t, tab, `document.scripts.length`),
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	imgs, err := Render(ctx, b, session.AppUnderTest{Dir: "../../testdata/apps/imagechat/buggy"}, pfs, withInspect(inspect))
	require.NoError(t, err)
	took := time.Since(start)
	require.Len(t, imgs, len(p.Steps))

	total := 0
	for i, img := range imgs {
		st := p.Steps[i]
		t.Logf("step %d %-8s %s: %dx%d, %.1f KB, styles %s, target shown %v, %v %s", i, st.Kind, replay.FormatOffset(img.Offset), img.Width, img.Height, float64(len(img.JPEG))/1024, img.Styles, img.TargetShown, img.Took.Round(time.Millisecond), img.Note)
		decodes(t, img)
		total += len(img.JPEG)
		assert.Equal(t, StylesLoaded, img.Styles, "step %d: the recording inlined the app's sheet", i)
		assert.Empty(t, img.MissingStyles, "step %d", i)
		assert.Zero(t, live[i].scripts, "step %d: a script element reached the frame", i)
		assert.Equal(t, "undefined undefined", live[i].scripting, "step %d: the app's scripts ran in the frame", i)
		assert.Regexp(t, `^[\s*]*$`, live[i].text, "step %d: text the recording masked is not asterisks", i)
		if moments[i].Target != 0 {
			assert.True(t, img.TargetShown, "step %d (%s): target not shown: %s", i, st, img.Note)
			assert.Equal(t, "solid 3px rgb(232, 89, 12)", live[i].outline, "step %d: the target is not outlined", i)
		}
	}
	last := len(imgs) - 1
	assert.Equal(t, plan.StepClick, p.Steps[last].Kind)
	assert.Equal(t, "generate", live[last].targetID, "the failing step's frame must outline the Generate button the user clicked")
	assert.Equal(t, strings.Repeat("*", 29), live[last].prompt, "the prompt the user typed, masked as recorded")
	assert.Less(t, total, 100*len(imgs)<<10, "frames are meant to be small: %d bytes for %d", total, len(imgs))
	t.Logf("%d frames, %.1f KB in all, %v (%v a frame, with the session's start)", len(imgs), float64(total)/1024, took.Round(time.Millisecond), (took / time.Duration(len(imgs))).Round(time.Millisecond))
}

// standIn is a real loopback server standing in for a place a frame must
// never reach. It counts requests and connections.
type standIn struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits []string
	conn int
}

func newStandIn(t *testing.T) *standIn {
	s := &standIn{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.Method+" "+r.URL.String())
		s.mu.Unlock()
		_, _ = io.WriteString(w, "body{background:red}")
	}))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conn++
			s.mu.Unlock()
		}
	}
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *standIn) seen() ([]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...), s.conn
}

// Hand-made recordings: each hostile case is a string the SDK would have
// recorded as it found it on a page.
type node = map[string]any

func el(id int, tag string, attrs node, kids ...node) node {
	if attrs == nil {
		attrs = node{}
	}
	if kids == nil {
		kids = []node{}
	}
	return node{"type": 2, "id": id, "tagName": tag, "attributes": attrs, "childNodes": kids}
}

func txt(id int, s string) node { return node{"type": 3, "id": id, "textContent": s} }

func event(typ int, ms float64, data any) json.RawMessage {
	b, err := json.Marshal(map[string]any{"type": typ, "timestamp": ms, "data": data})
	if err != nil {
		panic(err)
	}
	return b
}

const t0 = 1_800_000_000_000.0

// recording is a bundle of one page: Meta at href, then the snapshot of
// body's children, then more events.
func recording(href string, width, height int, body []node, more ...json.RawMessage) *replay.Bundle {
	tree := node{"type": 0, "id": 1, "childNodes": []node{
		el(2, "html", nil, el(3, "head", nil), el(4, "body", nil, body...)),
	}}
	evs := []json.RawMessage{
		event(4, t0, node{"href": href, "width": width, "height": height}),
		event(2, t0+5, node{"node": tree, "initialOffset": node{"left": 0, "top": 0}}),
	}
	return &replay.Bundle{Details: replay.Details{ID: "hand-made"}, Segments: [][]json.RawMessage{append(evs, more...)}}
}

// TestHostileRecordingRunsNothingAndLeaksNothing renders a recording full
// of scripts, handlers, javascript: URLs, markup in text and attributes,
// and references to another origin, and checks in the live page that
// nothing ran and the text reads as text, then that no request or
// connection reached the other origin, nor the recorded one (its files
// come from the app under test).
func TestHostileRecordingRunsNothingAndLeaksNothing(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	recorded, elsewhere := newStandIn(t), newStandIn(t)
	away := elsewhere.srv.URL
	appDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(appDir, "app.css"), []byte("#hostile { color: rgb(1, 2, 3); }"), 0o644))

	pwn := func(tag string) string { return `window.__pwned = (window.__pwned || '') + '` + tag + ` '` }
	body := []node{
		el(10, "div", node{"id": "hostile", "title": `"><img src=x onerror="` + pwn("attr") + `">`},
			txt(11, `</style><script>`+pwn("text")+`</script><img src=x onerror="`+pwn("textimg")+`">`)),
		el(12, "script", nil, txt(13, pwn("script"))),
		el(14, "script", node{"src": away + "/x.js"}),
		el(15, "img", node{"src": "x", "onerror": pwn("onerror")}),
		el(16, "svg", node{"onload": pwn("svgonload")}, el(17, "script", nil, txt(18, pwn("svgscript"))),
			el(19, "style", nil, txt(20, `<img src=x onerror="`+pwn("svgstyle")+`">`))),
		el(21, "a", node{"id": "js", "href": "javascript:" + pwn("href")}, txt(22, "****")),
		el(23, "iframe", node{"src": away + "/frame", "srcdoc": "<script>parent." + pwn("srcdoc") + "</script>"}),
		el(24, "object", node{"data": "data:text/html,<script>" + pwn("object") + "</script>"}),
		el(25, "embed", node{"src": away + "/x.swf"}),
		el(26, "meta", node{"http-equiv": "refresh", "content": "0;url=" + away + "/refresh"}),
		el(27, "base", node{"href": away + "/"}),
		el(28, "noscript", nil, el(29, "img", node{"src": away + "/noscript.png"})),
		el(30, "link", node{"rel": "stylesheet", "href": away + "/away.css"}),
		el(31, "link", node{"rel": "prefetch", "href": away + "/prefetch"}),
		el(32, "img", node{"src": away + "/img.png", "srcset": away + "/img2.png 2x"}),
		el(33, "div", node{"style": "width:10px;height:10px;background:url(" + away + "/bg.png)"}),
		el(34, "link", node{"_cssText": "@import url(" + away + "/import.css); #x { background: url(" + away + "/css-bg.png) } </style><script>" + pwn("css") + "</script>"}),
		el(35, "link", node{"rel": "stylesheet", "href": "/app.css"}),
		el(36, "a", node{"href": away + "/link", "ping": away + "/ping"}, txt(37, "**")),
		el(38, "video", node{"src": away + "/v.mp4", "poster": away + "/poster.png", "autoplay": "true"}),
		el(39, "form", node{"action": "javascript:" + pwn("form")}, el(40, "button", node{"formaction": "javascript:" + pwn("formaction"), "autofocus": "true"}, txt(41, "**"))),
		el(42, `img src=x onerror="`+pwn("tagname")+`"`, nil),
		el(43, "textarea", node{"id": "ta"}),
	}
	bun := recording(recorded.srv.URL+"/page", 1024, 700, body,
		event(3, t0+10, node{"source": 0, "texts": []any{}, "attributes": []any{}, "removes": []any{}, "adds": []any{
			node{"parentId": 4, "nextId": nil, "node": el(50, "script", nil, txt(51, pwn("mutation")))},
			node{"parentId": 4, "nextId": nil, "node": el(52, "img", node{"src": away + "/added.png", "onerror": pwn("addedimg")})},
		}}),
		event(3, t0+20, node{"source": 5, "id": 43, "text": `</textarea><script>` + pwn("input") + `</script>`, "isChecked": false}),
	)
	pfs, err := replay.Frames(bun, []replay.Moment{{Offset: time.Second, Target: 21}})
	require.NoError(t, err)

	var pwned, scripts, handlers, jsURLs, text, color, taValue string
	inspect := func(tab context.Context, _ int) error {
		time.Sleep(300 * time.Millisecond) // late loads and handlers would have fired
		pwned = eval[string](t, tab, `String(window.__pwned)`)
		scripts = eval[string](t, tab, `document.querySelectorAll('script, iframe, object, embed, meta[http-equiv=refresh]').length + ' ' + [...document.querySelectorAll('base')].map(b => b.href).join(' ')`)
		handlers = eval[string](t, tab, `[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name)).join(',')`)
		jsURLs = eval[string](t, tab, `[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => /^\s*(javascript|data|vbscript):/i.test(a.value)).map(a => e.tagName + ' ' + a.name)).join(',')`)
		text = eval[string](t, tab, `document.getElementById('hostile').textContent + '|' + document.getElementById('hostile').title`)
		color = eval[string](t, tab, `getComputedStyle(document.getElementById('hostile')).color`)
		taValue = eval[string](t, tab, `document.getElementById('ta').value`)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	imgs, err := Render(ctx, b, session.AppUnderTest{Dir: appDir}, pfs, withInspect(inspect))
	require.NoError(t, err)
	decodes(t, imgs[0])

	assert.Equal(t, "undefined", pwned, "a script from the recording ran")
	assert.Equal(t, "0 "+recorded.srv.URL+"/page", scripts, "scripts, frames, plugins, refresh or a base other than the frame's own reached the page")
	assert.Empty(t, handlers, "event handlers reached the page")
	assert.Empty(t, jsURLs, "javascript: or data: URLs reached the page")
	assert.Contains(t, text, `</style><script>window.__pwned`, "hostile text must show as text")
	assert.Contains(t, text, `|"><img src=x onerror=`, "a hostile attribute must stay an attribute value")
	assert.Contains(t, taValue, `</textarea><script>`, "a typed value must stay the field's text")
	assert.Equal(t, "rgb(1, 2, 3)", color, "the sheet linked on the recorded origin comes from the app under test")
	assert.True(t, imgs[0].TargetShown, "the target lost its href but is still the outlined element: %s", imgs[0].Note)
	assert.Equal(t, StylesPartial, imgs[0].Styles, "the other origin's sheet is blocked, the rest shown")
	blocked := strings.Join(imgs[0].MissingStyles, "\n")
	assert.Contains(t, blocked, away+"/away.css", "the frame did try the other origin's sheet (so the count below proves something)")

	time.Sleep(time.Second) // what a page sends late still counts
	for name, s := range map[string]*standIn{"another origin": elsewhere, "the recorded origin": recorded} {
		hits, conns := s.seen()
		assert.Empty(t, hits, "requests reached %s", name)
		assert.Zero(t, conns, "connections reached %s", name)
	}
}

// TestFrameDocumentIsInertWithJavaScriptOn loads a hostile frame's
// document into a tab whose JavaScript is ON, with the frame's own
// Content-Security-Policy taken out: the serializer alone must keep every
// script from running. The same tab runs an unsanitized control, so the
// check cannot pass because scripts were off.
func TestFrameDocumentIsInertWithJavaScriptOn(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	pwn := `window.__pwned = 1`
	body := []node{
		el(10, "p", node{"title": `"><img src=x onerror="` + pwn + `">`}, txt(11, `</style><script>`+pwn+`</script><img src=x onerror="`+pwn+`">`)),
		el(12, "script", nil, txt(13, pwn)),
		el(14, "img", node{"src": "x", "onerror": pwn}),
		el(15, "svg", node{"onload": pwn}, el(16, "style", nil, txt(17, `<img src=x onerror="`+pwn+`">`))),
		el(18, "style", nil, txt(19, `</style><img src=x onerror="`+pwn+`">`)),
		el(20, "link", node{"_cssText": `</style><img src=x onerror="` + pwn + `">`}),
		el(21, "iframe", node{"srcdoc": `<script>parent.__pwned = 1</script>`}),
		el(22, `img src=x onerror="`+pwn+`"`, nil),
		el(23, "p", node{`x" onmouseover="` + pwn: "1", "onclick": pwn}),
		el(24, "details", node{"open": "", "ontoggle": pwn}),
	}
	pfs, err := replay.Frames(recording("http://app.example/", 800, 600, body), []replay.Moment{{Offset: time.Second}})
	require.NoError(t, err)
	doc := pfs[0].HTML
	i := strings.Index(doc, `<meta http-equiv="Content-Security-Policy"`)
	require.Positive(t, i)
	doc = doc[:i] + doc[i+strings.Index(doc[i:], ">")+1:]
	require.NotContains(t, doc, "Content-Security-Policy")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := session.NewSession(ctx, plan.Plan{}, session.RunConfig{Browser: b, App: session.AppUnderTest{Dir: t.TempDir()}})
	require.NoError(t, err)
	defer s.Close()
	tab := s.Page()
	load := func(html string) string {
		require.NoError(t, chromedp.Do(tab, chromedp.Navigate("about:blank")))
		c := chromedp.FromContext(tab)
		_, err := chromedp.Call(tab, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: cdp.FrameID(c.Target.TargetID), HTML: html})
		require.NoError(t, err)
		time.Sleep(300 * time.Millisecond)
		return eval[string](t, tab, `String(window.__pwned)`)
	}
	assert.Equal(t, "1", load(`<img src=x onerror="`+pwn+`">`), "control: JavaScript must be on in this tab")
	assert.Equal(t, "undefined", load(doc), "the frame's document ran a script with JavaScript on:\n%s", doc)
}

// TestFrameShowsTheRecordedScrollAndTheTarget: the image is the recorded
// viewport at the recorded scroll offset (a pixel of a band placed there
// proves it), and a target the recorded view would not show is brought
// into view, with a note.
func TestFrameShowsTheRecordedScrollAndTheTarget(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	body := []node{
		el(10, "div", node{"style": "height:2000px;background:rgb(255,255,255)"}),
		el(11, "div", node{"style": "height:1200px;background:rgb(220,20,20)"}),
		el(12, "button", node{"id": "far", "style": "display:block;height:40px;width:120px"}, txt(13, "***")),
		el(14, "div", node{"style": "height:3000px"}),
	}
	bun := recording("http://app.example/long", 1000, 600, body, event(3, t0+50, node{"source": 3, "id": 1, "x": 0, "y": 2300}))
	pfs, err := replay.Frames(bun, []replay.Moment{{Offset: time.Second}, {Offset: 10 * time.Millisecond, Target: 12}})
	require.NoError(t, err)
	var scrolled []float64
	inspect := func(tab context.Context, _ int) error {
		scrolled = append(scrolled, eval[float64](t, tab, `scrollY`))
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	imgs, err := Render(ctx, b, session.AppUnderTest{}, pfs, withInspect(inspect))
	require.NoError(t, err)
	decodes(t, imgs[0])
	decodes(t, imgs[1])
	assert.Equal(t, []float64{2300, scrolled[1]}, scrolled)
	assert.Equal(t, StylesNone, imgs[0].Styles)
	assert.Equal(t, [2]int{800, 480}, [2]int{imgs[0].Width, imgs[0].Height}, "1000x600 scaled to 800 wide")

	pic, err := jpeg.Decode(bytes.NewReader(imgs[0].JPEG))
	require.NoError(t, err)
	r, g, bl, _ := pic.At(400, 240).RGBA()
	assert.True(t, r>>8 > 180 && g>>8 < 80 && bl>>8 < 80, "the middle of the view at y=2300 is the red band, got rgb(%d,%d,%d)", r>>8, g>>8, bl>>8)

	assert.True(t, imgs[1].TargetShown, imgs[1].Note)
	assert.Greater(t, scrolled[1], 2000.0, "the view moved down to the target")
	assert.Contains(t, imgs[1].Note, "moved")
}

// TestStylesFromTheAppOrUnavailable: a sheet the SDK did not inline is
// fetched from the app under test; without it the frame says the styles
// are unavailable.
func TestStylesFromTheAppOrUnavailable(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	body := []node{el(10, "link", node{"rel": "stylesheet", "href": "http://shop.example/assets/site.css"}), el(11, "p", node{"id": "p"}, txt(12, "****"))}
	pfs, err := replay.Frames(recording("http://shop.example/cart", 800, 600, body), []replay.Moment{{Offset: time.Second}})
	require.NoError(t, err)
	require.Equal(t, []string{"http://shop.example/assets/site.css"}, pfs[0].Stylesheets)

	appDir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(appDir, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(appDir, "assets", "site.css"), []byte("#p { color: rgb(4, 5, 6); }"), 0o644))
	for _, c := range []struct {
		name   string
		app    session.AppUnderTest
		styles Styles
		color  string
	}{
		{"the app serves the sheet", session.AppUnderTest{Dir: appDir}, StylesLoaded, "rgb(4, 5, 6)"},
		{"no app", session.AppUnderTest{}, StylesUnavailable, "rgb(0, 0, 0)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var color string
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			imgs, err := Render(ctx, b, c.app, pfs, withInspect(func(tab context.Context, _ int) error {
				color = eval[string](t, tab, `getComputedStyle(document.getElementById('p')).color`)
				return nil
			}))
			require.NoError(t, err)
			decodes(t, imgs[0])
			assert.Equal(t, c.styles, imgs[0].Styles, "%v", imgs[0].MissingStyles)
			assert.Equal(t, c.color, color)
			if c.styles == StylesUnavailable {
				require.Len(t, imgs[0].MissingStyles, 1)
				assert.Regexp(t, `^http://shop.example/assets/site.css: (HTTP 404|the app under test answered with something else)`, imgs[0].MissingStyles[0])
			}
		})
	}
}

// TestFrameIsOnTheRecordedOrigin: the frame's document has the recorded
// page's URL and origin, as the user's page had, so its files are
// same-origin: a web font the app serves loads (it needs CORS from any
// other origin, about:blank's included).
func TestFrameIsOnTheRecordedOrigin(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	font, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
	if err != nil {
		t.Skipf("SKIPPED: needs a TrueType font to serve (apt-get install -y fonts-dejavu-core): %v", err)
	}
	appDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(appDir, "f.ttf"), font, 0o644))
	body := []node{
		el(10, "style", nil, txt(11, `@font-face { font-family: AppFont; src: url(/f.ttf); } #p { font-family: AppFont }`)),
		el(12, "p", node{"id": "p"}, txt(13, "****")),
	}
	pfs, err := replay.Frames(recording("http://shop.example/cart?x=1", 800, 600, body), []replay.Moment{{Offset: time.Second}})
	require.NoError(t, err)
	var where, fonts string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = Render(ctx, b, session.AppUnderTest{Dir: appDir}, pfs, withInspect(func(tab context.Context, _ int) error {
		where = eval[string](t, tab, `location.href + ' ' + location.origin`)
		fonts = eval[string](t, tab, `[...document.fonts].map(f => f.family + ' ' + f.status).join(',')`)
		return nil
	}))
	require.NoError(t, err)
	assert.Equal(t, "http://shop.example/cart?x=1 http://shop.example", where)
	assert.Equal(t, "AppFont loaded", fonts)
}

// TestEachFrameIsAtItsOwnURL: frames of several pages of one app, one
// after another in a tab, each get a document at their own URL (the tab
// moves between them without loading the app's page again), so a
// relative link resolves as it did for the user: the same sheet name
// under /a/ and /b/ is two sheets.
func TestEachFrameIsAtItsOwnURL(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	appDir := t.TempDir()
	for dir, color := range map[string]string{"a": "rgb(1, 2, 3)", "b": "rgb(7, 8, 9)"} {
		require.NoError(t, os.MkdirAll(filepath.Join(appDir, dir), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(appDir, dir, "s.css"), []byte("#p { color: "+color+"; }"), 0o644))
	}
	page := `<!DOCTYPE html><html><head><link rel="stylesheet" href="s.css"></head><body><p id="p">****</p></body></html>`
	var pfs []replay.PageFrame
	for i, u := range []string{"http://shop.example/a/one", "http://shop.example/a/one", "http://shop.example/b/two?q=1", "http://shop.example/a/one#x"} {
		html := page + fmt.Sprintf("<!-- frame %d -->", i) // not the same frame twice (those are rendered once)
		pfs = append(pfs, replay.PageFrame{HasDOM: true, URL: u, Viewport: replay.Viewport{Width: 400, Height: 300}, HTML: html, Stylesheets: []string{"s.css"}})
	}
	seen := make([]string, len(pfs))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	imgs, err := Render(ctx, b, session.AppUnderTest{Dir: appDir}, pfs, withInspect(func(tab context.Context, i int) error {
		seen[i] = eval[string](t, tab, `location.href + ' ' + getComputedStyle(document.getElementById('p')).color`)
		return nil
	}))
	require.NoError(t, err)
	for i := range imgs {
		decodes(t, imgs[i])
		assert.Equal(t, StylesLoaded, imgs[i].Styles, "frame %d: %v", i, imgs[i].MissingStyles)
	}
	assert.Equal(t, []string{
		"http://shop.example/a/one rgb(1, 2, 3)",
		"http://shop.example/a/one rgb(1, 2, 3)",
		"http://shop.example/b/two?q=1 rgb(7, 8, 9)",
		"http://shop.example/a/one#x rgb(1, 2, 3)",
	}, seen)
}

// TestFrameWithoutDOMHasNoImage: a moment before any snapshot of a
// recording that has none is reported, not rendered.
func TestFrameWithoutDOMHasNoImage(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	imgs, err := Render(ctx, b, session.AppUnderTest{}, []replay.PageFrame{{Offset: time.Second, URL: "http://a.example/"}})
	require.NoError(t, err)
	assert.Nil(t, imgs[0].JPEG)
	assert.Equal(t, "no page was recorded by this moment", imgs[0].Note)
}

func ExampleRender() {
	ctx := context.Background()
	bun, _ := replay.LoadBundle("testdata/replays/imagechat-bug")
	tl, _ := replay.BuildTimeline(bun)
	p, _ := plan.Build(tl, plan.Options{})
	pfs, _ := replay.Frames(bun, Moments(tl, p.Steps))
	b, _ := session.NewBrowser(ctx, session.ChromeConfig{})
	defer b.Close()
	imgs, _ := Render(ctx, b, session.AppUnderTest{Dir: "testdata/apps/imagechat/buggy"}, pfs)
	for i, img := range imgs {
		fmt.Println(p.Steps[i], len(img.JPEG) > 0, img.Styles, img.TargetShown, img.Note)
	}
}
