//go:build ignore

// out-make writes the output-side hostile bundles (testdata/hostile/out-*)
// from the real imagechat-bug bundle: same events, same timing, with the
// recorded strings an attacker controls (ids, classes, test ids, text
// nodes, URLs, console and error messages, request and response bodies)
// replaced by payloads. Hand-made on purpose: the real SDK never records
// these, a crafted envelope can. Run from the repository root:
//
//	go run testdata/hostile/out-make.go
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// plants are the strings one case puts in each place.
type plants struct {
	replayID       string
	readme         string
	shotID         string // li#shot-42: the clicked thumbnail's named ancestor
	generateID     string // button#generate: the dead-clicked button
	generateTestID string // its data-testid
	thumbClass     string // div.thumb: the clicked element
	generateText   string // the button's text node
	errorType      string // the uncaught exception's type
	errorValue     string // and message
	console        string // the console warning
	navTo          string // the pushState navigation's path
	failedURL      string // a failed request added after /api/chat
	bodyKey        string // a request-body field name
	bodyValue      string // and its value
	responseText   string // the error response's message
}

var cases = map[string]plants{
	"out-go-injection": {
		replayID: "c0de0100000000000000000000000001",
		readme: "Row 1 of issue #10: Go code after a line break, a block-comment close " +
			"and a string-literal close, in every recorded string the generated test " +
			"quotes or comments on. Each payload, if it became code, writes the file " +
			"PWNED (some from a func init, which runs whatever the test does).",
		shotID:         "shot-42\nos.WriteFile(\"PWNED\",[]byte(\"injected\"),0o644)\n//",
		generateID:     "generate\n}\nfunc init() { os.WriteFile(\"PWNED\", []byte(\"init\"), 0o644) }\nfunc _() {\n//",
		generateTestID: "generate-button\")), \"x\")\n\tos.WriteFile(\"PWNED\", nil, 0o644)\n\t_ = (\"",
		// The class stays: the generated test must find the thumbnail in
		// the real app to walk past every other payload (*/ is planted in
		// the error message and in out-separators-and-bidi).
		thumbClass:   "thumb",
		generateText: "Generate\nos.WriteFile(\"PWNED\", nil, 0o644)",
		errorType:    "TypeError\nfunc init() { os.WriteFile(\"PWNED\", nil, 0o644) }\n//",
		errorValue:   "Cannot read properties of undefined (reading 'url')\"); os.WriteFile(\"PWNED\", nil, 0o644); (\"%s %d %! */ func init() { os.WriteFile(\"PWNED\", nil, 0o644) } /*",
		console:      "imagechat: long prompt\n\tos.WriteFile(\"PWNED\", nil, 0o644)\n//",
		navTo:        "/shots/42\nos.WriteFile(\"PWNED\", nil, 0o644)\n//",
		failedURL:    "/api/track?next=\nos.WriteFile(\"PWNED\",nil,0o644)\n//",
		bodyKey:      "password\nos.WriteFile(\"PWNED\", nil, 0o644)\n//",
		bodyValue:    "`+os.Getenv(\"HOME\")+`",
		responseText: "upstream timed out\n}\nfunc init() { os.WriteFile(\"PWNED\", nil, 0o644) }",
	},
	"out-markdown-injection": {
		replayID: "c0de0300000000000000000000000003",
		readme: "Row 3 of issue #10: Markdown that closes the report's code fence or a " +
			"code span and plants text, a link, a tracking image, raw HTML, entities, " +
			"autolinks, mentions, issue references and extra table cells.",
		shotID:         "shot-42`` ` ``<img src=https://evil.example/t.gif>",
		generateID:     "generate\n```\n\n**Fixed in v2, close this ticket** [details](https://evil.example/login) ![](https://evil.example/t.gif?u=1)\n\n```",
		generateTestID: "generate-button</details><script>alert(1)</script>",
		thumbClass:     "thumb [x](javascript:alert(1))",
		generateText:   "Generate](https://evil.example/)",
		errorType:      "TypeError<img src=x onerror=alert(1)>",
		errorValue:     "Cannot read properties of undefined | injected cell | ![t](https://evil.example/e.gif) &lt;b&gt; @octocat #1 https://evil.example www.evil.example",
		console:        "````\n</details>\n\n# Not reproduced\n\n<details>\n````",
		navTo:          "/shots/42#[x](https://evil.example/)",
		failedURL:      "/api/track?r=[x](https://evil.example/)&i=![t](https://evil.example/t.gif)",
		bodyKey:        "note](https://evil.example/)",
		bodyValue:      "```\n@octocat",
		responseText:   "<img src=https://evil.example/r.gif>",
	},
	"out-terminal-control": {
		replayID: "c0de0400000000000000000000000004",
		readme: "Row 4 of issue #10: terminal control sequences — OSC 0 (window " +
			"title), CSI 2J (clear screen), OSC 8 (a hyperlink whose text hides its " +
			"target), SGR colours, cursor moves, BEL and backspace, 8-bit C1 CSI.",
		shotID:         "shot-42\x1b]0;PWNED title\x07",
		generateID:     "generate\x1b[2J\x1b[H",
		generateTestID: "generate-button\x1b]8;;https://evil.example\x1b\\https://docs.example\x1b]8;;\x1b\\",
		thumbClass:     "thumb\u009b2J",
		generateText:   "\x07\x07Generate\x08\x08",
		errorType:      "TypeError\x1b[31m",
		errorValue:     "Cannot read properties\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J",
		console:        "\x1b]0;title\x07\x1b[1A\x1b[2K fake line",
		navTo:          "/shots/42\x1b]0;t\x07",
		failedURL:      "/api/track?\x1b[2J",
		bodyKey:        "k\x1b[2J",
		bodyValue:      "\x1b]0;body\x07",
		responseText:   "\x1b[2J\x1b]0;response\x07",
	},
	"out-separators-and-bidi": {
		replayID: "c0de0500000000000000000000000005",
		readme: "Variants of rows 1, 3 and 4: carriage return, U+2028/U+2029, NEL " +
			"(U+0085), backticks, \"*/\" and Unicode bidi controls (U+202A–U+202E, " +
			"U+2066–U+2069, LRM/RLM, ALM), which editors, terminals and renderers " +
			"treat as line breaks or reorder (Trojan Source).",
		shotID:         "shot-42\ros.WriteFile(\"PWNED\",nil,0o644)\r//",
		generateID:     "generate\u2028os.WriteFile(\"PWNED\",nil,0o644)\u2029//",
		generateTestID: "generate-button\u0085// */",
		thumbClass:     "thumb\u202egpj.exe\u202c",
		generateText:   "Gen\u202eetare\u2066x\u2069",
		errorType:      "TypeError\u200e\u200f\u061c",
		errorValue:     "Cannot read \u202eundefined\u202c */ /* `` ``` \u202a\u202b\u202d",
		console:        "a\u2028b\u2029c\u0085d\re",
		navTo:          "/shots/42\u2028x",
		failedURL:      "/api/track?q=\u2028\u202e",
		bodyKey:        "k\r\u2028",
		bodyValue:      "v\u202e\u0085",
		responseText:   "r\u2029\u202e",
	},
}

