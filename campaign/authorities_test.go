package campaign

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"foi"
)

func TestParseAuthorities(t *testing.T) {
	list, err := ParseAuthorities(strings.NewReader("name,email,tags\nOxleas NHS Foundation Trust,foi@oxleas.nhs.test,Mental-Health; did-not-apply\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := list[0]
	if a.Jurisdiction != "foia" || strings.Join(a.Tags, ",") != "mental-health,did-not-apply" {
		t.Errorf("parsed %+v, want jurisdiction foia and two lower-case tags", a)
	}
}

func TestParseAuthoritiesErrors(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"", "empty"},
		{"name,mail\n", "line 1, field mail: unknown column"},
		{"name,jurisdiction\n", "line 1, field email: required column missing"},
		{"name,email\nA,not-an-address\n", `line 2, field email: "not-an-address"`},
		{"name,email\nA,a@localhost\n", `line 2, field email`},
		{"name,email,jurisdiction\nA,a@a.test,scotland\n", `line 2, field jurisdiction: "scotland" is not one of foia, foisa, eir, eisr`},
		{"name,email\nA,a@a.test\na,b@b.test\n", `line 3, field name: "a" duplicates line 2`},
		{"name,email\n,a@a.test\n", "line 2, field name: empty"},
		{"name,email,tags\nA,a@a.test,bad tag!\n", "line 2, field tags"},
		{"name,email\n", "no rows"},
		// Issue 9, finding 7: a letter to a name that is not UTF-8 could
		// never be sent; the import refuses it, naming the line and field.
		{"name,email\nA,a@a.test\nCaf\xe9 NHS Trust,foi@cafe.nhs.test\n", `line 3, field name: "Caf\xe9 NHS Trust" not valid UTF-8 (byte 3)`},
		{"name,email,short_name\nA,a@a.test,\xff\n", `line 2, field short_name`},
		{"name,email,notes\nA,a@a.test,\"\xa3 note\"\n", `line 2, field notes: not valid UTF-8`},
		{"name,email\n\"Evil\r\nBcc: x@y.test\",a@a.test\n", `line 2, field name: "Evil\nBcc: x@y.test" has a control character (U+000A`},
		{"name,email\nEsc\x1b[5m Trust,a@a.test\n", `line 2, field name`},
	} {
		_, err := ParseAuthorities(strings.NewReader(tc.csv))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseAuthorities(%q) = %v, want an error containing %q", tc.csv, err, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	list, err := ParseAuthorities(strings.NewReader("name,email,tags,short_name\nB Trust,b@b.test,x,Bee\nA Trust,a@a.test,x;y,\n\"C, the Trust\",c@c.test,y,\n"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		list[i].ID = int64(i + 1)
	}
	names := func(sel string) string {
		got, err := Select(list, sel)
		if err != nil {
			return "error: " + err.Error()
		}
		var n []string
		for _, a := range got {
			n = append(n, a.Name)
		}
		return strings.Join(n, "|")
	}
	for sel, want := range map[string]string{
		"all":                "B Trust|A Trust|C, the Trust", // the CSV's order
		"tag:x":              "B Trust|A Trust",
		"tag:y":              "A Trust|C, the Trust",
		`Bee,"C, the Trust"`: "B Trust|C, the Trust",
		"A Trust, Nobody":    `error: --authorities: no authority named "Nobody" (see ` + "`foi authorities list`)",
		"tag:none":           `error: --authorities "tag:none" matches no authority (see ` + "`foi authorities list`)",
	} {
		if got := names(sel); got != want {
			t.Errorf("Select(%q) = %s, want %s", sel, got, want)
		}
	}
}

func TestPlusTag(t *testing.T) {
	tag := PlusTag("k", "LXP7-004")
	if !strings.HasPrefix(tag, "lxp7-004-") || len(tag) != len("lxp7-004-")+8 {
		t.Errorf("PlusTag = %q", tag)
	}
	if ref, ok := CheckPlusTag("k", strings.ToUpper(tag)); !ok || ref != "LXP7-004" {
		t.Errorf("CheckPlusTag(own tag) = %q, %v", ref, ok)
	}
	if _, ok := CheckPlusTag("other-key", tag); ok {
		t.Error("a tag signed with another key was accepted")
	}
	if got := PlusAddress("campaign+x@lxp.test", tag); got != "campaign+"+tag+"@lxp.test" {
		t.Errorf("PlusAddress = %q", got)
	}
}

