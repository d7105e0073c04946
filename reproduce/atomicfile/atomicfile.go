// Package atomicfile writes a file whole or not at all, so a reader, a crash
// or a full disk never leaves half a file where a whole one was expected.
// The files repro writes go through it: the report files of a rerun, the
// generated test and its cassette, fetched replay bundles and the fetch
// cache.
//
// It is a leaf: it imports only the standard library. cmd, generate and
// reproduce's packages use it; mockserver, which imports nothing of repro,
// leaves writing a cassette to its caller.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm, atomically: see
// WriteFunc.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc writes what write writes to path with permissions perm
// (exactly perm: the umask does not apply), atomically. The content goes
// to a temporary file in path's directory, which is synced to disk, given
// perm and renamed over path: a reader sees the old file or the new one,
// never a part. On any error, including one write returns, path is left
// as it was and the temporary file is removed. The directory must exist.
func WriteFunc(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: the file is
// already in place, whole, so a system that cannot sync a directory only
// loses the guarantee that the rename survives a power cut, and reporting
// an error now would wrongly say the file was not written.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
