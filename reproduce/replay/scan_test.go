package replay

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The streaming decoder validates and reads JSON by hand; these tests hold
// it to encoding/json's answers on the shapes a hostile recording can take.

// scanValid reports whether the scanner accepts data as one JSON value.
func scanValid(data []byte) bool {
	b := trimSpace(data)
	var sc scanner
	n, more, err := sc.scan(b, true, "")
	return err == nil && !more && n == len(b)
}

func TestScannerAcceptsWhatJSONValidAccepts(t *testing.T) {
	inputs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e+3`, `true`, `null`, `{"a":[1,{"b":null}],"c":"\u00e9\n"}`,
		`{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `01`, `1.`, `.5`, `-`, `1e`, `tru`, `nul`, `"\x"`, "\"a\x01\"",
		`"\u12"`, `{"a":1}}`, `[[]`, `{"a" 1}`, `{1:2}`, `[1 2]`, ``, `"` + "\xff" + `"`, `{"a":"b"`,
	}
	for _, in := range inputs {
		if got, want := scanValid([]byte(in)), json.Valid([]byte(in)); got != want {
			t.Errorf("scan(%q) valid = %v, json.Valid = %v", in, got, want)
		}
	}
}

// FuzzScanMatchesValid: the scanner accepts exactly what json.Valid does.
//
//	go test ./reproduce/replay -run '^$' -fuzz FuzzScanMatchesValid -fuzztime 60s
func FuzzScanMatchesValid(f *testing.F) {
	for _, s := range []string{`{"type":3,"data":{"source":0}}`, `[1,"a",{"b":[true,null]}]`, `"\u00e9"`, `-1.5E-3`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := scanValid(data), json.Valid(data); got != want {
			t.Fatalf("scan valid = %v, json.Valid = %v", got, want)
		}
	})
}

func TestScannerStopsAtTheDepthLimit(t *testing.T) {
	var sc scanner
	_, _, err := sc.scan([]byte(strings.Repeat("[", maxDepth+1)), false, "x")
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitDepth {
		t.Fatalf("scan = %v, want a depth LimitError before the value ends", err)
	}
}

// TestDecodersReadMembersAsEncodingJSON compares each hand-written decoder
// with json.Unmarshal into the struct the rules declared before.
func TestDecodersReadMembersAsEncodingJSON(t *testing.T) {
	type mouseWant struct {
		Type *int     `json:"type"`
		ID   *int     `json:"id"`
		X    *float64 `json:"x"`
		Y    *float64 `json:"y"`
	}
	type inputWant struct {
		ID            *int    `json:"id"`
		Text          *string `json:"text"`
		IsChecked     *bool   `json:"isChecked"`
		UserTriggered *bool   `json:"userTriggered"`
	}
	type spanWant struct {
		Op          string          `json:"op"`
		Description string          `json:"description"`
		Start       json.RawMessage `json:"startTimestamp"`
		End         json.RawMessage `json:"endTimestamp"`
		Data        json.RawMessage `json:"data"`
	}
	bl := &builder{mirror: NewMirror()}
	inputs := []string{
		`{"source":2,"type":2,"id":9,"x":41,"y":18.5}`,
		`{"TYPE":2,"Id":9}`,                // names match ignoring case
		`{"typ\u0065":2,"id":9}`,           // escaped names
		`{"type":2,"id":9,"id":null}`,      // the last duplicate wins; null unsets a pointer
		`{"type":"2","id":9}`,              // wrong type
		`{"type":2.5,"id":9}`,              // not an int
		`{"type":1e2,"id":9}`,              // not an int either
		`{"id":1,"text":"a\u00e9\ud800b"}`, // escapes, a lone surrogate
		"{\"id\":1,\"text\":\"\xff\"}",     // invalid UTF-8
		`{"id":1,"isChecked":true,"userTriggered":false,"text":null}`,
		`{"id":1,"isChecked":1}`,
		`{"op":"resource.fetch","description":"/api","startTimestamp":1.5,"data":{"a":[1]}}`,
		`{"type":-3,"id":123456789012345678}`,  // 18 digits: the fast path
		`{"type":-0,"id":1234567890123456789}`, // 19 digits: ParseInt
		`{"id":99999999999999999999}`,          // overflows
		`{"type" : 2 , "id" :9 }`,
		"{\"type\":2\n,\"id\":\t9\r}",
		`{"i\u017fChecked":true,"isChec\u212aed":false}`, // ſ and K fold to s and k
		"{\"i\u017fChecked\":true,\"TEXT\u212a\":\"no\"}",
		"{\"i\xc5\xbfChecked\":true,\"\xe2\x84\xaaey\":1}", // the same unescaped
		`{"op":3}`,
		`{"OP":"x","op":"y"}`,
		`null`, `[1]`, `"s"`, `3`, `{}`,
	}
	for _, in := range inputs {
		data := []byte(in)
		var mw mouseWant
		werr := json.Unmarshal(data, &mw)
		md, gerr := bl.mouseData(data)
		if (werr != nil) != (gerr != nil) || werr == nil && !reflect.DeepEqual(mouseWant(md), mw) {
			t.Errorf("mouseData(%s) = %+v, %v; json.Unmarshal = %+v, %v", in, md, gerr, mw, werr)
		}
		var iw inputWant
		werr = json.Unmarshal(data, &iw)
		id, gerr := bl.inputData(data)
		if (werr != nil) != (gerr != nil) || werr == nil && !reflect.DeepEqual(inputWant(id), iw) {
			t.Errorf("inputData(%s) = %+v, %v; json.Unmarshal = %+v, %v", in, id, gerr, iw, werr)
		}
		var sw spanWant
		werr = json.Unmarshal(data, &sw)
		sp, gerr := spanOf(data, new(interner))
		if (werr != nil) != (gerr != nil) || werr == nil && (sp.Op != sw.Op || sp.Description != sw.Description ||
			!bytes.Equal(sp.Start, sw.Start) || !bytes.Equal(sp.End, sw.End) || !bytes.Equal(sp.Data, sw.Data)) {
			t.Errorf("spanOf(%s) = %+v, %v; json.Unmarshal = %+v, %v", in, sp, gerr, sw, werr)
		}
	}
	// A missing value is an error, as json.Unmarshal(nil) is.
	if _, err := bl.mouseData(nil); err == nil {
		t.Error("mouseData(nil) succeeded")
	}
}

