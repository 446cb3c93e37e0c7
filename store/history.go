package store

import (
	"context"
	"database/sql"
	"strings"
)

// History is everything stored about one request that a view of many
// requests needs: its messages (their parsed columns, without the body
// text), its outbox entries and its events, each oldest first.
type History struct {
	Request Request
	Thread  []Message
	Outbox  []OutboxItem
	Events  []Event
}

// messageColsLight are the message columns without the body text, which a
// board never shows and which is most of a message row's size.
var messageColsLight = strings.Replace(messageCols, "body_text", "''", 1)

// Histories reads the history of every request of a campaign (of every
// campaign if slug is ""), in four queries whatever the number of requests,
// in the order of Requests.
func (s *Store) Histories(ctx context.Context, slug string) ([]History, error) {
	reqs, err := s.Requests(ctx, slug)
	if err != nil {
		return nil, err
	}
	out := make([]History, len(reqs))
	at := make(map[int64]int, len(reqs))
	for i, r := range reqs {
		out[i].Request = r
		at[r.ID] = i
	}
	where, args := ``, []any{}
	if slug != "" {
		where, args = ` WHERE request_id IN (SELECT r.id FROM requests r JOIN campaigns c ON c.id = r.campaign_id WHERE c.slug = ?)`, []any{slug}
	} else {
		where = ` WHERE request_id IS NOT NULL`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageColsLight+` FROM messages`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := at[m.RequestID]; ok {
			out[i].Thread = append(out[i].Thread, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	items, err := s.Outbox(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if i, ok := at[it.RequestID]; ok {
			out[i].Outbox = append(out[i].Outbox, it)
		}
	}
	rows, err = s.db.QueryContext(ctx, `SELECT id, request_id, at, kind, actor, detail, coalesce(message_id, 0)
		FROM events`+where+` ORDER BY request_id, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := at[e.RequestID]; ok {
			out[i].Events = append(out[i].Events, e)
		}
	}
	return out, rows.Err()
}

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var at sql.NullString
	err := sc.Scan(&e.ID, &e.RequestID, &at, &e.Kind, &e.Actor, &e.Detail, &e.MessageID)
	e.At = parseTime(at)
	return e, err
}
