package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"foi/lifecycle"
)

// Removing and archiving (migration 0010). A thing made by mistake that has
// sent nothing is removed: its rows go, and the removal is logged. A thing
// that has sent letters or had replies is archived instead: every row
// stays, and it is left out of what is live. The filter is here, in the
// store, so that every view agrees: Authorities (and so the selectors all
// and tag:X) leaves archived authorities out; Campaigns, and Requests and
// Histories of every campaign, leave archived campaigns out (and so do
// `foi status`, the board and the schedule). Asked for by name, an
// archived campaign or request is still there (`foi status SLUG`,
// `foi show REF`).

// ErrHasSent means a thing has sent letters or had replies, so it can only
// be archived.
var ErrHasSent = errors.New("store: has letters or replies")

// HasSentError names the requests that keep an authority or a campaign from
// being removed. It is ErrHasSent to errors.Is.
type HasSentError struct {
	What, Key string
	Refs      []string
}

func (e *HasSentError) Error() string {
	return fmt.Sprintf("%s %s: %v (%s)", e.What, e.Key, ErrHasSent, strings.Join(e.Refs, ", "))
}

// Is makes a HasSentError match ErrHasSent.
func (e *HasSentError) Is(target error) bool { return target == ErrHasSent }

// Removal is one entry of the log of what was removed or archived.
type Removal struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // authority_removed, authority_archived, campaign_removed, campaign_archived
	Subject string    `json:"subject"`
	Actor   string    `json:"actor"`
	Detail  string    `json:"detail,omitempty"`
}

// RemoveAuthority deletes the authority with this name (or short name),
// with its requests, which must never have had a letter stored or a reply
// filed; otherwise it is a *HasSentError naming them. It returns the
// references of the requests removed with it.
func (s *Store) RemoveAuthority(ctx context.Context, name string, now time.Time) ([]string, error) {
	var refs []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, full, err := authorityByName(ctx, tx, name)
		if err != nil {
			return err
		}
		if refs, err = removeRequests(ctx, tx, "authority", full, `r.authority_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM authorities WHERE id = ?`, id); err != nil {
			return err
		}
		return logRemoval(ctx, tx, now, "authority_removed", full, withRequests(refs))
	})
	return refs, err
}

// ArchiveAuthority hides the authority with this name (or short name) from
// new campaigns and the list of authorities, keeping it and its requests.
func (s *Store) ArchiveAuthority(ctx context.Context, name string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		id, full, err := authorityByName(ctx, tx, name)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE authorities SET archived_at = ? WHERE id = ? AND archived_at IS NULL`, formatTime(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("authority %s is archived already: %w", full, ErrConflict)
		}
		return logRemoval(ctx, tx, now, "authority_archived", full, "")
	})
}

// RemoveCampaign deletes a campaign and its requests, none of which may
// have had a letter stored or a reply filed (otherwise a *HasSentError).
// It returns the references removed.
func (s *Store) RemoveCampaign(ctx context.Context, slug string, now time.Time) ([]string, error) {
	var refs []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM campaigns WHERE slug = ?`, slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("campaign", slug)
		}
		if err != nil {
			return err
		}
		if refs, err = removeRequests(ctx, tx, "campaign", slug, `r.campaign_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE id = ?`, id); err != nil {
			return err
		}
		return logRemoval(ctx, tx, now, "campaign_removed", slug, withRequests(refs))
	})
	return refs, err
}

// ArchiveCampaign hides a campaign from the campaign list, status, the
// board and the schedule, keeping every row, and cancels its letters still
// waiting to go (pending, to retry, or drafts), each with an event: an
// archived campaign sends nothing more. It returns how many it cancelled.
func (s *Store) ArchiveCampaign(ctx context.Context, slug string, now time.Time) (int, error) {
	cancelled := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET archived_at = ? WHERE slug = ? AND archived_at IS NULL`, formatTime(now), slug)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var archived sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT archived_at FROM campaigns WHERE slug = ?`, slug).Scan(&archived)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("campaign", slug)
			}
			return fmt.Errorf("campaign %s is archived already: %w", slug, ErrConflict)
		}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.request_id, o.step FROM outbox o JOIN requests r ON r.id = o.request_id
			JOIN campaigns c ON c.id = r.campaign_id WHERE c.slug = ? AND o.state IN (?, ?, ?) ORDER BY o.id`,
			slug, lifecycle.OutboxPending, lifecycle.OutboxTempFailed, lifecycle.OutboxDraft)
		if err != nil {
			return err
		}
		type waiting struct {
			id, req int64
			step    lifecycle.Step
		}
		var list []waiting
		for rows.Next() {
			var w waiting
			if err := rows.Scan(&w.id, &w.req, &w.step); err != nil {
				rows.Close()
				return err
			}
			list = append(list, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, w := range list {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?`,
				lifecycle.OutboxCancelled, "the campaign was archived", formatTime(now), w.id); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, Event{RequestID: w.req, At: now, Kind: lifecycle.EventCancelled, Actor: actorOf(ctx),
				Detail: string(w.step) + " not sent: campaign " + slug + " was archived"}); err != nil {
				return err
			}
		}
		cancelled = len(list)
		detail := ""
		switch {
		case cancelled == 1:
			detail = "1 waiting letter cancelled"
		case cancelled > 1:
			detail = fmt.Sprintf("%d waiting letters cancelled", cancelled)
		}
		return logRemoval(ctx, tx, now, "campaign_archived", slug, detail)
	})
	return cancelled, err
}

