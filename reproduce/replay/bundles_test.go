package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The recorded bundles under testdata/replays were made by driving a real
// app with the real Sentry browser SDK. Their manifest.json says what the
// driver did (steps) and what the browser saw (observed), independently of
// this parser, so these tests check the timeline against ground truth.

const bundlesDir = "../../testdata/replays"

// manifest is the part of a bundle's manifest.json the tests check.
type manifest struct {
	Steps []struct {
		Action     string `json:"action"`
		Selector   string `json:"selector"`
		URL        string `json:"url"`
		TextLength *int   `json:"text_length"`
		Masked     *bool  `json:"masked"`
		Value      string `json:"value"`
		Checked    *bool  `json:"checked"`
		Key        string `json:"key"`
	} `json:"steps"`
	Observed struct {
		Requests []struct {
			Method string `json:"method"`
			Path   string `json:"path"`
			Query  string `json:"query"`
			Status int    `json:"status"`
		} `json:"requests"`
		Console []struct {
			Level string `json:"level"`
			Text  string `json:"text"`
		} `json:"console"`
		Exceptions []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"exceptions"`
		Navigations []string `json:"navigations"`
	} `json:"observed"`
}

// bundleDirs lists the recorded bundles; none is a failure, since the
// suite must exercise real SDK output.
func bundleDirs(t testing.TB) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(bundlesDir, "*", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no recorded bundles under %s", bundlesDir)
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

func loadManifest(t *testing.T, b *Bundle) manifest {
	t.Helper()
	var m manifest
	if err := json.Unmarshal(b.Manifest, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

// recordedDOM replays a bundle's DOM up to a moment: the page as the
// recording held it when an event happened, for checking the driver's
// selectors against what the user actually had on screen.
type recordedDOM struct {
	bl    *builder
	items []item
	next  int
}

func newRecordedDOM(t *testing.T, b *Bundle) *recordedDOM {
	t.Helper()
	bl := &builder{mirror: NewMirror(), warnings: map[string]*Warning{}, tl: &Timeline{}, lastNav: -1, openInput: -1, openScroll: -1,
		clickedAt: map[int]time.Time{}, fieldLen: map[int]int{}, focusedAt: map[int]time.Time{}}
	rec := b.recording()
	keys, err := rec.keys()
	if err != nil {
		t.Fatal(err)
	}
	var items []item
	err = ordered(rec, keys, func(it item) {
		raw := bytes.Clone(it.raw)
		if len(it.data) > 0 { // data lies inside raw
			off := cap(it.raw) - cap(it.data)
			it.data = raw[off : off+len(it.data)]
		}
		it.raw = raw
		items = append(items, it)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &recordedDOM{bl: bl, items: items}
}

// at returns the mirror as it was at t (calls must not go back in time).
func (d *recordedDOM) at(t time.Time) *Mirror {
	for d.next < len(d.items) && !d.items[d.next].t.After(t) {
		d.bl.dispatch(d.items[d.next])
		d.next++
	}
	return d.bl.mirror
}

// recordedForm rewrites a driver's selector into what the recording holds:
// the SDK masks aria-label, title and placeholder values (non-space
// characters become '*'), and rrweb makes hrefs absolute.
func recordedForm(sel string) string {
	maskedAttr := regexp.MustCompile(`\[(aria-label|title|placeholder)="([^"]*)"\]`)
	sel = maskedAttr.ReplaceAllStringFunc(sel, func(m string) string {
		p := maskedAttr.FindStringSubmatch(m)
		return `[` + p[1] + `="` + regexp.MustCompile(`\S`).ReplaceAllString(p[2], "*") + `"]`
	})
	return strings.ReplaceAll(sel, `[href="`, `[href$="`)
}

