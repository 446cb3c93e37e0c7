// Package backup copies a data folder into one archive, brings an archive
// back into a new folder, and checks that a data folder is whole.
//
// A backup (Create) is a gzip-compressed tar file, made in four steps:
//
//  1. The database is copied with VACUUM INTO into a temporary folder beside
//     the archive. SQLite reads it in one transaction, so foi serve may go on
//     writing meanwhile (WAL): the copy is the database at one instant.
//  2. The copy is opened and lists the blobs its rows name: each message's
//     raw bytes under mail/ and each attachment under files/.
//  3. The archive is written to FILE.tmp: foi.db (the copy), then each named
//     blob from the live data folder, its hash checked on the way, then
//     backup.json, the manifest, last, so that a truncated archive is
//     recognised as one. Blobs are immutable and content-addressed, and every
//     blob is on disk before the row that names it commits, so blobs copied
//     after the database copy are all there and all as the copy expects.
//  4. FILE.tmp is synced and renamed to FILE: FILE is either the old backup
//     or the whole new one, never half of one.
//
// Why tar.gz rather than zip: it is written in one pass with no index to
// seek back to, it keeps the files' modes and times, and anyone can unpack
// it by hand with `tar -xzf` if foi itself is not at hand.
//
// Restore unpacks an archive into a new, empty folder, checking every
// entry's name and hash against the manifest; Check verifies a data folder
// in place. None of them changes the live data folder. The functions keep no
// state and are safe to call concurrently.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"foi/store"
)

// Format is the version of the archive's layout, recorded in its manifest.
const Format = 1

// ManifestName is the manifest's name in the archive: its last entry.
const ManifestName = "backup.json"

// Manifest describes an archive: when it was made, the database copy's hash,
// and how many blobs of each kind it holds.
type Manifest struct {
	Format         int       `json:"format"`
	CreatedAt      time.Time `json:"created_at"`
	SchemaVersion  int       `json:"schema_version"`
	DatabaseSHA256 string    `json:"database_sha256"`
	DatabaseSize   int64     `json:"database_size"`
	Mail           int       `json:"mail"`
	Files          int       `json:"files"`
	// Bytes is the size of everything archived, before compression.
	Bytes int64 `json:"bytes"`
}

// Create writes a backup of the store's data folder to file (see the package
// doc), replacing file only once the new archive is complete. now dates the
// manifest.
func Create(ctx context.Context, st *store.Store, file string, now time.Time) (Manifest, error) {
	return CreateWithProgress(ctx, st, file, now, nil)
}

// CreateWithProgress is Create that calls progress, if not nil, after each
// file it archives with the number archived so far and the total (the
// database and every message and file), for a progress bar.
func CreateWithProgress(ctx context.Context, st *store.Store, file string, now time.Time, progress func(done, total int)) (Manifest, error) {
	m := Manifest{Format: Format, CreatedAt: now.UTC()}
	tmpDir, err := os.MkdirTemp(filepath.Dir(file), ".foi-backup-*")
	if err != nil {
		return m, fmt.Errorf("backup to %s: %w", file, err)
	}
	defer os.RemoveAll(tmpDir)

	// 1. The database, as it is at one instant.
	dbCopy := filepath.Join(tmpDir, store.DatabaseFile)
	if err := st.CopyDatabase(ctx, dbCopy); err != nil {
		return m, fmt.Errorf("backup to %s: %w", file, err)
	}
	// 2. The blobs that copy names.
	refs, version, err := snapshotRefs(ctx, tmpDir)
	if err != nil {
		return m, fmt.Errorf("backup to %s: %w", file, err)
	}
	m.SchemaVersion = version

	// 3. The archive, beside its final name.
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return m, fmt.Errorf("backup to %s: %w", file, err)
	}
	defer os.Remove(tmp) // a no-op once renamed
	err = writeArchive(ctx, f, st, dbCopy, refs, &m, progress)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return m, fmt.Errorf("backup to %s: %w", file, err)
	}
	// 4. Into place.
	if err := os.Rename(tmp, file); err != nil {
		return m, fmt.Errorf("backup to %s: %w", file, err)
	}
	syncDir(filepath.Dir(file))
	return m, nil
}

// snapshotRefs opens the database copy in dir and lists the blobs it names,
// each once, and its schema version.
func snapshotRefs(ctx context.Context, dir string) ([]store.BlobRef, int, error) {
	snap, err := store.Open(ctx, dir)
	if err != nil {
		return nil, 0, fmt.Errorf("open the database copy: %w", err)
	}
	defer snap.Close()
	version, err := snap.SchemaVersion(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("read the database copy: %w", err)
	}
	all, err := snap.BlobRefs(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("read the database copy: %w", err)
	}
	seen := map[store.BlobKind]map[string]bool{}
	var refs []store.BlobRef
	for _, r := range all {
		if seen[r.Kind] == nil {
			seen[r.Kind] = map[string]bool{}
		}
		if seen[r.Kind][r.SHA256] {
			continue
		}
		seen[r.Kind][r.SHA256] = true
		refs = append(refs, r)
	}
	return refs, version, nil
}

func writeArchive(ctx context.Context, w io.Writer, st *store.Store, dbCopy string, refs []store.BlobRef, m *Manifest, progress func(done, total int)) error {
	if progress == nil {
		progress = func(int, int) {}
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)

	sum, size, err := addFile(tw, store.DatabaseFile, dbCopy)
	if err != nil {
		return fmt.Errorf("archive the database copy: %w", err)
	}
	m.DatabaseSHA256, m.DatabaseSize, m.Bytes = sum, size, size
	progress(1, len(refs)+1)
	for i, r := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := path.Join(string(r.Kind), store.BlobName(r.SHA256))
		sum, size, err := addFile(tw, name, st.BlobPath(r.Kind, r.SHA256))
		if err != nil {
			return fmt.Errorf("archive %s (%s): %w; run `foi check`", name, r.Row, err)
		}
		if sum != r.SHA256 {
			return fmt.Errorf("archive %s (%s): its SHA-256 is %s, the file is corrupt; run `foi check`", name, r.Row, sum)
		}
		m.Bytes += size
		switch r.Kind {
		case store.MailBlob:
			m.Mail++
		case store.FileBlob:
			m.Files++
		}
		progress(i+2, len(refs)+1)
	}

	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	manifest = append(manifest, '\n')
	hdr := &tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(manifest)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// addFile copies the file at src into the archive as name and returns the
// SHA-256 and size of what it copied.
func addFile(tw *tar.Writer, name, src string) (string, int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: info.ModTime(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(tw, io.TeeReader(f, h))
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// syncDir makes a rename in dir durable, as far as the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
