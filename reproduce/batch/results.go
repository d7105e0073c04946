package batch

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/repro-dev/repro/reproduce/atomicfile"
)

// File names in the output directory.
const (
	ResultsFile = "results.jsonl"
	SummaryFile = "summary.json"
)

// Result is one replay's line in results.jsonl, written as it finishes.
type Result struct {
	// Input is the replay as the batch was given it (a bundle path, a
	// replay id or URL); ReplayID is its id once read ("" if it could not
	// be).
	Input    string `json:"input"`
	ReplayID string `json:"replay_id,omitempty"`
	// Verdict is set when the rerun finished, Error when it did not (the
	// replay could not be fetched or read, the tab crashed, it ran past
	// the replay timeout).
	Verdict string `json:"verdict,omitempty"`
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
	// Group is the bug a reproduced replay shows (Bug.ID).
	Group string `json:"group,omitempty"`
	Bug   *Bug   `json:"bug,omitempty"`
	// Report is the replay's report.json, relative to the output
	// directory (DIR/<replay_id>/report.json; its siblings are the other
	// forms and the screenshots).
	Report     string  `json:"report,omitempty"`
	Agreement  string  `json:"agreement,omitempty"`
	DurationMS int64   `json:"duration_ms"`
	Endpoint   string  `json:"endpoint,omitempty"`
	Finished   string  `json:"finished"`
	Attempts   int     `json:"attempts,omitempty"`
	at         float64 // seconds since the batch started, for the rate
}

// OK reports whether the replay got a verdict.
func (r Result) OK() bool { return r.Error == "" && r.Verdict != "" }

// Summary is summary.json and what `repro batch --json` prints.
type Summary struct {
	App   string `json:"app"`
	Total int    `json:"total"`
	Done  int    `json:"done"`
	// Skipped had a result from an earlier batch (--resume); they are in
	// the counts and groups.
	Skipped int `json:"skipped"`
	// Interrupted is true when the batch was stopped before every replay
	// finished; the results so far are all here.
	Interrupted bool           `json:"interrupted"`
	Verdicts    map[string]int `json:"verdicts"`
	Errors      int            `json:"errors"`
	// Groups are the bugs, largest first.
	Groups     []Group   `json:"groups"`
	Results    string    `json:"results"`
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"duration_ms"`
	// PerMinute is the batch's throughput (reruns finished per minute).
	PerMinute float64 `json:"per_minute"`
}

// Group is replays that reproduced one bug.
type Group struct {
	ID  string `json:"id"`
	Bug Bug    `json:"bug"`
	// Representative is the replay whose report (and, with --generate,
	// regression test) stands for the group: the quickest rerun.
	Representative string   `json:"representative"`
	Report         string   `json:"report"`
	Replays        []string `json:"replays"`
}

// summarize counts results and groups them.
func summarize(results []Result) (map[string]int, int, []Group) {
	verdicts := map[string]int{}
	errs := 0
	groups := map[string]*Group{}
	best := map[string]int64{}
	for _, r := range results {
		if !r.OK() {
			errs++
			continue
		}
		verdicts[r.Verdict]++
		if r.Group == "" || r.Bug == nil {
			continue
		}
		g := groups[r.Group]
		if g == nil {
			g = &Group{ID: r.Group, Bug: *r.Bug}
			groups[r.Group] = g
		}
		g.Replays = append(g.Replays, r.ReplayID)
		if g.Representative == "" || r.DurationMS < best[r.Group] {
			g.Representative, g.Report, best[r.Group] = r.ReplayID, r.Report, r.DurationMS
		}
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		slices.Sort(g.Replays)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if len(a.Replays) != len(b.Replays) {
			return len(b.Replays) - len(a.Replays)
		}
		return compareStrings(a.ID, b.ID)
	})
	return verdicts, errs, out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ReadResults reads the results of an earlier batch in dir (none when it
// has no results.jsonl). A last line cut short by a crash is ignored: that
// replay simply has no result.
func ReadResults(dir string) ([]Result, error) {
	f, err := os.Open(filepath.Join(dir, ResultsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r Result
		if json.Unmarshal(sc.Bytes(), &r) != nil || r.Input == "" {
			continue
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// resultLog appends results to results.jsonl, one line each, as they come.
type resultLog struct {
	mu sync.Mutex
	f  *os.File
}

func openResultLog(dir string) (*resultLog, error) {
	f, err := os.OpenFile(filepath.Join(dir, ResultsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return &resultLog{f: f}, nil
}

func (l *resultLog) add(r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// One write per line: a crash leaves whole lines and at most one cut
	// short, which ReadResults skips.
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

func (l *resultLog) close() error { return l.f.Close() }

// writeSummary writes summary.json atomically: a reader never sees half.
func writeSummary(dir string, s *Summary) error {
	return atomicfile.WriteFunc(filepath.Join(dir, SummaryFile), 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	})
}
