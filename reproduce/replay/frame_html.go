package replay

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// How a frame's document is written so that a hostile recording cannot
// make it do anything but show text and boxes. The recording is data
// from the page the user was on, and a page can put any string in a tag
// name, an attribute, a text or a style sheet; the rebuilt page must
// never run it, even if a renderer forgot to turn JavaScript off.
//
//   - Names: a tag name that is not a plain HTML/SVG name becomes <span>;
//     an attribute whose name is not a plain name is dropped; so are
//     on* handlers, srcdoc, ping, integrity, crossorigin, nonce,
//     autofocus and rrweb's own rr_* and _cssText (after they are used).
//   - Values: attribute values are always double-quoted with & " < >
//     escaped; text is escaped (& < >). Style sheet text, which the
//     HTML parser does not unescape, has every '<' written as the CSS
//     escape "\3c " so it can never close its <style> or open a tag, in
//     HTML or inside SVG.
//   - URLs: href, src, action, formaction, xlink:href and the other URL
//     attributes keep only http(s), mailto:, tel: and relative URLs
//     (javascript:, data:, vbscript:, blob:, file: are dropped, however
//     spelled with case, spaces or control characters); any attribute
//     whose value is a javascript: or vbscript: URL is dropped too.
//   - Elements: <script>, <noscript>, <template>, <base>, <meta> (the
//     frame writes its own charset), SVG animation (which can set an
//     href), and raw-text oddities (<xmp>, <plaintext>, <noembed>,
//     <noframes>) are left out with their content; <iframe>, <frame>,
//     <object>, <embed>, <applet>, <portal> and <fencedframe> become an
//     empty box of their size (data-repro-removed); comments, CDATA and
//     the recorded doctype are dropped (the frame is always standards
//     mode).
//   - Style sheets: a <link> the SDK inlined (_cssText) becomes a
//     <style> holding that text, as the user's browser had it; a <link
//     rel=stylesheet> it did not inline keeps only rel, href (made
//     absolute against the page URL) and media, so a renderer can fetch
//     it from the app under test; other <link>s (preload, icon,
//     manifest...) are dropped.
//   - Blocked elements (the SDK recorded only their size, rr_width and
//     rr_height) are drawn as hatched boxes of that size
//     (data-repro-blocked).
//   - The frame's head starts with <meta charset>, a <base> on the page
//     URL (http(s) only), a Content-Security-Policy that forbids scripts,
//     plugins, frames, workers and form posts, and a style sheet that
//     stops animations and transitions (a still must not catch one midway).
//   - The target element gets data-repro-target and an inline !important
//     outline; an element with a recorded scroll offset gets
//     data-repro-scroll="x,y" for the renderer to apply.

// frameWriter serializes one frame.
type frameWriter struct {
	b           strings.Builder
	target      int
	targetFound bool
	scrolls     map[int][2]int
	base        *url.URL
	sheets      []string
	inline      int
}

// maxFrameDepth bounds the element nesting written: Chrome's parser
// stops nesting at 512 anyway, and a hostile tree must not recurse
// without bound.
const maxFrameDepth = 400

// Frame markup the renderer and the tests rely on.
const (
	// TargetAttr marks the outlined element.
	TargetAttr = "data-repro-target"
	// ScrollAttr holds an element's recorded scroll offsets, "x,y".
	ScrollAttr = "data-repro-scroll"
	// TargetOutline is the target's inline style.
	TargetOutline = "outline:3px solid #e8590c !important;outline-offset:2px !important"
)

// framePolicy forbids everything but showing: it holds even if a
// renderer runs the document with JavaScript on.
const framePolicy = "default-src * 'unsafe-inline'; script-src 'none'; object-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'; form-action 'none'; base-uri 'none'"

// frameStyle stills the page and draws what the recording left out.
const frameStyle = `*,*::before,*::after{animation-duration:0s!important;animation-delay:0s!important;transition:none!important;caret-color:transparent!important}` +
	`[data-repro-blocked]{background:repeating-linear-gradient(45deg,#d5d9e2 0 6px,#e9ecf1 6px 12px)!important}` +
	`[data-repro-removed]{display:block;background:#e9ecf1!important;border:1px dashed #9aa1b1!important;min-height:16px}`

