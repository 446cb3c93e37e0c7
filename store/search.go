package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// FileText is the text read from one stored file (by its SHA-256), once,
// when the message carrying it was filed, or again by `foi reindex`.
// Status is one of extract's: "ok", "no-text", "unsupported", "unreadable";
// Reason says why it is not ok.
type FileText struct {
	SHA256    string    `json:"sha256"`
	Status    string    `json:"status"`
	Format    string    `json:"format,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Text      string    `json:"-"`
	Truncated bool      `json:"truncated,omitempty"`
	Pages     int       `json:"pages,omitempty"`
	Version   int       `json:"version"`
	At        time.Time `json:"extracted_at"`
}

const putFileTextSQL = `INSERT INTO file_texts (sha256, status, format, reason, text, truncated, pages, version, extracted_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (sha256) DO UPDATE SET status = excluded.status, format = excluded.format, reason = excluded.reason,
	text = excluded.text, truncated = excluded.truncated, pages = excluded.pages, version = excluded.version,
	extracted_at = excluded.extracted_at`

func fileTextArgs(ft FileText) []any {
	at := ft.At
	if at.IsZero() {
		at = time.Now()
	}
	return []any{ft.SHA256, ft.Status, ft.Format, ft.Reason, ft.Text, ft.Truncated, ft.Pages, ft.Version, formatTime(at)}
}

// PutFileText stores (or replaces) the text of a file; the search index
// follows by trigger (migration 0008).
func (s *Store) PutFileText(ctx context.Context, ft FileText) error {
	_, err := s.db.ExecContext(ctx, putFileTextSQL, fileTextArgs(ft)...)
	if err != nil {
		return fmt.Errorf("store text of file %s: %w", ft.SHA256, err)
	}
	return nil
}

// PutFileTexts stores the text of a batch of files in one transaction: one
// commit for the files of a batch of filed messages, not one for each.
func (s *Store) PutFileTexts(ctx context.Context, files []FileText) error {
	if len(files) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, putFileTextSQL)
		if err != nil {
			return err
		}
		defer put.Close()
		for _, ft := range files {
			if _, err := put.ExecContext(ctx, fileTextArgs(ft)...); err != nil {
				return fmt.Errorf("text of file %s: %w", ft.SHA256, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store %d files' text: %w", len(files), err)
	}
	return nil
}

// FileTextVersions returns, for each of shas whose text has been read, the
// version of the reader that read it.
func (s *Store) FileTextVersions(ctx context.Context, shas []string) (map[string]int, error) {
	out := map[string]int{}
	if err := s.intsByKey(ctx, `SELECT sha256, version FROM file_texts WHERE sha256 IN (%s)`, shas, out); err != nil {
		return nil, fmt.Errorf("read which files' text is stored: %w", err)
	}
	return out, nil
}

// FileTextOf returns the stored text of a file, or ErrNotFound if it has
// not been read.
func (s *Store) FileTextOf(ctx context.Context, sha string) (FileText, error) {
	ft := FileText{SHA256: sha}
	var at sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT status, format, reason, text, truncated, pages, version, extracted_at
		FROM file_texts WHERE sha256 = ?`, sha).Scan(&ft.Status, &ft.Format, &ft.Reason, &ft.Text, &ft.Truncated, &ft.Pages, &ft.Version, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return ft, fmt.Errorf("text of file %s: %w", sha, ErrNotFound)
	}
	ft.At = parseTime(at)
	return ft, err
}

