package session

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/chromedp/cdproto/runtime"
)

// The recording holds console calls as the Sentry SDK's console
// breadcrumbs put them (sentry-format §9): the arguments joined by a space,
// each as
//
//   - a primitive: String(value);
//   - an Error: "Name: message" (or the name alone);
//   - a function: "[Function: name]";
//   - any other object: "[object " + its constructor's name + "]", so a
//     fetch Response logs as "[object Response]".
//
// Chrome's console preview of the same call ("Response {type: 'cors', …}")
// looks nothing like that, so the rerun writes each console call in the
// SDK's form too, from the arguments Chrome reports, and the verdict
// compares recorded and rerun messages in that one form.

// sdkConsoleMessage is the message the SDK's console breadcrumb would hold
// for a console call of the given type with these arguments. describe,
// when not nil, asks the page for an object argument's exact form (an
// error's name and message as they are now, a constructor's name); it
// returns false when it cannot, and the argument is read from Chrome's
// description instead.
func sdkConsoleMessage(typ string, args []*runtime.RemoteObject, describe func(*runtime.RemoteObject) (string, bool)) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if describe != nil && a != nil && a.ObjectID != "" && (a.Type == runtime.RemoteObjectTypeObject || a.Type == runtime.RemoteObjectTypeFunction) && a.Subtype != runtime.RemoteObjectSubtypeNull {
			if v, ok := describe(a); ok {
				parts = append(parts, v)
				continue
			}
		}
		parts = append(parts, sdkConsoleArg(a))
	}
	msg := strings.Join(parts, " ")
	if typ == "assert" {
		// Chrome reports a failed assertion's arguments after the
		// condition; the SDK prefixes them.
		if msg == "" {
			return "Assertion failed"
		}
		return "Assertion failed: " + msg
	}
	return msg
}

func sdkConsoleArg(o *runtime.RemoteObject) string {
	if o == nil {
		return "undefined"
	}
	switch o.Type {
	case runtime.RemoteObjectTypeString:
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return o.Description
	case runtime.RemoteObjectTypeNumber:
		if u := string(o.UnserializableValue); u != "" {
			if u == "-0" {
				return "0" // String(-0)
			}
			return u // NaN, Infinity, -Infinity
		}
		if len(o.Value) > 0 {
			var f float64
			if json.Unmarshal(o.Value, &f) == nil {
				return jsNumber(f, string(o.Value))
			}
		}
		return o.Description
	case runtime.RemoteObjectTypeBoolean:
		return strings.TrimSpace(string(o.Value))
	case runtime.RemoteObjectTypeUndefined:
		return "undefined"
	case runtime.RemoteObjectTypeBigint:
		s := string(o.UnserializableValue)
		if s == "" {
			s = o.Description
		}
		return strings.TrimSuffix(s, "n")
	case runtime.RemoteObjectTypeSymbol:
		return o.Description
	case runtime.RemoteObjectTypeFunction:
		return "[Function: " + functionName(o.Description) + "]"
	case runtime.RemoteObjectTypeObject:
		switch o.Subtype {
		case runtime.RemoteObjectSubtypeNull:
			return "null"
		case runtime.RemoteObjectSubtypeError:
			// An error's description is its stack: "Name: message\n    at …".
			head, _, _ := strings.Cut(o.Description, "\n    at ")
			return strings.TrimSpace(head)
		}
		name := o.ClassName
		if name == "" {
			name = "Object"
		}
		return "[object " + name + "]"
	}
	return o.Description
}

// jsNumber is String(n) for the common cases: integers without a
// fraction, other values as JSON wrote them.
func jsNumber(f float64, raw string) string {
	if f == float64(int64(f)) && f < 1e21 && f > -1e21 {
		return strings.TrimSuffix(strings.TrimSuffix(raw, ".0"), ".00")
	}
	return raw
}

// sdkFormJS is the SDK's rule for one object argument, run on the object
// in the page: safeJoin and stringifyValue in @sentry/core, with the
// stringifier @sentry/browser installs for the window, the document and
// HTML elements (htmlTreeAsString in @sentry/browser-utils).
const sdkFormJS = `function () {
  try {
    if (typeof window !== 'undefined' && this === window) return '[Window]';
    if (typeof document !== 'undefined' && this === document) return '[Document]';
    const ctor = (v) => { const p = Object.getPrototypeOf(v); return p && p.constructor ? p.constructor.name : 'null prototype'; };
    if (typeof Element !== 'undefined' && this instanceof Element && /^HTML(\w*)Element$/.test(ctor(this))) {
      const one = (el) => {
        const tag = el.tagName;
        if (!tag) return '';
        if (el instanceof HTMLElement && el.dataset) {
          if (el.dataset.sentryComponent) return el.dataset.sentryComponent;
          if (el.dataset.sentryElement) return el.dataset.sentryElement;
        }
        const out = [tag.toLowerCase()];
        if (el.id) out.push('#' + el.id);
        if (el.className && typeof el.className === 'string') for (const c of el.className.split(/\s+/)) out.push('.' + c);
        for (const k of ['aria-label', 'type', 'name', 'title', 'alt']) { const a = el.getAttribute(k); if (a) out.push('[' + k + '="' + a + '"]'); }
        return out.join('');
      };
      const out = []; let el = this, height = 0, len = 0;
      while (el && height++ < 5) {
        const s = one(el);
        if (s === 'html' || (height > 1 && len + out.length * 3 + s.length >= 80)) break;
        out.push(s); len += s.length; el = el.parentNode;
      }
      return '[HTMLElement: ' + out.reverse().join(' > ') + ']';
    }
    if (typeof this === 'function') return '[Function: ' + (this.name || '<anonymous>') + ']';
    if (this instanceof Error) return this.message ? this.name + ': ' + this.message : this.name;
    return '[object ' + ctor(this) + ']';
  } catch (e) { return null; }
}`

var fnName = regexp.MustCompile(`^(?:async\s+)?(?:function\s*\*?\s*|class\s+)([\p{L}\p{N}_$]+)`)

// functionName reads a function's name from its source text, as the SDK's
// getFunctionName does ("<anonymous>" when it has none).
func functionName(desc string) string {
	if m := fnName.FindStringSubmatch(strings.TrimSpace(desc)); m != nil {
		return m[1]
	}
	return "<anonymous>"
}
