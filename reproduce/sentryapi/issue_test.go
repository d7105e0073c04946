package sentryapi_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

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
