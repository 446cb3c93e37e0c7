package report

import (
	"context"
	"fmt"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

// Row is one request on a campaign's board: where it stands, the truth of
// its clock in words, its latest reply with what it looks like, and what
// happens next.
type Row struct {
	Ref       string          `json:"ref"`
	Campaign  string          `json:"campaign"`
	Authority string          `json:"authority"`
	State     lifecycle.State `json:"state"`
	// Phase is the board's column: unsent, awaiting, overdue, very overdue,
	// extended, clarification, answered, refused, in review, ICO, bounced,
	// withdrawn, closed.
	Phase  string        `json:"phase"`
	SentAt time.Time     `json:"sent_at,omitzero"`
	Due    calendar.Date `json:"due,omitzero"`
	// DueRule says which rule set the due date.
	DueRule string `json:"due_rule,omitempty"`
	// WorkingDaysLeft is set only while the authority owes the answer:
	// negative when late.
	WorkingDaysLeft *int `json:"working_days_left,omitempty"`
	// Clock is the truth in words: "due in 6 working days", "3 working days
	// late", "answered in 4 working days", "review due Mon 2 Feb (5 left)".
	Clock string `json:"clock"`
	// Projected: a date rests on projected bank holidays.
	Projected    bool      `json:"projected,omitempty"`
	LastActivity time.Time `json:"last_activity,omitzero"`
	LastReply    *Reply    `json:"last_reply,omitempty"`
	// Suggested is what the latest reply looks like, until a person
	// confirms an outcome.
	Suggested *Suggested `json:"suggested,omitempty"`
	Next      *Next      `json:"next,omitempty"`
	// Problem is why a letter of this request is waiting to go, or why it
	// was refused, in the server's or the system's words.
	Problem string `json:"last_error,omitempty"`
}

// Reply is a request's latest reply.
type Reply struct {
	At   time.Time      `json:"at"`
	Kind lifecycle.Kind `json:"kind"`
	From string         `json:"from"`
	ID   int64          `json:"message"`
}

// Suggested is a classification waiting for a person's confirmation.
type Suggested struct {
	Kind     lifecycle.Kind  `json:"kind"`
	Outcome  lifecycle.State `json:"outcome,omitempty"`
	Sections []string        `json:"sections,omitempty"`
	Evidence []string        `json:"evidence,omitempty"`
	// Words reads like "refused, cites s.12".
	Words   string `json:"words"`
	Message int64  `json:"message"`
}

// Next is what happens next for a request, and when.
type Next struct {
	Step lifecycle.Step `json:"step,omitempty"`
	Mode lifecycle.Mode `json:"mode,omitempty"`
	On   time.Time      `json:"on,omitzero"`
	// Draft is the outbox number of a letter waiting for approval.
	Draft int64 `json:"draft,omitempty"`
	// Words reads like "first chaser (sent automatically) Tue 5 Jan".
	Words string `json:"words"`
}

// Board builds the rows of a campaign (every campaign if slug is "") at
// now, from one read of the store (schedule.AllFacts).
func Board(ctx context.Context, sch *schedule.Scheduler, slug string, now time.Time) ([]Row, error) {
	facts, err := sch.AllFacts(ctx, slug)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, len(facts))
	for i, f := range facts {
		rows[i] = RowOf(sch, f, now)
	}
	return rows, nil
}

