package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generateBundle is the real image-chat bug bundle.
var generateBundle = filepath.Join("..", "..", "testdata", "replays", "imagechat-bug")

// runGenerateCLI runs the generate command as main's run does (exit codes, one-line
// errors). It builds the command itself: root.go registers it separately.
func runGenerateCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	streams := &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb}
	cmd := newGenerateCmd(streams)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args[1:]) // args[0] is "generate"
	code := exitStatus(cmd.ExecuteContext(context.Background()), &errb)
	return code, out.String(), errb.String()
}

func TestGenerateCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     func(dir string) []string
		setup    func(t *testing.T, dir string)
		wantCode int
		wantErr  string
		check    func(t *testing.T, dir, stdout string)
	}{
		{
			name: "writes the test and its fixture, package from the directory's Go files",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "app.go"), []byte("package shopapp\n"), 0o644))
			},
			args: func(dir string) []string { return []string{"generate", generateBundle, "-o", dir} },
			check: func(t *testing.T, dir, stdout string) {
				files, _ := filepath.Glob(filepath.Join(dir, "replay_*_test.go"))
				require.Len(t, files, 1)
				code, err := os.ReadFile(files[0])
				require.NoError(t, err)
				assert.Contains(t, string(code), "package shopapp\n")
				assert.Contains(t, string(code), "_GenerateFailsSilently(t *testing.T)")
				assert.Contains(t, string(code), "repro generate "+generateBundle+" -o ", "the header says how to regenerate")
				assert.Contains(t, stdout, files[0])
				cassettes, _ := filepath.Glob(filepath.Join(dir, "testdata", "replay_*", "cassette.json"))
				assert.Len(t, cassettes, 1)
			},
		},
		{
			name: "refuses to overwrite an existing test without --force",
			setup: func(t *testing.T, dir string) {
				require.Equal(t, 0, first(runGenerateCLI(t, "generate", generateBundle, "-o", dir)))
			},
			args:     func(dir string) []string { return []string{"generate", generateBundle, "-o", dir} },
			wantCode: exitError,
			wantErr:  "pass --force",
		},
		{
			name: "overwrites with --force",
			setup: func(t *testing.T, dir string) {
				require.Equal(t, 0, first(runGenerateCLI(t, "generate", generateBundle, "-o", dir)))
			},
			args: func(dir string) []string {
				return []string{"generate", generateBundle, "-o", dir, "--force", "--expect-bug"}
			},
			check: func(t *testing.T, dir, _ string) {
				files, _ := filepath.Glob(filepath.Join(dir, "replay_*_test.go"))
				code, _ := os.ReadFile(files[0])
				assert.Contains(t, string(code), "assert.NotEmpty(t, obs.UncaughtError(")
			},
		},
		{
			name:     "--minimize needs --app",
			args:     func(dir string) []string { return []string{"generate", generateBundle, "-o", dir, "--minimize"} },
			wantCode: exitUsage,
			wantErr:  "--minimize needs --app",
		},
		{
			name:     "-o is required",
			args:     func(string) []string { return []string{"generate", generateBundle} },
			wantCode: exitUsage,
			wantErr:  "-o/--out is required",
		},
		{
			name: "--ci github writes the workflow at the repository root beside the test",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/shop\n\ngo 1.26\n"), 0o644))
			},
			args: func(dir string) []string {
				return []string{"generate", generateBundle, "-o", filepath.Join(dir, "e2e"), "--ci", "github", "--app-cmd", "npm ci && npm start"}
			},
			check: func(t *testing.T, dir, stdout string) {
				wf := filepath.Join(dir, ".github", "workflows", "repro-e2e.yml")
				assert.Contains(t, stdout, wf)
				b, err := os.ReadFile(wf)
				require.NoError(t, err)
				assert.Contains(t, string(b), `REPRO_APP_CMD: "npm ci && npm start"`)
				assert.Contains(t, string(b), `run: "go test -v -count=1 ./e2e/..."`)
				assert.Contains(t, string(b), "--ci github --app-cmd 'npm ci && npm start'", "the header says how to regenerate")
			},
		},
		{
			name:     "--ci github needs --app-cmd, before anything is written",
			args:     func(dir string) []string { return []string{"generate", generateBundle, "-o", dir, "--ci", "github"} },
			wantCode: exitUsage,
			wantErr:  "needs --app-cmd",
			check: func(t *testing.T, dir, stdout string) {
				files, _ := filepath.Glob(filepath.Join(dir, "replay_*_test.go"))
				assert.Empty(t, files)
			},
		},
		{
			name: "--ci other",
			args: func(dir string) []string {
				return []string{"generate", generateBundle, "-o", dir, "--ci", "gitlab", "--app-cmd", "x"}
			},
			wantCode: exitUsage,
			wantErr:  "README",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			code, stdout, stderr := runGenerateCLI(t, tt.args(dir)...)
			assert.Equal(t, tt.wantCode, code, "stderr: %s", stderr)
			if tt.wantErr != "" {
				assert.Contains(t, stderr, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, dir, stdout)
			}
		})
	}
}

func first(code int, _, _ string) int { return code }

// TestMinimizeTakesTheRunFlags checks that generate --minimize reads the
// flags of repro run through the same path as run does: a bad --timing, an
// --input without a value or --forward-unmatched without --upstream are
// refused as they are by run, before any rerun.
func TestMinimizeTakesTheRunFlags(t *testing.T) {
	t.Parallel()
	bundle := "../../testdata/replays/imagechat-bug"
	app := "../../testdata/apps/imagechat/buggy"
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--timing", "slowly"}, `--timing "slowly": want fast or recorded`},
		{[]string{"--input", "#prompt"}, `--input "#prompt": want selector=value`},
		{[]string{"--forward-unmatched"}, "--forward-unmatched needs --upstream"},
		{[]string{"--latency", "often"}, "often"},
	} {
		for _, cmd := range [][]string{
			{"run", bundle, "--app", app},
			{"generate", bundle, "-o", t.TempDir(), "--minimize", "--app", app},
		} {
			code, _, stderr := runCLI(t, append(cmd, tc.flags...)...)
			assert.Equal(t, exitUsage, code, "%s %v: %s", cmd[0], tc.flags, stderr)
			assert.Contains(t, stderr, tc.want, "%s %v", cmd[0], tc.flags)
		}
	}
}

// TestScreenshotsFlagTakesEvidenceOrAll: --screenshots is on the commands
// that write report.html, and a value other than evidence or all is a
// usage error (2) before anything runs.
func TestScreenshotsFlagTakesEvidenceOrAll(t *testing.T) {
	t.Parallel()
	bundle := "../../testdata/replays/imagechat-bug"
	app := "../../testdata/apps/imagechat/buggy"
	for _, cmd := range [][]string{
		{"run", bundle, "--app", app},
		{"report", bundle, "--app", app, "--dry-run"},
		{"batch", "../../testdata/replays", "--app", app, "--out", t.TempDir()},
	} {
		code, _, stderr := runCLI(t, append(cmd, "--screenshots", "sometimes")...)
		assert.Equal(t, exitUsage, code, "%s: %s", cmd[0], stderr)
		assert.Contains(t, stderr, `--screenshots "sometimes": want evidence or all`, cmd[0])
	}
}
