package replay

import (
	"fmt"
	"strconv"
	"strings"
)

// Selector is a compiled CSS selector of the small subset the mirror
// understands: tag or *, #id, .class, [attr], [attr="v"] (quotes optional),
// [attr$="v"], :nth-of-type(n), :nth-child(n), :first-child, :last-child,
// joined by the child (>), descendant (space), adjacent (+) and general
// sibling (~) combinators, and selector lists with commas.
type Selector struct {
	alts [][]compound // each alternative: compounds left to right
}

// compound is one step of a complex selector.
type compound struct {
	tag     string // "" or "*" = any
	id      string
	classes []string
	attrs   []attrTest
	nth     int  // :nth-of-type, 0 = none
	nthKid  int  // :nth-child (1 for :first-child), 0 = none
	last    bool // :last-child
	child   bool // combinator to the previous compound is '>'
	// sibling is the combinator to the previous compound when it is '+'
	// (adjacent) or '~' (any earlier sibling); 0 otherwise.
	sibling byte
}

type attrTest struct {
	name, value string
	hasValue    bool
	suffix      bool // [name$="v"]: the value ends with v
}

// CompileSelector parses a selector; unsupported syntax is an error.
func CompileSelector(sel string) (*Selector, error) {
	var s Selector
	for _, part := range splitOutside(sel, ',') {
		c, err := parseComplex(part)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", sel, err)
		}
		s.alts = append(s.alts, c)
	}
	if len(s.alts) == 0 {
		return nil, fmt.Errorf("selector %q: empty", sel)
	}
	return &s, nil
}

// splitOutside splits s at sep outside brackets, parentheses and quotes.
func splitOutside(s string, sep byte) []string {
	var out []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	out = append(out, s[start:])
	res := out[:0]
	for _, p := range out {
		if p = strings.TrimSpace(p); p != "" {
			res = append(res, p)
		}
	}
	return res
}

// parseComplex parses compounds and combinators.
func parseComplex(s string) ([]compound, error) {
	var out []compound
	i, child, sib := 0, false, byte(0)
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '>' || s[i] == '+' || s[i] == '~' {
			if len(out) == 0 || child || sib != 0 {
				return nil, fmt.Errorf("misplaced %q at %d", s[i], i)
			}
			if s[i] == '>' {
				child = true
			} else {
				sib = s[i]
			}
			i++
			continue
		}
		c, n, err := parseCompound(s[i:])
		if err != nil {
			return nil, err
		}
		c.child, c.sibling = child, sib
		child, sib = false, 0
		out = append(out, c)
		i += n
	}
	if len(out) == 0 || child || sib != 0 {
		return nil, fmt.Errorf("incomplete selector")
	}
	return out, nil
}

// parseCompound parses one compound at the start of s and returns how many
// bytes it used.
func parseCompound(s string) (compound, int, error) {
	var c compound
	i := 0
	if i < len(s) && s[i] == '*' {
		c.tag = "*"
		i++
	} else if n := identLen(s[i:]); n > 0 {
		c.tag = strings.ToLower(s[i : i+n])
		i += n
	}
	for i < len(s) {
		switch s[i] {
		case '#', '.':
			n := identLen(s[i+1:])
			if n == 0 {
				return c, 0, fmt.Errorf("empty name after %q", s[i])
			}
			if s[i] == '#' {
				c.id = s[i+1 : i+1+n]
			} else {
				c.classes = append(c.classes, s[i+1:i+1+n])
			}
			i += 1 + n
		case '[':
			a, n, err := parseAttr(s[i:])
			if err != nil {
				return c, 0, err
			}
			c.attrs = append(c.attrs, a)
			i += n
		case ':':
			switch rest := s[i:]; {
			case strings.HasPrefix(rest, ":first-child"):
				c.nthKid = 1
				i += len(":first-child")
			case strings.HasPrefix(rest, ":last-child"):
				c.last = true
				i += len(":last-child")
			case strings.HasPrefix(rest, ":nth-of-type("), strings.HasPrefix(rest, ":nth-child("):
				end := strings.IndexByte(rest, ')')
				open := strings.IndexByte(rest, '(')
				if end < 0 {
					return c, 0, fmt.Errorf("unterminated %q", rest)
				}
				k, err := strconv.Atoi(strings.TrimSpace(rest[open+1 : end]))
				if err != nil || k < 1 {
					return c, 0, fmt.Errorf("unsupported argument in %q (a positive number is)", rest[:end+1])
				}
				if strings.HasPrefix(rest, ":nth-child(") {
					c.nthKid = k
				} else {
					c.nth = k
				}
				i += end + 1
			default:
				return c, 0, fmt.Errorf("unsupported pseudo-class at %q", rest)
			}
		case ' ', '\t', '\n', '>', '+', '~':
			return c, i, nil
		default:
			return c, 0, fmt.Errorf("unsupported syntax at %q", s[i:])
		}
	}
	if i == 0 {
		return c, 0, fmt.Errorf("empty compound")
	}
	return c, i, nil
}

