package schedule

import (
	"math/rand/v2"
	"testing"
	"time"

	"foi/calendar"
	"foi/config"
)

func testScheduler(t *testing.T) *Scheduler {
	t.Helper()
	pol, err := PolicyFrom(config.Default().Schedule)
	if err != nil {
		t.Fatal(err)
	}
	return &Scheduler{Cal: calendar.New(), Policy: pol}
}

// TestNextSendTimeProperty: over many random moments, the time a letter
// may go is never before the moment asked, is on a working day of the law,
// inside the window, and is the moment itself when that is allowed.
func TestNextSendTimeProperty(t *testing.T) {
	s := testScheduler(t)
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC).Sub(start)
	for i := 0; i < 20000; i++ {
		t0 := start.Add(time.Duration(rng.Int64N(int64(span))))
		law := calendar.Laws()[rng.IntN(4)]
		got := s.NextSendTime(law, t0)
		local := got.In(s.Policy.Loc)
		mins := local.Hour()*60 + local.Minute()
		day := s.Cal.Date(got)
		switch {
		case got.Before(t0):
			t.Fatalf("NextSendTime(%s, %s) = %s, before the moment asked", law, t0, got)
		case local.Weekday() == time.Saturday || local.Weekday() == time.Sunday:
			t.Fatalf("NextSendTime(%s, %s) = %s, a weekend", law, t0, got)
		case !s.Cal.IsWorkingDay(law, day):
			t.Fatalf("NextSendTime(%s, %s) = %s, a bank holiday", law, t0, got)
		case law == calendar.FOIA && !s.Cal.IsWorkingDay(calendar.FOISA, day):
			t.Fatalf("NextSendTime(foia, %s) = %s, a Scottish bank holiday (FOIA s.10(6) skips every UK one)", t0, got)
		case mins < s.Policy.WindowStart || mins >= s.Policy.WindowEnd:
			t.Fatalf("NextSendTime(%s, %s) = %s, outside 09:30-16:30", law, t0, got)
		case s.InWindow(law, t0) && !got.Equal(t0):
			t.Fatalf("NextSendTime(%s, %s) = %s, but the moment itself was allowed", law, t0, got)
		}
	}
}

func TestNextSendTimeExamples(t *testing.T) {
	s := testScheduler(t)
	loc := s.Policy.Loc
	for _, tc := range []struct {
		law      calendar.Law
		in, want time.Time
	}{
		// Good Friday 2026 is 3 April, Easter Monday 6 April.
		{calendar.FOIA, time.Date(2026, 4, 2, 17, 0, 0, 0, loc), time.Date(2026, 4, 7, 9, 30, 0, 0, loc)},
		// St Andrew's Day (Mon 30 Nov 2026) is a holiday for foia as well as foisa.
		{calendar.FOIA, time.Date(2026, 11, 27, 16, 45, 0, 0, loc), time.Date(2026, 12, 1, 9, 30, 0, 0, loc)},
		// Easter Monday is not a Scottish bank holiday.
		{calendar.FOISA, time.Date(2026, 4, 6, 8, 0, 0, 0, loc), time.Date(2026, 4, 6, 9, 30, 0, 0, loc)},
		{calendar.FOIA, time.Date(2026, 3, 2, 11, 0, 0, 0, loc), time.Date(2026, 3, 2, 11, 0, 0, 0, loc)},
	} {
		if got := s.NextSendTime(tc.law, tc.in); !got.Equal(tc.want) {
			t.Errorf("NextSendTime(%s, %s) = %s, want %s", tc.law, tc.in, got.In(loc), tc.want)
		}
	}
}