// FileTextVersion reports the extraction version of a file's stored text
// (ok false if it has none), so that a file is read only once.
func (s *Store) FileTextVersion(ctx context.Context, sha string) (version int, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT version FROM file_texts WHERE sha256 = ?`, sha).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return version, err == nil, err
}

// StoredFile is one distinct file of the received messages, with one of
// the names and content types it came under.
type StoredFile struct {
	SHA256      string
	Name        string
	ContentType string
}

// ReceivedFiles lists every distinct file attached to a received message.
func (s *Store) ReceivedFiles(ctx context.Context) ([]StoredFile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.sha256, a.name, a.content_type FROM attachments a
		JOIN messages m ON m.id = a.message_id
		WHERE m.direction = 'in' AND a.id = (SELECT min(b.id) FROM attachments b WHERE b.sha256 = a.sha256)
		ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []StoredFile
	for rows.Next() {
		var f StoredFile
		if err := rows.Scan(&f.SHA256, &f.Name, &f.ContentType); err != nil {
			return nil, err
		}
		list = append(list, f)
	}
	return list, rows.Err()
}

// IndexMessage sets what the search index holds for a received message:
// its subject and body as given (the caller leaves out the quoted earlier
// messages, which include our own letter). Until it is called, the index
// holds the whole body (the insert trigger of migration 0008), so a
// message is never missing from it.
func (s *Store) IndexMessage(ctx context.Context, id int64, subject, body string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_fts WHERE docid = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO message_fts (docid, subject, body) SELECT id, ?, ? FROM messages
			WHERE id = ? AND direction = 'in'`, subject, body, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("index message %d: %w", id, err)
	}
	return nil
}

