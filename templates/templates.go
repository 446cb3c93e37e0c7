// Package templates renders letters: Go text/template files with the
// request's data. The default letters are embedded from templates/letters;
// a user's own folder overrides them by file name. A campaign's first letter
// is the file given to `foi campaign new`, stored with the campaign so that
// what was previewed is what is sent.
//
// Rendering is strict: a field that does not exist is an error naming the
// template, the line and the field, never a blank in a letter to a public
// body. The package holds no mutable state; a *Set is safe for concurrent
// use.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"foi/calendar"
)

//go:embed letters/*.txt
var defaults embed.FS

// Data is everything a letter can use. Fields are documented in the README
// ("Writing letters").
type Data struct {
	Authority Authority
	Request   Request
	Campaign  Campaign
	Requester Requester
	// Today is the date the letter is written (Europe/London).
	Today time.Time
}

// Authority is the public body written to.
type Authority struct {
	Name         string
	ShortName    string
	Email        string
	Jurisdiction string
	Tags         []string
}

// Request is the request the letter belongs to.
type Request struct {
	Ref   string
	Title string
	// AuthorityRef is the authority's own reference once learned.
	AuthorityRef string
	// SentOn and DueOn are the delivery and response-due dates (zero before
	// the first letter is sent).
	SentOn time.Time
	DueOn  time.Time
	// Grounds is the reason given in an internal-review request.
	Grounds string
	// The dates of what happened since (zero if it has not).
	RespondedOn time.Time
	// ChasedOn and FinalChasedOn are the days the first and the final
	// chaser went.
	ChasedOn      time.Time
	FinalChasedOn time.Time
	// ChasersSent is the day each chaser went, oldest first (empty if none
	// has): {{dates .Request.ChasersSent}} writes them all.
	ChasersSent       []time.Time
	ReviewRequestedOn time.Time
	ReviewDueOn       time.Time
	ReviewAnsweredOn  time.Time
}

// Campaign is the campaign of the request.
type Campaign struct {
	Slug  string
	Title string
}

// Requester is who the letter is from.
type Requester struct {
	Name         string
	Organisation string
	Email        string
}

// Funcs are the helpers letters may call: {{date .Today}} writes
// "2 March 2026", {{dates .Request.ChasersSent}} "1 April 2026, 15 April 2026
// and 29 April 2026", {{isodate .Today}} "2026-03-02", {{weekday .Today}}
// "Monday", {{upper .Request.Ref}}, {{or .Authority.ShortName .Authority.Name}};
// {{if scottish .Authority.Jurisdiction}} is true for foisa and eisr, whose
// Commissioner is the Scottish Information Commissioner.
var funcs = template.FuncMap{
	"date":     date,
	"dates":    dates,
	"isodate":  func(t time.Time) string { return t.Format("2006-01-02") },
	"weekday":  func(t time.Time) string { return t.Weekday().String() },
	"upper":    strings.ToUpper,
	"lower":    strings.ToLower,
	"scottish": func(jurisdiction string) bool { return calendar.Law(jurisdiction).Scottish() },
}

func date(t time.Time) string { return t.Format("2 January 2006") }

// dates writes days as a letter lists them: "A", "A and B", "A, B and C".
func dates(ts []time.Time) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = date(t)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// Set is the embedded letters overridden by a user's folder.
type Set struct {
	dir string
}

// New returns the set of letters: the embedded defaults, each replaced by
// the file of the same name in dir if there is one ("" for none).
func New(dir string) *Set { return &Set{dir: dir} }

// Names lists every letter available by name.
func (s *Set) Names() ([]string, error) {
	seen := map[string]bool{}
	entries, err := fs.ReadDir(defaults, "letters")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		seen[strings.TrimSuffix(e.Name(), ".txt")] = true
	}
	if s.dir != "" {
		user, err := os.ReadDir(s.dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("templates folder: %w", err)
		}
		for _, e := range user {
			if strings.HasSuffix(e.Name(), ".txt") {
				seen[strings.TrimSuffix(e.Name(), ".txt")] = true
			}
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Source returns the text of the named letter (without ".txt") and where it
// came from.
func (s *Set) Source(name string) (src, origin string, err error) {
	if strings.ContainsAny(name, `/\`) || name == "" || strings.HasPrefix(name, ".") {
		return "", "", fmt.Errorf("template name %q: must be a plain name such as first_chaser", name)
	}
	if s.dir != "" {
		p := filepath.Join(s.dir, name+".txt")
		if b, err := os.ReadFile(p); err == nil {
			return string(b), p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("template %s: %w", name, err)
		}
	}
	b, err := defaults.ReadFile("letters/" + name + ".txt")
	if err != nil {
		names, _ := s.Names()
		return "", "", fmt.Errorf("template %q not found; available: %s", name, strings.Join(names, ", "))
	}
	return string(b), "built-in " + name + ".txt", nil
}

// Render renders the named letter of the set.
func (s *Set) Render(name string, d Data) (string, error) {
	src, _, err := s.Source(name)
	if err != nil {
		return "", err
	}
	return Render(name, src, d)
}

// Check parses a template without running it, so that a campaign is never
// created with a letter that cannot render.
func Check(name, src string) error {
	_, err := parse(name, src)
	return err
}

// Render executes the template text src, called name in errors, with d.
func Render(name, src string, d Data) (string, error) {
	t, err := parse(name, src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", explain(name, err)
	}
	return b.String(), nil
}

func parse(name, src string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("template %s: %s", name, strings.TrimPrefix(err.Error(), "template: "))
	}
	return t, nil
}

// execErr matches text/template's execution errors, which carry the
// template name, line, column, the action and the cause.
var execErr = regexp.MustCompile(`^template: ([^:]+):(\d+):(\d+): executing "[^"]*" at <([^>]*)>: (.*)$`)

// explain turns an execution error into one that names the template, line
// and field, with the fields that do exist.
func explain(name string, err error) error {
	m := execErr.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("template %s: %s", name, strings.TrimPrefix(err.Error(), "template: "))
	}
	msg := m[5]
	if f := regexp.MustCompile(`can't evaluate field (\w+) in type (\S+)`).FindStringSubmatch(msg); f != nil {
		msg = fmt.Sprintf("unknown field %q (in %s); %s has: %s", f[1], m[4], shortType(f[2]), strings.Join(fieldsOf(f[2]), ", "))
	}
	return fmt.Errorf("template %s, line %s: %s", m[1], m[2], msg)
}

func shortType(t string) string { return t[strings.LastIndex(t, ".")+1:] }

// fieldsOf names the fields of the data types, for error messages.
func fieldsOf(typ string) []string {
	switch shortType(typ) {
	case "Data":
		return []string{"Authority", "Request", "Campaign", "Requester", "Today"}
	case "Authority":
		return []string{"Name", "ShortName", "Email", "Jurisdiction", "Tags"}
	case "Request":
		return []string{"Ref", "Title", "AuthorityRef", "SentOn", "DueOn", "Grounds", "RespondedOn", "ChasedOn",
			"FinalChasedOn", "ChasersSent", "ReviewRequestedOn", "ReviewDueOn", "ReviewAnsweredOn"}
	case "Campaign":
		return []string{"Slug", "Title"}
	case "Requester":
		return []string{"Name", "Organisation", "Email"}
	}
	return nil
}
