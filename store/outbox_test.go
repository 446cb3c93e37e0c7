package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"foi/lifecycle"
)

// queued makes a campaign of one request with its first letter queued, and
// returns the store, the request and the outbox entry.
func queued(t *testing.T) (*Store, Request, OutboxItem) {
	t.Helper()
	st := open(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)
	if _, _, err := st.UpsertAuthorities(ctx, []Authority{{Name: "A", Email: "a@a.test", Jurisdiction: "foia"}}, now); err != nil {
		t.Fatal(err)
	}
	all, _ := st.Authorities(ctx)
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C1", Title: "t", LetterName: "l", Letter: "x", Selector: "all",
		RequesterName: "n", RequesterEmail: "r@r.test"}, []NewRequest{{AuthorityID: all[0].ID, Seq: 1, Ref: "C1-001", ToAddress: "a@a.test", MessageID: "c1-001.x@r.test"}}, now); err != nil {
		t.Fatal(err)
	}
	r, _ := st.Request(ctx, "C1-001")
	raw := []byte("Date: Fri, 01 Jan 2027 10:00:00 +0000\r\n\r\nplanned\r\n")
	sum, err := st.PutMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Enqueue(ctx, r.ID, Queued{Step: lifecycle.StepLetter, Letter: `{"Body":"planned"}`},
		Message{MessageID: "c1-001.x@r.test", SHA256: sum, Size: int64(len(raw)), Subject: "s", BodyText: "planned", Date: now}, now)
	if err != nil {
		t.Fatal(err)
	}
	it, err := st.OutboxItem(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return st, r, it
}

func TestDuplicatesAreErrExists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, r, it := queued(t)
	now := time.Now()
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C1", Title: "again", LetterName: "l", Letter: "x", Selector: "all",
		RequesterName: "n", RequesterEmail: "r@r.test"}, nil, now); !errors.Is(err, ErrExists) {
		t.Errorf("CreateCampaign of an existing slug = %v, want ErrExists", err)
	}
	raw := []byte("another letter")
	sum, _ := st.PutMail(raw)
	m := Message{MessageID: "c1-001.y@r.test", SHA256: sum, Size: int64(len(raw))}
	if _, err := st.Enqueue(ctx, r.ID, Queued{Step: lifecycle.StepLetter, Letter: "{}"}, m, now); !errors.Is(err, ErrExists) {
		t.Errorf("second letter for the same step = %v, want ErrExists", err)
	}
	m.SHA256 = it.SHA256
	if _, err := st.Enqueue(ctx, r.ID, Queued{Step: lifecycle.StepManual, Letter: "{}"}, m, now); !errors.Is(err, ErrExists) {
		t.Errorf("a message with stored bytes already named = %v, want ErrExists", err)
	}
}

func TestIsDuplicate(t *testing.T) {
	t.Parallel()
	st := open(t, t.TempDir())
	_, dup := st.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'again', 'now')`)
	if _, err := st.DB().Exec(`CREATE TABLE u (k TEXT UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	st.DB().Exec(`INSERT INTO u (k) VALUES ('a')`)
	_, unique := st.DB().Exec(`INSERT INTO u (k) VALUES ('a')`)
	_, notNull := st.DB().Exec(`INSERT INTO schema_migrations (version) VALUES (99)`)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"primary key", dup, true},
		{"unique", fmt.Errorf("insert: %w", unique), true},
		{"not null", notNull, false},
		{"a text that says UNIQUE", errors.New("UNIQUE constraint failed: u.k"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := isDuplicate(tt.err); got != tt.want {
			t.Errorf("isDuplicate(%s: %v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
