package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// NodeType is rrweb's serialized node type.
type NodeType int

// rrweb node types.
const (
	DocumentNode     NodeType = 0
	DocumentTypeNode NodeType = 1
	ElementNode      NodeType = 2
	TextNode         NodeType = 3
	CDATANode        NodeType = 4
	CommentNode      NodeType = 5
)

// Node is one node of the recorded DOM.
type Node struct {
	ID   int
	Type NodeType
	// Tag is the lowercase tag name of an element.
	Tag string
	// Attrs holds attribute values as strings (true becomes "true").
	Attrs map[string]string
	// Text is the textContent of a text, comment or CDATA node.
	Text     string
	Parent   *Node
	Children []*Node
}

// Mirror rebuilds the recorded DOM from a FullSnapshot and the Mutation
// events after it, the way the SDK's own mirror does, so user actions that
// name a node id can be mapped to an element.
type Mirror struct {
	nodes map[int]*Node
	root  *Node
	// in shares the strings of every snapshot and mutation (see
	// mirror_wire.go); arena and mu are scratch space reused per event.
	in    interner
	arena nodeArena
	mu    mutation
	// sels caches compiled selectors: a target's candidates are counted
	// again at every action on it.
	sels map[string]compiledSelector
	// match is CountCompiled's scratch space.
	match matchCtx
	// block holds the nodes still free in the event being applied.
	block []Node
	// gen counts the changes made through the mirror (a snapshot, a
	// mutation, a reset): equal gens, the same tree.
	gen uint64
}

type compiledSelector struct {
	s   *Selector
	err error
}

// compiled returns CompileSelector(sel), cached (at most 4096 kept).
func (m *Mirror) compiled(sel string) (*Selector, error) {
	if c, ok := m.sels[sel]; ok {
		return c.s, c.err
	}
	s, err := CompileSelector(sel)
	if m.sels == nil || len(m.sels) >= 4096 {
		m.sels = make(map[string]compiledSelector)
	}
	m.sels[sel] = compiledSelector{s, err}
	return s, err
}

// NewMirror returns an empty mirror.
func NewMirror() *Mirror { return &Mirror{nodes: map[int]*Node{}} }

// Reset empties the mirror.
func (m *Mirror) Reset() {
	m.gen++
	m.nodes = make(map[int]*Node, len(m.nodes))
	m.root = nil
}

// Root returns the document node, nil before the first snapshot.
func (m *Mirror) Root() *Node { return m.root }

// Node returns the node with id, or nil.
func (m *Mirror) Node(id int) *Node { return m.nodes[id] }

// Len returns the number of nodes in the mirror.
func (m *Mirror) Len() int { return len(m.nodes) }

// errBadNode reports a serialized node without id or type.
var errBadNode = errors.New("serialized node without id or type")

// LoadSnapshot resets the mirror to the tree of a FullSnapshot's data.node.
// A subtree that cannot be built (no id or type, a member of the wrong
// type) is skipped; only a bad root is an error. Attribute values are kept
// as strings (true becomes "true"; false, null and objects are dropped).
func (m *Mirror) LoadSnapshot(node json.RawMessage) error {
	b, err := validJSON(node)
	if err != nil {
		m.Reset()
		return fmt.Errorf("full snapshot: %w", err)
	}
	return m.loadSnapshot(b)
}

// ApplyMutation applies a Mutation event's data (removes, then adds, then
// texts and attributes, as rrweb's replayer does). It returns how many
// references pointed at unknown nodes (skipped), and an error only when
// the data is not a mutation at all.
func (m *Mirror) ApplyMutation(data json.RawMessage) (missing int, err error) {
	b, err := validJSON(data)
	if err != nil {
		return 0, fmt.Errorf("mutation: %w", err)
	}
	return m.applyMutation(m.decodeMutation(b))
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// applyAdds inserts added subtrees. An add waits while its parent or its
// nextId sibling is still to come in the same batch and is released when
// that node arrives (linear, whatever the order); what can never be placed
// is counted as missing.
func (m *Mirror) applyAdds(adds []wireAdd, arena *nodeArena) (missing int) {
	waiting := map[int][]int{} // missing node id → indexes of adds waiting for it
	queue := make([]int, 0, len(adds))
	for i := range adds {
		queue = append(queue, i)
	}
	var try func(i int, force bool)
	try = func(i int, force bool) {
		a := adds[i]
		if m.nodes[a.ParentID] == nil {
			waiting[a.ParentID] = append(waiting[a.ParentID], i)
			return
		}
		if a.NextID != nil && m.nodes[*a.NextID] == nil {
			if !force {
				waiting[*a.NextID] = append(waiting[*a.NextID], i)
				return
			}
			adds[i].NextID = nil
		}
		n := m.insert(adds[i], arena)
		walk(n, func(c *Node) {
			if w, ok := waiting[c.ID]; ok {
				delete(waiting, c.ID)
				queue = append(queue, w...)
			}
		})
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		try(i, false)
	}
	// What still waits on a sibling goes to the end of its parent.
	for len(waiting) > 0 {
		progress := false
		for _, id := range sortedIntKeys(waiting) {
			for _, i := range waiting[id] {
				if m.nodes[adds[i].ParentID] != nil {
					delete(waiting, id)
					progress = true
					queue = append(queue, waiting[id]...)
					break
				}
			}
		}
		if !progress {
			break
		}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			try(i, true)
		}
	}
	for _, w := range waiting {
		missing += len(w)
	}
	return missing
}

