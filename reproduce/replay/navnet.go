package replay

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// navSource says which recorded signal announced a page change.
type navSource int

const (
	navMeta        navSource = iota // rrweb Meta: a page (re)load or a checkout
	navLoadSpan                     // navigation.navigate / navigation.reload
	navBackFwdSpan                  // navigation.back_forward
	navPush                         // navigation.push span or navigation breadcrumb
)

// Echo windows: one page load yields a navigation.navigate span (at the
// navigation start) and a Meta (after load); one pushState yields a span
// and a breadcrumb within a millisecond or two.
const (
	loadDedupe = 30 * time.Second
	pushDedupe = 2 * time.Second
)

// navigate records a page change. Each emitted navigation absorbs one
// echo of itself from the other signal kind (a load span and its Meta, a
// navigation.push span and its breadcrumb); a Meta for the page already
// shown is a checkout, and a push to it is a no-op replaceState.
func (bl *builder) navigate(raw string, src navSource, it item) {
	u, _ := bl.resolve(raw)
	if u == "" {
		bl.warn("malformed_event", it.raw)
		return
	}
	if bl.lastNav >= 0 && !bl.lastNavAbsorbed {
		last := bl.events[bl.lastNav]
		isLoad := func(s navSource) bool { return s == navLoadSpan || s == navBackFwdSpan }
		echo := false
		switch {
		case src == navMeta:
			echo = isLoad(bl.lastNavSrc) && absDur(it.t.Sub(last.Time)) <= loadDedupe
		case isLoad(src):
			echo = bl.lastNavSrc == navMeta && absDur(it.t.Sub(last.Time)) <= loadDedupe
		default:
			echo = bl.lastNavSrc == navPush && absDur(it.t.Sub(last.Time)) <= pushDedupe
		}
		if echo && sameURL(last.Navigation.URL, u) {
			bl.lastNavAbsorbed = true
			return
		}
	}
	if sameURL(bl.pageURL, u) && (src == navMeta || src == navPush) {
		return
	}
	back := bl.hidx > 0 && bl.hidx <= len(bl.history)-1 && sameURL(bl.history[bl.hidx-1], u)
	fwd := bl.hidx+1 < len(bl.history) && sameURL(bl.history[bl.hidx+1], u)
	via := ViaLoad
	switch {
	case back && (src == navPush || src == navBackFwdSpan):
		bl.hidx--
		via = ViaBack
	case fwd && (src == navPush || src == navBackFwdSpan):
		bl.hidx++
		via = ViaForward
	default:
		if src == navPush {
			via = ViaPush
		} else if src == navBackFwdSpan {
			via = ViaBack // direction unknown: the page is not in our history
		}
		if len(bl.history) > 0 {
			bl.history = bl.history[:bl.hidx+1]
		}
		bl.history = append(bl.history, u)
		bl.hidx = len(bl.history) - 1
	}
	if src != navMeta {
		bl.commitByNavigation(u, it.t)
	}
	bl.closeOpen()
	bl.lastNav = bl.emit(Event{Kind: KindNavigation, Time: it.t, Segment: it.seg,
		Navigation: &Navigation{URL: u, From: bl.pageURL, Via: via}}, evMeta{})
	bl.lastNavSrc, bl.lastNavAbsorbed = src, false
	bl.pageURL = u
}

// resolveURL resolves ref against base; an unparsable ref gives "".
func resolveURL(base, ref string) string {
	ref = strings.TrimSpace(ref)
	r, err := url.Parse(ref)
	if err != nil || ref == "" {
		return ""
	}
	if base != "" {
		if b, err := url.Parse(base); err == nil {
			r = b.ResolveReference(r)
		}
	}
	if r.Scheme != "" && r.Host != "" && r.Path == "" {
		r.Path = "/"
	}
	return r.String()
}

// resolved is a URL resolved against a page's, with its path.
type resolved struct{ url, path string }

// resolve is resolveURL against the page's URL, with the result's path
// (url.Parse's), remembered: a long recording resolves the same few API
// URLs on the same page thousands of times.
func (bl *builder) resolve(ref string) (u, path string) {
	key := [2]string{bl.pageURL, ref}
	if r, ok := bl.urls[key]; ok {
		return r.url, r.path
	}
	if bl.urls == nil || len(bl.urls) >= 4096 {
		bl.urls = map[[2]string]resolved{}
	}
	u = resolveURL(bl.pageURL, ref)
	if pu, err := url.Parse(u); err == nil && u != "" {
		path = pu.Path
	}
	bl.urls[key] = resolved{u, path}
	return u, path
}

