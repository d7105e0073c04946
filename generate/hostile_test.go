package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape/escapetest"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/story"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// benignTwin is g with every recorded string replaced by a plain
// placeholder ("s1", "s2", …; equal strings stay equal, "" stays ""), and
// the enum-like fields the emitter branches on (Kind, Actor) kept: the code
// the same plan would give if nobody had crafted anything.
func benignTwin(g *codeGen) *codeGen {
	m := stringMapper{names: map[string]string{}}
	return &codeGen{
		opts:    g.opts,
		plan:    m.copy(g.plan).(*plan.Plan),
		sig:     m.copy(g.sig).(verdict.Signature),
		story:   m.copy(g.story).(*story.Story),
		name:    g.name,
		fixture: g.fixture,
		seen:    g.seen,
	}
}

type stringMapper struct{ names map[string]string }

func (m stringMapper) copy(v any) any {
	if v == nil {
		return nil
	}
	return m.value(reflect.ValueOf(v)).Interface()
}

func (m stringMapper) value(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	out.Set(v) // numbers, bools, unexported fields and time.Time as they are
	switch v.Kind() {
	case reflect.String:
		if v.Type() == reflect.TypeFor[string]() && v.String() != "" {
			name, ok := m.names[v.String()]
			if !ok {
				name = fmt.Sprintf("s%d", len(m.names)+1)
				m.names[v.String()] = name
			}
			out.SetString(name)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(m.value(v.Elem()))
			out.Set(p)
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			for i := range v.Len() {
				s.Index(i).Set(m.value(v.Index(i)))
			}
			out.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "Kind" || f.Name == "Actor" {
				continue
			}
			out.Field(i).Set(m.value(v.Field(i)))
		}
	}
	return out
}

// astShape lists a Go file's syntax tree node by node: node types,
// identifiers, and literals by kind (numbers with their value). Two files
// with the same shape hold the same declarations and statements and differ
// at most in the text of their string literals and comments, and in the
// names of the target variables ("sel" and ASCII letters and digits, which
// the generator builds from a selector: see TestTargetNamesAreIdentifiers).
// A sum of string literals (a long one, split) counts as one literal.
func astShape(src []byte) ([]string, *ast.File, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "replay_test.go", src, parser.ParseComments)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case nil, *ast.Comment, *ast.CommentGroup:
			return false
		case *ast.BinaryExpr:
			if stringSum(x) {
				out = append(out, "STRING")
				return false
			}
			out = append(out, "*ast.BinaryExpr")
		case *ast.Ident:
			if targetName.MatchString(x.Name) {
				out = append(out, "ident sel…")
				break
			}
			out = append(out, "ident "+x.Name)
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				out = append(out, "STRING")
			} else {
				out = append(out, x.Kind.String()+" "+x.Value)
			}
		default:
			out = append(out, fmt.Sprintf("%T", n))
		}
		return true
	})
	return out, f, nil
}

// targetName is the form of a target variable's name.
var targetName = regexp.MustCompile(`^sel[A-Z0-9][A-Za-z0-9]*$`)

// stringSum reports whether e is string literals added together.
func stringSum(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING
	case *ast.BinaryExpr:
		return x.Op == token.ADD && stringSum(x.X) && stringSum(x.Y)
	}
	return false
}

// checkOnlyPlannedStatements generates the test for r, and checks that it
// parses and that its syntax tree is the benign twin's: no statement,
// call or declaration a recorded string added.
func checkOnlyPlannedStatements(t testing.TB, r *reproduce.Replay) *ast.File {
	t.Helper()
	g, _, err := prepare(r, Options{Package: "regress"})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	code, err := g.render()
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	got, f, err := astShape(code)
	if err != nil {
		t.Fatalf("the generated test does not parse: %v\n%s", err, code)
	}
	twinCode, err := benignTwin(g).render()
	if err != nil {
		t.Fatalf("render the benign twin: %v", err)
	}
	want, _, err := astShape(twinCode)
	if err != nil {
		t.Fatalf("the benign twin does not parse: %v\n%s", err, twinCode)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the recorded strings changed the generated code's structure\n--- generated:\n%s\n--- benign twin:\n%s", code, twinCode)
	}
	return f
}

