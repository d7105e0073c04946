// Package golden is the golden-file check the stage packages' tests share
// (stage 1: it imports nothing of repro): a value written as readable JSON
// and compared with its file under testdata/golden, or written there under
// -update.
package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// JSON is v as indented JSON with its strings escaped only where JSON
// requires ("html > body", not "html \u003e body"), so a selector or a
// message reads in the golden file as it does in a test. The strings are
// re-encoded after marshalling: a type's own MarshalJSON escapes HTML
// whatever the encoder is told.
func JSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	b = jsonString.ReplaceAllFunc(b, func(lit []byte) []byte {
		var s string
		if json.Unmarshal(lit, &s) != nil {
			return lit
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(s) != nil {
			return lit
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	})
	return append(b, '\n'), nil
}

var jsonString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// Check compares v, as JSON, with the golden file path; with update it
// first writes the file. refresh is the command that does that, named in
// the failures.
func Check(t testing.TB, path string, v any, update bool, refresh string) {
	t.Helper()
	got, err := JSON(v)
	require.NoError(t, err)
	if update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file: run %s", refresh)
	assert.Equal(t, string(want), string(got), "%s changed: review the diff, then run %s", filepath.Base(path), refresh)
}

// NoneStale fails for every golden file in dir named NAME+suffix whose
// NAME is not in names (a file pinning a bundle that is gone).
func NoneStale(t testing.TB, dir, suffix string, names []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"+suffix))
	require.NoError(t, err)
	for _, f := range files {
		assert.Contains(t, names, strings.TrimSuffix(filepath.Base(f), suffix), "%s pins a bundle that is gone: delete it", f)
	}
}
