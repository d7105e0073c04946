package tickets

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// JiraClient reads and comments on one Jira issue through the REST API on
// the ticket's own host: v3 with ADF bodies on Jira Cloud (an email and
// API token, basic auth), v2 with wiki markup on Data Center (a personal
// access token, bearer).
type JiraClient struct {
	ref   Ref
	cloud bool
	api   *api
}

// NewJira returns a client for ref. With email set it speaks to Jira
// Cloud (basic auth, REST v3, ADF); without, to Data Center (bearer PAT,
// REST v2, wiki markup).
func NewJira(ref Ref, token, email string, opts ...Option) *JiraClient {
	a := newAPI(Jira, opts)
	cloud := email != ""
	version := "2"
	if cloud {
		version = "3"
	}
	a.base = strings.TrimRight(ref.Site, "/") + "/rest/api/" + version
	basic := base64.StdEncoding.EncodeToString([]byte(email + ":" + token))
	switch {
	case token == "":
	case cloud:
		a.auth = "Basic " + basic
	default:
		a.auth = "Bearer " + token
	}
	a.secrets = []string{token, basic}
	a.header.Set("Accept", "application/json")
	a.classify = a.jiraError
	return &JiraClient{ref: ref, cloud: cloud, api: a}
}

// Ref is the ticket.
func (j *JiraClient) Ref() Ref { return j.ref }

// Where names the issue, the API and the body format.
func (j *JiraClient) Where() string {
	format := "wiki markup (Data Center, REST v2)"
	if j.cloud {
		format = "ADF (Cloud, REST v3)"
	}
	return fmt.Sprintf("Jira issue %s (%s, API %s, %s)", j.ref.Key, j.ref.URL, j.api.base, format)
}

// Body is the comment as posted: ADF JSON on Cloud, wiki markup on Data Center.
func (j *JiraClient) Body(p Post) string {
	if j.cloud {
		return p.ADF()
	}
	return p.Wiki()
}

func (j *JiraClient) body(p Post) map[string]any {
	if j.cloud {
		return map[string]any{"body": p.adf}
	}
	return map[string]any{"body": p.wiki}
}

// JiraMarkerKey is the comment property that marks repro's comment for a
// replay on Jira ({"replay_id": "<id>"}): Jira renders no hidden text
// (wiki markup and ADF have no comments), so the marker is a property of
// the comment, set when it is added (Add comment's "properties") and read
// with GET /comment/{id}/properties/{key}; readers never see it.
const JiraMarkerKey = "repro.verdict"

type jiraMarker struct {
	ReplayID string `json:"replay_id"`
}

// newBody is body plus the marker property, for a new comment.
func (j *JiraClient) newBody(p Post) any {
	b := j.body(p)
	b["properties"] = []any{map[string]any{"key": JiraMarkerKey, "value": jiraMarker{ReplayID: p.ReplayID}}}
	return b
}

// mine is the token user's latest comment whose marker property names
// replayID; comments of others are never read, or edited.
func (j *JiraClient) mine(ctx context.Context, cs []Comment, me, replayID string) (Comment, bool, error) {
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if me == "" || c.Author != me {
			continue
		}
		var prop struct {
			Value jiraMarker `json:"value"`
		}
		path := j.commentPath(c.ID) + "/properties/" + url.PathEscape(JiraMarkerKey)
		if _, err := j.api.do(ctx, call{method: http.MethodGet, path: path, permission: jiraRead, what: "comment " + c.ID + " on issue " + j.ref.Key}, &prop); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue // a comment of the user's own, not repro's
			}
			return Comment{}, false, err
		}
		if prop.Value.ReplayID == replayID {
			return c, true, nil
		}
	}
	return Comment{}, false, nil
}

// Permissions named on 401/403 (Jira's own permission names).
const (
	jiraRead  = "the Browse Projects permission in the issue's project"
	jiraWrite = "the Add Comments permission (and Edit Own Comments to update repro's comment) in the issue's project"
)

type jiraComment struct {
	ID     string          `json:"id"`
	Body   json.RawMessage `json:"body"`
	Author struct {
		AccountID string `json:"accountId"`
		Name      string `json:"name"`
	} `json:"author"`
}

func (c jiraComment) comment() Comment {
	author := c.Author.AccountID
	if author == "" {
		author = c.Author.Name
	}
	return Comment{ID: c.ID, Author: author, Body: richText(c.Body)}
}

// richText is a body as text: a wiki-markup string as it is, an ADF
// document as its text and the targets of its links and cards.
func richText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch n := v.(type) {
		case map[string]any:
			if t, ok := n["text"].(string); ok {
				b.WriteString(t)
			}
			if attrs, ok := n["attrs"].(map[string]any); ok {
				for _, k := range []string{"url", "href"} {
					if u, ok := attrs[k].(string); ok {
						b.WriteString(" " + u + " ")
					}
				}
			}
			for _, k := range []string{"marks", "content"} {
				walk(n[k])
			}
			if n["type"] == "paragraph" || n["type"] == "heading" || n["type"] == "hardBreak" {
				b.WriteString("\n")
			}
		case []any:
			for _, x := range n {
				walk(x)
			}
		}
	}
	walk(doc)
	return b.String()
}

func (j *JiraClient) issuePath() string { return "/issue/" + url.PathEscape(j.ref.Key) }

