package replay

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Keys the SDK does not record. A key pressed inside an input, a textarea
// or a contentEditable leaves no ui.keyDown breadcrumb (sentry-format §9),
// so Enter typed to commit a tag, add a todo or submit a search is not in
// the recording — only what it caused is. The builder infers it back from
// the recording, and says why:
//
//   - the field's typed value was emptied at once (no one-character
//     deletions), and within commitWindow the page gained a text of the
//     typed length (the chip, the todo; masking keeps lengths) or a request
//     carried a value of that length: the app took the value and cleared
//     the field, which is what Enter does in such fields;
//   - or, with the value still in the field and no click since the last
//     keystroke, the page navigated within commitWindow to a URL carrying a
//     value of the typed length (a search form submitted with Enter).
//
// A request alone, with the value still in the field, is not enough: a
// search-as-you-type box makes that request too.

// commitWindow is how soon after the last keystroke (or the emptying) the
// page must show the committed value.
const commitWindow = 1500 * time.Millisecond

// commit is a typed value that may have been committed with an unrecorded
// key.
type commit struct {
	event   int       // the Input event (index into builder.events, before compaction)
	length  int       // the typed value's length in characters
	cleared time.Time // when the field emptied at once (zero: not emptied)
	lastKey time.Time // the last keystroke
	why     string    // set once the commit is confirmed
}

// lastRun is the last typing run, for a search submitted with Enter.
type lastRun struct {
	event  int
	end    time.Time
	length int
}

// pendingCommits returns the unconfirmed commits whose field emptied
// within commitWindow before t.
//
// Events arrive in time order, so the emptied fields (bl.cleared) are in
// the order they emptied: the ones within the window are found by binary
// search rather than by a pass over every commit of a long recording.
func (bl *builder) pendingCommits(t time.Time) []*commit {
	var out []*commit
	lo := sort.Search(len(bl.cleared), func(i int) bool {
		return t.Sub(bl.commits[bl.cleared[i]].cleared) <= commitWindow
	})
	for _, i := range bl.cleared[lo:] {
		c := &bl.commits[i]
		if t.Before(c.cleared.Add(-time.Millisecond)) {
			break
		}
		if c.why == "" {
			out = append(out, c)
		}
	}
	return out
}

// textAt is a text a mutation added, by length.
type textAt struct {
	t time.Time
	n int
}

// commitByText confirms pending commits with the texts a mutation adds.
// While the user types, it also keeps the texts added since the last
// keystroke: the app adds the chip before the recording sees its field
// emptied.
func (bl *builder) commitByText(it item) {
	pending := bl.pendingCommits(it.t)
	typing := bl.openInput >= 0 && bl.meta[bl.openInput].typed
	if len(pending) == 0 && !typing {
		return
	}
	lengths := addedTextLengths(it.mut)
	if typing {
		end := bl.meta[bl.openInput].end
		keep := bl.recent[:0]
		for _, r := range bl.recent {
			if !r.t.Before(end) {
				keep = append(keep, r)
			}
		}
		bl.recent = keep
		for _, n := range lengths {
			bl.recent = append(bl.recent, textAt{it.t, n})
		}
	}
	for _, c := range pending {
		for _, n := range lengths {
			if n == c.length {
				c.why = fmt.Sprintf("the field's %d typed characters were emptied at once and a %d-character text appeared in the page %s later",
					c.length, n, roundMS(it.t.Sub(c.cleared)))
				break
			}
		}
	}
}

// startCommit records a field emptied at once after typing, confirmed at
// once by a text of its length added since the last keystroke.
func (bl *builder) startCommit(c commit) {
	for _, r := range bl.recent {
		if r.n == c.length && !r.t.Before(c.lastKey) && !r.t.After(c.cleared) {
			c.why = fmt.Sprintf("the field's %d typed characters were emptied at once, and a %d-character text appeared in the page as it did",
				c.length, r.n)
			break
		}
	}
	bl.recent = bl.recent[:0]
	bl.commits = append(bl.commits, c)
	// In time order this is the end of the list; the search keeps it
	// sorted should an event ever come out of order.
	at := sort.Search(len(bl.cleared), func(i int) bool { return c.cleared.Before(bl.commits[bl.cleared[i]].cleared) })
	bl.cleared = slices.Insert(bl.cleared, at, len(bl.commits)-1)
}

