// Package calendar knows which days are working days under the UK's four
// access-to-information laws, and counts them.
//
// It owns:
//
//  1. the laws (Law: foia, eir, foisa, eisr) and which parts of the UK's bank
//     holidays each one skips;
//  2. the bank holidays themselves: gov.uk's official list for 2019–2027 is
//     embedded, newer official lists can be imported (Parse, New), and any
//     other year is projected from the standing rules, with every projected
//     day marked so that a deadline resting on one can say so;
//  3. working-day arithmetic on civil dates (Date): IsWorkingDay,
//     AddWorkingDays, WorkingDaysBetween, NextWorkingDay.
//
// It does not decide what any deadline is (package deadline does, from a
// request's history), and it neither reads nor writes files: the caller reads
// an imported bank-holidays.json, passes the parsed Source to New, and keeps
// it with Source.MarshalJSON.
//
// Counting convention, shared by every function here: day 0 is the starting
// date, whatever day it is; day 1 is the next working day after it. So
// AddWorkingDays(law, d, 20) is "the 20th working day after d", and
// WorkingDaysBetween counts the working days in (a, b].
//
// A *Calendar is immutable once New returns and is safe for concurrent use.
package calendar

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	// The UK date of an instant must not depend on the host having a zone
	// database (minimal containers have none), so carry one in the binary.
	_ "time/tzdata"
)

// Law is the access-to-information regime a request is made under. It decides
// which bank holidays are not working days.
type Law string

const (
	// FOIA is the Freedom of Information Act 2000 (England, Wales, Northern
	// Ireland and UK-wide bodies).
	FOIA Law = "foia"
	// EIR is the Environmental Information Regulations 2004 (same bodies,
	// environmental information).
	EIR Law = "eir"
	// FOISA is the Freedom of Information (Scotland) Act 2002.
	FOISA Law = "foisa"
	// EISR is the Environmental Information (Scotland) Regulations 2004.
	EISR Law = "eisr"
)

// Laws returns every Law, in the order they are listed to users.
func Laws() []Law { return []Law{FOIA, EIR, FOISA, EISR} }

// ParseLaw returns the Law named s (case and surrounding space ignored).
func ParseLaw(s string) (Law, error) {
	l := Law(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Laws(), l) {
		return l, nil
	}
	return "", fmt.Errorf("calendar: unknown law %q (valid: foia, eir, foisa, eisr)", s)
}

// Scottish reports whether l is one of the Scottish regimes (foisa, eisr),
// overseen by the Scottish Information Commissioner rather than the ICO.
func (l Law) Scottish() bool { return l == FOISA || l == EISR }

// Nations returns the parts of the UK whose bank holidays are not working
// days under l. A Law that is not one of the four constants is treated as
// foia: it skips every UK bank holiday.
func (l Law) Nations() []Nation {
	if l.Scottish() {
		// FOISA s.73 and EISR reg. 2(1): "working day" excludes a bank
		// holiday in Scotland only.
		return []Nation{Scotland}
	}
	// FOIA s.10(6) and EIR reg. 2(1): "working day" excludes "a day which is
	// a bank holiday under the Banking and Financial Dealings Act 1971 in any
	// part of the United Kingdom", so an English body also skips St Andrew's
	// Day, 2 January, St Patrick's Day and 12 July.
	return []Nation{EnglandAndWales, Scotland, NorthernIreland}
}

// Nation is a part of the UK with its own bank holidays, named as gov.uk names
// its divisions.
type Nation string

// The divisions of gov.uk's bank-holiday data.
const (
	EnglandAndWales Nation = "england-and-wales"
	Scotland        Nation = "scotland"
	NorthernIreland Nation = "northern-ireland"
)

// Nations returns the three divisions, in gov.uk's order.
func Nations() []Nation { return []Nation{EnglandAndWales, Scotland, NorthernIreland} }

