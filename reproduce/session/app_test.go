package session

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func TestParseApp(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		in      string
		wantURL string
		wantDir string
		wantErr bool
	}{
		{name: "url keeps scheme host and port", in: "http://localhost:3000/", wantURL: "http://localhost:3000"},
		{name: "directory becomes absolute", in: dir, wantDir: dir},
		{name: "missing directory is an error", in: filepath.Join(dir, "nope"), wantErr: true},
		{name: "file is not an app", in: file, wantErr: true},
		{name: "empty is an error", in: " ", wantErr: true},
		{name: "url without host is an error", in: "http://", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseApp(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got.URL != tc.wantURL || got.Dir != tc.wantDir {
				t.Errorf("got %+v, want URL %q Dir %q", got, tc.wantURL, tc.wantDir)
			}
		})
	}
}

func TestMapURLMovesTheRecordedOriginOntoTheApp(t *testing.T) {
	base := &url.URL{Scheme: "http", Host: "localhost:3000"}
	cases := []struct{ name, in, recorded, want string }{
		{"path query and fragment are kept", "https://app.example.com/shots/42?x=1#top", "https://app.example.com", "http://localhost:3000/shots/42?x=1#top"},
		{"default port matches", "https://app.example.com:443/a", "https://app.example.com", "http://localhost:3000/a"},
		{"other origins are left alone", "https://cdn.example.net/a.js", "https://app.example.com", "https://cdn.example.net/a.js"},
		{"relative urls resolve against the app", "/shots/1", "https://app.example.com", "http://localhost:3000/shots/1"},
		{"no recorded origin maps any absolute url", "http://x.test/p", "", "http://localhost:3000/p"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MapURL(tc.in, tc.recorded, base)
			if err != nil || got != tc.want {
				t.Errorf("MapURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDirAppServesFilesAndFallsBackToIndexForRoutes(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte("INDEX"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "app.js"), []byte("JS"), 0o644))
	app, err := AppUnderTest{Dir: dir}.start()
	must(err)
	defer app.close()
	cases := []struct{ path, want string }{
		{"/app.js", "JS"},
		{"/", "INDEX"},
		{"/shots/42", "INDEX"},
		{"/missing.js", "404 page not found\n"},
	}
	for _, tc := range cases {
		res, err := http.Get(app.base.String() + tc.path)
		must(err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != tc.want {
			t.Errorf("GET %s = %q, want %q", tc.path, b, tc.want)
		}
	}
}
