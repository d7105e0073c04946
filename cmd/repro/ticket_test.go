package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/escape/escapetest"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
	"github.com/repro-dev/repro/reproduce/tickets/tickettest"
)

const (
	fakeGHToken   = "ghp_cli_fake_token_0123456789abcdefghij"
	fakeJiraToken = "jira-pat-fake-0123456789abcdef"
	ticketURL     = "https://github.com/acme/shop/issues/7"
)

// useFakeGitHub starts the fake GitHub with issue acme/shop#7 holding body
// and points GH_TOKEN and GITHUB_API_URL at it.
func useFakeGitHub(t *testing.T, body string) *tickettest.GitHub {
	t.Helper()
	gh := tickettest.NewGitHub(t)
	gh.AddToken(fakeGHToken, "repro-bot", false)
	gh.AddIssue("acme", "shop", 7, "Image chat: nothing happens when I click Generate", body)
	for k, v := range map[string]string{"GH_TOKEN": fakeGHToken, "GITHUB_TOKEN": "", "GITHUB_API_URL": gh.URL, "GITHUB_SERVER_URL": "", "JIRA_API_TOKEN": "", "JIRA_EMAIL": ""} {
		setenv(t, k, v)
	}
	return gh
}

// TestTicketPipelineReproducesTheLinkedReplayAndCommentsOnce is the ticket
// flow end to end: the bare pipeline reads a GitHub issue whose body names
// the image-chat replay by id, fetches it from the fake Sentry, re-runs it
// against the buggy app in Chromium and posts one comment with the
// verdict; a second run edits that comment instead of adding another.
func TestTicketPipelineReproducesTheLinkedReplayAndCommentsOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	// A second replay of the bug, linked from a comment: another user's
	// (the recording under another id).
	const other = "0ddba11c0ffee0000000000000000042"
	srv := useFakeSentry(t, sentrytest.DefaultToken, sentrytest.WithBundle(imagechatBug), sentrytest.WithBundle(bundleAs(t, imagechatBug, other)))
	setenv(t, "SENTRY_PROJECT", srv.Project)
	gh := useFakeGitHub(t, "Customer: \"it doesn't work\".\n\nSentry replay id: aad5acad-5eac-456d-9c14-78f10cb6584b")
	gh.AddComment("acme", "shop", 7, "dana", "Same for me: "+srv.URL+"/organizations/"+srv.Org+"/replays/"+other+"/")

	for run := 1; run <= 2; run++ {
		code, out, stderr := runCLI(t, ticketURL, "--app", imagechatBuggy, "--post", "--latency", "none", "--frames=false", "--cache-dir", t.TempDir(),
			"--artifacts", t.TempDir(), "-o", t.TempDir())
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stderr, "acme/shop#7 links 2 replay(s)")
		assert.Contains(t, stderr, "from the body")
		if run == 1 {
			assert.Equal(t, 2, strings.Count(stderr, "repro: Posted the verdict (reproduced) on GitHub issue acme/shop#7"), stderr)
		} else {
			assert.Equal(t, 2, strings.Count(stderr, "repro: Updated repro's comment with the verdict (reproduced)"), stderr)
		}
		assert.NotContains(t, out+stderr, fakeGHToken)
		assert.NotContains(t, out+stderr, sentrytest.DefaultToken)
	}
	cs := gh.Comments("acme", "shop", 7)
	require.Len(t, cs, 3, "dana's comment and one of repro's per replay")
	for i, id := range []string{"aad5acad5eac456d9c1478f10cb6584b", other} {
		c := cs[1+i]
		assert.Equal(t, "repro-bot", c.Login)
		assert.Contains(t, c.Body, "repro: **reproduced**")
		assert.Contains(t, c.Body, "TypeError")
		assert.Contains(t, c.Body, "Regression test: `")
		assert.Contains(t, c.Body, "report.html")
		assert.Contains(t, c.Body, "<!-- `repro-verdict replay="+id+"` -->")
	}
	for _, r := range gh.Requests() {
		assert.Equal(t, "Bearer "+fakeGHToken, r.Authorization)
	}
}

