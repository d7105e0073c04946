package tickets_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/tickets"
	"github.com/repro-dev/repro/reproduce/tickets/tickettest"
)

// newJira starts a fake Jira, Cloud or Data Center, with issue SHOP-12
// whose description links the image-chat replay.
func newJira(t *testing.T, cloud bool) (*tickettest.Jira, tickets.Ref, *tickets.JiraClient) {
	j := tickettest.NewJira(t, cloud)
	j.AddUser("repro-bot", "bot@acme.example", jiraToken, true, true)
	var desc any = "It doesn't work. Replay https://acme.sentry.io/replays/aad5acad5eac456d9c1478f10cb6584b/"
	if cloud {
		desc = map[string]any{"version": 1, "type": "doc", "content": []any{map[string]any{"type": "paragraph", "content": []any{
			map[string]any{"type": "text", "text": "It doesn't work. "},
			map[string]any{"type": "inlineCard", "attrs": map[string]any{"url": "https://acme.sentry.io/replays/aad5acad5eac456d9c1478f10cb6584b/"}},
		}}}}
	}
	j.AddIssue("SHOP-12", "Image chat: nothing happens", desc)
	ref := mustRef(t, j.URL+"/browse/SHOP-12")
	email := ""
	if cloud {
		email = "bot@acme.example"
	}
	return j, ref, tickets.NewJira(ref, jiraToken, email)
}

func TestJiraReadsTheIssueAndEveryPageOfComments(t *testing.T) {
	for _, cloud := range []bool{true, false} {
		t.Run(map[bool]string{true: "cloud", false: "data center"}[cloud], func(t *testing.T) {
			j, _, c := newJira(t, cloud)
			j.SetMaxResults(2)
			for i := range 4 {
				var body any = fmt.Sprintf("comment %d", i)
				if cloud {
					body = tickettest.ADFText(fmt.Sprintf("comment %d", i))
				}
				j.AddComment("SHOP-12", "dana", body)
			}
			var last any = "see also 0123456789abcdef0123456789abcdef"
			if cloud {
				last = tickettest.ADFText("see also 0123456789abcdef0123456789abcdef")
			}
			j.AddComment("SHOP-12", "dana", last)
			tk, err := c.Read(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "Image chat: nothing happens", tk.Title)
			require.Len(t, tk.Comments, 5)
			assert.Contains(t, tk.Comments[0].Body, "comment 0")
			found := tickets.Find(tk)
			require.Len(t, found, 2, "the description's replay (a card on Cloud) and the last comment's id")
			assert.Equal(t, "body", found[0].Where)
			assert.Equal(t, "comment 5", found[1].Where)

			wantAuth := "Bearer " + jiraToken
			wantPath := "/rest/api/2/issue/SHOP-12"
			if cloud {
				wantAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte("bot@acme.example:"+jiraToken))
				wantPath = "/rest/api/3/issue/SHOP-12"
			}
			pages := 0
			for _, r := range j.Requests() {
				assert.Equal(t, wantAuth, r.Authorization)
				if r.Path == wantPath+"/comment" {
					pages++
				}
			}
			assert.Equal(t, 3, pages, "5 comments, 2 a page (startAt, total)")
		})
	}
}

// TestJiraPostsOnceThenEditsItsOwnComment: the second post edits repro's
// first comment, found by its marker property (JiraMarkerKey), which no
// reader sees: the text holds no marker. A comment the token's user wrote
// by hand, and one by someone else quoting the old text marker, are left
// alone.
func TestJiraPostsOnceThenEditsItsOwnComment(t *testing.T) {
	for _, cloud := range []bool{true, false} {
		t.Run(map[bool]string{true: "cloud", false: "data center"}[cloud], func(t *testing.T) {
			j, _, c := newJira(t, cloud)
			var note, quote any = "a note by the bot's user", "quoting: " + tickets.Marker("aad5acad5eac456d9c1478f10cb6584b")
			if cloud {
				note, quote = tickettest.ADFText(note.(string)), tickettest.ADFText(quote.(string))
			}
			j.AddComment("SHOP-12", "repro-bot", note)
			j.AddComment("SHOP-12", "dana", quote)
			rep := reportOf(t, imagechatBug)
			post, err := tickets.NewPost(rep, tickets.Outputs{RegressionTest: "/tmp/regression"})
			require.NoError(t, err)
			first, err := c.Post(context.Background(), post)
			require.NoError(t, err)
			assert.False(t, first.Edited)
			rep.Verdict.Value = "not_reproduced"
			post, err = tickets.NewPost(rep, tickets.Outputs{})
			require.NoError(t, err)
			second, err := c.Post(context.Background(), post)
			require.NoError(t, err)
			assert.True(t, second.Edited)
			assert.Equal(t, first.CommentID, second.CommentID)
			cs := j.Comments("SHOP-12")
			require.Len(t, cs, 3)
			assert.Equal(t, note, cs[0].Body, "the user's own note is not repro's comment")
			assert.Equal(t, quote, cs[1].Body)
			assert.Equal(t, first.CommentID, cs[2].ID)
			assert.Equal(t, map[string]any{"replay_id": "aad5acad5eac456d9c1478f10cb6584b"}, cs[2].Properties[tickets.JiraMarkerKey], "the marker is a comment property")
			assert.NotContains(t, c.Body(post), "repro-verdict", "no marker in the text readers see")
			if cloud {
				doc, ok := cs[2].Body.(map[string]any)
				require.True(t, ok, "an ADF document on Cloud")
				assert.Equal(t, "doc", doc["type"])
				assert.Contains(t, c.Body(post), `"text": "🟢 repro: not reproduced"`)
			} else {
				body, ok := cs[2].Body.(string)
				require.True(t, ok, "wiki markup on Data Center")
				assert.Contains(t, body, "h3. 🟢 repro: *not reproduced*")
			}
		})
	}
}

