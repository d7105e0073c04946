package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/verdict"
)

type reportOptions struct {
	run    runOptions
	post   bool
	dryRun bool
	dsn    string
	issues []string
}

func newReportCmd(streams *IOStreams) *cobra.Command {
	opts := &reportOptions{run: runOptions{streams: streams}}
	cmd := &cobra.Command{
		Use:   "report <replay> --app <url|dir> (--post | --dry-run)",
		Short: "Re-run a replay and put the verdict on its Sentry issue(s)",
		Long: `Re-run a replay (as repro run does) and attach the Markdown verdict to the
ticket:

  --post     adds the verdict as a comment on every Sentry issue linked to the
             replay's errors (or the issues named with --to-issue), so whoever
             opens the issue sees whether it reproduces and the evidence (with
             --ticket URL: a comment on that GitHub or Jira issue instead); and,
             when a DSN is set (--dsn or $REPRO_SENTRY_DSN), records the verdict
             as a Sentry event tagged replay_id and verdict, so a team can
             search, chart and alert on reproductions in its own project.
  --dry-run  prints what would be posted and where, and posts nothing.

The comment needs a token with the event:write scope.`,
		Example: `  $ repro report 3f9c1a0e8d2b4c5e9f1a2b3c4d5e6f70 --app http://localhost:3000 --dry-run
  $ repro report ./bundle --app ./dist --post --to-issue FRONTEND-1A3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.run.source.setArgs("report", args); err != nil {
				return err
			}
			if opts.post == opts.dryRun {
				return usageError{errors.New("report needs exactly one of --post or --dry-run")}
			}
			opts.run.delivery.post, opts.run.delivery.dryRun = opts.post, opts.dryRun
			if err := opts.run.delivery.check(true); err != nil {
				return err
			}
			return runReport(cmd, opts)
		},
	}
	opts.run.addFlags(cmd)
	_ = cmd.MarkFlagRequired("app")
	f := cmd.Flags()
	f.BoolVar(&opts.post, "post", false, "post the verdict as a comment on the linked Sentry issue(s) and record it as an event")
	f.BoolVar(&opts.dryRun, "dry-run", false, "print what would be posted, post nothing")
	f.StringVar(&opts.dsn, "dsn", "", "DSN of the project that records verdict events (default $REPRO_SENTRY_DSN; none: no event)")
	f.StringSliceVar(&opts.issues, "to-issue", nil, "issue id(s) or SHORT-ID(s) to comment on instead of the linked ones")
	opts.run.delivery.add(f, false)
	return cmd
}

func runReport(cmd *cobra.Command, opts *reportOptions) error {
	ctx := cmd.Context()
	out := opts.run.streams.Out
	// The rerun's own report goes to stderr, as text; stdout carries what
	// is posted. The rerun shares opts.run (and so its Sentry client) with
	// finding the issues and posting.
	opts.run.markdown, opts.run.json = false, false
	_, rep, err := rerun(cmd, &opts.run, opts.run.streams.Err)
	if err != nil {
		return err
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		return err
	}

	// With --ticket the verdict goes to the ticket, and to Sentry issues
	// only when --to-issue names them.
	ticket := opts.run.delivery.ticket
	var issues []targetIssue
	if ticket == "" || len(opts.issues) > 0 {
		if issues, err = opts.targetIssues(ctx); err != nil {
			return err
		}
	}
	if err := opts.run.delivery.deliver(ctx, opts.run.streams, rep, outputsOf(&opts.run, "")); err != nil {
		return err
	}
	dsn := opts.dsn
	if dsn == "" {
		dsn = opts.run.streams.Env.get("REPRO_SENTRY_DSN")
	}
	atts, err := reportAttachments(opts.run.artifacts, rep)
	if err != nil {
		return err
	}
	if opts.dryRun {
		if len(issues) == 0 && ticket == "" {
			fmt.Fprintln(out, "Would post to no issue: the replay's errors link to none (name one with --to-issue).")
		}
		for _, is := range issues {
			fmt.Fprintf(out, "Would post to issue %s:\n\n", escape.Terminal(is.label()))
		}
		if dsn != "" {
			fmt.Fprintf(out, "Would record an event tagged replay_id=%s verdict=%s, with these attachments:\n", escape.Terminal(rep.ReplayID), rep.Verdict.Value)
			for _, a := range atts {
				fmt.Fprintf(out, "  %s (%s, %d bytes)\n", a.Filename, a.ContentType, len(a.Payload))
			}
			fmt.Fprintln(out)
		}
		if len(issues) > 0 || dsn != "" {
			if _, err := out.Write(md.Bytes()); err != nil {
				return err
			}
		}
		return verdictResult(rep.Verdict.Value)
	}
	if len(issues) == 0 && dsn == "" && ticket != "" {
		return verdictResult(rep.Verdict.Value)
	}
	if len(issues) == 0 && dsn == "" {
		return errors.New("nothing to post to: the replay's errors link to no issue and no DSN is set; use --to-issue or --dsn")
	}
	client, err := opts.run.source.sentryClient(opts.run.streams)
	if err != nil && len(issues) > 0 {
		return err
	}
	// The event first: the comment then says where its attachments are.
	comment := md.String()
	if dsn != "" {
		id, err := recordVerdictEvent(dsn, rep, md.String(), atts)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Recorded verdict event %s (tags: replay_id, verdict; %d attachment(s))\n", id, len(atts))
		comment += fmt.Sprintf("\nThe HTML report (`report.html`: the recorded session beside the rerun, step by step) and the failing step's two frames are attached to the verdict event `%s` (search `replay_id:%s` in the project that records verdicts).\n", id, rep.ReplayID)
	} else {
		comment += "\nThe HTML report (`report.html`) is in the artifacts directory of the machine that ran repro; set a DSN (`--dsn`) to attach it to a Sentry event.\n"
	}
	for _, is := range issues {
		if err := client.PostIssueComment(ctx, "", is.ID, comment); err != nil {
			return fmt.Errorf("post to issue %s: %w", is.label(), err)
		}
		fmt.Fprintf(out, "Posted the verdict (%s) to issue %s\n", rep.Verdict.Value, escape.Terminal(is.label()))
	}
	return verdictResult(rep.Verdict.Value)
}

type targetIssue struct{ sentryapi.Issue }

func (t targetIssue) label() string {
	if t.ShortID != "" {
		return t.ShortID + " (" + t.ID + ")"
	}
	return t.ID
}

func (opts *reportOptions) targetIssues(ctx context.Context) ([]targetIssue, error) {
	var out []targetIssue
	if len(opts.issues) > 0 {
		for _, id := range opts.issues {
			out = append(out, targetIssue{sentryapi.Issue{ID: id}})
		}
		return out, nil
	}
	src := &opts.run.source
	var ref sentryapi.Ref
	var err error
	if src.issue != "" {
		return []targetIssue{{sentryapi.Issue{ID: src.issue}}}, nil
	}
	if ref, err = sentryapi.ParseRef(src.arg); err != nil {
		return nil, nil // a recording file: no linked issues to find
	}
	var client *sentryapi.Client
	if ref.Kind != sentryapi.RefBundle {
		if client, err = src.sentryClient(opts.run.streams); err != nil {
			return nil, err
		}
	} else {
		client = sentryapi.NewClient(sentryapi.Config{})
	}
	issues, err := client.LinkedIssues(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("find the replay's issues: %w", err)
	}
	for _, is := range issues {
		out = append(out, targetIssue{is})
	}
	return out, nil
}

// recordVerdictEvent sends the verdict to the team's Sentry project through
// sentry-go, tagged so it can be searched and alerted on. It returns the
// event's id only once the project accepted it: sentry-go drops an event
// whose request failed and still reports its queue flushed, so the
// request's outcome is read off the client's HTTP transport (sentEvents).
func recordVerdictEvent(dsn string, rep *reproduce.Report, markdown string, atts []*sentry.Attachment) (string, error) {
	sent := &sentEvents{base: http.DefaultTransport, outcome: map[string]error{}}
	// The synchronous transport sends the event within CaptureEvent: the
	// default one queues it for a worker, and its Flush may return before
	// the worker made the request (seen in CI: flushed, nothing sent).
	transport := sentry.NewHTTPSyncTransport()
	transport.Timeout = 10 * time.Second
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Release: versionString(), Transport: transport, HTTPTransport: sent})
	if err != nil {
		return "", fmt.Errorf("verdict event: bad DSN: %w", err)
	}
	scope := sentry.NewScope()
	for _, a := range atts {
		scope.AddAttachment(a)
	}
	hub := sentry.NewHub(client, scope)
	level := sentry.LevelInfo
	if rep.Verdict.Value == verdict.Reproduced {
		level = sentry.LevelWarning
	}
	ev := sentry.NewEvent()
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	ev.EventID = sentry.EventID(hex.EncodeToString(raw[:])) // kept by the client: the request is found by it
	ev.Message = fmt.Sprintf("repro: replay %s %s", rep.ReplayID, rep.Verdict.Value)
	ev.Level = level
	ev.Tags = map[string]string{"replay_id": rep.ReplayID, "verdict": rep.Verdict.Value, "where": rep.Verdict.Where, "flaky": fmt.Sprint(rep.Flaky)}
	ev.Contexts = map[string]sentry.Context{"repro": {"summary": rep.Verdict.Summary, "agreement": rep.Agreement, "report_markdown": markdown}}
	ev.Fingerprint = []string{"repro-verdict", rep.ReplayID}
	id := hub.CaptureEvent(ev)
	if id == nil {
		return "", errors.New("verdict event: dropped by the Sentry client")
	}
	if err := sent.result(string(*id)); err != nil {
		return "", fmt.Errorf("verdict event: Sentry did not accept it (%w); nothing was recorded, check --dsn", err)
	}
	return string(*id), nil
}

// sentEvents is an http.RoundTripper that passes a Sentry client's requests
// on and keeps how each envelope's request ended, by the event id its first
// line names.
type sentEvents struct {
	base    http.RoundTripper
	mu      sync.Mutex
	outcome map[string]error // event id → nil once answered 2xx
}

func (s *sentEvents) RoundTrip(req *http.Request) (*http.Response, error) {
	var id string
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context()) // a RoundTripper leaves the caller's request as it was
		req.Body = io.NopCloser(bytes.NewReader(body))
		line, _, _ := bytes.Cut(body, []byte("\n"))
		var head struct {
			EventID string `json:"event_id"`
		}
		if json.Unmarshal(line, &head) == nil {
			id = head.EventID
		}
	}
	resp, err := s.base.RoundTrip(req)
	if id != "" {
		outcome := err
		if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
			outcome = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		s.mu.Lock()
		s.outcome[id] = outcome
		s.mu.Unlock()
	}
	return resp, err
}

// result is how the request carrying event id ended; an error when it
// was never made.
func (s *sentEvents) result(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err, made := s.outcome[id]
	if !made {
		return errors.New("the client sent no request for it")
	}
	return err
}

// reportAttachments are the files the verdict event carries: report.html
// and the failing step's two frames, what the user saw (recorded) and what
// the rerun saw. A file that was not made is left out.
func reportAttachments(dir string, rep *reproduce.Report) ([]*sentry.Attachment, error) {
	var out []*sentry.Attachment
	if dir == "" {
		return nil, nil
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	out = append(out, &sentry.Attachment{Filename: "report.html", ContentType: "text/html", Payload: html})
	step, ok := failingStep(rep)
	if !ok {
		return out, nil
	}
	if f, ok := rep.Frames[step]; ok && len(f.JPEG) > 0 {
		out = append(out, &sentry.Attachment{Filename: fmt.Sprintf("step-%02d-recorded.jpg", step), ContentType: "image/jpeg", Payload: f.JPEG})
	}
	if len(rep.Runs) > 0 && rep.Runs[0].Observation != nil {
		obs := rep.Runs[0].Observation
		for _, res := range obs.Steps {
			if res.Index != step || res.Screenshot == "" {
				continue
			}
			if b, err := os.ReadFile(filepath.Join(obs.ArtifactsDir, res.Screenshot)); err == nil {
				out = append(out, &sentry.Attachment{Filename: fmt.Sprintf("step-%02d-rerun.jpg", step), ContentType: "image/jpeg", Payload: b})
			}
		}
	}
	return out, nil
}

// failingStep is the step the report's failing row stands for: the first
// recorded failure the rerun showed, else where it diverged, else the
// first recorded failure.
func failingStep(rep *reproduce.Report) (int, bool) {
	for _, e := range rep.Verdict.Evidence {
		if e.Proof && e.Seen {
			return e.Step, true
		}
	}
	if rep.Verdict.DivergedAt != nil {
		return *rep.Verdict.DivergedAt, true
	}
	for _, e := range rep.Verdict.Evidence {
		if e.Proof {
			return e.Step, true
		}
	}
	return 0, false
}
