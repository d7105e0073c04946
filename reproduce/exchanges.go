package reproduce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/replay"
)

// Exchanges turns a timeline's network calls into mock backend exchanges, in
// recorded order: what the mock serves back during a rerun. Parts the SDK
// did not capture (URL_SKIPPED bodies, headers outside its allow-list) are
// named in Missing so the mock serves them as explicitly synthetic.
func Exchanges(tl *replay.Timeline) []mockserver.Exchange {
	var out []mockserver.Exchange
	for i, ev := range tl.Events {
		if ev.Kind != replay.KindNetwork {
			continue
		}
		n := ev.Network
		x := mockserver.Exchange{
			Seq:     len(out),
			Method:  n.Method,
			URL:     n.URL,
			Status:  n.Status,
			Latency: n.Duration,
			Label:   fmt.Sprintf("event %d · %s %s", i, n.Method, n.Path),
		}
		if x.Method == "" {
			x.Method = http.MethodGet
		}
		x.RequestHeaders, x.RequestBody, x.RequestBodyCaptured = payloadParts(n.Request)
		x.ResponseHeaders, x.ResponseBody, x.ResponseBodyCaptured = payloadParts(n.Response)
		if !x.RequestBodyCaptured {
			x.Missing = append(x.Missing, mockserver.MissingRequestBody)
		}
		if len(x.RequestHeaders) == 0 {
			x.Missing = append(x.Missing, mockserver.MissingRequestHeaders)
		}
		if !x.ResponseBodyCaptured {
			x.Missing = append(x.Missing, mockserver.MissingResponseBody)
		}
		if len(x.ResponseHeaders) == 0 {
			x.Missing = append(x.Missing, mockserver.MissingResponseHeaders)
		}
		slices.Sort(x.Missing)
		out = append(out, x)
	}
	return out
}

// payloadParts reads one side of a recorded call. The SDK stores a JSON body
// parsed and any other text as a JSON string, so a string is unquoted back
// to the text the server sent.
func payloadParts(p *replay.Payload) (http.Header, []byte, bool) {
	if p == nil {
		return nil, nil, false
	}
	var h http.Header
	for k, v := range p.Headers {
		if h == nil {
			h = http.Header{}
		}
		h.Set(k, v)
	}
	if !p.BodyCaptured || len(p.Body) == 0 {
		return h, nil, false
	}
	body := bytes.TrimSpace(p.Body)
	if len(body) > 0 && body[0] == '"' {
		var s string
		if json.Unmarshal(body, &s) == nil {
			return h, []byte(s), true
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, body) == nil {
		return h, buf.Bytes(), true
	}
	return h, body, true
}

// MaskedBodyFields names the JSON request-body fields whose recorded values
// could only have come from a masked input: strings as long as a value the
// user typed into a masked field before the request. The rerun types a
// placeholder there (masked text is never recovered), so the mock compares
// these fields by presence, not value.
func MaskedBodyFields(tl *replay.Timeline) []string {
	lengths := map[int]bool{}
	var fields []string
	for _, ev := range tl.Events {
		switch ev.Kind {
		case replay.KindInput:
			if ev.Input.Masked && ev.Input.Length > 0 {
				lengths[ev.Input.Length] = true
			}
		case replay.KindNetwork:
			req := ev.Network.Request
			if req == nil || !req.BodyCaptured || len(lengths) == 0 {
				continue
			}
			var body any
			if json.Unmarshal(req.Body, &body) != nil {
				continue
			}
			walkStrings(body, "", func(key, val string) {
				if lengths[len([]rune(val))] && key != "" && !slices.Contains(fields, key) {
					fields = append(fields, key)
				}
			})
		}
	}
	slices.Sort(fields)
	return fields
}

// MaskedQueryParams names the query parameters whose recorded values could
// only have come from a masked input, by the same rule as
// MaskedBodyFields: a value as long as a value the user typed into a
// masked field before the request (a search box submitted with Enter
// sends its text as ?q=…). The mock compares them by presence.
func MaskedQueryParams(tl *replay.Timeline) []string {
	lengths := map[int]bool{}
	var params []string
	for _, ev := range tl.Events {
		switch ev.Kind {
		case replay.KindInput:
			if ev.Input.Masked && ev.Input.Length > 0 {
				lengths[ev.Input.Length] = true
			}
		case replay.KindNetwork:
			if len(lengths) == 0 {
				continue
			}
			u, err := url.Parse(ev.Network.URL)
			if err != nil {
				continue
			}
			for name, vals := range u.Query() {
				for _, v := range vals {
					if lengths[len([]rune(v))] && !slices.Contains(params, name) {
						params = append(params, name)
					}
				}
			}
		}
	}
	slices.Sort(params)
	return params
}

func walkStrings(v any, key string, fn func(key, val string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			walkStrings(vv, k, fn)
		}
	case []any:
		for _, vv := range x {
			walkStrings(vv, key, fn)
		}
	case string:
		fn(key, x)
	}
}
