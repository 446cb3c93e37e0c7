package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"foi/lifecycle"
)

// What replies teach about an authority (issue 13): the address it asks us
// to write to instead (a redirect), and the time it gives for asking for an
// internal review. Both are read from the classification kept with each
// received message; a redirect is applied only when a person confirms it
// (ApplyRedirect).

// Offer is a new address a reply asked us to write to.
type Offer struct {
	Address   string    `json:"address"`
	MessageID int64     `json:"message"` // the reply that asked
	At        time.Time `json:"at"`
	Kind      lifecycle.Kind
}

// OfferedRedirect returns the newest address that a reply filed under the
// request asks us to write to, if it is not already where the request's
// letters go.
func (s *Store) OfferedRedirect(ctx context.Context, ref string) (Offer, bool, error) {
	r, err := s.Request(ctx, ref)
	if err != nil {
		return Offer{}, false, err
	}
	thread, err := s.Thread(ctx, r.ID)
	if err != nil {
		return Offer{}, false, err
	}
	for i := len(thread) - 1; i >= 0; i-- {
		m := thread[i]
		if m.Direction != "in" || m.Verdict == nil || len(m.Verdict.RedirectTo) == 0 {
			continue
		}
		addr := m.Verdict.RedirectTo[0]
		if strings.EqualFold(addr, r.ToAddress) {
			return Offer{}, false, nil
		}
		return Offer{Address: addr, MessageID: m.ID, At: m.CreatedAt, Kind: m.Verdict.Kind}, true, nil
	}
	return Offer{}, false, nil
}

// Redirected is what ApplyRedirect changed.
type Redirected struct {
	Authority string   `json:"authority"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	Refs      []string `json:"refs"` // the open requests whose letters now go to To
}

// PlanRedirect says what ApplyRedirect would change, changing nothing.
func (s *Store) PlanRedirect(ctx context.Context, ref, addr string) (Redirected, error) {
	return s.redirect(ctx, ref, addr, "", time.Time{}, false)
}

// ApplyRedirect makes addr the address of ref's authority, and of every open
// request to that authority (lifecycle.State.Open) in every campaign, in one
// transaction, with an event on each request; requests that are closed keep
// the address they were sent to. It is the person's confirmation of an
// offered redirect (foi redirect, the dashboard). actor names who confirmed.
func (s *Store) ApplyRedirect(ctx context.Context, ref, addr, actor string, now time.Time) (Redirected, error) {
	return s.redirect(ctx, ref, addr, actor, now, true)
}

func (s *Store) redirect(ctx context.Context, ref, addr, actor string, now time.Time, apply bool) (Redirected, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(addr))
	if err != nil || !strings.Contains(a.Address, "@") || a.Name != "" {
		return Redirected{}, fmt.Errorf("redirect %s: %q is not an email address", ref, addr)
	}
	addr = a.Address
	r, err := s.Request(ctx, ref)
	if err != nil {
		return Redirected{}, err
	}
	out := Redirected{Authority: r.Authority.Name, From: r.ToAddress, To: addr}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, ref, state, to_address FROM requests WHERE authority_id = ? ORDER BY ref`, r.Authority.ID)
		if err != nil {
			return err
		}
		type row struct {
			id         int64
			ref, state string
			to         string
		}
		var list []row
		for rows.Next() {
			var x row
			if err := rows.Scan(&x.id, &x.ref, &x.state, &x.to); err != nil {
				rows.Close()
				return err
			}
			list = append(list, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range list {
			if !lifecycle.State(x.state).Open() || strings.EqualFold(x.to, addr) {
				continue
			}
			out.Refs = append(out.Refs, x.ref)
			if !apply {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE requests SET to_address = ?, updated_at = ? WHERE id = ?`, addr, formatTime(now), x.id); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, Event{RequestID: x.id, At: now, Kind: lifecycle.EventRedirect, Actor: actor,
				Detail: fmt.Sprintf("letters now go to %s (was %s): the authority asked us to write there", addr, x.to)}); err != nil {
				return err
			}
		}
		if !apply {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE authorities SET email = ?, updated_at = ? WHERE id = ?`, addr, formatTime(now), r.Authority.ID)
		return err
	})
	if err != nil {
		return Redirected{}, fmt.Errorf("redirect %s to %s: %w", ref, addr, err)
	}
	return out, nil
}

// StatedReview is the time an authority's answer gave for asking for an
// internal review, as its review-rights paragraph states it.
type StatedReview struct {
	Within    string    `json:"within"` // as stated: "40 working days", "two months"
	Count     int       `json:"count"`
	Unit      string    `json:"unit"` // "working_days", "days", "weeks", "months"
	MessageID int64     `json:"message"`
	At        time.Time `json:"at"` // when that answer came
}

// StatedReviewDeadline returns what the newest reply filed under the
// request that states one says about the time for asking for a review.
func (s *Store) StatedReviewDeadline(ctx context.Context, requestID int64) (StatedReview, bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, classification, created_at FROM messages
		WHERE request_id = ? AND direction = 'in' AND classification LIKE '%"ReviewWithin"%' ORDER BY id DESC`, requestID)
	if err != nil {
		return StatedReview{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var cls string
		var at sql.NullString
		if err := rows.Scan(&id, &cls, &at); err != nil {
			return StatedReview{}, false, err
		}
		var v struct {
			ReviewWithin string
			ReviewCount  int
			ReviewUnit   string
		}
		if json.Unmarshal([]byte(cls), &v) != nil || v.ReviewWithin == "" {
			continue
		}
		return StatedReview{Within: v.ReviewWithin, Count: v.ReviewCount, Unit: v.ReviewUnit, MessageID: id, At: parseTime(at)}, true, nil
	}
	return StatedReview{}, false, rows.Err()
}
