package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"foi/lifecycle"
	"os"
	"time"
)

// Event is one line of a request's append-only history.
type Event struct {
	ID        int64               `json:"id"`
	RequestID int64               `json:"-"`
	At        time.Time           `json:"at"`
	Kind      lifecycle.EventKind `json:"kind"`
	Actor     string              `json:"actor"`
	Detail    string              `json:"detail,omitempty"`
	MessageID int64               `json:"message,omitempty"`
	// From and To are the states a state change joins (EventState; empty
	// for events recorded before schema 4).
	From lifecycle.State `json:"from,omitempty"`
	To   lifecycle.State `json:"to,omitempty"`
}

func addEvent(ctx context.Context, tx *sql.Tx, e Event) error {
	var msg any
	if e.MessageID != 0 {
		msg = e.MessageID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (request_id, at, kind, actor, detail, message_id, from_state, to_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.RequestID, formatTime(e.At), e.Kind, e.Actor, e.Detail, msg, e.From, e.To)
	if err != nil {
		return fmt.Errorf("record event %s: %w", e.Kind, err)
	}
	return nil
}

// AddEvent appends one event.
func (s *Store) AddEvent(ctx context.Context, e Event) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return addEvent(ctx, tx, e) })
}

// Events returns a request's history, oldest first.
func (s *Store) Events(ctx context.Context, requestID int64) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE request_id = ? ORDER BY id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

// Message is the parsed columns of one stored mail; its exact bytes are on
// disk under its SHA-256.
type Message struct {
	ID        int64          `json:"id"`
	RequestID int64          `json:"-"`
	Direction string         `json:"direction"`
	MessageID string         `json:"message_id"`
	SHA256    string         `json:"sha256"`
	Size      int64          `json:"size"`
	Subject   string         `json:"subject"`
	From      string         `json:"from"`
	To        string         `json:"to"`
	Date      time.Time      `json:"date,omitzero"`
	InReplyTo string         `json:"in_reply_to,omitempty"`
	Refs      string         `json:"references,omitempty"`
	BodyText  string         `json:"-"`
	Kind      lifecycle.Kind `json:"kind,omitempty"`
	MatchRule string         `json:"match_rule,omitempty"`
	LowConf   bool           `json:"low_confidence,omitempty"`
	Flags     string         `json:"flags,omitempty"`
	CreatedAt time.Time      `json:"created_at"`

	// Set for received messages.
	Folder         string `json:"folder,omitempty"`
	UID            uint32 `json:"uid,omitempty"`
	Classification string `json:"-"` // JSON of Verdict, as filed
	Suggestions    string `json:"-"` // JSON of Suggested, as filed
	// Verdict is what classification suggested (nil for our letters).
	Verdict *Verdict `json:"verdict,omitempty"`
	// Suggested are the requests an unmatched message may belong to.
	Suggested     []Suggestion `json:"suggestions,omitempty"`
	MatchEvidence string       `json:"match_evidence,omitempty"`
	Unmatched     bool         `json:"unmatched,omitempty"`
}

