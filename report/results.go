package report

import (
	"slices"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/schedule"
)

// Timeliness is how a request's first substantive reply stands against the
// due date in force, counted lawfully (Measure).
type Timeliness string

// The kinds of Timeliness.
const (
	// OnTime: answered on or before the due date.
	OnTime Timeliness = "on_time"
	// Late: answered after it.
	Late Timeliness = "late"
	// Overdue: no answer and the due date has passed.
	Overdue Timeliness = "overdue"
	// InTime: no answer yet, and the authority still has time (or the clock
	// is stopped while it waits on us).
	InTime Timeliness = "in_time"
	// NotDelivered: the letter bounced, or has not gone yet, or was
	// withdrawn: the authority is not judged.
	NotDelivered Timeliness = "not_delivered"
)

// Measures are what a published table says of one request: every date the
// law counts from, the working days taken, and whether the answer was on
// time, counted so that the authority is judged fairly:
//
//   - time to the first substantive reply and time to completion (the
//     answer to an internal review, if one was asked for) are kept apart;
//   - a clarification the authority asked for restarts the clock (FOIA
//     s.1(3), s.10(6)), so the days are counted from our clarification;
//   - a public-interest extension (FOIA s.10(3); EIR reg. 7(1)) moves the due
//     date to the 40th working day, but only if the authority claimed it
//     within the first 20 working days: the notice saying it needs more time
//     must itself be given in that time (FOIA s.17(1)-(3); ICO guidance
//     "Time limits for considering the public interest"). FOISA allows none.
//   - acknowledgements, automatic replies and requests for clarification are
//     not answers.
type Measures struct {
	Row Row `json:"row"`
	// Start is day 0 of the clock in force: delivery, or our clarification.
	Start        calendar.Date `json:"start,omitzero"`
	Acknowledged calendar.Date `json:"acknowledged,omitzero"`
	// FirstReply is the first substantive reply (information, refusal or
	// not held); DaysToReply the working days from Start to it.
	FirstReply  calendar.Date `json:"first_reply,omitzero"`
	DaysToReply *int          `json:"days_to_reply,omitempty"`
	// Completed is when the request was finished: the review's answer if a
	// review was asked for, else the first substantive reply; DaysToComplete
	// counts the working days from delivery to it.
	Completed      calendar.Date `json:"completed,omitzero"`
	DaysToComplete *int          `json:"days_to_complete,omitempty"`
	// Due is the due date the reply is judged against (Row.Due with an
	// extension claimed too late taken back out).
	Due        calendar.Date `json:"due,omitzero"`
	Timeliness Timeliness    `json:"timeliness"`
	Extended   bool          `json:"extended,omitempty"`
	// ExtensionTooLate: the authority claimed an extension after the first
	// 20 working days, so it does not count.
	ExtensionTooLate bool `json:"extension_too_late,omitempty"`
	Clarified        bool `json:"clarified,omitempty"`
	// Outcome is the outcome of the first substantive reply: the one a
	// person confirmed (OutcomeConfirmed), else the classifier's suggestion,
	// else "answered"; "" without a reply.
	Outcome          lifecycle.State `json:"outcome,omitempty"`
	OutcomeConfirmed bool            `json:"outcome_confirmed,omitempty"`
	// Exemptions are the sections cited in the replies ("s.12", "s.40(2)").
	Exemptions     []string      `json:"exemptions,omitempty"`
	Chasers        int           `json:"chasers"`
	ReviewAsked    calendar.Date `json:"review_asked,omitzero"`
	ReviewAnswered calendar.Date `json:"review_answered,omitzero"`
	// ReviewOutcome: "upheld", "overturned", or the reply's outcome.
	ReviewOutcome string        `json:"review_outcome,omitempty"`
	ICOComplaint  calendar.Date `json:"ico_complaint,omitzero"`
}

// OutcomeAnswered is the Outcome of a substantive reply nobody has
// classified and the classifier could not read.
const OutcomeAnswered lifecycle.State = "answered"

