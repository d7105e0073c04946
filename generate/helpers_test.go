package generate

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/repro-dev/repro/reproduce"
)

// repoRoot is the module root (generate's parent directory).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

func openReplay(t testing.TB, scenario string) *reproduce.Replay {
	t.Helper()
	r, err := reproduce.Open(filepath.Join(repoRoot(t), "testdata", "replays", scenario))
	if err != nil {
		t.Fatalf("open %s: %v", scenario, err)
	}
	return r
}
