package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"foi/store"
)

// dumpTable is every row of a table, one line each, in id order.
func dumpTable(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v|", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// blobs is every blob in a data folder: "kind/xx/hash" → its contents.
func blobs(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, kind := range store.BlobKinds {
		files, err := st.BlobFiles(kind)
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range files {
			out[string(kind)+"/"+name] = readFile(t, p)
		}
	}
	return out
}

func countIncoming(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM messages WHERE direction = 'in'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The tables whose rows never change once written: a backup's rows must
// all be in the live database as they are.
var immutableTables = []string{"attachments", "events"}

func openDataDir(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestBackupDuringServeThenRestore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 5)
	e.must("send", "LXP7")
	sent := e.mail.Received()
	const replies = 40
	var mails [][]byte
	for i := 0; i < replies; i++ {
		mails = append(mails, replyWithFiles(t, sent[i%len(sent)].Data, i,
			mailFile{fmt.Sprintf("response-%02d.pdf", i), fmt.Sprintf("%%PDF-1.4 response %d", i)},
			mailFile{"disclosure-log.pdf", "%PDF-1.4 the same log in every reply"}))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan int, 1)
	var serveOut, serveErr bytes.Buffer
	go func() { served <- run(ctx, []string{"--config", e.cfg, "serve"}, &serveOut, &serveErr) }()
	delivered := make(chan struct{})
	go func() {
		defer close(delivered)
		for _, m := range mails {
			e.mail.Deliver("INBOX", m, time.Now())
			time.Sleep(15 * time.Millisecond)
		}
	}()

	live := openStore(t, e)
	waitFor(t, 10*time.Second, "foi serve to file the first replies", func() bool { return countIncoming(t, live) >= 5 })
	during := filepath.Join(e.dir, "during.tar.gz")
	e.must("backup", during)
	filedAtBackup := countIncoming(t, live)

	<-delivered
	waitFor(t, 20*time.Second, "foi serve to file every reply", func() bool { return countIncoming(t, live) == replies })
	cancel()
	select {
	case code := <-served:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, serveErr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	t.Logf("backup taken with %d of %d replies filed", filedAtBackup, replies)

	// The backup taken while mail arrived is the database at one instant:
	// every row it holds is in the live database, unchanged, and every blob
	// it names is there with its hash (foi check).
	r1 := filepath.Join(e.dir, "restored-during")
	out := e.must("restore", during, r1)
	if !strings.Contains(out, "data_dir: "+r1) {
		t.Errorf("restore output does not say how to point foi.yaml at %s:\n%s", r1, out)
	}
	e.must("check", "--data", r1)
	back := openDataDir(t, r1)
	if n := countIncoming(t, back); n < 5 || n > replies {
		t.Errorf("backup during ingest holds %d replies, want between 5 and %d", n, replies)
	}
	for _, table := range immutableTables {
		liveRows := map[string]bool{}
		for _, r := range dumpTable(t, live.DB(), table) {
			liveRows[r] = true
		}
		for _, r := range dumpTable(t, back.DB(), table) {
			if !liveRows[r] {
				t.Errorf("%s row %s from the backup is not in the live database", table, r)
			}
		}
	}
	// Messages' parsed columns may change after filing (state, flags); the
	// row and its bytes may not.
	liveMsgs := map[string]bool{}
	for _, r := range idSums(t, live, `SELECT id, sha256 FROM messages`) {
		liveMsgs[r] = true
	}
	for _, r := range idSums(t, back, `SELECT id, sha256 FROM messages`) {
		if !liveMsgs[r] {
			t.Errorf("message %s from the backup is not in the live database", r)
		}
	}
	liveBlobs := blobs(t, live)
	for name, data := range blobs(t, back) {
		if liveBlobs[name] != data {
			t.Errorf("blob %s from the backup differs from the live one", name)
		}
	}

	// A backup once everything is filed brings back every message, file and
	// event exactly, and foi.yaml pointed at it passes foi check.
	after := filepath.Join(e.dir, "after.tar.gz")
	e.must("backup", after)
	r2 := filepath.Join(e.dir, "restored-after")
	e.must("restore", after, r2)
	cfg2 := filepath.Join(e.dir, "foi-restored.yaml")
	if err := os.WriteFile(cfg2, []byte(strings.Replace(readFile(t, e.cfg), "data_dir: data", "data_dir: "+r2, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	var cout, cerr bytes.Buffer
	if code := run(context.Background(), []string{"--config", cfg2, "check"}, &cout, &cerr); code != 0 {
		t.Fatalf("foi check on the restored folder: exit %d\n%s%s", code, cout.String(), cerr.String())
	}
	if !strings.Contains(cout.String(), r2) || !strings.Contains(cout.String(), "0 problems, 0 orphans") {
		t.Errorf("foi check output = %q, want it to name %s and find nothing", cout.String(), r2)
	}
	whole := openDataDir(t, r2)
	for _, table := range []string{"messages", "attachments", "events", "requests", "outbox"} {
		got, want := dumpTable(t, whole.DB(), table), dumpTable(t, live.DB(), table)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("restored %s: %d rows, want %d identical to the live ones", table, len(got), len(want))
		}
	}
	// The backup holds the blobs rows name, not the orphans.
	want := map[string]string{}
	refs, err := live.BlobRefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		name := string(r.Kind) + "/" + store.BlobName(r.SHA256)
		want[name] = liveBlobs[name]
	}
	got := blobs(t, whole)
	if len(got) != len(want) {
		t.Errorf("restored %d blobs, want %d", len(got), len(want))
	}
	for name, data := range want {
		if got[name] != data {
			t.Errorf("blob %s not restored with its bytes", name)
		}
	}
	if n := countIncoming(t, whole); n != replies {
		t.Errorf("restored %d replies, want %d", n, replies)
	}

	// Restoring over the folder just restored is refused.
	code, _, errOut := e.foi("restore", after, r2)
	if code != 1 || !strings.Contains(errOut, "not empty") {
		t.Errorf("restore into a non-empty folder: exit %d, %q; want 1 and \"not empty\"", code, errOut)
	}
}

// idSums runs a query for ids and hashes and returns "id|sha256" lines.
func idSums(t *testing.T, st *store.Store, query string) []string {
	t.Helper()
	r, err := st.DB().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var id int64
		var sum string
		if err := r.Scan(&id, &sum); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d|%s", id, sum))
	}
	return out
}

func TestCheckNamesDamagedBlobs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// damage harms the data folder and returns what the output must name.
		damage func(t *testing.T, st *store.Store) string
		code   int
	}{
		// A letter's bytes as composed before it went may be left behind by
		// the final, dated ones: orphans, which warn but do not fail.
		{"intact", func(*testing.T, *store.Store) string { return "; 0 problems, " }, 0},
		{"deleted reply", func(t *testing.T, st *store.Store) string {
			var id int64
			var sum string
			if err := st.DB().QueryRow(`SELECT id, sha256 FROM messages WHERE direction = 'in'`).Scan(&id, &sum); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(st.MailPath(sum)); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("problem: mail/%s is missing (named by message %d)", store.BlobName(sum), id)
		}, 1},
		{"corrupted attachment", func(t *testing.T, st *store.Store) string {
			var sum string
			if err := st.DB().QueryRow(`SELECT sha256 FROM attachments WHERE name = 'answer.pdf'`).Scan(&sum); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(st.FilePath(sum), []byte("%PDF-1.4 tampered"), 0o600); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("problem: files/%s is corrupt", store.BlobName(sum))
		}, 1},
		{"orphan", func(t *testing.T, st *store.Store) string {
			sum, err := st.PutFile([]byte("no row names this"))
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("warning: files/%s is an orphan", store.BlobName(sum))
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{})
			setupCampaign(t, e, 2)
			e.must("send", "LXP7")
			e.mail.Deliver("INBOX", replyWithFiles(t, e.mail.Received()[0].Data, 1, mailFile{"answer.pdf", "%PDF-1.4 the answer"}), time.Now())
			e.must("sync")
			want := tt.damage(t, openStore(t, e))
			code, out, errOut := e.foi("check")
			if code != tt.code {
				t.Fatalf("foi check: exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, want) {
				t.Errorf("foi check output:\n%s\nwant it to contain %q", out, want)
			}
			if tt.code != 0 && !strings.Contains(errOut, "1 problem found") {
				t.Errorf("foi check stderr = %q, want the count of problems", errOut)
			}
		})
	}
}

func TestCheckRefusesAMissingDataFolder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	missing := filepath.Join(e.dir, "nowhere")
	code, _, errOut := e.foi("check", "--data", missing)
	if code != 1 || !strings.Contains(errOut, missing) {
		t.Errorf("check --data %s: exit %d, %q; want 1 naming the folder", missing, code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("check made %s", missing)
	}
}
