package sentryapi

import (
	"net/url"
	"strings"
)

// pageLink is one entry of Sentry's Link header:
// <url>; rel="next"; results="true"; cursor="0:100:0".
type pageLink struct {
	URL     string
	Rel     string
	Results bool
	Cursor  string
}

// parseLinks parses a Link header. URLs may contain commas (queries like
// replayId:[a,b]), so entries are split on '<', not on ','.
func parseLinks(h string) []pageLink {
	var links []pageLink
	for {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			return links
		}
		h = h[i+1:]
		j := strings.IndexByte(h, '>')
		if j < 0 {
			return links
		}
		l := pageLink{URL: h[:j]}
		h = h[j+1:]
		params := h
		if k := strings.IndexByte(h, '<'); k >= 0 {
			params = h[:k]
		}
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok {
				continue
			}
			v = strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ",")), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "rel":
				l.Rel = v
			case "results":
				l.Results = v == "true"
			case "cursor":
				l.Cursor = v
			}
		}
		if l.Cursor == "" {
			if u, err := url.Parse(l.URL); err == nil {
				l.Cursor = u.Query().Get("cursor")
			}
		}
		links = append(links, l)
	}
}

// nextCursor returns the cursor of rel="next" when it has results.
func nextCursor(h string) (string, bool) {
	for _, l := range parseLinks(h) {
		if l.Rel == "next" {
			return l.Cursor, l.Results && l.Cursor != ""
		}
	}
	return "", false
}
