package digest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"foi/schedule"
	"foi/store"
)

// Sender is the SMTP session a digest goes through; *mailer.SMTP, the
// campaign's own, is the real one.
type Sender interface {
	Dial(ctx context.Context) error
	Send(ctx context.Context, m *gomail.Msg) error
	Close() error
}

// Notifier sends the digests. `foi serve` runs Run; `foi digest` calls
// Daily. Each step:
//
//  1. reads the last digest of each kind from the store;
//  2. if the day's digest is due (after DailyAt, none sent today), builds
//     it and, unless it is empty, sends it and records it; it covers the
//     urgent replies too;
//  3. otherwise, if a reply that cannot wait (Urgent) arrived after the
//     last digest of either kind, sends an urgent digest of those at once;
//  4. says when the next daily digest is due, so that Run sleeps until
//     then or until Kick (the watcher filed mail).
type Notifier struct {
	Scheduler *schedule.Scheduler
	Sender    Sender
	// Envelope gives From and To; each digest gets its own Message-ID.
	Envelope Envelope
	Links    Links
	Zone     *time.Location
	// DailyAt is the time of day the daily digest is due (in Zone).
	DailyAt time.Duration
	Now     func() time.Time
	Log     *slog.Logger
	// Kick wakes Run early; it may be nil.
	Kick <-chan struct{}
	// ErrorWait is how long Run waits after a digest could not be sent
	// (default ten minutes).
	ErrorWait time.Duration

	skipped string // a day whose daily digest had nothing to say
}

// sendError marks a digest that could not be sent (the store is fine):
// Run tries again later instead of stopping.
type sendError struct{ err error }

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

func (n *Notifier) log() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (n *Notifier) zone() *time.Location {
	if n.Zone != nil {
		return n.Zone
	}
	return time.UTC
}

// day is the date of t in the notifier's zone, as YYYY-MM-DD.
func (n *Notifier) day(t time.Time) string { return t.In(n.zone()).Format(time.DateOnly) }

// dueAt is the moment the daily digest of t's day is due.
func (n *Notifier) dueAt(t time.Time, days int) time.Time {
	l := t.In(n.zone())
	h, m := int(n.DailyAt/time.Hour), int(n.DailyAt%time.Hour/time.Minute)
	return time.Date(l.Year(), l.Month(), l.Day()+days, h, m, 0, 0, n.zone())
}

// Step sends what is due at now and says when the next daily digest is.
func (n *Notifier) Step(ctx context.Context, now time.Time) (sent []Digest, next time.Time, err error) {
	st := n.Scheduler.Store
	daily, haveDaily, err := st.LastDigest(ctx, store.DigestDaily)
	if err != nil {
		return nil, time.Time{}, err
	}
	today := n.day(now)
	doneToday := haveDaily && daily.Day == today || n.skipped == today
	next = n.dueAt(now, 0)
	if doneToday || now.Before(next) {
		if !now.Before(next) {
			next = n.dueAt(now, 1)
		}
	} else {
		d, ok, err := n.send(ctx, store.DigestDaily, daily.Through, now)
		if err != nil {
			return nil, next, err
		}
		if ok {
			sent = append(sent, d)
		} else {
			n.skipped = today
		}
		return sent, n.dueAt(now, 1), nil
	}
	urgent, haveUrgent, err := st.LastDigest(ctx, store.DigestUrgent)
	if err != nil {
		return nil, next, err
	}
	after := daily.Through
	if haveUrgent {
		after = max(after, urgent.Through)
	}
	d, ok, err := n.send(ctx, store.DigestUrgent, after, now)
	if err != nil {
		return nil, next, err
	}
	if ok {
		sent = append(sent, d)
	}
	return sent, next, nil
}