// RebuildMessageIndex indexes every received message again, its body
// passed through body (which leaves out quoted text; nil keeps it whole).
// It returns how many messages are indexed.
func (s *Store) RebuildMessageIndex(ctx context.Context, body func(string) string) (int, error) {
	if body == nil {
		body = func(b string) string { return b }
	}
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_fts`); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, subject, body_text FROM messages WHERE direction = 'in' ORDER BY id`)
		if err != nil {
			return err
		}
		type msg struct {
			id            int64
			subject, body string
		}
		var list []msg
		for rows.Next() {
			var m msg
			if err := rows.Scan(&m.id, &m.subject, &m.body); err != nil {
				rows.Close()
				return err
			}
			list = append(list, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_fts (docid, subject, body) VALUES (?, ?, ?)`, m.id, m.subject, body(m.body)); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild the message index: %w", err)
	}
	return n, nil
}

// ErrEmptyQuery is returned by Search for a query with no word in it.
var ErrEmptyQuery = errors.New("store: nothing to search for")

// maxHits bounds one search; SearchResults.More says there were more.
const maxHits = 500

// SnippetPart is a piece of a snippet: words in context, with the words
// that matched marked (the dashboard wraps them in <mark>).
type SnippetPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// SearchHit is one message or file that holds the words searched for.
type SearchHit struct {
	// Ref is the request the message is filed under ("" for a message in
	// the unmatched queue); Campaign and Authority go with it.
	Ref       string    `json:"ref,omitempty"`
	Campaign  string    `json:"campaign,omitempty"`
	Authority string    `json:"authority,omitempty"`
	MessageID int64     `json:"message_id"`
	Date      time.Time `json:"date"`
	From      string    `json:"from"`
	Subject   string    `json:"subject"`
	// File is the attachment's name when the words are in a file, "" when
	// they are in the message itself; AttachmentID is then its id.
	File         string        `json:"file,omitempty"`
	AttachmentID int64         `json:"attachment_id,omitempty"`
	Snippet      []SnippetPart `json:"snippet"`
}

// UnreadFile is a file of a received message whose text could not be
// searched, and why: every search lists them, so none is passed over
// silently.
type UnreadFile struct {
	Ref          string    `json:"ref,omitempty"`
	MessageID    int64     `json:"message_id"`
	AttachmentID int64     `json:"attachment_id"`
	Date         time.Time `json:"date"`
	From         string    `json:"from"`
	Name         string    `json:"name"`
	// Status is extract's ("no-text", "unsupported", "unreadable"), or
	// "not-read" when no text is stored (filed while reading failed, or
	// before search existed: `foi reindex` reads it).
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// SearchResults is what Search found.
type SearchResults struct {
	Query  string       `json:"query"`
	Hits   []SearchHit  `json:"hits"`
	More   bool         `json:"more,omitempty"`
	Unread []UnreadFile `json:"unread"`
}

// Snippet markers: control characters that extracted text cannot hold
// (see matchExpr) and that do not reach the user.
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// Search finds the received messages (subject and body) and the texts of
// their files that hold every word of query, in one campaign (by slug) or
// all when campaign is "". A word may end in * to match words starting
// with it; words in double quotes must come in that order ("Equality
// Impact Assessment"). Matching ignores case and accents. Hits are in
// order of request and date; Unread lists the files of the same messages
// whose text could not be read, whatever the query.
func (s *Store) Search(ctx context.Context, query, campaign string) (SearchResults, error) {
	res := SearchResults{Query: query, Hits: []SearchHit{}, Unread: []UnreadFile{}}
	expr := matchExpr(query)
	if expr == "" {
		return res, ErrEmptyQuery
	}
	campaign = strings.ToUpper(strings.TrimSpace(campaign))
	if campaign != "" {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM campaigns WHERE upper(slug) = ?`, campaign).Scan(&n); err != nil {
			return res, err
		}
		if n == 0 {
			return res, fmt.Errorf("campaign %s: %w", campaign, ErrNotFound)
		}
	}
	const ctxCols = `m.id, coalesce(r.ref, ''), coalesce(c.slug, ''), coalesce(au.name, ''), m.date, m.from_addr, m.subject`
	const ctxJoins = ` LEFT JOIN requests r ON r.id = m.request_id LEFT JOIN campaigns c ON c.id = r.campaign_id
		LEFT JOIN authorities au ON au.id = r.authority_id `
	const campaignFilter = ` AND (? = '' OR upper(c.slug) = ?) `
	snip := func(table string) string {
		return `snippet(` + table + `, '` + markOpen + `', '` + markClose + `', '…', -1, 24)`
	}
	queries := []string{
		`SELECT ` + ctxCols + `, '', 0, ` + snip("message_fts") + `, 0 AS hit_seq FROM message_fts
			JOIN messages m ON m.id = message_fts.docid` + ctxJoins + `WHERE message_fts MATCH ?` + campaignFilter,
		`SELECT ` + ctxCols + `, a.name, a.id, ` + snip("file_fts") + `, a.seq + 1 AS hit_seq FROM file_fts
			JOIN file_texts ft ON ft.id = file_fts.docid JOIN attachments a ON a.sha256 = ft.sha256
			JOIN messages m ON m.id = a.message_id` + ctxJoins + `WHERE file_fts MATCH ? AND m.direction = 'in'` + campaignFilter,
	}
	for _, q := range queries {
		rows, err := s.db.QueryContext(ctx, q+` ORDER BY m.id, hit_seq LIMIT ?`, expr, campaign, campaign, maxHits+1)
		if err != nil {
			return res, fmt.Errorf("search %q: %w", query, err)
		}
		for rows.Next() {
			var h SearchHit
			var date sql.NullString
			var snippet string
			var seq int
			if err := rows.Scan(&h.MessageID, &h.Ref, &h.Campaign, &h.Authority, &date, &h.From, &h.Subject,
				&h.File, &h.AttachmentID, &snippet, &seq); err != nil {
				rows.Close()
				return res, err
			}
			h.Date = parseTime(date)
			h.Snippet = splitSnippet(snippet)
			res.Hits = append(res.Hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, fmt.Errorf("search %q: %w", query, err)
		}
	}
	sortHits(res.Hits)
	if len(res.Hits) > maxHits {
		res.Hits, res.More = res.Hits[:maxHits], true
	}
	unread, err := s.unreadFiles(ctx, campaign)
	if err != nil {
		return res, err
	}
	res.Unread = unread
	return res, nil
}

// UnreadFiles lists the files of received messages whose text could not be
// read (or has not been), in one campaign or all.
func (s *Store) UnreadFiles(ctx context.Context, campaign string) ([]UnreadFile, error) {
	return s.unreadFiles(ctx, strings.ToUpper(strings.TrimSpace(campaign)))
}