// targetMatches reports whether the driver's selector, run on the page as
// recorded at that moment, finds the target, an ancestor of it (a click
// lands on the innermost element) or a descendant (the SDK names the link
// around the heading that was hit).
func targetMatches(t *testing.T, dom *Mirror, selector string, tg Target) bool {
	t.Helper()
	sel, err := CompileSelector(recordedForm(selector))
	if err != nil {
		t.Fatalf("step selector %q: %v", selector, err)
	}
	node := dom.Node(tg.NodeID)
	if node == nil {
		return false
	}
	for n := node; n != nil; n = n.Parent {
		if n.Type == ElementNode && sel.Matches(n) {
			return true
		}
	}
	var below func(n *Node, depth int) bool
	below = func(n *Node, depth int) bool {
		for _, c := range n.Children {
			if (c.Type == ElementNode && sel.Matches(c)) || (depth < 8 && below(c, depth+1)) {
				return true
			}
		}
		return false
	}
	return below(node, 0)
}

func TestRecordedBundlesMatchManifest(t *testing.T) {
	for _, dir := range bundleDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			b, err := LoadBundle(dir)
			if err != nil {
				t.Fatal(err)
			}
			tl, err := BuildTimeline(b)
			if err != nil {
				t.Fatal(err)
			}
			m := loadManifest(t, b)
			checkNavigations(t, tl, m)
			checkClicks(t, tl, m, newRecordedDOM(t, b))
			checkInputs(t, tl, m, newRecordedDOM(t, b))
			checkObserved(t, tl, m)
			if n := warningCount(tl, "malformed_event") + warningCount(tl, "unknown_event_type"); n > 0 {
				t.Errorf("real SDK output produced warnings: %+v", tl.Warnings)
			}
		})
	}
}

// checkNavigations compares the timeline's page changes, as the address
// bar showed them (path, query, hash route), with the recorder's own
// observation. The recorder also sees what the SDK cannot: history
// entries replaced with the same URL, and a router's start-up redirects
// made before the SDK started; so the timeline's list, with repeats
// folded, must be the recorder's in order, missing at most those leading
// redirects.
func checkNavigations(t *testing.T, tl *Timeline, m manifest) {
	var got []string
	for _, e := range kinds(tl, KindNavigation) {
		u, err := url.Parse(e.Navigation.URL)
		if err != nil {
			t.Fatal(err)
		}
		s := u.Path
		if u.RawQuery != "" {
			s += "?" + u.RawQuery
		}
		if u.Fragment != "" {
			s += "#" + u.Fragment
		}
		got = append(got, s)
	}
	got, want := foldRepeats(got), foldRepeats(m.Observed.Navigations)
	if !isSubsequence(got, want) || len(want)-len(got) > 2 {
		t.Errorf("navigations = %v, manifest observed %v", got, want)
	}
	navs := kinds(tl, KindNavigation)
	for _, s := range m.Steps {
		switch s.Action {
		case "navigate":
			if len(navs) == 0 || navs[0].Navigation.URL != s.URL || navs[0].Navigation.Via != ViaLoad {
				t.Errorf("first navigation %+v, step navigate %s", navs, s.URL)
			}
		case "back":
			found := false
			for _, n := range navs {
				found = found || (n.Navigation.Via == ViaBack && sameURL(n.Navigation.URL, s.URL))
			}
			if !found {
				t.Errorf("no back navigation to %s", s.URL)
			}
		}
	}
}

