package sentryapi_test

// A few testify-shaped checks on the standard library only, so the package
// adds no go.sum entries (testify's yaml dependency is not in go.sum).

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type checker struct{ fatal bool }

var (
	assert  = checker{}
	require = checker{fatal: true}
)

func (c checker) fail(t testing.TB, msg string, args []any) {
	t.Helper()
	if len(args) > 0 {
		if f, ok := args[0].(string); ok {
			msg += ": " + fmt.Sprintf(f, args[1:]...)
		}
	}
	if c.fatal {
		t.Fatal(msg)
	}
	t.Error(msg)
}

func (c checker) Equal(t testing.TB, want, got any, args ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		c.fail(t, fmt.Sprintf("not equal:\nwant %#v\n got %#v", want, got), args)
	}
}

func (c checker) True(t testing.TB, v bool, args ...any) {
	t.Helper()
	if !v {
		c.fail(t, "want true", args)
	}
}

func (c checker) False(t testing.TB, v bool, args ...any) {
	t.Helper()
	if v {
		c.fail(t, "want false", args)
	}
}

func (c checker) Contains(t testing.TB, s, sub string, args ...any) {
	t.Helper()
	if !strings.Contains(s, sub) {
		c.fail(t, fmt.Sprintf("%q does not contain %q", s, sub), args)
	}
}

func (c checker) NotContains(t testing.TB, s, sub string, args ...any) {
	t.Helper()
	if strings.Contains(s, sub) {
		c.fail(t, fmt.Sprintf("%q contains %q", s, sub), args)
	}
}

func (c checker) Len(t testing.TB, v any, n int, args ...any) {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		c.fail(t, fmt.Sprintf("len %d, want %d", l, n), args)
	}
}

func (c checker) Empty(t testing.TB, v any, args ...any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	if rv.IsValid() && rv.Len() != 0 {
		c.fail(t, fmt.Sprintf("want empty, got %#v", v), args)
	}
}

func (c checker) NoError(t testing.TB, err error, args ...any) {
	t.Helper()
	if err != nil {
		c.fail(t, "unexpected error: "+err.Error(), args)
	}
}

func (c checker) Error(t testing.TB, err error, args ...any) {
	t.Helper()
	if err == nil {
		c.fail(t, "want an error, got nil", args)
	}
}

func (c checker) ErrorIs(t testing.TB, err, target error, args ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		c.fail(t, fmt.Sprintf("error %v is not %v", err, target), args)
	}
}
