// Package tickets puts a verdict where the team tracks the work: a GitHub
// issue (github.com or an Enterprise host) or a Jira issue (Cloud or Data
// Center). It stands after the facade, beside the other outputs: it reads
// a ticket to find the Sentry replays it links (Find), and posts the
// report as a comment in the tracker's own markup (Markdown, Jira's ADF or
// wiki markup, every recorded string through that sink's escaper),
// editing repro's earlier comment, found by its marker, instead of adding
// another. Its fakes, for tests, are in tickets/tickettest.
package tickets
