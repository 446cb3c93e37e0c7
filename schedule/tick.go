package schedule

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"foi/calendar"
	"foi/campaign"
	"foi/deadline"
	"foi/lifecycle"
	"foi/mailer"
	"foi/store"
	"strings"
	"time"
)

// Planned is one letter a tick queued.
type Planned struct {
	Ref   string         `json:"ref"`
	Step  lifecycle.Step `json:"step"`
	Draft bool           `json:"draft"`
	At    time.Time      `json:"at"`
	ID    int64          `json:"outbox_id"`
}

// Tick queues every step that is due at now: auto steps go to the outbox
// to be sent at the next moment inside the window, draft steps wait for
// approval. Running it again at any moment adds nothing that is there. It
// reads every request's facts at once (AllFacts), and again one by one only
// for the requests it wrote to. next is the moment the schedule next has
// something to do (zero if nothing is ahead).
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (planned []Planned, next time.Time, err error) {
	all, err := s.AllFacts(ctx, "")
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, f := range all {
		for i := 0; i < 5; i++ { // several steps may be due at once after a long pause
			a, ok := s.Next(f)
			if !ok {
				break
			}
			if a.On.After(now) {
				if next.IsZero() || a.On.Before(next) {
					next = a.On
				}
				break
			}
			p, err := s.queue(ctx, f, a, now)
			if errors.Is(err, store.ErrExists) {
				break
			}
			if err != nil {
				return planned, next, fmt.Errorf("plan %s for %s: %w", a.Step, f.Request.Ref, err)
			}
			planned = append(planned, p)
			if !p.Draft {
				// An auto letter must go before the next step is weighed.
				break
			}
			r, err := s.Store.Request(ctx, f.Request.Ref)
			if err != nil {
				return planned, next, err
			}
			if f, err = s.Facts(ctx, r); err != nil {
				return planned, next, err
			}
		}
	}
	return planned, next, nil
}