// checkClicks matches recorded clicks to the driver's click steps in
// order. A driver click can legitimately leave no click event (a disabled
// button) or land on another element (the DOM changed under the pointer),
// so each recorded click must match its step unless a step was lost, and
// the unmatched clicks may not outnumber the lost steps.
func checkClicks(t *testing.T, tl *Timeline, m manifest, dom *recordedDOM) {
	var steps []string
	for _, s := range m.Steps {
		if s.Action == "click" || s.Action == "check" {
			steps = append(steps, s.Selector)
		}
	}
	clicks := kinds(tl, KindClick)
	matchedSel := map[string]bool{}
	j, matched := 0, 0
	for _, c := range clicks {
		if !c.Click.Target.InDOM {
			t.Errorf("click on %s: target not in the recorded DOM", c.Click.Target.Selector)
		}
		k := j
		at := dom.at(c.Time)
		for k < len(steps) && !targetMatches(t, at, steps[k], c.Click.Target) {
			k++
		}
		if k == len(steps) {
			continue // an unmatched click (counted below)
		}
		matchedSel[steps[k]] = true
		matched++
		j = k + 1
	}
	lostSteps, strayClicks := len(steps)-matched, len(clicks)-matched
	if strayClicks > lostSteps {
		t.Errorf("%d recorded clicks match no driver step (only %d steps lost); clicks %d, steps %d", strayClicks, lostSteps, len(clicks), len(steps))
	}
	for _, s := range steps {
		if !matchedSel[s] {
			t.Errorf("driver clicked %s but no click event targets it", s)
		}
	}
	if lostSteps > len(steps)/4 {
		t.Errorf("%d of %d driver clicks have no matching event", lostSteps, len(steps))
	}
}

// checkInputs finds, for every typing, select, check and key step of the
// driver, a timeline event that did it: on an element the step's selector
// finds in the page as recorded then, with the recorded length or state.
// A key the SDK cannot record (Enter in a field, sentry-format §9) must
// come back inferred, saying why.
func checkInputs(t *testing.T, tl *Timeline, m manifest, dom *recordedDOM) {
	inputs := kinds(tl, KindInput)
	keys := kinds(tl, KindKey)
	done := make([]bool, len(m.Steps))
	for _, e := range inputs { // in time order, so the DOM replays forward
		at := dom.at(e.Time)
		in := e.Input
		for i, s := range m.Steps {
			switch s.Action {
			case "type":
				done[i] = done[i] || (targetMatches(t, at, s.Selector, in.Target) && s.TextLength != nil && in.Length == *s.TextLength &&
					(s.Masked == nil || in.Masked == *s.Masked))
			case "select":
				done[i] = done[i] || (in.Field == "select" && targetMatches(t, at, s.Selector, in.Target) &&
					(in.Value == s.Value || in.Masked && in.Length == len([]rune(s.Value))))
			case "check":
				done[i] = done[i] || (in.Checked != nil && targetMatches(t, at, s.Selector, in.Target) && (s.Checked == nil || *in.Checked == *s.Checked))
			}
		}
	}
	pressed := 0
	for i, s := range m.Steps {
		switch s.Action {
		case "key":
			for _, e := range keys {
				done[i] = done[i] || e.Key.Key == s.Key
			}
		case "press":
			// Presses inside fields, matched in order with inferred keys.
			for ; pressed < len(keys) && !done[i]; pressed++ {
				k := keys[pressed].Key
				done[i] = k.Key == s.Key && k.Inferred != ""
			}
		case "scroll":
			done[i] = len(kinds(tl, KindScroll)) > 0
		case "type", "select", "check":
		default:
			continue
		}
		if !done[i] {
			t.Errorf("step %s %s: no matching event", s.Action, s.Selector)
		}
	}
}

func checkObserved(t *testing.T, tl *Timeline, m manifest) {
	nets := kinds(tl, KindNetwork)
	for _, r := range m.Observed.Requests {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		found := false
		for _, e := range nets {
			u, _ := url.Parse(e.Network.URL)
			found = found || (e.Network.Method == r.Method && e.Network.Path == r.Path && e.Network.Status == r.Status && u.RawQuery == r.Query)
		}
		if !found {
			t.Errorf("observed %s %s?%s → %d has no network event", r.Method, r.Path, r.Query, r.Status)
		}
	}
	cons := kinds(tl, KindConsole)
	for _, c := range m.Observed.Console {
		found := false
		for _, e := range cons {
			found = found || (e.Console.Level == c.Level && strings.Contains(e.Console.Message, c.Text))
		}
		if !found {
			t.Errorf("observed console %s %q has no console event", c.Level, c.Text)
		}
	}
	errs := kinds(tl, KindError)
	for _, x := range m.Observed.Exceptions {
		found := false
		for _, e := range errs {
			found = found || (e.Error.Type == x.Type && e.Error.Value == x.Message)
		}
		if !found {
			t.Errorf("observed exception %s: %s has no linked error", x.Type, x.Message)
		}
	}
	if len(m.Observed.Exceptions) == 0 && len(errs) > 0 {
		t.Errorf("linked errors %+v but the browser saw no exception", errs)
	}
}

