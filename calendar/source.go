package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Source is an official list of bank holidays, in the shape of gov.uk's
// https://www.gov.uk/bank-holidays.json:
//
//	{"england-and-wales": {"division": "england-and-wales",
//	   "events": [{"title": "New Year’s Day", "date": "2026-01-01", "notes": "", "bunting": true}, ...]},
//	 "scotland": {...}, "northern-ireland": {...}}
//
// Get one from Parse; give it to New. Each year a Source lists for a division
// is taken to be that division's complete list for the year.
type Source struct {
	divisions map[Nation][]event // each sorted by date
}

type division struct {
	Division string  `json:"division"`
	Events   []event `json:"events"`
}

type event struct {
	Title   string `json:"title"`
	Date    string `json:"date"`
	Notes   string `json:"notes"`
	Bunting bool   `json:"bunting"`
	date    Date
}

// Parse reads and checks a bank-holidays.json. It refuses, naming the
// division and the event at fault: an unknown division, an event without a
// title, a date that is not YYYY-MM-DD, a date on a Saturday or Sunday (bank
// holidays never are: a weekend holiday is listed on its substitute day), and
// the same date twice in one division.
func Parse(data []byte) (Source, error) {
	var raw map[string]division
	if err := json.Unmarshal(data, &raw); err != nil {
		return Source{}, fmt.Errorf("calendar: bank holidays: %w", err)
	}
	if len(raw) == 0 {
		return Source{}, errors.New("calendar: bank holidays: no divisions (want england-and-wales, scotland, northern-ireland)")
	}
	s := Source{divisions: make(map[Nation][]event)}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		n := Nation(key)
		if !slices.Contains(Nations(), n) {
			return Source{}, fmt.Errorf("calendar: bank holidays: unknown division %q (want england-and-wales, scotland, northern-ireland)", key)
		}
		div := raw[key]
		if div.Division != "" && div.Division != key {
			return Source{}, fmt.Errorf("calendar: bank holidays: %s: division field says %q", key, div.Division)
		}
		if len(div.Events) == 0 {
			return Source{}, fmt.Errorf("calendar: bank holidays: %s: no events", key)
		}
		seen := make(map[Date]string)
		for i, e := range div.Events {
			at := fmt.Sprintf("calendar: bank holidays: %s: event %d (%q, %q)", key, i+1, e.Title, e.Date)
			d, err := ParseDate(e.Date)
			switch {
			case e.Title == "":
				return Source{}, fmt.Errorf("%s: no title", at)
			case err != nil:
				return Source{}, fmt.Errorf("%s: date is not YYYY-MM-DD", at)
			case d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
				return Source{}, fmt.Errorf("%s: falls on a %s", at, d.Weekday())
			case seen[d] != "":
				return Source{}, fmt.Errorf("%s: %s is already listed as %q", at, d, seen[d])
			}
			seen[d] = e.Title
			e.date = d
			s.divisions[n] = append(s.divisions[n], e)
		}
		slices.SortFunc(s.divisions[n], func(a, b event) int { return a.date.Compare(b.date) })
	}
	return s, nil
}

// Years returns the years the source lists for any division, in order.
func (s Source) Years() []int {
	var ys []int
	for _, events := range s.divisions {
		for _, e := range events {
			ys = append(ys, e.date.Year)
		}
	}
	slices.Sort(ys)
	return slices.Compact(ys)
}

// MarshalJSON writes the source in gov.uk's bank-holidays.json shape, which
// Parse reads back.
func (s Source) MarshalJSON() ([]byte, error) {
	out := make(map[string]division)
	for n, events := range s.divisions {
		out[string(n)] = division{Division: string(n), Events: events}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

func (s Source) clone() Source {
	c := Source{divisions: make(map[Nation][]event)}
	for n, events := range s.divisions {
		c.divisions[n] = slices.Clone(events)
	}
	return c
}

// merge lays each source over the ones before it, a whole (division, year)
// at a time.
func merge(sources []Source) Source {
	byYear := make(map[Nation]map[int][]event)
	for _, s := range sources {
		for n, events := range s.divisions {
			if byYear[n] == nil {
				byYear[n] = make(map[int][]event)
			}
			replaced := make(map[int]bool)
			for _, e := range events {
				y := e.date.Year
				if !replaced[y] {
					byYear[n][y] = nil
					replaced[y] = true
				}
				byYear[n][y] = append(byYear[n][y], e)
			}
		}
	}
	out := Source{divisions: make(map[Nation][]event)}
	for n, years := range byYear {
		for _, y := range slices.Sorted(maps.Keys(years)) {
			out.divisions[n] = append(out.divisions[n], years[y]...)
		}
	}
	return out
}
