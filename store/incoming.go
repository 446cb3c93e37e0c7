package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"foi/lifecycle"
	"strings"
	"time"
)

// Attachment is one stored file of a message; its bytes are under
// data_dir/files by SHA-256.
type Attachment struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"-"`
	Seq         int    `json:"seq"`
	ParentSeq   int    `json:"parent,omitempty"` // 0: none; else Seq of the containing file + 1
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Source      string `json:"source"`
}

// Effect is the state change that a received message asks for: a reply of
// this kind moves the request as lifecycle.OnReply says, from the states
// where that makes sense only, so that a late acknowledgement never undoes
// an answer. Note, if set, is the reason recorded with the change.
type Effect struct {
	Kind lifecycle.Kind
	Note string
}

// Incoming is a received message with everything decided about it, to be
// stored at once.
type Incoming struct {
	Message
	Folder         string
	UID            uint32
	Ref            string // the matched request; "" puts it in the unmatched queue
	Classification string // JSON
	Suggestions    string // JSON
	MatchEvidence  string
	// AuthorityRef is the authority's own reference, learned for the
	// request if it has none yet.
	AuthorityRef string
	Attachments  []Attachment
	Effect       *Effect
	// Notes are extra events for the request (classification, redirect).
	Notes      []Event
	ReceivedAt time.Time
	// SearchBody is what the search index holds of the body: its new text,
	// the quoted earlier messages left out, so that a reply is found by
	// what the authority wrote.
	SearchBody string
}

// SaveIncoming stores a received message, its attachments, its events and
// its effect on the request in one transaction. A message whose bytes are
// stored already (the same SHA-256: a re-read after a crash or a
// UIDVALIDITY change) is not stored again: dup is true. The Message-ID does
// not decide: some mail systems reuse one for different messages (an
// acknowledgement, then the answer), and each is kept; the caller flags the
// second (see ReceivedWithMessageID).
func (s *Store) SaveIncoming(ctx context.Context, in Incoming, now time.Time) (id int64, dup bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, dup, err = saveIncoming(ctx, tx, in, now)
		return err
	})
	return id, dup, err
}

// saveIncoming is SaveIncoming inside the caller's transaction.
func saveIncoming(ctx context.Context, tx *sql.Tx, in Incoming, now time.Time) (id int64, dup bool, err error) {
	err = func() error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE sha256 = ?`, in.SHA256).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			dup = true
			return nil
		}
		var reqID int64
		if in.Ref != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM requests WHERE ref = ?`, in.Ref).Scan(&reqID)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("request %s: %w", in.Ref, ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		mid, err := insertIncoming(ctx, tx, in, reqID, now)
		if err != nil {
			return err
		}
		id = mid
		for _, a := range in.Attachments {
			var parent any
			if a.ParentSeq > 0 {
				parent = a.ParentSeq
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (message_id, seq, parent_seq, name, content_type,
				size, sha256, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				mid, a.Seq, parent, a.Name, a.ContentType, a.Size, a.SHA256, a.Source); err != nil {
				return fmt.Errorf("attachment %q: %w", a.Name, err)
			}
		}
		if reqID == 0 {
			return nil
		}
		return fileReply(ctx, tx, reqID, mid, in, now)
	}()
	return id, dup, err
}

// insertIncoming inserts the row of a received message, and its entry in
// the search index (migration 0013).
func insertIncoming(ctx context.Context, tx *sql.Tx, in Incoming, reqID int64, now time.Time) (int64, error) {
	var req any
	unmatched := 1
	if reqID != 0 {
		req, unmatched = reqID, 0
	}
	m := in.Message
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (request_id, direction, message_id, sha256, size,
		subject, from_addr, to_addr, date, in_reply_to, refs, body_text, kind, match_rule, low_confidence,
		flags, created_at, folder, uid, classification, suggestions, match_evidence, unmatched, received_at)
		VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		req, m.MessageID, m.SHA256, m.Size, m.Subject, m.From, m.To, nullTime(m.Date),
		m.InReplyTo, m.Refs, m.BodyText, m.Kind, m.MatchRule, m.LowConf, m.Flags, formatTime(now),
		in.Folder, in.UID, in.Classification, in.Suggestions, in.MatchEvidence, unmatched, nullTime(in.ReceivedAt))
	if err != nil {
		if isDuplicate(err) {
			return 0, fmt.Errorf("message %s: %w", m.MessageID, ErrExists)
		}
		return 0, fmt.Errorf("insert message %s: %w", m.MessageID, err)
	}
	mid, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO message_fts (docid, subject, body) VALUES (?, ?, ?)`, mid, m.Subject, in.SearchBody); err != nil {
		return 0, fmt.Errorf("index message %s for search: %w", m.MessageID, err)
	}
	return mid, nil
}