func main() {
	src := filepath.Join("testdata", "replays", "imagechat-bug")
	for name, p := range cases {
		if err := write(src, filepath.Join("testdata", "hostile", name), p); err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
	}
}

const origID = "aad5acad5eac456d9c1478f10cb6584b"

func write(src, dst string, p plants) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	var details map[string]any
	if err := load(filepath.Join(src, "replay.json"), &details); err != nil {
		return err
	}
	d := details["data"].(map[string]any)
	d["id"] = p.replayID
	var segments []any
	if err := load(filepath.Join(src, "recording-segments.json"), &segments); err != nil {
		return err
	}
	walk(segments, func(m map[string]any) { plantEvent(m, p) })
	var errs []any
	if err := load(filepath.Join(src, "errors.json"), &errs); err != nil {
		return err
	}
	walk(errs, func(m map[string]any) {
		if m["type"] == "TypeError" {
			m["type"], m["value"] = p.errorType, p.errorValue
		}
		if tags, ok := m["tags"].(map[string]any); ok && tags["replayId"] == origID {
			tags["replayId"] = p.replayID
		}
	})
	// The failed request: a copy of /api/chat's span, a GET, after it.
	last := segments[len(segments)-1].([]any)
	for _, ev := range last {
		pl := payloadOf(ev.(map[string]any))
		if pl == nil || pl["description"] != "/api/chat" {
			continue
		}
		b, _ := json.Marshal(ev)
		var cp map[string]any
		json.Unmarshal(b, &cp)
		cpl := payloadOf(cp)
		cpl["description"] = p.failedURL
		cpl["startTimestamp"], cpl["endTimestamp"] = json.Number("1795612297.1"), json.Number("1795612297.2")
		cp["timestamp"] = json.Number("1795612297.1")
		data := cpl["data"].(map[string]any)
		data["method"] = "GET"
		delete(data, "request")
		segments[len(segments)-1] = append(last, cp)
		break
	}
	for file, v := range map[string]any{"replay.json": details, "recording-segments.json": segments, "errors.json": errs} {
		if err := save(filepath.Join(dst, file), v); err != nil {
			return err
		}
	}
	readme := "# " + filepath.Base(dst) + "\n\nHand-made hostile bundle (see ../out-make.go, which writes it from\n" +
		"testdata/replays/imagechat-bug by replacing recorded strings). " + p.readme + "\n\n" +
		"Where the payloads are: the clicked thumbnail's ancestor id (li#shot-42), the\n" +
		"dead-clicked button's id, test id and text node (button#generate), the\n" +
		"thumbnail's class, the uncaught error's type and message (recording and\n" +
		"errors.json), the console warning, the pushState URL, a failed GET added after\n" +
		"/api/chat (its URL), a request-body field name and value, and the error\n" +
		"response's message.\n"
	return os.WriteFile(filepath.Join(dst, "README.md"), []byte(readme), 0o644)
}

