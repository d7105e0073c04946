package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/batch"
	"github.com/repro-dev/repro/reproduce/chrometest"
)

// poolStand holds the pool leak tests' stand-ins: an ingest for the
// app's real Sentry SDK, the recorded origin (the bundles are moved onto
// it), and the image-chat app served as a URL app that is also its real
// backend; list is a directory of the two bundles a pool batch re-runs
// (imagechat-bug and feed-healthy).
type poolStand struct {
	ingest, recorded, app *counter
	list                  string
}

func poolStandIns(t *testing.T) poolStand { return poolStandInsOn(t, "127.0.0.1") }

// poolStandInsOn is poolStandIns listening on host.
func poolStandInsOn(t *testing.T, host string) poolStand {
	t.Helper()
	st := poolStand{ingest: newCounterOn(t, host, nil, nil), recorded: newCounterOn(t, host, nil, nil), list: t.TempDir()}
	st.app = leakAppOn(t, host, mustAbs("../../testdata/apps/imagechat/buggy"), "http://publickey@"+strings.TrimPrefix(st.ingest.srv.URL, "http://")+"/1")
	for _, name := range []string{"imagechat-bug", "feed-healthy"} {
		var m struct {
			Origin string `json:"origin"`
		}
		b, err := os.ReadFile(filepath.Join("../../testdata/replays", name, "manifest.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &m))
		require.NoError(t, os.Symlink(relocated(t, filepath.Join("../../testdata/replays", name), m.Origin, st.recorded.srv.URL), filepath.Join(st.list, name)))
	}
	return st
}

// assertNothingReached waits 2 s (what a page or a child process sends
// late still counts), then fails for any request or connection at a
// stand-in.
func (st poolStand) assertNothingReached(t *testing.T) {
	t.Helper()
	time.Sleep(2 * time.Second)
	for name, c := range map[string]*counter{"the Sentry ingest": st.ingest, "the recorded origin": st.recorded, "the app's real backend": st.app} {
		hits, conns := c.seen()
		t.Logf("%s: %d request(s), %d connection(s)", name, len(hits), conns)
		assert.Empty(t, hits, "requests reached %s", name)
		assert.Zero(t, conns, "connections reached %s", name)
	}
}

// TestBatchOnTwoRemoteBrowsersLeaksNothing is the fail-closed leak test
// (TestRunLeaksNothingOnAnyBundle) through a pool: `repro batch` as its
// own process spreads the image-chat replays over two Chromiums it did not
// launch (--remote-chrome twice, as a pool's endpoints), against the app
// served as a URL app that is also its real backend, with the real Sentry
// SDK sending to an ingest stand-in and the recorded origin moved onto
// another. One of the two is on another host where a network namespace can
// be made (chrometest.TryOtherHost: it reaches this machine only at the
// link's address, given with --remote-proxy-host, where the stand-ins and
// the app listen too, so that it could reach them directly); elsewhere
// both are local. Counted until 2 s after the process exited, none of the
// stand-ins gets a request or a connection, each replay gets its verdict,
// and both browsers were used.
func TestBatchOnTwoRemoteBrowsersLeaksNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: re-runs replays in Chromium; -short is set")
	}
	bin := reproBinary(t)
	wsA, _ := chrometest.DevTools(t, "")
	host, wsB, extra := "127.0.0.1", "", []string(nil)
	if other, ok := chrometest.TryOtherHost(t, ""); ok {
		host, wsB = other.HostIP, other.DevTools
		extra = []string{"--remote-proxy-host", other.HostIP}
		t.Logf("the second browser is on another host, reaching this one at %s", host)
	} else {
		wsB, _ = chrometest.DevTools(t, "")
		t.Log("both browsers are on this host")
	}
	st := poolStandInsOn(t, host)
	out := filepath.Join(t.TempDir(), "batch")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// feed-healthy's first step finds nothing in the image chat: its rerun
	// waits out the step timeout, idle. 10 s is twice the default that
	// reproduce's acceptance runs rely on under load (30 s made this the
	// package's longest test).
	args := append([]string{"batch", st.list, "--app", st.app.srv.URL, "--latency", "none", "--step-timeout", "10s",
		"--remote-chrome", wsA, "--remote-chrome", wsB, "-j", "2", "--out", out, "--json"}, extra...)
	stdout, err := exec.CommandContext(ctx, bin, args...).Output()
	require.NoError(t, err, "repro batch: %s", stdout)
	st.assertNothingReached(t)
	var sum batch.Summary
	require.NoError(t, json.Unmarshal(stdout, &sum), "%s", stdout)
	assert.Equal(t, 2, sum.Done)
	assert.Equal(t, 1, sum.Verdicts["reproduced"], "imagechat-bug through the pool: %+v", sum)
	assert.Equal(t, 1, sum.Verdicts["inconclusive"], "feed-healthy through the pool: %+v", sum)
	endpoints := map[string]bool{}
	rs, err := batch.ReadResults(out)
	require.NoError(t, err)
	for _, r := range rs {
		endpoints[r.Endpoint] = true
	}
	assert.Len(t, endpoints, 2, "the reruns were spread over both browsers: %v", endpoints)
}

// TestCtrlCLeavesAValidSummary interrupts `repro batch` (SIGINT, as
// Ctrl-C) once its first result is written: it exits 1 promptly, and
// summary.json is valid, marked interrupted, with the finished result.
func TestCtrlCLeavesAValidSummary(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: re-runs replays in Chromium; -short is set")
	}
	bin := reproBinary(t)
	out := filepath.Join(t.TempDir(), "batch")
	cmd := exec.Command(bin, "batch", "../../testdata/replays", "--app", imagechatBuggy, "--latency", "none", "-j", "1", "--out", out, "--frames=false")
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(4 * time.Minute)
	for {
		rs, _ := batch.ReadResults(out)
		if len(rs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("no result within 4 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("repro batch did not stop within a minute of Ctrl-C")
	}
	assert.Equal(t, exitError, cmd.ProcessState.ExitCode())
	b, err := os.ReadFile(filepath.Join(out, batch.SummaryFile))
	require.NoError(t, err)
	var sum batch.Summary
	require.NoError(t, json.Unmarshal(b, &sum), "%s", b)
	assert.True(t, sum.Interrupted)
	rs, err := batch.ReadResults(out)
	require.NoError(t, err)
	assert.Equal(t, len(rs), sum.Done)
	assert.Less(t, sum.Done, sum.Total)
}
