// Package deadline works out a request's statutory dates from the facts of
// its history: when the response is due and when it is very overdue, the
// windows for asking for and answering an internal review, and the last days
// for going to the Information Commissioner (ICO) or the Scottish Information
// Commissioner (SIC).
//
// It owns the rules of the clock (SPEC section 6) and cites their legal
// sources; package calendar supplies the working days. It does not read the
// store, keep state or decide what to send: the caller builds an Input from a
// request's stored events, and the scheduler and the dashboard act on the
// Result. Everything here is a pure function, safe for concurrent use.
//
// Compute works in this order:
//
//  1. Day 0 is the UK date on which the request was delivered, or, if we have
//     since sent a clarification the authority asked for, the date of the
//     latest one. Day 1 is the next working day.
//  2. If the authority is waiting on us — a clarification asked for and not
//     yet sent, or a fee not yet paid — the clock is stopped: no due date.
//  3. Working days from a fees notice to the payment, both included, are not
//     counted.
//  4. The response is due at the end of the 20th counted working day (40
//     where an extension is allowed and taken); it is very overdue after the
//     40th (60th for schools). Late means the day after the due date.
//  5. The review and complaint dates follow from when the response came, when
//     we asked for a review, when the review was answered, and when there was
//     last meaningful contact.
package deadline

import (
	"slices"
	"strings"
	"time"

	"foi/calendar"
)

// The periods, in working days unless named otherwise.
const (
	// FOIA s.10(1), FOISA s.10(1), EIR reg. 5(2), EISR reg. 5(2)(a): promptly
	// and at the latest on the 20th working day following receipt.
	responseDays = 20

	// FOIA s.10(3) lets an authority take a "reasonable" time to weigh the
	// public interest; ICO guidance is that this should not exceed a further
	// 20 working days, 40 in all. EIR reg. 7(1) and EISR reg. 7(1) allow 40
	// for complex and voluminous requests. FOISA has no extension.
	extendedDays = 40

	// Very overdue: twice the limit, when the ICO treats a delay as serious.
	// Schools get 60: under the Freedom of Information (Time for Compliance
	// with Request) Regulations 2010 a maintained school has 20 school days or
	// 60 working days, whichever is first, and we cannot see term dates.
	veryOverdueDays       = 40
	schoolVeryOverdueDays = 60

	// Asking for an internal review: within 40 working days of the response
	// (FOIA s.45 code of practice; EIR reg. 11(2); FOISA s.20(5); EISR
	// reg. 16(2)).
	reviewRequestDays = 40

	// Answering it: ICO guidance says 20 working days and never beyond 40;
	// FOISA s.21(1) and EISR reg. 16(4) require 20; EIR reg. 11(4) allows 40.
	reviewDays            = 20
	eirReviewDays         = 40
	reviewVeryOverdueDays = 40

	// FOISA s.47(4) (applied to the EISR by reg. 17): an application to the
	// SIC within six months of the review answer, or of when it was due.
	sicAppealMonths = 6

	// ICO guidance on complaints: normally within six weeks of the last
	// meaningful contact. We warn when four of the six weeks have passed.
	icoWarnAfterDays     = 28 // calendar days
	icoComplainAfterDays = 42 // calendar days
)

// Input is what a request's history says about its clock. Times are instants;
// each one counts on its UK (Europe/London) date.
type Input struct {
	Law  calendar.Law
	Tags []string // the authority's tags; "school" moves very overdue to 60 working days

	// Delivered is when the request reached the authority: day 0 is its date,
	// whatever the hour or the day of the week.
	Delivered time.Time

	// Clarifications are when we sent the clarification the authority asked
	// for. The latest restarts the clock: it becomes day 0 (FOIA s.1(3) and
	// s.10(6)(b); FOISA s.1(3) and s.10(1)(b); EIR reg. 9(4)).
	Clarifications []time.Time

	// ClarificationRequested is when the authority last asked us to clarify.
	// Until a clarification of ours is sent after it, the clock is stopped.
	ClarificationRequested *time.Time

	// FeeNotices are the fees notices the authority gave, and payments.
	FeeNotices []FeePeriod

	// Extended is set when the authority has extended the time for its
	// response. It has effect under foia, eir and eisr; FOISA allows none, so
	// under foisa it is ignored.
	Extended bool

	Responded             *time.Time // the substantive response, if any
	ReviewRequested       *time.Time // when we asked for an internal review
	ReviewAnswered        *time.Time // when the review answer came
	LastMeaningfulContact *time.Time // for the ICO's six weeks
}

