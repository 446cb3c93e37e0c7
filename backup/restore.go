package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"foi/store"
)

// ErrNotEmpty means the folder to restore into already holds something:
// Restore never mixes a backup with other data.
var ErrNotEmpty = errors.New("backup: folder is not empty")

// Restore unpacks the archive file into dir, which must be empty or not
// exist yet. Every entry must be one an archive made by Create can hold:
// foi.db, a blob named by its SHA-256 (checked against its bytes), and the
// manifest last (the database's hash and the blob counts checked against
// it). The restored folder is then checked (Check) and any problem fails
// the restore. On failure dir is left as empty as it was found.
func Restore(ctx context.Context, file, dir string) (Manifest, Report, error) {
	var m Manifest
	var rep Report
	created, err := prepareDir(dir)
	if err != nil {
		return m, rep, fmt.Errorf("restore into %s: %w", dir, err)
	}
	m, rep, err = restore(ctx, file, dir)
	if err != nil {
		emptyDir(dir, created)
		return m, rep, fmt.Errorf("restore %s into %s: %w", file, dir, err)
	}
	return m, rep, nil
}

func restore(ctx context.Context, file, dir string) (Manifest, Report, error) {
	var m Manifest
	var rep Report
	f, err := os.Open(file)
	if err != nil {
		return m, rep, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return m, rep, fmt.Errorf("not a foi backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	var dbSum string
	var mail, files int
	seenManifest, seenDB := false, false
	for {
		if err := ctx.Err(); err != nil {
			return m, rep, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, rep, fmt.Errorf("read archive: %w", err)
		}
		if seenManifest {
			return m, rep, fmt.Errorf("entry %q after %s: not an archive made by foi backup", hdr.Name, ManifestName)
		}
		if hdr.Typeflag != tar.TypeReg {
			return m, rep, fmt.Errorf("entry %q is not a regular file", hdr.Name)
		}
		switch kind, sum, ok := blobEntry(hdr.Name); {
		case hdr.Name == ManifestName:
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
				return m, rep, fmt.Errorf("read %s: %w", ManifestName, err)
			}
			seenManifest = true
		case hdr.Name == store.DatabaseFile:
			if seenDB {
				return m, rep, fmt.Errorf("entry %q twice", hdr.Name)
			}
			if dbSum, err = writeEntry(tr, filepath.Join(dir, store.DatabaseFile)); err != nil {
				return m, rep, fmt.Errorf("restore %s: %w", hdr.Name, err)
			}
			seenDB = true
		case ok:
			got, err := writeEntry(tr, filepath.Join(dir, filepath.FromSlash(hdr.Name)))
			if err != nil {
				return m, rep, fmt.Errorf("restore %s: %w", hdr.Name, err)
			}
			if got != sum {
				return m, rep, fmt.Errorf("restore %s: its SHA-256 is %s: the archive is damaged", hdr.Name, got)
			}
			if kind == store.MailBlob {
				mail++
			} else {
				files++
			}
		default:
			return m, rep, fmt.Errorf("unexpected entry %q: not an archive made by foi backup", hdr.Name)
		}
	}
	switch {
	case !seenManifest:
		return m, rep, fmt.Errorf("no %s at the end: the archive is incomplete", ManifestName)
	case m.Format != Format:
		return m, rep, fmt.Errorf("archive format %d; this foi reads format %d", m.Format, Format)
	case !seenDB:
		return m, rep, fmt.Errorf("no %s in the archive", store.DatabaseFile)
	case dbSum != m.DatabaseSHA256:
		return m, rep, fmt.Errorf("%s has SHA-256 %s, the manifest says %s: the archive is damaged", store.DatabaseFile, dbSum, m.DatabaseSHA256)
	case mail != m.Mail || files != m.Files:
		return m, rep, fmt.Errorf("the archive holds %d mail and %d files, the manifest says %d and %d", mail, files, m.Mail, m.Files)
	}

	st, err := store.Open(ctx, dir)
	if err != nil {
		return m, rep, err
	}
	defer st.Close()
	rep, err = Check(ctx, st)
	if err != nil {
		return m, rep, err
	}
	if !rep.OK() {
		return m, rep, fmt.Errorf("the restored folder fails its check: %s", strings.Join(rep.Problems, "; "))
	}
	return m, rep, nil
}

// blobEntry reads an archive name of the form kind/xx/SHA256, where xx is
// the hash's first two digits.
func blobEntry(name string) (store.BlobKind, string, bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 {
		return "", "", false
	}
	kind, sum := store.BlobKind(parts[0]), parts[2]
	if kind != store.MailBlob && kind != store.FileBlob {
		return "", "", false
	}
	if len(sum) != 64 || strings.ToLower(sum) != sum || parts[1] != sum[:2] {
		return "", "", false
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", "", false
	}
	return kind, sum, true
}

// writeEntry writes r to a new file at p (never over an existing one),
// durably, and returns the SHA-256 of what it wrote.
func writeEntry(r io.Reader, p string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(f, io.TeeReader(r, h))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// prepareDir makes sure dir exists and is empty, and reports whether it
// made it.
func prepareDir(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, err
		}
		return true, nil
	case err != nil:
		return false, err
	case len(entries) > 0:
		return false, fmt.Errorf("%w (it holds %s); restore into a new folder", ErrNotEmpty, entries[0].Name())
	}
	return false, nil
}

// emptyDir removes what a failed restore wrote: dir was empty before, so
// everything in it is the restore's.
func emptyDir(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
