package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"foi/lifecycle"
	"strings"
	"time"
)

// Campaign is one letter sent to a set of authorities.
type Campaign struct {
	ID             int64     `json:"id"`
	Slug           string    `json:"slug"`
	Title          string    `json:"title"`
	LetterName     string    `json:"letter_name"`
	Letter         string    `json:"-"`
	Selector       string    `json:"selector"`
	Law            string    `json:"law,omitempty"`
	RequesterName  string    `json:"requester_name"`
	RequesterOrg   string    `json:"requester_organisation,omitempty"`
	RequesterEmail string    `json:"requester_email"`
	CreatedAt      time.Time `json:"created_at"`
	Requests       int       `json:"requests"`
	// Schedule overrides the step modes of foi.yaml for this campaign.
	Schedule lifecycle.Modes `json:"schedule,omitempty"`
}

// NewRequest is one request to create with its campaign.
type NewRequest struct {
	AuthorityID int64
	Seq         int
	Ref         string
	ToAddress   string
	MessageID   string
}

// Request is one campaign × one authority, with what is needed to show it.
type Request struct {
	ID           int64           `json:"-"`
	CampaignID   int64           `json:"-"`
	Campaign     string          `json:"campaign"`
	Ref          string          `json:"ref"`
	Seq          int             `json:"-"`
	State        lifecycle.State `json:"state"`
	Authority    Authority       `json:"authority"`
	ToAddress    string          `json:"to"`
	MessageID    string          `json:"message_id"`
	AuthorityRef string          `json:"authority_ref,omitempty"`
	// Law is the campaign's law if it sets one, else the authority's.
	Law       string    `json:"law"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CreateCampaign stores a campaign and its requests (state draft, with an
// event each) in one transaction.
func (s *Store) CreateCampaign(ctx context.Context, c Campaign, reqs []NewRequest, now time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (slug, title, letter_name, letter, selector, law,
			requester_name, requester_org, requester_email, created_at, schedule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Slug, c.Title, c.LetterName, c.Letter, c.Selector, c.Law,
			c.RequesterName, c.RequesterOrg, c.RequesterEmail, formatTime(now), scheduleJSON(c.Schedule))
		if err != nil {
			if isDuplicate(err) {
				return &ExistsError{What: "campaign", Key: c.Slug}
			}
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, r := range reqs {
			res, err := tx.ExecContext(ctx, `INSERT INTO requests (campaign_id, authority_id, seq, ref, state,
				to_address, message_id, updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, r.AuthorityID, r.Seq, r.Ref, lifecycle.Draft, r.ToAddress, r.MessageID, formatTime(now), formatTime(now))
			if err != nil {
				return fmt.Errorf("create request %s: %w", r.Ref, err)
			}
			rid, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if err := addEvent(ctx, tx, Event{RequestID: rid, At: now, Kind: lifecycle.EventCreated, Actor: "user",
				Detail: "request created in campaign " + c.Slug}); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

const campaignCols = `c.id, c.slug, c.title, c.letter_name, c.letter, c.selector, c.law,
	c.requester_name, c.requester_org, c.requester_email, c.created_at,
	(SELECT count(*) FROM requests r WHERE r.campaign_id = c.id), c.schedule`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var created sql.NullString
	var sched string
	err := sc.Scan(&c.ID, &c.Slug, &c.Title, &c.LetterName, &c.Letter, &c.Selector, &c.Law,
		&c.RequesterName, &c.RequesterOrg, &c.RequesterEmail, &created, &c.Requests, &sched)
	c.CreatedAt = parseTime(created)
	if sched != "" {
		json.Unmarshal([]byte(sched), &c.Schedule)
	}
	return c, err
}

func scheduleJSON(m lifecycle.Modes) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// SetSchedule replaces a campaign's step-mode overrides.
func (s *Store) SetSchedule(ctx context.Context, slug string, modes lifecycle.Modes) error {
	res, err := s.db.ExecContext(ctx, `UPDATE campaigns SET schedule = ? WHERE slug = ?`, scheduleJSON(modes), slug)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return notFound("campaign", slug)
	}
	return nil
}

// Campaign returns the campaign with this slug.
func (s *Store) Campaign(ctx context.Context, slug string) (Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns c WHERE c.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("campaign", slug)
	}
	return c, err
}

// Campaigns lists every campaign but the archived ones (archive.go), oldest
// first.
func (s *Store) Campaigns(ctx context.Context) ([]Campaign, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+campaignCols+` FROM campaigns c WHERE c.archived_at IS NULL ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

const requestCols = `r.id, r.campaign_id, c.slug, r.ref, r.seq, r.state, r.to_address, r.message_id,
	r.authority_ref, r.sent_at, r.updated_at, CASE WHEN c.law <> '' THEN c.law ELSE a.jurisdiction END,
	a.id, a.name, a.short_name, a.email, a.jurisdiction, a.notes,
	coalesce((SELECT group_concat(tag, ';') FROM (SELECT tag FROM authority_tags t WHERE t.authority_id = a.id ORDER BY tag)), '')`

const requestFrom = ` FROM requests r JOIN campaigns c ON c.id = r.campaign_id JOIN authorities a ON a.id = r.authority_id `

func scanRequest(sc interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var sent, updated sql.NullString
	var tags string
	err := sc.Scan(&r.ID, &r.CampaignID, &r.Campaign, &r.Ref, &r.Seq, &r.State, &r.ToAddress, &r.MessageID,
		&r.AuthorityRef, &sent, &updated, &r.Law,
		&r.Authority.ID, &r.Authority.Name, &r.Authority.ShortName, &r.Authority.Email,
		&r.Authority.Jurisdiction, &r.Authority.Notes, &tags)
	r.SentAt, r.UpdatedAt = parseTime(sent), parseTime(updated)
	r.Authority.Tags = []string{}
	if tags != "" {
		r.Authority.Tags = strings.Split(tags, ";")
	}
	return r, err
}

// Requests lists the requests of a campaign (of every campaign but the
// archived ones if slug is ""), in reference order.
func (s *Store) Requests(ctx context.Context, slug string) ([]Request, error) {
	q := `SELECT ` + requestCols + requestFrom
	var args []any
	if slug != "" {
		q += ` WHERE c.slug = ?`
		args = append(args, slug)
	} else {
		q += ` WHERE c.archived_at IS NULL`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY c.id, r.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// Request returns one request by its reference (case-insensitive).
func (s *Store) Request(ctx context.Context, ref string) (Request, error) {
	r, err := scanRequest(s.db.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.ref = ?`, strings.ToUpper(ref)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("request", strings.ToUpper(ref))
	}
	return r, err
}

// SetState moves a request to a new state and records why, as one event.
func (s *Store) SetState(ctx context.Context, ref string, to lifecycle.State, actor, note string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return setState(ctx, tx, strings.ToUpper(ref), to, actor, note, now)
	})
}

func setState(ctx context.Context, tx *sql.Tx, ref string, to lifecycle.State, actor, note string, now time.Time) error {
	var id int64
	var from lifecycle.State
	err := tx.QueryRowContext(ctx, `SELECT id, state FROM requests WHERE ref = ?`, ref).Scan(&id, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("request", ref)
	}
	if err != nil {
		return err
	}
	if from == to {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET state = ?, updated_at = ? WHERE id = ?`, to, formatTime(now), id); err != nil {
		return err
	}
	detail := fmt.Sprintf("%s → %s", from, to)
	if note != "" {
		detail += ": " + note
	}
	return addEvent(ctx, tx, Event{RequestID: id, At: now, Kind: lifecycle.EventState, Actor: actor, Detail: detail, From: from, To: to})
}
