package replay

import (
	"encoding/json"
	"errors"
)

// Decoders for the parts of an event the timeline reads, with the results
// json.Unmarshal gives into the structs the rules used to declare: an
// error when the data is missing, not an object (null sets nothing), or a
// member has the wrong JSON type.

var (
	errNoValue   = errors.New("unexpected end of JSON input")
	errNotObject = errors.New("not a JSON object")
	errWrongType = errors.New("a member has the wrong JSON type")
)

// members starts reading data as json.Unmarshal reads an object into a
// struct: loop over c.member(), read or skip each value, then c.done().
// A null has no members.
func members(data []byte, in *interner) (cursor, error) {
	c := cursor{b: data, in: in}
	switch c.peek() {
	case 0:
		return c, errNoValue
	case 'n':
		c.i = len(c.b)
		return c, nil
	case '{':
		c.i++
		return c, nil
	}
	return c, errNotObject
}

// done reports a member of the wrong JSON type.
func (c *cursor) done() error {
	if c.bad {
		return errWrongType
	}
	return nil
}

// sourceOf reads an IncrementalSnapshot's {"source":int}; ok is false
// when the source is missing or null (as decoding it into a *int leaves
// nil), without allocating one per event.
func sourceOf(data []byte) (src int, ok bool, err error) {
	c, err := members(data, nil)
	if err != nil {
		return 0, false, err
	}
	for name, more := c.member(); more; name, more = c.member() {
		if !nameIs(name, "source") {
			c.skip()
			continue
		}
		switch v, isInt, null := c.intValue(); {
		case isInt:
			src, ok = v, true
		case null:
			src, ok = 0, false
		default:
			c.bad = true
		}
	}
	err = c.done()
	return src, ok, err
}

// snapshotNode reads a FullSnapshot's data.node, raw.
func snapshotNode(data []byte) ([]byte, error) {
	var node []byte
	c, err := members(data, nil)
	if err != nil {
		return nil, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		if nameIs(name, "node") {
			node = c.raw()
		} else {
			c.skip()
		}
	}
	err = c.done()
	return node, err
}

// customOf reads a Custom event's {"tag":string,"payload":raw}.
func (bl *builder) customOf(data []byte) (tag string, payload []byte, err error) {
	c, err := members(data, &bl.mirror.in)
	if err != nil {
		return "", nil, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "tag"):
			c.str(&tag)
		case nameIs(name, "payload"):
			payload = c.raw()
		default:
			c.skip()
		}
	}
	err = c.done()
	return tag, payload, err
}

// mouseData is a MouseInteraction's data.
type mouseData struct {
	Type, ID *int
	X, Y     *float64
}

func (bl *builder) mouseData(data []byte) (mouseData, error) {
	var d mouseData
	c, err := members(data, nil)
	if err != nil {
		return d, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "type"):
			c.intPtr(&d.Type)
		case nameIs(name, "id"):
			c.intPtr(&d.ID)
		case nameIs(name, "x"):
			c.floatPtr(&d.X)
		case nameIs(name, "y"):
			c.floatPtr(&d.Y)
		default:
			c.skip()
		}
	}
	err = c.done()
	return d, err
}

// scrollData is a Scroll's data.
type scrollData struct {
	ID   *int
	X, Y float64
}

func (bl *builder) scrollData(data []byte) (scrollData, error) {
	var d scrollData
	c, err := members(data, nil)
	if err != nil {
		return d, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "id"):
			c.intPtr(&d.ID)
		case nameIs(name, "x"):
			c.float(&d.X)
		case nameIs(name, "y"):
			c.float(&d.Y)
		default:
			c.skip()
		}
	}
	err = c.done()
	return d, err
}

// inputData is an Input's data.
type inputData struct {
	ID                       *int
	Text                     *string
	IsChecked, UserTriggered *bool
}

func (bl *builder) inputData(data []byte) (inputData, error) {
	var d inputData
	c, err := members(data, &bl.mirror.in)
	if err != nil {
		return d, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "id"):
			c.intPtr(&d.ID)
		case nameIs(name, "text"):
			c.strPtr(&d.Text)
		case nameIs(name, "isChecked"):
			c.boolPtr(&d.IsChecked)
		case nameIs(name, "userTriggered"):
			c.boolPtr(&d.UserTriggered)
		default:
			c.skip()
		}
	}
	err = c.done()
	return d, err
}

// anyValue reads the next value as json.Unmarshal reads it into an any:
// strings, float64, bool, nil, and maps and slices of those.
func (c *cursor) anyValue() (any, bool) {
	switch p := c.peek(); {
	case p == '"':
		s, _, _ := c.strValue()
		return s, true
	case p == 't' || p == 'f':
		c.skip()
		return p == 't', true
	case p == 'n':
		c.skip()
		return nil, true
	case p == '-' || p >= '0' && p <= '9':
		f, ok, _ := c.floatValue()
		return f, ok
	}
	var v any
	if json.Unmarshal(c.raw(), &v) != nil {
		return nil, false
	}
	return v, true
}