// TestHostileBundlesGenerateOnlyThePlannedStatements runs every hostile
// output bundle (testdata/hostile/out-*) through the generator: whatever
// the ids, classes, texts, URLs and messages hold, the test has the
// statements of the same plan with plain strings, one function, no init,
// and no call the plan did not ask for (the payloads' os.WriteFile).
func TestHostileBundlesGenerateOnlyThePlannedStatements(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "hostile", "out-*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs, "no hostile bundles: run go run testdata/hostile/out-make.go")
	for _, dir := range dirs {
		if !isDir(dir) {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r, err := reproduce.Open(dir)
			require.NoError(t, err)
			f := checkOnlyPlannedStatements(t, r)
			var funcs []string
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					funcs = append(funcs, fd.Name.Name)
				}
			}
			assert.Len(t, funcs, 1, "one test function, nothing else: %v", funcs)
			ast.Inspect(f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					assert.NotEqual(t, "WriteFile", sel.Sel.Name, "a payload's call became code")
				}
				return true
			})
		})
	}
}

// TestEmitterRefusesValuesItCannotEscape: a value of a type the emitter
// does not know how to write safely fails the generation instead of being
// formatted into the source.
func TestEmitterRefusesValuesItCannotEscape(t *testing.T) {
	g := &codeGen{}
	g.p("x := %v", 1.5)
	g.p("y := %s", "a\nb")
	require.Error(t, g.err)
	assert.Contains(t, g.b.String(), `y := "a\nb"`, "a string becomes a literal")
}

// FuzzGenerateFromRecordedStrings plants arbitrary strings in a real
// replay (the image-chat bug) where an attacker controls them — element
// ids, classes, text nodes, a request URL, a console message, an error's
// type and message — and checks that the generated test parses and holds
// exactly the statements of the same plan with plain strings.
//
//	go test ./generate -run '^$' -fuzz FuzzGenerateFromRecordedStrings -fuzztime 60s
func FuzzGenerateFromRecordedStrings(f *testing.F) {
	base := openReplay(f, "imagechat-bug")
	segs, err := base.Bundle.ReadSegments()
	if err != nil {
		f.Fatal(err)
	}
	tmpl, err := markedSegments(segs)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range escapetest.Payloads {
		f.Add(p.S, p.S, p.S, p.S, p.S, p.S, p.S)
	}
	f.Add("shot-42\nos.WriteFile(\"PWNED\",[]byte(\"injected\"),0o644)\n//", "thumb */ x /*", "Generate\r`", "/api/x?\u2028", "```\n[x](y)", "TypeError\x1b]0;t\x07", "\u202e%s")
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, id, class, text, url, message, errType, errValue string) {
		b := *base.Bundle
		b.Segments = tmpl.fill(map[string]string{"@@ID@@": id, "@@CLASS@@": class, "@@TEXT@@": text, "@@URL@@": url, "@@MSG@@": message})
		b.Errors = slices.Clone(base.Bundle.Errors)
		for i := range b.Errors {
			b.Errors[i].Exceptions = slices.Clone(b.Errors[i].Exceptions)
			for j := range b.Errors[i].Exceptions {
				b.Errors[i].Exceptions[j].Type, b.Errors[i].Exceptions[j].Value = errType, errValue
			}
		}
		tl, err := replay.BuildTimeline(&b)
		if err != nil {
			t.Skip("not a replay any more:", err)
		}
		r := &reproduce.Replay{Bundle: &b, Timeline: tl}
		if _, _, err := prepare(r, Options{Package: "regress"}); err != nil {
			t.Skip("nothing to generate:", err)
		}
		checkOnlyPlannedStatements(t, r)
	})
}

// segmentTemplate is a recording with markers where recorded strings go.
type segmentTemplate [][][]byte

