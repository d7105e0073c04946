package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/escape/escapetest"
	"github.com/repro-dev/repro/testdata/usermodule"
)

// hostileBundles are the output-side hostile bundles of issue #10
// (testdata/hostile/out-*; see its out-make.go): crafted ids, classes,
// texts, URLs and messages that try to inject Go code, Markdown and
// terminal control sequences.
func hostileBundles(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(mustAbs("../../testdata/hostile/out-*"))
	require.NoError(t, err)
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	require.NotEmpty(t, out, "no hostile bundles: go run testdata/hostile/out-make.go")
	return out
}

// TestHostileBundlesInspectShowsPayloadsAsText: inspect prints every
// payload visibly (\x1b, \n, \u202e) and nothing a terminal would obey;
// --json keeps each string exact, as JSON escapes.
func TestHostileBundlesInspectShowsPayloadsAsText(t *testing.T) {
	t.Parallel()
	for _, dir := range hostileBundles(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			code, out, stderr := runCLI(t, "inspect", dir)
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, escapetest.TerminalProblems(out+stderr), out)
			assert.Equal(t, 1, strings.Count(out, "← breakdown"), "one breakdown, no line forged by a payload")

			code, js, stderr := runCLI(t, "inspect", dir, "--json")
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, escapetest.TerminalProblems(js))
			var doc struct {
				Story struct{ Lines []struct{ Text string } } `json:"story"`
			}
			require.NoError(t, json.Unmarshal([]byte(js), &doc), "inspect --json is valid JSON")
			var text strings.Builder
			for _, l := range doc.Story.Lines {
				text.WriteString(l.Text)
			}
			assert.Contains(t, out, "li#shot-42", "the payload's element is named")
			assert.True(t, strings.ContainsAny(text.String(), "\n\r\x1b\u2028`[<"), "--json holds the recorded strings exactly")
		})
	}
	code, out, _ := runCLI(t, "inspect", mustAbs("../../testdata/hostile/out-terminal-control"))
	require.Equal(t, 0, code)
	assert.Contains(t, out, `li#shot-42\x1b]0;PWNED title\x07`, "the title sequence is shown, not run")
	assert.Contains(t, out, `button#generate\x1b[2J\x1b[H`, "the clear-screen sequence is shown, not run")
}

// goModule is a temporary Go module that requires repro through a replace
// directive, as a team's repository would, built offline from the module
// cache.
type goModule struct {
	t   *testing.T
	dir string
}

func newGoModule(t *testing.T) *goModule {
	t.Helper()
	m := &goModule{t: t, dir: t.TempDir()}
	require.NoError(t, usermodule.Write(t.Context(), mustAbs("../.."), m.dir, "example.com/userapp"))
	return m
}

func (m *goModule) goCmd(env []string, args ...string) (string, bool) {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
	cmd.Dir = m.dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		m.t.Fatalf("go %s timed out:\n%s", strings.Join(args, " "), out.String())
	}
	return out.String(), err == nil
}

// planted lists the files named PWNED under dir: what any payload writes
// if it ever runs.
func planted(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == escapetest.PlantedFile {
			found = append(found, p)
		}
		return nil
	}))
	return found
}

// TestHostileBundlesGenerateTestsThatRunNoInjectedCode: repro generate on
// every hostile bundle writes a test that passes go vet and compiles in a
// team's module, and running it performs none of the payloads' side
// effect (a PWNED file): not from an init (go test without an app), not
// from a statement between the steps (go test against the buggy app, in
// Chrome, for the Go-injection bundle).
func TestHostileBundlesGenerateTestsThatRunNoInjectedCode(t *testing.T) {
	t.Parallel()
	m := newGoModule(t)
	for _, dir := range hostileBundles(t) {
		pkg := strings.ReplaceAll(strings.TrimPrefix(filepath.Base(dir), "out-"), "-", "")
		code, _, stderr := runCLI(t, "generate", dir, "-o", filepath.Join(m.dir, pkg), "--package", pkg)
		require.Equal(t, 0, code, "%s: %s", dir, stderr)
		assert.Empty(t, escapetest.TerminalProblems(stderr))
	}
	vet, ok := m.goCmd(nil, "vet", "./...")
	require.True(t, ok, "go vet of the generated tests failed:\n%s", vet)

	// Without REPRO_APP_URL each test fails at once, by design; an init
	// planted by a payload would have run before that.
	out, _ := m.goCmd([]string{"REPRO_APP_URL="}, "test", "-count=1", "./...")
	assert.Contains(t, out, "REPRO_APP_URL is not set", "the tests were built and run")
	assert.Empty(t, planted(t, m.dir), "a payload ran while the tests started:\n%s", out)

	if testing.Short() {
		t.Skip("SKIPPED under -short: running the generated test needs Chromium; the compile and init checks above ran")
	}
	out, _ = m.goCmd([]string{"REPRO_APP_URL=" + imagechatBuggy}, "test", "-count=1", "-v", "./goinjection")
	t.Logf("the generated test against the buggy app:\n%s", out)
	assert.Contains(t, out, "TestReplay_c0de01", "the test ran")
	assert.Empty(t, planted(t, m.dir), "a payload ran between the steps:\n%s", out)
}

// TestHostileBundlesRunMarkdownRendersPayloadsAsText re-runs each hostile
// bundle against the buggy image-chat app with --markdown: the comment
// (stdout and report.md) has one fenced block closed by its own fence, no
// live link, image, HTML, mention or entity, no extra table cell; the text
// report (report.txt) and stderr have no raw control character.
func TestHostileBundlesRunMarkdownRendersPayloadsAsText(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED under -short: needs Chromium (re-runs each hostile bundle)")
	}
	for _, dir := range hostileBundles(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			artifacts := t.TempDir()
			code, out, stderr := runCLI(t, "run", dir, "--app", imagechatBuggy, "--markdown", "--latency", "none", "--artifacts", artifacts, "--frames=false")
			require.Contains(t, []int{exitOK, exitNotReproduced, exitDiverged, exitInconclusive}, code, "a verdict, not an error: %s", stderr)
			assert.Empty(t, escapetest.TerminalProblems(stderr))
			md, err := os.ReadFile(filepath.Join(artifacts, "report.md"))
			require.NoError(t, err)
			for name, doc := range map[string]string{"stdout": out, "report.md": string(md)} {
				parsed := escapetest.ParseMarkdown(doc, "details", "summary")
				assert.Empty(t, parsed.Problems, "%s:\n%s", name, doc)
				if assert.Len(t, parsed.Fences, 1, "%s: the story is one fenced block:\n%s", name, doc) {
					assert.Equal(t, "</details>", parsed.AfterFence[0], "%s: the block is closed by its own fence", name)
					assert.Contains(t, parsed.Fences[0], "li#shot-42", "%s: the story is inside the block", name)
				}
			}
			txt, err := os.ReadFile(filepath.Join(artifacts, "report.txt"))
			require.NoError(t, err)
			assert.Empty(t, escapetest.TerminalProblems(string(txt)), "report.txt is written without the stream's safety net")
			assert.Contains(t, string(txt), "Verdict:")
		})
	}
}
