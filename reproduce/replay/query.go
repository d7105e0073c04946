package replay

import "time"

// UserActions returns the events the user caused directly: clicks, inputs,
// keys, scrolls and history back/forward, in time order.
func (tl *Timeline) UserActions() []Event {
	var out []Event
	for _, e := range tl.Events {
		if isUserAction(e) {
			out = append(out, e)
		}
	}
	return out
}

// Failures returns the events that show something went wrong: failed
// network calls (status >= 400 or unknown), linked errors, console errors
// and assertions, and dead clicks, in time order.
func (tl *Timeline) Failures() []Event {
	var out []Event
	for _, e := range tl.Events {
		if isFailure(e) {
			out = append(out, e)
		}
	}
	return out
}

// PageURLAt returns the page URL in force at t: the URL of the last
// navigation at or before t, or "" before the first one.
func (tl *Timeline) PageURLAt(t time.Time) string {
	u := ""
	for _, e := range tl.Events {
		if e.Time.After(t) {
			break
		}
		if e.Navigation != nil {
			u = e.Navigation.URL
		}
	}
	return u
}
