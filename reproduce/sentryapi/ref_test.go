package sentryapi_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi"
)

func TestParseRefAcceptsEveryInputForm(t *testing.T) {
	const id = "aad5acad5eac456d9c1478f10cb6584b"
	emptyDir := t.TempDir()
	segOnly := t.TempDir()
	if err := os.WriteFile(filepath.Join(segOnly, "recording-segments.json"), []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	absReal, _ := filepath.Abs(realBundle)
	tests := []struct {
		name    string
		in      string
		want    sentryapi.Ref
		wantErr string
	}{
		{"bare 32-hex id is an id to try as replay then event", id, sentryapi.Ref{Kind: sentryapi.RefID, ID: id}, ""},
		{"dashed upper-case id is normalized", "AAD5ACAD-5EAC-456D-9C14-78F10CB6584B", sentryapi.Ref{Kind: sentryapi.RefID, ID: id}, ""},
		{"surrounding space is ignored", "  " + id + "\n", sentryapi.Ref{Kind: sentryapi.RefID, ID: id}, ""},
		{"SaaS org subdomain replay URL with query", "https://acme.sentry.io/replays/" + id + "/?query=&referrer=%2Freplays%2F&t_main=console",
			sentryapi.Ref{Kind: sentryapi.RefReplay, ID: id, Org: "acme", BaseURL: "https://sentry.io"}, ""},
		{"SaaS replay URL without trailing slash", "https://acme.sentry.io/replays/" + id,
			sentryapi.Ref{Kind: sentryapi.RefReplay, ID: id, Org: "acme", BaseURL: "https://sentry.io"}, ""},
		{"old SaaS organizations URL", "https://sentry.io/organizations/acme/replays/" + id + "/",
			sentryapi.Ref{Kind: sentryapi.RefReplay, ID: id, Org: "acme", BaseURL: "https://sentry.io"}, ""},
		{"self-hosted URL keeps its base", "https://sentry.example.com/organizations/acme/replays/" + id + "/?t=12#frag",
			sentryapi.Ref{Kind: sentryapi.RefReplay, ID: id, Org: "acme", BaseURL: "https://sentry.example.com"}, ""},
		{"self-hosted URL with port and dashed id", "http://localhost:9000/organizations/my-org/replays/aad5acad-5eac-456d-9c14-78f10cb6584b/",
			sentryapi.Ref{Kind: sentryapi.RefReplay, ID: id, Org: "my-org", BaseURL: "http://localhost:9000"}, ""},
		{"issue URL by numeric id", "https://acme.sentry.io/issues/6507376925/?project=1",
			sentryapi.Ref{Kind: sentryapi.RefIssue, ID: "6507376925", Org: "acme", BaseURL: "https://sentry.io"}, ""},
		{"feedback URL names the feedback event", "https://acme.sentry.io/feedback/?feedbackSlug=frontend%3A" + id + "&project=1",
			sentryapi.Ref{Kind: sentryapi.RefFeedback, ID: id, Org: "acme", BaseURL: "https://sentry.io"}, ""},
		{"real bundle directory", realBundle, sentryapi.Ref{Kind: sentryapi.RefBundle, Dir: absReal}, ""},
		{"directory with only recording-segments.json is a bundle", segOnly, sentryapi.Ref{Kind: sentryapi.RefBundle, Dir: segOnly}, ""},
		{"directory without bundle files is refused", emptyDir, sentryapi.Ref{}, "not a replay bundle"},
		{"empty input", "", sentryapi.Ref{}, "empty replay reference"},
		{"short hex is not an id", "aad5acad", sentryapi.Ref{}, "not a 32-hex id"},
		{"URL with a bad replay id", "https://acme.sentry.io/replays/not-an-id/", sentryapi.Ref{}, "not a 32-hex replay id"},
		{"URL without an org", "https://example.com/replays/" + id + "/", sentryapi.Ref{}, "names no organization"},
		{"region host is not an org", "https://us.sentry.io/replays/" + id + "/", sentryapi.Ref{}, "names no organization"},
		{"org URL that is not a replay", "https://acme.sentry.io/dashboards/", sentryapi.Ref{}, "not a replay, issue or feedback URL"},
		{"feedback URL without a slug", "https://acme.sentry.io/feedback/", sentryapi.Ref{}, "feedbackSlug"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sentryapi.ParseRef(tc.in)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseIssueRefAcceptsIdsShortIdsAndURLs(t *testing.T) {
	tests := []struct {
		name, in string
		want     sentryapi.Ref
		wantErr  bool
	}{
		{"numeric id", "6507376925", sentryapi.Ref{Kind: sentryapi.RefIssue, ID: "6507376925"}, false},
		{"short id is upper-cased", "frontend-1a3", sentryapi.Ref{Kind: sentryapi.RefIssue, ID: "FRONTEND-1A3"}, false},
		{"short id with dashes in the project", "MY-APP-2B", sentryapi.Ref{Kind: sentryapi.RefIssue, ID: "MY-APP-2B"}, false},
		{"issue URL by short id", "https://acme.sentry.io/issues/FRONTEND-1A3/",
			sentryapi.Ref{Kind: sentryapi.RefIssue, ID: "FRONTEND-1A3", Org: "acme", BaseURL: "https://sentry.io"}, false},
		{"replay URL is not an issue", "https://acme.sentry.io/replays/aad5acad5eac456d9c1478f10cb6584b/", sentryapi.Ref{}, true},
		{"garbage", "issue 12!", sentryapi.Ref{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sentryapi.ParseIssueRef(tc.in)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
