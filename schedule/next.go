package schedule

import (
	"fmt"
	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"time"
)

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
	// A step is due from the first moment of its day that letters may go
	// out (a working day, inside the window): the same moment `foi status`
	// shows, `foi due` computes and the outbox sends at.
	day := func(dt calendar.Date) time.Time { return s.NextSendTime(law, dt.In(s.Policy.Loc)) }
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
	// No answer yet. Every chaser measures from the due date in force (an
	// extension moves it, FOIA s.10(3)), so nothing chases while an
	// extension runs. The first chaser is due once the response is late:
	// from the day after the due date, on the first working day after it.
	first := d.Due.AddDays(1)
	if !f.has(lifecycle.StepFirstChaser) && mode(lifecycle.StepFirstChaser) != lifecycle.Off {
		return act(lifecycle.StepFirstChaser, first)
	}
	chased := f.sentAt(lifecycle.StepFirstChaser)
	if !chased.IsZero() && !f.has(lifecycle.StepFinalChaser) && mode(lifecycle.StepFinalChaser) != lifecycle.Off {
		on, _ := s.Cal.AddWorkingDays(law, s.Cal.Date(chased), s.Policy.FinalChaserAfter)
		if on.Before(first) {
			// The first chaser went before an extension was announced: the
			// final one waits until the extended due date has passed too.
			on = first
		}
		return act(lifecycle.StepFinalChaser, on)
	}
	// The review on silence comes ReviewOnSilenceAfter working days after
	// day 0 for a request answered in the usual 20 (FOIA s.10(1)); an
	// extension moves it by as much as it moved the due date.
	silence, _ := s.Cal.AddWorkingDays(law, d.Due, max(0, s.Policy.ReviewOnSilenceAfter-20))
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

// StillDue is the Guard's question about a scheduled letter it planned
// earlier, asked again with today's facts just before it goes: is its step
// still the request's next one, and from when? Facts must not count the
// letter itself. A step whose moment has moved on (an extension came
// meanwhile) is due later; one that is no longer called for (an answer, a
// bounce, a withdrawal, a stopped clock) is not due, with the reason.
func (s *Scheduler) StillDue(f Facts, step lifecycle.Step, now time.Time) (ok bool, why string, later time.Time) {
	if !lifecycle.MayGo(step, f.Request.State) {
		return false, fmt.Sprintf("the request is now %s", f.Request.State), time.Time{}
	}
	in := f.Input()
	if step.Chaser() || step == lifecycle.StepReviewSilence {
		if in.Responded != nil {
			return false, "the authority has answered", time.Time{}
		}
		if d := deadline.Compute(s.Cal, in); d.Stopped {
			return false, "the clock is stopped (a fee or a clarification is awaited)", time.Time{}
		}
	}
	a, ok := s.Next(f)
	if !ok || a.Step != step {
		return false, "no longer the next step for this request", time.Time{}
	}
	if a.On.After(now) {
		return false, "", a.On
	}
	return true, "", time.Time{}
}
