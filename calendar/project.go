package calendar

import (
	"slices"
	"time"
)

// Titles as gov.uk spells them, typographic apostrophe (U+2019) included, so
// that a projected year reads exactly like an official one.
const (
	titleNewYear    = "New Year\u2019s Day"
	titleJan2       = "2nd January"
	titleStPatrick  = "St Patrick\u2019s Day"
	titleGoodFriday = "Good Friday"
	titleEasterMon  = "Easter Monday"
	titleEarlyMay   = "Early May bank holiday"
	titleSpring     = "Spring bank holiday"
	titleBoyne      = "Battle of the Boyne (Orangemen\u2019s Day)"
	titleSummer     = "Summer bank holiday"
	titleStAndrew   = "St Andrew\u2019s Day"
	titleChristmas  = "Christmas Day"
	titleBoxing     = "Boxing Day"
	substituteDay   = "Substitute day"
)

// project returns nation n's bank holidays in year, worked out from the
// standing rules (the Banking and Financial Dealings Act 1971, Schedule 1,
// and the substitute days proclaimed each year). One-off holidays — a
// jubilee, a coronation, a state funeral, a moved early-May holiday — cannot
// be foreseen; that is why every projected day is marked Projected.
//
// A fixed-date holiday that falls at a weekend is replaced by the next
// weekday that is not already a holiday, noted "Substitute day".
func project(n Nation, year int) []Holiday {
	var hs []Holiday
	add := func(d Date, title string, substitute bool) {
		h := Holiday{Date: d, Title: title, Nations: []Nation{n}, Projected: true}
		if substitute {
			h.Notes = substituteDay
		}
		hs = append(hs, h)
	}

	for _, h := range newYear(n, year) {
		add(h.date, h.title, h.substitute)
	}
	if n == NorthernIreland {
		add(fixed(year, time.March, 17, titleStPatrick))
	}
	easter := easterSunday(year)
	add(easter.AddDays(-2), titleGoodFriday, false)
	if n != Scotland {
		add(easter.AddDays(1), titleEasterMon, false)
	}
	add(firstMonday(year, time.May), titleEarlyMay, false)
	add(lastMonday(year, time.May), titleSpring, false)
	if n == NorthernIreland {
		add(fixed(year, time.July, 12, titleBoyne))
	}
	if n == Scotland {
		add(firstMonday(year, time.August), titleSummer, false)
		add(fixed(year, time.November, 30, titleStAndrew))
	} else {
		add(lastMonday(year, time.August), titleSummer, false)
	}
	for _, h := range christmas(year) {
		add(h.date, h.title, h.substitute)
	}

	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

type observed struct {
	date       Date
	title      string
	substitute bool
}

// fixed returns a holiday kept on a fixed date, or on the Monday after it
// when that date is a Saturday or Sunday (St Patrick's Day, the Boyne, St
// Andrew's Day: none can then collide with another holiday).
func fixed(year int, month time.Month, day int, title string) (Date, string, bool) {
	d := NewDate(year, month, day)
	w := weekdayFrom(d)
	return w, title, w != d
}

// newYear returns 1 January, and in Scotland 2 January too, each moved to a
// weekday when it falls at a weekend. Scotland's pair takes the first two
// weekdays from 1 January, New Year's Day first: that is how gov.uk names
// them, e.g. in 2023 (1 January a Sunday) Monday 2nd is "New Year's Day,
// substitute day" and Tuesday 3rd "2nd January, substitute day".
func newYear(n Nation, year int) []observed {
	jan1, jan2 := NewDate(year, time.January, 1), NewDate(year, time.January, 2)
	nyd := weekdayFrom(jan1)
	out := []observed{{nyd, titleNewYear, nyd != jan1}}
	if n == Scotland {
		second := weekdayFrom(jan2)
		if !second.After(nyd) {
			second = weekdayFrom(nyd.AddDays(1))
		}
		out = append(out, observed{second, titleJan2, second != jan2})
	}
	return out
}

// christmas returns Christmas Day and Boxing Day. One that falls on a weekday
// keeps its day; one at a weekend moves to the next free weekday. gov.uk names
// them that way round: in 2022 (Christmas a Sunday) Monday 26th is "Boxing
// Day" and Tuesday 27th "Christmas Day, substitute day".
func christmas(year int) []observed {
	xmas, boxing := NewDate(year, time.December, 25), NewDate(year, time.December, 26)
	switch xmas.Weekday() {
	case time.Friday: // Boxing Day on Saturday: Monday 28th
		return []observed{{xmas, titleChristmas, false}, {boxing.AddDays(2), titleBoxing, true}}
	case time.Saturday: // both at the weekend: Monday 27th and Tuesday 28th
		return []observed{{xmas.AddDays(2), titleChristmas, true}, {boxing.AddDays(2), titleBoxing, true}}
	case time.Sunday: // Boxing Day keeps Monday 26th; Christmas takes Tuesday 27th
		return []observed{{boxing, titleBoxing, false}, {xmas.AddDays(2), titleChristmas, true}}
	default:
		return []observed{{xmas, titleChristmas, false}, {boxing, titleBoxing, false}}
	}
}

// weekdayFrom returns d if it is a weekday, else the Monday after it.
func weekdayFrom(d Date) Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

func firstMonday(year int, month time.Month) Date {
	d := NewDate(year, month, 1)
	return d.AddDays((int(time.Monday) - int(d.Weekday()) + 7) % 7)
}

func lastMonday(year int, month time.Month) Date {
	d := NewDate(year, month+1, 0) // last day of month
	return d.AddDays(-((int(d.Weekday()) - int(time.Monday) + 7) % 7))
}

// goodFriday returns Good Friday of year: two days before Easter Sunday.
func goodFriday(year int) Date { return easterSunday(year).AddDays(-2) }

// easterSunday returns Easter Sunday (Western churches) of year, by the
// anonymous Gregorian algorithm (Meeus/Jones/Butcher): the first Sunday after
// the ecclesiastical full moon on or after 21 March.
func easterSunday(year int) Date {
	a := year % 19 // position in the 19-year Metonic cycle
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30 // epact: days from 21 March to the full moon
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7 // days from the full moon to Sunday
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(year, time.Month(month), day)
}
