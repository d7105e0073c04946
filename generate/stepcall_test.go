package generate

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// A generated test does each user step as s.Do(<stepCall>): the tests
// below check, with no Go compiler, that the expression stepCall writes
// builds the step the plan holds. They parse it with go/parser and
// interpret its small call language — plan.X(args...).Y(args...), string,
// number and bool literals, + of strings, n*time.Millisecond,
// time.Duration(n) and the selector variables' []string literals — by
// calling the real builders (builderFuncs, modifierFuncs). A call outside
// that language (a new builder, a composite literal) fails the test until
// the interpreter learns it.

// builderFuncs are the plan functions a step call may start with.
var builderFuncs = map[string]any{
	"Navigate":      plan.Navigate,
	"Click":         plan.Click,
	"Type":          plan.Type,
	"Check":         plan.Check,
	"Select":        plan.Select,
	"Press":         plan.Press,
	"ScrollWindow":  plan.ScrollWindow,
	"ScrollElement": plan.ScrollElement,
	"Back":          plan.Back,
	"Forward":       plan.Forward,
	"Resize":        plan.Resize,
	"Wait":          plan.Wait,
}

// modifierFuncs are the Step methods a step call may chain, as method
// expressions (the step is their first argument).
var modifierFuncs = map[string]any{
	"At":             plan.Step.At,
	"Holding":        plan.Step.Holding,
	"OptionOfLength": plan.Step.OptionOfLength,
	"WatchDeadClick": plan.Step.WatchDeadClick,
}

// asRun is the step as a generated test hands it to the session, for
// comparing a planned step with the one its call rebuilds. It leaves out
// what no builder carries, by design:
//   - Index: replaytest.Session.Do numbers steps in the order they are
//     done (TestEveryBundlesStepCallsRebuildItsPlan checks the plan
//     numbers them the same way);
//   - Offset and Gap: the recorded times, written in the comment above the
//     call; a generated test does not sleep the user's pauses;
//   - Description and Inferred: words, which the comment above the call
//     says;
//   - Masked: words too, read by no code of the session;
//   - Length, except for a select step with no value: the session reads it
//     only to choose an option as long as a masked choice.
//
// Empty and nil lists are the same list.
func asRun(st plan.Step) plan.Step {
	st.Index, st.Offset, st.Gap, st.Description, st.Inferred, st.Masked = 0, 0, 0, "", "", false
	if st.Kind != plan.StepSelect || st.Value != "" {
		st.Length = 0
	}
	if len(st.Selectors) == 0 {
		st.Selectors = nil
	}
	if len(st.Modifiers) == 0 {
		st.Modifiers = nil
	}
	return st
}

// evalStep interprets a step call; vars binds the selector variables it
// may spread (selX...).
func evalStep(src string, vars map[string][]string) (plan.Step, error) {
	e, err := parser.ParseExpr(src)
	if err != nil {
		return plan.Step{}, fmt.Errorf("parse %q: %w", src, err)
	}
	v, err := (callEnv{vars}).eval(e)
	if err != nil {
		return plan.Step{}, fmt.Errorf("%s: %w", src, err)
	}
	st, ok := v.(plan.Step)
	if !ok {
		return plan.Step{}, fmt.Errorf("%s is a %T, not a plan.Step", src, v)
	}
	return st, nil
}

// callEnv evaluates the call language. A value is an untyped constant
// (constant.Value) until it meets a parameter, which gives it its type as
// the Go compiler would (and refuses what the compiler would refuse: 1.5
// for an int); anything else is a Go value (plan.Step, []string,
// time.Duration).
type callEnv struct{ vars map[string][]string }

var durationType = reflect.TypeFor[time.Duration]()

