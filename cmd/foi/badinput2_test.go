package main

import (
	"os"
	"path/filepath"
	"sort"
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

// TestAttachmentNamesNeverStop: a name with a 300-character extension and
// a 100-emoji (400-byte) name are saved under names that fit in 255 bytes,
// and a file that cannot be saved (its stored copy is gone) is reported
// while the files after it are still saved (issue 9, finding 6).
func TestAttachmentNamesNeverStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	sent := sentLetters(t, e, 1)
	longExt := "report." + strings.Repeat("x", 300)
	emoji := strings.Repeat("😀", 100) + ".pdf"
	e.mail.Deliver("INBOX", replyWithFiles(t, sent["LXP7-001"], 1,
		mailFile{"lost.pdf", "this one's stored copy is deleted"}, mailFile{longExt, "long extension"},
		mailFile{emoji, "emoji"}, mailFile{"answer.pdf", "the answer"}), time.Now())
	e.must("sync")
	st := openStore(t, e)
	var lost string
	if err := st.DB().QueryRow(`SELECT sha256 FROM attachments WHERE name = 'lost.pdf'`).Scan(&lost); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(st.FilePath(lost)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "out")
	code, stdout, stderr := e.foi("attachments", "LXP7-001", "--out", out)
	if code != 1 || !strings.Contains(stdout, "NOT SAVED") || !strings.Contains(stderr, "1 file could not be saved") {
		t.Errorf("attachments with a lost file: exit %d\nstdout: %s\nstderr: %s\nwant exit 1, the lost file reported", code, stdout, stderr)
	}
	got := listFiles(t, out)
	var contents []string
	for name, data := range got {
		if b := filepath.Base(name); len(b) > 255 {
			t.Errorf("saved a %d-byte name: %.60q...", len(b), b)
		}
		contents = append(contents, data)
	}
	sort.Strings(contents)
	if want := []string{"emoji", "long extension", "the answer"}; strings.Join(contents, "|") != strings.Join(want, "|") {
		t.Errorf("saved %q, want %q (everything but the lost file)", sortedKeys(got), want)
	}
}

// TestAttachmentsOutStaysInside: symbolic links already in the --out
// folder, to a file or a folder outside it, are never written through
// (issue 9, finding 13).
func TestAttachmentsOutStaysInside(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	sent := sentLetters(t, e, 2)
	for i, ref := range []string{"LXP7-001", "LXP7-002"} {
		e.mail.Deliver("INBOX", replyWithFiles(t, sent[ref], i, mailFile{"answer.pdf", "answer " + ref}), time.Now())
	}
	e.must("sync")
	out, outside := filepath.Join(e.dir, "out"), t.TempDir()
	victim := filepath.Join(outside, "victim.pdf")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(out, "LXP7-001 Trust 01 NHS Foundation Trust")
	if err := os.MkdirAll(one, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(one, "answer.pdf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out, "LXP7-002 Trust 02 NHS Foundation Trust")); err != nil {
		t.Fatal(err)
	}
	e.foi("attachments", "LXP7-001", "--out", out)
	code, _, stderr := e.foi("attachments", "LXP7-002", "--out", out)
	if code == 0 {
		t.Errorf("attachments into a folder that is a symlink out of --out: exit 0, stderr %q", stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("%s was written through a symlink: it holds %q", victim, b)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("files landed outside --out: %d entries in %s", len(entries), outside)
	}
	if b, err := os.ReadFile(filepath.Join(one, "answer (2).pdf")); err != nil || string(b) != "answer LXP7-001" {
		t.Errorf("LXP7-001's file beside the symlink: %q, %v", b, err)
	}
}

// TestCheckConfigRefusesMultiLineRequester: `check-config` said valid to a
// requester.name with CR/LF in it, and the campaign made from it could
// never be sent (issue 9, finding 8).
func TestCheckConfigRefusesMultiLineRequester(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.writeFile("foi.yaml", strings.Replace(readFile(t, e.cfg), `name: "LXP Revolution"`, `name: "LXP Revolution\r\nBcc: victim@example.test"`, 1))
	code, stdout, stderr := e.foi("check-config")
	if code == 0 || !strings.Contains(stderr, "requester.name") || !strings.Contains(stderr, "control character") {
		t.Errorf("check-config with CR/LF in requester.name: exit %d\nstdout: %s\nstderr: %s\nwant a refusal naming requester.name", code, stdout, stderr)
	}
	code, _, stderr = e.foi("campaign", "new", "LXP7", "--title", "T", "--letter", e.writeFile("letter.txt", letter), "--authorities", "all")
	if code == 0 || !strings.Contains(stderr, "requester.name") {
		t.Errorf("campaign new with CR/LF in requester.name: exit %d, stderr %q", code, stderr)
	}
}

// TestSendRefusesFrozenBadRequester: a campaign made before the requester
// was checked may hold a name with CR/LF in it; `foi send` refuses it,
// naming the campaign, the key and the fix, and sends nothing (issue 9,
// finding 8).
func TestSendRefusesFrozenBadRequester(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 2)
	st := openStore(t, e)
	if _, err := st.DB().Exec(`UPDATE campaigns SET requester_name = 'LXP' || char(13) || char(10) || 'Bcc: victim@example.test'`); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.foi("send", "LXP7")
	for _, want := range []string{"campaign LXP7", "requester.name", "foi campaign new"} {
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("send with a frozen CR/LF requester: exit %d, stderr %q; want it to say %q", code, stderr, want)
		}
	}
	if n := len(e.mail.Received()); n != 0 {
		t.Errorf("%d letters were sent", n)
	}
}
