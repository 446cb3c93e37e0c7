// Package schedule decides what each request needs next and when: the
// first and final chasers, the internal review when there is no answer or
// after a refusal, and the complaint to the Information Commissioner (or,
// in Scotland, the appeal to the Scottish Information Commissioner). It
// works from the facts the store holds (deliveries, replies and their
// classes, letters sent), computes the statutory dates with package
// deadline, and queues letters in the outbox — as drafts or to go at the
// next moment inside the sending window — never more than one per step per
// request, whatever restarts happen (the outbox's unique step enforces it).
//
// It does not send (the outbox does, at its own rate, asking Guard first,
// so that a letter planned before the authority answered is not sent after
// it did). A *Scheduler holds no mutable state and is safe for concurrent
// use.
package schedule

import (
	"context"
	"fmt"
	"foi/calendar"
	"foi/mailer"
	"foi/store"
	"foi/templates"
	"log/slog"
	"time"
)

// Scheduler plans and queues follow-up letters.
type Scheduler struct {
	Store   *store.Store
	Cal     *calendar.Calendar
	Letters *templates.Set
	Policy  Policy
	Log     *slog.Logger
	// PlusSecret signs per-request reply addresses ("" when not used).
	PlusSecret string
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Guard is the outbox's last check before a letter goes, asked with the
// moment of the attempt. A scheduled chaser or review goes only while its
// request still calls for it: its step must still be the request's next,
// and due by now (StillDue), with today's facts — an answer, a bounce, a
// withdrawal or a stopped clock since it was planned cancels it, and an
// extension since then makes it wait for the new due date. It goes only
// inside the sending window on a working day. A letter written by foi is
// written again at that moment, so that it states the due date in force
// and is dated when it goes; a letter a person approved goes as they left
// it. Other letters (the request itself, letters written by hand) always go.
func (s *Scheduler) Guard() func(ctx context.Context, it store.OutboxItem, now time.Time) (mailer.Verdict, error) {
	return func(ctx context.Context, it store.OutboxItem, now time.Time) (mailer.Verdict, error) {
		if !it.Step.Chaser() && !it.Step.Review() {
			return mailer.Verdict{}, nil
		}
		r, err := s.Store.Request(ctx, it.Ref)
		if err != nil {
			return mailer.Verdict{}, err
		}
		f, err := s.Facts(ctx, r)
		if err != nil {
			return mailer.Verdict{}, err
		}
		// The facts as if this letter had not been planned: is its step
		// still the one due?
		others := f.Outbox[:0:0]
		for _, o := range f.Outbox {
			if o.ID != it.ID {
				others = append(others, o)
			}
		}
		f.Outbox = others
		ok, why, later := s.StillDue(f, it.Step, now)
		switch {
		case !ok && later.IsZero():
			return mailer.Verdict{Cancel: why}, nil
		case !ok:
			return mailer.Verdict{Later: later}, nil
		}
		law := calendar.Law(r.Law)
		if !s.InWindow(law, now) {
			return mailer.Verdict{Later: s.NextSendTime(law, now)}, nil
		}
		if f.drafted(it) {
			return mailer.Verdict{}, nil
		}
		l, err := s.Letter(f, template(it.Step, law), "", now)
		if err != nil {
			return mailer.Verdict{}, fmt.Errorf("write %s for %s again: %w", it.Step, it.Ref, err)
		}
		l.MessageID, l.To = it.MessageID, it.To
		return mailer.Verdict{Letter: &l}, nil
	}
}