func TestPayloadAndDOMDataMatchEncodingJSON(t *testing.T) {
	inputs := []string{
		`{"headers":{"Content-Type":"a","n":1,"b":true,"z":null,"o":{"x":[1]}},"size":94,"body":{"k":"v"},"_meta":{"warnings":["URL_SKIPPED",1]}}`,
		`{"headers":{"a":"1"},"headers":{"b":"2"}}`, // a second object adds to the map
		`{"headers":{"a":"1"},"headers":null}`,
		`{"headers":[1]}`,
		`{"_meta":{"warnings":"x"}}`,
		`{"body":null,"size":"12"}`,
	}
	for _, in := range inputs {
		var want payloadData
		werr := json.Unmarshal([]byte(strings.ReplaceAll(in, `"_meta"`, `"Meta"`)), &want)
		var got payloadData
		gerr := payloadDataOf([]byte(in), &got)
		if (werr != nil) != (gerr != nil) || werr == nil && (!reflect.DeepEqual(got.Headers, want.Headers) ||
			!reflect.DeepEqual(got.Meta, want.Meta) || !bytes.Equal(got.Body, want.Body) || !bytes.Equal(got.Size, want.Size)) {
			t.Errorf("payloadDataOf(%s) = %+v, %v; json.Unmarshal = %+v, %v", in, got, gerr, want, werr)
		}
	}
	doms := []string{
		`{"nodeId":7,"node":{"id":7,"tagName":"BUTTON","textContent":"Go","attributes":{"id":"go","testId":"x","n":2}}}`,
		`{"node":{"id":7,"attributes":{"a":"1"}},"node":{"tagName":"a"}}`, // a second object fills the same node
		`{"node":{"id":7},"node":null}`,
		`{"node":{"tagName":5}}`,
		`{"node":[]}`,
	}
	for _, in := range doms {
		var want domData
		werr := json.Unmarshal([]byte(in), &want)
		var got domData
		gerr := domDataOf([]byte(in), &got, new(interner))
		if (werr != nil) != (gerr != nil) || werr == nil && (got.nodeID() != want.nodeID() || (got.Node == nil) != (want.Node == nil) ||
			got.Node != nil && (got.Node.TagName != want.Node.TagName || got.Node.TextContent != want.Node.TextContent ||
				!reflect.DeepEqual(got.Node.Attributes, want.Node.Attributes) || !bytes.Equal(got.Node.ID, want.Node.ID))) {
			t.Errorf("domDataOf(%s) = %+v, %v; json.Unmarshal = %+v, %v", in, got, gerr, want, werr)
		}
	}
}

