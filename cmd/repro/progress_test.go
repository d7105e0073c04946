package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProgressIsShownOnlyOnATerminal: on a terminal, a rerun shows where it
// is (run j of N, step i of n and its words) on one line of stderr; in a
// pipe or a CI log nothing but the results is written.
func TestProgressIsShownOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: re-runs a bundle in Chromium; -short is set")
	}
	bin := reproBinary(t)
	args := []string{"run", mustAbs("../../testdata/replays/feed-healthy"), "--app", mustAbs("../../testdata/apps/feed/fixed"), "--latency", "none"}

	assert.Nil(t, newProgress(&bytes.Buffer{}), "no progress line on a non-terminal")
	piped, _ := exec.Command(bin, args...).CombinedOutput()
	assert.NotContains(t, string(piped), "step 1 of", "a pipe gets no progress line")

	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Skip("SKIPPED the terminal half: util-linux's script(1) is not installed to give the command a terminal")
	}
	cmd := exec.Command(scriptPath, "-qec", quoteArgs(append([]string{bin}, args...)), "/dev/null")
	tty, _ := cmd.CombinedOutput()
	out := string(tty)
	require.Contains(t, out, "repro: run 1 of 1 · step 1 of 3 · open /", "a terminal gets the progress line")
	assert.Contains(t, out, "\r\x1b[2K", "the line is rewritten in place and cleared at the end")
	// The verdict is printed before report.html's recorded frames are
	// rendered, and the line says that this is what the run is doing then.
	verdictAt := strings.Index(out, "Verdict: INCONCLUSIVE")
	renderingAt := strings.Index(out, "repro: rendering what the user saw at each step for report.html")
	require.GreaterOrEqual(t, renderingAt, 0, "a terminal is told the frames are being rendered")
	assert.Less(t, verdictAt, renderingAt, "the verdict comes before the frames")
	assert.True(t, strings.Contains(out, "Verdict: INCONCLUSIVE"), out)
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}
