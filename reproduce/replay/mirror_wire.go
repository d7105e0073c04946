package replay

import (
	"fmt"
	"strconv"
	"strings"
)

// Serialized nodes (rrweb's serializedNodeWithId) and mutations are read
// straight from the event's bytes into a scratch arena the mirror reuses,
// then built into Nodes in the order a recursive decode would build them:
// rrweb writes a node's "id" after its "childNodes", so a subtree is read
// whole before its nodes are registered. Strings come from the mirror's
// interner: a tag, class or text repeated in every snapshot is stored once.

// wnode is one serialized node as read.
type wnode struct {
	id, typ        int
	hasID, hasType bool
	// bad: the mirror cannot build it (not an object, a member of the
	// wrong type); textBad: not readable as {type,textContent,childNodes}
	// (the inference of committed values reads only those).
	bad, textBad    bool
	tag, text, name string
	a0, a1          int32 // attributes: arena.attrs[a0:a1]
	k0, k1          int32 // children: arena.kids[k0:k1]
}

// wattr is one serialized attribute: its value as the mirror keeps it
// (ok), or null (removes it in a mutation).
type wattr struct {
	key, val string
	ok, null bool
}

// nodeArena holds the nodes of one event while it is applied.
type nodeArena struct {
	nodes []wnode
	attrs []wattr
	kids  []int32
	stack []int32
}

func (a *nodeArena) reset() {
	a.nodes, a.attrs, a.kids, a.stack = a.nodes[:0], a.attrs[:0], a.kids[:0], a.stack[:0]
}

// node reads the serialized node at c and returns its index.
func (a *nodeArena) node(c *cursor) int32 {
	idx := int32(len(a.nodes))
	a.nodes = append(a.nodes, wnode{})
	switch c.peek() {
	case '{':
	case 'n': // null: no id, nothing to read
		c.skip()
		a.nodes[idx].bad = true
		return idx
	default:
		c.skip()
		a.nodes[idx].bad, a.nodes[idx].textBad = true, true
		return idx
	}
	c.i++
	for {
		name, ok := c.member()
		if !ok {
			break
		}
		w := &a.nodes[idx]
		switch {
		case name.is("id"):
			v, ok, null := c.intValue()
			switch {
			case ok:
				w.id, w.hasID = v, true
			case null:
				w.hasID = false
			default:
				w.bad = true
			}
		case name.is("type"):
			v, ok, null := c.intValue()
			switch {
			case ok:
				w.typ, w.hasType = v, true
			case null:
				w.hasType = false
			default:
				w.bad, w.textBad = true, true
			}
		case name.is("tagName"):
			if s, ok, null := c.strValue(); ok {
				w.tag = s
			} else if !null {
				w.bad = true
			}
		case name.is("textContent"):
			if s, ok, null := c.strValue(); ok {
				w.text = s
			} else if !null {
				w.bad, w.textBad = true, true
			}
		case name.is("name"):
			if s, ok, null := c.strValue(); ok {
				w.name = s
			} else if !null {
				w.bad = true
			}
		case name.is("attributes"):
			a0, a1, ok := a.attributes(c, w.a0, w.a1)
			w = &a.nodes[idx]
			if ok {
				w.a0, w.a1 = a0, a1
			} else {
				w.bad = true
			}
		case name.is("childNodes"):
			switch c.peek() {
			case 'n':
				c.skip()
				w.k0, w.k1 = 0, 0
			case '[':
				c.i++
				start := len(a.stack)
				for c.elem() {
					ci := a.node(c)
					a.stack = append(a.stack, ci)
				}
				w = &a.nodes[idx]
				w.k0 = int32(len(a.kids))
				a.kids = append(a.kids, a.stack[start:]...)
				w.k1 = int32(len(a.kids))
				a.stack = a.stack[:start]
			default:
				c.skip()
				w.bad, w.textBad = true, true
			}
		default:
			c.skip()
		}
	}
	return idx
}

