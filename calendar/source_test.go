package calendar

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestParseEmbedded(t *testing.T) {
	t.Parallel()
	src, err := Parse(embedded)
	if err != nil {
		t.Fatalf("Parse(embedded) error: %v", err)
	}
	if got, want := src.Years(), []int{2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		n    Nation
		want int
	}{{EnglandAndWales, 75}, {Scotland, 84}, {NorthernIreland, 93}} {
		if got := len(src.divisions[tt.n]); got != tt.want {
			t.Errorf("embedded %s has %d events, want %d", tt.n, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	ev := func(title, date string) string {
		return `{"title":"` + title + `","date":"` + date + `","notes":"","bunting":true}`
	}
	div := func(name string, events ...string) string {
		return `"` + name + `":{"division":"` + name + `","events":[` + strings.Join(events, ",") + `]}`
	}
	tests := []struct {
		name, json, wantErr string
	}{
		{"not json", `{"scotland":`, "calendar: bank holidays: unexpected end of JSON input"},
		{"empty", `{}`, "calendar: bank holidays: no divisions (want england-and-wales, scotland, northern-ireland)"},
		{"unknown division", `{` + div("wales", ev("St David's Day", "2028-03-01")) + `}`,
			`calendar: bank holidays: unknown division "wales" (want england-and-wales, scotland, northern-ireland)`},
		{"division mismatch", `{"scotland":{"division":"northern-ireland","events":[` + ev("X", "2028-06-05") + `]}}`,
			`calendar: bank holidays: scotland: division field says "northern-ireland"`},
		{"no events", `{` + div("scotland") + `}`, "calendar: bank holidays: scotland: no events"},
		{"bad date", `{` + div("scotland", ev("St Andrew’s Day", "2028-11-31")) + `}`,
			`calendar: bank holidays: scotland: event 1 ("St Andrew’s Day", "2028-11-31"): date is not YYYY-MM-DD`},
		{"weekend", `{` + div("northern-ireland", ev("New Year’s Day", "2028-06-05"), ev("New Year’s Day", "2028-01-01")) + `}`,
			`calendar: bank holidays: northern-ireland: event 2 ("New Year’s Day", "2028-01-01"): falls on a Saturday`},
		{"no title", `{` + div("england-and-wales", ev("", "2028-06-05")) + `}`,
			`calendar: bank holidays: england-and-wales: event 1 ("", "2028-06-05"): no title`},
		{"duplicate", `{` + div("scotland", ev("A", "2028-06-05"), ev("B", "2028-06-05")) + `}`,
			`calendar: bank holidays: scotland: event 2 ("B", "2028-06-05"): 2028-06-05 is already listed as "A"`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.json))
		if err == nil || err.Error() != tt.wantErr {
			t.Errorf("%s: Parse error = %v, want %s", tt.name, err, tt.wantErr)
		}
	}
}

// An imported list replaces the projection (or the embedded list) for the
// divisions and years it covers, and nothing else.
func TestNewWithImport(t *testing.T) {
	t.Parallel()
	imported, err := Parse([]byte(`{"scotland":{"division":"scotland","events":[
		{"title":"New Year’s Day","date":"2028-01-03","notes":"Substitute day","bunting":true},
		{"title":"2nd January","date":"2028-01-04","notes":"Substitute day","bunting":true},
		{"title":"A new holiday","date":"2028-06-05","notes":"","bunting":true},
		{"title":"Christmas Day","date":"2028-12-25","notes":"","bunting":true}
	]}, "england-and-wales":{"division":"england-and-wales","events":[
		{"title":"Only this","date":"2026-06-01","notes":"","bunting":true}
	]}}`))
	if err != nil {
		t.Fatal(err)
	}
	cal := New(imported)

	if cal.IsWorkingDay(FOISA, day(t, "2028-06-05")) {
		t.Errorf("IsWorkingDay(foisa, 2028-06-05) = true, want false (imported holiday)")
	}
	if !cal.IsWorkingDay(FOISA, day(t, "2028-11-30")) {
		t.Errorf("IsWorkingDay(foisa, 2028-11-30) = false, want true (imported 2028 list has no St Andrew's Day)")
	}
	if cal.IsWorkingDay(FOIA, day(t, "2028-04-17")) {
		t.Errorf("IsWorkingDay(foia, 2028-04-17) = true, want false (projected Easter Monday, England)")
	}
	if cal.IsWorkingDay(FOIA, day(t, "2026-06-01")) {
		t.Errorf("IsWorkingDay(foia, 2026-06-01) = true, want false (imported England 2026)")
	}
	for _, h := range cal.Holidays(2026) {
		if h.Date == day(t, "2026-08-31") && !slices.Equal(h.Nations, []Nation{NorthernIreland}) {
			t.Errorf("Holidays(2026): %s %s kept by %v, want only northern-ireland (imported England 2026 replaces the embedded list)", h.Date, h.Title, h.Nations)
		}
	}
	if cal.IsWorkingDay(FOIA, day(t, "2026-12-25")) {
		t.Errorf("IsWorkingDay(foia, 2026-12-25) = true, want false (Christmas Day whatever the list says)")
	}
	if cal.Projected(FOISA, day(t, "2028-01-01"), day(t, "2028-12-31")) {
		t.Errorf("Projected(foisa, 2028) = true, want false (imported)")
	}
	if !cal.Projected(FOIA, day(t, "2028-01-01"), day(t, "2028-12-31")) {
		t.Errorf("Projected(foia, 2028) = false, want true (England and NI still projected)")
	}
	for _, h := range cal.Holidays(2028) {
		if want := !slices.Contains(h.Nations, Scotland); h.Projected != want {
			t.Errorf("Holidays(2028): %s %s %v projected=%v, want %v", h.Date, h.Title, h.Nations, h.Projected, want)
		}
	}
	if got := New().Official().Years(); !slices.Equal(got, []int{2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027}) {
		t.Errorf("New().Official().Years() = %v: an import leaked into another Calendar", got)
	}
	if got := cal.Official().Years(); got[len(got)-1] != 2028 {
		t.Errorf("Official().Years() = %v, want up to 2028", got)
	}
}

// What a Calendar holds can be saved and loaded back to the same calendar.
func TestOfficialRoundTrip(t *testing.T) {
	t.Parallel()
	imported, err := Parse([]byte(`{"scotland":{"division":"scotland","events":[
		{"title":"A new holiday","date":"2028-06-05","notes":"","bunting":true}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	cal := New(imported)
	saved, err := json.Marshal(cal.Official())
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Parse(saved)
	if err != nil {
		t.Fatalf("Parse(saved) error: %v", err)
	}
	again := New(loaded)
	for year := 2019; year <= 2029; year++ {
		a, _ := json.Marshal(cal.Holidays(year))
		b, _ := json.Marshal(again.Holidays(year))
		if string(a) != string(b) {
			t.Errorf("Holidays(%d) after save and load =\n%s\nwant\n%s", year, b, a)
		}
	}
	if !strings.Contains(string(saved), `"St Andrew’s Day"`) {
		t.Errorf("saved JSON escapes or loses titles: %.200s", saved)
	}
}