func (s *Store) unreadFiles(ctx context.Context, campaign string) ([]UnreadFile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(r.ref, ''), m.id, a.id, m.date, m.from_addr, a.name,
		coalesce(ft.status, 'not-read'), coalesce(ft.reason, '')
		FROM attachments a JOIN messages m ON m.id = a.message_id
		LEFT JOIN file_texts ft ON ft.sha256 = a.sha256
		LEFT JOIN requests r ON r.id = m.request_id LEFT JOIN campaigns c ON c.id = r.campaign_id
		WHERE m.direction = 'in' AND coalesce(ft.status, '') <> 'ok' AND (? = '' OR upper(c.slug) = ?)
		ORDER BY coalesce(r.ref, ''), m.id, a.seq`, campaign, campaign)
	if err != nil {
		return nil, fmt.Errorf("list unread files: %w", err)
	}
	defer rows.Close()
	list := []UnreadFile{}
	for rows.Next() {
		var u UnreadFile
		var date sql.NullString
		if err := rows.Scan(&u.Ref, &u.MessageID, &u.AttachmentID, &date, &u.From, &u.Name, &u.Status, &u.Reason); err != nil {
			return nil, err
		}
		u.Date = parseTime(date)
		list = append(list, u)
	}
	return list, rows.Err()
}

// sortHits orders hits by request (unmatched last), then message, the
// message itself before its files.
func sortHits(h []SearchHit) {
	less := func(a, b SearchHit) bool {
		if (a.Ref == "") != (b.Ref == "") {
			return a.Ref != ""
		}
		if a.Ref != b.Ref {
			return a.Ref < b.Ref
		}
		if a.MessageID != b.MessageID {
			return a.MessageID < b.MessageID
		}
		if (a.File == "") != (b.File == "") {
			return a.File == ""
		}
		return a.AttachmentID < b.AttachmentID
	}
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && less(h[j], h[j-1]); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

// splitSnippet turns FTS's marked snippet into parts, white space runs
// (line breaks, tabs, page breaks) made single spaces.
func splitSnippet(s string) []SnippetPart {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) }), " ")
	var parts []SnippetPart
	for s != "" {
		i := strings.Index(s, markOpen)
		if i < 0 {
			parts = append(parts, SnippetPart{Text: s})
			break
		}
		if i > 0 {
			parts = append(parts, SnippetPart{Text: s[:i]})
		}
		s = s[i+len(markOpen):]
		j := strings.Index(s, markClose)
		if j < 0 {
			j = len(s)
		}
		parts = append(parts, SnippetPart{Text: s[:j], Match: true})
		s = strings.TrimPrefix(s[j:], markClose)
	}
	for i := range parts {
		parts[i].Text = strings.NewReplacer(markOpen, "", markClose, "").Replace(parts[i].Text)
	}
	return parts
}

// SnippetText is a snippet as one line, matches between open and close.
func SnippetText(parts []SnippetPart, open, close string) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Match {
			b.WriteString(open + p.Text + close)
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// matchExpr turns what a user typed into an FTS4 MATCH expression that
// cannot be a syntax error: each word and each "quoted phrase" becomes a
// quoted phrase (so AND, OR, NEAR, -, ( and : are words, not operators),
// all of them required; a trailing * on a word keeps prefix matching.
// Characters that the tokenizer drops anyway are dropped, so "FOI-2108"
// searches the phrase "foi 2108". It returns "" when no word is left.
func matchExpr(q string) string {
	var terms []string
	add := func(words string, prefix bool) {
		var toks []string
		for _, w := range strings.FieldsFunc(words, func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r))
		}) {
			toks = append(toks, w)
		}
		if len(toks) == 0 {
			return
		}
		t := `"` + strings.Join(toks, " ")
		if prefix {
			t += "*"
		}
		terms = append(terms, t+`"`)
	}
	for q != "" {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			break
		}
		if q[0] == '"' {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				end = len(q) - 1
			}
			add(q[1:1+end], false)
			q = q[min(len(q), end+2):]
			continue
		}
		end := strings.IndexFunc(q, unicode.IsSpace)
		if end < 0 {
			end = len(q)
		}
		word := q[:end]
		q = q[end:]
		add(word, strings.HasSuffix(word, "*"))
	}
	if len(terms) > 64 {
		terms = terms[:64]
	}
	return strings.Join(terms, " ")
}