// attributes reads an attributes object (a map: a second one adds to the
// first, null empties it) into the arena. It returns the range, or false
// when the value is neither an object nor null.
func (a *nodeArena) attributes(c *cursor, a0, a1 int32) (int32, int32, bool) {
	switch c.peek() {
	case 'n':
		c.skip()
		return 0, 0, true
	case '{':
	default:
		c.skip()
		return a0, a1, false
	}
	c.i++
	if a1 > a0 && int(a1) != len(a.attrs) { // keep the earlier members next to the new ones
		a.attrs = append(a.attrs, a.attrs[a0:a1]...)
		a0, a1 = int32(len(a.attrs))-(a1-a0), int32(len(a.attrs))
	} else if a1 == a0 {
		a0 = int32(len(a.attrs))
	}
	for {
		name, ok := c.member()
		if !ok {
			break
		}
		at := wattr{key: c.in.decode(name.b)}
		switch p := c.peek(); {
		case p == '"':
			at.val, at.ok, _ = c.strValue()
		case p == 't':
			c.skip()
			at.val, at.ok = "true", true
		case p == 'n':
			c.skip()
			at.null = true
		case p == '-' || p >= '0' && p <= '9':
			if f, ok, _ := c.floatValue(); ok {
				at.val, at.ok = c.in.intern(strconv.AppendFloat(nil, f, 'f', -1, 64)), true
			}
		default: // false, objects (style diffs), arrays: not kept
			c.skip()
		}
		a.attrs = append(a.attrs, at)
	}
	return a0, int32(len(a.attrs)), true
}

// lastOf reports whether attrs[i] is the last member with its name (a
// map keeps the last).
func lastOf(attrs []wattr, i int, seen map[string]int) bool {
	if seen != nil {
		return seen[attrs[i].key] == i
	}
	for j := i + 1; j < len(attrs); j++ {
		if attrs[j].key == attrs[i].key {
			return false
		}
	}
	return true
}

// lastIndex maps names to their last member, for long attribute lists.
func lastIndex(attrs []wattr) map[string]int {
	if len(attrs) <= 16 {
		return nil
	}
	m := make(map[string]int, len(attrs))
	for i, at := range attrs {
		m[at.key] = i
	}
	return m
}

// buildNode builds and registers the subtree read at idx (see build).
func (m *Mirror) buildNode(a *nodeArena, idx int32, parent *Node) (*Node, error) {
	w := &a.nodes[idx]
	if w.bad || !w.hasID || !w.hasType {
		return nil, errBadNode
	}
	n := m.newNode()
	*n = Node{ID: w.id, Type: NodeType(w.typ), Parent: parent}
	switch n.Type {
	case ElementNode:
		n.Tag = m.in.intern([]byte(strings.ToLower(w.tag)))
		if attrs := a.attrs[w.a0:w.a1]; len(attrs) > 0 {
			n.Attrs = make(map[string]string, len(attrs))
			seen := lastIndex(attrs)
			for i, at := range attrs {
				if at.ok && lastOf(attrs, i, seen) {
					n.Attrs[at.key] = at.val
				}
			}
		}
	case DocumentTypeNode:
		n.Text = w.name
	default:
		n.Text = w.text
	}
	if old := m.nodes[n.ID]; old != nil {
		m.detach(old)
		m.forget(old)
	}
	m.nodes[n.ID] = n
	if k := a.kids[w.k0:w.k1]; len(k) > 0 {
		n.Children = make([]*Node, 0, len(k))
		for _, ci := range k {
			child, err := m.buildNode(a, ci, n)
			if err != nil {
				continue
			}
			n.Children = append(n.Children, child)
		}
	}
	return n, nil
}

// newNode returns a zero node: the next of the block made for the event
// being applied (see nodeBlock), else a node of its own.
func (m *Mirror) newNode() *Node {
	if len(m.block) == 0 {
		return new(Node)
	}
	n := &m.block[0]
	m.block = m.block[1:]
	return n
}

// nodeBlock makes room for an event's n nodes, so they are one
// allocation rather than one each: a snapshot or mutation builds hundreds,
// and the nodes of one event mostly live and die together. A node kept
// after its siblings were removed keeps their block, which is never more
// than the nodes the event added.
func (m *Mirror) nodeBlock(n int) func() {
	m.block = make([]Node, n)
	return func() { m.block = nil }
}