// ArchivedAuthorities lists the archived authorities by name.
func (s *Store) ArchivedAuthorities(ctx context.Context) ([]Authority, error) {
	return s.queryAuthorities(ctx, `SELECT id, name, short_name, email, jurisdiction, notes FROM authorities WHERE archived_at IS NOT NULL ORDER BY name`)
}

// ArchivedCampaigns lists the archived campaigns' slugs, oldest first.
func (s *Store) ArchivedCampaigns(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT slug FROM campaigns WHERE archived_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return nil, err
		}
		list = append(list, slug)
	}
	return list, rows.Err()
}

// Removals is the log of what was removed or archived, oldest first.
func (s *Store) Removals(ctx context.Context) ([]Removal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, kind, subject, actor, detail FROM removals ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Removal
	for rows.Next() {
		var r Removal
		var at sql.NullString
		if err := rows.Scan(&at, &r.Kind, &r.Subject, &r.Actor, &r.Detail); err != nil {
			return nil, err
		}
		r.At = parseTime(at)
		list = append(list, r)
	}
	return list, rows.Err()
}

// authorityByName finds a live or archived authority by its name or short
// name, ignoring case.
func authorityByName(ctx context.Context, tx *sql.Tx, name string) (int64, string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM authorities WHERE name = ? COLLATE NOCASE OR (short_name <> '' AND short_name = ? COLLATE NOCASE)`, name, name)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var ids []int64
	var names []string
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return 0, "", err
		}
		ids, names = append(ids, id), append(names, n)
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	switch len(ids) {
	case 0:
		return 0, "", notFound("authority", name)
	case 1:
		return ids[0], names[0], nil
	}
	return 0, "", fmt.Errorf("%q names %d authorities (%s): give the full name", name, len(ids), strings.Join(names, "; "))
}

// removeRequests deletes the requests matching where (with their events),
// unless one of them has a stored letter or a filed reply.
func removeRequests(ctx context.Context, tx *sql.Tx, what, key, where string, arg any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.ref, EXISTS (SELECT 1 FROM messages m WHERE m.request_id = r.id)
		FROM requests r WHERE `+where+` ORDER BY r.campaign_id, r.seq`, arg)
	if err != nil {
		return nil, err
	}
	var ids []int64
	var refs, sent []string
	for rows.Next() {
		var id int64
		var ref string
		var has bool
		if err := rows.Scan(&id, &ref, &has); err != nil {
			rows.Close()
			return nil, err
		}
		ids, refs = append(ids, id), append(refs, ref)
		if has {
			sent = append(sent, ref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(sent) > 0 {
		return nil, &HasSentError{What: what, Key: key, Refs: sent}
	}
	for _, id := range ids {
		for _, q := range []string{
			`INSERT INTO removing (request_id) VALUES (?)`,
			`DELETE FROM events WHERE request_id = ?`,
			`DELETE FROM requests WHERE id = ?`,
			`DELETE FROM removing WHERE request_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return nil, fmt.Errorf("remove request: %w", err)
			}
		}
	}
	return refs, nil
}

func withRequests(refs []string) string {
	if len(refs) == 0 {
		return ""
	}
	return "with its unsent requests " + strings.Join(refs, ", ")
}

func logRemoval(ctx context.Context, tx *sql.Tx, now time.Time, kind, subject, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO removals (at, kind, subject, actor, detail) VALUES (?, ?, ?, ?, ?)`,
		formatTime(now), kind, subject, actorOf(ctx), detail)
	return err
}
