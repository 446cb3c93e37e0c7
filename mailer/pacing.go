package mailer

import (
	"context"
	"strings"
	"time"

	"foi/store"
)

// Pacing per recipient domain (smtp.per_domain_rate). Many public bodies
// share one mail provider: every NHS trust receives at nhs.net, and a
// provider that sees a burst of letters from one sender treats them as
// spam (alaveteli#7734: 1-2k letters to bodies on one central mail system
// "within a few minutes" were marked as spam). So two letters to the same
// domain are at least DomainRate apart, while letters to other domains go
// on meanwhile; Rate still spaces every letter from the one before.

// domainOf is the part of an address after its last "@", lower case.
func domainOf(addr string) string {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// noteSent records when each domain last got a letter, from the entries
// sent before this run, so that pacing holds across runs (foi tick from
// cron, foi serve restarted).
func (o *Outbox) noteSent(items []store.OutboxItem, r *run) {
	for _, it := range items {
		if it.SentAt.IsZero() {
			continue
		}
		d := domainOf(it.To)
		if it.SentAt.After(r.domainLast[d]) {
			r.domainLast[d] = it.SentAt
		}
	}
}

// paceDomains keeps, of the letters due now, the first for each domain
// whose pause is over; held are the others, and free is when the first of
// their domains is free again (zero if none is held).
func (o *Outbox) paceDomains(due []store.OutboxItem, r *run) (ready, held []store.OutboxItem, free time.Time) {
	if o.DomainRate <= 0 || o.Only != 0 {
		// foi resend: a person asked for this one letter now.
		return due, nil, time.Time{}
	}
	now := o.now()
	taken := map[string]bool{}
	for _, it := range due {
		d := domainOf(it.To)
		next := r.domainLast[d].Add(o.DomainRate)
		if r.domainLast[d].IsZero() {
			next = time.Time{}
		}
		if taken[d] || next.After(now) {
			if taken[d] && !next.After(now) {
				next = now.Add(o.DomainRate)
			}
			held = append(held, it)
			if free.IsZero() || next.Before(free) {
				free = next
			}
			continue
		}
		taken[d] = true
		ready = append(ready, it)
	}
	return ready, held, free
}

// holdForDomains puts off the held letters of a run that does not wait
// (foi tick, foi serve) until their domain is free, so that the next run,
// or serve's timer, picks them up then.
func (o *Outbox) holdForDomains(ctx context.Context, held []store.OutboxItem, r *run) error {
	now := o.now()
	for _, it := range held {
		next := r.domainLast[domainOf(it.To)].Add(o.DomainRate)
		if !next.After(now) {
			next = now.Add(o.DomainRate)
		}
		r.done[it.ID] = true
		if err := o.Store.Reschedule(ctx, it.ID, next, now); err != nil {
			return err
		}
	}
	return nil
}
