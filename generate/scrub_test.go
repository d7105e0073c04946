package generate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/replay"
)

// planted are secrets and personal data put into a real replay; none may
// reach any written file.
var planted = map[string]string{
	"bearer":      "planted-bearer-token-xyz123",
	"cookie":      "planted-session-cookie-77",
	"set-cookie":  "planted-set-cookie-88",
	"api key":     "AKIAPLANTEDKEY123",
	"csrf header": "planted-csrf-header-5",
	"password":    "planted-password-42",
	"token":       "planted-json-token-555",
	"refresh":     "planted-refresh-99",
	"email":       "dana.lee@corp-planted.com",
	"jwt":         "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkYW5hIn0.plantedSignature123",
	"card":        "4111 1111 1111 1111",
	"card number": "4242424242424242",
}

// plantSecrets adds a recorded call carrying credentials in headers, query
// and body, and puts secrets into the failing call's request body, the
// user's typed value and the recorded error message.
func plantSecrets(t *testing.T, tl *replay.Timeline) {
	t.Helper()
	me := replay.Event{
		Kind: replay.KindNetwork, Offset: 500 * time.Millisecond, Time: tl.Start.Add(500 * time.Millisecond),
		Network: &replay.Network{
			Initiator: "fetch", Method: "GET", Path: "/api/me", Status: 200, Duration: 20 * time.Millisecond,
			URL: "http://imagechat.example.test/api/me?api_key=" + planted["api key"] + "&view=full",
			Request: &replay.Payload{Headers: map[string]string{
				"Authorization": "Bearer " + planted["bearer"],
				"Cookie":        "sid=" + planted["cookie"] + "; theme=dark",
			}},
			Response: &replay.Payload{
				Headers: map[string]string{
					"Content-Type": "application/json",
					"Set-Cookie":   "session=" + planted["set-cookie"] + "; Path=/; HttpOnly",
					"X-Csrf-Token": planted["csrf header"],
				},
				BodyCaptured: true,
				Body: mustJSON(t, map[string]any{
					"email": planted["email"], "token": planted["token"], "card": planted["card"],
					"id_token": planted["jwt"], "note": "contact " + planted["email"] + " or use " + planted["jwt"],
					"avatar": "/img/dana@2x.png",
				}),
			},
		},
	}
	var events []replay.Event
	for _, ev := range tl.Events {
		switch {
		case ev.Kind == replay.KindNetwork && ev.Network.Method == "POST":
			var body map[string]any
			require.NoError(t, json.Unmarshal(ev.Network.Request.Body, &body))
			body["password"] = planted["password"]
			body["auth"] = map[string]any{"refresh_token": planted["refresh"], "card_number": json.Number(planted["card number"])}
			body["contact"] = planted["email"]
			ev.Network.Request.Body = mustJSON(t, body)
		case ev.Kind == replay.KindInput:
			in := *ev.Input
			in.Masked, in.Value, in.Length = false, planted["email"], len(planted["email"])
			ev.Input = &in
		case ev.Kind == replay.KindError:
			e := *ev.Error
			e.Value += " for " + planted["email"]
			ev.Error = &e
		}
		events = append(events, ev)
		if ev.Kind == replay.KindNavigation && me.Network != nil {
			events = append(events, me)
			me.Network = nil
		}
	}
	tl.Events = events
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

var emailShape = regexp.MustCompile(`^[a-z0-9]+@example\.com$`)

func TestGenerateScrubsEveryPlantedSecret(t *testing.T) {
	r := openReplay(t, "imagechat-bug")
	plantSecrets(t, r.Timeline)
	out, err := Generate(r, Options{Package: "regress"})
	require.NoError(t, err)
	dir := t.TempDir()
	_, _, err = out.Write(dir, false)
	require.NoError(t, err)

	var written strings.Builder
	require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		written.Write(b)
		return err
	}))
	all := written.String()
	for name, secret := range planted {
		assert.NotContains(t, all, secret, "planted %s survived", name)
	}
	for _, part := range []string{"dana.lee", "corp-planted", "4111", "4242 4242", "plantedSignature"} {
		assert.NotContains(t, all, part)
	}

	cas := string(out.Files[out.FixtureDir+"/cassette.json"])
	var c struct {
		Exchanges []struct {
			URL             string              `json:"url"`
			RequestHeaders  map[string][]string `json:"request_headers"`
			ResponseHeaders map[string][]string `json:"response_headers"`
			RequestBody     map[string]any      `json:"request_body"`
			ResponseBody    map[string]any      `json:"response_body"`
		} `json:"exchanges"`
	}
	require.NoError(t, json.Unmarshal([]byte(cas), &c))
	require.Len(t, c.Exchanges, 2)
	me, chat := c.Exchanges[0], c.Exchanges[1]

	// Shapes are kept.
	assert.Regexp(t, emailShape, me.ResponseBody["email"], "an email stays an email")
	assert.Regexp(t, `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`, me.ResponseBody["id_token"], "a JWT keeps three segments")
	assert.Regexp(t, `^\d{4} \d{4} \d{4} \d{4}$`, me.ResponseBody["card"], "a card number keeps its grouping")
	assert.Equal(t, "/img/dana@2x.png", me.ResponseBody["avatar"], "an asset name is not an email")
	assert.Regexp(t, `^session=[^;]+; Path=/; HttpOnly$`, me.ResponseHeaders["Set-Cookie"][0], "cookie attributes are kept")
	assert.Nil(t, me.RequestHeaders, "request headers are not needed by the mock")
	assert.Contains(t, me.URL, "view=full")

	// Stable: the same email maps to the same placeholder everywhere, so the
	// value the user typed still matches the body that carried it.
	assert.Equal(t, me.ResponseBody["email"], chat.RequestBody["contact"])
	code := string(out.Code)
	assert.Contains(t, code, `plan.Type("`+me.ResponseBody["email"].(string)+`"`)

	// Scrubbed request fields are matched by presence by the generated
	// test's mock: its fixture says so, and replaytest builds the mock
	// from it as repro run does.
	fx, err := reproduce.LoadFixture(writeFixture(t, out))
	require.NoError(t, err)
	assert.Equal(t, []string{"api_key"}, fx.Mock.VolatileParams)
	assert.Equal(t, []string{"card_number", "contact", "password", "refresh_token"}, fx.Mock.VolatileBodyFields)
	assert.Positive(t, out.Scrubbed)
}

