package main

import (
	"time"

	"foi/campaign"
)

// plainDue counts 20 working days (Monday to Friday) from the London date of
// delivery, day 0. It ignores bank holidays; the calendar package replaces it.
func plainDue(sent time.Time) time.Time {
	loc := campaign.London()
	d := sent.In(loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	for n := 0; n < 20; {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return day
}

// workingDaysLeft counts working days from now's date to due (negative when late).
func workingDaysLeft(now, due time.Time) int {
	loc := campaign.London()
	n := now.In(loc)
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	count := 0
	for day.Before(due) {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			count++
		}
	}
	for day.After(due) {
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			count--
		}
		day = day.AddDate(0, 0, -1)
	}
	return count
}