// summary is a comparable one-line view of an event.
func summary(e Event) string {
	s := fmt.Sprintf("%s@%d", e.Kind, e.Offset.Milliseconds())
	switch {
	case e.Navigation != nil:
		s += " " + e.Navigation.Via + " " + e.Navigation.URL
	case e.Click != nil:
		s += fmt.Sprintf(" %d %v,%v", e.Click.Target.NodeID, e.Click.X, e.Click.Y)
	case e.Input != nil:
		s += fmt.Sprintf(" %d %q %d", e.Input.Target.NodeID, e.Input.Value, e.Input.Keystrokes)
	case e.Network != nil:
		s += fmt.Sprintf(" %s %s %d", e.Network.Method, e.Network.URL, e.Network.Status)
	case e.Error != nil:
		s += " " + e.Error.EventID
	case e.Friction != nil:
		s += " " + e.Friction.Kind
	}
	return s
}

func TestRecordedEnvelopesMatchSegments(t *testing.T) {
	for _, dir := range bundleDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			full, err := LoadBundle(dir)
			if err != nil {
				t.Fatal(err)
			}
			want, err := BuildTimeline(full)
			if err != nil {
				t.Fatal(err)
			}
			// Only the raw ingest: a bundle dir holding just envelopes/.
			only := t.TempDir()
			files, _ := filepath.Glob(filepath.Join(dir, "envelopes", "*.envelope"))
			if len(files) == 0 {
				t.Skip("bundle has no envelopes/ directory")
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, only, filepath.Join("envelopes", filepath.Base(f)), string(data))
			}
			b, err := LoadBundle(only)
			if err != nil {
				t.Fatal(err)
			}
			if b.Details.ID != full.Details.ID || b.UserAgent == "" {
				t.Errorf("replay_event: id %q (want %q), user agent %q", b.Details.ID, full.Details.ID, b.UserAgent)
			}
			got, err := BuildTimeline(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Events) != len(want.Events) {
				t.Errorf("envelopes give %d events, segments %d", len(got.Events), len(want.Events))
			}
			for i := 0; i < len(got.Events) && i < len(want.Events); i++ {
				if g, w := summary(got.Events[i]), summary(want.Events[i]); g != w {
					t.Errorf("event %d: envelopes %s, segments %s", i, g, w)
				}
			}
		})
	}
}

func BenchmarkBuildTimeline(b *testing.B) {
	var largest string
	var size int64
	for _, dir := range bundleDirs(b) {
		if st, err := os.Stat(filepath.Join(dir, "recording-segments.json")); err == nil && st.Size() > size {
			largest, size = dir, st.Size()
		}
	}
	bundle, err := LoadBundle(largest)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		if _, err := BuildTimeline(bundle); err != nil {
			b.Fatal(err)
		}
	}
}

func foldRepeats(xs []string) []string {
	var out []string
	for _, x := range xs {
		if len(out) == 0 || out[len(out)-1] != x {
			out = append(out, x)
		}
	}
	return out
}

func isSubsequence(sub, of []string) bool {
	i := 0
	for _, x := range of {
		if i < len(sub) && sub[i] == x {
			i++
		}
	}
	return i == len(sub)
}
