package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"foi/lifecycle"
	"strings"
	"sync"
	"time"
)

// History is what a view of many requests needs of each: its messages
// (without the body text, the raw headers or the match details), its outbox
// entries, and the events of the kinds asked for, each oldest first.
type History struct {
	Request Request
	Thread  []Message
	Outbox  []OutboxItem
	Events  []Event
}

// Histories reads the history of every request of a campaign (of every
// campaign if slug is ""), in four queries whatever the number of requests,
// in the order of Requests; only events of the given kinds are read (none
// if no kind is given). The queries run side by side, each on its own
// connection (WAL lets readers share the database).
func (s *Store) Histories(ctx context.Context, slug string, kinds ...lifecycle.EventKind) ([]History, error) {
	where, args := ` WHERE request_id IS NOT NULL`, []any{}
	if slug != "" {
		where, args = ` WHERE request_id IN (SELECT r.id FROM requests r JOIN campaigns c ON c.id = r.campaign_id WHERE c.slug = ?)`, []any{slug}
	}
	var (
		reqs   []Request
		msgs   []Message
		items  []OutboxItem
		events []Event
		wg     sync.WaitGroup
		errs   [4]error
	)
	wg.Add(4)
	go func() { defer wg.Done(); reqs, errs[0] = s.Requests(ctx, slug) }()
	go func() { defer wg.Done(); msgs, errs[1] = s.lightMessages(ctx, where, args) }()
	go func() { defer wg.Done(); items, errs[2] = s.Outbox(ctx, slug) }()
	go func() { defer wg.Done(); events, errs[3] = s.eventsOf(ctx, where, args, kinds) }()
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("read the histories of %q: %w", slug, err)
	}
	out := make([]History, len(reqs))
	at := make(map[int64]int, len(reqs))
	for i, r := range reqs {
		out[i].Request = r
		at[r.ID] = i
	}
	for _, m := range msgs {
		if i, ok := at[m.RequestID]; ok {
			out[i].Thread = append(out[i].Thread, m)
		}
	}
	for _, it := range items {
		if i, ok := at[it.RequestID]; ok {
			out[i].Outbox = append(out[i].Outbox, it)
		}
	}
	for _, e := range events {
		if i, ok := at[e.RequestID]; ok {
			out[i].Events = append(out[i].Events, e)
		}
	}
	return out, nil
}

// lightMessages reads the columns of messages a view of many requests
// needs, in order.
func (s *Store) lightMessages(ctx context.Context, where string, args []any) ([]Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, request_id, direction, message_id, subject, from_addr, date, kind,
		created_at, classification FROM messages`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Message
	for rows.Next() {
		var m Message
		var date, created sql.NullString
		if err := rows.Scan(&m.ID, &m.RequestID, &m.Direction, &m.MessageID, &m.Subject, &m.From, &date, &m.Kind,
			&created, &m.Classification); err != nil {
			return nil, err
		}
		m.Date, m.CreatedAt = parseTime(date), parseTime(created)
		m.Verdict = decodeVerdict(m.Classification)
		list = append(list, m)
	}
	return list, rows.Err()
}

// eventsOf reads the events of the given kinds, by request then in order.
func (s *Store) eventsOf(ctx context.Context, where string, args []any, kinds []lifecycle.EventKind) ([]Event, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	in := strings.Repeat("?, ", len(kinds)-1) + "?"
	for _, k := range kinds {
		args = append(args, k)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventCols+`
		FROM events`+where+` AND kind IN (`+in+`) ORDER BY request_id, id`, args...)
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

const eventCols = `id, request_id, at, kind, actor, detail, coalesce(message_id, 0), from_state, to_state`

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var at sql.NullString
	err := sc.Scan(&e.ID, &e.RequestID, &at, &e.Kind, &e.Actor, &e.Detail, &e.MessageID, &e.From, &e.To)
	e.At = parseTime(at)
	return e, err
}

// NextAttempt is the earliest moment a letter waiting in the outbox is to
// be tried, if one is waiting.
func (s *Store) NextAttempt(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM outbox WHERE state IN (?, ?)`,
		lifecycle.OutboxPending, lifecycle.OutboxTempFailed).Scan(&at)
	if err != nil {
		return time.Time{}, false, err
	}
	t := parseTime(at)
	return t, !t.IsZero(), nil
}
