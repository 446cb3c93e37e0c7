package campaign

import (
	"strings"
	"testing"
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
		"all":                "A Trust|B Trust|C, the Trust",
		"tag:x":              "A Trust|B Trust",
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
