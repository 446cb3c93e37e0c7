package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"foi/lifecycle"
)

// ErrNotBounced: only a request whose letter was not delivered can be sent
// again to a new address.
var ErrNotBounced = errors.New("store: the request did not bounce")

// Reissue prepares a request whose letter bounced (delivery_failed) to be
// sent again, to addr, under the same reference with a new Message-ID: the
// request is queued again with no delivery time (the statutory clock starts
// from the new delivery, FOIA s.10(1): the authority never received the
// first), and the bounced attempt stays in the thread and the outbox, no
// longer as the request's letter. The caller then queues the letter
// (campaign.Reissue). ErrNotBounced if the request is not delivery_failed.
func (s *Store) Reissue(ctx context.Context, ref, addr, messageID string, now time.Time) (Request, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(addr))
	if err != nil || !strings.Contains(a.Address, "@") {
		return Request{}, fmt.Errorf("send %s again: %q is not an email address", ref, addr)
	}
	ref = strings.ToUpper(ref)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var state lifecycle.State
		var old string
		err := tx.QueryRowContext(ctx, `SELECT id, state, to_address FROM requests WHERE ref = ?`, ref).Scan(&id, &state, &old)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("request %s: %w", ref, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if state != lifecycle.DeliveryFailed {
			return fmt.Errorf("request %s is %s: %w", ref, state, ErrNotBounced)
		}
		// The bounced attempt keeps its row, as a letter of no step, so
		// that the request's letter can be queued again.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET step = '', updated_at = ? WHERE request_id = ? AND step = ?`,
			formatTime(now), id, lifecycle.StepLetter); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET to_address = ?, message_id = ?, sent_at = NULL, updated_at = ? WHERE id = ?`,
			a.Address, messageID, formatTime(now), id); err != nil {
			if isDuplicate(err) {
				return fmt.Errorf("message-id %s: %w", messageID, ErrExists)
			}
			return err
		}
		if err := addEvent(ctx, tx, Event{RequestID: id, At: now, Kind: lifecycle.EventRedirect, Actor: actorOf(ctx),
			Detail: fmt.Sprintf("the request bounced from %s; it goes again to %s, same reference, new Message-ID", old, a.Address)}); err != nil {
			return err
		}
		// Draft, as a request not sent yet: queueing its letter makes it
		// queued, and should that fail, foi send queues it as any other.
		return setState(ctx, tx, ref, lifecycle.Draft, actorOf(ctx), "to be sent again to "+a.Address, now)
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, ref)
}
