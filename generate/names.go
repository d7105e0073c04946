package generate

import (
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// ShortID is the first six characters of a replay id: what test names,
// file names and fixture directories carry. Only ASCII letters and digits
// are kept (a replay id is hex; a crafted one must not reach a file name or
// an identifier with anything else).
func ShortID(replayID string) string {
	id := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, replayID))
	if len(id) > 6 {
		id = id[:6]
	}
	if id == "" {
		id = "replay"
	}
	return id
}

// TestName names the test after the replay and its failure:
// TestReplay_<short id>_<what was used><what went wrong>, e.g.
// TestReplay_aad5ac_GenerateFailsSilently. It depends only on the plan and
// the signature, so regenerating gives the same name. The parts come from
// recorded ids and error types, so the name goes through escape.GoIdent.
func TestName(replayID string, plan *plan.Plan, sig verdict.Signature) string {
	return escape.GoIdent("TestReplay_"+ShortID(replayID)+"_"+summary(plan, sig), "TestReplay")
}

func summary(plan *plan.Plan, sig verdict.Signature) string {
	proofs := sig.Proofs()
	if len(proofs) == 0 {
		return "Session"
	}
	step := proofs[0].Step
	var errType string
	hasError, hasConsole, hasDead, hasRage := false, false, false, false
	for _, s := range proofs {
		switch s.Kind {
		case verdict.SignalError:
			if !hasError {
				errType = s.Type
			}
			hasError = true
		case verdict.SignalConsoleError:
			hasConsole = true
		case verdict.SignalDeadClick:
			hasDead = true
		case verdict.SignalRageClick:
			hasRage = true
		}
	}
	thing := "Page"
	if step >= 0 && step < len(plan.Steps) {
		thing = stepThing(plan.Steps[step])
	}
	var outcome string
	switch {
	case (hasError || hasConsole) && (hasDead || hasRage):
		outcome = "FailsSilently"
	case hasError:
		outcome = "Throws" + identWords(errType)
	case hasConsole:
		outcome = "LogsError"
	case hasRage:
		outcome = "FrustratesUser"
	default:
		outcome = "DoesNothing"
	}
	return thing + outcome
}

var (
	idSelRE     = regexp.MustCompile(`^#([A-Za-z][\w-]*)$`)
	testIDSelRE = regexp.MustCompile(`^\[data-test(?:id|-id)?="([^"]+)"\]$`)
	nameSelRE   = regexp.MustCompile(`\[name="([^"]+)"\]`)
)

// stepThing names what a step acted on, in CamelCase: the element's id,
// test id or name, else its tag, else the page.
func stepThing(st plan.Step) string {
	for _, re := range []*regexp.Regexp{idSelRE, testIDSelRE, nameSelRE} {
		for _, sel := range st.Selectors {
			if m := re.FindStringSubmatch(sel); m != nil {
				if w := identWords(m[1]); w != "" {
					return w
				}
			}
		}
	}
	if st.Kind == plan.StepNavigate {
		p := st.URL
		if i := strings.Index(p, "://"); i >= 0 {
			p = p[i+3:]
			if j := strings.IndexByte(p, '/'); j >= 0 {
				p = p[j:]
			}
		}
		p, _, _ = strings.Cut(p, "?")
		segs := strings.Split(strings.Trim(p, "/"), "/")
		if w := identWords(segs[len(segs)-1]); w != "" && !unicode.IsDigit(rune(w[0])) {
			return "Open" + w
		}
		return "OpenPage"
	}
	if len(st.Selectors) > 0 {
		last := st.Selectors[0]
		if i := strings.LastIndexAny(last, " >"); i >= 0 {
			last = last[i+1:]
		}
		tag := regexp.MustCompile(`^[a-z]+`).FindString(last)
		if w := identWords(tag); w != "" {
			return w
		}
	}
	return identWords(string(st.Kind))
}

// identWords turns "open-chat", "generate_button" or "TypeError" into
// "OpenChat", "GenerateButton", "TypeError": ASCII letters and digits only,
// each word capitalized ("" when s has none).
func identWords(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) || r > unicode.MaxASCII {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PackageName is the package of the Go files already in dir (test files'
// _test suffix kept off), else dir's base name made an identifier.
func PackageName(dir string) string {
	if name := existingPackage(dir); name != "" {
		return name
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	base := strings.ToLower(filepath.Base(abs))
	var b strings.Builder
	for _, r := range base {
		if r <= unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if name == "" || unicode.IsDigit(rune(name[0])) || token.IsKeyword(name) {
		name = "regress" + name
	}
	return name
}

var packageRE = regexp.MustCompile(`(?m)^package\s+([A-Za-z_]\w*)`)

func existingPackage(dir string) string {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return ""
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if m := packageRE.FindSubmatch(b); m != nil {
			name := string(m[1])
			if strings.HasSuffix(f, "_test.go") {
				name = strings.TrimSuffix(name, "_test")
			}
			return name
		}
	}
	return ""
}
