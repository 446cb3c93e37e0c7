package schedule

import (
	"context"
	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/store"
	"time"
)

// Facts is what is known about one request, read from the store.
type Facts struct {
	Request  store.Request
	Campaign store.Campaign
	Thread   []store.Message
	Outbox   []store.OutboxItem
	Events   []store.Event
}

// sentAt is when the letter of a step went out (zero if it has not).
func (f Facts) sentAt(step lifecycle.Step) time.Time {
	for _, it := range f.Outbox {
		if it.Step == step && it.State == lifecycle.OutboxSent {
			return it.SentAt
		}
	}
	return time.Time{}
}

// has reports whether the step has an outbox entry in any state: a step is
// planned at most once.
func (f Facts) has(step lifecycle.Step) bool {
	for _, it := range f.Outbox {
		if it.Step == step {
			return true
		}
	}
	return false
}

// Input turns the facts into the deadline calculator's input.
func (f Facts) Input() deadline.Input {
	in := deadline.Input{Law: calendar.Law(f.Request.Law), Tags: f.Request.Authority.Tags, Delivered: f.Request.SentAt}
	var review time.Time
	for _, it := range f.Outbox {
		if it.State != lifecycle.OutboxSent {
			continue
		}
		switch {
		case it.Kind == lifecycle.KindClarification:
			in.Clarifications = append(in.Clarifications, it.SentAt)
		case it.Step.Review() || it.Kind == lifecycle.KindReview:
			if review.IsZero() {
				review = it.SentAt
			}
		}
	}
	var lastContact time.Time
	for _, m := range f.Thread {
		if m.Direction != "in" {
			continue
		}
		at := m.CreatedAt
		switch m.Kind {
		case lifecycle.KindClarification:
			t := at
			in.ClarificationRequested = &t
		case lifecycle.KindExtension:
			in.Extended = true
		case lifecycle.KindFeeNotice:
			in.FeeNotices = append(in.FeeNotices, deadline.FeePeriod{Notice: at})
		}
		if m.Kind.Silent() {
			continue
		}
		lastContact = at
		if !review.IsZero() && at.After(review) {
			if in.ReviewAnswered == nil {
				t := at
				in.ReviewAnswered = &t
			}
		} else if in.Responded == nil {
			t := at
			in.Responded = &t
		}
	}
	// Payments recorded with `foi paid` close the fee periods in order.
	for _, e := range f.Events {
		if e.Kind != lifecycle.EventFeePaid {
			continue
		}
		for i := range in.FeeNotices {
			if in.FeeNotices[i].Paid == nil && !in.FeeNotices[i].Notice.After(e.At) {
				t := e.At
				in.FeeNotices[i].Paid = &t
				break
			}
		}
	}
	if in.ClarificationRequested != nil {
		for _, c := range in.Clarifications {
			if c.After(*in.ClarificationRequested) {
				in.ClarificationRequested = nil
				break
			}
		}
	}
	if f.Request.State == lifecycle.Extended {
		in.Extended = true
	}
	if in.Responded == nil && f.Request.State.Answered() {
		t := f.Request.UpdatedAt
		in.Responded = &t
	}
	if f.Request.State == lifecycle.ReviewAnswered && in.ReviewAnswered == nil {
		t := f.Request.UpdatedAt
		in.ReviewAnswered = &t
	}
	if !review.IsZero() {
		in.ReviewRequested = &review
		if review.After(lastContact) {
			lastContact = review
		}
	}
	if lastContact.IsZero() {
		lastContact = f.Request.SentAt
	}
	in.LastMeaningfulContact = &lastContact
	return in
}

// Facts reads what is known about a request.
func (s *Scheduler) Facts(ctx context.Context, r store.Request) (Facts, error) {
	f := Facts{Request: r}
	var err error
	if f.Campaign, err = s.Store.Campaign(ctx, r.Campaign); err != nil {
		return f, err
	}
	if f.Thread, err = s.Store.Thread(ctx, r.ID); err != nil {
		return f, err
	}
	if f.Outbox, err = s.Store.RequestOutbox(ctx, r.ID); err != nil {
		return f, err
	}
	f.Events, err = s.Store.Events(ctx, r.ID)
	return f, err
}

// ClockEvents are the kinds of event that the clock and the schedule read
// (Facts.Input, StillDue) and that views of many requests show as activity.
var ClockEvents = []lifecycle.EventKind{lifecycle.EventFeePaid, lifecycle.EventState, lifecycle.EventDrafted, lifecycle.EventApproved, lifecycle.EventEdited}

// AllFacts reads the facts of every request of a campaign (of every
// campaign if slug is ""), in a fixed number of queries whatever the number
// of requests. Messages come without their body text, and events only of
// the ClockEvents kinds: enough for the clock, the schedule and a board; a
// request's own page reads its full facts with Facts.
func (s *Scheduler) AllFacts(ctx context.Context, slug string) ([]Facts, error) {
	camps, err := s.Store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	bySlug := make(map[string]store.Campaign, len(camps))
	for _, c := range camps {
		bySlug[c.Slug] = c
	}
	if _, ok := bySlug[slug]; slug != "" && !ok {
		// Campaigns leaves archived ones out; asked for by name, one is shown.
		c, err := s.Store.Campaign(ctx, slug)
		if err != nil {
			return nil, err
		}
		bySlug[slug] = c
	}
	hs, err := s.Store.Histories(ctx, slug, ClockEvents...)
	if err != nil {
		return nil, err
	}
	out := make([]Facts, len(hs))
	for i, h := range hs {
		out[i] = Facts{Request: h.Request, Campaign: bySlug[h.Request.Campaign], Thread: h.Thread, Outbox: h.Outbox, Events: h.Events}
	}
	return out, nil
}

// drafted reports whether the outbox letter was written as a draft, for a
// person to approve (and perhaps edit) before it went.
func (f Facts) drafted(it store.OutboxItem) bool {
	for _, e := range f.Events {
		if e.Kind == lifecycle.EventDrafted && e.MessageID == it.MessageRowID {
			return true
		}
	}
	return false
}
