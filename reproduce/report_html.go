package reproduce

import (
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/frames"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/story"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// RecordedFrame is what the user saw at one step, for report.html: a JPEG of
// the recorded page rebuilt at that moment, or why there is none (Note).
// Note also carries a caveat of an image that exists ("styles unavailable").
type RecordedFrame struct {
	JPEG []byte
	Note string
	// Outlined is true when the step's target is outlined in the image.
	Outlined bool
}

// HTMLInput is what report.html shows beyond the Report itself.
type HTMLInput struct {
	// Timeline is the recording: its network calls and console messages
	// are shown beside the rerun's.
	Timeline *replay.Timeline
	// Recorded holds the recorded frame of each step, by step index.
	Recorded map[int]RecordedFrame
}

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"offset": replay.FormatOffset,
}).Parse(reportHTML))

// WriteHTML writes report.html: one self-contained page that opens offline
// and needs no script — the verdict as a banner, the escalation story, one
// row per step with what the user saw (the recorded frame) beside what the
// rerun saw (its screenshot, the target outlined), the network calls and
// console messages recorded and observed, and every run's verdict. Every
// string from the replay or the page is escaped by html/template and shown
// as text: no recorded URL becomes a link, no recorded markup is live, and
// a Content-Security-Policy forbids any script or request.
func (r *Report) WriteHTML(w io.Writer, in HTMLInput) error {
	return reportTemplate.Execute(w, r.htmlView(in))
}

type htmlView struct {
	// Recording is true for the recording alone (repro inspect --html):
	// no rerun, no verdict.
	Recording             bool
	Class, Classification string
	Title, ReplayID, App  string
	Verdict               verdict.Verdict
	Agreement             string
	Flaky                 bool
	Duration              string
	Story                 []htmlStoryLine
	Steps                 []htmlStep
	Network               []htmlCall
	Console               []htmlConsole
	Runs                  []htmlRun
	Notes                 []string
	Generated             string
}

type htmlStoryLine struct {
	Offset  string
	Actor   string
	Text    string
	Failure bool
}

type htmlImage struct {
	Src  template.URL
	Note string
	// Box outlines the target, in percent of the image.
	Box      *htmlBox
	Outlined bool
}

type htmlBox struct{ Left, Top, Width, Height float64 }

type htmlStep struct {
	Index    int
	Offset   string
	Words    string
	Status   string
	Reason   string
	Failing  bool
	Signals  []string
	Recorded htmlImage
	Rerun    htmlImage
}

type htmlCall struct {
	Recorded string
	Status   string
	Latency  string
	Rerun    string
	Outcome  string
	Why      string
}

type htmlConsole struct {
	Side, Offset, Level, Text string
}

type htmlRun struct {
	N                int
	Verdict, Summary string
	Duration         string
}

func (r *Report) htmlView(in HTMLInput) htmlView {
	v := htmlView{
		Title:     "repro: " + r.Verdict.Value + " — replay " + r.ReplayID,
		ReplayID:  r.ReplayID,
		App:       r.App,
		Verdict:   r.Verdict,
		Agreement: r.Agreement,
		Flaky:     r.Flaky,
		Duration:  replay.FormatDuration(r.Duration),
		Notes:     r.Verdict.Notes,
		Generated: time.Now().UTC().Format(time.RFC3339),
	}
	if r.Story != nil {
		for _, l := range r.Story.Lines {
			v.Story = append(v.Story, htmlStoryLine{Offset: replay.FormatOffset(l.Offset), Actor: l.Actor, Text: l.Text, Failure: l.Failure})
		}
	}
	var obs *session.Observation
	var journal []mockserver.JournalEntry
	if len(r.Runs) > 0 {
		obs, journal = r.Runs[0].Observation, r.Runs[0].Journal
	}
	for i, run := range r.Runs {
		v.Runs = append(v.Runs, htmlRun{N: i + 1, Verdict: run.Verdict.Value, Summary: run.Verdict.Summary, Duration: replay.FormatDuration(run.Duration)})
	}
	if r.Plan != nil {
		v.Steps = r.htmlSteps(obs, in)
	}
	if in.Timeline != nil {
		v.Network = htmlNetwork(in.Timeline, journal)
		v.Console = htmlConsoleLines(in.Timeline, obs)
	}
	return v
}

