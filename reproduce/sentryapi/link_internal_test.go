package sentryapi

import (
	"reflect"
	"testing"
)

func TestNextCursorReadsSentryLinkHeaders(t *testing.T) {
	tests := []struct {
		name       string
		header     string
		wantCursor string
		wantMore   bool
	}{
		{"docs example: next has results",
			`<https://sentry.io/api/0/projects/1/groups/?&cursor=1420837590:0:1>; rel="previous"; results="false"; cursor="1420837590:0:1", <https://sentry.io/api/0/projects/1/groups/?&cursor=1420837533:0:0>; rel="next"; results="true"; cursor="1420837533:0:0"`,
			"1420837533:0:0", true},
		{"last page: next without results",
			`<https://sentry.io/x/?cursor=0:0:1>; rel="previous"; results="true"; cursor="0:0:1", <https://sentry.io/x/?cursor=0:200:0>; rel="next"; results="false"; cursor="0:200:0"`,
			"0:200:0", false},
		{"commas inside the URL do not split entries",
			`<https://sentry.io/x/?query=replayId%3A[a,b]&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <https://sentry.io/x/?query=replayId:[a,b]&cursor=0:50:0>; rel="next"; results="true"; cursor="0:50:0"`,
			"0:50:0", true},
		{"cursor only in the URL", `<https://sentry.io/x/?per_page=1&cursor=0:1:0>; rel="next"; results="true"`, "0:1:0", true},
		{"no header", ``, "", false},
		{"garbage", `<<<>;;; rel=`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, more := nextCursor(tc.header)
			if c != tc.wantCursor || more != tc.wantMore {
				t.Errorf("nextCursor = %q, %v; want %q, %v", c, more, tc.wantCursor, tc.wantMore)
			}
		})
	}
}

func TestReplayIDOfEventReadsContextsAndTags(t *testing.T) {
	const id = "aad5acad5eac456d9c1478f10cb6584b"
	tests := []struct {
		name, event string
		want        string
	}{
		{"feedback context", `{"contexts":{"feedback":{"replay_id":"` + id + `"}}}`, id},
		{"replay context, dashed", `{"contexts":{"replay":{"replay_id":"aad5acad-5eac-456d-9c14-78f10cb6584b"}}}`, id},
		{"API tag list", `{"tags":[{"key":"level","value":"error"},{"key":"replayId","value":"` + id + `"}]}`, id},
		{"raw tag map", `{"tags":{"replayId":"` + id + `"}}`, id},
		{"raw tag pairs", `{"tags":[["replayId","` + id + `"]]}`, id},
		{"none", `{"contexts":{}}`, ""},
		{"not JSON", `nope`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := replayIDOfEvent([]byte(tc.event))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("replayIDOfEvent = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseSentryTimeReadsEveryDetailsShape(t *testing.T) {
	for _, s := range []string{"2026-11-25T13:11:41.450000", "2025-04-07T12:00:00.000Z", "2022-07-07T14:05:57+00:00", "2026-11-25 13:11:41"} {
		if _, err := parseSentryTime(s); err != nil {
			t.Errorf("parseSentryTime(%q): %v", s, err)
		}
	}
	if _, err := parseSentryTime("yesterday"); err == nil {
		t.Error("parseSentryTime accepted garbage")
	}
}