// anyMap reads an object member into *m as json.Unmarshal reads a
// map[string]any: a second object adds to the first, null empties it.
func (c *cursor) anyMap(m *map[string]any) {
	switch c.peek() {
	case 'n':
		c.skip()
		*m = nil
		return
	case '{':
	default:
		c.skip()
		c.bad = true
		return
	}
	c.i++
	if *m == nil {
		*m = map[string]any{}
	}
	for {
		name, ok := c.member()
		if !ok {
			return
		}
		key := c.in.decode(name)
		v, ok := c.anyValue()
		if !ok {
			c.bad = true
		}
		(*m)[key] = v
	}
}

// anySlice reads an array member into *s as json.Unmarshal reads an
// []any.
func (c *cursor) anySlice(s *[]any) {
	switch c.peek() {
	case 'n':
		c.skip()
		*s = nil
		return
	case '[':
	default:
		c.skip()
		c.bad = true
		return
	}
	c.i++
	*s = (*s)[:0]
	for c.elem() {
		v, ok := c.anyValue()
		if !ok {
			c.bad = true
		}
		*s = append(*s, v)
	}
}

// breadcrumbOf reads a breadcrumb payload.
func (bl *builder) breadcrumbOf(payload []byte) (breadcrumbPayload, error) {
	var bc breadcrumbPayload
	c, err := members(payload, &bl.mirror.in)
	if err != nil {
		return bc, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "category"):
			c.str(&bc.Category)
		case nameIs(name, "message"):
			c.str(&bc.Message)
		case nameIs(name, "level"):
			c.str(&bc.Level)
		case nameIs(name, "data"):
			bc.Data = c.raw()
		default:
			c.skip()
		}
	}
	err = c.done()
	return bc, err
}

// domDataOf reads the DOM part of a ui.* breadcrumb's data into *dd.
func (bl *builder) domDataOf(data []byte, dd *domData) error {
	c, err := members(data, &bl.mirror.in)
	if err != nil {
		return err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "nodeId"):
			dd.NodeID = c.raw()
		case nameIs(name, "node"):
			switch c.peek() {
			case 'n':
				c.skip()
				dd.Node = nil
				continue
			case '{':
			default:
				c.skip()
				c.bad = true
				continue
			}
			c.i++
			if dd.Node == nil {
				dd.Node = new(domNode)
			}
			n := dd.Node
			for {
				name, ok := c.member()
				if !ok {
					break
				}
				switch {
				case nameIs(name, "id"):
					n.ID = c.raw()
				case nameIs(name, "tagName"):
					c.str(&n.TagName)
				case nameIs(name, "textContent"):
					c.str(&n.TextContent)
				case nameIs(name, "attributes"):
					c.anyMap(&n.Attributes)
				default:
					c.skip()
				}
			}
		default:
			c.skip()
		}
	}
	return c.done()
}

// spanOf reads a performanceSpan payload.
func (bl *builder) spanOf(payload []byte) (spanPayload, error) {
	var p spanPayload
	c, err := members(payload, &bl.mirror.in)
	if err != nil {
		return p, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "op"):
			c.str(&p.Op)
		case nameIs(name, "description"):
			c.str(&p.Description)
		case nameIs(name, "startTimestamp"):
			p.Start = c.raw()
		case nameIs(name, "endTimestamp"):
			p.End = c.raw()
		case nameIs(name, "data"):
			p.Data = c.raw()
		default:
			c.skip()
		}
	}
	err = c.done()
	return p, err
}

// networkData is a fetch/XHR span's data.
type networkData struct {
	Method                        string
	StatusCode, Request, Response json.RawMessage
}

func (bl *builder) networkDataOf(data []byte, d *networkData) error {
	c, err := members(data, &bl.mirror.in)
	if err != nil {
		return err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "method"):
			c.str(&d.Method)
		case nameIs(name, "statusCode"):
			d.StatusCode = c.raw()
		case nameIs(name, "request"):
			d.Request = c.raw()
		case nameIs(name, "response"):
			d.Response = c.raw()
		default:
			c.skip()
		}
	}
	return c.done()
}

// payloadData is a request or response detail object.
type payloadData struct {
	Headers    map[string]any
	Size, Body json.RawMessage
	Meta       struct{ Warnings []any }
}

// payloadDataOf reads raw (a JSON object) into *w.
func payloadDataOf(raw []byte, w *payloadData) error {
	c, err := members(raw, nil)
	if err != nil {
		return err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case nameIs(name, "headers"):
			c.anyMap(&w.Headers)
		case nameIs(name, "size"):
			w.Size = c.raw()
		case nameIs(name, "body"):
			w.Body = c.raw()
		case nameIs(name, "_meta"):
			switch c.peek() {
			case 'n':
				c.skip()
				continue
			case '{':
			default:
				c.skip()
				c.bad = true
				continue
			}
			c.i++
			for {
				name, ok := c.member()
				if !ok {
					break
				}
				if nameIs(name, "warnings") {
					c.anySlice(&w.Meta.Warnings)
				} else {
					c.skip()
				}
			}
		default:
			c.skip()
		}
	}
	return c.done()
}
