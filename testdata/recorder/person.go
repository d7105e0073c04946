package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// step is one thing the driver did, in the manifest's shape. Only the fields
// that apply to the action are set.
type step struct {
	Action     string   `json:"action"`
	Selector   string   `json:"selector,omitempty"`
	URL        string   `json:"url,omitempty"`
	TextLength *int     `json:"text_length,omitempty"`
	Masked     *bool    `json:"masked,omitempty"`
	Value      string   `json:"value,omitempty"`
	Checked    *bool    `json:"checked,omitempty"`
	Key        string   `json:"key,omitempty"`
	X          *float64 `json:"x,omitempty"`
	Y          *float64 `json:"y,omitempty"`
	DeltaY     *float64 `json:"delta_y,omitempty"`
	MS         int64    `json:"ms,omitempty"`
	AtMS       int64    `json:"at_ms"`
}

// person drives the browser like a user: real mouse and key input with
// seeded, human-looking delays, and a log of every step.
type person struct {
	ctx    context.Context
	origin string
	rng    *rand.Rand
	start  time.Time
	steps  []step
}

func newPerson(ctx context.Context, origin string, seed int64, start time.Time) *person {
	return &person{ctx: ctx, origin: origin, rng: rand.New(rand.NewSource(seed)), start: start}
}

func (p *person) at() int64 { return time.Since(p.start).Milliseconds() }

// jitter sleeps between lo and hi milliseconds (seeded).
func (p *person) jitter(lo, hi int) error {
	d := time.Duration(lo+p.rng.Intn(hi-lo+1)) * time.Millisecond
	return chromedp.Do(p.ctx, chromedp.Sleep(d))
}

// navigate loads a path of the app origin.
func (p *person) navigate(path string) error {
	s := step{Action: "navigate", URL: p.origin + path, AtMS: p.at()}
	if err := chromedp.Do(p.ctx, chromedp.Navigate(p.origin+path)); err != nil {
		return fmt.Errorf("navigate %s: %w", path, err)
	}
	p.steps = append(p.steps, s)
	return nil
}

// wait pauses deliberately (reading, hesitating, waiting for the app).
func (p *person) wait(ms int64) error {
	p.steps = append(p.steps, step{Action: "wait", MS: ms, AtMS: p.at()})
	return chromedp.Do(p.ctx, chromedp.Sleep(time.Duration(ms)*time.Millisecond))
}

// center scrolls the element into view if needed and returns its center in
// viewport coordinates.
func (p *person) center(sel string) (float64, float64, error) {
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return null;
		el.scrollIntoView({block: 'nearest', inline: 'nearest'});
		const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, sel)
	wctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		return 0, 0, fmt.Errorf("wait for %s: %w", sel, err)
	}
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		return 0, 0, fmt.Errorf("locate %s: %w", sel, err)
	}
	var xy []float64
	if err := json.Unmarshal(raw, &xy); err != nil || len(xy) != 2 {
		return 0, 0, fmt.Errorf("locate %s: element not found", sel)
	}
	return float64(int(xy[0])), float64(int(xy[1])), nil
}

// moveTo glides the mouse to (x, y) in a few moves, as a hand would.
func (p *person) moveTo(x, y float64) error {
	for i := 1; i <= 3; i++ {
		f := float64(i) / 3
		mx, my := x-(1-f)*40, y-(1-f)*25
		if err := chromedp.Do(p.ctx, chromedp.MouseEvent(chromedp.MouseMoved, mx, my)); err != nil {
			return fmt.Errorf("mouse move: %w", err)
		}
		if err := p.jitter(15, 40); err != nil {
			return err
		}
	}
	return nil
}

