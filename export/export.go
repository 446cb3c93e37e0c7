// Package export writes stored files out into a person's own folders, for
// `foi attachments --out`:
//
//  1. A name that came in the mail is never a path: FileName turns it into
//     a plain file name (no folders, no control characters, no leading
//     dots, nothing Windows refuses), and FolderName makes a request's
//     folder name ("PSW-003 Alpha NHS Trust") the same way.
//  2. Save never overwrites anything, not even a file from an earlier run:
//     when the name is taken by a file with the same bytes it writes
//     nothing (Identical); when it is taken by anything else it tries
//     "name (2).ext", "name (3).ext", ... (Renamed).
//  3. A file appears under its final name only once it is complete: Save
//     writes a temporary file and links it into place, which fails rather
//     than replace a file that appeared meanwhile.
//  4. Nothing lands outside the folder the person chose: the folders are
//     *os.Root, so a symbolic link already there (to /etc, or to a file
//     elsewhere) is never followed out of it. OpenFolder makes a request's
//     folder inside one the same way.
//
// It does not know about the store or requests: the caller reads the bytes
// and chooses the folder, and opens it with os.OpenRoot. The package holds no state; its functions are safe
// for concurrent use, and two Saves racing for one name never both win it.
package export

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxName and maxBytes bound the names made: in characters, and in bytes
// (most file systems take 255).
const (
	maxName  = 120
	maxBytes = 240
)

// FileName makes a display name into a plain file name: no folders, no
// control characters, no characters Windows refuses, no leading dots, no
// trailing dots or spaces, not a Windows device name, not empty, not too
// long (the extension is kept when it is cut).
func FileName(name string) string {
	s := clean(name)
	if s == "" {
		return "attachment"
	}
	if ext := filepath.Ext(s); ext != s && len(ext) <= 10 {
		return shorten(strings.TrimSuffix(s, ext), maxName-len([]rune(ext)), maxBytes-len(ext)) + ext
	}
	return shorten(s, maxName, maxBytes)
}

// FolderName is the folder a request's files go in: its reference and the
// authority's name ("PSW-003 Alpha NHS Trust"), made safe as FileName does.
func FolderName(ref, authority string) string {
	s := clean(strings.TrimSpace(ref + " " + authority))
	if s == "" {
		return "request"
	}
	return shorten(s, maxName, maxBytes)
}

// shorten cuts s to at most nRunes characters and nBytes bytes, and trims
// what file systems drop from the end.
func shorten(s string, nRunes, nBytes int) string {
	r := []rune(s)
	if len(r) > nRunes {
		r = r[:nRunes]
	}
	for len(string(r)) > nBytes {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), ". ")
}

// clean replaces what may not be in a file name and trims what file systems
// drop or hide.
func clean(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	s = strings.TrimRight(s, ". ")
	if reserved(s) {
		s = "_" + s
	}
	return s
}

// reserved reports whether Windows takes the name (with any extension) for
// a device: CON, PRN, AUX, NUL, COM1-9, LPT1-9.
func reserved(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	base = strings.TrimSpace(base)
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9'
}

// Outcome is what Save did.
type Outcome string

// The outcomes of Save.
const (
	// Saved: the file was written under the name asked for.
	Saved Outcome = "saved"
	// Renamed: something else had the name, so the file was written under
	// the first free "name (N).ext".
	Renamed Outcome = "renamed"
	// Identical: a file with the same bytes was already there (under the
	// name or one of its numbered forms); nothing was written.
	Identical Outcome = "identical"
)

// Result is where Save put a file.
type Result struct {
	// Path is the file holding the bytes: the one written, or for
	// Identical the one already there.
	Path    string
	Outcome Outcome
}

// maxTries bounds the numbered names tried.
const maxTries = 1000

// OpenFolder makes the folder name (made safe with FolderName's rules by
// the caller) inside parent if it is not there, and opens it as a root of
// its own. A symbolic link by that name that leads out of parent is an
// error, never followed.
func OpenFolder(parent *os.Root, name string) (*os.Root, error) {
	if err := parent.Mkdir(name, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("make folder %s: %w", filepath.Join(parent.Name(), name), err)
	}
	dir, err := parent.OpenRoot(name)
	if err != nil {
		return nil, fmt.Errorf("open folder %s: %w", filepath.Join(parent.Name(), name), err)
	}
	return dir, nil
}

// Save writes data as name (made safe with FileName) in the folder dir,
// never replacing a file already there and never writing outside dir.
func Save(dir *os.Root, name string, data []byte) (Result, error) {
	name = FileName(name)
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 1; n <= maxTries; n++ {
		candidate := name
		if n > 1 {
			candidate = fmt.Sprintf("%s (%d)%s", base, n, ext)
		}
		path := filepath.Join(dir.Name(), candidate)
		same, err := sameBytes(dir, candidate, data)
		switch {
		case err == nil && same:
			return Result{Path: path, Outcome: Identical}, nil
		case err == nil:
			continue // taken by something else
		case !errors.Is(err, fs.ErrNotExist):
			return Result{}, fmt.Errorf("save %s: %w", path, err)
		}
		err = create(dir, candidate, data)
		if errors.Is(err, fs.ErrExist) {
			// It appeared meanwhile: perhaps the same file.
			if same, err := sameBytes(dir, candidate, data); err == nil && same {
				return Result{Path: path, Outcome: Identical}, nil
			}
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("save %s: %w", path, err)
		}
		out := Saved
		if n > 1 {
			out = Renamed
		}
		return Result{Path: path, Outcome: out}, nil
	}
	return Result{}, fmt.Errorf("save %s in %s: %d files of that name are already there", name, dir.Name(), maxTries)
}

// sameBytes reports whether name in dir is a regular file holding exactly
// data; fs.ErrNotExist if nothing is there. A symbolic link is something
// else, wherever it leads.
func sameBytes(dir *os.Root, name string, data []byte) (bool, error) {
	fi, err := dir.Lstat(name)
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false, nil
	}
	got, err := dir.ReadFile(name)
	if err != nil {
		return false, err
	}
	return bytes.Equal(got, data), nil
}

// create writes data to a temporary file in dir and links it to name, so
// that name never holds a partial file and is never replaced. Where the
// file system has no hard links it creates name exclusively instead.
// fs.ErrExist means name was taken.
func create(dir *os.Root, name string, data []byte) error {
	rnd := make([]byte, 8)
	rand.Read(rnd)
	tmpName := ".foi-save-" + hex.EncodeToString(rnd)
	tmp, err := dir.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer dir.Remove(tmpName)
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	err = dir.Link(tmpName, name)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// No hard links here (FAT, some network shares): exclusive create.
	f, err := dir.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		dir.Remove(name)
		return err
	}
	return f.Close()
}
