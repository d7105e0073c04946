package replay

import (
	"net/url"
	"strconv"
	"strings"
)

// target describes the element with rrweb id nodeID as the mirror holds it
// now, completed with what the breadcrumb recorded (dd, selector).
func (bl *builder) target(nodeID int, dd domData, selector string) Target {
	t := Target{NodeID: nodeID, Selector: selector}
	n := bl.mirror.Node(nodeID)
	if n != nil && n.Type == ElementNode {
		t.InDOM = bl.attached(n)
		t.Tag = n.Tag
		t.ID = n.Attr("id")
		t.Classes = n.Classes()
		t.TestID = firstNonEmpty(n.Attr("data-testid"), n.Attr("data-test-id"), n.Attr("data-test"))
		t.Component = n.Attr("data-sentry-component")
		t.Role = n.Attr("role")
		t.Name = n.Attr("name")
		t.AriaLabel = n.Attr("aria-label")
		t.Title = n.Attr("title")
		t.Alt = n.Attr("alt")
		t.Type = n.Attr("type")
		t.Href = n.Attr("href")
		t.Text = n.DirectText()
		anc := n.Ancestors()
		t.Path = n.path(anc)
		t.NthOfType = n.NthOfType()
		if len(anc) > 0 {
			t.Ancestry = make([]Element, len(anc))
			for i, a := range anc {
				t.Ancestry[i] = Element{Tag: a.Tag, ID: a.Attr("id"), Classes: a.Classes(), NthOfType: a.NthOfType()}
			}
		}
	}
	if dd.Node != nil {
		attr := func(k string) string { return anyString(dd.Node.Attributes[k]) }
		fillTarget(&t, Target{
			Tag:       strings.ToLower(dd.Node.TagName),
			ID:        attr("id"),
			Classes:   strings.Fields(attr("class")),
			TestID:    firstNonEmpty(attr("testId"), attr("data-testid"), attr("data-test-id")),
			Component: attr("data-sentry-component"),
			Role:      attr("role"),
			Name:      attr("name"),
			AriaLabel: attr("aria-label"),
			Title:     attr("title"),
			Alt:       attr("alt"),
			Type:      attr("type"),
			Text:      strings.TrimSpace(dd.Node.TextContent),
		})
	}
	t.TextMasked = isMasked(t.Text)
	t.Candidates = bl.candidates(t)
	return t
}

// attached reports whether n hangs under the mirror's document.
func (bl *builder) attached(n *Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == bl.mirror.Root() {
			return true
		}
	}
	return false
}

// fillTarget copies into dst every field dst lacks.
func fillTarget(dst *Target, src Target) {
	set := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	if dst.NodeID == 0 {
		dst.NodeID = src.NodeID
	}
	set(&dst.Tag, src.Tag)
	set(&dst.ID, src.ID)
	if len(dst.Classes) == 0 {
		dst.Classes = src.Classes
	}
	set(&dst.TestID, src.TestID)
	set(&dst.Component, src.Component)
	set(&dst.Role, src.Role)
	set(&dst.Name, src.Name)
	set(&dst.AriaLabel, src.AriaLabel)
	set(&dst.Title, src.Title)
	set(&dst.Alt, src.Alt)
	set(&dst.Type, src.Type)
	set(&dst.Href, src.Href)
	set(&dst.Text, src.Text)
	dst.TextMasked = isMasked(dst.Text)
	set(&dst.Selector, src.Selector)
	set(&dst.Path, src.Path)
	if dst.NthOfType == 0 {
		dst.NthOfType = src.NthOfType
	}
	if len(dst.Ancestry) == 0 {
		dst.Ancestry = src.Ancestry
	}
	if len(dst.Candidates) == 0 {
		dst.Candidates = src.Candidates
	}
	dst.InDOM = dst.InDOM || src.InDOM
}

// count is Mirror.Count remembered until the mirror changes: a click's
// rrweb event and its breadcrumb, and the steps on one element between two
// mutations, count the same selectors in the same tree (about half of a
// long recording's counts). The builder changes its mirror only through
// snapshots and mutations, which move its gen.
func (bl *builder) count(sel string) (int, error) {
	if bl.counts == nil || bl.countGen != bl.mirror.gen {
		if bl.counts == nil || len(bl.counts) > 256 {
			bl.counts = map[string]int{}
		} else {
			clear(bl.counts)
		}
		bl.countGen = bl.mirror.gen
	}
	if n, ok := bl.counts[sel]; ok {
		return n, nil
	}
	n, err := bl.mirror.Count(sel)
	if err == nil {
		bl.counts[sel] = n
	}
	return n, err
}