// identLen is the length of the CSS identifier at the start of s.
func identLen(s string) int {
	n := 0
	for n < len(s) {
		r := s[n]
		if r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= 0x80 {
			n++
			continue
		}
		break
	}
	return n
}

// parseAttr parses [name], [name=v], [name="v"], [name='v'] and the
// suffix test [name$="v"].
func parseAttr(s string) (attrTest, int, error) {
	i := 1
	n := 0
	for i+n < len(s) && s[i+n] != '=' && s[i+n] != ']' {
		n++
	}
	if i+n >= len(s) {
		return attrTest{}, 0, fmt.Errorf("unterminated [")
	}
	suffix := n > 0 && s[i+n-1] == '$' && s[i+n] == '='
	if suffix {
		n--
	}
	a := attrTest{name: strings.TrimSpace(s[i : i+n]), suffix: suffix}
	if suffix {
		n++
	}
	if a.name == "" || strings.ContainsAny(a.name, "~|^$*") {
		return attrTest{}, 0, fmt.Errorf("unsupported attribute test %q", s)
	}
	i += n
	if s[i] == ']' {
		return a, i + 1, nil
	}
	i++ // '='
	a.hasValue = true
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		var b strings.Builder
		for i++; i < len(s) && s[i] != q; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return attrTest{}, 0, fmt.Errorf("unterminated string")
		}
		a.value = b.String()
		i++
	} else {
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			return attrTest{}, 0, fmt.Errorf("unterminated [")
		}
		a.value = strings.TrimSpace(s[i : i+end])
		i += end
	}
	if i >= len(s) || s[i] != ']' {
		return attrTest{}, 0, fmt.Errorf("unterminated [")
	}
	return a, i + 1, nil
}

// Matches reports whether element n matches the selector.
func (s *Selector) Matches(n *Node) bool {
	return s.matches(n, &matchCtx{})
}

// matchCtx caches :nth-of-type positions during one count, so a long
// sibling list is scanned once, not once per sibling. The mirror keeps one
// for its counts, emptied before each: a target's candidates are counted
// at every action, and fresh maps for each were most of what counting
// allocated.
type matchCtx struct {
	nth    map[*Node]int
	counts map[string]int // scratch of nthOf
}

// release empties the scratch space after a count, so it holds no node
// of a tree the mirror has dropped.
func (c *matchCtx) release() {
	clear(c.nth)
}

func (c *matchCtx) nthOf(n *Node) int {
	if n.Parent == nil {
		return n.NthOfType()
	}
	if c.nth == nil {
		c.nth = map[*Node]int{}
	}
	if k, ok := c.nth[n]; ok {
		return k
	}
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	counts := c.counts
	clear(counts)
	for _, sib := range n.Parent.Children {
		if sib.Type == ElementNode {
			counts[sib.Tag]++
			c.nth[sib] = counts[sib.Tag]
		}
	}
	return c.nth[n]
}

func (s *Selector) matches(n *Node, ctx *matchCtx) bool {
	if n == nil || n.Type != ElementNode {
		return false
	}
	for _, alt := range s.alts {
		if matchFrom(alt, len(alt)-1, n, ctx) {
			return true
		}
	}
	return false
}