var (
	// dropped elements are left out with their content.
	droppedTags = set("script", "noscript", "template", "base", "meta", "xmp", "plaintext", "noembed", "noframes",
		"animate", "set", "animatemotion", "animatetransform", "animatecolor", "discard", "param")
	// embedded elements become a box of their size.
	embeddedTags = set("iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe")
	voidTags     = set("area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "base", "param", "keygen")
	// urlAttrs hold one URL (srcset-like lists are checked as a whole).
	urlAttrs = set("href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite", "data",
		"codebase", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "profile", "usemap", "srcset", "imagesrcset", "itemtype")
	droppedAttrs = set("srcdoc", "ping", "integrity", "crossorigin", "nonce", "autofocus", "_csstext", "http-equiv", "is")

	tagName  = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	attrName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.:-]*$`)
	pxSize   = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,4})?px$`)
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// document writes the frame's document from the mirror's root.
func (w *frameWriter) document(root *Node) {
	w.b.WriteString("<!DOCTYPE html>\n<meta charset=\"utf-8\">")
	if w.base != nil {
		w.b.WriteString(`<base href="`)
		w.escape(w.base.String(), true)
		w.b.WriteString(`">`)
	}
	w.b.WriteString(`<meta http-equiv="Content-Security-Policy" content="`)
	w.escape(framePolicy, true)
	w.b.WriteString(`"><style>` + frameStyle + "</style>\n")
	kids := root.Children
	if root.Type != DocumentNode {
		kids = []*Node{root}
	}
	for _, c := range kids {
		w.node(c, nil, 0)
	}
}

func (w *frameWriter) node(n, parent *Node, depth int) {
	switch n.Type {
	case ElementNode:
		if depth < maxFrameDepth {
			w.element(n, depth)
		}
	case TextNode:
		if parent != nil && parent.Tag == "style" {
			w.css(n.Text)
		} else {
			w.escape(n.Text, false)
		}
	}
	// Documents (an iframe's, under its element), doctypes, comments and
	// CDATA are not written.
}

// attr is one attribute to write.
type attr struct{ name, value string }

func (w *frameWriter) element(n *Node, depth int) {
	tag := n.Tag
	switch {
	case droppedTags[tag]:
		return
	case tag == "link":
		w.link(n)
		return
	case embeddedTags[tag]:
		w.removed(n, tag)
		return
	case !tagName.MatchString(tag):
		tag = "span"
	}
	attrs, style := w.attributes(n)
	if n.ID == w.target && w.target != 0 {
		w.targetFound = true
		attrs = append(attrs, attr{TargetAttr, ""})
		style = append(style, TargetOutline)
	}
	if xy, ok := w.scrollOf(n); ok {
		attrs = append(attrs, attr{ScrollAttr, strconv.Itoa(xy[0]) + "," + strconv.Itoa(xy[1])})
	}
	var content *string
	switch tag {
	case "textarea":
		// rrweb keeps a textarea's value (masked) as an attribute.
		if v, ok := n.Attrs["value"]; ok {
			content = &v
			attrs = slices.DeleteFunc(attrs, func(a attr) bool { return a.name == "value" })
		}
	case "style":
		w.inline++
		if css, ok := n.Attrs["_cssText"]; ok {
			content = &css
		}
	}
	w.start(tag, attrs, style)
	if voidTags[tag] {
		return
	}
	switch {
	case content != nil && tag == "style":
		w.css(*content)
	case content != nil:
		w.escape(*content, false)
	default:
		for _, c := range n.Children {
			w.node(c, n, depth+1)
		}
	}
	w.b.WriteString("</" + tag + ">")
}

// scrollOf is the element's scroll offset: recorded by a Scroll event
// since the snapshot, or in the snapshot (rr_scrollLeft/Top).
func (w *frameWriter) scrollOf(n *Node) ([2]int, bool) {
	if xy, ok := w.scrolls[n.ID]; ok {
		return xy, xy != [2]int{}
	}
	x, errX := strconv.Atoi(n.Attrs["rr_scrollLeft"])
	y, errY := strconv.Atoi(n.Attrs["rr_scrollTop"])
	if errX != nil {
		x = 0
	}
	if errY != nil {
		y = 0
	}
	return [2]int{x, y}, x != 0 || y != 0
}

// attributes returns n's attributes that may be written (sorted, for a
// stable document) and the declarations to add to its style.
func (w *frameWriter) attributes(n *Node) ([]attr, []string) {
	var attrs []attr
	var style []string
	blocked := false
	for _, k := range []string{"width", "height"} {
		if v := n.Attrs["rr_"+k]; pxSize.MatchString(v) {
			style = append(style, k+":"+v)
			blocked = true
		}
	}
	for name, v := range n.Attrs {
		lower := strings.ToLower(name)
		switch {
		case strings.HasPrefix(lower, "rr_"), strings.HasPrefix(lower, "on"), droppedAttrs[lower],
			strings.HasPrefix(lower, "data-repro-"), !attrName.MatchString(name):
			continue
		case urlAttrs[lower] && !safeURLValue(lower, v):
			continue
		case scriptURL(v):
			continue
		}
		attrs = append(attrs, attr{name, v})
	}
	slices.SortFunc(attrs, func(a, b attr) int { return strings.Compare(a.name, b.name) })
	if blocked {
		attrs = append(attrs, attr{"data-repro-blocked", ""})
	}
	return attrs, style
}

