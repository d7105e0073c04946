package batch

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/session"
)

// TestMain runs the package's Chromium tests in a temporary directory of
// their own and checks that no Chromium process of them is left (every
// batch closes its browsers; the DevTools Chromiums are killed at cleanup).
func TestMain(m *testing.M) { chrometest.Main(m, nil) }

const bundles = "../../testdata/replays"

// needChromium skips loudly under -short.
func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
}

func bundle(name string) string { return filepath.Join(bundles, name) }

func openLocal(_ context.Context, in string) (*reproduce.Replay, error) { return reproduce.Open(in) }

func appDir(t *testing.T, app, variant string) session.AppUnderTest {
	t.Helper()
	a, err := session.ParseApp(filepath.Join("..", "..", "testdata", "apps", app, variant))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// readJSONL reads results.jsonl line by line, failing on a line that is not
// a whole JSON object.
func readJSONL(t *testing.T, dir string) []Result {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("results.jsonl line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// readSummary reads summary.json, failing when it is not valid.
func readSummary(t *testing.T, dir string) Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("summary.json: %v\n%s", err, b)
	}
	return s
}
