package mailer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"foi/lifecycle"
	"foi/store"
)

// Transport is the session letters go through; *SMTP is the real one.
// Its errors are *SendError or are judged by classify.
type Transport interface {
	// Dial opens the session and logs in, if it is not open already. The
	// outbox calls it before it claims a letter, so that a fault of the
	// session touches no letter.
	Dial(ctx context.Context) error
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

// Verdict is the Guard's answer for one letter about to go.
type Verdict struct {
	Cancel string    // non-empty: no longer due; drop the letter with this reason
	Later  time.Time // non-zero: not yet; try again then
	Letter *Letter   // non-nil: send this instead (re-written now; same Message-ID, To, From)
}

// BlockedError is what Drain returns when a fault of ours stopped sending:
// no letter failed, every due letter waits (pending, due at once, the
// reason in its last_error), and the next run after the fix sends them.
type BlockedError struct {
	// Reason is what is wrong ("smtp.password_file foi-pass: no such file").
	Reason string
	// Fix is what to do about it ("create it or fix the path in foi.yaml").
	Fix string
	// Waiting is how many letters were left waiting.
	Waiting int
	Err     error
}

func (e *BlockedError) Error() string {
	if e.Fix == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Fix
}

func (e *BlockedError) Unwrap() error { return e.Err }

// Outbox sends what the store's outbox holds. The database is the queue;
// one run of Drain goes:
//
//  1. Settle: entries left "sending" by an interrupted run, and entries
//     held in doubt, may have been delivered. The Sent folder is searched
//     for their Message-ID: found means sent; not found, or unsearchable,
//     means held in doubt for a person to decide (foi resend, foi
//     mark-sent). A letter in doubt is never sent again by itself: foi
//     appends its own Sent copy only after recording the send, so "not in
//     the Sent folder" does not prove "not delivered".
//  2. Pick: the due entries (pending or temporarily failed, their next
//     attempt reached), oldest first, paced by Rate.
//  3. Guard: the caller's Guard may drop a letter that is no longer due,
//     put it off, or give a re-written one with the same Message-ID.
//  4. Connect: the session is opened and logged in before the letter is
//     claimed, so that a fault of the session touches no letter.
//  5. Claim: the letter is dated now and composed; its bytes are written
//     to the store and read back; then one transaction moves the entry to
//     "sending" and points its message row at those bytes. What goes on
//     the wire is exactly what is stored. From here until step 7 commits, a
//     crash leaves the letter in doubt (step 1).
//  6. Send the composed message.
//  7. Record what classify makes of the outcome:
//     - sent (250 to DATA): the entry, the request and an event at once,
//     before anything else is said on the connection that could fail, then
//     a copy in the Sent folder per the policy. A dropped connection or a
//     421/554 to the RSET after the 250 changes nothing: the letter went;
//     - refused (5xx to its own RCPT TO or DATA): the entry fails and the
//     request goes to delivery_failed with the server's words;
//     - deferred (4xx to its RCPT TO or DATA): it waits with a doubling
//     backoff and the others go on;
//     - unavailable (the network failed, or the server will not take mail
//     now): it waits with backoff and the run pauses for the server
//     instead of trying every letter; after MaxAttempts failures in a row
//     the run ends, the other letters untouched;
//     - in doubt (the connection lost after the data, or the reply later
//     than smtp.timeout): settled through the Sent folder as in step 1,
//     held in doubt if it is not there;
//     - blocked (a fault of ours: the secret, TLS, DNS, AUTH, a 5xx to MAIL
//     FROM, any local error): the run stops, every due letter waits to go
//     at once with the reason recorded, and Drain returns a *BlockedError
//     that says what to fix.
//
// An Outbox is used by one goroutine at a time; callers hold the data
// folder's outbox lock so that two processes never drain the same queue.
type Outbox struct {
	Store     *store.Store
	Transport Transport
	Sent      SentFolder // nil: no Sent folder checks or copies
	SentCopy  string
	// ProviderFiles says the provider files its own copy of what is sent
	// through it (Gmail, Microsoft 365), so auto appends none.
	ProviderFiles bool
	Rate          time.Duration
	// DomainRate is the least pause between two letters to the same
	// recipient domain (smtp.per_domain_rate; see pacing.go); letters to
	// other domains go meanwhile. 0: no pacing by domain.
	DomainRate time.Duration
	Backoff    time.Duration
	BackoffMax time.Duration
	// MaxAttempts is how many temporary failures a letter, or the session,
	// may have in one run before the run leaves it for the next.
	MaxAttempts int
	Now         func() time.Time
	// Zone is the time zone letters are dated in (nil: the clock's).
	Zone *time.Location
	Log  *slog.Logger
	// Progress, if set, is called after each letter with the counts so far.
	Progress func(s Summary, total int)
	// Guard, if set, is asked just before each letter goes (see Verdict).
	Guard func(ctx context.Context, it store.OutboxItem, now time.Time) (Verdict, error)
	// NoWait: send what is due now and return, instead of waiting out
	// temporary failures (foi tick and foi serve).
	NoWait bool
	// Only, if non-zero, is the one entry this run may send (foi resend).
	Only int64
	// WaitAtMost, if positive, is the longest the run waits for a letter
	// that is not due yet (foi send waits out a retry, not tomorrow's
	// sending window).
	WaitAtMost time.Duration

	lastSend time.Time
	// serverFiles: does the server file a copy of what is sent through it
	// (learned by the first Sent-folder search of a run)?
	serverFiles int8
	// sentMu serialises the use of Sent between the run and its copier
	// (sentcopy.go); copies and copiesDone are the copier's.
	sentMu     sync.Mutex
	copies     chan copyJob
	copiesDone chan struct{}
}

const (
	filesUnknown int8 = iota
	filesNo
	filesYes
)

// Summary is what a Drain did.
type Summary struct {
	Sent int `json:"sent"`
	// Retried counts letters that needed more than one attempt and got out.
	Retried int `json:"retried"`
	Failed  int `json:"failed"`
	// Waiting counts letters still waiting to be tried again at the end of
	// the run.
	Waiting int `json:"waiting"`
	// Later counts letters not due until after WaitAtMost (the earliest at
	// LaterFrom): the run did not wait for them.
	Later     int       `json:"later,omitempty"`
	LaterFrom time.Time `json:"later_from,omitzero"`
	// InDoubt counts letters whose fate could not be settled (not found in
	// the Sent folder, or it could not be searched); they wait for a
	// person and are never sent blind.
	InDoubt int `json:"in_doubt"`
	// Unwritable counts letters whose stored fields cannot be made into a
	// message: each waits with the reason, and the others go on.
	Unwritable int       `json:"unwritable"`
	Failures   []Failure `json:"failures,omitempty"`
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

// run is one Drain's memory.
type run struct {
	slug       string
	tries      map[int64]int  // attempts in this run, by entry
	failedOnce map[int64]bool // entries that failed temporarily in this run
	seen       map[int64]bool // entries that were due in this run
	done       map[int64]bool // entries not to try again in this run
	// domainLast is when each recipient domain last got a letter.
	domainLast map[string]time.Time
	// down counts the session's failures in a row; pausedUntil is when to
	// try the server again; paused says the current pass must stop.
	down        int
	pausedUntil time.Time
	pauseReason string
	paused      bool
}

// outcome is what became of one letter: its entry's state ("" if it was
// not tried) and, if it failed, why.
type outcome struct {
	state  lifecycle.OutboxState
	reason string
}

// Drain sends every due letter of the campaign slug ("" for all), waiting
// out temporary failures, until nothing is left to try in this run. limit > 0
// caps how many letters it sends. A fault of ours stops it with a
// *BlockedError.
func (o *Outbox) Drain(ctx context.Context, slug string, limit int) (Summary, error) {
	var sum Summary
	defer o.Transport.Close()
	o.serverFiles = filesUnknown
	if err := o.settleInDoubt(ctx, slug, &sum); err != nil {
		return sum, err
	}
	o.retryCopies(ctx, slug)
	o.startCopier(ctx)
	defer o.stopCopier()
	r := &run{slug: slug, tries: map[int64]int{}, failedOnce: map[int64]bool{}, seen: map[int64]bool{}, done: map[int64]bool{},
		domainLast: map[string]time.Time{}}
	total := -1
passes:
	for {
		items, err := o.Store.Outbox(ctx, slug)
		if err != nil {
			return sum, err
		}
		due, wake, waiting := o.pick(items, r)
		if total < 0 {
			o.noteSent(items, r)
			total = waiting
			if limit > 0 && total > limit {
				total = limit
			}
		}
		if limit > 0 && sum.Sent+sum.Failed >= limit {
			break
		}
		if r.down >= o.MaxAttempts && r.down > 0 {
			break // the server stayed out of reach; the next run tries again
		}
		if r.pausedUntil.After(o.now()) {
			due, wake = nil, r.pausedUntil
		}
		due, held, free := o.paceDomains(due, r)
		if len(due) == 0 && len(held) > 0 {
			if o.NoWait {
				if err := o.holdForDomains(ctx, held, r); err != nil {
					return sum, err
				}
				break
			}
			if wake.IsZero() || free.Before(wake) {
				wake = free
			}
		}
		if len(due) == 0 {
			if wake.IsZero() || o.NoWait {
				break
			}
			if o.WaitAtMost > 0 && wake.Sub(o.now()) > o.WaitAtMost {
				sum.Later, sum.LaterFrom = waiting, wake
				break
			}
			if err := sleep(ctx, wake.Sub(o.now())); err != nil {
				return sum, err
			}
			continue
		}
		for i, it := range due {
			if limit > 0 && sum.Sent+sum.Failed >= limit {
				break
			}
			r.seen[it.ID] = true
			res, err := o.try(ctx, it, r)
			if err != nil {
				return sum, err
			}
			if res.state != "" {
				r.domainLast[domainOf(it.To)] = o.now()
			}
			switch res.state {
			case lifecycle.OutboxSent:
				sum.Sent++
				if r.failedOnce[it.ID] {
					sum.Retried++
				}
			case lifecycle.OutboxInDoubt:
				sum.InDoubt++
			case stateUnwritable:
				sum.Unwritable++
				sum.Failures = append(sum.Failures, Failure{Ref: it.Ref, To: it.To, Reason: res.reason})
			case lifecycle.OutboxFailed:
				sum.Failed++
				sum.Failures = append(sum.Failures, Failure{Ref: it.Ref, To: it.To, Reason: res.reason, Final: true})
			}
			if o.Progress != nil {
				o.Progress(sum, total)
			}
			if r.paused {
				// Wait for the server, not for each letter: the rest of
				// this pass stays untouched.
				r.paused = false
				for _, rest := range due[i+1:] {
					r.seen[rest.ID] = true
				}
				if o.NoWait {
					break passes
				}
				continue passes
			}
		}
	}
	items, err := o.Store.Outbox(ctx, slug)
	if err != nil {
		return sum, err
	}
	for _, it := range items {
		if it.State == lifecycle.OutboxTempFailed || (it.State == lifecycle.OutboxPending && r.seen[it.ID] && !r.done[it.ID]) {
			reason := it.LastError
			if reason == "" {
				reason = "not tried: " + r.pauseReason
			}
			sum.Waiting++
			sum.Failures = append(sum.Failures, Failure{Ref: it.Ref, To: it.To, Reason: reason})
		}
	}
	return sum, nil
}

// pick returns the entries due now, when the next one falls due, and how
// many are waiting in all.
func (o *Outbox) pick(items []store.OutboxItem, r *run) (due []store.OutboxItem, wake time.Time, waiting int) {
	now := o.now()
	for _, it := range items {
		if !it.State.Due() || r.done[it.ID] || r.tries[it.ID] >= o.MaxAttempts || (o.Only != 0 && it.ID != o.Only) {
			continue
		}
		waiting++
		if !it.NextAttemptAt.After(now) {
			due = append(due, it)
		} else if wake.IsZero() || it.NextAttemptAt.Before(wake) {
			wake = it.NextAttemptAt
		}
	}
	return due, wake, waiting
}

// pace waits until Rate has passed since the last SMTP transaction.
func (o *Outbox) pace(ctx context.Context) error {
	if o.lastSend.IsZero() || o.Rate <= 0 {
		return nil
	}
	return sleep(ctx, time.Until(o.lastSend.Add(o.Rate)))
}

// try takes one letter through steps 3 to 7.
func (o *Outbox) try(ctx context.Context, it store.OutboxItem, r *run) (outcome, error) {
	log := o.log().With("ref", it.Ref, "campaign", it.Campaign, "step", it.Step, "message_id", it.MessageID)
	var replacement *Letter
	if o.Guard != nil {
		v, err := o.Guard(ctx, it, o.now())
		if err != nil {
			return outcome{}, err
		}
		switch {
		case v.Cancel != "":
			r.done[it.ID] = true
			log.Info("letter no longer due: cancelled", "why", v.Cancel)
			return outcome{}, o.Store.Cancel(ctx, it.ID, v.Cancel, o.now())
		case !v.Later.IsZero():
			r.done[it.ID] = true
			return outcome{}, o.Store.Reschedule(ctx, it.ID, v.Later, o.now())
		}
		replacement = v.Letter
	}
	if err := o.pace(ctx); err != nil {
		return outcome{}, err
	}
	r.tries[it.ID]++
	if err := o.Transport.Dial(ctx); err != nil {
		if ctx.Err() != nil {
			return outcome{}, ctx.Err()
		}
		return o.failed(ctx, it, r, false, classify(stageConnect, err))
	}
	t0 := time.Now()
	msg, raw, date, err := o.claim(ctx, it, replacement)
	switch {
	case errors.Is(err, store.ErrConflict):
		r.done[it.ID] = true // someone else moved it meanwhile
		return outcome{}, nil
	case errors.Is(err, errReplacement):
		return outcome{}, err
	case errors.Is(err, errUnwritable):
		r.done[it.ID] = true
		reason := fmt.Sprintf("%s: foi cannot write this letter out; the others go on (see foi drafts show %d)", err, it.ID)
		log.Error("letter cannot be written; it waits", "err", err)
		return outcome{state: stateUnwritable, reason: reason}, o.Store.Block(ctx, it.ID, reason, o.now())
	case err != nil:
		return o.failed(ctx, it, r, false, classify(stageLocal, err))
	}
	// From here until MarkSent commits, a crash leaves the entry in doubt.
	o.lastSend = time.Now()
	t1 := o.lastSend
	if err := o.Transport.Send(ctx, msg); err != nil {
		return o.failed(ctx, it, r, true, classify(stageSend, err))
	}
	r.down = 0
	t2 := time.Now()
	if err := o.Store.MarkSent(ctx, it.ID, o.now(), ""); err != nil {
		return outcome{}, fmt.Errorf("record %s as sent: %w", it.Ref, err)
	}
	log.Info("letter sent", "to", it.To)
	t3 := time.Now()
	o.queueCopy(ctx, it, raw, date)
	// Where a letter's time goes (FOI_LOG=debug; README "Speed").
	log.Debug("letter timings", "claim", t1.Sub(t0), "smtp", t2.Sub(t1), "record", t3.Sub(t2), "sent_copy", time.Since(t3))
	return outcome{state: lifecycle.OutboxSent}, nil
}

// failed records what a failure means for the letter (claimed: it was
// claimed and its transaction began) and for the run.
func (o *Outbox) failed(ctx context.Context, it store.OutboxItem, r *run, claimed bool, se *SendError) (outcome, error) {
	log := o.log().With("ref", it.Ref, "campaign", it.Campaign, "step", it.Step, "message_id", it.MessageID)
	now := o.now()
	switch se.Fault {
	case InDoubt:
		log.Warn("no reply to the data; checking the Sent folder", "err", se.Text)
		st, err := o.settle(ctx, it, "no reply to the data ("+se.Text+")")
		return outcome{state: st, reason: se.Text}, err
	case Refused:
		log.Error("refused", "err", se.Text)
		if err := o.Store.MarkFailed(ctx, it.ID, se.Text, now); err != nil {
			return outcome{}, err
		}
		return outcome{state: lifecycle.OutboxFailed, reason: se.Text}, nil
	case Deferred, Unavailable:
		r.failedOnce[it.ID] = true
		next := now.Add(backoff(o.Backoff, o.BackoffMax, r.tries[it.ID]))
		log.Warn("temporary failure", "fault", se.Fault, "err", se.Text, "retry_at", next)
		if err := o.Store.MarkTempFailed(ctx, it.ID, se.Text, next, now); err != nil {
			return outcome{}, err
		}
		if se.Fault == Unavailable {
			r.down++
			r.pausedUntil, r.pauseReason, r.paused = next, se.Text, true
		} else {
			r.down = 0
		}
		return outcome{state: lifecycle.OutboxTempFailed, reason: se.Text}, nil
	}
	return outcome{}, o.block(ctx, it, r, claimed, se)
}

// block stops the run for a fault of ours: every due letter waits, due at
// once, with the reason.
func (o *Outbox) block(ctx context.Context, it store.OutboxItem, r *run, claimed bool, se *SendError) error {
	reason := se.Error()
	o.log().Error("sending blocked; every letter waits", "ref", it.Ref, "err", reason)
	now := o.now()
	n := 0
	if claimed {
		// Refused before its RCPT TO (MAIL FROM, a local fault): not sent.
		if err := o.Store.Block(ctx, it.ID, reason, now); err != nil {
			return err
		}
		n++
	}
	items, err := o.Store.Outbox(ctx, r.slug)
	if err != nil {
		return err
	}
	for _, x := range items {
		if !x.State.Due() || x.NextAttemptAt.After(now) || (claimed && x.ID == it.ID) {
			continue
		}
		if err := o.Store.Block(ctx, x.ID, reason, now); err != nil {
			return err
		}
		n++
	}
	return &BlockedError{Reason: se.Text, Fix: se.Fix, Waiting: n, Err: se}
}

// errReplacement: the Guard's re-written letter is not the same letter.
var errReplacement = errors.New("mailer: the guard's replacement is not the same letter")

// stateUnwritable is a try's outcome for an unwritable letter: it stays
// pending in the store.
const stateUnwritable lifecycle.OutboxState = "unwritable"

// errUnwritable marks a letter whose own stored fields cannot be composed
// into the bytes it would go as: a fault of ours in that letter alone, so
// it waits (never failed) and the rest of the run goes on.
var errUnwritable = errors.New("this letter cannot be written out")

// claim is step 5: it dates the letter (the stored one, or the Guard's
// replacement) now, composes it, stores its bytes, checks that what will
// be written on the wire is exactly what is stored, and claims the entry
// with its message row pointing at those bytes, in one transaction. The
// Message-ID never changes.
func (o *Outbox) claim(ctx context.Context, it store.OutboxItem, replacement *Letter) (*gomail.Msg, []byte, time.Time, error) {
	l, err := StoredLetter(it)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("%w: %w", errUnwritable, err)
	}
	if replacement != nil {
		r := *replacement
		switch {
		case r.MessageID != it.MessageID:
			return nil, nil, time.Time{}, fmt.Errorf("outbox %d (%s): replacement has Message-ID %q, not %q: %w", it.ID, it.Ref, r.MessageID, it.MessageID, errReplacement)
		case !strings.EqualFold(r.To, l.To) || !strings.EqualFold(r.FromAddress, l.FromAddress):
			return nil, nil, time.Time{}, fmt.Errorf("outbox %d (%s): replacement goes from %s to %s, not from %s to %s: %w", it.ID, it.Ref, r.FromAddress, r.To, l.FromAddress, l.To, errReplacement)
		}
		l = r
	}
	l.Date = o.now().Truncate(time.Second)
	if o.Zone != nil {
		l.Date = l.Date.In(o.Zone)
	}
	msg, err := Compose(l)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("%w: %w", errUnwritable, err)
	}
	raw, err := msgBytes(msg)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("%w: %w", errUnwritable, err)
	}
	sum, err := o.Store.PutMail(raw)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("store %s: %w", it.Ref, err)
	}
	stored, err := o.Store.ReadMail(sum)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("store %s: %w", it.Ref, err)
	}
	again, err := msgBytes(msg)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if !bytes.Equal(stored, raw) || !bytes.Equal(again, raw) {
		return nil, nil, time.Time{}, fmt.Errorf("%w: outbox %d (%s): the composed letter differs from the stored bytes %s; not sending", errUnwritable, it.ID, it.Ref, sum)
	}
	js, err := json.Marshal(l)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	err = o.Store.ClaimFinal(ctx, it.ID, store.Final{Letter: string(js), SHA256: sum, Size: int64(len(raw)), Date: l.Date,
		Subject: l.Subject, BodyText: l.Body, InReplyTo: l.InReplyTo, Refs: strings.Join(l.References, " ")}, o.now())
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return msg, raw, l.Date, nil
}

