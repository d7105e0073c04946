package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/tickets"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// errNoReplayInTicket: the ticket links no Sentry replay, issue or replay id.
var errNoReplayInTicket = errors.New("the ticket links no replay")

// deliveryFlags say where a verdict goes besides the report: a ticket's
// comment (--ticket, with --post or --dry-run) and a webhook.
type deliveryFlags struct {
	ticket  string
	webhook string
	post    bool
	dryRun  bool
}

// add registers --ticket and --webhook; withPost adds --post and --dry-run
// (report has its own).
func (d *deliveryFlags) add(f *pflag.FlagSet, withPost bool) {
	f.StringVar(&d.ticket, "ticket", "", "a GitHub or Jira issue URL: with --post, comment the verdict there (edits repro's earlier comment)")
	f.StringVar(&d.webhook, "webhook", "", "POST the verdict JSON (the --json object) to this URL (Slack, Zendesk automations, …)")
	if withPost {
		f.BoolVar(&d.post, "post", false, "post the verdict to --ticket (or the ticket given as <replay>)")
		f.BoolVar(&d.dryRun, "dry-run", false, "print what would be posted and where; post nothing")
	}
}

// check validates the flags before anything runs.
func (d *deliveryFlags) check(ticketArg bool) error {
	if d.post && d.dryRun {
		return usageError{errors.New("--post and --dry-run are exclusive")}
	}
	if d.ticket != "" {
		if _, err := tickets.ParseURL(d.ticket); err != nil {
			return usageError{fmt.Errorf("--ticket: %w", err)}
		}
	}
	if d.ticket != "" && !d.post && !d.dryRun {
		return usageError{errors.New("--ticket needs --post (comment the verdict) or --dry-run (show the comment)")}
	}
	if d.post && d.ticket == "" && !ticketArg {
		return usageError{errors.New("--post needs --ticket <URL> (or a ticket URL as <replay>)")}
	}
	if d.webhook != "" {
		u, err := url.Parse(d.webhook)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageError{errors.New("--webhook: want an http(s) URL")}
		}
	}
	return nil
}

// tracker returns the client for the ticket URL.
func ticketTracker(ticketURL string, streams *IOStreams) (tickets.Tracker, error) {
	ref, err := tickets.ParseURL(ticketURL)
	if err != nil {
		return nil, usageError{err}
	}
	return tickets.New(ref, tickets.ConfigFrom(streams.Env.get), tickets.WithLogger(streams.Logger()), tickets.WithUserAgent(userAgent()))
}

// deliver posts the verdict where the flags say (or, with --dry-run, says
// what it would post). The ticket comment needs --post; the webhook is
// called unless --dry-run.
func (d *deliveryFlags) deliver(ctx context.Context, streams *IOStreams, rep *reproduce.Report, outs tickets.Outputs) error {
	out := streams.Out
	if d.ticket != "" && (d.post || d.dryRun) {
		tr, err := ticketTracker(d.ticket, streams)
		if err != nil {
			return err
		}
		p, err := tickets.NewPost(rep, outs)
		if err != nil {
			return err
		}
		if d.dryRun {
			fmt.Fprintf(out, "Would post to %s (editing repro's earlier comment for this replay, if any):\n\n%s\n", tr.Where(), tr.Body(p))
		} else {
			posted, err := tr.Post(ctx, p)
			if err != nil {
				return fmt.Errorf("post to %s: %w", tr.Ref(), err)
			}
			did := "Posted"
			if posted.Edited {
				did = "Updated repro's comment with"
			}
			fmt.Fprintf(streams.Err, "repro: %s the verdict (%s) on %s (comment %s)\n", did, rep.Verdict.Value, tr.Where(), posted.CommentID)
		}
	}
	if d.webhook != "" {
		if err := postWebhook(ctx, d.webhook, rep, d.dryRun, streams); err != nil {
			return err
		}
	}
	return nil
}