// fileReply records a reply on its request: the event, what was learned,
// the notes and the state change.
func fileReply(ctx context.Context, tx *sql.Tx, reqID, mid int64, in Incoming, now time.Time) error {
	detail := fmt.Sprintf("reply %s from %s matched by %s", in.MessageID, in.From, in.MatchRule)
	if in.LowConf {
		detail += " (low confidence: please check)"
	}
	if err := addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventReply, Actor: "foi", Detail: detail, MessageID: mid}); err != nil {
		return err
	}
	if in.AuthorityRef != "" {
		res, err := tx.ExecContext(ctx, `UPDATE requests SET authority_ref = ? WHERE id = ? AND authority_ref = ''`, in.AuthorityRef, reqID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if err := addEvent(ctx, tx, Event{RequestID: reqID, At: now, Kind: lifecycle.EventAuthorityRef, Actor: "foi",
				Detail: "the authority's reference is " + in.AuthorityRef, MessageID: mid}); err != nil {
				return err
			}
		}
	}
	for _, e := range in.Notes {
		e.RequestID, e.At, e.MessageID = reqID, now, mid
		if e.Actor == "" {
			e.Actor = "foi"
		}
		if err := addEvent(ctx, tx, e); err != nil {
			return err
		}
	}
	if in.Effect == nil {
		return nil
	}
	var ref string
	var state lifecycle.State
	if err := tx.QueryRowContext(ctx, `SELECT ref, state FROM requests WHERE id = ?`, reqID).Scan(&ref, &state); err != nil {
		return err
	}
	if mv, ok := lifecycle.OnReply(in.Effect.Kind, state); ok {
		note := mv.Note
		if in.Effect.Note != "" {
			note = in.Effect.Note
		}
		return setState(ctx, tx, ref, mv.To, "foi", note, now)
	}
	return nil
}

// IncomingExists reports whether a message with exactly these bytes (by
// SHA-256) is stored already.
func (s *Store) IncomingExists(ctx context.Context, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}