// TestMirrorReadsHostileNodesAsBefore pins how serialized nodes of the
// wrong shape are built: what encoding/json made of them before.
func TestMirrorReadsHostileNodesAsBefore(t *testing.T) {
	tests := []struct {
		name, node string
		want       string // the built tree, see treeString
		err        bool
	}{
		{"children of any shape: only nodes with id and type are built",
			`{"type":0,"id":1,"childNodes":[null,3,{"type":3,"id":2,"textContent":"a"},{"type":3,"textContent":"no id"},{"type":2,"id":4,"tagName":5}]}`,
			`0#1[3#2"a"]`, false},
		{"the last duplicate member wins and null unsets the id",
			`{"type":0,"id":1,"childNodes":[{"type":2,"id":5,"id":6,"tagName":"DIV"},{"type":2,"id":7,"id":null,"tagName":"p"}]}`,
			`0#1[2#6<div>]`, false},
		{"attributes: the last duplicate wins, a second object adds, false and objects are dropped",
			`{"type":2,"id":1,"tagName":"a","attributes":{"x":"1","x":false,"n":1.50,"t":true,"o":{"a":1}},"attributes":{"y":"2"}}`,
			`2#1<a n=1.5 t=true y=2>`, false},
		{"a root without an id is an error", `{"type":0,"childNodes":[]}`, ``, true},
		{"a root of the wrong shape is an error", `[1]`, ``, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMirror()
			err := m.LoadSnapshot(json.RawMessage(tc.node))
			if (err != nil) != tc.err {
				t.Fatalf("LoadSnapshot = %v, want error %v", err, tc.err)
			}
			if got := treeString(m.Root()); got != tc.want {
				t.Errorf("tree = %s, want %s", got, tc.want)
			}
		})
	}
}

// treeString writes a node as type#id, <tag attrs> or "text", [children].
func treeString(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(itoa(int(n.Type)) + "#" + itoa(n.ID))
	if n.Type == ElementNode {
		b.WriteString("<" + n.Tag)
		for _, k := range sortedKeys(n.Attrs) {
			b.WriteString(" " + k + "=" + n.Attrs[k])
		}
		b.WriteString(">")
	} else if n.Text != "" {
		b.WriteString(`"` + n.Text + `"`)
	}
	if len(n.Children) > 0 {
		b.WriteString("[")
		for i, c := range n.Children {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(treeString(c))
		}
		b.WriteString("]")
	}
	return b.String()
}

// TestLoadedBundleKeepsNoRawEvents: a loaded bundle streams its recording
// again; the events it reads back are the file's.
func TestLoadedBundleKeepsNoRawEvents(t *testing.T) {
	dir := filepath.Join(bundlesDir, "imagechat-bug")
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Segments != nil {
		t.Fatal("a loaded bundle holds its segments in memory")
	}
	data, err := os.ReadFile(filepath.Join(dir, segmentsFile))
	if err != nil {
		t.Fatal(err)
	}
	var want [][]json.RawMessage
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, err := b.ReadSegments()
	if err != nil {
		t.Fatal(err)
	}
	if b.SegmentCount() != len(want) || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadSegments gives %d segments unlike the file's %d", len(got), len(want))
	}
}

// TestRecordingChangedBetweenReadsFails: the timeline is built from a
// second read of the file; a file rewritten since the load is refused, not
// mixed with what was loaded.
func TestRecordingChangedBetweenReadsFails(t *testing.T) {
	dir, _, b := loadCopy(t, "imagechat-bug")
	other, err := os.ReadFile(filepath.Join(bundlesDir, "feed-bug", segmentsFile))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, segmentsFile, string(other))
	if _, err := BuildTimeline(b, AllowNoSnapshot()); !errors.Is(err, errChanged) {
		t.Fatalf("BuildTimeline after the file changed = %v, want %v", err, errChanged)
	}
}

// loadCopy copies bundle's recording into a new directory and loads it
// there, for a test that changes the file after the load.
func loadCopy(t *testing.T, bundle string) (dir string, data []byte, b *Bundle) {
	t.Helper()
	dir = t.TempDir()
	data, err := os.ReadFile(filepath.Join(bundlesDir, bundle, segmentsFile))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, segmentsFile, string(data))
	if b, err = LoadBundle(dir); err != nil {
		t.Fatal(err)
	}
	return dir, data, b
}

func TestSpecial8FindsEveryStopByte(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			var w [8]byte
			for i := range w {
				w[i] = 'a'
			}
			w[pos] = byte(c)
			want := strSpecial[c]
			if got := special8(binary.LittleEndian.Uint64(w[:])); got != want {
				t.Fatalf("special8 with %#x at %d = %v, want %v", c, pos, got, want)
			}
		}
	}
}

