package calendar

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// day parses a YYYY-MM-DD date for tests.
func day(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// How each expected date below was checked.
const (
	specExample  = "SPEC example (section 6), counted by hand"
	briefExample = "example from the brief, counted by hand against the gov.uk list"
	byHand       = "counted by hand against the gov.uk list"
	byScript     = "independent count: throwaway Python over the embedded gov.uk JSON, dateutil Easter"
	byHandRules  = "projected year: counted by hand from the standing rules, Easter from dateutil"
)

// Delivered date + 20 (or 40, 60) working days, the way every response clock
// is counted: the delivery date is day 0 whatever day it is, day 1 is the next
// working day.
func TestAddWorkingDaysDeadlines(t *testing.T) {
	t.Parallel()
	cal := New()
	tests := []struct {
		law       Law
		from      string
		n         int
		want      string
		projected bool
		checked   string
		why       string
	}{
		{FOIA, "2026-03-02", 20, "2026-03-31", false, specExample, "skips St Patrick's Day (NI) 17 Mar; Good Friday 3 Apr is after"},
		{FOISA, "2026-03-02", 20, "2026-03-30", false, specExample, "St Patrick's Day is no Scottish holiday"},
		{FOIA, "2026-03-07", 20, "2026-04-08", false, specExample, "Saturday delivery; skips 17 Mar, Good Friday, Easter Monday"},
		{FOIA, "2025-11-17", 20, "2025-12-16", false, specExample, "skips St Andrew's substitute Mon 1 Dec"},
		{FOIA, "2025-12-10", 20, "2026-01-13", false, briefExample, "Christmas, Boxing Day, 1 and 2 January"},
		{FOIA, "2026-03-02", 40, "2026-04-30", false, briefExample, "extension/very overdue length"},
		{FOISA, "2025-11-17", 20, "2025-12-16", false, byScript, "St Andrew's substitute is Scottish too"},
		{EIR, "2025-12-10", 20, "2026-01-13", false, byScript, "eir counts like foia"},
		{EISR, "2025-12-10", 20, "2026-01-13", false, byScript, "2 January is Scottish"},
		{FOIA, "2019-04-10", 20, "2019-05-13", false, byScript, "Good Friday, Easter Monday, early May"},
		{FOISA, "2019-04-10", 20, "2019-05-10", false, byScript, "no Easter Monday in Scotland"},
		{FOIA, "2019-07-01", 20, "2019-07-30", false, byHand, "skips the Boyne, Fri 12 Jul"},
		{FOISA, "2019-07-01", 20, "2019-07-29", false, byHand, "the Boyne is NI only"},
		{FOIA, "2019-12-02", 20, "2020-01-03", false, byHand, "delivered on St Andrew's substitute (day 0 all the same)"},
		{EIR, "2019-12-20", 40, "2020-02-20", false, byScript, "eir extension across New Year"},
		{FOIA, "2020-04-20", 20, "2020-05-19", false, byHand, "VE Day Fri 8 May, Mon 4 May a working day"},
		{FOISA, "2020-04-20", 20, "2020-05-19", false, byScript, "VE Day was UK-wide"},
		{FOIA, "2020-12-12", 20, "2021-01-14", false, byScript, "Saturday delivery; Boxing Day substitute Mon 28 Dec; 2 Jan substitute Mon 4 Jan"},
		{EISR, "2020-07-06", 20, "2020-08-04", false, byScript, "Scottish summer holiday Mon 3 Aug"},
		{FOIA, "2021-03-01", 20, "2021-03-30", false, byScript, "St Patrick's Day Wed 17 Mar"},
		{EIR, "2021-03-01", 20, "2021-03-30", false, byScript, "eir counts like foia"},
		{FOISA, "2021-12-13", 20, "2022-01-14", false, byScript, "Christmas and Boxing Day at the weekend: Mon 27, Tue 28; New Year Mon 3, Tue 4"},
		{FOIA, "2021-12-13", 20, "2022-01-14", false, byScript, "same days as foisa over this New Year"},
		{FOIA, "2022-05-16", 20, "2022-06-15", false, byHand, "spring holiday moved to Thu 2 June, Jubilee Fri 3 June; Mon 30 May a working day"},
		{FOISA, "2022-05-16", 20, "2022-06-15", false, byScript, "the Jubilee days were UK-wide"},
		{FOIA, "2022-08-30", 20, "2022-09-28", false, byScript, "State Funeral Mon 19 Sep"},
		{FOISA, "2022-08-30", 40, "2022-10-26", false, byHand, "State Funeral Mon 19 Sep"},
		{FOIA, "2022-12-24", 20, "2023-01-26", false, byHand, "Saturday delivery; Boxing Mon 26, Christmas substitute Tue 27; New Year Mon 2, 2 January Tue 3"},
		{FOISA, "2022-12-24", 20, "2023-01-26", false, byScript, "same days for Scotland"},
		{FOIA, "2023-04-21", 20, "2023-05-23", false, byHand, "early May Mon 1 and Coronation Mon 8 May"},
		{EISR, "2023-04-21", 20, "2023-05-23", false, byScript, "both May days were Scottish too"},
		{FOIA, "2023-07-03", 40, "2023-08-31", false, byScript, "skips the Boyne and the Scottish and English summer holidays"},
		{FOISA, "2023-07-03", 40, "2023-08-29", false, byScript, "Scottish summer holiday only"},
		{FOIA, "2023-11-20", 20, "2023-12-19", false, byScript, "St Andrew's Day Thu 30 Nov"},
		{FOISA, "2023-11-20", 20, "2023-12-19", false, byScript, "St Andrew's Day Thu 30 Nov"},
		{FOIA, "2024-03-11", 20, "2024-04-11", false, byHand, "St Patrick's substitute Mon 18 Mar, Good Friday 29 Mar, Easter Monday 1 Apr"},
		{FOISA, "2024-03-11", 20, "2024-04-09", false, byHand, "Good Friday only"},
		{EIR, "2024-07-01", 20, "2024-07-30", false, byScript, "the Boyne Fri 12 Jul"},
		{FOIA, "2024-11-29", 20, "2025-01-03", false, byHand, "St Andrew's substitute Mon 2 Dec; Christmas; 1 and 2 January"},
		{EISR, "2024-11-29", 20, "2025-01-03", false, byScript, "every holiday on the way is Scottish"},
		{FOIA, "2025-03-14", 20, "2025-04-14", false, byScript, "St Patrick's Day Mon 17 Mar"},
		{FOISA, "2025-03-14", 20, "2025-04-11", false, byScript, "St Patrick's Day is no Scottish holiday"},
		{FOIA, "2025-07-04", 20, "2025-08-05", false, byScript, "the Boyne substitute Mon 14 Jul, Scottish summer Mon 4 Aug"},
		{EIR, "2025-07-05", 20, "2025-08-05", false, byScript, "Saturday delivery"},
		{FOISA, "2025-07-21", 20, "2025-08-19", false, byScript, "Scottish summer holiday Mon 4 Aug"},
		{FOIA, "2025-07-21", 20, "2025-08-19", false, byScript, "foia skips the Scottish summer holiday too"},
		{FOIA, "2024-12-20", 60, "2025-03-21", false, byScript, "60 days (school very-overdue length)"},
		{FOISA, "2026-01-03", 20, "2026-01-30", false, byScript, "Saturday delivery after New Year"},
		{FOIA, "2026-12-01", 40, "2027-02-01", false, byScript, "Boxing Day substitute Mon 28 Dec; 2 January substitute Mon 4 Jan"},
		{FOISA, "2026-12-01", 40, "2027-02-01", false, byScript, "same days for Scotland"},
		{FOIA, "2027-03-15", 20, "2027-04-15", false, byScript, "St Patrick's Day Wed 17 Mar, Easter 26–29 Mar"},
		{EISR, "2027-03-15", 20, "2027-04-13", false, byScript, "Good Friday only"},
		{FOIA, "2027-07-02", 20, "2027-08-03", false, byHand, "the Boyne Mon 12 Jul, Scottish summer Mon 2 Aug"},
		{FOISA, "2027-07-02", 20, "2027-07-30", false, byHand, "no Scottish holiday in July"},
		{FOIA, "2027-11-26", 20, "2027-12-29", false, byScript, "Christmas and Boxing Day at the weekend: Mon 27, Tue 28"},
		{EIR, "2027-11-26", 20, "2027-12-29", false, byScript, "eir counts like foia"},
		{FOIA, "2027-12-13", 20, "2028-01-14", true, byHandRules, "into 2028: 1 January a Saturday, so Mon 3 and (Scotland) Tue 4 Jan"},
		{FOIA, "2028-03-13", 20, "2028-04-11", true, byHandRules, "St Patrick's Day Fri 17 Mar, Good Friday 14 Apr, Easter Monday 17 Apr"},
		{FOISA, "2028-03-13", 20, "2028-04-10", true, byHandRules, "Good Friday is after day 20"},
	}
	for _, tt := range tests {
		from := day(t, tt.from)
		got, projected := cal.AddWorkingDays(tt.law, from, tt.n)
		if got != day(t, tt.want) || projected != tt.projected {
			t.Errorf("AddWorkingDays(%s, %s %s, %d) = %s %s, projected %v; want %s, projected %v (%s; checked: %s)",
				tt.law, from.Weekday(), from, tt.n, got.Weekday(), got, projected, tt.want, tt.projected, tt.why, tt.checked)
		}
		if n := cal.WorkingDaysBetween(tt.law, from, got); n != tt.n {
			t.Errorf("WorkingDaysBetween(%s, %s, %s) = %d, want %d", tt.law, from, got, n, tt.n)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	t.Parallel()
	cal := New()
	tests := []struct {
		law  Law
		date string
		want bool
		why  string
	}{
		{FOIA, "2026-03-17", false, "St Patrick's Day: a bank holiday in Northern Ireland"},
		{FOISA, "2026-03-17", true, "not a Scottish bank holiday"},
		{FOIA, "2025-12-01", false, "St Andrew's Day substitute: a bank holiday in Scotland"},
		{EIR, "2026-01-02", false, "2 January: Scotland"},
		{EISR, "2026-01-02", false, "2 January: Scotland"},
		{FOISA, "2026-04-06", true, "Easter Monday is no Scottish bank holiday"},
		{FOIA, "2026-04-06", false, "Easter Monday"},
		{FOISA, "2026-04-03", false, "Good Friday"},
		{FOISA, "2026-08-31", true, "English summer holiday"},
		{FOIA, "2026-08-03", false, "Scottish summer holiday"},
		{FOIA, "2026-03-07", false, "Saturday"},
		{FOIA, "2026-03-08", false, "Sunday"},
		{FOIA, "2026-03-09", true, "ordinary Monday"},
		{FOISA, "2026-12-28", false, "Boxing Day substitute"},
		{FOIA, "2031-12-25", false, "Christmas Day, projected year"},
		{FOISA, "2031-04-11", false, "Good Friday 2031 (Easter 13 April), projected year"},
		{FOIA, "2031-07-14", false, "the Boyne substitute: 12 July 2031 is a Saturday"},
		{FOISA, "2031-07-14", true, "the Boyne is NI only"},
	}
	for _, tt := range tests {
		if got := cal.IsWorkingDay(tt.law, day(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkingDay(%s, %s) = %v, want %v (%s)", tt.law, tt.date, got, tt.want, tt.why)
		}
	}
}

func TestNextWorkingDay(t *testing.T) {
	t.Parallel()
	cal := New()
	tests := []struct {
		law        Law
		date, want string
	}{
		{FOIA, "2026-03-31", "2026-04-01"},
		{FOIA, "2026-04-02", "2026-04-07"}, // Good Friday, weekend, Easter Monday
		{FOISA, "2026-04-02", "2026-04-06"},
		{FOIA, "2026-03-06", "2026-03-09"},
		{FOIA, "2026-03-07", "2026-03-09"},
	}
	for _, tt := range tests {
		if got := cal.NextWorkingDay(tt.law, day(t, tt.date)); got != day(t, tt.want) {
			t.Errorf("NextWorkingDay(%s, %s) = %s, want %s", tt.law, tt.date, got, tt.want)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	t.Parallel()
	cal := New()
	tests := []struct {
		law  Law
		a, b string
		want int
	}{
		{FOIA, "2026-03-02", "2026-03-02", 0},
		{FOIA, "2026-03-06", "2026-03-09", 1},  // Friday to Monday
		{FOIA, "2026-03-07", "2026-03-08", 0},  // Saturday to Sunday
		{FOIA, "2026-03-09", "2026-03-06", -1}, // backwards
		{FOIA, "2026-03-02", "2026-03-31", 20},
		{FOISA, "2026-03-02", "2026-03-31", 21},
	}
	for _, tt := range tests {
		if got := cal.WorkingDaysBetween(tt.law, day(t, tt.a), day(t, tt.b)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s, %s) = %d, want %d", tt.law, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAddWorkingDaysBackwards(t *testing.T) {
	t.Parallel()
	cal := New()
	got, _ := cal.AddWorkingDays(FOIA, day(t, "2026-04-08"), -3)
	if want := day(t, "2026-04-01"); got != want {
		t.Errorf("AddWorkingDays(foia, 2026-04-08, -3) = %s, want %s", got, want)
	}
}

// Over many random dates and lengths, in official and projected years alike:
// the nth working day is a working day, it is exactly n working days on, and
// it moves forward when either the start or n does.
func TestAddWorkingDaysProperties(t *testing.T) {
	t.Parallel()
	cal := New()
	rng := rand.New(rand.NewPCG(2026, 3))
	first := day(t, "2015-01-01")
	for range 3000 {
		law := Laws()[rng.IntN(len(Laws()))]
		from := first.AddDays(rng.IntN(365 * 25))
		n := rng.IntN(70)
		got, _ := cal.AddWorkingDays(law, from, n)
		if n == 0 {
			if got != from {
				t.Fatalf("AddWorkingDays(%s, %s, 0) = %s, want %s", law, from, got, from)
			}
			continue
		}
		if wd := got.Weekday(); wd == time.Saturday || wd == time.Sunday || !cal.IsWorkingDay(law, got) {
			t.Fatalf("AddWorkingDays(%s, %s, %d) = %s %s, not a working day", law, from, n, wd, got)
		}
		for _, h := range cal.Holidays(got.Year) {
			if h.Date == got && hasAny(h.Nations, law.Nations()) {
				t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, which is %s", law, from, n, got, h.Title)
			}
		}
		if between := cal.WorkingDaysBetween(law, from, got); between != n {
			t.Fatalf("WorkingDaysBetween(%s, %s, AddWorkingDays(.., %d) = %s) = %d, want %d", law, from, n, got, between, n)
		}
		if next, _ := cal.AddWorkingDays(law, from, n+1); !next.After(got) {
			t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, not after AddWorkingDays(.., %d) = %s", law, from, n+1, next, n, got)
		}
		if later, _ := cal.AddWorkingDays(law, from.AddDays(1), n); later.Before(got) {
			t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, before AddWorkingDays(%s, ..) = %s", law, from.AddDays(1), n, later, from, got)
		}
		if cal.IsWorkingDay(law, from) {
			if back, _ := cal.AddWorkingDays(law, got, -n); back != from {
				t.Fatalf("AddWorkingDays(%s, %s, %d) = %s, want %s", law, got, -n, back, from)
			}
		}
	}
}

func hasAny(a, b []Nation) bool {
	for _, n := range a {
		for _, m := range b {
			if n == m {
				return true
			}
		}
	}
	return false
}

func TestProjected(t *testing.T) {
	t.Parallel()
	cal := New()
	tests := []struct {
		law      Law
		from, to string
		want     bool
	}{
		{FOIA, "2027-11-01", "2027-12-31", false},
		{FOIA, "2027-12-01", "2028-01-03", true},
		{FOIA, "2027-12-31", "2027-12-31", false},
		{FOIA, "2018-12-31", "2019-01-31", false}, // (from, to] starts in 2019
		{FOIA, "2018-12-30", "2019-01-31", true},
		{FOISA, "2030-01-01", "2030-02-01", true},
	}
	for _, tt := range tests {
		if got := cal.Projected(tt.law, day(t, tt.from), day(t, tt.to)); got != tt.want {
			t.Errorf("Projected(%s, %s, %s) = %v, want %v", tt.law, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestHolidays(t *testing.T) {
	t.Parallel()
	cal := New()
	got := cal.Holidays(2026)
	var lines []string
	for _, h := range got {
		line := h.Date.String() + " " + h.Title
		if h.Notes != "" {
			line += " (" + h.Notes + ")"
		}
		var ns []string
		for _, n := range h.Nations {
			ns = append(ns, string(n))
		}
		line += " [" + strings.Join(ns, " ") + "]"
		if h.Projected {
			line += " projected"
		}
		lines = append(lines, line)
	}
	want := []string{
		"2026-01-01 New Year’s Day [england-and-wales scotland northern-ireland]",
		"2026-01-02 2nd January [scotland]",
		"2026-03-17 St Patrick’s Day [northern-ireland]",
		"2026-04-03 Good Friday [england-and-wales scotland northern-ireland]",
		"2026-04-06 Easter Monday [england-and-wales northern-ireland]",
		"2026-05-04 Early May bank holiday [england-and-wales scotland northern-ireland]",
		"2026-05-25 Spring bank holiday [england-and-wales scotland northern-ireland]",
		"2026-07-13 Battle of the Boyne (Orangemen’s Day) (Substitute day) [northern-ireland]",
		"2026-08-03 Summer bank holiday [scotland]",
		"2026-08-31 Summer bank holiday [england-and-wales northern-ireland]",
		"2026-11-30 St Andrew’s Day [scotland]",
		"2026-12-25 Christmas Day [england-and-wales scotland northern-ireland]",
		"2026-12-28 Boxing Day (Substitute day) [england-and-wales scotland northern-ireland]",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Holidays(2026) =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	for _, h := range cal.Holidays(2030) {
		if !h.Projected {
			t.Errorf("Holidays(2030): %s %s not marked projected", h.Date, h.Title)
		}
	}
}

func TestDateOfInstant(t *testing.T) {
	t.Parallel()
	cal := New()
	tests := []struct {
		instant string
		want    string
	}{
		{"2026-03-28T23:30:00Z", "2026-03-28"}, // GMT: London is UTC
		{"2026-03-29T23:30:00Z", "2026-03-30"}, // BST: 00:30 next day in London
		{"2026-10-25T23:30:00Z", "2026-10-25"}, // back to GMT
		{"2026-07-01T08:00:00+09:00", "2026-07-01"},
	}
	for _, tt := range tests {
		in, err := time.Parse(time.RFC3339, tt.instant)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.Date(in); got != day(t, tt.want) {
			t.Errorf("Date(%s) = %s, want %s", tt.instant, got, tt.want)
		}
	}
}

func TestParseLaw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Law
		wantErr string
	}{
		{"foia", FOIA, ""},
		{" FOISA ", FOISA, ""},
		{"eir", EIR, ""},
		{"eisr", EISR, ""},
		{"fois", "", `calendar: unknown law "fois" (valid: foia, eir, foisa, eisr)`},
		{"", "", `calendar: unknown law "" (valid: foia, eir, foisa, eisr)`},
	}
	for _, tt := range tests {
		got, err := ParseLaw(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("ParseLaw(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestLawNations(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		law  Law
		want string
	}{
		{FOIA, "england-and-wales scotland northern-ireland"},
		{EIR, "england-and-wales scotland northern-ireland"},
		{FOISA, "scotland"},
		{EISR, "scotland"},
		{"", "england-and-wales scotland northern-ireland"},
	} {
		var got []string
		for _, n := range tt.law.Nations() {
			got = append(got, string(n))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("Law(%q).Nations() = %v, want %s", tt.law, got, tt.want)
		}
	}
}
