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
	"os"
	"path/filepath"
	"strings"
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
	err := inChunks(list, func(chunk []any, marks string) error {
		rows, err := s.db.QueryContext(ctx, `SELECT message_id, count(*) FROM messages
			WHERE direction = 'in' AND message_id IN (`+marks+`) GROUP BY message_id`, chunk...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			counts[id] = n
		}
		return rows.Err()
	})
	return counts, err
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
// files. A Blobs is used by one goroutine.
type Blobs struct {
	s       *Store
	pending []pendingBlob
	named   map[string]bool // paths already written or pending in this batch
}

type pendingBlob struct{ tmp, path string }

// NewBlobs starts a batch of blob writes.
func (s *Store) NewBlobs() *Blobs { return &Blobs{s: s, named: map[string]bool{}} }

// PutMail adds a message's exact bytes to the batch and returns their SHA-256.
func (b *Blobs) PutMail(raw []byte) (string, error) { return b.put("mail", raw) }

// PutFile adds an attachment to the batch and returns its SHA-256.
func (b *Blobs) PutFile(data []byte) (string, error) { return b.put("files", data) }

func (b *Blobs) put(kind string, data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	path := b.s.blobPath(kind, sum)
	if b.named[path] {
		return sum, nil
	}
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(data)) {
		b.named[path] = true
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s %s: %w", kind, sum, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s %s: %w", kind, sum, err)
	}
	b.pending = append(b.pending, pendingBlob{tmp: f.Name(), path: path})
	b.named[path] = true
	return sum, nil
}

// Commit makes the batch durable and visible: flush, rename, flush.
func (b *Blobs) Commit() error {
	if len(b.pending) == 0 {
		return nil
	}
	if err := b.flush(); err != nil {
		b.Discard()
		return fmt.Errorf("flush %d stored files to disk: %w", len(b.pending), err)
	}
	for _, p := range b.pending {
		if err := os.Rename(p.tmp, p.path); err != nil {
			b.Discard()
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
	for _, p := range b.pending {
		os.Remove(p.tmp)
	}
	b.pending = nil
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
