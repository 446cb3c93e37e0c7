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

// Question is one of a campaign's questions, numbered from 1 in the order
// the letter asks them.
type Question struct {
	Seq  int    `json:"n"`
	Text string `json:"text"`
}

// AnswerKind is what sort of answer a volunteer coded.
type AnswerKind string

// The kinds of answer (the CHECK of table answers, migration 0007).
const (
	AnswerYes     AnswerKind = "yes"
	AnswerNo      AnswerKind = "no"
	AnswerNotHeld AnswerKind = "not_held"
	AnswerRefused AnswerKind = "refused"
	AnswerNumber  AnswerKind = "number"
	AnswerText    AnswerKind = "text"
)

// EventAnswerCoded records who coded which answer of a request, in words
// a timeline shows as they are ("Answer: Q2 “Was an EIA done?” coded as
// yes by Asha; from “An EIA was completed”."). The answers table holds the
// answer in force; the events keep every one ever coded.
const EventAnswerCoded lifecycle.EventKind = "answer"

// Answer is the coded answer of one request to one question.
type Answer struct {
	RequestID int64      `json:"-"`
	Ref       string     `json:"ref"`
	Question  int        `json:"question"`
	Kind      AnswerKind `json:"kind"`
	// Value is the number or the free text; empty for the other kinds.
	Value string `json:"value,omitempty"`
	// Quote is the words (or "attachment p. 3") the answer comes from.
	Quote   string    `json:"quote,omitempty"`
	Actor   string    `json:"coded_by"`
	CodedAt time.Time `json:"coded_at"`
}

// ErrNoQuestion is returned for an answer to a question the campaign does
// not have.
var ErrNoQuestion = errors.New("store: no such question")

