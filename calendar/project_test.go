package calendar

import (
	"fmt"
	"testing"
)

// The official lists for 2019–2027 differ from the standing rules only by
// these one-off proclamations. They applied in all three nations. Any other
// difference fails the test, and so does a listed difference that no longer
// occurs.
var oneOffs = []struct {
	date, title string
	notes       string
	only        string // "official": proclaimed, not projected; "projected": the rule's day, moved away
	reason      string
}{
	{"2020-05-04", "Early May bank holiday", "", "projected", "2020 early May holiday moved to Friday 8 May for the 75th anniversary of VE Day"},
	{"2020-05-08", "Early May bank holiday (VE day)", "", "official", "2020 early May holiday moved to Friday 8 May for the 75th anniversary of VE Day"},
	{"2022-05-30", "Spring bank holiday", "", "projected", "2022 spring holiday moved to Thursday 2 June for the Platinum Jubilee"},
	{"2022-06-02", "Spring bank holiday", "", "official", "2022 spring holiday moved to Thursday 2 June for the Platinum Jubilee"},
	{"2022-06-03", "Platinum Jubilee bank holiday", "", "official", "one-off: Platinum Jubilee of Queen Elizabeth II"},
	{"2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II", "", "official", "one-off: State Funeral of Queen Elizabeth II"},
	{"2023-05-08", "Bank holiday for the coronation of King Charles III", "", "official", "one-off: Coronation of King Charles III"},
}

func TestProjectionMatchesOfficial(t *testing.T) {
	t.Parallel()
	src, err := Parse(embedded)
	if err != nil {
		t.Fatal(err)
	}
	key := func(d Date, title, notes string) string { return fmt.Sprintf("%s %s %q", d, title, notes) }
	hits := make(map[string]int)
	for _, n := range Nations() {
		official := make(map[int]map[string]bool)
		for _, e := range src.divisions[n] {
			if official[e.date.Year] == nil {
				official[e.date.Year] = make(map[string]bool)
			}
			official[e.date.Year][key(e.date, e.Title, e.Notes)] = true
		}
		for year := 2019; year <= 2027; year++ {
			projected := make(map[string]bool)
			for _, h := range project(n, year) {
				projected[key(h.Date, h.Title, h.Notes)] = true
			}
			check := func(only string, have, other map[string]bool) {
			next:
				for k := range have {
					if other[k] {
						continue
					}
					for _, o := range oneOffs {
						if o.only == only && k == key(day(t, o.date), o.title, o.notes) {
							hits[k]++
							continue next
						}
					}
					t.Errorf("%s %d: %s is only in the %s list", n, year, k, only)
				}
			}
			check("official", official[year], projected)
			check("projected", projected, official[year])
		}
	}
	for _, o := range oneOffs {
		k := key(day(t, o.date), o.title, o.notes)
		if got := hits[k]; got != len(Nations()) {
			t.Errorf("one-off %s (%s) seen in %d nations, want %d", k, o.reason, got, len(Nations()))
		}
	}
}

func TestEasterSunday(t *testing.T) {
	t.Parallel()
	// Checked against python-dateutil's easter.easter (Western method).
	for _, want := range []string{
		"1900-04-15", "1961-04-02", "2000-04-23", "2008-03-23", "2011-04-24",
		"2019-04-21", "2024-03-31", "2025-04-20", "2026-04-05", "2028-04-16",
		"2031-04-13", "2038-04-25", "2049-04-18", "2077-04-11", "2099-04-12",
		"2100-03-28", "2285-03-22", "2400-04-16",
	} {
		w := day(t, want)
		if got := easterSunday(w.Year); got != w {
			t.Errorf("easterSunday(%d) = %s, want %s", w.Year, got, w)
		}
	}
}

func TestProjectSubstitutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		nation Nation
		year   int
		date   string
		title  string
		notes  string
	}{
		// 2028: 1 January a Saturday, 2 January a Sunday.
		{Scotland, 2028, "2028-01-03", titleNewYear, substituteDay},
		{Scotland, 2028, "2028-01-04", titleJan2, substituteDay},
		{EnglandAndWales, 2028, "2028-01-03", titleNewYear, substituteDay},
		// 2034: 1 January a Sunday, 2 January a Monday.
		{Scotland, 2034, "2034-01-02", titleNewYear, substituteDay},
		{Scotland, 2034, "2034-01-03", titleJan2, substituteDay},
		// 2033: Christmas a Sunday, Boxing Day a Monday.
		{NorthernIreland, 2033, "2033-12-26", titleBoxing, ""},
		{NorthernIreland, 2033, "2033-12-27", titleChristmas, substituteDay},
		// 2032: Christmas a Saturday.
		{EnglandAndWales, 2032, "2032-12-27", titleChristmas, substituteDay},
		{EnglandAndWales, 2032, "2032-12-28", titleBoxing, substituteDay},
		// 2029: 17 March a Saturday; 2030: St Andrew's Day a Saturday.
		{NorthernIreland, 2029, "2029-03-19", titleStPatrick, substituteDay},
		{Scotland, 2030, "2030-12-02", titleStAndrew, substituteDay},
	}
	for _, tt := range tests {
		found := false
		for _, h := range project(tt.nation, tt.year) {
			if h.Date == day(t, tt.date) {
				found = true
				if h.Title != tt.title || h.Notes != tt.notes || !h.Projected {
					t.Errorf("project(%s, %d) on %s = %q %q projected=%v, want %q %q projected=true",
						tt.nation, tt.year, tt.date, h.Title, h.Notes, h.Projected, tt.title, tt.notes)
				}
			}
		}
		if !found {
			t.Errorf("project(%s, %d) has nothing on %s, want %q", tt.nation, tt.year, tt.date, tt.title)
		}
	}
}
