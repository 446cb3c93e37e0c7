package schedule

import (
	"testing"
	"time"

	"foi/lifecycle"
	"foi/store"
)

// facts builds a request's facts by hand: sent at delivered, with replies
// (kind at time) and letters sent (step at time).
type reply struct {
	kind lifecycle.Kind
	at   time.Time
}

type sent struct {
	step lifecycle.Step
	at   time.Time
}

func handFacts(state lifecycle.State, delivered time.Time, replies []reply, letters []sent) Facts {
	f := Facts{
		Request:  store.Request{Ref: "LXP7-001", State: state, Law: "foia", SentAt: delivered, UpdatedAt: delivered},
		Campaign: store.Campaign{Slug: "LXP7"},
	}
	for _, r := range replies {
		f.Thread = append(f.Thread, store.Message{Direction: "in", Kind: r.kind, CreatedAt: r.at, Date: r.at})
	}
	for _, l := range letters {
		f.Outbox = append(f.Outbox, store.OutboxItem{Step: l.step, Kind: l.step.Kind(), State: lifecycle.OutboxSent, SentAt: l.at})
	}
	return f
}

func TestNext(t *testing.T) {
	s := testScheduler(t)
	loc := s.Policy.Loc
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }
	for _, tc := range []struct {
		name     string
		facts    Facts
		wantStep lifecycle.Step // "" with wantNone
		wantOn   time.Time
		wantNone bool
	}{
		{
			// Delivered Mon 2 Mar 2026: due Tue 31 Mar; late from Wed 1 Apr.
			name:     "first chaser the working day after the due date, when the window opens",
			facts:    handFacts(lifecycle.Sent, at(2026, 3, 2, 10, 0), nil, nil),
			wantStep: lifecycle.StepFirstChaser, wantOn: at(2026, 4, 1, 9, 30),
		},
		{
			// Delivered Tue 1 Dec 2026: due Thu 31 Dec 2026 (St Andrew's Day
			// observed Mon 30 Nov is before day 1; Christmas and Boxing Day
			// observed Mon 28 Dec skipped). Late from Fri 1 Jan 2027, a bank
			// holiday: the chaser may only go on Mon 4 Jan... and 4 Jan is
			// the 2 January substitute in Scotland, a holiday for FOIA
			// (s.10(6)), so Tue 5 Jan.
			name:     "finding 4: never a chaser dated on a bank holiday",
			facts:    handFacts(lifecycle.Sent, at(2026, 12, 1, 10, 0), nil, nil),
			wantStep: lifecycle.StepFirstChaser, wantOn: at(2027, 1, 5, 9, 30),
		},
		{
			// First chaser on 1 Apr, then the authority extends (s.10(3)):
			// due moves to the 40th working day, Thu 30 Apr 2026 (Good Friday
			// 3 Apr and Easter Monday 6 Apr skipped). The final chaser would
			// be 10 working days after the first (16 Apr), inside the
			// extension: it waits until the extended due date has passed.
			name: "finding 3: no final chaser while an extension runs",
			facts: handFacts(lifecycle.Extended, at(2026, 3, 2, 10, 0),
				[]reply{{lifecycle.KindExtension, at(2026, 4, 2, 9, 0)}},
				[]sent{{lifecycle.StepLetter, at(2026, 3, 2, 10, 0)}, {lifecycle.StepFirstChaser, at(2026, 4, 1, 9, 30)}}),
			wantStep: lifecycle.StepFinalChaser, wantOn: at(2026, 5, 1, 9, 30),
		},
		{
			name: "no first chaser during an extension",
			facts: handFacts(lifecycle.Extended, at(2026, 3, 2, 10, 0),
				[]reply{{lifecycle.KindExtension, at(2026, 3, 20, 9, 0)}}, nil),
			wantStep: lifecycle.StepFirstChaser, wantOn: at(2026, 5, 1, 9, 30),
		},
		{
			// Review on silence when 20 working days have passed since the
			// due date in force: after the extended due of Thu 30 Apr, the
			// 20th is Mon 1 Jun 2026 (the 4 and 25 May bank holidays
			// skipped), so it goes on Tue 2 Jun.
			name: "the review on silence measures from the extended due date",
			facts: handFacts(lifecycle.Extended, at(2026, 3, 2, 10, 0),
				[]reply{{lifecycle.KindExtension, at(2026, 3, 20, 9, 0)}},
				[]sent{{lifecycle.StepFirstChaser, at(2026, 5, 1, 9, 30)}, {lifecycle.StepFinalChaser, at(2026, 5, 15, 9, 30)}}),
			wantStep: lifecycle.StepReviewSilence, wantOn: at(2026, 6, 2, 9, 30),
		},
		{
			name:     "nothing chases while a clarification is awaited",
			facts:    handFacts(lifecycle.AwaitingClarification, at(2026, 3, 2, 10, 0), []reply{{lifecycle.KindClarification, at(2026, 3, 5, 9, 0)}}, nil),
			wantNone: true,
		},
		{
			name:     "nothing chases an answered request",
			facts:    handFacts(lifecycle.Responded, at(2026, 3, 2, 10, 0), []reply{{lifecycle.KindSubstantive, at(2026, 3, 5, 9, 0)}}, nil),
			wantNone: true,
		},
		{
			name:     "nothing for a bounced request",
			facts:    handFacts(lifecycle.DeliveryFailed, at(2026, 3, 2, 10, 0), nil, nil),
			wantNone: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Policy.Modes = lifecycle.Modes{lifecycle.StepFirstChaser: lifecycle.Auto, lifecycle.StepFinalChaser: lifecycle.Auto,
				lifecycle.StepReviewSilence: lifecycle.Auto, lifecycle.StepReviewRefusal: lifecycle.Drafted, lifecycle.StepComplaint: lifecycle.Drafted}
			got, ok := s.Next(tc.facts)
			switch {
			case tc.wantNone && ok:
				t.Errorf("Next = %s on %s, want nothing", got.Step, got.On.In(loc))
			case !tc.wantNone && !ok:
				t.Errorf("Next = nothing, want %s on %s", tc.wantStep, tc.wantOn)
			case !tc.wantNone && (got.Step != tc.wantStep || !got.On.Equal(tc.wantOn)):
				t.Errorf("Next = %s on %s, want %s on %s", got.Step, got.On.In(loc), tc.wantStep, tc.wantOn)
			}
		})
	}
}
