package usermodule

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readMod reads dir's go.mod the way Write reads repro's.
func readMod(t *testing.T, dir string) (goVersion string, requires, replaces map[string]string) {
	t.Helper()
	out, err := goTool(context.Background(), dir, "mod", "edit", "-json")
	require.NoError(t, err)
	var mod struct {
		Go      string
		Require []modVersion
		Replace []struct{ Old, New modVersion }
	}
	require.NoError(t, json.Unmarshal(out, &mod))
	requires, replaces = map[string]string{}, map[string]string{}
	for _, r := range mod.Require {
		requires[r.Path] = r.Version
	}
	for _, r := range mod.Replace {
		replaces[r.Old.String()] = r.New.String()
	}
	return mod.Go, requires, replaces
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name  string
		gomod string
		// want is what the user's module must require besides repro, and
		// wantReplace what it must replace besides repro.
		want, wantReplace map[string]string
		wantGo            string
	}{
		{
			name: "two require blocks, as go mod tidy writes them",
			gomod: "module github.com/repro-dev/repro\n\ngo 1.26.8\n\n" +
				"require (\n\texample.com/direct v1.2.3\n)\n\n" +
				"require (\n\texample.com/indirect v0.1.0 // indirect\n)\n",
			want:   map[string]string{"example.com/direct": "v1.2.3", "example.com/indirect": "v0.1.0"},
			wantGo: "1.26.8",
		},
		{
			// No block at all: the layout a regexp over go.mod's text missed.
			name: "one-line requires and replacements",
			gomod: "module github.com/repro-dev/repro\ngo 1.25\n" +
				"require example.com/direct v1.2.3\nrequire example.com/indirect v0.1.0 // indirect\n" +
				"replace example.com/local => ./third_party/local\n" +
				"replace example.com/fork v1.0.0 => example.com/forked v1.0.1\n",
			want: map[string]string{"example.com/direct": "v1.2.3", "example.com/indirect": "v0.1.0"},
			wantReplace: map[string]string{
				"example.com/local":       "{root}/third_party/local",
				"example.com/fork@v1.0.0": "example.com/forked@v1.0.1",
			},
			wantGo: "1.25",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, dir := t.TempDir(), t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte(tt.gomod), 0o644))
			sum := "example.com/direct v1.2.3 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
			require.NoError(t, os.WriteFile(filepath.Join(root, "go.sum"), []byte(sum), 0o644))

			require.NoError(t, Write(context.Background(), root, dir, "example.com/userapp"))

			goVersion, requires, replaces := readMod(t, dir)
			assert.Equal(t, tt.wantGo, goVersion)
			want := map[string]string{reproModule: "v0.0.0"}
			for p, v := range tt.want {
				want[p] = v
			}
			assert.Equal(t, want, requires)
			wantReplace := map[string]string{reproModule: root}
			for old, to := range tt.wantReplace {
				if rest, ok := strings.CutPrefix(to, "{root}/"); ok {
					to = filepath.Join(root, rest)
				}
				wantReplace[old] = to
			}
			assert.Equal(t, wantReplace, replaces)
			gotSum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
			require.NoError(t, err)
			assert.Equal(t, sum, string(gotSum), "repro's go.sum is copied, so the build resolves offline")
		})
	}
}

func TestWriteRefusesAnotherModule(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644))
	err := Write(context.Background(), root, t.TempDir(), "example.com/userapp")
	assert.ErrorContains(t, err, "not github.com/repro-dev/repro")
}