// commitByRequest confirms pending commits with a request's body.
func (bl *builder) commitByRequest(n *Network) {
	pending := bl.pendingCommits(n.Start)
	if len(pending) == 0 || n.Request == nil || !n.Request.BodyCaptured {
		return
	}
	lengths := stringLengths(n.Request.Body)
	for _, c := range pending {
		if lengths[c.length] {
			c.why = fmt.Sprintf("the field's %d typed characters were emptied at once and %s %s sent a %d-character value %s later",
				c.length, n.Method, n.Path, c.length, roundMS(n.Start.Sub(c.cleared)))
		}
	}
}

// commitByNavigation confirms a search submitted with Enter: the last
// typing run, with no click or key since, followed by a navigation to a
// URL that carries a value of its length.
func (bl *builder) commitByNavigation(to string, t time.Time) {
	r := bl.run
	if r.length == 0 || t.Sub(r.end) > commitWindow || t.Before(r.end) || bl.lastAction.After(r.end) {
		return
	}
	u, err := url.Parse(to)
	if err != nil {
		return
	}
	found := false
	for _, vs := range u.Query() {
		for _, v := range vs {
			if utf8.RuneCountInString(v) == r.length {
				found = true
			}
		}
	}
	// Hash routes carry their query inside the fragment.
	if _, q, ok := strings.Cut(u.Fragment, "?"); ok && !found {
		if vals, err := url.ParseQuery(q); err == nil {
			for _, vs := range vals {
				for _, v := range vs {
					if utf8.RuneCountInString(v) == r.length {
						found = true
					}
				}
			}
		}
	}
	if !found {
		return
	}
	bl.commits = append(bl.commits, commit{event: r.event, length: r.length, lastKey: r.end,
		why: fmt.Sprintf("%s after the last of the field's %d typed characters, with no click between, the page went to a URL carrying a %d-character value (a form submitted with Enter)",
			roundMS(t.Sub(r.end)), r.length, r.length)})
	bl.run = lastRun{}
}

// emitCommits adds an inferred Enter for each confirmed commit, just after
// the last keystroke. It runs before any compaction (commits hold event
// indices).
func (bl *builder) emitCommits() {
	for _, c := range bl.commits {
		if c.why == "" || c.event < 0 || c.event >= len(bl.events) || bl.events[c.event].Input == nil {
			continue
		}
		in := bl.events[c.event]
		target := in.Input.Target
		at := c.lastKey.Add(time.Millisecond)
		bl.emit(Event{Kind: KindKey, Time: at, Segment: in.Segment, Key: &Key{Key: "Enter", Target: &target, Inferred: c.why}},
			evMeta{node: bl.meta[c.event].node})
	}
}

func roundMS(d time.Duration) string { return d.Round(time.Millisecond).String() }

// addedTextLengths lists the trimmed lengths of the texts a mutation adds
// (new text nodes, anywhere in added subtrees, and changed texts).
func addedTextLengths(m *mutation) []int {
	if m == nil || m.textErr {
		return nil
	}
	var out []int
	add := func(s string) {
		if n := utf8.RuneCountInString(strings.TrimSpace(s)); n > 0 {
			out = append(out, n)
		}
	}
	var walk func(idx int32, depth int)
	walk = func(idx int32, depth int) {
		if depth > 64 || idx < 0 {
			return
		}
		n := &m.arena.nodes[idx]
		if n.textBad {
			return
		}
		if n.typ == 3 {
			add(n.text)
		}
		for _, c := range m.arena.kids[n.k0:n.k1] {
			walk(c, depth+1)
		}
	}
	for _, a := range m.adds {
		walk(a.node, 0)
	}
	for _, t := range m.texts {
		if t.val != nil {
			add(*t.val)
		}
	}
	return out
}

// stringLengths collects the lengths of every string in a JSON body (or of
// the body itself when it is a plain string).
func stringLengths(body json.RawMessage) map[int]bool {
	out := map[int]bool{}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return out
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 64 {
			return
		}
		switch x := v.(type) {
		case string:
			out[utf8.RuneCountInString(x)] = true
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}
