package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// buildVersion is repro's version: the one set at build time, else the
// module's (v1.2.3 under go install, "(devel)" in a checkout).
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func versionString() string {
	return fmt.Sprintf("repro %s (%s, %s/%s)", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// userAgent is how repro names itself to Sentry: repro/<version>, without
// the parentheses of "(devel)", which a User-Agent reads as a comment.
func userAgent() string { return "repro/" + strings.Trim(buildVersion(), "()") }

func newVersionCmd(streams *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print repro's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(streams.Out, versionString())
			return err
		},
	}
}
