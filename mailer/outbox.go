package mailer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"foi/lifecycle"
	"foi/store"
)

// Transport sends one composed message; *SMTP is the real one.
type Transport interface {
	Send(ctx context.Context, m *gomail.Msg) error
	Close() error
}

// SentFolder is the mailbox's Sent folder as the outbox needs it.
type SentFolder interface {
	// Has reports whether a message with this Message-ID is in the folder.
	Has(ctx context.Context, messageID string) (bool, error)
	Append(ctx context.Context, raw []byte, date time.Time) error
}

// Sent-copy policies (imap.sent_copy).
const (
	CopyAuto   = "auto"
	CopyAlways = "always"
	CopyNever  = "never"
)

// Outbox sends what the store's outbox holds. The database is the queue:
//
//  1. Entries left "sending" by an interrupted run are in doubt: the Sent
//     folder is searched for their Message-ID; if found they are recorded
//     as sent, otherwise they are sent again.
//  2. Each due entry is claimed ("sending", committed) before the SMTP
//     transaction, then composed again from its stored fields and checked
//     against the stored bytes' SHA-256, so exactly the stored bytes go out.
//  3. On success the entry, the request and an event are committed at
//     once; then a copy is appended to the Sent folder per the policy.
//  4. A temporary failure (4xx, network) waits with a doubling backoff; a
//     permanent one (5xx) fails the entry and the request for good.
//
// Letters are paced by Rate. An Outbox is used by one goroutine at a time;
// callers hold the data folder's outbox lock so that two processes never
// drain the same queue.
type Outbox struct {
	Store     *store.Store
	Transport Transport
	Sent      SentFolder // nil: no Sent folder checks or copies
	SentCopy  string
	// ProviderFiles says the provider files its own copy of what is sent
	// through it (Gmail, Microsoft 365), so auto appends none.
	ProviderFiles bool
	Rate          time.Duration
	Backoff       time.Duration
	BackoffMax    time.Duration
	MaxAttempts   int
	Now           func() time.Time
	Log           *slog.Logger
	// Progress, if set, is called after each letter with the counts so far.
	Progress func(s Summary, total int)
	// Guard, if set, is asked just before each letter goes: a scheduled
	// letter may no longer be due (the authority answered meanwhile: cancel,
	// with the reason) or may have to wait for the sending window (later).
	Guard func(ctx context.Context, it store.OutboxItem) (ok bool, why string, later time.Time, err error)
	// NoWait: send what is due now and return, instead of waiting out
	// temporary failures (foi tick and foi serve).
	NoWait bool

	lastSend time.Time
}

// Summary is what a Drain did.
type Summary struct {
	Sent int `json:"sent"`
	// Retried counts letters that needed more than one attempt and got out.
	Retried int `json:"retried"`
	Failed  int `json:"failed"`
	// Waiting counts letters still failing temporarily at the end of the run.
	Waiting int `json:"waiting"`
	// InDoubt counts letters whose fate could not be settled (the Sent
	// folder could not be searched); they are not sent blind.
	InDoubt  int       `json:"in_doubt"`
	Failures []Failure `json:"failures,omitempty"`
}