// click moves to the element and clicks its center with the left button.
func (p *person) click(sel string) error {
	x, y, err := p.center(sel)
	if err != nil {
		return err
	}
	if err := p.moveTo(x, y); err != nil {
		return err
	}
	s := step{Action: "click", Selector: sel, X: &x, Y: &y, AtMS: p.at()}
	if err := chromedp.Do(p.ctx, chromedp.MouseClickXY(x, y)); err != nil {
		return fmt.Errorf("click %s: %w", sel, err)
	}
	p.steps = append(p.steps, s)
	return nil
}

// clickRepeatedly clicks the element n times quickly without moving, as an
// impatient user does.
func (p *person) clickRepeatedly(sel string, n int) error {
	return p.clickTimes(sel, n, 110, 190)
}

// clickTimes clicks the element n times, pausing lo..hi ms after each click.
func (p *person) clickTimes(sel string, n, lo, hi int) error {
	x, y, err := p.center(sel)
	if err != nil {
		return err
	}
	if err := p.moveTo(x, y); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		s := step{Action: "click", Selector: sel, X: &x, Y: &y, AtMS: p.at()}
		if err := chromedp.Do(p.ctx, chromedp.MouseClickXY(x, y)); err != nil {
			return fmt.Errorf("click %s (%d of %d): %w", sel, i+1, n, err)
		}
		p.steps = append(p.steps, s)
		if err := p.jitter(lo, hi); err != nil {
			return err
		}
	}
	return nil
}

// typeText types into the focused field one key at a time. The field must be
// focused by a click first; masked says whether the SDK masks the field.
func (p *person) typeText(sel, text string, masked bool) error {
	n := len([]rune(text))
	s := step{Action: "type", Selector: sel, TextLength: &n, Masked: &masked, AtMS: p.at()}
	for _, r := range text {
		if err := chromedp.Do(p.ctx, chromedp.KeyEvent(string(r))); err != nil {
			return fmt.Errorf("type into %s: %w", sel, err)
		}
		if err := p.jitter(60, 140); err != nil {
			return err
		}
	}
	got, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		return fmt.Errorf("read %s: %w", sel, err)
	}
	if got != text {
		return fmt.Errorf("type into %s: field holds %q, want %q", sel, got, text)
	}
	p.steps = append(p.steps, s)
	return nil
}

// press presses a key in the focused field, as a person commits a tag or
// submits a search box without a button. It sends one keyDown carrying the
// key's text, as a real keyboard does (chromedp's KeyEvent sends the text as
// a separate char event, which a keydown handler's preventDefault cannot
// cancel, so Enter would submit a form the app meant to keep).
func (p *person) press(sel string, k pressKey) error {
	s := step{Action: "press", Selector: sel, Key: k.key, AtMS: p.at()}
	for _, typ := range []string{"keyDown", "keyUp"} {
		params := map[string]any{
			"type": typ, "key": k.key, "code": k.code,
			"windowsVirtualKeyCode": k.keyCode, "nativeVirtualKeyCode": k.keyCode,
		}
		if typ == "keyDown" && k.text != "" {
			params["text"], params["unmodifiedText"] = k.text, k.text
		}
		ev := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			return t.Call(ctx, "Input.dispatchKeyEvent", params, nil)
		})
		if err := chromedp.Do(p.ctx, ev); err != nil {
			return fmt.Errorf("press %s in %s: %w", k.key, sel, err)
		}
	}
	p.steps = append(p.steps, s)
	return p.jitter(40, 90)
}

// pressKey describes a key for Input.dispatchKeyEvent.
type pressKey struct {
	key, code, text string
	keyCode         int
}

var enterKey = pressKey{key: "Enter", code: "Enter", text: "\r", keyCode: 13}

// pressEnter presses Enter in the focused field.
func (p *person) pressEnter(sel string) error { return p.press(sel, enterKey) }

