package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Authority is a public body that letters are sent to.
type Authority struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	ShortName    string   `json:"short_name"`
	Email        string   `json:"email"`
	Jurisdiction string   `json:"jurisdiction"`
	Tags         []string `json:"tags"`
	Notes        string   `json:"notes,omitempty"`
}

// HasTag reports whether the authority carries tag (case-insensitive).
func (a Authority) HasTag(tag string) bool {
	for _, t := range a.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// UpsertAuthorities inserts the given authorities, updating those whose name
// already exists, all in one transaction: either every row is written or
// none is.
func (s *Store) UpsertAuthorities(ctx context.Context, list []Authority, now time.Time) (added, updated int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		added, updated = 0, 0
		for _, a := range list {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM authorities WHERE name = ?`, a.Name).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res, err := tx.ExecContext(ctx, `INSERT INTO authorities
					(name, short_name, email, jurisdiction, notes, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?)`,
					a.Name, a.ShortName, a.Email, a.Jurisdiction, a.Notes, formatTime(now), formatTime(now))
				if err != nil {
					return fmt.Errorf("insert authority %q: %w", a.Name, err)
				}
				if id, err = res.LastInsertId(); err != nil {
					return err
				}
				added++
			case err != nil:
				return err
			default:
				if _, err := tx.ExecContext(ctx, `UPDATE authorities SET short_name = ?, email = ?,
					jurisdiction = ?, notes = ?, updated_at = ? WHERE id = ?`,
					a.ShortName, a.Email, a.Jurisdiction, a.Notes, formatTime(now), id); err != nil {
					return fmt.Errorf("update authority %q: %w", a.Name, err)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM authority_tags WHERE authority_id = ?`, id); err != nil {
					return err
				}
				updated++
			}
			for _, t := range a.Tags {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO authority_tags (authority_id, tag) VALUES (?, ?)`, id, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return added, updated, err
}

// Authorities lists every authority by name, but for archived ones
// (archive.go): so they are not chosen for new campaigns.
func (s *Store) Authorities(ctx context.Context) ([]Authority, error) {
	return s.queryAuthorities(ctx, `SELECT id, name, short_name, email, jurisdiction, notes FROM authorities WHERE archived_at IS NULL ORDER BY name`)
}

// Authority returns one authority by id.
func (s *Store) Authority(ctx context.Context, id int64) (Authority, error) {
	list, err := s.queryAuthorities(ctx, `SELECT id, name, short_name, email, jurisdiction, notes FROM authorities WHERE id = ?`, id)
	if err != nil {
		return Authority{}, err
	}
	if len(list) == 0 {
		return Authority{}, fmt.Errorf("authority %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

func (s *Store) queryAuthorities(ctx context.Context, q string, args ...any) ([]Authority, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var list []Authority
	byID := map[int64]int{}
	for rows.Next() {
		var a Authority
		if err := rows.Scan(&a.ID, &a.Name, &a.ShortName, &a.Email, &a.Jurisdiction, &a.Notes); err != nil {
			rows.Close()
			return nil, err
		}
		a.Tags = []string{}
		byID[a.ID] = len(list)
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	trows, err := s.db.QueryContext(ctx, `SELECT authority_id, tag FROM authority_tags ORDER BY tag`)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		var id int64
		var tag string
		if err := trows.Scan(&id, &tag); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			list[i].Tags = append(list[i].Tags, tag)
		}
	}
	for i := range list {
		sort.Strings(list[i].Tags)
	}
	return list, trows.Err()
}
