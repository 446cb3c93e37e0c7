package schedule

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Loop keeps the schedule and the outbox going: the database is the queue,
// with a timer to the next due moment and a kick channel. Each pass:
//
//  1. Tick plans what is due and says when the schedule next has work.
//  2. Send sends the letters that are due (the outbox asks the Guard first).
//  3. Sleep until the earlier of that moment, the outbox's next attempt and
//     MaxWait, or until Kick (the watcher filed new mail) or ctx ends.
//
// A pass that cannot read or write the database stops the loop with the
// error (SPEC section 10: stop rather than lose track). A letter that
// cannot be sent is the outbox's business: it records why on the letter
// (foi status shows it) and Send's error is logged, not fatal; the loop
// tries again after ErrorWait, or at once when kicked.
type Loop struct {
	Scheduler *Scheduler
	// Send sends the outbox's due letters without waiting for retries.
	Send func(ctx context.Context) error
	Now  func() time.Time
	// Kick wakes the loop early; it may be nil.
	Kick    <-chan struct{}
	Log     *slog.Logger
	MaxWait time.Duration // default one hour: the clock moves on by itself
	// ErrorWait is how long to wait after Send failed before trying again
	// (unless kicked): a refused login must not be retried every second
	// until the account is locked. Default ten minutes.
	ErrorWait time.Duration
	// OnPass, if set, is told what each pass planned.
	OnPass func(planned []Planned)
}

// Run runs passes until ctx ends or the database fails.
func (l *Loop) Run(ctx context.Context) error {
	log := l.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxWait := l.MaxWait
	if maxWait <= 0 {
		maxWait = time.Hour
	}
	for {
		now := l.Now()
		planned, next, err := l.Scheduler.Tick(ctx, now)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if l.OnPass != nil {
			l.OnPass(planned)
		}
		sendErr := l.Send(ctx)
		if sendErr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			log.Error("sending stopped; letters wait (see foi status)", "err", sendErr)
		}
		wake := now.Add(maxWait)
		if !next.IsZero() && next.Before(wake) {
			wake = next
		}
		if sendErr != nil {
			// The letters that could not go are due at once: wait a while
			// rather than for them.
			errWait := l.ErrorWait
			if errWait <= 0 {
				errWait = 10 * time.Minute
			}
			wake = now.Add(errWait)
		} else if at, ok, err := l.Scheduler.Store.NextAttempt(ctx); err != nil {
			if !errors.Is(err, context.Canceled) {
				return err
			}
		} else if ok && at.Before(wake) {
			wake = at
		}
		wait := max(wake.Sub(l.Now()), time.Second)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-l.Kick:
		case <-t.C:
		}
		t.Stop()
	}
}
