package generate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// MinimizeOptions configure Minimize.
type MinimizeOptions struct {
	// Run says how each candidate is re-run: App (required), Chrome,
	// Timing, Latency (nil: recorded), StepTimeout, Settle. Runs, Inputs,
	// Upstream and ArtifactsDir are not used.
	Run reproduce.RunOptions
	// MaxReruns bounds the reruns, the baseline included (default 32).
	// When it runs out, the smallest plan found so far is returned.
	MaxReruns int
	Logger    *slog.Logger
	// OnRerun, when set, is told as each rerun starts: its number, the
	// budget, and how many steps the candidate plan keeps.
	OnRerun func(rerun, maxReruns, steps int)
}

// Minimized is the outcome of Minimize.
type Minimized struct {
	// Plan is the smallest plan found that still reproduces, its steps
	// renumbered 0..n-1 and keeping their recorded offsets.
	Plan *plan.Plan
	// Removed of Considered user steps were dropped (a leading navigation
	// is never considered).
	Removed, Considered int
	// Reruns is how many times a plan was re-run, the baseline included.
	Reruns int
	// Complete is false when MaxReruns stopped the search early.
	Complete bool
}

// String is the one-line summary, e.g. "removed 2 of 5 steps in 9 reruns".
func (m *Minimized) String() string {
	s := fmt.Sprintf("removed %d of %d steps in %d reruns", m.Removed, m.Considered, m.Reruns)
	if !m.Complete {
		s += " (stopped at the rerun limit: more steps may be removable)"
	}
	return s
}

// ErrNotReproduced is returned by Minimize when the full plan does not
// reproduce the recorded failure: there is nothing to keep.
var ErrNotReproduced = errors.New("the full plan does not reproduce the recorded failure")

// Minimize removes the user steps the failure does not need: delta
// debugging (ddmin) over the steps, re-running every candidate against the
// app with the recorded responses and keeping it when every failure signal
// the full plan showed still shows. A leading navigation is always kept.
func Minimize(ctx context.Context, r *reproduce.Replay, p *plan.Plan, opts MinimizeOptions) (*Minimized, error) {
	if opts.MaxReruns <= 0 {
		opts.MaxReruns = 32
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &minimizer{r: r, plan: p, opts: opts, log: log, cache: map[string]bool{}}
	if len(p.Steps) > 0 && p.Steps[0].Kind == plan.StepNavigate {
		m.fixed = 1
	}
	// One browser for every rerun: the caller's, or one launched here.
	m.browser = opts.Run.Browser
	if m.browser == nil {
		b, err := session.NewBrowser(ctx, opts.Run.Chrome)
		if err != nil {
			return nil, err
		}
		defer b.Close()
		m.browser = b
	}

	all := make([]int, 0, len(p.Steps)-m.fixed)
	for i := m.fixed; i < len(p.Steps); i++ {
		all = append(all, i)
	}
	ok, keys, err := m.run(ctx, all)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("minimize: %w", ErrNotReproduced)
	}
	m.want = keys
	kept, complete, err := m.ddmin(ctx, all)
	if err != nil {
		return nil, err
	}
	return &Minimized{
		Plan:       m.subPlan(kept),
		Removed:    len(all) - len(kept),
		Considered: len(all),
		Reruns:     m.reruns,
		Complete:   complete,
	}, nil
}

type minimizer struct {
	r       *reproduce.Replay
	plan    *plan.Plan
	opts    MinimizeOptions
	log     *slog.Logger
	browser *session.Browser
	fixed   int             // leading steps always kept
	want    map[string]bool // signals the full plan showed
	cache   map[string]bool
	reruns  int
}

var errBudget = errors.New("rerun budget spent")

