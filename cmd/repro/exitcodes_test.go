package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exitConstants reads the exit* constants declared in exitcodes.go, so a
// constant added there without a row in the table fails the test.
func exitConstants(t *testing.T) map[string]int {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "exitcodes.go", nil, 0)
	require.NoError(t, err)
	consts := map[string]int{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "exit") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok, "%s is not a literal", name.Name)
				n, err := strconv.Atoi(lit.Value)
				require.NoError(t, err)
				consts[name.Name] = n
			}
		}
	}
	require.NotEmpty(t, consts)
	return consts
}

// helpTable reads the exit codes back from the help text, joining each
// meaning's wrapped lines.
func helpTable(t *testing.T, help string) map[int]string {
	t.Helper()
	rows := map[int]string{}
	last := -1
	row := regexp.MustCompile(`^  (\d+) +(.*)$`)
	for _, line := range strings.Split(strings.TrimSpace(help), "\n")[1:] {
		if m := row.FindStringSubmatch(line); m != nil {
			last, _ = strconv.Atoi(m[1])
			rows[last] = m[2]
			continue
		}
		require.True(t, strings.HasPrefix(line, "      ") && last >= 0, "help line %q is neither a row nor a continuation", line)
		rows[last] += " " + strings.TrimSpace(line)
	}
	return rows
}

// readmeTable reads the rows of README's "Exit codes" table, in order, as
// plain text: code spans lose their backticks, \| is |.
func readmeTable(t *testing.T) ([]int, map[int]string) {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "\n### Exit codes\n")
	require.True(t, ok, "README has no Exit codes section")
	if end := strings.Index(section, "\n#"); end >= 0 {
		section = section[:end]
	}
	var order []int
	rows := map[int]string{}
	row := regexp.MustCompile(`^\| (\d+) \| (.*) \|$`)
	for _, line := range strings.Split(section, "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			code, _ := strconv.Atoi(m[1])
			order = append(order, code)
			rows[code] = strings.ReplaceAll(strings.ReplaceAll(m[2], "`", ""), `\|`, "|")
		}
	}
	require.NotEmpty(t, order, "README's Exit codes section has no table rows")
	return order, rows
}

// TestExitCodesAgree: the constants, the table --help prints and README's
// table are the same codes with the same meanings.
func TestExitCodesAgree(t *testing.T) {
	t.Parallel()
	var order []int
	table := map[int]string{}
	for _, e := range exitCodes {
		_, dup := table[e.code]
		assert.False(t, dup, "code %d has two rows", e.code)
		order = append(order, e.code)
		table[e.code] = e.meaning
	}

	byCode := map[int]string{}
	for name, code := range exitConstants(t) {
		other, dup := byCode[code]
		assert.False(t, dup, "%s and %s are both %d", name, other, code)
		byCode[code] = name
		assert.Contains(t, table, code, "%s (%d) has no row in exitCodes", name, code)
	}
	for code := range table {
		assert.Contains(t, byCode, code, "exitCodes has a row for %d, which no constant names", code)
	}

	assert.Equal(t, table, helpTable(t, exitCodesHelp()), "--help says what the table says")

	readmeOrder, readme := readmeTable(t)
	assert.Equal(t, order, readmeOrder, "README lists the codes in the table's order")
	assert.Equal(t, table, readme, "README's Exit codes table says what exitCodes says")
}

func TestHelpEndsWithTheExitCodes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"run", "--help"}} {
		code, out, stderr := runCLI(t, args...)
		require.Equal(t, exitOK, code, stderr)
		assert.True(t, strings.HasSuffix(out, exitCodesHelp()), "repro %s ends with the exit codes:\n%s", strings.Join(args, " "), out)
	}
	for _, line := range strings.Split(exitCodesHelp(), "\n") {
		assert.LessOrEqual(t, len([]rune(line)), 80, "help line %q is wider than 80 columns", line)
	}
}

// TestExitStatus: a verdict reaches the exit status through the path every
// error takes, without being reported as an error. Verdicts are written as
// --json prints them.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantErr  string // what is said on stderr
	}{
		{name: "success says nothing", err: nil, wantCode: exitOK},
		{name: "reproduced is success", err: verdictResult("reproduced"), wantCode: exitOK},
		{name: "not reproduced has its code and is not called an error", err: verdictResult("not_reproduced"), wantCode: exitNotReproduced},
		{name: "diverged has its code", err: verdictResult("diverged"), wantCode: exitDiverged},
		{name: "inconclusive has its code", err: verdictResult("inconclusive"), wantCode: exitInconclusive},
		{name: "a verdict wrapped in context keeps its code", err: fmt.Errorf("report: %w", verdictResult("diverged")), wantCode: exitDiverged},
		{name: "an error is said in one line", err: errors.New("cannot write\nthe report"), wantCode: exitError, wantErr: "repro: cannot write the report\n"},
		{name: "a usage error has its code", err: usageError{errors.New("--runs 0: want 1 to 100")}, wantCode: exitUsage, wantErr: "repro: --runs 0: want 1 to 100\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			assert.Equal(t, tt.wantCode, exitStatus(tt.err, &errOut))
			assert.Equal(t, tt.wantErr, errOut.String())
		})
	}
}