// webhookHost is a webhook URL as it may be shown: its path and query are
// often the secret (Slack's are).
func webhookHost(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the webhook"
	}
	return p.Scheme + "://" + p.Host + "/…"
}

// scrubURL removes the webhook URL (and its path) from s.
func scrubURL(s, hook string) string {
	if p, err := url.Parse(hook); err == nil && p.Path != "" && p.Path != "/" {
		s = strings.ReplaceAll(s, p.Path, "/…")
	}
	return strings.ReplaceAll(s, hook, webhookHost(hook))
}

// postWebhook sends the report's JSON, the object --json prints.
func postWebhook(ctx context.Context, hook string, rep *reproduce.Report, dryRun bool, streams *IOStreams) error {
	body, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	where := webhookHost(hook)
	if dryRun {
		fmt.Fprintf(streams.Out, "Would POST the verdict JSON (%d bytes, \"verdict\": %q) to %s\n", len(body), rep.Verdict.Value, where)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %v", where, errors.New("bad URL"))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		// A *url.Error quotes the URL, which may hold the hook's secret:
		// only its cause is said.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook %s: no answer (%s)", where, scrubURL(err.Error(), hook))
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook %s: HTTP %d", where, res.StatusCode)
	}
	fmt.Fprintf(streams.Err, "repro: posted the verdict JSON to %s (HTTP %d)\n", where, res.StatusCode)
	return nil
}

// outputsOf says where the run left its report and test, for the comment.
func outputsOf(opts *runOptions, testDir string) tickets.Outputs {
	o := tickets.Outputs{RegressionTest: testDir}
	if opts.artifacts != "" {
		o.ReportHTML = filepath.Join(opts.artifacts, "report.html")
	}
	return o
}

// runTicketPipeline is `repro <ticket-URL> --app …`: read the ticket,
// find the replays it links, reproduce each (as the bare pipeline does)
// and, with --post, comment each verdict back on the ticket.
func runTicketPipeline(cmd *cobra.Command, opts *runOptions, ticketURL string) error {
	ctx := cmd.Context()
	errOut := opts.streams.Err
	tr, err := ticketTracker(ticketURL, opts.streams)
	if err != nil {
		return err
	}
	tk, err := tr.Read(ctx)
	if err != nil {
		return fmt.Errorf("read %s: %w", tr.Ref(), err)
	}
	found := tickets.Find(tk)
	if len(found) == 0 {
		return fmt.Errorf("%w: %s (title, body and %d comment(s)) holds no Sentry replay link, issue link or replay id", errNoReplayInTicket, tr.Ref(), len(tk.Comments))
	}
	fmt.Fprintf(errOut, "repro: %s links %d replay(s)\n", tr.Ref(), len(found))
	opts.delivery.ticket = ticketURL
	artifacts, testOut := opts.artifacts, opts.testOut
	var result error
	for i, f := range found {
		fmt.Fprintf(errOut, "repro: [%d/%d] %s (from the %s)\n", i+1, len(found), escape.Terminal(f.String()), f.Where)
		opts.source.arg, opts.source.issue, opts.source.src = f.Replay, f.Issue, nil
		opts.artifacts, opts.testOut = artifacts, testOut
		if len(found) > 1 {
			if artifacts != "" {
				opts.artifacts = filepath.Join(artifacts, strconv.Itoa(i+1))
			}
			if testOut != "" {
				opts.testOut = filepath.Join(testOut, strconv.Itoa(i+1))
			}
		}
		err := runOneReplay(cmd, opts)
		var ve *verdictExit
		if err != nil && !errors.As(err, &ve) {
			return fmt.Errorf("replay %s from %s: %w", f, tr.Ref(), err)
		}
		if result == nil {
			result = err
		}
	}
	return result
}

// testDirOf is where the bare pipeline writes the regression test.
func testDirOf(opts *runOptions, rep *reproduce.Report) string {
	if rep.Verdict.Value != verdict.Reproduced {
		return ""
	}
	if opts.testOut != "" {
		return opts.testOut
	}
	return filepath.Join(opts.artifacts, "regression")
}
