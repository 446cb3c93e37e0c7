package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// BlobKind names one of the two content-addressed folders.
type BlobKind string

// The blob folders under data_dir.
const (
	MailBlob BlobKind = "mail"  // the exact bytes of every message
	FileBlob BlobKind = "files" // attachments
)

// BlobKinds are the blob folders, in the order backups and checks visit them.
var BlobKinds = []BlobKind{MailBlob, FileBlob}

// DatabaseFile is the database's name inside a data folder.
const DatabaseFile = "foi.db"

// BlobRef is a row that names a blob: which folder, which hash, and the row
// (for messages, "message 12"; for attachments, "attachment 4 of message 12").
type BlobRef struct {
	Kind   BlobKind
	SHA256 string
	Row    string
}

// BlobPath is where the blob of this kind and hash is kept.
func (s *Store) BlobPath(kind BlobKind, sum string) string { return s.blobPath(string(kind), sum) }

// CopyDatabase writes a consistent copy of the whole database to path (which
// must not exist) with VACUUM INTO. It reads in one transaction, so writers
// (foi serve) may go on meanwhile: the copy is the database as it was when
// the read began.
func (s *Store) CopyDatabase(ctx context.Context, path string) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("copy database to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and foreign_key_check
// and returns the problems they name; none means the database is sound.
func (s *Store) IntegrityCheck(ctx context.Context) ([]string, error) {
	var problems []string
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, "database: "+line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	fk, err := s.db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	defer fk.Close()
	for fk.Next() {
		var table, parent string
		var rowid, fkid any
		if err := fk.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, fmt.Errorf("foreign key check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("database: %s row %v names a missing %s row", table, rowid, parent))
	}
	if err := fk.Err(); err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	return problems, nil
}

// BlobRefs lists every row that names a blob: each message's raw bytes and
// each attachment's file.
func (s *Store) BlobRefs(ctx context.Context) ([]BlobRef, error) {
	var refs []BlobRef
	rows, err := s.db.QueryContext(ctx, `SELECT id, sha256 FROM messages ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list message blobs: %w", err)
	}
	for rows.Next() {
		var id int64
		var sum string
		if err := rows.Scan(&id, &sum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list message blobs: %w", err)
		}
		refs = append(refs, BlobRef{Kind: MailBlob, SHA256: sum, Row: fmt.Sprintf("message %d", id)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list message blobs: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT id, message_id, sha256 FROM attachments ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list attachment blobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, msg int64
		var sum string
		if err := rows.Scan(&id, &msg, &sum); err != nil {
			return nil, fmt.Errorf("list attachment blobs: %w", err)
		}
		refs = append(refs, BlobRef{Kind: FileBlob, SHA256: sum, Row: fmt.Sprintf("attachment %d of message %d", id, msg)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list attachment blobs: %w", err)
	}
	return refs, nil
}

// BlobFiles lists the files in one blob folder by their names (a blob's
// name is its hash), with the path of each. Temporary files of a write in
// progress (".tmp-*") are left out.
func (s *Store) BlobFiles(kind BlobKind) (map[string]string, error) {
	root := filepath.Join(s.dir, string(kind))
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	return out, nil
}

// BlobName is a blob's path relative to its folder: the first two hex
// digits of its hash, a slash, the hash.
func BlobName(sum string) string {
	if len(sum) < 2 {
		return "invalid"
	}
	return sum[:2] + "/" + sum
}