// commentPath is a comment's own resource (its properties hang there).
func (j *JiraClient) commentPath(id string) string { return "/comment/" + url.PathEscape(id) }

// Read reads the summary, description and every page of comments.
func (j *JiraClient) Read(ctx context.Context) (*Ticket, error) {
	var issue struct {
		Fields struct {
			Summary     string          `json:"summary"`
			Description json.RawMessage `json:"description"`
		} `json:"fields"`
	}
	q := url.Values{"fields": {"summary,description"}}
	if _, err := j.api.do(ctx, call{method: http.MethodGet, path: j.issuePath(), query: q, permission: jiraRead, what: "issue " + j.ref.Key}, &issue); err != nil {
		return nil, err
	}
	t := &Ticket{Ref: j.ref, Title: issue.Fields.Summary, Body: richText(issue.Fields.Description)}
	cs, err := j.comments(ctx)
	if err != nil {
		return nil, err
	}
	t.Comments = cs
	return t, nil
}

// comments reads every page (startAt/maxResults/total).
func (j *JiraClient) comments(ctx context.Context) ([]Comment, error) {
	var out []Comment
	start := 0
	for n := 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("jira: issue %s has more than %d pages of comments", j.ref.Key, maxPages)
		}
		var page struct {
			StartAt    int           `json:"startAt"`
			MaxResults int           `json:"maxResults"`
			Total      int           `json:"total"`
			Comments   []jiraComment `json:"comments"`
		}
		q := url.Values{"startAt": {strconv.Itoa(start)}, "maxResults": {strconv.Itoa(j.api.perPage)}}
		if _, err := j.api.do(ctx, call{method: http.MethodGet, path: j.issuePath() + "/comment", query: q, permission: jiraRead, what: "issue " + j.ref.Key}, &page); err != nil {
			return nil, err
		}
		for _, c := range page.Comments {
			out = append(out, c.comment())
		}
		start += len(page.Comments)
		if len(page.Comments) == 0 || start >= page.Total {
			return out, nil
		}
	}
}

// Post adds the comment, or edits the token user's earlier one for the
// same replay.
func (j *JiraClient) Post(ctx context.Context, p Post) (Posted, error) {
	var me struct {
		AccountID string `json:"accountId"`
		Name      string `json:"name"`
	}
	if _, err := j.api.do(ctx, call{method: http.MethodGet, path: "/myself", permission: "a valid token", what: "the token's user"}, &me); err != nil {
		return Posted{}, err
	}
	who := me.AccountID
	if who == "" {
		who = me.Name
	}
	cs, err := j.comments(ctx)
	if err != nil {
		return Posted{}, err
	}
	var made jiraComment
	old, ok, err := j.mine(ctx, cs, who, p.ReplayID)
	if err != nil {
		return Posted{}, err
	}
	if ok {
		path := j.issuePath() + "/comment/" + url.PathEscape(old.ID)
		if _, err := j.api.do(ctx, call{method: http.MethodPut, path: path, body: j.body(p), permission: jiraWrite, what: "comment " + old.ID + " on issue " + j.ref.Key}, &made); err != nil {
			return Posted{}, err
		}
		return Posted{CommentID: old.ID, Edited: true}, nil
	}
	if _, err := j.api.do(ctx, call{method: http.MethodPost, path: j.issuePath() + "/comment", body: j.newBody(p), permission: jiraWrite, what: "issue " + j.ref.Key}, &made); err != nil {
		return Posted{}, err
	}
	return Posted{CommentID: made.ID}, nil
}

// jiraError maps an answer to an error; 429 (and 503 with Retry-After)
// are retried after the time Jira asks for.
func (a *api) jiraError(c call, status int, h http.Header, body []byte) (*APIError, time.Duration) {
	var msg struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
		Message       string            `json:"message"`
	}
	_ = jsonUnmarshalLoose(body, &msg)
	detail := strings.Join(msg.ErrorMessages, "; ")
	for k, v := range msg.Errors {
		detail += "; " + k + ": " + v
	}
	if detail == "" {
		detail = msg.Message
	}
	e := &APIError{Tracker: Jira, Method: c.method, Path: c.path, Status: status, Detail: oneLine(strings.TrimPrefix(detail, "; ")), Permission: c.permission}
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable && h.Get("Retry-After") != "":
		e.Err = ErrRateLimited
		e.Hint = "Jira's rate limit held after retries; wait and run again"
		wait := a.retryAfter(h, "")
		if wait == 0 {
			wait = a.baseDelay
		}
		return e, wait
	case status == http.StatusUnauthorized:
		e.Err = ErrUnauthorized
		e.Hint = "Jira rejected the token; check JIRA_API_TOKEN (and JIRA_EMAIL for Jira Cloud; unset it for a Data Center personal access token)"
	case status == http.StatusForbidden:
		e.Err = ErrUnauthorized
		e.Hint = "the token's user lacks " + c.permission
	case status == http.StatusNotFound:
		e.Err = ErrNotFound
		e.Hint = c.what + " is not visible to the token: it does not exist, or the token's user may not browse its project"
	case status >= 500:
		e.Err = ErrUnavailable
		e.Hint = "Jira kept failing after retries; try again later"
	default:
		e.Err = fmt.Errorf("unexpected status %d", status)
	}
	return e, 0
}

// jsonUnmarshalLoose decodes what it can of an error body.
func jsonUnmarshalLoose(b []byte, v any) error { return json.Unmarshal(b, v) }
