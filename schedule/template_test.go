package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"

	"foi/calendar"
	"foi/lifecycle"
	"foi/templates"
)

// TestEveryStepHasItsLawsLetter: for a request under each law, the letter
// template() names for each scheduled step is written (none refuses the
// law), the reviews and the complaint cite the request's own law, and no
// date that is not recorded is printed: a refusal marked by hand (foi mark)
// has no response date, a request still waiting has no review.
func TestEveryStepHasItsLawsLetter(t *testing.T) {
	s := testScheduler(t)
	s.Letters = templates.New("")
	delivered := time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)
	now := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		law   calendar.Law
		title string // the law as the reviews and the complaint cite it
	}{
		{calendar.FOIA, "Freedom of Information Act 2000"},
		{calendar.EIR, "Environmental Information Regulations 2004"},
		{calendar.FOISA, "Freedom of Information (Scotland) Act 2002"},
		{calendar.EISR, "Environmental Information (Scotland) Regulations 2004"},
	} {
		for _, step := range lifecycle.ScheduledSteps {
			state := lifecycle.Sent
			if step == lifecycle.StepReviewRefusal {
				state = lifecycle.Refused
			}
			f := handFacts(state, delivered, nil, []sent{{lifecycle.StepFirstChaser, delivered.AddDate(0, 1, 0)}})
			f.Request.Law = string(tc.law)
			name := template(step, tc.law)
			l, err := s.Letter(f, name, "", now)
			if err != nil {
				t.Errorf("%s for a %s request (letter %s): %v", step, tc.law, name, err)
				continue
			}
			flat := strings.Join(strings.Fields(l.Body), " ")
			if (step.Review() || step == lifecycle.StepComplaint) && !strings.Contains(flat, tc.title) {
				t.Errorf("%s for a %s request (letter %s) does not cite the %s:\n%s", step, tc.law, name, tc.title, l.Body)
			}
			if strings.Contains(l.Body, "0001") || strings.Contains(l.Body, "<no value>") {
				t.Errorf("%s for a %s request (letter %s) prints a date that is not set:\n%s", step, tc.law, name, l.Body)
			}
		}
	}
}

// TestReplyWithNothingRecorded: `foi reply REF --template NAME` writes any
// letter for any request (s.Letter); for a request under each law with no
// response, chaser or review recorded, or not even sent, no letter prints a
// date that is not set. A letter written for other laws refuses with
// templates.ErrWrongLaw instead.
func TestReplyWithNothingRecorded(t *testing.T) {
	s := testScheduler(t)
	s.Letters = templates.New("")
	names, err := s.Letters.Names()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	for _, law := range calendar.Laws() {
		for _, f := range []Facts{
			handFacts(lifecycle.Sent, time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC), nil, nil),
			handFacts(lifecycle.Draft, time.Time{}, nil, nil),
		} {
			f.Request.Law = string(law)
			for _, name := range names {
				l, err := s.Letter(f, name, "", now)
				if errors.Is(err, templates.ErrWrongLaw) {
					continue
				}
				if err != nil {
					t.Errorf("reply --template %s to a %s request (%s): %v", name, law, f.Request.State, err)
					continue
				}
				if strings.Contains(l.Body, "0001") || strings.Contains(l.Body, "<no value>") {
					t.Errorf("reply --template %s to a %s request (%s) prints a date that is not set:\n%s", name, law, f.Request.State, l.Body)
				}
			}
		}
	}
}
