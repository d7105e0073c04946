package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/testdata/usermodule"
)

// userModule makes a Go module outside the repository that requires repro
// through a replace directive, as an engineer's repository would.
func userModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, usermodule.Write(t.Context(), mustAbs("../.."), dir, "example.com/userapp"))
	return dir
}

// TestGenerateVerifyRunsTheWrittenTest writes the image-chat bug's test
// with --verify: against the buggy app it fails as it should (verified),
// against the fixed app it passes, which --verify reports as an error:
// such a test would not catch the bug.
func TestGenerateVerifyRunsTheWrittenTest(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: --verify compiles and runs the generated test with Chromium; -short is set")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("SKIPPED: no go command on PATH")
	}
	mod := userModule(t)
	out := filepath.Join(mod, "regress")
	bundle := "../../testdata/replays/imagechat-bug"

	code, stdout, stderr := runCLI(t, "generate", bundle, "-o", out, "--verify", "--app", "../../testdata/apps/imagechat/buggy")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Contains(t, stdout, "verified: TestReplay_aad5ac_GenerateFailsSilently fails against")
	assert.Contains(t, stdout, "as it should")

	code, _, stderr = runCLI(t, "generate", bundle, "-o", out, "--force", "--verify", "--app", "../../testdata/apps/imagechat/fixed")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "PASSED against")
	assert.Contains(t, stderr, "it does not catch the bug there")

	code, _, stderr = runCLI(t, "generate", bundle, "-o", out, "--force", "--verify")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--verify needs --app")
}
