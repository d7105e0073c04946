// Package escape is repro's taint boundary: every string that comes from a
// replay (or from Sentry's API about it) is attacker-controlled, and reaches
// an output only through the escaper of that output's sink. It sits at the
// end of the pipeline, under the renderers: reproduce's story and report
// (terminal text, Markdown), generate's Go source, and cmd/repro's streams.
//
// One escaper per sink:
//
//   - Go source: GoString (a literal, through strconv.Quote), GoComment (a
//     comment with no line break, control character, bidi control or "*/"),
//     GoIdent (an identifier of [A-Za-z0-9_], never a keyword, never empty).
//   - Markdown: MarkdownText (plain text whose link, image, autolink,
//     mention, issue-reference, HTML and entity syntax is inert), Code and
//     CodeBlock (code spans and fences longer than any backtick run inside).
//     The Markdown builder takes its markup only as constants.
//   - Jira wiki markup: JiraText (text whose link, mention, image, macro,
//     table and text-effect syntax is inert, with no URL scheme or mail
//     address Jira would link), JiraMonospace, JiraLines; the Jira builder
//     takes its markup only as constants.
//   - Terminal text: Terminal (C0 and C1 controls, DEL, bidi controls and
//     line separators shown as \x1b, \u202e, …; tab kept), the Text builder,
//     and TerminalWriter, a last line of defence on a whole stream.
//   - JSON needs none: encoding/json quotes every string (TerminalWriter
//     keeps JSON valid when it wraps a stream that carries some).
//
// The builders (Markdown, Jira, Text) accept their format only as a constant: the
// parameter's type is unexported, so an untyped string constant converts to
// it and a string variable does not compile. Every argument is escaped for
// the sink unless it is a fragment an escaper of this package made.
package escape