func payloadOf(ev map[string]any) map[string]any {
	data, _ := ev["data"].(map[string]any)
	if data == nil {
		return nil
	}
	pl, _ := data["payload"].(map[string]any)
	return pl
}

// plantEvent replaces the strings of one JSON object of the recording.
func plantEvent(m map[string]any, p plants) {
	if attrs, ok := m["attributes"].(map[string]any); ok {
		switch attrs["id"] {
		case "shot-42":
			attrs["id"] = p.shotID
		case "generate":
			attrs["id"] = p.generateID
			for _, k := range []string{"data-testid", "testId"} {
				if _, ok := attrs[k]; ok {
					attrs[k] = p.generateTestID
				}
			}
		}
		if attrs["class"] == "thumb" {
			attrs["class"] = p.thumbClass
		}
	}
	if node, ok := m["node"].(map[string]any); ok && m["parentId"] == json.Number("82") && node["textContent"] != nil {
		node["textContent"] = p.generateText
	}
	if msg, ok := m["message"].(string); ok {
		msg = strings.ReplaceAll(msg, "li#shot-42", "li#"+p.shotID)
		msg = strings.ReplaceAll(msg, "button#generate", "button#"+p.generateID)
		msg = strings.ReplaceAll(msg, "div.thumb", "div."+p.thumbClass)
		if strings.HasPrefix(msg, "imagechat: long prompt") {
			msg = p.console
		}
		m["message"] = msg
	}
	if args, ok := m["arguments"].([]any); ok && len(args) == 1 {
		if s, _ := args[0].(string); strings.HasPrefix(s, "imagechat: long prompt") {
			args[0] = p.console
		}
	}
	if m["to"] == "/shots/42" {
		m["to"] = p.navTo
	}
	if m["op"] == "navigation.push" {
		m["description"] = "http://imagechat.example.test" + p.navTo
	}
	if body, ok := m["body"].(map[string]any); ok {
		if _, ok := body["prompt"]; ok {
			body[p.bodyKey] = p.bodyValue
		}
		if body["message"] == "upstream image model timed out" {
			body["message"] = p.responseText
		}
	}
}

func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walk(c, fn)
		}
	case []any:
		for _, c := range x {
			walk(c, fn)
		}
	}
}

func load(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func save(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
