package deadline

import (
	"encoding/json"
	"testing"
	"time"

	"foi/calendar"
)

// at parses an RFC 3339 instant for tests.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ptr(t time.Time) *time.Time { return &t }

// date parses a YYYY-MM-DD date for tests; "" is the zero Date.
func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// want is a Result written as strings, for readable tables.
type want struct {
	start, due, veryOverdue                       string
	stopped                                       bool
	reviewRequestBy, reviewDue, reviewVeryOverdue string
	sicAppealBy, icoWarnFrom, icoComplainBy       string
	projected                                     bool
}

func (w want) result(t *testing.T) Result {
	return Result{
		Start: date(t, w.start), Due: date(t, w.due), VeryOverdue: date(t, w.veryOverdue), Stopped: w.stopped,
		ReviewRequestBy: date(t, w.reviewRequestBy), ReviewDue: date(t, w.reviewDue), ReviewVeryOverdue: date(t, w.reviewVeryOverdue),
		SICAppealBy: date(t, w.sicAppealBy), ICOWarnFrom: date(t, w.icoWarnFrom), ICOComplainBy: date(t, w.icoComplainBy),
		Projected: w.projected,
	}
}

func TestCompute(t *testing.T) {
	t.Parallel()
	cal := calendar.New()
	mon2Mar := at(t, "2026-03-02T10:00:00Z") // Monday 2 March 2026, GMT
	tests := []struct {
		name string
		in   func(t *testing.T) Input
		want want
	}{
		{
			"foia: due on the 20th working day, very overdue on the 40th (SPEC example)",
			func(t *testing.T) Input { return Input{Law: calendar.FOIA, Delivered: mon2Mar} },
			want{start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-04-30"},
		},
		{
			"foisa: St Patrick's Day is a working day (SPEC example); no response yet, so review within 40 days of the due date",
			func(t *testing.T) Input { return Input{Law: calendar.FOISA, Delivered: mon2Mar} },
			want{start: "2026-03-02", due: "2026-03-30", veryOverdue: "2026-04-28", reviewRequestBy: "2026-05-28"},
		},
		{
			"delivered on a Saturday: day 0 is the Saturday (SPEC example)",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: at(t, "2026-03-07T18:00:00Z")}
			},
			want{start: "2026-03-07", due: "2026-04-08", veryOverdue: "2026-05-07"},
		},
		{
			"delivered 23:30 UTC in summer: that is the next day in London",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: at(t, "2026-06-30T23:30:00Z")}
			},
			want{start: "2026-07-01", due: "2026-07-30", veryOverdue: "2026-08-28"},
		},
		{
			"clarification sent: the clock restarts from its date",
			func(t *testing.T) Input {
				return Input{
					Law: calendar.FOIA, Delivered: mon2Mar,
					ClarificationRequested: ptr(at(t, "2026-03-05T09:00:00Z")),
					Clarifications:         []time.Time{at(t, "2026-03-10T14:00:00Z")},
				}
			},
			want{start: "2026-03-10", due: "2026-04-10", veryOverdue: "2026-05-11"},
		},
		{
			"two clarifications, listed out of order: the latest wins",
			func(t *testing.T) Input {
				return Input{
					Law: calendar.FOIA, Delivered: mon2Mar,
					ClarificationRequested: ptr(at(t, "2026-03-16T09:00:00Z")),
					Clarifications:         []time.Time{at(t, "2026-03-20T11:00:00Z"), at(t, "2026-03-10T14:00:00Z")},
				}
			},
			want{start: "2026-03-20", due: "2026-04-21", veryOverdue: "2026-05-20"},
		},
		{
			"clarification asked for and not yet sent: stopped",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: mon2Mar, ClarificationRequested: ptr(at(t, "2026-03-05T09:00:00Z"))}
			},
			want{start: "2026-03-02", stopped: true},
		},
		{
			"asked again after our clarification: stopped again",
			func(t *testing.T) Input {
				return Input{
					Law: calendar.FOIA, Delivered: mon2Mar,
					Clarifications:         []time.Time{at(t, "2026-03-10T14:00:00Z")},
					ClarificationRequested: ptr(at(t, "2026-03-12T09:00:00Z")),
				}
			},
			want{start: "2026-03-10", stopped: true},
		},
		{
			"fee notice Mon 9 Mar paid Fri 13 Mar: those 5 working days do not count",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: mon2Mar, FeeNotices: []FeePeriod{
					{Notice: at(t, "2026-03-09T12:00:00Z"), Paid: ptr(at(t, "2026-03-13T16:00:00Z"))},
				}}
			},
			// 4 days counted (3–6 Mar), 9–13 Mar disregarded, 16 more from the
			// 16th: 31 Mar + 5 working days.
			want{start: "2026-03-02", due: "2026-04-09", veryOverdue: "2026-05-08"},
		},
		{
			"fee period after the due date: moves only the very-overdue mark",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: mon2Mar, FeeNotices: []FeePeriod{
					{Notice: at(t, "2026-04-02T12:00:00+01:00"), Paid: ptr(at(t, "2026-04-10T09:00:00+01:00"))},
				}}
			},
			// 2–10 Apr holds 5 working days (Good Friday and Easter Monday
			// are not): 30 Apr + 5 working days, skipping early May.
			want{start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-05-08"},
		},
		{
			"fee period over a weekend only: no working days, no change",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: mon2Mar, FeeNotices: []FeePeriod{
					{Notice: at(t, "2026-03-07T12:00:00Z"), Paid: ptr(at(t, "2026-03-08T09:00:00Z"))},
				}}
			},
			want{start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-04-30"},
		},
		{
			"not delivered yet: no dates",
			func(t *testing.T) Input { return Input{Law: calendar.FOIA, Extended: true} },
			want{},
		},
		{
			"fee notice unpaid: stopped",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: mon2Mar, FeeNotices: []FeePeriod{{Notice: at(t, "2026-03-09T12:00:00Z")}}}
			},
			want{start: "2026-03-02", stopped: true},
		},
		{
			"foia public-interest extension: 40 working days, very overdue the same day",
			func(t *testing.T) Input { return Input{Law: calendar.FOIA, Delivered: mon2Mar, Extended: true} },
			want{start: "2026-03-02", due: "2026-04-30", veryOverdue: "2026-04-30"},
		},
		{
			"foisa has no extension: Extended changes nothing",
			func(t *testing.T) Input { return Input{Law: calendar.FOISA, Delivered: mon2Mar, Extended: true} },
			want{start: "2026-03-02", due: "2026-03-30", veryOverdue: "2026-04-28", reviewRequestBy: "2026-05-28"},
		},
		{
			"eir reg. 7(1) extension: 40 working days",
			func(t *testing.T) Input { return Input{Law: calendar.EIR, Delivered: mon2Mar, Extended: true} },
			want{start: "2026-03-02", due: "2026-04-30", veryOverdue: "2026-04-30"},
		},
		{
			"eisr reg. 7(1) extension: 40 working days, Scottish holidays",
			func(t *testing.T) Input { return Input{Law: calendar.EISR, Delivered: mon2Mar, Extended: true} },
			want{start: "2026-03-02", due: "2026-04-28", veryOverdue: "2026-04-28", reviewRequestBy: "2026-06-25"},
		},
		{
			"school: very overdue at 60 working days",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Tags: []string{"applied", "School"}, Delivered: mon2Mar}
			},
			want{start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-06-01"},
		},
		{
			"foia response: review to be asked for within 40 working days of it",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: mon2Mar, Responded: ptr(at(t, "2026-03-31T15:00:00+01:00"))}
			},
			want{start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-04-30", reviewRequestBy: "2026-06-01"},
		},
		{
			"foia review asked for Fri 1 May and not answered: due in 20 working days, very overdue at 40; the ICO's six weeks run from then",
			func(t *testing.T) Input {
				return Input{
					Law: calendar.FOIA, Delivered: mon2Mar,
					Responded:             ptr(at(t, "2026-03-31T15:00:00+01:00")),
					ReviewRequested:       ptr(at(t, "2026-05-01T09:00:00+01:00")),
					LastMeaningfulContact: ptr(at(t, "2026-05-01T09:00:00+01:00")),
				}
			},
			want{
				start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-04-30", reviewRequestBy: "2026-06-01",
				reviewDue: "2026-06-02", reviewVeryOverdue: "2026-06-30",
				icoWarnFrom: "2026-07-28", icoComplainBy: "2026-08-11",
			},
		},
		{
			"eir review: reg. 11(4) allows 40 working days",
			func(t *testing.T) Input {
				return Input{Law: calendar.EIR, Delivered: mon2Mar, ReviewRequested: ptr(at(t, "2026-05-01T09:00:00+01:00"))}
			},
			want{start: "2026-03-02", due: "2026-03-31", veryOverdue: "2026-04-30", reviewDue: "2026-06-30", reviewVeryOverdue: "2026-06-30"},
		},
		{
			"foisa review answered 31 Aug: SIC appeal by the last day of February",
			func(t *testing.T) Input {
				return Input{
					Law: calendar.FOISA, Delivered: mon2Mar,
					Responded:       ptr(at(t, "2026-03-30T12:00:00+01:00")),
					ReviewRequested: ptr(at(t, "2026-05-01T09:00:00+01:00")),
					ReviewAnswered:  ptr(at(t, "2026-08-31T10:00:00+01:00")),
					// The ICO does not hear Scottish complaints.
					LastMeaningfulContact: ptr(at(t, "2026-08-31T10:00:00+01:00")),
				}
			},
			want{
				start: "2026-03-02", due: "2026-03-30", veryOverdue: "2026-04-28", reviewRequestBy: "2026-05-28",
				reviewDue: "2026-06-02", reviewVeryOverdue: "2026-06-30", sicAppealBy: "2027-02-28",
			},
		},
		{
			"foisa review never answered: SIC appeal within 6 months of when it was due",
			func(t *testing.T) Input {
				return Input{
					Law: calendar.FOISA, Delivered: mon2Mar,
					ReviewRequested: ptr(at(t, "2026-05-01T09:00:00+01:00")),
				}
			},
			want{
				start: "2026-03-02", due: "2026-03-30", veryOverdue: "2026-04-28", reviewRequestBy: "2026-05-28",
				reviewDue: "2026-06-02", reviewVeryOverdue: "2026-06-30", sicAppealBy: "2026-12-02",
			},
		},
		{
			"counted into 2028: projected holidays",
			func(t *testing.T) Input {
				return Input{Law: calendar.FOIA, Delivered: at(t, "2027-12-13T10:00:00Z")}
			},
			// 20th: Fri 14 Jan 2028 (1 Jan a Saturday: Mon 3 and Tue 4 Jan off).
			want{start: "2027-12-13", due: "2028-01-14", veryOverdue: "2028-02-11", projected: true},
		},
	}
	for _, tt := range tests {
		got := Compute(cal, tt.in(t))
		if w := tt.want.result(t); got != w {
			g, _ := json.Marshal(got)
			wj, _ := json.Marshal(w)
			t.Errorf("%s:\nCompute = %s\nwant      %s", tt.name, g, wj)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	t.Parallel()
	cal := calendar.New()
	tests := []struct {
		law  calendar.Law
		due  string
		now  string
		want int
	}{
		{calendar.FOIA, "2026-03-31", "2026-03-31T16:00:00+01:00", 0},
		{calendar.FOIA, "2026-03-31", "2026-03-30T23:30:00Z", 0}, // 00:30 BST on the 31st
		{calendar.FOIA, "2026-03-31", "2026-03-30T09:00:00+01:00", 1},
		{calendar.FOIA, "2026-03-31", "2026-03-27T09:00:00Z", 2}, // Friday: Mon 30, Tue 31 left
		{calendar.FOIA, "2026-03-31", "2026-03-16T09:00:00Z", 10},
		{calendar.FOISA, "2026-03-31", "2026-03-16T09:00:00Z", 11}, // St Patrick's Day counts in Scotland
		{calendar.FOIA, "2026-03-31", "2026-04-01T09:00:00+01:00", -1},
		{calendar.FOIA, "2026-03-31", "2026-04-02T09:00:00+01:00", -2},
		{calendar.FOIA, "2026-03-31", "2026-04-06T09:00:00+01:00", -2}, // Good Friday and Easter Monday don't add
		{calendar.FOIA, "2026-03-31", "2026-04-07T09:00:00+01:00", -3},
		{calendar.FOIA, "2026-03-27", "2026-03-28T09:00:00Z", -1}, // due Friday: Saturday is already late
		{calendar.FOIA, "2026-03-27", "2026-03-30T09:00:00+01:00", -1},
		{calendar.FOIA, "", "2026-03-30T09:00:00+01:00", 0}, // no due date
	}
	for _, tt := range tests {
		if got := DaysLeft(cal, tt.law, date(t, tt.due), at(t, tt.now)); got != tt.want {
			t.Errorf("DaysLeft(%s, due %s, now %s) = %d, want %d", tt.law, tt.due, tt.now, got, tt.want)
		}
	}
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	tests := []struct{ from, want string }{
		{"2026-08-31", "2027-02-28"},
		{"2027-08-31", "2028-02-29"},
		{"2026-06-02", "2026-12-02"},
		{"2026-07-31", "2027-01-31"},
		{"2026-12-31", "2027-06-30"},
	}
	for _, tt := range tests {
		if got := addMonths(date(t, tt.from), 6); got != date(t, tt.want) {
			t.Errorf("addMonths(%s, 6) = %s, want %s", tt.from, got, tt.want)
		}
	}
}
