package reproduce

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/repro-dev/repro/reproduce/atomicfile"
)

// WriteFiles keeps the report in dir beside the screenshots, in all four
// forms (report.txt, report.md, report.json, and report.html, which embeds
// the screenshots and the recorded frames), so a CI job can attach them.
// They are readable by all (0644), as the screenshots are.
func (rep *Report) WriteFiles(dir string, r *Replay) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("artifacts directory: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"report.json", func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}},
		{"report.md", rep.WriteMarkdown},
		{"report.txt", rep.WriteText},
		{"report.html", func(w io.Writer) error {
			return rep.WriteHTML(w, HTMLInput{Timeline: r.Timeline, Recorded: rep.Frames})
		}},
	}
	for _, f := range files {
		if err := atomicfile.WriteFunc(filepath.Join(dir, f.name), 0o644, f.write); err != nil {
			return err
		}
	}
	return nil
}