// loadSnapshot resets the mirror to the (valid JSON) serialized tree b.
func (m *Mirror) loadSnapshot(b []byte) error {
	m.Reset()
	a := &m.arena
	a.reset()
	root := a.node(&cursor{b: b, in: &m.in})
	defer m.nodeBlock(len(a.nodes))()
	n, err := m.buildNode(a, root, nil)
	if err != nil {
		m.Reset()
		return fmt.Errorf("full snapshot: %w", err)
	}
	m.root = n
	return nil
}

// validJSON trims b and reports whether it is one JSON value.
func validJSON(b []byte) ([]byte, error) {
	b = trimSpace(b)
	var sc scanner
	n, _, err := sc.scan(b, true, "")
	if err == nil && n != len(b) {
		err = fmt.Errorf("invalid character %q after top-level value", b[n])
	}
	return b, err
}

// mutation is rrweb's mutationData as read. err: json.Unmarshal into the
// mirror's struct would fail; textErr: into the inference's
// {adds:[{node}],texts:[{value}]} would.
type mutation struct {
	err, textErr bool
	removes      []struct{ parent, id int }
	adds         []wireAdd
	texts        []mutText
	attrs        []mutAttrs
	// arena holds what was read: the nodes[n0:n1] of its adds and their
	// attributes, and the attributes of attrs. Mutations read ahead share
	// one (see batch).
	arena  *nodeArena
	n0, n1 int32
}

type mutText struct {
	id  int
	val *string
}

type mutAttrs struct {
	id     int
	a0, a1 int32
}

// wireAdd is one added subtree: under ParentID, before NextID, after the
// legacy PreviousID, read into the mutation's arena at node (-1: none).
type wireAdd struct {
	ParentID   int
	NextID     *int
	PreviousID *int
	node       int32
}

// decodeMutation reads a Mutation's (valid JSON) data into the mirror's
// scratch mutation.
func (m *Mirror) decodeMutation(data []byte) *mutation {
	m.arena.reset()
	m.mu.decode(data, &m.arena, &m.in)
	return &m.mu
}