// Holiday is a bank holiday, or one day shared by several nations' lists.
type Holiday struct {
	Date      Date     `json:"date"`
	Title     string   `json:"title"`           // as gov.uk spells it, e.g. "St Andrew’s Day"
	Notes     string   `json:"notes,omitempty"` // gov.uk's notes, e.g. "Substitute day"
	Nations   []Nation `json:"nations"`
	Projected bool     `json:"projected,omitempty"` // from the standing rules, not an official list
}

// Calendar answers working-day questions from the official bank holidays it
// was built with, projecting the years they do not cover.
type Calendar struct {
	london    *time.Location
	official  Source                       // what Official returns
	years     map[Nation]map[int][]Holiday // official holidays by nation and year
	projected map[Nation]map[int][]Holiday // projections worked out in New
	// off caches, for each law and year from offFrom, which days are not
	// working days, worked out on first use: counting days is then a
	// lookup. Safe for concurrent use: a year is published once, whole.
	off [4][offYears]atomic.Pointer[yearOff]
}

// The years whose working days are cached; others are worked out each time.
const offFrom, offYears = 1990, 200

// yearOff marks a year's non-working days by month and day.
type yearOff [13][32]bool

// projectFrom and projectTo bound the years New projects once, so that
// counting days is a lookup; a year outside them is projected on each use.
const projectFrom, projectTo = 2000, 2100

// embedded is gov.uk's bank-holidays.json for 2019–2027
// (https://www.gov.uk/bank-holidays.json), published under the Open
// Government Licence v3.0; the project keeps its own copy.
//
//go:embed uk-bank-holidays-2019-2027.json
var embedded []byte

// New returns a Calendar of the embedded official bank holidays with each
// extra Source laid over them in turn: a (division, year) that a Source lists
// replaces whatever was known for it, embedded or projected. Years no source
// lists are projected.
//
// New panics only if the embedded data is corrupt, which this package's
// tests rule out.
func New(extra ...Source) *Calendar {
	base, err := Parse(embedded)
	if err != nil {
		panic("calendar: embedded bank holidays: " + err.Error())
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("calendar: " + err.Error()) // unreachable: time/tzdata is linked in
	}
	official := merge(append([]Source{base}, extra...))
	c := &Calendar{
		london:    london,
		official:  official,
		years:     make(map[Nation]map[int][]Holiday),
		projected: make(map[Nation]map[int][]Holiday),
	}
	for _, n := range Nations() {
		c.years[n] = make(map[int][]Holiday)
		for _, e := range official.divisions[n] {
			c.years[n][e.date.Year] = append(c.years[n][e.date.Year], Holiday{
				Date: e.date, Title: e.Title, Notes: e.Notes, Nations: []Nation{n},
			})
		}
		c.projected[n] = make(map[int][]Holiday)
		for y := projectFrom; y <= projectTo; y++ {
			if _, ok := c.years[n][y]; !ok {
				c.projected[n][y] = project(n, y)
			}
		}
	}
	return c
}

// Official returns the official bank holidays the calendar holds (embedded
// and imported, merged), ready to be saved with MarshalJSON.
func (c *Calendar) Official() Source { return c.official.clone() }

// Location returns Europe/London, the zone in which the UK's dates are kept.
func (c *Calendar) Location() *time.Location { return c.london }

// Date returns the UK (Europe/London) date on which instant t falls: an email
// delivered at 00:30 BST on 30 March is delivered on 30 March, though it is
// still 29 March in UTC.
func (c *Calendar) Date(t time.Time) Date { return DateOf(t.In(c.london)) }

// IsWorkingDay reports whether d is a working day under law.
func (c *Calendar) IsWorkingDay(law Law, d Date) bool {
	li, y := lawIndex(law), d.Year-offFrom
	if li < 0 || y < 0 || y >= offYears {
		return c.isWorkingDay(law, d)
	}
	off := c.off[li][y].Load()
	if off == nil {
		off = new(yearOff)
		for day := NewDate(d.Year, time.January, 1); day.Year == d.Year; day = day.AddDays(1) {
			off[day.Month][day.Day] = !c.isWorkingDay(law, day)
		}
		c.off[li][y].Store(off)
	}
	return !off[d.Month][d.Day]
}

