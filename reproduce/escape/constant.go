package escape

import "fmt"

// constant is the type of a builder's format. It is unexported, so only an
// untyped string constant converts to it: markup is written by the
// programmer, never taken from a variable that may hold recorded text.
type constant string

// escapeArgs returns args with every value that may carry text replaced by
// esc of that text. Numbers and booleans stay as they are, so %d and %3d
// work; keep lets a sink pass through the fragments its own escapers made.
func escapeArgs(args []any, esc func(string) string, keep func(any) (string, bool)) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if keep != nil {
			if s, ok := keep(a); ok {
				out[i] = s
				continue
			}
		}
		switch v := a.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, bool:
			out[i] = v
		case string:
			out[i] = esc(v)
		case []string:
			vs := make([]string, len(v))
			for j, s := range v {
				vs[j] = esc(s)
			}
			out[i] = vs
		case error:
			out[i] = esc(v.Error())
		case fmt.Stringer:
			out[i] = esc(v.String())
		default:
			out[i] = esc(fmt.Sprint(v))
		}
	}
	return out
}
