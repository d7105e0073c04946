package generate

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Values that are secret by their shape, wherever they appear, and the
// placeholders that replace them. A placeholder keeps the original's
// length, separators and character classes (digits stay digits, hex stays
// hex, upper case stays upper case), so a field validated by length or
// pattern, a route like /reset/:token([0-9a-f]{64}) and a layout sized to
// the text all still work with it; the letters spell "scrubbed" (hex:
// "deadbeef") so a reader sees what happened.

var (
	jwtRE    = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}`)
	bearerRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/\-]{8,}=*)`)
	// emailRE finds addresses with the @ written plainly, URL-encoded,
	// JSON-escaped or as an HTML character reference.
	emailRE = regexp.MustCompile(`(?i)[a-z0-9._+\-]+(?:%2b[a-z0-9._\-]+)*(@|%40|\\u0040|&#0*64;|&#x0*40;)[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}`)
	// cardRE finds 13–19 digits, optionally grouped by one kind of
	// separator (space, dash, dot, a form's "+", or "%20"); cardLike
	// decides.
	cardRE = regexp.MustCompile(`\b\d(?:(?:[ \-+.]|%20)?\d){12,18}\b`)
	// pairRE finds key=value pairs in free text (cookies, logs, URLs
	// inside prose).
	pairRE = regexp.MustCompile(`(^|[?&;,\s"'(])([A-Za-z0-9_.\-]+)=([^&\s;"',<>#)]+)`)
)

// tokenPatterns are credentials recognizable by their prefix: group 1 is
// the prefix, kept in the placeholder, the rest is replaced. hint is a
// literal every match contains, checked before the regexp runs.
var tokenPatterns = []struct {
	hint string
	re   *regexp.Regexp
}{
	{"k_", regexp.MustCompile(`\b((?:sk|rk)_(?:live|test)_)[0-9A-Za-z]{8,}`)},       // Stripe secret and restricted keys
	{"whsec_", regexp.MustCompile(`\b(whsec_)[0-9A-Za-z]{16,}`)},                    // Stripe webhook secret
	{"gh", regexp.MustCompile(`\b(gh[pousr]_)[0-9A-Za-z]{20,}`)},                    // GitHub tokens
	{"github_pat_", regexp.MustCompile(`\b(github_pat_)[0-9A-Za-z_]{20,}`)},         // GitHub fine-grained PAT
	{"xox", regexp.MustCompile(`\b(xox[baprs]-)[0-9A-Za-z\-]{10,}`)},                // Slack
	{"xapp-", regexp.MustCompile(`\b(xapp-)[0-9A-Za-z\-]{10,}`)},                    // Slack app token
	{"A", regexp.MustCompile(`\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b`)},         // AWS access key ids
	{"AIza", regexp.MustCompile(`\b(AIza)[0-9A-Za-z_\-]{35}`)},                      // Google API key
	{"glpat-", regexp.MustCompile(`\b(glpat-)[0-9A-Za-z_\-]{20,}`)},                 // GitLab PAT
	{"npm_", regexp.MustCompile(`\b(npm_)[0-9A-Za-z]{36}`)},                         // npm
	{"sntry", regexp.MustCompile(`\b(sntry[su]_)[0-9A-Za-z_=+/]{20,}`)},             // Sentry auth tokens
	{"sk-", regexp.MustCompile(`\b(sk-(?:proj-|ant-)?)[0-9A-Za-z_\-]{20,}`)},        // OpenAI, Anthropic
	{"SG.", regexp.MustCompile(`\b(SG\.)[0-9A-Za-z_\-]{16,}\.[0-9A-Za-z_\-]{16,}`)}, // SendGrid
	{"shp", regexp.MustCompile(`\b(shp(?:at|ca|pa|ss)_)[0-9a-fA-F]{32}`)},           // Shopify
	{"hf_", regexp.MustCompile(`\b(hf_)[0-9A-Za-z]{30,}`)},                          // Hugging Face
	{"dop_v1_", regexp.MustCompile(`\b(dop_v1_)[0-9a-f]{64}`)},                      // DigitalOcean
}

// fileSuffix reports whether an email-shaped match ends like a file name.
func fileSuffix(m string) bool {
	ext := strings.ToLower(m[strings.LastIndexByte(m, '.')+1:])
	switch ext {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "js", "mjs", "css", "map", "json", "html", "woff", "woff2":
		return true
	}
	return false
}

