package reproduce

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stages ranks repro's packages in pipeline order: a package may import
// only packages of a lower rank (and its own sub-packages' internals are
// ranked too). Packages not listed (tools under internal/ or testdata/)
// are checked only against the listed ones they import.
var stages = map[string]int{
	"mockserver":                     0,
	"reproduce/escape":               1,
	"reproduce/atomicfile":           1,
	"reproduce/chrometest":           1,
	"reproduce/internal/golden":      1,
	"reproduce/replay":               2,
	"reproduce/sentryapi":            3,
	"reproduce/sentryapi/sentrytest": 4,
	"reproduce/story":                5,
	"reproduce/plan":                 5,
	"reproduce/session":              6,
	"reproduce/verdict":              7,
	"reproduce/frames":               7,
	"reproduce":                      8,
	"reproduce/replaytest":           9,
	"reproduce/tickets":              9,
	"reproduce/tickets/tickettest":   9,
	"reproduce/batch":                9,
	"generate":                       10,
	"cmd/repro":                      11,
}

const module = "github.com/repro-dev/repro"

// TestImportsFollowTheStages walks the import graph of the module's
// non-test code and fails on an import that points back up the pipeline
// (a later stage imported by an earlier one, or two packages of one rank
// importing each other), and on a stage without a package doc.
func TestImportsFollowTheStages(t *testing.T) {
	root := ".."
	imports := map[string][]string{}
	docs := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		want := "Package " + f.Name.Name + " "
		if f.Name.Name == "main" {
			want = "Command "
		}
		if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), want) {
			docs[pkg] = true
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == module {
				imports[pkg] = append(imports[pkg], ".")
			} else if rest, ok := strings.CutPrefix(p, module+"/"); ok {
				imports[pkg] = append(imports[pkg], rest)
			}
		}
		return nil
	})
	require.NoError(t, err)
	rank := func(p string) (int, bool) {
		if p == "." {
			p = "reproduce"
		}
		r, ok := stages[p]
		return r, ok
	}
	for pkg := range stages {
		if _, err := os.Stat(filepath.Join(root, pkg)); err == nil {
			assert.True(t, docs[pkg], "%s has no package doc saying its place in the pipeline", pkg)
		}
	}
	checked := 0
	for pkg, deps := range imports {
		from, listed := rank(pkg)
		for _, dep := range deps {
			to, ok := rank(dep)
			if !ok {
				continue
			}
			if !listed {
				continue // a tool: it may use any stage
			}
			checked++
			assert.Less(t, to, from, "%s (stage %d) imports %s (stage %d): imports must point to earlier stages", pkg, from, dep, to)
		}
	}
	assert.Positive(t, checked, "no import was checked: is the module root right?")
}