func TestJiraErrorsSayWhatToDo(t *testing.T) {
	rep := reportOf(t, imagechatBug)
	post, err := tickets.NewPost(rep, tickets.Outputs{})
	require.NoError(t, err)
	cases := []struct {
		name   string
		token  string
		email  string
		setup  func(j *tickettest.Jira)
		post   bool
		err    error
		msg    string
		sleeps []time.Duration
	}{
		{name: "no token", err: tickets.ErrConfig, msg: "JIRA_API_TOKEN"},
		{name: "bad token", token: "wrong-token-000000", err: tickets.ErrUnauthorized, msg: "check JIRA_API_TOKEN (and JIRA_EMAIL for Jira Cloud"},
		{name: "cloud token sent as a bearer PAT", token: jiraToken, email: "-", err: tickets.ErrUnauthorized, msg: "JIRA_EMAIL"},
		{name: "user without Add Comments", token: "reader-token-00000", post: true, err: tickets.ErrUnauthorized, msg: "lacks the Add Comments permission"},
		{name: "issue not visible", token: "outsider-token-000", err: tickets.ErrNotFound, msg: "issue SHOP-12 is not visible to the token"},
		{name: "429 with Retry-After", token: jiraToken, setup: func(j *tickettest.Jira) {
			j.Fail(tickettest.Fault{Status: 429, Header: map[string]string{"Retry-After": "5"}})
		}, sleeps: []time.Duration{5 * time.Second}},
		{name: "rate limited past the wait cap", token: jiraToken, setup: func(j *tickettest.Jira) {
			j.Fail(tickettest.Fault{Status: 429, Header: map[string]string{"Retry-After": "3600"}})
		}, err: tickets.ErrRateLimited, msg: "more than the 1m0s limit"},
		{name: "5xx on a post is not retried", token: jiraToken, post: true, setup: func(j *tickettest.Jira) {
			j.Fail(tickettest.Fault{Status: 502, Match: "POST"})
		}, err: tickets.ErrUnavailable, msg: "HTTP 502"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := tickettest.NewJira(t, true)
			j.AddUser("repro-bot", "bot@acme.example", jiraToken, true, true)
			j.AddUser("reader", "reader@acme.example", "reader-token-00000", true, false)
			j.AddUser("outsider", "out@acme.example", "outsider-token-000", false, false)
			j.AddIssue("SHOP-12", "t", tickettest.ADFText("x"))
			if tc.setup != nil {
				tc.setup(j)
			}
			email := map[string]string{jiraToken: "bot@acme.example", "reader-token-00000": "reader@acme.example", "outsider-token-000": "out@acme.example", "wrong-token-000000": "bot@acme.example"}[tc.token]
			if tc.email == "-" {
				email = ""
			}
			var sl sleeps
			c := tickets.NewJira(mustRef(t, j.URL+"/browse/SHOP-12"), tc.token, email, tickets.WithSleep(sl.sleep))
			var err error
			if tc.post {
				_, err = c.Post(context.Background(), post)
			} else {
				_, err = c.Read(context.Background())
			}
			if tc.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.err)
				assert.Contains(t, err.Error(), tc.msg)
				if tc.token != "" {
					assert.NotContains(t, err.Error(), tc.token)
				}
			}
			assert.Equal(t, tc.sleeps, sl.all())
		})
	}
}
