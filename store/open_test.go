package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

	// A read-only data folder is named as such. Root may write anywhere,
	// so under root the check runs in a child process as nobody.
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	msg := openReadOnly(t, dir)
	if !strings.Contains(msg, dir) || !strings.Contains(msg, "read-only") {
		t.Errorf("OpenExisting of read-only %s = %q, want it to name the folder and say read-only", dir, msg)
	}
}

// openReadOnly opens dir with OpenExisting as a user who may not write
// there, and returns the error's text ("" if it opened).
func openReadOnly(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		st, err := OpenExisting(context.Background(), dir)
		if err == nil {
			st.Close()
			return ""
		}
		return err.Error()
	}
	// nobody must be able to reach dir and run a copy of this test binary.
	for d := filepath.Dir(dir); d != "/" && d != "."; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(dir, "foi.db"), 0o644)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(dir), "store.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestOpenReadOnlyChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FOI_TEST_READONLY_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child as nobody: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m, ok := strings.CutPrefix(line, "OPEN-ERROR: "); ok {
			return m
		}
	}
	t.Fatalf("the child as nobody said nothing of opening %s:\n%s", dir, out)
	return ""
}

// TestOpenReadOnlyChild is openReadOnly's child process: it runs only when
// FOI_TEST_READONLY_DIR names a folder, and reports what opening it said.
func TestOpenReadOnlyChild(t *testing.T) {
	dir := os.Getenv("FOI_TEST_READONLY_DIR")
	if dir == "" {
		return // not the child: openReadOnly runs it
	}
	st, err := OpenExisting(context.Background(), dir)
	if err == nil {
		st.Close()
		fmt.Println("OPEN-ERROR: ")
		return
	}
	fmt.Println("OPEN-ERROR: " + err.Error())
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
