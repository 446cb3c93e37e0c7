package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"foi/store"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// addMessage stores an incoming message with n attachments, as the inbox
// does: blobs first, then the rows in one transaction.
func addMessage(t *testing.T, st *store.Store, i, n int) {
	t.Helper()
	raw := fmt.Sprintf("From: foi@trust.test\r\nMessage-ID: <m%d@trust.test>\r\n\r\nReply %d\r\n", i, i)
	sum, err := st.PutMail([]byte(raw))
	if err != nil {
		t.Error(err)
		return
	}
	ctx := context.Background()
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Error(err)
		return
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (direction, message_id, sha256, size, created_at) VALUES ('in', ?, ?, ?, ?)`,
		fmt.Sprintf("<m%d@trust.test>", i), sum, len(raw), now.Format(time.RFC3339))
	if err != nil {
		t.Error(err)
		return
	}
	id, _ := res.LastInsertId()
	for k := 0; k < n; k++ {
		data := fmt.Sprintf("%%PDF attachment %d of message %d", k, i)
		if k == 0 {
			data = "the same file in every message"
		}
		fsum, err := st.PutFile([]byte(data))
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (message_id, seq, name, content_type, size, sha256, source)
			VALUES (?, ?, ?, 'application/pdf', ?, ?, 'part')`, id, k, fmt.Sprintf("f%d.pdf", k), len(data), fsum); err != nil {
			t.Error(err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		t.Error(err)
	}
}

// rows is every message and attachment row with its hash, one per line.
func rows(t *testing.T, st *store.Store) []string {
	t.Helper()
	refs, err := st.BlobRefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range refs {
		out = append(out, r.Row+" "+string(r.Kind)+" "+r.SHA256)
	}
	return out
}

func TestBackupWhileWritingThenRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	live := openStore(t, filepath.Join(root, "data"))
	for i := 0; i < 20; i++ {
		addMessage(t, live, i, 3)
	}

	// A writer goes on adding messages while the backup is made.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	started := make(chan struct{})
	go func() {
		defer wg.Done()
		for i := 20; ; i++ {
			if i == 22 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
			addMessage(t, live, i, 2)
		}
	}()
	<-started
	archive := filepath.Join(root, "backup.tar.gz")
	m, err := Create(ctx, live, archive, now)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(archive + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.tmp left behind: %v", archive, err)
	}

	restored := filepath.Join(root, "restored")
	m2, rep, err := Restore(ctx, archive, restored)
	if err != nil {
		t.Fatal(err)
	}
	if m2 != m {
		t.Errorf("restored manifest = %+v, want %+v", m2, m)
	}
	if !rep.OK() || len(rep.Orphans) != 0 {
		t.Errorf("check of the restored folder = %+v, want no problems or orphans", rep)
	}
	back := openStore(t, restored)
	got, all := rows(t, back), rows(t, live)
	if len(got) < 20*4+2*3 || len(got) > len(all) {
		t.Fatalf("restored %d rows, want between %d and %d", len(got), 20*4+2*3, len(all))
	}
	// The copy is the live database at one instant: every row it has is
	// in the live one, with the same hash.
	liveRows := map[string]bool{}
	for _, r := range all {
		liveRows[r] = true
	}
	for _, r := range got {
		if !liveRows[r] {
			t.Errorf("restored row %q is not in the live database", r)
		}
	}
	if rep.Mail != m.Mail || rep.Files != m.Files {
		t.Errorf("restored folder holds %d mail and %d files, manifest says %d and %d", rep.Mail, rep.Files, m.Mail, m.Files)
	}
	t.Logf("backed up %d of %d rows while writing", len(got), len(all))
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		damage   func(t *testing.T, st *store.Store) string // returns what a problem must name
		ok       bool
		orphan   bool
		problems int
	}{
		{name: "intact", ok: true, damage: func(*testing.T, *store.Store) string { return "" }},
		{name: "deleted mail", damage: func(t *testing.T, st *store.Store) string {
			sum := firstBlob(t, st, store.MailBlob)
			if err := os.Remove(st.BlobPath(store.MailBlob, sum)); err != nil {
				t.Fatal(err)
			}
			return "mail/" + store.BlobName(sum) + " is missing (named by message 1)"
		}, problems: 1},
		{name: "corrupted file", damage: func(t *testing.T, st *store.Store) string {
			sum := firstBlob(t, st, store.FileBlob)
			if err := os.WriteFile(st.BlobPath(store.FileBlob, sum), []byte("rotten"), 0o600); err != nil {
				t.Fatal(err)
			}
			// The shared file is named by every message's first attachment.
			return "files/" + store.BlobName(sum) + " is corrupt"
		}, problems: 1},
		{name: "orphan", ok: true, orphan: true, damage: func(t *testing.T, st *store.Store) string {
			if _, err := st.PutFile([]byte("nobody names me")); err != nil {
				t.Fatal(err)
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, t.TempDir())
			for i := 0; i < 3; i++ {
				addMessage(t, st, i, 2)
			}
			want := tt.damage(t, st)
			rep, err := Check(context.Background(), st)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() != tt.ok || len(rep.Problems) != tt.problems {
				t.Fatalf("Check = %+v, want ok %v with %d problems", rep, tt.ok, tt.problems)
			}
			if want != "" && !strings.Contains(rep.Problems[0], want) {
				t.Errorf("problem = %q, want it to contain %q", rep.Problems[0], want)
			}
			if got := len(rep.Orphans) > 0; got != tt.orphan {
				t.Errorf("orphans = %v, want some: %v", rep.Orphans, tt.orphan)
			}
		})
	}
}