func (r *Report) htmlSteps(obs *session.Observation, in HTMLInput) []htmlStep {
	signals := map[int][]string{}
	for _, s := range r.Signature.Signals {
		if s.Proof {
			signals[s.Step] = append(signals[s.Step], s.String())
		}
	}
	results := map[int]session.StepResult{}
	if obs != nil {
		for _, res := range obs.Steps {
			results[res.Index] = res
		}
	}
	vw, vh := float64(r.Plan.Viewport.Width), float64(r.Plan.Viewport.Height)
	var out []htmlStep
	for _, st := range r.Plan.Steps {
		hs := htmlStep{Index: st.Index, Offset: replay.FormatOffset(st.Offset), Words: st.String(), Signals: signals[st.Index], Status: "not run"}
		hs.Failing = len(hs.Signals) > 0 || (r.Verdict.DivergedAt != nil && *r.Verdict.DivergedAt == st.Index)
		if f, ok := in.Recorded[st.Index]; ok {
			hs.Recorded = htmlImage{Note: f.Note, Outlined: f.Outlined}
			if len(f.JPEG) > 0 {
				hs.Recorded.Src = jpegURL(f.JPEG)
			}
		} else if in.Recorded == nil {
			hs.Recorded.Note = "what the user saw was not rendered for this report"
		} else {
			hs.Recorded.Note = "no recorded frame"
		}
		res, ran := results[st.Index]
		switch {
		case !ran:
			hs.Rerun.Note = "the rerun did not reach this step"
		default:
			hs.Status, hs.Reason = string(res.Status), res.Reason
			hs.Rerun = rerunImage(obs, res, vw, vh)
		}
		out = append(out, hs)
	}
	return out
}

// rerunImage embeds the step's screenshot, with the target's box (recorded
// when the step acted on it) as an outline in percent of the viewport.
func rerunImage(obs *session.Observation, res session.StepResult, vw, vh float64) htmlImage {
	dir := obs.ArtifactsDir
	switch {
	case dir == "":
		return htmlImage{Note: "no screenshot (the run kept no artifacts)"}
	case res.Screenshot == "" && obs.Screenshots == session.ScreenshotsEvidence:
		return htmlImage{Note: "no screenshot: the rerun takes them at the first and last steps, the steps of the recorded failure and where it failed itself (--screenshots all for every step)"}
	case res.Screenshot == "":
		return htmlImage{Note: "the screenshot could not be taken"}
	}
	b, err := os.ReadFile(filepath.Join(dir, res.Screenshot))
	if err != nil || len(b) == 0 {
		return htmlImage{Note: "the screenshot could not be taken"}
	}
	img := htmlImage{Src: jpegURL(b)}
	if len(res.Box) == 4 && vw > 0 && vh > 0 && res.Box[2] > 0 && res.Box[3] > 0 {
		img.Box = &htmlBox{Left: pct(res.Box[0], vw), Top: pct(res.Box[1], vh), Width: pct(res.Box[2], vw), Height: pct(res.Box[3], vh)}
		img.Outlined = true
	}
	return img
}

func pct(x, of float64) float64 {
	p := x / of * 100
	return float64(int(min(max(p, 0), 100)*10)) / 10
}

// jpegURL is a data URL of JPEG bytes repro produced (a screenshot or a
// rendered frame; never a URL from the recording).
func jpegURL(b []byte) template.URL {
	return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b))
}

// htmlNetwork lists each recorded call beside what the rerun's mock did
// with it (first run), then the rerun's requests the recording lacks with
// the nearest recorded candidates and why they differ.
func htmlNetwork(tl *replay.Timeline, journal []mockserver.JournalEntry) []htmlCall {
	var out []htmlCall
	served := map[int][]mockserver.JournalEntry{}
	for _, j := range journal {
		served[j.Exchange] = append(served[j.Exchange], j)
	}
	for _, x := range Exchanges(tl) {
		c := htmlCall{
			Recorded: x.Method + " " + replay.DisplayURL(x.URL, tl.InitialURL),
			Status:   replay.StatusText(x.Status),
			Latency:  replay.FormatDuration(x.Latency),
		}
		js := served[x.Seq]
		if len(js) == 0 {
			c.Rerun, c.Outcome = "not requested", "unused"
		} else {
			var parts []string
			for _, j := range js {
				parts = append(parts, fmt.Sprintf("%d (%s)", j.Status, j.Outcome))
				if j.Synthetic {
					c.Why = "synthetic body: the replay did not capture it"
				}
			}
			c.Rerun = strings.Join(parts, ", ")
			c.Outcome = string(js[0].Outcome)
		}
		out = append(out, c)
	}
	for _, j := range journal {
		if j.Exchange >= 0 && j.Outcome != mockserver.OutcomeUnmatched {
			continue
		}
		c := htmlCall{Recorded: "(not in the recording)", Rerun: fmt.Sprintf("%s %s → %d", j.Method, replay.DisplayURL(j.URL, tl.InitialURL), j.Status), Outcome: string(j.Outcome)}
		if j.Mismatch != nil {
			c.Why = strings.TrimSpace(j.Mismatch.String())
		}
		out = append(out, c)
	}
	return out
}

