package replay

import (
	"encoding/json"
	"testing"
)

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadedMirror(t *testing.T) *Mirror {
	t.Helper()
	m := NewMirror()
	if err := m.LoadSnapshot(mustJSON(t, page())); err != nil {
		t.Fatal(err)
	}
	return m
}

// childIDs lists the ids of n's children.
func childIDs(n *Node) []int {
	var ids []int
	for _, c := range n.Children {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestMirrorMutations(t *testing.T) {
	tests := []struct {
		name   string
		mut    map[string]any
		parent int
		want   []int
	}{
		{"add with nextId inserts before that sibling",
			map[string]any{"adds": []any{map[string]any{"parentId": 3, "nextId": 6, "node": el(20, "span", nil)}}}, 3, []int{4, 20, 6, 7}},
		{"add with null nextId appends",
			map[string]any{"adds": []any{map[string]any{"parentId": 3, "nextId": nil, "node": el(20, "span", nil)}}}, 3, []int{4, 6, 7, 20}},
		{"legacy previousId inserts after that sibling",
			map[string]any{"adds": []any{map[string]any{"parentId": 3, "previousId": 4, "node": el(20, "span", nil)}}}, 3, []int{4, 20, 6, 7}},
		{"add whose parent comes later in the batch waits for it",
			map[string]any{"adds": []any{
				map[string]any{"parentId": 21, "nextId": nil, "node": el(22, "b", nil)},
				map[string]any{"parentId": 3, "nextId": nil, "node": el(21, "p", nil)}}}, 21, []int{22}},
		{"remove deletes the subtree",
			map[string]any{"removes": []any{map[string]any{"parentId": 3, "id": 7}}}, 3, []int{4, 6}},
		{"re-adding an existing id moves the node",
			map[string]any{"adds": []any{map[string]any{"parentId": 3, "nextId": 4, "node": el(6, "input", nil)}}}, 3, []int{6, 4, 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadedMirror(t)
			if _, err := m.ApplyMutation(mustJSON(t, tc.mut)); err != nil {
				t.Fatal(err)
			}
			got := childIDs(m.Node(tc.parent))
			if jsonInts(got) != jsonInts(tc.want) {
				t.Errorf("children of %d = %v, want %v", tc.parent, got, tc.want)
			}
		})
	}
}

func jsonInts(v []int) string { b, _ := json.Marshal(v); return string(b) }

func TestMirrorRemoveForgetsDescendants(t *testing.T) {
	m := loadedMirror(t)
	if _, err := m.ApplyMutation(mustJSON(t, map[string]any{"removes": []any{map[string]any{"parentId": 3, "id": 7}}})); err != nil {
		t.Fatal(err)
	}
	if m.Node(8) != nil {
		t.Error("child 8 of removed node 7 is still in the mirror")
	}
}

func TestMirrorAttributesAndTexts(t *testing.T) {
	m := loadedMirror(t)
	_, err := m.ApplyMutation(mustJSON(t, map[string]any{
		"attributes": []any{map[string]any{"id": 4, "attributes": map[string]any{"class": nil, "disabled": "", "aria-label": "Go"}}},
		"texts":      []any{map[string]any{"id": 5, "value": "****"}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	n := m.Node(4)
	if _, ok := n.Attrs["class"]; ok {
		t.Error("null attribute value did not delete class")
	}
	if n.Attr("aria-label") != "Go" {
		t.Errorf("aria-label = %q", n.Attr("aria-label"))
	}
	if _, ok := n.Attrs["disabled"]; !ok {
		t.Error("empty attribute value was not kept")
	}
	if got := n.DirectText(); got != "****" {
		t.Errorf("text = %q, want ****", got)
	}
}

func TestMirrorMissingReferencesAreCounted(t *testing.T) {
	m := loadedMirror(t)
	missing, err := m.ApplyMutation(mustJSON(t, map[string]any{
		"removes": []any{map[string]any{"parentId": 3, "id": 999}},
		"adds":    []any{map[string]any{"parentId": 998, "nextId": nil, "node": el(30, "i", nil)}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if missing != 2 {
		t.Errorf("missing = %d, want 2", missing)
	}
	if m.Node(30) != nil {
		t.Error("orphan add was kept")
	}
}

func TestMirrorSnapshotResets(t *testing.T) {
	m := loadedMirror(t)
	if err := m.LoadSnapshot(mustJSON(t, doc(el(2, "html", nil)))); err != nil {
		t.Fatal(err)
	}
	if m.Node(4) != nil || m.Len() != 2 {
		t.Errorf("old nodes survived a new snapshot: len %d", m.Len())
	}
}

func TestNodePathAndNth(t *testing.T) {
	m := loadedMirror(t)
	_, _ = m.ApplyMutation(mustJSON(t, map[string]any{"adds": []any{
		map[string]any{"parentId": 3, "nextId": nil, "node": el(9, "div", nil, el(10, "button", map[string]any{"class": "primary x"}))}}}))
	tests := []struct {
		id   int
		path string
		nth  int
	}{
		{4, "html > body > button.primary", 1},
		{8, "html > body > div:nth-of-type(1) > button.primary", 1},
		// "x" is dropped: a one-letter class is a minifier's (GeneratedClass).
		{10, "html > body > div:nth-of-type(2) > button.primary", 1},
		{9, "html > body > div:nth-of-type(2)", 2},
	}
	for _, tc := range tests {
		n := m.Node(tc.id)
		if got := n.Path(); got != tc.path {
			t.Errorf("Path(%d) = %q, want %q", tc.id, got, tc.path)
		}
		if got := n.NthOfType(); got != tc.nth {
			t.Errorf("NthOfType(%d) = %d, want %d", tc.id, got, tc.nth)
		}
		if c, err := m.Count(tc.path); err != nil || c != 1 {
			t.Errorf("Count(path of %d) = %d, %v; want 1", tc.id, c, err)
		}
	}
}

func TestMirrorCount(t *testing.T) {
	m := loadedMirror(t)
	tests := []struct {
		sel  string
		want int
	}{
		{"#go", 1},
		{"button", 2},
		{".primary", 2},
		{"button.primary", 2},
		{`button.primary[data-testid="go-btn"]`, 1},
		{`[name=email]`, 1},
		{`input[type='email']`, 1},
		{"[data-testid]", 1},
		{"div > button", 1},
		{"body button", 2},
		{"body > button", 1},
		{"html > button", 0},
		{"#go, #email", 2},
		{"*", 6},
		{"button:nth-of-type(1)", 2},
		{"body > button:first-child", 1},
		{"body > input:first-child", 0},
		{"body > div:last-child > button", 1},
		{"body > input:nth-child(2)", 1},
		{"input + div", 1},
		{"button + div", 0},
		{"button ~ div", 1},
		{"div ~ button", 0},
		{`a[href$="/x"]`, 0},
	}
	for _, tc := range tests {
		got, err := m.Count(tc.sel)
		if err != nil || got != tc.want {
			t.Errorf("Count(%q) = %d, %v; want %d", tc.sel, got, err, tc.want)
		}
	}
}

func TestSelectorRejectsUnsupportedSyntax(t *testing.T) {
	for _, sel := range []string{"", "a:hover", "a:nth-child(2n+1)", "a + ", "[x~=y]", "div >", "> div", "[unterminated", "#"} {
		if _, err := CompileSelector(sel); err == nil {
			t.Errorf("CompileSelector(%q) accepted unsupported syntax", sel)
		}
	}
}
