package schedule

import (
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