func insertMessage(ctx context.Context, tx *sql.Tx, m Message, now time.Time) (int64, error) {
	var req any
	if m.RequestID != 0 {
		req = m.RequestID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (request_id, direction, message_id, sha256, size,
		subject, from_addr, to_addr, date, in_reply_to, refs, body_text, kind, match_rule, low_confidence,
		flags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		req, m.Direction, m.MessageID, m.SHA256, m.Size, m.Subject, m.From, m.To, nullTime(m.Date),
		m.InReplyTo, m.Refs, m.BodyText, m.Kind, m.MatchRule, m.LowConf, m.Flags, formatTime(now))
	if err != nil {
		if isDuplicate(err) {
			return 0, fmt.Errorf("message %s: %w", m.MessageID, ErrExists)
		}
		return 0, fmt.Errorf("insert message %s: %w", m.MessageID, err)
	}
	return res.LastInsertId()
}

// OutboxItem is one letter in the outbox with what sending it needs.
type OutboxItem struct {
	ID            int64                 `json:"id"`
	RequestID     int64                 `json:"-"`
	Ref           string                `json:"ref"`
	Campaign      string                `json:"campaign"`
	Step          lifecycle.Step        `json:"step"`
	State         lifecycle.OutboxState `json:"state"`
	Attempts      int                   `json:"attempts"`
	NextAttemptAt time.Time             `json:"next_attempt_at"`
	LastError     string                `json:"last_error,omitempty"`
	SentAt        time.Time             `json:"sent_at,omitzero"`
	SentCopy      string                `json:"sent_copy,omitempty"`
	Letter        string                `json:"-"`
	Kind          lifecycle.Kind        `json:"kind"`
	Subject       string                `json:"subject"`
	CreatedAt     time.Time             `json:"created_at"`
	MessageRowID  int64                 `json:"-"`
	MessageID     string                `json:"message_id"`
	SHA256        string                `json:"sha256"`
	From          string                `json:"from"`
	To            string                `json:"to"`
}

// Queued is how a letter enters the outbox.
type Queued struct {
	Step lifecycle.Step // schedule step; StepLetter for the first; StepManual for a letter written by hand
	Kind lifecycle.Kind // what the letter is (defaults to the step's kind)
	// Letter is the letter's fields as JSON (see mailer.Letter).
	Letter string
	// Draft: wait for approval instead of going out.
	Draft bool
	// NotBefore is the earliest time to send (zero: now).
	NotBefore time.Time
}

// Enqueue stores an outgoing message's row and its outbox entry, records the
// event and moves a draft request to queued, all in one transaction. The
// message's bytes must already be on disk (PutMail). A second letter for the
// same non-empty step of a request is refused with ErrExists: at most one
// letter per step, whatever restarts happen.
func (s *Store) Enqueue(ctx context.Context, requestID int64, q Queued, m Message, now time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = enqueue(ctx, tx, requestID, q, m, now)
		return err
	})
	return id, err
}

// Enqueuing is one letter for EnqueueBatch.
type Enqueuing struct {
	RequestID int64
	Queued    Queued
	Message   Message
}

// EnqueueBatch is Enqueue for many letters in one transaction (one commit
// for a campaign's first letters, issue 12). Each letter is its own
// savepoint: one refused (ErrExists, a letter for that step already
// queued) leaves nothing of itself and the others go in; errs[i] says
// which. Any other fault rolls the whole batch back and is returned.
func (s *Store) EnqueueBatch(ctx context.Context, batch []Enqueuing, now time.Time) (ids []int64, errs []error, err error) {
	ids, errs = make([]int64, len(batch)), make([]error, len(batch))
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for i, e := range batch {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT enqueue_one`); err != nil {
				return err
			}
			id, err := enqueue(ctx, tx, e.RequestID, e.Queued, e.Message, now)
			if err != nil {
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO enqueue_one`); rerr != nil {
					return rerr
				}
				if !errors.Is(err, ErrExists) {
					return err
				}
				errs[i] = err
			}
			ids[i] = id
			if _, err := tx.ExecContext(ctx, `RELEASE enqueue_one`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ids, errs, nil
}

