package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onlyEntries asserts dir holds exactly names: no temporary file is left.
func onlyEntries(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got, "what %s holds", dir)
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		old  []byte // nil: no file before
		perm os.FileMode
	}{
		{name: "creates a file with perm", perm: 0o644},
		{name: "replaces a file, content and mode", old: []byte("an older and longer content"), perm: 0o600},
		// CreateTemp makes 0600 files and the umask (usually 022) would
		// take write bits away: perm is set exactly.
		{name: "perm is exact, not masked", perm: 0o666},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "report.json")
			if tt.old != nil {
				require.NoError(t, os.WriteFile(path, tt.old, 0o640))
			}
			require.NoError(t, Write(path, []byte(`{"verdict":"reproduced"}`), tt.perm))

			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, `{"verdict":"reproduced"}`, string(got))
			st, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, tt.perm, st.Mode().Perm())
			onlyEntries(t, dir, "report.json")
		})
	}
}

func TestWriteFuncStreams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	require.NoError(t, WriteFunc(path, 0o644, func(w io.Writer) error {
		for range 3 {
			if _, err := io.WriteString(w, "line\n"); err != nil {
				return err
			}
		}
		return nil
	}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "line\nline\nline\n", string(got))
}

// TestWriteFuncNeverShowsAPart: while the content is being written, the
// destination still holds the old file.
func TestWriteFuncNeverShowsAPart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cassette.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	var during []byte
	require.NoError(t, WriteFunc(path, 0o644, func(w io.Writer) error {
		if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<20)); err != nil {
			return err
		}
		var err error
		during, err = os.ReadFile(path)
		return err
	}))
	assert.Equal(t, "old", string(during))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, int64(1<<20), st.Size())
}

func TestWriteFailureLeavesTheDestinationAlone(t *testing.T) {
	errEncode := errors.New("encode failed")
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to write
		write func(io.Writer) error
		// want is what the path holds afterwards ("" : nothing), entries
		// what the directory holds.
		want    string
		entries []string
		wantIs  error
	}{
		{
			name: "the write func fails after writing part",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "report.md")
				require.NoError(t, os.WriteFile(p, []byte("old report"), 0o644))
				return p
			},
			write: func(w io.Writer) error {
				_, _ = io.WriteString(w, "half a rep")
				return errEncode
			},
			want: "old report", entries: []string{"report.md"}, wantIs: errEncode,
		},
		{
			name: "the write func fails and there was no file",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "report.md")
			},
			write:   func(w io.Writer) error { return errEncode },
			entries: nil, wantIs: errEncode,
		},
		{
			name: "the directory does not exist",
			setup: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "missing", "report.md")
			},
			write:   func(w io.Writer) error { return nil },
			entries: nil, wantIs: os.ErrNotExist,
		},
		{
			name: "the destination is a directory",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "report.md")
				require.NoError(t, os.Mkdir(p, 0o755))
				return p
			},
			write:   func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err },
			entries: []string{"report.md"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			err := WriteFunc(path, 0o644, tt.write)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			if tt.want != "" {
				got, rerr := os.ReadFile(path)
				require.NoError(t, rerr)
				assert.Equal(t, tt.want, string(got))
			}
			onlyEntries(t, dir, tt.entries...)
		})
	}
}
