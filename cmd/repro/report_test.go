package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// TestVerdictEventIsRecordedOnlyWhenSentryAcceptsIt: report says it recorded
// the verdict event only once the project's ingest answered 2xx to the
// request carrying it. sentry-go drops an event whose request failed and
// still reports its queue flushed; an ingest that answers 500, or hangs up,
// makes recordVerdictEvent fail with a one-line error saying so (the report
// command then exits non-zero and posts no comment pointing at an event
// that does not exist).
func TestVerdictEventIsRecordedOnlyWhenSentryAcceptsIt(t *testing.T) {
	t.Parallel()
	rep := &reproduce.Report{ReplayID: "a1b2c3", Verdict: verdict.Verdict{Value: verdict.Reproduced, Summary: "TypeError again"}}
	ingest := func(t *testing.T, answer func(w http.ResponseWriter)) (dsn string, bodies func() []string) {
		var mu sync.Mutex
		var got []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
			answer(w)
		}))
		t.Cleanup(srv.Close)
		return "http://publickey@" + strings.TrimPrefix(srv.URL, "http://") + "/42", func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), got...)
		}
	}

	t.Run("accepted", func(t *testing.T) {
		t.Parallel()
		dsn, bodies := ingest(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) })
		id, err := recordVerdictEvent(dsn, rep, "md", nil)
		require.NoError(t, err)
		require.Len(t, id, 32)
		require.NotEmpty(t, bodies())
		assert.Contains(t, bodies()[0], `"event_id":"`+id+`"`, "the id returned is the event the ingest received")
		assert.Contains(t, bodies()[0], `"verdict":"reproduced"`)
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		dsn, bodies := ingest(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) })
		id, err := recordVerdictEvent(dsn, rep, "md", nil)
		require.Error(t, err)
		assert.Empty(t, id)
		assert.Contains(t, err.Error(), "Sentry did not accept it (HTTP 500)")
		assert.NotContains(t, err.Error(), "\n")
		assert.NotEmpty(t, bodies(), "the event was sent: the ingest refused it")
	})
	t.Run("hung up", func(t *testing.T) {
		t.Parallel()
		dsn, _ := ingest(t, func(w http.ResponseWriter) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		_, err := recordVerdictEvent(dsn, rep, "md", nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Sentry did not accept it")
	})
}