// candidates lists selectors that could find t again, most specific
// first, each with its match count in the recorded DOM now (-1 when there
// is no recorded DOM to count in, or the counting budget is spent).
func (bl *builder) candidates(t Target) []Candidate {
	var out []Candidate
	add := func(kind, sel string) {
		if sel == "" {
			return
		}
		for _, c := range out {
			if c.Selector == sel {
				return
			}
		}
		c := Candidate{Selector: sel, Kind: kind, Matches: -1}
		if bl.mirror.Root() != nil && bl.countBudget >= bl.mirror.Len() {
			bl.countBudget -= bl.mirror.Len()
			if n, err := bl.count(sel); err == nil {
				c.Matches = n
			} else {
				return
			}
		}
		out = append(out, c)
	}
	if t.ID != "" {
		if isIdent(t.ID) {
			add("id", "#"+t.ID)
		} else {
			add("id", attrSelector("", "id", t.ID))
		}
	}
	if t.TestID != "" {
		add("testid", attrSelector("", "data-testid", t.TestID))
	}
	if t.Component != "" {
		add("component", attrSelector("", "data-sentry-component", t.Component))
	}
	if t.Name != "" && t.Tag != "" {
		add("name", attrSelector(t.Tag, "name", t.Name))
	}
	if t.Role != "" {
		add("role", attrSelector(t.Tag, "role", t.Role))
	}
	if t.Tag == "a" && t.Href != "" && !unsafeHref(t.Href) {
		// The recording absolutizes hrefs onto the recorded origin, and the
		// app under test is reached at another: match the path's end.
		if p := hrefPath(t.Href); p != "" {
			add("href", `a[href$="`+strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), `"`, `\"`)+`"]`)
		}
	}
	if t.Tag != "" && len(t.Classes) > 0 {
		sel := cssIdent(t.Tag)
		for _, c := range t.Classes {
			if isIdent(c) && !GeneratedClass(c) {
				sel += "." + c
			}
		}
		if sel != t.Tag {
			add("class", sel)
		}
	}
	add("path", t.Path)
	if t.Tag != "" && t.NthOfType > 0 && len(t.Ancestry) > 0 {
		p := t.Ancestry[len(t.Ancestry)-1]
		parent := cssIdent(p.Tag)
		if p.ID != "" && isIdent(p.ID) {
			parent += "#" + p.ID
		}
		add("nth", parent+" > "+cssIdent(t.Tag)+":nth-of-type("+strconv.Itoa(t.NthOfType)+")")
	}
	return out
}

// attrSelector builds tag[name="value"] with the value quoted.
func attrSelector(tag, name, value string) string {
	if tag != "" && !isIdent(tag) {
		tag = ""
	}
	v := strings.ReplaceAll(strings.ReplaceAll(value, `\`, `\\`), `"`, `\"`)
	return tag + "[" + name + `="` + v + `"]`
}

// GeneratedClass reports whether a class name looks generated by a build
// (CSS Modules, CSS-in-JS, a minifier) rather than written by a person:
// such names change whenever the styles or the build change, so a
// selector built on them finds nothing in the next build. Recognised:
// one- or two-letter names (minified), the prefixes CSS-in-JS libraries
// use (css-, sc-, jsx-, svelte-, emotion-, styled-, makeStyles-), and a
// hash segment — five or more letters and digits with at least two digits
// — at the end of the name (Button_primary__3xK9z, _a1b2c3d).
func GeneratedClass(c string) bool {
	if len(c) <= 2 {
		return true
	}
	for _, p := range []string{"css-", "sc-", "jsx-", "svelte-", "emotion-", "styled-", "makeStyles-"} {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	seg := c
	if i := strings.LastIndexAny(c, "_-"); i >= 0 {
		seg = c[i+1:]
	}
	if len(seg) < 5 {
		return false
	}
	digits := 0
	for _, r := range seg {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		default:
			return false
		}
	}
	return digits >= 2 && digits < len(seg)
}

// hrefPath is an href's path, query and fragment ("" when it has no
// path beyond "/").
func hrefPath(h string) string {
	u, err := url.Parse(strings.TrimSpace(h))
	if err != nil {
		return ""
	}
	u.Scheme, u.Host, u.User = "", "", nil
	p := u.String()
	if p == "" || p == "/" {
		return ""
	}
	return p
}

// unsafeHref reports an href no selector should carry: a script URL or an
// inline document.
func unsafeHref(h string) bool {
	l := strings.ToLower(strings.TrimSpace(h))
	return strings.HasPrefix(l, "javascript:") || strings.HasPrefix(l, "data:") || strings.HasPrefix(l, "vbscript:")
}