func (env callEnv) eval(e ast.Expr) (any, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return env.eval(e.X)
	case *ast.BasicLit:
		c := constant.MakeFromLiteral(e.Value, e.Kind, 0)
		if c.Kind() == constant.Unknown {
			return nil, fmt.Errorf("bad literal %s", e.Value)
		}
		return c, nil
	case *ast.Ident:
		switch e.Name {
		case "true", "false":
			return constant.MakeBool(e.Name == "true"), nil
		}
		if v, ok := env.vars[e.Name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("undefined: %s", e.Name)
	case *ast.UnaryExpr:
		x, err := env.eval(e.X)
		if err != nil {
			return nil, err
		}
		c, ok := x.(constant.Value)
		if !ok || (e.Op != token.SUB && e.Op != token.ADD) {
			return nil, fmt.Errorf("unsupported %s%T", e.Op, x)
		}
		return constant.UnaryOp(e.Op, c, 0), nil
	case *ast.BinaryExpr:
		return env.binary(e)
	case *ast.SelectorExpr:
		if isIdent(e.X, "time") && e.Sel.Name == "Millisecond" {
			return time.Millisecond, nil
		}
		return nil, fmt.Errorf("unsupported name %s", exprString(e))
	case *ast.CompositeLit:
		if arr, ok := e.Type.(*ast.ArrayType); !ok || arr.Len != nil || !isIdent(arr.Elt, "string") {
			return nil, fmt.Errorf("unsupported literal of %s", exprString(e.Type))
		}
		out := []string{}
		for _, el := range e.Elts {
			v, err := env.eval(el)
			if err != nil {
				return nil, err
			}
			s, err := convert(v, reflect.TypeFor[string]())
			if err != nil {
				return nil, err
			}
			out = append(out, s.String())
		}
		return out, nil
	case *ast.CallExpr:
		return env.call(e)
	}
	return nil, fmt.Errorf("unsupported expression %T", e)
}

func (env callEnv) binary(e *ast.BinaryExpr) (any, error) {
	x, err := env.eval(e.X)
	if err != nil {
		return nil, err
	}
	y, err := env.eval(e.Y)
	if err != nil {
		return nil, err
	}
	cx, xConst := x.(constant.Value)
	cy, yConst := y.(constant.Value)
	switch {
	case xConst && yConst && (e.Op == token.ADD || e.Op == token.MUL):
		if cx.Kind() != cy.Kind() && (cx.Kind() == constant.String || cy.Kind() == constant.String) {
			return nil, fmt.Errorf("mismatched types in %s", exprString(e))
		}
		return constant.BinaryOp(cx, e.Op, cy), nil
	case e.Op == token.MUL && xConst && !yConst:
		d, ok := y.(time.Duration)
		if !ok {
			return nil, fmt.Errorf("unsupported %s", exprString(e))
		}
		n, err := convert(cx, durationType)
		if err != nil {
			return nil, err
		}
		return time.Duration(n.Int()) * d, nil
	}
	return nil, fmt.Errorf("unsupported %s", exprString(e))
}

func (env callEnv) call(e *ast.CallExpr) (any, error) {
	sel, ok := e.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil, fmt.Errorf("unsupported call of %s", exprString(e.Fun))
	}
	var fn any
	var args []any
	switch {
	case isIdent(sel.X, "time") && sel.Sel.Name == "Duration":
		if len(e.Args) != 1 {
			return nil, fmt.Errorf("time.Duration takes one argument")
		}
		v, err := env.eval(e.Args[0])
		if err != nil {
			return nil, err
		}
		d, err := convert(v, durationType)
		if err != nil {
			return nil, err
		}
		return time.Duration(d.Int()), nil
	case isIdent(sel.X, "plan"):
		if fn, ok = builderFuncs[sel.Sel.Name]; !ok {
			return nil, fmt.Errorf("plan.%s is not a step builder", sel.Sel.Name)
		}
	default:
		if fn, ok = modifierFuncs[sel.Sel.Name]; !ok {
			return nil, fmt.Errorf("%s is not a step modifier", sel.Sel.Name)
		}
		recv, err := env.eval(sel.X)
		if err != nil {
			return nil, err
		}
		if _, ok := recv.(plan.Step); !ok {
			return nil, fmt.Errorf(".%s called on a %T", sel.Sel.Name, recv)
		}
		args = append(args, recv)
	}
	for _, a := range e.Args {
		v, err := env.eval(a)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return callFunc(fn, args, e.Ellipsis.IsValid())
}