// decode reads a Mutation's (valid JSON) data into mu, appending to a,
// its strings shared through in. It reads the data's source too, as
// sourceOf does (ok false when missing, null or not an object; bad when
// of the wrong type), so that an IncrementalSnapshot's data is read once:
// when the source is not a Mutation's, mu and a's growth are discarded.
func (mu *mutation) decode(data []byte, a *nodeArena, in *interner) (src int, ok, bad bool) {
	mu.err, mu.textErr = false, false
	mu.removes, mu.adds, mu.texts, mu.attrs = mu.removes[:0], mu.adds[:0], mu.texts[:0], mu.attrs[:0]
	mu.arena = a
	mu.n0 = int32(len(a.nodes))
	defer func() { mu.n1 = int32(len(a.nodes)) }()
	c := &cursor{b: data, in: in}
	// wrong marks a type error for the mirror's struct, and for the
	// inference's too when both.
	wrong := func(both bool) {
		if c.bad {
			mu.err = true
			mu.textErr = mu.textErr || both
			c.bad = false
		}
	}
	// array enters an array member: null empties it, another type is an error.
	array := func(both bool) bool {
		switch c.peek() {
		case '[':
			c.i++
			return true
		case 'n':
			c.skip()
			return false
		}
		c.skip()
		c.bad = true
		wrong(both)
		return false
	}
	// element enters an object element: null is a zero element.
	element := func(both bool) (enter, keep bool) {
		switch c.peek() {
		case '{':
			c.i++
			return true, true
		case 'n':
			c.skip()
			return false, true
		}
		c.skip()
		c.bad = true
		wrong(both)
		return false, false
	}
	switch c.peek() {
	case 0:
		mu.err, mu.textErr = true, true
		return
	case 'n':
		return
	case '{':
		c.i++
	default:
		mu.err, mu.textErr = true, true
		return
	}
	for {
		name, more := c.member()
		if !more {
			break
		}
		switch {
		case name.is("texts"):
			mu.texts = mu.texts[:0]
			if !array(true) {
				continue
			}
			for c.elem() {
				var t mutText
				enter, keep := element(true)
				for enter {
					n, ok := c.member()
					if !ok {
						break
					}
					switch {
					case n.is("id"):
						c.int(&t.id)
						wrong(false)
					case n.is("value"):
						c.strPtr(&t.val)
						wrong(true)
					default:
						c.skip()
					}
				}
				if keep {
					mu.texts = append(mu.texts, t)
				}
			}
		case name.is("attributes"):
			mu.attrs = mu.attrs[:0]
			if !array(false) {
				continue
			}
			for c.elem() {
				var at mutAttrs
				enter, keep := element(false)
				for enter {
					n, ok := c.member()
					if !ok {
						break
					}
					switch {
					case n.is("id"):
						c.int(&at.id)
						wrong(false)
					case n.is("attributes"):
						a0, a1, ok := a.attributes(c, at.a0, at.a1)
						if ok {
							at.a0, at.a1 = a0, a1
						} else {
							c.bad = true
							wrong(false)
						}
					default:
						c.skip()
					}
				}
				if keep {
					mu.attrs = append(mu.attrs, at)
				}
			}
		case name.is("removes"):
			mu.removes = mu.removes[:0]
			if !array(false) {
				continue
			}
			for c.elem() {
				var r struct{ parent, id int }
				enter, keep := element(false)
				for enter {
					n, ok := c.member()
					if !ok {
						break
					}
					switch {
					case n.is("parentId"):
						c.int(&r.parent)
					case n.is("id"):
						c.int(&r.id)
					default:
						c.skip()
					}
					wrong(false)
				}
				if keep {
					mu.removes = append(mu.removes, r)
				}
			}
		case name.is("adds"):
			mu.adds = mu.adds[:0]
			if !array(true) {
				continue
			}
			for c.elem() {
				ad := wireAdd{node: -1}
				enter, keep := element(true)
				for enter {
					n, ok := c.member()
					if !ok {
						break
					}
					switch {
					case n.is("parentId"):
						c.int(&ad.ParentID)
					case n.is("nextId"):
						c.intPtr(&ad.NextID)
					case n.is("previousId"):
						c.intPtr(&ad.PreviousID)
					case n.is("node"):
						if c.peek() == 'n' {
							c.skip()
							ad.node = -1
						} else {
							ad.node = a.node(c)
						}
					default:
						c.skip()
					}
					wrong(false)
				}
				if keep {
					mu.adds = append(mu.adds, ad)
				}
			}
		case name.is("source"):
			if !c.source(&src, &ok) {
				bad = true // and stays: a later one does not mend it
			}
		default:
			c.skip()
		}
	}
	return src, ok, bad
}

// applyMutation applies a decoded mutation (see ApplyMutation).
func (m *Mirror) applyMutation(mu *mutation) (missing int, err error) {
	m.gen++
	if mu.err {
		return 0, fmt.Errorf("mutation: %w", errWrongType)
	}
	for _, r := range mu.removes {
		n := m.nodes[r.id]
		if n == nil {
			missing++
			continue
		}
		m.detach(n)
		m.forget(n)
	}
	if len(mu.adds) > 0 {
		defer m.nodeBlock(int(mu.n1 - mu.n0))()
		missing += m.applyAdds(mu.adds, mu.arena)
	}
	for _, t := range mu.texts {
		n := m.nodes[t.id]
		if n == nil {
			missing++
			continue
		}
		if t.val != nil {
			n.Text = *t.val
		}
	}
	for _, at := range mu.attrs {
		n := m.nodes[at.id]
		if n == nil {
			missing++
			continue
		}
		if n.Attrs == nil {
			n.Attrs = map[string]string{}
		}
		attrs := mu.arena.attrs[at.a0:at.a1]
		seen := lastIndex(attrs)
		for i, v := range attrs {
			if !lastOf(attrs, i, seen) {
				continue
			}
			if v.ok {
				n.Attrs[v.key] = v.val
			} else if v.null {
				delete(n.Attrs, v.key)
			}
		}
	}
	return missing, nil
}
