package replay

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file holds the words the later stages share to describe what a
// timeline holds: the story, the plan and the generated tests name a
// target, a key, a URL, a duration and an offset the same way.

// RageClickCount is the click count from which Sentry calls a rage click.
const RageClickCount = 5

// DescribeTarget names an element the way an engineer would look for it:
// tag#id.class [testid] "text" (text as recorded, so masked stays masked).
func DescribeTarget(t Target) string {
	var sb strings.Builder
	tag := t.Tag
	if tag == "" {
		tag = "element"
	}
	sb.WriteString(tag)
	switch {
	case t.ID != "":
		sb.WriteString("#" + t.ID)
	case t.TestID != "":
		fmt.Fprintf(&sb, `[data-testid=%q]`, t.TestID)
	case t.Component != "":
		fmt.Fprintf(&sb, `[data-sentry-component=%q]`, t.Component)
	case t.Name != "":
		fmt.Fprintf(&sb, `[name=%q]`, t.Name)
	case len(stableClasses(t.Classes)) > 0:
		sb.WriteString("." + strings.Join(stableClasses(t.Classes), "."))
	case t.Tag == "a" && t.Href != "":
		fmt.Fprintf(&sb, `[href=%q]`, DisplayURL(t.Href, t.Href))
	case t.Type != "" && t.Tag == "input":
		fmt.Fprintf(&sb, `[type=%q]`, t.Type)
	}
	if txt := strings.TrimSpace(t.Text); txt != "" {
		sb.WriteString(" " + Quote(txt, 40))
	}
	if t.ID == "" && t.TestID == "" {
		// An anonymous element is easier to find by its nearest named
		// ancestor: "div.thumb in a#shot-42".
		for i := len(t.Ancestry) - 1; i >= 0; i-- {
			if a := t.Ancestry[i]; a.ID != "" {
				sb.WriteString(" in " + a.Tag + "#" + a.ID)
				break
			}
		}
	}
	return sb.String()
}

// stableClasses drops generated class names (CSS Modules, CSS-in-JS,
// minified): they say nothing to a reader and change with every build.
func stableClasses(cs []string) []string {
	var out []string
	for _, c := range cs {
		if !GeneratedClass(c) {
			out = append(out, c)
		}
	}
	return out
}

// KeyCombo writes a key with its modifiers: Ctrl+Shift+K.
func KeyCombo(k *Key) string {
	var parts []string
	for _, m := range []struct {
		on   bool
		name string
	}{{k.Ctrl, "Ctrl"}, {k.Alt, "Alt"}, {k.Shift, "Shift"}, {k.Meta, "Meta"}} {
		if m.on {
			parts = append(parts, m.name)
		}
	}
	return strings.Join(append(parts, k.Key), "+")
}

// DisplayURL shortens a URL on the replay's own origin to its path.
func DisplayURL(raw, base string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	b, err := url.Parse(base)
	if err == nil && b.Host == u.Host && b.Scheme == u.Scheme {
		// Hash routes are where the user was: show them as the address
		// bar did (/#/editor).
		if strings.HasPrefix(u.Fragment, "/") || strings.HasPrefix(u.Fragment, "!/") {
			return u.RequestURI() + "#" + u.Fragment
		}
		return u.RequestURI()
	}
	return raw
}

// FormatDuration prints a duration for people: 4.5s, 120ms, 1m05s.
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// FormatOffset prints an offset from the replay start as mm:ss.t.
func FormatOffset(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	tenths := d.Milliseconds() / 100
	// fmt.Sprintf("%02d:%02d.%d", …) by hand: a long replay's story has
	// tens of thousands of lines.
	b := make([]byte, 0, 8)
	if m := tenths / 600; m < 10 {
		b = append(b, '0', byte('0'+m))
	} else {
		b = strconv.AppendInt(b, m, 10)
	}
	sec := (tenths / 10) % 60
	return string(append(b, ':', byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+tenths%10)))
}

// Quote quotes recorded text for a description, its spaces collapsed and
// cut to max runes.
func Quote(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// StatusText is an HTTP status for people: the code, or what a 0 means.
func StatusText(code int) string {
	if code == 0 {
		return "no status (network error or aborted)"
	}
	return fmt.Sprintf("%d", code)
}