// bundleAs copies a recorded bundle under another replay id, with its
// linked error events under other ids: another user's replay of the same
// bug, as Sentry would serve it beside the original.
func bundleAs(t *testing.T, src, id string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(src, "replay.json"))
	require.NoError(t, err)
	var r struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &r))
	require.NotEmpty(t, r.Data.ID)
	// Its linked error events are other events too: new ids (the last
	// characters of the replay's), in both spellings Sentry uses.
	eb, err := os.ReadFile(filepath.Join(src, "errors.json"))
	require.NoError(t, err)
	var events []struct {
		EventID string `json:"event_id"`
	}
	require.NoError(t, json.Unmarshal(eb, &events))
	var pairs []string
	for _, e := range events {
		require.Len(t, e.EventID, 32)
		n := e.EventID[:24] + id[24:]
		dashed := func(h string) string { return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] }
		pairs = append(pairs, e.EventID, n, dashed(e.EventID), dashed(n))
	}
	rename := strings.NewReplacer(append(pairs, r.Data.ID, id)...)
	dst := filepath.Join(t.TempDir(), id)
	require.NoError(t, os.MkdirAll(dst, 0o755))
	for _, f := range []string{"replay.json", "recording-segments.json", "errors.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, f), []byte(rename.Replace(string(b))), 0o644))
	}
	return dst
}

