package sentryapi

import (
	"context"
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

// pageError is a page of a listing that could not be fetched; it reads as
// its cause, and says which page failed so a caller can keep the pages
// before it (AllowPartial).
type pageError struct {
	page int // 0-based
	err  error
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// eachPage requests cl, then every next page Sentry's Link header announces
// (rel="next" with results="true"), handing each answer to fn, until fn
// says it has enough, the pages end, a cursor repeats, or c.maxPages pages
// were read and Sentry still announces more (a *LimitError naming what).
// A request that fails comes back as a *pageError; fn's own error comes back
// as it is. Only the cursor of a Link is used: every page goes to cl.base,
// so a Link URL on another scheme or host is never followed (and never
// receives the token).
func (c *Client) eachPage(ctx context.Context, cl call, fn func(page int, resp *response) (more bool, err error)) error {
	q := url.Values{}
	for k, v := range cl.query {
		q[k] = append([]string(nil), v...)
	}
	cl.query = q
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page >= c.maxPages {
			return &LimitError{Limit: LimitPages, Max: int64(c.maxPages), What: cl.what}
		}
		resp, err := c.do(ctx, cl)
		if err != nil {
			return &pageError{page: page, err: err}
		}
		more, err := fn(page, resp)
		if err != nil || !more {
			return err
		}
		cursor, next := nextCursor(resp.header.Get("Link"))
		if !next || seen[cursor] {
			return nil
		}
		seen[cursor] = true
		q.Set("cursor", cursor)
	}
}