// insert places one add under its parent, before nextId, after the legacy
// previousId, or at the end.
func (m *Mirror) insert(a wireAdd, arena *nodeArena) *Node {
	parent := m.nodes[a.ParentID]
	if parent == nil || a.node < 0 {
		return nil
	}
	n, err := m.buildNode(arena, a.node, parent)
	if err != nil {
		return nil
	}
	if m.nodes[a.ParentID] != parent { // the add replaced its own parent's id
		m.forget(n)
		return nil
	}
	at := len(parent.Children)
	if a.NextID != nil {
		if i := indexOf(parent.Children, *a.NextID); i >= 0 {
			at = i
		}
	} else if a.PreviousID != nil {
		if i := indexOf(parent.Children, *a.PreviousID); i >= 0 {
			at = i + 1
		}
	}
	parent.Children = append(parent.Children, nil)
	copy(parent.Children[at+1:], parent.Children[at:])
	parent.Children[at] = n
	return n
}

// walk calls f for n and every node below it (nil-safe).
func walk(n *Node, f func(*Node)) {
	if n == nil {
		return
	}
	stack := []*Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(c)
		stack = append(stack, c.Children...)
	}
}

// sortedIntKeys returns m's keys in order, for deterministic replays.
func sortedIntKeys(m map[int][]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

func indexOf(nodes []*Node, id int) int {
	for i, c := range nodes {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// detach removes n from its parent's children.
func (m *Mirror) detach(n *Node) {
	if p := n.Parent; p != nil {
		if i := indexOf(p.Children, n.ID); i >= 0 && p.Children[i] == n {
			p.Children = append(p.Children[:i], p.Children[i+1:]...)
		}
		n.Parent = nil
	}
	if m.root == n {
		m.root = nil
	}
}

// forget unregisters n and its subtree.
func (m *Mirror) forget(n *Node) {
	stack := []*Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if m.nodes[c.ID] == c {
			delete(m.nodes, c.ID)
		}
		stack = append(stack, c.Children...)
	}
}

// Attr returns an attribute value ("" when absent).
func (n *Node) Attr(name string) string { return n.Attrs[name] }

// Classes returns the element's class names.
func (n *Node) Classes() []string { return strings.Fields(n.Attrs["class"]) }

// DirectText is the element's direct text children, trimmed and joined by a
// space — what the SDK puts in a breadcrumb's textContent.
func (n *Node) DirectText() string {
	var parts []string
	for _, c := range n.Children {
		if c.Type == TextNode {
			if t := strings.TrimSpace(c.Text); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return strings.Join(parts, " ")
}

// NthOfType is the 1-based position of n among its parent's children with
// the same tag (0 for non-elements).
func (n *Node) NthOfType() int {
	if n.Type != ElementNode {
		return 0
	}
	if n.Parent == nil {
		return 1
	}
	k := 0
	for _, c := range n.Parent.Children {
		if c.Type == ElementNode && c.Tag == n.Tag {
			k++
		}
		if c == n {
			return k
		}
	}
	return 0
}

// sameTypeSiblings counts n's parent's element children with n's tag.
func (n *Node) sameTypeSiblings() int {
	if n.Parent == nil {
		return 1
	}
	k := 0
	for _, c := range n.Parent.Children {
		if c.Type == ElementNode && c.Tag == n.Tag {
			k++
		}
	}
	return k
}

// Ancestors returns n's element ancestors, root first.
func (n *Node) Ancestors() []*Node {
	k := 0
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == ElementNode {
			k++
		}
	}
	if k == 0 {
		return nil
	}
	out := make([]*Node, k)
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == ElementNode {
			k--
			out[k] = p
		}
	}
	return out
}

// Path returns a structural CSS path from the root element to n, e.g.
// "html > body > div:nth-of-type(2) > button.primary": each step is the tag
// with :nth-of-type when siblings share it; the last step adds classes.
func (n *Node) Path() string {
	if n == nil || n.Type != ElementNode {
		return ""
	}
	return n.path(n.Ancestors())
}

// path is Path given n's Ancestors.
func (n *Node) path(anc []*Node) string {
	if n == nil || n.Type != ElementNode {
		return ""
	}
	var sb strings.Builder
	step := func(e *Node) {
		sb.WriteString(cssIdent(e.Tag))
		if e.sameTypeSiblings() > 1 {
			sb.WriteString(":nth-of-type(")
			sb.WriteString(strconv.Itoa(e.NthOfType()))
			sb.WriteByte(')')
		}
	}
	for _, e := range anc {
		step(e)
		sb.WriteString(" > ")
	}
	step(n)
	for c := range strings.FieldsSeq(n.Attrs["class"]) {
		if isIdent(c) && !GeneratedClass(c) {
			sb.WriteByte('.')
			sb.WriteString(c)
		}
	}
	return sb.String()
}

// cssIdent returns s when it is a plain CSS identifier, else "*".
func cssIdent(s string) string {
	if isIdent(s) {
		return s
	}
	return "*"
}

// isIdent reports whether s can be written unescaped in a selector.
func isIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') || strings.HasPrefix(s, "--") || (s[0] == '-' && len(s) > 1 && s[1] >= '0' && s[1] <= '9') {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 0x7f) {
			return false
		}
	}
	return true
}
