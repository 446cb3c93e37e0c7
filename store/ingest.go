package store

// Ingest in batches: the watcher files many messages at once, with one
// flush to disk for all their files and one transaction for all their rows.
// The guarantees are those of one message at a time: a row is committed only
// after the bytes it names are on disk, and a batch is either all stored or
// not at all.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Saved is what SaveIncomingBatch did with one message.
type Saved struct {
	ID  int64
	Dup bool // the same bytes were stored already (the row was not written again)
}

// SaveIncomingBatch stores received messages as SaveIncoming does, all in
// one transaction: either every one of them is stored, or none.
func (s *Store) SaveIncomingBatch(ctx context.Context, ins []Incoming, now time.Time) ([]Saved, error) {
	out := make([]Saved, len(ins))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, in := range ins {
			id, dup, err := saveIncoming(ctx, tx, in, now)
			if err != nil {
				return fmt.Errorf("message %s (UID %d): %w", in.MessageID, in.UID, err)
			}
			out[i] = Saved{ID: id, Dup: dup}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// KnownSHA256 returns which of these message hashes are stored already.
func (s *Store) KnownSHA256(ctx context.Context, sums []string) (map[string]bool, error) {
	known := map[string]bool{}
	err := inChunks(sums, func(chunk []any, marks string) error {
		rows, err := s.db.QueryContext(ctx, `SELECT sha256 FROM messages WHERE sha256 IN (`+marks+`)`, chunk...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sum string
			if err := rows.Scan(&sum); err != nil {
				return err
			}
			known[sum] = true
		}
		return rows.Err()
	})
	return known, err
}

// ReceivedWithMessageIDs counts, as ReceivedWithMessageID does, the received
// messages stored under each of these Message-IDs (absent: none).
func (s *Store) ReceivedWithMessageIDs(ctx context.Context, ids []string) (map[string]int, error) {
	counts := map[string]int{}
	var list []string
	for _, id := range ids {
		if id != "" {
			list = append(list, id)
		}
	}
	err := s.intsByKey(ctx, `SELECT message_id, count(*) FROM messages
		WHERE direction = 'in' AND message_id IN (%s) GROUP BY message_id`, list, counts)
	return counts, err
}

// intsByKey runs query (a SELECT of a key and a number, whose "IN (%s)" is
// filled with placeholders) over values in chunks, into out.
func (s *Store) intsByKey(ctx context.Context, query string, values []string, out map[string]int) error {
	return inChunks(values, func(chunk []any, marks string) error {
		rows, err := s.db.QueryContext(ctx, fmt.Sprintf(query, marks), chunk...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var n int
			if err := rows.Scan(&key, &n); err != nil {
				return err
			}
			out[key] = n
		}
		return rows.Err()
	})
}

// inChunks calls fn with the values in groups small enough for one query's
// parameters, and the "?, ?, ..." list for each group.
func inChunks(values []string, fn func(chunk []any, marks string) error) error {
	const max = 500
	for len(values) > 0 {
		n := min(len(values), max)
		chunk := make([]any, n)
		for i, v := range values[:n] {
			chunk[i] = v
		}
		if err := fn(chunk, strings.TrimSuffix(strings.Repeat("?, ", n), ", ")); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

// Blobs writes a batch of messages and attachments into the data folder
// with one flush to disk for the whole batch: each is written to a
// temporary file; Commit flushes them all, renames each into place, and
// flushes again, so that a name under mail/ or files/ always holds its
// whole content, and every file is on disk when Commit returns. Until
// Commit, nothing is visible under its name; Discard removes the temporary
// files.
//
// Files may be staged ahead, on any goroutine (StageMail, StageFile):
// written to a temporary file while, say, the batch is still being parsed,
// so that the Put that claims them later costs nothing. Only what is Put
// is committed; what is staged and never Put is removed by Commit or
// Discard. Creating a file is the dearest step of filing on some disks
// (issue 12), and staging lets the batch's files be created on all cores.
type Blobs struct {
	s       *Store
	mu      sync.Mutex
	pending []pendingBlob     // claimed by Put: renamed into place by Commit
	named   map[string]bool   // paths claimed in this batch
	staged  map[string]string // path -> temporary file written ahead ("" while being written, or when the path exists)
}

type pendingBlob struct{ tmp, path string }

// NewBlobs starts a batch of blob writes.
func (s *Store) NewBlobs() *Blobs {
	return &Blobs{s: s, named: map[string]bool{}, staged: map[string]string{}}
}

// PutMail adds a message's exact bytes to the batch and returns their SHA-256.
func (b *Blobs) PutMail(raw []byte) (string, error) { return b.put("mail", raw, sha256Hex(raw)) }

// PutFile adds an attachment to the batch and returns its SHA-256.
func (b *Blobs) PutFile(data []byte) (string, error) { return b.put("files", data, sha256Hex(data)) }

// StageMail writes a message's bytes ahead of its PutMail (see Blobs). An
// error is not returned: PutMail then writes the bytes itself, and says.
func (b *Blobs) StageMail(raw []byte) { b.stage("mail", raw, sha256Hex(raw)) }

// StageFile writes an attachment ahead of its PutFile.
func (b *Blobs) StageFile(data []byte) { b.stage("files", data, sha256Hex(data)) }

// The Hashed forms take the SHA-256 (lower-case hex) that the caller worked
// out of these very bytes, so that a message and its files are hashed once
// on their way in, not three times (issue 12).

// PutMailHashed is PutMail of raw whose SHA-256 is sum.
func (b *Blobs) PutMailHashed(raw []byte, sum string) error {
	_, err := b.put("mail", raw, sum)
	return err
}

// PutFileHashed is PutFile of data whose SHA-256 is sum.
func (b *Blobs) PutFileHashed(data []byte, sum string) error {
	_, err := b.put("files", data, sum)
	return err
}

// StageMailHashed is StageMail of raw whose SHA-256 is sum.
func (b *Blobs) StageMailHashed(raw []byte, sum string) { b.stage("mail", raw, sum) }

// StageFileHashed is StageFile of data whose SHA-256 is sum.
func (b *Blobs) StageFileHashed(data []byte, sum string) { b.stage("files", data, sum) }

func (b *Blobs) stage(kind string, data []byte, sum string) {
	if !isSHA256Hex(sum) {
		return // Put says
	}
	path := b.s.blobPath(kind, sum)
	b.mu.Lock()
	_, busy := b.staged[path]
	if busy || b.named[path] {
		b.mu.Unlock()
		return
	}
	b.staged[path] = ""
	b.mu.Unlock()
	// A message is new but when fetched again after a crash: its bytes
	// are then written again under the same name, which changes nothing,
	// rather than every message costing a look first. A file is often one
	// stored before (the same logo, the same form).
	if kind != "mail" && exists(path, len(data)) {
		return
	}
	tmp, err := writeTemp(path, data)
	if err != nil {
		return
	}
	b.mu.Lock()
	b.staged[path] = tmp
	b.mu.Unlock()
}

func (b *Blobs) put(kind string, data []byte, sum string) (string, error) {
	if !isSHA256Hex(sum) {
		return "", fmt.Errorf("store %s: %q is not a SHA-256 in hex", kind, sum)
	}
	path := b.s.blobPath(kind, sum)
	b.mu.Lock()
	if b.named[path] {
		b.mu.Unlock()
		return sum, nil
	}
	if tmp := b.staged[path]; tmp != "" {
		delete(b.staged, path)
		b.pending = append(b.pending, pendingBlob{tmp: tmp, path: path})
		b.named[path] = true
		b.mu.Unlock()
		return sum, nil
	}
	b.mu.Unlock()
	if exists(path, len(data)) {
		b.mu.Lock()
		b.named[path] = true
		b.mu.Unlock()
		return sum, nil
	}
	tmp, err := writeTemp(path, data)
	if err != nil {
		return "", fmt.Errorf("write %s %s: %w", kind, sum, err)
	}
	b.mu.Lock()
	b.pending = append(b.pending, pendingBlob{tmp: tmp, path: path})
	b.named[path] = true
	b.mu.Unlock()
	return sum, nil
}

// isSHA256Hex reports whether s is a SHA-256 as sha256Hex writes it.
func isSHA256Hex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func sha256Hex(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// exists reports whether path holds a file of size bytes: content-addressed,
// it holds these bytes.
func exists(path string, size int) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() == int64(size)
}

// writeTemp writes data to a new temporary file beside path, and returns
// its name.
func writeTemp(path string, data []byte) (string, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if errors.Is(err, fs.ErrNotExist) {
		// The folder is made when first needed, not looked for each time.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		f, err = os.CreateTemp(dir, ".tmp-*")
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// Commit makes the batch durable and visible: flush, rename, flush. Files
// staged and not Put are removed.
func (b *Blobs) Commit() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropStaged()
	if len(b.pending) == 0 {
		return nil
	}
	if err := b.flush(); err != nil {
		b.discard()
		return fmt.Errorf("flush %d stored files to disk: %w", len(b.pending), err)
	}
	for _, p := range b.pending {
		if err := os.Rename(p.tmp, p.path); err != nil {
			b.discard()
			return err
		}
	}
	if err := b.flush(); err != nil {
		return fmt.Errorf("flush the data folder %s to disk: %w", b.s.dir, err)
	}
	b.pending = nil
	return nil
}

// Discard removes what the batch wrote and has not committed.
func (b *Blobs) Discard() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.discard()
}

func (b *Blobs) discard() {
	b.dropStaged()
	for _, p := range b.pending {
		os.Remove(p.tmp)
	}
	b.pending = nil
}

func (b *Blobs) dropStaged() {
	for path, tmp := range b.staged {
		if tmp != "" {
			os.Remove(tmp)
		}
		delete(b.staged, path)
	}
}

// flush writes every file of the data folder's file system to disk with
// one syncfs(2): one flush for the whole batch rather than two fsyncs per
// file (the file and its folder). Where syncfs is missing, each pending
// file and its folder are flushed one by one.
func (b *Blobs) flush() error {
	d, err := os.Open(b.s.dir)
	if err != nil {
		return err
	}
	defer d.Close()
	err = unix.Syncfs(int(d.Fd()))
	if err == nil || !errors.Is(err, unix.ENOSYS) {
		return err
	}
	dirs := map[string]bool{}
	for _, p := range b.pending {
		for _, name := range []string{p.tmp, p.path} {
			if f, err := os.Open(name); err == nil {
				f.Sync()
				f.Close()
			}
		}
		dirs[filepath.Dir(p.path)] = true
	}
	for dir := range dirs {
		if f, err := os.Open(dir); err == nil {
			f.Sync()
			f.Close()
		}
	}
	return nil
}
