package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// TestWebhookFailuresNeverShowTheHooksSecretPath: a webhook URL's path is
// its secret (Slack's are), so neither a refused connection nor an error
// status prints it.
func TestWebhookFailuresNeverShowTheHooksSecretPath(t *testing.T) {
	t.Parallel()
	rep := &reproduce.Report{ReplayID: "aad5acad5eac456d9c1478f10cb6584b", Verdict: verdict.Verdict{Value: verdict.Reproduced}}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer failing.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())

	for name, tc := range map[string]struct{ hook, want string }{
		"error status":       {failing.URL + "/services/T0/B0/secretpart", "HTTP 403"},
		"refused connection": {closed + "/services/T0/B0/secretpart", "no answer"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := postWebhook(context.Background(), tc.hook, rep, false, &IOStreams{Out: &out, Err: &errb})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error()+out.String()+errb.String(), "secretpart")
		})
	}
}