// Plan is what Tick would queue at now, without writing anything: the
// step due for each request (foi tick --dry-run).
func (s *Scheduler) Plan(ctx context.Context, now time.Time) ([]Action, error) {
	all, err := s.AllFacts(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Action
	for _, f := range all {
		if a, ok := s.Next(f); ok && !a.On.After(now) {
			out = append(out, a)
		}
	}
	return out, nil
}

// template names the letter of a step for a request's law. Every built-in
// letter is worded for the request's law ({{.Request.Law}}), so a step has
// one letter for all four laws: review_after_refusal asks for an internal
// review (FOIA, s.45 code of practice), makes representations (EIR reg. 11,
// EISR reg. 16) or requires a review (FOISA s.20) as the request's law has
// it. One letter rather than one per law, because `foi reply --template
// review_after_refusal` and a user's own review_after_refusal.txt name a
// letter, not a law, and must be right whichever law they meet. The Scottish
// laws keep their own letters where the name is known outside this function
// (the ICO pack, the how-to-file text, the subjects): foisa_review for the
// review on silence, and sic_appeal for the complaint, which goes to a
// different Commissioner.
func template(step lifecycle.Step, law calendar.Law) string {
	switch step {
	case lifecycle.StepReviewSilence:
		if law.Scottish() {
			return "foisa_review"
		}
	case lifecycle.StepComplaint:
		if law.Scottish() {
			return "sic_appeal"
		}
	}
	return string(step)
}

// queue writes the step's letter and puts it in the outbox.
func (s *Scheduler) queue(ctx context.Context, f Facts, a Action, now time.Time) (Planned, error) {
	r := f.Request
	law := calendar.Law(r.Law)
	l, err := s.Letter(f, template(a.Step, law), "", now)
	if err != nil {
		return Planned{}, err
	}
	q := store.Queued{Step: a.Step, Draft: a.Mode == lifecycle.Drafted}
	if a.Step == lifecycle.StepComplaint {
		// Complaints are never sent by foi: a draft for the complaint pack.
		q.Draft = true
		l.To = "casework@ico.org.uk"
		if law.Scottish() {
			l.To = "enquiries@foi.scot"
		}
	}
	if !q.Draft {
		q.NotBefore = s.NextSendTime(law, now)
	}
	id, err := campaign.Enqueue(ctx, s.Store, r, q, l, now)
	if err != nil {
		return Planned{}, err
	}
	if a.Step == lifecycle.StepComplaint {
		if err := s.Store.SetState(ctx, r.Ref, lifecycle.ICOReady, "foi", "complaint drafted: build the pack with foi ico-pack "+r.Ref, now); err != nil {
			return Planned{}, err
		}
	}
	if a.Step == lifecycle.StepReviewSilence && !q.Draft {
		// The request waits for the review from the moment it is asked.
		defer s.log().Info("review requested", "ref", r.Ref)
	}
	if q.Draft {
		s.log().Info("draft waiting for approval", "ref", r.Ref, "campaign", r.Campaign, "step", a.Step, "draft", id)
	} else {
		s.log().Info("letter planned", "ref", r.Ref, "campaign", r.Campaign, "step", a.Step, "at", q.NotBefore)
	}
	return Planned{Ref: r.Ref, Step: a.Step, Draft: q.Draft, At: q.NotBefore, ID: id}, nil
}

// Letter writes a follow-up letter from a template for a request, threaded
// to its conversation: In-Reply-To the latest message, References the whole
// thread, the subject with both references.
func (s *Scheduler) Letter(f Facts, name, grounds string, now time.Time) (mailer.Letter, error) {
	r, c := f.Request, f.Campaign
	d := campaign.Data(c, r, now)
	in := f.Input()
	res := deadline.Compute(s.Cal, in)
	loc := s.Policy.Loc
	at := func(dt calendar.Date) time.Time {
		if dt.IsZero() {
			return time.Time{}
		}
		return dt.In(loc)
	}
	onDay := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return at(s.Cal.Date(t))
	}
	d.Request.DueOn = at(res.Due)
	// The extension read from the whole history, not the state alone (which
	// moves on once a review is asked for); FOISA has none (s.10).
	d.Request.Extended = in.Extended && !calendar.Law(r.Law).Scottish()
	d.Request.Grounds = grounds
	d.Request.ChasedOn = onDay(f.sentAt(lifecycle.StepFirstChaser))
	d.Request.FinalChasedOn = onDay(f.sentAt(lifecycle.StepFinalChaser))
	for _, it := range f.Outbox { // in the order they were written, so oldest first
		if it.State == lifecycle.OutboxSent && (it.Step.Chaser() || (it.Step == lifecycle.StepManual && lifecycle.Step(it.Kind).Chaser())) {
			d.Request.ChasersSent = append(d.Request.ChasersSent, onDay(it.SentAt))
		}
	}
	if in.Responded != nil {
		d.Request.RespondedOn = onDay(*in.Responded)
	}
	if in.ReviewRequested != nil {
		d.Request.ReviewRequestedOn = onDay(*in.ReviewRequested)
		d.Request.ReviewDueOn = at(res.ReviewDue)
	}
	if in.ReviewAnswered != nil {
		d.Request.ReviewAnsweredOn = onDay(*in.ReviewAnswered)
	}
	body, err := s.Letters.Render(name, d)
	if err != nil {
		return mailer.Letter{}, err
	}
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	_, domain, _ := strings.Cut(c.RequesterEmail, "@")
	id, err := campaign.NewMessageID(rand.Reader, r.Ref, domain)
	if err != nil {
		return mailer.Letter{}, err
	}
	l := mailer.Letter{
		FromName: c.RequesterName, FromAddress: c.RequesterEmail, To: r.ToAddress,
		Subject: campaign.FollowUpSubject(name, r.Ref, c.Title, r.AuthorityRef), Body: body,
		MessageID: id, Date: now.In(loc).Truncate(time.Second), Ref: r.Ref,
	}
	var refs []string
	for _, m := range f.Thread {
		if m.MessageID != "" && (m.Direction == "out" || m.Kind != lifecycle.KindBounce) {
			refs = append(refs, m.MessageID)
		}
	}
	if len(refs) > 0 {
		l.InReplyTo = refs[len(refs)-1]
		if len(refs) > 20 {
			refs = append(refs[:1], refs[len(refs)-19:]...)
		}
		l.References = refs
	}
	if s.PlusSecret != "" {
		l.ReplyTo = campaign.PlusAddress(c.RequesterEmail, campaign.PlusTag(s.PlusSecret, r.Ref))
	}
	return l, nil
}