// callFunc calls fn with args as Go would: each converted to its
// parameter's type, the last one spread with spread (f(xs...)).
func callFunc(fn any, args []any, spread bool) (any, error) {
	f := reflect.ValueOf(fn)
	ft := f.Type()
	if n := ft.NumIn(); len(args) < n-1 || (!ft.IsVariadic() && len(args) != n) || (spread && len(args) != n) {
		return nil, fmt.Errorf("%d arguments for %s", len(args), ft)
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		t := paramType(ft, i, spread)
		v, err := convert(a, t)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		in[i] = v
	}
	var out []reflect.Value
	if spread {
		out = f.CallSlice(in)
	} else {
		out = f.Call(in)
	}
	return out[0].Interface(), nil
}

func paramType(ft reflect.Type, i int, spread bool) reflect.Type {
	last := ft.NumIn() - 1
	if !ft.IsVariadic() || i < last || (spread && i == last) {
		return ft.In(i)
	}
	return ft.In(last).Elem()
}

// convert gives a value the parameter type t: an untyped constant becomes
// t if it is representable as t, as in Go; any other value must be
// assignable to t.
func convert(v any, t reflect.Type) (reflect.Value, error) {
	c, ok := v.(constant.Value)
	if !ok {
		rv := reflect.ValueOf(v)
		if !rv.IsValid() || !rv.Type().AssignableTo(t) {
			return reflect.Value{}, fmt.Errorf("cannot use %T as %s", v, t)
		}
		return rv, nil
	}
	out := reflect.New(t).Elem()
	switch {
	case t.Kind() == reflect.String && c.Kind() == constant.String:
		out.SetString(constant.StringVal(c))
	case t.Kind() == reflect.Bool && c.Kind() == constant.Bool:
		out.SetBool(constant.BoolVal(c))
	case (t.Kind() == reflect.Int || t.Kind() == reflect.Int64) && (c.Kind() == constant.Int || c.Kind() == constant.Float):
		n := constant.ToInt(c)
		i, exact := constant.Int64Val(n)
		if n.Kind() != constant.Int || !exact || out.OverflowInt(i) {
			return reflect.Value{}, fmt.Errorf("%s is not representable as %s", c, t)
		}
		out.SetInt(i)
	case t.Kind() == reflect.Float64 && (c.Kind() == constant.Int || c.Kind() == constant.Float):
		f, _ := constant.Float64Val(constant.ToFloat(c))
		out.SetFloat(f)
	default:
		return reflect.Value{}, fmt.Errorf("cannot use %s as %s", c, t)
	}
	return out, nil
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func exprString(e ast.Expr) string {
	var b strings.Builder
	ast.Fprint(&b, token.NewFileSet(), e, nil)
	return strings.Join(strings.Fields(b.String()), " ")
}

// stepCase is one planned step, and the call a generated test spells it
// with (its selectors as literals).
type stepCase struct {
	name string
	step plan.Step
	call string
}

func stepCases() []stepCase {
	yes, no := true, false
	longURL := "http://app.test/search?q=" + strings.Repeat("a", 100) + "&page=2"
	hostile := "say \"hi\"\n`now` — ünïcode ✓ \u202e\x00"
	return []stepCase{
		{"navigate", plan.Step{Kind: plan.StepNavigate, URL: "http://app.test/a?b=1#/c"},
			`plan.Navigate("http://app.test/a?b=1#/c")`},
		{"navigate to a long URL, split into a sum of literals", plan.Step{Kind: plan.StepNavigate, URL: longURL},
			"plan.Navigate(\"http://app.test/search?q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" +\n\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&page=2\")"},
		{"click with its recording's index, times and words", plan.Step{Index: 4, Kind: plan.StepClick, Offset: 9 * time.Second, Gap: time.Second,
			Description: `click button#save "****"`, Selectors: []string{"#save", `[data-testid="save"]`}},
			"plan.Click(\"#save\", `[data-testid=\"save\"]`)"},
		{"click at a point with no selector", plan.Step{Kind: plan.StepClick, X: 412.75, Y: 0.001, HasPoint: true},
			`plan.Click().At(412.75, 0.001)`},
		{"click watched for a dead click, with a point to fall back on",
			plan.Step{Kind: plan.StepClick, Selectors: []string{"#save"}, X: 428, Y: 489, HasPoint: true, JudgeDeadClick: true},
			`plan.Click("#save").At(428, 489).WatchDeadClick()`},
		{"type a value with quotes, a line break, a bidi control and a NUL", plan.Step{Kind: plan.StepInput, Value: hostile, Selectors: []string{"#note"}},
			`plan.Type("say \"hi\"\n` + "`now`" + ` — ünïcode ✓ \u202e\x00", "#note")`},
		{"type a masked field's placeholder", plan.Step{Kind: plan.StepInput, Value: "useruser@example.com", Masked: true, Selectors: []string{"#email"}},
			`plan.Type("useruser@example.com", "#email")`},
		{"type nothing: clear the field", plan.Step{Kind: plan.StepInput, Selectors: []string{"#q"}},
			`plan.Type("", "#q")`},
		{"check a box", plan.Step{Kind: plan.StepCheck, Checked: &yes, Selectors: []string{"#newsletter"}},
			`plan.Check(true, "#newsletter")`},
		{"uncheck a box at a point", plan.Step{Kind: plan.StepCheck, Checked: &no, Selectors: []string{"#newsletter"}, X: 402, Y: 438, HasPoint: true},
			`plan.Check(false, "#newsletter").At(402, 438)`},
		{"select a recorded value", plan.Step{Kind: plan.StepSelect, Value: "ap-south", Length: 8, Selectors: []string{"#region"}},
			`plan.Select("ap-south", "#region")`},
		{"select a masked choice by its length", plan.Step{Kind: plan.StepSelect, Masked: true, Length: 10, Selectors: []string{"#plan"}},
			`plan.Select("", "#plan").OptionOfLength(10)`},
		{"select a masked choice given with --input", plan.Step{Kind: plan.StepSelect, Value: "team", Masked: true, Length: 10, Selectors: []string{"#plan"}},
			`plan.Select("team", "#plan")`},
		{"press a key where the focus is", plan.Step{Kind: plan.StepKey, Key: "Escape"},
			`plan.Press("Escape")`},
		{"press an inferred key in a field", plan.Step{Kind: plan.StepKey, Key: "Enter", Inferred: "the field emptied at once", Selectors: []string{"#tag"}},
			`plan.Press("Enter", "#tag")`},
		{"press a key holding modifiers", plan.Step{Kind: plan.StepKey, Key: "k", Modifiers: []string{"Control", "Shift"}, Selectors: []string{"#q"}},
			`plan.Press("k", "#q").Holding("Control", "Shift")`},
		{"scroll the window", plan.Step{Kind: plan.StepScroll, ScrollWindow: true, ScrollY: 1200},
			`plan.ScrollWindow(0, 1200)`},
		{"scroll an element", plan.Step{Kind: plan.StepScroll, ScrollX: 15, ScrollY: 300, Selectors: []string{"#feed-list", "div.feed-list"}},
			`plan.ScrollElement(15, 300, "#feed-list", "div.feed-list")`},
		{"back", plan.Step{Kind: plan.StepBack}, `plan.Back()`},
		{"forward", plan.Step{Kind: plan.StepForward}, `plan.Forward()`},
		{"resize", plan.Step{Kind: plan.StepResize, Width: 1024, Height: 640}, `plan.Resize(1024, 640)`},
		{"wait for the page", plan.Step{Kind: plan.StepWait}, `plan.Wait(0)`},
		{"wait for an element, in milliseconds", plan.Step{Kind: plan.StepWait, Duration: 1500 * time.Millisecond, Selectors: []string{"#result"}},
			`plan.Wait(1500*time.Millisecond, "#result")`},
		{"wait a duration finer than a millisecond", plan.Step{Kind: plan.StepWait, Duration: 1500*time.Millisecond + 1},
			`plan.Wait(time.Duration(1500000001))`},
	}
}

// TestEachStepCallRebuildsItsStep pins the call a generated test spells
// each kind of step with (and each modifier: .At, .Holding,
// .OptionOfLength, .WatchDeadClick), and checks that the call, run, is the
// planned step — with its selectors as literals and as the target's
// variable (selTarget...), as the generated test writes them.
func TestEachStepCallRebuildsItsStep(t *testing.T) {
	for _, tc := range stepCases() {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.step.Validate(), "the case is a step the session would refuse")
			src := string(stepCall(tc.step, ""))
			assert.Equal(t, tc.call, src)
			got, err := evalStep(src, nil)
			require.NoError(t, err)
			assert.Equal(t, asRun(tc.step), asRun(got))

			if len(tc.step.Selectors) == 0 {
				return
			}
			src = string(stepCall(tc.step, "selTarget"))
			assert.Contains(t, src, "selTarget...")
			got, err = evalStep(src, map[string][]string{"selTarget": slices.Clone(tc.step.Selectors)})
			require.NoError(t, err)
			assert.Equal(t, asRun(tc.step), asRun(got))
		})
	}
}