// sameURL compares two URLs ignoring a trailing "/" on a bare host.
func sameURL(a, b string) bool {
	return a != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// spanPayload is a performanceSpan payload.
type spanPayload struct {
	Op          string          `json:"op"`
	Description string          `json:"description"`
	Start       json.RawMessage `json:"startTimestamp"`
	End         json.RawMessage `json:"endTimestamp"`
	Data        json.RawMessage `json:"data"`
}

// span handles a performanceSpan.
func (bl *builder) span(it item, r *customRead) {
	p := r.span
	if r.spanErr != nil || p.Op == "" {
		bl.warn("malformed_event", it.raw)
		return
	}
	switch {
	case networkOp(p.Op):
		bl.network(it, r)
	case p.Op == "navigation.navigate" || p.Op == "navigation.reload":
		bl.navigate(p.Description, navLoadSpan, bl.spanItem(it, p))
	case p.Op == "navigation.back_forward":
		bl.navigate(p.Description, navBackFwdSpan, bl.spanItem(it, p))
	case p.Op == "navigation.push":
		bl.navigate(p.Description, navPush, bl.spanItem(it, p))
	case strings.HasPrefix(p.Op, "resource."), strings.HasPrefix(p.Op, "navigation."),
		p.Op == "paint", p.Op == "memory", p.Op == "web-vital", p.Op == "largest-contentful-paint",
		p.Op == "cumulative-layout-shift", p.Op == "interaction-to-next-paint", p.Op == "first-input-delay":
	default:
		bl.warn("unknown_span_op", it.raw)
	}
}

// spanItem returns it with its time taken from the span's start when set.
func (bl *builder) spanItem(it item, p spanPayload) item {
	if f, ok := flexFloat(p.Start); ok {
		if t, ok := TimestampToTime(f); ok {
			it.t = t
		}
	}
	return it
}

// networkOp reports whether a span's op is a fetch or an XHR.
func networkOp(op string) bool { return op == "resource.fetch" || op == "resource.xhr" }

// network records a fetch/XHR span.
func (bl *builder) network(it item, r *customRead) {
	p, d := r.span, r.net
	if r.netErr != nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	u, path := bl.resolve(p.Description)
	if u == "" {
		bl.warn("malformed_event", it.raw)
		return
	}
	n := &Network{
		Initiator: strings.TrimPrefix(p.Op, "resource."),
		Method:    strings.ToUpper(firstNonEmpty(d.Method, "GET")),
		URL:       u,
		RawURL:    p.Description,
		Status:    flexInt(d.StatusCode),
		Start:     bl.spanItem(it, p).t,
		Request:   r.req,
		Response:  r.resp,
	}
	n.Path = path
	if f, ok := flexFloat(p.End); ok {
		if end, ok := TimestampToTime(f); ok && end.After(n.Start) {
			n.Duration = end.Sub(n.Start)
		}
	}
	n.Failed = n.Status == 0 || n.Status >= 400
	bl.commitByRequest(n)
	bl.emit(Event{Kind: KindNetwork, Time: n.Start, Segment: it.seg, Network: n}, evMeta{end: n.Start.Add(n.Duration)})
}

// parsePayload reads a request/response detail object; nil when absent.
func parsePayload(raw json.RawMessage) *Payload {
	if jsonKind(raw) != '{' {
		return nil
	}
	var w payloadData
	if payloadDataOf(raw, &w) != nil {
		return nil
	}
	p := &Payload{}
	if len(w.Headers) > 0 {
		p.Headers = make(map[string]string, len(w.Headers))
		for k, v := range w.Headers {
			p.Headers[strings.ToLower(k)] = anyString(v)
		}
	}
	if f, ok := flexFloat(w.Size); ok {
		s := int(f)
		p.Size = &s
	}
	if len(w.Body) > 0 && !isNull(w.Body) {
		p.Body = append(json.RawMessage(nil), w.Body...)
		p.BodyCaptured = true
	}
	for _, v := range w.Meta.Warnings {
		if s := anyString(v); s != "" {
			p.Warnings = append(p.Warnings, s)
		}
	}
	return p
}

// consoleLevel maps console method names to the SDK's level words.
func consoleLevel(l string) string {
	switch l = strings.ToLower(l); l {
	case "warn":
		return "warning"
	case "":
		return "log"
	}
	return l
}

// console records a console breadcrumb.
func (bl *builder) console(it item, bc breadcrumbPayload) {
	c := &Console{Level: consoleLevel(bc.Level), Message: bc.Message}
	var d struct {
		Arguments []json.RawMessage `json:"arguments"`
		Meta      struct {
			Warnings []any `json:"warnings"`
		} `json:"_meta"`
	}
	if len(bc.Data) > 0 {
		_ = json.Unmarshal(bc.Data, &d)
	}
	for _, a := range d.Arguments {
		var s string
		if json.Unmarshal(a, &s) == nil {
			c.Args = append(c.Args, s)
		} else {
			c.Args = append(c.Args, string(a))
		}
	}
	for _, w := range d.Meta.Warnings {
		if anyString(w) == "CONSOLE_ARG_TRUNCATED" {
			c.Truncated = true
		}
	}
	bl.emit(Event{Kind: KindConsole, Time: it.t, Segment: it.seg, Console: c}, evMeta{})
}