// cardLike reports whether m looks like a payment card number: 13–19
// digits, first digit 2–6, Luhn-valid, and any separators one kind in a
// card grouping (4-4-4-4…, 4-6-5, 4-6-4), so decimals, dates and
// timestamps stay out.
func cardLike(m string) bool {
	norm := strings.ReplaceAll(m, "%20", " ")
	var groups []int
	var sep rune
	n := 0
	for _, r := range norm {
		if r >= '0' && r <= '9' {
			n++
			continue
		}
		if sep != 0 && r != sep {
			return false
		}
		sep = r
		groups = append(groups, n)
		n = 0
	}
	groups = append(groups, n)
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, norm)
	if len(digits) < 13 || len(digits) > 19 || digits[0] < '2' || digits[0] > '6' || !luhn(digits) {
		return false
	}
	if len(groups) == 1 {
		return true
	}
	amex := len(groups) == 3 && groups[0] == 4 && groups[1] == 6 && (groups[2] == 5 || groups[2] == 4)
	fours := groups[0] == 4
	for i, g := range groups {
		if (i < len(groups)-1 && g != 4) || g == 0 {
			fours = false
		}
	}
	return amex || fours
}

func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// credentialLike reports whether a word after "Bearer" or "Basic" is a
// credential rather than prose: it has a digit, or both cases of letters.
func credentialLike(w string) bool {
	var digit, upper, lower bool
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		}
	}
	return digit || (upper && lower)
}

// isHex reports whether s is a hex string long enough to be a token.
func isHex(s string) bool {
	if len(s) < 8 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			letter = true
		default:
			return false
		}
	}
	return letter // all digits is a number
}

// email replaces one email match. The same address written another way
// (URL-encoded, \u0040, &#64;) gets the same placeholder, written that way.
func (s *Scrubber) email(m string) string {
	if fileSuffix(m) {
		return m // logo@2x.png is an asset, not an address
	}
	if p, ok := s.seen[m]; ok {
		return p
	}
	at := emailRE.FindStringSubmatch(m)[1]
	local, domain, _ := strings.Cut(m, at)
	if u, err := url.PathUnescape(local); err == nil {
		local = u
	}
	norm := strings.ToLower(local + "@" + domain)
	base := s.placeholder("email", norm, func(n int) string { return emailPlaceholder(norm, "@", n) })
	if at == "@" {
		s.seen[m] = base
		return base
	}
	p := strings.Replace(base, "@", at, 1)
	s.seen[m], s.seen[p], s.used[p] = p, p, true
	return p
}

// text replaces every value that is secret by its shape inside v. Every
// pattern looks at v as it came, and the first to claim a stretch of it
// owns it: a later pattern never rewrites part of an earlier placeholder
// (digits of a scrubbed pair are no card), so scrubbing is a function of
// the original and the mapping, and scrubbing the output again changes
// nothing.
func (s *Scrubber) text(v string) string {
	if v == "" || strings.Trim(v, "*• ") == "" {
		return v // masked text holds nothing to scrub
	}
	v = s.known(v)
	var claims []span
	claim := func(start, end int, repl func() string) {
		for _, c := range claims {
			if start < c.end && c.start < end {
				return
			}
		}
		// Kept even when unchanged: a placeholder found again is owned
		// by its pattern, so no later one rewrites a part of it.
		claims = append(claims, span{start, end, repl()})
	}
	// Pairs first: a value under a secret key is replaced whole.
	if strings.Contains(v, "=") {
		for _, m := range pairRE.FindAllStringSubmatchIndex(v, -1) {
			lead, key, val := v[m[2]:m[3]], v[m[4]:m[5]], v[m[6]:m[7]]
			query := lead == "?" || lead == "&"
			if secretKey(key) || (query && secretQueryKey(key)) {
				claim(m[6], m[7], func() string { return s.encodedSecret(val) })
			}
		}
	}
	// Each pattern runs only when a literal it needs is there: most
	// strings hold none, and a fixture holds many strings.
	if strings.Contains(v, "eyJ") {
		for _, m := range jwtRE.FindAllStringIndex(v, -1) {
			tok := v[m[0]:m[1]]
			claim(m[0], m[1], func() string {
				return s.placeholder("jwt", tok, func(n int) string { return jwtPlaceholder(tok, n) })
			})
		}
	}
	lower := strings.ToLower(v)
	if strings.Contains(lower, "bearer") || strings.Contains(lower, "basic") {
		for _, m := range bearerRE.FindAllStringSubmatchIndex(v, -1) {
			cred := v[m[4]:m[5]]
			if strings.HasPrefix(cred, "eyJ") || !credentialLike(cred) {
				continue // a JWT is handled above; "Basic authentication" is prose
			}
			claim(m[4], m[5], func() string { return s.shaped(cred) })
		}
	}
	for _, tp := range tokenPatterns {
		if !strings.Contains(v, tp.hint) {
			continue
		}
		for _, m := range tp.re.FindAllStringSubmatchIndex(v, -1) {
			tok, prefix := v[m[0]:m[1]], v[m[2]:m[3]]
			claim(m[0], m[1], func() string {
				return s.placeholder("token", tok, func(n int) string { return prefix + shapeLike(tok[len(prefix):], n) })
			})
		}
	}
	if strings.Contains(v, "@") || strings.Contains(v, "%40") || strings.Contains(lower, "\\u0040") || strings.Contains(v, "&#") {
		for _, m := range emailRE.FindAllStringIndex(v, -1) {
			addr := v[m[0]:m[1]]
			claim(m[0], m[1], func() string { return s.email(addr) })
		}
	}
	if digitCount(v) >= 13 {
		for _, m := range cardRE.FindAllStringIndex(v, -1) {
			num := v[m[0]:m[1]]
			if cardLike(num) {
				claim(m[0], m[1], func() string {
					return s.placeholder("card", num, func(n int) string { return cardPlaceholder(num, n) })
				})
			}
		}
	}
	if len(claims) == 0 {
		return v
	}
	slices.SortFunc(claims, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	last := 0
	for _, c := range claims {
		b.WriteString(v[last:c.start])
		b.WriteString(c.repl)
		last = c.end
	}
	b.WriteString(v[last:])
	return b.String()
}

// span is a stretch of a string a pattern claimed, and its replacement.
type span struct {
	start, end int
	repl       string
}

// digitCount counts ASCII digits.
func digitCount(v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			n++
		}
	}
	return n
}

