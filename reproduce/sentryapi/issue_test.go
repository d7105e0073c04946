package sentryapi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

func TestResolveIssueListsItsReplays(t *testing.T) {
	tests := []struct {
		name, issue string
		wantShort   bool
	}{
		{"numeric issue id", "4001", false},
		{"short id resolved through shortids", "frontend-1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle)})
			got, err := h.client.ResolveIssue(context.Background(), "", tc.issue)
			require.NoError(t, err)
			assert.Equal(t, "4001", got.IssueID)
			assert.Equal(t, []string{realReplayID}, got.ReplayIDs)
			reqs := h.srv.Requests()
			assert.Equal(t, tc.wantShort, countPath(reqs, "/shortids/FRONTEND-1/") == 1)
			for _, r := range reqs {
				if r.Path == "/api/0/organizations/acme/replay-count/" {
					assert.Equal(t, "issue.id:[4001]", r.Query.Get("query"))
					assert.Equal(t, "true", r.Query.Get("returnIds"))
					assert.Equal(t, "events", r.Query.Get("data_source"))
					assert.Equal(t, "90d", r.Query.Get("statsPeriod"))
					assert.Equal(t, "-1", r.Query.Get("project"))
				}
			}
		})
	}
}

func TestFetchBundleByIssueFetchesItsReplay(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle),
		sentrytest.WithIssue("77", "FRONTEND-9", realReplayID, "0123456789abcdef0123456789abcdef")})
	ref, err := sentryapi.ParseIssueRef("FRONTEND-9")
	require.NoError(t, err)
	res, err := h.client.FetchBundle(context.Background(), ref, filepath.Join(t.TempDir(), "b"))
	require.NoError(t, err)
	assert.Equal(t, realReplayID, res.ReplayID)
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0], "issue FRONTEND-9 has 2 replays")
}

func TestFetchBundleByFeedbackEventFindsTheReplay(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithEvent(feedbackEvent(realReplayID))})
	res, err := h.client.FetchBundle(context.Background(), mustRef(t, feedbackID), filepath.Join(t.TempDir(), "b"))
	require.NoError(t, err)
	assert.Equal(t, realReplayID, res.ReplayID)
	reqs := h.srv.Requests()
	assert.Equal(t, 1, countPath(reqs, "/replays/"+feedbackID+"/"), "tries the id as a replay first")
	assert.Equal(t, 1, countPath(reqs, "/eventids/"+feedbackID+"/"))
	assert.Equal(t, 1, countPath(reqs, "/projects/acme/frontend/events/"+feedbackID+"/"))
}

func TestLinkedIssues(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle)})
	got, err := h.client.LinkedIssues(context.Background(), mustRef(t, realReplayID))
	require.NoError(t, err)
	assert.Equal(t, []sentryapi.Issue{{ID: "4001", ShortID: "FRONTEND-1", Project: "frontend"}}, got)

	// A local bundle answers from errors.json (API events carry groupID).
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "replay.json"), []byte(`{"data":{}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "errors.json"), []byte(
		`[{"eventID":"a","groupID":"12","title":"TypeError: x"},{"eventID":"b","groupID":"12"},{"eventID":"c","groupID":13,"title":"E"}]`), 0o644))
	got, err = sentryapi.NewClient(sentryapi.Config{}).LinkedIssues(context.Background(), mustRef(t, dir))
	require.NoError(t, err)
	assert.Equal(t, []sentryapi.Issue{{ID: "12", Title: "TypeError: x"}, {ID: "13", Title: "E"}}, got)
}

// TestLinkedIssuesOfABundle: errors.json is read in every shape the bundle
// loader (reproduce/replay) accepts, and one it cannot use is a malformed
// bundle (exit 65), not an unexplained failure.
func TestLinkedIssuesOfABundle(t *testing.T) {
	tests := []struct {
		name    string
		errors  string
		want    []sentryapi.Issue
		wantErr error
	}{
		{name: "an array of events", errors: `[{"eventID":"a","groupID":"12","title":"T"}]`, want: []sentryapi.Issue{{ID: "12", Title: "T"}}},
		{name: "the API's data wrapper", errors: `{"data":[{"eventID":"a","groupID":12,"title":"T"}]}`, want: []sentryapi.Issue{{ID: "12", Title: "T"}}},
		{name: "an empty array", errors: `[]`},
		{name: "truncated JSON", errors: `[{"eventID":"a","groupID":"1`, wantErr: sentryapi.ErrMalformedBundle},
		{name: "a group id that is an object", errors: `[{"eventID":"a","groupID":{"id":12}}]`, wantErr: sentryapi.ErrMalformedBundle},
		{name: "an object without data", errors: `{"events":[]}`, wantErr: sentryapi.ErrMalformedBundle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "replay.json"), []byte(`{"data":{}}`), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "errors.json"), []byte(tc.errors), 0o644))
			got, err := sentryapi.NewClient(sentryapi.Config{}).LinkedIssues(context.Background(), mustRef(t, dir))
			if tc.wantErr != nil {
				require.True(t, errors.Is(err, tc.wantErr), "err = %v, want %v", err, tc.wantErr)
				assert.Contains(t, err.Error(), filepath.Join(dir, "errors.json"), "the error names the file")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPostIssueComment(t *testing.T) {
	const md = "**repro**: `reproduced`\n\n- step 3 diverged\n"
	tests := []struct {
		name     string
		fault    *sentrytest.Fault
		wantErr  error
		wantMsg  string
		wantPost int
	}{
		{name: "posts the markdown as text", wantPost: 1},
		{name: "403 names event:write", fault: &sentrytest.Fault{Route: sentrytest.RouteComments, Status: 403},
			wantErr: sentryapi.ErrUnauthorized, wantMsg: "event:write", wantPost: 1},
		{name: "500 is not retried (the note may exist)", fault: &sentrytest.Fault{Route: sentrytest.RouteComments, Status: 500},
			wantErr: sentryapi.ErrUnavailable, wantPost: 1},
		{name: "429 is retried", fault: &sentrytest.Fault{Route: sentrytest.RouteComments, Status: 429, Times: 1, RetryAfter: "1"}, wantPost: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []sentrytest.Option{sentrytest.WithBundle(realBundle)}
			if tc.fault != nil {
				opts = append(opts, sentrytest.WithFault(*tc.fault))
			}
			h := newHarness(t, opts)
			err := h.client.PostIssueComment(context.Background(), "", "4001", md)
			assert.Equal(t, tc.wantPost, countPath(h.srv.Requests(), "/issues/4001/comments/"))
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				if err != nil {
					assert.Contains(t, err.Error(), tc.wantMsg)
				}
				assert.Len(t, h.srv.Comments(), 0)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []sentrytest.Comment{{Org: "acme", IssueID: "4001", Text: md}}, h.srv.Comments())
		})
	}
}

