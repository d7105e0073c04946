package replay

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// targetMatches reports whether the step's CSS selector matches the target
// or one of its ancestors (a click lands on the innermost element), judged
// on what the target recorded: tag, id, classes, test id and attributes.
func targetMatches(t *testing.T, selector string, tg Target) bool {
	t.Helper()
	sel, err := CompileSelector(selector)
	if err != nil {
		t.Fatalf("step selector %q: %v", selector, err)
	}
	var parent *Node
	var chain []*Node
	// attach hangs n under parent after nth-1 same-tag placeholders, so
	// :nth-of-type sees the recorded position.
	attach := func(n *Node, nth int) {
		if parent == nil {
			return
		}
		for k := 1; k < nth; k++ {
			parent.Children = append(parent.Children, &Node{Type: ElementNode, Tag: n.Tag, Parent: parent})
		}
		parent.Children = append(parent.Children, n)
	}
	for _, a := range tg.Ancestry {
		n := &Node{Type: ElementNode, Tag: a.Tag, Parent: parent, Attrs: map[string]string{"id": a.ID, "class": strings.Join(a.Classes, " ")}}
		attach(n, a.NthOfType)
		chain = append(chain, n)
		parent = n
	}
	self := &Node{Type: ElementNode, Tag: tg.Tag, Parent: parent, Attrs: map[string]string{
		"id": tg.ID, "class": strings.Join(tg.Classes, " "), "data-testid": tg.TestID, "name": tg.Name,
		"type": tg.Type, "role": tg.Role, "href": tg.Href, "data-sentry-component": tg.Component}}
	attach(self, tg.NthOfType)
	for k, v := range self.Attrs {
		if v == "" {
			delete(self.Attrs, k)
		}
	}
	if sel.Matches(self) {
		return true
	}
	for _, n := range chain {
		if sel.Matches(n) {
			return true
		}
	}
	return false
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
			checkClicks(t, tl, m)
			checkInputs(t, tl, m)
			checkObserved(t, tl, m)
			if n := warningCount(tl, "malformed_event") + warningCount(tl, "unknown_event_type"); n > 0 {
				t.Errorf("real SDK output produced warnings: %+v", tl.Warnings)
			}
		})
	}
}

func checkNavigations(t *testing.T, tl *Timeline, m manifest) {
	var got []string
	for _, e := range kinds(tl, KindNavigation) {
		u, err := url.Parse(e.Navigation.URL)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.Path)
	}
	if strings.Join(got, " ") != strings.Join(m.Observed.Navigations, " ") {
		t.Errorf("navigation paths = %v, manifest observed %v", got, m.Observed.Navigations)
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
func checkClicks(t *testing.T, tl *Timeline, m manifest) {
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
		for k < len(steps) && !targetMatches(t, steps[k], c.Click.Target) {
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

func checkInputs(t *testing.T, tl *Timeline, m manifest) {
	inputs := kinds(tl, KindInput)
	keys := kinds(tl, KindKey)
	for _, s := range m.Steps {
		var ok bool
		switch s.Action {
		case "type":
			for _, e := range inputs {
				in := e.Input
				ok = ok || (targetMatches(t, s.Selector, in.Target) && s.TextLength != nil && in.Length == *s.TextLength &&
					(s.Masked == nil || in.Masked == *s.Masked))
			}
		case "select":
			for _, e := range inputs {
				ok = ok || (e.Input.Field == "select" && targetMatches(t, s.Selector, e.Input.Target) &&
					(e.Input.Value == s.Value || e.Input.Masked && e.Input.Length == len([]rune(s.Value))))
			}
		case "check":
			for _, e := range inputs {
				ok = ok || (e.Input.Checked != nil && targetMatches(t, s.Selector, e.Input.Target) && (s.Checked == nil || *e.Input.Checked == *s.Checked))
			}
		case "key":
			for _, e := range keys {
				ok = ok || e.Key.Key == s.Key
			}
		case "scroll":
			ok = len(kinds(tl, KindScroll)) > 0
		default:
			continue
		}
		if !ok {
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
