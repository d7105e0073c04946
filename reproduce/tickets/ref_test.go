package tickets_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/tickets"
)

func TestParseURLRecognisesGitHubAndJiraTickets(t *testing.T) {
	cases := []struct {
		name, url string
		want      tickets.Ref
	}{
		{"github.com issue", "https://github.com/acme/shop/issues/42", tickets.Ref{Kind: tickets.GitHub, Site: "https://github.com", Owner: "acme", Repo: "shop", Number: 42}},
		{"github enterprise issue", "https://git.corp.example/team/app.web/issues/7#issuecomment-1", tickets.Ref{Kind: tickets.GitHub, Site: "https://git.corp.example", Owner: "team", Repo: "app.web", Number: 7}},
		{"jira cloud", "https://acme.atlassian.net/browse/SHOP-123", tickets.Ref{Kind: tickets.Jira, Site: "https://acme.atlassian.net", Key: "SHOP-123"}},
		{"jira data center with a context path", "https://jira.corp.example/jira/browse/WEB_2-9?focusedCommentId=1", tickets.Ref{Kind: tickets.Jira, Site: "https://jira.corp.example/jira", Key: "WEB_2-9"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tickets.ParseURL(tc.url)
			require.NoError(t, err)
			tc.want.URL = tc.url
			assert.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []string{
		"https://github.com/acme/shop/pull/42",
		"https://github.com/acme/shop/issues/0",
		"https://acme.atlassian.net/browse/shop-1",
		"https://acme.sentry.io/replays/aad5acad5eac456d9c1478f10cb6584b/",
		"ftp://github.com/acme/shop/issues/1",
		"https://user:pw@github.com/acme/shop/issues/1",
		"aad5acad5eac456d9c1478f10cb6584b",
	} {
		_, err := tickets.ParseURL(bad)
		assert.ErrorIs(t, err, tickets.ErrNotTicket, bad)
	}
}

func TestGitHubAPIBaseFollowsActionsAndEnterprise(t *testing.T) {
	gh := mustRef(t, "https://github.com/acme/shop/issues/1")
	ghe := mustRef(t, "https://git.corp.example/acme/shop/issues/1")
	cases := []struct {
		name string
		ref  tickets.Ref
		cfg  tickets.Config
		want string
	}{
		{"github.com", gh, tickets.Config{}, "https://api.github.com"},
		{"enterprise host", ghe, tickets.Config{}, "https://git.corp.example/api/v3"},
		{"GITHUB_API_URL as Actions sets it", ghe, tickets.Config{GitHubAPIURL: "https://git.corp.example/api/v3/", GitHubServerURL: "https://git.corp.example"}, "https://git.corp.example/api/v3"},
		{"GITHUB_API_URL alone", gh, tickets.Config{GitHubAPIURL: "http://127.0.0.1:8080"}, "http://127.0.0.1:8080"},
		{"GITHUB_API_URL of another server is not given this ticket's token", ghe, tickets.Config{GitHubAPIURL: "https://api.github.com", GitHubServerURL: "https://github.com"}, "https://git.corp.example/api/v3"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tickets.GitHubAPIBase(tc.ref, tc.cfg), tc.name)
	}
}

func TestFindListsReplaysInTitleBodyAndComments(t *testing.T) {
	tk := &tickets.Ticket{
		Title: "Image chat broken, replay aad5acad-5eac-456d-9c14-78f10cb6584b",
		Body: "User says it doesn't work.\nReplay: https://acme.sentry.io/replays/aad5acad5eac456d9c1478f10cb6584b/ (same as the title)\n" +
			"Issue: https://acme.sentry.io/issues/4711/?project=2.",
		Comments: []tickets.Comment{
			{Body: "another one: [replay](https://sentry.corp.example/organizations/acme/replays/0123456789abcdef0123456789ABCDEF/?t=3)"},
			{Body: "feedback https://acme.sentry.io/feedback/?feedbackSlug=web:fedcba9876543210fedcba9876543210 and a trace 11111111111111111111111111111111x (not an id)"},
			{Body: "### repro: reproduced\n<!-- `repro-verdict replay=99999999999999999999999999999999` -->"},
		},
	}
	got := tickets.Find(tk)
	want := []tickets.Found{
		{Replay: "aad5acad5eac456d9c1478f10cb6584b", Where: "title"},
		{Issue: "https://acme.sentry.io/issues/4711/?project=2", Where: "body"},
		{Replay: "https://sentry.corp.example/organizations/acme/replays/0123456789abcdef0123456789ABCDEF/?t=3", Where: "comment 1"},
		{Replay: "https://acme.sentry.io/feedback/?feedbackSlug=web:fedcba9876543210fedcba9876543210", Where: "comment 2"},
	}
	assert.Equal(t, want, got)
	assert.Empty(t, tickets.Find(&tickets.Ticket{Title: "it doesn't work", Body: "no link, see https://github.com/acme/shop/issues/2"}))
}