// replayIDs makes n distinct 32-hex replay ids (made up: the listing never
// fetches them).
func replayIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x", 0xa000+i)
	}
	return ids
}

// TestResolveIssueListsEveryReplayPastReplayCountsCap: replay-count
// answers at most 51 ids; an issue with more gets the rest from its events
// with a replay, paged per_page at a time, each replay once, replay-count's
// first and then in the events' order.
func TestResolveIssueListsEveryReplayPastReplayCountsCap(t *testing.T) {
	ids := replayIDs(60)
	tests := []struct {
		name       string
		fake       []sentrytest.Option
		want       []string
		wantPages  int // issue-events requests; 0: none
		wantShort  string
		issueParam string
	}{
		{name: "fewer than the cap: replay-count's list is whole, no events are paged",
			fake: []sentrytest.Option{sentrytest.WithIssue("90", "FRONTEND-90", ids[:50]...)}, want: ids[:50]},
		{name: "exactly the cap: the events are paged and add nothing",
			fake: []sentrytest.Option{sentrytest.WithIssue("90", "FRONTEND-90", ids[:51]...)}, want: ids[:51], wantPages: 26},
		{name: "past the cap: every replay, across pages, each once, in a stable order",
			// Events: ids[3] twice, one without a replay, ids[59], then one
			// made-up event per other replay (59 more): 62 with a replay.
			fake: []sentrytest.Option{sentrytest.WithIssue("90", "FRONTEND-90", ids...),
				sentrytest.WithIssueEvents("90", ids[3], ids[3], "", ids[59])},
			want:      append(append(append([]string{}, ids[:51]...), ids[59]), ids[51:59]...),
			wantPages: 31},
		{name: "by short id", issueParam: "FRONTEND-90",
			fake: []sentrytest.Option{sentrytest.WithIssue("90", "FRONTEND-90", ids...)},
			want: ids, wantPages: 30, wantShort: "FRONTEND-90"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.fake, sentryapi.WithPerPage(2))
			issue := tc.issueParam
			if issue == "" {
				issue = "90"
			}
			got, err := h.client.ResolveIssue(context.Background(), "", issue)
			require.NoError(t, err)
			assert.Equal(t, "90", got.IssueID)
			assert.Equal(t, tc.wantShort, got.ShortID)
			assert.Equal(t, tc.want, got.ReplayIDs)
			assert.False(t, got.Partial)
			assert.Len(t, got.Warnings, 0)
			pages := 0
			cursors := map[string]bool{}
			for _, r := range h.srv.Requests() {
				if r.Path != "/api/0/organizations/acme/issues/90/events/" {
					continue
				}
				pages++
				assert.Equal(t, "has:replayId", r.Query.Get("query"))
				assert.Equal(t, "2", r.Query.Get("per_page"))
				assert.Equal(t, "90d", r.Query.Get("statsPeriod"))
				assert.Equal(t, "", r.Query.Get("full"), "the outline carries the replayId tag")
				assert.False(t, cursors[r.Query.Get("cursor")], "cursor %q asked twice", r.Query.Get("cursor"))
				cursors[r.Query.Get("cursor")] = true
			}
			assert.Equal(t, tc.wantPages, pages, "issue-events pages")
		})
	}
}