// FeePeriod is a fees notice and its payment. The working days from the
// notice's date to the payment's date, both included, are disregarded (FOIA
// s.10(2), FOISA s.10(2); EIR and EISR advance payments are counted the same
// way). An unpaid fee stops the clock.
type FeePeriod struct {
	Notice time.Time
	Paid   *time.Time // nil while unpaid
}

// Result is a request's statutory dates. A zero Date means "does not apply
// (yet)". Every date but ICOWarnFrom is the last day of its period: the
// response is due by the end of Due and is late from the day after; it is
// very overdue from the day after VeryOverdue.
type Result struct {
	Start       calendar.Date `json:"start,omitzero"`        // day 0 of the response clock
	Due         calendar.Date `json:"due,omitzero"`          // 20th working day; zero while Stopped
	VeryOverdue calendar.Date `json:"very_overdue,omitzero"` // 40th (school: 60th); zero while Stopped
	// Stopped: the authority is waiting on us (clarification or fee).
	Stopped bool `json:"stopped,omitempty"`

	ReviewRequestBy   calendar.Date `json:"review_request_by,omitzero"`   // last day to ask for a review
	ReviewDue         calendar.Date `json:"review_due,omitzero"`          // last day for the review answer
	ReviewVeryOverdue calendar.Date `json:"review_very_overdue,omitzero"` // 40th working day after asking

	SICAppealBy   calendar.Date `json:"sic_appeal_by,omitzero"`   // foisa, eisr: last day to apply to the SIC
	ICOWarnFrom   calendar.Date `json:"ico_warn_from,omitzero"`   // foia, eir: first day to warn of the ICO deadline
	ICOComplainBy calendar.Date `json:"ico_complain_by,omitzero"` // foia, eir: last day to complain to the ICO

	// Projected: some date above was counted across bank holidays that were
	// projected rather than officially published, so it may yet move.
	Projected bool `json:"projected,omitempty"`
}