// A stray or unclosed double quote used to panic (FieldPos after a parse
// error); now it names the line and the field and says how to fix it, and
// the rows after it are still checked, so every error comes at once.
func TestParseAuthoritiesQuotes(t *testing.T) {
	const (
		stray    = `a stray double quote: put the whole field in double quotes and double any quote inside it, e.g. "The ""New"" NHS Trust"`
		unclosed = `the double quotes do not pair up: a field in double quotes must end with one, and any quote inside it must be doubled, e.g. "Lambda, NHS Trust" or "The ""New"" NHS Trust"`
	)
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"stray quote in the name",
			"name,email\nA,a@a.test\nThe \"New\" NHS Trust,foi@new.nhs.uk\n",
			[]string{"line 3, field name: " + stray}},
		{"stray quote in the email",
			"name,email\nA,a@a.test\nB,b\"@b.test\n",
			[]string{"line 3, field email: " + stray}},
		{"stray quote after the last column",
			"name,email\nA,a@a.test,x\"y\n",
			[]string{`line 2: a stray double quote in field 3, after the last column (email): put the whole field in double quotes and double any quote inside it, e.g. "The ""New"" NHS Trust"`}},
		{"unclosed quote on the last line",
			"name,email\nA,a@a.test\n\"Lambda, NHS Trust,foi@lambda.nhs.uk\n",
			[]string{"line 3, field name: " + unclosed}},
		{"unclosed quote at the very end of the file (issue 9, finding 6)",
			"name,email\n\"Unterminated,x@auth.test",
			[]string{"line 2, field name: " + unclosed}},
		{"unclosed quote swallows the rows after it",
			"name,email\n\"Lambda, NHS Trust,foi@lambda.nhs.uk\nB,b@b.test\nC,c@c.test\n",
			[]string{"line 2, field name: " + unclosed + " (a quote opened on line 2 is still open on line 4, so lines 2 to 4 were read as one row)"}},
		{"quote inside a quoted field",
			"name,email\n\"The \"New\" NHS Trust\",foi@new.nhs.uk\n",
			[]string{"line 2, field name: " + unclosed}},
		{"the rows after a stray quote are still checked",
			"name,email\nA,a@a.test\nThe \"New\" NHS Trust,foi@new.nhs.uk\nB,not-an-address\nC,c@c.test,\"x\"y\nD,d@d.test\n",
			[]string{
				"line 3, field name: " + stray,
				`line 4, field email: "not-an-address" is not a valid email address`,
				`line 5: the double quotes do not pair up in field 3, after the last column (email): a field in double quotes must end with one, and any quote inside it must be doubled, e.g. "Lambda, NHS Trust" or "The ""New"" NHS Trust"`,
			}},
		{"stray quote in the header",
			"name,e\"mail\nA,a@a.test\n",
			[]string{"line 1: a stray double quote in the header row: the header row is plain column names, e.g. name,email,jurisdiction,tags,short_name,notes"}},
	} {
		list, err := ParseAuthorities(strings.NewReader(tc.csv))
		if err == nil {
			t.Errorf("%s: ParseAuthorities(%q) = %v, nil, want an error", tc.name, tc.csv, list)
			continue
		}
		if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tc.want) {
			t.Errorf("%s: ParseAuthorities(%q) error:\n got: %s\nwant: %s", tc.name, tc.csv, strings.Join(got, "\n      "), strings.Join(tc.want, "\n      "))
		}
		var le *LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: error %v is not a *LineError", tc.name, err)
		}
	}
}

// FuzzParseAuthorities checks that no input panics and that whatever is
// accepted is whole: every authority has a name and an address.
func FuzzParseAuthorities(f *testing.F) {
	for _, s := range []string{
		"name,email\nA,a@a.test\nThe \"New\" NHS Trust,foi@new.nhs.uk\n",
		"name,email\n\"Lambda, NHS Trust,foi@lambda.nhs.uk\nB,b@b.test\n",
		"name,email\n\"The \"New\" NHS Trust\",foi@new.nhs.uk\n",
		"name,email,tags\n\"A \"\"quoted\"\" Trust\",a@a.test,x;y\n",
		"name,e\"mail\n",
		"name,email,jurisdiction,tags,short_name,notes\n\"Multi\nline\",m@m.test,foisa,,M,\"a, note\"\n",
		"\ufeffname,email\r\nA,a@a.test\r\n",
	} {
		f.Add([]byte(s))
	}
	if b, err := foi.Examples.ReadFile("examples/trusts.csv"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		list, err := ParseAuthorities(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(list) == 0 {
			t.Fatalf("ParseAuthorities(%q) = no authorities and no error", in)
		}
		for _, a := range list {
			if a.Name == "" || a.Email == "" || a.Jurisdiction == "" {
				t.Fatalf("ParseAuthorities(%q) accepted %+v", in, a)
			}
		}
	})
}