// RowOf builds one request's row from its facts.
func RowOf(sch *schedule.Scheduler, f schedule.Facts, now time.Time) Row {
	r := f.Request
	row := Row{Ref: r.Ref, Campaign: r.Campaign, Authority: r.Authority.Name, State: r.State, SentAt: r.SentAt}
	cal, law := sch.Cal, calendar.Law(r.Law)
	in := f.Input()
	d := deadline.Compute(cal, in)
	today := cal.Date(now)
	row.Projected = d.Projected
	row.LastActivity = r.SentAt
	for _, e := range f.Events {
		row.LastActivity = later(row.LastActivity, e.At)
	}
	for _, m := range f.Thread {
		row.LastActivity = later(row.LastActivity, m.CreatedAt)
	}
	for _, it := range f.Outbox {
		row.LastActivity = later(row.LastActivity, it.SentAt)
	}
	for i := len(f.Thread) - 1; i >= 0; i-- {
		m := f.Thread[i]
		if m.Direction != "in" {
			continue
		}
		at := m.Date
		if at.IsZero() {
			at = m.CreatedAt
		}
		row.LastReply = &Reply{At: at, Kind: m.Kind, From: m.From, ID: m.ID}
		if m.Verdict != nil && !m.Kind.Silent() && (r.State == lifecycle.Responded || r.State == lifecycle.ReviewAnswered) {
			row.Suggested = Suggest(m)
		}
		break
	}
	if !r.SentAt.IsZero() && !d.Stopped {
		row.Due = d.Due
		row.DueRule = "20 working days (FOIA s.10(1))"
		switch {
		case in.Extended && law.Scottish():
			row.DueRule = "20 working days (no extension in Scotland)"
		case in.Extended && law == calendar.EIR:
			row.DueRule = "40 working days (EIR reg. 7(1) extension)"
		case in.Extended:
			row.DueRule = "40 working days (public-interest extension, FOIA s.10(3))"
		case law.Scottish():
			row.DueRule = "20 working days (FOISA s.10(1))"
		case law == calendar.EIR || law == calendar.EISR:
			row.DueRule = "20 working days (EIR reg. 5(2))"
		}
		if in.Clarifications != nil {
			row.DueRule += ", from our clarification"
		}
	}
	row.Phase, row.Clock = clock(cal, law, r.State, in, d, today)
	if left := deadline.DaysLeft(cal, law, d.Due, now); r.State.WaitingOnAuthority() && r.State != lifecycle.ReviewRequested && in.Responded == nil && !d.Due.IsZero() {
		row.WorkingDaysLeft = &left
	}
	row.Next = next(sch, f, now)
	for _, it := range f.Outbox {
		if (it.State.Due() || it.State == lifecycle.OutboxFailed) && it.LastError != "" {
			row.Problem = it.LastError
		}
	}
	return row
}

// Suggest is what a received message looks like, in words with its
// evidence, or nil for one foi has no reading of.
func Suggest(m store.Message) *Suggested {
	v := m.Verdict
	if v == nil {
		return nil
	}
	s := &Suggested{Kind: v.Kind, Outcome: v.Outcome, Sections: v.Sections, Evidence: v.Evidence, Message: m.ID}
	switch {
	case v.Outcome != "":
		s.Words = humanState(v.Outcome)
	default:
		s.Words = humanKind(v.Kind)
	}
	if len(v.Sections) > 0 {
		s.Words += ", cites " + joinAnd(v.Sections)
	}
	return s
}

// clock is the phase and the truth in words.
func clock(cal *calendar.Calendar, law calendar.Law, st lifecycle.State, in deadline.Input, d deadline.Result, today calendar.Date) (phase, words string) {
	wd := func(n int) string { return plural(n, "working day", "working days") }
	answered := func() string {
		if in.Responded == nil {
			return "answered"
		}
		on := cal.Date(*in.Responded)
		if !d.Due.IsZero() && on.After(d.Due) {
			return "answered " + wd(cal.WorkingDaysBetween(law, d.Due, on)) + " late"
		}
		return "answered in " + wd(cal.WorkingDaysBetween(law, d.Start, on))
	}
	window := func() string {
		switch {
		case law.Scottish() && !d.SICAppealBy.IsZero():
			if !today.After(d.SICAppealBy) {
				return "; appeal to the Scottish Information Commissioner by " + d.SICAppealBy.Format("Mon 2 Jan 2006")
			}
		case !d.ICOWarnFrom.IsZero() && !today.Before(d.ICOWarnFrom):
			if left := d.ICOComplainBy.Compare(today); left >= 0 {
				days := int(d.ICOComplainBy.In(time.UTC).Sub(today.In(time.UTC)).Hours() / 24)
				return "; ICO window closes in " + plural(days, "day", "days") + " (" + d.ICOComplainBy.Format("Mon 2 Jan") + ")"
			}
			return "; the ICO's six weeks have passed (" + d.ICOComplainBy.Format("Mon 2 Jan 2006") + ")"
		}
		return ""
	}
	switch st {
	case lifecycle.Draft, lifecycle.Queued:
		return "unsent", "not sent yet"
	case lifecycle.DeliveryFailed:
		return "bounced", "not delivered: correct the address and send again"
	case lifecycle.Withdrawn:
		return "withdrawn", "withdrawn"
	case lifecycle.Closed:
		return "closed", "closed"
	case lifecycle.ICOFiled:
		return "ICO", "complaint filed with the Commissioner"
	case lifecycle.AwaitingClarification:
		return "clarification", "clock stopped: the authority asked for clarification; answer with foi reply"
	}
	if in.ReviewRequested != nil {
		asked := cal.Date(*in.ReviewRequested)
		if in.ReviewAnswered != nil {
			on := cal.Date(*in.ReviewAnswered)
			w := "review answered in " + wd(cal.WorkingDaysBetween(law, asked, on))
			if on.After(d.ReviewDue) {
				w = "review answered " + wd(cal.WorkingDaysBetween(law, d.ReviewDue, on)) + " late"
			}
			if st == lifecycle.ICOReady {
				return "ICO", w + "; complaint ready to file" + window()
			}
			if st == lifecycle.Refused || st == lifecycle.PartiallySuccessful {
				// The review upheld the refusal: still refused, not answered.
				return "refused", w + window()
			}
			return "answered", w + window()
		}
		left := cal.WorkingDaysBetween(law, today, d.ReviewDue)
		phase := "in review"
		if st == lifecycle.ICOReady {
			phase = "ICO"
		}
		if today.After(d.ReviewDue) {
			w := "review " + wd(cal.WorkingDaysBetween(law, d.ReviewDue, today)) + " late (due " + d.ReviewDue.Format("Mon 2 Jan") + ")"
			if st == lifecycle.ICOReady {
				w += "; complaint ready to file" + window()
			}
			return phase, w
		}
		return phase, fmt.Sprintf("review due %s (%d left)", d.ReviewDue.Format("Mon 2 Jan"), left)
	}
	if in.Responded != nil || st.Answered() {
		phase := "answered"
		if st == lifecycle.Refused || st == lifecycle.PartiallySuccessful {
			phase = "refused"
		}
		w := answered()
		if st == lifecycle.Refused || st == lifecycle.PartiallySuccessful || st == lifecycle.ICOReady {
			w += window()
		}
		if st == lifecycle.ICOReady {
			return "ICO", w + "; complaint ready to file"
		}
		return phase, w
	}
	if d.Stopped {
		return "clarification", "clock stopped: a fee was asked for; record payment with foi paid"
	}
	if st == lifecycle.ICOReady {
		return "ICO", "never answered; complaint ready to file" + window()
	}
	if d.Due.IsZero() {
		return "awaiting", "awaiting"
	}
	ext := ""
	if in.Extended {
		ext = " (extended)"
	}
	switch {
	case today.After(d.VeryOverdue):
		return "very overdue", wd(cal.WorkingDaysBetween(law, d.Due, today)) + " late, very overdue" + ext
	case today.After(d.Due):
		return "overdue", wd(cal.WorkingDaysBetween(law, d.Due, today)) + " late" + ext
	case today == d.Due:
		if in.Extended {
			return "extended", "due today" + ext
		}
		return "awaiting", "due today"
	}
	phase = "awaiting"
	if in.Extended {
		phase = "extended"
	}
	return phase, "due in " + wd(cal.WorkingDaysBetween(law, today, d.Due)) + ext
}