// start writes a start tag; style is added to the element's own.
func (w *frameWriter) start(tag string, attrs []attr, style []string) {
	w.b.WriteString("<" + tag)
	own := ""
	for _, a := range attrs {
		if strings.EqualFold(a.name, "style") {
			own = a.value
			continue
		}
		w.b.WriteString(" " + a.name)
		if a.value != "" {
			w.b.WriteString(`="`)
			w.escape(a.value, true)
			w.b.WriteString(`"`)
		}
	}
	if own != "" || len(style) > 0 {
		all := own
		for _, s := range style {
			if all != "" && !strings.HasSuffix(strings.TrimSpace(all), ";") {
				all += ";"
			}
			all += s
		}
		w.b.WriteString(` style="`)
		w.escape(all, true)
		w.b.WriteString(`"`)
	}
	w.b.WriteString(">")
}

// link writes a recorded <link>: an inlined sheet as <style>, a linked
// sheet as an absolute <link>, anything else not at all.
func (w *frameWriter) link(n *Node) {
	var attrs []attr
	if m := n.Attrs["media"]; m != "" {
		attrs = append(attrs, attr{"media", m})
	}
	if css, ok := n.Attrs["_cssText"]; ok {
		w.inline++
		w.start("style", attrs, nil)
		w.css(css)
		w.b.WriteString("</style>")
		return
	}
	if !slices.Contains(strings.Fields(strings.ToLower(n.Attrs["rel"])), "stylesheet") {
		return
	}
	href := strings.TrimSpace(n.Attrs["href"])
	if href == "" || !safeURLValue("href", href) {
		return
	}
	u, err := url.Parse(href)
	if err != nil {
		return
	}
	if w.base != nil {
		u = w.base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return
	}
	w.sheets = append(w.sheets, u.String())
	w.start("link", append([]attr{{"href", u.String()}, {"rel", "stylesheet"}}, attrs...), nil)
}

// removed writes the box an embedded element (a frame, a plugin) leaves.
func (w *frameWriter) removed(n *Node, tag string) {
	attrs := []attr{{"data-repro-removed", tag}}
	var style []string
	for _, k := range []string{"class", "id", "style"} {
		if v, ok := n.Attrs[k]; ok {
			attrs = append(attrs, attr{k, v})
		}
	}
	for _, k := range []string{"width", "height"} {
		v := strings.TrimSpace(n.Attrs[k])
		if _, err := strconv.Atoi(v); err == nil {
			v += "px"
		}
		if pxSize.MatchString(v) || strings.HasSuffix(v, "%") && isDigits(strings.TrimSuffix(v, "%")) {
			style = append(style, k+":"+v)
		}
	}
	if n.ID == w.target && w.target != 0 {
		w.targetFound = true
		attrs = append(attrs, attr{TargetAttr, ""})
		style = append(style, TargetOutline)
	}
	w.start("div", attrs, style)
	w.b.WriteString("</div>")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// escape writes s as text (& < >) or as an attribute value (also ").
func (w *frameWriter) escape(s string, quoted bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			if !quoted {
				continue
			}
			rep = "&#34;"
		case 0:
			rep = "\uFFFD"
		default:
			continue
		}
		w.b.WriteString(s[last:i])
		w.b.WriteString(rep)
		last = i + 1
	}
	w.b.WriteString(s[last:])
}

// css writes style sheet text: the HTML parser reads it raw (inside an
// HTML <style>) or unescaped (inside SVG), so no '<' may reach it; the
// CSS escape keeps its meaning in strings and selectors.
func (w *frameWriter) css(s string) {
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	w.b.WriteString(strings.ReplaceAll(s, "<", `\3c `))
}

// safeURLValue reports whether a URL attribute may keep its value: http(s),
// mailto:, tel: or a relative URL. A srcset-like list must hold no
// other scheme anywhere.
func safeURLValue(name, v string) bool {
	norm := normalizeURL(v)
	if name == "srcset" || name == "imagesrcset" {
		for _, bad := range []string{"javascript:", "vbscript:", "data:", "blob:", "file:", "filesystem:"} {
			if strings.Contains(norm, bad) {
				return false
			}
		}
		return true
	}
	i := strings.IndexAny(norm, ":/?#")
	if i < 0 || norm[i] != ':' {
		return true // relative
	}
	switch norm[:i] {
	case "http", "https", "mailto", "tel":
		return true
	}
	return false
}

// scriptURL reports whether v is a javascript: or vbscript: URL.
func scriptURL(v string) bool {
	norm := normalizeURL(v)
	return strings.HasPrefix(norm, "javascript:") || strings.HasPrefix(norm, "vbscript:")
}

// normalizeURL is v as a URL parser sees its scheme: lowercased, without
// ASCII whitespace and control characters anywhere (browsers strip the
// leading and trailing ones and tabs and newlines inside).
func normalizeURL(v string) string {
	var sb strings.Builder
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			continue
		}
		sb.WriteRune(r)
	}
	return strings.ToLower(sb.String())
}
