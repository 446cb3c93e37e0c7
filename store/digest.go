package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DigestKind is which of the volunteers' digests a row records.
type DigestKind string

// Kinds of digest.
const (
	DigestDaily  DigestKind = "daily"  // at most once a day
	DigestUrgent DigestKind = "urgent" // at once, for a bounce or an identity challenge
)

// Digest is one digest sent to the volunteers.
type Digest struct {
	ID   int64
	Kind DigestKind
	// Day is the London date of a daily digest, as YYYY-MM-DD.
	Day string
	// Through is the highest message row the digest reported.
	Through    int64
	Recipients []string
	MessageID  string
	SentAt     time.Time
}

// LastDigest is the latest digest of a kind; ok is false if none was sent.
func (s *Store) LastDigest(ctx context.Context, kind DigestKind) (d Digest, ok bool, err error) {
	var day sql.NullString
	var rcpt, sent string
	err = s.db.QueryRowContext(ctx, `SELECT id, kind, day, through_message, recipients, message_id, sent_at
		FROM digests WHERE kind = ? ORDER BY id DESC LIMIT 1`, string(kind)).
		Scan(&d.ID, &d.Kind, &day, &d.Through, &rcpt, &d.MessageID, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return Digest{}, false, nil
	}
	if err != nil {
		return Digest{}, false, err
	}
	d.Day, d.Recipients = day.String, strings.Split(rcpt, ", ")
	d.SentAt = parseTime(sql.NullString{String: sent, Valid: true})
	return d, true, nil
}

// RecordDigest records a digest as sent. A second daily digest for the
// same day is refused with ErrExists.
func (s *Store) RecordDigest(ctx context.Context, d Digest) error {
	var day any
	if d.Kind == DigestDaily {
		day = d.Day
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO digests (kind, day, through_message, recipients, message_id, sent_at)
		VALUES (?, ?, ?, ?, ?, ?)`, string(d.Kind), day, d.Through, strings.Join(d.Recipients, ", "), d.MessageID, formatTime(d.SentAt))
	if isDuplicate(err) {
		return fmt.Errorf("the daily digest of %s was sent already: %w", d.Day, ErrExists)
	}
	return err
}

// Arrival is a received message with the request it was filed to ("" for
// one waiting in the unmatched queue).
type Arrival struct {
	Message
	Ref       string
	Authority string
}

// ReceivedAfter lists the received messages stored after the message row
// after, oldest first, with their requests.
func (s *Store) ReceivedAfter(ctx context.Context, after int64) ([]Arrival, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.subject, m.from_addr, m.date, m.kind, m.created_at, m.unmatched,
			m.classification, coalesce(r.ref, ''), coalesce(a.name, '')
		FROM messages m LEFT JOIN requests r ON r.id = m.request_id LEFT JOIN authorities a ON a.id = r.authority_id
		WHERE m.direction = 'in' AND m.id > ? ORDER BY m.id`, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Arrival
	for rows.Next() {
		var a Arrival
		var date, created sql.NullString
		if err := rows.Scan(&a.ID, &a.Subject, &a.From, &date, &a.Kind, &created, &a.Unmatched,
			&a.Classification, &a.Ref, &a.Authority); err != nil {
			return nil, err
		}
		a.Direction = "in"
		a.Date, a.CreatedAt = parseTime(date), parseTime(created)
		a.Verdict = decodeVerdict(a.Classification)
		list = append(list, a)
	}
	return list, rows.Err()
}