// Compute works out the statutory dates for in. A request not yet delivered
// (zero Delivered) has none: Compute returns the zero Result.
func Compute(cal *calendar.Calendar, in Input) Result {
	if in.Delivered.IsZero() {
		return Result{}
	}
	law := in.Law
	c := counter{cal: cal, law: law}
	var r Result

	// 1. Day 0.
	r.Start = cal.Date(in.Delivered)
	var lastClarified *time.Time
	for i := range in.Clarifications {
		if lastClarified == nil || in.Clarifications[i].After(*lastClarified) {
			lastClarified = &in.Clarifications[i]
		}
	}
	if lastClarified != nil && cal.Date(*lastClarified).After(r.Start) {
		r.Start = cal.Date(*lastClarified)
	}

	// 2. Stopped while the authority waits on us.
	awaitingClarification := in.ClarificationRequested != nil &&
		(lastClarified == nil || in.ClarificationRequested.After(*lastClarified))
	feeUnpaid := slices.ContainsFunc(in.FeeNotices, func(f FeePeriod) bool { return f.Paid == nil })
	r.Stopped = awaitingClarification || feeUnpaid

	// 3 and 4. The response clock.
	if !r.Stopped {
		var skip []span
		for _, f := range in.FeeNotices {
			skip = append(skip, span{from: cal.Date(f.Notice), to: cal.Date(*f.Paid)})
		}
		slices.SortFunc(skip, func(a, b span) int { return a.from.Compare(b.from) })

		days := responseDays
		if in.Extended && law != calendar.FOISA {
			days = extendedDays
		}
		very := veryOverdueDays
		if slices.ContainsFunc(in.Tags, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), "school") }) {
			very = schoolVeryOverdueDays
		}
		// An extended due date never comes after the very-overdue mark: past
		// 40 working days the ICO's outer limit has gone by.
		very = max(very, days)

		r.Due = c.add(r.Start, days, skip)
		r.VeryOverdue = c.add(r.Start, very, skip)
	}

	// 5. Reviews and complaints.
	switch {
	case in.Responded != nil:
		r.ReviewRequestBy = c.add(cal.Date(*in.Responded), reviewRequestDays, nil)
	case law.Scottish() && !r.Due.IsZero():
		// FOISA s.20(5)(a), EISR reg. 16(2): with no response, the 40 working
		// days run from the end of the time for compliance.
		r.ReviewRequestBy = c.add(r.Due, reviewRequestDays, nil)
	}
	if in.ReviewRequested != nil {
		asked := cal.Date(*in.ReviewRequested)
		days := reviewDays
		if law == calendar.EIR {
			days = eirReviewDays
		}
		r.ReviewDue = c.add(asked, days, nil)
		r.ReviewVeryOverdue = c.add(asked, reviewVeryOverdueDays, nil)
	}
	if law.Scottish() {
		switch {
		case in.ReviewAnswered != nil:
			r.SICAppealBy = addMonths(cal.Date(*in.ReviewAnswered), sicAppealMonths)
		case !r.ReviewDue.IsZero():
			r.SICAppealBy = addMonths(r.ReviewDue, sicAppealMonths)
		}
	} else if in.LastMeaningfulContact != nil {
		contact := cal.Date(*in.LastMeaningfulContact)
		// A review asked for and not answered: the ICO takes a complaint
		// once the review is 20 working days overdue (40 after asking; ICO
		// guidance on internal reviews), so its six weeks cannot run out
		// before then; they run from that day.
		if in.ReviewRequested != nil && in.ReviewAnswered == nil && r.ReviewVeryOverdue.After(contact) {
			contact = r.ReviewVeryOverdue
		}
		r.ICOWarnFrom = contact.AddDays(icoWarnAfterDays)
		r.ICOComplainBy = contact.AddDays(icoComplainAfterDays)
	}

	r.Projected = c.projected
	return r
}

// DaysLeft returns the working days from now's UK date until due, under law:
// 0 on the due day itself, 1 on the working day before, and so on. Once due
// has passed it is negative — minus the working days since due, and at most
// -1, because the day after due is late even when it is a Saturday. A zero
// due (no due date, e.g. a stopped clock) gives 0.
func DaysLeft(cal *calendar.Calendar, law calendar.Law, due calendar.Date, now time.Time) int {
	if due.IsZero() {
		return 0
	}
	today := cal.Date(now)
	n := cal.WorkingDaysBetween(law, today, due)
	if today.After(due) {
		return min(n, -1)
	}
	return n
}

// span is a run of dates, both ends included, whose working days are not
// counted.
type span struct{ from, to calendar.Date }

// counter counts working days under one law and remembers whether any count
// rested on projected bank holidays.
type counter struct {
	cal       *calendar.Calendar
	law       calendar.Law
	projected bool
}

// add returns the nth counted working day after from, not counting the
// working days inside skip (sorted by start).
func (c *counter) add(from calendar.Date, n int, skip []span) calendar.Date {
	at := from // the last day counted or skipped
	for _, s := range skip {
		if !s.to.After(at) {
			continue // over before the count reaches it
		}
		before := max(0, c.cal.WorkingDaysBetween(c.law, at, s.from.AddDays(-1)))
		if before >= n {
			break // the count ends before the span begins
		}
		n -= before
		at = s.to
	}
	end, projected := c.cal.AddWorkingDays(c.law, at, n)
	c.projected = c.projected || projected || c.cal.Projected(c.law, from, at)
	return end
}

// addMonths returns the same day n calendar months after d, or the last day
// of that month when it is shorter (31 August + 6 months = 28 February).
func addMonths(d calendar.Date, n int) calendar.Date {
	got := calendar.NewDate(d.Year, d.Month+time.Month(n), d.Day)
	if got.Day != d.Day {
		return calendar.NewDate(d.Year, d.Month+time.Month(n)+1, 0)
	}
	return got
}