// Daily sends the day's digest now, whatever the time, unless one went
// today (already is then true). An empty digest is not sent (sent false).
// With dry set it only builds the digest: nothing is sent or recorded.
func (n *Notifier) Daily(ctx context.Context, now time.Time, dry bool) (d Digest, sent, already bool, err error) {
	st := n.Scheduler.Store
	last, ok, err := st.LastDigest(ctx, store.DigestDaily)
	if err != nil {
		return d, false, false, err
	}
	if ok && last.Day == n.day(now) && !dry {
		return d, false, true, nil
	}
	if dry {
		d, err = Build(ctx, n.Scheduler, store.DigestDaily, last.Through, n.since(last, ok, now), now, n.Links)
		return d, false, ok && last.Day == n.day(now), err
	}
	d, sent, err = n.send(ctx, store.DigestDaily, last.Through, now)
	return d, sent, false, err
}

// send builds a digest and, unless it is empty, sends and records it.
func (n *Notifier) send(ctx context.Context, kind store.DigestKind, after int64, now time.Time) (Digest, bool, error) {
	st := n.Scheduler.Store
	last, ok, err := st.LastDigest(ctx, kind)
	if err != nil {
		return Digest{}, false, err
	}
	d, err := Build(ctx, n.Scheduler, kind, after, n.since(last, ok, now), now, n.Links)
	if err != nil {
		return d, false, err
	}
	if d.Empty() {
		return d, false, nil
	}
	env := n.Envelope
	env.MessageID = messageID(kind, now, env.From)
	m, err := d.Message(env, n.zone(), n.Links)
	if err != nil {
		return d, false, &sendError{err}
	}
	if err := n.Sender.Dial(ctx); err != nil {
		return d, false, &sendError{fmt.Errorf("digest: connect: %w", err)}
	}
	err = n.Sender.Send(ctx, m)
	n.Sender.Close()
	if err != nil {
		return d, false, &sendError{fmt.Errorf("digest: send to %s: %w", strings.Join(env.To, ", "), err)}
	}
	rec := store.Digest{Kind: kind, Day: n.day(now), Through: d.Through, Recipients: env.To, MessageID: env.MessageID, SentAt: now}
	if err := st.RecordDigest(ctx, rec); errors.Is(err, store.ErrExists) {
		// Another foi sent the day's digest meanwhile (they share the
		// outbox lock, so this should not happen): keep the first record.
		n.log().Warn("the day's digest was sent twice", "day", rec.Day, "err", err)
	} else if err != nil {
		return d, true, fmt.Errorf("digest: record it: %w", err)
	}
	n.log().Info("digest sent", "kind", kind, "to", strings.Join(env.To, ", "), "replies", len(d.Arrived), "needs", len(d.Needs))
	return d, true, nil
}

// since is when the digest after last begins: when last went, or, for the
// first, FirstWindow ago.
func (n *Notifier) since(last store.Digest, ok bool, now time.Time) time.Time {
	if ok {
		return last.SentAt
	}
	return now.Add(-FirstWindow)
}

// Run sends digests until ctx ends. A digest that cannot be sent is
// logged and tried again after ErrorWait (or when kicked); a store that
// cannot be read stops Run with the error.
func (n *Notifier) Run(ctx context.Context) error {
	errWait := n.ErrorWait
	if errWait <= 0 {
		errWait = 10 * time.Minute
	}
	for {
		now := n.Now()
		_, next, err := n.Step(ctx, now)
		if ctx.Err() != nil {
			return nil
		}
		var se *sendError
		switch {
		case errors.As(err, &se):
			n.log().Error("digest not sent; trying again later", "err", err, "in", errWait)
			next = now.Add(errWait)
		case err != nil:
			return err
		}
		wait := min(max(next.Sub(n.Now()), time.Second), time.Hour)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-n.Kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// messageID is a digest's Message-ID, in the From address's domain.
func messageID(kind store.DigestKind, now time.Time, from string) string {
	var b [6]byte
	rand.Read(b[:])
	domain := "foi.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return fmt.Sprintf("digest-%s-%s.%s@%s", kind, now.UTC().Format("20060102T150405"), hex.EncodeToString(b[:]), domain)
}