// ReceivedWithMessageID counts the received messages stored under this
// Message-ID ("" counts none). A message whose bytes are new but whose
// Message-ID is counted here reuses an ID: it is a different message.
func (s *Store) ReceivedWithMessageID(ctx context.Context, messageID string) (int, error) {
	if messageID == "" {
		return 0, nil
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE message_id = ? AND direction = 'in'`, messageID).Scan(&n)
	return n, err
}

// Folder returns what the watcher remembers of a mailbox folder.
func (s *Store) Folder(ctx context.Context, name string) (uidValidity, lastUID uint32, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT uidvalidity, last_uid FROM folders WHERE name = ?`, name).Scan(&uidValidity, &lastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	return uidValidity, lastUID, err == nil, err
}

// SetFolder records the last processed UID of a folder.
func (s *Store) SetFolder(ctx context.Context, name string, uidValidity, lastUID uint32, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO folders (name, uidvalidity, last_uid, synced_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,
		synced_at = excluded.synced_at`, name, uidValidity, lastUID, formatTime(now))
	return err
}

const messageCols = `id, coalesce(request_id, 0), direction, message_id, sha256, size, subject, from_addr, to_addr,
	date, in_reply_to, refs, body_text, kind, match_rule, low_confidence, flags, created_at,
	folder, uid, classification, suggestions, match_evidence, unmatched`

func scanMessage(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var date, created sql.NullString
	err := sc.Scan(&m.ID, &m.RequestID, &m.Direction, &m.MessageID, &m.SHA256, &m.Size, &m.Subject, &m.From, &m.To,
		&date, &m.InReplyTo, &m.Refs, &m.BodyText, &m.Kind, &m.MatchRule, &m.LowConf, &m.Flags, &created,
		&m.Folder, &m.UID, &m.Classification, &m.Suggestions, &m.MatchEvidence, &m.Unmatched)
	m.Date, m.CreatedAt = parseTime(date), parseTime(created)
	m.Verdict = decodeVerdict(m.Classification)
	m.Suggested = decodeSuggestions(m.Suggestions)
	return m, err
}

func (s *Store) queryMessages(ctx context.Context, where string, args ...any) ([]Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageCols+` FROM messages `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

// Thread returns a request's messages, ours and theirs, in order of arrival.
func (s *Store) Thread(ctx context.Context, requestID int64) ([]Message, error) {
	return s.queryMessages(ctx, `WHERE request_id = ? ORDER BY id`, requestID)
}

// Unmatched returns the received messages waiting to be filed by hand.
func (s *Store) Unmatched(ctx context.Context) ([]Message, error) {
	return s.queryMessages(ctx, `WHERE unmatched = 1 ORDER BY id`)
}

// MessageByID returns one stored message.
func (s *Store) MessageByID(ctx context.Context, id int64) (Message, error) {
	list, err := s.queryMessages(ctx, `WHERE id = ?`, id)
	if err != nil {
		return Message{}, err
	}
	if len(list) == 0 {
		return Message{}, notFound("message", fmt.Sprint(id))
	}
	return list[0], nil
}

// Attachments lists a message's files in order.
func (s *Store) Attachments(ctx context.Context, messageID int64) ([]Attachment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, message_id, seq, coalesce(parent_seq, 0), name, content_type, size,
		sha256, source FROM attachments WHERE message_id = ? ORDER BY seq`, messageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.Seq, &a.ParentSeq, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Source); err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// Assign files an unmatched (or wrongly matched) received message under a
// request by hand, with the effect its classification suggests.
func (s *Store) Assign(ctx context.Context, messageID int64, ref string, effect *Effect, now time.Time) error {
	ref = strings.ToUpper(ref)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var dir string
		var msgID, from string
		err := tx.QueryRowContext(ctx, `SELECT direction, message_id, from_addr FROM messages WHERE id = ?`, messageID).Scan(&dir, &msgID, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("message", fmt.Sprint(messageID))
		}
		if err != nil {
			return err
		}
		if dir != "in" {
			return fmt.Errorf("message %d is one of our letters, not a reply", messageID)
		}
		var reqID int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM requests WHERE ref = ?`, ref).Scan(&reqID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("request", ref)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET request_id = ?, unmatched = 0, match_rule = 'assigned',
			low_confidence = 0 WHERE id = ?`, reqID, messageID); err != nil {
			return err
		}
		in := Incoming{Message: Message{MessageID: msgID, From: from, MatchRule: "assigned by hand" + byWhom(ctx)}, Effect: effect}
		return fileReply(ctx, tx, reqID, messageID, in, now)
	})
}

// IndexData is what matching needs to know, read in one go.
type IndexData struct {
	// OurMessageIDs maps each Message-ID we sent to its request.
	OurMessageIDs map[string]string
	// Refs maps each request reference to its recipient address.
	Refs map[string]string
	// Open maps the reference of each request that may still get a reply
	// (lifecycle.State.MayReply) to its recipient address.
	Open map[string]string
	// AuthorityRefs maps each learned authority reference to its request.
	AuthorityRefs map[string]string
	// States maps each request reference to its state.
	States map[string]lifecycle.State
	// AuthorityEmails lists every authority address, lower case.
	AuthorityEmails []string
}

// Index reads the data that matching replies needs.
func (s *Store) Index(ctx context.Context) (IndexData, error) {
	d := IndexData{OurMessageIDs: map[string]string{}, Refs: map[string]string{}, Open: map[string]string{}, AuthorityRefs: map[string]string{},
		States: map[string]lifecycle.State{}}
	rows, err := s.db.QueryContext(ctx, `SELECT m.message_id, r.ref FROM messages m JOIN requests r ON r.id = m.request_id
		WHERE m.direction = 'out' UNION SELECT message_id, ref FROM requests`)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var id, ref string
		if err := rows.Scan(&id, &ref); err != nil {
			rows.Close()
			return d, err
		}
		d.OurMessageIDs[id] = ref
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT ref, state, lower(to_address), authority_ref FROM requests`)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var ref, to, aref string
		var st lifecycle.State
		if err := rows.Scan(&ref, &st, &to, &aref); err != nil {
			rows.Close()
			return d, err
		}
		d.Refs[ref] = to
		d.States[ref] = st
		if st.MayReply() {
			d.Open[ref] = to
		}
		if aref != "" {
			d.AuthorityRefs[aref] = ref
		}
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT DISTINCT lower(email) FROM authorities UNION SELECT DISTINCT lower(to_address) FROM requests`)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return d, err
		}
		d.AuthorityEmails = append(d.AuthorityEmails, e)
	}
	return d, rows.Err()
}
