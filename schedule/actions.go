package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"foi/calendar"
	"foi/campaign"
	"foi/lifecycle"
	"foi/mailer"
	"foi/store"
	"foi/templates"
)

// What a person does with the letters of the outbox, the same from the
// command line and the dashboard: approve a draft, write a follow-up from
// a template. The callers say it in their own words from these errors.

// ErrNotDraft: the letter is no longer a draft (approved, sent or
// discarded meanwhile).
var ErrNotDraft = errors.New("schedule: no longer a draft")

// ErrComplaintNotSent: a complaint to the Commissioner is never sent by
// foi (SPEC section 7); the person builds the pack and files it.
var ErrComplaintNotSent = errors.New("schedule: a complaint is never sent by foi")

// ErrNoGroundsLine: grounds were given for a letter with no
// [GROUNDS: ...] line to put them in.
var ErrNoGroundsLine = errors.New("schedule: the letter has no grounds placeholder")

// PlaceholderError is a letter that still has a line to write before it
// can go.
type PlaceholderError struct {
	Placeholder templates.Placeholder
	// Grounds: the line is the grounds of a review, which approving with
	// grounds fills.
	Grounds bool
}

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("the letter still has a placeholder to fill in, on line %d: %s", e.Placeholder.Line, e.Placeholder.Text)
}

// Approve releases draft id to be sent at the next sending time, which it
// returns. Grounds, if given, first take the place of the draft's
// [GROUNDS: ...] line (the draft is edited, keeping its Message-ID). It is
// refused, unchanged, while a placeholder is left, for a complaint, and for
// a letter that is no longer a draft (ErrNotDraft, wrapped with the
// letter).
func (s *Scheduler) Approve(ctx context.Context, id int64, grounds string, now time.Time) (time.Time, error) {
	it, err := s.Store.OutboxItem(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	if it.State != lifecycle.OutboxDraft {
		return time.Time{}, fmt.Errorf("letter %d is %s: %w", id, it.State, ErrNotDraft)
	}
	l, err := mailer.StoredLetter(it)
	if err != nil {
		return time.Time{}, err
	}
	if grounds != "" {
		if !templates.HasPlaceholder(l.Body, "GROUNDS") {
			return time.Time{}, fmt.Errorf("draft %d: %w", id, ErrNoGroundsLine)
		}
		l.Body = templates.FillPlaceholders(l.Body, grounds)
		if err := s.EditDraft(ctx, it, l.Body, now); err != nil {
			return time.Time{}, err
		}
	}
	if holes := templates.Placeholders(l.Body); len(holes) > 0 {
		return time.Time{}, &PlaceholderError{Placeholder: holes[0], Grounds: templates.HasPlaceholder(l.Body, "GROUNDS")}
	}
	if it.Step == lifecycle.StepComplaint {
		return time.Time{}, fmt.Errorf("draft %d for %s: %w", id, it.Ref, ErrComplaintNotSent)
	}
	r, err := s.Store.Request(ctx, it.Ref)
	if err != nil {
		return time.Time{}, err
	}
	next := s.NextSendTime(calendar.Law(r.Law), now)
	if err := s.Store.Approve(ctx, id, next, now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return time.Time{}, fmt.Errorf("letter %d: %w", id, ErrNotDraft)
		}
		return time.Time{}, err
	}
	return next, nil
}

// EditDraft replaces the text of a draft with body, keeping its
// Message-ID (ErrNotDraft if it is no longer one).
func (s *Scheduler) EditDraft(ctx context.Context, it store.OutboxItem, body string, now time.Time) error {
	l, err := mailer.StoredLetter(it)
	if err != nil {
		return err
	}
	l.Body = body
	m, js, err := campaign.StoreLetter(s.Store, l)
	if err != nil {
		return err
	}
	if err := s.Store.EditDraft(ctx, it.ID, js, m, now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("letter %d: %w", it.ID, ErrNotDraft)
		}
		return err
	}
	return nil
}

// Queued is a follow-up written by a person and put in the outbox.
type Queued struct {
	ID        int64
	Draft     bool
	NotBefore time.Time
}

// QueueReply puts a follow-up letter l, written from template name for the
// request of f (see Letter) and perhaps changed by a person, in the outbox:
// to be sent at the next sending time, or kept as a draft for approval. A
// letter to be sent must have no placeholder left (*PlaceholderError).
func (s *Scheduler) QueueReply(ctx context.Context, f Facts, name string, l mailer.Letter, draft bool, now time.Time) (Queued, error) {
	if holes := templates.Placeholders(l.Body); !draft && len(holes) > 0 {
		return Queued{}, &PlaceholderError{Placeholder: holes[0], Grounds: templates.HasPlaceholder(l.Body, "GROUNDS")}
	}
	kind := lifecycle.Kind(name)
	if strings.Contains(name, "review") {
		kind = lifecycle.KindReview
	}
	q := store.Queued{Kind: kind, Draft: draft, NotBefore: s.NextSendTime(calendar.Law(f.Request.Law), now)}
	id, err := campaign.Enqueue(ctx, s.Store, f.Request, q, l, now)
	if err != nil {
		return Queued{}, err
	}
	return Queued{ID: id, Draft: draft, NotBefore: q.NotBefore}, nil
}
