package generate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/plan"
)

// Hand-made exchanges, one per way a secret reached a fixture in issue 10
// (row 5) and per shape the scrubber must recognize: a crafted replay can
// put anything anywhere, so each case is the smallest input that carries
// one. Each says what must not survive and what shape must.

// scrubbed runs the generate pipeline's scrubbing over exchanges and a plan.
func scrubbed(xs []mockserver.Exchange, pl *plan.Plan) (*Scrubber, []mockserver.Exchange, *plan.Plan) {
	sc := NewScrubber()
	sc.Learn(xs, pl)
	out := make([]mockserver.Exchange, len(xs))
	for i, x := range xs {
		out[i] = sc.Exchange(x)
	}
	var p *plan.Plan
	if pl != nil {
		p = scrubPlan(sc, pl)
	}
	return sc, out, p
}

// everything is every string of an exchange as it would be written.
func everything(x mockserver.Exchange) string {
	b, _ := json.Marshal(x)
	var h strings.Builder
	keys := make([]string, 0, len(x.ResponseHeaders))
	for k := range x.ResponseHeaders {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.WriteString(k + ": " + strings.Join(x.ResponseHeaders[k], ",") + "\n")
	}
	return x.URL + "\n" + string(x.RequestBody) + "\n" + string(x.ResponseBody) + "\n" + h.String() + string(b)
}

func post(url, ct, body string) mockserver.Exchange {
	return mockserver.Exchange{Seq: 1, Method: "POST", URL: url, RequestHeaders: http.Header{"Content-Type": {ct}},
		RequestBody: []byte(body), RequestBodyCaptured: true, Status: 200}
}

func answer(url, ct, body string, hdr ...string) mockserver.Exchange {
	h := http.Header{"Content-Type": {ct}}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return mockserver.Exchange{Seq: 1, Method: "GET", URL: url, Status: 200, ResponseHeaders: h,
		ResponseBody: []byte(body), ResponseBodyCaptured: true}
}

var (
	jwtSample   = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkYW5hQGNvcnAudGVzdCJ9.Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"
	hexToken    = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	awsSig      = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
	awsCred     = "AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/s3/aws4_request"
	stsToken    = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6example"
	oauthCode   = "SplxlOBeZQQYbYS6WxSbIA"
	oauthState  = "af0ifjsldkj8x3Qz"
	slackToken  = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
	stripeKey   = "sk_live_51HqLyjWDarjtT1zdp7dcXzbXkJ9VrxQ3"
	githubToken = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
	awsKey      = "AKIAIOSFODNN7EXAMPLE"
	googleKey   = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"
	gitlabToken = "glpat-xxxxxxxxxxxxxxxxxxxx"
	npmToken    = "npm_1234567890abcdefghijklmnopqrstuvwxyz"
)