// markedSegments puts markers in the image-chat recording: @@ID@@ in the
// thumbnail's and the Generate button's ids, @@CLASS@@ in the thumbnail's
// class, @@TEXT@@ in the button's text, @@MSG@@ in the console warning, and
// @@URL@@ in a failed GET added after /api/chat.
func markedSegments(segs [][]json.RawMessage) (segmentTemplate, error) {
	out := make(segmentTemplate, len(segs))
	for i, seg := range segs {
		for _, raw := range seg {
			var ev map[string]any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&ev); err != nil {
				return nil, err
			}
			var failed map[string]any
			walkJSON(ev, func(m map[string]any) {
				if attrs, ok := m["attributes"].(map[string]any); ok {
					switch attrs["id"] {
					case "shot-42":
						attrs["id"] = "@@ID@@"
					case "generate":
						attrs["id"] = "@@ID@@-b"
					}
					if attrs["class"] == "thumb" {
						attrs["class"] = "thumb @@CLASS@@"
					}
				}
				if node, ok := m["node"].(map[string]any); ok && m["parentId"] == json.Number("82") && node["textContent"] != nil {
					node["textContent"] = "@@TEXT@@"
				}
				if msg, ok := m["message"].(string); ok {
					msg = strings.ReplaceAll(msg, "#shot-42", "#@@ID@@")
					msg = strings.ReplaceAll(msg, "#generate", "#@@ID@@-b")
					if strings.HasPrefix(msg, "imagechat: long prompt") {
						msg = "@@MSG@@"
					}
					m["message"] = msg
				}
				if args, ok := m["arguments"].([]any); ok && len(args) == 1 {
					args[0] = "@@MSG@@"
				}
				if m["description"] == "/api/chat" {
					failed = m
				}
			})
			b, err := json.Marshal(ev)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], b)
			if failed != nil {
				cp := bytes.ReplaceAll(b, []byte(`"/api/chat"`), []byte(`"/api/track?q=@@URL@@"`))
				cp = bytes.ReplaceAll(cp, []byte(`"POST"`), []byte(`"GET"`))
				out[i] = append(out[i], cp)
			}
		}
	}
	return out, nil
}

func (tm segmentTemplate) fill(values map[string]string) [][]json.RawMessage {
	var pairs []string
	for marker, v := range values {
		q, _ := json.Marshal(v)
		pairs = append(pairs, marker, string(q[1:len(q)-1]))
	}
	rep := strings.NewReplacer(pairs...)
	out := make([][]json.RawMessage, len(tm))
	for i, seg := range tm {
		out[i] = make([]json.RawMessage, len(seg))
		for j, raw := range seg {
			out[i][j] = json.RawMessage(rep.Replace(string(raw)))
		}
	}
	return out
}

func walkJSON(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walkJSON(c, fn)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, fn)
		}
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// TestTargetNamesAreIdentifiers checks the names the generator gives target
// variables, whatever the selector holds: "sel" and ASCII letters and
// digits (so a crafted selector can neither add code nor shadow a name).
func TestTargetNamesAreIdentifiers(t *testing.T) {
	sels := []string{"#open-chat", "", "日本", "a b > c", "\n}; os.Exit(1); {", "#plan", "#t", "#0day", "[data-testid=\"x\"]"}
	for _, p := range escapetest.Payloads {
		sels = append(sels, "#"+p.S, p.S)
	}
	for _, sel := range sels {
		g := &codeGen{plan: &plan.Plan{Steps: []plan.Step{{Kind: plan.StepClick, Selectors: []string{sel}}}}}
		for _, name := range g.targetVars().name {
			assert.Regexp(t, targetName, name, "selector %q", sel)
			assert.True(t, token.IsIdentifier(name) && !token.IsKeyword(name), "selector %q gave %q", sel, name)
		}
	}
	g := &codeGen{plan: &plan.Plan{Steps: []plan.Step{
		{Kind: plan.StepClick, Selectors: []string{"#open-chat"}},
		{Kind: plan.StepClick, Selectors: []string{"#open-chat", "button"}},
		{Kind: plan.StepClick, Selectors: []string{"#open-chat"}},
	}}}
	v := g.targetVars()
	assert.Equal(t, []string{"selOpenChat", "selOpenChat2"}, []string{v.name[v.order[0]], v.name[v.order[1]]}, "one variable per distinct selector list")
}
