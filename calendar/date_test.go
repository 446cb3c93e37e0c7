package calendar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"2026-03-02", NewDate(2026, time.March, 2), false},
		{"2024-02-29", NewDate(2024, time.February, 29), false},
		{"2025-02-29", Date{}, true},
		{"2026-3-2", Date{}, true},
		{"02/03/2026", Date{}, true},
		{"", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseDate(%q) = %s, %v; want %s, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	d := NewDate(2026, time.February, 27)
	if got, want := d.AddDays(2), NewDate(2026, time.March, 1); got != want {
		t.Errorf("%s.AddDays(2) = %s, want %s", d, got, want)
	}
	if got, want := NewDate(2026, time.February, 30), NewDate(2026, time.March, 2); got != want {
		t.Errorf("NewDate(2026, February, 30) = %s, want %s", got, want)
	}
	if got := d.Weekday(); got != time.Friday {
		t.Errorf("%s.Weekday() = %s, want Friday", d, got)
	}
	if !d.Before(d.AddDays(1)) || d.After(d.AddDays(1)) || d.Compare(d) != 0 {
		t.Errorf("%s: Before/After/Compare disagree with the calendar", d)
	}
	if got, want := d.Format("Mon 2 Jan 2006"), "Fri 27 Feb 2026"; got != want {
		t.Errorf("%s.Format = %q, want %q", d, got, want)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := NewDate(2026, time.July, 1).In(london).UTC(), time.Date(2026, time.June, 30, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("In(London) = %s, want %s", got, want)
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Due  Date `json:"due"`
		None Date `json:"none,omitzero"`
	}
	b, err := json.Marshal(doc{Due: NewDate(2026, time.March, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"due":"2026-03-31"}`; got != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"due":"2026-03-31","none":""}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Due != NewDate(2026, time.March, 31) || !back.None.IsZero() {
		t.Errorf("json.Unmarshal = %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"due":"31/03/2026"}`), &back); err == nil {
		t.Errorf("json.Unmarshal of 31/03/2026: no error")
	}
}
