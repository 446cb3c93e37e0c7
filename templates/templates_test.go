package templates

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
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

// laws are the four laws a request can be made under.
var laws = []string{"foia", "eir", "foisa", "eisr"}

// lawsOf are the laws a built-in letter is written for: the letters to a
// Commissioner and the Scottish review belong to their own laws, every
// other letter to all four.
func lawsOf(name string) []string {
	switch name {
	case "ico_complaint":
		return []string{"foia", "eir"}
	case "foisa_review", "sic_appeal":
		return []string{"foisa", "eisr"}
	}
	return laws
}

// story is a request's dates under a law as foi counts them (FOIA and the
// EIR skip every UK bank holiday, FOISA and the EISR Scotland's only):
// delivered on Monday 2 March 2026, due on the 20th working day, chased the
// working day after and again 10 working days later, a review asked for at
// 40 working days of silence and due 20 working days later (40 under the
// EIR, reg. 11(4)), a complaint 40 working days after the review was asked
// for (as the schedule drafts it).
type story struct {
	authority, email, jurisdiction, title            string
	due, chased, final, review, reviewDue, complaint string
}

var stories = map[string]story{
	"foia": {"Beta Mental Health NHS Foundation Trust", "foi@beta.nhs.example.invalid", "foia", "Band 7 Lived Experience Professional roles",
		"2026-03-31", "2026-04-01", "2026-04-17", "2026-04-30", "2026-06-01", "2026-06-30"},
	"eir": {"Beta District Council", "foi@beta-dc.example.invalid", "foia", "Air quality monitoring results for 2025",
		"2026-03-31", "2026-04-01", "2026-04-17", "2026-04-30", "2026-06-29", "2026-06-30"},
	"foisa": {"NHS Gamma", "foi@gamma.scot.nhs.example.invalid", "foisa", "Band 7 Lived Experience Professional roles",
		"2026-03-30", "2026-03-31", "2026-04-15", "2026-04-28", "2026-05-28", "2026-06-26"},
	"eisr": {"Gamma Council", "foi@gamma-council.example.invalid", "foisa", "Air quality monitoring results for 2025",
		"2026-03-30", "2026-03-31", "2026-04-15", "2026-04-28", "2026-05-28", "2026-06-26"},
}

// at is a request under law as the named letter sees it on the day it is
// written: only what has happened by then. A review after a refusal
// follows a response on Friday 27 March.
func at(name, law string) Data {
	s := stories[law]
	d := Data{
		Authority: Authority{Name: s.authority, Email: s.email, Jurisdiction: s.jurisdiction},
		Request: Request{Ref: "LXP7-004", Title: s.title, Law: law, AuthorityRef: "FOI-2108-1525161",
			SentOn: day("2026-03-02"), DueOn: day(s.due)},
		Campaign:  Campaign{Slug: "LXP7", Title: s.title},
		Requester: Requester{Name: "Alex Smith", Organisation: "LXP Revolution", Email: "campaign@lxp-revolution.example.org"},
		Today:     day("2026-03-05"),
	}
	r := &d.Request
	chased := func(n int) {
		for i, c := range []string{s.chased, s.final}[:n] {
			r.ChasersSent = append(r.ChasersSent, day(c))
			if i == 0 {
				r.ChasedOn = day(c)
			} else {
				r.FinalChasedOn = day(c)
			}
		}
	}
	switch name {
	case "request":
		*r = Request{Ref: r.Ref, Title: r.Title, Law: law}
		d.Today = day("2026-03-02")
	case "first_chaser":
		d.Today = day(s.chased)
	case "final_chaser":
		chased(1)
		d.Today = day(s.final)
	case "review_on_silence", "foisa_review":
		chased(2)
		d.Today = day(s.review)
	case "review_after_refusal":
		r.RespondedOn = day("2026-03-27")
		d.Today = day("2026-03-30")
	case "ico_complaint", "sic_appeal":
		chased(2)
		r.ReviewRequestedOn, r.ReviewDueOn = day(s.review), day(s.reviewDue)
		d.Today = day(s.complaint)
	}
	return d
}

// nothing is a request under law with nothing recorded but its reference:
// not sent, no due date (or a clock stopped), no response, no chaser, no
// review.
func nothing(law string) Data {
	d := at("request", law)
	d.Today = day("2026-03-02")
	return d
}

// everything is a request under law with every date set, an extension
// (which FOISA letters must ignore) and grounds.
func everything(law string) Data {
	d := at("ico_complaint", law)
	r := &d.Request
	r.RespondedOn, r.ReviewAnsweredOn = day("2026-04-20"), day(stories[law].reviewDue)
	r.Extended, r.Grounds = true, "The information is not personal data."
	return d
}

