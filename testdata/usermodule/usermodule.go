// Package usermodule makes a Go module that requires repro the way an
// engineer's repository would, so tests and benchmarks can build the code
// repro generates where its users build it.
//
// The module gets repro's own go version and requirements, read with
// `go mod edit -json` (not from go.mod's text, whose layout `go mod tidy`
// decides), and repro's go.sum, so it builds offline from the module cache.
package usermodule

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// reproModule is the path of repro's own module.
const reproModule = "github.com/repro-dev/repro"

// Write makes dir (which must exist and hold no go.mod) a module named
// path that requires repro, replaced by the module at root, with root's go
// version, toolchain, requirements and replacements, and root's go.sum.
func Write(ctx context.Context, root, dir, path string) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	out, err := goTool(ctx, dir, "mod", "edit", "-json", filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	var mod struct {
		Module        modVersion
		Go, Toolchain string
		Require       []modVersion
		Replace       []struct{ Old, New modVersion }
	}
	if err := json.Unmarshal(out, &mod); err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(root, "go.mod"), err)
	}
	if mod.Module.Path != reproModule {
		return fmt.Errorf("%s is module %q, not %s", root, mod.Module.Path, reproModule)
	}

	edit := []string{"mod", "edit", "-go=" + mod.Go, "-require=" + reproModule + "@v0.0.0", "-replace=" + reproModule + "=" + root}
	if mod.Toolchain != "" {
		edit = append(edit, "-toolchain="+mod.Toolchain)
	}
	for _, r := range mod.Require {
		edit = append(edit, "-require="+r.String())
	}
	for _, r := range mod.Replace {
		edit = append(edit, "-replace="+r.Old.String()+"="+r.New.from(root))
	}
	if _, err := goTool(ctx, dir, "mod", "init", path); err != nil {
		return err
	}
	if _, err := goTool(ctx, dir, edit...); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// modVersion is a module path and version as `go mod edit -json` gives
// them; a replacement without a version is a directory.
type modVersion struct{ Path, Version string }

// String is the path@version form go mod edit's flags take.
func (m modVersion) String() string {
	if m.Version == "" {
		return m.Path
	}
	return m.Path + "@" + m.Version
}

// from is the replacement seen from another module: a directory relative to
// root is made absolute.
func (m modVersion) from(root string) string {
	if m.Version != "" || filepath.IsAbs(m.Path) {
		return m.String()
	}
	return filepath.Join(root, m.Path)
}

// goTool runs the go command of the toolchain running this program (so the
// user's module is built with the Go that builds repro), offline.
func goTool(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
