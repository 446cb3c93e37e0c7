package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"foi/lifecycle"
)

// queued makes a campaign of one request with its first letter queued, and
// returns the store, the request and the outbox entry.
func queued(t *testing.T) (*Store, Request, OutboxItem) {
	t.Helper()
	st := open(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)
	if _, _, err := st.UpsertAuthorities(ctx, []Authority{{Name: "A", Email: "a@a.test", Jurisdiction: "foia"}}, now); err != nil {
		t.Fatal(err)
	}
	all, _ := st.Authorities(ctx)
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C1", Title: "t", LetterName: "l", Letter: "x", Selector: "all",
		RequesterName: "n", RequesterEmail: "r@r.test"}, []NewRequest{{AuthorityID: all[0].ID, Seq: 1, Ref: "C1-001", ToAddress: "a@a.test", MessageID: "c1-001.x@r.test"}}, now); err != nil {
		t.Fatal(err)
	}
	r, _ := st.Request(ctx, "C1-001")
	raw := []byte("Date: Fri, 01 Jan 2027 10:00:00 +0000\r\n\r\nplanned\r\n")
	sum, err := st.PutMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Enqueue(ctx, r.ID, Queued{Step: lifecycle.StepLetter, Letter: `{"Body":"planned"}`},
		Message{MessageID: "c1-001.x@r.test", SHA256: sum, Size: int64(len(raw)), Subject: "s", BodyText: "planned", Date: now}, now)
	if err != nil {
		t.Fatal(err)
	}
	it, err := st.OutboxItem(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return st, r, it
}

func TestClaimFinalPointsTheRowAtTheFinalBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, r, it := queued(t)
	at := time.Date(2027, 1, 5, 9, 30, 15, 0, time.UTC)
	raw := []byte("Date: Tue, 05 Jan 2027 09:30:15 +0000\r\n\r\nfinal\r\n")
	sum, err := st.PutMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := Final{Letter: `{"Body":"final"}`, SHA256: sum, Size: int64(len(raw)), Date: at, Subject: "s2", BodyText: "final", InReplyTo: "x@y", Refs: "x@y"}
	if err := st.ClaimFinal(ctx, it.ID, f, at); err != nil {
		t.Fatalf("ClaimFinal = %v", err)
	}
	got, _ := st.OutboxItem(ctx, it.ID)
	if got.State != lifecycle.OutboxSending || got.Attempts != 1 || got.Letter != f.Letter || got.SHA256 != sum || got.MessageID != it.MessageID || got.Subject != "s2" {
		t.Errorf("after ClaimFinal: %+v; want sending, 1 attempt, the final letter and bytes, the same Message-ID", got)
	}
	thread, _ := st.Thread(ctx, r.ID)
	if len(thread) != 1 || thread[0].SHA256 != sum || thread[0].Size != int64(len(raw)) || !thread[0].Date.Equal(at) || thread[0].BodyText != "final" || thread[0].InReplyTo != "x@y" {
		t.Errorf("message row %+v, want the final bytes, size, date and body", thread)
	}
	if err := st.ClaimFinal(ctx, it.ID, f, at); !errors.Is(err, ErrConflict) {
		t.Errorf("second ClaimFinal = %v, want ErrConflict", err)
	}
}

func TestClaimFinalRefusesBytesNotOnDisk(t *testing.T) {
	t.Parallel()
	st, _, it := queued(t)
	f := Final{Letter: "{}", SHA256: "00" + it.SHA256[2:], Size: 10, Date: time.Now()}
	if err := st.ClaimFinal(context.Background(), it.ID, f, time.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("ClaimFinal = %v, want ErrNotFound", err)
	}
	if got, _ := st.OutboxItem(context.Background(), it.ID); got.State != lifecycle.OutboxPending || got.SHA256 != it.SHA256 {
		t.Errorf("entry %s with %s, want pending and unchanged", got.State, got.SHA256)
	}
}

func TestBlockRecordsEachReasonOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, r, it := queued(t)
	now := time.Date(2027, 1, 5, 9, 30, 0, 0, time.UTC)
	reasons := []string{"smtp.password_file p: no such file", "smtp.password_file p: no such file", "535 credentials invalid", "535 credentials invalid"}
	for i, why := range reasons {
		if err := st.Block(ctx, it.ID, why, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("Block(%q) = %v", why, err)
		}
	}
	got, _ := st.OutboxItem(ctx, it.ID)
	if want := now.Add(3 * time.Minute); got.State != lifecycle.OutboxPending || !got.NextAttemptAt.Equal(want) || got.LastError != reasons[3] || got.Attempts != 0 {
		t.Errorf("after Block: %s, next %s, %q, %d attempts; want pending, due %s, the last reason, no attempt", got.State, got.NextAttemptAt, got.LastError, got.Attempts, want)
	}
	ev, _ := st.Events(ctx, r.ID)
	var blocked []string
	for _, e := range ev {
		if e.Kind == lifecycle.EventSendBlocked {
			blocked = append(blocked, e.Detail)
		}
	}
	if len(blocked) != 2 {
		t.Errorf("send_blocked events %q, want one per distinct reason (2)", blocked)
	}
	// A claimed entry may be blocked (the caller knows it did not go); a
	// sent one may not.
	if err := st.Claim(ctx, it.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := st.Block(ctx, it.ID, "553 sender rejected", now); err != nil {
		t.Errorf("Block of a claimed entry = %v", err)
	}
	if err := st.Claim(ctx, it.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSent(ctx, it.ID, now, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Block(ctx, it.ID, "late", now); !errors.Is(err, ErrConflict) {
		t.Errorf("Block of a sent entry = %v, want ErrConflict", err)
	}
}

func TestDuplicatesAreErrExists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, r, it := queued(t)
	now := time.Now()
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C1", Title: "again", LetterName: "l", Letter: "x", Selector: "all",
		RequesterName: "n", RequesterEmail: "r@r.test"}, nil, now); !errors.Is(err, ErrExists) {
		t.Errorf("CreateCampaign of an existing slug = %v, want ErrExists", err)
	}
	raw := []byte("another letter")
	sum, _ := st.PutMail(raw)
	m := Message{MessageID: "c1-001.y@r.test", SHA256: sum, Size: int64(len(raw))}
	if _, err := st.Enqueue(ctx, r.ID, Queued{Step: lifecycle.StepLetter, Letter: "{}"}, m, now); !errors.Is(err, ErrExists) {
		t.Errorf("second letter for the same step = %v, want ErrExists", err)
	}
	m.SHA256 = it.SHA256
	if _, err := st.Enqueue(ctx, r.ID, Queued{Step: lifecycle.StepManual, Letter: "{}"}, m, now); !errors.Is(err, ErrExists) {
		t.Errorf("a message with stored bytes already named = %v, want ErrExists", err)
	}
}

func TestIsDuplicate(t *testing.T) {
	t.Parallel()
	st := open(t, t.TempDir())
	_, dup := st.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'again', 'now')`)
	if _, err := st.DB().Exec(`CREATE TABLE u (k TEXT UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	st.DB().Exec(`INSERT INTO u (k) VALUES ('a')`)
	_, unique := st.DB().Exec(`INSERT INTO u (k) VALUES ('a')`)
	_, notNull := st.DB().Exec(`INSERT INTO schema_migrations (version) VALUES (99)`)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"primary key", dup, true},
		{"unique", fmt.Errorf("insert: %w", unique), true},
		{"not null", notNull, false},
		{"a text that says UNIQUE", errors.New("UNIQUE constraint failed: u.k"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := isDuplicate(tt.err); got != tt.want {
			t.Errorf("isDuplicate(%s: %v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// EnqueueBatch queues many letters in one transaction; one already queued
// for its step is refused alone (ErrExists) and leaves no row of itself.
func TestEnqueueBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t, t.TempDir())
	twoRequests(t, st)
	now := time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)
	r1, _ := st.Request(ctx, "C1-001")
	r2, _ := st.Request(ctx, "C1-002")
	msg := func(id string) Message {
		return Message{MessageID: id, SHA256: "s-" + id, Size: 1, Subject: "s", BodyText: "b", Date: now}
	}
	ids, errs, err := st.EnqueueBatch(ctx, []Enqueuing{
		{RequestID: r1.ID, Queued: Queued{Step: lifecycle.StepLetter, Letter: "{}"}, Message: msg("b1@r.test")},
		{RequestID: r2.ID, Queued: Queued{Step: lifecycle.StepLetter, Letter: "{}"}, Message: msg("b2@r.test")},
		{RequestID: r1.ID, Queued: Queued{Step: lifecycle.StepLetter, Letter: "{}"}, Message: msg("b3@r.test")},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] == 0 || ids[1] == 0 || errs[0] != nil || errs[1] != nil {
		t.Errorf("first two: ids %v errs %v", ids, errs)
	}
	if !errors.Is(errs[2], ErrExists) || ids[2] != 0 {
		t.Errorf("second letter for C1-001's first step: id %d err %v, want ErrExists", ids[2], errs[2])
	}
	var n int
	st.DB().QueryRow(`SELECT count(*) FROM messages WHERE message_id = 'b3@r.test'`).Scan(&n)
	if n != 0 {
		t.Errorf("the refused letter left %d message rows", n)
	}
	for _, id := range ids[:2] {
		if it, err := st.OutboxItem(ctx, id); err != nil || it.State != lifecycle.OutboxPending {
			t.Errorf("outbox %d: %+v %v", id, it, err)
		}
	}
}