// TestIndexedReadGivesTheScanningReadsTimeline: the timeline's read of a
// plain recording file takes each event by the offset the load kept
// instead of scanning the file again; for every bundle it must build the
// timeline (and its warnings) the scanning read builds.
func TestIndexedReadGivesTheScanningReadsTimeline(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(bundlesDir, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no bundles under %s: %v", bundlesDir, err)
	}
	// And a recording of many chunks, its events out of order: one
	// bundle's segments 40 times over (5.6 MB), timestamps unchanged.
	data, err := os.ReadFile(filepath.Join(bundlesDir, "studio-healthy", segmentsFile))
	if err != nil {
		t.Fatal(err)
	}
	inner := bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(data), []byte("[")), []byte("]"))
	long := t.TempDir()
	writeFile(t, long, segmentsFile, "["+strings.Repeat(string(inner)+",", 39)+string(inner)+"]")
	dirs = append(dirs, long)
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, segmentsFile)); err != nil {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			indexed, scanned := timelineJSON(t, dir, true), timelineJSON(t, dir, false)
			if indexed != scanned {
				t.Errorf("the indexed read's timeline (%d bytes) differs from the scanning read's (%d bytes)", len(indexed), len(scanned))
			}
		})
	}
}

// timelineJSON loads dir and builds its timeline, with the load's event
// index or without it (the scanning read).
func timelineJSON(t *testing.T, dir string, index bool) string {
	t.Helper()
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	fr, ok := b.rec.(*fileRecording)
	if !ok || fr.ix == nil {
		t.Fatalf("%s: the load kept no event index", dir)
	}
	if !index {
		fr.ix = nil
	}
	tl, err := BuildTimeline(b, AllowNoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestIndexedReadRefusesAnyChangedByte: the indexed read checks every
// chunk it reads against the load's sums, so a recording changed in place
// — one character of a text, same size, same keys, which a scanning read
// cannot tell — is refused rather than mixed with what was validated.
func TestIndexedReadRefusesAnyChangedByte(t *testing.T) {
	dir, data, b := loadCopy(t, "imagechat-bug")
	i := bytes.LastIndex(data, []byte(`"textContent":"`))
	if i < 0 {
		t.Fatal("no textContent in the recording")
	}
	changed := bytes.Clone(data)
	j := i + len(`"textContent":"`)
	if changed[j] == 'x' {
		changed[j] = 'y'
	} else {
		changed[j] = 'x'
	}
	writeFile(t, dir, segmentsFile, string(changed))
	if _, err := BuildTimeline(b, AllowNoSnapshot()); !errors.Is(err, errChanged) {
		t.Fatalf("BuildTimeline after one byte changed = %v, want %v", err, errChanged)
	}
}

// TestATinyEventsRecordingDropsItsIndex: an index of 12 bytes an event is
// kept only while it stays under an eighth of the bytes it describes; a
// recording of 250,000 tiny events (46 bytes each) drops it during the load
// and its timeline is built by the scanning read.
func TestATinyEventsRecordingDropsItsIndex(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`[[{"type":4,"timestamp":1700000000000,"data":{"href":"http://x.test/","width":800,"height":600}}`)
	for i := range 250_000 {
		fmt.Fprintf(&sb, `,{"type":3,"timestamp":%d,"data":{}}`, 1700000000001+i)
	}
	sb.WriteString("]]")
	dir := t.TempDir()
	writeFile(t, dir, segmentsFile, sb.String())
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fr := b.rec.(*fileRecording); fr.ix != nil {
		t.Fatalf("the load kept an index of %d events for %d bytes", len(fr.ix.evs), sb.Len())
	}
	if _, err := BuildTimeline(b, AllowNoSnapshot()); err != nil {
		t.Fatal(err)
	}
}

// TestAMutationsReadGivesItsSourceAsSourceOf: the reading goroutine takes
// an IncrementalSnapshot's source from the one pass that reads it as a
// Mutation; it must be what sourceOf (json.Unmarshal into a *int) gives.
func TestAMutationsReadGivesItsSourceAsSourceOf(t *testing.T) {
	inputs := []string{
		`{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[]}`,
		`{"texts":[],"adds":[{"parentId":1,"node":{"type":3,"textContent":"x","id":5}}],"source":0}`,
		`{"source":2,"type":2,"id":9}`,
		`{"source":0,"source":3}`,
		`{"source":"0","source":0}`, // a wrong type stays an error
		`{"source":0,"source":null}`,
		`{"SOURCE":0}`, `{"sourc\u0065":0}`,
		`{"source":0.5}`, `{"source":1e1}`, `{"source":-0}`,
		`{"adds":[]}`, `{}`, `null`, `[0]`, `"source"`, `0`,
	}
	for _, in := range inputs {
		wsrc, wok, werr := sourceOf([]byte(in))
		var mu mutation
		src, ok, bad := mu.decode([]byte(in), new(nodeArena), new(interner))
		if got, want := ok && !bad, wok && werr == nil; got != want || got && src != wsrc {
			t.Errorf("decode(%s) source = %d, %v, bad %v; sourceOf = %d, %v, %v", in, src, ok, bad, wsrc, wok, werr)
		}
	}
}
