package generate_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/repro-dev/repro/generate"
)

// workflowFile is the part of GitHub's workflow syntax the check reads.
type workflowFile struct {
	Name        string            `yaml:"name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		RunsOn         string `yaml:"runs-on"`
		TimeoutMinutes int    `yaml:"timeout-minutes"`
		Container      struct {
			Image string `yaml:"image"`
		} `yaml:"container"`
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Name             string            `yaml:"name"`
			Uses             string            `yaml:"uses"`
			Run              string            `yaml:"run"`
			If               string            `yaml:"if"`
			With             map[string]string `yaml:"with"`
			WorkingDirectory string            `yaml:"working-directory"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestGitHubWorkflowRunsTheTestsAgainstTheStartedApp parses the workflow
// with a YAML parser (strict: no unknown keys) and checks what actionlint
// would and what the recipe needs: triggers, read-only permissions, a
// bounded job in a Debian Go container of the module's Go version, every
// step either `uses` (pinned to a version) or `run` (valid sh), Chromium
// installed from apt before the app starts, the app started by --app-cmd
// (kept byte for byte, whatever its quotes) and waited for at
// REPRO_APP_URL, then go test over the test directory from the module
// root.
func TestGitHubWorkflowRunsTheTestsAgainstTheStartedApp(t *testing.T) {
	repo := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
	mod := filepath.Join(repo, "web")
	require.NoError(t, os.MkdirAll(filepath.Join(mod, "e2e"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/web\n\ngo 1.25.3\n"), 0o644))
	appCmd := `cd app && PORT=3000 npm start -- --title "it's $(date)" 'x'`

	w, err := generate.GitHubWorkflow(generate.WorkflowOptions{TestDir: filepath.Join(mod, "e2e"), AppCmd: appCmd, AppURL: "http://localhost:3000", Command: "repro generate x -o web/e2e --ci github"})
	require.NoError(t, err)
	assert.Equal(t, ".github/workflows/repro-web-e2e.yml", w.Path)
	p, err := w.Write(false)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(repo, ".github", "workflows", "repro-web-e2e.yml"), p)

	var wf workflowFile
	dec := yaml.NewDecoder(strings.NewReader(string(w.YAML)))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&wf), string(w.YAML))
	assert.Contains(t, wf.On, "push")
	assert.Contains(t, wf.On, "pull_request")
	assert.Equal(t, map[string]string{"contents": "read"}, wf.Permissions)
	require.Len(t, wf.Jobs, 1)
	job := wf.Jobs["repro"]
	assert.Equal(t, "ubuntu-latest", job.RunsOn)
	assert.Positive(t, job.TimeoutMinutes)
	assert.Equal(t, "golang:1.25-bookworm", job.Container.Image, "the module's Go version")
	assert.Equal(t, "http://localhost:3000", job.Env["REPRO_APP_URL"])
	assert.Equal(t, appCmd, job.Env["REPRO_APP_CMD"], "the command survives YAML byte for byte")
	assert.Equal(t, "/usr/bin/chromium", job.Env["CHROME_PATH"])

	step := map[string]int{}
	for i, s := range job.Steps {
		assert.True(t, (s.Uses == "") != (s.Run == ""), "step %d has exactly one of uses and run", i)
		if s.Uses != "" {
			assert.Regexp(t, `^[\w.-]+/[\w.-]+@v\d+$`, s.Uses, "an action pinned to a version")
			step[s.Uses] = i
			continue
		}
		out, err := exec.Command("sh", "-n", "-c", s.Run).CombinedOutput()
		assert.NoError(t, err, "step %q is valid sh: %s", s.Name, out)
		step[s.Name] = i
	}
	install, start, test := job.Steps[step["Install Chromium"]], job.Steps[step["Start the app under test"]], job.Steps[step["Run the repro regression tests"]]
	assert.Equal(t, 0, step["actions/checkout@v4"])
	assert.Regexp(t, `apt-get install -y .*\bchromium\b`, install.Run)
	assert.Contains(t, start.Run, `sh -c "$REPRO_APP_CMD"`)
	assert.Contains(t, start.Run, `curl -fsS -o /dev/null "$REPRO_APP_URL"`)
	assert.Equal(t, "go test -v -count=1 ./e2e/...", test.Run)
	assert.Equal(t, "web", test.WorkingDirectory)
	assert.Less(t, step["Install Chromium"], step["Start the app under test"])
	assert.Less(t, step["Start the app under test"], step["Run the repro regression tests"])
	assert.Equal(t, "failure()", job.Steps[len(job.Steps)-1].If, "the app's log is shown when the tests fail")

	// Writing the same workflow again is fine; a different one needs force.
	_, err = w.Write(false)
	require.NoError(t, err)
	other, err := generate.GitHubWorkflow(generate.WorkflowOptions{TestDir: filepath.Join(mod, "e2e"), AppCmd: "make serve"})
	require.NoError(t, err)
	_, err = other.Write(false)
	assert.ErrorContains(t, err, "--force")
}

func TestGitHubWorkflowRefusesWhatCannotWork(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n\ngo 1.26\n"), 0o644))
	for name, o := range map[string]generate.WorkflowOptions{
		"no app command":               {TestDir: dir},
		"an expression in the command": {TestDir: dir, AppCmd: "echo ${{ secrets.TOKEN }}"},
		"an app URL that is a path":    {TestDir: dir, AppCmd: "make serve", AppURL: "./dist"},
		"no go.mod above the tests":    {TestDir: "/", AppCmd: "make serve"},
	} {
		_, err := generate.GitHubWorkflow(o)
		assert.Error(t, err, name)
	}
}