func enqueue(ctx context.Context, tx *sql.Tx, requestID int64, q Queued, m Message, now time.Time) (int64, error) {
	if q.Kind == "" {
		q.Kind = q.Step.Kind()
	}
	state, next := lifecycle.OutboxPending, q.NotBefore
	if q.Draft {
		state = lifecycle.OutboxDraft
	}
	if next.IsZero() {
		next = now
	}
	m.RequestID, m.Direction, m.Kind = requestID, "out", q.Kind
	mid, err := insertMessage(ctx, tx, m, now)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (request_id, message_id, step, letter, state, next_attempt_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		requestID, mid, q.Step, q.Letter, state, formatTime(next), formatTime(now), formatTime(now))
	if err != nil {
		if isDuplicate(err) {
			return 0, fmt.Errorf("outbox step %s: %w", q.Step, ErrExists)
		}
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET state = ?, updated_at = ? WHERE id = ? AND state = ?`,
		lifecycle.Queued, formatTime(now), requestID, lifecycle.Draft); err != nil {
		return 0, err
	}
	kind, what := lifecycle.EventQueued, "queued"
	if q.Draft {
		kind, what = lifecycle.EventDrafted, "drafted for approval"
	}
	return id, addEvent(ctx, tx, Event{RequestID: requestID, At: now, Kind: kind, Actor: "foi",
		Detail: fmt.Sprintf("%s %s as %s", q.Kind, what, m.MessageID), MessageID: mid})
}

// RequestOutbox lists one request's outbox entries in order.
func (s *Store) RequestOutbox(ctx context.Context, requestID int64) ([]OutboxItem, error) {
	return s.queryOutbox(ctx, `WHERE o.request_id = ? ORDER BY o.id`, requestID)
}

// Drafts lists the letters waiting for approval.
func (s *Store) Drafts(ctx context.Context) ([]OutboxItem, error) {
	return s.queryOutbox(ctx, `WHERE o.state = ? ORDER BY o.id`, lifecycle.OutboxDraft)
}

// Approve releases a draft to be sent at next (it stays a draft if it was
// not one: ErrConflict).
func (s *Store) Approve(ctx context.Context, id int64, next, now time.Time) error {
	return s.changeOutbox(ctx, id, lifecycle.OutboxDraft, lifecycle.OutboxPending, next, lifecycle.EventApproved, actorOf(ctx), now)
}

// Discard cancels a draft for good.
func (s *Store) Discard(ctx context.Context, id int64, now time.Time) error {
	return s.changeOutbox(ctx, id, lifecycle.OutboxDraft, lifecycle.OutboxCancelled, time.Time{}, lifecycle.EventDiscarded, actorOf(ctx), now)
}

// Hold takes a letter waiting to be sent back to a draft: it goes only
// once approved again. ErrConflict if it was not waiting.
func (s *Store) Hold(ctx context.Context, id int64, now time.Time) error {
	return s.changeOutbox(ctx, id, lifecycle.OutboxPending, lifecycle.OutboxDraft, time.Time{}, lifecycle.EventDrafted, actorOf(ctx), now)
}

// Cancel drops a letter that is no longer due (it was never sent).
func (s *Store) Cancel(ctx context.Context, id int64, why string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID int64
		var step lifecycle.Step
		if err := tx.QueryRowContext(ctx, `SELECT request_id, step FROM outbox WHERE id = ?`, id).Scan(&reqID, &step); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?
			AND state IN (?, ?, ?)`, lifecycle.OutboxCancelled, why, formatTime(now), id, lifecycle.OutboxPending, lifecycle.OutboxTempFailed, lifecycle.OutboxDraft)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("cancel outbox %d: %w", id, ErrConflict)
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventCancelled, Actor: "foi", Detail: string(step) + " not sent: " + why})
	})
}

// Reschedule moves a waiting letter's next attempt without counting one.
func (s *Store) Reschedule(ctx context.Context, id int64, next, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND state IN (?, ?)`,
		formatTime(next), formatTime(now), id, lifecycle.OutboxPending, lifecycle.OutboxTempFailed)
	return err
}

func (s *Store) changeOutbox(ctx context.Context, id int64, from, to lifecycle.OutboxState, next time.Time, what lifecycle.EventKind, actor string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID int64
		var step lifecycle.Step
		var state lifecycle.OutboxState
		err := tx.QueryRowContext(ctx, `SELECT request_id, step, state FROM outbox WHERE id = ?`, id).Scan(&reqID, &step, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox entry %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if state != from {
			return fmt.Errorf("outbox entry %d is %s, not %s: %w", id, state, from, ErrConflict)
		}
		q := `UPDATE outbox SET state = ?, updated_at = ? WHERE id = ?`
		args := []any{to, formatTime(now), id}
		if !next.IsZero() {
			q = `UPDATE outbox SET state = ?, updated_at = ?, next_attempt_at = ? WHERE id = ?`
			args = []any{to, formatTime(now), formatTime(next), id}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: what, Actor: actor, Detail: string(step) + " " + string(what)})
	})
}

// UpdateDraft replaces a draft's letter (after editing): new bytes, same
// Message-ID.
func (s *Store) UpdateDraft(ctx context.Context, id int64, letter string, m Message, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var mid int64
		var state lifecycle.OutboxState
		if err := tx.QueryRowContext(ctx, `SELECT message_id, state FROM outbox WHERE id = ?`, id).Scan(&mid, &state); err != nil {
			return err
		}
		if state != lifecycle.OutboxDraft {
			return fmt.Errorf("outbox entry %d is %s: only drafts can be edited: %w", id, state, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET sha256 = ?, size = ?, subject = ?, body_text = ? WHERE id = ?`,
			m.SHA256, m.Size, m.Subject, m.BodyText, mid); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET letter = ?, updated_at = ? WHERE id = ?`, letter, formatTime(now), id)
		return err
	})
}

const outboxCols = `o.id, o.request_id, r.ref, c.slug, o.step, o.state, o.attempts, o.next_attempt_at,
	o.last_error, o.sent_at, o.sent_copy, o.letter, m.kind, m.subject, o.created_at, m.id, m.message_id, m.sha256, m.from_addr, m.to_addr`

const outboxFrom = ` FROM outbox o JOIN requests r ON r.id = o.request_id JOIN campaigns c ON c.id = r.campaign_id
	JOIN messages m ON m.id = o.message_id `

func (s *Store) queryOutbox(ctx context.Context, where string, args ...any) ([]OutboxItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+outboxCols+outboxFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []OutboxItem
	for rows.Next() {
		var o OutboxItem
		var next, sent, created sql.NullString
		if err := rows.Scan(&o.ID, &o.RequestID, &o.Ref, &o.Campaign, &o.Step, &o.State, &o.Attempts, &next,
			&o.LastError, &sent, &o.SentCopy, &o.Letter, &o.Kind, &o.Subject, &created, &o.MessageRowID, &o.MessageID, &o.SHA256, &o.From, &o.To); err != nil {
			return nil, err
		}
		o.NextAttemptAt, o.SentAt, o.CreatedAt = parseTime(next), parseTime(sent), parseTime(created)
		list = append(list, o)
	}
	return list, rows.Err()
}

// Outbox lists a campaign's outbox (every campaign if slug is "") in order.
func (s *Store) Outbox(ctx context.Context, slug string) ([]OutboxItem, error) {
	if slug == "" {
		return s.queryOutbox(ctx, `ORDER BY o.id`)
	}
	return s.queryOutbox(ctx, `WHERE c.slug = ? ORDER BY o.id`, slug)
}

// OutboxItem returns one outbox entry.
func (s *Store) OutboxItem(ctx context.Context, id int64) (OutboxItem, error) {
	list, err := s.queryOutbox(ctx, `WHERE o.id = ?`, id)
	if err != nil {
		return OutboxItem{}, err
	}
	if len(list) == 0 {
		return OutboxItem{}, fmt.Errorf("outbox %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// Claim marks a pending or temporarily failed entry as sending, counting
// the attempt. It is committed before the SMTP transaction starts, so that
// after a crash the entry is known to be in doubt. ErrConflict means the
// entry was not waiting to be sent.
func (s *Store) Claim(ctx context.Context, id int64, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND state IN (?, ?)`, lifecycle.OutboxSending, formatTime(now), id, lifecycle.OutboxPending, lifecycle.OutboxTempFailed)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("claim outbox %d: %w", id, ErrConflict)
	}
	return nil
}