// htmlConsoleLines lists the console messages and errors, recorded then
// observed (first run), in time order on each side.
func htmlConsoleLines(tl *replay.Timeline, obs *session.Observation) []htmlConsole {
	var out []htmlConsole
	for _, ev := range tl.Events {
		switch {
		case ev.Kind == replay.KindConsole && ev.Console != nil:
			out = append(out, htmlConsole{Side: "recorded", Offset: replay.FormatOffset(ev.Offset), Level: ev.Console.Level, Text: ev.Console.Message})
		case ev.Kind == replay.KindError && ev.Error != nil:
			out = append(out, htmlConsole{Side: "recorded", Offset: replay.FormatOffset(ev.Offset), Level: "uncaught", Text: strings.TrimSpace(ev.Error.Type + ": " + ev.Error.Value)})
		}
	}
	if obs == nil {
		return out
	}
	type line struct {
		at time.Time
		c  htmlConsole
	}
	var seen []line
	for _, c := range obs.Console {
		text := c.SDK
		if text == "" {
			text = c.Text
		}
		seen = append(seen, line{c.Time, htmlConsole{Side: "rerun", Offset: fmt.Sprintf("step %d", c.Step), Level: c.Level, Text: text}})
	}
	for _, x := range obs.Exceptions {
		seen = append(seen, line{x.Time, htmlConsole{Side: "rerun", Offset: fmt.Sprintf("step %d", x.Step), Level: "uncaught", Text: strings.TrimSpace(x.Type + ": " + x.Message)}})
	}
	slices.SortStableFunc(seen, func(a, b line) int { return a.at.Compare(b.at) })
	for _, l := range seen {
		out = append(out, l.c)
	}
	return out
}

// RecordedFrames renders what the user saw at each of steps (the plan's):
// the recorded page rebuilt at the step's moment, as a JPEG, its target
// outlined, in browser b behind the fail-closed network, with style sheets
// and images the recording did not inline fetched from app (a zero app:
// none, and the frames say so). A step without a frame has a Note.
func (r *Replay) RecordedFrames(ctx context.Context, b *session.Browser, app session.AppUnderTest, steps []plan.Step) (map[int]RecordedFrame, error) {
	return r.recordedFrames(ctx, b, app, steps, nil)
}

// recordedFrames is RecordedFrames, logging each frame to log (nil: quiet).
func (r *Replay) recordedFrames(ctx context.Context, b *session.Browser, app session.AppUnderTest, steps []plan.Step, log *slog.Logger) (map[int]RecordedFrame, error) {
	start := time.Now()
	pfs, err := replay.Frames(r.Bundle, frames.Moments(r.Timeline, steps))
	if err != nil {
		return nil, fmt.Errorf("recorded frames: %w", err)
	}
	imgs, err := frames.Render(ctx, b, app, pfs, frames.WithLogger(log))
	if log != nil {
		log.Debug("recorded frames rendered", "frames", len(pfs), "took", time.Since(start), "err", err)
	}
	if err != nil {
		return nil, fmt.Errorf("recorded frames: %w", err)
	}
	out := make(map[int]RecordedFrame, len(steps))
	for i, st := range steps {
		if i >= len(imgs) {
			break
		}
		img := imgs[i]
		notes := []string{}
		if img.Note != "" {
			notes = append(notes, img.Note)
		}
		switch img.Styles {
		case frames.StylesUnavailable:
			notes = append(notes, "styles unavailable: the page's style sheets could not be had from the app under test")
		case frames.StylesPartial:
			notes = append(notes, fmt.Sprintf("%d style sheet(s) unavailable", len(img.MissingStyles)))
		}
		out[st.Index] = RecordedFrame{JPEG: img.JPEG, Note: strings.Join(notes, "; "), Outlined: img.TargetShown}
	}
	return out, nil
}

// WriteRecordingHTML writes the report.html of the recording alone, for
// someone with no app to run against (repro inspect --html): the story,
// the recorded failure signals and one row per step with the recorded
// frame, rendered in browser b with no app (style sheets the recording did
// not inline are missing, and the frames say so).
func (r *Replay) WriteRecordingHTML(ctx context.Context, w io.Writer, b *session.Browser) error {
	pl, err := plan.Build(r.Timeline, plan.Options{})
	if err != nil {
		return err
	}
	st := story.Tell(r.Timeline)
	rep := &Report{ReplayID: r.Timeline.ReplayID, Story: st, Plan: pl, Signature: verdict.BugSignature(r.Timeline, pl)}
	recorded, err := r.RecordedFrames(ctx, b, session.AppUnderTest{}, pl.Steps)
	if err != nil {
		return err
	}
	v := rep.htmlView(HTMLInput{Timeline: r.Timeline, Recorded: recorded})
	v.Recording = true
	for i := range v.Network {
		v.Network[i].Rerun, v.Network[i].Outcome = "—", "—"
	}
	v.Class, v.Classification = st.Classification.Class, st.Classification.Summary
	v.Title = "repro: the recording of replay " + r.Timeline.ReplayID
	return reportTemplate.Execute(w, v)
}