// SetQuestions replaces a campaign's questions. It refuses to drop a
// question that has answers coded, naming it: those answers would be lost.
func (s *Store) SetQuestions(ctx context.Context, slug string, texts []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var cid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM campaigns WHERE slug = ?`, strings.ToUpper(slug)).Scan(&cid)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("campaign %s: %w", slug, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var maxAnswered int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(a.question), 0) FROM answers a
			JOIN requests r ON r.id = a.request_id WHERE r.campaign_id = ?`, cid).Scan(&maxAnswered); err != nil {
			return err
		}
		if maxAnswered > len(texts) {
			return fmt.Errorf("campaign %s: question %d has answers coded, so the list must keep at least %d questions (edit their wording instead)", slug, maxAnswered, maxAnswered)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM questions WHERE campaign_id = ?`, cid); err != nil {
			return err
		}
		for i, t := range texts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO questions (campaign_id, seq, text) VALUES (?, ?, ?)`, cid, i+1, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// Questions lists a campaign's questions in order (none: an empty list).
func (s *Store) Questions(ctx context.Context, slug string) ([]Question, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT q.seq, q.text FROM questions q JOIN campaigns c ON c.id = q.campaign_id
		WHERE c.slug = ? ORDER BY q.seq`, strings.ToUpper(slug))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []Question{}
	for rows.Next() {
		var q Question
		if err := rows.Scan(&q.Seq, &q.Text); err != nil {
			return nil, err
		}
		list = append(list, q)
	}
	return list, rows.Err()
}

// SetAnswer records a request's answer to question a.Question (replacing
// the one coded before) and an EventAnswerCoded, in one transaction. The
// actor is the person named by WithActor ("user" at the command line), as
// for every other event of what a person does; a.Actor is ignored. The
// question must be one of the campaign's (ErrNoQuestion).
func (s *Store) SetAnswer(ctx context.Context, a Answer) error {
	a.Actor = actorOf(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var rid int64
		var text sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT r.id, (SELECT q.text FROM questions q WHERE q.campaign_id = r.campaign_id AND q.seq = ?)
			FROM requests r WHERE r.ref = ?`, a.Question, strings.ToUpper(a.Ref)).Scan(&rid, &text)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("request %s: %w", a.Ref, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !text.Valid {
			return fmt.Errorf("%s: question %d: %w", a.Ref, a.Question, ErrNoQuestion)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO answers (request_id, question, kind, value, quote, actor, coded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, question) DO UPDATE SET kind = excluded.kind,
			value = excluded.value, quote = excluded.quote, actor = excluded.actor, coded_at = excluded.coded_at`,
			rid, a.Question, a.Kind, a.Value, a.Quote, a.Actor, formatTime(a.CodedAt)); err != nil {
			return err
		}
		value := strings.ReplaceAll(string(a.Kind), "_", " ")
		if a.Value != "" {
			value = "“" + a.Value + "”"
		}
		detail := fmt.Sprintf("Q%d “%s” coded as %s by %s", a.Question, text.String, value, a.Actor)
		if a.Quote != "" {
			detail += "; from “" + a.Quote + "”"
		}
		return addEvent(ctx, tx, Event{RequestID: rid, At: a.CodedAt, Kind: EventAnswerCoded, Actor: a.Actor, Detail: detail})
	})
}

// Answers lists the answers coded for the requests of a campaign (of every
// campaign if slug is ""), by request then question.
func (s *Store) Answers(ctx context.Context, slug string) ([]Answer, error) {
	q := `SELECT a.request_id, r.ref, a.question, a.kind, a.value, a.quote, a.actor, a.coded_at
		FROM answers a JOIN requests r ON r.id = a.request_id JOIN campaigns c ON c.id = r.campaign_id`
	var args []any
	if slug != "" {
		q += ` WHERE c.slug = ?`
		args = append(args, strings.ToUpper(slug))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY r.id, a.question`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Answer
	for rows.Next() {
		var a Answer
		var at sql.NullString
		if err := rows.Scan(&a.RequestID, &a.Ref, &a.Question, &a.Kind, &a.Value, &a.Quote, &a.Actor, &at); err != nil {
			return nil, err
		}
		a.CodedAt = parseTime(at)
		list = append(list, a)
	}
	return list, rows.Err()
}

// RequestFile is one attachment of a request's replies, with the message it
// came in, for an export of a campaign's files.
type RequestFile struct {
	RequestID int64
	Ref       string
	// Received is when the message was filed (its Date header if it had one).
	Received time.Time
	Subject  string
	Attachment
}

// CampaignFiles lists every attachment of the replies to a campaign's
// requests (every campaign's if slug is ""), by request, message and file:
// not the parts of a bounce or of an automatic reply, which are no answer
// (a bounce returns our own letter's header).
func (s *Store) CampaignFiles(ctx context.Context, slug string) ([]RequestFile, error) {
	q := `SELECT r.id, r.ref, coalesce(m.date, m.created_at), m.subject, t.id, t.message_id, t.seq, coalesce(t.parent_seq, 0),
		t.name, t.content_type, t.size, t.sha256, t.source
		FROM attachments t JOIN messages m ON m.id = t.message_id JOIN requests r ON r.id = m.request_id
		JOIN campaigns c ON c.id = r.campaign_id WHERE m.direction = 'in' AND m.kind NOT IN (?, ?)`
	args := []any{lifecycle.KindBounce, lifecycle.KindAutoReply}
	if slug != "" {
		q += ` AND c.slug = ?`
		args = append(args, strings.ToUpper(slug))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY r.id, m.id, t.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []RequestFile
	for rows.Next() {
		var f RequestFile
		var at sql.NullString
		if err := rows.Scan(&f.RequestID, &f.Ref, &at, &f.Subject, &f.ID, &f.MessageID, &f.Seq, &f.ParentSeq,
			&f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Source); err != nil {
			return nil, err
		}
		f.Received = parseTime(at)
		list = append(list, f)
	}
	return list, rows.Err()
}

// FileCounts is the number of files each request's replies carry (as
// CampaignFiles lists them), by request row, for a campaign (every
// campaign if slug is "").
func (s *Store) FileCounts(ctx context.Context, slug string) (map[int64]int, error) {
	q := `SELECT m.request_id, count(*) FROM attachments t JOIN messages m ON m.id = t.message_id
		JOIN requests r ON r.id = m.request_id JOIN campaigns c ON c.id = r.campaign_id
		WHERE m.direction = 'in' AND m.kind NOT IN (?, ?)`
	args := []any{lifecycle.KindBounce, lifecycle.KindAutoReply}
	if slug != "" {
		q += ` AND c.slug = ?`
		args = append(args, strings.ToUpper(slug))
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY m.request_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