// TestGoldenLetters renders every built-in letter under each law it is
// written for, as its recipient reads it on the day it goes, and compares
// it with testdata/<law>/<letter>.txt (go test ./templates -update rewrites
// them: read the diff before committing it).
func TestGoldenLetters(t *testing.T) {
	t.Parallel()
	names, err := New("").Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		for _, law := range lawsOf(name) {
			got, err := New("").Render(name, at(name, law))
			if err != nil {
				t.Errorf("%s (%s): %v", name, law, err)
				continue
			}
			path := filepath.Join("testdata", law, name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./templates -update writes it)", err)
			}
			if !bytes.Equal([]byte(got), want) {
				t.Errorf("%s (%s) differs from %s:\n got:\n%s\nwant:\n%s", name, law, path, got, want)
			}
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
			for _, law := range lawsOf(name) {
				d := at(name, law)
				d.Authority.ShortName = "Beta"
				d.Requester.Name, d.Requester.Organisation = who.name, who.org
				got, err := New("").Render(name, d)
				if err != nil {
					t.Errorf("%s (%s): %v", name, law, err)
					continue
				}
				first, _, _ := strings.Cut(got, "\n")
				opening, sign := "Dear "+d.Authority.Name+",", "Yours faithfully,\n"+who.sign
				switch name {
				case "ico_complaint", "sic_appeal":
					// To the Commissioner, naming the authority in full.
					opening, sign = first, who.sign+d.Today.Format("2 January 2006")+"\n"
					if !strings.Contains(got, "authority: "+d.Authority.Name+" <") {
						t.Errorf("%s (%s) does not name the authority in full:\n%s", name, law, got)
					}
				}
				if first != opening {
					t.Errorf("%s (%s) opens %q, want %q", name, law, first, opening)
				}
				if !strings.HasSuffix(got, "\n\n"+sign) {
					t.Errorf("%s (%s, requester %q, organisation %q) signs:\n%s\nwant it to end with a blank line and:\n%s", name, law, who.name, who.org, lastLines(got, 4), sign)
				}
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
		if got, err := dates(ts); err != nil || got != tc.want {
			t.Errorf("dates(%v) = %q, %v, want %q", tc.in, got, err, tc.want)
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
			for _, law := range lawsOf(name) {
				d := at(name, law)
				d.Request.ChasedOn, d.Request.FinalChasedOn, d.Request.ChasersSent = time.Time{}, time.Time{}, nil
				for _, s := range tc.chasers {
					d.Request.ChasersSent = append(d.Request.ChasersSent, day(s))
				}
				got, err := New("").Render(name, d)
				if err != nil {
					t.Fatalf("%s (%s): %v", name, law, err)
				}
				flat := strings.Join(strings.Fields(got), " ") // the letter's own line breaks aside
				if tc.want == "" && strings.Contains(flat, "reminded") {
					t.Errorf("%s (%s) with no chaser sent says:\n%s\nwant no reminder mentioned", name, law, got)
				}
				if tc.want != "" && !strings.Contains(flat, tc.want) {
					t.Errorf("%s (%s) with chasers %v says:\n%s\nwant it to say %q", name, law, tc.chasers, got, tc.want)
				}
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

// TestNoZeroDates: a date that has not happened is left out of a letter,
// never written as "1 January 0001", and no field is ever "<no value>":
// every letter under every law it is written for renders both for a
// request with nothing recorded yet (not even sent: `foi reply` can be run
// on any request) and for one with everything.
func TestNoZeroDates(t *testing.T) {
	t.Parallel()
	names, err := New("").Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		for _, law := range lawsOf(name) {
			for _, tc := range []struct {
				what string
				d    Data
			}{{"nothing recorded", nothing(law)}, {"everything recorded", everything(law)}} {
				got, err := New("").Render(name, tc.d)
				if err != nil {
					t.Errorf("%s (%s) with %s: %v", name, law, tc.what, err)
					continue
				}
				for _, bad := range []string{"0001", "<no value>"} {
					if strings.Contains(got, bad) {
						t.Errorf("%s (%s) with %s says %q:\n%s", name, law, tc.what, bad, got)
					}
				}
			}
		}
	}
}

// TestDateHelpersRefuseZero: in a user's own letter too, a date that is not
// set is an error naming the template and line, never "1 January 0001".
func TestDateHelpersRefuseZero(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"Dear {{.Authority.Name}},\nYou responded on {{date .Request.RespondedOn}}.",
		"Dear {{.Authority.Name}},\n{{isodate .Request.ReviewDueOn}}",
		"Dear {{.Authority.Name}},\n{{weekday .Request.SentOn}}",
		"Dear {{.Authority.Name}},\n{{dates .Request.ChasersSent}}",
	} {
		d := nothing("foia")
		d.Request.ChasersSent = []time.Time{day("2026-04-01"), {}}
		got, err := Render("mine.txt", src, d)
		if err == nil || !strings.Contains(err.Error(), "mine.txt, line 2") || !strings.Contains(err.Error(), "not set") {
			t.Errorf("Render(%q) = %q, %v; want an error naming mine.txt, line 2 and the date not set", src, got, err)
		}
	}
}

// TestLettersCiteTheirLaw: each letter cites the request's own law, the
// sections and regulations that give the time limits, the review and the
// Commissioner's remedy under it, and nothing from another law.
func TestLettersCiteTheirLaw(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		law, name string
		want      []string
	}{
		{"foia", "request", []string{"under the Freedom of Information Act 2000:", "which exemption you rely on"}},
		{"foia", "review_on_silence", []string{"Request for an internal review", "Freedom of Information Act 2000", "section 10(1) of the Act", "refusal notice under section 17"}},
		{"foia", "review_after_refusal", []string{"Request for an internal review", "Freedom of Information Act 2000", "you withheld some or all of the information", "code of practice issued under section 45", "20 working days", "[GROUNDS:"}},
		{"foia", "ico_complaint", []string{"Complaint under section 50 of the Freedom of Information Act 2000\n", "(section 10(1))", "internal review", "Part I of the Act"}},

		{"eir", "request", []string{"under the Environmental Information Regulations 2004:", "which exception you rely on"}},
		{"eir", "review_on_silence", []string{"Environmental Information Regulations 2004", "representations under regulation 11", "regulation 5(2)", "refusal notice under regulation 14", "Regulation 11(4)", "40 working days"}},
		{"eir", "review_after_refusal", []string{"Environmental Information Regulations 2004", "representations under regulation 11", "regulation 11(4)", "40 working days", "[GROUNDS:"}},
		{"eir", "ico_complaint", []string{"section 50 of the Freedom of Information Act 2000, as applied by regulation 18 of the Environmental Information Regulations 2004", "(regulation 5(2))", "representations under regulation 11", "(regulation 11(4))", "the requirements of the Regulations"}},

		{"foisa", "request", []string{"under the Freedom of Information (Scotland) Act 2002:", "which exemption you rely on"}},
		{"foisa", "review_on_silence", []string{"Requirement for review", "Freedom of Information (Scotland) Act 2002", "section 20 of the Act we require you to review", "section 10(1)", "Section 21(1)", "Our address for correspondence is campaign@"}},
		{"foisa", "review_after_refusal", []string{"Requirement for review", "Freedom of Information (Scotland) Act 2002", "section 20 of the Act we require you to review", "section 21(1)", "[GROUNDS:", "Our address for correspondence is campaign@"}},
		{"foisa", "foisa_review", []string{"Requirement for review", "Freedom of Information (Scotland) Act 2002", "section 20 of the Act we require you to review", "Section 21(1)", "section 10(1)"}},
		{"foisa", "sic_appeal", []string{"section 47 of the Freedom of Information (Scotland) Act 2002\n", "(section 10(1))", "(section 20)", "(section 21(1))", "Part 1 of the Act"}},

		{"eisr", "request", []string{"under the Environmental Information (Scotland) Regulations 2004:", "which exception you rely on"}},
		{"eisr", "review_on_silence", []string{"Environmental Information (Scotland) Regulations 2004", "representations under regulation 16", "regulation 5(2)", "Regulation 16(4)", "Our address for correspondence is campaign@"}},
		{"eisr", "review_after_refusal", []string{"Environmental Information (Scotland) Regulations 2004", "representations under regulation 16", "regulation 16(4)", "[GROUNDS:"}},
		{"eisr", "foisa_review", []string{"Environmental Information (Scotland) Regulations 2004", "representations under regulation 16", "Regulation 16(4)", "regulation 5(2)"}},
		{"eisr", "sic_appeal", []string{"section 47 of the Freedom of Information (Scotland) Act 2002, as applied by regulation 17 of the Environmental Information (Scotland) Regulations 2004", "(regulation 5(2))", "representations under regulation 16", "(regulation 16(4))", "in accordance with the Regulations"}},
	} {
		// Another law's marks: FOIA's title appears under the EIR only as
		// the Act whose s.50 reg. 18 applies, FOISA's under the EISR only
		// as the Act whose s.47 reg. 17 applies.
		wrong := map[string][]string{
			"foia":  {"regulation", "Regulations", "(Scotland)", "section 16", "section 20", "section 21", "address for correspondence"},
			"eir":   {"section 10", "section 17", "section 45", "(Scotland)", "Part I of the Act", "exemption", "address for correspondence"},
			"foisa": {"Act 2000", "regulation", "Regulations", "section 17", "section 45", "section 50", "Information Commissioner's Office"},
			"eisr":  {"Act 2000", "section 10", "section 16", "section 20", "section 21", "exemption", "Information Commissioner's Office"},
		}[tc.law]
		got, err := New("").Render(tc.name, at(tc.name, tc.law))
		if err != nil {
			t.Errorf("%s (%s): %v", tc.name, tc.law, err)
			continue
		}
		flat := strings.Join(strings.Fields(got), " ") // the letter's own line breaks aside
		for _, w := range tc.want {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) && !strings.Contains(got, w) {
				t.Errorf("%s (%s) does not say %q:\n%s", tc.name, tc.law, w, got)
			}
		}
		for _, w := range wrong {
			if strings.Contains(flat, w) {
				t.Errorf("%s (%s) says %q, from another law:\n%s", tc.name, tc.law, w, got)
			}
		}
	}
}