// matchFrom matches compounds[:i+1] ending at n, right to left.
func matchFrom(cs []compound, i int, n *Node, ctx *matchCtx) bool {
	if !cs[i].matches(n, ctx) {
		return false
	}
	if i == 0 {
		return true
	}
	if cs[i].child {
		p := elementParent(n)
		return p != nil && matchFrom(cs, i-1, p, ctx)
	}
	switch cs[i].sibling {
	case '+':
		p := prevElement(n)
		return p != nil && matchFrom(cs, i-1, p, ctx)
	case '~':
		for p := prevElement(n); p != nil; p = prevElement(p) {
			if matchFrom(cs, i-1, p, ctx) {
				return true
			}
		}
		return false
	}
	for p := elementParent(n); p != nil; p = elementParent(p) {
		if matchFrom(cs, i-1, p, ctx) {
			return true
		}
	}
	return false
}

// prevElement is the element sibling just before n.
func prevElement(n *Node) *Node {
	if n.Parent == nil {
		return nil
	}
	var prev *Node
	for _, sib := range n.Parent.Children {
		if sib == n {
			return prev
		}
		if sib.Type == ElementNode {
			prev = sib
		}
	}
	return nil
}

// childPosition is n's 1-based position among its element siblings, and
// whether it is the last.
func childPosition(n *Node) (int, bool) {
	if n.Parent == nil {
		return 1, true
	}
	pos, last := 0, false
	for _, sib := range n.Parent.Children {
		if sib.Type != ElementNode {
			continue
		}
		if pos > 0 && last {
			last = false
		}
		if sib == n {
			pos = countElementsBefore(n) + 1
			last = true
		}
	}
	return pos, last
}

func countElementsBefore(n *Node) int {
	k := 0
	for _, sib := range n.Parent.Children {
		if sib == n {
			return k
		}
		if sib.Type == ElementNode {
			k++
		}
	}
	return k
}

func elementParent(n *Node) *Node {
	p := n.Parent
	if p != nil && p.Type == ElementNode {
		return p
	}
	return nil
}

func (c compound) matches(n *Node, ctx *matchCtx) bool {
	if c.tag != "" && c.tag != "*" && c.tag != n.Tag {
		return false
	}
	if c.id != "" && n.Attrs["id"] != c.id {
		return false
	}
	for _, want := range c.classes {
		if !hasClass(n.Attrs["class"], want) {
			return false
		}
	}
	for _, a := range c.attrs {
		v, ok := n.Attrs[a.name]
		if !ok || (a.hasValue && !a.suffix && v != a.value) || (a.suffix && !strings.HasSuffix(v, a.value)) {
			return false
		}
	}
	if c.nthKid > 0 || c.last {
		pos, last := childPosition(n)
		if (c.nthKid > 0 && pos != c.nthKid) || (c.last && !last) {
			return false
		}
	}
	return c.nth == 0 || ctx.nthOf(n) == c.nth
}

// hasClass reports whether want is one of the class names in the class
// attribute (the fields Node.Classes returns, without making them).
func hasClass(class, want string) bool {
	for c := range strings.FieldsSeq(class) {
		if c == want {
			return true
		}
	}
	return false
}

// Count returns how many elements of the mirror's current DOM match the
// selector, or an error for unsupported selector syntax.
func (m *Mirror) Count(selector string) (int, error) {
	s, err := m.compiled(selector)
	if err != nil {
		return 0, err
	}
	return m.CountCompiled(s), nil
}

// CountCompiled counts matches of a compiled selector in the tree under
// the root (detached nodes do not count).
func (m *Mirror) CountCompiled(s *Selector) int {
	if m.root == nil {
		return 0
	}
	ctx := &m.match
	count := s.countUnder(m.root, ctx)
	ctx.release()
	return count
}

// countUnder counts the matches of s in n's subtree. Recursive: no node
// is copied to a stack (the walk runs at every action's every candidate).
func (s *Selector) countUnder(n *Node, ctx *matchCtx) int {
	count := 0
	if s.matches(n, ctx) {
		count++
	}
	for _, c := range n.Children {
		count += s.countUnder(c, ctx)
	}
	return count
}