func TestScrubberString(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"email becomes a placeholder email", "mail dana@corp.io now", "mail user1@example.com now"},
		{"masked text stays masked", "********", "********"},
		{"bearer token keeps its length and classes", "Bearer abcdefgh12345678", "Bearer scrubbed55555551"},
		{"basic followed by prose is prose", "Basic authentication required", "Basic authentication required"},
		{"card with dashes keeps its grouping", "4111-1111-1111-1111", "4000-0000-0000-0010"},
		{"millisecond timestamp is not a card", "1764076282757", "1764076282757"},
		{"non-Luhn digits are not a card", "4111111111111112", "4111111111111112"},
		{"form pair with a secret key keeps the value's length", "user=a&password=hunter2&x=1", "user=a&password=scrubb1&x=1"},
		{"asset with @2x is not an email", "logo@2x.png", "logo@2x.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NewScrubber().String(tt.in))
		})
	}
}

func TestScrubberIsStable(t *testing.T) {
	s := NewScrubber()
	a := s.String("a@corp.io")
	assert.Equal(t, a, s.String("a@corp.io"), "same input, same placeholder")
	assert.NotEqual(t, a, s.String("b@corp.io"), "different inputs, different placeholders")
	assert.Equal(t, a, s.String(a), "a placeholder is left alone")
}

func TestSecretKeys(t *testing.T) {
	for _, k := range []string{"password", "access_token", "api_key", "apiKey", "session_id", "cvv", "client_secret", "key", "card",
		"pwd", "pin", "otp_code", "otpCode", "mfa", "mfa_token", "passphrase", "credentials", "csrf_token", "authenticity_token",
		"X-CSRF-Token", "userPassword", "APIKey", "recovery_code", "twoFactorSecret"} {
		assert.True(t, secretKey(k), k)
	}
	for _, k := range []string{"keyboard", "monkey", "prompt", "shot_id", "cardinality", "author", "hotpink", "token_type",
		"password_length", "otp_enabled", "spinner", "pinned", "code", "state", "passenger"} {
		assert.False(t, secretKey(k), k)
	}
	for _, k := range []string{"code", "state", "sig", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "access_token"} {
		assert.True(t, secretQueryKey(k), k)
	}
	for _, k := range []string{"phone", "phone_number", "phoneNumber", "mobile", "tel"} {
		assert.True(t, phoneKey(k), k)
	}
	for _, k := range []string{"phone_verified", "telemetry", "cellar"} {
		assert.False(t, phoneKey(k), k)
	}
}

// writeFixture writes the output's fixture files into a temporary
// directory and returns the fixture's directory there.
func writeFixture(t *testing.T, out *Output) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range out.Files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, b, 0o644))
	}
	return filepath.Join(dir, filepath.FromSlash(out.FixtureDir))
}