// Final is a letter's final form, fixed when the outbox claims it: dated
// at the moment it goes, its bytes already on disk (PutMail) under SHA256.
// The Message-ID, sender and recipient never change.
type Final struct {
	// Letter is the letter's fields as JSON (see mailer.Letter).
	Letter    string
	SHA256    string
	Size      int64
	Date      time.Time
	Subject   string
	BodyText  string
	InReplyTo string
	Refs      string
}

// ClaimFinal is Claim for a letter written out anew at the moment it goes:
// in one transaction the entry becomes "sending" (counting the attempt) and
// takes the final letter's fields, and its message row points at the final
// bytes, so that the bytes named by the row are exactly those sent.
// ErrConflict means the entry was not waiting to be sent; ErrNotFound that
// the bytes are not on disk.
func (s *Store) ClaimFinal(ctx context.Context, id int64, f Final, now time.Time) error {
	if st, err := os.Stat(s.MailPath(f.SHA256)); err != nil || st.Size() != f.Size {
		return fmt.Errorf("claim outbox %d: mail %s (%d bytes) is not on disk: %w", id, f.SHA256, f.Size, ErrNotFound)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, letter = ?, updated_at = ?
			WHERE id = ? AND state IN (?, ?)`, lifecycle.OutboxSending, f.Letter, formatTime(now), id, lifecycle.OutboxPending, lifecycle.OutboxTempFailed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("claim outbox %d: %w", id, ErrConflict)
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET sha256 = ?, size = ?, date = ?, subject = ?, body_text = ?,
			in_reply_to = ?, refs = ? WHERE id = (SELECT message_id FROM outbox WHERE id = ?)`,
			f.SHA256, f.Size, nullTime(f.Date), f.Subject, f.BodyText, f.InReplyTo, f.Refs, id)
		if isDuplicate(err) {
			return fmt.Errorf("claim outbox %d: mail %s: %w", id, f.SHA256, ErrExists)
		}
		return err
	})
}

