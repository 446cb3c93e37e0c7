package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingDataDirRefused: only `foi init` makes a data folder; any other
// command, given a storage.data_dir that is not there, refuses, naming it,
// and creates nothing (issue 9, finding 10).
func TestMissingDataDirRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	cfg := strings.Replace(readFile(t, e.cfg), "data_dir: data", "data_dir: dta", 1)
	e.writeFile("foi.yaml", cfg)
	missing := filepath.Join(e.dir, "dta")
	for _, args := range [][]string{{"status"}, {"sync"}, {"authorities", "import", e.writeFile("t.csv", trustsCSV(2))}} {
		code, out, stderr := e.foi(args...)
		if code == 0 || !strings.Contains(stderr, missing) || !strings.Contains(stderr, "foi init") || !strings.Contains(stderr, "storage.data_dir") {
			t.Errorf("foi %s with a missing data_dir: exit %d, stdout %q, stderr %q; want a refusal naming %s, `foi init` and storage.data_dir",
				strings.Join(args, " "), code, out, stderr, missing)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a command created the data folder %s (stat: %v)", missing, err)
	}

	// foi init makes one, beside its config (config.example.yaml: foi-data).
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "foi.yaml")
	if code := run(t.Context(), []string{"--config", cfgPath, "init"}, new(strings.Builder), new(strings.Builder)); code != 0 {
		t.Fatalf("foi init: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "foi-data", "foi.db")); err != nil {
		t.Errorf("foi init made no database: %v", err)
	}
}

// TestEmptyDatabaseRefused: a zero-length foi.db is never rebuilt empty
// over; the command names the file and says what to do (issue 9, finding 11).
func TestEmptyDatabaseRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	db := filepath.Join(e.dir, "data", "foi.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.foi("status")
	if code == 0 || !strings.Contains(stderr, db) || !strings.Contains(stderr, "backup") {
		t.Errorf("foi status over an empty foi.db: exit %d, stderr %q; want a refusal naming %s and what to do", code, stderr, db)
	}
	if fi, err := os.Stat(db); err != nil || fi.Size() != 0 {
		t.Errorf("foi.db was rebuilt or removed: %v, %v", fi, err)
	}
}
