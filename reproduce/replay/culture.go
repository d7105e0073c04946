package replay

import (
	"encoding/json"
	"strings"
)

// The browser's culture (locale, timezone) and its User-Agent reach a
// replay through more than one envelope: the replay_event's request
// headers, and the SDK's culture context and request headers on the linked
// error events, the only place a browser replay records a locale.

// cultureFromErrors reads the locale and timezone the SDK's culture context
// put on the linked error events: the only place a browser replay records
// them.
func cultureFromErrors(b *Bundle) (locale, tz string) {
	for _, e := range b.Errors {
		var ev struct {
			Contexts struct {
				Culture struct {
					Locale   string `json:"locale"`
					Timezone string `json:"timezone"`
				} `json:"culture"`
			} `json:"contexts"`
		}
		if json.Unmarshal(e.Raw, &ev) == nil && (ev.Contexts.Culture.Locale != "" || ev.Contexts.Culture.Timezone != "") {
			return ev.Contexts.Culture.Locale, ev.Contexts.Culture.Timezone
		}
	}
	return "", ""
}

func userAgentFromErrors(b *Bundle) string {
	for _, e := range b.Errors {
		var ev struct {
			Request struct {
				Headers map[string]string `json:"headers"`
			} `json:"request"`
		}
		if json.Unmarshal(e.Raw, &ev) == nil {
			for k, v := range ev.Request.Headers {
				if strings.EqualFold(k, "user-agent") {
					return v
				}
			}
		}
	}
	return ""
}
