package escapetest

import (
	"fmt"
	"regexp"
	"strings"
)

var jiraEntity = regexp.MustCompile(`^&#[0-9]{1,5};`)

// JiraWikiProblems lists what Jira's wiki renderer would turn into
// something other than text in doc, which must hold only values (no markup
// of the caller's): an unescaped "[" (a link or [~mention]), "!" (an
// image), "{" (a macro), "|" (a table cell), text-effect marks, a URL
// scheme or mail address Jira links on its own (even escaped), an entity
// other than a numeric one, and raw control or bidi characters.
func JiraWikiProblems(doc string) []string {
	var out []string
	problem := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, p := range TerminalProblems(strings.ReplaceAll(doc, "\n", "")) {
		problem("%s", p)
	}
	plain := strings.ToLower(doc)
	for _, scheme := range []string{"://", "mailto:", "file:", "javascript:"} {
		if strings.Contains(plain, scheme) {
			problem("autolink scheme %q", scheme)
		}
	}
	if strings.Contains(doc, "@") {
		problem("raw @ (a mail address or a mention in the editor)")
	}
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case c == '\\':
			if i+1 < len(doc) && isPunct(doc[i+1]) {
				i++ // an escaped mark
				continue
			}
			problem("stray backslash at %d (%s)", i, around(doc, i))
		case c == '&':
			if !jiraEntity.MatchString(doc[i:]) {
				problem("entity at %d (%s)", i, around(doc, i))
			}
		case strings.IndexByte("[]{}!|*_+^~", c) >= 0:
			problem("unescaped %q at %d (%s)", c, i, around(doc, i))
		}
	}
	return out
}