// next is what happens next: a draft to approve, a letter waiting to go,
// or the schedule's next step.
func next(sch *schedule.Scheduler, f schedule.Facts, now time.Time) *Next {
	loc := sch.Cal.Location()
	for _, it := range f.Outbox {
		if it.State == lifecycle.OutboxDraft && it.Step == lifecycle.StepComplaint {
			return &Next{Step: it.Step, Draft: it.ID, Words: fmt.Sprintf("complaint to the Commissioner ready: build the pack with foi ico-pack %s --out FILE.zip, and file it", f.Request.Ref)}
		}
		if it.State == lifecycle.OutboxDraft {
			return &Next{Step: it.Step, Draft: it.ID, Words: fmt.Sprintf("%s drafted: waiting for approval (foi drafts show %d)", humanKind(it.Kind), it.ID)}
		}
	}
	for _, it := range f.Outbox {
		if it.State.Due() {
			return &Next{Step: it.Step, On: it.NextAttemptAt, Words: fmt.Sprintf("%s goes %s", humanKind(it.Kind), it.NextAttemptAt.In(loc).Format("Mon 2 Jan 15:04"))}
		}
		if it.State == lifecycle.OutboxSending {
			return &Next{Step: it.Step, Words: fmt.Sprintf("%s in doubt: interrupted while sending", humanKind(it.Kind))}
		}
		if it.State == lifecycle.OutboxInDoubt {
			return &Next{Step: it.Step, Words: fmt.Sprintf("%s in doubt: it may have been delivered; check, then foi resend %s or foi mark-sent %s", humanKind(it.Kind), f.Request.Ref, f.Request.Ref)}
		}
	}
	if a, ok := sch.Next(f); ok {
		how := "sent automatically"
		if a.Mode == lifecycle.Drafted {
			how = "drafted for approval"
		}
		when := a.On.In(loc).Format("Mon 2 Jan")
		if !a.On.After(now) {
			when = "due since " + when + ": at the next foi tick (or now, under foi serve)"
		}
		return &Next{Step: a.Step, Mode: a.Mode, On: a.On, Words: fmt.Sprintf("%s (%s) %s", humanKind(a.Step.Kind()), how, when)}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