// TestExtensionIsCited: a response due on an extended date cites the
// extension the law allows (FOIA s.10(3), EIR and EISR reg. 7(1)); FOISA
// allows none, so a FOISA letter never claims one.
func TestExtensionIsCited(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ law, name, want string }{
		{"foia", "review_on_silence", "section 10(1) of the Act, as extended under section 10(3)."},
		{"foia", "ico_complaint", "(section 10(1), as extended under section 10(3))."},
		{"eir", "review_on_silence", "regulation 5(2), as extended under regulation 7(1)."},
		{"eir", "ico_complaint", "(regulation 5(2), as extended under regulation 7(1))."},
		{"eisr", "review_on_silence", "regulation 5(2), as extended under regulation 7(1)."},
		{"eisr", "foisa_review", "regulation 5(2), as extended under regulation 7(1)."},
		{"eisr", "sic_appeal", "(regulation 5(2), as extended under regulation 7(1))."},
		{"foisa", "review_on_silence", ""},
		{"foisa", "foisa_review", ""},
		{"foisa", "sic_appeal", ""},
	} {
		d := at(tc.name, tc.law)
		d.Request.Extended = true
		got, err := New("").Render(tc.name, d)
		if err != nil {
			t.Errorf("%s (%s): %v", tc.name, tc.law, err)
			continue
		}
		flat := strings.Join(strings.Fields(got), " ")
		if tc.want == "" && strings.Contains(flat, "extended") {
			t.Errorf("%s (%s) claims an extension FOISA does not allow:\n%s", tc.name, tc.law, got)
		}
		if tc.want != "" && !strings.Contains(flat, tc.want) {
			t.Errorf("%s (%s) with an extension:\n%s\nwant it to say %q", tc.name, tc.law, got, tc.want)
		}
		d.Request.Extended = false
		if got, _ := New("").Render(tc.name, d); strings.Contains(got, "extended") {
			t.Errorf("%s (%s) without an extension mentions one:\n%s", tc.name, tc.law, got)
		}
	}
}