// ddmin is Zeller's delta debugging: try each chunk alone, then each
// complement, refining the split until no single step can go.
func (m *minimizer) ddmin(ctx context.Context, c []int) ([]int, bool, error) {
	// A smaller plan is accepted only when it reproduces twice in a row:
	// an app whose failure depends on timing (a scroll that loads a page
	// in time, or not) must not pass a plan that reproduced once by
	// chance into the test.
	test := func(s []int) (bool, error) {
		ok, _, err := m.run(ctx, s)
		if !ok || err != nil {
			return ok, err
		}
		delete(m.cache, fmt.Sprint(s))
		ok, _, err = m.run(ctx, s)
		return ok, err
	}
	if len(c) > 0 {
		ok, err := test(nil)
		if errors.Is(err, errBudget) {
			return c, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if ok {
			return nil, true, nil
		}
	}
	n := 2
	for len(c) >= 2 {
		chunks := split(c, n)
		reduced := false
		// Phase 0 tries each chunk alone (restart at n = 2), phase 1 each
		// complement (keep the granularity, one chunk fewer).
		for phase, candidates := range [][][]int{chunks, complements(c, chunks)} {
			for _, s := range candidates {
				if len(s) == len(c) {
					continue
				}
				ok, err := test(s)
				if errors.Is(err, errBudget) {
					return c, false, nil
				}
				if err != nil {
					return nil, false, err
				}
				if ok {
					c, reduced = s, true
					if phase == 0 {
						n = 2
					} else {
						n = max(n-1, 2)
					}
					break
				}
			}
			if reduced {
				break
			}
		}
		if !reduced {
			if n >= len(c) {
				break
			}
			n = min(2*n, len(c))
		}
	}
	return c, true, nil
}

func split(c []int, n int) [][]int {
	var out [][]int
	start := 0
	for i := range n {
		end := start + (len(c)-start)/(n-i)
		if end > start {
			out = append(out, c[start:end])
		}
		start = end
	}
	return out
}

func complements(c []int, chunks [][]int) [][]int {
	out := make([][]int, 0, len(chunks))
	for _, ch := range chunks {
		var comp []int
		for _, x := range c {
			if !slices.Contains(ch, x) {
				comp = append(comp, x)
			}
		}
		out = append(out, comp)
	}
	return out
}

// subPlan is the plan with the fixed steps and the kept ones, renumbered.
func (m *minimizer) subPlan(kept []int) *plan.Plan {
	p := *m.plan
	p.Steps = nil
	idx := append(make([]int, 0, m.fixed+len(kept)), kept...)
	for i := m.fixed - 1; i >= 0; i-- {
		idx = append([]int{i}, idx...)
	}
	for _, i := range idx {
		st := m.plan.Steps[i]
		st.Index = len(p.Steps)
		if len(p.Steps) > 0 {
			st.Gap = st.Offset - p.Steps[len(p.Steps)-1].Offset
		}
		p.Steps = append(p.Steps, st)
	}
	return &p
}

// run re-runs the plan reduced to kept and reports whether it reproduced
// every signal the full plan showed (the first call, the baseline, sets
// them), with the keys of the signals it showed.
func (m *minimizer) run(ctx context.Context, kept []int) (bool, map[string]bool, error) {
	key := fmt.Sprint(kept)
	if ok, done := m.cache[key]; done {
		return ok, nil, nil
	}
	if m.reruns >= m.opts.MaxReruns {
		return false, nil, errBudget
	}
	m.reruns++
	p := m.subPlan(kept)
	if m.opts.OnRerun != nil {
		m.opts.OnRerun(m.reruns, m.opts.MaxReruns, len(p.Steps))
	}
	sig := verdict.BugSignature(m.r.Timeline, p)
	sig.MarkDeadClickSteps(p)
	mock, err := m.opts.Run.MockBackend(m.r.Timeline)
	if err != nil {
		return false, nil, err
	}
	cfg := m.opts.Run.Config()
	cfg.Browser, cfg.API, cfg.Decided = m.browser, mock, sig.Decided
	obs, err := session.Execute(ctx, *p, cfg)
	if err != nil {
		return false, nil, fmt.Errorf("minimize: rerun %d: %w", m.reruns, err)
	}
	v := verdict.Judge(sig, p, obs, mock.Journal())
	keys := map[string]bool{}
	for _, e := range v.Evidence {
		if e.Proof && e.Seen {
			keys[signalKey(sig, e)] = true
		}
	}
	ok := v.Value == verdict.Reproduced
	for k := range m.want {
		ok = ok && keys[k]
	}
	m.cache[key] = ok
	m.log.Debug("minimize", "rerun", m.reruns, "steps", stepList(p), "verdict", v.Value, "keep", ok)
	return ok, keys, nil
}

// signalKey names a signal independently of step numbers (which change as
// steps are removed): its kind and its error text or click target.
func signalKey(sig verdict.Signature, e verdict.Evidence) string {
	for _, s := range sig.Signals {
		if s.Kind == e.Signal && s.Step == e.Step && s.String() == e.Recorded {
			return s.Kind + "|" + s.Type + "|" + s.Message + "|" + s.Target
		}
	}
	return e.Signal + "|" + e.Recorded
}

func stepList(p *plan.Plan) string {
	parts := make([]string, len(p.Steps))
	for i, st := range p.Steps {
		parts[i] = strconv.Itoa(i) + ":" + st.String()
	}
	return strings.Join(parts, "; ")
}
