package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Files staged on several goroutines are claimed by Put and committed;
// those staged and never Put are gone after Commit, as are all temporary
// files after Discard; a Put of bytes already stored writes nothing.
func TestBlobsStaged(t *testing.T) {
	t.Parallel()
	st := open(t, t.TempDir())
	b := st.NewBlobs()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				b.StageMail(fmt.Appendf(nil, "message %d", i))
				b.StageFile(fmt.Appendf(nil, "file %d", i%5))
			}
		}()
	}
	wg.Wait()
	if n := temps(t, st.Dir()); n != 25 {
		t.Fatalf("%d temporary files staged, want 25 (20 messages, 5 distinct files)", n)
	}
	var kept []string
	for i := 0; i < 10; i++ {
		sum, err := b.PutMail(fmt.Appendf(nil, "message %d", i))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, st.blobPath("mail", sum))
	}
	sum, err := b.PutFile([]byte("file 3"))
	if err != nil {
		t.Fatal(err)
	}
	kept = append(kept, st.blobPath("files", sum))
	unstaged, err := b.PutFile([]byte("never staged"))
	if err != nil {
		t.Fatal(err)
	}
	kept = append(kept, st.blobPath("files", unstaged))
	for _, p := range kept {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s visible before Commit", p)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("after Commit: %v", err)
		}
	}
	if n := temps(t, st.Dir()); n != 0 {
		t.Errorf("%d temporary files left after Commit, want 0", n)
	}
	if n := blobs(t, st.Dir()); n != 12 {
		t.Errorf("%d files stored, want the 12 Put", n)
	}
	// Staged again: a file stored already is not written again; a message
	// is (a message is new but after a crash), and committing it again
	// changes nothing. Discard leaves no trace.
	b2 := st.NewBlobs()
	b2.StageFile([]byte("file 3"))
	b2.StageMail([]byte("message 1"))
	b2.StageMail([]byte("message 99"))
	if n := temps(t, st.Dir()); n != 2 {
		t.Errorf("%d temporary files, want 2 (file 3 is stored already)", n)
	}
	if _, err := b2.PutMail([]byte("message 1")); err != nil {
		t.Fatal(err)
	}
	if _, err := b2.PutFile([]byte("file 3")); err != nil {
		t.Fatal(err)
	}
	if err := b2.Commit(); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(st.blobPath("mail", sha256Hex([]byte("message 1")))); err != nil || string(data) != "message 1" {
		t.Errorf("message 1 after it was committed again: %q, %v", data, err)
	}
	b3 := st.NewBlobs()
	b3.StageMail([]byte("message 100"))
	b3.Discard()
	if n := temps(t, st.Dir()); n != 0 {
		t.Errorf("%d temporary files after Commit and Discard", n)
	}
	if n := blobs(t, st.Dir()); n != 12 {
		t.Errorf("%d files stored after Discard, want 12", n)
	}
}

func temps(t *testing.T, dir string) int { return count(t, dir, true) }
func blobs(t *testing.T, dir string) int { return count(t, dir, false) }

func count(t *testing.T, dir string, tmp bool) int {
	t.Helper()
	n := 0
	for _, kind := range []string{"mail", "files"} {
		filepath.WalkDir(filepath.Join(dir, kind), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".tmp-") == tmp {
				n++
			}
			return nil
		})
	}
	return n
}

// The Hashed forms store under the SHA-256 given, claim what was staged
// under it, and refuse what is not a SHA-256 in hex (no path is made of it).
func TestBlobsHashed(t *testing.T) {
	t.Parallel()
	st := open(t, t.TempDir())
	b := st.NewBlobs()
	raw, file := []byte("Subject: hashed\r\n\r\nbody\r\n"), []byte("a file")
	mailSum, fileSum := sha256Hex(raw), sha256Hex(file)
	b.StageMailHashed(raw, mailSum)
	b.StageFileHashed(file, fileSum)
	b.StageFileHashed(file, "../../etc/passwd")
	if n := temps(t, st.Dir()); n != 2 {
		t.Fatalf("%d temporary files staged, want 2", n)
	}
	if err := b.PutMailHashed(raw, mailSum); err != nil {
		t.Fatal(err)
	}
	if err := b.PutFileHashed(file, fileSum); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "../x", strings.Repeat("A", 64), mailSum[:63]} {
		if err := b.PutFileHashed(file, bad); err == nil {
			t.Errorf("PutFileHashed with sum %q: no error", bad)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{st.blobPath("mail", mailSum), st.blobPath("files", fileSum)} {
		if data, err := os.ReadFile(p); err != nil || len(data) == 0 {
			t.Errorf("%s after Commit: %v", p, err)
		}
	}
	if n := temps(t, st.Dir()); n != 0 {
		t.Errorf("%d temporary files left after Commit", n)
	}
}
