package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeIsForTheLocalDeveloperOnly runs `repro serve` and calls it over
// real HTTP the way browsers do: a page on a loopback origin or on one
// named with --allow-origin reads the recorded answer; any other page is
// refused, and so is a page whose DNS name was rebound to 127.0.0.1.
func TestServeIsForTheLocalDeveloperOnly(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", imagechatBug, "--latency", "none", "--allow-origin", "http://App.Test:3000"},
			envOf(t).env(), strings.NewReader(""), &out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	var base string
	require.Eventually(t, func() bool {
		_, rest, ok := strings.Cut(out.String(), " on http://")
		if !ok {
			return false
		}
		base = "http://" + strings.Fields(rest)[0]
		return true
	}, 10*time.Second, 20*time.Millisecond)
	assert.Contains(t, out.String(), "browsers: loopback origins and http://app.test:3000")

	post := func(origin, host string) (int, http.Header, string) {
		req, err := http.NewRequest("POST", base+"/api/chat", strings.NewReader(`{"shot_id":42,"prompt":"*****************************"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	tests := []struct {
		name, origin, host string
		status             int
		allowOrigin        string
	}{
		{"a frontend on a loopback dev server reads the answer", "http://localhost:5173", "", 500, "http://localhost:5173"},
		{"an origin added with --allow-origin reads the answer", "http://app.test:3000", "", 500, "http://app.test:3000"},
		{"a tool without an Origin (curl) is answered", "", "", 500, ""},
		{"any other website is refused", "https://evil.example", "", http.StatusForbidden, ""},
		{"a DNS-rebinding page is refused", "", "evil.example:80", http.StatusMisdirectedRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := post(tc.origin, tc.host)
			assert.Equal(t, tc.status, status, body)
			assert.Equal(t, tc.allowOrigin, h.Get("Access-Control-Allow-Origin"))
			assert.Empty(t, h.Get("Access-Control-Allow-Credentials"), "no credentials unless --allow-credentials")
			if tc.status >= 400 && tc.status != 500 {
				assert.NotContains(t, body, "generation_failed", "the recording leaked")
			}
		})
	}
}

func TestServeRefusesAnOriginThatIsNotOne(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, "serve", imagechatBug, "--allow-origin", "*")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--allow-origin")
}

// TestReplayLimitsAreNamedWithTheFlagThatRaisesThem: a replay over a limit
// is refused in one line that names the limit and the flag to raise it.
func TestReplayLimitsAreNamedWithTheFlagThatRaisesThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"a zlib bomb of events stops at the event limit", []string{"inspect", mustAbs("../../testdata/hostile/in-zlib-bomb-events")},
			exitBadReplay, []string{"more than 1000000 rrweb events, the per-bundle event limit", "raise it with --max-events"}},
		{"a zlib bomb of nesting stops at the depth limit", []string{"inspect", mustAbs("../../testdata/hostile/in-zlib-bomb-nesting")},
			exitBadReplay, []string{"JSON nested deeper than 10000 levels"}},
		{"a bundle over --max-replay-bytes", []string{"inspect", imagechatBug, "--max-replay-bytes", "10KiB"},
			exitBadReplay, []string{"more than 10 KiB decoded, the per-bundle byte limit", "raise it with --max-replay-bytes"}},
		{"a bundle over --max-events", []string{"inspect", imagechatBug, "--max-events", "20"},
			exitBadReplay, []string{"more than 20 rrweb events", "--max-events"}},
		{"a replay id that is not 32 hex digits", []string{"inspect", mustAbs("../../testdata/hostile/in-bad-replay-id")},
			exitBadReplay, []string{`is not a replay id (32 hex digits)`}},
		{"a size that is not one", []string{"inspect", imagechatBug, "--max-replay-bytes", "lots"}, exitUsage, []string{"--max-replay-bytes"}},
		{"raised limits load the replay", []string{"inspect", imagechatBug, "--max-replay-bytes", "1GiB", "--max-events", "5000000"}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
			if tc.code != 0 {
				assert.Equal(t, 1, strings.Count(strings.TrimRight(stderr, "\n"), "\n")+1, "one line: %q", stderr)
				assert.NotContains(t, stderr, "\x1b")
			}
		})
	}
}
