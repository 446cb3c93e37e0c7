package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"foi/lifecycle"
	"time"
)

// EditDraft replaces a draft's letter with a person's edit and records it,
// in one transaction: the outbox entry takes the new letter (JSON, see
// mailer.Letter) and its message row the new bytes (already on disk,
// PutMail), under the same Message-ID, and an "edited" event by the user
// says so. ErrNotFound means there is no such entry; ErrConflict that it is
// no longer a draft (approved, sent or discarded), and nothing changed.
func (s *Store) EditDraft(ctx context.Context, id int64, letter string, m Message, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID, mid int64
		var step lifecycle.Step
		var kind lifecycle.Kind
		var state lifecycle.OutboxState
		err := tx.QueryRowContext(ctx, `SELECT o.request_id, o.message_id, o.step, m.kind, o.state FROM outbox o
			JOIN messages m ON m.id = o.message_id WHERE o.id = ?`, id).Scan(&reqID, &mid, &step, &kind, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox entry %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if state != lifecycle.OutboxDraft {
			return fmt.Errorf("outbox entry %d is %s, no longer a draft: %w", id, state, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET sha256 = ?, size = ?, subject = ?, body_text = ? WHERE id = ?`,
			m.SHA256, m.Size, m.Subject, m.BodyText, mid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET letter = ?, updated_at = ? WHERE id = ?`, letter, formatTime(now), id); err != nil {
			return err
		}
		what := string(step)
		if what == "" {
			what = string(kind)
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventEdited, Actor: actorOf(ctx),
			Detail: fmt.Sprintf("%s draft %d edited", what, id), MessageID: mid})
	})
}
