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
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"foi/calendar"
	"foi/campaign"
	"foi/config"
	"foi/deadline"
	"foi/lifecycle"
	"foi/mailer"
	"foi/store"
	"foi/templates"
)

// Policy is when letters may go and what each step does.
type Policy struct {
	Loc                  *time.Location
	WindowStart          int // minutes after midnight
	WindowEnd            int
	Modes                lifecycle.Modes
	FinalChaserAfter     int
	ReviewOnSilenceAfter int
}

// PolicyFrom reads the schedule section of the configuration.
func PolicyFrom(c config.Schedule) (Policy, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return Policy{}, fmt.Errorf("schedule.timezone: %w", err)
	}
	start, err := config.ParseClock(c.WindowStart)
	if err != nil {
		return Policy{}, err
	}
	end, err := config.ParseClock(c.WindowEnd)
	if err != nil {
		return Policy{}, err
	}
	return Policy{
		Loc: loc, WindowStart: start, WindowEnd: end,
		Modes: lifecycle.Modes{
			lifecycle.StepFirstChaser: lifecycle.Mode(c.FirstChaser), lifecycle.StepFinalChaser: lifecycle.Mode(c.FinalChaser),
			lifecycle.StepReviewSilence: lifecycle.Mode(c.ReviewOnSilence), lifecycle.StepReviewRefusal: lifecycle.Mode(c.ReviewAfterRefusal),
			lifecycle.StepComplaint: lifecycle.Mode(c.ICOComplaint),
		},
		FinalChaserAfter: c.FinalChaserAfter, ReviewOnSilenceAfter: c.ReviewOnSilenceAfter,
	}, nil
}

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

// Action is the next thing the schedule will do for a request.
type Action struct {
	Ref  string         `json:"ref"`
	Step lifecycle.Step `json:"step"`
	Mode lifecycle.Mode `json:"mode"`
	On   time.Time      `json:"on"` // the first moment it may happen
}

// Next is the next step due for the request and from when, or false if
// none is. It is a pure function of the facts (and the calendar).
func (s *Scheduler) Next(f Facts) (Action, bool) {
	r := f.Request
	if !r.State.Schedulable() || r.SentAt.IsZero() {
		return Action{}, false
	}
	in := f.Input()
	d := deadline.Compute(s.Cal, in)
	law := in.Law
	// A step is due from the start of its day; it is sent at the next
	// moment inside the window (see NextSendTime).
	day := func(dt calendar.Date) time.Time { return dt.In(s.Policy.Loc) }
	mode := func(step lifecycle.Step) lifecycle.Mode { return s.Policy.ModeFor(f.Campaign, step) }
	act := func(step lifecycle.Step, on calendar.Date) (Action, bool) {
		m := mode(step)
		if m == lifecycle.Off || f.has(step) {
			return Action{}, false
		}
		return Action{Ref: r.Ref, Step: step, Mode: m, On: day(on)}, true
	}
	refused := r.State == lifecycle.Refused || r.State == lifecycle.PartiallySuccessful
	if refused && in.ReviewRequested == nil {
		// Internal review after a refusal: drafted at once, grounds to fill.
		if a, ok := act(lifecycle.StepReviewRefusal, s.Cal.Date(r.UpdatedAt)); ok {
			a.Mode = lifecycle.Drafted
			return a, true
		}
	}
	if in.ReviewRequested != nil {
		if in.ReviewAnswered != nil {
			return Action{}, false
		}
		// ICO complaint when the review is 20 working days overdue: 40
		// working days after we asked (ICO guidance on internal reviews).
		reqDay := s.Cal.Date(*in.ReviewRequested)
		over, _ := s.Cal.AddWorkingDays(law, reqDay, 40)
		return act(lifecycle.StepComplaint, over.AddDays(1))
	}
	if in.Responded != nil || d.Stopped || d.Due.IsZero() {
		return Action{}, false
	}
	// No answer yet. The first chaser is due once the response is late:
	// from the day after the due date; it goes out on the first working day
	// after it.
	first := d.Due.AddDays(1)
	if !f.has(lifecycle.StepFirstChaser) && mode(lifecycle.StepFirstChaser) != lifecycle.Off {
		return act(lifecycle.StepFirstChaser, first)
	}
	chased := f.sentAt(lifecycle.StepFirstChaser)
	if !chased.IsZero() && !f.has(lifecycle.StepFinalChaser) && mode(lifecycle.StepFinalChaser) != lifecycle.Off {
		on, _ := s.Cal.AddWorkingDays(law, s.Cal.Date(chased), s.Policy.FinalChaserAfter)
		return act(lifecycle.StepFinalChaser, on)
	}
	silence, _ := s.Cal.AddWorkingDays(law, d.Start, s.Policy.ReviewOnSilenceAfter)
	silenceDay := silence.AddDays(1)
	if !f.has(lifecycle.StepReviewSilence) && mode(lifecycle.StepReviewSilence) != lifecycle.Off {
		return act(lifecycle.StepReviewSilence, silenceDay)
	}
	// With review on silence off: the complaint after 40 working days of
	// silence with both chasers sent (SPEC section 7).
	if mode(lifecycle.StepReviewSilence) == lifecycle.Off && !f.sentAt(lifecycle.StepFirstChaser).IsZero() && !f.sentAt(lifecycle.StepFinalChaser).IsZero() {
		return act(lifecycle.StepComplaint, silenceDay)
	}
	return Action{}, false
}

