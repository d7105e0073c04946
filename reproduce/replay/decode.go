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
		if !name.is("source") {
			c.skip()
			continue
		}
		if !c.source(&src, &ok) {
			c.bad = true
		}
	}
	err = c.done()
	return src, ok, err
}

// source reads the value of an IncrementalSnapshot's source member as a
// *int reads it: an int sets src and ok, null clears them; false when it
// is of another type (src and ok left as they were).
func (c *cursor) source(src *int, ok *bool) bool {
	switch v, isInt, null := c.intValue(); {
	case isInt:
		*src, *ok = v, true
	case null:
		*src, *ok = 0, false
	default:
		return false
	}
	return true
}

// snapshotNode reads a FullSnapshot's data.node, raw.
func snapshotNode(data []byte) ([]byte, error) {
	var node []byte
	c, err := members(data, nil)
	if err != nil {
		return nil, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		if name.is("node") {
			node = c.raw()
		} else {
			c.skip()
		}
	}
	err = c.done()
	return node, err
}

// customOf reads a Custom event's {"tag":string,"payload":raw}.
func customOf(data []byte, in *interner) (tag string, payload []byte, err error) {
	c, err := members(data, in)
	if err != nil {
		return "", nil, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case name.is("tag"):
			c.str(&tag)
		case name.is("payload"):
			payload = c.raw()
		default:
			c.skip()
		}
	}
	err = c.done()
	return tag, payload, err
}

// customRead is what a Custom event's bytes say, read apart from the
// builder's state: on the reading goroutine ahead of the event's dispatch
// (the timeline's goroutine is the busier one), or by the builder when
// nothing read it ahead. Its raw members lie in the event's bytes.
type customRead struct {
	tag     string
	payload []byte
	err     error
	// tag "breadcrumb": its payload, and its data's DOM part when the
	// data is an object that reads as one (else zero).
	bc    breadcrumbPayload
	bcErr error
	dd    domData
	// tag "performanceSpan": its payload, and a fetch/XHR span's data
	// with its request and response details.
	span      spanPayload
	spanErr   error
	net       networkData
	netErr    error
	req, resp *Payload
}

// readCustom reads a Custom event's data into *r, its strings shared
// through in.
func readCustom(data []byte, in *interner, r *customRead) {
	*r = customRead{}
	r.tag, r.payload, r.err = customOf(data, in)
	if r.err != nil {
		return
	}
	switch r.tag {
	case "breadcrumb":
		r.bc, r.bcErr = breadcrumbOf(r.payload, in)
		if r.bcErr == nil && len(r.bc.Data) > 0 && jsonKind(r.bc.Data) == '{' {
			if domDataOf(r.bc.Data, &r.dd, in) != nil {
				r.dd = domData{}
			}
		}
	case "performanceSpan":
		r.span, r.spanErr = spanOf(r.payload, in)
		if r.spanErr == nil && networkOp(r.span.Op) {
			if len(r.span.Data) > 0 {
				r.netErr = networkDataOf(r.span.Data, &r.net, in)
			}
			if r.netErr == nil {
				r.req, r.resp = parsePayload(r.net.Request), parsePayload(r.net.Response)
			}
		}
	}
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
		case name.is("type"):
			c.intPtr(&d.Type)
		case name.is("id"):
			c.intPtr(&d.ID)
		case name.is("x"):
			c.floatPtr(&d.X)
		case name.is("y"):
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
		case name.is("id"):
			c.intPtr(&d.ID)
		case name.is("x"):
			c.float(&d.X)
		case name.is("y"):
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
		case name.is("id"):
			c.intPtr(&d.ID)
		case name.is("text"):
			c.strPtr(&d.Text)
		case name.is("isChecked"):
			c.boolPtr(&d.IsChecked)
		case name.is("userTriggered"):
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
		key := c.in.decode(name.b)
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
func breadcrumbOf(payload []byte, in *interner) (breadcrumbPayload, error) {
	var bc breadcrumbPayload
	c, err := members(payload, in)
	if err != nil {
		return bc, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case name.is("category"):
			c.str(&bc.Category)
		case name.is("message"):
			c.str(&bc.Message)
		case name.is("level"):
			c.str(&bc.Level)
		case name.is("data"):
			bc.Data = c.raw()
		default:
			c.skip()
		}
	}
	err = c.done()
	return bc, err
}

// domDataOf reads the DOM part of a ui.* breadcrumb's data into *dd.
func domDataOf(data []byte, dd *domData, in *interner) error {
	c, err := members(data, in)
	if err != nil {
		return err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case name.is("nodeId"):
			dd.NodeID = c.raw()
		case name.is("node"):
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
				case name.is("id"):
					n.ID = c.raw()
				case name.is("tagName"):
					c.str(&n.TagName)
				case name.is("textContent"):
					c.str(&n.TextContent)
				case name.is("attributes"):
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
func spanOf(payload []byte, in *interner) (spanPayload, error) {
	var p spanPayload
	c, err := members(payload, in)
	if err != nil {
		return p, err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case name.is("op"):
			c.str(&p.Op)
		case name.is("description"):
			c.str(&p.Description)
		case name.is("startTimestamp"):
			p.Start = c.raw()
		case name.is("endTimestamp"):
			p.End = c.raw()
		case name.is("data"):
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

func networkDataOf(data []byte, d *networkData, in *interner) error {
	c, err := members(data, in)
	if err != nil {
		return err
	}
	for name, ok := c.member(); ok; name, ok = c.member() {
		switch {
		case name.is("method"):
			c.str(&d.Method)
		case name.is("statusCode"):
			d.StatusCode = c.raw()
		case name.is("request"):
			d.Request = c.raw()
		case name.is("response"):
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
		case name.is("headers"):
			c.anyMap(&w.Headers)
		case name.is("size"):
			w.Size = c.raw()
		case name.is("body"):
			w.Body = c.raw()
		case name.is("_meta"):
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
				if name.is("warnings") {
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