func firstBlob(t *testing.T, st *store.Store, kind store.BlobKind) string {
	t.Helper()
	refs, err := st.BlobRefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.Kind == kind {
			return r.SHA256
		}
	}
	t.Fatalf("no %s blob", kind)
	return ""
}

func TestBackupRefusesACorruptBlob(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	st := openStore(t, filepath.Join(root, "data"))
	addMessage(t, st, 1, 1)
	sum := firstBlob(t, st, store.MailBlob)
	if err := os.WriteFile(st.BlobPath(store.MailBlob, sum), []byte("rotten"), 0o600); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(root, "b.tar.gz")
	_, err := Create(context.Background(), st, archive, now)
	if err == nil || !strings.Contains(err.Error(), sum) || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("Create = %v, want an error naming the corrupt mail %s", err, sum)
	}
	if _, err := os.Stat(archive); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("archive written despite the error: %v", err)
	}
}

func TestRestoreRefusesANonEmptyFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	st := openStore(t, filepath.Join(root, "data"))
	addMessage(t, st, 1, 1)
	archive := filepath.Join(root, "b.tar.gz")
	if _, err := Create(context.Background(), st, archive, now); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "busy")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o600)
	_, _, err := Restore(context.Background(), archive, dir)
	if !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Restore into a non-empty folder = %v, want ErrNotEmpty", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "mine" {
		t.Errorf("keep.txt = %q after a refused restore", b)
	}
}

// tarGz builds an archive from name/content pairs.
func tarGz(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for i := 0; i+1 < len(entries); i += 2 {
		hdr := &tar.Header{Name: entries[i], Mode: 0o600, Size: int64(len(entries[i+1])), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(entries[i+1]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestRestoreRejectsDamagedArchives(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	st := openStore(t, filepath.Join(root, "data"))
	addMessage(t, st, 1, 1)
	good := filepath.Join(root, "good.tar.gz")
	if _, err := Create(context.Background(), st, good, now); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	body := "not what the name says"
	wrong := sha("something else")
	tests := []struct {
		name, want string
		data       []byte
	}{
		{"truncated", "", whole[:len(whole)/2]},
		{"no manifest", "incomplete", tarGz(t, "foi.db", "x")},
		{"wrong hash", "damaged", tarGz(t, "mail/"+wrong[:2]+"/"+wrong, body)},
		{"escaping name", "unexpected entry", tarGz(t, "../evil", "x")},
		{"stray name", "unexpected entry", tarGz(t, "mail/zz/notahash", "x")},
		{"not gzip", "gzip", []byte("hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			archive := filepath.Join(dir, "a.tar.gz")
			os.WriteFile(archive, tt.data, 0o600)
			into := filepath.Join(dir, "into")
			_, _, err := Restore(context.Background(), archive, into)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Restore = %v, want an error containing %q", err, tt.want)
			}
			if _, err := os.Stat(into); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s left behind after a failed restore: %v", into, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "evil")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("an entry was written outside the folder")
			}
		})
	}
}
