package reproduce

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/mockserver"
)

// TestEveryRecordedExchangeIsServedBackExactly replays each bundle's
// recorded API calls against the mock built from it: the recorded status,
// the recorded headers and, where the SDK captured it, the recorded body
// come back; where it did not, the body is marked synthetic.
func TestEveryRecordedExchangeIsServedBackExactly(t *testing.T) {
	entries, err := os.ReadDir(bundles)
	require.NoError(t, err)
	served := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			r := openBundle(t, e.Name())
			xs := Exchanges(r.Timeline)
			require.NotEmpty(t, xs, "every bundle recorded API calls")
			mock := mockserver.New(xs, mockserver.WithLatency(mockserver.LatencyNone))
			require.NoError(t, mock.Err())
			for _, x := range xs {
				req := httptest.NewRequest(x.Method, x.URL, bytes.NewReader(x.RequestBody))
				for k, v := range x.RequestHeaders {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				mock.ServeHTTP(rec, req)
				assert.Equal(t, x.Status, rec.Code, "%s %s status", x.Method, x.URL)
				for k := range x.ResponseHeaders {
					if http.CanonicalHeaderKey(k) == "Content-Length" {
						continue // recomputed from the body actually served
					}
					assert.Equal(t, x.ResponseHeaders.Get(k), rec.Header().Get(k), "%s %s header %s", x.Method, x.URL, k)
				}
				if x.ResponseBodyCaptured {
					assert.Equal(t, string(x.ResponseBody), rec.Body.String(), "%s %s body", x.Method, x.URL)
					assert.Empty(t, rec.Header().Get("X-Repro-Synthetic"))
				} else {
					assert.NotEmpty(t, rec.Header().Get("X-Repro-Synthetic"), "%s %s: an uncaptured body is marked synthetic", x.Method, x.URL)
				}
				served++
			}
			for _, j := range mock.Journal() {
				assert.NotEqual(t, mockserver.OutcomeUnmatched, j.Outcome, "%s %s", j.Method, j.URL)
			}
		})
	}
	assert.Positive(t, served)
}
