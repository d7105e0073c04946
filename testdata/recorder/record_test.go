package main

import "testing"

func TestPathOfKeepsQueryAndHashRoute(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"plain path", "http://feed.example.test/shots/42", "/shots/42"},
		{"search page keeps its query", "http://studio.example.test/search?q=offsite", "/search?q=offsite"},
		{"hash route keeps its fragment", "http://tasks.example.test/#/board/12?q=venue", "/#/board/12?q=venue"},
		{"root without a hash", "http://tasks.example.test/", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pathOf(tt.url); got != tt.want {
				t.Errorf("pathOf(%q) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}
