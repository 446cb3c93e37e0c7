package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"foi/lifecycle"
)

// A letter in doubt moves only as the table says: from sending (or in
// doubt) into doubt; out of it by a person's resend or mark-sent, or by
// MarkSent when the Sent folder has it.
func TestInDoubtTransitions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, r, it := queued(t)
	now := time.Date(2027, 1, 5, 9, 30, 0, 0, time.UTC)
	if err := st.MarkInDoubt(ctx, it.ID, "x", now); !errors.Is(err, ErrConflict) {
		t.Errorf("MarkInDoubt of a pending letter = %v, want ErrConflict", err)
	}
	if err := st.Claim(ctx, it.ID, now); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := st.MarkInDoubt(ctx, it.ID, "no reply to the data", now); err != nil {
			t.Fatalf("MarkInDoubt #%d = %v", i+1, err)
		}
	}
	got, _ := st.OutboxItem(ctx, it.ID)
	if got.State != lifecycle.OutboxInDoubt || got.LastError != "no reply to the data" {
		t.Errorf("after MarkInDoubt: %s (%q), want in_doubt with the reason", got.State, got.LastError)
	}
	evs, _ := st.Events(ctx, r.ID)
	n := 0
	for _, e := range evs {
		if e.Kind == lifecycle.EventSendDeferred {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d send_deferred events after 3 holds, want 1", n)
	}
	if err := st.Claim(ctx, it.ID, now); !errors.Is(err, ErrConflict) {
		t.Errorf("Claim of a letter in doubt = %v, want ErrConflict: it is never sent by itself", err)
	}
	if err := st.Resend(ctx, it.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.OutboxItem(ctx, it.ID); got.State != lifecycle.OutboxPending || !got.NextAttemptAt.Equal(now) || got.MessageID != it.MessageID {
		t.Errorf("after Resend: %s at %s, %s; want pending now, same Message-ID", got.State, got.NextAttemptAt, got.MessageID)
	}
	if err := st.MarkSentByHand(ctx, it.ID, now); !errors.Is(err, ErrConflict) {
		t.Errorf("MarkSentByHand of a pending letter = %v, want ErrConflict", err)
	}
	st.Claim(ctx, it.ID, now)
	st.MarkInDoubt(ctx, it.ID, "killed", now)
	if err := st.MarkSentByHand(ctx, it.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.OutboxItem(ctx, it.ID); got.State != lifecycle.OutboxSent {
		t.Errorf("after MarkSentByHand: %s, want sent", got.State)
	}
	if req, _ := st.Request(ctx, "C1-001"); req.State != lifecycle.Sent {
		t.Errorf("request %s, want sent", req.State)
	}
}

// Migration 0005 rebuilds the outbox table to allow in_doubt: every row
// survives with its id, and the constraints stay.
func TestOutboxInDoubtMigrationKeepsRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, it := queued(t)
	before, _ := st.OutboxItem(ctx, it.ID)
	body, err := migrations.ReadFile("migrations/0005_outbox_in_doubt.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, string(body)); err != nil {
		t.Fatalf("applying 0005 again over rows: %v", err)
	}
	after, err := st.OutboxItem(ctx, it.ID)
	if err != nil || after != before {
		t.Errorf("after 0005: %+v, %v; want %+v", after, err, before)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE outbox SET state = 'in_doubt' WHERE id = ?`, it.ID); err != nil {
		t.Errorf("in_doubt refused: %v", err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE outbox SET state = 'lost' WHERE id = ?`, it.ID); err == nil {
		t.Error("state 'lost' accepted, want the CHECK to refuse it")
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO outbox (request_id, message_id, step, letter, state, next_attempt_at, created_at, updated_at)
		SELECT request_id, message_id, 'x', letter, 'pending', next_attempt_at, created_at, updated_at FROM outbox WHERE id = ?`, it.ID); err == nil {
		t.Error("a second entry for the same message accepted, want UNIQUE to refuse it")
	}
}