// TestWrongLawLetterSaysWhichToUse: a letter that belongs to other laws
// (a complaint to the ICO about a Scottish request, a FOISA review of an
// English one) is not written at all; the error is ErrWrongLaw and names
// the letter to use.
func TestWrongLawLetterSaysWhichToUse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, law, use string }{
		{"ico_complaint", "foisa", "sic_appeal"},
		{"ico_complaint", "eisr", "sic_appeal"},
		{"sic_appeal", "foia", "ico_complaint"},
		{"sic_appeal", "eir", "ico_complaint"},
		{"foisa_review", "foia", "review_on_silence or review_after_refusal"},
		{"foisa_review", "eir", "review_on_silence or review_after_refusal"},
	} {
		got, err := New("").Render(tc.name, at(tc.name, tc.law))
		if !errors.Is(err, ErrWrongLaw) || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.use) {
			t.Errorf("%s for a %s request = %q, %v; want an error saying to use %s", tc.name, tc.law, got, err, tc.use)
		}
	}
}

// TestLawHelpers: scottish, environmental and lawname agree with
// calendar.Law on the four laws, and take anything else as foia.
func TestLawHelpers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		law               string
		scottish, environ bool
		name              string
	}{
		{"foia", false, false, "Freedom of Information Act 2000"},
		{"eir", false, true, "Environmental Information Regulations 2004"},
		{"foisa", true, false, "Freedom of Information (Scotland) Act 2002"},
		{"eisr", true, true, "Environmental Information (Scotland) Regulations 2004"},
		{"", false, false, "Freedom of Information Act 2000"},
	} {
		src := "{{scottish .Request.Law}} {{environmental .Request.Law}} {{lawname .Request.Law}}"
		d := data()
		d.Request.Law = tc.law
		got, err := Render("t.txt", src, d)
		if want := fmt.Sprintf("%v %v %s", tc.scottish, tc.environ, tc.name); err != nil || got != want {
			t.Errorf("law %q: %q, %v, want %q", tc.law, got, err, want)
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
			d := at(name, tc.jurisdiction)
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