// selectOption picks an option of a <select> with the keyboard (focus, then
// arrow keys), since headless Chrome has no native dropdown to click.
func (p *person) selectOption(sel, value string) error {
	if _, _, err := p.center(sel); err != nil {
		return err
	}
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); const i = Array.from(el.options).findIndex(o => o.value === %q); return [el.selectedIndex, i]; })()`, sel, value)
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		return fmt.Errorf("select %s: %w", sel, err)
	}
	var idx []int
	if err := json.Unmarshal(raw, &idx); err != nil || len(idx) != 2 || idx[1] < 0 {
		return fmt.Errorf("select %s: no option %q", sel, value)
	}
	s := step{Action: "select", Selector: sel, Value: value, AtMS: p.at()}
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.CSS(sel))); err != nil {
		return fmt.Errorf("focus %s: %w", sel, err)
	}
	key := kb.ArrowDown
	d := idx[1] - idx[0]
	if d < 0 {
		key, d = kb.ArrowUp, -d
	}
	for i := 0; i < d; i++ {
		if err := chromedp.Do(p.ctx, chromedp.KeyEvent(key)); err != nil {
			return fmt.Errorf("select %s: %w", sel, err)
		}
		if err := p.jitter(150, 300); err != nil {
			return err
		}
	}
	got, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil || got != value {
		return fmt.Errorf("select %s: value is %q, want %q (%v)", sel, got, value, err)
	}
	p.steps = append(p.steps, s)
	return nil
}

// check clicks a checkbox and records its new state.
func (p *person) check(sel string) error {
	x, y, err := p.center(sel)
	if err != nil {
		return err
	}
	if err := p.moveTo(x, y); err != nil {
		return err
	}
	at := p.at()
	if err := chromedp.Do(p.ctx, chromedp.MouseClickXY(x, y)); err != nil {
		return fmt.Errorf("check %s: %w", sel, err)
	}
	checked, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checked`, sel)))
	if err != nil {
		return fmt.Errorf("read %s: %w", sel, err)
	}
	p.steps = append(p.steps, step{Action: "check", Selector: sel, Checked: &checked, X: &x, Y: &y, AtMS: at})
	return nil
}

// back presses the browser's Back button.
func (p *person) back() error {
	at := p.at()
	if err := chromedp.Do(p.ctx, chromedp.NavigateBack()); err != nil {
		return fmt.Errorf("back: %w", err)
	}
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		return fmt.Errorf("back: %w", err)
	}
	p.steps = append(p.steps, step{Action: "back", URL: loc, AtMS: at})
	return nil
}

// scroll turns the mouse wheel over the element: ticks wheel events of
// deltaY pixels each. It records the element's scroll offset afterwards.
func (p *person) scroll(sel string, deltaY float64, ticks int) error {
	x, y, err := p.center(sel)
	if err != nil {
		return err
	}
	if err := p.moveTo(x, y); err != nil {
		return err
	}
	at := p.at()
	for i := 0; i < ticks; i++ {
		// The typed params drop a zero deltaX (omitzero), which the protocol
		// requires for mouseWheel, so this event goes out as a raw call.
		wheel := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			return t.Call(ctx, "Input.dispatchMouseEvent", map[string]any{
				"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": deltaY,
			}, nil)
		})
		if err := chromedp.Do(p.ctx, wheel); err != nil {
			return fmt.Errorf("scroll %s: %w", sel, err)
		}
		if err := p.jitter(90, 160); err != nil {
			return err
		}
	}
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](fmt.Sprintf(`(() => { const el = document.querySelector(%q); return [el.scrollLeft, el.scrollTop]; })()`, sel)))
	if err != nil {
		return fmt.Errorf("read scroll of %s: %w", sel, err)
	}
	var off []float64
	if err := json.Unmarshal(raw, &off); err != nil || len(off) != 2 {
		return fmt.Errorf("read scroll of %s: bad offsets", sel)
	}
	total := deltaY * float64(ticks)
	p.steps = append(p.steps, step{Action: "scroll", Selector: sel, X: &off[0], Y: &off[1], DeltaY: &total, AtMS: at})
	return nil
}
