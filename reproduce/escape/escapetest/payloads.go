package escapetest

// Payload is one hostile string: what a crafted replay puts in an id, a
// class, a text node, a URL, a console or error message or a body.
type Payload struct {
	Name string
	S    string
}

// PlantedFile is the file the Go-injection payloads try to create.
const PlantedFile = "PWNED"

// Payloads are the tricks of issue #10, one each: Go code after a line
// break of every kind, a block-comment close, Markdown that closes a fence
// or a code span and plants a link, an image, HTML, entities, autolinks,
// mentions, a table cell, terminal escapes (title, clear screen, OSC 8
// hyperlink, 8-bit CSI), bidi controls, printf verbs, invalid UTF-8.
var Payloads = []Payload{
	{"go statement after a newline", "shot-42\nos.WriteFile(\"PWNED\",[]byte(\"injected\"),0o644)\n//"},
	{"go statement after a carriage return", "shot-42\ros.WriteFile(\"PWNED\",[]byte(\"injected\"),0o644)\r//"},
	{"go statement after U+2028", "shot-42\u2028os.WriteFile(\"PWNED\",[]byte(\"injected\"),0o644)\u2029//"},
	{"go statement after NEL", "shot-42\u0085os.WriteFile(\"PWNED\",[]byte(\"injected\"),0o644)\u0085//"},
	{"block comment close", "*/ func init() { os.WriteFile(\"PWNED\", nil, 0o644) } /*"},
	{"string literal close", "\"); os.WriteFile(\"PWNED\", nil, 0o644); (\"` + \"`\""},
	{"backtick fence", "x\n```\n\n**injected** [click](https://evil.example/) ![t](https://evil.example/t.gif)\n```\n"},
	{"backtick runs", "`a`` ```` b`"},
	{"link", "[click here](https://evil.example/login)"},
	{"image", "![track](https://evil.example/t.gif?u=1)"},
	{"html", "<img src=x onerror=alert(1)><script>alert(1)</script></details>"},
	{"entity", "&lt;img&gt; &#x3C;b&#62;"},
	{"autolinks", "<https://evil.example> https://evil.example www.evil.example dana@example.com"},
	{"mentions and refs", "@octocat #1 @org/team GH-2"},
	{"table cell", "a | b |\n|---|"},
	{"osc 0 title", "\x1b]0;pwned title\x07"},
	{"clear screen", "\x1b[2J\x1b[H"},
	{"osc 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\https://good.example\x1b]8;;\x1b\\"},
	{"8-bit csi", "\u009b2J\u009d0;title\u009c"},
	{"bidi controls", "admin\u202e\u2066gpj.exe\u2069\u200e\u200f\u061c"},
	{"printf verbs", "%s %d %!x %%"},
	{"invalid utf-8", "a\xff\x9bb"},
	{"nul and bom", "a\x00b\ufeffc"},
}
