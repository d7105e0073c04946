package tickets_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/tickets"
	"github.com/repro-dev/repro/reproduce/tickets/tickettest"
)

const imagechatBug = "../../testdata/replays/imagechat-bug"

func newGitHub(t *testing.T) (*tickettest.GitHub, tickets.Ref) {
	gh := tickettest.NewGitHub(t)
	gh.AddToken(ghToken, "repro-bot", false)
	gh.AddIssue("acme", "shop", 7, "Image chat: nothing happens", "Customer says it doesn't work. Replay: https://acme.sentry.io/replays/aad5acad5eac456d9c1478f10cb6584b/")
	return gh, mustRef(t, "https://github.com/acme/shop/issues/7")
}

func TestGitHubReadsTheIssueAndEveryPageOfComments(t *testing.T) {
	gh, ref := newGitHub(t)
	gh.SetMaxPerPage(2)
	for i := range 5 {
		gh.AddComment("acme", "shop", 7, "dana", fmt.Sprintf("comment %d", i))
	}
	gh.AddComment("acme", "shop", 7, "dana", "and another replay: 0123456789abcdef0123456789abcdef")
	c := tickets.NewGitHub(ref, ghToken, gh.URL)
	tk, err := c.Read(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Image chat: nothing happens", tk.Title)
	require.Len(t, tk.Comments, 6)
	assert.Equal(t, "comment 0", tk.Comments[0].Body)
	assert.Equal(t, "dana", tk.Comments[5].Author)
	found := tickets.Find(tk)
	require.Len(t, found, 2)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", found[1].Replay)
	assert.Equal(t, "comment 6", found[1].Where)

	pages := 0
	for _, r := range gh.Requests() {
		assert.Equal(t, "Bearer "+ghToken, r.Authorization)
		assert.Equal(t, "application/vnd.github+json", r.Accept)
		if strings.HasSuffix(r.Path, "/comments") {
			pages++
		}
	}
	assert.Equal(t, 3, pages, "6 comments, 2 a page, following Link rel=next")
}

func TestGitHubPostsOnceThenEditsItsOwnComment(t *testing.T) {
	gh, ref := newGitHub(t)
	rep := reportOf(t, imagechatBug)
	post, err := tickets.NewPost(rep, tickets.Outputs{ReportHTML: "/tmp/a/report.html"})
	require.NoError(t, err)
	// Someone quotes repro's marker: that comment is not repro's to edit.
	gh.AddComment("acme", "shop", 7, "dana", "quoting: "+tickets.Marker(post.ReplayID))
	c := tickets.NewGitHub(ref, ghToken, gh.URL)

	first, err := c.Post(context.Background(), post)
	require.NoError(t, err)
	assert.False(t, first.Edited)
	rep.Verdict.Value = "not_reproduced"
	post2, err := tickets.NewPost(rep, tickets.Outputs{})
	require.NoError(t, err)
	second, err := c.Post(context.Background(), post2)
	require.NoError(t, err)
	assert.True(t, second.Edited)
	assert.Equal(t, first.CommentID, second.CommentID)

	cs := gh.Comments("acme", "shop", 7)
	require.Len(t, cs, 2, "dana's comment and repro's, edited in place")
	assert.Equal(t, "repro-bot", cs[1].Login)
	assert.Contains(t, cs[1].Body, "repro: **not reproduced**")
	assert.Contains(t, cs[1].Body, "<!-- `repro-verdict replay=aad5acad5eac456d9c1478f10cb6584b` -->")
	assert.Contains(t, cs[0].Body, "quoting", "the other user's comment is untouched")
}

func TestGitHubErrorsSayWhatToDo(t *testing.T) {
	rep := reportOf(t, imagechatBug)
	post, err := tickets.NewPost(rep, tickets.Outputs{})
	require.NoError(t, err)
	cases := []struct {
		name   string
		setup  func(gh *tickettest.GitHub)
		token  string
		post   bool
		err    error
		msg    string
		sleeps []time.Duration
	}{
		{name: "no token", token: "", err: tickets.ErrConfig, msg: "GH_TOKEN or GITHUB_TOKEN"},
		{name: "bad token", token: "ghp_wrong0000000000000000000000000000", err: tickets.ErrUnauthorized, msg: "check GH_TOKEN or GITHUB_TOKEN"},
		{name: "read-only token posting", token: "ghp_readonly000000000000000000000000000", post: true, err: tickets.ErrUnauthorized,
			msg: "lacks write access to the repository's issues (fine-grained token: Issues read and write"},
		{name: "private repository the token cannot see", token: "ghp_other00000000000000000000000000000", err: tickets.ErrNotFound, msg: "not visible to the token"},
		{name: "429 with Retry-After", token: ghToken, setup: func(gh *tickettest.GitHub) {
			gh.Fail(tickettest.Fault{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: `{"message":"too many"}`})
		}, sleeps: []time.Duration{7 * time.Second}},
		{name: "secondary rate limit", token: ghToken, setup: func(gh *tickettest.GitHub) {
			gh.Fail(tickettest.Fault{Status: 403, Header: map[string]string{"Retry-After": "30"}, Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`})
		}, sleeps: []time.Duration{30 * time.Second}},
		{name: "primary rate limit exhausted, reset past the wait cap", token: ghToken, setup: func(gh *tickettest.GitHub) {
			reset := fmt.Sprint(time.Now().Add(time.Hour).Unix())
			gh.Fail(tickettest.Fault{Status: 403, Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, Body: `{"message":"API rate limit exceeded for user ID 1."}`})
		}, err: tickets.ErrRateLimited, msg: "more than the 1m0s limit"},
		{name: "rate limited on every try", token: ghToken, setup: func(gh *tickettest.GitHub) {
			for range 5 {
				gh.Fail(tickettest.Fault{Status: 429, Header: map[string]string{"Retry-After": "1"}})
			}
		}, err: tickets.ErrRateLimited, msg: "rate limit held", sleeps: []time.Duration{time.Second, time.Second, time.Second, time.Second}},
		{name: "token echoed by the server is scrubbed", token: "ghp_wrong0000000000000000000000000000", setup: func(gh *tickettest.GitHub) {
			gh.Fail(tickettest.Fault{Status: 400, Body: `{"message":"bad header: Bearer ghp_wrong0000000000000000000000000000"}`})
		}, msg: "[redacted]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gh, ref := newGitHub(t)
			gh.AddToken("ghp_readonly000000000000000000000000000", "reader", true)
			gh.AddToken("ghp_other00000000000000000000000000000", "outsider", false, "acme/shop")
			if tc.setup != nil {
				tc.setup(gh)
			}
			var logs bytes.Buffer
			var sl sleeps
			c := tickets.NewGitHub(ref, tc.token, gh.URL, tickets.WithSleep(sl.sleep), tickets.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			var err error
			if tc.post {
				_, err = c.Post(context.Background(), post)
			} else {
				_, err = c.Read(context.Background())
			}
			if tc.err == nil && tc.msg == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				if tc.err != nil {
					assert.ErrorIs(t, err, tc.err)
				}
				assert.Contains(t, err.Error(), tc.msg)
				if tc.token != "" {
					assert.NotContains(t, err.Error(), tc.token)
				}
			}
			assert.Equal(t, tc.sleeps, sl.all())
			if tc.token != "" {
				assert.NotContains(t, logs.String(), tc.token)
			}
		})
	}
}