// TestStepCallsCoverEveryStepKind: a step kind added to plan.go needs a
// case above (and a branch in stepCall), or generated tests would write
// it as a plan.Step literal the harness cannot check. The kinds are read
// from plan.go's source, so a new constant is found without anyone
// remembering to list it here.
func TestStepCallsCoverEveryStepKind(t *testing.T) {
	src := filepath.Join(repoRoot(t), "reproduce", "plan", "plan.go")
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, 0)
	require.NoError(t, err)
	var kinds []plan.StepKind
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if !isIdent(vs.Type, "StepKind") {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok, "a StepKind that is not a string literal")
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				kinds = append(kinds, plan.StepKind(s))
			}
		}
	}
	require.NotEmpty(t, kinds, "no StepKind constants found in %s", src)
	covered := map[plan.StepKind]bool{}
	for _, tc := range stepCases() {
		covered[tc.step.Kind] = true
	}
	for _, k := range kinds {
		assert.True(t, covered[k], "no step call case for the %q kind", k)
	}
}

// TestEveryBundlesStepCallsRebuildItsPlan writes every step of every
// recorded bundle's plan (with the clicks the failure names watched, as
// Generate marks them) the way the generated test does — its selectors
// as the target variables targetVars declares, their []string literals
// evaluated too — and checks each call is the planned step, and that the
// plan numbers its steps as replaytest does (from 0, in order), since the
// test's assertions name steps by that number.
func TestEveryBundlesStepCallsRebuildItsPlan(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "replays", "*", "manifest.json"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, m := range dirs {
		scenario := filepath.Base(filepath.Dir(m))
		t.Run(scenario, func(t *testing.T) {
			r := openReplay(t, scenario)
			pl, err := plan.Build(r.Timeline, plan.Options{})
			require.NoError(t, err)
			verdict.BugSignature(r.Timeline, pl).MarkDeadClickSteps(pl)

			g := &codeGen{plan: pl}
			vars := g.targetVars()
			env := map[string][]string{}
			for _, key := range vars.order {
				e, err := parser.ParseExpr(string(vars.lits[key]))
				require.NoError(t, err)
				v, err := (callEnv{}).eval(e)
				require.NoError(t, err, "the variable %s", vars.name[key])
				env[vars.name[key]] = v.([]string)
			}
			for i, st := range pl.Steps {
				require.Equal(t, i, st.Index, "replaytest numbers steps from 0 in order")
				src := string(stepCall(st, vars.name[selectorKey(st.Selectors)]))
				got, err := evalStep(src, env)
				require.NoError(t, err, "step %d", i)
				assert.Equal(t, asRun(st), asRun(got), "step %d: %s", i, src)
			}
		})
	}
}