// encodedSecret replaces a secret that may be URL-encoded, keeping the
// encoding valid.
func (s *Scrubber) encodedSecret(raw string) string {
	if p, ok := s.seen[raw]; ok {
		return p
	}
	dec, err := url.QueryUnescape(raw)
	if err != nil || dec == raw {
		return s.secret(raw)
	}
	out := url.QueryEscape(s.secret(dec))
	s.seen[raw], s.seen[out] = out, out
	return out
}

// secret replaces a whole value held under a secret-like key: by its
// shape when it has a recognizable one (an email stays an email), else
// class for class.
func (s *Scrubber) secret(v string) string {
	if v == "" || strings.Trim(v, "*• ") == "" {
		return v
	}
	if p, ok := s.seen[v]; ok {
		return p
	}
	if out := s.text(v); out != v {
		// It had a recognizable shape: keep it, and remember the result
		// as scrubbed so it is not taken for a new secret later.
		s.seen[v], s.seen[out] = out, out
		return out
	}
	return s.shaped(v)
}

var (
	uuidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	tokenSegRE = regexp.MustCompile(`^[A-Za-z0-9_\-.~=]+$`)
	fileNameRE = regexp.MustCompile(`\.[A-Za-z][A-Za-z0-9]{0,4}$`)
)

// tokenContext are path segments after which the next segment is a
// one-time credential: /reset-password/<token>, /invite/<code>.
var tokenContext = []string{"reset", "verify", "verification", "confirm", "invite", "invitation", "token", "magic",
	"activate", "activation", "unsubscribe", "password", "signin", "login", "auth", "share", "secret", "otp", "session", "key"}

// tokenSegment reports whether a URL path segment is a credential rather
// than a route or an entity id: a long hex string (32+), a long mixed-case
// string with digits (20+, base64url-like), or any digit-bearing or
// mixed-case segment of 8+ after a segment like "reset-password". UUIDs,
// numbers and file names are ids and assets, kept.
func tokenSegment(seg, prev string) bool {
	if len(seg) < 8 || !tokenSegRE.MatchString(seg) || uuidRE.MatchString(seg) || fileNameRE.MatchString(seg) {
		return false
	}
	var digit, upper, lower bool
	for _, r := range seg {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		}
	}
	if !upper && !lower {
		return false // a number: an id
	}
	p := strings.ToLower(prev)
	for _, w := range tokenContext {
		if strings.Contains(p, w) && (digit || (upper && lower)) {
			return true
		}
	}
	switch {
	case isHex(seg):
		return len(seg) >= 32 && digit
	case len(seg) >= 20:
		return digit && upper && lower
	}
	return false
}
