package generate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputWrite: the test and its fixture are written whole, readable by
// all (they are committed to the team's repository), with nothing left
// beside them, and an existing test is kept unless forced.
func TestOutputWrite(t *testing.T) {
	out, err := Generate(openReplay(t, "imagechat-bug"), Options{Package: "regress"})
	require.NoError(t, err)
	dir := t.TempDir()

	testPath, fixtureDir, err := out.Write(dir, false)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, out.TestFile), testPath)
	assert.Equal(t, filepath.Join(dir, filepath.FromSlash(out.FixtureDir)), fixtureDir)

	want := map[string][]byte{out.TestFile: out.Code}
	for name, b := range out.Files {
		want[name] = b
	}
	got := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		got[filepath.ToSlash(rel)] = b
		st, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), rel)
		return nil
	}))
	assert.Equal(t, want, got, "the test and its fixture, and no temporary file")

	require.NoError(t, os.WriteFile(testPath, []byte("// edited by hand\n"), 0o644))
	_, _, err = out.Write(dir, false)
	require.ErrorContains(t, err, "pass --force")
	kept, err := os.ReadFile(testPath)
	require.NoError(t, err)
	assert.Equal(t, "// edited by hand\n", string(kept), "without force, the test is not overwritten")

	_, _, err = out.Write(dir, true)
	require.NoError(t, err)
	forced, err := os.ReadFile(testPath)
	require.NoError(t, err)
	assert.Equal(t, out.Code, forced)
}
