package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenExistingRefusesMissing: only `foi init` makes a data folder; a
// missing folder, or a folder without its database, is never taken for a
// new, empty store (issue 9, finding 10).
func TestOpenExistingRefusesMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "no-such-data")
	lost := t.TempDir() // its mail is there, its database is not
	if err := os.MkdirAll(filepath.Join(lost, "mail", "ab"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{missing, lost} {
		st, err := OpenExisting(ctx, dir)
		if err == nil {
			st.Close()
			t.Fatalf("OpenExisting(%s) = nil error, want ErrNoDataDir", dir)
		}
		hint := "foi init" // what to do: make one, or bring the database back
		if dir == lost {
			hint = "restore foi.db from a backup"
		}
		if !errors.Is(err, ErrNoDataDir) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), hint) {
			t.Errorf("OpenExisting(%s) = %v, want ErrNoDataDir naming the folder and saying %q", dir, err, hint)
		}
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting created %s (stat: %v)", missing, err)
	}
	if _, err := os.Stat(filepath.Join(lost, dbName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting started a new database in %s (stat: %v)", lost, err)
	}

	// Once made, it opens; so does a folder someone made empty for it.
	st, err := Open(ctx, missing)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, dir := range []string{missing, t.TempDir()} {
		st, err = OpenExisting(ctx, dir)
		if err != nil {
			t.Fatalf("OpenExisting(%s): %v", dir, err)
		}
		st.Close()
	}
}

// TestOpenNeverStartsAfresh: a database file that exists but is empty or
// damaged is an error naming the file, and is left exactly as it was; a
// read-only data folder says so (issue 9, finding 11).
func TestOpenNeverStartsAfresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "empty (0 bytes)"},
		{"corrupt", strings.Repeat("not a database, just bytes\n", 400), "restore it from a backup"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, dbName)
		if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := OpenExisting(ctx, dir)
		if err == nil {
			st.Close()
			t.Errorf("%s: OpenExisting = nil error, want one naming %s", tc.name, path)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: OpenExisting = %q, want it to name %s and say %q", tc.name, err, path, tc.want)
		}
		if b, _ := os.ReadFile(path); string(b) != tc.data {
			t.Errorf("%s: %s changed: %d bytes, want %d", tc.name, path, len(b), len(tc.data))
		}
	}

	if os.Geteuid() == 0 {
		t.Skip("root writes in read-only folders")
	}
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	st, err = OpenExisting(ctx, dir)
	if err == nil {
		st.Close()
		t.Fatal("OpenExisting of a read-only data folder = nil error")
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("OpenExisting of read-only %s = %q, want it to name the folder and say read-only", dir, err)
	}
}

// TestOpenRemovesStaleTemp: temporary blob files a killed sync left behind
// are removed at Open once they are older than staleTemp; a young one may
// be another live process's and stays (issue 9, finding 14).
func TestOpenRemovesStaleTemp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := st.PutMail([]byte("Subject: kept\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	old := time.Now().Add(-staleTemp - time.Minute)
	files := map[string]bool{ // path: should remain
		filepath.Join(dir, "mail", "ab", ".tmp-123"):    false,
		filepath.Join(dir, "files", "cd", ".tmp-456"):   false,
		filepath.Join(dir, "mail", ".tmp-789"):          false,
		filepath.Join(dir, "files", "ef", ".tmp-young"): true,
		filepath.Join(dir, "files", "ef", "not-a-tmp"):  true,
		filepath.Join(dir, "mail", sum[:2], sum):        true,
	}
	for path := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err != nil {
			if err := os.WriteFile(path, []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasSuffix(path, "young") {
			os.Chtimes(path, old, old)
		}
	}
	st, err = OpenExisting(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for path, keep := range files {
		_, err := os.Stat(path)
		if got := err == nil; got != keep {
			t.Errorf("after Open, %s exists = %v, want %v", path, got, keep)
		}
	}
	if b, err := st.ReadMail(sum); err != nil || !strings.Contains(string(b), "kept") {
		t.Errorf("ReadMail(%s) = %q, %v; want the stored message", sum, b, err)
	}
}