func TestScrubberRowFiveCases(t *testing.T) {
	tests := []struct {
		name        string
		x           mockserver.Exchange
		gone        []string                                  // must not appear anywhere
		kept        []string                                  // must still appear (structure, innocent values)
		shape       func(t *testing.T, x mockserver.Exchange) // shape that must survive
		volatile    []string                                  // request fields matched by presence afterwards
		volatileQry []string                                  // request query parameters matched by presence
	}{
		{
			name: "form body: pwd, pin, %40 email, 4111+1111 card",
			x:    post("http://shop.test/login", "application/x-www-form-urlencoded", "user=dana&email=dana.lee%40corp.test&pwd=hunter2&pin=4821&card=4111+1111+1111+1111&remember=1"),
			gone: []string{"hunter2", "4821", "dana.lee", "corp.test", "4111+1111"},
			kept: []string{"user=dana&", "&remember=1"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				assert.Regexp(t, `^user=dana&email=user1x*%40example\.com&pwd=[a-z]{6}[0-9]&pin=[0-9]{4}&card=4[0-9]{3}\+[0-9]{4}\+[0-9]{4}\+[0-9]{4}&remember=1$`, string(x.RequestBody))
			},
			volatile: []string{"card", "email", "pin", "pwd"},
		},
		{
			name: "GraphQL inline arguments: password, otp_code, mfa, passphrase, credentials, phone",
			x:    post("http://shop.test/graphql", "application/json", `{"operationName":"Login","query":"mutation Login { login(email: \"dana@corp.test\", password: \"hunter2!\", otp_code: 123456, mfa: \"889900\", passphrase: \"\"\"correct horse\"\"\", credentials: {apiKey: \"k-7731\"}, phone: \"+1 (415) 555-0134\") { ok } }"}`),
			gone: []string{"hunter2", "123456", "889900", "correct horse", "k-7731", "415", "0134", "dana@corp.test"},
			kept: []string{"mutation Login { login(", "{ ok } }", `"operationName":"Login"`},
			shape: func(t *testing.T, x mockserver.Exchange) {
				var b map[string]string
				require.NoError(t, json.Unmarshal(x.RequestBody, &b))
				q := b["query"]
				assert.Regexp(t, `password: "[a-z]{6}[0-9]!"`, q)
				assert.Regexp(t, `otp_code: [0-9]{6}[ ,]`, q)
				assert.Regexp(t, `phone: "\+[0-9] \([0-9]{3}\) [0-9]{3}-[0-9]{4}"`, q)
				assert.Regexp(t, `passphrase: """[a-z]{7} [a-z]{5}"""`, q)
			},
			volatile: []string{"query"},
		},
		{
			name: "GraphQL variables: otp_code, mfa, passphrase, credentials, phone",
			x:    post("http://shop.test/graphql", "application/json", `{"query":"mutation V($input: VerifyInput!) { verify(input: $input) { ok } }","variables":{"input":{"otp_code":"123456","mfa":{"code":"889900"},"passphrase":"correct horse","credentials":{"user":"dana","secret":"s3cr3t-value"},"phone":"+14155550134","note":"hello"}}}`),
			gone: []string{"123456", "889900", "correct horse", "s3cr3t-value", "4155550134"},
			kept: []string{`"note":"hello"`, "mutation V($input: VerifyInput!)"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				var b struct {
					Variables struct {
						Input map[string]any `json:"input"`
					} `json:"variables"`
				}
				require.NoError(t, json.Unmarshal(x.RequestBody, &b))
				in := b.Variables.Input
				assert.Regexp(t, `^[0-9]{6}$`, in["otp_code"])
				assert.Regexp(t, `^\+[0-9]{11}$`, in["phone"])
				assert.Len(t, in["passphrase"], len("correct horse"))
			},
			volatile: []string{"code", "otp_code", "passphrase", "phone", "secret", "user"},
		},
		{
			name: "JSON inside a string field",
			x:    post("http://shop.test/api/events", "application/json", `{"type":"login","payload":"{\"password\":\"hunter2\",\"email\":\"dana@corp.test\",\"count\":3}"}`),
			gone: []string{"hunter2", "dana@corp.test"},
			kept: []string{`"type":"login"`},
			shape: func(t *testing.T, x mockserver.Exchange) {
				var b map[string]string
				require.NoError(t, json.Unmarshal(x.RequestBody, &b))
				var inner map[string]any
				require.NoError(t, json.Unmarshal([]byte(b["payload"]), &inner), "the string still holds JSON")
				assert.Regexp(t, `^[a-z]{6}[0-9]$`, inner["password"])
				assert.Equal(t, float64(3), inner["count"])
			},
			volatile: []string{"payload"}, // the string is what is compared
		},
		{
			name: "token in a URL path segment",
			x:    answer("http://shop.test/api/reset-password/"+hexToken+"?lang=en", "application/json", `{"ok":true}`),
			gone: []string{hexToken},
			kept: []string{"/api/reset-password/", "?lang=en"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				assert.Regexp(t, `/reset-password/[0-9a-f]{64}\?`, x.URL)
			},
		},
		{
			name: "AWS signed URL: X-Amz-Credential, X-Amz-Signature, X-Amz-Security-Token",
			x:    answer("https://bucket.s3.amazonaws.com/u/photo.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="+strings.ReplaceAll(awsCred, "/", "%2F")+"&X-Amz-Date=20261201T000000Z&X-Amz-Expires=900&X-Amz-Security-Token="+stsToken+"&X-Amz-SignedHeaders=host&X-Amz-Signature="+awsSig, "image/jpeg", ""),
			gone: []string{awsSig, "AKIAIOSFODNN7EXAMPLE", "IQoJb3JpZ2luX2VjEJr"},
			kept: []string{"X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Date=20261201T000000Z", "X-Amz-Expires=900", "/u/photo.jpg"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				assert.Regexp(t, `X-Amz-Signature=[0-9a-f]{64}$`, x.URL)
			},
			volatileQry: []string{"X-Amz-Credential", "X-Amz-Security-Token", "X-Amz-Signature"},
		},
		{
			name: "sig and OAuth code and state in a query string",
			x:    answer("http://shop.test/api/download?file=report.pdf&sig=a1b2c3d4e5f6a7b8&code="+oauthCode+"&state="+oauthState, "application/json", `{}`),
			gone: []string{"a1b2c3d4e5f6a7b8", oauthCode, oauthState},
			kept: []string{"file=report.pdf"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				assert.Regexp(t, `code=[A-Za-z0-9]{22}&state=[a-z0-9A-Z]{16}$`, x.URL)
			},
			volatileQry: []string{"code", "sig", "state"},
		},
		{
			name: "OAuth code and state in a Location header",
			x: mockserver.Exchange{Seq: 1, Method: "GET", URL: "http://shop.test/oauth/authorize", Status: 302,
				ResponseHeaders: http.Header{"Location": {"http://shop.test/callback?code=" + oauthCode + "&state=" + oauthState}}},
			gone: []string{oauthCode, oauthState},
			kept: []string{"http://shop.test/callback?code="},
		},
		{
			name: "X-Request-Signature and similar response headers",
			x: answer("http://shop.test/api/hook", "application/json", `{}`, "X-Request-Signature", "sha256=9c1185a5c5e9fc54612808977ee8f548b2258d31",
				"X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "X-Amz-Security-Token", stsToken),
			gone: []string{"9c1185a5c5e9fc54612808977ee8f548b2258d31", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "IQoJb3JpZ2luX2VjEJr"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				assert.Regexp(t, `^sha256=[0-9a-f]{40}$`, x.ResponseHeaders.Get("X-Request-Signature"))
			},
		},
		{
			name: "csrf_token and authenticity_token in HTML, meta csrf-token",
			x: answer("http://shop.test/account", "text/html; charset=utf-8", `<!doctype html><html><head><meta name="csrf-token" content="Q2xhc3NpY0NzcmZUb2tlbjEyMw=="></head><body>`+
				`<form action="/account" method="post"><input type="hidden" name="csrf_token" value="8f3a9c2e71d04b5a"><input type='hidden' name='authenticity_token' value='A1b2C3d4E5f6G7h8'>`+
				`<input type="password" name="current" value="hunter2"><input name="q" value="shoes"></form></body></html>`),
			gone: []string{"Q2xhc3NpY0NzcmZUb2tlbjEyMw==", "8f3a9c2e71d04b5a", "A1b2C3d4E5f6G7h8", "hunter2"},
			kept: []string{`<input name="q" value="shoes">`, `<form action="/account" method="post">`},
			shape: func(t *testing.T, x mockserver.Exchange) {
				assert.Regexp(t, `name="csrf_token" value="[0-9a-f]{16}"`, string(x.ResponseBody))
				assert.Regexp(t, `name='authenticity_token' value='[A-Za-z0-9]{16}'`, string(x.ResponseBody))
				assert.Regexp(t, `content="[A-Za-z0-9]{26}=="`, string(x.ResponseBody))
			},
		},
		{
			name: "sk_live, ghp, AKIA and other prefixed tokens under innocent keys",
			x:    answer("http://shop.test/api/config", "application/json", `{"note":"`+stripeKey+`","misc":["`+githubToken+`","`+awsKey+`"],"a":"`+slackToken+`","b":"`+googleKey+`","c":"`+gitlabToken+`","d":"`+npmToken+`","title":"Settings"}`),
			gone: []string{stripeKey, githubToken, awsKey, slackToken, googleKey, gitlabToken, npmToken, "51HqLyjWDarjtT1zdp7dcXzbXkJ9VrxQ3"},
			kept: []string{`"title":"Settings"`},
			shape: func(t *testing.T, x mockserver.Exchange) {
				var b map[string]any
				require.NoError(t, json.Unmarshal(x.ResponseBody, &b))
				assert.Regexp(t, `^sk_live_[0-9A-Za-z]{33}$`, b["note"])
				misc := b["misc"].([]any)
				assert.Regexp(t, `^ghp_[0-9A-Za-z]{36}$`, misc[0])
				assert.Regexp(t, `^AKIA[0-9A-Z]{16}$`, misc[1])
				assert.Regexp(t, `^xoxb-[0-9]{11}-[0-9]{11}-[A-Za-z0-9]{24}$`, b["a"])
			},
		},
		{
			name: "emails in every encoding",
			x:    answer("http://shop.test/api/profile", "text/plain", `plain dana@corp.test, url dana%40corp.test, json dana\u0040corp.test, html dana&#64;corp.test and dana&#x40;corp.test`),
			gone: []string{"dana@corp.test", "dana%40corp.test", `dana\u0040corp.test`, "dana&#64;corp.test", "dana&#x40;corp.test", "corp.test"},
			shape: func(t *testing.T, x mockserver.Exchange) {
				b := string(x.ResponseBody)
				assert.Contains(t, b, "plain user1@example.com,", "one address, one placeholder, in every encoding")
				assert.Contains(t, b, "url user1%40example.com,")
				assert.Contains(t, b, `json user1\u0040example.com,`)
				assert.Contains(t, b, "html user1&#64;example.com and user1&#x40;example.com")
			},
		},
		{
			name: "JWT and card numbers with any separator",
			x:    answer("http://shop.test/api/wallet", "application/json", `{"session":{"jwt":"`+jwtSample+`"},"cards":["4242 4242 4242 4242","5555-5555-5555-4444","4000.0566.5566.5556","378282246310005"],"pi":"3.14159265358979","when":1764076282757}`),
			gone: []string{jwtSample, "4242 4242", "5555-5555", "4000.0566", "378282246310005", "ZGFuYUBjb3JwLnRlc3Q"},
			kept: []string{`"pi":"3.14159265358979"`, `"when":1764076282757`},
			shape: func(t *testing.T, x mockserver.Exchange) {
				var b struct {
					Session map[string]string `json:"session"`
					Cards   []string          `json:"cards"`
				}
				require.NoError(t, json.Unmarshal(x.ResponseBody, &b))
				assert.Regexp(t, `^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`, b.Session["jwt"])
				assert.Regexp(t, `^\d{4} \d{4} \d{4} \d{4}$`, b.Cards[0])
				assert.Regexp(t, `^\d{4}-\d{4}-\d{4}-\d{4}$`, b.Cards[1])
				assert.Regexp(t, `^\d{4}\.\d{4}\.\d{4}\.\d{4}$`, b.Cards[2])
				assert.Regexp(t, `^\d{15}$`, b.Cards[3])
			},
		},
		{
			name: "phone numbers where the field says phone, only there",
			x:    answer("http://shop.test/api/me", "application/json", `{"phone":"+44 20 7946 0958","mobileNumber":4155550134,"order":"20 7946 0958"}`),
			gone: []string{"7946 0958\",\"mobile", "4155550134"},
			kept: []string{`"order":"20 7946 0958"`},
			shape: func(t *testing.T, x mockserver.Exchange) {
				var b map[string]any
				require.NoError(t, json.Unmarshal(x.ResponseBody, &b))
				assert.Regexp(t, `^\+\d{2} \d{2} \d{4} \d{4}$`, b["phone"])
			},
		},
		{
			name: "simple multipart body",
			x: post("http://shop.test/api/signup", "multipart/form-data; boundary=----x7MA4YWxkTrZu0gW",
				"------x7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\ndana@corp.test\r\n------x7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2\r\n------x7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"plan\"\r\n\r\npro\r\n------x7MA4YWxkTrZu0gW--\r\n"),
			gone: []string{"hunter2", "dana@corp.test"},
			kept: []string{"name=\"plan\"\r\n\r\npro\r\n", "------x7MA4YWxkTrZu0gW--\r\n"},
		},
		{
			name: "Set-Cookie and secrets in free text",
			x: answer("http://shop.test/api/log", "text/plain", "session started: token=Zx81kLmQp0Tr77 user=dana api_key=k9f8e7d6c5b4",
				"Set-Cookie", "sid=s%3AabcDEF123456.Xyz; Path=/; HttpOnly"),
			gone: []string{"Zx81kLmQp0Tr77", "k9f8e7d6c5b4", "abcDEF123456"},
			kept: []string{"user=dana", "; Path=/; HttpOnly"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, out, _ := scrubbed([]mockserver.Exchange{tc.x}, nil)
			x := out[0]
			all := everything(x)
			for _, g := range tc.gone {
				assert.NotContains(t, all, g, "survived scrubbing")
			}
			for _, k := range tc.kept {
				assert.Contains(t, all, k, "innocent data or structure was lost")
			}
			if tc.shape != nil {
				tc.shape(t, x)
			}
			if len(tc.x.RequestBody) > 0 && len(x.RequestBody) > 0 && json.Valid(tc.x.RequestBody) {
				assert.True(t, json.Valid(x.RequestBody), "a JSON body stays JSON")
			}
			if tc.volatile != nil {
				assert.Equal(t, tc.volatile, sc.VolatileBodyFields())
			}
			if tc.volatileQry != nil {
				assert.Equal(t, tc.volatileQry, sc.VolatileParams())
			}
			// Stable: the same Scrubber maps a scrubbed fixture to itself.
			assert.Equal(t, everything(x), everything(sc.Exchange(x)))
		})
	}
}

// TestScrubbedFixtureStillMatchesTheRerun is the other half of scrubbing:
// the rerun's app sends what the scrubbed test and fixture give it (the
// typed placeholder, the token from the scrubbed page URL or response), and
// the mock built the way the generated test builds it must answer it.
func TestScrubbedFixtureStillMatchesTheRerun(t *testing.T) {
	tests := []struct {
		name  string
		xs    []mockserver.Exchange
		plan  *plan.Plan
		rerun func(sc *Scrubber, plan *plan.Plan, xs []mockserver.Exchange) (method, target, ct, body string)
	}{
		{
			name: "form login: the typed email placeholder and a masked password",
			xs:   []mockserver.Exchange{post("http://shop.test/login", "application/x-www-form-urlencoded", "email=dana.lee%40corp.test&pwd=hunter2&remember=1")},
			plan: &plan.Plan{StartURL: "http://shop.test/", Steps: []plan.Step{{Index: 0, Value: "dana.lee@corp.test"}}},
			rerun: func(sc *Scrubber, p *plan.Plan, _ []mockserver.Exchange) (string, string, string, string) {
				return "POST", "/login", "application/x-www-form-urlencoded", "email=" + strings.ReplaceAll(p.Steps[0].Value, "@", "%40") + "&pwd=xxxxxxx&remember=1"
			},
		},
		{
			name: "reset token: the app reads it from the scrubbed page URL",
			xs:   []mockserver.Exchange{post("http://shop.test/api/reset-password/"+hexToken, "application/json", `{"password":"n3w-Passw0rd"}`)},
			plan: &plan.Plan{StartURL: "http://shop.test/reset-password/" + hexToken},
			rerun: func(sc *Scrubber, p *plan.Plan, _ []mockserver.Exchange) (string, string, string, string) {
				tok := p.StartURL[strings.LastIndexByte(p.StartURL, '/')+1:]
				return "POST", "/api/reset-password/" + tok, "application/json", `{"password":"typed-anything"}`
			},
		},
		{
			name: "share token listed early under an innocent key, requested later in a path",
			xs: []mockserver.Exchange{
				answer("http://shop.test/api/shares", "application/json", `{"items":[{"id":"Zk3T9qLmN2xR7vBc8YpQ","title":"Q3 report"}]}`),
				answer("http://shop.test/api/share/Zk3T9qLmN2xR7vBc8YpQ", "application/json", `{"title":"Q3 report"}`),
			},
			rerun: func(sc *Scrubber, _ *plan.Plan, xs []mockserver.Exchange) (string, string, string, string) {
				var list struct {
					Items []struct{ ID string } `json:"items"`
				}
				_ = json.Unmarshal(xs[0].ResponseBody, &list)
				return "GET", "/api/share/" + list.Items[0].ID, "", ""
			},
		},
		{
			name: "OAuth callback: the app posts the code from the scrubbed page URL",
			xs:   []mockserver.Exchange{post("http://shop.test/api/oauth/token", "application/json", `{"code":"`+oauthCode+`","redirect":"/home"}`)},
			plan: &plan.Plan{StartURL: "http://shop.test/callback?code=" + oauthCode + "&state=" + oauthState},
			rerun: func(sc *Scrubber, p *plan.Plan, _ []mockserver.Exchange) (string, string, string, string) {
				code := regexp.MustCompile(`code=([^&]+)`).FindStringSubmatch(p.StartURL)[1]
				return "POST", "/api/oauth/token", "application/json", `{"code":"` + code + `","redirect":"/home"}`
			},
		},
		{
			name: "GraphQL with an inline password typed into a masked field",
			xs:   []mockserver.Exchange{post("http://shop.test/graphql", "application/json", `{"operationName":"Login","query":"mutation Login { login(password: \"hunter2\") { ok } }"}`)},
			rerun: func(sc *Scrubber, _ *plan.Plan, _ []mockserver.Exchange) (string, string, string, string) {
				return "POST", "/graphql", "application/json", `{"operationName":"Login","query":"mutation Login { login(password: \"xxxxxxx\") { ok } }"}`
			},
		},
		{
			name: "signed download URL requested with a fresh signature",
			xs:   []mockserver.Exchange{answer("http://shop.test/api/file?name=a.pdf&sig=a1b2c3d4e5f6a7b8&X-Amz-Signature="+awsSig, "application/pdf", "%PDF")},
			rerun: func(sc *Scrubber, _ *plan.Plan, _ []mockserver.Exchange) (string, string, string, string) {
				return "GET", "/api/file?name=a.pdf&sig=0000111122223333&X-Amz-Signature=" + strings.Repeat("ab", 32), "", ""
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, xs, plan := scrubbed(tc.xs, tc.plan)
			for i := range xs {
				xs[i].Seq = i + 1
			}
			mock := mockserver.New(xs, mockserver.WithLatency(mockserver.LatencyNone),
				mockserver.WithVolatileParams(sc.VolatileParams()...), mockserver.WithVolatileBodyFields(sc.VolatileBodyFields()...))
			require.NoError(t, mock.Err())
			method, target, ct, body := tc.rerun(sc, plan, xs)
			req := httptest.NewRequest(method, target, strings.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			mock.ServeHTTP(rec, req)
			assert.NotEqual(t, http.StatusNotImplemented, rec.Code, "the rerun's request no longer matches the fixture: %s", rec.Body.String())
			for _, x := range tc.xs {
				for _, secret := range []string{hexToken, oauthCode, "hunter2", "dana.lee", awsSig, "Zk3T9qLmN2xR7vBc8YpQ"} {
					for _, y := range xs {
						assert.NotContains(t, everything(y), secret)
					}
					_ = x
				}
			}
		})
	}
}

// BenchmarkScrubberLargeResponse scrubs an 800 KB JSON response of 5,000
// items, each with an email, a URL and innocent text: the cost of
// scrubbing a large fixture (every pattern, the token index, placeholders).
func BenchmarkScrubberLargeResponse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for i := range 5000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"item-%d","title":"A product title number %d with some words","url":"https://shop.test/p/%d?ref=home","owner":"user%d@corp.test","price":%d}`, i, i, i, i, i*7)
	}
	sb.WriteString(`]}`)
	x := answer("http://shop.test/api/items", "application/json", sb.String())
	b.SetBytes(int64(len(x.ResponseBody)))
	b.ReportAllocs()
	for b.Loop() {
		NewScrubber().Exchange(x)
	}
}

// FuzzScrubberBody feeds arbitrary bodies and content types through the
// scrubber, with the same text in a Location URL: it must not panic, a
// JSON body must stay JSON, and two Scrubbers must scrub one input alike
// (no map order leaks into a fixture).
func FuzzScrubberBody(f *testing.F) {
	f.Add("application/json", `{"password":"hunter2","q":"{\"token\":\"abc12345\"}","u":"https://x.test/reset-password/`+hexToken+`?code=abc"}`)
	f.Add("application/x-www-form-urlencoded", "email=dana%40corp.test&pwd=hunter2&card=4111+1111+1111+1111")
	f.Add("text/html", `<meta name="csrf-token" content="abc"><input type="hidden" name="authenticity_token" value="x1Y2">`)
	f.Add("application/json", `{"query":"mutation { login(password: \"p\u00e9\", otp: 12) { ok } }","variables":{"phone":"+1 555"}}`)
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n1234\r\n--b--\r\n")
	f.Add("", "dana\\u0040corp.test sk_live_abcdefgh12345678 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")
	f.Fuzz(func(t *testing.T, ct, body string) {
		scrub := func() mockserver.Exchange {
			x := post("http://shop.test/api/x?state=s1&sig=abc", ct, body)
			x.ResponseHeaders = http.Header{"Content-Type": {ct}, "Location": {"http://shop.test/cb?code=" + body}}
			x.ResponseBody, x.ResponseBodyCaptured = []byte(body), true
			_, out, _ := scrubbed([]mockserver.Exchange{x}, nil)
			return out[0]
		}
		out := scrub()
		if json.Valid([]byte(body)) && len(out.RequestBody) > 0 && !json.Valid(out.RequestBody) {
			t.Fatalf("a JSON body became invalid: %q", out.RequestBody)
		}
		if again := scrub(); everything(again) != everything(out) {
			t.Fatalf("two scrubbers disagree:\n%s\n%s", everything(out), everything(again))
		}
	})
}
