// Package store keeps foi's state: one SQLite database (data_dir/foi.db,
// through mattn/go-sqlite3 with WAL, foreign keys and a busy timeout) and two
// content-addressed folders, data_dir/mail for the exact bytes of every
// message and data_dir/files for attachments, each file named by its SHA-256.
//
// The schema is a series of numbered SQL migrations embedded in the binary;
// Open applies the missing ones, each with its version row in one
// transaction. Queries are raw SQL through database/sql with the caller's
// context; anything that writes more than one row runs in a transaction, so
// that a crash leaves either all of it or none.
//
// The store returns concrete types and domain errors (ErrNotFound, ...); it
// knows nothing of SMTP, IMAP or HTTP. A *Store is safe for concurrent use.
package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Domain errors. Callers decide with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrExists   = errors.New("store: already exists")
	ErrConflict = errors.New("store: state changed meanwhile")
)

// Store is the database and the blob folders.
type Store struct {
	db  *sql.DB
	dir string
}

// ErrNoDataDir is returned by OpenExisting for a data folder, or a database
// in it, that is not there: only `foi init` makes one.
var ErrNoDataDir = errors.New("store: no data folder")

// dbName is the database's file name in the data folder.
const dbName = "foi.db"

// staleTemp is how old a temporary blob file (.tmp-*) must be before Open
// removes it. putBlob writes one, syncs it and renames it into place within
// moments; one left for this long is from a process that was killed. A
// younger one may belong to another live process (`foi serve` syncing while
// `foi status` opens the store), so it is left alone.
const staleTemp = 10 * time.Minute

// OpenExisting opens the data folder dir, which must exist: every command
// but `foi init` opens the store this way, so a mistyped storage.data_dir
// is never taken for a new, empty store. A folder that exists but is empty
// was made on purpose, and gets a new database; one that holds files but
// no foi.db (a database lost, or the wrong folder) is refused. Refusals
// wrap ErrNoDataDir and name the folder.
func OpenExisting(ctx context.Context, dir string) (*Store, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s does not exist; run `foi init` to make one (or make the folder yourself: foi starts a new store in an empty folder), or set storage.data_dir to the folder you use", ErrNoDataDir, dir)
	case err != nil:
		return nil, fmt.Errorf("open data folder %s: %w", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("open data folder %s: it is a file, not a folder; set storage.data_dir to your data folder", dir)
	}
	path := filepath.Join(dir, dbName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("open data folder %s: %w", dir, err)
		}
		if len(entries) > 0 {
			return nil, fmt.Errorf("%w: the data folder %s holds files but no database %s; restore %s from a backup, or set storage.data_dir to the folder you use (foi starts a new store only in an empty folder)", ErrNoDataDir, dir, dbName, dbName)
		}
	}
	return Open(ctx, dir)
}

// Open opens the data folder dir, creating the folder and its database if
// they are not there (`foi init` and tests; commands use OpenExisting), and
// brings the database schema up to date. It never starts afresh over a
// database file that exists: an empty (0-byte) or unreadable foi.db is an
// error naming the file. It removes temporary blob files left by a killed
// process (see staleTemp).
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: make data folder %s: %w", dir, err)
	}
	if err := writable(dir); err != nil {
		return nil, err
	}
	for _, sub := range []string{"mail", "files"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	path := filepath.Join(dir, dbName)
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		return nil, fmt.Errorf("open store: %s is empty (0 bytes), so it is not foi's database: restore it from a backup, or if there never was one, delete it and run `foi init`", path)
	}
	// _stmt_cache_size keeps each connection's prepared statements for
	// reuse: filing and sending run the same few statements thousands of
	// times, and preparing them again was a tenth of a send's CPU.
	dsn := "file:" + path + "?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate&_synchronous=FULL&_stmt_cache_size=128"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, dir: dir}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w (if the file is damaged, restore it from a backup)", path, err)
	}
	s.removeStaleTemp(time.Now())
	return s, nil
}

// writable checks that foi can write in the data folder, to say so plainly
// rather than fail later with the database driver's words.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".tmp-open-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("open store: the data folder %s is read-only to foi (%w): foi needs to write there; fix its permissions", dir, err)
		}
		return fmt.Errorf("open store: write in the data folder %s: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// removeStaleTemp removes the temporary files (.tmp-*) older than staleTemp
// under mail/ and files/. It is best effort: a file it cannot remove is
// left for the next Open.
func (s *Store) removeStaleTemp(now time.Time) {
	for _, kind := range []string{"mail", "files"} {
		filepath.WalkDir(filepath.Join(s.dir, kind), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), ".tmp-") {
				return nil
			}
			if fi, err := d.Info(); err == nil && now.Sub(fi.ModTime()) > staleTemp {
				os.Remove(path)
			}
			return nil
		})
	}
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dir is the data folder.
func (s *Store) Dir() string { return s.dir }

// DB exposes the database for read-only reporting queries in tests.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				version, base, formatTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// SchemaVersion is the highest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// inTx runs fn in one transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Secret returns the named random secret (hex), creating it on first use.
// Plus-address tags are signed with one.
func (s *Store) Secret(ctx context.Context, name string) (string, error) {
	key := "secret:" + name
	var v string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		v = hex.EncodeToString(b)
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, key, v)
		return err
	})
	return v, err
}

// PutMail writes the exact bytes of a message under data_dir/mail and
// returns their SHA-256. Writing is atomic and durable (temporary file,
// fsync, rename), so a row that names the hash never points at half a file.
func (s *Store) PutMail(raw []byte) (string, error) { return s.putBlob("mail", raw) }

// PutFile writes an attachment under data_dir/files and returns its SHA-256.
func (s *Store) PutFile(data []byte) (string, error) { return s.putBlob("files", data) }

// MailPath is where the message with this hash is kept.
func (s *Store) MailPath(sum string) string { return s.blobPath("mail", sum) }

// FilePath is where the attachment with this hash is kept.
func (s *Store) FilePath(sum string) string { return s.blobPath("files", sum) }

// ReadMail returns the exact bytes of a stored message.
func (s *Store) ReadMail(sum string) ([]byte, error) {
	b, err := os.ReadFile(s.MailPath(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read mail %s: %w", sum, ErrNotFound)
	}
	return b, err
}

func (s *Store) blobPath(kind, sum string) string {
	if len(sum) < 2 {
		return filepath.Join(s.dir, kind, "invalid")
	}
	return filepath.Join(s.dir, kind, sum[:2], sum)
}

func (s *Store) putBlob(kind string, data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	path := s.blobPath(kind, sum)
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(data)) {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s %s: %w", kind, sum, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return sum, nil
}

const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}
	}
	return t
}
