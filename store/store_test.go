package store

import (
	"context"
	"foi/lifecycle"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	st, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestMigrationsApplyOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st := open(t, dir)
	v, err := st.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	st.Close()
	st = open(t, dir)
	var n int
	st.DB().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	// Each helper owns its number, so numbers may be missing: one row per
	// migration file, the highest being the version.
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if n != len(files) {
		t.Errorf("%d migration rows after reopening, want %d (one per file)", n, len(files))
	}
	var mode string
	st.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	var fk int
	st.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode %s, foreign_keys %d; want wal, 1", mode, fk)
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	st := open(t, t.TempDir())
	ctx := context.Background()
	now := time.Now()
	if _, _, err := st.UpsertAuthorities(ctx, []Authority{{Name: "A", Email: "a@a.test", Jurisdiction: "foia", Tags: []string{"x"}}}, now); err != nil {
		t.Fatal(err)
	}
	all, _ := st.Authorities(ctx)
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C1", Title: "t", LetterName: "l", Letter: "x", Selector: "all",
		RequesterName: "n", RequesterEmail: "r@r.test"}, []NewRequest{{AuthorityID: all[0].ID, Seq: 1, Ref: "C1-001", ToAddress: "a@a.test", MessageID: "c1-001.x@r.test"}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE events SET detail = 'rewritten'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE events = %v, want refused", err)
	}
	if _, err := st.DB().Exec(`DELETE FROM events`); err == nil {
		t.Error("DELETE FROM events succeeded")
	}
	// A state change is one more event.
	if err := st.SetState(ctx, "c1-001", lifecycle.Withdrawn, "user", "no longer needed", now); err != nil {
		t.Fatal(err)
	}
	r, _ := st.Request(ctx, "C1-001")
	ev, _ := st.Events(ctx, r.ID)
	if r.State != lifecycle.Withdrawn || len(ev) != 2 || !strings.Contains(ev[1].Detail, "draft → withdrawn: no longer needed") {
		t.Errorf("state %s, events %+v", r.State, ev)
	}
}

func TestBlobsAreContentAddressed(t *testing.T) {
	st := open(t, t.TempDir())
	sum, err := st.PutMail([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if sum != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Errorf("sum = %s, want sha256(hello)", sum)
	}
	b, err := os.ReadFile(st.MailPath(sum))
	if err != nil || string(b) != "hello" {
		t.Errorf("read back %q, %v", b, err)
	}
	again, _ := st.PutMail([]byte("hello"))
	if again != sum {
		t.Error("same bytes, different name")
	}
}