// settleInDoubt resolves the entries an interrupted run left "sending".
func (o *Outbox) settleInDoubt(ctx context.Context, slug string, sum *Summary) error {
	items, err := o.Store.Outbox(ctx, slug)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.State != lifecycle.OutboxSending && it.State != lifecycle.OutboxInDoubt {
			continue
		}
		reason := "interrupted while sending"
		if it.State == lifecycle.OutboxInDoubt {
			reason = it.LastError
		}
		st, err := o.settle(ctx, it, reason)
		if err != nil {
			return err
		}
		if st == lifecycle.OutboxInDoubt {
			sum.InDoubt++
		}
	}
	return nil
}

// settle decides the fate of an entry in doubt (why: what made it so) by
// looking for its Message-ID in the Sent folder: found means sent. Not
// found, no Sent folder, or a folder that cannot be searched: the entry is
// held in doubt for a person (foi resend, foi mark-sent), never resent by
// itself, since foi files its own copy only after recording a send.
func (o *Outbox) settle(ctx context.Context, it store.OutboxItem, why string) (lifecycle.OutboxState, error) {
	log := o.log().With("ref", it.Ref, "message_id", it.MessageID)
	hold := func(reason string) (lifecycle.OutboxState, error) {
		log.Warn("in doubt: held for a person to resend or mark sent", "why", reason)
		return lifecycle.OutboxInDoubt, o.Store.MarkInDoubt(ctx, it.ID, reason, o.now())
	}
	why = doubtCause(why)
	if o.Sent == nil {
		return hold(why + "; no Sent folder to check: foi resend " + it.Ref + " or foi mark-sent " + it.Ref)
	}
	o.sentMu.Lock()
	found, err := o.Sent.Has(ctx, it.MessageID)
	o.sentMu.Unlock()
	if err != nil {
		return hold(why + "; the Sent folder cannot be searched (" + err.Error() + "): looked for again at the next run")
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
	return hold(why + "; not in the Sent folder: foi resend " + it.Ref + " or foi mark-sent " + it.Ref)
}

// The endings settle gives a reason; doubtCause takes them off again so that
// a later look does not repeat them.
var doubtEndings = []string{"; no Sent folder to check", "; the Sent folder cannot be searched", "; not in the Sent folder"}

func doubtCause(reason string) string {
	for _, e := range doubtEndings {
		if i := strings.LastIndex(reason, e); i >= 0 {
			reason = reason[:i]
		}
	}
	return reason
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
	o.sentMu.Lock()
	defer o.sentMu.Unlock()
	if o.SentCopy == CopyAuto {
		if o.ProviderFiles {
			return "provider"
		}
		// Whether the server files its own copy is a property of the
		// server: the first letter of a run finds out, and the others
		// follow it rather than search the Sent folder again, a search
		// that grows with the folder (3,000 letters made 3,000 searches
		// of a folder of up to 3,000).
		switch o.serverFiles {
		case filesUnknown:
			if found, err := o.Sent.Has(ctx, it.MessageID); err == nil {
				o.serverFiles = filesNo
				if found {
					o.serverFiles = filesYes
					return "found"
				}
			}
		case filesYes:
			if found, err := o.Sent.Has(ctx, it.MessageID); err == nil && found {
				return "found"
			}
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
		l, _ := StoredLetter(it) // a zero Date files the copy as of now
		// A copy without a record may have been filed before a crash:
		// each is looked for before it is filed again.
		o.serverFiles = filesUnknown
		o.copyToSent(ctx, it, raw, l.Date)
	}
}

// backoff is the wait before attempt n+1 after n temporary failures:
// first, doubling, at most max.
func backoff(first, max time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
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
