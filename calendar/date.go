package calendar

import (
	"fmt"
	"time"
)

// Date is a civil date: a day on the calendar, with no time of day and no
// zone. Statutory clocks count whole days, so every date this package takes
// or returns is a Date; Calendar.Date turns an instant into the date it falls
// on in the UK.
//
// Build Dates with NewDate, ParseDate, DateOf or Calendar.Date: they are
// normalised (no 31 February), so == compares them. The zero Date means "no
// date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date year-month-day, normalised the way time.Date
// normalises (day 0 of March is the last day of February).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date on which t falls in t's own location. To get the
// UK date of an instant, use Calendar.Date.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: bad date %q (want YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Format formats the date with a time package layout, e.g. "Mon 2 Jan 2006".
func (d Date) Format(layout string) string { return d.midnight(time.UTC).Format(layout) }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnight(time.UTC).Weekday() }

// AddDays returns the date n calendar days after d (before it if n < 0).
func (d Date) AddDays(n int) Date {
	if day := d.Day + n; day >= 1 && day <= 28 {
		// The same month: no need to normalise (counting working days does
		// this a great many times).
		return Date{Year: d.Year, Month: d.Month, Day: day}
	}
	return NewDate(d.Year, d.Month, d.Day+n)
}

// Compare returns -1 if d is before e, 0 if they are the same day, +1 if d
// is after e.
func (d Date) Compare(e Date) int { return d.midnight(time.UTC).Compare(e.midnight(time.UTC)) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// In returns the instant at which d begins in loc.
func (d Date) In(loc *time.Location) time.Time { return d.midnight(loc) }

func (d Date) midnight(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalText writes the date as YYYY-MM-DD, and the zero Date as "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads what MarshalText writes.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