// TestResolveIssueWhenPagingFails: the client's retries carry a listing
// over a 429 (its Retry-After honoured); a page that fails for good, or
// the page cap, fails the listing and names --allow-partial, with which
// the replays listed so far come back flagged partial.
func TestResolveIssueWhenPagingFails(t *testing.T) {
	ids := replayIDs(60)
	issue := sentrytest.WithIssue("90", "FRONTEND-90", ids...)
	page := func(n int) sentrytest.Fault { return sentrytest.Fault{Route: sentrytest.RouteIssueEvents, Skip: n} }
	with := func(f sentrytest.Fault, edit func(*sentrytest.Fault)) sentrytest.Fault { edit(&f); return f }
	tests := []struct {
		name         string
		fake         []sentrytest.Option
		client       []sentryapi.Option
		wantErr      error
		wantMsg      string
		wantIDs      []string // on success
		wantWarning  string   // non-empty: a partial list
		wantWaits    []time.Duration
		wantRequests int
	}{
		{name: "a 429 mid-paging waits its Retry-After and goes on",
			fake:    []sentrytest.Option{issue, sentrytest.WithFault(with(page(2), func(f *sentrytest.Fault) { f.Times, f.Status, f.RetryAfter = 1, 429, "7" }))},
			wantIDs: ids, wantWaits: []time.Duration{7 * time.Second}, wantRequests: 31},
		{name: "a 404 mid-paging fails the listing",
			fake:    []sentrytest.Option{issue, sentrytest.WithFault(with(page(2), func(f *sentrytest.Fault) { f.Status = 404 }))},
			wantErr: sentryapi.ErrNotFound, wantMsg: "issue 90: listing its replays stopped with 51 listed (pass --allow-partial to keep them)", wantRequests: 3},
		{name: "a 404 mid-paging with AllowPartial keeps what was listed",
			fake:        []sentrytest.Option{issue, sentrytest.WithFault(with(page(27), func(f *sentrytest.Fault) { f.Status = 404 }))},
			client:      []sentryapi.Option{sentryapi.WithAllowPartial(true)},
			wantIDs:     ids[:54], // pages 0-26: 54 events, one replay each
			wantWarning: "issue 90: listed 54 replays; page 27 of its events failed", wantRequests: 28},
		{name: "a rate limit that outlasts the retries fails the listing",
			fake:    []sentrytest.Option{issue, sentrytest.WithFault(with(page(1), func(f *sentrytest.Fault) { f.Status, f.RetryAfter = 429, "1" }))},
			wantErr: sentryapi.ErrRateLimited, wantMsg: "pass --allow-partial", wantRequests: 5},
		{name: "endless pages stop at the page cap",
			fake:    []sentrytest.Option{issue, sentrytest.WithEndlessPages()},
			client:  []sentryapi.Option{sentryapi.WithMaxPages(40)},
			wantErr: sentryapi.ErrTooLarge, wantMsg: "replays of issue 90: Sentry kept paging past 40 pages, the page cap", wantRequests: 40},
		{name: "endless pages with AllowPartial keep the replays of the first pages",
			fake:    []sentrytest.Option{issue, sentrytest.WithEndlessPages()},
			client:  []sentryapi.Option{sentryapi.WithMaxPages(40), sentryapi.WithAllowPartial(true)},
			wantIDs: ids, wantWarning: "issue 90: listed 60 replays from the first 40 pages of its events, the page cap; it may have more", wantRequests: 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.fake, append([]sentryapi.Option{sentryapi.WithPerPage(2)}, tc.client...)...)
			got, err := h.client.ResolveIssue(context.Background(), "", "90")
			assert.Equal(t, tc.wantRequests, countPath(h.srv.Requests(), "/issues/90/events/"), "issue-events requests")
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				if err != nil {
					assert.Contains(t, err.Error(), tc.wantMsg)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantIDs, got.ReplayIDs)
			assert.Equal(t, tc.wantWarning != "", got.Partial)
			if tc.wantWarning != "" {
				require.Len(t, got.Warnings, 1)
				assert.Contains(t, got.Warnings[0], tc.wantWarning)
			}
			if tc.wantWaits != nil {
				assert.Equal(t, tc.wantWaits, h.sleep.all())
			}
		})
	}
}

// TestFetchBundleByABigIssueAsksReplayCountOnly: fetching one replay of an
// issue needs no more than replay-count's list, so the events are not paged.
func TestFetchBundleByABigIssueAsksReplayCountOnly(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle),
		sentrytest.WithIssue("77", "FRONTEND-9", append([]string{realReplayID}, replayIDs(60)...)...)})
	ref, err := sentryapi.ParseIssueRef("77")
	require.NoError(t, err)
	res, err := h.client.FetchBundle(context.Background(), ref, filepath.Join(t.TempDir(), "b"))
	require.NoError(t, err)
	assert.Equal(t, realReplayID, res.ReplayID)
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0], "issue 77 has 51 or more replays")
	assert.Equal(t, 0, countPath(h.srv.Requests(), "/issues/77/events/"))
}
