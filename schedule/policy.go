package schedule

import (
	"fmt"
	"foi/calendar"
	"foi/config"
	"foi/lifecycle"
	"foi/store"
	"time"
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
