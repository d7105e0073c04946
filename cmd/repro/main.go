// Command repro turns a Sentry Session Replay into a deterministic
// reproduction: it reads the replay, re-runs the user's session in headless
// Chrome against the app under test with a fail-closed mock backend, says
// whether the bug reproduces, and emits a Go regression test.
//
// This package only parses flags and wires the reproduce, mockserver and
// generate packages together; the work happens there.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/repro-dev/repro/reproduce/escape"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], ProcessEnv(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI with args and returns the process exit code. It is
// the seam tests use: no global state, explicit streams and environment.
func run(ctx context.Context, args []string, env Env, stdin io.Reader, stdout, stderr io.Writer) int {
	// Replay strings reach both streams (stories, routes, errors quoting
	// recorded values): whatever printed them, a control character or bidi
	// control is shown, never obeyed by the terminal.
	out, errOut := escape.NewTerminalWriter(stdout), escape.NewTerminalWriter(stderr)
	defer out.Flush()
	defer errOut.Flush()
	streams := &IOStreams{In: stdin, Out: out, Err: errOut, Env: env}
	root := newRootCmd(streams)
	root.SetArgs(args)
	return exitStatus(root.ExecuteContext(ctx), errOut)
}
