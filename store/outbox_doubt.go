package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"foi/lifecycle"
)

// MarkInDoubt holds a letter whose fate is unknown (it was "sending", or is
// already in doubt): it is never tried again by itself, only when a person
// says so (Resend), and it is recorded as sent if the Sent folder or a
// person proves it (MarkSent, MarkSentByHand). An event is recorded when
// the letter first falls in doubt, not at every look. ErrConflict means
// the entry was neither sending nor in doubt.
func (s *Store) MarkInDoubt(ctx context.Context, id int64, reason string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		reqID, state, err := outboxState(ctx, tx, id)
		if err != nil {
			return err
		}
		if state != lifecycle.OutboxSending && state != lifecycle.OutboxInDoubt {
			return fmt.Errorf("hold outbox %d in doubt: it is %s: %w", id, state, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?`,
			lifecycle.OutboxInDoubt, reason, formatTime(now), id); err != nil {
			return err
		}
		if state == lifecycle.OutboxInDoubt {
			return nil
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventSendDeferred, Actor: "foi",
			Detail: "in doubt, not resent: " + reason})
	})
}

// Resend is a person's decision that a letter in doubt was not delivered:
// it is pending again, due now, with the same Message-ID and bytes.
// ErrConflict means it was not in doubt.
func (s *Store) Resend(ctx context.Context, id int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		reqID, state, err := outboxState(ctx, tx, id)
		if err != nil {
			return err
		}
		if state != lifecycle.OutboxInDoubt {
			return fmt.Errorf("resend outbox %d: it is %s, not in doubt: %w", id, state, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = '', next_attempt_at = ?, updated_at = ?
			WHERE id = ?`, lifecycle.OutboxPending, formatTime(now), formatTime(now), id); err != nil {
			return err
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventApproved, Actor: actorOf(ctx),
			Detail: "letter in doubt to be sent again (same Message-ID)"})
	})
}

// MarkSentByHand is a person's decision that a letter in doubt was
// delivered (they found it in their Sent folder, or the authority has it).
// ErrConflict means it was not in doubt.
func (s *Store) MarkSentByHand(ctx context.Context, id int64, now time.Time) error {
	var state lifecycle.OutboxState
	err := s.db.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("outbox %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if state != lifecycle.OutboxInDoubt {
		return fmt.Errorf("mark outbox %d sent: it is %s, not in doubt: %w", id, state, ErrConflict)
	}
	return s.MarkSent(ctx, id, now, "marked sent by hand"+byWhom(ctx))
}

func outboxState(ctx context.Context, tx *sql.Tx, id int64) (int64, lifecycle.OutboxState, error) {
	var reqID int64
	var state lifecycle.OutboxState
	err := tx.QueryRowContext(ctx, `SELECT request_id, state FROM outbox WHERE id = ?`, id).Scan(&reqID, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("outbox %d: %w", id, ErrNotFound)
	}
	return reqID, state, err
}

// ErrNoDoubt: the request has no letter held in doubt.
var ErrNoDoubt = errors.New("store: nothing in doubt")

// InDoubt is the request's letter held in doubt (ref, any case).
func (s *Store) InDoubt(ctx context.Context, ref string) (OutboxItem, error) {
	r, err := s.Request(ctx, ref)
	if err != nil {
		return OutboxItem{}, err
	}
	found, err := s.queryOutbox(ctx, `WHERE o.request_id = ? AND o.state = ? ORDER BY o.id`, r.ID, lifecycle.OutboxInDoubt)
	if err != nil {
		return OutboxItem{}, err
	}
	switch len(found) {
	case 0:
		return OutboxItem{}, fmt.Errorf("%s has no letter in doubt (see foi show %s): %w", r.Ref, r.Ref, ErrNoDoubt)
	case 1:
		return found[0], nil
	}
	return OutboxItem{}, fmt.Errorf("%s has %d letters in doubt; this should not happen: see foi show %s", r.Ref, len(found), r.Ref)
}
