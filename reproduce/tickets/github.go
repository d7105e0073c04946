package tickets

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// GitHubClient reads and comments on one GitHub issue through the REST
// API (github.com or an Enterprise server).
type GitHubClient struct {
	ref Ref
	api *api
}

// NewGitHub returns a client for ref with token, speaking to the REST API
// at base (GitHubAPIBase).
func NewGitHub(ref Ref, token, base string, opts ...Option) *GitHubClient {
	a := newAPI(GitHub, opts)
	a.base = strings.TrimRight(base, "/")
	if token != "" {
		a.auth = "Bearer " + token
	}
	a.secrets = []string{token}
	a.header.Set("Accept", "application/vnd.github+json")
	a.header.Set("X-GitHub-Api-Version", "2022-11-28")
	a.classify = a.githubError
	return &GitHubClient{ref: ref, api: a}
}

// Ref is the ticket.
func (g *GitHubClient) Ref() Ref { return g.ref }

// Where names the issue and the API.
func (g *GitHubClient) Where() string {
	return fmt.Sprintf("GitHub issue %s (%s, API %s)", g.ref, g.ref.URL, g.api.base)
}

// Body is the comment's Markdown.
func (g *GitHubClient) Body(p Post) string { return p.Markdown() }

func (g *GitHubClient) issuePath() string {
	return fmt.Sprintf("/repos/%s/%s/issues/%d", url.PathEscape(g.ref.Owner), url.PathEscape(g.ref.Repo), g.ref.Number)
}

// Permissions named on 401/403.
const (
	ghRead  = "read access to the repository's issues (fine-grained token: Issues read; classic: repo, or public_repo for a public repository)"
	ghWrite = "write access to the repository's issues (fine-grained token: Issues read and write; classic: repo, or public_repo for a public repository)"
)

type ghComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
}

// Read reads the issue and every page of its comments.
func (g *GitHubClient) Read(ctx context.Context) (*Ticket, error) {
	what := "issue " + g.ref.String()
	var issue struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if _, err := g.api.do(ctx, call{method: http.MethodGet, path: g.issuePath(), permission: ghRead, what: what}, &issue); err != nil {
		return nil, err
	}
	t := &Ticket{Ref: g.ref, Title: issue.Title, Body: issue.Body}
	cs, err := g.comments(ctx)
	if err != nil {
		return nil, err
	}
	t.Comments = cs
	return t, nil
}

var nextPage = regexp.MustCompile(`<([^>]*)>;\s*rel="next"`)

// comments reads every page; of a Link header only the next page's number
// is used, so a page never sends the token elsewhere.
func (g *GitHubClient) comments(ctx context.Context) ([]Comment, error) {
	var out []Comment
	page := 1
	for n := 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("github: issue %s has more than %d pages of comments", g.ref, maxPages)
		}
		var cs []ghComment
		q := url.Values{"per_page": {strconv.Itoa(g.api.perPage)}, "page": {strconv.Itoa(page)}}
		h, err := g.api.do(ctx, call{method: http.MethodGet, path: g.issuePath() + "/comments", query: q, permission: ghRead, what: "issue " + g.ref.String()}, &cs)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out = append(out, Comment{ID: strconv.FormatInt(c.ID, 10), Author: c.User.Login, Body: c.Body})
		}
		m := nextPage.FindStringSubmatch(h.Get("Link"))
		if m == nil {
			return out, nil
		}
		u, err := url.Parse(m[1])
		next, aerr := 0, error(nil)
		if err == nil {
			next, aerr = strconv.Atoi(u.Query().Get("page"))
		}
		if err != nil || aerr != nil || next <= page {
			return nil, fmt.Errorf("github: issue %s: a comment page's Link header names no later page", g.ref)
		}
		page = next
	}
}

// Post adds the comment, or edits the token user's earlier one for the
// same replay.
func (g *GitHubClient) Post(ctx context.Context, p Post) (Posted, error) {
	var me struct {
		Login string `json:"login"`
	}
	if _, err := g.api.do(ctx, call{method: http.MethodGet, path: "/user", permission: "a token that names its user", what: "the token's user"}, &me); err != nil {
		return Posted{}, err
	}
	cs, err := g.comments(ctx)
	if err != nil {
		return Posted{}, err
	}
	body := map[string]string{"body": p.Markdown()}
	var made ghComment
	if old, ok := findMine(cs, me.Login, Marker(p.ReplayID)); ok {
		path := fmt.Sprintf("/repos/%s/%s/issues/comments/%s", url.PathEscape(g.ref.Owner), url.PathEscape(g.ref.Repo), old.ID)
		if _, err := g.api.do(ctx, call{method: http.MethodPatch, path: path, body: body, permission: ghWrite, what: "comment " + old.ID + " on issue " + g.ref.String()}, &made); err != nil {
			return Posted{}, err
		}
		return Posted{CommentID: old.ID, Edited: true}, nil
	}
	if _, err := g.api.do(ctx, call{method: http.MethodPost, path: g.issuePath() + "/comments", body: body, permission: ghWrite, what: "issue " + g.ref.String()}, &made); err != nil {
		return Posted{}, err
	}
	return Posted{CommentID: strconv.FormatInt(made.ID, 10)}, nil
}

// githubError maps an answer to an error, and says how long to wait when
// it is a rate limit: 429, or 403 with X-RateLimit-Remaining: 0 (the
// primary limit) or a "secondary rate limit" message.
func (a *api) githubError(c call, status int, h http.Header, body []byte) (*APIError, time.Duration) {
	var msg struct {
		Message string `json:"message"`
	}
	_ = jsonUnmarshalLoose(body, &msg)
	e := &APIError{Tracker: GitHub, Method: c.method, Path: c.path, Status: status, Detail: oneLine(msg.Message), Permission: c.permission}
	limited := status == http.StatusTooManyRequests ||
		status == http.StatusForbidden && (h.Get("X-RateLimit-Remaining") == "0" || strings.Contains(strings.ToLower(msg.Message), "rate limit"))
	switch {
	case limited:
		e.Err = ErrRateLimited
		e.Hint = "GitHub's rate limit held after retries; wait and run again"
		wait := a.retryAfter(h, "X-RateLimit-Reset")
		if wait == 0 {
			wait = time.Minute // GitHub: without a header, wait at least a minute
		}
		return e, wait
	case status == http.StatusUnauthorized:
		e.Err = ErrUnauthorized
		e.Hint = "GitHub rejected the token; check GH_TOKEN or GITHUB_TOKEN (it needs " + c.permission + ")"
	case status == http.StatusForbidden:
		e.Err = ErrUnauthorized
		e.Hint = "the token lacks " + c.permission
	case status == http.StatusNotFound || status == http.StatusGone:
		e.Err = ErrNotFound
		e.Hint = c.what + " is not visible to the token: it does not exist, was deleted, or is in a private repository the token cannot read"
	case status >= 500:
		e.Err = ErrUnavailable
		e.Hint = "GitHub kept failing after retries; try again later"
	default:
		e.Err = fmt.Errorf("unexpected status %d", status)
	}
	return e, 0
}