// Measure works out a request's Measures at now, from its facts, with the
// same clock as the board (RowOf, deadline.Compute).
func Measure(sch *schedule.Scheduler, f schedule.Facts, now time.Time) Measures {
	cal, law := sch.Cal, calendar.Law(f.Request.Law)
	m := Measures{Row: RowOf(sch, f, now)}
	r := f.Request
	in := f.Input()
	d := deadline.Compute(cal, in)
	today := cal.Date(now)
	m.Start, m.Due = d.Start, d.Due
	m.Extended = in.Extended && !law.Scottish()
	m.Clarified = len(in.Clarifications) > 0

	// The messages: acknowledgement, extension notice, replies and what
	// they cite.
	var extensionAt time.Time
	for _, msg := range f.Thread {
		if msg.Direction != "in" {
			continue
		}
		switch msg.Kind {
		case lifecycle.KindAcknowledgement:
			if m.Acknowledged.IsZero() {
				m.Acknowledged = cal.Date(msg.CreatedAt)
			}
		case lifecycle.KindExtension:
			if extensionAt.IsZero() {
				extensionAt = msg.CreatedAt
			}
		}
		if msg.Verdict != nil {
			for _, s := range msg.Verdict.Sections {
				if !slices.Contains(m.Exemptions, s) {
					m.Exemptions = append(m.Exemptions, s)
				}
			}
		}
	}
	if m.Extended && !extensionAt.IsZero() {
		plain := in
		plain.Extended = false
		d20 := deadline.Compute(cal, plain)
		if !d20.Due.IsZero() && cal.Date(extensionAt).After(d20.Due) {
			m.ExtensionTooLate = true
			m.Due = d20.Due
		}
	}

	// What a person decided, from the state changes.
	for _, e := range f.Events {
		if e.Kind != lifecycle.EventState {
			continue
		}
		if e.To.Outcome() && !m.OutcomeConfirmed && (in.ReviewRequested == nil || !e.At.After(*in.ReviewRequested)) {
			m.Outcome, m.OutcomeConfirmed = e.To, true
		}
		if e.To == lifecycle.ICOFiled && m.ICOComplaint.IsZero() {
			m.ICOComplaint = cal.Date(e.At)
		}
	}
	for _, it := range f.Outbox {
		if it.State == lifecycle.OutboxSent && it.Step.Chaser() {
			m.Chasers++
		}
	}

	// The first substantive reply, and how it stands against the due date.
	switch {
	case r.SentAt.IsZero() || r.State == lifecycle.DeliveryFailed || r.State == lifecycle.Withdrawn:
		m.Timeliness = NotDelivered
	case in.Responded != nil:
		m.FirstReply = cal.Date(*in.Responded)
		n := cal.WorkingDaysBetween(law, m.Start, m.FirstReply)
		m.DaysToReply = &n
		m.Timeliness = OnTime
		if !m.Due.IsZero() && m.FirstReply.After(m.Due) {
			m.Timeliness = Late
		}
	case !m.Due.IsZero() && today.After(m.Due):
		m.Timeliness = Overdue
	default:
		m.Timeliness = InTime
	}
	if in.Responded != nil && !m.OutcomeConfirmed {
		m.Outcome = OutcomeAnswered
		if v := firstVerdict(f, *in.Responded); v != "" {
			m.Outcome = v
		}
	}

	// The internal review, and completion.
	if in.ReviewRequested != nil {
		m.ReviewAsked = cal.Date(*in.ReviewRequested)
		if in.ReviewAnswered != nil {
			m.ReviewAnswered = cal.Date(*in.ReviewAnswered)
			m.ReviewOutcome = reviewOutcome(f, *in.ReviewAnswered, m.Outcome)
		}
	}
	switch {
	case !m.ReviewAnswered.IsZero():
		m.Completed = m.ReviewAnswered
	case !m.FirstReply.IsZero() && m.ReviewAsked.IsZero():
		m.Completed = m.FirstReply
	}
	if !m.Completed.IsZero() {
		n := cal.WorkingDaysBetween(law, cal.Date(r.SentAt), m.Completed)
		m.DaysToComplete = &n
	}
	return m
}

// firstVerdict is the classifier's outcome for the reply received at at.
func firstVerdict(f schedule.Facts, at time.Time) lifecycle.State {
	for _, msg := range f.Thread {
		if msg.Direction == "in" && msg.CreatedAt.Equal(at) && msg.Verdict != nil {
			return msg.Verdict.Outcome
		}
	}
	return ""
}

// reviewOutcome reads the review's answer (received at at) against the
// first outcome: a refusal confirmed is "upheld", information given after
// all is "overturned".
func reviewOutcome(f schedule.Facts, at time.Time, first lifecycle.State) string {
	v := firstVerdict(f, at)
	for _, e := range f.Events {
		if e.Kind == lifecycle.EventState && e.To.Outcome() && !e.At.Before(at) {
			v = e.To
		}
	}
	refusedBefore := first == lifecycle.Refused || first == lifecycle.PartiallySuccessful || first == lifecycle.NotHeld
	switch {
	case v == "":
		return "answered"
	case refusedBefore && v == first:
		return "upheld"
	case refusedBefore && v == lifecycle.Successful:
		return "overturned"
	case refusedBefore && v == lifecycle.PartiallySuccessful:
		return "partly overturned"
	}
	return string(v)
}