// TestRunPostsToJiraAndTheWebhook: repro run --ticket (a Jira Data Center
// issue) --post --webhook comments in wiki markup and sends the --json
// object; --dry-run says where and what, and sends nothing.
func TestRunPostsToJiraAndTheWebhook(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	isolateSentryConfig(t)
	j := tickettest.NewJira(t, false)
	j.AddUser("repro-bot", "", fakeJiraToken, true, true)
	j.AddIssue("SHOP-12", "Image chat broken", "see the replay")
	setenv(t, "JIRA_API_TOKEN", fakeJiraToken)
	setenv(t, "JIRA_EMAIL", "")
	var mu sync.Mutex
	var hooks []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	ticket := j.URL + "/browse/SHOP-12"
	secretHook := hook.URL + "/services/T000/B000/secretpart"

	code, out, stderr := runCLI(t, "run", imagechatBug, "--app", imagechatBuggy, "--latency", "none", "--frames=false", "--ticket", ticket, "--dry-run", "--webhook", secretHook)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Would post to Jira issue SHOP-12 ("+ticket+", API "+j.URL+"/rest/api/2, wiki markup (Data Center, REST v2))")
	assert.Contains(t, out, "h3. 🔴 repro: *reproduced*")
	assert.Contains(t, out, "Would POST the verdict JSON")
	assert.NotContains(t, out+stderr, "secretpart", "a webhook's path is its secret")
	assert.Empty(t, j.Comments("SHOP-12"))
	assert.Empty(t, hooks)

	code, _, stderr = runCLI(t, "run", imagechatBug, "--app", imagechatBuggy, "--latency", "none", "--frames=false", "--ticket", ticket, "--post", "--webhook", secretHook)
	require.Equal(t, exitOK, code, stderr)
	cs := j.Comments("SHOP-12")
	require.Len(t, cs, 1)
	assert.Contains(t, cs[0].Body, "h3. 🔴 repro: *reproduced*")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, hooks, 1)
	ct, body, _ := strings.Cut(hooks[0], " ")
	assert.Equal(t, "application/json", ct)
	var v struct {
		Verdict  string `json:"verdict"`
		ReplayID string `json:"replay_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	assert.Equal(t, "reproduced", v.Verdict)
	assert.Equal(t, "aad5acad5eac456d9c1478f10cb6584b", v.ReplayID)
	assert.NotContains(t, stderr, "secretpart")
	assert.NotContains(t, stderr, fakeJiraToken)
}

func TestTicketFaultsMapToDocumentedExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, gh *tickettest.GitHub)
		args  []string
		code  int
		msg   string
	}{
		{name: "a ticket without a replay", args: []string{ticketURL, "--app", imagechatBuggy}, code: exitNotFound, msg: "acme/shop#7 (title, body and 0 comment(s)) holds no Sentry replay link"},
		{name: "bad token", setup: func(t *testing.T, _ *tickettest.GitHub) { setenv(t, "GH_TOKEN", "ghp_wrong") }, args: []string{ticketURL, "--app", imagechatBuggy}, code: exitSentryAuth, msg: "check GH_TOKEN or GITHUB_TOKEN"},
		{name: "ticket not visible", args: []string{"https://github.com/acme/secret/issues/1", "--app", imagechatBuggy}, code: exitNotFound, msg: "not visible to the token"},
		{name: "rate limited past the wait cap", setup: func(_ *testing.T, gh *tickettest.GitHub) {
			gh.Fail(tickettest.Fault{Status: 429, Header: map[string]string{"Retry-After": "600"}})
		}, args: []string{ticketURL, "--app", imagechatBuggy}, code: exitRateLimited, msg: "more than the 1m0s limit"},
		{name: "--post without a ticket", args: []string{"run", imagechatBug, "--app", imagechatBuggy, "--post"}, code: exitUsage, msg: "--post needs --ticket"},
		{name: "--ticket that is no ticket", args: []string{"run", imagechatBug, "--app", imagechatBuggy, "--ticket", "https://example.com/x", "--post"}, code: exitUsage, msg: "neither a GitHub issue"},
		{name: "--ticket without --post or --dry-run", args: []string{"run", imagechatBug, "--app", imagechatBuggy, "--ticket", ticketURL}, code: exitUsage, msg: "--ticket needs --post"},
		{name: "ticket without --app", args: []string{ticketURL}, code: exitUsage, msg: "needs --app"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isolateSentryConfig(t)
			gh := useFakeGitHub(t, "It doesn't work, no link, sorry.")
			if tc.setup != nil {
				tc.setup(t, gh)
			}
			code, out, stderr := runCLI(t, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stderr, tc.msg)
			assert.NotContains(t, out+stderr, fakeGHToken)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
		})
	}
}

// TestHostileReplayPostsInertCommentsToGitHubAndJira re-runs the hostile
// bundle whose texts plant mentions, links, images and table cells, and
// posts the verdict with `repro report --ticket` to GitHub and with `repro
// run --ticket` to Jira Cloud: the GitHub comment has no live Markdown
// syntax outside the renderer's own, the Jira document no mention, link,
// card or media node, and the payloads are there as text.
func TestHostileReplayPostsInertCommentsToGitHubAndJira(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the hostile replay); run without -short")
	}
	hostile := mustAbs("../../testdata/hostile/out-markdown-injection")
	isolateSentryConfig(t)
	gh := useFakeGitHub(t, "no link here")
	j := tickettest.NewJira(t, true)
	j.AddUser("bot", "bot@acme.example", fakeJiraToken, true, true)
	j.AddIssue("SHOP-12", "t", tickettest.ADFText("x"))
	setenv(t, "JIRA_API_TOKEN", fakeJiraToken)
	setenv(t, "JIRA_EMAIL", "bot@acme.example")

	code, _, stderr := runCLI(t, "report", hostile, "--app", imagechatBuggy, "--latency", "none", "--post", "--ticket", ticketURL)
	require.Contains(t, []int{exitOK, exitNotReproduced, exitDiverged, exitInconclusive}, code, "a verdict, not an error: %s", stderr)
	cs := gh.Comments("acme", "shop", 7)
	require.Len(t, cs, 1, stderr)
	body := cs[0].Body
	marker := "<!-- `repro-verdict replay="
	require.Equal(t, 1, strings.Count(body, "<!--"))
	i := strings.Index(body, marker)
	require.GreaterOrEqual(t, i, 0)
	doc := escapetest.ParseMarkdown(body[:i], "details", "summary")
	assert.Empty(t, doc.Problems, body)
	assert.Contains(t, body, "`@octocat`", "the mention is a code span, inert")

	code, _, stderr = runCLI(t, "run", hostile, "--app", imagechatBuggy, "--latency", "none", "--frames=false", "--post", "--ticket", j.URL+"/browse/SHOP-12")
	require.Contains(t, []int{exitOK, exitNotReproduced, exitDiverged, exitInconclusive}, code, "a verdict, not an error: %s", stderr)
	jc := j.Comments("SHOP-12")
	require.Len(t, jc, 1, stderr)
	raw, err := json.Marshal(jc[0].Body)
	require.NoError(t, err)
	for _, live := range []string{`"mention"`, `"link"`, `"inlineCard"`, `"blockCard"`, `"media"`, `"mediaSingle"`, `"emoji"`, `"href"`} {
		assert.NotContains(t, string(raw), live)
	}
	assert.Contains(t, string(raw), "@octocat", "the payload is there, as a text node's text")
	assert.Empty(t, escapetest.TerminalProblems(string(raw)))
}