// Failure is one letter that could not be sent.
type Failure struct {
	Ref    string `json:"ref"`
	To     string `json:"to"`
	Reason string `json:"reason"`
	Final  bool   `json:"final"`
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Outbox) log() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Drain sends every due letter of the campaign slug ("" for all), waiting
// out temporary failures, until nothing is left to try in this run. limit > 0
// caps how many letters it sends.
func (o *Outbox) Drain(ctx context.Context, slug string, limit int) (Summary, error) {
	var sum Summary
	defer o.Transport.Close()
	if err := o.settleInDoubt(ctx, slug, &sum); err != nil {
		return sum, err
	}
	o.retryCopies(ctx, slug)
	tries := map[int64]int{}
	failedOnce := map[int64]bool{}
	total := -1
	for {
		items, err := o.Store.Outbox(ctx, slug)
		if err != nil {
			return sum, err
		}
		var due []store.OutboxItem
		var wake time.Time
		waiting := 0
		for _, it := range items {
			if it.State != lifecycle.OutboxPending && it.State != lifecycle.OutboxTempFailed {
				continue
			}
			if tries[it.ID] >= o.MaxAttempts {
				continue
			}
			waiting++
			if !it.NextAttemptAt.After(o.now()) {
				due = append(due, it)
			} else if wake.IsZero() || it.NextAttemptAt.Before(wake) {
				wake = it.NextAttemptAt
			}
		}
		if total < 0 {
			total = waiting
			if limit > 0 && total > limit {
				total = limit
			}
		}
		if limit > 0 && sum.Sent+sum.Failed >= limit {
			break
		}
		if len(due) == 0 {
			if wake.IsZero() || o.NoWait {
				break
			}
			if err := sleep(ctx, wake.Sub(o.now())); err != nil {
				return sum, err
			}
			continue
		}
		for _, it := range due {
			if limit > 0 && sum.Sent+sum.Failed >= limit {
				break
			}
			if o.Guard != nil {
				ok, why, later, err := o.Guard(ctx, it)
				if err != nil {
					return sum, err
				}
				if !ok {
					if later.IsZero() {
						err = o.Store.Cancel(ctx, it.ID, why, o.now())
						o.log().Info("letter no longer due: cancelled", "ref", it.Ref, "step", it.Step, "why", why)
					} else {
						err = o.Store.Reschedule(ctx, it.ID, later, o.now())
					}
					if err != nil {
						return sum, err
					}
					tries[it.ID] = o.MaxAttempts // not again in this run
					continue
				}
			}
			if err := o.pace(ctx); err != nil {
				return sum, err
			}
			tries[it.ID]++
			outcome, err := o.sendOne(ctx, it, tries[it.ID])
			if err != nil {
				return sum, err
			}
			switch outcome.state {
			case lifecycle.OutboxSent:
				sum.Sent++
				if failedOnce[it.ID] {
					sum.Retried++
				}
			case lifecycle.OutboxFailed:
				sum.Failed++
				sum.Failures = append(sum.Failures, Failure{Ref: it.Ref, To: it.To, Reason: outcome.reason, Final: true})
			case lifecycle.OutboxTempFailed:
				failedOnce[it.ID] = true
			}
			if o.Progress != nil {
				o.Progress(sum, total)
			}
		}
	}
	items, err := o.Store.Outbox(ctx, slug)
	if err != nil {
		return sum, err
	}
	for _, it := range items {
		if it.State == lifecycle.OutboxTempFailed {
			sum.Waiting++
			sum.Failures = append(sum.Failures, Failure{Ref: it.Ref, To: it.To, Reason: it.LastError})
		}
	}
	return sum, nil
}

type outcome struct {
	state  lifecycle.OutboxState
	reason string
}

// pace waits until Rate has passed since the last SMTP transaction.
func (o *Outbox) pace(ctx context.Context) error {
	if o.lastSend.IsZero() || o.Rate <= 0 {
		return nil
	}
	return sleep(ctx, time.Until(o.lastSend.Add(o.Rate)))
}

func (o *Outbox) sendOne(ctx context.Context, it store.OutboxItem, try int) (outcome, error) {
	log := o.log().With("ref", it.Ref, "step", it.Step, "message_id", it.MessageID)
	var l Letter
	if err := json.Unmarshal([]byte(it.Letter), &l); err != nil {
		return outcome{}, fmt.Errorf("outbox %d (%s): stored letter unreadable: %w", it.ID, it.Ref, err)
	}
	msg, err := Compose(l)
	if err != nil {
		return outcome{}, err
	}
	raw, err := msgBytes(msg)
	if err != nil {
		return outcome{}, err
	}
	if h := sha256.Sum256(raw); hex.EncodeToString(h[:]) != it.SHA256 {
		return outcome{}, fmt.Errorf("outbox %d (%s): composed letter differs from the stored bytes %s; not sending", it.ID, it.Ref, it.SHA256)
	}
	if err := o.Store.Claim(ctx, it.ID, o.now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return outcome{state: it.State}, nil
		}
		return outcome{}, err
	}
	// From here until MarkSent commits, a crash leaves the entry in doubt.
	o.lastSend = time.Now()
	sendErr := o.Transport.Send(ctx, msg)
	if sendErr == nil {
		if err := o.Store.MarkSent(ctx, it.ID, o.now(), ""); err != nil {
			return outcome{}, fmt.Errorf("record %s as sent: %w", it.Ref, err)
		}
		log.Info("sent", "to", it.To)
		o.copyToSent(ctx, it, raw, l.Date)
		return outcome{state: lifecycle.OutboxSent}, nil
	}
	se := classify(sendErr)
	switch {
	case se.InDoubt:
		log.Warn("connection lost after the data was sent; checking the Sent folder", "err", se.Text)
		st, err := o.settle(ctx, it)
		return outcome{state: st, reason: se.Text}, err
	case se.Temporary:
		next := o.now().Add(backoff(o.Backoff, o.BackoffMax, try))
		log.Warn("temporary failure", "err", se.Text, "retry_at", next)
		if err := o.Store.MarkTempFailed(ctx, it.ID, se.Text, next, o.now()); err != nil {
			return outcome{}, err
		}
		return outcome{state: lifecycle.OutboxTempFailed, reason: se.Text}, nil
	default:
		log.Error("refused", "err", se.Text)
		if err := o.Store.MarkFailed(ctx, it.ID, se.Text, o.now()); err != nil {
			return outcome{}, err
		}
		return outcome{state: lifecycle.OutboxFailed, reason: se.Text}, nil
	}
}

