package replay

import "errors"

// Decoders for the parts of an event the timeline reads, with the results
// json.Unmarshal gives into the structs the rules used to declare: an
// error when the data is missing, not an object (null sets nothing), or a
// member has the wrong JSON type.

var (
	errNoValue   = errors.New("unexpected end of JSON input")
	errNotObject = errors.New("not a JSON object")
	errWrongType = errors.New("a member has the wrong JSON type")
)

// decodeMembers passes each member of the object data to fn, which must
// read or skip its value.
func decodeMembers(data []byte, in *interner, fn func(c *cursor, name []byte)) error {
	c := cursor{b: data, in: in}
	switch c.peek() {
	case 0:
		return errNoValue
	case 'n':
		return nil
	case '{':
	default:
		return errNotObject
	}
	c.i++
	for {
		name, ok := c.member()
		if !ok {
			break
		}
		fn(&c, name)
	}
	if c.bad {
		return errWrongType
	}
	return nil
}

// sourceOf reads an IncrementalSnapshot's {"source":int}.
func sourceOf(data []byte) (*int, error) {
	var src *int
	err := decodeMembers(data, nil, func(c *cursor, name []byte) {
		if nameIs(name, "source") {
			c.intPtr(&src)
		} else {
			c.skip()
		}
	})
	return src, err
}

// snapshotNode reads a FullSnapshot's data.node, raw.
func snapshotNode(data []byte) ([]byte, error) {
	var node []byte
	err := decodeMembers(data, nil, func(c *cursor, name []byte) {
		if nameIs(name, "node") {
			node = c.raw()
		} else {
			c.skip()
		}
	})
	return node, err
}

// customOf reads a Custom event's {"tag":string,"payload":raw}.
func (bl *builder) customOf(data []byte) (tag string, payload []byte, err error) {
	err = decodeMembers(data, &bl.mirror.in, func(c *cursor, name []byte) {
		switch {
		case nameIs(name, "tag"):
			c.str(&tag)
		case nameIs(name, "payload"):
			payload = c.raw()
		default:
			c.skip()
		}
	})
	return tag, payload, err
}

// mouseData is a MouseInteraction's data.
type mouseData struct {
	Type, ID *int
	X, Y     *float64
}

func (bl *builder) mouseData(data []byte) (mouseData, error) {
	var d mouseData
	err := decodeMembers(data, nil, func(c *cursor, name []byte) {
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
	})
	return d, err
}

// scrollData is a Scroll's data.
type scrollData struct {
	ID   *int
	X, Y float64
}

func (bl *builder) scrollData(data []byte) (scrollData, error) {
	var d scrollData
	err := decodeMembers(data, nil, func(c *cursor, name []byte) {
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
	})
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
	err := decodeMembers(data, &bl.mirror.in, func(c *cursor, name []byte) {
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
	})
	return d, err
}
