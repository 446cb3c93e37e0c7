package templates

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden letters in testdata")

func data() Data {
	return Data{
		Authority: Authority{Name: "Oxleas NHS Foundation Trust", ShortName: "Oxleas"},
		Request:   Request{Ref: "LXP7-021", Title: "Band 7 roles"},
		Campaign:  Campaign{Slug: "LXP7", Title: "Band 7 roles"},
		Requester: Requester{Name: "LXP Revolution"},
		Today:     time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
	}
}

func TestRender(t *testing.T) {
	got, err := Render("t.txt", "Dear {{.Authority.ShortName}}, on {{date .Today}} ({{weekday .Today}}) re {{.Request.Ref}}", data())
	if want := "Dear Oxleas, on 2 March 2026 (Monday) re LXP7-021"; err != nil || got != want {
		t.Errorf("Render = %q, %v, want %q", got, err, want)
	}
}

func TestUnknownFieldNamesTemplateLineAndField(t *testing.T) {
	_, err := Render("stage2.txt", "Dear {{.Authority.Name}},\n\n{{.Authority.Nmae}}\n", data())
	if err == nil {
		t.Fatal("Render succeeded with an unknown field")
	}
	for _, want := range []string{"stage2.txt", "line 3", `"Nmae"`, "Name, ShortName"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := Render("bad.txt", "{{.Request.Ref", data()); err == nil || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("syntax error = %v, want one naming bad.txt", err)
	}
}

func TestUserFolderOverridesDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "request.txt"), []byte("Mine: {{.Request.Ref}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := New(dir).Render("request", data())
	if err != nil || got != "Mine: LXP7-021" {
		t.Errorf("override = %q, %v", got, err)
	}
	got, err = New("").Render("request", data())
	if err != nil || !strings.HasPrefix(got, "Dear Oxleas NHS Foundation Trust,\n") {
		t.Errorf("built-in = %q, %v", got, err)
	}
	if _, _, err := New(dir).Source("../etc/passwd"); err == nil {
		t.Error("a path was accepted as a template name")
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// request is a request to Beta as the letters see it at each step: sent,
// chased, and either silent or refused.
func request(refused bool) Data {
	d := Data{
		Authority: Authority{Name: "Beta Mental Health NHS Foundation Trust", ShortName: "Beta",
			Email: "foi@beta.nhs.example.invalid", Jurisdiction: "foia"},
		Request: Request{Ref: "LXP7-004", Title: "Band 7 Lived Experience Professional roles", AuthorityRef: "FOI-2108-1525161",
			SentOn: day("2026-03-02"), DueOn: day("2026-03-30"), ChasedOn: day("2026-03-31"), FinalChasedOn: day("2026-04-15"),
			ChasersSent:       []time.Time{day("2026-03-31"), day("2026-04-15")},
			ReviewRequestedOn: day("2026-04-27"), ReviewDueOn: day("2026-05-26")},
		Campaign:  Campaign{Slug: "LXP7", Title: "Band 7 Lived Experience Professional roles"},
		Requester: Requester{Name: "Alex Smith", Organisation: "LXP Revolution", Email: "campaign@lxp-revolution.example.org"},
		Today:     day("2026-04-27"),
	}
	if refused {
		d.Request.RespondedOn = day("2026-04-01")
		d.Request.FinalChasedOn = time.Time{}
		d.Request.ChasersSent = d.Request.ChasersSent[:1]
	}
	return d
}

// TestGoldenLetters renders every built-in letter as its recipient reads it
// and compares it with testdata/<letter>.txt (go test ./templates -update
// rewrites them: read the diff before committing it).
func TestGoldenLetters(t *testing.T) {
	t.Parallel()
	names, err := New("").Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		got, err := New("").Render(name, request(name == "review_after_refusal"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		path := filepath.Join("testdata", name+".txt")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./templates -update writes it)", err)
		}
		if !bytes.Equal([]byte(got), want) {
			t.Errorf("%s differs from %s:\n got:\n%s\nwant:\n%s", name, path, got, want)
		}
	}
}

// TestLettersGreetAndSign: every letter to an authority opens with its full
// name, never the short one, and every letter signs with the requester's
// name and, on the next line, the organisation when there is one and it is
// not the name again.
func TestLettersGreetAndSign(t *testing.T) {
	t.Parallel()
	names, err := New("").Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct {
		name, org, sign string
	}{
		{"Alex Smith", "LXP Revolution", "Alex Smith\nLXP Revolution\n"},
		{"Alex Smith", "", "Alex Smith\n"},
		{"LXP Revolution", "LXP Revolution", "LXP Revolution\n"},
	} {
		for _, name := range names {
			d := request(name == "review_after_refusal")
			d.Requester.Name, d.Requester.Organisation = who.name, who.org
			got, err := New("").Render(name, d)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			first, _, _ := strings.Cut(got, "\n")
			opening, sign := "Dear "+d.Authority.Name+",", "Yours faithfully,\n"+who.sign
			switch name {
			case "ico_complaint", "sic_appeal":
				// To the Commissioner, naming the authority in full.
				opening, sign = first, who.sign+"27 April 2026\n"
				if !strings.Contains(got, "authority: "+d.Authority.Name+" <") {
					t.Errorf("%s does not name the authority in full:\n%s", name, got)
				}
			}
			if first != opening {
				t.Errorf("%s opens %q, want %q", name, first, opening)
			}
			if !strings.HasSuffix(got, "\n\n"+sign) {
				t.Errorf("%s (requester %q, organisation %q) signs:\n%s\nwant it to end with a blank line and:\n%s", name, who.name, who.org, lastLines(got, 4), sign)
			}
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func TestDates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"2026-04-01"}, "1 April 2026"},
		{[]string{"2026-04-01", "2026-04-15"}, "1 April 2026 and 15 April 2026"},
		{[]string{"2026-04-01", "2026-04-15", "2026-04-29"}, "1 April 2026, 15 April 2026 and 29 April 2026"},
	} {
		var ts []time.Time
		for _, s := range tc.in {
			ts = append(ts, day(s))
		}
		if got := dates(ts); got != tc.want {
			t.Errorf("dates(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReviewListsEveryChaser: the internal review on silence names every
// chaser that went, not only the first.
func TestReviewListsEveryChaser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		chasers []string
		want    string // "" for no sentence about reminders at all
	}{
		{nil, ""},
		{[]string{"2026-04-01"}, "We reminded you on 1 April 2026."},
		{[]string{"2026-04-01", "2026-04-15"}, "We reminded you on 1 April 2026 and 15 April 2026."},
		{[]string{"2026-04-01", "2026-04-15", "2026-04-29"}, "We reminded you on 1 April 2026, 15 April 2026 and 29 April 2026."},
	} {
		for _, name := range []string{"review_on_silence", "foisa_review"} {
			d := request(false)
			d.Request.ChasedOn, d.Request.FinalChasedOn, d.Request.ChasersSent = time.Time{}, time.Time{}, nil
			for _, s := range tc.chasers {
				d.Request.ChasersSent = append(d.Request.ChasersSent, day(s))
			}
			got, err := New("").Render(name, d)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			flat := strings.Join(strings.Fields(got), " ") // the letter's own line breaks aside
			if tc.want == "" && strings.Contains(flat, "reminded") {
				t.Errorf("%s with no chaser sent says:\n%s\nwant no reminder mentioned", name, got)
			}
			if tc.want != "" && !strings.Contains(flat, tc.want) {
				t.Errorf("%s with chasers %v says:\n%s\nwant it to say %q", name, tc.chasers, got, tc.want)
			}
		}
	}
}

// TestFieldsOf: the fields an error message offers are the fields there are.
func TestFieldsOf(t *testing.T) {
	t.Parallel()
	for _, v := range []any{Data{}, Authority{}, Request{}, Campaign{}, Requester{}} {
		typ := reflect.TypeOf(v)
		var want []string
		for i := range typ.NumField() {
			want = append(want, typ.Field(i).Name)
		}
		if got := fieldsOf("templates." + typ.Name()); !slices.Equal(got, want) {
			t.Errorf("fieldsOf(%s) = %v, want %v", typ.Name(), got, want)
		}
	}
}

// TestNoEmptyDates: a date that has not happened is left out of a letter,
// never written as "1 January 0001" (a final chaser when the first chaser
// was switched off, a complaint with no review asked).
func TestNoEmptyDates(t *testing.T) {
	t.Parallel()
	names, err := New("").Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		d := request(false)
		d.Request = Request{Ref: d.Request.Ref, Title: d.Request.Title, SentOn: d.Request.SentOn, DueOn: d.Request.DueOn}
		if name == "review_after_refusal" {
			d.Request.RespondedOn = day("2026-04-01")
		}
		got, err := New("").Render(name, d)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(got, "0001") {
			t.Errorf("%s with only the sent and due dates:\n%s\nwant no zero date in it", name, got)
		}
	}
}

// TestChasersFitEveryLaw: the chasers go under all four laws, so they name
// none of them, claim no "20th working day" (a clarification, a fee or an
// extension moves the date), and the final one names the Commissioner who
// oversees the authority.
func TestChasersFitEveryLaw(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ jurisdiction, commissioner string }{
		{"foia", "complain to the Information Commissioner."},
		{"eir", "complain to the Information Commissioner."},
		{"foisa", "complain to the Scottish Information Commissioner."},
		{"eisr", "complain to the Scottish Information Commissioner."},
	} {
		for _, name := range []string{"first_chaser", "final_chaser"} {
			d := request(false)
			d.Authority.Jurisdiction = tc.jurisdiction
			got, err := New("").Render(name, d)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, wrong := range []string{"Act 2000", "(Scotland) Act", "Regulations", "section 10", "section 50", "20th working day"} {
				if strings.Contains(got, wrong) {
					t.Errorf("%s to a %s authority says %q:\n%s", name, tc.jurisdiction, wrong, got)
				}
			}
			flat := strings.Join(strings.Fields(got), " ")
			if name == "final_chaser" && !strings.Contains(flat, tc.commissioner) {
				t.Errorf("%s to a %s authority:\n%s\nwant it to say %q", name, tc.jurisdiction, got, tc.commissioner)
			}
		}
	}
}
