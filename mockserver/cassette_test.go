package mockserver

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// roundTripExchanges cover every body form the cassette distinguishes.
func roundTripExchanges() []Exchange {
	return []Exchange{
		{Seq: 1, Label: "compact JSON stays JSON", Method: "POST", URL: "https://app.test/api/chat?x=1",
			RequestHeaders: http.Header{"Content-Type": {"application/json"}},
			RequestBody:    []byte(`{"prompt":"<b>&</b>","n":1.50}`), RequestBodyCaptured: true,
			Status: 200, ResponseHeaders: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"a=1", "b=2"}},
			ResponseBody: []byte(`[{"id":1},{"id":2}]`), ResponseBodyCaptured: true,
			Latency: 12500 * time.Microsecond},
		{Seq: 2, Label: "indented JSON keeps its whitespace", Method: "GET", URL: "/api/x", Status: 200,
			ResponseBody: []byte("{\n  \"a\": 1\n}\n"), ResponseBodyCaptured: true},
		{Seq: 3, Label: "a bare JSON string is text", Method: "GET", URL: "/api/s", Status: 200,
			ResponseBody: []byte(`"hello"`), ResponseBodyCaptured: true},
		{Seq: 4, Label: "binary is base64", Method: "GET", URL: "/img.png", Status: 200,
			ResponseBody: []byte{0x89, 'P', 'N', 'G', 0xff, 0x00}, ResponseBodyCaptured: true},
		{Seq: 5, Label: "captured empty body", Method: "DELETE", URL: "/api/x/1", Status: 204,
			RequestBody: []byte{}, RequestBodyCaptured: true, ResponseBody: []byte{}, ResponseBodyCaptured: true},
		{Seq: 6, Label: "nothing captured", Method: "POST", URL: "/api/skipped", Status: 500,
			Missing: []string{MissingRequestBody, MissingResponseBody, MissingResponseHeaders}},
	}
}

// normalize treats nil and empty slices alike, as JSON does.
func normalize(es []Exchange) []Exchange {
	out := append([]Exchange(nil), es...)
	for i := range out {
		if len(out[i].RequestBody) == 0 {
			out[i].RequestBody = nil
		}
		if len(out[i].ResponseBody) == 0 {
			out[i].ResponseBody = nil
		}
	}
	return out
}

// writeCassette encodes c into the file at path, as a caller of Encode
// does.
func writeCassette(t *testing.T, path string, c *Cassette) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCassetteEncodeLoadRoundTripsExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.cassette.json")
	in := &Cassette{Exchanges: roundTripExchanges()}
	writeCassette(t, path, in)
	out, err := LoadCassette(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != CassetteVersion {
		t.Errorf("version = %d, want %d", out.Version, CassetteVersion)
	}
	want, got := normalize(in.Exchanges), normalize(out.Exchanges)
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("exchange %d (%s) changed:\n got %#v\nwant %#v", i+1, want[i].Label, got[i], want[i])
		}
	}
	if got[4].RequestBodyCaptured != true || got[5].RequestBodyCaptured != false {
		t.Error("captured flags did not survive")
	}

	// Stable output: encoding what was loaded gives the same bytes.
	first, _ := os.ReadFile(path)
	writeCassette(t, path, out)
	second, _ := os.ReadFile(path)
	if !bytes.Equal(first, second) {
		t.Error("encode → load → encode changed the file")
	}
	for _, want := range []string{"\n  \"exchanges\": [", `"prompt": "<b>&</b>"`, `"latency_ms": 12.5`, `"response_body_encoding": "base64"`} {
		if !strings.Contains(string(first), want) {
			t.Errorf("cassette lacks %q (readable JSON bodies, pretty, unescaped):\n%s", want, first)
		}
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestCassetteEncodeReturnsTheWritersError: the caller that writes the file
// (atomically, in repro) learns of the failure and keeps the old file.
func TestCassetteEncodeReturnsTheWritersError(t *testing.T) {
	err := (&Cassette{Exchanges: roundTripExchanges()}).Encode(failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Encode into a failing writer: err = %v", err)
	}
}

func TestHandWrittenCassette(t *testing.T) {
	cases := []struct {
		name    string
		json    string
		wantErr string
		check   func(t *testing.T, c *Cassette)
	}{
		{
			name: "a body without a captured flag counts as captured",
			json: `{"version":1,"exchanges":[{"seq":1,"method":"GET","url":"/a","status":200,
				"response_body":{"ok": true}}]}`,
			check: func(t *testing.T, c *Cassette) {
				e := c.Exchanges[0]
				if !e.ResponseBodyCaptured || string(e.ResponseBody) != `{"ok":true}` || e.RequestBodyCaptured {
					t.Errorf("exchange = %+v", e)
				}
			},
		},
		{name: "missing version is refused", json: `{"exchanges":[]}`, wantErr: "missing \"version\""},
		{name: "a newer version is refused", json: `{"version":99,"exchanges":[]}`, wantErr: "newer"},
		{name: "an unknown field is refused", json: `{"version":1,"exchanges":[{"seq":1,"bodyy":1}]}`, wantErr: "unknown field"},
		{name: "bad base64 is refused", json: `{"version":1,"exchanges":[{"seq":1,"response_body":"!!","response_body_encoding":"base64"}]}`, wantErr: "base64"},
		{name: "negative latency is refused", json: `{"version":1,"exchanges":[{"seq":3,"latency_ms":-1}]}`, wantErr: "latency_ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeCassette(strings.NewReader(tc.json))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadedCassetteServesBodiesExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	writeCassette(t, path, &Cassette{Exchanges: roundTripExchanges()})
	c, err := LoadCassette(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := startMock(t, New(c.Exchanges, WithLatency(LatencyNone)))
	for _, e := range roundTripExchanges()[1:4] {
		if got := call(t, srv.URL, e.Method, e.URL, ""); got.body != string(e.ResponseBody) {
			t.Errorf("%s: body %q, want %q", e.Label, got.body, e.ResponseBody)
		}
	}
}

func TestJournalEntryJSONIsEvidence(t *testing.T) {
	e := JournalEntry{Seq: 1, Method: "GET", URL: "/a", Exchange: 3, Outcome: OutcomeSynthetic,
		Status: 200, Latency: 1500 * time.Microsecond, Synthetic: true}
	b, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"outcome":"synthetic"`, `"latency_ms":1.5`, `"exchange":3`, `"synthetic":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("journal JSON %s lacks %s", b, want)
		}
	}
}
