package report

import (
	"fmt"
	"strings"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

// Readiness is whether a complaint to the Commissioner is due for a
// request, and why; if it is not, when it will be.
type Readiness struct {
	Due bool
	// Why says, in words, what makes it due or what it waits for.
	Why string
	// From is the first day it will be due by the clock alone, if it is not
	// due yet and the clock can tell (zero otherwise: it waits for a step
	// of ours, such as asking for an internal review).
	From calendar.Date
}

// NotDueError is BuildPack's refusal to build a pack before a complaint is
// due.
type NotDueError struct {
	Ref string
	Readiness
}

func (e *NotDueError) Error() string {
	s := fmt.Sprintf("%s: a complaint is not due yet: %s", e.Ref, e.Why)
	if !e.From.IsZero() {
		s += fmt.Sprintf(" (it will be due from %s)", e.From.Format("Mon 2 Jan 2006"))
	}
	return s
}

// ComplaintDue decides whether a complaint (in Scotland, an appeal) is due
// for the request at now. It is due when:
//
//   - a complaint has been drafted (the schedule's ico_complaint step) or
//     the request is marked ready for one or filed;
//   - the internal review has been answered: the requester may complain
//     once it is (FOIA s.50(2)(a) lets the Commissioner decline a complaint
//     made before the authority's complaints procedure is exhausted; FOISA
//     s.47(1) allows an application only after a requirement for review);
//   - the internal review is late enough: in Scotland once the 20 working
//     days of FOISA s.21(1) have passed (EISR reg. 16(4)); elsewhere once
//     it is 20 working days overdue, 40 after it was asked for (the ICO's
//     complaint form: "If you've not been given the outcome of the internal
//     review after 40 working days - you can complain to us"; SPEC section
//     7);
//   - outside Scotland, with no response at all, 40 working days have
//     passed since the request (60 for a school: deadline's very overdue
//     mark) and both chasers have gone (SPEC section 7; the ICO asks for
//     evidence that the requester tried to resolve it with the authority);
//   - the schedule's next step is the complaint and its day has come.
func ComplaintDue(sch *schedule.Scheduler, f schedule.Facts, now time.Time) Readiness {
	r := f.Request
	law := calendar.Law(r.Law)
	for _, it := range f.Outbox {
		if it.Step == lifecycle.StepComplaint && it.State != lifecycle.OutboxCancelled {
			return Readiness{Due: true, Why: "the complaint was drafted on " + sch.Cal.Date(it.CreatedAt).Format("2 Jan 2006")}
		}
	}
	switch r.State {
	case lifecycle.ICOReady:
		return Readiness{Due: true, Why: "the request is marked ready for a complaint"}
	case lifecycle.ICOFiled:
		return Readiness{Due: true, Why: "the complaint is marked as filed"}
	}
	if r.SentAt.IsZero() {
		return Readiness{Why: "the request has not been sent"}
	}
	if a, ok := sch.Next(f); ok && a.Step == lifecycle.StepComplaint && !a.On.After(now) {
		return Readiness{Due: true, Why: "the schedule drafts the complaint from " + a.On.In(sch.Cal.Location()).Format("2 Jan 2006")}
	}
	in := f.Input()
	d := deadline.Compute(sch.Cal, in)
	today := sch.Cal.Date(now)
	day := func(t time.Time) string { return sch.Cal.Date(t).Format("2 Jan 2006") }
	noun, asked := reviewWords(law)
	if in.ReviewAnswered != nil {
		return Readiness{Due: true, Why: "the " + noun + " was answered on " + day(*in.ReviewAnswered)}
	}
	if in.ReviewRequested != nil {
		limit, words := d.ReviewVeryOverdue, "40 working days after it was asked for"
		if law.Scottish() {
			limit, words = d.ReviewDue, "20 working days after it was required (FOISA s.21(1))"
		}
		if d.ReviewDue.After(limit) {
			limit = d.ReviewDue
		}
		if today.After(limit) {
			return Readiness{Due: true, Why: fmt.Sprintf("the %s %s on %s has not been answered by %s, %s",
				noun, asked, day(*in.ReviewRequested), limit.Format("2 Jan 2006"), words)}
		}
		return Readiness{Why: fmt.Sprintf("the %s %s on %s may be answered until %s, %s; a complaint is due once it is answered, or from the day after if it is not",
			noun, asked, day(*in.ReviewRequested), limit.Format("2 Jan 2006"), words), From: limit.AddDays(1)}
	}
	if in.Responded != nil {
		if law.Scottish() {
			return Readiness{Why: "the authority responded on " + day(*in.Responded) + "; require a review first: the Commissioner hears an appeal only after one (FOISA s.47(1))"}
		}
		return Readiness{Why: "the authority responded on " + day(*in.Responded) + "; ask for an internal review first: the Commissioner usually expects one before a complaint (FOIA s.50(2)(a))"}
	}
	if d.Stopped {
		return Readiness{Why: "the clock is stopped: the authority waits for a clarification or a fee"}
	}
	if law.Scottish() {
		why := "no response has come (it was due by " + d.Due.Format("2 Jan 2006") + "); require a review first: the Commissioner hears an appeal only after one (FOISA s.47(1))"
		if a, ok := sch.Next(f); ok && a.Step == lifecycle.StepReviewSilence {
			why += "; foi asks for it from " + a.On.In(sch.Cal.Location()).Format("2 Jan 2006")
		}
		return Readiness{Why: why}
	}
	chased := sentStep(f, lifecycle.StepFirstChaser) && sentStep(f, lifecycle.StepFinalChaser)
	very := d.VeryOverdue.Format("2 Jan 2006")
	if chased && today.After(d.VeryOverdue) {
		return Readiness{Due: true, Why: fmt.Sprintf("no response has come (it was due by %s), both chasers have gone, and the request has been very overdue since the day after %s",
			d.Due.Format("2 Jan 2006"), very)}
	}
	why := "the response is not due until " + d.Due.Format("2 Jan 2006")
	if today.After(d.Due) {
		why = "the response is late (it was due by " + d.Due.Format("2 Jan 2006") + ")"
	}
	why += "; a complaint about a request with no response is due once both chasers have gone and the request is very overdue, after " + very
	if !chased {
		why += " (the chasers have not both gone yet)"
	}
	return Readiness{Why: why, From: d.VeryOverdue.AddDays(1)}
}

// sentStep reports whether the step's letter has gone.
func sentStep(f schedule.Facts, step lifecycle.Step) bool {
	for _, it := range f.Outbox {
		if it.Step == step && it.State == lifecycle.OutboxSent {
			return true
		}
	}
	return false
}

// exchange is what the complaint says happened: the response and the
// review's answer, with what each decided.
type exchange struct {
	response, review *store.Message
	// The outcome of each: confirmed by a person, else as suggested.
	responseOutcome, reviewOutcome     lifecycle.State
	responseConfirmed, reviewConfirmed bool
	reviewAsked                        time.Time
}

// exchangeOf finds the response and the review's answer in the thread the
// way Facts.Input dates them: the first substantive reply before the
// review was asked for, and the first after.
func exchangeOf(f schedule.Facts) exchange {
	var x exchange
	for _, it := range f.Outbox {
		if it.State == lifecycle.OutboxSent && (it.Step.Review() || it.Kind == lifecycle.KindReview) {
			if x.reviewAsked.IsZero() || it.SentAt.Before(x.reviewAsked) {
				x.reviewAsked = it.SentAt
			}
		}
	}
	for i := range f.Thread {
		m := &f.Thread[i]
		if m.Direction != "in" || m.Kind.Silent() {
			continue
		}
		if !x.reviewAsked.IsZero() && m.CreatedAt.After(x.reviewAsked) {
			if x.review == nil {
				x.review = m
			}
		} else if x.response == nil {
			x.response = m
		}
	}
	if x.response != nil && x.response.Verdict != nil {
		x.responseOutcome = x.response.Verdict.Outcome
	}
	if x.review != nil && x.review.Verdict != nil {
		x.reviewOutcome = x.review.Verdict.Outcome
	}
	// A person's classification wins over the suggestion: the last outcome
	// they set before the review was asked for is the response's, the last
	// after the review's answer is the review's.
	for _, e := range f.Events {
		if e.Kind != lifecycle.EventState || e.Actor == "foi" {
			continue
		}
		_, to, _, ok := stateChange(e)
		if !ok || !to.Outcome() {
			continue
		}
		switch {
		case x.review != nil && !e.At.Before(x.review.CreatedAt):
			x.reviewOutcome, x.reviewConfirmed = to, true
		case x.reviewAsked.IsZero() || e.At.Before(x.reviewAsked):
			x.responseOutcome, x.responseConfirmed = to, true
		}
	}
	return x
}

// grounds is the part of the complaint that says what is wrong, one point
// a line: the silence or the late answer, the refusal with its date,
// outcome and sections, the review not given or what it decided. A reading
// foi made and no person confirmed is marked to be checked.
func grounds(sch *schedule.Scheduler, f schedule.Facts) string {
	law := calendar.Law(f.Request.Law)
	in := f.Input()
	d := deadline.Compute(sch.Cal, in)
	x := exchangeOf(f)
	noun, asked := reviewWords(law)
	long := func(t time.Time) string { return sch.Cal.Date(t).Format("2 January 2006") }
	longDate := func(dt calendar.Date) string { return dt.Format("2 January 2006") }
	limit := "section 10(1)"
	if law == calendar.EIR || law == calendar.EISR {
		limit = "regulation 5(2)"
	}
	var points []string
	switch {
	case x.response == nil && in.Responded == nil:
		points = append(points, fmt.Sprintf("The authority has not responded to our request, and the time for its response has passed (%s).", limit))
	default:
		when := *in.Responded
		if x.response != nil {
			when = x.response.CreatedAt
		}
		if !d.Due.IsZero() && sch.Cal.Date(when).After(d.Due) {
			points = append(points, fmt.Sprintf("The authority responded late, on %s: the response was due by %s (%s).", long(when), longDate(d.Due), limit))
		}
		var sections []string
		if x.response != nil && x.response.Verdict != nil {
			sections = x.response.Verdict.Sections
		}
		p := decision(long(when), x.responseOutcome, sections, "")
		if x.responseOutcome != "" && !x.responseConfirmed {
			p += " " + checkMark
		}
		points = append(points, p)
	}
	switch {
	case x.review != nil:
		var sections []string
		if x.review.Verdict != nil {
			sections = x.review.Verdict.Sections
		}
		p := decision(long(x.review.CreatedAt), x.reviewOutcome, sections, noun)
		if x.reviewOutcome != "" && !x.reviewConfirmed {
			p += " " + checkMark
		}
		points = append(points, p)
	case in.ReviewAnswered != nil:
		points = append(points, fmt.Sprintf("The %s was answered on %s.", noun, long(*in.ReviewAnswered)))
	case in.ReviewRequested != nil:
		points = append(points, fmt.Sprintf("The authority has not carried out the %s we %s, and the time for it has passed.", noun, asked))
	}
	var b strings.Builder
	b.WriteString("What we complain of:\n")
	for _, p := range points {
		b.WriteString("- " + p + "\n")
	}
	return b.String()
}

// checkMark follows a sentence that rests on foi's reading of a reply.
const checkMark = "[CHECK: this is foi's reading of the reply, not yet confirmed by you: correct it if it is wrong]"

// decision says what a response decided, or the review's answer if review
// names the review ("internal review").
func decision(on string, outcome lifecycle.State, sections []string, review string) string {
	cites := ""
	if len(sections) > 0 {
		words := make([]string, len(sections))
		for i, s := range sections {
			words[i] = sectionWords(s)
		}
		cites = ", citing " + joinAnd(words)
	}
	if review != "" {
		head := "The " + review + ", answered on " + on + ","
		switch outcome {
		case lifecycle.Refused:
			return head + " upheld the refusal" + cites + "."
		case lifecycle.PartiallySuccessful:
			return head + " still withheld some of the information" + cites + "."
		case lifecycle.NotHeld:
			return head + " said the authority does not hold the information" + cites + "."
		case lifecycle.Successful:
			return head + " released the information."
		}
		return "The " + review + " was answered on " + on + cites + "."
	}
	switch outcome {
	case lifecycle.Refused:
		return fmt.Sprintf("On %s the authority refused the request%s.", on, cites)
	case lifecycle.PartiallySuccessful:
		return fmt.Sprintf("On %s the authority gave some of the information and withheld the rest%s.", on, cites)
	case lifecycle.NotHeld:
		return fmt.Sprintf("On %s the authority said it does not hold the information%s.", on, cites)
	case lifecycle.Successful:
		return fmt.Sprintf("On %s the authority gave the information.", on)
	}
	return fmt.Sprintf("The authority responded on %s%s.", on, cites)
}

// sectionWords writes a cited provision as a letter does: "s.12" is
// "section 12", "reg.12(4)(b)" is "regulation 12(4)(b)".
func sectionWords(s string) string {
	switch {
	case strings.HasPrefix(s, "s."):
		return "section " + strings.TrimPrefix(s, "s.")
	case strings.HasPrefix(s, "reg."):
		return "regulation " + strings.TrimPrefix(s, "reg.")
	}
	return s
}

// withGrounds puts the grounds into the letter before its closing request
// to the Commissioner ("We ask the Commissioner ..."), or before the
// signature if there is no such paragraph, unless the letter's template
// has put them in already.
func withGrounds(body, g string) string {
	g = strings.TrimRight(g, "\n")
	if g == "" || strings.Contains(body, g) {
		return body
	}
	if i := strings.Index(body, "\n\nWe ask the Commissioner"); i >= 0 {
		return body[:i] + "\n\n" + g + body[i:]
	}
	if i := strings.LastIndex(strings.TrimRight(body, "\n"), "\n\n"); i >= 0 {
		return body[:i] + "\n\n" + g + body[i:]
	}
	return body + "\n" + g + "\n"
}
