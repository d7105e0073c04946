package sentrytest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

const bundle = "../../../testdata/replays/imagechat-bug"

func get(t *testing.T, srv *sentrytest.Server, path, token string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// The fake must answer in Sentry's shapes, or the client tests prove nothing.
func TestFakeServesSentryShapes(t *testing.T) {
	srv := sentrytest.New(nil, sentrytest.WithBundle(bundle), sentrytest.WithPerPage(1))
	defer srv.Close()
	const seg = "/api/0/projects/acme/frontend/replays/aad5acad5eac456d9c1478f10cb6584b/recording-segments/"
	tests := []struct {
		name, path, token string
		wantStatus        int
		wantBody          string
		wantLink          []string
	}{
		{"no auth header", "/api/0/organizations/acme/", "", 401, `{"detail":"Authentication credentials were not provided."}`, nil},
		{"wrong token", "/api/0/organizations/acme/", "nope", 401, `{"detail":"Invalid token"}`, nil},
		{"org details carry links.regionUrl", "/api/0/organizations/acme/", srv.Token, 200, `"regionUrl":"` + srv.URL + `"`, nil},
		{"other org is 404", "/api/0/organizations/other/replays/aad5acad5eac456d9c1478f10cb6584b/", srv.Token, 404, `"detail"`, nil},
		{"details by dashed id", "/api/0/organizations/acme/replays/aad5acad-5eac-456d-9c14-78f10cb6584b/", srv.Token, 200, `{`, nil},
		{"first page of one segment", seg + "?download=true&per_page=100", srv.Token, 200, `[[{`,
			[]string{`rel="previous"; results="false"; cursor="0:0:1"`, `rel="next"; results="true"; cursor="0:1:0"`}},
		{"last page ends pagination", seg + "?download=true&per_page=100&cursor=0:2:0", srv.Token, 200, `[[{`,
			[]string{`rel="previous"; results="true"; cursor="0:1:1"`, `rel="next"; results="false"; cursor="0:3:0"`}},
		{"without download: old metadata shape", seg, srv.Token, 200, `{"data":[{"dateAdded"`, nil},
		{"project by numeric id", "/api/0/projects/acme/1/replays/aad5acad5eac456d9c1478f10cb6584b/recording-segments/?download=true", srv.Token, 200, `[[{`, nil},
		{"eventids", "/api/0/organizations/acme/eventids/634c719580784376baf1eed8e7cb09cc/", srv.Token, 200, `"projectSlug":"frontend"`, nil},
		{"events meta", "/api/0/organizations/acme/replays-events-meta/?query=replayId:[aad5acad5eac456d9c1478f10cb6584b]", srv.Token, 200, `"issue.id":4001`, nil},
		{"replay-count", "/api/0/organizations/acme/replay-count/?query=issue.id:[4001]&returnIds=true&data_source=events", srv.Token, 200, `{"4001":["aad5acad5eac456d9c1478f10cb6584b"]}`, nil},
		{"shortids", "/api/0/organizations/acme/shortids/FRONTEND-1/", srv.Token, 200, `"groupId":"4001"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, srv, tc.path, tc.token)
			if res.StatusCode != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Fatalf("%d %s; want %d containing %s", res.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if res.Header.Get("X-Sentry-Rate-Limit-Reset") == "" {
				t.Error("missing rate-limit headers")
			}
			for _, l := range tc.wantLink {
				if !strings.Contains(res.Header.Get("Link"), l) {
					t.Errorf("Link %q lacks %q", res.Header.Get("Link"), l)
				}
			}
			if strings.HasPrefix(tc.wantBody, "[[") {
				var segs [][]json.RawMessage
				if err := json.Unmarshal([]byte(body), &segs); err != nil || len(segs) != 1 {
					t.Errorf("want one segment per page, got %d (%v)", len(segs), err)
				}
			}
		})
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Query.Encode()+r.Body, srv.Token) {
			t.Errorf("the fake recorded the token in %s", r.Path)
		}
	}
}

func TestFakeFaultsSkipThenFailTimes(t *testing.T) {
	srv := sentrytest.New(t, sentrytest.WithBundle(bundle),
		sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteOrg, Skip: 1, Times: 2, Status: 429, RetryAfter: "3"}))
	var got []int
	for range 4 {
		res, _ := get(t, srv, "/api/0/organizations/acme/", srv.Token)
		got = append(got, res.StatusCode)
		if res.StatusCode == 429 && res.Header.Get("Retry-After") != "3" {
			t.Error("429 without Retry-After")
		}
	}
	if want := []int{200, 429, 429, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

// TestFakeListsAnIssuesEventsInPages: replay-count stops at 51 ids as
// Sentry's does, and the issue's events (has:replayId) list every replay,
// per_page at a time, in SimpleEventSerializer's shape, with Link paging.
func TestFakeListsAnIssuesEventsInPages(t *testing.T) {
	var ids []string
	for i := range 53 {
		ids = append(ids, fmt.Sprintf("%032x", 0xb000+i))
	}
	srv := sentrytest.New(t, sentrytest.WithIssue("90", "FRONTEND-90", ids...), sentrytest.WithIssueEvents("90", "", ids[52]))
	_, body := get(t, srv, "/api/0/organizations/acme/replay-count/?query=issue.id:[90]&returnIds=true&data_source=events", srv.Token)
	var counts map[string][]string
	if err := json.Unmarshal([]byte(body), &counts); err != nil || len(counts["90"]) != sentrytest.ReplayCountCap {
		t.Fatalf("replay-count gave %d ids (%v), want %d", len(counts["90"]), err, sentrytest.ReplayCountCap)
	}
	const events = "/api/0/organizations/acme/issues/90/events/?query=has:replayId&per_page=20"
	var got []string
	cursor := ""
	for page := 0; ; page++ {
		res, body := get(t, srv, events+cursor, srv.Token)
		var evs []struct {
			EventID string `json:"eventID"`
			GroupID string `json:"groupID"`
			Tags    []struct{ Key, Value string }
		}
		if err := json.Unmarshal([]byte(body), &evs); err != nil || res.StatusCode != 200 {
			t.Fatalf("page %d: %d %s", page, res.StatusCode, body)
		}
		if len(evs) > 20 {
			t.Fatalf("page %d has %d events, per_page is 20", page, len(evs))
		}
		for _, e := range evs {
			if e.GroupID != "90" || len(e.EventID) != 32 {
				t.Errorf("event %+v", e)
			}
			for _, tag := range e.Tags {
				if tag.Key == "replayId" {
					got = append(got, tag.Value)
				}
			}
		}
		link := res.Header.Get("Link")
		if !strings.Contains(link, `rel="next"; results="true"`) {
			break
		}
		cursor = "&cursor=" + fmt.Sprintf("0:%d:0", (page+1)*20)
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	// The event without a replay is left out; ids[52]'s own event comes first.
	want := append([]string{ids[52]}, ids[:52]...)
	if !slices.Equal(got, want) {
		t.Errorf("replayId tags %v, want %v", got, want)
	}
	if res, _ := get(t, srv, "/api/0/organizations/acme/issues/91/events/", srv.Token); res.StatusCode != 404 {
		t.Errorf("unknown issue: %d, want 404", res.StatusCode)
	}
}
