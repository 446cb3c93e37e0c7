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
	"foi/lifecycle"
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

// Guard is the outbox's last check before a letter goes: a scheduled letter
// goes only while its request still calls for it (no substantive reply,
// bounce or withdrawal since it was planned), and only inside the sending
// window on a working day. Other letters always go. The outbox passes the
// moment of each attempt; the clock argument is unused and kept only so
// that callers still compile.
func (s *Scheduler) Guard(_ func() time.Time) func(ctx context.Context, it store.OutboxItem, now time.Time) (mailer.Verdict, error) {
	return func(ctx context.Context, it store.OutboxItem, now time.Time) (mailer.Verdict, error) {
		if !it.Step.Chaser() && !it.Step.Review() {
			return mailer.Verdict{}, nil
		}
		r, err := s.Store.Request(ctx, it.Ref)
		if err != nil {
			return mailer.Verdict{}, err
		}
		if !lifecycle.MayGo(it.Step, r.State) {
			return mailer.Verdict{Cancel: fmt.Sprintf("the request is now %s", r.State)}, nil
		}
		law := calendar.Law(r.Law)
		if !s.InWindow(law, now) {
			return mailer.Verdict{Later: s.NextSendTime(law, now)}, nil
		}
		return mailer.Verdict{}, nil
	}
}
