package mailer

import (
	"context"
	"time"

	"foi/store"
)

// The Sent copy of a letter is filed on a goroutine of its own while the
// next letters go: an APPEND to the Sent folder and its record took 22 ms
// a letter against Dovecot, more than the SMTP transaction itself (8 ms;
// README "Speed"). Nothing of never-twice depends on it: a copy is made
// only after the send is recorded, a copy that fails is recorded and
// retried by the next run (retryCopies), and one lost to a crash has no
// record and is retried too. Drain waits for the copies before it returns.

type copyJob struct {
	it   store.OutboxItem
	raw  []byte
	date time.Time
}

// startCopier starts the goroutine that files Sent copies for this run.
func (o *Outbox) startCopier(ctx context.Context) {
	if o.Sent == nil || o.SentCopy == CopyNever {
		return
	}
	o.copies = make(chan copyJob, 64)
	o.copiesDone = make(chan struct{})
	go func() {
		defer close(o.copiesDone)
		for j := range o.copies {
			o.copyToSent(ctx, j.it, j.raw, j.date)
		}
	}()
}

// queueCopy hands a sent letter's copy to the copier (or files it at once
// when there is none).
func (o *Outbox) queueCopy(ctx context.Context, it store.OutboxItem, raw []byte, date time.Time) {
	if o.copies == nil {
		o.copyToSent(ctx, it, raw, date)
		return
	}
	o.copies <- copyJob{it: it, raw: raw, date: date}
}

// stopCopier waits for the queued copies to be filed.
func (o *Outbox) stopCopier() {
	if o.copies == nil {
		return
	}
	close(o.copies)
	<-o.copiesDone
	o.copies, o.copiesDone = nil, nil
}