// settleInDoubt resolves the entries an interrupted run left "sending".
func (o *Outbox) settleInDoubt(ctx context.Context, slug string, sum *Summary) error {
	items, err := o.Store.Outbox(ctx, slug)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.State != lifecycle.OutboxSending {
			continue
		}
		st, err := o.settle(ctx, it)
		if err != nil {
			return err
		}
		if st == lifecycle.OutboxSending {
			sum.InDoubt++
		}
	}
	return nil
}

// settle decides the fate of an in-doubt entry by looking for its
// Message-ID in the Sent folder: found means sent; not found means it goes
// back to the queue at once. If the folder cannot be searched the entry
// stays in doubt rather than risk a second copy.
func (o *Outbox) settle(ctx context.Context, it store.OutboxItem) (lifecycle.OutboxState, error) {
	log := o.log().With("ref", it.Ref, "message_id", it.MessageID)
	if o.Sent == nil {
		// Nothing to consult: without a mailbox, resending is the only way
		// to make sure the letter arrives.
		return lifecycle.OutboxTempFailed, o.Store.MarkTempFailed(ctx, it.ID, "interrupted while sending; no Sent folder to check, sending again", o.now(), o.now())
	}
	found, err := o.Sent.Has(ctx, it.MessageID)
	if err != nil {
		log.Warn("in doubt: cannot search the Sent folder; not resending", "err", err)
		return lifecycle.OutboxSending, nil
	}
	if found {
		log.Info("in doubt: found in the Sent folder; recording as sent")
		if err := o.Store.MarkSent(ctx, it.ID, o.now(), "found in the Sent folder after an interruption"); err != nil {
			return "", err
		}
		if err := o.Store.SetSentCopy(ctx, it.ID, "found"); err != nil {
			return "", err
		}
		return lifecycle.OutboxSent, nil
	}
	log.Info("in doubt: not in the Sent folder; sending again")
	return lifecycle.OutboxTempFailed, o.Store.MarkTempFailed(ctx, it.ID, "interrupted while sending; not in the Sent folder, sending again", o.now(), o.now())
}

// copyToSent files a copy of a sent letter per the sent_copy policy. A
// failure is recorded and retried by a later run; it never fails the send.
func (o *Outbox) copyToSent(ctx context.Context, it store.OutboxItem, raw []byte, date time.Time) {
	state := o.copy(ctx, it, raw, date)
	if err := o.Store.SetSentCopy(ctx, it.ID, state); err != nil {
		o.log().Warn("record sent copy", "ref", it.Ref, "err", err)
	}
}

func (o *Outbox) copy(ctx context.Context, it store.OutboxItem, raw []byte, date time.Time) string {
	if o.Sent == nil || o.SentCopy == CopyNever {
		return "skipped"
	}
	if o.SentCopy == CopyAuto {
		if o.ProviderFiles {
			return "provider"
		}
		if found, err := o.Sent.Has(ctx, it.MessageID); err == nil && found {
			return "found"
		}
	}
	if err := o.Sent.Append(ctx, raw, date); err != nil {
		o.log().Warn("copy to Sent folder failed; will retry", "ref", it.Ref, "err", err)
		return "error: " + err.Error()
	}
	return "appended"
}

// retryCopies appends the Sent copies that an earlier run could not.
func (o *Outbox) retryCopies(ctx context.Context, slug string) {
	items, err := o.Store.Outbox(ctx, slug)
	if err != nil {
		return
	}
	for _, it := range items {
		if it.State != lifecycle.OutboxSent || (it.SentCopy != "" && !strings.HasPrefix(it.SentCopy, "error")) {
			continue
		}
		raw, err := o.Store.ReadMail(it.SHA256)
		if err != nil {
			continue
		}
		var l Letter
		json.Unmarshal([]byte(it.Letter), &l)
		o.copyToSent(ctx, it, raw, l.Date)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
