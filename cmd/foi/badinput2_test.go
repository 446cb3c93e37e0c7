package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// sentLetters sends the campaign and returns the letters by reference.
func sentLetters(t *testing.T, e *env, n int) map[string][]byte {
	t.Helper()
	setupCampaign(t, e, n)
	e.must("send", "LXP7")
	sent := map[string][]byte{}
	for _, m := range e.mail.Received() {
		sent[subjectRef.FindStringSubmatch(header(t, m.Data, "Subject"))[1]] = m.Data
	}
	return sent
}

// TestShowStripsControls: a reply whose body, subject and sender carry
// terminal escape sequences (blink, clear screen, an OSC-8 link, a bell, a
// carriage return that overwrites the line) is printed by `foi show`
// without a single control character but newline and tab (issue 9,
// finding 12).
func TestShowStripsControls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	sent := sentLetters(t, e, 1)
	to := strings.Trim(header(t, sent["LXP7-001"], "To"), "<>")
	reply := "From: =?utf-8?q?FOI_=1B[5mOfficer?= <" + to + ">\r\nTo: campaign@foi.test\r\n" +
		"Subject: =?utf-8?q?RE:_your_request_=1B]0;pwned=07?=\r\nMessage-ID: <esc-1@nhs.test>\r\n" +
		"In-Reply-To: " + header(t, sent["LXP7-001"], "Message-Id") + "\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Dear requester,\r\n\x1b[5mWe hold the information.\x1b[0m\r\n" +
		"\x1b]8;;https://evil.test/\x07Click here\x1b]8;;\x07\r\nFake line\rReal\x1b[2J\x07\r\n\tIndented.\r\n"
	e.mail.Deliver("INBOX", []byte(reply), time.Now())
	e.must("sync")
	out := e.must("show", "LXP7-001")
	if !strings.Contains(out, "We hold the information.") || !strings.Contains(out, "\tIndented.") {
		t.Fatalf("foi show lost the reply's text:\n%s", out)
	}
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			t.Errorf("foi show printed control character %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
}