// Block puts a letter back to wait after a fault of ours stopped sending (a
// missing secret, TLS, AUTH, a refusal of our sender address): it is
// pending again, due at once, with the reason in last_error. An event is
// recorded when the reason is new for the entry, not at every attempt.
// Nothing is counted against the letter. The caller must know the letter
// did not go: an entry it claimed may be blocked only when the failure came
// before the letter's own RCPT TO. ErrConflict means the entry is neither
// waiting nor sending.
func (s *Store) Block(ctx context.Context, id int64, reason string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID int64
		var kind lifecycle.Kind
		var state lifecycle.OutboxState
		var last string
		err := tx.QueryRowContext(ctx, `SELECT o.request_id, m.kind, o.state, o.last_error FROM outbox o
			JOIN messages m ON m.id = o.message_id WHERE o.id = ?`, id).Scan(&reqID, &kind, &state, &last)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !state.Due() && state != lifecycle.OutboxSending {
			return fmt.Errorf("block outbox %d: it is %s: %w", id, state, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ?
			WHERE id = ?`, lifecycle.OutboxPending, reason, formatTime(now), formatTime(now), id); err != nil {
			return err
		}
		if last == reason {
			return nil
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventSendBlocked, Actor: "foi",
			Detail: fmt.Sprintf("%s not sent, waiting: %s", kind, reason)})
	})
}

// MarkSent records a delivered letter: the outbox entry, the request's
// delivery time (and state, for the first letter) and the event, at once.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time, how string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID, msgID int64
		var step lifecycle.Step
		var state lifecycle.OutboxState
		var kind lifecycle.Kind
		err := tx.QueryRowContext(ctx, `SELECT o.request_id, o.message_id, o.step, o.state, m.kind FROM outbox o
			JOIN messages m ON m.id = o.message_id WHERE o.id = ?`, id).Scan(&reqID, &msgID, &step, &state, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if state == lifecycle.OutboxSent {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, sent_at = ?, last_error = '', updated_at = ?
			WHERE id = ?`, lifecycle.OutboxSent, formatTime(at), formatTime(at), id); err != nil {
			return err
		}
		var ref string
		var reqState lifecycle.State
		if err := tx.QueryRowContext(ctx, `SELECT ref, state FROM requests WHERE id = ?`, reqID).Scan(&ref, &reqState); err != nil {
			return err
		}
		if step != lifecycle.StepLetter {
			if mv, ok := lifecycle.OnSent(step, kind, reqState); ok {
				if err := setState(ctx, tx, ref, mv.To, "foi", mv.Note, at); err != nil {
					return err
				}
			}
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE requests SET state = CASE WHEN state IN (?, ?) THEN ? ELSE state END,
				sent_at = coalesce(sent_at, ?), updated_at = ? WHERE id = ?`,
				lifecycle.Draft, lifecycle.Queued, lifecycle.Sent, formatTime(at), formatTime(at), reqID); err != nil {
				return err
			}
		}
		detail := string(kind) + " sent"
		if how != "" {
			detail += " (" + how + ")"
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: at, Kind: lifecycle.EventSent, Actor: "foi", Detail: detail, MessageID: msgID})
	})
}

// MarkTempFailed records a temporary failure and when to try again.
func (s *Store) MarkTempFailed(ctx context.Context, id int64, reason string, next, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID int64
		if err := tx.QueryRowContext(ctx, `SELECT request_id FROM outbox WHERE id = ?`, id).Scan(&reqID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ?
			WHERE id = ?`, lifecycle.OutboxTempFailed, reason, formatTime(next), formatTime(now), id); err != nil {
			return err
		}
		return addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventSendDeferred, Actor: "foi",
			Detail: fmt.Sprintf("temporary failure, retry at %s: %s", next.UTC().Format(time.RFC3339), reason)})
	})
}

// MarkFailed records a permanent failure: the entry is never retried and
// the request goes to delivery_failed with the server's words.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var reqID int64
		var ref string
		if err := tx.QueryRowContext(ctx, `SELECT o.request_id, r.ref FROM outbox o JOIN requests r ON r.id = o.request_id
			WHERE o.id = ?`, id).Scan(&reqID, &ref); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?`,
			lifecycle.OutboxFailed, reason, formatTime(now), id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventSendFailed, Actor: "foi", Detail: reason}); err != nil {
			return err
		}
		return setState(ctx, tx, ref, lifecycle.DeliveryFailed, "foi", "refused at SMTP: "+reason, now)
	})
}

// SetSentCopy records what became of the copy in the Sent folder
// ("appended", "found", "skipped", or an error text to retry later).
func (s *Store) SetSentCopy(ctx context.Context, id int64, v string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET sent_copy = ? WHERE id = ?`, v, id)
	return err
}