// lawIndex is law's place in Laws, or -1.
func lawIndex(law Law) int {
	switch law {
	case FOIA:
		return 0
	case EIR:
		return 1
	case FOISA:
		return 2
	case EISR:
		return 3
	}
	return -1
}

// isWorkingDay works out from the rules whether d is a working day.
func (c *Calendar) isWorkingDay(law Law, d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	// FOIA s.10(6), FOISA s.73 and EIR/EISR reg. 2(1) name Christmas Day and
	// Good Friday apart from bank holidays (in England they are common-law
	// holidays, not bank holidays), so they are never working days whatever
	// a holiday list says.
	if d.Month == time.December && d.Day == 25 || d == goodFriday(d.Year) {
		return false
	}
	for _, n := range law.Nations() {
		for _, h := range c.holidays(n, d.Year) {
			if h.Date == d {
				return false
			}
		}
	}
	return true
}

// NextWorkingDay returns the first working day after d.
func (c *Calendar) NextWorkingDay(law Law, d Date) Date {
	next, _ := c.AddWorkingDays(law, d, 1)
	return next
}

// AddWorkingDays returns the nth working day after d (d itself is day 0 and
// need not be a working day), and whether the answer rests on projected
// bank holidays. With n < 0 it counts back: the |n|th working day before d.
// With n == 0 it returns d.
func (c *Calendar) AddWorkingDays(law Law, d Date, n int) (_ Date, projected bool) {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	end := d
	for counted := 0; counted < n; {
		end = end.AddDays(step)
		if c.IsWorkingDay(law, end) {
			counted++
		}
	}
	if step < 0 {
		return end, c.Projected(law, end.AddDays(-1), d)
	}
	return end, c.Projected(law, d, end)
}

// WorkingDaysBetween returns the number of working days in (a, b]: after a,
// up to and including b. It is negative, counting (b, a], when b is before a.
// For a working day b after a, AddWorkingDays(law, a, WorkingDaysBetween(law,
// a, b)) is b.
func (c *Calendar) WorkingDaysBetween(law Law, a, b Date) int {
	sign := 1
	if b.Before(a) {
		sign, a, b = -1, b, a
	}
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if c.IsWorkingDay(law, d) {
			n++
		}
	}
	return sign * n
}

// Projected reports whether counting working days in (from, to] under law
// rests on projected bank holidays: whether any of those days falls in a year
// that an official list does not cover for one of law's nations.
func (c *Calendar) Projected(law Law, from, to Date) bool {
	if !to.After(from) {
		return false
	}
	for y := from.AddDays(1).Year; y <= to.Year; y++ {
		for _, n := range law.Nations() {
			if _, ok := c.years[n][y]; !ok {
				return true
			}
		}
	}
	return false
}

// Holidays returns the bank holidays of year in date order. A day that
// several nations keep under the same title is listed once, naming them all.
func (c *Calendar) Holidays(year int) []Holiday {
	var out []Holiday
	for _, n := range Nations() {
	next:
		for _, h := range c.holidays(n, year) {
			for i := range out {
				o := &out[i]
				if o.Date == h.Date && o.Title == h.Title && o.Notes == h.Notes && o.Projected == h.Projected {
					o.Nations = append(o.Nations, n)
					continue next
				}
			}
			h.Nations = []Nation{n}
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// holidays returns nation n's bank holidays in year: the official list if
// there is one, else the projection. The result must not be modified.
func (c *Calendar) holidays(n Nation, year int) []Holiday {
	if hs, ok := c.years[n][year]; ok {
		return hs
	}
	if hs, ok := c.projected[n][year]; ok {
		return hs
	}
	return project(n, year)
}