// windowOpen is when the sending window opens on a date.
func (s *Scheduler) windowOpen(d calendar.Date) time.Time {
	t := d.In(s.Policy.Loc)
	return t.Add(time.Duration(s.Policy.WindowStart) * time.Minute)
}

// NextSendTime is the first moment at or after t that is on a working day
// inside the sending window. Letters only go out then.
func (s *Scheduler) NextSendTime(law calendar.Law, t time.Time) time.Time {
	local := t.In(s.Policy.Loc)
	d := s.Cal.Date(t)
	minutes := local.Hour()*60 + local.Minute()
	if s.Cal.IsWorkingDay(law, d) {
		if minutes < s.Policy.WindowStart {
			return s.windowOpen(d)
		}
		if minutes < s.Policy.WindowEnd {
			return t
		}
	}
	return s.windowOpen(s.Cal.NextWorkingDay(law, d))
}

// InWindow reports whether t is a moment letters may go out.
func (s *Scheduler) InWindow(law calendar.Law, t time.Time) bool {
	return s.NextSendTime(law, t).Equal(t)
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
// approval. Running it again at any moment adds nothing that is there.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) ([]Planned, error) {
	reqs, err := s.Store.Requests(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Planned
	for _, r := range reqs {
		for i := 0; i < 5; i++ { // several steps may be due at once after a long pause
			f, err := s.Facts(ctx, r)
			if err != nil {
				return out, err
			}
			a, ok := s.Next(f)
			if !ok || a.On.After(now) {
				break
			}
			p, err := s.queue(ctx, f, a, now)
			if errors.Is(err, store.ErrExists) {
				break
			}
			if err != nil {
				return out, fmt.Errorf("plan %s for %s: %w", a.Step, r.Ref, err)
			}
			out = append(out, p)
			if !p.Draft {
				// An auto letter must go before the next step is weighed.
				break
			}
			if r, err = s.Store.Request(ctx, r.Ref); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// template names the letter of a step for a request's law.
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
	s.log().Info("planned", "ref", r.Ref, "step", a.Step, "draft", q.Draft)
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
	d.Request.Grounds = grounds
	d.Request.ChasedOn = onDay(f.sentAt(lifecycle.StepFirstChaser))
	d.Request.FinalChasedOn = onDay(f.sentAt(lifecycle.StepFinalChaser))
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
		Subject: campaign.Subject(r.Ref, c.Title, r.AuthorityRef), Body: body,
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

// Guard is the outbox's last check before a letter goes: a scheduled letter
// goes only while its request still calls for it (no substantive reply,
// bounce or withdrawal since it was planned), and only inside the sending
// window on a working day. Other letters always go.
func (s *Scheduler) Guard(now func() time.Time) func(ctx context.Context, it store.OutboxItem) (bool, string, time.Time, error) {
	return func(ctx context.Context, it store.OutboxItem) (bool, string, time.Time, error) {
		if !it.Step.Chaser() && !it.Step.Review() {
			return true, "", time.Time{}, nil
		}
		r, err := s.Store.Request(ctx, it.Ref)
		if err != nil {
			return false, "", time.Time{}, err
		}
		if !lifecycle.MayGo(it.Step, r.State) {
			return false, fmt.Sprintf("the request is now %s", r.State), time.Time{}, nil
		}
		law := calendar.Law(r.Law)
		if t := now(); !s.InWindow(law, t) {
			return false, "outside the sending window", s.NextSendTime(law, t), nil
		}
		return true, "", time.Time{}, nil
	}
}

// ModeFor is the mode of a step for a campaign: the campaign's own choice,
// else foi.yaml's, else off.
func (p Policy) ModeFor(c store.Campaign, step lifecycle.Step) lifecycle.Mode {
	if m := c.Schedule[step]; m != "" {
		return m
	}
	if m := p.Modes[step]; m != "" {
		return m
	}
	return lifecycle.Off
}
